"""Where the rules meet the platform: the navigator for one resident, the yearly allocation of learning rights
through the ledger, and the what-if simulation of a reform over the whole population. The rules themselves live in
the OpenFisca package `levenlang_rules`; this module only feeds it and hands its results on."""

import datetime
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from django.utils import timezone

from levenlang.core import audit
from levenlang.core.categories import Category
from levenlang.core.privacy import aggregate_of_people, suppress_small_groups
from levenlang.core.regions import REGIONS
from levenlang.ledger import services as ledger
from levenlang.ledger.services import SYSTEM_CLOCK, Clock, PotKind, SystemAccount
from levenlang.schemes import population as populations
from levenlang.schemes.models import SimulationRun
from levenlang_rules import navigator, reforms, simulation, tax_benefit_system
from levenlang_rules.money import to_cents

__all__ = [
    "AGE_GROUPS",
    "EMPLOYER_EFFECT",
    "LEVEL_GROUPS",
    "OWN_EFFECT",
    "RIGHTS_SCHEME",
    "STAGES",
    "Breakdown",
    "WhatIf",
    "allocate_learning_rights",
    "deposit_effect",
    "deposit_inputs",
    "learning_rights_cents",
    "navigate",
    "reform_from",
    "rights_budget",
    "rights_expiry",
    "run_what_if",
    "start_what_if",
    "what_if",
]

RIGHTS_SCHEME = "leerrechten"


# --- navigator ------------------------------------------------------------------------------------------------


def navigate(resident, *, year: int | None = None, viewer=None, request=None) -> list[navigator.SchemeResult]:
    """Every scheme for `resident` (and their employer) in `year`: eligible or not, the amount and why.
    A look by anyone but the resident is audited."""
    year = year or timezone.localdate().year
    found = populations.load(year, resident_ids=[resident.pk])
    if viewer is not None:
        audit.record_view(viewer, resident, reason="navigator: schemes of a resident", request=request)
    inputs = {name: values[0] for name, values in found.inputs.items()}
    return navigator.navigate(inputs | deposit_inputs(resident.pk, year), year)


def deposit_inputs(resident_id: int, year: int) -> dict[str, float]:
    """The deposits that are in the person's Leerrekening this year, as the rules' inputs (euros): what the
    employer deposited and what the person deposited themselves. (A sector fund's deposit is neither.)"""
    deposited = ledger.deposits_in_year(resident_id, year)
    return {
        "employer_deposit": deposited.get(PotKind.EMPLOYER, 0) / 100,
        "own_deposit": deposited.get(PotKind.OWN, 0) / 100,
    }


# --- yearly allocation of learning rights -------------------------------------------------------------------


def rights_budget(year: int) -> SystemAccount:
    return ledger.system_account(SystemAccount.Kind.BUDGET, f"Leerrechten {year}", scheme=RIGHTS_SCHEME, year=year)


def rights_expiry(year: int) -> datetime.date:
    years = int(tax_benefit_system().parameters(f"{year}-01-01").learning_rights.validity_years)
    return datetime.date(year + years - 1, 12, 31)


def learning_rights_cents(found: populations.Population, system=None) -> np.ndarray:
    """Each resident's learning rights for the year, in whole cents (int64), in the order of `found.ids`."""
    if not len(found):
        return np.zeros(0, dtype=np.int64)
    sim = simulation.build(found.inputs, found.year, system)
    return to_cents(sim.calculate("learning_rights", str(found.year)))


def allocate_learning_rights(
    year: int,
    *,
    progress: Callable[[int], None] | None = None,
    on_total: Callable[[int], None] | None = None,
    actor=None,
    clock: Clock = SYSTEM_CLOCK,
    chunk_size: int = 10_000,
) -> dict:
    """Compute the year's rights for every resident in one vectorised simulation and credit them through the
    ledger's bulk allocation. Idempotent per year: a rerun credits nobody twice (the ledger keeps one rights pot
    per resident and year, and skips the chunks it finished), and it computes the same amounts because the cap
    counts only earlier years' rights."""
    timings = {}
    started = time.perf_counter()
    found = populations.load(year)
    timings["load_s"] = time.perf_counter() - started
    started = time.perf_counter()
    cents = learning_rights_cents(found)
    timings["rules_s"] = time.perf_counter() - started
    due = cents > 0
    if on_total:
        on_total(int(due.sum()))
    started = time.perf_counter()
    result = ledger.allocate_arrays(
        found.ids[due],
        cents[due],
        run_key=f"learning-rights-{year}",
        source=rights_budget(year),
        pot_kind=PotKind.RIGHTS,
        lot=str(year),
        categories=list(Category),
        expires_on=rights_expiry(year),
        chunk_size=chunk_size,
        progress=progress,
        actor=actor,
        clock=clock,
    )
    timings["ledger_s"] = time.perf_counter() - started
    return {**result, "residents": len(found), "due": int(due.sum()), "due_cents": int(cents.sum()), **timings}


# --- what-if simulation -------------------------------------------------------------------------------------

AGE_GROUPS = [(0, 17), (18, 24), (25, 34), (35, 44), (45, 54), (55, 66), (67, 200)]
LEVEL_GROUPS = [(0, 2), (3, 4), (5, 6), (7, 8)]


# Counts of people are None where core.privacy hides them (a small group, or one that would give a small one away).
@dataclass
class Breakdown:
    label: str
    people: int | None
    baseline_cents: int | None
    reform_cents: int | None
    better_off: int | None
    worse_off: int | None

    @property
    def difference_cents(self) -> int | None:
        if self.reform_cents is None or self.baseline_cents is None:
            return None
        return self.reform_cents - self.baseline_cents


@dataclass
class WhatIf:
    year: int
    reform: str
    people: int | None
    baseline_cents: int | None
    reform_cents: int | None
    better_off: int | None
    worse_off: int | None
    by_region: list[Breakdown] = field(default_factory=list)
    by_age: list[Breakdown] = field(default_factory=list)
    by_level: list[Breakdown] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def difference_cents(self) -> int | None:
        if self.reform_cents is None or self.baseline_cents is None:
            return None
        return self.reform_cents - self.baseline_cents

    def as_dict(self) -> dict:
        def rows(items: list[Breakdown]) -> list[dict]:
            return [{**b.__dict__, "difference_cents": b.difference_cents} for b in items]

        return {
            **{k: v for k, v in self.__dict__.items() if not k.startswith("by_")},
            "difference_cents": self.difference_cents,
            "by_region": rows(self.by_region),
            "by_age": rows(self.by_age),
            "by_level": rows(self.by_level),
        }


def _breakdown(groups: np.ndarray, labels: list[str], base: np.ndarray, reform: np.ndarray) -> list[Breakdown]:
    """Sums per group with np.bincount (64-bit integer cents; bincount's float weights are exact below 2**53)."""
    size = len(labels)

    def total(weights: np.ndarray) -> np.ndarray:
        return np.bincount(groups, weights=weights, minlength=size).round().astype(np.int64)

    people = np.bincount(groups, minlength=size)
    base_sum, reform_sum = total(base), total(reform)
    better = np.bincount(groups, weights=reform > base, minlength=size).astype(np.int64)
    worse = np.bincount(groups, weights=reform < base, minlength=size).astype(np.int64)
    return [
        Breakdown(label, int(people[i]), int(base_sum[i]), int(reform_sum[i]), int(better[i]), int(worse[i]))
        for i, label in enumerate(labels)
    ]


GROUP_FIGURES = {"derived": ["baseline_cents", "reform_cents"], "parts": ["better_off", "worse_off"]}


def _without_small_groups(raw: WhatIf) -> WhatIf:
    """The figures that may be shown (core.privacy): small groups and the figures that would give them away are
    hidden; a breakdown's hidden and empty groups are left out."""

    def table(rows: list[Breakdown]) -> list[Breakdown]:
        cells = suppress_small_groups([{**b.__dict__, "count": b.people} for b in rows], **GROUP_FIGURES)
        return [
            Breakdown(**{k: v for k, v in c.items() if k not in ("people", "count")}, people=c["count"])
            for c in cells
            if c["count"]
        ]

    whole = {k: getattr(raw, k) for k in ["baseline_cents", "reform_cents", "better_off", "worse_off"]}
    (top,) = suppress_small_groups([{**whole, "count": raw.people}], **GROUP_FIGURES)
    return WhatIf(
        year=raw.year,
        reform=raw.reform,
        people=top["count"],
        **{k: top[k] for k in whole},
        by_region=table(raw.by_region),
        by_age=table(raw.by_age),
        by_level=table(raw.by_level),
        seconds=raw.seconds,
    )


def _group_of(values: np.ndarray, bounds: list[tuple[int, int]]) -> np.ndarray:
    groups = np.full(len(values), len(bounds), dtype=np.int64)  # outside every band: the last, unnamed group
    for i, (low, high) in enumerate(bounds):
        groups[(values >= low) & (values <= high)] = i
    return groups


@aggregate_of_people
def what_if(
    year: int,
    reform,
    *,
    found: populations.Population | None = None,
    variable: str = "learning_rights",
    stage: Callable[[str], None] | None = None,
) -> WhatIf:
    """Baseline versus `reform` over the whole population, as it may be shown: no group under MIN_GROUP_SIZE and
    no figure that gives one away (core.privacy). `simulate` has the raw figures."""
    return _without_small_groups(simulate(year, reform, found=found, variable=variable, stage=stage))


def simulate(
    year: int,
    reform,
    *,
    found: populations.Population | None = None,
    variable: str = "learning_rights",
    stage: Callable[[str], None] | None = None,
) -> WhatIf:
    """Baseline versus `reform` (an OpenFisca Reform class) over the whole population: total cost, people better
    and worse off, and the breakdown by region, age group and education level. The live rules are not touched:
    the reform is applied to a copy. Raw figures, small groups included: never show them, show `what_if`."""
    started = time.perf_counter()
    stage = stage or (lambda _name: None)
    stage("population")
    found = found if found is not None else populations.load(year)
    name = getattr(reform, "name", reform.__name__)
    if not len(found):
        return WhatIf(year, name, people=0, baseline_cents=0, reform_cents=0, better_off=0, worse_off=0)
    stage("baseline")
    base_sim = simulation.build(found.inputs, year)
    base = to_cents(base_sim.calculate(variable, str(year)))
    age = base_sim.calculate("age_on_1_january", str(year))
    del base_sim
    stage("reform")
    reformed = to_cents(
        simulation.build(found.inputs, year, reform(tax_benefit_system())).calculate(variable, str(year))
    )
    stage("aggregate")
    level = np.asarray(found.inputs["nlqf_level"])
    return WhatIf(
        year=year,
        reform=name,
        people=len(found),
        baseline_cents=int(base.sum(dtype=np.int64)),
        reform_cents=int(reformed.sum(dtype=np.int64)),
        better_off=int((reformed > base).sum()),
        worse_off=int((reformed < base).sum()),
        by_region=_breakdown(
            np.asarray(found.region_code, dtype=np.int64), ["?", *[name for _, name, *_ in REGIONS]], base, reformed
        ),
        by_age=_breakdown(_group_of(age, AGE_GROUPS), [f"{a}–{b}" for a, b in AGE_GROUPS], base, reformed),
        by_level=_breakdown(_group_of(level, LEVEL_GROUPS), [f"NLQF {a}–{b}" for a, b in LEVEL_GROUPS], base, reformed),
        seconds=time.perf_counter() - started,
    )


# --- what-if runs started from the ministry's page ------------------------------------------------------------

STAGES = {"population": 10, "baseline": 35, "reform": 65, "aggregate": 90}


def reform_from(spec: dict, year: int):
    """The Reform class described by a SimulationRun's `reform` field."""
    if "named" in spec:
        return reforms.NAMED[spec["named"]](datetime.date(year, 1, 1))
    return reforms.parametric(spec["changes"], datetime.date(year, 1, 1))


def start_what_if(user, *, year: int, spec: dict) -> SimulationRun:
    """Check the reform (a bad parameter path or value is refused before anything is queued) and queue the run."""
    from levenlang.schemes import tasks

    reform = reform_from(spec, year)
    run = SimulationRun.objects.create(created_by=user, year=year, reform=spec, reform_name=reform.name)
    tasks.run_what_if.defer(run_id=run.pk)
    return run


def run_what_if(run_id: int) -> None:
    run = SimulationRun.objects.get(pk=run_id)

    def stage(name: str) -> None:
        SimulationRun.objects.filter(pk=run.pk).update(
            status=SimulationRun.Status.RUNNING, stage=name, progress=STAGES[name]
        )

    try:
        result = what_if(run.year, reform_from(run.reform, run.year), stage=stage)
    except Exception as error:
        SimulationRun.objects.filter(pk=run.pk).update(status=SimulationRun.Status.FAILED, error=str(error))
        raise
    SimulationRun.objects.filter(pk=run.pk).update(
        status=SimulationRun.Status.DONE, stage="", progress=100, result=result.as_dict()
    )


# --- fiscal effect of a deposit ------------------------------------------------------------------------------

EMPLOYER_EFFECT = {
    "exempt_cents": "employer_deposit_exempt",
    "in_free_space_cents": "employer_deposit_in_free_space",
    "final_levy_base_cents": "employer_deposit_final_levy_base",
    "employer_tax_cents": "employer_deposit_final_levy",
    "employer_net_cost_cents": "employer_deposit_net_cost",
    "employee_net_benefit_cents": "employee_deposit_net_benefit",
    "employee_tax_saved_vs_wage_cents": "employee_deposit_tax_saved_vs_wage",
}
OWN_EFFECT = {
    "deduction_cents": "own_deposit_deduction",
    "tax_refund_cents": "own_deposit_tax_effect",
    "net_cost_cents": "own_deposit_net_cost",
}


def deposit_effect(
    *, kind: str, amount_cents: int, yearly_wage_cents: int, free_space_cents: int = 0, year: int | None = None
) -> dict:
    """Gross, tax effect and net cost of a deposit into a learning account, for the employer and the employee
    (kind "employer") or for the person (kind "own"), by the rules in levenlang_rules/variables/fiscal.py."""
    year = year or timezone.localdate().year
    inputs = {"yearly_wage": [yearly_wage_cents / 100]}
    if kind == "employer":
        inputs |= {"employer_deposit": [amount_cents / 100], "employer_wkr_free_space_left": [free_space_cents / 100]}
        wanted = EMPLOYER_EFFECT
    else:
        inputs |= {"own_deposit": [amount_cents / 100]}
        wanted = OWN_EFFECT
    sim = simulation.build(inputs, year)
    effect = {name: int(to_cents(sim.calculate(variable, str(year)))[0]) for name, variable in wanted.items()}
    rate = float(sim.calculate("own_deposit_deduction_rate" if kind == "own" else "box1_marginal_rate", str(year))[0])
    return {"kind": kind, "year": year, "gross_cents": amount_cents, **effect, "rate_percent": round(rate * 100, 2)}
