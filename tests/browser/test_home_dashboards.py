"""Each role's home page as a task dashboard, in a real browser at desktop and phone width (390 px), with axe-core
on each, and a screenshot of each under var/screenshots/ (home-<persona>-<width>.png) for a reviewer to look at."""

from pathlib import Path

import pytest

from levenlang.demo.catalogue import load_demo_catalogue
from levenlang.demo.enrolment import load_demo_enrolments
from levenlang.demo.ledger import load_demo_ledger
from levenlang.demo.population import load_population
from tests.browser.conftest import assert_no_axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
WIDTHS = {"desktop": (1280, 900), "390": (390, 844)}
# One persona per role, and a card each home page must show (the id of its heading).
PERSONAS = {
    "marco": "money",
    "joost": "waiting",
    "beheer": "providers",
    "ahmed": "calculator",
    "fleur": "schemes",
    "lisa": "region",
    "pieter": "what-if",
    "noor": "courses",
}


@pytest.fixture
def demo(transactional_db):
    load_population(residents=200, seed=11)
    load_demo_ledger()
    load_demo_catalogue(seed=11)
    load_demo_enrolments()


def cents(figure: str) -> int:
    """ "€ 1.234,56" → 123456."""
    return int(figure.replace("€", "").replace(".", "").replace(",", "").strip())


def log_in(page, username: str) -> None:
    page.context.clear_cookies()
    page.goto("/account/inloggen/")
    page.click(f"button[data-persona='{username}']")
    page.wait_for_url("**/")


def look_at_home(page, username: str) -> None:
    """The home page at each width: the role's cards, nothing wider than the screen, axe, and a screenshot."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for name, (width, height) in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": height})
        page.goto("/")
        assert page.locator(".card-list .card").count() >= 2, username
        assert page.locator(f".card #card-{PERSONAS[username]}, .card #{PERSONAS[username]}").count() == 1, username
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{username}'s home page is {overflow} px wider than a {width} px screen"
        assert_no_axe_violations(page)
        page.screenshot(path=str(SCREENSHOTS / f"home-{username}-{name}.png"), full_page=True)


def test_every_role_s_home_page_fits_desktop_and_phone_passes_axe_and_is_photographed(page, demo):
    for username in PERSONAS:
        log_in(page, username)
        look_at_home(page, username)


def test_marco_sees_his_money_large_and_his_booking_to_confirm_and_can_add_money(page, demo):
    log_in(page, "marco")
    money = page.locator(".card:has(#money)")
    before = cents(money.locator(".card__figure-value").inner_text())
    tasks = page.locator(".card:has(#tasks)")
    assert "Bevestig je inschrijving voor “Lassen MIG/MAG”" in tasks.inner_text()
    money.get_by_role("link", name="Geld toevoegen").click()
    page.wait_for_url("**/leerrekening/geld-toevoegen/")
    assert_no_axe_violations(page)
    page.fill("#id_amount", "vijftig")
    page.click("#add-money")
    assert page.locator("#error-summary").count() == 1
    assert page.locator("#id_amount").get_attribute("aria-invalid") == "true"
    assert_no_axe_violations(page)
    page.fill("#id_amount", "50")
    page.click("#add-money")
    page.wait_for_url("**/betalen/demo/**")
    assert_no_axe_violations(page)
    page.click("button[value=pay]")
    page.wait_for_url("**/")
    assert cents(page.locator(".card:has(#money) .card__figure-value").inner_text()) == before + 5_000


def test_joost_goes_from_his_home_page_to_the_requests_waiting_for_him(page, demo):
    log_in(page, "joost")
    waiting = page.locator(".card:has(#waiting)")
    assert waiting.locator("[data-status=requested] .task-list__count").inner_text() == "1"
    waiting.locator("[data-status=requested] a").click()
    page.wait_for_url("**/opleider/inschrijvingen/?status=requested")
    assert "Werken met Excel" in page.locator("main").inner_text()
