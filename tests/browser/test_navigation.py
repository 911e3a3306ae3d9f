"""The site menu of every role in a real browser, at desktop width and 390 px wide (the "Menu" button), the skip link,
"you are here", and the error pages; axe-core (WCAG 2.1 A/AA) on each."""

import pytest
from django.test import RequestFactory
from django.utils import translation

from levenlang.demo.ledger import load_demo_ledger
from levenlang.demo.personas import PERSONAS
from levenlang.demo.population import load_population
from levenlang.portal import errors
from tests.browser.conftest import assert_no_axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
MENU = "nav.site-menu"


@pytest.fixture
def demo(transactional_db):
    load_population(residents=120, seed=13)
    load_demo_ledger()


def log_in_as(page, username: str) -> None:
    page.goto("/account/inloggen/")
    page.click(f"button[data-persona='{username}']")
    page.wait_for_url("**/")


def current_page_link(page) -> str | None:
    return page.locator(f"{MENU} a[aria-current=page]").get_attribute("href")


def check_skip_link(page) -> None:
    page.keyboard.press("Tab")
    skip = page.locator("a.utrecht-skip-link")
    focused = page.evaluate("document.activeElement.outerHTML.slice(0, 120)")
    assert skip.evaluate("element => element === document.activeElement"), f"the first stop is {focused}"
    assert skip.is_visible()
    page.keyboard.press("Enter")
    page.wait_for_url("**#main")
    assert page.evaluate("document.activeElement.id") == "main"


def check_desktop_menu(page) -> None:
    page.set_viewport_size(DESKTOP)
    page.goto("/")
    check_skip_link(page)  # first: a click or a check elsewhere moves where the next Tab starts from
    assert current_page_link(page) == "/"
    assert page.locator(f"{MENU} ul").is_visible()
    assert not page.locator(f"{MENU} button").is_visible()
    assert_no_axe_violations(page)
    # The second item: its page marks it, and no other, as the current page.
    second = page.locator(f"{MENU} li a").nth(1)
    href = second.get_attribute("href")
    second.click()
    page.wait_for_url(f"**{href}")
    assert current_page_link(page) == href
    assert page.locator(f"{MENU} a[aria-current=page]").count() == 1
    assert_no_axe_violations(page)


def check_phone_menu(page) -> None:
    page.set_viewport_size(PHONE)
    page.goto("/")
    check_skip_link(page)
    button = page.locator(f"{MENU} button[aria-controls=site-menu-list]")
    menu = page.locator("#site-menu-list")
    assert button.is_visible() and button.get_attribute("aria-expanded") == "false"
    assert not menu.is_visible()
    assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0
    assert_no_axe_violations(page)
    button.click()
    assert button.get_attribute("aria-expanded") == "true" and menu.is_visible()
    assert page.locator(f"{MENU} a[aria-current=page]").is_visible()
    assert_no_axe_violations(page)
    page.locator(f"{MENU} li a").first.focus()
    page.keyboard.press("Escape")
    assert button.get_attribute("aria-expanded") == "false" and not menu.is_visible()
    assert button.evaluate("element => element === document.activeElement")


@pytest.mark.parametrize("username", [p.username for p in PERSONAS])
def test_every_persona_finds_the_menu_of_their_role_on_a_desktop_and_a_phone(page, demo, username):
    log_in_as(page, username)
    check_desktop_menu(page)
    check_phone_menu(page)


def test_a_visitor_finds_the_public_menu_on_a_desktop_and_a_phone(page, demo):
    check_desktop_menu(page)
    check_phone_menu(page)


def test_without_javascript_the_whole_menu_shows_on_a_phone(browser, live_server):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False, viewport=PHONE)
    try:
        page = context.new_page()
        page.goto("/")
        assert page.locator("#site-menu-list").is_visible()
        assert not page.locator(f"{MENU} button").is_visible()
    finally:
        context.close()


def test_a_deeper_page_shows_breadcrumbs_back_to_its_section(page, demo):
    log_in_as(page, "marco")
    page.set_viewport_size(PHONE)
    page.goto("/regelingen/register/")  # under "Schemes for you" in a resident's menu
    crumbs = page.locator("nav.utrecht-breadcrumb-nav")
    assert crumbs.locator("a").evaluate_all("links => links.map(a => a.getAttribute('href'))") == ["/", "/regelingen/"]
    assert crumbs.locator("[aria-current=page]").count() == 1
    assert page.locator(f"{MENU} a[aria-current=true]").get_attribute("href") == "/regelingen/"
    assert_no_axe_violations(page)


# --- error pages ------------------------------------------------------------------------------------------------


def test_the_404_and_403_pages_are_in_the_site_layout_with_a_way_back(page, demo):
    response = page.goto("/bestaat-niet/")
    assert response.status == 404
    assert page.locator("main a[href='/']").count() == 1 and page.locator(MENU).count() == 1
    assert_no_axe_violations(page)

    log_in_as(page, "marco")
    response = page.goto("/opleider/uitbetalingen/")
    assert response.status == 403
    assert page.locator("#page-roles").is_visible()
    assert page.locator("main a[href='/account/inloggen/']").count() == 1
    assert_no_axe_violations(page)
    page.set_viewport_size(PHONE)
    assert_no_axe_violations(page)


def test_an_expired_form_gets_the_csrf_page_with_a_way_back(page, demo):
    log_in_as(page, "marco")
    page.goto("/mijn-inschrijvingen/")
    session = [c for c in page.context.cookies() if c["name"] != "csrftoken"]
    page.context.clear_cookies()
    page.context.add_cookies(session)  # logged in still, but the form's token no longer matches a cookie
    page.locator("form[action='/account/uitloggen/'] button").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Het formulier is verlopen"
    assert page.locator("main a[href='/mijn-inschrijvingen/']").count() == 1
    assert_no_axe_violations(page)


@pytest.mark.parametrize(("view", "status"), [(errors.server_error, 500), (errors.bad_request, 400)])
def test_the_500_and_400_pages_pass_axe(page, live_server, view, status):
    with translation.override("nl"):
        html = view(RequestFactory().get("/aanbod/")).content.decode()
    page.route("**/kapot/", lambda route: route.fulfill(status=status, body=html, content_type="text/html"))
    response = page.goto("/kapot/")
    assert response.status == status
    assert page.locator("main a[href='/aanbod/']").count() == 1 and page.locator("main a[href='/']").count() == 1
    assert_no_axe_violations(page)
