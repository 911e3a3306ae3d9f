"""The commands that move money: deposits, reservations and their payout, void and reversal, expiry, own money.
Each runs under an idempotency key (services.idempotency) and locks the person's Leerrekening first."""

import datetime
import uuid
from collections.abc import Iterable

from django.db import transaction
from django.db.models import F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from levenlang.core.categories import Category, earmark_of
from levenlang.core.money import format_cents
from levenlang.ledger.clock import SYSTEM_CLOCK, Clock
from levenlang.ledger.errors import (
    CapExceeded,
    InsufficientFunds,
    InvalidAmount,
    InvalidTransition,
    LedgerError,
    NotFound,
    NothingToPayWith,
)
from levenlang.ledger.models import AmountCap, Cap, Journal, Leerrekening, Leg, Pot, PotKind, Reservation, SystemAccount
from levenlang.ledger.services.common import (
    _audit,
    _cents,
    _journal,
    _lock,
    _not_expired,
    forfeited_account,
    system_account,
)
from levenlang.ledger.services.idempotency import CommandRun, Stored, command_insert_sql, idempotent, prepared_cursor
from levenlang.ledger.services.previews import _POTS_SQL, Preview, waterfall

__all__ = [
    "OWN_POT_LOT",
    "deposit",
    "expire",
    "own_money_account",
    "post",
    "reserve",
    "reverse_payout",
    "settle_own_payment",
    "start_own_deposit",
    "void",
]


# --- deposits and caps -------------------------------------------------------------------------------


def _balance_caps(leerrekening: Leerrekening, kind: str, amount: int) -> None:
    """The optional ceilings on a balance (`Cap`: per pot kind or the whole Leerrekening), shared with allocation."""
    caps = dict(Cap.objects.values_list("pot_kind", "max_cents"))
    if not caps:
        return
    pots = Pot.objects.filter(leerrekening=leerrekening)
    for cap_kind, queryset in ((kind, pots.filter(kind=kind)), ("", pots)):
        if cap_kind in caps:
            _refuse_above(sum(queryset.values_list("posted_cents", flat=True)), amount, caps[cap_kind])


def _refuse_above(held: int, amount: int, cap: int) -> None:
    if held + amount > cap:
        raise CapExceeded(
            _(
                "This deposit of %(amount)s would bring the balance to %(total)s, above the ceiling of "
                "%(cap)s. Deposit at most %(room)s."
            ),
            amount=format_cents(amount),
            total=format_cents(held + amount),
            cap=format_cents(cap),
            room=format_cents(max(cap - held, 0)),
        )


def _amount_caps(kind: str) -> dict[str, int]:
    """The `AmountCap`s that apply to a deposit into a pot of `kind`, by rule."""
    rows = AmountCap.objects.filter(Q(pot_kind=kind) | Q(rule=AmountCap.Rule.ACCOUNT_TOTAL))
    return dict(rows.values_list("rule", "max_cents"))


def _per_deposit_cap(caps: dict[str, int], amount: int) -> None:
    cap = caps.get(AmountCap.Rule.PER_DEPOSIT)
    if cap is not None and amount > cap:
        raise CapExceeded(
            _("One deposit of this kind can be at most %(cap)s. This one is %(amount)s."),
            cap=format_cents(cap),
            amount=format_cents(amount),
        )


def _check_caps(
    leerrekening: Leerrekening, source: SystemAccount, kind: str, amount: int, today: datetime.date, *, total=True
) -> None:
    """Refuse a deposit above a ceiling (docs/ledger.md, "Ceilings on deposits"). Runs under the person's lock, so
    two deposits at once cannot both fit under a ceiling that only one fits under."""
    _balance_caps(leerrekening, kind, amount)
    caps = _amount_caps(kind)
    _per_deposit_cap(caps, amount)
    yearly = caps.get(AmountCap.Rule.PER_SOURCE_PER_YEAR)
    if yearly is not None:
        done = (
            Leg.objects.filter(
                pot__leerrekening=leerrekening,
                pot__source=source,
                journal__kind=Journal.Kind.DEPOSIT,
                journal__effective_date__year=today.year,
            ).aggregate(total=Sum("amount_cents"))["total"]
            or 0
        )
        if done + amount > yearly:
            raise CapExceeded(
                _(
                    "This source deposited %(done)s for this person in %(year)s. With %(amount)s more that would "
                    "be %(total)s, above the ceiling of %(cap)s a year. Deposit at most %(room)s this year."
                ),
                done=format_cents(done),
                year=today.year,
                amount=format_cents(amount),
                total=format_cents(done + amount),
                cap=format_cents(yearly),
                room=format_cents(max(yearly - done, 0)),
            )
    account_total = caps.get(AmountCap.Rule.ACCOUNT_TOTAL)
    if total and account_total is not None:
        held = Pot.objects.filter(leerrekening=leerrekening).aggregate(total=Sum("posted_cents"))["total"] or 0
        _refuse_above(held, amount, account_total)


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
    paid_already: bool = False,
) -> dict:
    """Credit a pot of the resident from `source` (a budget, employer, sector fund or own-money clearing), within
    the ceilings (`AmountCap`, `Cap`). `paid_already`: money the person has already paid (own money whose payment
    was checked against the ceilings when it started) is not refused for the account total any more."""
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
        _check_caps(leerrekening, source, pot_kind, amount, today, total=not paid_already)
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


# --- reservations --------------------------------------------------------------------------------------


# Lock the person's Leerrekening and their eligible pots in one statement. Locking the pots too matters: a
# booking that waited for the lock gets each pot as the previous holder left it (PostgreSQL re-reads a locked row
# that changed meanwhile), not as it was when this statement started.
_LOCKED_POTS_SQL = _POTS_SQL + "   FOR NO KEY UPDATE OF l, p"
_INSERT_RESERVATION_SQL = """
WITH command AS (
    {command}
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
""".replace("{command}", command_insert_sql())


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

    def work(command: CommandRun) -> Stored:
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
        return Stored(result)

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
            legs: list[Leg] = []
            per_source: dict[int, int] = {}
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
        # Checked before the person pays: money that was paid is booked (`paid_already` in settle_own_payment).
        _check_caps(leerrekening, own_money_account(), PotKind.OWN, amount, timezone.localdate())
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
            paid_already=True,
        )
        payment.status, payment.journal = OwnPayment.Status.PAID, Journal.objects.get(uuid=result["journal"])
        payment.save(update_fields=["status", "settled_at", "provider_reference", "journal"])
        return {"payment": str(payment.uuid), "status": payment.status, **result}

    return idempotent("settle_own_payment", f"settle:{payment_uuid}", {"paid": paid, "reference": reference}, work)
