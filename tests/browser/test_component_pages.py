"""Pages built from the shared components (docs/components.md) in a real browser, with axe-core on each: the audit
log's data table and pager, the resident's cards and the ministry's charts with their tables."""

import pytest

from levenlang.core import audit
from levenlang.core.models import User
from levenlang.demo.ledger import load_demo_ledger
from levenlang.demo.population import load_population
from levenlang.residents.models import Resident
from tests.browser.conftest import assert_no_axe_violations
from tests.browser.test_journeys import log_in_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(transactional_db):
    load_population(residents=300, seed=11)
    load_demo_ledger()


def test_the_audit_log_pages_through_its_table_and_keeps_the_filter(page, demo):
    administrator = User.objects.get(username="beheer")
    audit.record_views(administrator, Resident.objects.all()[:120], reason="Component check")
    log_in_as(page, "beheer")
    page.goto("/beheer/audit/?action=view_personal_data")
    table = page.locator("main table")
    assert table.locator("caption").inner_text().endswith("regels")
    assert table.locator("thead th[scope=col]").count() == 6
    assert page.locator("nav.pager").inner_text().strip().startswith("Pagina 1 van 3")
    assert_no_axe_violations(page)

    page.click("nav.pager a[rel=next]")
    page.wait_for_url("**page=2")
    assert "action=view_personal_data" in page.url
    assert "Pagina 2 van 3" in page.locator("nav.pager").inner_text()
    assert page.locator("nav.pager a[rel=prev]").count() == 1
    assert_no_axe_violations(page)


def test_the_resident_home_shows_cards_and_the_ministry_home_charts_with_their_figures(page, demo):
    log_in_as(page, "marco")
    cards = page.locator(".card-list .card")
    assert cards.count() >= 5
    assert page.locator(".card:has(#courses) .card__action a").get_attribute("href") == "/mijn-inschrijvingen/"
    assert page.locator(".card:has(#money) .card__figure-value").inner_text().startswith("€")
    assert_no_axe_violations(page)

    page.context.clear_cookies()
    log_in_as(page, "pieter")
    charts = page.locator("figure.chart")
    assert charts.count() == 2
    assert charts.first.locator("svg[role=img] rect.chart__bar").count() == 6
    assert charts.first.locator("table tbody tr").first.locator("th[scope=row]").count() == 1
    assert_no_axe_violations(page)
