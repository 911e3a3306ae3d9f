"""The ledger asks a clock for the time, so that tests can move time forward (expiry) without waiting."""

import datetime

from django.utils import timezone


class Clock:
    def now(self) -> datetime.datetime:
        return timezone.now()

    def today(self) -> datetime.date:
        return timezone.localdate(self.now())


class FixedClock(Clock):
    """A clock that stands still until it is moved: for tests and simulations."""

    def __init__(self, now: datetime.datetime):
        self._now = now

    def now(self) -> datetime.datetime:
        return self._now

    def advance(self, delta: datetime.timedelta) -> None:
        self._now += delta


SYSTEM_CLOCK = Clock()
