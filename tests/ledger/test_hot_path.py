"""The booking hot path (services.reserve) sends its two statements prepared: parsed and planned once per connection,
not on every booking (bench/README.md, "Where the time goes": unprepared, the server did twice the work)."""

import datetime

import pytest
from django.db import connection

from levenlang.ledger import services
from levenlang.ledger.models import Category, PotKind

pytestmark = pytest.mark.django_db

ALL = list(Category)


def _executions_of_prepared(fragment: str) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT generic_plans + custom_plans FROM pg_prepared_statements WHERE statement LIKE %s",
            [f"%{fragment}%"],
        )
        return [count for (count,) in cursor.fetchall()]


def test_a_booking_sends_its_statements_prepared_once_per_connection(resident, budget, payee, clock):
    services.deposit(
        key="dep",
        resident_id=resident.pk,
        source=budget,
        pot_kind=PotKind.RIGHTS,
        lot="2026",
        amount_cents=100_000,
        categories=ALL,
        expires_on=None,
        description="test",
    )
    for number in range(3):
        services.reserve(
            key=f"booking-{number}",
            resident_id=resident.pk,
            category=Category.STUDY,
            price_cents=1_000,
            payee=payee,
            expires_at=clock.now() + datetime.timedelta(days=30),
            clock=clock,
        )
    # Each statement prepared once and executed three times (Django's connections prepare nothing by default, and
    # psycopg then ignores prepare=True: each booking was parsed and planned anew).
    assert _executions_of_prepared("FOR NO KEY UPDATE OF l, p") == [3]
    assert _executions_of_prepared("INSERT INTO ledger_reservationpart") == [3]
