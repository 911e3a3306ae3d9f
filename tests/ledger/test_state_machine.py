"""A hypothesis state machine over the ledger's services (docs/ledger.md).

Random sequences of allocate, deposit, reserve, post (full and partial), void, refund, clawback, time passing (an
injected clock that moves forward) and, as a step of its own, the expiry sweep (so that spending from a pot past
its last day is tried before the sweep has forfeited it), retries with the same key (same request: the first
result, nothing changes; other request: IdempotencyConflict, nothing changes) and reruns of an allocation. A plain
Python model predicts every pot's posted and pending cents, every reservation's state, every system account's
balance and every refusal. After every step the machine forces the deferred checks (`SET CONSTRAINTS ALL
IMMEDIATE`), runs `reconcile()`, and compares the database with the model. Every refused operation must leave the
database exactly as it was.

Each hypothesis example runs in a savepoint that is rolled back, so examples never meet.
"""

import datetime
import itertools
import math
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field

import pytest
from django.db import connection, transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.internal.conjecture import engine as hypothesis_engine
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from levenlang.ledger import services
from levenlang.ledger.clock import FixedClock
from levenlang.ledger.errors import (
    CapExceeded,
    IdempotencyConflict,
    InsufficientFunds,
    InvalidAmount,
    InvalidTransition,
    LedgerError,
    NotFound,
    NothingToPayWith,
)
from levenlang.ledger.models import (
    AmountCap,
    Cap,
    Category,
    Journal,
    Pot,
    PotKind,
    Reservation,
    SystemAccount,
    categories_in,
    earmark_of,
)
from levenlang.ledger.reconcile import reconcile
from tests.factories import ResidentFactory

START = datetime.datetime(2026, 3, 1, 12, 0, tzinfo=datetime.UTC)
MIN_STEPS = 1_000
MAX_EXAMPLES = 80
STEPS_PER_EXAMPLE = 50  # at most 80 x 50 = 4,000 steps (the setup steps and examples cut short count not)
SETTINGS = settings(
    max_examples=MAX_EXAMPLES,
    stateful_step_count=STEPS_PER_EXAMPLE,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    report_multiple_bugs=False,
)
SHRINK_SECONDS = 45  # hypothesis shrinks a failure for up to 300 s; keep a failing run short
RESIDENTS = 3
SOURCES = {  # name -> (system account kind, pot kind)
    "rights": (SystemAccount.Kind.BUDGET, PotKind.RIGHTS),
    "region": (SystemAccount.Kind.BUDGET, PotKind.REGION),
    "employer": (SystemAccount.Kind.EMPLOYER, PotKind.EMPLOYER),
    "sector_fund": (SystemAccount.Kind.SECTOR_FUND, PotKind.SECTOR_FUND),
    "own": (SystemAccount.Kind.OWN_MONEY, PotKind.OWN),
}
PAYEES = ["opleider-a", "opleider-b"]
LOTS = ["2026", "2027", "a"]
CATEGORIES = list(Category)
STEPS_RUN = [0]


def mostly(usual, now_and_then, one_in: int = 12):
    """`usual`, and once in about `one_in` draws `now_and_then` (refusals should be tried, not dominate)."""
    return st.sampled_from([False] * (one_in - 1) + [True]).flatmap(lambda rare: now_and_then if rare else usual)


# --- the world outside the examples: residents and system accounts, made once per test ----------------------


class World:
    def __init__(self):
        self.residents = [ResidentFactory().pk for _ in range(RESIDENTS)]
        self.sources = {
            name: services.system_account(kind, f"Bron {name}", scheme=f"bron-{name}", year=2026)
            for name, (kind, _pot_kind) in SOURCES.items()
        }
        self.payees = {
            name: services.system_account(SystemAccount.Kind.PROVIDER_PAYABLE, name, scheme=name) for name in PAYEES
        }


# --- the model ----------------------------------------------------------------------------------------------


@dataclass
class ModelPot:
    id: int
    uuid: str
    resident: int
    source: int
    lot: str
    kind: str
    earmark: int
    expires_on: datetime.date | None
    posted: int = 0
    pending: int = 0

    @property
    def available(self) -> int:
        return self.posted - self.pending


@dataclass
class ModelReservation:
    uuid: str
    resident: int
    payee: int
    category: int
    reserved: int
    parts: list[tuple[int, int]]  # (pot id, cents) in waterfall order
    expires_at: datetime.datetime
    status: str = "pending"
    posted: int | None = None
    paid: dict[int, int] = field(default_factory=dict)  # pot id -> cents paid out
    returned: dict[int, int] = field(default_factory=dict)  # pot id -> cents refunded or clawed back


def is_cents(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def snapshot() -> tuple:
    """Everything a refused or repeated operation must leave as it was, in one comparable value."""
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT (SELECT count(*) FROM ledger_journal),
                      (SELECT count(*) FROM ledger_leg),
                      (SELECT coalesce(sum(abs(amount_cents)), 0) FROM ledger_leg),
                      (SELECT count(*) FROM ledger_reservation),
                      (SELECT count(*) FROM ledger_reservationpart),
                      (SELECT count(*) FROM ledger_command),
                      (SELECT count(*) FROM ledger_leerrekening),
                      (SELECT count(*) FROM ledger_systemaccount),
                      (SELECT count(*) FROM ledger_allocationchunk),
                      (SELECT count(*) FROM core_auditevent),
                      (SELECT md5(coalesce(string_agg(id || ':' || posted_cents || ':' || pending_cents, ','
                                                      ORDER BY id), '')) FROM ledger_pot),
                      (SELECT md5(coalesce(string_agg(id || ':' || status || ':' || coalesce(posted_cents, -1),
                                                      ',' ORDER BY id), '')) FROM ledger_reservation)"""
        )
        return cursor.fetchone()


def audit_events() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM core_auditevent WHERE action = 'money_movement'")
        return cursor.fetchone()[0]


# --- the machine --------------------------------------------------------------------------------------------


class LedgerMachine(RuleBasedStateMachine):
    world: World  # set by the test before it runs the machine

    def __init__(self):
        super().__init__()
        self.atomic = transaction.atomic()
        self.atomic.__enter__()  # one savepoint per example, rolled back in teardown()
        self.clock = FixedClock(START)
        self.pots: dict[int, ModelPot] = {}
        self.reservations: dict[str, ModelReservation] = {}
        self.balances: dict[tuple, int] = defaultdict(int)  # ("account", id) or ("forfeited", source id)
        self.caps: dict[str, int] = {}
        # The ceilings on deposits (AmountCap, the defaults of migration 0005 unless an example sets tighter ones),
        # by (rule, pot kind), and what each source deposited per (resident, source, year).
        self.amount_caps: dict[tuple[str, str], int] = {
            (rule, kind): cents for rule, kind, cents in AmountCap.objects.values_list("rule", "pot_kind", "max_cents")
        }
        self.deposited: dict[tuple[int, int, int], int] = defaultdict(int)
        self.done: list[tuple[str, object, dict, dict]] = []  # accepted commands: (name, function, kwargs, result)
        self.allocations: list[tuple[str, list, dict]] = []  # (run key, rows, kwargs)
        self.chunks: dict[str, set[int]] = defaultdict(set)  # run key -> chunk numbers recorded
        self.serial = itertools.count()
        self.checked_once = False
        self.setting_up = False

    def teardown(self):
        transaction.set_rollback(True)
        self.atomic.__exit__(None, None, None)

    # -- helpers ---------------------------------------------------------------------------------------------

    def key(self, what: str) -> str:
        return f"{what}-{next(self.serial)}"

    def resident(self, index: int) -> int:
        return self.world.residents[index]

    def pot_at(self, resident: int, source: int, lot: str) -> ModelPot | None:
        for pot in self.pots.values():
            if (pot.resident, pot.source, pot.lot) == (resident, source, lot):
                return pot
        return None

    def pots_of(self, resident: int) -> list[ModelPot]:
        return [pot for pot in self.pots.values() if pot.resident == resident]

    def over_cap(self, resident: int, kind: str, amount: int) -> bool:
        pots = self.pots_of(resident)
        for cap_kind, held in (
            (kind, sum(p.posted for p in pots if p.kind == kind)),
            ("", sum(p.posted for p in pots)),
        ):
            if cap_kind in self.caps and held + amount > self.caps[cap_kind]:
                return True
        return False

    def deposit_over_cap(self, resident: int, source: int, kind: str, amount: int) -> bool:
        """The balance caps, and the ceilings on deposits: one deposit, per source per year, the account total."""
        year = self.clock.today().year
        held = sum(p.posted for p in self.pots_of(resident))
        ceilings = (
            (("per_deposit", kind), amount),
            (("per_source_per_year", kind), self.deposited[resident, source, year] + amount),
            (("account_total", ""), held + amount),
        )
        over = any(key in self.amount_caps and total > self.amount_caps[key] for key, total in ceilings)
        return over or self.over_cap(resident, kind, amount)

    def learn_pot(self, resident: int, source: int, lot: str) -> ModelPot:
        """A pot the service has just created: the model takes its identity (id, uuid) from the database."""
        row = Pot.objects.get(leerrekening_id=resident, source_id=source, lot=lot)
        pot = ModelPot(row.pk, str(row.uuid), resident, source, lot, row.kind, row.earmark, row.expires_on)
        self.pots[pot.id] = pot
        return pot

    def refused(self, error: type[Exception], function, **kwargs) -> None:
        """The call must raise exactly `error` and change nothing."""
        before = snapshot()
        with pytest.raises(LedgerError) as raised:
            function(**kwargs)
        assert type(raised.value) is error, (
            f"expected {error.__name__}, got {type(raised.value).__name__}: {raised.value}"
        )
        assert str(raised.value)  # every refusal says what is wrong
        assert snapshot() == before, "a refused operation changed the database"

    def accepted(self, name: str, function, audits: int = 0, **kwargs) -> dict:
        audit_before = audit_events()
        result = function(**kwargs)
        assert audit_events() - audit_before == audits, "every money movement is audit-logged once"
        self.done.append((name, function, kwargs, result))
        return result

    def pick(self, items: list, index: int):
        return items[index % len(items)]

    def pick_reservation(self, index: int, prefer: str | None, unknown: bool = False) -> ModelReservation:
        """One of the reservations made so far (preferably in state `prefer`), or with `unknown` one that does not
        exist (a copy of a real one under a new uuid)."""
        candidates = [r for r in self.reservations.values() if prefer is None or r.status == prefer]
        reservation = self.pick(candidates or list(self.reservations.values()), index)
        if unknown:
            return ModelReservation(**{**reservation.__dict__, "uuid": str(uuid.uuid4())})
        return reservation

    # -- setup -----------------------------------------------------------------------------------------------

    @initialize(
        caps=st.sampled_from(
            [{}, {"rights": 300_000}, {"": 450_000}, {"rights": 250_000, "employer": 100_000, "": 500_000}]
        )
    )
    def set_caps(self, caps):
        self.setting_up = True
        for kind, cents in caps.items():
            Cap.objects.create(pot_kind=kind, max_cents=cents)
        self.caps = caps

    @initialize(
        amount_caps=st.sampled_from(
            [
                {},  # the defaults
                {("per_deposit", "employer"): 50_000, ("per_source_per_year", "sector_fund"): 300_000},
                {("account_total", ""): 400_000, ("per_source_per_year", "employer"): 120_000},
            ]
        )
    )
    def set_amount_caps(self, amount_caps):
        """Tighter ceilings on deposits than the defaults, so that examples reach them often."""
        self.setting_up = True
        for (rule_name, kind), cents in amount_caps.items():
            AmountCap.objects.update_or_create(
                rule=rule_name, pot_kind=kind, defaults={"max_cents": cents, "reason": "test"}
            )
        self.amount_caps.update(amount_caps)

    @initialize(
        amounts=st.lists(st.integers(1, 300_000), min_size=RESIDENTS, max_size=RESIDENTS),
        categories=st.lists(st.sets(st.sampled_from(CATEGORIES), min_size=1), min_size=RESIDENTS, max_size=RESIDENTS),
        expiry=st.lists(st.none() | st.integers(0, 120), min_size=RESIDENTS, max_size=RESIDENTS),
    )
    def opening_balances(self, amounts, categories, expiry):
        """Everyone starts with some money, so that most examples get to reserve, post and refund."""
        self.setting_up = True
        for index in range(RESIDENTS):
            self.deposit(index, "sector_fund", "start", amounts[index], categories[index], expiry[index])

    # -- money in --------------------------------------------------------------------------------------------

    @rule(
        who=st.lists(st.integers(0, RESIDENTS - 1), min_size=1, max_size=RESIDENTS, unique=True),
        amounts=st.lists(st.integers(1, 200_000), min_size=RESIDENTS, max_size=RESIDENTS),
        source=st.sampled_from(["rights", "region"]),
        lot=st.sampled_from(LOTS),
        categories=st.sets(st.sampled_from(CATEGORIES), min_size=1),
        expiry=st.none() | st.integers(0, 120),
        chunk_size=st.integers(1, 3),
        unsorted=mostly(st.just(False), st.just(True)),
    )
    def allocate(self, who, amounts, source, lot, categories, expiry, chunk_size, unsorted):
        account = self.world.sources[source]
        rows = sorted(
            (services.AllocationRow(self.resident(i), amounts[n]) for n, i in enumerate(who)),
            key=lambda r: r.resident_id,
            reverse=unsorted,
        )
        run_key = self.key("allocation")
        kwargs = {
            "run_key": run_key,
            "source": account,
            "pot_kind": SOURCES[source][1],
            "lot": lot,
            "categories": categories,
            "expires_on": None if expiry is None else self.clock.today() + datetime.timedelta(days=expiry),
            "chunk_size": chunk_size,
            "clock": self.clock,
        }
        if unsorted and len(rows) > 1:
            self.refused(LedgerError, services.allocate, rows=rows, **kwargs)
            return
        self.run_allocation(run_key, rows, kwargs, done_before=set())
        self.allocations.append((run_key, rows, kwargs))

    @precondition(lambda self: self.allocations)
    @rule(index=st.integers(0, 10**6), chunk_size=st.integers(1, 3))
    def rerun_allocation(self, index, chunk_size):
        """Run an allocation again with its run key (as after a crash), possibly chunked differently."""
        run_key, rows, kwargs = self.pick(self.allocations, index)
        kwargs = {**kwargs, "chunk_size": chunk_size}
        chunks = range(math.ceil(len(rows) / chunk_size))
        expires_on = kwargs["expires_on"]
        if expires_on is not None and expires_on < self.clock.today() and set(chunks) - self.chunks[run_key]:
            # Work left (as the chunk records see it) with an expiry date now past: pots would be born expired.
            self.refused(LedgerError, services.allocate, rows=rows, **kwargs)
            return
        self.run_allocation(run_key, rows, kwargs, done_before=set(self.chunks[run_key]))

    def run_allocation(self, run_key, rows, kwargs, done_before: set[int]):
        source, kind, size = kwargs["source"].pk, str(kwargs["pot_kind"]), kwargs["chunk_size"]
        expected = {"credited": 0, "done_before": 0, "refused": 0, "amount_cents": 0}
        credited_rows, journals = [], 0
        for number, start in enumerate(range(0, len(rows), size)):
            chunk = rows[start : start + size]
            if number in done_before:
                expected["done_before"] += len(chunk)
                continue
            in_chunk = [
                r
                for r in chunk
                if self.pot_at(r.resident_id, source, kwargs["lot"]) is None
                and not self.over_cap(r.resident_id, kind, r.amount_cents)
            ]
            journals += bool(in_chunk)
            credited_rows += in_chunk
            expected["credited"] += len(in_chunk)
            expected["refused"] += len(chunk) - len(in_chunk)
            expected["amount_cents"] += sum(r.amount_cents for r in in_chunk)
            self.chunks[run_key].add(number)
        audit_before = audit_events()
        assert services.allocate(rows, **kwargs) == expected
        assert audit_events() - audit_before == journals
        for row in credited_rows:
            pot = self.learn_pot(row.resident_id, source, kwargs["lot"])
            assert (pot.kind, pot.earmark, pot.expires_on) == (
                kind,
                earmark_of(kwargs["categories"]),
                kwargs["expires_on"],
            )
            pot.posted += row.amount_cents
            self.balances["account", source] -= row.amount_cents

    @rule(
        who=st.integers(0, RESIDENTS - 1),
        source=st.sampled_from(list(SOURCES)),
        lot=st.sampled_from(LOTS),
        amount=mostly(st.integers(1, 150_000), st.sampled_from([0, -100])),
        categories=mostly(st.sets(st.sampled_from(CATEGORIES), min_size=1), st.just(set())),
        expiry=st.none() | mostly(st.integers(0, 90), st.integers(-3, -1), one_in=8),
        top_up=st.booleans(),
    )
    def deposit(self, who, source, lot, amount, categories, expiry, top_up=False):
        """With `top_up`, add to an existing pot of this source and lot with its own conditions (else new random
        conditions, which an existing pot refuses)."""
        resident, account, kind = self.resident(who), self.world.sources[source], SOURCES[source][1]
        today = self.clock.today()
        expires_on = None if expiry is None else today + datetime.timedelta(days=expiry)
        existing = self.pot_at(resident, account.pk, lot)
        if top_up and existing is not None and categories:
            categories, expires_on = categories_in(existing.earmark), existing.expires_on
        earmark = earmark_of(categories)
        kwargs = {
            "key": self.key("deposit"),
            "resident_id": resident,
            "source": account,
            "pot_kind": kind,
            "lot": lot,
            "amount_cents": amount,
            "categories": categories,
            "expires_on": expires_on,
            "description": f"storting {source}",
            "clock": self.clock,
        }
        if not is_cents(amount):
            self.refused(InvalidAmount, services.deposit, **kwargs)
        elif earmark == 0 or (expires_on is not None and expires_on < today):
            self.refused(LedgerError, services.deposit, **kwargs)
        elif self.deposit_over_cap(resident, account.pk, kind, amount):
            self.refused(CapExceeded, services.deposit, **kwargs)
        elif existing is not None and (existing.kind, existing.earmark, existing.expires_on) != (
            kind,
            earmark,
            expires_on,
        ):
            self.refused(LedgerError, services.deposit, **kwargs)
        else:
            result = self.accepted("deposit", services.deposit, audits=1, **kwargs)
            pot = existing or self.learn_pot(resident, account.pk, lot)
            assert (pot.kind, pot.earmark, pot.expires_on) == (kind, earmark, expires_on)
            assert result == {"journal": result["journal"], "pot": pot.uuid, "amount_cents": amount}
            pot.posted += amount
            self.deposited[resident, account.pk, today.year] += amount
            self.balances["account", account.pk] -= amount

    # -- reservations ----------------------------------------------------------------------------------------

    def waterfall(self, resident: int, category: int, price: int) -> list[tuple[ModelPot, int]]:
        today = self.clock.today()
        eligible = [
            p
            for p in self.pots_of(resident)
            if p.earmark & category and (p.expires_on is None or p.expires_on >= today) and p.available > 0
        ]
        eligible.sort(key=lambda p: (p.earmark.bit_count(), p.expires_on or datetime.date.max, p.id))
        draws, left = [], price
        for pot in eligible:
            if left == 0:
                break
            take = min(pot.available, left)
            draws.append((pot, take))
            left -= take
        return draws

    @rule(
        who=st.integers(0, RESIDENTS - 1),
        category=st.sampled_from(CATEGORIES),
        price=mostly(st.integers(1, 120_000), st.just(0)),
        payee=st.sampled_from(PAYEES),
        hours=mostly(st.integers(1, 24 * 60), st.integers(-2, 0)),
        aim=mostly(st.just(True), st.just(False), one_in=4),
    )
    def reserve(self, who, category, price, payee, hours, aim):
        """With `aim` (mostly), buy something that one of the person's usable pots may pay for."""
        resident, payee_account = self.resident(who), self.world.payees[payee]
        today = self.clock.today()
        usable = [p for p in self.pots_of(resident) if p.available > 0 and (p.expires_on or today) >= today]
        if aim and usable:
            categories = [c for c in CATEGORIES if self.pick(usable, price).earmark & c]
            category = self.pick(categories, hours)
        kwargs = {
            "key": self.key("reserve"),
            "resident_id": resident,
            "category": category,
            "price_cents": price,
            "payee": payee_account,
            "expires_at": self.clock.now() + datetime.timedelta(hours=hours),
            "reference": f"inschrijving {next(self.serial)}",
            "clock": self.clock,
        }
        if not is_cents(price):
            return self.refused(InvalidAmount, services.reserve, **kwargs)
        if hours <= 0:
            return self.refused(LedgerError, services.reserve, **kwargs)
        draws = self.waterfall(resident, int(category), price)
        if not draws:
            return self.refused(NothingToPayWith, services.reserve, **kwargs)
        result = self.accepted("reserve", services.reserve, **kwargs)
        covered = sum(take for _pot, take in draws)
        assert result == {
            "reservation": result["reservation"],
            "price_cents": price,
            "covered_cents": covered,
            "own_share_cents": price - covered,
            "draws": [
                {
                    "pot": pot.uuid,
                    "kind": pot.kind,
                    "lot": pot.lot,
                    "expires_on": pot.expires_on.isoformat() if pot.expires_on else None,
                    "amount_cents": take,
                }
                for pot, take in draws
            ],
        }
        # The preview promises exactly what the reservation then did (checked before the hold is modelled).
        for pot, take in draws:
            pot.pending += take
        self.reservations[result["reservation"]] = ModelReservation(
            uuid=result["reservation"],
            resident=resident,
            payee=payee_account.pk,
            category=int(category),
            reserved=covered,
            parts=[(pot.id, take) for pot, take in draws],
            expires_at=kwargs["expires_at"],
        )

    def release(self, reservation: ModelReservation, status: str) -> None:
        for pot_id, cents in reservation.parts:
            self.pots[pot_id].pending -= cents
        reservation.status = status

    @precondition(lambda self: self.reservations)
    @rule(
        index=st.integers(0, 10**6),
        prefer_open=st.booleans(),
        mode=st.sampled_from(["full", "explicit_full", "partial", "partial", "too_much", "zero"]),
        part=st.integers(0, 10**6),
        unknown=mostly(st.just(False), st.just(True), one_in=20),
    )
    def post(self, index, prefer_open, mode, part, unknown):
        reservation = self.pick_reservation(index, "pending" if prefer_open else None, unknown)
        amount = {
            "full": None,
            "explicit_full": reservation.reserved,
            "partial": 1 + part % reservation.reserved,
            "too_much": reservation.reserved + 1 + part % 100,
            "zero": 0,
        }[mode]
        kwargs = {
            "key": self.key("post"),
            "reservation_uuid": reservation.uuid,
            "amount_cents": amount,
            "clock": self.clock,
        }
        if unknown:
            return self.refused(NotFound, services.post, **kwargs)
        if reservation.status != "pending" or self.clock.now() > reservation.expires_at:
            return self.refused(InvalidTransition, services.post, **kwargs)
        if mode in ("too_much", "zero"):
            return self.refused(InvalidAmount, services.post, **kwargs)
        amount = reservation.reserved if amount is None else amount
        result = self.accepted("post", services.post, audits=1, **kwargs)
        assert result == {
            "reservation": reservation.uuid,
            "journal": result["journal"],
            "posted_cents": amount,
            "released_cents": reservation.reserved - amount,
        }
        self.release(reservation, "posted")
        reservation.posted, left = amount, amount
        for pot_id, cents in reservation.parts:  # paid from the pots in the order they held the money
            take = min(cents, left)
            if take:
                reservation.paid[pot_id] = take
                self.pots[pot_id].posted -= take
                left -= take
        self.balances["account", reservation.payee] += amount

    @precondition(lambda self: self.reservations)
    @rule(
        index=st.integers(0, 10**6),
        prefer_open=st.booleans(),
        unknown=mostly(st.just(False), st.just(True), one_in=20),
    )
    def void(self, index, prefer_open, unknown):
        reservation = self.pick_reservation(index, "pending" if prefer_open else None, unknown)
        kwargs = {"key": self.key("void"), "reservation_uuid": reservation.uuid, "clock": self.clock}
        if unknown:
            return self.refused(NotFound, services.void, **kwargs)
        if reservation.status != "pending":
            return self.refused(InvalidTransition, services.void, **kwargs)
        result = self.accepted("void", services.void, **kwargs)
        assert result == {"reservation": reservation.uuid, "released_cents": reservation.reserved}
        self.release(reservation, "voided")

    @precondition(lambda self: self.reservations)
    @rule(
        index=st.integers(0, 10**6),
        prefer_posted=st.booleans(),
        kind=st.sampled_from([Journal.Kind.REFUND, Journal.Kind.CLAWBACK]),
        mode=st.sampled_from(["rest", "partial", "partial", "too_much", "zero"]),
        part=st.integers(0, 10**6),
        unknown=mostly(st.just(False), st.just(True), one_in=20),
    )
    def reverse_payout(self, index, prefer_posted, kind, mode, part, unknown):
        reservation = self.pick_reservation(index, "posted" if prefer_posted else None, unknown)
        rest = sum(reservation.paid.values()) - sum(reservation.returned.values())
        amount = {
            "rest": max(rest, 1),
            "partial": 1 + part % max(rest, 1),
            "too_much": rest + 1 + part % 100,
            "zero": 0,
        }[mode]
        kwargs = {
            "key": self.key(str(kind)),
            "reservation_uuid": reservation.uuid,
            "amount_cents": amount,
            "kind": kind,
            "reason": f"{kind} {next(self.serial)}",
            "clock": self.clock,
        }
        if mode == "zero":
            return self.refused(InvalidAmount, services.reverse_payout, **kwargs)
        if unknown:
            return self.refused(NotFound, services.reverse_payout, **kwargs)
        if reservation.status != "posted":
            return self.refused(InvalidTransition, services.reverse_payout, **kwargs)
        if amount > rest:
            return self.refused(InsufficientFunds, services.reverse_payout, **kwargs)
        result = self.accepted(str(kind), services.reverse_payout, audits=1, **kwargs)
        assert result == {"journal": result["journal"], "returned_cents": amount}
        journal = Journal.objects.get(uuid=result["journal"])
        assert (journal.kind, journal.reverses.reservation.uuid.hex) == (kind, uuid.UUID(reservation.uuid).hex)
        left = amount
        for pot_id, _cents in reservation.parts:  # back to the pots that paid, in the order they paid
            room = reservation.paid.get(pot_id, 0) - reservation.returned.get(pot_id, 0)
            take = min(room, left)
            if take:
                reservation.returned[pot_id] = reservation.returned.get(pot_id, 0) + take
                self.pots[pot_id].posted += take
                left -= take
        self.balances["account", reservation.payee] -= amount

    # -- time and expiry -------------------------------------------------------------------------------------

    @rule(days=mostly(st.integers(0, 7), st.integers(8, 60), one_in=4), hours=st.integers(0, 23))
    def time_passes(self, days, hours):
        """Only the clock moves: until the sweep runs, pots past their last day still hold money and reservations
        past their deadline are still open, and every other rule must treat them as expired all the same."""
        self.clock.advance(datetime.timedelta(days=days, hours=hours))

    @rule()
    def sweep(self):
        now, today = self.clock.now(), self.clock.today()
        ended = [r for r in self.reservations.values() if r.status == "pending" and r.expires_at < now]
        for reservation in ended:
            self.release(reservation, "expired")
        forfeited = [
            p for p in self.pots.values() if p.expires_on is not None and p.expires_on < today and p.available > 0
        ]
        cents = sum(p.available for p in forfeited)
        for pot in forfeited:
            self.balances["forfeited", pot.source] += pot.available
            pot.posted = pot.pending
        audit_before = audit_events()
        result = services.expire(clock=self.clock)
        assert result == {
            "expired_reservations": len(ended),
            "forfeited_pots": len(forfeited),
            "forfeited_cents": cents,
        }
        assert audit_events() - audit_before == (1 if forfeited else 0)
        # Safe to run as often as you like: a second sweep at the same moment finds nothing.
        before = snapshot()
        assert services.expire(clock=self.clock) == {
            "expired_reservations": 0,
            "forfeited_pots": 0,
            "forfeited_cents": 0,
        }
        assert snapshot() == before

    # -- retries ---------------------------------------------------------------------------------------------

    @precondition(lambda self: self.done)
    @rule(index=st.integers(0, 10**6))
    def retry_same_request(self, index):
        """A retry with the same key and the same request returns the first result and changes nothing, whatever
        happened since (the clock moved, the money was spent, the reservation resolved)."""
        _name, function, kwargs, first = self.pick(self.done, index)
        before = snapshot()
        assert function(**kwargs) == first
        assert snapshot() == before

    @precondition(lambda self: self.done)
    @rule(index=st.integers(0, 10**6), change=st.sampled_from(["content", "operation"]))
    def retry_other_request(self, index, change):
        """The same key with another request is refused with IdempotencyConflict (409) and changes nothing."""
        name, function, kwargs, _first = self.pick(self.done, index)
        if change == "operation" or name == "void":
            function, kwargs = services.void, {"key": kwargs["key"], "reservation_uuid": str(uuid.uuid4())}
        elif name == "deposit":
            kwargs = {**kwargs, "amount_cents": kwargs["amount_cents"] + 1}
        elif name == "reserve":
            kwargs = {**kwargs, "price_cents": kwargs["price_cents"] + 1}
        elif name == "post":
            kwargs = {**kwargs, "amount_cents": 1 if kwargs["amount_cents"] is None else kwargs["amount_cents"] + 1}
        else:  # refund or clawback
            kwargs = {**kwargs, "reason": kwargs["reason"] + " (anders)"}
        before = snapshot()
        with pytest.raises(LedgerError) as raised:
            function(**kwargs)
        assert type(raised.value) is IdempotencyConflict, (
            f"expected a 409, got {type(raised.value).__name__}: {raised.value}"
        )
        assert raised.value.status == 409
        assert snapshot() == before

    # -- after every step ------------------------------------------------------------------------------------

    @invariant()
    def books_balance(self):
        if self.checked_once and not self.setting_up:  # count the steps, not the setup (caps, opening balances)
            STEPS_RUN[0] += 1
        self.checked_once, self.setting_up = True, False
        # The journal balance check is a deferred constraint trigger: force it now, as COMMIT would.
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        assert reconcile() == []
        with connection.cursor() as cursor:
            cursor.execute("SELECT coalesce(sum(amount_cents), 0), count(*) FROM ledger_leg")
            total, _legs = cursor.fetchone()
            assert total == 0, "the sum over all legs is not zero"
            cursor.execute(
                "SELECT count(*) FROM ledger_pot WHERE posted_cents - pending_cents < 0 OR pending_cents < 0"
            )
            assert cursor.fetchone()[0] == 0, "a pot is below zero counting reservations"
            # 7. Earmarks hold: every part of a reservation sits in a pot that may pay for its category.
            cursor.execute(
                """SELECT count(*) FROM ledger_reservationpart rp JOIN ledger_pot p ON p.id = rp.pot_id
                   JOIN ledger_reservation r ON r.id = rp.reservation_id
                   WHERE p.earmark & r.category = 0 OR p.leerrekening_id <> r.leerrekening_id"""
            )
            assert cursor.fetchone()[0] == 0, "a reservation holds money from a pot that may not pay for it"
            cursor.execute(
                """SELECT a.id, a.kind, a.source_id, sum(l.amount_cents) FROM ledger_leg l
                   JOIN ledger_systemaccount a ON a.id = l.system_account_id GROUP BY a.id"""
            )
            accounts = {
                (("forfeited", source) if kind == "forfeited" else ("account", id_)): cents
                for id_, kind, source, cents in cursor.fetchall()
                if cents
            }
        assert accounts == {k: v for k, v in self.balances.items() if v}
        pots = {
            p["id"]: (p["posted_cents"], p["pending_cents"], p["earmark"], p["expires_on"])
            for p in Pot.objects.values("id", "posted_cents", "pending_cents", "earmark", "expires_on")
        }
        assert pots == {p.id: (p.posted, p.pending, p.earmark, p.expires_on) for p in self.pots.values()}
        reservations = {
            str(u): (status, posted, reserved)
            for u, status, posted, reserved in Reservation.objects.values_list(
                "uuid", "status", "posted_cents", "reserved_cents"
            )
        }
        assert reservations == {r.uuid: (r.status, r.posted, r.reserved) for r in self.reservations.values()}


@pytest.mark.django_db
def test_every_invariant_holds_after_every_step_of_random_ledger_operations(monkeypatch):
    monkeypatch.setattr(hypothesis_engine, "MAX_SHRINKING_SECONDS", SHRINK_SECONDS, raising=False)
    LedgerMachine.world = World()
    STEPS_RUN[0] = 0
    started = time.monotonic()
    run_state_machine_as_test(LedgerMachine, settings=SETTINGS)
    seconds = time.monotonic() - started
    print(f"ledger state machine: {STEPS_RUN[0]} steps in {seconds:.1f} s")
    assert STEPS_RUN[0] >= MIN_STEPS, f"only {STEPS_RUN[0]} steps ran; the issue asks for at least {MIN_STEPS}"


# --- bugs the machine found, as plain tests ------------------------------------------------------------------
# The machine asks of every retry what invariant 5 (docs/ledger.md) promises: "Same key + same content returns the
# first result; same key + other content is refused (409)". These tests pin down, without randomness, what it found.


@pytest.fixture
def funded(db):
    """A clock, one resident with € 100,00 in a pot that may be used until 31 March 2026, and a payee."""
    clock = FixedClock(START)
    resident = ResidentFactory().pk
    budget = services.system_account(SystemAccount.Kind.BUDGET, "Leerrechten 2026", scheme="leerrechten", year=2026)
    payee = services.system_account(SystemAccount.Kind.PROVIDER_PAYABLE, "Opleider", scheme="opleider")
    deposit = {
        "key": "deposit",
        "resident_id": resident,
        "source": budget,
        "pot_kind": PotKind.RIGHTS,
        "lot": "2026",
        "amount_cents": 10_000,
        "categories": CATEGORIES,
        "expires_on": datetime.date(2026, 3, 31),
        "description": "start",
        "clock": clock,
    }
    first = services.deposit(**deposit)
    return clock, resident, payee, deposit, first


def test_a_deposit_retried_after_its_expiry_date_returns_the_first_result(funded):
    clock, _resident, _payee, deposit, first = funded
    clock.advance(datetime.timedelta(days=40))  # the pot's last day (31 March) has passed
    before = snapshot()
    assert services.deposit(**deposit) == first  # today: LedgerError "The expiry date 2026-03-31 has passed"
    assert snapshot() == before


def test_a_deposit_key_reused_for_other_content_after_the_expiry_date_is_a_409(funded):
    clock, _resident, _payee, deposit, _first = funded
    clock.advance(datetime.timedelta(days=40))
    with pytest.raises(IdempotencyConflict):  # today: LedgerError (400) about the expiry date
        services.deposit(**{**deposit, "amount_cents": 20_000})


def test_a_reservation_retried_after_its_deadline_returns_the_first_result(funded):
    clock, resident, payee, _deposit, _first = funded
    reserve = {
        "key": "reserve",
        "resident_id": resident,
        "category": Category.STUDY,
        "price_cents": 4_000,
        "payee": payee,
        "expires_at": clock.now() + datetime.timedelta(hours=2),
        "clock": clock,
    }
    first = services.reserve(**reserve)
    clock.advance(datetime.timedelta(hours=3))  # the client's retry arrives after the reservation's deadline
    before = snapshot()
    assert services.reserve(**reserve) == first  # today: LedgerError "A reservation must end in the future."
    assert snapshot() == before
    with pytest.raises(IdempotencyConflict):  # today: the same LedgerError instead of a 409
        services.reserve(**{**reserve, "price_cents": 5_000})


def test_an_allocation_with_an_expiry_date_in_the_past_is_refused_like_a_deposit(funded):
    """deposit() refuses an expiry date that has passed; allocate() credits such pots, which can never pay for
    anything (the waterfall skips expired pots) and which the next sweep forfeits."""
    clock, resident, _payee, _deposit, _first = funded
    budget = services.system_account(SystemAccount.Kind.BUDGET, "Leerrechten 2025", scheme="leerrechten", year=2025)
    before = snapshot()
    with pytest.raises(LedgerError):  # today: accepted, the resident gets an already expired pot of € 500,00
        services.allocate(
            [services.AllocationRow(resident, 50_000)],
            run_key="late",
            source=budget,
            pot_kind=PotKind.RIGHTS,
            lot="2025",
            categories=CATEGORIES,
            expires_on=clock.today() - datetime.timedelta(days=1),
            clock=clock,
        )
    assert snapshot() == before
