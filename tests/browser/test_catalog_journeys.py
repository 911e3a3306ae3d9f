"""Catalogue journeys in a real browser: a resident searches, narrows with facets, reads why a result matches and
opens the module page with its offerings and own share; a provider imports a file with a bad row and reads the
report. Zero axe (WCAG 2.1 A/AA) violations on every page on the way."""

import pytest

from levenlang.demo.catalogue import load_demo_catalogue
from levenlang.demo.ledger import load_demo_ledger
from levenlang.demo.population import load_population
from tests.browser.conftest import assert_no_axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(transactional_db):
    load_population(residents=200, seed=12)
    load_demo_ledger()
    load_demo_catalogue(seed=12)


def log_in_as(page, username: str) -> None:
    page.goto("/account/inloggen/")
    page.click(f"button[data-persona='{username}']")
    page.wait_for_url("**/")


def test_marco_searches_narrows_and_opens_a_module(page, demo):
    log_in_as(page, "marco")
    # (Selectors, not texts: the Dutch translations are merged into the .po file separately.)
    page.click("main a[href='/aanbod/']")
    page.wait_for_url("**/aanbod/")
    assert page.locator("html").get_attribute("lang") == "nl"
    assert_no_axe_violations(page)

    page.fill("#id_q", "lassen")
    page.locator("form.search-form button[type=submit]").first.click()
    page.wait_for_url("**/aanbod/?*")
    results = page.locator(".result h3 a")
    assert results.count() > 0
    assert "lassen" in page.locator(".result__why").first.inner_text()
    heading = page.locator("#results-heading").inner_text()
    assert_no_axe_violations(page)

    # Narrow with a facet: the count beside it is the number of results that remain.
    facet = page.locator("fieldset.facet").first.locator("input[type=checkbox]").first
    label = page.locator(f"label[for='{facet.get_attribute('id')}']").inner_text()
    expected = int(label.rsplit("(", 1)[1].rstrip(")"))
    facet.check()
    page.locator("form.search-form button[type=submit]").last.click()
    page.wait_for_url("**/aanbod/?*")
    narrowed = page.locator("#results-heading").inner_text()
    assert narrowed.startswith(f"{expected} ") and int(narrowed.split()[0]) <= int(heading.split()[0])
    assert_no_axe_violations(page)

    title = page.locator(".result h3 a").first.inner_text()
    page.locator(".result h3 a").first.click()
    page.wait_for_url("**/aanbod/*-*/")
    assert page.locator("h1").inner_text() == title
    # Marco is logged in: the offerings table has the column with his own share (6 columns instead of 5)
    assert page.locator("#offerings + p + div table thead th").count() == 6
    assert_no_axe_violations(page)

    page.goto("/en/aanbod/?q=welding")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator(".result").count() > 0
    assert_no_axe_violations(page)


def test_joost_imports_a_file_with_a_bad_row_and_reads_the_report(page, demo, tmp_path):
    log_in_as(page, "joost")
    page.goto("/opleider/modules/")
    assert_no_axe_violations(page)
    page.goto("/opleider/import/")
    assert_no_axe_violations(page)
    upload = tmp_path / "aanbod.csv"
    upload.write_text(
        "code,title_nl,category,mode_of_delivery,price_eur\nX-1,Goed,study,online,10\nX-2,Fout,study,online,tien\n"
    )
    page.set_input_files("#id_file", str(upload))
    page.select_option("#id_format", "csv")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/opleider/import/*-*/")
    assert "price_eur" in page.locator("table").inner_text()
    assert_no_axe_violations(page)
