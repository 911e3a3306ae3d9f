"""The ledger's services, path by path, on real PostgreSQL; the reconcile check runs after each test."""

import datetime
import re

import pytest

from levenlang.core.models import AuditEvent
from levenlang.ledger import services
from levenlang.ledger.errors import (
    CapExceeded,
    IdempotencyConflict,
    InsufficientFunds,
    InvalidAmount,
    InvalidTransition,
    NothingToPayWith,
)
from levenlang.ledger.models import Cap, Category, Journal, Pot, PotKind, Reservation
from levenlang.ledger.reconcile import reconcile

pytestmark = pytest.mark.django_db

ALL = list(Category)


@pytest.fixture(autouse=True)
def books_balance_after_each_test(db):
    yield
    assert reconcile() == []


def put(resident, source, cents, *, kind=PotKind.RIGHTS, lot="2026", categories=ALL, expires=None, clock=None):
    return services.deposit(
        key=f"dep-{resident.pk}-{source.pk}-{lot}-{cents}",
        resident_id=resident.pk,
        source=source,
        pot_kind=kind,
        lot=lot,
        amount_cents=cents,
        categories=categories,
        expires_on=expires,
        description="test",
        **({"clock": clock} if clock else {}),
    )


def available(resident):
    return sum(p.available_cents for p in Pot.objects.filter(leerrekening_id=resident.pk))


def test_deposit_credits_a_pot_and_is_audit_logged(resident, budget):
    result = put(resident, budget, 100_000)
    pot = Pot.objects.get(uuid=result["pot"])
    assert (pot.posted_cents, pot.pending_cents) == (100_000, 0)
    assert AuditEvent.objects.filter(action="money_movement", amount_cents=100_000).count() == 1


@pytest.mark.parametrize("bad", [0, -5, 10.5, "100", True, None])
def test_bad_amounts_are_refused_and_change_nothing(resident, budget, bad):
    with pytest.raises(InvalidAmount):
        put(resident, budget, bad)
    assert not Journal.objects.exists()


def test_same_key_same_request_returns_the_first_result_and_other_request_is_409(resident, budget):
    first = put(resident, budget, 5_000)
    assert put(resident, budget, 5_000) == first
    with pytest.raises(IdempotencyConflict) as refused:
        services.deposit(
            key=f"dep-{resident.pk}-{budget.pk}-2026-5000",
            resident_id=resident.pk,
            source=budget,
            pot_kind=PotKind.RIGHTS,
            lot="2026",
            amount_cents=6_000,
            categories=ALL,
            expires_on=None,
            description="test",
        )
    assert refused.value.status == 409
    assert Pot.objects.get().posted_cents == 5_000


def test_waterfall_most_restricted_then_soonest_expiry_and_own_share(resident, budget, employer_account, payee, clock):
    put(resident, budget, 30_000, categories=ALL, expires=datetime.date(2027, 1, 1))
    put(
        resident,
        employer_account,
        20_000,
        kind=PotKind.EMPLOYER,
        lot="a",
        categories=[Category.JOB_ORIENTED],
        expires=datetime.date(2028, 1, 1),
    )
    put(
        resident,
        employer_account,
        10_000,
        kind=PotKind.EMPLOYER,
        lot="b",
        categories=[Category.JOB_ORIENTED],
        expires=datetime.date(2026, 6, 1),
        clock=clock,
    )
    preview = services.preview(resident_id=resident.pk, category=Category.JOB_ORIENTED, price_cents=70_000, clock=clock)
    assert [(d.lot, d.amount_cents) for d in preview.draws] == [("b", 10_000), ("a", 20_000), ("2026", 30_000)]
    assert preview.own_share_cents == 10_000
    # A study module cannot use the employer's job-oriented money.
    study = services.preview(resident_id=resident.pk, category=Category.STUDY, price_cents=70_000, clock=clock)
    assert [(d.lot, d.amount_cents) for d in study.draws] == [("2026", 30_000)]


def test_reserve_post_partly_releases_the_rest(resident, budget, payee, clock):
    put(resident, budget, 50_000)
    reserved = services.reserve(
        key="r1",
        resident_id=resident.pk,
        category=Category.STUDY,
        price_cents=40_000,
        payee=payee,
        expires_at=clock.now() + datetime.timedelta(days=30),
        clock=clock,
    )
    assert available(resident) == 10_000
    posted = services.post(key="p1", reservation_uuid=reserved["reservation"], amount_cents=25_000, clock=clock)
    assert posted["released_cents"] == 15_000
    assert available(resident) == 25_000
    with pytest.raises(InvalidTransition):
        services.void(key="v1", reservation_uuid=reserved["reservation"], clock=clock)


def test_void_returns_everything_and_expired_reservations_cannot_be_posted(resident, budget, payee, clock):
    put(resident, budget, 50_000)
    soon = clock.now() + datetime.timedelta(days=1)
    a = services.reserve(
        key="a",
        resident_id=resident.pk,
        category=Category.STUDY,
        price_cents=10_000,
        payee=payee,
        expires_at=soon,
        clock=clock,
    )
    b = services.reserve(
        key="b",
        resident_id=resident.pk,
        category=Category.STUDY,
        price_cents=10_000,
        payee=payee,
        expires_at=soon,
        clock=clock,
    )
    services.void(key="va", reservation_uuid=a["reservation"], clock=clock)
    assert available(resident) == 40_000
    clock.advance(datetime.timedelta(days=2))
    with pytest.raises(InvalidTransition):
        services.post(key="pb", reservation_uuid=b["reservation"], clock=clock)
    assert services.expire(clock=clock)["expired_reservations"] == 1
    assert Reservation.objects.get(uuid=b["reservation"]).status == "expired"
    assert available(resident) == 50_000


def test_nothing_to_pay_with_is_a_clear_refusal(resident, payee, clock):
    with pytest.raises(NothingToPayWith):
        services.reserve(
            key="x",
            resident_id=resident.pk,
            category=Category.STUDY,
            price_cents=1_000,
            payee=payee,
            expires_at=clock.now() + datetime.timedelta(days=1),
            clock=clock,
        )


def test_refund_and_clawback_return_money_to_the_pots_it_came_from(resident, budget, employer_account, payee, clock):
    put(resident, budget, 10_000)
    put(resident, employer_account, 10_000, kind=PotKind.EMPLOYER, lot="e", categories=[Category.STUDY])
    r = services.reserve(
        key="r",
        resident_id=resident.pk,
        category=Category.STUDY,
        price_cents=15_000,
        payee=payee,
        expires_at=clock.now() + datetime.timedelta(days=5),
        clock=clock,
    )
    services.post(key="p", reservation_uuid=r["reservation"], clock=clock)
    employer_pot = Pot.objects.get(lot="e")
    assert employer_pot.posted_cents == 0  # most restricted pot paid first
    services.reverse_payout(
        key="f", reservation_uuid=r["reservation"], amount_cents=12_000, reason="cancelled", clock=clock
    )
    employer_pot.refresh_from_db()
    assert employer_pot.posted_cents == 10_000  # returned first to the pot that paid first
    services.reverse_payout(
        key="c",
        reservation_uuid=r["reservation"],
        amount_cents=3_000,
        reason="fraud",
        kind=Journal.Kind.CLAWBACK,
        clock=clock,
    )
    assert available(resident) == 20_000
    with pytest.raises(InsufficientFunds):
        services.reverse_payout(key="g", reservation_uuid=r["reservation"], amount_cents=1, reason="again", clock=clock)


def test_expiry_forfeits_only_what_is_not_reserved(resident, budget, payee, clock):
    put(resident, budget, 10_000, expires=datetime.date(2026, 3, 31), clock=clock)
    services.reserve(
        key="r",
        resident_id=resident.pk,
        category=Category.STUDY,
        price_cents=4_000,
        payee=payee,
        expires_at=clock.now() + datetime.timedelta(days=90),
        clock=clock,
    )
    clock.advance(datetime.timedelta(days=31))
    result = services.expire(clock=clock)
    assert (result["forfeited_pots"], result["forfeited_cents"]) == (1, 6_000)
    pot = Pot.objects.get()
    assert (pot.posted_cents, pot.pending_cents) == (4_000, 4_000)
    forfeited = services.forfeited_account(budget)
    assert sum(forfeited.legs.values_list("amount_cents", flat=True)) == 6_000


def test_caps_refuse_a_deposit_above_the_ceiling(resident, budget):
    Cap.objects.create(pot_kind=PotKind.RIGHTS, max_cents=500_000)
    put(resident, budget, 400_000)
    with pytest.raises(CapExceeded, match=re.escape("€ 1.000,00")):
        put(resident, budget, 200_000, lot="2027")
    assert Pot.objects.count() == 1


def test_allocation_credits_everyone_once_even_when_rerun(budget, resident, other_resident):
    rows = sorted(
        [services.AllocationRow(resident.pk, 100_000), services.AllocationRow(other_resident.pk, 80_000)],
        key=lambda r: r.resident_id,
    )
    kwargs = {"source": budget, "pot_kind": PotKind.RIGHTS, "lot": "2026", "categories": ALL, "expires_on": None}
    first = services.allocate(rows, run_key="rights-2026", chunk_size=1, **kwargs)
    assert first == {"credited": 2, "done_before": 0, "refused": 0, "amount_cents": 180_000}
    again = services.allocate(rows, run_key="rights-2026", chunk_size=1, **kwargs)
    assert again["credited"] == 0 and again["done_before"] == 2
    other_chunks = services.allocate(rows, run_key="rights-2026-b", chunk_size=5, **kwargs)
    assert other_chunks["credited"] == 0 and other_chunks["refused"] == 2
    assert sum(budget.legs.values_list("amount_cents", flat=True)) == -180_000


def test_the_sweeper_runs_every_night_as_a_task(resident, budget, payee):
    from procrastinate.contrib.django import app

    from levenlang.ledger.tasks import sweep_expired_money

    periodic = {task.periodic_id: task for task in app.periodic_registry.periodic_tasks.values()}
    assert periodic["sweep_expired_money"].cron == "7 1 * * *"
    put(resident, budget, 10_000)
    assert sweep_expired_money() == {"expired_reservations": 0, "forfeited_pots": 0, "forfeited_cents": 0}
