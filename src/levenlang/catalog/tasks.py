"""Background work of the catalogue, run by the procrastinate worker."""

from procrastinate.contrib.django import app

from levenlang.catalog import services
from levenlang.catalog.models import ImportRun
from levenlang.core.audit import SystemActor, as_system
from levenlang.core.tasks import closes_connection


@app.task(queue="catalog")
@closes_connection
@as_system(SystemActor.CATALOGUE_IMPORT)
def run_catalogue_import(run_id: int) -> str:
    """Import a large uploaded catalogue file (all or nothing) and store its report on the ImportRun."""
    run = ImportRun.objects.select_related("provider").get(pk=run_id)
    if run.status != ImportRun.Status.QUEUED:
        return run.status  # already done: a retried job changes nothing
    return services.finish_import(run).status
