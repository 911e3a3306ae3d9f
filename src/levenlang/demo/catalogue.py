"""The demo catalogue: a few hundred made-up modules with Dutch titles over the demo providers, in every spending
category and every common mode of delivery, with dated cohorts near the provider and self-paced online runs, and
the providers' quality recognitions (approved for approved providers, waiting for pending ones, so that the
administrator's review page has work). Deterministic (its own random stream); written with bulk inserts so that
it adds well under a second to `load_demo`. Titles, prices and figures are invented, but in a plausible range."""

import datetime
import random
from decimal import Decimal
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from levenlang.catalog.models import (
    ModeOfDelivery,
    Module,
    Offering,
    Provider,
    ProviderRecognition,
    StudyLoadUnit,
)
from levenlang.catalog.services import locate
from levenlang.core.categories import Category
from levenlang.core.models import Region
from levenlang.demo.population import POSTCODE_LETTERS, REGION_FACTS

M = ModeOfDelivery
C = Category


def _topics() -> list[tuple]:
    topics = []
    for line in (Path(__file__).parent / "catalogue_topics.txt").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        nl, en, category, modes, levels, skills, hours, prices = (cell.strip() for cell in line.split("|"))
        low, high = (int(x) for x in prices.split("-"))
        topics.append(
            (
                nl,
                en,
                Category[category.upper()],
                tuple(modes.split(",")),
                tuple(levels.split(",")) if levels != "-" else ("",),
                tuple(skills.split(";")),
                int(hours),
                (low, high),
            )
        )
    return topics


TOPICS = _topics()
VARIANTS = [
    ("", ""),
    (" voor beginners", " for beginners"),
    (" voor gevorderden", " advanced"),
    (" in de praktijk", " in practice"),
    (" – avondopleiding", " – evening course"),
    (" – verkort traject", " – short track"),
]
DESCRIPTION = (
    "In deze {kind} leer je {skills}. Je oefent met situaties uit het werk. {how} "
    "Na afloop krijg je een digitaal certificaat."
)
HOW = {
    M.ONLINE: "Je leert online, met een docent die je vragen beantwoordt.",
    M.HYBRID: "Je kiest per les of je in het leslokaal bent of online meedoet.",
    M.BLENDED: "Je volgt lessen op locatie en werkt thuis verder online.",
    M.PRESENTIAL: "De lessen zijn op locatie, in kleine groepen.",
    M.WORK_BASED: "Je leert vooral op je werk, met een praktijkbegeleider (duaal leren).",
    M.PROJECT_BASED: "Je werkt in een team aan een echte opdracht van een bedrijf.",
}
RECOGNITIONS_PUBLIC = [ProviderRecognition.Kind.PUBLIC_INSTITUTION, ProviderRecognition.Kind.NVAO]
RECOGNITIONS_PRIVATE = [ProviderRecognition.Kind.CRKBO, ProviderRecognition.Kind.NRTO, ProviderRecognition.Kind.CEDEO]
# Joost's Techniek Academie Oost teaches what Marco (an operator in Twente) could use next; its welding, VCA, digital
# and Excel modules come from demo/enrolment.py, with the personas' bookings.
JOOST_TOPICS = [
    "CNC-draaien en -frezen",
    "Basis PLC-programmeren",
    "Onderhoudsmonteur werktuigbouw",
    "Zonnepanelen installeren",
]
MODULES_PER_PROVIDER = 8


def demo_catalogue_present() -> bool:
    return Module.objects.filter(code__startswith="DEMO-CAT-").exists()


def _postcode(rng: random.Random, region_code: str) -> str:
    ranges = REGION_FACTS[region_code][2]
    low, high = ranges[rng.randrange(len(ranges))]
    return f"{rng.randint(low, high)} {rng.choice(POSTCODE_LETTERS)}"


@transaction.atomic
def load_demo_catalogue(seed: int = 1, today: datetime.date | None = None) -> dict[str, int]:
    """Add the demo catalogue once (it is recognised by its DEMO-CAT- codes); returns what was written."""
    if demo_catalogue_present():
        return {"modules": 0, "offerings": 0}
    today = today or timezone.localdate()
    rng = random.Random(f"{seed}:catalogue")
    regions = dict(Region.objects.values_list("code", "id"))
    providers = list(Provider.objects.select_related("region").order_by("id"))
    now = timezone.now()
    recognitions, modules, plans = [], [], []
    for index, provider in enumerate(providers):
        recognitions.append(_recognition(provider, index, today, now))
        topics = [t for t in TOPICS if t[0] in JOOST_TOPICS] if index == 0 else rng.sample(TOPICS, MODULES_PER_PROVIDER)
        for number, topic in enumerate(topics):
            module = _module(rng, provider, index, number, topic, now)
            modules.append(module)
            plans.append((module, provider.region.code))
    ProviderRecognition.objects.bulk_create(recognitions)
    Module.objects.bulk_create(modules)
    offerings = []
    for module, region_code in plans:
        offerings += _offerings(rng, module, region_code, today, regions)
    Offering.objects.bulk_create(offerings)
    return {"modules": len(modules), "offerings": len(offerings), "recognitions": len(recognitions)}


_REGISTER_PREFIX = {ProviderRecognition.Kind.PUBLIC_INSTITUTION: "RIO"}


def _recognition(provider: Provider, index: int, today: datetime.date, now: datetime.datetime) -> ProviderRecognition:
    kinds = RECOGNITIONS_PUBLIC if provider.kind == Provider.Kind.PUBLIC else RECOGNITIONS_PRIVATE
    kind = kinds[index % len(kinds)]
    status = (
        ProviderRecognition.Status.SUBMITTED
        if provider.status == Provider.Status.PENDING
        else ProviderRecognition.Status.APPROVED
    )
    return ProviderRecognition(
        provider=provider,
        kind=kind,
        # A register number as the register writes it ("RIO-…", "CRKBO-…"), not the choice's value.
        reference=f"{_REGISTER_PREFIX.get(kind, kind.upper())}-{provider.kvk_number[-5:]}",
        valid_until=datetime.date(today.year + 2, 12, 31),
        status=status,
        reviewed_at=now if status == ProviderRecognition.Status.APPROVED else None,
    )


def _module(
    rng: random.Random, provider: Provider, index: int, number: int, topic: tuple, now: datetime.datetime
) -> Module:
    """The provider's `number`th module, on `topic`. The draws from `rng` keep their order: the catalogue is
    the same for the same seed."""
    title_nl, title_en, category, modes, levels, skills, hours, (low, high) = topic
    variant_nl, variant_en = rng.choice(VARIANTS) if index else VARIANTS[0]
    mode = rng.choice(modes)
    self_paced = mode == M.ONLINE and rng.random() < 0.6
    # A handful of providers price right at €1,000, the old STAP cap (what price monitoring looks for).
    euros = 1000 if index % 9 == 4 else rng.randrange(low, high + 1, 5)
    has_outcomes = rng.random() < 0.6
    return Module(
        provider=provider,
        kind=Module.Kind.PROGRAMME if hours >= 800 else Module.Kind.COURSE,
        code=f"DEMO-CAT-{provider.kvk_number}-{number + 1}",
        title_nl=title_nl + variant_nl,
        title_en=title_en + variant_en,
        description_nl=DESCRIPTION.format(
            kind="opleiding" if hours >= 800 else "cursus",
            skills=" en ".join(skills),
            how=HOW[mode],
        ),
        category=int(category),
        skills=list(skills),
        level=rng.choice(levels),
        mode_of_delivery=mode,
        self_paced=self_paced,
        study_load_value=Decimal(hours),
        study_load_unit=StudyLoadUnit.HOUR if hours < 800 else StudyLoadUnit.SBU,
        price_cents=euros * 100,
        min_age=18 if category == C.STUDY and rng.random() < 0.3 else None,
        completion_rate=Decimal(rng.randint(62, 97)) if has_outcomes else None,
        rating=Decimal(rng.randint(31, 49)) / 10 if has_outcomes else None,
        rating_count=rng.randint(12, 400) if has_outcomes else None,
        funded_place_cap=rng.choice([None, None, 20, 50]),
        status=Module.Status.PUBLISHED if provider.status != Provider.Status.PENDING else Module.Status.DRAFT,
        published_at=now if provider.status != Provider.Status.PENDING else None,
    )


def _offerings(
    rng: random.Random, module: Module, region_code: str, today: datetime.date, regions: dict[str, int]
) -> list[Offering]:
    """One self-paced offering, or one to three cohorts, in a town of the provider's region unless online."""
    if module.self_paced:
        return [Offering(module=module, code="ZELF", price_cents=module.price_cents, language="nl")]
    online = module.mode_of_delivery == M.ONLINE
    offerings = []
    for cohort in range(rng.randint(1, 3)):
        start = today + datetime.timedelta(days=rng.randint(10, 300))
        weeks = max(1, min(40, int(module.study_load_value) // 8))
        postcode = "" if online else _postcode(rng, region_code)
        point = locate(postcode) if postcode else None
        offerings.append(
            Offering(
                module=module,
                code=f"{start:%Y%m}-{cohort + 1}",
                start_date=start,
                end_date=start + datetime.timedelta(weeks=weeks),
                enrol_until=start - datetime.timedelta(days=3),
                capacity=rng.choice([8, 12, 16, 20, 24]),
                # Evening cohorts sometimes cost a little more; never a float.
                price_cents=module.price_cents + (2_500 if cohort == 2 else 0),
                location_name="" if online else rng.choice(REGION_FACTS[region_code][1]),
                postcode=postcode,
                region_id=None if online else regions[region_code],
                latitude=Decimal(f"{point[0]:.5f}") if point else None,
                longitude=Decimal(f"{point[1]:.5f}") if point else None,
            )
        )
    return offerings
