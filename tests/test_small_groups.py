"""No count of a group of fewer than 10 people comes out of the platform (docs/security.md, 'Small groups').

Three parts: the helper in core.privacy (primary and complementary suppression); a walk over the source that finds
every function that counts (Count(, .count(), GROUP BY, bincount) and requires it to be either a registered
producer of aggregates of people (`@aggregate_of_people`) or known to count something else; and a call of every
registered producer with tiny groups, which must give no count from 1 to 9."""

import ast
import datetime
import importlib
import re
from dataclasses import asdict, is_dataclass
from pathlib import Path

import pytest
from django.urls import reverse

from levenlang.core.privacy import AGGREGATE_PRODUCERS, MIN_GROUP_SIZE, shown, suppress_cells, suppress_small_groups
from levenlang.core.roles import Role
from levenlang.employers.models import Employer, Employment, SectorFund
from levenlang.residents.models import Resident
from tests.factories import ResidentFactory, UserFactory, region

SRC = Path(__file__).resolve().parents[1] / "src" / "levenlang"
COUNTING = re.compile(r"\bCount\(|\.count\(\)|GROUP BY|bincount", re.IGNORECASE)
PRODUCER_MODULES = ["levenlang.residents.services", "levenlang.portal.services", "levenlang.schemes.services"]

# Functions that count, but not people shown to a role that sees no individuals; each with the reason.
NOT_PEOPLE = {
    "skills.taxonomy": "concepts, labels and relations of the skills taxonomy (import reports)",
    "catalog.api._page": "the number of published modules (pagination)",
    "catalog.importers.read_csv": "lines of an import file",
    "catalog.services": "modules per facet of a catalogue search",
    "catalog.views.provider_modules": "a provider's own modules and their offerings",
    "catalog.views.review_providers": "providers and their modules, for administrators",
    "core.parsing._too_deep": "brackets in a JSON text (its nesting depth)",
    "core.regions.ensure_regions": "the regions table",
    "demo.population": "demo data generator",
    "enrolment.monitoring.price_bunching": "modules per provider near a price ceiling",
    "enrolment.services.decisions_waiting": "enrolments waiting for a decision, for administrators (who see each one)",
    "enrolment.services.waiting_counts": "a provider's own enrolments per status (its list shows each one)",
    "enrolment.views.price_monitor": "enrolments of suspended providers, for the ministry's and administrators' page",
    "ledger.chain.chain_head": "journals linked in the hash chain",
    "ledger.reconcile": "the ledger's invariants (journals, pots, reservations)",
    "ledger.services.reads.deposits_made": "an employer's or sector fund's own deposits (journals), not people",
    "ledger.beancount_export": "accounts and journals for auditors",
    "portal.services._employee_count": "inside employer_home and sector_fund_home, which suppress it",
    "portal.services.programme_home": "employers and providers per region: organisations, not people",
    "portal.services.administrator_home": "user accounts per role: administrators see individuals anyway",
    "schemes.population": "reading the population for the rules (chunks, balances)",
    "schemes.services._breakdown": "the raw what-if figures: shown only through what_if, which suppresses",
    "schemes.services.simulate": "the raw what-if figures: shown only through what_if, which suppresses",
    "residents.services": "the registered producers of this module (checked below)",
}
PEOPLE_KEYS = {"count", "people", "better_off", "worse_off", "employee_count", "resident_count", "total_residents"}


# --- the helper ----------------------------------------------------------------------------------------------


def test_a_count_under_ten_is_hidden_and_an_empty_group_is_not():
    assert [shown(n) for n in (0, 1, 9, 10, 250)] == [0, None, None, 10, 250]


def test_one_hidden_cell_takes_the_smallest_other_cell_with_it_so_the_total_gives_nothing_away():
    # 12 + 11 + 1 = 24: with the total known, hiding only the 1 would give it back (24 - 12 - 11).
    assert suppress_cells([12, 11, 1]) == [12, None, None]
    assert suppress_cells([40, 3, 4, 5]) == [40, None, None, None]  # 3 + 4 + 5 = 12 hidden together: enough
    assert suppress_cells([40, 30, 0]) == [40, 30, 0]
    assert suppress_cells([4]) == [None]


def test_figures_of_a_hidden_group_and_its_small_sub_groups_are_hidden_too():
    rows = [
        {"label": "a", "count": 500, "cents": 9, "better": 4, "worse": 496},
        {"label": "b", "count": 30, "cents": 7, "better": 30, "worse": 0},
        {"label": "c", "count": 3, "cents": 5, "better": 3, "worse": 0},
    ]
    a, b, c = suppress_small_groups(rows, derived=["cents"], parts=["better", "worse"])
    assert (a["count"], a["better"], a["worse"]) == (500, None, None)  # 500 - 496 would give the 4 away
    assert (c["count"], c["cents"], c["better"]) == (None, None, None)
    assert (b["count"], b["cents"], b["better"]) == (None, None, None)  # else c's 3 = the total minus a and b


# --- every function that counts is known -----------------------------------------------------------------------


def counting_functions() -> set[str]:
    """'app.module.function' (or Class.method) of every top-level function in src that counts something."""
    found = set()
    for path in SRC.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        module = ".".join(path.relative_to(SRC).with_suffix("").parts)
        source = path.read_text()
        tree = ast.parse(source)
        for node in tree.body:
            defs = [node] if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) else []
            if isinstance(node, ast.ClassDef):
                defs = [(node, f) for f in node.body if isinstance(f, ast.FunctionDef | ast.AsyncFunctionDef)]
            for item in defs:
                owner, function = item if isinstance(item, tuple) else (None, item)
                if COUNTING.search(ast.get_source_segment(source, function) or ""):
                    found.add(f"{module}.{owner.name + '.' if owner else ''}{function.name}")
    return found


def registered() -> set[str]:
    for name in PRODUCER_MODULES:
        importlib.import_module(name)
    return {name.removeprefix("levenlang.") for name in AGGREGATE_PRODUCERS}


def test_every_function_that_counts_is_a_registered_producer_or_counts_no_people():
    producers = registered()
    unknown = sorted(
        name
        for name in counting_functions()
        if name not in producers and not any(name == k or name.startswith(f"{k}.") for k in NOT_PEOPLE)
    )
    assert unknown == [], (
        "These functions count something. If they count people for a role that sees no individuals, use "
        "core.privacy and mark them @aggregate_of_people (and add a case below); otherwise add them to NOT_PEOPLE "
        f"with the reason: {unknown}"
    )


def test_the_known_producers_are_registered():
    assert registered() >= {
        "residents.services.count_by_region",
        "residents.services.count_by_age_group",
        "portal.services.employer_home",
        "portal.services.sector_fund_home",
        "portal.services.adviser_home",
        "portal.services.ministry_home",
        "schemes.services.what_if",
    }


# --- every producer, called with tiny groups ----------------------------------------------------------------------


def people_counts(value, key=None):
    """Every count of people in a producer's result (dicts, lists, dataclasses and model objects)."""
    if is_dataclass(value):
        value = asdict(value)
    if isinstance(value, Employer | SectorFund):
        value = {k: v for k, v in vars(value).items() if k in PEOPLE_KEYS}
    if isinstance(value, dict):
        for k, v in value.items():
            yield from people_counts(v, k)
    elif isinstance(value, list | tuple):
        for v in value:
            yield from people_counts(v, key)
    elif (value is None or (isinstance(value, int) and not isinstance(value, bool))) and key in PEOPLE_KEYS:
        yield key, value


def residents(n: int, **fields) -> list[Resident]:
    return ResidentFactory.create_batch(n, **fields)


def employ(people, employer):
    for person in people:
        Employment.objects.create(
            resident=person, employer=employer, job_title="Lasser", start_date="2020-01-01", hours_per_week=32
        )


@pytest.fixture
def tiny_population(db):
    """Age groups of 12 (4 of them low-qualified), 11 and 4 people; 12 in Twente-like regions, one in Zeeland."""
    residents(4, birth_date=datetime.date(1990, 3, 1), nlqf_level=2)
    residents(8, birth_date=datetime.date(1990, 3, 1), nlqf_level=6)
    residents(11, birth_date=datetime.date(1975, 3, 1), nlqf_level=6)
    residents(3, birth_date=datetime.date(1965, 3, 1), nlqf_level=6)
    residents(1, birth_date=datetime.date(1965, 3, 1), nlqf_level=6, region=region("zeeland"))


@pytest.fixture
def small_employer(db):
    fund = SectorFund.objects.create(name="A+O fonds Test", sector="metal_electrical")
    employer = Employer.objects.create(
        kvk_number="87654321", name="Klein B.V.", sector="metal_electrical", size="micro", region=region(),
        sector_fund=fund,
    )  # fmt: skip
    employ(residents(4), employer)
    return employer


def call(name: str, tiny_population, small_employer):
    from levenlang.residents import services as resident_services
    from levenlang.schemes import services as scheme_services
    from levenlang_rules import reforms

    year = 2026
    user = {
        "portal.services.employer_home": UserFactory(role=Role.EMPLOYER_STAFF),
        "portal.services.sector_fund_home": UserFactory(role=Role.SECTOR_FUND_STAFF),
        "portal.services.adviser_home": UserFactory(role=Role.ADVISER, region=region("zeeland")),
        "portal.services.ministry_home": UserFactory(role=Role.MINISTRY_ANALYST),
    }.get(name)
    small_employer.staff.add(*[u for u in [user] if u is not None and u.role == Role.EMPLOYER_STAFF])
    small_employer.sector_fund.staff.add(*[u for u in [user] if u is not None and u.role == Role.SECTOR_FUND_STAFF])
    if name == "schemes.services.what_if":
        return scheme_services.what_if(year, reforms.more_rights_low_qualified(datetime.date(year, 1, 1)))
    if name == "residents.services.count_by_age_group":
        return resident_services.count_by_age_group(datetime.date(year, 1, 1))
    if name == "residents.services.count_by_region":
        return resident_services.count_by_region()
    return AGGREGATE_PRODUCERS[f"levenlang.{name}"](user)


@pytest.mark.parametrize("name", sorted(registered()))
def test_no_producer_gives_a_count_of_fewer_than_ten_people(name, tiny_population, small_employer):
    counts = list(people_counts(call(name, tiny_population, small_employer)))
    assert counts, f"{name} gave no counts of people: the walk above does not see them"
    small = [(key, n) for key, n in counts if n is not None and 0 < n < MIN_GROUP_SIZE]
    assert small == [], f"{name} gives away small groups: {small}"


def test_the_what_if_hides_a_better_off_count_inside_a_group_it_shows(tiny_population):
    from levenlang.schemes import services
    from levenlang_rules import reforms

    reform = reforms.more_rights_low_qualified(datetime.date(2026, 1, 1))
    raw = services.simulate(2026, reform)
    assert {b.label: b.better_off for b in raw.by_age}["35–44"] == 4  # the raw figure exists …
    result = services.what_if(2026, reform)
    by_age = {b.label: b for b in result.by_age}
    assert by_age["35–44"].people == 12 and by_age["35–44"].better_off is None  # … but is not shown
    assert "45–54" not in by_age  # shown alone it would give the hidden 55–66 group away (total minus the rest)
    assert result.better_off is None


def test_the_sector_fund_page_does_not_show_four_employees(client, small_employer):
    staff = UserFactory(role=Role.SECTOR_FUND_STAFF)
    small_employer.sector_fund.staff.add(staff)
    client.force_login(staff)
    page = client.get(reverse("portal:home"))
    assert page.status_code == 200
    assert ">4<" not in page.text and "niet getoond" in page.text
