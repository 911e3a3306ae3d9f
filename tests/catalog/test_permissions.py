"""Who may see and change what in the catalogue (core/permissions.py): one test per rule, each proving that
others cannot."""

import pytest
from django.test import Client

from levenlang.catalog.models import Module, ProviderRecognition
from levenlang.core.permissions import CHANGE_MODULE, MANAGE_CATALOGUE, REVIEW_PROVIDERS, VIEW_MODULE
from levenlang.core.roles import Role
from tests.factories import ModuleFactory, OfferingFactory, ProviderFactory, UserFactory


def _client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def ours(provider):
    staff = UserFactory(role=Role.PROVIDER_STAFF)
    provider.staff.add(staff)
    module = ModuleFactory(provider=provider, title_nl="Onze module", title_en="Our module", status="draft")
    OfferingFactory(module=module)
    return staff, module


@pytest.fixture
def theirs(db):
    other = ProviderFactory()
    staff = UserFactory(role=Role.PROVIDER_STAFF)
    other.staff.add(staff)
    return staff, ModuleFactory(provider=other, title_nl="Hun module", title_en="Their module")


def test_manage_catalogue_only_own_provider_staff(ours, theirs, provider, user_with_role):
    assert ours[0].has_perm(MANAGE_CATALOGUE, provider)
    assert not theirs[0].has_perm(MANAGE_CATALOGUE, provider)
    assert not user_with_role(Role.ADMINISTRATOR).has_perm(MANAGE_CATALOGUE, provider)
    resident = user_with_role(Role.RESIDENT)
    provider.staff.add(resident)  # even when wrongly linked, a resident is not provider staff
    assert not resident.has_perm(MANAGE_CATALOGUE, provider)


def test_provider_sees_only_its_own_modules_in_its_list(ours, theirs):
    html = _client_for(ours[0]).get("/en/opleider/modules/").content.decode()
    assert "Our module" in html and "Their module" not in html


def test_change_module_only_own_provider_staff(ours, theirs):
    staff, module = ours
    assert staff.has_perm(CHANGE_MODULE, module) and not staff.has_perm(CHANGE_MODULE, theirs[1])
    client = _client_for(staff)
    other = theirs[1]
    assert client.get(f"/en/opleider/modules/{other.uuid}/").status_code == 404
    response = client.post(f"/en/opleider/modules/{other.uuid}/", {"title_nl": "Gekaapt", "category": "1"})
    assert response.status_code == 404
    assert client.post(f"/en/opleider/modules/{other.uuid}/publiceren/", {"action": "unpublish"}).status_code == 404
    assert client.get(f"/en/opleider/modules/{other.uuid}/uitvoeringen/nieuw/").status_code == 404
    other.refresh_from_db()
    assert other.title_nl == "Hun module" and other.status == Module.Status.PUBLISHED


def test_provider_pages_refuse_other_roles(ours, user_with_role):
    for role in (Role.RESIDENT, Role.EMPLOYER_STAFF, Role.ADMINISTRATOR):
        client = _client_for(user_with_role(role))
        for url in ("/en/opleider/modules/", "/en/opleider/import/", "/en/opleider/erkenningen/"):
            assert client.get(url).status_code == 403, (role, url)
    assert Client().get("/en/opleider/modules/").status_code == 302  # to the login page


def test_import_reports_are_only_for_their_provider(ours, theirs):
    from levenlang.catalog import services

    run = services.start_import(
        ours[1].provider, filename="x.csv", data=b"x", fmt="csv", default_category=None, publish=False, actor=ours[0]
    )
    assert _client_for(theirs[0]).get(f"/en/opleider/import/{run.uuid}/").status_code == 404
    assert _client_for(ours[0]).get(f"/en/opleider/import/{run.uuid}/").status_code == 200


def test_view_module_draft_only_for_own_provider_and_administrators(ours, theirs, user_with_role):
    staff, draft = ours
    assert staff.has_perm(VIEW_MODULE, draft)
    assert user_with_role(Role.ADMINISTRATOR).has_perm(VIEW_MODULE, draft)
    assert not theirs[0].has_perm(VIEW_MODULE, draft)
    assert not user_with_role(Role.RESIDENT).has_perm(VIEW_MODULE, draft)
    assert user_with_role(Role.RESIDENT).has_perm(VIEW_MODULE, theirs[1])  # published: public


def test_review_providers_only_administrators(ours, user_with_role, provider):
    recognition = ProviderRecognition.objects.create(provider=provider, kind="nrto", reference="N-2")
    assert user_with_role(Role.ADMINISTRATOR).has_perm(REVIEW_PROVIDERS)
    for user in (ours[0], user_with_role(Role.RESIDENT), user_with_role(Role.MINISTRY_ANALYST)):
        assert not user.has_perm(REVIEW_PROVIDERS)
        client = _client_for(user)
        assert client.get("/en/beheer/opleiders/").status_code == 403
        assert client.post(f"/en/beheer/erkenningen/{recognition.uuid}/", {"decision": "approve"}).status_code == 403
        response = client.post(f"/en/beheer/opleiders/{provider.uuid}/status/", {"action": "suspend", "reason": "x"})
        assert response.status_code == 403
    recognition.refresh_from_db()
    provider.refresh_from_db()
    assert recognition.status == "submitted" and provider.status == "approved"
