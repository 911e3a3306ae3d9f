"""Background work of the schemes app, run by the procrastinate worker."""

from django.utils import timezone
from procrastinate.contrib.django import app

from levenlang.core.audit import SystemActor, as_system
from levenlang.core.tasks import closes_connection
from levenlang.schemes import services


@app.periodic(cron="17 2 1 1 *", periodic_id="allocate_learning_rights")
@app.task(queue="schemes", queueing_lock="allocate_learning_rights")
@closes_connection
@as_system(SystemActor.YEARLY_ALLOCATION)
def allocate_learning_rights(timestamp: int | None = None, year: int | None = None) -> dict:
    """On 1 January (and whenever started by hand): credit the year's learning rights. Idempotent per year, so a
    retry or a second start is harmless."""
    result = services.allocate_learning_rights(year or timezone.localdate().year)
    return {k: v for k, v in result.items() if isinstance(v, int)}


@app.task(queue="schemes")
@closes_connection
def run_what_if(run_id: int) -> None:
    """A what-if simulation the ministry started on its page; progress and result go to its SimulationRun row."""
    services.run_what_if(run_id)
