"""PostgreSQL itself refuses what breaks the ledger's invariants (docs/ledger.md), even when the service layer is
bypassed with raw SQL. Each test writes the forbidden thing with `connection.cursor()`, expects the database's
own message, and checks that nothing changed."""

import datetime

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction

from levenlang.core.regions import ensure_regions
from levenlang.ledger import services
from levenlang.ledger.models import Category, Journal, Leg, Pot, PotKind, Reservation, SystemAccount
from levenlang.ledger.reconcile import reconcile
from tests.factories import ResidentFactory

LATER = datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=400)


def snapshot() -> tuple:
    """Everything the ledger holds, in one comparable value."""
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT (SELECT count(*) FROM ledger_journal),
                      (SELECT count(*) FROM ledger_pot),
                      (SELECT count(*) FROM ledger_reservationpart),
                      (SELECT coalesce(string_agg(id || ':' || journal_id || ':' || amount_cents, ',' ORDER BY id), '')
                         FROM ledger_leg),
                      (SELECT coalesce(string_agg(id || ':' || posted_cents || ':' || pending_cents, ','
                                                  ORDER BY id), '')
                         FROM ledger_pot),
                      (SELECT coalesce(string_agg(id || ':' || status || ':' || coalesce(posted_cents, -1) || ':'
                                                  || coalesce(resolved_at::text, '-'), ',' ORDER BY id), '')
                         FROM ledger_reservation)"""
        )
        return cursor.fetchone()


def execute(*statements) -> None:
    with connection.cursor() as cursor:
        for statement in statements:
            if isinstance(statement, tuple):
                cursor.execute(*statement)
            else:
                cursor.execute(statement)


def assert_refused(*statements, match: str, at_commit_check: bool = False) -> DatabaseError:
    """Run the statements in a savepoint and expect the database to refuse them with `match`; nothing changes.
    With `at_commit_check`, deferred constraints are forced (`SET CONSTRAINTS ALL IMMEDIATE`), which is what
    COMMIT does."""
    before = snapshot()
    if at_commit_check:
        statements = (*statements, "SET CONSTRAINTS ALL IMMEDIATE")
    with pytest.raises(DatabaseError, match=match) as refused, transaction.atomic():
        execute(*statements)
    execute("SET CONSTRAINTS ALL DEFERRED")
    assert snapshot() == before
    return refused.value


class Books:
    """One resident with € 100,00 in a pot, an open reservation of € 30,00 and a voided one of € 5,00."""

    def __init__(self):
        self.resident = ResidentFactory()
        self.budget = services.system_account(
            SystemAccount.Kind.BUDGET, "Leerrechten 2026", scheme="leerrechten", year=2026
        )
        self.payee = services.system_account(SystemAccount.Kind.PROVIDER_PAYABLE, "Opleider", scheme="opleider")
        deposited = services.deposit(
            key=f"deposit-{self.resident.pk}",
            resident_id=self.resident.pk,
            source=self.budget,
            pot_kind=PotKind.RIGHTS,
            lot="2026",
            amount_cents=10_000,
            categories=list(Category),
            expires_on=None,
            description="test",
        )
        self.pot = Pot.objects.get(uuid=deposited["pot"])
        self.journal = Journal.objects.get(uuid=deposited["journal"])
        self.open = self._reserve("open", 3_000)
        self.voided = self._reserve("voided", 500)
        services.void(key="void", reservation_uuid=self.voided.uuid)
        self.voided.refresh_from_db()
        self.pot.refresh_from_db()
        assert (self.pot.posted_cents, self.pot.pending_cents) == (10_000, 3_000)

    def _reserve(self, key, cents) -> Reservation:
        result = services.reserve(
            key=key,
            resident_id=self.resident.pk,
            category=Category.STUDY,
            price_cents=cents,
            payee=self.payee,
            expires_at=datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=30),
        )
        return Reservation.objects.get(uuid=result["reservation"])

    def new_journal_sql(self) -> tuple:
        return (
            """INSERT INTO ledger_journal (uuid, kind, description, effective_date, created_at)
               VALUES (gen_random_uuid(), 'deposit', 'raw', '2026-03-01', now())""",
        )

    def leg_sql(self, *, pot=None, account=None, cents: int, journal_id=None) -> tuple:
        """A leg of the journal inserted last in this session, or of `journal_id`."""
        if journal_id is None:
            return (
                "INSERT INTO ledger_leg (pot_id, system_account_id, amount_cents, journal_id) "
                "VALUES (%s, %s, %s, currval('ledger_journal_id_seq'))",
                [pot, account, cents],
            )
        return (
            "INSERT INTO ledger_leg (pot_id, system_account_id, amount_cents, journal_id) VALUES (%s, %s, %s, %s)",
            [pot, account, cents, journal_id],
        )


@pytest.fixture
def books(db):
    return Books()


# --- 2. every journal balances --------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_unbalanced_journal_is_refused_at_commit(books):
    error = assert_refused(
        books.new_journal_sql(),
        books.leg_sql(pot=books.pot.pk, cents=100),
        books.leg_sql(account=books.budget.pk, cents=-99),
        match=r"ledger: journal \d+ is not balanced \(2 legs, sum 1 cents\); legs must sum to zero",
        at_commit_check=True,
    )
    assert isinstance(error, IntegrityError)


@pytest.mark.django_db
def test_a_journal_with_one_leg_or_none_is_refused_at_commit(books):
    assert_refused(
        books.new_journal_sql(),
        match=r"journal \d+ is not balanced \(0 legs, sum 0 cents\)",
        at_commit_check=True,
    )
    assert_refused(
        books.new_journal_sql(),
        books.leg_sql(account=books.budget.pk, cents=-1),
        match=r"journal \d+ is not balanced \(1 legs, sum -1 cents\)",
        at_commit_check=True,
    )


@pytest.mark.django_db(transaction=True)
def test_an_unbalanced_journal_fails_the_real_commit():
    ensure_regions()
    books = Books()
    before = snapshot()
    refused = pytest.raises(IntegrityError, match=r"journal \d+ is not balanced \(2 legs, sum 100 cents\)")
    with refused, transaction.atomic():
        execute(
            books.new_journal_sql(),
            books.leg_sql(pot=books.pot.pk, cents=150),
            books.leg_sql(account=books.budget.pk, cents=-50),
        )
        # Inside the transaction the pot already shows the money: only COMMIT can refuse it.
        assert Pot.objects.get(pk=books.pot.pk).posted_cents == 10_150
    assert snapshot() == before
    assert reconcile() == []


# --- 3. journals and legs are append-only ---------------------------------------------------------------
# The app role is not even granted UPDATE or DELETE on these tables (tests/test_database_roles.py); the triggers
# refuse the owner role too, so these tests run as the owner.


@pytest.fixture
def owner_books(as_owner):
    ensure_regions()
    return Books()


def test_an_update_of_a_leg_is_refused(owner_books):
    books = owner_books
    leg = Leg.objects.filter(journal=books.journal, pot=books.pot).get()
    assert_refused(
        ("UPDATE ledger_leg SET amount_cents = amount_cents + 1 WHERE id = %s", [leg.pk]),
        match="ledger: ledger_leg is append-only; UPDATE is not allowed",
    )
    # Even an update that keeps the journal balanced (both legs at once) is refused.
    assert_refused(
        ("UPDATE ledger_leg SET amount_cents = amount_cents * 2 WHERE journal_id = %s", [books.journal.pk]),
        match="ledger: ledger_leg is append-only; UPDATE is not allowed",
    )
    # And moving a leg to another account.
    assert_refused(
        ("UPDATE ledger_leg SET pot_id = NULL, system_account_id = %s WHERE id = %s", [books.payee.pk, leg.pk]),
        match="ledger: ledger_leg is append-only; UPDATE is not allowed",
    )


def test_a_delete_of_a_leg_or_a_journal_is_refused(owner_books):
    books = owner_books
    assert_refused(
        ("DELETE FROM ledger_leg WHERE journal_id = %s", [books.journal.pk]),
        match="ledger: ledger_leg is append-only; DELETE is not allowed",
    )
    assert_refused(
        ("DELETE FROM ledger_journal WHERE id = %s", [books.journal.pk]),
        match="ledger: ledger_journal is append-only; DELETE is not allowed",
    )
    assert_refused(
        ("UPDATE ledger_journal SET description = 'changed' WHERE id = %s", [books.journal.pk]),
        match="ledger: ledger_journal is append-only; UPDATE is not allowed",
    )


def test_pots_reservations_and_their_parts_cannot_be_deleted(owner_books):
    books = owner_books
    assert_refused(
        ("DELETE FROM ledger_reservationpart WHERE reservation_id = %s", [books.open.pk]),
        match="ledger: ledger_reservationpart is append-only; DELETE is not allowed",
    )
    assert_refused(
        ("UPDATE ledger_reservationpart SET amount_cents = 1 WHERE reservation_id = %s", [books.open.pk]),
        match="ledger: ledger_reservationpart is append-only; UPDATE is not allowed",
    )
    assert_refused(
        ("DELETE FROM ledger_reservation WHERE id = %s", [books.voided.pk]),
        match="ledger: ledger_reservation is append-only; DELETE is not allowed",
    )
    assert_refused(
        ("DELETE FROM ledger_pot WHERE id = %s", [books.pot.pk]),
        match="ledger: ledger_pot is append-only; DELETE is not allowed",
    )


@pytest.mark.django_db(transaction=True)
def test_a_leg_cannot_be_added_to_a_journal_of_an_earlier_transaction():
    ensure_regions()
    books = Books()  # committed: every service call above was its own transaction
    before = snapshot()
    # Balanced on its own (+1 on the pot, -1 on the budget), so only the "same transaction" rule stops it.
    refused = pytest.raises(DatabaseError, match="ledger: legs can only be added to a journal in the transaction that")
    with refused, transaction.atomic():
        execute(
            books.leg_sql(pot=books.pot.pk, cents=1, journal_id=books.journal.pk),
            books.leg_sql(account=books.budget.pk, cents=-1, journal_id=books.journal.pk),
        )
    assert snapshot() == before
    assert reconcile() == []


# --- 4. no pot below zero, counting reservations ------------------------------------------------------------


@pytest.mark.django_db
def test_a_direct_update_of_a_pot_balance_is_refused(books):
    for statement, value in [
        ("UPDATE ledger_pot SET posted_cents = %s WHERE id = %s", 0),
        ("UPDATE ledger_pot SET posted_cents = %s WHERE id = %s", -1),
        ("UPDATE ledger_pot SET pending_cents = %s WHERE id = %s", 20_000),
        ("UPDATE ledger_pot SET posted_cents = %s WHERE id = %s", 99_999),
    ]:
        assert_refused(
            (statement, [value, books.pot.pk]),
            match="ledger: pot balances change only through legs and reservations",
        )


@pytest.mark.django_db
def test_an_overdraft_by_a_balanced_journal_is_refused(books):
    # € 100,00 posted, € 30,00 reserved: € 70,00 available. Paying out € 70,01 would overdraw.
    assert_refused(
        books.new_journal_sql(),
        books.leg_sql(pot=books.pot.pk, cents=-7_001),
        books.leg_sql(account=books.payee.pk, cents=7_001),
        match='violates check constraint "pot_never_below_zero"',
    )
    # Exactly what is available is allowed (and then rolled back here).
    with transaction.atomic():
        execute(
            books.new_journal_sql(),
            books.leg_sql(pot=books.pot.pk, cents=-7_000),
            books.leg_sql(account=books.payee.pk, cents=7_000),
            "SET CONSTRAINTS ALL IMMEDIATE",
        )
        assert Pot.objects.get(pk=books.pot.pk).available_cents == 0
        transaction.set_rollback(True)
    execute("SET CONSTRAINTS ALL DEFERRED")


@pytest.mark.django_db
def test_a_reservation_part_larger_than_the_available_money_is_refused(books):
    insert_reservation = (
        """INSERT INTO ledger_reservation (uuid, leerrekening_id, payee_id, category, price_cents, reserved_cents,
                                           status, reference, expires_at, created_at)
           VALUES (gen_random_uuid(), %s, %s, 1, 7001, 7001, 'pending', 'raw', %s, now())""",
        [books.resident.pk, books.payee.pk, LATER],
    )
    assert_refused(
        insert_reservation,
        (
            """INSERT INTO ledger_reservationpart (reservation_id, pot_id, position, amount_cents)
               VALUES (currval('ledger_reservation_id_seq'), %s, 0, 7001)""",
            [books.pot.pk],
        ),
        match='violates check constraint "pot_never_below_zero"',
    )
    # Two parts on one pot in one statement, each within the available money but together above it.
    assert_refused(
        insert_reservation,
        (
            """INSERT INTO ledger_reservationpart (reservation_id, pot_id, position, amount_cents)
               VALUES (currval('ledger_reservation_id_seq'), %s, 0, 4000),
                      (currval('ledger_reservation_id_seq'), %s, 1, 3001)""",
            [books.pot.pk, books.pot.pk],
        ),
        match='violates check constraint "pot_never_below_zero"',
    )


NEW_POT = """INSERT INTO ledger_pot (uuid, leerrekening_id, kind, source_id, lot, earmark, posted_cents,
                                     pending_cents, created_at)
             VALUES (gen_random_uuid(), %s, 'rights', %s, 'free-money', 31, %s, %s, now())"""


@pytest.mark.django_db
def test_a_new_pot_cannot_start_with_money(books):
    for posted, pending in [(100, 0), (100, 100)]:
        assert_refused(
            (NEW_POT, [books.resident.pk, books.budget.pk, posted, pending]),
            match="ledger: a new pot starts at zero; money enters only through a journal",
        )
    # Pending money without posted money is below zero: the CHECK refuses it before any trigger runs.
    assert_refused(
        (NEW_POT, [books.resident.pk, books.budget.pk, 0, 50]),
        match='violates check constraint "pot_never_below_zero"',
    )


BORN_WRONG = "ledger: a pot's balance must equal the sum of its legs|ledger: a new pot starts at zero"


def allocation_sql(books, *, pot_cents: int, leg_cents: int, kind: str = "allocation") -> tuple:
    """One statement that inserts a journal of `kind`, a pot born holding `pot_cents` and its leg of `leg_cents`
    (the allocation's shape), plus the budget's leg so that the journal balances."""
    return (
        """WITH j AS (INSERT INTO ledger_journal (uuid, kind, description, effective_date, created_at)
                      VALUES (gen_random_uuid(), %(kind)s, 'raw', '2026-03-01', now()) RETURNING id),
                p AS (INSERT INTO ledger_pot (uuid, leerrekening_id, kind, source_id, lot, earmark, posted_cents,
                                              pending_cents, created_at)
                      VALUES (gen_random_uuid(), %(resident)s, 'rights', %(budget)s, 'raw-lot', 31, %(pot)s, 0, now())
                      RETURNING id)
           INSERT INTO ledger_leg (journal_id, pot_id, system_account_id, amount_cents)
           SELECT j.id, p.id, NULL, %(leg)s FROM j, p
           UNION ALL SELECT j.id, NULL, %(budget)s, -%(leg)s FROM j""",
        {"kind": kind, "resident": books.resident.pk, "budget": books.budget.pk, "pot": pot_cents, "leg": leg_cents},
    )


@pytest.mark.django_db
def test_a_pot_is_born_with_money_only_together_with_its_allocation_leg(books):
    # The allocation's shape: accepted, and the books reconcile.
    with transaction.atomic():
        execute(allocation_sql(books, pot_cents=5_000, leg_cents=5_000), "SET CONSTRAINTS ALL IMMEDIATE")
        assert Pot.objects.get(lot="raw-lot").posted_cents == 5_000
        assert reconcile() == []
        transaction.set_rollback(True)
    execute("SET CONSTRAINTS ALL DEFERRED")
    # A pot holding more or less than its leg brings is refused (by whichever of the pot's and the legs'
    # statement triggers runs first).
    for pot_cents in (5_001, 4_999):
        assert_refused(
            allocation_sql(books, pot_cents=pot_cents, leg_cents=5_000),
            match=BORN_WRONG,
        )
    # With a journal of another kind the leg moves the balance: a pot born with it would count it twice.
    assert_refused(
        allocation_sql(books, pot_cents=5_000, leg_cents=5_000, kind="deposit"),
        match=BORN_WRONG,
    )


@pytest.mark.django_db
def test_an_allocation_leg_cannot_add_money_to_an_existing_pot(books):
    # Its leg does not move the balance, so on a pot that exists it would create money: refused.
    allocation = (
        """INSERT INTO ledger_journal (uuid, kind, description, effective_date, created_at)
           VALUES (gen_random_uuid(), 'allocation', 'raw', '2026-03-01', now())""",
    )
    assert_refused(
        allocation,
        books.leg_sql(pot=books.pot.pk, cents=100),
        books.leg_sql(account=books.budget.pk, cents=-100),
        match="ledger: a pot's balance must equal the sum of its legs",
    )


@pytest.mark.django_db
def test_a_leg_on_a_pot_that_does_not_exist_is_refused_at_once(books):
    assert_refused(
        books.new_journal_sql(),
        books.leg_sql(pot=books.pot.pk + 1_000_000, cents=100),
        books.leg_sql(account=books.budget.pk, cents=-100),
        match="ledger: a leg names a pot that does not exist",
    )


# --- 6. a reservation resolves at most once; an expired one is never paid out -------------------------------


@pytest.mark.django_db
def test_a_reservation_resolves_only_once(books):
    for status, posted in [("posted", 500), ("voided", None), ("expired", None), ("pending", None)]:
        assert_refused(
            (
                "UPDATE ledger_reservation SET status = %s, posted_cents = %s, resolved_at = now() WHERE id = %s",
                [status, posted, books.voided.pk],
            ),
            match=rf"ledger: reservation {books.voided.uuid} is already voided; it resolves only once",
        )


@pytest.mark.django_db
def test_posting_a_reservation_after_it_expired_is_refused(books):
    late = books.open.expires_at + datetime.timedelta(seconds=1)
    assert_refused(
        (
            "UPDATE ledger_reservation SET status = 'posted', posted_cents = reserved_cents, resolved_at = %s "
            "WHERE id = %s",
            [late, books.open.pk],
        ),
        match=rf"ledger: reservation {books.open.uuid} expired at .*; it can no longer be paid out",
    )
    # Changing the deadline itself (to post later) is refused too.
    assert_refused(
        ("UPDATE ledger_reservation SET expires_at = expires_at + interval '1 year' WHERE id = %s", [books.open.pk]),
        match="ledger: only the status of a reservation can change",
    )


@pytest.mark.django_db
def test_a_reservation_is_born_open(books):
    assert_refused(
        (
            """INSERT INTO ledger_reservation (uuid, leerrekening_id, payee_id, category, price_cents, reserved_cents,
                                               posted_cents, status, reference, expires_at, created_at, resolved_at)
               VALUES (gen_random_uuid(), %s, %s, 1, 100, 100, 100, 'posted', 'raw', %s, now(), now())""",
            [books.resident.pk, books.payee.pk, LATER],
        ),
        match="ledger: a new reservation must be open",
    )


@pytest.mark.django_db
def test_an_open_reservation_carries_no_payout_and_no_resolution_time(books):
    for column, value in [("posted_cents", 100), ("resolved_at", LATER)]:
        assert_refused(
            (f"UPDATE ledger_reservation SET {column} = %s WHERE id = %s", [value, books.open.pk]),  # noqa: S608 (a fixed column name)
            match="ledger: an open reservation has no payout and no resolution time",
        )


@pytest.mark.django_db
def test_a_reservation_cannot_hold_money_in_another_persons_pot(books):
    other = ResidentFactory()
    services.deposit(
        key="other",
        resident_id=other.pk,
        source=books.budget,
        pot_kind=PotKind.RIGHTS,
        lot="2026",
        amount_cents=5_000,
        categories=list(Category),
        expires_on=None,
        description="other",
    )
    other_pot = Pot.objects.get(leerrekening_id=other.pk)
    assert_refused(
        (
            """INSERT INTO ledger_reservationpart (reservation_id, pot_id, position, amount_cents)
               VALUES (%s, %s, 9, 100)""",
            [books.open.pk, other_pot.pk],
        ),
        match="ledger: a reservation can only hold money in pots of its own Leerrekening",
    )


@pytest.mark.django_db
def test_a_pots_earmark_and_expiry_are_fixed(books):
    for column, value in [("earmark", 1), ("expires_on", datetime.date(2099, 1, 1))]:
        assert_refused(
            (f"UPDATE ledger_pot SET {column} = %s WHERE id = %s", [value, books.pot.pk]),  # noqa: S608 (a fixed column name)
            match="ledger: a pot cannot change owner, source, lot, kind, earmark or expiry",
        )


@pytest.mark.django_db
def test_the_books_still_reconcile_after_all_refusals(books):
    assert reconcile() == []
