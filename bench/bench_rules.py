"""Rules as code (docs/performance.md), on the population that bench_demo_load left in the bench database:

- navigator: p95 of `rules.services.navigate` for one resident (the resident's row read by COPY, every scheme
  in the register computed and explained), beside the rules alone for the same people (inputs already in memory).
  Target p95 <= 20 ms.
- rules over the population: the OpenFisca simulation of `learning_rights` for all n residents, beside a
  hand-written numpy version of the same rules (the ceiling: no framework). Both must give the same cents.
- yearly allocation end to end (read + rules + ledger), residents per second, extrapolated to 18M, beside raw SQL
  writing the same ledger rows with the same threads (bench_ledger_allocation's ceiling).
  Target: 18M within 15 minutes at >= 90% of raw SQL.
- what-if over the population from the database, extrapolated; and, when n >= 1,000,000, the what-if on 18 million
  synthetic residents in memory in a child process, with its peak memory (ru_maxrss). Target <= 60 s, <= 8 GB.
"""

import datetime
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from bench_ledger_allocation import LEDGER_ROOTS, PROTECTED_TABLES, _raw_seconds
from tables import empty_tables

from levenlang.residents.models import Resident
from levenlang.schemes import population, services
from levenlang_rules import navigator, reforms, tax_benefit_system
from levenlang_rules.dates import age_in_months, year_month_day
from levenlang_rules.money import to_cents

YEAR = 2027
TARGET_RESIDENTS = 18_000_000
NAVIGATOR_SAMPLES = 200


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def numpy_learning_rights(inputs: dict, year: int) -> np.ndarray:
    """The learning rights written directly in numpy from the same parameters: the ceiling for the framework's
    overhead, and a cross-check of the formulas."""
    p = tax_benefit_system().parameters(f"{year}-01-01")
    lr, aow_months = p.learning_rights, p.general.aow_age_months
    by, _, _ = year_month_day(inputs["birth"])
    age_months = age_in_months(inputs["birth"], datetime.date(year, 1, 1))
    level, situation = inputs["nlqf_level"], inputs["situation"]
    turns_adult = by + lr.opening_age == year
    yearly = (by + lr.opening_age < year) & (age_months < aow_months) & (situation != 3) & (situation != 4)
    extra = np.select(
        [level <= lr.little_public_education.low_max_level, level <= lr.little_public_education.middle_max_level],
        [lr.little_public_education.low, lr.little_public_education.middle],
        0,
    )
    age = age_months // 12
    due = turns_adult * lr.starting_capital + yearly * (
        lr.yearly_base
        + extra
        + (situation == 2) * lr.job_seeking_supplement
        + ((age >= lr.mid_career.from_age) & (age <= lr.mid_career.to_age)) * lr.mid_career.amount
    )
    cap = np.where(level <= lr.cap.low_education_max_level, lr.cap.low_education, lr.cap.general)
    return to_cents(np.minimum(due, np.maximum(cap - inputs["rights_balance"], 0)))


def synthetic_inputs(n: int, seed: int = 7) -> dict[str, np.ndarray]:
    """n residents with the demo's rough shape (ages 0–95, education, situation, region), made in numpy."""
    rng = np.random.default_rng(seed)
    return {
        "birth": np.datetime64("1930-01-01") + rng.integers(0, 95 * 365, n).astype("timedelta64[D]"),
        "nlqf_level": rng.choice(9, n, p=[0.03, 0.05, 0.12, 0.15, 0.25, 0.02, 0.23, 0.13, 0.02]).astype(np.int16),
        "situation": rng.choice(6, n, p=[0.55, 0.1, 0.05, 0.15, 0.1, 0.05]).astype(np.int16),
        "region_code": rng.integers(1, 36, n).astype(np.int16),
        "hours_per_week": rng.choice([0, 24, 32, 36, 40], n).astype(np.int16),
        "employer_size": rng.integers(0, 5, n).astype(np.int16),
        "employer_sector_fund": rng.integers(0, 5, n).astype(np.int16),
        "receives_ww": rng.random(n) < 0.03,
        "rights_balance": rng.integers(0, 60, n).astype(np.float64) * 100,
    }


CHILD = """
import json, django
django.setup()
import bench_rules
print(json.dumps(bench_rules.what_if_in_memory({n})))
"""


def what_if_in_memory(n: int) -> dict:
    """Run in a child process: baseline and reform over n synthetic residents, with time and peak memory."""
    found = population.Population(ids=np.arange(n), inputs=synthetic_inputs(n), region_code=None, year=YEAR)
    found.region_code = found.inputs["region_code"]
    started = time.perf_counter()
    result = services.what_if(YEAR, reforms.more_rights_low_qualified(datetime.date(YEAR, 1, 1)), found=found)
    seconds = time.perf_counter() - started
    started = time.perf_counter()
    numpy_learning_rights(found.inputs, YEAR)
    numpy_seconds = time.perf_counter() - started
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"seconds": seconds, "numpy_seconds": numpy_seconds, "peak_gib": peak_kib / 2**20, "people": result.people}


def run(n: int, report) -> None:
    residents = Resident.objects.count()
    assert residents, "bench_demo_load must run first: it loads the population"

    # Navigator, one resident at a time.
    sample = list(Resident.objects.order_by("?").values_list("id", flat=True)[:NAVIGATOR_SAMPLES])
    people = list(Resident.objects.filter(id__in=sample))
    services.navigate(people[0], year=YEAR)  # warm: the rules are built once per process
    full, rules_only = [], []
    for resident in people:
        started = time.perf_counter()
        services.navigate(resident, year=YEAR)
        full.append((time.perf_counter() - started) * 1000)
        inputs = {k: v[0] for k, v in population.load(YEAR, resident_ids=[resident.pk]).inputs.items()}
        started = time.perf_counter()
        navigator.navigate(inputs, YEAR)
        rules_only.append((time.perf_counter() - started) * 1000)
    report(
        "navigator p95, one resident, all schemes",
        p95(full),
        "ms",
        ceiling_name="the rules alone, inputs in memory",
        ceiling=p95(rules_only),
        target="p95 <= 20 ms",
    )

    # Rules over the whole population.
    started = time.perf_counter()
    found = population.load(YEAR)
    read_seconds = time.perf_counter() - started
    timings, reference = [], []
    for _ in range(3):
        started = time.perf_counter()
        cents = services.learning_rights_cents(found)
        timings.append(time.perf_counter() - started)
        started = time.perf_counter()
        expected = numpy_learning_rights(found.inputs, YEAR)
        reference.append(time.perf_counter() - started)
    assert np.array_equal(cents, expected), "OpenFisca and the numpy reference disagree"
    print(f"   read {len(found):,} residents as rule inputs in {read_seconds:.2f} s", flush=True)
    report(
        f"learning rights for {len(found):,} residents (OpenFisca), median of 3",
        statistics.median(timings),
        "s",
        ceiling_name="the same rules in plain numpy",
        ceiling=statistics.median(reference),
    )

    # Yearly allocation end to end, from an empty ledger ("first year": every account is opened too).
    empty_tables(LEDGER_ROOTS, PROTECTED_TABLES)
    started = time.perf_counter()
    result = services.allocate_learning_rights(YEAR)
    seconds = time.perf_counter() - started
    assert result["credited"] == result["due"] and result["amount_cents"] == result["due_cents"], result
    print(
        f"   allocation: read {result['load_s']:.2f} s, rules {result['rules_s']:.2f} s, "
        f"ledger {result['ledger_s']:.2f} s for {result['due']:,} residents with rights",
        flush=True,
    )
    # The ceiling: the ledger's own statements for the same rows, without rules, ORM or service (raw SQL).
    empty_tables(LEDGER_ROOTS, PROTECTED_TABLES)
    cents = services.learning_rights_cents(found)
    raw = _raw_seconds(found.ids[cents > 0], cents[cents > 0], services.rights_budget(YEAR))
    rate, raw_rate = residents / seconds, residents / raw
    report(
        "yearly allocation end to end (read + rules + ledger), residents per second",
        rate,
        "residents/s",
        ceiling_name="raw SQL INSERT ... SELECT of the same ledger rows",
        ceiling=raw_rate,
        target=(
            f">= 90% of raw, 18M <= 900 s; extrapolated {TARGET_RESIDENTS / rate:,.0f} s, "
            f"raw {TARGET_RESIDENTS / raw_rate:,.0f} s"
        ),
        higher_is_better=True,
    )

    # What-if from the database, and at national size in memory.
    started = time.perf_counter()
    result = services.what_if(YEAR, reforms.more_rights_low_qualified(datetime.date(YEAR, 1, 1)))
    seconds = time.perf_counter() - started
    report(
        f"what-if over {residents:,} residents (read + baseline + reform + breakdowns)",
        seconds,
        "s",
        ceiling_name="the population read alone",
        ceiling=read_seconds,
        target=f"18M <= 60 s; extrapolated {seconds * TARGET_RESIDENTS / residents:,.0f} s",
    )
    if n >= 1_000_000 or os.environ.get("LEVENLANG_BENCH_WHATIF_18M"):
        bench_dir = Path(__file__).resolve().parent
        child = subprocess.run(
            [sys.executable, "-c", CHILD.format(n=TARGET_RESIDENTS)],
            capture_output=True,
            text=True,
            check=True,
            cwd=bench_dir,
            env={**os.environ, "PYTHONPATH": os.pathsep.join([str(bench_dir), str(bench_dir.parent / "src")])},
        )
        measured = json.loads(child.stdout.strip().splitlines()[-1])
        report(
            f"what-if over {measured['people']:,} synthetic residents in memory",
            measured["seconds"],
            "s",
            ceiling_name="the baseline rules in plain numpy",
            ceiling=measured["numpy_seconds"],
            target=f"<= 60 s and <= 8 GB; peak memory {measured['peak_gib']:.1f} GiB",
        )
