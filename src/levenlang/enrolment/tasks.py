"""Background work of the enrolment life cycle, run by the procrastinate worker."""

from django.db import connection
from procrastinate.contrib.django import app

from levenlang.enrolment import services


@app.periodic(cron="37 1 * * *", periodic_id="sweep_not_started_enrolments")
@app.task(queue="enrolment", queueing_lock="sweep_not_started_enrolments")
def sweep_not_started_enrolments(timestamp: int | None = None) -> int:
    """Every night: enrolments whose start the provider did not declare in time end, and their money goes back."""
    try:
        return services.sweep_not_started()
    finally:
        connection.close()  # the worker runs a sync task in a thread of its own: do not leave its connection open
