"""The rules' pages in a real browser, with axe-core on each: Marco reads his schemes, anyone calculates what a
deposit costs, and the ministry runs a what-if simulation and reads the result."""

import pytest

from levenlang.demo.ledger import load_demo_ledger
from levenlang.demo.population import load_population
from levenlang.schemes import services
from levenlang.schemes.models import SimulationRun
from tests.browser.conftest import assert_no_axe_violations
from tests.browser.test_journeys import log_in_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(transactional_db):
    load_population(residents=300, seed=11)
    load_demo_ledger()


def test_marco_finds_his_schemes_and_why_in_dutch_and_english(page, demo):
    log_in_as(page, "marco")
    page.click("a[href='/regelingen/']")
    page.wait_for_url("**/regelingen/")
    assert page.locator("h1").inner_text() == "Regelingen voor jou"
    rights = page.locator("#scheme-learning_rights")
    assert (
        "Je kunt dit gebruiken" in rights.inner_text() and "Je bent jonger dan de AOW-leeftijd." in rights.inner_text()
    )
    assert page.locator("#scheme-slim").count() == 1  # his employer is an SME: SLIM is listed under the employer
    assert_no_axe_violations(page)
    page.goto("/en/regelingen/")
    assert page.locator("h1").inner_text() == "Schemes for you"
    assert_no_axe_violations(page)


def test_a_visitor_calculates_what_an_employer_deposit_costs(page, demo):
    page.goto("/regelingen/register/")
    assert_no_axe_violations(page)
    page.goto("/regelingen/storting/")
    page.check("input[name='kind'][value='employer']")
    page.fill("input[name='amount']", "abc")
    page.fill("input[name='yearly_wage']", "42000")
    page.click("main button[type='submit']")
    assert page.locator("#error-summary").is_visible()
    assert_no_axe_violations(page)
    page.fill("input[name='amount']", "3000")
    page.click("main button[type='submit']")
    assert "3.400,00" in page.locator("main").inner_text()  # EUR 500 above the exemption: 80% final levy
    assert_no_axe_violations(page)


def test_the_ministry_runs_a_what_if_simulation_and_reads_the_breakdown(page, demo):
    log_in_as(page, "pieter")
    page.click("a[href='/regie/wat-als/']")
    assert_no_axe_violations(page)
    page.check("input[name='reform'][value='more_rights_low_qualified']")
    page.click("main button[type='submit']")
    page.wait_for_selector("progress")
    assert_no_axe_violations(page)
    # The worker's part, run here: the task calls this same service (the worker path is tested in tests/schemes).
    services.run_what_if(SimulationRun.objects.get().pk)
    page.wait_for_selector("text=Per opleidingsniveau", timeout=10_000)  # htmx polls and swaps in the result
    assert page.locator("progress").count() == 0
    assert page.locator("table").count() == 3
    assert_no_axe_violations(page)
