"""The importer reads the examples of the OOAPI v5 specification itself, with the RIO consumer extension beside
them. The specification is read at test time from ../shared/reference/ooapi-v5/ (not copied into this repository);
without it these tests skip.

As for v6, an example object is assembled the way OpenAPI tools do it: every property that has an example
(directly, through its $ref, or through its items) gets that value. v5 gives an offering's link to its course or
program only as an id without example, so the tests link them, as an exporting system would."""

import json
from pathlib import Path

import pytest
import yaml

from levenlang.catalog import services
from levenlang.catalog.models import Module
from levenlang.ledger.models import Category

REFERENCE = Path(__file__).resolve().parents[3] / "shared" / "reference" / "ooapi-v5"
SPEC = REFERENCE / "ooapi.yaml"
# Expanded objects (the course inside its offering, the organization...) are left out: the identifiers beside them
# carry the link, and the expansions would recurse.
EXPANSIONS = {
    "course",
    "courses",
    "program",
    "programs",
    "programOffering",
    "courseOffering",
    "component",
    "components",
    "organization",
    "academicSession",
    "parent",
    "children",
    "coordinators",
    "educationSpecification",
}


@pytest.fixture(scope="module")
def schemas():
    if not SPEC.exists():
        pytest.skip(f"The OOAPI v5 specification is not at {SPEC}; the v5 spec-example import tests need it.")
    return yaml.safe_load(SPEC.read_text())["components"]["schemas"]


def example(schemas: dict, schema: dict, depth: int = 0):
    """The example value of `schema`, assembled from the specification's own examples; None when it has none."""
    if depth > 8:
        return None
    if "example" in schema:
        return schema["example"]
    if "$ref" in schema:
        return example(schemas, schemas[schema["$ref"].rsplit("/", 1)[1]], depth + 1)
    if "allOf" in schema:
        merged: dict = {}
        for part in schema["allOf"]:
            value = example(schemas, part, depth + 1)
            if isinstance(value, dict):
                merged.update(value)
        return merged or None
    for key in ("oneOf", "anyOf"):
        for part in schema.get(key, []):
            value = example(schemas, part, depth + 1)
            if value is not None:
                return value
    if "properties" in schema:
        found = {name: example(schemas, prop, depth + 1) for name, prop in schema["properties"].items()}
        return {name: value for name, value in found.items() if value is not None and name not in EXPANSIONS}
    if schema.get("type") == "array" and "items" in schema:
        item = example(schemas, schema["items"], depth + 1)
        return [item] if item is not None else None
    return None


def _rio(name: str) -> list:
    path = REFERENCE / f"rio-consumer-example-{name}.yaml"
    if not path.exists():
        pytest.skip(f"The RIO consumer example is not at {path}.")
    return yaml.safe_load(path.read_text())


def _import(provider, objects):
    return services.import_catalogue(
        provider, json.dumps(objects, default=str).encode(), fmt="oeapi", default_category=Category.STUDY
    )


def test_the_specifications_course_and_course_offering_examples_import(provider, schemas):
    course = example(schemas, schemas["Course"])
    offering = example(schemas, schemas["CourseOffering"])
    offering.update(offeringType="course", course=course["courseId"])
    report = _import(provider, [course, offering])
    assert report["problems"] == [], report["problems"]
    assert report["created_modules"] == 1 and report["created_offerings"] == 1
    module = Module.objects.get(uuid=course["courseId"])
    assert module.kind == Module.Kind.COURSE and module.code == course["primaryCode"]["code"]
    assert module.title_en == course["name"][0]["value"]
    assert module.description_en.startswith("As with all empirical sciences")
    assert module.language == "nl"  # teachingLanguage "nld"
    assert module.mode_of_delivery == "presential"  # v5 "situated": on site
    assert (module.study_load_value, module.study_load_unit) == (course["studyLoad"]["value"], "ects")
    imported = module.offerings.get()
    assert str(imported.uuid) == offering["offeringId"]
    assert imported.start_date.isoformat() == offering["startDate"]
    assert imported.capacity == offering["maxNumberStudents"]
    assert imported.price_cents == 34_084 == module.price_cents  # the example cost '340.84', "total costs"
    assert imported.postcode == "3511 EP"  # the example address in Utrecht (v5 says postalCode)


def test_the_specifications_program_and_program_offering_examples_import(provider, schemas):
    program = example(schemas, schemas["Program"])
    offering = example(schemas, schemas["ProgramOffering"])
    offering.update(offeringType="program", program=program["programId"])
    report = _import(provider, {"programs": [program], "offerings": [offering]})
    assert report["problems"] == [], report["problems"]
    module = Module.objects.get(uuid=program["programId"])
    assert module.kind == Module.Kind.PROGRAMME
    assert module.level == f"eqf_{program['levelOfQualification']}"
    assert str(module.offerings.get().uuid) == offering["offeringId"]


def test_the_specifications_offering_example_is_a_component_and_is_refused_with_the_reason(provider, schemas):
    course = example(schemas, schemas["Course"])
    offering = example(schemas, schemas["CourseOffering"])
    assert offering["offeringType"] == "component"
    report = _import(provider, [course, offering])
    assert [p["where"] for p in report["problems"]] == ["/1/offeringType"]
    assert not Module.objects.exists()


def test_the_specification_examples_with_the_rio_consumer_extension_import(provider, schemas):
    course = example(schemas, schemas["Course"])
    program = example(schemas, schemas["Program"])
    program["programId"] = "00000000-0000-4000-8000-000000000001"  # the examples share one id
    program["ext"] = {"levenlang": {"price": "1200"}}  # a program without offerings needs its own price
    offering = example(schemas, schemas["CourseOffering"])
    offering.update(offeringType="course", course=course["courseId"])
    course["consumers"] = _rio("Course")
    program["consumers"] = _rio("Program")
    offering["consumers"] = _rio("Offering")
    report = _import(provider, [course, program, offering])
    assert report["problems"] == [], report["problems"]
    assert Module.objects.count() == 2


def test_a_specification_example_with_bad_fields_is_refused_whole_with_each_pointer(provider, schemas):
    course = example(schemas, schemas["Course"])
    offering = example(schemas, schemas["CourseOffering"])
    offering.update(offeringType="course", course=course["courseId"])
    course["modeOfDelivery"] = ["by carrier pigeon"]
    offering["priceInformation"][0]["amount"] = "2000000"  # two million euros: above any real course
    offering["maxNumberStudents"] = -1
    report = _import(provider, [course, offering])
    assert {p["where"] for p in report["problems"]} == {
        "/0/modeOfDelivery/0",
        "/1/priceInformation",
        "/1/maxNumberStudents",
    }
    assert not Module.objects.exists()
