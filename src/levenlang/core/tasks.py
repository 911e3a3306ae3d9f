"""Background work of the core app, run by the procrastinate worker (`manage.py procrastinate worker`)."""

from django.contrib.sessions.models import Session
from django.utils import timezone
from procrastinate.contrib.django import app


@app.periodic(cron="17 3 * * *", periodic_id="clear_expired_sessions")
@app.task(queue="maintenance", queueing_lock="clear_expired_sessions")
def clear_expired_sessions(timestamp: int | None = None) -> int:
    """Delete expired login sessions every night: they hold who was logged in, and nothing needs them."""
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted
