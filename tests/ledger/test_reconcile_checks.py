"""Each check of `reconcile` is fed books broken in exactly its way, and must be the one (and only one) that says so.

The database refuses every such change (docs/ledger.md), so each test breaks the books as the owner role would with
raw SQL (the app role the platform runs as may not): `ALTER TABLE … DISABLE TRIGGER USER` switches the guard
triggers off, and a constraint that stands in the way is dropped. Both last only until the block is rolled back.
Each corruption keeps every other rule intact, so that a check that is deleted, or that looks at the wrong thing, is
noticed."""

import datetime

import pytest
from django.db import connection, transaction

from levenlang.ledger import reconcile as reconciliation
from levenlang.ledger import services as ledger
from levenlang.ledger.clock import FixedClock
from levenlang.ledger.models import Category, PotKind

pytestmark = pytest.mark.django_db

RULES = [rule for rule, _sql in reconciliation.CHECKS]


def rule(starts_with: str) -> str:
    (found,) = [r for r in RULES if r.startswith(starts_with)]
    return found


JOURNAL_UNBALANCED = rule("journal legs do not sum to zero")
ALL_LEGS = rule("the sum over all legs")
BAD_LEG = rule("a leg has a fractional or zero amount")
POSTED_CACHE = rule("cached posted balance")
PENDING_CACHE = rule("cached pending amount")
BELOW_ZERO = rule("a pot is below zero")
PARTS = rule("a reservation's parts")
ONE_PAYOUT = rule("a paid-out reservation")
FOREIGN_POT = rule("a payout drew from a pot")
OVER_RETURNED = rule("more was refunded")


class Books:
    """A resident with two pots, P and Q (€ 100,00 each), a payout of € 40,00 from P with € 10,00 of it refunded,
    and an open reservation of € 10,00 in P. P: posted € 70,00, pending € 10,00; Q: posted € 100,00."""

    def __init__(self, resident, budget, payee):
        clock = FixedClock(datetime.datetime(2026, 3, 1, 12, 0, tzinfo=datetime.UTC))
        self.budget, self.payee, self.deposit_journal = budget, payee, {}

        def deposit(lot: str) -> int:
            result = ledger.deposit(
                key=f"deposit-{lot}",
                resident_id=resident.pk,
                source=budget,
                pot_kind=PotKind.RIGHTS,
                lot=lot,
                amount_cents=10_000,
                categories=list(Category),
                expires_on=None,
                description="test",
                clock=clock,
            )
            self.deposit_journal[lot] = self.id_of("journal", result["journal"])
            return self.id_of("pot", result["pot"])

        self.p, self.q = deposit("p"), deposit("q")

        def reserve(key: str, cents: int) -> str:
            return ledger.reserve(
                key=key,
                resident_id=resident.pk,
                category=Category.STUDY,
                price_cents=cents,
                payee=payee,
                expires_at=clock.now() + datetime.timedelta(days=30),
                clock=clock,
            )["reservation"]

        self.paid = reserve("paid", 4_000)
        payout = ledger.post(key="post", reservation_uuid=self.paid, clock=clock)
        self.payout = self.id_of("journal", payout["journal"])
        refund = ledger.reverse_payout(
            key="refund", reservation_uuid=self.paid, amount_cents=1_000, reason="deels terug", clock=clock
        )
        self.refund = self.id_of("journal", refund["journal"])
        self.open = reserve("open", 1_000)
        self.paid_id, self.open_id = self.id_of("reservation", self.paid), self.id_of("reservation", self.open)

    @staticmethod
    def id_of(table: str, uuid: str) -> int:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT id FROM ledger_{table} WHERE uuid = %s", [uuid])  # noqa: S608 (our table names)
            return cursor.fetchone()[0]


def reported_after(statements: list[tuple[str, list]], drop: tuple[str, ...] = ()) -> tuple[dict[str, int], list]:
    """What `reported()` says after raw SQL run as the owner, with the guard triggers switched off and the named
    CHECK constraints dropped, in a savepoint that is rolled back: the journals' deferred balance checks, which the
    test case runs at its end, then find the books as they were."""
    with transaction.atomic(), connection.cursor() as cursor:
        for table in GUARDED:
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        for table_constraint in drop:
            table, constraint = table_constraint.split(".")
            if constraint.startswith("fk:"):  # a foreign key, named by its column (Django names it with a hash)
                cursor.execute(
                    "SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'f' "
                    "AND conkey = ARRAY[(SELECT attnum FROM pg_attribute WHERE attrelid = %s::regclass "
                    "AND attname = %s)]::smallint[]",
                    [table, table, constraint[3:]],
                )
                (constraint,) = cursor.fetchone()
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{constraint}"')
        for sql, params in statements:
            cursor.execute(sql, params)
        # The triggers stay off until the rollback: the deferred foreign-key checks of the statements above are
        # pending, and a table with pending trigger events cannot be altered again.
        found, lines = reported(), reconciliation.reconcile()
        transaction.set_rollback(True)
    return found, lines


# The ledger's tables whose triggers guard the books.
GUARDED = ["ledger_journal", "ledger_leg", "ledger_pot", "ledger_reservation", "ledger_reservationpart"]


def reported() -> dict[str, int]:
    """Which checks report differences, and how many lines each."""
    found: dict[str, int] = {}
    for line in reconciliation.reconcile():
        (name,) = [r for r in RULES if line.startswith(f"{r}: ")]
        found[name] = found.get(name, 0) + 1
    return found


@pytest.fixture
def books(as_owner, resident, budget, payee):
    """Committed books, made and broken as the owner role (a transactional test: the owner cannot alter a table
    with trigger events still pending, as the journals' deferred checks are inside a test's transaction)."""
    books = Books(resident, budget, payee)
    assert reported() == {}
    return books


def move_a_leg_to_another_journal(b: Books):
    """P's deposit loses its budget leg to Q's deposit: each pot still holds the sum of its legs, the sum over all
    legs is still zero, but neither journal balances (P's has one leg left)."""
    return [
        (
            "UPDATE ledger_leg SET journal_id = %s WHERE journal_id = %s AND system_account_id IS NOT NULL",
            [b.deposit_journal["q"], b.deposit_journal["p"]],
        )
    ], ()


def a_journal_without_legs(b: Books):
    return [
        (
            "INSERT INTO ledger_journal (uuid, kind, description, effective_date, created_at) "
            "VALUES (gen_random_uuid(), 'allocation', 'leeg', '2026-03-01', now())",  # allocations have no command row
            [],
        )
    ], ()


def a_leg_without_a_journal(b: Books):
    """A leg whose journal does not exist: no journal is unbalanced, but money appeared from nowhere."""
    return [
        (
            "INSERT INTO ledger_leg (journal_id, system_account_id, amount_cents) "
            "VALUES ((SELECT max(id) + 1000 FROM ledger_journal), %s, 700)",
            [b.budget.pk],
        )
    ], ("ledger_leg.fk:journal_id",)


def a_leg_on_two_accounts(b: Books):
    return [
        (
            "UPDATE ledger_leg SET system_account_id = %s WHERE journal_id = %s AND pot_id IS NOT NULL",
            [b.budget.pk, b.deposit_journal["q"]],
        )
    ], ("ledger_leg.leg_one_account",)


def a_leg_of_zero(b: Books):
    return [
        (
            "INSERT INTO ledger_leg (journal_id, system_account_id, amount_cents) VALUES (%s, %s, 0)",
            [b.deposit_journal["q"], b.budget.pk],
        )
    ], ("ledger_leg.leg_not_zero",)


def a_posted_balance_off_by_a_cent(b: Books):
    return [("UPDATE ledger_pot SET posted_cents = posted_cents + 1 WHERE id = %s", [b.q])], ()


def a_pending_amount_off_by_a_cent(b: Books):
    return [("UPDATE ledger_pot SET pending_cents = pending_cents + 1 WHERE id = %s", [b.q])], ()


def a_hold_larger_than_the_pot(b: Books):
    """The open reservation holds € 80,00 of P's € 70,00, and every cached amount agrees with that."""
    return [
        ("UPDATE ledger_reservationpart SET amount_cents = 8000 WHERE reservation_id = %s", [b.open_id]),
        ("UPDATE ledger_reservation SET reserved_cents = 8000, price_cents = 8000 WHERE id = %s", [b.open_id]),
        ("UPDATE ledger_pot SET pending_cents = 8000 WHERE id = %s", [b.p]),
    ], ("ledger_pot.pot_never_below_zero",)


def a_reservation_larger_than_its_parts(b: Books):
    return [("UPDATE ledger_reservation SET reserved_cents = reserved_cents - 1 WHERE id = %s", [b.open_id])], ()


def a_posted_amount_that_differs_from_the_payout(b: Books):
    return [("UPDATE ledger_reservation SET posted_cents = posted_cents - 1 WHERE id = %s", [b.paid_id])], ()


def a_payout_for_an_open_reservation(b: Books):
    """The refund becomes a payout of € 10,00 from P for the open reservation: its legs balance, P's balance follows
    them, the reservation held that much in P, and nothing was refunded of it."""
    return [
        (
            "UPDATE ledger_journal SET kind = 'payout', reverses_id = NULL, reservation_id = %s WHERE id = %s",
            [b.open_id, b.refund],
        ),
        ("UPDATE ledger_leg SET amount_cents = -amount_cents WHERE journal_id = %s", [b.refund]),
        ("UPDATE ledger_pot SET posted_cents = posted_cents - 2000 WHERE id = %s", [b.p]),
    ], ()


def a_payout_from_a_pot_the_reservation_did_not_hold(b: Books):
    """The payout's € 40,00 is taken from Q instead of P; both pots' cached balances follow the legs."""
    return [
        ("UPDATE ledger_leg SET pot_id = %s WHERE journal_id = %s AND pot_id = %s", [b.q, b.payout, b.p]),
        ("UPDATE ledger_pot SET posted_cents = posted_cents + 4000 WHERE id = %s", [b.p]),
        ("UPDATE ledger_pot SET posted_cents = posted_cents - 4000 WHERE id = %s", [b.q]),
    ], ()


def a_refund_larger_than_the_payout(b: Books):
    """The refund gives back € 50,00 of a € 40,00 payout; its legs balance and P's balance follows them."""
    return [
        ("UPDATE ledger_leg SET amount_cents = 5000 WHERE journal_id = %s AND pot_id IS NOT NULL", [b.refund]),
        ("UPDATE ledger_leg SET amount_cents = -5000 WHERE journal_id = %s AND pot_id IS NULL", [b.refund]),
        ("UPDATE ledger_pot SET posted_cents = posted_cents + 4000 WHERE id = %s", [b.p]),
    ], ()


CASES = [
    (move_a_leg_to_another_journal, {JOURNAL_UNBALANCED: 2}),
    (a_journal_without_legs, {JOURNAL_UNBALANCED: 1}),
    (a_leg_without_a_journal, {ALL_LEGS: 1}),
    (a_leg_on_two_accounts, {BAD_LEG: 1}),
    (a_leg_of_zero, {BAD_LEG: 1}),
    (a_posted_balance_off_by_a_cent, {POSTED_CACHE: 1}),
    (a_pending_amount_off_by_a_cent, {PENDING_CACHE: 1}),
    (a_hold_larger_than_the_pot, {BELOW_ZERO: 1}),
    (a_reservation_larger_than_its_parts, {PARTS: 1}),
    (a_posted_amount_that_differs_from_the_payout, {ONE_PAYOUT: 1}),
    (a_payout_for_an_open_reservation, {ONE_PAYOUT: 1}),
    (a_payout_from_a_pot_the_reservation_did_not_hold, {FOREIGN_POT: 1}),
    (a_refund_larger_than_the_payout, {OVER_RETURNED: 1}),
]


@pytest.mark.parametrize(("corruption", "expected"), CASES, ids=[case.__name__ for case, _ in CASES])
def test_each_kind_of_broken_books_is_reported_by_its_own_check_alone(books, corruption, expected):
    found, _lines = reported_after(*corruption(books))
    assert found == expected
    assert reported() == {}  # rolled back


# Checks whose broken books are made in tests/ledger/test_reconcile.py (they need a chain, or several residents).
CASES_ELSEWHERE = {
    rule("the journal chain does not hold"),
    rule("a reservation holds money in a pot whose earmark"),
    rule("a journal has lost its idempotency record"),
    rule("a payout, refund or clawback moved money"),
}


def test_every_check_has_a_case_of_broken_books():
    covered = {name for _case, expected in CASES for name in expected}
    assert covered | CASES_ELSEWHERE == set(RULES)


def test_a_difference_names_the_rows_that_break_the_rule(books):
    _found, (line,) = reported_after(*a_posted_balance_off_by_a_cent(books))
    with connection.cursor() as cursor:
        cursor.execute("SELECT uuid::text, posted_cents FROM ledger_pot WHERE id = %s", [books.q])
        pot_uuid, posted = cursor.fetchone()
    assert line == f"{POSTED_CACHE}: {pot_uuid}, {posted + 1}, {posted}"
