"""The enrolment life cycle (docs/enrolment.md): every transition, and every illegal one, with the ledger's
invariants checked after each step; the safeguards (payment after delivery, funded places per quarter, approved
providers only, suspension, strong login); idempotency; the append-only event record."""

import datetime

import pytest
from django.db import DatabaseError, transaction

from levenlang.catalog.models import Provider
from levenlang.catalog.services import suspend_provider
from levenlang.core.models import AuditEvent
from levenlang.core.roles import Role
from levenlang.enrolment import credentials, services
from levenlang.enrolment.errors import (
    FundingChanged,
    IllegalTransition,
    NoFundedPlaceLeft,
    NotBookable,
    NotPermitted,
    StrongLoginRequired,
)
from levenlang.enrolment.models import Enrolment, EnrolmentEvent, Status
from levenlang.ledger.clock import FixedClock
from levenlang.ledger.errors import IdempotencyConflict, NotFound, NothingToPayWith
from levenlang.ledger.models import Category, Journal, Leg, Pot, Reservation, SystemAccount
from tests.enrolment.conftest import NOW, books_are_right, key, put_money
from tests.factories import ModuleFactory, OfferingFactory, ProviderFactory, ResidentFactory, UserFactory

pytestmark = pytest.mark.django_db


def available(resident) -> int:
    return sum(p.available_cents for p in Pot.objects.filter(leerrekening_id=resident.pk))


def balance(resident) -> int:
    return sum(p.posted_cents for p in Pot.objects.filter(leerrekening_id=resident.pk))


def paid_to(provider) -> int:
    return sum(Leg.objects.filter(system_account__provider=provider).values_list("amount_cents", flat=True))


def trail(enrolment) -> list[tuple[str, str]]:
    return list(EnrolmentEvent.objects.filter(enrolment=enrolment).values_list("from_status", "to_status"))


# --- the happy path, step by step ----------------------------------------------------------------------------------


def test_the_whole_life_cycle_moves_the_money_only_at_the_end(offering, learner, staff, provider, clock):
    result = services.request_enrolment(
        offering_uuid=offering.uuid, resident=learner, actor=learner.user, key=key(), clock=clock
    )
    enrolment = Enrolment.objects.get(uuid=result["enrolment"])
    assert (enrolment.status, enrolment.price_cents) == (Status.REQUESTED, 50_000)
    assert available(learner) == 100_000
    books_are_right()

    services.accept(enrolment.uuid, actor=staff, key=key())
    assert available(learner) == 100_000
    books_are_right()

    preview = services.funding_preview(enrolment, clock)
    assert (preview.covered_cents, preview.own_share_cents) == (50_000, 0)
    reserved = services.reserve(
        enrolment.uuid,
        actor=learner.user,
        key=key(),
        strong_login_at=clock.now(),
        expected_own_share_cents=0,
        clock=clock,
    )
    assert (reserved["status"], reserved["covered_cents"], reserved["own_share_cents"]) == ("reserved", 50_000, 0)
    enrolment.refresh_from_db()
    assert enrolment.reservation.status == Reservation.Status.PENDING
    assert enrolment.funded_quarter == datetime.date(2026, 1, 1)
    assert enrolment.start_deadline == NOW.date() + datetime.timedelta(days=14)
    assert (available(learner), balance(learner), paid_to(provider)) == (50_000, 100_000, 0)
    books_are_right()

    services.declare_start(enrolment.uuid, actor=staff, key=key(), clock=clock)
    assert paid_to(provider) == 0
    books_are_right()
    services.declare_completion(enrolment.uuid, actor=staff, key=key())
    assert paid_to(provider) == 0  # payment only after the learner confirms delivery
    books_are_right()

    paid = services.confirm_completion(enrolment.uuid, actor=learner.user, key=key(), clock=clock)
    assert (paid["status"], paid["paid_cents"]) == ("paid_out", 50_000)
    enrolment.refresh_from_db()
    assert enrolment.reservation.status == Reservation.Status.POSTED
    assert (available(learner), balance(learner), paid_to(provider)) == (50_000, 50_000, 50_000)
    assert Journal.objects.filter(kind=Journal.Kind.PAYOUT, reservation=enrolment.reservation).count() == 1
    assert AuditEvent.objects.filter(action="money_movement", amount_cents=50_000).exists()
    books_are_right()

    assert trail(enrolment) == [
        ("", "requested"),
        ("requested", "accepted"),
        ("accepted", "reserved"),
        ("reserved", "started"),
        ("started", "completed"),
        ("completed", "paid_out"),
    ]
    roles = list(enrolment.events.values_list("actor_role", flat=True))
    assert roles == [Role.RESIDENT, Role.PROVIDER_STAFF, Role.RESIDENT] + [Role.PROVIDER_STAFF] * 2 + [Role.RESIDENT]
    assert credentials.verify(enrolment.credential).valid


def test_partly_completed_pays_that_part_and_releases_the_rest(walk, learner, provider):
    enrolment = walk(Status.PAID_OUT, percent=60)
    assert enrolment.paid_cents == 30_000
    assert enrolment.reservation.posted_cents == 30_000
    assert (available(learner), balance(learner), paid_to(provider)) == (70_000, 70_000, 30_000)
    assert enrolment.credential is None  # a credential is for a completed module only
    books_are_right()


def test_a_part_so_small_that_it_rounds_to_nothing_releases_everything(offering, staff, clock):
    resident = ResidentFactory()
    put_money(resident, 50)  # the pots cover 50 cents of the price; 1 % of that is half a cent
    uuid_ = services.request_enrolment(
        offering_uuid=offering.uuid, resident=resident, actor=resident.user, key=key(), clock=clock
    )["enrolment"]
    services.accept(uuid_, actor=staff, key=key())
    services.reserve(uuid_, actor=resident.user, key=key(), strong_login_at=clock.now(), clock=clock)
    services.declare_start(uuid_, actor=staff, key=key(), clock=clock)
    services.declare_completion(uuid_, actor=staff, key=key(), percent=1)
    services.confirm_completion(uuid_, actor=resident.user, key=key(), clock=clock)
    enrolment = Enrolment.objects.get(uuid=uuid_)
    assert (enrolment.status, enrolment.paid_cents) == (Status.PAID_OUT, 0)
    assert enrolment.reservation.status == Reservation.Status.VOIDED
    assert available(resident) == 50
    books_are_right()


def test_own_share_when_the_pots_do_not_cover_the_price(offering, staff, clock):
    poorer = ResidentFactory()
    put_money(poorer, 30_000)
    uuid_ = services.request_enrolment(
        offering_uuid=offering.uuid, resident=poorer, actor=poorer.user, key=key(), clock=clock
    )["enrolment"]
    services.accept(uuid_, actor=staff, key=key())
    enrolment = Enrolment.objects.get(uuid=uuid_)
    assert services.funding_preview(enrolment, clock).own_share_cents == 20_000
    result = services.reserve(
        uuid_, actor=poorer.user, key=key(), strong_login_at=clock.now(), expected_own_share_cents=20_000, clock=clock
    )
    assert (result["covered_cents"], result["own_share_cents"]) == (30_000, 20_000)
    books_are_right()


@pytest.mark.parametrize("status", [Status.REQUESTED, Status.ACCEPTED, Status.RESERVED])
@pytest.mark.parametrize("who", ["learner", "provider"])
def test_cancel_before_the_start_gives_the_money_back(walk, learner, staff, status, who):
    enrolment = walk(status)
    actor = learner.user if who == "learner" else staff
    services.cancel(enrolment.uuid, actor=actor, key=key(), note="ziek")
    enrolment.refresh_from_db()
    assert enrolment.status == Status.CANCELLED
    if enrolment.reservation:
        assert enrolment.reservation.status == Reservation.Status.VOIDED
    assert available(learner) == balance(learner) == 100_000
    assert trail(enrolment)[-1] == (status, "cancelled")
    assert enrolment.events.last().note == "ziek"
    books_are_right()


@pytest.mark.parametrize("status", [Status.STARTED, Status.COMPLETED])
def test_an_administrator_may_cancel_after_the_start_and_the_money_goes_back(walk, learner, status):
    enrolment = walk(status)
    with pytest.raises(IllegalTransition):
        services.cancel(enrolment.uuid, actor=learner.user, key=key())
    admin = UserFactory(role=Role.ADMINISTRATOR)
    services.cancel(enrolment.uuid, actor=admin, key=key(), note="fraude onderzocht")
    enrolment.refresh_from_db()
    assert (enrolment.status, enrolment.reservation.status) == (Status.CANCELLED, Reservation.Status.VOIDED)
    assert available(learner) == 100_000
    books_are_right()


def test_a_disputed_completion_is_not_paid_until_an_administrator_confirms_it(walk, learner, provider, clock):
    enrolment = walk(Status.DISPUTED)
    assert enrolment.events.last().note == "niet gegeven"
    assert enrolment.reservation.status == Reservation.Status.PENDING and paid_to(provider) == 0
    with pytest.raises(IllegalTransition):  # the learner cannot take it back on their own: the case is open
        services.confirm_completion(enrolment.uuid, actor=learner.user, key=key(), clock=clock)
    admin = UserFactory(role=Role.ADMINISTRATOR)
    services.confirm_completion(enrolment.uuid, actor=admin, key=key(), note="presentielijst gezien", clock=clock)
    enrolment.refresh_from_db()
    assert (enrolment.status, paid_to(provider)) == (Status.PAID_OUT, 50_000)
    assert trail(enrolment)[-2:] == [("completed", "disputed"), ("disputed", "paid_out")]
    books_are_right()


def test_a_disputed_completion_cancelled_by_an_administrator_gives_the_money_back(walk, learner, provider):
    enrolment = walk(Status.DISPUTED)
    services.cancel(enrolment.uuid, actor=UserFactory(role=Role.ADMINISTRATOR), key=key(), note="niet gegeven")
    enrolment.refresh_from_db()
    assert (enrolment.status, enrolment.reservation.status) == (Status.CANCELLED, Reservation.Status.VOIDED)
    assert (available(learner), paid_to(provider)) == (100_000, 0)
    books_are_right()


def test_not_started_in_time_is_voided_by_the_sweep(walk, learner, clock):
    enrolment = walk(Status.RESERVED)
    assert services.sweep_not_started(clock=clock) == 0  # not late yet
    assert services.sweep_not_started(clock=FixedClock(NOW + datetime.timedelta(days=14))) == 0  # the last day
    late = FixedClock(NOW + datetime.timedelta(days=15))
    assert services.sweep_not_started(clock=late) == 1
    assert services.sweep_not_started(clock=late) == 0  # idempotent: nothing left to end
    enrolment.refresh_from_db()
    assert (enrolment.status, enrolment.reservation.status) == (Status.NOT_STARTED, Reservation.Status.VOIDED)
    event = enrolment.events.last()
    assert (event.actor, event.actor_role, event.from_status) == (None, "", Status.RESERVED)
    assert available(learner) == 100_000
    books_are_right()


def test_the_nightly_task_runs_the_sweep():
    from procrastinate.contrib.django import app

    periodic = {task.periodic_id: task for task in app.periodic_registry.periodic_tasks.values()}
    assert periodic["sweep_not_started_enrolments"].task.name.endswith("sweep_not_started_enrolments")


def test_a_refusal_ends_the_request(walk):
    enrolment = walk(Status.REFUSED)
    assert trail(enrolment) == [("", "requested"), ("requested", "refused")]
    books_are_right()


# --- every illegal transition ----------------------------------------------------------------------------------------

ALL_STATUSES = list(Status)
LEGAL = {
    ("accept", Status.REQUESTED),
    ("refuse", Status.REQUESTED),
    ("reserve", Status.ACCEPTED),
    ("start", Status.RESERVED),
    ("complete", Status.STARTED),
    ("confirm", Status.COMPLETED),
    ("dispute", Status.COMPLETED),
    ("cancel", Status.REQUESTED),
    ("cancel", Status.ACCEPTED),
    ("cancel", Status.RESERVED),
}
ILLEGAL = [(step, status) for step in services.STEPS if step != "lapse" for status in ALL_STATUSES]
ILLEGAL = [pair for pair in ILLEGAL if pair not in LEGAL]


def take(step: str, enrolment, learner, staff, clock):
    uuid_ = enrolment.uuid
    return {
        "accept": lambda: services.accept(uuid_, actor=staff, key=key()),
        "refuse": lambda: services.refuse(uuid_, actor=staff, key=key()),
        "reserve": lambda: services.reserve(
            uuid_, actor=learner.user, key=key(), strong_login_at=clock.now(), clock=clock
        ),
        "start": lambda: services.declare_start(uuid_, actor=staff, key=key(), clock=clock),
        "complete": lambda: services.declare_completion(uuid_, actor=staff, key=key()),
        "confirm": lambda: services.confirm_completion(uuid_, actor=learner.user, key=key(), clock=clock),
        "dispute": lambda: services.dispute_completion(uuid_, actor=learner.user, key=key()),
        "cancel": lambda: services.cancel(uuid_, actor=learner.user, key=key()),
    }[step]()


def snapshot(enrolment, learner):
    enrolment.refresh_from_db()
    return (
        enrolment.status,
        enrolment.events.count(),
        enrolment.reservation.status if enrolment.reservation else None,
        [(p.posted_cents, p.pending_cents) for p in Pot.objects.filter(leerrekening_id=learner.pk).order_by("id")],
        Journal.objects.count(),
    )


@pytest.mark.parametrize(("step", "status"), ILLEGAL, ids=[f"{s}-from-{t}" for s, t in ILLEGAL])
def test_every_illegal_transition_is_refused_with_a_clear_message_and_changes_nothing(
    walk, learner, staff, clock, step, status
):
    enrolment = walk(status)
    before = snapshot(enrolment, learner)
    with pytest.raises(IllegalTransition) as refused:
        take(step, enrolment, learner, staff, clock)
    assert str(services.STEPS[step].label) in refused.value.message
    assert enrolment.get_status_display() in refused.value.message
    assert snapshot(enrolment, learner) == before
    books_are_right()


@pytest.mark.parametrize(
    ("step", "status"), sorted(LEGAL, key=str), ids=[f"{s}-from-{t}" for s, t in sorted(LEGAL, key=str)]
)
def test_every_legal_transition_writes_one_event(walk, learner, staff, clock, step, status):
    enrolment = walk(status)
    events = enrolment.events.count()
    take(step, enrolment, learner, staff, clock)
    enrolment.refresh_from_db()
    assert enrolment.status == services.STEPS[step].target
    assert enrolment.events.count() == events + 1
    books_are_right()


def test_the_illegal_message_is_dutch_by_default_and_english_on_request(walk, learner, staff, clock):
    from django.utils import translation

    enrolment = walk(Status.REQUESTED)
    with translation.override("en"), pytest.raises(IllegalTransition) as refused:
        services.declare_start(enrolment.uuid, actor=staff, key=key(), clock=clock)
        assert "is not possible now" in refused.value.message
    with translation.override("en"):
        assert "Possible now: Accept, Refuse, Cancel" in refused.value.message


# --- who may take which step ---------------------------------------------------------------------------------------


def test_staff_of_another_provider_cannot_even_see_the_enrolment(walk):
    enrolment = walk(Status.REQUESTED)
    stranger = UserFactory(role=Role.PROVIDER_STAFF)
    ProviderFactory().staff.add(stranger)
    with pytest.raises(NotFound):
        services.accept(enrolment.uuid, actor=stranger, key=key())


def test_another_resident_cannot_reserve_or_confirm(walk, clock):
    enrolment = walk(Status.ACCEPTED)
    other = ResidentFactory()
    with pytest.raises(NotFound):
        services.reserve(enrolment.uuid, actor=other.user, key=key(), strong_login_at=clock.now(), clock=clock)


def test_the_learner_cannot_take_the_providers_steps_and_the_other_way_round(walk, learner, staff, clock):
    enrolment = walk(Status.REQUESTED)
    with pytest.raises(NotPermitted):
        services.accept(enrolment.uuid, actor=learner.user, key=key())
    services.accept(enrolment.uuid, actor=staff, key=key())
    with pytest.raises(NotPermitted):
        services.reserve(enrolment.uuid, actor=staff, key=key(), strong_login_at=clock.now(), clock=clock)


def test_only_the_resident_books_for_themself(offering, learner, clock):
    with pytest.raises(NotPermitted):
        services.request_enrolment(
            offering_uuid=offering.uuid, resident=learner, actor=ResidentFactory().user, key=key(), clock=clock
        )


# --- safeguards ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("minutes_ago", [None, 16, -1])
def test_money_is_reserved_only_after_a_recent_strong_login(walk, learner, clock, minutes_ago):
    enrolment = walk(Status.ACCEPTED)
    at = None if minutes_ago is None else clock.now() - datetime.timedelta(minutes=minutes_ago)
    before = snapshot(enrolment, learner)
    with pytest.raises(StrongLoginRequired):
        services.reserve(enrolment.uuid, actor=learner.user, key=key(), strong_login_at=at, clock=clock)
    assert snapshot(enrolment, learner) == before


def test_when_other_bookings_took_the_money_meanwhile_nothing_is_reserved(walk, offering, learner, clock):
    enrolment = walk(Status.ACCEPTED)
    # Two other bookings take the whole €1,000 after the person saw "own share €0" for this one.
    for _ in range(2):
        walk(Status.RESERVED, offering_=OfferingFactory(module=offering.module, start_date=NOW.date()))
    before = snapshot(enrolment, learner)
    with pytest.raises(NothingToPayWith):
        services.reserve(
            enrolment.uuid,
            actor=learner.user,
            key=key(),
            strong_login_at=clock.now(),
            expected_own_share_cents=0,
            clock=clock,
        )
    assert snapshot(enrolment, learner) == before
    books_are_right()


def test_funding_changed_rolls_back_the_ledgers_reservation(offering, staff, clock):
    resident = ResidentFactory()
    put_money(resident, 40_000)
    uuid_ = services.request_enrolment(
        offering_uuid=offering.uuid, resident=resident, actor=resident.user, key=key(), clock=clock
    )["enrolment"]
    services.accept(uuid_, actor=staff, key=key())
    with pytest.raises(FundingChanged) as refused:
        services.reserve(
            uuid_, actor=resident.user, key=key(), strong_login_at=clock.now(), expected_own_share_cents=0, clock=clock
        )
    assert "100,00" in refused.value.message
    assert Reservation.objects.count() == 0
    assert available(resident) == 40_000
    books_are_right()


def test_funded_places_per_module_per_quarter(offering, walk, clock):
    module = offering.module
    module.funded_place_cap = 1
    module.save()
    walk(Status.RESERVED)
    second = ResidentFactory()
    put_money(second, 100_000)
    enrolment = walk(Status.ACCEPTED, resident=second)
    with pytest.raises(NoFundedPlaceLeft) as refused:
        services.reserve(enrolment.uuid, actor=second.user, key=key(), strong_login_at=clock.now(), clock=clock)
    assert "1" in refused.value.message
    # Next quarter there is a place again.
    april = FixedClock(datetime.datetime(2026, 4, 1, 9, tzinfo=datetime.UTC))
    services.reserve(enrolment.uuid, actor=second.user, key=key(), strong_login_at=april.now(), clock=april)
    enrolment.refresh_from_db()
    assert (enrolment.status, enrolment.funded_quarter) == (Status.RESERVED, datetime.date(2026, 4, 1))
    books_are_right()


def test_a_cancelled_funded_place_is_free_again(offering, walk, clock):
    offering.module.funded_place_cap = 1
    offering.module.save()
    first = walk(Status.RESERVED)
    services.cancel(first.uuid, actor=first.resident.user, key=key())
    walk(Status.RESERVED)
    books_are_right()


def test_an_offering_is_full_when_its_places_are_funded(offering, walk, clock):
    offering.capacity = 1
    offering.save()
    walk(Status.RESERVED)
    second = ResidentFactory()
    put_money(second, 100_000)
    enrolment = walk(Status.ACCEPTED, resident=second)
    with pytest.raises(NoFundedPlaceLeft):
        services.reserve(enrolment.uuid, actor=second.user, key=key(), strong_login_at=clock.now(), clock=clock)


@pytest.mark.parametrize("status", [Provider.Status.PENDING, Provider.Status.SUSPENDED])
def test_only_approved_providers_modules_can_be_booked(learner, clock, status):
    offering = OfferingFactory(module=ModuleFactory(provider=ProviderFactory(status=status)), start_date=NOW.date())
    with pytest.raises(NotBookable):
        services.request_enrolment(
            offering_uuid=offering.uuid, resident=learner, actor=learner.user, key=key(), clock=clock
        )
    assert not Enrolment.objects.exists()


def test_a_suspended_provider_takes_no_new_enrolments_its_open_ones_are_flagged_and_not_paid(
    walk, learner, staff, provider, clock
):
    requested = walk(Status.REQUESTED)
    accepted = walk(Status.ACCEPTED, offering_=OfferingFactory(module=requested.module, start_date=NOW.date()))
    completed = walk(Status.COMPLETED, offering_=OfferingFactory(module=requested.module, start_date=NOW.date()))
    done = walk(Status.PAID_OUT, offering_=OfferingFactory(module=requested.module, start_date=NOW.date()))
    admin = UserFactory(role=Role.ADMINISTRATOR)
    suspend_provider(provider, admin, reason="Onderzoek naar fraude")

    for enrolment in (requested, accepted, completed):
        enrolment.refresh_from_db()
        assert enrolment.is_flagged
        event = enrolment.events.last()
        assert event.from_status == event.to_status == enrolment.status
        assert "geschorst" in event.note and "fraude" in event.note
    done.refresh_from_db()
    assert not done.is_flagged and done.events.count() == 6

    with pytest.raises(NotBookable):
        services.accept(requested.uuid, actor=staff, key=key())
    with pytest.raises(NotBookable):
        services.reserve(accepted.uuid, actor=learner.user, key=key(), strong_login_at=clock.now(), clock=clock)
    with pytest.raises(NotBookable):
        services.confirm_completion(completed.uuid, actor=learner.user, key=key(), clock=clock)
    with pytest.raises(NotBookable):
        services.request_enrolment(
            offering_uuid=OfferingFactory(module=requested.module, start_date=NOW.date()).uuid,
            resident=learner,
            actor=learner.user,
            key=key(),
            clock=clock,
        )
    # The administrator decides: cancel, and the money goes back.
    services.cancel(completed.uuid, actor=admin, key=key())
    assert available(learner) == 100_000 - done.paid_cents
    books_are_right()


def test_the_start_cannot_be_declared_before_the_start_date(walk, offering, staff, clock):
    enrolment = walk(Status.RESERVED)
    offering.start_date = NOW.date() + datetime.timedelta(days=3)
    offering.save()
    with pytest.raises(IllegalTransition):
        services.declare_start(enrolment.uuid, actor=staff, key=key(), clock=clock)


@pytest.mark.parametrize("percent", [0, 101, -1, 50.5, "80", True])
def test_a_completion_percentage_must_be_a_whole_number_from_1_to_100(walk, staff, percent):
    enrolment = walk(Status.STARTED)
    with pytest.raises(services.EnrolmentError):
        services.declare_completion(enrolment.uuid, actor=staff, key=key(), percent=percent)
    enrolment.refresh_from_db()
    assert enrolment.status == Status.STARTED


def test_one_open_enrolment_per_offering_per_person(walk, offering, learner, clock):
    walk(Status.REQUESTED)
    with pytest.raises(services.EnrolmentError):
        services.request_enrolment(
            offering_uuid=offering.uuid, resident=learner, actor=learner.user, key=key(), clock=clock
        )
    assert Enrolment.objects.count() == 1


def test_nothing_to_pay_with_is_refused(offering, staff, clock):
    broke = ResidentFactory()
    put_money(broke, 10_000, categories=[Category.STUDY])  # cannot pay for job-oriented training
    uuid_ = services.request_enrolment(
        offering_uuid=offering.uuid, resident=broke, actor=broke.user, key=key(), clock=clock
    )["enrolment"]
    services.accept(uuid_, actor=staff, key=key())
    with pytest.raises(NothingToPayWith):
        services.reserve(uuid_, actor=broke.user, key=key(), strong_login_at=clock.now(), clock=clock)
    assert Enrolment.objects.get(uuid=uuid_).status == Status.ACCEPTED


# --- idempotency and the record --------------------------------------------------------------------------------------


def test_a_retry_with_the_same_key_returns_the_first_answer_and_another_request_is_a_409(walk, learner, clock):
    enrolment = walk(Status.ACCEPTED)
    the_key = key()
    first = services.reserve(enrolment.uuid, actor=learner.user, key=the_key, strong_login_at=clock.now(), clock=clock)
    again = services.reserve(enrolment.uuid, actor=learner.user, key=the_key, strong_login_at=clock.now(), clock=clock)
    assert first == again
    assert Reservation.objects.count() == 1 and enrolment.events.count() == 3
    with pytest.raises(IdempotencyConflict):
        services.reserve(
            enrolment.uuid,
            actor=learner.user,
            key=the_key,
            strong_login_at=clock.now(),
            expected_own_share_cents=5,
            clock=clock,
        )
    books_are_right()


def test_events_are_append_only_in_the_database(walk):
    event = walk(Status.ACCEPTED).events.first()
    for change in (
        lambda: EnrolmentEvent.objects.filter(pk=event.pk).update(note="changed"),
        lambda: EnrolmentEvent.objects.filter(pk=event.pk).delete(),
    ):
        with pytest.raises(DatabaseError), transaction.atomic():
            change()
    assert EnrolmentEvent.objects.get(pk=event.pk).note == event.note


def test_the_bookings_one_statement_path_reads_the_same_as_the_orm_path(walk, learner, django_assert_num_queries):
    """`reserve` reads the usual case in one raw statement (the hot path) and everything else through the ORM; both
    must describe the enrolment the same way."""
    enrolment = walk(Status.ACCEPTED)
    services.provider_payable(enrolment.provider)
    with django_assert_num_queries(0):  # the raw statement runs on its own cursor, outside Django's query log
        fast = services._booking(enrolment.uuid, learner.user)
    # Without a payee account yet, the ORM path runs (and opens the account).
    SystemAccount.objects.filter(provider=enrolment.provider).delete()
    slow = services._booking(enrolment.uuid, learner.user)
    assert slow.payee_id is not None and slow.payee_id != fast.payee_id
    assert {**vars(fast), "payee_id": None} == {**vars(slow), "payee_id": None}
