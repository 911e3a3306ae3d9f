import datetime

import numpy as np
import pytest
from django.db.models import Sum

from levenlang.core.categories import Category
from levenlang.core.models import AuditEvent
from levenlang.core.roles import Role
from levenlang.employers.models import Employer, Employment
from levenlang.ledger import reconcile
from levenlang.ledger import services as ledger
from levenlang.ledger.clock import FixedClock
from levenlang.ledger.models import Leg, Pot, PotKind, SystemAccount
from levenlang.residents.models import Situation
from levenlang.schemes import population, services
from levenlang_rules import reforms, tax_benefit_system
from levenlang_rules.money import to_cents
from tests.factories import ResidentFactory, UserFactory, region

YEAR = 2026
CLOCK = FixedClock(datetime.datetime(YEAR, 1, 2, 6, 0, tzinfo=datetime.UTC))


@pytest.fixture
def people(db):
    """A small population with every branch of the rules: turning 18, low and high education, job seeking,
    student, past the AOW age, and someone at the cap."""
    return [
        ResidentFactory(birth_date=datetime.date(2008, 12, 31), nlqf_level=1, situation=Situation.STUDENT),
        ResidentFactory(birth_date=datetime.date(1990, 6, 15), nlqf_level=2, situation=Situation.JOB_SEEKING),
        ResidentFactory(birth_date=datetime.date(1996, 3, 1), nlqf_level=6, situation=Situation.EMPLOYED),
        ResidentFactory(birth_date=datetime.date(1981, 1, 1), nlqf_level=7, situation=Situation.SELF_EMPLOYED),
        ResidentFactory(birth_date=datetime.date(2004, 5, 5), nlqf_level=4, situation=Situation.STUDENT),
        ResidentFactory(birth_date=datetime.date(1958, 2, 2), nlqf_level=3, situation=Situation.RETIRED),
        ResidentFactory(birth_date=datetime.date(2010, 1, 1), nlqf_level=0, situation=Situation.STUDENT),
    ]


EXPECTED_CENTS = [100_000, 105_000, 50_000, 70_000, 0, 0, 0]


def test_the_population_loader_maps_the_database_to_rule_inputs(people):
    employer = Employer.objects.create(
        kvk_number="69599084", name="Metaal B.V.", sector="metal_electrical", size=Employer.Size.SMALL, region=region()
    )
    Employment.objects.create(
        resident=people[2],
        employer=employer,
        job_title="Monteur",
        hours_per_week=32,
        start_date=datetime.date(2020, 1, 1),
    )
    found = population.load(YEAR)
    assert list(found.ids) == [p.pk for p in people]
    assert found.inputs["birth"][0] == np.datetime64("2008-12-31")
    assert list(found.inputs["nlqf_level"]) == [p.nlqf_level for p in people]
    assert [population.SITUATIONS[i] for i in found.inputs["situation"]] == [p.situation for p in people]
    twente = [code for code, *_ in population.REGIONS].index("twente") + 1
    assert set(found.region_code) == {twente}
    assert list(found.inputs["hours_per_week"]) == [0, 0, 32, 0, 0, 0, 0]
    assert population.EMPLOYER_SIZES[found.inputs["employer_size"][2]] == Employer.Size.SMALL
    assert list(found.inputs["receives_ww"]) == [False, True, False, False, False, False, False]


def test_yearly_allocation_credits_what_the_rules_say_to_the_cent_and_only_once(people):
    first = services.allocate_learning_rights(YEAR, clock=CLOCK, chunk_size=3)
    assert first["credited"] == 4
    assert first["amount_cents"] == first["due_cents"] == sum(EXPECTED_CENTS)

    pots = dict(Pot.objects.filter(kind=PotKind.RIGHTS, lot=str(YEAR)).values_list("leerrekening_id", "posted_cents"))
    assert [pots.get(p.pk, 0) for p in people] == EXPECTED_CENTS
    # Rounding never creates or loses a cent: the budget's legs are minus the sum of the per-person amounts.
    budget_legs = Leg.objects.filter(system_account=services.rights_budget(YEAR)).aggregate(s=Sum("amount_cents"))["s"]
    assert budget_legs == -sum(EXPECTED_CENTS)
    assert pots[people[0].pk] and Pot.objects.get(leerrekening_id=people[0].pk).expires_on == datetime.date(
        2035, 12, 31
    )

    again = services.allocate_learning_rights(YEAR, clock=CLOCK, chunk_size=2)  # chunked otherwise: still once
    assert again["credited"] == 0 and again["amount_cents"] == 0
    assert Pot.objects.filter(kind=PotKind.RIGHTS).aggregate(s=Sum("posted_cents"))["s"] == sum(EXPECTED_CENTS)
    assert reconcile.reconcile() == []


def test_rounding_at_the_boundary_gives_whole_cents_that_add_up():
    # float32 euros such as 0.1 + 0.2 are not exact; the boundary rounds each person once, totals are integer sums.
    euros = np.array([0.1, 0.2, 1234.56, 333.33, 799.99], dtype=np.float32)
    cents = to_cents(euros)
    assert cents.dtype == np.int64
    assert list(cents) == [10, 20, 123_456, 33_333, 79_999]
    assert cents.sum() == 10 + 20 + 123_456 + 33_333 + 79_999


def test_the_cap_counts_only_earlier_years(people):
    services.allocate_learning_rights(YEAR, clock=CLOCK)
    job_seeker = [p.pk for p in people].index(people[1].pk)
    assert population.load(YEAR + 1).inputs["rights_balance"][job_seeker] == 1050  # this year's rights, in euros
    assert population.load(YEAR).inputs["rights_balance"][job_seeker] == 0  # the year's own pot is not counted


def test_a_reform_changes_the_simulation_and_not_the_live_rules(people):
    reform = reforms.parametric({"learning_rights.little_public_education.low": 600}, datetime.date(YEAR, 1, 1))
    result = services.simulate(YEAR, reform)  # the raw figures: seven people would all be hidden by what_if
    # Only the job seeker has NLQF <= 2 and yearly rights (the 18-year-old gets the starting capital only).
    assert result.reform_cents - result.baseline_cents == 30_000
    assert result.better_off == 1 and result.worse_off == 0
    assert result.baseline_cents == sum(EXPECTED_CENTS)
    # The live rules are untouched: the parameter and a fresh computation are as before.
    assert tax_benefit_system().parameters(f"{YEAR}-01-01").learning_rights.little_public_education.low == 300
    assert list(services.learning_rights_cents(population.load(YEAR))) == EXPECTED_CENTS


def test_what_if_breakdowns_add_up_and_hide_small_groups(db):
    for i in range(12):
        ResidentFactory(birth_date=datetime.date(1990, 1, 1 + i), nlqf_level=2, situation=Situation.EMPLOYED)
    for i in range(10):
        ResidentFactory(birth_date=datetime.date(1975, 1, 1 + i), nlqf_level=6, situation=Situation.EMPLOYED)
    for i in range(3):
        ResidentFactory(birth_date=datetime.date(1960, 1, 1 + i), nlqf_level=6, situation=Situation.EMPLOYED)
    result = services.what_if(YEAR, reforms.more_rights_low_qualified(datetime.date(YEAR, 1, 1)))
    assert result.people == 25 and result.better_off == 12
    assert result.difference_cents == 12 * 30_000
    by_age = {b.label: b for b in result.by_age}
    assert "35–44" in by_age and by_age["35–44"].people == 12
    assert "55–66" not in by_age  # three people: too few to show
    assert "45–54" not in by_age  # shown, it would give the three away (the total minus the groups shown)
    assert sum(b.difference_cents for b in result.by_level) == result.difference_cents


def test_navigator_explains_every_scheme_for_the_resident(people):
    results = services.navigate(people[1], year=YEAR)
    rights = next(r for r in results if r.scheme.key == "learning_rights")
    assert rights.eligible and rights.amount_cents == 105_000
    texts = [c.text("nl") for c in rights.reasons]
    assert any("jonger dan de AOW-leeftijd" in t for t in texts)
    assert not any("startbedrag" in t.lower() for t in texts)  # an optional way in that did not hold is not shown

    retired = next(r for r in services.navigate(people[5], year=YEAR) if r.scheme.key == "learning_rights")
    assert not retired.eligible and retired.amount_cents == 0
    assert any(not c.held and "AOW" in c.text("en") for c in retired.reasons)


def test_the_navigator_counts_the_deposits_that_are_in_the_leerrekening(people):
    worker = people[2]
    employer = Employer.objects.create(
        kvk_number="69599084", name="Metaal B.V.", sector="metal_electrical", size=Employer.Size.SMALL, region=region()
    )
    Employment.objects.create(
        resident=worker, employer=employer, job_title="Monteur", hours_per_week=32, start_date=datetime.date(2020, 1, 1)
    )

    def schemes() -> dict:
        return {r.scheme.key: r for r in services.navigate(worker, year=YEAR)}

    assert not schemes()["werkgeversstorting"].eligible  # nothing deposited yet: "your employer deposits nothing"
    source = ledger.system_account(SystemAccount.Kind.EMPLOYER, employer.name, employer=employer)

    def deposit(key: str, cents: int, on: datetime.date, kind=PotKind.EMPLOYER, account=source) -> None:
        clock = FixedClock(datetime.datetime.combine(on, datetime.time(10), tzinfo=datetime.UTC))
        ledger.deposit(
            key=key,
            resident_id=worker.pk,
            source=account,
            pot_kind=kind,
            lot=key,
            amount_cents=cents,
            categories=[Category.JOB_ORIENTED],
            expires_on=None,
            description="Opleidingsbudget",
            clock=clock,
        )

    deposit("last-year", 90_000, datetime.date(YEAR - 1, 12, 20))  # another year's deposit does not count
    deposit("spring", 50_000, datetime.date(YEAR, 3, 1))
    deposit("autumn", 25_000, datetime.date(YEAR, 10, 1))
    fund = ledger.system_account(SystemAccount.Kind.SECTOR_FUND, "OOM", sector_fund=None)
    deposit("fund", 40_000, datetime.date(YEAR, 4, 1), kind=PotKind.SECTOR_FUND, account=fund)  # not the employer's
    found = schemes()["werkgeversstorting"]
    assert found.eligible and found.amount_cents == 75_000  # both of this year's employer deposits
    assert all(c.held for c in found.conditions if c.condition.variable == "employer_deposits_this_year")
    assert services.deposit_inputs(worker.pk, YEAR) == {"employer_deposit": 750.0, "own_deposit": 0.0}
    assert services.deposit_inputs(worker.pk, YEAR - 1) == {"employer_deposit": 900.0, "own_deposit": 0.0}


def test_a_look_at_someone_elses_schemes_is_audited_and_ones_own_is_not(people):
    services.navigate(people[1], year=YEAR, viewer=people[1].user)
    assert not AuditEvent.objects.exists()
    adviser = UserFactory(role=Role.ADVISER)
    services.navigate(people[1], year=YEAR, viewer=adviser)
    assert AuditEvent.objects.filter(actor=adviser).count() == 1


@pytest.mark.django_db(transaction=True)
def test_reading_with_two_connections_gives_the_same_population():
    for day in range(1, 21):
        ResidentFactory(birth_date=datetime.date(1980, 1, day), nlqf_level=day % 9, situation=Situation.EMPLOYED)
    one, two = population.load(YEAR, readers=1), population.load(YEAR, readers=2)
    assert len(one) == 20 and list(one.ids) == list(two.ids)
    assert all(np.array_equal(one.inputs[name], two.inputs[name]) for name in one.inputs)


def test_the_allocate_rights_command_reports_and_a_second_run_credits_nobody(people, capsys):
    from django.core.management import call_command

    call_command("allocate_rights", year=YEAR)
    first = capsys.readouterr().out
    assert "7 residents, 4 with rights (€ 3.250,00); 4 credited now (€ 3.250,00)" in first.replace("\xa0", " ")
    call_command("allocate_rights", year=YEAR)
    assert "0 credited now (€ 0,00), 4 in earlier runs" in capsys.readouterr().out.replace("\xa0", " ")


def test_the_yearly_task_is_scheduled_on_the_first_of_january():
    from procrastinate.contrib.django import app

    periodic = {task.periodic_id: task for task in app.periodic_registry.periodic_tasks.values()}
    assert periodic["allocate_learning_rights"].cron == "17 2 1 1 *"


def test_what_if_on_an_empty_population_costs_nothing(db):
    result = services.what_if(YEAR, reforms.earlier_mid_career(datetime.date(YEAR, 1, 1)))
    assert (result.people, result.difference_cents, result.by_region) == (0, 0, [])
