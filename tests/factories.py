"""factory_boy factories for tests. They write real rows to the real (test) PostgreSQL database."""

import datetime
import itertools

import factory

from levenlang.catalog.models import LevelOfQualification, ModeOfDelivery, Module, Offering, Provider
from levenlang.core.identifiers import bsn_check_digit
from levenlang.core.models import Region, User
from levenlang.core.regions import ensure_regions
from levenlang.core.roles import Role
from levenlang.ledger.models import Category
from levenlang.residents.models import NLQFLevel, Resident, Situation


def _valid_bsns():
    for n in itertools.count(10_000_000):
        digit = bsn_check_digit(f"{n:08d}")
        if digit is not None:
            yield f"{n:08d}{digit}"


_bsns = _valid_bsns()


def region(code: str = "twente") -> Region:
    ensure_regions()  # a transactional test before this one may have flushed them
    return Region.objects.get(code=code)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"Person {n}")
    role = Role.RESIDENT


class ResidentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Resident

    bsn = factory.LazyFunction(lambda: next(_bsns))
    given_name = "Anna"
    family_name = factory.Sequence(lambda n: f"Jansen-{n}")
    birth_date = datetime.date(1981, 5, 17)
    nlqf_level = NLQFLevel.LEVEL_2
    situation = Situation.EMPLOYED
    postcode = "7511 AB"
    region = factory.LazyFunction(region)
    user = factory.SubFactory(UserFactory, role=Role.RESIDENT)


class ProviderFactory(factory.django.DjangoModelFactory):
    """An approved training provider (the usual case in tests); pass status="pending" for one under review."""

    class Meta:
        model = Provider

    kvk_number = factory.Sequence(lambda n: f"{60_000_000 + n:08d}")
    name = factory.Sequence(lambda n: f"Opleider {n}")
    kind = Provider.Kind.PRIVATE
    status = Provider.Status.APPROVED
    region = factory.LazyFunction(region)


class ModuleFactory(factory.django.DjangoModelFactory):
    """A published, job-oriented module of an approved provider."""

    class Meta:
        model = Module

    provider = factory.SubFactory(ProviderFactory)
    title_nl = factory.Sequence(lambda n: f"Module {n}")
    title_en = factory.Sequence(lambda n: f"Module {n}")
    description_nl = "Een module om te testen."
    category = Category.JOB_ORIENTED
    level = LevelOfQualification.EQF_3
    mode_of_delivery = ModeOfDelivery.PRESENTIAL
    price_cents = 50_000
    status = Module.Status.PUBLISHED


class OfferingFactory(factory.django.DjangoModelFactory):
    """A dated cohort starting in a month; pass start_date=None for a self-paced run."""

    class Meta:
        model = Offering

    module = factory.SubFactory(ModuleFactory)
    start_date = factory.LazyFunction(lambda: datetime.date.today() + datetime.timedelta(days=30))
    end_date = factory.LazyAttribute(lambda o: o.start_date + datetime.timedelta(days=60) if o.start_date else None)
    capacity = 20
    price_cents = factory.LazyAttribute(lambda o: o.module.price_cents)
    region = factory.LazyFunction(region)
    postcode = "7511 AB"
    # Where the postcode lies (postcode area centre), as catalog.services.place_offering fills it in.
    latitude = factory.LazyAttribute(lambda o: _located(o.postcode, 0))
    longitude = factory.LazyAttribute(lambda o: _located(o.postcode, 1))


def _located(postcode: str, index: int):
    from decimal import Decimal

    from levenlang.catalog.postcodes import locate

    point = locate(postcode)
    return Decimal(f"{point[index]:.5f}") if point else None
