"""Shared set-up for the enrolment tests: a provider with staff, an offering, a resident with money, a fixed clock,
and `walk(to)` that takes a fresh enrolment along the happy path to any status."""

import datetime
import uuid

import pytest
from django.db import connection

from levenlang.core.roles import Role
from levenlang.enrolment import services
from levenlang.enrolment.models import Enrolment, Status
from levenlang.ledger import services as ledger
from levenlang.ledger.clock import FixedClock
from levenlang.ledger.models import Category, PotKind, SystemAccount
from levenlang.ledger.reconcile import reconcile
from tests.factories import ModuleFactory, OfferingFactory, ProviderFactory, ResidentFactory, UserFactory

NOW = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.UTC)


def key() -> str:
    return f"test-{uuid.uuid4()}"


def books_are_right() -> None:
    """The ledger's invariants, checked by the database's deferred triggers now and by the reconcile queries."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    assert reconcile() == []


def put_money(resident, cents: int, categories=None, lot: str = "2026") -> None:
    budget = ledger.system_account(SystemAccount.Kind.BUDGET, "Leerrechten 2026", scheme="leerrechten", year=2026)
    ledger.deposit(
        key=key(),
        resident_id=resident.pk,
        source=budget,
        pot_kind=PotKind.RIGHTS,
        lot=lot,
        amount_cents=cents,
        categories=categories or list(Category),
        expires_on=None,
        description="test",
    )


@pytest.fixture
def clock():
    return FixedClock(NOW)


@pytest.fixture
def staff(db):
    return UserFactory(role=Role.PROVIDER_STAFF)


@pytest.fixture
def provider(staff):
    provider = ProviderFactory()
    provider.staff.add(staff)
    return provider


@pytest.fixture
def offering(provider):
    module = ModuleFactory(
        provider=provider, price_cents=50_000, skills=["lassen", "http://data.europa.eu/esco/skill/x"]
    )
    return OfferingFactory(module=module, start_date=NOW.date(), end_date=NOW.date() + datetime.timedelta(days=30))


@pytest.fixture
def learner(db):
    resident = ResidentFactory()
    put_money(resident, 100_000)
    return resident


@pytest.fixture
def walk(offering, learner, staff, clock):
    """walk(Status.STARTED) -> a new enrolment of `learner` in `offering`, taken there along the happy path."""

    def go(to: Status, *, resident=None, offering_=None, percent: int = 100) -> Enrolment:
        resident = resident or learner
        result = services.request_enrolment(
            offering_uuid=(offering_ or offering).uuid, resident=resident, actor=resident.user, key=key(), clock=clock
        )
        uuid_ = result["enrolment"]
        path = {
            Status.REQUESTED: [],
            Status.REFUSED: [lambda: services.refuse(uuid_, actor=staff, key=key())],
            Status.CANCELLED: [lambda: services.cancel(uuid_, actor=resident.user, key=key())],
            Status.ACCEPTED: ["accept"],
            Status.RESERVED: ["accept", "reserve"],
            Status.NOT_STARTED: ["accept", "reserve", "lapse"],
            Status.STARTED: ["accept", "reserve", "start"],
            Status.COMPLETED: ["accept", "reserve", "start", "complete"],
            Status.PAID_OUT: ["accept", "reserve", "start", "complete", "confirm"],
            Status.DISPUTED: ["accept", "reserve", "start", "complete", "dispute"],
        }[to]
        steps = {
            "accept": lambda: services.accept(uuid_, actor=staff, key=key()),
            "reserve": lambda: services.reserve(
                uuid_, actor=resident.user, key=key(), strong_login_at=clock.now(), clock=clock
            ),
            "start": lambda: services.declare_start(uuid_, actor=staff, key=key(), clock=clock),
            "complete": lambda: services.declare_completion(uuid_, actor=staff, key=key(), percent=percent),
            "confirm": lambda: services.confirm_completion(uuid_, actor=resident.user, key=key(), clock=clock),
            "dispute": lambda: services.dispute_completion(uuid_, actor=resident.user, key=key(), note="niet gegeven"),
            "lapse": lambda: services.sweep_not_started(clock=FixedClock(clock.now() + datetime.timedelta(days=60))),
        }
        for step in path:
            (steps[step] if isinstance(step, str) else step)()
        enrolment = Enrolment.objects.get(uuid=uuid_)
        assert enrolment.status == to
        return enrolment

    return go
