"""Enrolments in the demo: the personas' bookings at Joost's provider (Techniek Academie Oost), each in another
state, so that every journey has something to show. Every reservation and payout of the personas comes from one of
these, through enrolment.services (request → accept → reserve → start → complete → confirm), and the course dates
agree with the states on the day of the load (T):

- Marco: "Veilig werken (VCA)" given some weeks ago and paid out, with a signed credential; "PLC programmeren"
  (EUR 1,200) accepted and funded (the money is reserved), starting in ten days; "Lassen MIG/MAG" accepted by the
  provider and waiting for Marco to reserve the money (his pots no longer cover it all: he sees his own share);
- Sanne: "Digitale vaardigheden" started a week ago (Joost can declare the completion);
- Ineke: "Digitale vaardigheden" followed last quarter and paid out; "Werken met Excel" requested (Joost can accept
  or refuse).

A course that has started was requested before its start: the request is made with a clock set to that day (it
moves no money). Money moves at the load: the reservations and payouts are dated T, after the deposits.

Plus three modules of one generated private provider priced just below the EUR 1,000 ceiling, so that the price
monitor has a flag to show also without the generated catalogue (which has providers pricing at the ceiling too).
Fixed idempotency keys: running it again changes nothing. The offerings' dates are set on the day of the first
load.
"""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from levenlang.catalog.models import LevelOfQualification, ModeOfDelivery, Module, Offering, Provider
from levenlang.core.categories import Category
from levenlang.core.models import User
from levenlang.enrolment import services
from levenlang.ledger import services as ledger
from levenlang.ledger.services import FixedClock
from levenlang.residents.models import Resident

LAST_KEY = "demo:enrolment:sanne:digi:start"

MODULES = {  # code: (title, category, price in cents, level, skills)
    "TAO-VCA-01": ("Veilig werken (VCA)", Category.JOB_ORIENTED, 25_000, LevelOfQualification.EQF_2, ["veilig werken"]),
    "TAO-PLC-01": (
        "PLC programmeren",
        Category.JOB_ORIENTED,
        120_000,
        LevelOfQualification.EQF_4,
        ["PLC", "automatisering"],
    ),
    "TAO-LAS-01": (
        "Lassen MIG/MAG",
        Category.JOB_ORIENTED,
        95_000,
        LevelOfQualification.EQF_3,
        ["lassen", "metaalbewerking"],
    ),
    "TAO-DIGI-01": (
        "Digitale vaardigheden",
        Category.GENERAL_SKILLS,
        30_000,
        LevelOfQualification.EQF_2,
        ["digitale vaardigheden"],
    ),
    "TAO-EXCEL-01": ("Werken met Excel", Category.GENERAL_SKILLS, 40_000, LevelOfQualification.EQF_3, ["Excel"]),
}
BUNCHED_PRICES = [99_000, 99_500, 100_000]  # just below STAP's €1,000


@dataclass(frozen=True)
class Booking:
    """One persona's enrolment: which offering (its dates in days from the load day T) and how far it went."""

    name: str  # in the idempotency keys: demo:enrolment:<name>:<step>
    username: str
    module: str
    offering: str  # the offering's code: two people may follow the same module at different times
    starts: int  # days from T (negative: in the past)
    days: int  # how long the course lasts
    steps: tuple[str, ...]


STEPS_TO_PAYOUT = ("accept", "reserve", "start", "complete", "confirm")
BOOKINGS = [
    Booking("marco:vca", "marco", "TAO-VCA-01", "demo", -35, 2, STEPS_TO_PAYOUT),
    Booking("ineke:digi", "ineke", "TAO-DIGI-01", "demo-eerder", -84, 42, STEPS_TO_PAYOUT),
    Booking("marco:plc", "marco", "TAO-PLC-01", "demo", 10, 56, ("accept", "reserve")),
    Booking("marco:lassen", "marco", "TAO-LAS-01", "demo", 28, 70, ("accept",)),
    Booking("ineke:excel", "ineke", "TAO-EXCEL-01", "demo", 21, 28, ()),
    Booking("sanne:digi", "sanne", "TAO-DIGI-01", "demo", -7, 42, ("accept", "reserve", "start")),  # the last
]
REQUESTED_BEFORE_START = 14  # days: a course that has started was requested this long before


def demo_enrolments_present() -> bool:
    return ledger.command_exists(LAST_KEY)


def _offering(provider: Provider, booking: Booking, today: datetime.date) -> Offering:
    title, category, price, level, skills = MODULES[booking.module]
    module, _created = Module.objects.get_or_create(
        provider=provider,
        code=booking.module,
        defaults={
            "title_nl": title,
            "description_nl": f"{title}: een module van {provider.name}.",
            "category": category,
            "skills": skills,
            "level": level,
            "mode_of_delivery": ModeOfDelivery.BLENDED,
            "price_cents": price,
            "status": Module.Status.PUBLISHED,
            "published_at": timezone.now(),
            "funded_place_cap": 25,
        },
    )
    offering = module.offerings.filter(code=booking.offering).first()
    if offering is None:
        start = today + datetime.timedelta(days=booking.starts)
        offering = Offering.objects.create(
            module=module,
            code=booking.offering,
            start_date=start,
            end_date=start + datetime.timedelta(days=booking.days - 1),
            capacity=12,
            price_cents=module.price_cents,
            location_name=provider.name,
            postcode="7553 AA",
            region=provider.region,
        )
    return offering


def _walk(booking: Booking, resident: Resident, offering: Offering, staff: User, today: datetime.date) -> None:
    prefix = f"demo:enrolment:{booking.name}"
    learner = resident.user
    # A course that has started was requested before its start (the request checks that; it moves no money).
    requested = today
    if offering.start_date < today:
        requested = offering.start_date - datetime.timedelta(days=REQUESTED_BEFORE_START)
    uuid_ = services.request_enrolment(
        offering_uuid=offering.uuid,
        resident=resident,
        actor=learner,
        key=f"{prefix}:request",
        clock=FixedClock(datetime.datetime.combine(requested, datetime.time(9), tzinfo=datetime.UTC)),
    )["enrolment"]
    now = timezone.now()
    calls = {
        "accept": lambda: services.accept(uuid_, actor=staff, key=f"{prefix}:accept"),
        "reserve": lambda: services.reserve(uuid_, actor=learner, key=f"{prefix}:reserve", strong_login_at=now),
        "start": lambda: services.declare_start(uuid_, actor=staff, key=f"{prefix}:start"),
        "complete": lambda: services.declare_completion(uuid_, actor=staff, key=f"{prefix}:complete"),
        "confirm": lambda: services.confirm_completion(uuid_, actor=learner, key=f"{prefix}:confirm"),
    }
    for step in booking.steps:
        calls[step]()


def _bunched_prices(today: datetime.date) -> None:
    provider = (
        Provider.objects.filter(kind=Provider.Kind.PRIVATE, status=Provider.Status.APPROVED)
        .exclude(staff__username="joost")
        .order_by("id")
        .first()
    )
    if provider is None:
        return
    for number, price in enumerate(BUNCHED_PRICES, start=1):
        Module.objects.get_or_create(
            provider=provider,
            code=f"DEMO-PRIJS-{number}",
            defaults={
                "title_nl": f"Certificaat in één dag, deel {number}",
                "description_nl": "Een korte training (demo: geprijsd net onder het subsidieplafond).",
                "category": Category.LABOUR_MARKET,
                "mode_of_delivery": ModeOfDelivery.ONLINE,
                "self_paced": True,
                "price_cents": price,
                "status": Module.Status.PUBLISHED,
                "published_at": timezone.now(),
            },
        )


def load_demo_enrolments(today: datetime.date | None = None) -> None:
    today = today or timezone.localdate()
    academy = Provider.objects.get(staff__username="joost")
    joost = User.objects.get(username="joost")
    residents = {r.user.username: r for r in Resident.objects.filter(user__username__in=["marco", "sanne", "ineke"])}
    with transaction.atomic():
        offerings = {booking.name: _offering(academy, booking, today) for booking in BOOKINGS}
        _bunched_prices(today)
    for booking in BOOKINGS:
        _walk(booking, residents[booking.username], offerings[booking.name], joost, today)
