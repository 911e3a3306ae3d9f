"""Server-rendered pages: Dutch first, English second, a home page per role."""

import pytest
from django.urls import reverse
from django.utils import translation

from levenlang.core.roles import Role
from levenlang.portal.services import HOME_BY_ROLE

pytestmark = pytest.mark.django_db


def test_pages_are_dutch_by_default_and_english_under_en(client):
    nl = client.get("/")
    assert nl.status_code == 200 and '<html lang="nl"' in nl.text and "Naar de hoofdinhoud" in nl.text
    en = client.get("/en/")
    assert en.status_code == 200 and '<html lang="en"' in en.text and "Skip to main content" in en.text


def test_the_language_switch_keeps_the_page(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/toegankelijkheid/"})
    assert response.status_code == 302
    assert response["Location"] == "/en/toegankelijkheid/"


@pytest.mark.parametrize("role", list(Role))
def test_every_role_has_a_home_page(client, user_with_role, role):
    assert role in HOME_BY_ROLE
    client.force_login(user_with_role(role))
    response = client.get(reverse("portal:home"))
    assert response.status_code == 200
    with translation.override("en"):
        label = str(role.label)
    assert label in client.get("/en/").text


def test_the_accessibility_statement_exists_in_both_languages(client):
    assert "Toegankelijkheidsverklaring" in client.get("/toegankelijkheid/").text
    assert "Accessibility statement" in client.get("/en/toegankelijkheid/").text
