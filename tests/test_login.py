"""Login in demo mode: persona picker, mock DigiD and eHerkenning; none of it exists outside demo mode."""

import importlib

import pytest
from django.test import override_settings
from django.urls import clear_url_caches, reverse

from levenlang.catalog.models import Provider
from levenlang.core.roles import Role
from levenlang.demo.personas import PERSONAS
from levenlang.employers.models import Employer
from tests.factories import ResidentFactory, UserFactory, region

pytestmark = pytest.mark.django_db


@pytest.fixture
def personas():
    return {p.username: UserFactory(username=p.username, first_name=p.given_name, role=p.role) for p in PERSONAS}


def test_persona_picker_lists_every_persona_and_logs_in_with_one_click(client, personas):
    page = client.get(reverse("accounts:login"))
    assert page.status_code == 200
    for persona in PERSONAS:
        assert f'data-persona="{persona.username}"' in page.text
    response = client.post(reverse("accounts:persona-login"), {"username": "pieter"}, follow=True)
    assert response.status_code == 200
    assert response.wsgi_request.user.username == "pieter"
    assert "Overzicht voor het ministerie" in response.text


def test_persona_login_refuses_a_user_that_is_not_a_persona(client, personas):
    UserFactory(username="someone-else", role=Role.ADMINISTRATOR)
    response = client.post(reverse("accounts:persona-login"), {"username": "someone-else"})
    assert response.status_code == 404
    assert "_auth_user_id" not in client.session


def test_mock_digid_logs_in_the_resident_with_that_bsn(client):
    resident = ResidentFactory(user=None)
    response = client.post(reverse("accounts:mock-digid"), {"bsn": resident.bsn}, follow=True)
    resident.refresh_from_db()
    assert response.wsgi_request.user == resident.user
    assert resident.user.role == Role.RESIDENT
    assert resident.masked_bsn in response.text
    assert resident.bsn not in response.text


@pytest.mark.parametrize(
    ("bsn", "message"),
    [("123456789", "elfproef"), ("999999990", "Geen inwoner met dit BSN")],
)
def test_mock_digid_explains_a_wrong_bsn_and_logs_in_nobody(client, bsn, message):
    response = client.post(reverse("accounts:mock-digid"), {"bsn": bsn})
    assert response.status_code == 400
    assert message in response.text
    assert "_auth_user_id" not in client.session


def test_mock_eherkenning_logs_in_staff_of_employer_or_provider(client):
    employer = Employer.objects.create(
        kvk_number="12345678", name="Metaal BV", sector="metal_electrical", size="small", region=region()
    )
    provider = Provider.objects.create(kvk_number="87654321", name="Academie", kind="private", region=region())
    response = client.post(reverse("accounts:mock-eherkenning"), {"kvk_number": "12345678"}, follow=True)
    user = response.wsgi_request.user
    assert user.role == Role.EMPLOYER_STAFF and employer.staff.filter(pk=user.pk).exists()
    client.logout()
    response = client.post(reverse("accounts:mock-eherkenning"), {"kvk_number": "87654321"}, follow=True)
    user = response.wsgi_request.user
    assert user.role == Role.PROVIDER_STAFF and provider.staff.filter(pk=user.pk).exists()


def test_mock_eherkenning_explains_an_unknown_kvk_number(client):
    response = client.post(reverse("accounts:mock-eherkenning"), {"kvk_number": "1234"})
    assert response.status_code == 400
    assert "8 cijfers" in response.text


def test_outside_demo_mode_the_picker_and_mock_logins_do_not_exist(client, personas):
    from levenlang.accounts import urls as account_urls
    from levenlang.conf import urls as root_urls

    try:
        with override_settings(DEMO_MODE=False):
            for module in (account_urls, root_urls):
                importlib.reload(module)
            clear_url_caches()
            for path in ("/account/demo/persona/", "/account/demo/digid/", "/account/demo/eherkenning/"):
                assert client.post(path, {"username": "beheer", "bsn": "1", "kvk_number": "1"}).status_code == 404
            response = client.get("/account/inloggen/")
            assert response.status_code == 302
            assert response["Location"].startswith("/oidc/")
            assert "_auth_user_id" not in client.session
    finally:
        for module in (account_urls, root_urls):
            importlib.reload(module)
        clear_url_caches()


def test_logout_needs_post_and_ends_the_session(client, personas):
    client.force_login(personas["marco"])
    assert client.get(reverse("accounts:logout")).status_code == 405
    client.post(reverse("accounts:logout"))
    assert "_auth_user_id" not in client.session
