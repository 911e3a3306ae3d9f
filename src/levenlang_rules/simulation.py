"""Build and run a simulation over N persons (N = 1 for the navigator, millions for allocation and what-if)."""

from collections.abc import Mapping

import numpy as np
from openfisca_core.indexed_enums import EnumArray
from openfisca_core.periods import DateUnit
from openfisca_core.simulation_builder import SimulationBuilder
from openfisca_core.simulations import Simulation
from openfisca_core.taxbenefitsystems import TaxBenefitSystem

from levenlang_rules import tax_benefit_system


def _as_input(variable, values) -> np.ndarray:
    values = np.asarray(values)
    if getattr(variable, "possible_values", None) is not None:
        if values.dtype.kind in "iu":  # already the enum's index (what the population loader hands over)
            return EnumArray(values.astype(np.int16), variable.possible_values)
        return variable.possible_values.encode(values)
    if variable.value_type.__name__ == "date":
        return values.astype("datetime64[D]")
    return values.astype(variable.dtype)


def build(inputs: Mapping[str, np.ndarray | list], year: int, system: TaxBenefitSystem | None = None) -> Simulation:
    """A simulation of len(any input) persons for `year`. Inputs are arrays, one value per person; a variable
    not given takes its default."""
    system = system or tax_benefit_system()
    count = len(next(iter(inputs.values())))
    simulation = SimulationBuilder().build_default_simulation(system, count)
    for name, values in inputs.items():
        variable = system.get_variable(name, check_existence=True)
        period = "eternity" if variable.definition_period == DateUnit.ETERNITY else str(year)
        simulation.set_input(name, period, _as_input(variable, values))
    return simulation


def calculate(simulation: Simulation, name: str, year: int) -> np.ndarray:
    return simulation.calculate(name, str(year))
