"""factory_boy factories for tests. They write real rows to the real (test) PostgreSQL database."""

import datetime
import itertools

import factory

from levenlang.core.identifiers import bsn_check_digit
from levenlang.core.models import Region, User
from levenlang.core.regions import ensure_regions
from levenlang.core.roles import Role
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
