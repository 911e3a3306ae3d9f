"""Background work of the enrolment life cycle, run by the procrastinate worker."""

from procrastinate.contrib.django import app

from levenlang.core.audit import SystemActor, as_system
from levenlang.core.tasks import closes_connection
from levenlang.enrolment import services


@app.periodic(cron="37 1 * * *", periodic_id="sweep_not_started_enrolments")
@app.task(queue="enrolment", queueing_lock="sweep_not_started_enrolments")
@closes_connection
@as_system(SystemActor.NIGHTLY_CHECK)
def sweep_not_started_enrolments(timestamp: int | None = None) -> int:
    """Every night: enrolments whose start the provider did not declare in time end, and their money goes back."""
    return services.sweep_not_started()
