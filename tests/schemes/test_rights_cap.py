"""The ceiling on learning rights, as the yearly allocation applies it through the ledger: EUR 8,000 up to and
including NLQF 2, EUR 5,000 from NLQF 3 on (levenlang_rules/parameters/learning_rights/cap/). Earlier years' rights
pots count; this year's does not."""

import datetime

import pytest

from levenlang.ledger import services as ledger
from levenlang.ledger.clock import FixedClock
from levenlang.ledger.models import Category, Pot, PotKind
from levenlang.residents.models import Situation
from levenlang.schemes import services
from tests.factories import ResidentFactory

pytestmark = pytest.mark.django_db

YEAR = 2026
CLOCK = FixedClock(datetime.datetime(YEAR, 1, 2, 6, 0, tzinfo=datetime.UTC))


def holding(level: int, euros: int):
    """A resident at NLQF `level` who holds `euros` of last year's learning rights."""
    resident = ResidentFactory(birth_date=datetime.date(1990, 1, 1), nlqf_level=level, situation=Situation.EMPLOYED)
    ledger.deposit(
        key=f"last-year-{resident.pk}",
        resident_id=resident.pk,
        source=services.rights_budget(YEAR - 1),
        pot_kind=PotKind.RIGHTS,
        lot=str(YEAR - 1),
        amount_cents=euros * 100,
        categories=list(Category),
        expires_on=None,
        description="Leerrechten vorig jaar",
        clock=CLOCK,
    )
    return resident


def credited(resident) -> int:
    pot = Pot.objects.filter(leerrekening_id=resident.pk, kind=PotKind.RIGHTS, lot=str(YEAR)).first()
    return pot.posted_cents if pot else 0


def test_the_allocation_fills_up_to_the_higher_ceiling_through_nlqf_2_and_the_general_one_from_nlqf_3():
    level_2_near_8000 = holding(2, 7_900)
    level_3_near_8000 = holding(3, 7_900)
    level_3_near_5000 = holding(3, 4_900)
    level_2_at_8000 = holding(2, 8_000)
    services.allocate_learning_rights(YEAR, clock=CLOCK)
    assert credited(level_2_near_8000) == 10_000  # € 100,00: up to € 8.000
    assert credited(level_3_near_8000) == 0  # above € 5.000 already
    assert credited(level_3_near_5000) == 10_000  # € 100,00: up to € 5.000
    assert credited(level_2_at_8000) == 0
