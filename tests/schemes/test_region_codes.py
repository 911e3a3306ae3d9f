"""Region codes in the rules are positions in levenlang.core.regions.REGIONS (1-35). A scheme that names a region by
its code must keep pointing at that region when the list changes."""

import datetime

from levenlang.core.regions import REGIONS
from levenlang_rules import tax_benefit_system


def test_twents_fonds_region_code_is_twente() -> None:
    parameters = tax_benefit_system().parameters(datetime.date(2026, 1, 1).isoformat())
    code = int(parameters.schemes.twents_fonds_vakmanschap.region_code)
    assert REGIONS[code - 1][0] == "twente"
