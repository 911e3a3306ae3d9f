"""The site menu of every role, "you are here", breadcrumbs, and the error pages in the site layout
(portal/navigation.py, portal/errors.py, docs/components.md)."""

import logging
import re

import pytest
from django.core.exceptions import PermissionDenied
from django.template import Context, Template
from django.test import Client, RequestFactory
from django.urls import NoReverseMatch, reverse
from django.utils import translation

from levenlang.core.roles import Role
from levenlang.portal import errors
from levenlang.portal.navigation import MENUS, PAGE_SECTIONS, Navigation, roles_for_page
from tests import roles as people
from tests.factories import ModuleFactory, OfferingFactory, ResidentFactory, UserFactory

pytestmark = pytest.mark.django_db

PERSON_OF_ROLE = {
    Role.RESIDENT: people.OWNER,
    Role.EMPLOYER_STAFF: people.EMPLOYER_STAFF,
    Role.SECTOR_FUND_STAFF: people.SECTOR_FUND_STAFF,
    Role.PROVIDER_STAFF: people.PROVIDER_STAFF,
    Role.ADVISER: people.ADVISER,
    Role.MINISTRY_ANALYST: people.MINISTRY_ANALYST,
    Role.PROGRAMME_MANAGER: people.PROGRAMME_MANAGER,
    Role.ADMINISTRATOR: people.ADMINISTRATOR,
}


@pytest.fixture(autouse=True)
def dutch():
    """Addresses reversed in a test are the Dutch ones, whatever language an earlier request left active."""
    with translation.override("nl"):
        yield


@pytest.fixture
def everyone(db) -> dict:
    """A user of every role with the ties the role's pages need (a resident record, an employer, a provider)."""
    offering = OfferingFactory()
    around = people.people_around(ResidentFactory(), offering.module.provider)
    around[people.ADMINISTRATOR].is_staff = True  # the platform's administrators work in the Django admin as staff
    around[people.ADMINISTRATOR].save()
    return {role: around[name] for role, name in PERSON_OF_ROLE.items()}


def menu_links(html: str) -> list[tuple[str, str]]:
    """(href, aria-current) of each link in the site menu."""
    menu = re.search(r'<ul class="utrecht-nav-list site-menu__list".*?</ul>', html, re.S).group(0)
    return re.findall(r'<a class="[^"]*site-menu__link" href="([^"]+)"(?: aria-current="(\w+)")?', menu)


def test_every_role_has_a_menu_that_starts_at_home():
    assert set(MENUS) == {None, *Role}
    assert all(items[0].url_name == "portal:home" for items in MENUS.values())


@pytest.mark.parametrize("role", list(Role))
def test_every_link_in_a_roles_menu_opens_for_that_role(client, everyone, role):
    """Every page in the menu answers 200 for its role, and is then marked as the current page."""
    client.force_login(everyone[role])
    for item in MENUS[role]:
        response = client.get(item.url)
        assert response.status_code == 200, f"{role}: {item.url_name} answered {response.status_code}"
        if item.url_name != "admin:index":  # the Django admin has its own layout
            assert (item.url, "page") in menu_links(response.text), item.url_name


def test_every_link_in_the_public_menu_opens_for_a_visitor(client):
    for item in MENUS[None]:
        response = client.get(item.url)
        assert response.status_code == 200, f"{item.url_name} answered {response.status_code}"
        assert (item.url, "page") in menu_links(response.text)


def test_every_page_of_a_section_names_a_route_and_a_section_in_some_menu():
    sections = {item.section for items in MENUS.values() for item in items}
    for url_name, page_sections in PAGE_SECTIONS.items():
        assert set(page_sections) <= sections, url_name
        try:
            reverse(url_name)
        except NoReverseMatch as error:  # the route exists but takes arguments
            assert "pattern(s) tried" in str(error), url_name


def test_a_deeper_page_marks_its_section_and_shows_breadcrumbs_back_to_it(client, everyone):
    module = ModuleFactory()
    client.force_login(everyone[Role.RESIDENT])
    html = client.get(reverse("catalog:module", args=[module.uuid])).text
    assert (reverse("catalog:search"), "true") in menu_links(html)
    crumbs = re.search(r'<nav class="utrecht-breadcrumb-nav[^"]*" aria-label="Kruimelpad">.*?</nav>', html, re.S)
    assert crumbs, "no breadcrumbs"
    steps = re.findall(r'href="([^"]+)"', crumbs.group(0))
    assert steps == [reverse("portal:home"), reverse("catalog:search")]
    assert f'aria-current="page">{module.title}</span>' in crumbs.group(0)
    assert html.index("Kruimelpad") < html.index('<main id="main"')  # outside main, after the menu


def test_the_same_page_belongs_to_the_section_of_each_roles_own_menu(rf, everyone):
    request = rf.get("/")
    request.user = everyone[Role.PROVIDER_STAFF]
    assert Navigation(request, url_name="enrolment:detail").up["url"] == reverse("enrolment:provider-list")
    request.user = everyone[Role.RESIDENT]
    assert Navigation(request, url_name="enrolment:detail").up["url"] == reverse("enrolment:mine")
    request.user = everyone[Role.ADMINISTRATOR]
    assert Navigation(request, url_name="enrolment:detail").up["url"] == reverse("enrolment:admin-list")


def test_the_skip_link_comes_first_and_the_menu_button_controls_the_menu(client):
    html = client.get("/").text
    body = html[html.index("<body") :]
    assert re.search(r"<body[^>]*>\s*<a class=\"utrecht-skip-link", body)
    assert 'aria-expanded="false" aria-controls="site-menu-list" hidden>Menu</button>' in html
    assert 'id="site-menu-list"' in html


# --- error pages ------------------------------------------------------------------------------------------------


def test_an_unknown_address_is_a_404_page_in_the_site_layout_with_the_way_back_in_both_languages(client, everyone):
    client.force_login(everyone[Role.RESIDENT])
    response = client.get("/mijn-inschrijvingen/bestaat-niet/")
    assert response.status_code == 404
    html = response.text
    assert "Pagina niet gevonden" in html and 'class="utrecht-nav-bar site-menu"' in html
    assert f'href="{reverse("enrolment:mine")}">Terug naar Mijn inschrijvingen</a>' in html
    assert 'href="/">Naar de startpagina</a>' in html
    assert ("/mijn-inschrijvingen/", "true") in menu_links(html)  # the section, not "this page"
    english = client.get("/en/mijn-inschrijvingen/bestaat-niet/")
    assert english.status_code == 404 and "Page not found" in english.text and "Back to My enrolments" in english.text


def test_an_enrolment_that_is_not_there_leads_back_to_the_enrolments(client, everyone):
    client.force_login(everyone[Role.RESIDENT])
    response = client.get(reverse("enrolment:detail", args=["00000000-0000-0000-0000-000000000000"]))
    assert response.status_code == 404
    assert "Terug naar Mijn inschrijvingen" in response.text


def test_a_page_for_another_role_is_a_403_that_says_who_can_use_it_and_logs_no_traceback(client, everyone, caplog):
    client.force_login(everyone[Role.RESIDENT])
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.get(reverse("enrolment:provider-payouts"), headers={"referer": "http://testserver/aanbod/"})
    assert response.status_code == 403
    html = response.text
    assert "Deze pagina is niet voor jou" in html and 'class="utrecht-nav-bar site-menu"' in html
    with translation.override("nl"):
        provider_label = str(Role.PROVIDER_STAFF.label)
    assert f"Wie deze pagina kan gebruiken: {provider_label}." in html
    assert "Inloggen als iemand anders" in html and 'href="/">Naar de startpagina</a>' in html
    assert 'href="/aanbod/">Terug naar Zoek een cursus</a>' in html  # the section the person came from
    records = [r for r in caplog.records if r.name == "django.request"]
    assert [r.levelname for r in records] == ["WARNING"]
    assert records[0].exc_info is None and "Traceback" not in caplog.text
    english = client.get("/en" + reverse("enrolment:provider-payouts"))
    assert "This page is not for you" in english.text and "Who can use it: Training provider staff." in english.text


def test_a_403_for_the_right_role_says_the_page_is_about_something_not_theirs(client):
    client.force_login(UserFactory(role=Role.PROVIDER_STAFF))  # works for no provider on the platform
    response = client.get(reverse("catalog:provider-modules"))
    assert response.status_code == 403
    assert "Deze pagina gaat over iets wat niet voor jou is" in response.text
    assert "Wie deze pagina kan gebruiken" not in response.text


def test_the_roles_who_can_use_a_page_come_from_the_menus():
    assert roles_for_page("enrolment:provider-bulk") == [Role.PROVIDER_STAFF]
    assert roles_for_page("enrolment:price-monitor") == [Role.MINISTRY_ANALYST, Role.ADMINISTRATOR]
    assert roles_for_page("enrolment:detail") == [Role.RESIDENT, Role.PROVIDER_STAFF, Role.ADMINISTRATOR]


def test_a_failed_csrf_check_says_the_form_expired_in_the_site_layout(everyone):
    client = Client(enforce_csrf_checks=True)
    client.force_login(everyone[Role.RESIDENT])
    response = client.post(reverse("enrolment:mine"), {})
    assert response.status_code == 403
    assert "Het formulier is verlopen" in response.text and "Er is niets opgeslagen of veranderd." in response.text
    assert 'href="/">Naar de startpagina</a>' in response.text
    assert "Terug naar Mijn inschrijvingen" in response.text
    english = client.post("/en" + reverse("enrolment:mine"), {})
    assert english.status_code == 403 and "The form has expired" in english.text


def test_the_api_keeps_answering_problem_details_for_its_errors(everyone):
    client = Client(enforce_csrf_checks=True)
    client.force_login(everyone[Role.RESIDENT])
    assert client.get("/api/v1/bestaat-niet/")["Content-Type"] == "application/problem+json"
    request = RequestFactory().get("/api/v1/me/")
    for response in (
        errors.bad_request(request),
        errors.permission_denied(request, PermissionDenied()),
        errors.page_not_found(request),
        errors.server_error(request),
        errors.csrf_failure(request, "no token"),
    ):
        assert response["Content-Type"] == "application/problem+json"


def site_page(response) -> str:
    html = response.content.decode()
    assert '<html lang="' in html and "utrecht-skip-link" in html and "site-footer" in html
    return html


@pytest.mark.parametrize(
    ("language", "heading"), [("nl", "Er ging iets mis bij ons"), ("en", "went wrong on our side")]
)
def test_the_500_page_renders_without_a_request_context_or_a_database(language, heading, django_assert_num_queries):
    prefix = "" if language == "nl" else "/en"
    request = RequestFactory().get(f"{prefix}/mijn-inschrijvingen/")  # no user, no session: as after a failure
    with translation.override(language), django_assert_num_queries(0):
        response = errors.server_error(request)
    html = site_page(response)
    assert response.status_code == 500 and heading in html
    assert "site-menu" not in html and "Account and language" not in html and "Account en taal" not in html
    assert f'href="{prefix}/mijn-inschrijvingen/"' in html  # the section of the address, read from the address alone


def test_the_400_page_renders_without_a_request_context(django_assert_num_queries):
    with translation.override("nl"), django_assert_num_queries(0):
        response = errors.bad_request(RequestFactory().get("/aanbod/"))
    html = site_page(response)
    assert response.status_code == 400 and "We konden dit verzoek niet lezen" in html
    assert 'href="/aanbod/"' in html and 'href="/">Naar de startpagina</a>' in html


def test_a_bad_request_from_a_view_is_the_400_page(client):
    # A Host header that is not allowed: Django raises DisallowedHost (a SuspiciousOperation), answered by handler400.
    response = client.get("/", headers={"host": "evil.example"})
    assert response.status_code == 400 and "We konden dit verzoek niet lezen" in response.text


def test_the_breadcrumbs_component_needs_pairs_and_ends_with_the_current_page(rf):
    request = rf.get("/")
    with translation.override("en"):
        html = Template('{% load components %}{% breadcrumbs "Module" "/m/" current="Offering" %}').render(
            Context({"request": request})
        )
    assert re.findall(r'href="([^"]+)"', html) == ["/en/", "/m/"]
    assert 'rel="up">Module</a>' in html and 'aria-current="page">Offering</span>' in html
