"""The read side of the ledger: what a person's Leerrekening holds and how it got there (docs/ledger.md,
"Statements"). Nothing here writes; money moves only in ledger/services/.

`statement_for(resident)` gathers everything a statement shows in three statements, however long the history:
the pots with their source, every leg on those pots (with its journal), and the open reservations with their
parts. Running balances are added up in Python while the legs stream by, over all pots together and per pot.
The statements are plain SQL through a cursor, not the ORM: the page is read often, and building ORM queries and
model instances cost more CPU than the rest of the page (docs/performance.md, "Pages").
"""

import datetime
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db import connection

from levenlang.core.categories import ALL_CATEGORIES, Category, categories_in
from levenlang.ledger.clock import SYSTEM_CLOCK, Clock
from levenlang.ledger.models import Journal, Leerrekening, PotKind, Reservation
from levenlang.residents.services import Resident

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise  # labels are lazy: translated when shown


@dataclass(frozen=True)
class PotBalance:
    """One pot as a person sees it: where the money comes from, what it may pay for, until when, how much."""

    id: int
    uuid: uuid.UUID
    kind: PotKind
    source_name: str
    lot: str
    label: str  # a short name for the pot in the history, unique within this Leerrekening
    earmark: int
    expires_on: datetime.date | None
    expired: bool
    posted_cents: int
    pending_cents: int

    @property
    def kind_label(self) -> "StrOrPromise":
        return self.kind.label

    @property
    def available_cents(self) -> int:
        return self.posted_cents - self.pending_cents

    @property
    def categories(self) -> list[Category]:
        return categories_in(self.earmark)

    @property
    def category_labels(self) -> "list[StrOrPromise]":
        return [c.label for c in self.categories]

    @property
    def for_every_category(self) -> bool:
        return self.earmark == ALL_CATEGORIES


@dataclass(frozen=True)
class HistoryLine:
    """One leg on one of the person's pots, with the balance right after it."""

    date: datetime.date
    at: datetime.datetime
    journal_uuid: uuid.UUID
    kind: Journal.Kind
    description: str
    pot: PotBalance
    amount_cents: int
    balance_cents: int  # over all the person's pots together
    pot_balance_cents: int  # of this pot alone

    @property
    def kind_label(self) -> "StrOrPromise":
        return self.kind.label


@dataclass(frozen=True)
class ReservationLine:
    """Money held for a purchase that has not been paid out yet."""

    uuid: uuid.UUID
    reference: str
    category: Category
    price_cents: int
    reserved_cents: int
    created_at: datetime.datetime
    expires_at: datetime.datetime
    parts: list[tuple[PotBalance, int]]  # which pot holds how much, in waterfall order

    @property
    def own_share_cents(self) -> int:
        return self.price_cents - self.reserved_cents

    @property
    def category_label(self) -> "StrOrPromise":
        return self.category.label


@dataclass(frozen=True)
class Statement:
    resident: Resident
    leerrekening: Leerrekening | None
    made_on: datetime.date
    pots: list[PotBalance] = field(default_factory=list)
    history: list[HistoryLine] = field(default_factory=list)
    reservations: list[ReservationLine] = field(default_factory=list)

    @property
    def posted_cents(self) -> int:
        return sum(p.posted_cents for p in self.pots)

    @property
    def pending_cents(self) -> int:
        return sum(p.pending_cents for p in self.pots)

    @property
    def available_cents(self) -> int:
        return self.posted_cents - self.pending_cents

    def balance_by_month(self) -> list[dict]:
        """The balance at the end of each month, from the first month with a movement up to the statement's month
        (`{"month": first day, "balance_cents": …}`): the line chart above the history."""
        if not self.history:
            return []
        end_of, running = {}, 0
        for line in sorted(self.history, key=lambda line: line.date):  # by date, even when booked later
            running += line.amount_cents
            end_of[(line.date.year, line.date.month)] = running
        year, month = min(end_of)
        last = max((self.made_on.year, self.made_on.month), max(end_of))
        months, balance = [], 0
        while (year, month) <= last:
            balance = end_of.get((year, month), balance)
            months.append({"month": datetime.date(year, month, 1), "balance_cents": balance})
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return months

    def history_of(self, pot: PotBalance) -> list[HistoryLine]:
        """The history of one pot; `pot_balance_cents` is its running balance."""
        return [line for line in self.history if line.pot.id == pot.id]


# --- who -------------------------------------------------------------------------------------------------


def resident_of(user) -> Resident | None:
    """The resident record of a logged-in user, with their Leerrekening when they have one."""
    if not user.is_authenticated:
        return None
    return Resident.objects.select_related("leerrekening").filter(user=user).first()


def find_resident(resident_uuid) -> Resident | None:
    return Resident.objects.select_related("leerrekening").filter(uuid=resident_uuid).first()


def _leerrekening_of(resident: Resident) -> Leerrekening | None:
    try:
        return resident.leerrekening
    except Leerrekening.DoesNotExist:
        return None


# --- what --------------------------------------------------------------------------------------------------


def pot_balances(leerrekening_id: int, *, today: datetime.date) -> list[PotBalance]:
    """The person's pots, soonest expiry first (no expiry last), then oldest first: one query."""
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT p.id, p.uuid, p.kind, s.name, p.lot, p.earmark, p.expires_on, p.posted_cents, p.pending_cents
                  FROM ledger_pot p JOIN ledger_systemaccount s ON s.id = p.source_id
                 WHERE p.leerrekening_id = %s
                 ORDER BY p.expires_on, p.id""",  # PostgreSQL sorts NULL last in ascending order
            [leerrekening_id],
        )
        rows = cursor.fetchall()
    named = Counter((kind, source) for _id, _uuid, kind, source, *_rest in rows)
    pots = []
    for pot_id, pot_uuid, kind, source_name, lot, earmark, expires_on, posted, pending in rows:
        kind = PotKind(kind)
        # The own-money clearing account has a technical name; a person knows that pot as "own money".
        label = str(kind.label) if kind == PotKind.OWN else source_name
        if named[(kind, source_name)] > 1:
            label = f"{label} ({lot})"
        pots.append(
            PotBalance(
                id=pot_id,
                uuid=pot_uuid,
                kind=kind,
                source_name=source_name,
                lot=lot,
                label=label,
                earmark=earmark,
                expires_on=expires_on,
                expired=expires_on is not None and expires_on < today,
                posted_cents=posted,
                pending_cents=pending,
            )
        )
    return pots


def history(pots: list[PotBalance]) -> list[HistoryLine]:
    """Every leg on these pots, oldest first (newest last), with running balances: one query."""
    by_id = {p.id: p for p in pots}
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT l.pot_id, l.amount_cents, j.uuid, j.kind, j.description, j.effective_date, j.created_at
                  FROM ledger_leg l JOIN ledger_journal j ON j.id = l.journal_id
                 WHERE l.pot_id = ANY(%s)
                 ORDER BY j.created_at, l.journal_id, l.id""",
            [list(by_id)],
        )
        legs = cursor.fetchall()
    total, per_pot = 0, dict.fromkeys(by_id, 0)
    lines = []
    for pot_id, amount, journal_uuid, kind, description, effective_date, created_at in legs:
        total += amount
        per_pot[pot_id] += amount
        lines.append(
            HistoryLine(
                date=effective_date,
                at=created_at,
                journal_uuid=journal_uuid,
                kind=Journal.Kind(kind),
                description=description,
                pot=by_id[pot_id],
                amount_cents=amount,
                balance_cents=total,
                pot_balance_cents=per_pot[pot_id],
            )
        )
    return lines


def open_reservations(leerrekening_id: int, pots: list[PotBalance]) -> list[ReservationLine]:
    """Reservations not yet paid out or cancelled, oldest first, with what each pot holds: one statement."""
    by_id = {p.id: p for p in pots}
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT r.id, r.uuid, r.reference, r.category, r.price_cents, r.reserved_cents, r.created_at,
                       r.expires_at, p.pot_id, p.amount_cents
                  FROM ledger_reservation r
                  LEFT JOIN ledger_reservationpart p ON p.reservation_id = r.id
                 WHERE r.leerrekening_id = %s AND r.status = %s
                 ORDER BY r.created_at, r.id, p.position""",
            [leerrekening_id, Reservation.Status.PENDING.value],
        )
        rows = cursor.fetchall()
    lines: dict[int, ReservationLine] = {}
    for row_id, row_uuid, reference, category, price, reserved, created_at, expires_at, pot_id, amount in rows:
        line = lines.get(row_id)
        if line is None:
            line = lines[row_id] = ReservationLine(
                uuid=row_uuid,
                reference=reference,
                category=Category(category),
                price_cents=price,
                reserved_cents=reserved,
                created_at=created_at,
                expires_at=expires_at,
                parts=[],
            )
        if pot_id is not None:
            line.parts.append((by_id[pot_id], amount))
    return list(lines.values())


def statement_for(resident: Resident, *, clock: Clock = SYSTEM_CLOCK) -> Statement:
    """Everything a statement of `resident` shows. A resident without a Leerrekening gets an empty one."""
    today = clock.today()
    leerrekening = _leerrekening_of(resident)
    if leerrekening is None:
        return Statement(resident=resident, leerrekening=None, made_on=today)
    pots = pot_balances(leerrekening.pk, today=today)
    return Statement(
        resident=resident,
        leerrekening=leerrekening,
        made_on=today,
        pots=pots,
        history=history(pots) if pots else [],
        reservations=open_reservations(leerrekening.pk, pots) if pots else [],
    )
