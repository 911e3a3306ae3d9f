"""Catalogue modules link to skills of the taxonomy: the catalogue keeps skill URIs, the skills app gives it their
labels after each import; a free label that names exactly one skill becomes a link; the linked skills' labels are
in the module's search text (and the URIs are not)."""

import datetime
import json
import uuid

import pytest
from django.urls import reverse

from levenlang.catalog import services as catalog
from levenlang.catalog.models import Module
from levenlang.catalog.services import SearchParams
from levenlang.skills import services
from tests.factories import ModuleFactory, OfferingFactory, ProviderFactory
from tests.skills import esco_files as f

TODAY = datetime.date(2027, 1, 10)


def _found(q: str) -> list[str]:
    return [hit.module.code for hit in catalog.search(SearchParams(q=q), today=TODAY).hits]


def _module(code: str, skills: list[str]) -> Module:
    module = ModuleFactory(code=code, title_nl="Cursus", title_en="Course", skills=skills, description_nl="")
    OfferingFactory(module=module, start_date=None)
    return module


@pytest.fixture
def v1(db, tmp_path):
    return [f.write_classification(tmp_path / "esco-v1.0.0"), f.write_relations(tmp_path / "esco-v1.0.0-relations")]


def test_a_free_label_that_names_one_skill_becomes_its_link_and_its_labels_are_searched(v1):
    services.import_taxonomy(v1)
    module = _module("LAS-1", ["Welding", "MIG-lassen", f.CUT])
    module.refresh_from_db()
    assert module.skills == [f.WELD, "MIG-lassen", f.CUT]
    assert catalog.skill_names(module, "en") == ["weld metal", "MIG-lassen", "cut metal"]
    assert _found("join metal") == ["LAS-1"]  # an alternative label of a linked skill
    assert _found("lassen") == ["LAS-1"]  # the free label, as before
    assert _found("europa") == []  # the URIs are not words of the module


def test_modules_written_before_the_taxonomy_are_linked_by_its_import(v1):
    module = _module("LAS-2", ["read technical drawings", "gas welding"])
    assert _found("blueprints") == []
    services.import_taxonomy(v1)
    module.refresh_from_db()
    assert module.skills == [f.BLUEPRINTS, f.GAS]
    assert _found("blueprints") == ["LAS-2"]
    assert _found("equipment") == ["LAS-2"]


def test_a_label_shared_by_two_skills_links_neither(v1, tmp_path):
    skills = [*f.SKILLS[:1], f.skill(f.CUT, "cut metal", "welding")]  # "welding" now names two skills
    services.import_taxonomy([f.write_classification(tmp_path / "esco-v1.0.0-x", skills=skills)])
    module = _module("LAS-3", ["welding"])
    module.refresh_from_db()
    assert module.skills == ["welding"]


def test_a_new_version_renames_what_the_module_is_found_by(v1, tmp_path):
    services.import_taxonomy(v1)
    module = _module("LAS-4", [f.WELD])
    skills = [f.skill(f.WELD, "fuse metal"), *f.SKILLS[1:]]
    counts = services.import_taxonomy([f.write_classification(tmp_path / "esco-v2.0.0", skills=skills)])
    assert counts["catalogue_skill_terms_changed"] == 1
    assert _found("fuse") == ["LAS-4"] and _found("welding") == []
    assert catalog.skill_names(module, "nl") == ["fuse metal"]  # no Dutch label: the English one
    services.import_taxonomy(v1)
    assert _found("welding") == ["LAS-4"] and _found("fuse") == []


def test_an_oeapi_import_that_carries_skill_uris_and_names_links_them(v1):
    services.import_taxonomy(v1)
    provider = ProviderFactory()
    course_id = uuid.uuid4()
    course = {
        "courseId": str(course_id),
        "primaryCode": {"codeType": "identifier", "code": "LAS-5"},
        "name": [{"language": "nl-NL", "value": "Lassen"}],
        "modesOfDelivery": ["presential"],
        "ext": {
            "levenlang": {
                "category": "job_oriented",
                "price": "450.00",
                "skills": [f.SAFETY, "Metal cutting", "plaatwerk"],
            }
        },
    }
    bundle = {"courses": {"pageNumber": 1, "items": [course]}, "courseOfferings": []}
    report = catalog.import_catalogue(provider, json.dumps(bundle).encode(), fmt="oeapi")
    assert report["problems"] == []
    assert Module.objects.get(uuid=course_id).skills == [f.SAFETY, f.CUT, "plaatwerk"]


def test_the_module_page_shows_linked_skills_by_name_not_by_uri(v1, client):
    services.import_taxonomy(v1)
    module = _module("LAS-6", [f.WELD, "MIG-lassen"])
    module.status = Module.Status.PUBLISHED
    module.save()
    page = client.get(reverse("catalog:module", args=[module.uuid])).content.decode()
    assert "weld metal, MIG-lassen" in page
    assert f.WELD not in page
