"""The enrolment life cycle (docs/enrolment.md): every rule of booking, in one place.

    requested ─accept─▶ accepted ─reserve─▶ reserved ─start─▶ started ─complete─▶ completed ─confirm─▶ paid out
       │ refuse            │ cancel           │ cancel, or not started in time: voided     │ dispute  (partly completed:
       ▼                   ▼                  ▼                                            ▼          that part posted,
    refused            cancelled       cancelled / not started                         disputed    rest released)

Who takes which step: the learner books, reserves the money (after a strong login) and confirms or disputes the
completion; the provider accepts or refuses, declares the start and the completion (one by one or in a CSV file);
either may cancel before the start; an administrator may cancel any open enrolment (the money goes back) and
confirm on a learner's behalf, also a disputed one; the nightly sweep ends enrolments that were not started in
time.

Rules that hold for every step:
- It runs in one transaction under the ledger's idempotency (`ledger.services.idempotent`): the same key with the
  same request returns the first answer, with another request 409. Money moves only through ledger.services, with
  a key derived from the enrolment (`enrolment:<uuid>:reserve`, `:payout`, `:void`), so it can never move twice.
- The enrolment row is locked first (then the module's funded-place lock, then the person's Leerrekening inside the
  ledger): one order for every step, so steps never deadlock on each other.
- An illegal step raises IllegalTransition with a clear message and changes nothing; every legal one writes an
  EnrolmentEvent (who, when, from, to, note).
- Payment only after delivery: money is posted only by `confirm`, from `completed` (or, by an administrator, from
  `disputed`); a suspended provider is not paid.

Own share: when the pots do not cover the price, the resident sees their own share before confirming and pays it to
the provider directly (the provider invoices it; the enrolment records the amount, and the provider's page shows
it). A resident who prefers to pay it through the platform first adds own money to the Leerrekening (the existing
own-money payment step); the waterfall then takes it from the own-money pot and the own share is zero.
"""

import csv
import datetime
import hashlib
import io
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from levenlang.catalog import services as catalog
from levenlang.catalog.services import Offering, Provider
from levenlang.core.categories import Category
from levenlang.core.errors import DomainError
from levenlang.core.money import format_cents
from levenlang.core.parsing import ParseError, parse_int
from levenlang.core.permissions import (
    ACT_AS_LEARNER,
    ACT_AS_PROVIDER,
    BOOK_ENROLMENT,
    OVERRIDE_ENROLMENT,
    VIEW_ENROLMENT,
)
from levenlang.enrolment import monitoring
from levenlang.enrolment.errors import (
    EnrolmentError,
    FundingChanged,
    IllegalTransition,
    NoFundedPlaceLeft,
    NotBookable,
    NotPermitted,
    StrongLoginRequired,
)
from levenlang.enrolment.models import FUNDED_STATUSES, OPEN_STATUSES, Enrolment, EnrolmentEvent, Status
from levenlang.ledger import services as ledger
from levenlang.ledger.errors import NotFound
from levenlang.ledger.services import SYSTEM_CLOCK, Clock, Reservation, SystemAccount

__all__ = [
    "ADMINISTRATOR",
    "CSV_ACTIONS",
    "CSV_COLUMNS",
    "LEARNER",
    "MAX_CSV_ROWS",
    "PROVIDER",
    "STEPS",
    "SYSTEM",
    "BulkReport",
    "Step",
    "accept",
    "allowed_steps",
    "bookable_problem",
    "cancel",
    "confirm_completion",
    "decisions_waiting",
    "declare_completion",
    "declare_in_bulk",
    "declare_start",
    "dispute_completion",
    "flag_open_enrolments",
    "funding_preview",
    "funding_rows",
    "learner_enrolments",
    "offering_preview",
    "payout_cents",
    "payouts",
    "price_alerts",
    "provider_payable",
    "quarter_start",
    "refuse",
    "request_enrolment",
    "reserve",
    "strong_login_minutes",
    "sweep_not_started",
    "top_up_own_share",
    "waiting_counts",
    "waiting_for_decision",
]

LEARNER, PROVIDER, ADMINISTRATOR, SYSTEM = "learner", "provider", "administrator", "system"


@dataclass(frozen=True)
class Step:
    label: object  # a lazy translation: what the step is called in messages
    sources: tuple[Status, ...]
    target: Status
    by: tuple[str, ...]
    # An administrator may also take the step from these statuses (the override of a support case).
    admin_sources: tuple[Status, ...] = ()


STEPS: dict[str, Step] = {
    "accept": Step(_("Accept"), (Status.REQUESTED,), Status.ACCEPTED, (PROVIDER,)),
    "refuse": Step(_("Refuse"), (Status.REQUESTED,), Status.REFUSED, (PROVIDER,)),
    "reserve": Step(_("Reserve the money"), (Status.ACCEPTED,), Status.RESERVED, (LEARNER,)),
    "start": Step(_("Declare the start"), (Status.RESERVED,), Status.STARTED, (PROVIDER,)),
    "complete": Step(_("Declare completion"), (Status.STARTED,), Status.COMPLETED, (PROVIDER,)),
    "confirm": Step(
        _("Confirm completion"),
        (Status.COMPLETED,),
        Status.PAID_OUT,
        (LEARNER, ADMINISTRATOR),
        admin_sources=(Status.DISPUTED,),
    ),
    # The learner says the course was not given: nothing is paid until an administrator has looked into it.
    "dispute": Step(_("Dispute the completion"), (Status.COMPLETED,), Status.DISPUTED, (LEARNER,)),
    "cancel": Step(
        _("Cancel"),
        (Status.REQUESTED, Status.ACCEPTED, Status.RESERVED),
        Status.CANCELLED,
        (LEARNER, PROVIDER, ADMINISTRATOR),
        admin_sources=(Status.STARTED, Status.COMPLETED, Status.DISPUTED),
    ),
    "lapse": Step(_("End because it did not start in time"), (Status.RESERVED,), Status.NOT_STARTED, (SYSTEM,)),
}


def allowed_steps(enrolment: Enrolment, user) -> list[str]:
    """The steps this user may take now (for the buttons on a page)."""
    roles = _roles(user, enrolment)  # once: for provider staff each check asks the database
    return [
        name
        for name, step in STEPS.items()
        if name != "lapse" and enrolment.status in _sources(step, roles) and roles & set(step.by)
    ]


def _roles(user, enrolment: Enrolment) -> set[str]:
    if user is None:
        return {SYSTEM}
    roles = set()
    if user.has_perm(ACT_AS_LEARNER, enrolment):
        roles.add(LEARNER)
    if user.has_perm(ACT_AS_PROVIDER, enrolment):
        roles.add(PROVIDER)
    if user.has_perm(OVERRIDE_ENROLMENT, enrolment):
        roles.add(ADMINISTRATOR)
    return roles


def _sources(step: Step, roles: set[str]) -> tuple[Status, ...]:
    return step.sources + (step.admin_sources if ADMINISTRATOR in roles else ())


# --- small helpers -------------------------------------------------------------------------------------------------


def quarter_start(day: datetime.date) -> datetime.date:
    return datetime.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def provider_payable(provider: Provider) -> SystemAccount:
    return ledger.system_account(SystemAccount.Kind.PROVIDER_PAYABLE, provider.name, provider=provider)


def strong_login_minutes() -> int:
    return int(getattr(settings, "ENROLMENT_STRONG_LOGIN_MINUTES", 15))


def _locked(enrolment_uuid, actor) -> Enrolment:
    """The enrolment, locked for this transaction; NotFound also when the actor may not see it (a refusal must
    not reveal that it exists)."""
    try:
        enrolment_uuid = uuid.UUID(str(enrolment_uuid))
    except ValueError:
        raise NotFound(_("There is no enrolment %(uuid)s."), uuid=enrolment_uuid) from None
    enrolment = (
        Enrolment.objects.select_for_update(of=("self",), no_key=True)
        .select_related("resident", "module", "offering", "provider")
        .defer("module__description_nl", "module__description_en", "credential")
        .filter(uuid=enrolment_uuid)
        .first()
    )
    if enrolment is None or (actor is not None and not actor.has_perm(VIEW_ENROLMENT, enrolment)):
        raise NotFound(_("There is no enrolment %(uuid)s."), uuid=enrolment_uuid)
    return enrolment


def _check(enrolment: Enrolment, name: str, actor) -> None:
    """Refuse a step this actor may not take, or that is not possible from the enrolment's status."""
    step = STEPS[name]
    roles = _roles(actor, enrolment)
    if not roles & set(step.by):
        raise NotPermitted(_("You may not take the step “%(step)s” for this enrolment."), step=step.label)
    if enrolment.status not in _sources(step, roles):
        possible = [str(STEPS[n].label) for n in allowed_steps(enrolment, actor)] if actor is not None else []
        raise IllegalTransition(
            _("“%(step)s” is not possible now: the enrolment is “%(status)s”. Possible now: %(possible)s."),
            step=step.label,
            status=enrolment.get_status_display(),
            possible=", ".join(possible) or _("nothing"),
        )


def _move(enrolment: Enrolment, name: str, actor, note: str = "", changed: tuple[str, ...] = ()) -> None:
    """Record the step: new status (and the `changed` fields) and an event row, in the step's transaction."""
    before = enrolment.status
    enrolment.status = STEPS[name].target
    enrolment.save(update_fields=[*changed, "status", "updated_at"])
    EnrolmentEvent.objects.create(
        enrolment=enrolment,
        actor=actor,
        actor_role=actor.role if actor is not None else "",
        from_status=before,
        to_status=enrolment.status,
        note=note[:300],
    )


def _result(enrolment: Enrolment) -> dict:
    return {
        "enrolment": str(enrolment.uuid),
        "status": enrolment.status,
        "price_cents": enrolment.price_cents,
        "covered_cents": enrolment.covered_cents,
        "own_share_cents": enrolment.own_share_cents,
        "completed_percent": enrolment.completed_percent,
        "paid_cents": enrolment.paid_cents,
    }


def _step(name: str, key: str, request: dict, work: Callable[[], dict]) -> dict:
    return ledger.idempotent(f"enrolment_{name}", key, request, work)


# --- booking -------------------------------------------------------------------------------------------------------


def bookable_problem(offering: Offering, today: datetime.date) -> str | None:
    """Why this offering cannot be booked now, or None: only approved providers' published modules, open
    offerings that have not started (the catalogue's rule)."""
    return catalog.bookable_problem(offering, today=today)


def request_enrolment(*, offering_uuid, resident, actor, key: str, note: str = "", clock: Clock = SYSTEM_CLOCK) -> dict:
    """The resident asks for a place. Nothing is reserved yet: the provider accepts first."""

    def work() -> dict:
        if actor is None or not actor.has_perm(BOOK_ENROLMENT, resident):
            raise NotPermitted(_("Only residents can book a module, for themselves."))
        offering = Offering.objects.select_related("module__provider").filter(uuid=offering_uuid).first()
        if offering is None:
            raise NotFound(_("There is no offering %(uuid)s."), uuid=offering_uuid)
        today = clock.today()
        problem = bookable_problem(offering, today)
        if problem:
            raise NotBookable(problem)
        module = offering.module
        if module.min_age and resident.age_on(today) < module.min_age:
            raise NotBookable(_("This module is for people aged %(age)s or older."), age=module.min_age)
        if offering.price_cents <= 0:
            raise NotBookable(_("This offering is free: book it with the provider directly."))
        try:
            with transaction.atomic():
                enrolment = Enrolment.objects.create(
                    resident=resident,
                    offering=offering,
                    module=module,
                    provider=module.provider,
                    price_cents=offering.price_cents,
                    category=module.category,
                )
        except IntegrityError:
            raise EnrolmentError(_("You already have an open enrolment for this offering.")) from None
        EnrolmentEvent.objects.create(
            enrolment=enrolment, actor=actor, actor_role=actor.role, to_status=Status.REQUESTED, note=note[:300]
        )
        return _result(enrolment)

    return _step("request", key, {"offering": str(offering_uuid), "resident": resident.pk, "note": note}, work)


def accept(enrolment_uuid, *, actor, key: str, note: str = "") -> dict:
    def work() -> dict:
        enrolment = _locked(enrolment_uuid, actor)
        _check(enrolment, "accept", actor)
        if enrolment.provider.status != Provider.Status.APPROVED:
            raise NotBookable(_("A provider that is not approved (or is suspended) cannot accept enrolments."))
        _move(enrolment, "accept", actor, note)
        return _result(enrolment)

    return _step("accept", key, {"enrolment": str(enrolment_uuid), "note": note}, work)


def refuse(enrolment_uuid, *, actor, key: str, note: str = "") -> dict:
    def work() -> dict:
        enrolment = _locked(enrolment_uuid, actor)
        _check(enrolment, "refuse", actor)
        _move(enrolment, "refuse", actor, note)
        return _result(enrolment)

    return _step("refuse", key, {"enrolment": str(enrolment_uuid), "note": note}, work)


def funding_preview(enrolment: Enrolment, clock: Clock = SYSTEM_CLOCK) -> ledger.Preview:
    """Which pot would pay how much, and the resident's own share, at this moment. Changes nothing."""
    return ledger.preview(
        resident_id=enrolment.resident_id,
        category=Category(enrolment.category),
        price_cents=enrolment.price_cents,
        clock=clock,
    )


def offering_preview(offering: Offering, resident, clock: Clock = SYSTEM_CLOCK) -> ledger.Preview:
    return ledger.preview(
        resident_id=resident.pk,
        category=Category(offering.module.category),
        price_cents=offering.price_cents,
        clock=clock,
    )


def funding_rows(preview: ledger.Preview) -> list[dict]:
    """The preview's draws as a person reads them: the kind of each pot, its source, expiry and amount."""
    return ledger.describe_draws(preview)


def top_up_own_share(enrolment: Enrolment, preview: ledger.Preview, *, key: str) -> dict:
    """Start a payment of the own share into the resident's Leerrekening (the own-money payment step): once paid,
    the waterfall takes it from the own-money pot and nothing is left to pay the provider directly. Returns the
    payment with the `checkout_url` to send the person to."""
    return ledger.start_own_deposit(
        key=key,
        resident_id=enrolment.resident_id,
        amount_cents=preview.own_share_cents,
        provider=ledger.payment_provider(),
    )


def payouts(providers) -> tuple:
    """What the ledger paid these providers (payouts less refunds and clawbacks): the legs, newest first, each with
    the enrolment and module it paid for, and their total in cents."""
    legs = ledger.provider_payout_legs(providers).select_related("journal__reservation__enrolment__module")
    return legs, legs.aggregate(total=Sum("amount_cents"))["total"] or 0


# Two bookings of one module wait for each other here, so that the count of funded places is exact. A lock
# per module (not per person): only bookings of the same capped module, or offering with places, queue.
_PLACE_LOCK_NAMESPACE = 0x656E72  # "enr"


def _lock_places(module_id: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_PLACE_LOCK_NAMESPACE, module_id])


def _deadlines(
    start_date: datetime.date | None, end_date: datetime.date | None, today: datetime.date
) -> tuple[datetime.date, datetime.datetime]:
    """Until when the provider may declare the start (else the money goes back), and until when the reservation
    can be paid out (generous: the course's end plus time to declare and confirm completion)."""
    grace = datetime.timedelta(days=int(getattr(settings, "ENROLMENT_START_GRACE_DAYS", 14)))
    if start_date:
        start_deadline = max(start_date, today) + grace
        course_end = end_date or start_deadline
    else:  # self-paced: start within 60 days, and a year to finish it
        start_deadline = today + datetime.timedelta(days=60)
        course_end = today + datetime.timedelta(days=365)
    pay_until = max(course_end, start_deadline) + datetime.timedelta(days=180)
    return start_deadline, datetime.datetime.combine(pay_until, datetime.time(23, 59), tzinfo=datetime.UTC)


@dataclass(frozen=True)
class _Booking:
    """What `reserve` needs of an enrolment, its provider, module and offering (read with the enrolment's lock)."""

    id: int
    uuid: uuid.UUID
    resident_id: int
    price_cents: int
    category: int
    provider_id: int
    provider_status: str
    provider_name: str
    module_id: int
    funded_place_cap: int | None
    title: str
    offering_id: int
    offering_state: str
    start_date: datetime.date | None
    end_date: datetime.date | None
    capacity: int | None
    payee_id: int | None


# The booking's hot path reads everything in one statement and locks the enrolment row (the ORM's select_related
# of five models costs several milliseconds of CPU per booking; docs/performance.md asks for 1,000 bookings a second).
_BOOKING_SQL = """
SELECT e.id, e.status, r.user_id, e.resident_id, e.price_cents, e.category,
       p.id, p.status, p.name, m.id, m.funded_place_cap, coalesce(nullif(m.title_nl, ''), m.title_en),
       o.id, o.state, o.start_date, o.end_date, o.capacity,
       {payee}
  FROM enrolment_enrolment e
  JOIN residents_resident r ON r.id = e.resident_id
  JOIN catalog_provider p ON p.id = e.provider_id
  JOIN catalog_module m ON m.id = e.module_id
  JOIN catalog_offering o ON o.id = e.offering_id
 WHERE e.uuid = %s
   FOR NO KEY UPDATE OF e
""".replace("{payee}", ledger.provider_payable_sql("p.id"))
_FUNDED = [s.value for s in FUNDED_STATUSES]
_TAKEN_SQL = (
    "SELECT count(*) FROM enrolment_enrolment WHERE module_id = %s AND funded_quarter = %s AND status = ANY(%s)"
)
_FULL_SQL = "SELECT count(*) FROM enrolment_enrolment WHERE offering_id = %s AND status = ANY(%s)"
# The status change, its event and the step's idempotency record (the ledger's statement for it) in one statement.
_RESERVED_SQL = """
WITH moved AS (
    UPDATE enrolment_enrolment
       SET status = 'reserved', reservation_id = {reservation},
           covered_cents = %(covered)s, own_share_cents = %(own)s, funded_quarter = %(quarter)s,
           start_deadline = %(deadline)s, updated_at = %(at)s
     WHERE id = %(id)s AND status = 'accepted'
 RETURNING id
), command AS (
    {command}
)
INSERT INTO enrolment_enrolmentevent (enrolment_id, at, actor_id, actor_role, from_status, to_status, note)
SELECT id, %(at)s, %(actor)s, %(role)s, 'accepted', 'reserved', %(note)s FROM moved
""".replace("{reservation}", ledger.reservation_id_sql("%(reservation)s")).replace(
    "{command}", ledger.command_insert_sql(rows_from="moved")
)


def _booking(enrolment_uuid, actor) -> _Booking:
    """The enrolment to reserve, locked. The usual case (an accepted enrolment of an approved provider, booked by
    its own learner) in one statement; anything else goes through the ORM path, which gives the exact refusal."""
    try:
        enrolment_uuid = uuid.UUID(str(enrolment_uuid))
    except ValueError:
        raise NotFound(_("There is no enrolment %(uuid)s."), uuid=enrolment_uuid) from None
    with ledger.prepared_cursor() as cursor:
        cursor.execute(_BOOKING_SQL, [enrolment_uuid], prepare=True)
        row = cursor.fetchone()
    if row is not None:
        pk, status, user_id, *rest = row
        booking = _Booking(pk, enrolment_uuid, *rest)
        owner = SimpleNamespace(resident=SimpleNamespace(user_id=user_id))  # what the rule looks at
        if (
            status == Status.ACCEPTED
            and actor is not None
            and actor.has_perm(ACT_AS_LEARNER, owner)
            and booking.provider_status == Provider.Status.APPROVED
            and booking.offering_state != Offering.State.CANCELLED
            and booking.payee_id is not None
        ):
            return booking
    enrolment = _locked(enrolment_uuid, actor)
    _check(enrolment, "reserve", actor)
    provider, module, offering = enrolment.provider, enrolment.module, enrolment.offering
    payee = provider_payable(provider) if provider.status == Provider.Status.APPROVED else None
    return _Booking(
        enrolment.pk,
        enrolment.uuid,
        enrolment.resident_id,
        enrolment.price_cents,
        enrolment.category,
        provider.pk,
        provider.status,
        provider.name,
        module.pk,
        module.funded_place_cap,
        module.title_nl or module.title_en,
        offering.pk,
        offering.state,
        offering.start_date,
        offering.end_date,
        offering.capacity,
        payee.pk if payee else None,
    )


def _check_strong_login(strong_login_at: datetime.datetime | None, now: datetime.datetime) -> None:
    if strong_login_at is None or not (
        now - datetime.timedelta(minutes=strong_login_minutes()) <= strong_login_at <= now
    ):
        raise StrongLoginRequired(
            _("Log in again with DigiD (level substantial) to confirm a payment; it is valid for %(n)s minutes."),
            n=strong_login_minutes(),
        )


def _check_bookable(booking: _Booking) -> None:
    if booking.provider_status != Provider.Status.APPROVED:
        raise NotBookable(_("This provider is suspended or not approved and takes no new enrolments."))
    if booking.offering_state == Offering.State.CANCELLED:
        raise NotBookable(_("This offering was cancelled."))


def _check_places(booking: _Booking, quarter: datetime.date) -> None:
    """A funded place left in the module this quarter and a place left in the offering (when either is capped),
    counted under the module's lock."""
    if booking.funded_place_cap is None and booking.capacity is None:
        return
    _lock_places(booking.module_id)
    # Statements after the lock: they see what the previous holder committed.
    with ledger.prepared_cursor() as cursor:
        if booking.funded_place_cap is not None:
            cursor.execute(_TAKEN_SQL, [booking.module_id, quarter, _FUNDED], prepare=True)
            if cursor.fetchone()[0] >= booking.funded_place_cap:
                raise NoFundedPlaceLeft(
                    _(
                        "All %(cap)s funded places of this module for this quarter are taken. Try again "
                        "next quarter, or choose another module."
                    ),
                    cap=booking.funded_place_cap,
                )
        if booking.capacity is not None:
            cursor.execute(_FULL_SQL, [booking.offering_id, _FUNDED], prepare=True)
            if cursor.fetchone()[0] >= booking.capacity:
                raise NoFundedPlaceLeft(_("This offering is full."))


def _check_own_share(booked: dict, expected_own_share_cents: int | None) -> None:
    if expected_own_share_cents is not None and booked["own_share_cents"] > expected_own_share_cents:
        raise FundingChanged(
            _(
                "Your pots cover less than you saw: your own share would be %(now)s instead of %(seen)s. "
                "Nothing was reserved. Look at the overview again."
            ),
            now=format_cents(booked["own_share_cents"]),
            seen=format_cents(expected_own_share_cents),
        )


def _record_reserved(
    booking: _Booking,
    booked: dict,
    *,
    quarter: datetime.date,
    start_deadline: datetime.date,
    actor,
    command: ledger.CommandRun,
) -> dict:
    """The enrolment becomes reserved, its event and the command row are stored: one statement. Returns the
    command's result."""
    covered, own = booked["covered_cents"], booked["own_share_cents"]
    result = {
        "enrolment": str(booking.uuid),
        "status": Status.RESERVED.value,
        "price_cents": booking.price_cents,
        "covered_cents": covered,
        "own_share_cents": own,
        "completed_percent": None,
        "paid_cents": None,
    }
    with ledger.prepared_cursor() as cursor:
        cursor.execute(
            _RESERVED_SQL,
            {
                "id": booking.id,
                "reservation": booked["reservation"],
                "covered": covered,
                "own": own,
                "quarter": quarter,
                "deadline": start_deadline,
                "actor": actor.pk,
                "role": actor.role,
                "at": timezone.now(),  # as auto_now(_add) would: the event order is the order of the steps
                "note": f"Uit potten: {format_cents(covered)}; eigen deel: {format_cents(own)}",
                **command.row(result),
            },
            prepare=True,
        )
        if cursor.rowcount != 1:  # cannot happen under the row lock; refuse rather than half-record
            raise IllegalTransition(_("This enrolment changed meanwhile; nothing was reserved."))
    return result


def reserve(
    enrolment_uuid,
    *,
    actor,
    key: str,
    strong_login_at: datetime.datetime | None,
    expected_own_share_cents: int | None = None,
    clock: Clock = SYSTEM_CLOCK,
) -> dict:
    """The learner confirms: the money is reserved in their pots through the waterfall. Needs a strong login
    within the last N minutes, a funded place left in this quarter and a place left in the offering. With
    `expected_own_share_cents` (what the person saw in the preview) a larger own share is refused: the person
    confirms only what they saw.

    The booking hot path: the statements, in this order, are the enrolment's row lock with what it books
    (`_booking`), the module's place lock and counts (only when capped), the ledger's reservation, and one
    statement that records the reserved enrolment, its event and the command row."""

    def work(command: ledger.CommandRun) -> ledger.Stored:
        booking = _booking(enrolment_uuid, actor)
        _check_strong_login(strong_login_at, clock.now())
        today = clock.today()
        _check_bookable(booking)
        quarter = quarter_start(today)
        _check_places(booking, quarter)
        start_deadline, pay_until = _deadlines(booking.start_date, booking.end_date, today)
        booked = ledger.reserve(
            key=f"enrolment:{booking.uuid}:reserve",
            resident_id=booking.resident_id,
            category=Category(booking.category),
            price_cents=booking.price_cents,
            payee=SystemAccount(pk=booking.payee_id),
            expires_at=pay_until,
            reference=f"{booking.title} ({booking.provider_name})"[:100],
            actor=actor,
            clock=clock,
        )
        _check_own_share(booked, expected_own_share_cents)
        result = _record_reserved(
            booking, booked, quarter=quarter, start_deadline=start_deadline, actor=actor, command=command
        )
        return ledger.Stored(result)

    # The work stores its own idempotency record (in the statement above): two round trips less per booking.
    request = {"enrolment": str(enrolment_uuid), "expected_own_share": expected_own_share_cents}
    return ledger.idempotent("enrolment_reserve", key, request, work, stores_itself=True)


# --- delivery --------------------------------------------------------------------------------------------------------


def declare_start(enrolment_uuid, *, actor, key: str, note: str = "", clock: Clock = SYSTEM_CLOCK) -> dict:
    def work() -> dict:
        enrolment = _locked(enrolment_uuid, actor)
        _check(enrolment, "start", actor)
        start = enrolment.offering.start_date
        if start and clock.today() < start:
            raise IllegalTransition(
                _("This course starts on %(date)s. Declare the start on or after that day."), date=start.isoformat()
            )
        _move(enrolment, "start", actor, note)
        return _result(enrolment)

    return _step("start", key, {"enrolment": str(enrolment_uuid), "note": note}, work)


def declare_completion(enrolment_uuid, *, actor, key: str, percent: int = 100, note: str = "") -> dict:
    """The provider declares what part of the course was followed: 100 = completed; less = partly (the learner
    dropped out): then that part of the reservation is paid and the rest goes back to the pots."""

    def work() -> dict:
        if isinstance(percent, bool) or not isinstance(percent, int) or not 1 <= percent <= 100:
            raise EnrolmentError(_("The part completed must be a whole percentage from 1 to 100."))
        enrolment = _locked(enrolment_uuid, actor)
        _check(enrolment, "complete", actor)
        enrolment.completed_percent = percent
        _move(
            enrolment,
            "complete",
            actor,
            note or (f"{percent}% gevolgd" if percent < 100 else ""),
            ("completed_percent",),
        )
        return _result(enrolment)

    return _step("complete", key, {"enrolment": str(enrolment_uuid), "percent": percent, "note": note}, work)


def payout_cents(enrolment: Enrolment) -> int:
    """What the pots pay for the part completed (whole cents, rounded down); the own share scales the same way."""
    if enrolment.covered_cents is None or enrolment.completed_percent is None:
        raise ValueError("Only a reserved enrolment with a declared completion has a payout.")
    return enrolment.covered_cents * enrolment.completed_percent // 100


def _reservation(enrolment: Enrolment) -> Reservation:
    """The enrolment's reservation: every step after `reserve` has one (the state machine sees to that)."""
    if enrolment.reservation is None:
        raise ValueError(f"Enrolment {enrolment.uuid} has no reservation.")
    return enrolment.reservation


def confirm_completion(enrolment_uuid, *, actor, key: str, note: str = "", clock: Clock = SYSTEM_CLOCK) -> dict:
    """The learner (or an administrator for them) confirms delivery: now, and only now, the provider is paid."""

    def work() -> dict:
        enrolment = _locked(enrolment_uuid, actor)
        _check(enrolment, "confirm", actor)
        if enrolment.provider.status != Provider.Status.APPROVED:
            raise NotBookable(
                _("The provider is suspended: nothing is paid out until an administrator has decided on this case.")
            )
        amount = payout_cents(enrolment)
        reservation_uuid = _reservation(enrolment).uuid
        if amount > 0:
            ledger.post(
                key=f"enrolment:{enrolment.uuid}:payout",
                reservation_uuid=reservation_uuid,
                amount_cents=amount,
                actor=actor,
                clock=clock,
            )
        else:  # so small a part that nothing is owed: release it all
            ledger.void(key=f"enrolment:{enrolment.uuid}:void", reservation_uuid=reservation_uuid, actor=actor)
        enrolment.paid_cents = amount
        if enrolment.completed_percent == 100:
            from levenlang.enrolment.credentials import issue

            enrolment.credential = issue(enrolment, clock.now())
        _move(enrolment, "confirm", actor, note or f"Uitbetaald: {format_cents(amount)}", ("paid_cents", "credential"))
        return _result(enrolment)

    return _step("confirm", key, {"enrolment": str(enrolment_uuid), "note": note}, work)


def dispute_completion(enrolment_uuid, *, actor, key: str, note: str = "") -> dict:
    """The learner says the course was not (fully) given. The money stays reserved and nothing is paid out until
    an administrator decides: confirm (the provider is paid) or cancel (the money goes back)."""

    def work() -> dict:
        enrolment = _locked(enrolment_uuid, actor)
        _check(enrolment, "dispute", actor)
        _move(enrolment, "dispute", actor, note)
        return _result(enrolment)

    return _step("dispute", key, {"enrolment": str(enrolment_uuid), "note": note}, work)


def _release(enrolment: Enrolment, actor) -> None:
    reservation = enrolment.reservation if enrolment.reservation_id else None
    if reservation is not None and reservation.status == Reservation.Status.PENDING:
        ledger.void(key=f"enrolment:{enrolment.uuid}:void", reservation_uuid=reservation.uuid, actor=actor)


def cancel(enrolment_uuid, *, actor, key: str, note: str = "") -> dict:
    """Cancel before the start (learner or provider), or any open enrolment (administrator): reserved money goes
    back to the pots it came from."""

    def work() -> dict:
        enrolment = _locked(enrolment_uuid, actor)
        _check(enrolment, "cancel", actor)
        _release(enrolment, actor)
        _move(enrolment, "cancel", actor, note)
        return _result(enrolment)

    return _step("cancel", key, {"enrolment": str(enrolment_uuid), "note": note}, work)


def sweep_not_started(*, clock: Clock = SYSTEM_CLOCK, limit: int = 10_000) -> int:
    """End reserved enrolments whose provider did not declare the start by the deadline: the money goes back.
    Safe to run at any time; each enrolment is its own idempotent step."""
    today = clock.today()
    late = list(
        Enrolment.objects.filter(status=Status.RESERVED, start_deadline__lt=today)
        .order_by("start_deadline", "id")
        .values_list("uuid", flat=True)[:limit]
    )
    ended = 0
    for enrolment_uuid in late:

        def work(enrolment_uuid=enrolment_uuid) -> dict:
            enrolment = _locked(enrolment_uuid, None)
            _check(enrolment, "lapse", None)
            _release(enrolment, None)
            _move(enrolment, "lapse", None, f"Start niet gemeld vóór {enrolment.start_deadline}")
            return _result(enrolment)

        try:
            _step("lapse", f"enrolment:{enrolment_uuid}:lapse", {"enrolment": str(enrolment_uuid)}, work)
            ended += 1
        except IllegalTransition:
            pass  # started or cancelled meanwhile
    return ended


# --- suspension ------------------------------------------------------------------------------------------------------


def flag_open_enrolments(sender, *, provider: Provider, actor, reason: str = "", **kwargs) -> int:
    """Receiver of catalog's `provider_suspended` (in the suspension's transaction): every open enrolment of the
    provider gets an event that says it is flagged. A flagged enrolment takes no new booking step (accept, reserve)
    and is not paid out until an administrator decides (cancel: the money goes back; or the provider is
    reinstated). Whether an enrolment is flagged is read from the provider's status (Enrolment.is_flagged)."""
    note = f"Gemarkeerd: opleider geschorst. {reason}".strip()[:300]
    rows = [
        EnrolmentEvent(
            enrolment_id=pk,
            actor=actor if actor is not None and actor.is_authenticated else None,
            actor_role=actor.role if actor is not None and actor.is_authenticated else "",
            from_status=status,
            to_status=status,
            note=note,
        )
        for pk, status in Enrolment.objects.filter(provider=provider, status__in=OPEN_STATUSES).values_list(
            "pk", "status"
        )
    ]
    EnrolmentEvent.objects.bulk_create(rows)
    return len(rows)


# --- declarations in bulk --------------------------------------------------------------------------------------------

CSV_COLUMNS = ["enrolment", "action", "percent", "note"]
CSV_ACTIONS = {"start": "start", "gestart": "start", "complete": "complete", "afgerond": "complete"}


def _csv_percent(text: str, action: str) -> int | None:
    """The percent of a declaration row: empty means 100; otherwise ASCII digits from 1 to 100, only for "complete"
    ("²" passes str.isdigit() but is no number). None when the row is wrong."""
    if not text:
        return 100
    if action != "complete":
        return None
    try:
        return parse_int(text, minimum=1, maximum=100)
    except ParseError:
        return None


MAX_CSV_ROWS = 5_000


@dataclass
class BulkReport:
    rows: int = 0
    applied: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class _RollBack(Exception):
    pass


def declare_in_bulk(data: bytes, *, actor, clock: Clock = SYSTEM_CLOCK) -> BulkReport:
    """Declarations from a CSV file (columns: enrolment, action = start|complete, percent, note). All or nothing:
    one bad row and no row is applied; the report lists every bad row with its number and why. The same file
    uploaded again replays the first answers (each row's key is derived from the file's hash)."""
    report = BulkReport()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        report.errors.append((0, str(_("The file is not UTF-8 text. Save it as CSV (UTF-8)."))))
        return report
    try:  # a spreadsheet in Dutch settings saves with semicolons
        dialect = csv.Sniffer().sniff(text.splitlines()[0] if text.strip() else ",", delimiters=",;")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    header = [h.strip().lower() for h in reader.fieldnames or []]
    if "enrolment" not in header or "action" not in header:
        report.errors.append(
            (1, str(_("The first line must name the columns: %(columns)s.") % {"columns": ", ".join(CSV_COLUMNS)}))
        )
        return report
    reader.fieldnames = header
    digest = hashlib.sha256(data).hexdigest()[:32]
    parsed = []
    for number, row in enumerate(reader, start=2):
        report.rows += 1
        if report.rows > MAX_CSV_ROWS:
            report.errors.append((number, str(_("At most %(n)s rows per file.") % {"n": MAX_CSV_ROWS})))
            return report
        action = CSV_ACTIONS.get((row.get("action") or "").strip().lower())
        percent_text = (row.get("percent") or "").strip()
        if action is None:
            report.errors.append((number, str(_("Action must be “start” or “complete”."))))
            continue
        percent = _csv_percent(percent_text, action)
        if percent is None:
            report.errors.append((number, str(_("Percent is a whole number from 1 to 100, only for “complete”."))))
            continue
        parsed.append((number, (row.get("enrolment") or "").strip(), action, percent, row))
    if report.errors:
        return report
    try:
        with transaction.atomic():
            for number, enrolment_uuid, action, percent, row in parsed:
                row_key = f"bulk:{actor.uuid}:{digest}:{number}"
                note = (row.get("note") or "").strip()
                try:
                    if action == "start":
                        declare_start(enrolment_uuid, actor=actor, key=row_key, note=note, clock=clock)
                    else:
                        declare_completion(enrolment_uuid, actor=actor, key=row_key, percent=percent, note=note)
                    report.applied += 1
                except DomainError as exc:
                    report.errors.append((number, exc.message))
            if report.errors:
                raise _RollBack
    except _RollBack:
        report.applied = 0
    return report


# --- what waits for whom (the home pages) ---------------------------------------------------------------------


def learner_enrolments(resident) -> list[Enrolment]:
    """The resident's open enrolments, newest first, with their module, offering and provider: one query."""
    return list(
        Enrolment.objects.filter(resident=resident, status__in=OPEN_STATUSES)
        .select_related("module", "offering", "provider")
        .order_by("-created_at", "-id")
    )


def waiting_counts(providers) -> dict[str, int]:
    """How many enrolments of these providers are in each open status (a status with none is left out): one
    query. Counts of the provider's own enrolments, no names."""
    rows = (
        Enrolment.objects.filter(provider__in=providers, status__in=OPEN_STATUSES)
        .values_list("status")
        .annotate(n=Count("id"))
        .order_by()
    )
    return dict(rows)


def waiting_for_decision() -> Q:
    """The enrolments that wait for an administrator: open ones of a suspended provider (nothing is paid until
    someone decides) and completions the learner disputes."""
    return Q(provider__status=Provider.Status.SUSPENDED, status__in=OPEN_STATUSES) | Q(status=Status.DISPUTED)


def decisions_waiting() -> int:
    """How many enrolments wait for an administrator's decision (see `waiting_for_decision`)."""
    return Enrolment.objects.filter(waiting_for_decision()).count()


def price_alerts() -> int:
    """How many providers the price monitor flags: most of their modules priced just below a funding ceiling."""
    return len(monitoring.price_bunching(only_flagged=True))
