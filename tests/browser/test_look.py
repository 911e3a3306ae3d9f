"""The look of the pages in a real browser, with axe-core on each: the charts (bars on a value axis, a line over time,
each with its table), the catalogue search on a phone (filters folded behind a button, results first) and the
favicon."""

import datetime

import pytest
from django.utils import formats, translation

from levenlang.core.categories import Category
from levenlang.demo.catalogue import load_demo_catalogue
from levenlang.demo.ledger import load_demo_ledger
from levenlang.demo.population import load_population
from levenlang.employers.models import Employer
from levenlang.ledger import services as ledger
from levenlang.ledger.clock import FixedClock
from levenlang.ledger.services import PotKind, SystemAccount
from levenlang.residents.models import Resident
from levenlang.schemes import services as schemes
from levenlang.schemes.models import SimulationRun
from tests.browser.conftest import assert_no_axe_violations
from tests.browser.test_journeys import log_in_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def demo(transactional_db):
    load_population(residents=300, seed=14)
    load_demo_ledger()
    load_demo_catalogue(seed=14)


def deposits_in_earlier_months(username: str) -> None:
    """Money from the employer in June, August and October, so the Leerrekening has a history over months."""
    resident = Resident.objects.get(user__username=username)
    employer = Employer.objects.get(staff__username="ahmed")
    source = ledger.system_account(SystemAccount.Kind.EMPLOYER, employer.name, employer=employer)
    year = datetime.date.today().year - 1
    for month in (6, 8, 10):
        ledger.deposit(
            key=f"test:look:{month}",
            resident_id=resident.pk,
            source=source,
            pot_kind=PotKind.EMPLOYER,
            lot=f"{year}-extra-{month}",
            amount_cents=10_000 * month,
            categories=[Category.JOB_ORIENTED],
            expires_on=datetime.date(year + 2, 12, 31),
            description="Extra opleidingsbudget",
            clock=FixedClock(datetime.datetime(year, month, 15, 12, tzinfo=datetime.UTC)),
        )


def test_the_ministry_sees_bar_charts_on_a_value_axis_with_their_table_behind_a_disclosure(page, demo):
    log_in_as(page, "pieter")
    charts = page.locator("figure.chart--bar")
    assert charts.count() == 2
    first = charts.first
    svg = first.locator("svg[role=img]")
    title, desc = svg.get_attribute("aria-labelledby").split()
    assert page.locator(f"#{title}").text_content() == first.locator("figcaption").inner_text()
    assert page.locator(f"#{desc}").text_content().startswith("Staafgrafiek van “Inwoners”. Hoogste:")
    assert svg.locator("rect.chart__bar").count() == 6  # the six age groups
    assert svg.locator(".chart__tick-labels text").first.text_content() == "0"
    assert not first.locator("table").is_visible()
    assert_no_axe_violations(page)

    first.locator("summary").click()
    table = first.locator("table")
    assert table.is_visible() and table.locator("tbody th[scope=row]").count() == 6
    assert_no_axe_violations(page)


def test_the_leerrekening_shows_its_balance_per_month_as_a_line(page, demo):
    deposits_in_earlier_months("marco")
    log_in_as(page, "marco")
    page.goto("/leerrekening/")
    chart = page.locator("figure.chart--line")
    assert chart.count() == 1
    assert chart.locator("figcaption").inner_text() == "Saldo aan het eind van elke maand"
    months = chart.locator("tbody tr").count()
    assert months >= 7  # June last year up to this month
    assert chart.locator("svg circle").count() == months
    assert chart.locator(".chart__line line").count() == months - 1
    values, times = (group.locator("text").all_text_contents() for group in chart.locator(".chart__tick-labels").all())
    assert values[0] == "€ 0"
    with translation.override("nl"):
        this_month = formats.date_format(datetime.date.today(), "b Y")
    assert len(times) == 3 and times[-1] == this_month  # a few months under the axis, the latest always
    assert_no_axe_violations(page)
    chart.locator("summary").click()
    assert chart.locator("tbody th").first.inner_text().startswith("juni ")
    assert_no_axe_violations(page)


def test_the_what_if_result_draws_the_differences_with_their_table_in_sight(page, demo):
    log_in_as(page, "pieter")
    page.goto("/regie/wat-als/")
    page.check("input[name='reform'][value='more_rights_low_qualified']")
    page.click("main button[type='submit']")
    page.wait_for_selector("progress")
    schemes.run_what_if(SimulationRun.objects.get().pk)
    page.wait_for_selector("figure.chart--bar", timeout=10_000)  # htmx polls and swaps in the result
    charts = page.locator("figure.chart--bar")
    assert charts.count() == 3
    assert charts.first.locator("details").count() == 0 and charts.first.locator("table").is_visible()
    assert_no_axe_violations(page)


def test_on_a_phone_the_search_results_come_first_and_the_filters_open_with_a_button(page, demo):
    page.set_viewport_size(PHONE)
    log_in_as(page, "marco")
    page.goto("/aanbod/?q=lassen")
    button = page.locator("button[data-filters-toggle]")
    panel = page.locator("#search-filters")
    assert button.is_visible() and button.get_attribute("aria-expanded") == "false"
    assert not panel.is_visible()
    count_box = page.locator("#results-heading").bounding_box()
    first_result = page.locator(".result").first.bounding_box()
    assert count_box["y"] < button.bounding_box()["y"] < first_result["y"]
    assert first_result["y"] < 900  # the first result shows without scrolling far
    assert_no_axe_violations(page)

    button.click()
    assert button.get_attribute("aria-expanded") == "true" and panel.is_visible()
    assert panel.locator("fieldset.facet").count() > 0
    assert_no_axe_violations(page)
    page.locator("fieldset.facet input[type=checkbox]").first.check()
    page.locator("form.search-form button[type=submit]").last.click()
    page.wait_for_url("**/aanbod/?*")
    assert page.locator(".result").count() > 0


def test_on_a_wide_screen_the_filters_stand_beside_the_results_without_a_button(page, demo):
    log_in_as(page, "marco")
    page.goto("/aanbod/?q=lassen")
    assert not page.locator("button[data-filters-toggle]").is_visible()
    panel = page.locator("#search-filters").bounding_box()
    results = page.locator(".result").first.bounding_box()
    assert panel["x"] + panel["width"] <= results["x"]  # beside, not above
    assert_no_axe_violations(page)


def test_every_page_has_the_levenlang_favicon(page, demo):
    page.goto("/")
    href = page.locator("link[rel=icon]").get_attribute("href")
    assert href.endswith(".svg")
    response = page.request.get(href)
    assert response.status == 200 and b"<svg" in response.body()
