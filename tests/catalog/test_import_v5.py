"""Import of Open Education API v5 (OOAPI v5) files beside v6: what most institutions and the RIO register publish.

The payloads here are written by hand after the v5 specification (names, enumerations and shapes), so that the v5
path is tested without the specification at hand; test_import_v5_spec_examples.py reads the specification itself."""

import datetime
import json
import uuid

from levenlang.catalog import importers, services
from levenlang.catalog.models import Module, Offering
from levenlang.ledger.models import Category


def _course(course_id, **extra) -> dict:
    return {
        "courseId": str(course_id),
        "primaryCode": {"codeType": "identifier", "code": "LAS-5"},
        "name": [
            {"language": "nl-NL", "value": "Lassen voor beginners"},
            {"language": "en-GB", "value": "Welding for beginners"},
        ],
        "abbreviation": "LAS",
        "description": [{"language": "nl-NL", "value": "Je leert veilig lassen met MIG/MAG."}],
        "teachingLanguage": "nld",
        "level": "secondary vocational education 2",
        "modeOfDelivery": ["on campus"],
        "studyLoad": {"studyLoadUnit": "hour", "value": 40},
        "ext": {"levenlang": {"category": "job_oriented", "skills": ["lassen"], "minAge": 18}},
        **extra,
    }


def _offering(parent_id, offering_type="course", **extra) -> dict:
    return {
        "offeringId": str(uuid.uuid4()),
        "offeringType": offering_type,
        offering_type: str(parent_id),
        "primaryCode": {"codeType": "offeringCode", "code": "2027-VJ"},
        "name": [{"language": "nl-NL", "value": "Voorjaar 2027"}],
        "description": [{"language": "nl-NL", "value": "Tien avonden in Enschede."}],
        "teachingLanguage": "nld",
        "resultExpected": True,
        "startDate": "2027-03-01",
        "endDate": "2027-05-03",
        "enrollEndDate": "2027-02-15",
        "maxNumberStudents": 12,
        "priceInformation": [
            {"costType": "STAP eligible", "amount": "400.00", "currency": "EUR"},
            {"costType": "total costs", "amount": "495.50", "currency": "EUR"},
        ],
        "addresses": [
            {
                "addressType": "teaching",
                "street": "Hengelosestraat",
                "streetNumber": "10",
                "postalCode": "7511 AB",
                "city": "Enschede",
            }
        ],
        **extra,
    }


def _program(program_id, **extra) -> dict:
    return {
        "programId": str(program_id),
        "primaryCode": {"codeType": "programCode", "code": "VZ-4"},
        "programType": "program",
        "name": [{"language": "nl-NL", "value": "Verzorgende IG"}],
        "abbreviation": "VIG",
        "description": [{"language": "nl-NL", "value": "Opleiding tot verzorgende in de zorg."}],
        "teachingLanguage": "nld",
        "levelOfQualification": "4+",
        "level": "secondary vocational education 3",
        "modeOfStudy": "self-paced",
        "modeOfDelivery": ["distance-learning", "online"],
        "studyLoad": {"studyLoadUnit": "ects", "value": 60},
        "ext": {"levenlang": {"category": "study", "price": "2400.00"}},
        **extra,
    }


def _import(provider, document) -> dict:
    return services.import_catalogue(provider, json.dumps(document).encode(), fmt="oeapi")


def test_a_v5_course_with_its_offerings_is_imported(provider):
    course_id = uuid.uuid4()
    autumn = _offering(course_id, startDate="2027-09-06", endDate="2027-11-08", enrollEndDate=None)
    autumn["primaryCode"]["code"] = "2027-NJ"
    report = _import(provider, [_course(course_id), _offering(course_id), autumn])
    assert report["problems"] == []
    assert report["created_modules"] == 1 and report["created_offerings"] == 2
    module = Module.objects.get(uuid=course_id)
    assert (module.kind, module.code, module.title_nl, module.title_en) == (
        Module.Kind.COURSE,
        "LAS-5",
        "Lassen voor beginners",
        "Welding for beginners",
    )
    assert module.category == Category.JOB_ORIENTED and module.skills == ["lassen"] and module.min_age == 18
    # v5 enumerations in our (v6) terms: "secondary vocational education 2" is EQF 2, "on campus" is on site.
    assert (module.level, module.mode_of_delivery, module.language) == ("eqf_2", "presential", "nl")
    assert (module.study_load_value, module.study_load_unit) == (40, "hour")
    assert module.price_cents == 49_550  # the "total costs", not the STAP-eligible part
    spring, autumn = module.offerings.order_by("start_date")
    assert spring.start_date == datetime.date(2027, 3, 1) and spring.end_date == datetime.date(2027, 5, 3)
    assert spring.enrol_until == datetime.date(2027, 2, 15) and autumn.enrol_until is None
    assert spring.capacity == 12 and spring.price_cents == 49_550 and spring.state == Offering.State.ACTIVE
    assert spring.postcode == "7511 AB" and spring.region.code == "twente"
    assert spring.location_name == "Hengelosestraat 10 Enschede"


def test_a_v5_bundle_with_a_program_and_its_offering_is_imported(provider):
    program_id = uuid.uuid4()
    offering = _offering(program_id, offering_type="program", priceInformation=[])
    offering["program"] = {"programId": str(program_id)}  # the expanded form: the program object itself
    report = _import(provider, {"programs": [_program(program_id)], "offerings": {"items": [offering]}})
    assert report["problems"] == []
    module = Module.objects.get(uuid=program_id)
    assert module.kind == Module.Kind.PROGRAMME and module.category == Category.STUDY
    # levelOfQualification "4+" is NLQF 4+; "distance-learning" is online; modeOfStudy "self-paced".
    assert (module.level, module.mode_of_delivery, module.self_paced) == ("nlqf_4plus", "online", True)
    assert (module.study_load_value, module.study_load_unit) == (60, "ects")
    assert module.price_cents == 240_000 and module.offerings.get().price_cents == 240_000


def test_importing_the_same_v5_file_again_updates_instead_of_duplicating(provider):
    course_id = uuid.uuid4()
    offering = _offering(course_id)
    _import(provider, [_course(course_id), offering])
    offering["maxNumberStudents"] = 20
    report = _import(provider, [_course(course_id, name=[{"language": "nl", "value": "Lassen 1"}]), offering])
    assert report["updated_modules"] == 1 and report["updated_offerings"] == 1 and report["created_modules"] == 0
    module = Module.objects.get()
    assert module.title_nl == "Lassen 1" and module.offerings.get().capacity == 20


def test_v5_offerings_alone_are_added_to_a_course_imported_before(provider):
    course_id = uuid.uuid4()
    _import(provider, [_course(course_id), _offering(course_id)])
    later = _offering(course_id, startDate="2028-01-10", endDate="2028-03-10")
    later["primaryCode"]["code"] = "2028-W"
    report = _import(provider, {"pageSize": 10, "pageNumber": 1, "hasNextPage": False, "items": [later]})
    assert report["problems"] == [] and report["created_offerings"] == 1
    assert Module.objects.get().offerings.count() == 2


def test_a_v5_file_with_bad_fields_changes_nothing_and_points_at_each_field(provider):
    good, bad = uuid.uuid4(), uuid.uuid4()
    bad_course = _course(
        bad,
        modeOfDelivery=["by carrier pigeon"],
        level="grandmaster",
        teachingLanguage=31,
        studyLoad={"studyLoadUnit": "weeks", "value": "veel"},
    )
    bad_offering = _offering(
        bad,
        maxNumberStudents="twelve",
        startDate="01-03-2027",
        priceInformation=[{"costType": "total costs", "amount": "495,50", "currency": "EUR"}],
    )
    no_type = _offering(good)
    del no_type["offeringType"]
    wrong_link = _offering("not-a-uuid")
    document = {
        "courses": [_course(good), bad_course],
        "offerings": [_offering(good), bad_offering, no_type, wrong_link],
    }
    report = _import(provider, document)
    assert not Module.objects.exists() and not Offering.objects.exists()
    reasons = {p["where"]: p["reason"] for p in report["problems"]}
    assert set(reasons) == {
        "/courses/1/modeOfDelivery/0",
        "/courses/1/level",
        "/courses/1/teachingLanguage",
        "/courses/1/studyLoad/value",
        "/courses/1/studyLoad/studyLoadUnit",
        "/offerings/1/maxNumberStudents",
        "/offerings/1/startDate",
        "/offerings/1/priceInformation",
        "/offerings/2/offeringType",
        "/offerings/3/course",
    }
    # Each reason says what would be right, in v5's own words.
    assert "distance-learning, on campus, online, hybrid, situated" in reasons["/courses/1/modeOfDelivery/0"]
    assert "secondary vocational education 1" in reasons["/courses/1/level"]
    assert "contacttime" in reasons["/courses/1/studyLoad/studyLoadUnit"]
    assert "340.84" in reasons["/offerings/1/priceInformation"]  # v5 amounts have a decimal point only
    assert "2027-01-31" in reasons["/offerings/1/startDate"]
    assert "“course” or “program”" in reasons["/offerings/2/offeringType"]
    assert "UUID" in reasons["/offerings/3/course"]


def test_a_v5_component_offering_is_refused_with_the_reason(provider):
    course_id = uuid.uuid4()
    component = _offering(course_id, offeringType="component", component=str(uuid.uuid4()))
    report = _import(provider, [_course(course_id), component])
    assert report["problems"] == [
        {
            "where": "/1/offeringType",
            "reason": "A component offering cannot be imported: import the course it is part of.",
        }
    ]


def test_a_file_that_mixes_v5_and_v6_is_refused_whole_and_names_a_place_of_each(provider):
    course_id = uuid.uuid4()
    v6_offering = {
        "courseOfferingId": str(uuid.uuid4()),
        "courseId": str(course_id),
        "primaryCode": {"codeType": "offering_code", "code": "X"},
        "startDateTime": "2027-03-01T09:00:00+01:00",
        "priceInformation": [{"costType": "total_costs", "amount": "10", "currency": "EUR"}],
    }
    report = _import(provider, [_course(course_id), v6_offering])
    assert len(report["problems"]) == 1 and report["problems"][0]["where"] == "/"
    reason = report["problems"][0]["reason"]
    assert "“teachingLanguage” at /0/teachingLanguage is OOAPI v5" in reason
    assert "“courseOfferingId” at /1/courseOfferingId is OEAPI v6" in reason
    assert not Module.objects.exists()


def test_a_bundle_that_mixes_the_versions_names_of_parts_is_refused(provider):
    course_id = uuid.uuid4()
    report = _import(provider, {"programs": [], "programmes": [], "courses": [_course(course_id)]})
    assert report["problems"][0]["where"] == "/" and "mixes two versions" in report["problems"][0]["reason"]


def test_a_file_of_neither_version_says_what_it_lacks(provider):
    report = _import(provider, [{"title": "Lassen", "price": 495}])
    assert report["problems"] == [
        {
            "where": "/0",
            "reason": "This is not a course, programme or offering of the Open Education API (v6: no courseId, "
            "programmeId, courseOfferingId or programmeOfferingId; v5: no courseId, programId or offeringId).",
        }
    ]


def test_the_version_is_told_from_the_names_the_file_uses():
    course_id = str(uuid.uuid4())
    assert importers.detect_version([_course(course_id)]) == (5, None)
    assert importers.detect_version({"programs": []}) == (5, None)
    assert importers.detect_version([{"courseId": course_id, "modesOfDelivery": ["online"]}]) == (6, None)
    # A bare course is the same in both versions: read as v6, as before v5 was known.
    assert importers.detect_version([{"courseId": course_id}]) == (6, None)
    _version, problem = importers.detect_version([{"offeringId": course_id, "courseOfferingId": course_id}])
    assert problem is not None and problem.where == "/"


def test_the_import_page_takes_a_v5_file(provider):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    from levenlang.catalog.models import ImportRun
    from levenlang.core.roles import Role
    from tests.factories import UserFactory

    staff = UserFactory(role=Role.PROVIDER_STAFF)
    provider.staff.add(staff)
    client = Client()
    client.force_login(staff)
    course_id = uuid.uuid4()
    data = json.dumps({"courses": [_course(course_id)], "offerings": [_offering(course_id)]}).encode()
    response = client.post(
        "/en/opleider/import/", {"file": SimpleUploadedFile("rio.json", data), "format": "oeapi"}, follow=True
    )
    assert ImportRun.objects.get().status == ImportRun.Status.SUCCEEDED
    assert "Imported: 1 new and 0 changed modules, 1 new" in response.content.decode()
    assert "OOAPI v5 or OEAPI v6" in client.get("/en/opleider/import/").content.decode()
