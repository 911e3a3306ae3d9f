"""The OEAPI-shaped read API of our own catalogue, and that what it returns imports back."""

import json

import pytest
from django.test import Client

from levenlang.catalog import services
from levenlang.catalog.models import Module
from tests.factories import ModuleFactory, OfferingFactory, ProviderFactory


@pytest.fixture
def client():
    return Client()


def test_courses_are_paged_the_oeapi_way_and_public(client, db):
    for i in range(3):
        OfferingFactory(module=ModuleFactory(title_nl=f"Cursus {i}"))
    ModuleFactory(title_nl="Concept", status=Module.Status.DRAFT)
    ModuleFactory(title_nl="Geschorst", provider=ProviderFactory(status="suspended"))
    response = client.get("/api/v1/oeapi/courses", {"pageSize": 2})
    assert response.status_code == 200
    page = response.json()
    assert {k: page[k] for k in ("pageSize", "pageNumber", "hasPreviousPage", "hasNextPage", "totalPages")} == {
        "pageSize": 2,
        "pageNumber": 1,
        "hasPreviousPage": False,
        "hasNextPage": True,
        "totalPages": 2,
    }
    assert [item["name"][0]["value"] for item in page["items"]] == ["Cursus 0", "Cursus 1"]
    second = client.get("/api/v1/oeapi/courses", {"pageSize": 2, "pageNumber": 2}).json()
    assert [item["name"][0]["value"] for item in second["items"]] == ["Cursus 2"]
    assert second["hasPreviousPage"] and not second["hasNextPage"]


def test_a_course_and_its_offerings(client, db):
    offering = OfferingFactory(
        module=ModuleFactory(code="VCA-1", level="eqf_2", skills=["veiligheid"]), price_cents=34_084
    )
    module = offering.module
    course = client.get(f"/api/v1/oeapi/courses/{module.uuid}").json()
    assert course["courseId"] == str(module.uuid) and course["primaryCode"]["code"] == "VCA-1"
    assert course["level"] == "secondary_vocational_education_2" and course["modesOfDelivery"] == ["presential"]
    assert course["ext"]["levenlang"]["category"] == "job_oriented"
    offerings = client.get(f"/api/v1/oeapi/courses/{module.uuid}/course-offerings").json()
    (item,) = offerings["items"]
    assert item["courseOfferingId"] == str(offering.uuid) and item["courseId"] == str(module.uuid)
    assert item["priceInformation"] == [{"costType": "total_costs", "amount": "340.84", "currency": "EUR"}]
    assert item["startDateTime"].startswith(offering.start_date.isoformat())


def test_drafts_are_not_found_and_bad_paging_is_refused(client, db):
    draft = ModuleFactory(status=Module.Status.DRAFT)
    assert client.get(f"/api/v1/oeapi/courses/{draft.uuid}").status_code == 404
    assert client.get(f"/api/v1/oeapi/courses/{draft.uuid}/course-offerings").status_code == 404
    assert client.get("/api/v1/oeapi/courses", {"pageSize": 0}).status_code == 400
    assert client.get("/api/v1/oeapi/courses", {"pageSize": "ten"}).status_code == 400


def test_search_words_and_mode_filter(client, db):
    ModuleFactory(title_nl="Lassen voor beginners", mode_of_delivery="presential")
    ModuleFactory(title_nl="Lassen online", mode_of_delivery="online")
    ModuleFactory(title_nl="Boekhouden")
    names = [i["name"][0]["value"] for i in client.get("/api/v1/oeapi/courses", {"q": "lassen"}).json()["items"]]
    assert names == ["Lassen online", "Lassen voor beginners"]
    online = client.get("/api/v1/oeapi/courses", {"q": "lassen", "modeOfDelivery": "online"}).json()
    assert [i["name"][0]["value"] for i in online["items"]] == ["Lassen online"]


def test_programmes_are_separate_from_courses(client, db):
    programme = ModuleFactory(kind=Module.Kind.PROGRAMME, level="eqf_4")
    assert client.get("/api/v1/oeapi/courses").json()["items"] == []
    (item,) = client.get("/api/v1/oeapi/programmes").json()["items"]
    assert item["programmeId"] == str(programme.uuid) and item["levelOfQualification"] == "eqf_4"
    assert client.get(f"/api/v1/oeapi/courses/{programme.uuid}").status_code == 404


def test_what_the_api_returns_imports_back_unchanged(client, provider):
    offering = OfferingFactory(module=ModuleFactory(provider=provider, code="RT-1", skills=["a", "b"], min_age=18))
    module = offering.module
    course = client.get(f"/api/v1/oeapi/courses/{module.uuid}").json()
    offerings = client.get(f"/api/v1/oeapi/courses/{module.uuid}/course-offerings").json()
    report = services.import_catalogue(
        provider, json.dumps({"courses": [course], "courseOfferings": offerings}).encode(), fmt="oeapi"
    )
    assert report["problems"] == [] and report["updated_modules"] == 1 and report["updated_offerings"] == 1
    again = Module.objects.get(pk=module.pk)
    assert (again.skills, again.min_age, again.price_cents, again.category) == (
        ["a", "b"],
        18,
        module.price_cents,
        module.category,
    )
