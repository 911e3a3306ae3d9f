"""Levenlang's rules as code: an OpenFisca tax-benefit system for the learning rights, the schemes (regelingen) and
the fiscal effect of deposits. Parameters are dated YAML (parameters/), rules are vectorised formulas (variables/),
each scheme has a register entry (register/), reforms live in reforms/ and YAML tests in tests/.

One implementation serves one person (the navigator) and the whole population (allocation, what-if simulation).
Amounts leave OpenFisca as integer cents through `levenlang_rules.money`."""

import functools
from pathlib import Path

from openfisca_core.taxbenefitsystems import TaxBenefitSystem

from levenlang_rules.entities import entities

PACKAGE_DIR = Path(__file__).resolve().parent


class LevenlangRules(TaxBenefitSystem):
    def __init__(self) -> None:
        super().__init__(entities)
        self.add_variables_from_directory(str(PACKAGE_DIR / "variables"))
        self.load_parameters(str(PACKAGE_DIR / "parameters"))

    def get_package_metadata(self) -> dict:
        # OpenFisca looks for an installed distribution; this package ships inside the Levenlang repository.
        return {"name": "levenlang_rules", "version": "1", "repository_url": "", "location": str(PACKAGE_DIR)}


@functools.cache
def tax_benefit_system() -> LevenlangRules:
    """The live rules, built once per process (building takes about a second; a simulation takes milliseconds)."""
    return LevenlangRules()
