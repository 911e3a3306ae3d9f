"""The navigator: for one person (and their employer), every scheme in the register — eligible or not, the
amount, and which conditions held and which failed. One simulation of one person, the same formulas as for the
whole population."""

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from openfisca_core import periods

from levenlang_rules import register, simulation
from levenlang_rules.money import to_cents


@dataclass(frozen=True)
class CheckedCondition:
    condition: register.Condition
    held: bool

    def text(self, language: str) -> str:
        return (self.condition.met if self.held else self.condition.not_met)(language)


@dataclass(frozen=True)
class SchemeResult:
    scheme: register.Scheme
    eligible: bool
    amount_cents: int | None
    conditions: tuple[CheckedCondition, ...]
    parts: tuple[tuple[register.Part, int], ...]

    @property
    def reasons(self) -> tuple[CheckedCondition, ...]:
        """What to show: every condition that is not optional, and the optional ones that held."""
        return tuple(c for c in self.conditions if c.held or not c.condition.optional)


def navigate(inputs: Mapping[str, object], year: int, system=None) -> list[SchemeResult]:
    """Every scheme that runs in `year`, for the one person described by `inputs` (variable name → value)."""
    sim = simulation.build({name: [value] for name, value in inputs.items()}, year, system)
    period = periods.period(year)  # parsed once: a string period per calculation costs a quarter of the time
    results = []
    for scheme in register.schemes():
        if not scheme.runs_in(year):
            continue

        def value(name: str) -> np.generic:
            return sim.calculate(name, period)[0]

        amount = int(to_cents(value(scheme.amount))) if scheme.amount else None
        results.append(
            SchemeResult(
                scheme=scheme,
                eligible=bool(value(scheme.eligible)),
                amount_cents=amount,
                conditions=tuple(CheckedCondition(c, bool(value(c.variable))) for c in scheme.conditions),
                parts=tuple((p, int(to_cents(value(p.variable)))) for p in scheme.parts),
            )
        )
    return results
