"""Background work of the core app, run by the procrastinate worker (`manage.py procrastinate worker`)."""

import functools

from django.contrib.sessions.models import Session
from django.db import connection
from django.utils import timezone
from procrastinate.contrib.django import app

__all__ = [
    "clear_expired_sessions",
    "closes_connection",
]


def closes_connection(task):
    """For every synchronous task: procrastinate runs it in a worker thread, where Django opens a database
    connection of its own; close it when the task ends, so that no idle connection (nor, in tests, a test database
    that cannot be dropped) is left behind. A caller inside a transaction (a test calling the task directly) keeps
    its connection."""

    @functools.wraps(task)
    def run(*args, **kwargs):
        try:
            return task(*args, **kwargs)
        finally:
            if not connection.in_atomic_block:
                connection.close()

    return run


@app.periodic(cron="17 3 * * *", periodic_id="clear_expired_sessions")
@app.task(queue="maintenance", queueing_lock="clear_expired_sessions")
@closes_connection
def clear_expired_sessions(timestamp: int | None = None) -> int:
    """Delete expired login sessions every night: they hold who was logged in, and nothing needs them."""
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted
