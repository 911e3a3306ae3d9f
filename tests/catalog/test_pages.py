"""The catalogue's pages: search and module page for everyone, provider pages, the administrator's review."""

import pytest
from django.test import Client

from levenlang.catalog.models import ImportRun, Module, Provider, ProviderRecognition
from levenlang.core.roles import Role
from tests.factories import ModuleFactory, OfferingFactory, UserFactory


@pytest.fixture
def anonymous():
    return Client()


def _client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def staff(provider):
    user = UserFactory(role=Role.PROVIDER_STAFF)
    provider.staff.add(user)
    return user


def test_search_page_shows_results_with_counts_and_reasons(anonymous, db):
    OfferingFactory(module=ModuleFactory(title_nl="Lassen voor beginners"))
    OfferingFactory(module=ModuleFactory(title_nl="Boekhouden"))
    response = anonymous.get("/aanbod/", {"q": "lassen", "category": "4"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Lassen voor beginners" in html and "Boekhouden" not in html
    assert "(1)" in html  # count next to the checked category
    assert "lassen" in html and "title" in html.lower()


def test_a_bad_postcode_is_explained_and_changes_nothing(anonymous, db):
    response = anonymous.get("/en/aanbod/", {"postcode": "ABC", "distance": "10"})
    assert response.status_code == 400
    assert "Type a Dutch postcode" in response.content.decode()


def test_module_page_lists_open_offerings(anonymous, db):
    offering = OfferingFactory(location_name="Enschede")
    response = anonymous.get(f"/aanbod/{offering.module.uuid}/")
    assert response.status_code == 200 and "Enschede" in response.content.decode()


def test_a_draft_module_page_is_only_for_its_provider(anonymous, staff, provider, db):
    draft = ModuleFactory(provider=provider, status=Module.Status.DRAFT)
    assert anonymous.get(f"/aanbod/{draft.uuid}/").status_code == 404
    other = UserFactory(role=Role.PROVIDER_STAFF)
    assert _client_for(other).get(f"/aanbod/{draft.uuid}/").status_code == 404
    assert _client_for(staff).get(f"/aanbod/{draft.uuid}/").status_code == 200


def test_provider_creates_an_offering_and_publishes(staff, provider):
    client = _client_for(staff)
    response = client.post(
        "/en/opleider/modules/nieuw/",
        {
            "kind": "course",
            "title_nl": "Heftruck rijden",
            "category": "4",
            "mode_of_delivery": "presential",
            "price": "395,00",
            "language": "nl",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    module = Module.objects.get(title_nl="Heftruck rijden")
    assert module.provider == provider and module.price_cents == 39_500 and module.status == "draft"
    # publishing without an offering is refused with a reason
    client.post(f"/en/opleider/modules/{module.uuid}/publiceren/", {"action": "publish"})
    assert Module.objects.get(pk=module.pk).status == "draft"
    client.post(
        f"/en/opleider/modules/{module.uuid}/uitvoeringen/nieuw/",
        {"start_date": "2027-03-01", "postcode": "7511ab", "state": "active", "capacity": "8"},
    )
    offering = module.offerings.get()
    assert offering.postcode == "7511 AB" and offering.price_cents == 39_500 and offering.region.code == "twente"
    client.post(f"/en/opleider/modules/{module.uuid}/publiceren/", {"action": "publish"})
    assert Module.objects.get(pk=module.pk).status == "published"


def test_provider_uploads_a_file_with_a_bad_row_and_sees_the_report(staff, provider):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = b"code,title_nl,category,mode_of_delivery,price_eur\nA,Goed,study,online,10\nB,Fout,study,online,tien\n"
    response = _client_for(staff).post(
        "/en/opleider/import/",
        {"file": SimpleUploadedFile("aanbod.csv", data), "format": "csv", "default_category": ""},
    )
    run = ImportRun.objects.get()
    assert response.status_code == 302 and run.status == ImportRun.Status.FAILED
    page = _client_for(staff).get(f"/en/opleider/import/{run.uuid}/").content.decode()
    assert "row 3, column price_eur" in page and not Module.objects.exists()


def test_registration_then_review_then_publishing(anonymous, user_with_role, db):
    response = anonymous.post(
        "/en/opleider/aanmelden/",
        {"kvk_number": "55667788", "name": "Leerhuis Oost", "kind": "private", "region": "twente"},
    )
    assert response.status_code == 302
    provider = Provider.objects.get(kvk_number="55667788")
    assert provider.status == Provider.Status.PENDING
    anonymous.post(
        "/en/opleider/erkenningen/", {"kind": "crkbo", "reference": "CRKBO-991", "valid_until": "2030-01-01"}
    )
    recognition = provider.recognitions.get()
    admin = _client_for(user_with_role(Role.ADMINISTRATOR))
    assert "Leerhuis Oost" in admin.get("/en/beheer/opleiders/").content.decode()
    admin.post(f"/en/beheer/erkenningen/{recognition.uuid}/", {"decision": "approve"})
    provider.refresh_from_db()
    recognition.refresh_from_db()
    assert recognition.status == ProviderRecognition.Status.APPROVED and provider.status == Provider.Status.APPROVED
    admin.post(f"/en/beheer/opleiders/{provider.uuid}/status/", {"action": "suspend", "reason": "Fraude"})
    provider.refresh_from_db()
    assert provider.status == Provider.Status.SUSPENDED and provider.suspension_reason == "Fraude"


def test_a_rejection_needs_a_note(user_with_role, provider):
    recognition = ProviderRecognition.objects.create(provider=provider, kind="nrto", reference="N-1")
    admin = _client_for(user_with_role(Role.ADMINISTRATOR))
    admin.post(f"/en/beheer/erkenningen/{recognition.uuid}/", {"decision": "reject", "note": ""})
    recognition.refresh_from_db()
    assert recognition.status == ProviderRecognition.Status.SUBMITTED


def test_a_file_over_the_size_limit_is_refused_before_anything_is_stored(staff, monkeypatch):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from levenlang.catalog import services

    monkeypatch.setattr(services, "MAX_IMPORT_BYTES", 10)
    response = _client_for(staff).post(
        "/en/opleider/import/", {"file": SimpleUploadedFile("groot.csv", b"x" * 11), "format": "csv"}
    )
    assert response.status_code == 400 and "larger than 50 MB" in response.content.decode()
    assert not ImportRun.objects.exists()
