"""The importer reads the examples of the OEAPI v6 specification itself. The specification is read at test time
from ../shared/reference/oeapi-v6/oeapi.yaml (not copied into this repository); without it these tests skip.

OEAPI gives its examples per property (`example:`), so an example Course is assembled the way OpenAPI tools
do it: every property that has an example (directly, through its $ref, or through its items) gets that value."""

import json
from pathlib import Path

import pytest
import yaml

from levenlang.catalog import services
from levenlang.catalog.models import Module
from levenlang.ledger.models import Category

SPEC = Path(__file__).resolve().parents[3] / "shared" / "reference" / "oeapi-v6" / "oeapi.yaml"
# Expanded objects (the whole course inside its offering, the organisation...) are left out: the identifiers
# beside them carry the link, and the expansions would recurse.
EXPANSIONS = {"course", "programme", "organisation", "academicSession", "programmeOfferings", "programmes"}


@pytest.fixture(scope="module")
def schemas():
    if not SPEC.exists():
        pytest.skip(f"The OEAPI v6 specification is not at {SPEC}; the spec-example import tests need it.")
    return yaml.safe_load(SPEC.read_text())["components"]["schemas"]


def example(schemas: dict, schema: dict, depth: int = 0):
    """The example value of `schema`, assembled from the specification's own examples; None when it has none."""
    if depth > 6:
        return None
    if "example" in schema:
        return schema["example"]
    if "$ref" in schema:
        return example(schemas, schemas[schema["$ref"].rsplit("/", 1)[1]], depth + 1)
    for key in ("allOf", "oneOf", "anyOf"):
        if key in schema:
            if key == "allOf":
                merged: dict = {}
                for part in schema[key]:
                    value = example(schemas, part, depth + 1)
                    if isinstance(value, dict):
                        merged.update(value)
                return merged or None
            for part in schema[key]:
                value = example(schemas, part, depth + 1)
                if value is not None:
                    return value
            return None
    if "properties" in schema:
        obj = {}
        for name, prop in schema["properties"].items():
            if name in EXPANSIONS:
                continue
            value = example(schemas, prop, depth + 1)
            if value is not None:
                obj[name] = value
        return obj
    types = schema.get("type")
    if (types == "array" or (isinstance(types, list) and "array" in types)) and "items" in schema:
        item = example(schemas, schema["items"], depth + 1)
        return [item] if item is not None else None
    return None


def _import(provider, schemas, *names):
    objects = [example(schemas, schemas[name]) for name in names]
    data = json.dumps(objects).encode()
    return services.import_catalogue(provider, data, fmt="oeapi", default_category=Category.STUDY), objects


def test_the_specifications_course_and_course_offering_examples_import(provider, schemas):
    report, (course, offering) = _import(provider, schemas, "Course", "CourseOffering")
    assert report["problems"] == [], report["problems"]
    assert report["created_modules"] == 1 and report["created_offerings"] == 1
    module = Module.objects.get(uuid=course["courseId"])
    assert module.kind == Module.Kind.COURSE
    assert module.code == course["primaryCode"]["code"]
    assert module.title_en == course["name"][0]["value"]
    assert module.description_en.startswith("As with all empirical sciences")
    assert module.mode_of_delivery == course["modesOfDelivery"][0]
    assert module.study_load_unit == course["studyLoad"][0]["studyLoadUnit"]
    imported = module.offerings.get()
    assert str(imported.uuid) == offering["courseOfferingId"]
    assert imported.start_date.isoformat() == offering["startDateTime"][:10]
    # The example price '340.84' EUR, in cents.
    assert imported.price_cents == 34_084 == module.price_cents
    assert imported.postcode == "3511 EP"  # the example address in Utrecht


def test_the_specifications_programme_and_programme_offering_examples_import(provider, schemas):
    report, (programme, offering) = _import(provider, schemas, "Programme", "ProgrammeOffering")
    assert report["problems"] == [], report["problems"]
    module = Module.objects.get(uuid=programme["programmeId"])
    assert module.kind == Module.Kind.PROGRAMME
    assert module.level == programme["levelOfQualification"]
    assert str(module.offerings.get().uuid) == offering["programmeOfferingId"]


def test_the_specification_example_with_an_unknown_mode_is_refused_whole(provider, schemas):
    course = example(schemas, schemas["Course"])
    offering = example(schemas, schemas["CourseOffering"])
    course["modesOfDelivery"] = ["x-by-carrier-pigeon"]
    data = json.dumps([course, offering]).encode()
    report = services.import_catalogue(provider, data, fmt="oeapi", default_category=Category.STUDY)
    assert [p["where"] for p in report["problems"]] == ["/0/modesOfDelivery/0"]
    assert not Module.objects.exists()
