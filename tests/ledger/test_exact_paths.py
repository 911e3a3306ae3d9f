"""Paths that the random state machine reaches only now and then, pinned down without randomness: a partial
payout over several pots, a key reused with another amount, and an allocation resumed after chunks committed out
of order."""

import datetime

import pytest
from django.db import connection

from levenlang.ledger import services as ledger
from levenlang.ledger.errors import IdempotencyConflict
from levenlang.ledger.models import AllocationChunk, Category, Journal, Pot, PotKind, Reservation, SystemAccount
from levenlang.ledger.reconcile import reconcile
from tests.factories import ResidentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def books_are_right_after_each_test(db):
    yield
    assert reconcile() == []


def put(resident, source, cents, *, lot, kind=PotKind.RIGHTS, categories=tuple(Category), expires_on=None, clock):
    return ledger.deposit(
        key=f"deposit-{resident.pk}-{lot}",
        resident_id=resident.pk,
        source=source,
        pot_kind=kind,
        lot=lot,
        amount_cents=cents,
        categories=list(categories),
        expires_on=expires_on,
        description="test",
        clock=clock,
    )["pot"]


def state() -> tuple:
    """What a refused request must leave as it was."""
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT (SELECT count(*) FROM ledger_journal), (SELECT count(*) FROM ledger_leg),
                      (SELECT count(*) FROM ledger_reservation), (SELECT count(*) FROM ledger_command),
                      (SELECT string_agg(id || ':' || posted_cents || ':' || pending_cents, ',' ORDER BY id)
                         FROM ledger_pot),
                      (SELECT string_agg(id || ':' || status, ',' ORDER BY id) FROM ledger_reservation)"""
        )
        return cursor.fetchone()


# --- a partial payout over three pots ---------------------------------------------------------------------------


@pytest.fixture
def three_pots(resident, budget, employer_account, clock):
    """In waterfall order for job-oriented training: the employer's job-oriented pot (€ 20,00), the rights expiring
    in June (€ 30,00), the rights without expiry (€ 100,00)."""
    job_oriented = {"kind": PotKind.EMPLOYER, "categories": [Category.JOB_ORIENTED]}
    employer = put(resident, employer_account, 2_000, lot="e", clock=clock, **job_oriented)
    soon = put(resident, budget, 3_000, lot="soon", expires_on=datetime.date(2026, 6, 30), clock=clock)
    lasting = put(resident, budget, 10_000, lot="lasting", clock=clock)
    return employer, soon, lasting


def pots(*uuids) -> list[tuple[int, int]]:
    by_uuid = {str(p.uuid): (p.posted_cents, p.pending_cents) for p in Pot.objects.all()}
    return [by_uuid[u] for u in uuids]


def test_a_partial_payout_draws_from_the_pots_in_waterfall_order_and_gives_the_rest_back_to_each(
    resident, three_pots, payee, clock
):
    employer, soon, lasting = three_pots
    reserved = ledger.reserve(
        key="reserve",
        resident_id=resident.pk,
        category=Category.JOB_ORIENTED,
        price_cents=8_000,
        payee=payee,
        expires_at=clock.now() + datetime.timedelta(days=30),
        clock=clock,
    )
    assert [(d["pot"], d["amount_cents"]) for d in reserved["draws"]] == [
        (employer, 2_000),
        (soon, 3_000),
        (lasting, 3_000),
    ]
    assert pots(employer, soon, lasting) == [(2_000, 2_000), (3_000, 3_000), (10_000, 3_000)]

    posted = ledger.post(key="post", reservation_uuid=reserved["reservation"], amount_cents=4_000, clock=clock)

    assert (posted["posted_cents"], posted["released_cents"]) == (4_000, 4_000)
    # Paid: the employer's € 20,00 and € 20,00 of June's; back: € 10,00 to June's and all € 30,00 held in the last.
    assert pots(employer, soon, lasting) == [(0, 0), (1_000, 0), (10_000, 0)]
    journal = Journal.objects.get(uuid=posted["journal"])
    legs = journal.legs.filter(pot__isnull=False).values_list("pot__uuid", "amount_cents")
    assert {str(pot): cents for pot, cents in legs} == {employer: -2_000, soon: -2_000}
    assert sum(payee.legs.values_list("amount_cents", flat=True)) == 4_000
    reservation = Reservation.objects.get(uuid=reserved["reservation"])
    assert (reservation.status, reservation.posted_cents, reservation.reserved_cents) == ("posted", 4_000, 8_000)


def test_a_partial_payout_that_ends_exactly_at_a_pots_share_touches_no_later_pot(resident, three_pots, payee, clock):
    employer, soon, lasting = three_pots
    reserved = ledger.reserve(
        key="reserve",
        resident_id=resident.pk,
        category=Category.JOB_ORIENTED,
        price_cents=8_000,
        payee=payee,
        expires_at=clock.now() + datetime.timedelta(days=30),
        clock=clock,
    )
    posted = ledger.post(key="post", reservation_uuid=reserved["reservation"], amount_cents=5_000, clock=clock)
    journal = Journal.objects.get(uuid=posted["journal"])
    assert journal.legs.filter(pot__isnull=False).count() == 2
    assert pots(employer, soon, lasting) == [(0, 0), (0, 0), (10_000, 0)]


# --- the same key with another amount ---------------------------------------------------------------------------


@pytest.fixture
def reservation(resident, budget, payee, clock):
    put(resident, budget, 10_000, lot="2026", clock=clock)
    return ledger.reserve(
        key="reserve",
        resident_id=resident.pk,
        category=Category.STUDY,
        price_cents=6_000,
        payee=payee,
        expires_at=clock.now() + datetime.timedelta(days=30),
        clock=clock,
    )["reservation"]


@pytest.mark.parametrize(
    ("first", "second"),
    [(2_000, 3_000), (3_000, 2_000), (2_000, None), (None, 2_000), (6_000, None)],
    ids=["more", "less", "then-all", "all-then-part", "all-explicitly-then-all"],
)
def test_a_payout_key_reused_with_another_amount_is_refused_and_changes_nothing(reservation, clock, first, second):
    result = ledger.post(key="pay", reservation_uuid=reservation, amount_cents=first, clock=clock)
    assert ledger.post(key="pay", reservation_uuid=reservation, amount_cents=first, clock=clock) == result
    before = state()
    with pytest.raises(IdempotencyConflict) as refused:
        ledger.post(key="pay", reservation_uuid=reservation, amount_cents=second, clock=clock)
    assert refused.value.status == 409
    assert state() == before


def test_a_payout_key_reused_for_another_reservation_is_refused(resident, reservation, payee, clock):
    other = ledger.reserve(
        key="reserve-2",
        resident_id=resident.pk,
        category=Category.STUDY,
        price_cents=1_000,
        payee=payee,
        expires_at=clock.now() + datetime.timedelta(days=30),
        clock=clock,
    )["reservation"]
    ledger.post(key="pay", reservation_uuid=reservation, clock=clock)
    before = state()
    with pytest.raises(IdempotencyConflict):
        ledger.post(key="pay", reservation_uuid=other, clock=clock)
    assert state() == before


@pytest.mark.parametrize(
    "change",
    [
        {"amount_cents": 2_001},
        {"kind": Journal.Kind.CLAWBACK},
        {"reason": "another reason"},
    ],
    ids=["amount", "kind", "reason"],
)
def test_a_refund_key_reused_with_another_request_is_refused(reservation, clock, change):
    ledger.post(key="pay", reservation_uuid=reservation, clock=clock)
    refund = {
        "key": "refund",
        "reservation_uuid": reservation,
        "amount_cents": 2_000,
        "kind": Journal.Kind.REFUND,
        "reason": "cancelled",
        "clock": clock,
    }
    first = ledger.reverse_payout(**refund)
    assert ledger.reverse_payout(**refund) == first
    before = state()
    with pytest.raises(IdempotencyConflict):
        ledger.reverse_payout(**{**refund, **change})
    assert state() == before


def test_a_reservation_key_reused_with_another_price_or_category_is_refused(resident, budget, payee, clock):
    put(resident, budget, 10_000, lot="2026", clock=clock)
    request = {
        "key": "reserve",
        "resident_id": resident.pk,
        "category": Category.STUDY,
        "price_cents": 6_000,
        "payee": payee,
        "expires_at": clock.now() + datetime.timedelta(days=30),
        "clock": clock,
    }
    ledger.reserve(**request)
    before = state()
    for change in ({"price_cents": 6_001}, {"category": Category.GENERAL_SKILLS}, {"reference": "other"}):
        with pytest.raises(IdempotencyConflict):
            ledger.reserve(**{**request, **change})
    assert state() == before


# --- an allocation resumed after chunks committed out of order --------------------------------------------------


@pytest.fixture
def four_residents(db):
    return sorted(ResidentFactory.create_batch(4), key=lambda r: r.pk)


def allocation_kwargs(budget) -> dict:
    return {
        "source": budget,
        "pot_kind": PotKind.RIGHTS,
        "lot": "2026",
        "categories": list(Category),
        "expires_on": None,
        "chunk_size": 1,
    }


def committed_alone(run_key: str, number: int, row: ledger.AllocationRow, budget) -> None:
    """Leave the books as if chunk `number` of run `run_key` had committed on its own (another worker finished it
    while the chunk before it was interrupted): the resident's pot, its journal and the chunk's record."""
    ledger.allocate([row], run_key=f"{run_key}-worker-{number}", **allocation_kwargs(budget))
    AllocationChunk.objects.filter(run_key=f"{run_key}-worker-{number}").update(run_key=run_key, number=number)


def test_a_resumed_allocation_credits_exactly_the_chunks_that_never_committed(four_residents, budget):
    rows = [ledger.AllocationRow(r.pk, 10_000 * (n + 1)) for n, r in enumerate(four_residents)]
    # Chunks 1 and 3 committed; chunks 0 and 2 were interrupted.
    committed_alone("rights", 1, rows[1], budget)
    committed_alone("rights", 3, rows[3], budget)
    seen = []

    result = ledger.allocate(rows, run_key="rights", progress=seen.append, **allocation_kwargs(budget))

    assert result == {"credited": 2, "done_before": 2, "refused": 0, "amount_cents": 10_000 + 30_000}
    held = dict(Pot.objects.values_list("leerrekening_id", "posted_cents"))
    assert [held.get(row.resident_id, 0) for row in rows] == [10_000, 20_000, 30_000, 40_000]
    assert sorted(AllocationChunk.objects.filter(run_key="rights").values_list("number", flat=True)) == [0, 1, 2, 3]
    assert sum(seen) == len(rows)
    assert sum(budget.legs.values_list("amount_cents", flat=True)) == -100_000
    # And once more: everything is done.
    again = ledger.allocate(rows, run_key="rights", **allocation_kwargs(budget))
    assert again == {"credited": 0, "done_before": 4, "refused": 0, "amount_cents": 0}


def test_a_resumed_allocation_whose_first_chunk_is_missing_credits_only_that_chunk(four_residents, budget):
    rows = [ledger.AllocationRow(r.pk, 5_000) for r in four_residents]
    for number in (1, 2, 3):
        committed_alone("rights", number, rows[number], budget)
    result = ledger.allocate(rows, run_key="rights", **allocation_kwargs(budget))
    assert result == {"credited": 1, "done_before": 3, "refused": 0, "amount_cents": 5_000}
    assert Pot.objects.get(leerrekening_id=rows[0].resident_id).posted_cents == 5_000
    assert Pot.objects.filter(posted_cents=5_000).count() == 4


def test_a_system_account_is_one_per_natural_key(db):
    first = ledger.system_account(SystemAccount.Kind.BUDGET, "Leerrechten 2026", scheme="leerrechten", year=2026)
    again = ledger.system_account(SystemAccount.Kind.BUDGET, "Andere naam", scheme="leerrechten", year=2026)
    assert first.pk == again.pk and again.name == "Leerrechten 2026"
