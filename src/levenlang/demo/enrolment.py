"""Enrolments in the demo: a few bookings of the personas at Joost's provider (Techniek Academie Oost), each in
another state, so that both journeys have something to show:

- Marco: "Veilig werken (VCA)" paid out, with a signed credential; "Lassen MIG/MAG" accepted by the provider and
  waiting for Marco to confirm (his pots do not cover it all: he sees his own share);
- Sanne: "Digitale vaardigheden" started (Joost can declare the completion);
- Ineke: "Werken met Excel" requested (Joost can accept or refuse).

Plus three modules of one generated private provider priced just below the €1,000 ceiling, so that the price
monitor has a flag to show. Runs through enrolment.services only, with fixed idempotency keys: running it again
changes nothing. The offerings start on the day of the first load.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from levenlang.catalog.models import LevelOfQualification, ModeOfDelivery, Module, Offering, Provider
from levenlang.core.categories import Category
from levenlang.core.models import User
from levenlang.enrolment import services
from levenlang.ledger import services as ledger
from levenlang.residents.models import Resident

LAST_KEY = "demo:enrolment:sanne:digi:start"

MODULES = {  # code: (title, category, price in cents, level, skills)
    "TAO-VCA-01": ("Veilig werken (VCA)", Category.JOB_ORIENTED, 25_000, LevelOfQualification.EQF_2, ["veilig werken"]),
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


def demo_enrolments_present() -> bool:
    return ledger.command_exists(LAST_KEY)


def _offering(provider: Provider, code: str, today: datetime.date) -> Offering:
    title, category, price, level, skills = MODULES[code]
    module, _created = Module.objects.get_or_create(
        provider=provider,
        code=code,
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
    offering = module.offerings.filter(code="demo").first()
    if offering is None:
        offering = Offering.objects.create(
            module=module,
            code="demo",
            start_date=today,
            end_date=today + datetime.timedelta(days=42),
            capacity=12,
            price_cents=module.price_cents,
            location_name=provider.name,
            postcode="7553 AA",
            region=provider.region,
        )
    return offering


def _walk(name: str, resident: Resident, offering: Offering, staff: User, steps: list[str]) -> None:
    prefix = f"demo:enrolment:{name}"
    learner = resident.user
    uuid_ = services.request_enrolment(
        offering_uuid=offering.uuid, resident=resident, actor=learner, key=f"{prefix}:request"
    )["enrolment"]
    now = timezone.now()
    calls = {
        "accept": lambda: services.accept(uuid_, actor=staff, key=f"{prefix}:accept"),
        "reserve": lambda: services.reserve(uuid_, actor=learner, key=f"{prefix}:reserve", strong_login_at=now),
        "start": lambda: services.declare_start(uuid_, actor=staff, key=f"{prefix}:start"),
        "complete": lambda: services.declare_completion(uuid_, actor=staff, key=f"{prefix}:complete"),
        "confirm": lambda: services.confirm_completion(uuid_, actor=learner, key=f"{prefix}:confirm"),
    }
    for step in steps:
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
        offerings = {code: _offering(academy, code, today) for code in MODULES}
        _bunched_prices(today)
    _walk(
        "marco:vca",
        residents["marco"],
        offerings["TAO-VCA-01"],
        joost,
        ["accept", "reserve", "start", "complete", "confirm"],
    )
    _walk("marco:lassen", residents["marco"], offerings["TAO-LAS-01"], joost, ["accept"])
    _walk("ineke:excel", residents["ineke"], offerings["TAO-EXCEL-01"], joost, [])
    _walk("sanne:digi", residents["sanne"], offerings["TAO-DIGI-01"], joost, ["accept", "reserve", "start"])
