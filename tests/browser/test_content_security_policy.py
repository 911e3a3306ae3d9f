"""Every persona's home page and the key pages load under the Content-Security-Policy with zero violations: no inline
script, no inline style, nothing from elsewhere (core/csp.py)."""

import pytest
from django.urls import reverse

from levenlang.catalog.models import Module
from levenlang.demo.catalogue import load_demo_catalogue
from levenlang.demo.ledger import load_demo_ledger
from levenlang.demo.personas import PERSONAS
from levenlang.demo.population import load_population
from levenlang.schemes import services
from levenlang.schemes.models import SimulationRun

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LISTEN = """() => {
  window.__cspViolations = [];
  document.addEventListener('securitypolicyviolation',
    e => window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`));
}"""


@pytest.fixture
def demo(transactional_db):
    load_population(residents=200, seed=13)
    load_demo_ledger()
    load_demo_catalogue(seed=13)


@pytest.fixture
def csp_page(page):
    """The page, with every CSP violation collected: from the console and from `securitypolicyviolation` events."""
    page.context.add_init_script(script=f"({LISTEN})()")
    console = []
    page.on("console", lambda m: console.append(m.text) if "Content Security Policy" in m.text else None)
    page.console_violations = console
    return page


def violations(page) -> list[str]:
    return page.console_violations + page.evaluate("window.__cspViolations || []")


def visit(page, path: str) -> None:
    response = page.goto(path)
    assert response.status < 400, f"{path}: {response.status}"
    assert "Content-Security-Policy" in {k.title() for k in response.headers} or response.headers.get(
        "content-security-policy"
    )
    page.wait_for_load_state("networkidle")
    assert violations(page) == [], f"CSP violations on {path}: {violations(page)}"


def log_in_as(page, username: str) -> None:
    page.goto("/account/inloggen/")
    page.click(f"button[data-persona='{username}']")
    page.wait_for_url("**/")


def test_the_policy_is_strict(client, db):
    policy = client.get("/").headers["Content-Security-Policy"]
    for directive in [
        "script-src 'self'",
        "style-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]:
        assert directive in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


def test_public_pages_have_no_csp_violations(csp_page, demo):
    module = Module.objects.filter(status="published").first()
    for path in [
        "/",
        "/account/inloggen/",
        "/aanbod/?q=lassen",
        reverse("catalog:module", args=[module.uuid]),
        "/regelingen/register/",
        "/api/v1/docs/",
    ]:
        visit(csp_page, path)


def test_every_personas_home_page_has_no_csp_violations(csp_page, demo):
    for persona in PERSONAS:  # one demo load for all of them
        csp_page.context.clear_cookies()
        log_in_as(csp_page, persona.username)
        visit(csp_page, "/")
        assert csp_page.locator("h1").count() == 1, persona.username


def test_the_residents_key_pages_have_no_csp_violations(csp_page, demo):
    log_in_as(csp_page, "marco")
    module = Module.objects.filter(status="published").first()
    for path in ["/leerrekening/", "/aanbod/?q=lassen", reverse("catalog:module", args=[module.uuid]), "/regelingen/"]:
        visit(csp_page, path)


def test_the_what_if_simulation_has_no_csp_violations(csp_page, demo):
    log_in_as(csp_page, "pieter")
    visit(csp_page, "/regie/wat-als/")
    csp_page.check("input[name='reform'][value='more_rights_low_qualified']")
    csp_page.click("main button[type='submit']")
    csp_page.wait_for_selector("progress")
    services.run_what_if(SimulationRun.objects.get().pk)
    csp_page.wait_for_selector("text=Per opleidingsniveau", timeout=10_000)  # htmx polls and swaps in the result
    assert violations(csp_page) == []
    assert csp_page.locator(".chart__bar").count() > 0  # the bars are drawn without inline styles


def test_the_django_admin_has_no_csp_violations(csp_page, demo):
    log_in_as(csp_page, "beheer")
    for path in ["/beheer/django/", "/beheer/django/residents/resident/"]:
        visit(csp_page, path)
