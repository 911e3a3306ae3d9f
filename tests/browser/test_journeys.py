"""Two personas log in with one click and see their home page, in Dutch and in English, with zero axe
violations on every page on the way."""

import pytest

from levenlang.demo.ledger import load_demo_ledger
from levenlang.demo.population import load_population
from tests.browser.conftest import assert_no_axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(transactional_db):
    load_population(residents=300, seed=11)
    load_demo_ledger()


def log_in_as(page, username: str) -> None:
    page.goto("/account/inloggen/")
    assert_no_axe_violations(page)
    page.click(f"button[data-persona='{username}']")
    page.wait_for_url("**/")


def test_marco_logs_in_and_sees_his_own_details_in_dutch_and_english(page, demo):
    page.goto("/")
    assert_no_axe_violations(page)
    log_in_as(page, "marco")
    assert page.locator("h1").inner_text() == "Welkom, Marco"
    assert "Operator" in page.locator("main").inner_text()
    assert page.locator("html").get_attribute("lang") == "nl"
    assert_no_axe_violations(page)

    page.click("button[name='language'][value='en']")
    page.wait_for_url("**/en/")
    assert page.locator("h1").inner_text() == "Welcome, Marco"
    assert page.locator("html").get_attribute("lang") == "en"
    assert_no_axe_violations(page)


def test_marco_reads_his_leerrekening_in_both_languages(page, demo):
    log_in_as(page, "marco")
    page.goto("/leerrekening/")
    assert page.locator("h1").inner_text() == "Mijn Leerrekening"
    assert "Hengelo Precisie Metaal B.V." in page.locator("main").inner_text()
    assert_no_axe_violations(page)
    page.goto("/en/leerrekening/")
    assert_no_axe_violations(page)


def test_the_ministry_analyst_sees_aggregates_only(page, demo):
    log_in_as(page, "pieter")
    assert page.locator("h1").inner_text() == "Overzicht voor het ministerie"
    assert page.locator("table").count() == 2
    assert_no_axe_violations(page)


def test_mock_digid_error_and_the_accessibility_statement_pass_axe(page, demo):
    page.goto("/account/demo/digid/")
    page.fill("#id_bsn", "123456789")
    page.click("main button[type='submit']")
    assert page.locator("#error-summary").is_visible()
    assert page.locator("#id_bsn").get_attribute("aria-invalid") == "true"
    assert_no_axe_violations(page)
    page.goto("/en/toegankelijkheid/")
    assert_no_axe_violations(page)
