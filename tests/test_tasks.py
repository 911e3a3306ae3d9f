"""The task queue runs in the same PostgreSQL: a job deferred by the platform is run by a real worker."""

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone
from procrastinate.contrib.django import app
from procrastinate.contrib.django.models import ProcrastinateJob

from levenlang.core.tasks import clear_expired_sessions


@pytest.mark.django_db(transaction=True)
def test_worker_runs_the_deferred_job_and_clears_only_expired_sessions():
    now = timezone.now()
    Session.objects.create(session_key="expired", session_data="x", expire_date=now - timedelta(days=1))
    Session.objects.create(session_key="live", session_data="x", expire_date=now + timedelta(days=1))

    job_id = clear_expired_sessions.defer()
    assert ProcrastinateJob.objects.get(id=job_id).status == "todo"

    worker_app = app.with_connector(app.connector.get_worker_connector())
    worker_app.run_worker(queues=["maintenance"], wait=False, install_signal_handlers=False, listen_notify=False)

    assert ProcrastinateJob.objects.get(id=job_id).status == "succeeded"
    assert list(Session.objects.values_list("session_key", flat=True)) == ["live"]


def test_the_cleanup_is_scheduled_every_night():
    periodic = {task.periodic_id: task for task in app.periodic_registry.periodic_tasks.values()}
    assert periodic["clear_expired_sessions"].cron == "17 3 * * *"
