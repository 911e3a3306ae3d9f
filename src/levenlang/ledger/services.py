"""Where money moves. Every change to a Leerrekening goes through a function here (docs/ledger.md).

Rules that hold for every mutating function:
- Amounts are integer cents; anything else is refused before anything changes.
- It takes an idempotency `key`: the same key with the same request returns the first result, the same key with
  another request raises IdempotencyConflict (HTTP 409). A retry after a crash never doubles money.
- It locks the person's Leerrekening row (FOR NO KEY UPDATE) and touches only that person's rows and the
  legs of system accounts; system accounts have no cached balance, so there is no global hot row.
- Deadlocks and serialization failures are retried with the same key.
- The database checks the invariants again (migration 0002); an error here means nothing was written.
"""

import datetime
import hashlib
import json
import math
import queue
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import psycopg
from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from levenlang.core.audit import record_money_movement
from levenlang.core.money import format_cents
from levenlang.ledger.clock import SYSTEM_CLOCK, Clock
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
    ALL_CATEGORIES,
    Cap,
    Category,
    Journal,
    Leerrekening,
    Leg,
    Pot,
    PotKind,
    Reservation,
    SystemAccount,
    earmark_of,
)

RETRIES = 5


# --- helpers -----------------------------------------------------------------------------------------


_NOT_CENTS = {
    "amount": (_("The amount must be a whole number of cents."), _("The amount must be more than zero.")),
    "price": (_("The price must be a whole number of cents."), _("The price must be more than zero.")),
}


def _cents(value, field: str = "amount") -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidAmount(_NOT_CENTS[field][0])
    if value <= 0:
        raise InvalidAmount(_NOT_CENTS[field][1])
    return value


def _request_hash(operation: str, request: dict) -> str:
    canonical = json.dumps({"op": operation, **request}, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _retryable(exc: Exception) -> bool:
    sqlstate = getattr(exc, "sqlstate", None) or getattr(exc.__cause__, "sqlstate", None)
    return sqlstate in {"40001", "40P01"}  # serialization failure, deadlock


class _AnsweredByTwin(Exception):
    """A copy of this request (same key) finished while this one waited: its answer is the answer."""

    def __init__(self, earlier):
        self.earlier = earlier


def prepared_cursor():
    """A cursor on Django's connection (same transaction) that binds on the server, so that the statements of
    the hot path are prepared once per connection instead of parsed and planned on every call."""
    connection.ensure_connection()
    return psycopg.Cursor(connection.connection)


def _earlier(key: str):
    with prepared_cursor() as cursor:
        cursor.execute("SELECT request_hash, result FROM ledger_command WHERE key = %s", [key], prepare=True)
        return cursor.fetchone()


def _answer(key: str, request_hash: str, earlier) -> dict:
    stored_hash, result = earlier
    if stored_hash != request_hash:
        raise IdempotencyConflict(key)
    return json.loads(result) if isinstance(result, str) else result


@dataclass(frozen=True)
class _Command:
    key: str
    operation: str
    request_hash: str

    def row(self, result: dict) -> dict:
        """The parameters for storing this command with `result` inside the work's own statement."""
        return {
            "key": self.key,
            "operation": self.operation,
            "request_hash": self.request_hash,
            "result": json.dumps(result),
        }


@dataclass(frozen=True)
class _Stored:
    """Returned by work that stored its command row itself (one round trip less on the booking hot path)."""

    result: dict


def idempotent(
    operation: str, key: str, request: dict, work: Callable[..., dict], *, stores_itself: bool = False
) -> dict:
    """Run `work` once per key in one transaction and store its result; replay it for a retry.

    Two copies of one request at the same moment: the second waits for the person's lock inside `work`. When
    it gets there, either its work fails (the first copy changed the state) or its result cannot be stored
    (the key is taken); both times it looks again and answers with the first copy's result (or 409). With
    `stores_itself`, `work(command)` writes the command row in its own statement (`command.row(result)`) and
    returns `_Stored(result)`: the booking hot path saves two round trips that way."""
    if not key or len(key) > 120:
        raise LedgerError(_("Every request needs an idempotency key of 1 to 120 characters."))
    request_hash = _request_hash(operation, request)
    for attempt in range(RETRIES):
        try:
            with transaction.atomic():
                # Work that stores its own command row finds a repeated key when it stores it; others look first.
                earlier = None if stores_itself else _earlier(key)
                if earlier is not None:
                    return _answer(key, request_hash, earlier)
                command = _Command(key, operation, request_hash)
                try:
                    result = work(command) if stores_itself else work()
                except LedgerError:
                    twin = _earlier(key)  # a new statement: it sees what committed while we waited
                    if twin is None:
                        raise
                    raise _AnsweredByTwin(twin) from None
                if stores_itself:
                    return result.result
                with connection.cursor() as cursor:
                    cursor.execute(
                        "INSERT INTO ledger_command (key, operation, request_hash, result, created_at) "
                        "VALUES (%(key)s, %(operation)s, %(request_hash)s, %(result)s::jsonb, now())",
                        command.row(result),
                    )
                return result
        except _AnsweredByTwin as twin:
            return _answer(key, request_hash, twin.earlier)
        except (IntegrityError, psycopg.IntegrityError):  # Django's, or from the prepared cursor
            earlier = _earlier(key)
            if earlier is None:  # not the key: a constraint refused the work itself
                raise
            return _answer(key, request_hash, earlier)  # the key was stored first, by a copy of this request
        except (OperationalError, psycopg.errors.SerializationFailure, psycopg.errors.DeadlockDetected) as exc:
            if not _retryable(exc) or attempt == RETRIES - 1:
                raise
            time.sleep(0.01 * 2**attempt)
    raise AssertionError("unreachable")  # pragma: no cover


def _not_expired(expires_on: datetime.date | None, today: datetime.date) -> None:
    if expires_on is not None and expires_on < today:
        raise LedgerError(_("The expiry date %(date)s has passed: choose a date in the future."), date=expires_on)


def _lock(resident_id: int) -> Leerrekening:
    """Open the Leerrekening when needed and lock its row: every change to one person is serialised here."""
    locked = Leerrekening.objects.select_for_update(no_key=True).filter(resident_id=resident_id)
    leerrekening = locked.first()
    if leerrekening is None:  # the first money for this person opens the account
        Leerrekening.objects.get_or_create(resident_id=resident_id)
        leerrekening = locked.get()
    return leerrekening


def _journal(kind, *, description, today, actor=None, reverses=None, reservation=None) -> Journal:
    return Journal.objects.create(
        kind=kind,
        description=description[:200],
        effective_date=today,
        created_by=actor if actor is not None and actor.is_authenticated else None,
        reverses=reverses,
        reservation=reservation,
    )


def _audit(actor, journal: Journal, amount_cents: int, subject=None) -> None:
    record_money_movement(
        actor, amount_cents=amount_cents, obj=journal, reason=journal.description, subject_person=subject
    )


def system_account(kind: SystemAccount.Kind, name: str, **natural_key) -> SystemAccount:
    """The system account with this natural key (scheme, year, employer, ...), created on first use."""
    account, _created = SystemAccount.objects.get_or_create(kind=kind, **natural_key, defaults={"name": name})
    return account


def forfeited_account(source: SystemAccount) -> SystemAccount:
    return system_account(SystemAccount.Kind.FORFEITED, f"Vervallen: {source.name}", source=source)


# --- deposits and caps -------------------------------------------------------------------------------


def _check_caps(leerrekening: Leerrekening, kind: str, amount: int) -> None:
    caps = dict(Cap.objects.values_list("pot_kind", "max_cents"))
    if not caps:
        return
    pots = Pot.objects.filter(leerrekening=leerrekening)
    for cap_kind, queryset in ((kind, pots.filter(kind=kind)), ("", pots)):
        if cap_kind in caps:
            held = sum(queryset.values_list("posted_cents", flat=True))
            if held + amount > caps[cap_kind]:
                raise CapExceeded(
                    _(
                        "This deposit of %(amount)s would bring the balance to %(total)s, above the ceiling of "
                        "%(cap)s. Deposit at most %(room)s."
                    ),
                    amount=format_cents(amount),
                    total=format_cents(held + amount),
                    cap=format_cents(caps[cap_kind]),
                    room=format_cents(max(caps[cap_kind] - held, 0)),
                )


def deposit(
    *,
    key: str,
    resident_id: int,
    source: SystemAccount,
    pot_kind: PotKind,
    lot: str,
    amount_cents: int,
    categories: Iterable[Category],
    expires_on: datetime.date | None,
    description: str,
    actor=None,
    clock: Clock = SYSTEM_CLOCK,
) -> dict:
    """Credit a pot of the resident from `source` (a budget, employer, sector fund or own-money clearing)."""
    amount = _cents(amount_cents)
    earmark = earmark_of(categories)
    if earmark == 0:
        raise LedgerError(_("Say what the money may pay for: choose at least one spending category."))
    request = {
        "resident": resident_id,
        "source": source.pk,
        "kind": str(pot_kind),
        "lot": lot,
        "amount": amount,
        "earmark": earmark,
        "expires_on": expires_on,
    }

    def work() -> dict:
        # Checks against the clock run inside: a retry after the date must still get its first answer.
        today = clock.today()
        _not_expired(expires_on, today)
        leerrekening = _lock(resident_id)
        _check_caps(leerrekening, pot_kind, amount)
        pot, created = Pot.objects.get_or_create(
            leerrekening=leerrekening,
            source=source,
            lot=lot,
            defaults={"kind": pot_kind, "earmark": earmark, "expires_on": expires_on},
        )
        if not created and (pot.kind, pot.earmark, pot.expires_on) != (pot_kind, earmark, expires_on):
            raise LedgerError(
                _("Lot %(lot)s of this source already exists with other conditions: use a new lot."), lot=lot
            )
        journal = _journal(Journal.Kind.DEPOSIT, description=description, today=today, actor=actor)
        Leg.objects.bulk_create(
            [
                Leg(journal=journal, pot=pot, amount_cents=amount),
                Leg(journal=journal, system_account=source, amount_cents=-amount),
            ]
        )
        _audit(actor, journal, amount, leerrekening.resident.uuid)
        return {"journal": str(journal.uuid), "pot": str(pot.uuid), "amount_cents": amount}

    return idempotent("deposit", key, request, work)


# --- the waterfall -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Draw:
    pot_id: int
    pot_uuid: str
    kind: str
    lot: str
    expires_on: datetime.date | None
    amount_cents: int


@dataclass(frozen=True)
class Preview:
    price_cents: int
    draws: list[Draw]

    @property
    def covered_cents(self) -> int:
        return sum(d.amount_cents for d in self.draws)

    @property
    def own_share_cents(self) -> int:
        return self.price_cents - self.covered_cents

    def as_dict(self) -> dict:
        return {
            "price_cents": self.price_cents,
            "covered_cents": self.covered_cents,
            "own_share_cents": self.own_share_cents,
            "draws": [
                {
                    "pot": d.pot_uuid,
                    "kind": d.kind,
                    "lot": d.lot,
                    "expires_on": d.expires_on.isoformat() if d.expires_on else None,
                    "amount_cents": d.amount_cents,
                }
                for d in self.draws
            ],
        }


# The pots that may pay for a category today, with what is available in each. Booking adds the lock (below).
_POTS_SQL = """
    SELECT p.id, p.uuid, p.kind, p.lot, p.earmark, p.expires_on, p.posted_cents - p.pending_cents
      FROM ledger_leerrekening l
      JOIN ledger_pot p ON p.leerrekening_id = l.resident_id
     WHERE l.resident_id = %s AND (p.earmark & %s) <> 0 AND (p.expires_on IS NULL OR p.expires_on >= %s)
       AND p.posted_cents > p.pending_cents
"""


def waterfall(pots: Sequence[tuple], price: int) -> list[Draw]:
    """Which pot pays how much, in the order the design promises people: pots whose earmark allows the
    category (the caller filters those), most restricted first (fewest categories), soonest expiry first (no
    expiry last), oldest pot first. What no pot covers is the person's own share."""

    def order(row):
        pot_id, _uuid, _kind, _lot, earmark, expires_on, _available = row
        return (earmark.bit_count(), expires_on or datetime.date.max, pot_id)

    draws, left = [], price
    for pot_id, pot_uuid, kind, lot, _earmark, expires_on, available in sorted(pots, key=order):
        if left == 0:
            break
        take = min(available, left)
        draws.append(Draw(pot_id, str(pot_uuid), kind, lot, expires_on, take))
        left -= take
    return draws


def preview(*, resident_id: int, category: Category, price_cents: int, clock: Clock = SYSTEM_CLOCK) -> Preview:
    """What a booking would draw from which pot, without changing anything."""
    price = _cents(price_cents, "price")
    with connection.cursor() as cursor:
        cursor.execute(_POTS_SQL, [resident_id, int(category), clock.today()])
        return Preview(price, waterfall(cursor.fetchall(), price))


def usable_pots(*, resident_id: int, clock: Clock = SYSTEM_CLOCK) -> list[tuple]:
    """The person's pots with money to use today, of every category: read once for many previews (a page of
    search results) with `preview_from`."""
    with connection.cursor() as cursor:
        cursor.execute(_POTS_SQL, [resident_id, ALL_CATEGORIES, clock.today()])
        return cursor.fetchall()


def preview_from(pots: Sequence[tuple], *, category: Category, price_cents: int) -> Preview:
    """`preview` over pots read before with `usable_pots`: the same draws, without another query."""
    price = _cents(price_cents, "price")
    return Preview(price, waterfall([pot for pot in pots if pot[4] & int(category)], price))


# --- reservations --------------------------------------------------------------------------------------


# Lock the person's Leerrekening and their eligible pots in one statement. Locking the pots too matters: a
# booking that waited for the lock gets each pot as the previous holder left it (PostgreSQL re-reads a locked row
# that changed meanwhile), not as it was when this statement started.
_LOCKED_POTS_SQL = _POTS_SQL + "   FOR NO KEY UPDATE OF l, p"
_INSERT_RESERVATION_SQL = """
WITH command AS (
    INSERT INTO ledger_command (key, operation, request_hash, result, created_at)
    VALUES (%(key)s, %(operation)s, %(request_hash)s, %(result)s::jsonb, now())
), reservation AS (
    INSERT INTO ledger_reservation (uuid, leerrekening_id, payee_id, category, price_cents, reserved_cents,
                                    status, reference, expires_at, created_at)
    VALUES (%(uuid)s, %(resident)s, %(payee)s, %(category)s, %(price)s, %(covered)s, 'pending', %(reference)s,
            %(expires_at)s, now())
    RETURNING id
)
INSERT INTO ledger_reservationpart (reservation_id, pot_id, position, amount_cents)
SELECT reservation.id, part.pot_id, part.position - 1, part.amount
  FROM reservation, unnest(%(pots)s::bigint[], %(amounts)s::bigint[]) WITH ORDINALITY AS part(pot_id, amount, position)
"""


def reserve(
    *,
    key: str,
    resident_id: int,
    category: Category,
    price_cents: int,
    payee: SystemAccount,
    expires_at: datetime.datetime,
    reference: str = "",
    actor=None,
    clock: Clock = SYSTEM_CLOCK,
) -> dict:
    """Hold money in the person's pots for one purchase (phase one of two). Returns what each pot holds and
    the person's own share. Raises NothingToPayWith when no pot can pay for this category."""
    price = _cents(price_cents, "price")
    category = Category(category)
    request = {
        "resident": resident_id,
        "category": int(category),
        "price": price,
        "payee": payee.pk,
        "expires_at": expires_at,
        "reference": reference,
    }

    def work(command: "_Command") -> "_Stored":
        if expires_at <= clock.now():
            raise LedgerError(_("A reservation must end in the future."))
        # The hot path of every booking: plain SQL, two statements (locked pots; reservation, parts and command).
        with prepared_cursor() as cursor:
            cursor.execute(_LOCKED_POTS_SQL, [resident_id, int(category), clock.today()], prepare=True)
            draws = waterfall(cursor.fetchall(), price)
            covered = sum(d.amount_cents for d in draws)
            if covered == 0:
                raise NothingToPayWith(
                    _("None of your pots can pay for %(category)s. You can pay the whole price yourself."),
                    category=category.label,
                )
            reservation_uuid = uuid.uuid4()
            result = {"reservation": str(reservation_uuid), **Preview(price, draws).as_dict()}
            cursor.execute(
                _INSERT_RESERVATION_SQL,
                {
                    "uuid": reservation_uuid,
                    "resident": resident_id,
                    "payee": payee.pk,
                    "category": int(category),
                    "price": price,
                    "covered": covered,
                    "reference": reference[:100],
                    "expires_at": expires_at,
                    "pots": [d.pot_id for d in draws],
                    "amounts": [d.amount_cents for d in draws],
                    **command.row(result),
                },
                prepare=True,
            )
        return _Stored(result)

    return idempotent("reserve", key, request, work, stores_itself=True)


def _open_reservation(reservation_uuid) -> Reservation:
    reservation = Reservation.objects.filter(uuid=reservation_uuid).first()
    if reservation is None:
        raise NotFound(_("There is no reservation %(uuid)s."), uuid=reservation_uuid)
    _lock(reservation.leerrekening_id)
    reservation.refresh_from_db()
    if reservation.status != Reservation.Status.PENDING:
        raise InvalidTransition(
            _("This reservation is already %(status)s; it can change only once."),
            status=reservation.get_status_display().lower(),
        )
    return reservation


def _split(amount: int, shares: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Spread `amount` over (pot_id, room) in order, filling each pot's room before the next."""
    out, left = [], amount
    for pot_id, room in shares:
        take = min(room, left)
        if take:
            out.append((pot_id, take))
            left -= take
    if left:
        raise InsufficientFunds(_("The amount is larger than what is left to pay back."))
    return out


def post(
    *, key: str, reservation_uuid, amount_cents: int | None = None, actor=None, clock: Clock = SYSTEM_CLOCK
) -> dict:
    """Pay out a reservation to its payee, fully or partly (phase two); the rest goes back to the pots."""
    request = {"reservation": str(reservation_uuid), "amount": amount_cents}

    def work() -> dict:
        reservation = _open_reservation(reservation_uuid)
        now = clock.now()
        if now > reservation.expires_at:
            raise InvalidTransition(_("This reservation has expired; it can no longer be paid out."))
        amount = reservation.reserved_cents if amount_cents is None else _cents(amount_cents)
        if amount > reservation.reserved_cents:
            raise InvalidAmount(
                _("You can pay out at most the reserved %(reserved)s."),
                reserved=format_cents(reservation.reserved_cents),
            )
        parts = list(reservation.parts.values_list("pot_id", "amount_cents"))
        reservation.status, reservation.posted_cents, reservation.resolved_at = Reservation.Status.POSTED, amount, now
        reservation.save(update_fields=["status", "posted_cents", "resolved_at"])  # releases the hold (trigger)
        journal = _journal(
            Journal.Kind.PAYOUT,
            description=f"Uitbetaling {reservation.reference or reservation.uuid}",
            today=clock.today(),
            actor=actor,
            reservation=reservation,
        )
        Leg.objects.bulk_create(
            [Leg(journal=journal, pot_id=pot_id, amount_cents=-take) for pot_id, take in _split(amount, parts)]
            + [Leg(journal=journal, system_account_id=reservation.payee_id, amount_cents=amount)]
        )
        _audit(actor, journal, amount, reservation.leerrekening.resident.uuid)
        return {
            "reservation": str(reservation.uuid),
            "journal": str(journal.uuid),
            "posted_cents": amount,
            "released_cents": reservation.reserved_cents - amount,
        }

    return idempotent("post", key, request, work)


def void(*, key: str, reservation_uuid, actor=None, clock: Clock = SYSTEM_CLOCK) -> dict:
    """Cancel a reservation: everything it held goes back to the pots it came from."""

    def work() -> dict:
        reservation = _open_reservation(reservation_uuid)
        reservation.status, reservation.resolved_at = Reservation.Status.VOIDED, clock.now()
        reservation.save(update_fields=["status", "resolved_at"])
        return {"reservation": str(reservation.uuid), "released_cents": reservation.reserved_cents}

    return idempotent("void", key, {"reservation": str(reservation_uuid)}, work)


def reverse_payout(
    *,
    key: str,
    reservation_uuid,
    amount_cents: int,
    kind: Journal.Kind = Journal.Kind.REFUND,
    reason: str,
    actor=None,
    clock: Clock = SYSTEM_CLOCK,
) -> dict:
    """Refund or claw back (part of) a payout: a reversing journal that points to the payout and returns the
    money to the pots it came from, in the order they paid, keeping their earmark and expiry."""
    if kind not in (Journal.Kind.REFUND, Journal.Kind.CLAWBACK):
        raise LedgerError(_("A payout can only be reversed by a refund or a clawback."))
    amount = _cents(amount_cents)
    request = {"reservation": str(reservation_uuid), "amount": amount, "kind": str(kind), "reason": reason}

    def work() -> dict:
        reservation = Reservation.objects.filter(uuid=reservation_uuid).first()
        if reservation is None:
            raise NotFound(_("There is no reservation %(uuid)s."), uuid=reservation_uuid)
        _lock(reservation.leerrekening_id)
        payout = Journal.objects.filter(reservation=reservation, kind=Journal.Kind.PAYOUT).first()
        if payout is None:
            raise InvalidTransition(_("Only money that was paid out can be refunded or clawed back."))
        paid = dict(payout.legs.filter(pot__isnull=False).values_list("pot_id", "amount_cents"))
        returned: dict[int, int] = {}
        for pot_id, cents in Leg.objects.filter(journal__reverses=payout, pot__isnull=False).values_list(
            "pot_id", "amount_cents"
        ):
            returned[pot_id] = returned.get(pot_id, 0) + cents
        order = reservation.parts.values_list("pot_id", flat=True)
        room = [(pot_id, -paid[pot_id] - returned.get(pot_id, 0)) for pot_id in order if pot_id in paid]
        journal = _journal(
            kind, description=reason, today=clock.today(), actor=actor, reverses=payout, reservation=reservation
        )
        Leg.objects.bulk_create(
            [Leg(journal=journal, pot_id=pot_id, amount_cents=take) for pot_id, take in _split(amount, room)]
            + [Leg(journal=journal, system_account_id=reservation.payee_id, amount_cents=-amount)]
        )
        _audit(actor, journal, amount, reservation.leerrekening.resident.uuid)
        return {"journal": str(journal.uuid), "returned_cents": amount}

    return idempotent(f"reverse_{kind}", key, request, work)


# --- expiry ---------------------------------------------------------------------------------------------


def expire(*, clock: Clock = SYSTEM_CLOCK, batch_size: int = 1000, actor=None) -> dict:
    """The sweeper: end reservations past their deadline, and return what is left in expired pots to the
    forfeited account of their source. Safe to run at any time and as often as you like."""
    now, today = clock.now(), clock.today()
    expired_reservations = forfeited_pots = forfeited_cents = 0
    while True:
        with transaction.atomic():
            batch = list(
                Reservation.objects.filter(status=Reservation.Status.PENDING, expires_at__lt=now)
                .order_by("leerrekening_id", "id")
                .values_list("leerrekening_id", flat=True)[:batch_size]
            )
            if not batch:
                break
            for leerrekening_id in sorted(set(batch)):
                _lock(leerrekening_id)
            expired_reservations += Reservation.objects.filter(
                status=Reservation.Status.PENDING, expires_at__lt=now, leerrekening_id__in=batch
            ).update(status=Reservation.Status.EXPIRED, resolved_at=now)
    while True:
        with transaction.atomic():
            owners = list(
                Pot.objects.filter(expires_on__lt=today, posted_cents__gt=F("pending_cents"))
                .order_by("leerrekening_id")
                .values_list("leerrekening_id", flat=True)
                .distinct()[:batch_size]
            )
            if not owners:
                break
            for leerrekening_id in owners:
                _lock(leerrekening_id)
            pots = list(
                Pot.objects.filter(
                    leerrekening_id__in=owners, expires_on__lt=today, posted_cents__gt=F("pending_cents")
                ).values_list("id", "source_id", "posted_cents", "pending_cents")
            )
            journal = _journal(Journal.Kind.EXPIRY, description="Vervallen tegoed", today=today, actor=actor)
            legs, per_source = [], {}
            for pot_id, source_id, posted, pending in pots:
                legs.append(Leg(journal=journal, pot_id=pot_id, amount_cents=-(posted - pending)))
                per_source[source_id] = per_source.get(source_id, 0) + posted - pending
            for source_id, cents in per_source.items():
                target = forfeited_account(SystemAccount.objects.get(pk=source_id))
                legs.append(Leg(journal=journal, system_account=target, amount_cents=cents))
            Leg.objects.bulk_create(legs)
            total = sum(per_source.values())
            _audit(actor, journal, total)
            forfeited_pots += len(pots)
            forfeited_cents += total
    return {
        "expired_reservations": expired_reservations,
        "forfeited_pots": forfeited_pots,
        "forfeited_cents": forfeited_cents,
    }


# --- bulk allocation -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class AllocationRow:
    resident_id: int
    amount_cents: int


# One statement per chunk. Each new pot is born holding its amount and gets its one leg in the same statement:
# the leg of an allocation journal opens its pot instead of moving the balance, and the triggers of migration
# 0004 check that every touched pot holds exactly the sum of its legs. The unique (leerrekening, source, lot)
# makes a resident credited before under this lot a conflict that inserts nothing: exactly once per resident.
_ALLOCATE_CHUNK_SQL = """
WITH rows AS (
    SELECT * FROM unnest(%(residents)s::bigint[], %(amounts)s::bigint[]) AS r(resident_id, amount)
), opened AS (
    INSERT INTO ledger_leerrekening (resident_id, uuid, opened_at)
    SELECT resident_id, {uuid}, now() FROM rows
    ON CONFLICT (resident_id) DO NOTHING
), allowed AS ({allowed}
), pots AS (
    INSERT INTO ledger_pot (uuid, leerrekening_id, kind, source_id, lot, earmark, expires_on,
                            posted_cents, pending_cents, created_at)
    SELECT {uuid}, resident_id, %(kind)s, %(source)s, %(lot)s, %(earmark)s, %(expires_on)s, amount, 0, now()
      FROM allowed
    ON CONFLICT (leerrekening_id, source_id, lot) DO NOTHING
    RETURNING id, posted_cents
), legs AS (
    INSERT INTO ledger_leg (journal_id, pot_id, amount_cents)
    SELECT %(journal)s, id, posted_cents FROM pots
    RETURNING amount_cents
)
SELECT count(*), coalesce(sum(amount_cents), 0)::bigint FROM legs
"""
_ALL_ROWS = "SELECT * FROM rows"
# With a cap in force, a resident whose balance would rise above it is not credited (the rules should have
# capped the amount; the ledger refuses rather than creates money above the ceiling).
_ROWS_WITHIN_CAPS = """
    SELECT r.* FROM rows r, LATERAL (
        SELECT coalesce(sum(posted_cents) FILTER (WHERE kind = %(kind)s), 0) AS kind_held,
               coalesce(sum(posted_cents), 0) AS all_held
          FROM ledger_pot WHERE leerrekening_id = r.resident_id) h
     WHERE (%(cap_kind)s::bigint IS NULL OR h.kind_held + r.amount <= %(cap_kind)s::bigint)
       AND (%(cap_all)s::bigint IS NULL OR h.all_held + r.amount <= %(cap_all)s::bigint)"""


def _new_uuid_sql() -> str:
    """Time-ordered UUIDs (version 7, PostgreSQL 18) where the server has them: a new pot's index entry then
    lands beside the previous one instead of on a random page of an index of millions (fewer pages written)."""
    connection.ensure_connection()
    return "uuidv7()" if connection.pg_version >= 180000 else "gen_random_uuid()"


class _NothingCredited(Exception):
    pass


def allocate(
    rows: Sequence[AllocationRow],
    *,
    run_key: str,
    source: SystemAccount,
    pot_kind: PotKind,
    lot: str,
    categories: Iterable[Category],
    expires_on: datetime.date | None,
    chunk_size: int = 10_000,
    progress: Callable[[int], None] | None = None,
    actor=None,
    clock: Clock = SYSTEM_CLOCK,
    workers: int = 2,
) -> dict:
    """Credit many residents at once (the yearly learning rights), one journal per chunk with one aggregated
    leg against `source`. Resumable: a chunk commits with its AllocationChunk record, so a rerun with the same
    `run_key` skips finished chunks; and a resident has at most one pot per source and lot, so nobody is
    credited twice, even when a rerun is chunked differently. `rows` must be sorted by resident_id.
    See `allocate_arrays` (the same, from two arrays, faster for millions) for `workers`.

    Returns how many residents were credited now, how many were in chunks finished before, and how many
    were refused (credited before under this lot, or above a cap)."""
    import numpy as np

    amounts = [row.amount_cents for row in rows]
    if not set(map(type, amounts)) <= {int}:  # bool and float are refused, as by _cents
        for amount in amounts:
            _cents(amount)
    try:
        amounts_array = np.array(amounts, dtype=np.int64)
    except OverflowError:
        raise InvalidAmount(_NOT_CENTS["amount"][0]) from None
    return allocate_arrays(
        np.fromiter((row.resident_id for row in rows), dtype=np.int64, count=len(rows)),
        amounts_array,
        run_key=run_key,
        source=source,
        pot_kind=pot_kind,
        lot=lot,
        categories=categories,
        expires_on=expires_on,
        chunk_size=chunk_size,
        progress=progress,
        actor=actor,
        clock=clock,
        workers=workers,
    )


def allocate_arrays(
    resident_ids,
    amounts_cents,
    *,
    run_key: str,
    source: SystemAccount,
    pot_kind: PotKind,
    lot: str,
    categories: Iterable[Category],
    expires_on: datetime.date | None,
    chunk_size: int = 10_000,
    progress: Callable[[int], None] | None = None,
    actor=None,
    clock: Clock = SYSTEM_CLOCK,
    workers: int = 2,
) -> dict:
    """`allocate` from two equally long integer arrays (numpy, or anything numpy reads as one): resident ids,
    strictly increasing, and their amounts in cents. Checks them in a few vectorised passes instead of one
    Python object per resident.

    With `workers` > 1 and no transaction open on the caller's connection, that many threads, each with its own
    database connection, take the chunks by turns: each chunk is still one transaction with its AllocationChunk
    record, so a crash leaves whole chunks and a rerun does the rest. Inside a transaction (a test, or a caller
    that wants all-or-nothing) the chunks run one after the other in it. `progress` is called from the calling
    thread, once per chunk, with the number of residents of that chunk."""
    import numpy as np

    ids, amounts = np.asarray(resident_ids), np.asarray(amounts_cents)
    if ids.ndim != 1 or amounts.shape != ids.shape:
        raise LedgerError(_("Give one amount for each resident."))
    if len(ids) and (ids.dtype.kind not in "iu" or np.any(ids[1:] <= ids[:-1]) or ids[-1] > np.iinfo(np.int64).max):
        raise LedgerError(_("The allocation list must be sorted by resident and name each resident once."))
    if len(amounts) and amounts.dtype.kind not in "iu":
        raise InvalidAmount(_NOT_CENTS["amount"][0])
    if len(amounts) and amounts.min() <= 0:
        raise InvalidAmount(_NOT_CENTS["amount"][1])
    if len(amounts) and amounts.max() > np.iinfo(np.int64).max:
        raise InvalidAmount(_NOT_CENTS["amount"][0])
    ids, amounts = ids.astype(np.int64, copy=False), amounts.astype(np.int64, copy=False)
    earmark = earmark_of(categories)
    if earmark == 0:
        raise LedgerError(_("Say what the money may pay for: choose at least one spending category."))
    if chunk_size < 1:
        raise LedgerError(_("A chunk must hold at least one resident."))

    from levenlang.ledger.models import AllocationChunk

    caps = dict(Cap.objects.filter(pot_kind__in=["", pot_kind]).values_list("pot_kind", "max_cents"))
    sql = _ALLOCATE_CHUNK_SQL.replace("{allowed}", _ROWS_WITHIN_CAPS if caps else _ALL_ROWS)
    sql = sql.replace("{uuid}", _new_uuid_sql())
    done = set(AllocationChunk.objects.filter(run_key=run_key).values_list("number", flat=True))
    numbers = range(math.ceil(len(ids) / chunk_size))
    todo = [number for number in numbers if number not in done]
    if todo:  # work left: its pots must not be born expired
        _not_expired(expires_on, clock.today())
    today = clock.today()
    fixed = {
        "kind": str(pot_kind),
        "source": source.pk,
        "lot": lot,
        "earmark": earmark,
        "expires_on": expires_on,
        "cap_kind": caps.get(str(pot_kind)),
        "cap_all": caps.get(""),
    }

    def chunk(number: int) -> tuple[int, int]:
        """Credit one chunk in one transaction; returns (residents credited, cents)."""
        start = number * chunk_size
        with transaction.atomic():
            with connection.cursor() as cursor:
                # A commit lost in a server crash loses its AllocationChunk record with it: the rerun redoes it.
                cursor.execute("SET LOCAL synchronous_commit = off")
            journal, credited, cents = None, 0, 0
            try:
                with transaction.atomic():  # a savepoint: a chunk that credits nobody leaves no journal
                    journal = _journal(
                        Journal.Kind.ALLOCATION,
                        description=f"{source.name} ({lot}), deel {number + 1}",
                        today=today,
                        actor=actor,
                    )
                    with connection.cursor() as cursor:
                        cursor.execute(
                            sql,
                            {
                                **fixed,
                                "residents": ids[start : start + chunk_size].tolist(),
                                "amounts": amounts[start : start + chunk_size].tolist(),
                                "journal": journal.pk,
                            },
                        )
                        credited, cents = cursor.fetchone()
                    if not credited:
                        raise _NothingCredited
                    Leg.objects.create(journal=journal, system_account=source, amount_cents=-cents)
                    _audit(actor, journal, cents)
            except _NothingCredited:
                journal = None
            AllocationChunk.objects.create(
                run_key=run_key, number=number, journal=journal, residents=credited, amount_cents=cents
            )
        return credited, cents

    def size(number: int) -> int:
        return min(chunk_size, len(ids) - number * chunk_size)

    result = {"credited": 0, "done_before": 0, "refused": 0, "amount_cents": 0}
    for number in numbers:
        if number in done:
            result["done_before"] += size(number)
            if progress:
                progress(size(number))

    def finished(number: int, credited: int, cents: int) -> None:
        result["credited"] += credited
        result["refused"] += size(number) - credited
        result["amount_cents"] += cents
        if progress:
            progress(size(number))

    if workers > 1 and len(todo) > 1 and not connection.in_atomic_block:
        _in_threads(todo, chunk, min(workers, len(todo)), finished)
    else:
        for number in todo:
            finished(number, *chunk(number))
    return result


def _in_threads(numbers: list[int], work: Callable[[int], tuple], workers: int, finished: Callable) -> None:
    """Run `work(number)` for every number on `workers` threads (each uses its own database connection, as
    Django gives every thread its own), calling `finished(number, *result)` here as results come in. On the
    first error the threads take no new number; the error is raised once they have all stopped."""
    numbers_left = iter(numbers)
    take = threading.Lock()
    results: queue.Queue = queue.Queue()
    stop = threading.Event()

    def run() -> None:
        try:
            while not stop.is_set():
                with take:
                    number = next(numbers_left, None)
                if number is None:
                    break
                results.put((number, work(number), None))
        except BaseException as exc:  # handed to the calling thread
            stop.set()
            results.put((None, None, exc))
        finally:
            connection.close()
            results.put(None)

    threads = [threading.Thread(target=run, name=f"allocate-{n}", daemon=True) for n in range(workers)]
    for thread in threads:
        thread.start()
    error, running = None, workers
    while running:
        item = results.get()
        if item is None:
            running -= 1
        elif item[2] is not None:
            error = error or item[2]
        elif error is None:
            finished(item[0], *item[1])
    for thread in threads:
        thread.join()
    if error is not None:
        raise error


# --- own money ------------------------------------------------------------------------------------------

OWN_POT_LOT = "eigen-geld"


def own_money_account() -> SystemAccount:
    return system_account(SystemAccount.Kind.OWN_MONEY, "Eigen geld (ontvangen betalingen)", scheme="eigen-geld")


def start_own_deposit(*, key: str, resident_id: int, amount_cents: int, provider) -> dict:
    """Open a payment for own money; the money reaches the Leerrekening in `settle_own_payment`."""
    from levenlang.ledger.models import OwnPayment

    amount = _cents(amount_cents)

    def work() -> dict:
        leerrekening = _lock(resident_id)
        payment = OwnPayment.objects.create(leerrekening=leerrekening, amount_cents=amount, provider=provider.name)
        return {"payment": str(payment.uuid), "checkout_url": provider.checkout_url(payment), "amount_cents": amount}

    return idempotent("start_own_deposit", key, {"resident": resident_id, "amount": amount}, work)


def settle_own_payment(*, payment_uuid, paid: bool, reference: str, provider, actor=None, clock=SYSTEM_CLOCK) -> dict:
    """Book the outcome of a payment once: paid → a deposit into the own-money pot (any category, no expiry);
    cancelled → nothing moves. The provider is asked whether it was really paid."""
    from levenlang.ledger.models import OwnPayment

    def work() -> dict:
        payment = OwnPayment.objects.filter(uuid=payment_uuid).first()
        if payment is None:
            raise NotFound(_("There is no payment %(uuid)s."), uuid=payment_uuid)
        _lock(payment.leerrekening_id)
        payment.refresh_from_db()
        if payment.status != OwnPayment.Status.OPEN:
            raise InvalidTransition(_("This payment is already %(status)s."), status=payment.get_status_display())
        payment.settled_at = clock.now()
        payment.provider_reference = reference[:120]
        if not paid:
            payment.status = OwnPayment.Status.CANCELLED
            payment.save(update_fields=["status", "settled_at", "provider_reference"])
            return {"payment": str(payment.uuid), "status": payment.status}
        if not provider.is_paid(payment, reference):
            raise InvalidTransition(_("The payment provider does not confirm this payment; nothing was booked."))
        result = deposit(
            key=f"own-payment:{payment.uuid}",
            resident_id=payment.leerrekening_id,
            source=own_money_account(),
            pot_kind=PotKind.OWN,
            lot=OWN_POT_LOT,
            amount_cents=payment.amount_cents,
            categories=list(Category),
            expires_on=None,
            description="Eigen storting",
            actor=actor,
            clock=clock,
        )
        payment.status, payment.journal = OwnPayment.Status.PAID, Journal.objects.get(uuid=result["journal"])
        payment.save(update_fields=["status", "settled_at", "provider_reference", "journal"])
        return {"payment": str(payment.uuid), "status": payment.status, **result}

    return idempotent("settle_own_payment", f"settle:{payment_uuid}", {"paid": paid, "reference": reference}, work)
