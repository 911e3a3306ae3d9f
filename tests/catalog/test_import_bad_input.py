"""Bad input never gives a 500 and an import never hangs: every bad field is reported with where and why, every
figure has a maximum, and any failure inside an import ends the run (failed, with its reason on the page)."""

import json
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from levenlang.catalog import importers, services
from levenlang.catalog.models import ImportRun, Module, Offering
from levenlang.core.roles import Role
from tests.factories import UserFactory

HEADER = (
    "code,title_nl,category,mode_of_delivery,price_eur,capacity,min_age,funded_place_cap,study_load_value,"
    "study_load_unit"
)
NUL_REASON = "This text holds a NUL character (code 0), which cannot be stored. Remove it."


def _csv(*rows: str) -> bytes:
    return ("\n".join([HEADER, *rows]) + "\n").encode()


def _course(course_id, **extra) -> dict:
    return {
        "courseId": str(course_id),
        "primaryCode": {"codeType": "identifier", "code": "C-1"},
        "name": [{"language": "nl-NL", "value": "Veilig werken"}],
        "modesOfDelivery": ["online"],
        "ext": {"levenlang": {"category": "labour_market", "price": "100"}},
        **extra,
    }


def _json(provider, document) -> dict:
    return services.import_catalogue(provider, json.dumps(document).encode(), fmt="oeapi")


@pytest.fixture
def staff_client(provider):
    staff = UserFactory(role=Role.PROVIDER_STAFF)
    provider.staff.add(staff)
    client = Client()
    client.force_login(staff)
    return client


# --- NUL ---------------------------------------------------------------------------------------------------------


def test_a_nul_character_in_an_imported_title_is_a_bad_field_not_a_500(provider):
    course_id = uuid.uuid4()
    report = _json(provider, [_course(course_id, name=[{"language": "nl", "value": "Lassen\x00"}])])
    assert report["problems"] == [{"where": "/0/name/0/value", "reason": NUL_REASON}]
    assert not Module.objects.exists()


def test_a_nul_character_anywhere_in_json_is_reported_at_its_pointer_even_in_a_name(provider):
    course = _course(uuid.uuid4())
    course["primaryCode"]["code"] = "C\x001"
    course["ext"]["levenlang"]["skills"] = ["ok", "we\x00lding"]
    course["ext"]["a/b\x00"] = 1
    report = _json(provider, {"courses": [course]})
    assert {p["where"] for p in report["problems"]} == {
        "/courses/0/primaryCode/code",
        "/courses/0/ext/levenlang/skills/1",
        "/courses/0/ext/a~1b\N{REPLACEMENT CHARACTER}",  # the report itself holds no NUL: jsonb cannot
    }


def test_a_nul_character_in_a_csv_cell_is_a_bad_field(provider):
    report = services.import_catalogue(provider, _csv("A-1,Lassen\x00,study,online,10,,,,,"), fmt="csv")
    assert report["problems"] == [{"where": "row 2, column title_nl", "reason": NUL_REASON}]


def test_a_bad_value_that_holds_a_nul_is_quoted_without_it(provider):
    report = _json(provider, [_course(uuid.uuid4(), modesOfDelivery=["by\x00pigeon"])])
    assert all("\x00" not in p["reason"] and "\x00" not in p["where"] for p in report["problems"])
    assert any("by\N{REPLACEMENT CHARACTER}pigeon" in p["reason"] for p in report["problems"])


# --- numbers: ASCII digits only, a maximum for every figure ------------------------------------------------------


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("capacity", "²"),
        ("min_age", "¹⁸"),
        ("funded_place_cap", "١٢"),  # Arabic-Indic digits: int() would take them
        ("price_eur", "١٢٣"),  # and Decimal() too
        ("price_eur", "Infinity"),
        ("price_eur", "1e999999999"),
        ("study_load_value", "٣"),
        ("study_load_value", "NaN"),
    ],
)
def test_a_csv_number_with_other_than_the_digits_0_to_9_is_a_bad_field(provider, column, value):
    cells = {"price_eur": "10", "capacity": "", "min_age": "", "funded_place_cap": "", "study_load_value": ""}
    cells[column] = value
    row = (
        'A-1,Lassen,study,online,"{price_eur}","{capacity}","{min_age}","{funded_place_cap}","{study_load_value}",hour'
    )
    report = services.import_catalogue(provider, _csv(row.format(**cells)), fmt="csv")
    assert [p["where"] for p in report["problems"]] == [f"row 2, column {column}"]
    assert not Module.objects.exists()


@pytest.mark.parametrize(
    ("column", "value", "reason"),
    [
        ("price_eur", "1000000,01", "€ 1.000.000,01 is too high: the highest allowed is € 1.000.000,00."),
        ("capacity", "100001", "100001 is too high: the highest allowed is 100000."),
        ("min_age", "101", "101 is too high: the highest allowed is 100."),
        ("funded_place_cap", "99999999999", "99999999999 is too high: the highest allowed is 100000."),
        ("study_load_value", "10000,5", "10000.5 is too high: the highest allowed is 10000."),
    ],
)
def test_every_figure_in_a_csv_has_a_maximum(provider, column, value, reason):
    cells = {"price_eur": "10", "capacity": "", "min_age": "", "funded_place_cap": "", "study_load_value": ""}
    cells[column] = value
    row = (
        'A-1,Lassen,study,online,"{price_eur}","{capacity}","{min_age}","{funded_place_cap}","{study_load_value}",hour'
    )
    report = services.import_catalogue(provider, _csv(row.format(**cells)), fmt="csv")
    assert report["problems"] == [{"where": f"row 2, column {column}", "reason": reason}]


def test_the_highest_price_itself_is_accepted(provider):
    report = services.import_catalogue(provider, _csv('A-1,MBA,study,online,"1000000,00",,,,'), fmt="csv")
    assert report["problems"] == [] and Module.objects.get().price_cents == importers.MAX_PRICE_CENTS


def test_every_figure_in_json_has_a_maximum(provider):
    course_id = uuid.uuid4()
    course = _course(course_id, studyLoad=[{"studyLoadUnit": "hour", "value": 10**9}])
    course["ext"]["levenlang"].update(price="2000000", minAge=1000, fundedPlaceCap=10**12, ratingCount=10**10)
    offering = {
        "courseOfferingId": str(uuid.uuid4()),
        "courseId": str(course_id),
        "maxNumberStudents": 10**12,
        "priceInformation": [{"costType": "total_costs", "amount": "99999999999999999999", "currency": "EUR"}],
    }
    report = _json(provider, [course, offering])
    assert {p["where"] for p in report["problems"]} == {
        "/0/studyLoad/0/value",
        "/0/ext/levenlang/price",
        "/0/ext/levenlang/minAge",
        "/0/ext/levenlang/fundedPlaceCap",
        "/0/ext/levenlang/ratingCount",
        "/1/maxNumberStudents",
        "/1/priceInformation",
    }
    assert all("too high" in p["reason"] for p in report["problems"])


@pytest.mark.parametrize(
    "change",
    [
        {"teachingLanguages": {"nl": True}},
        {"teachingLanguages": [5]},
        {"modesOfDelivery": {"online": True}},
        {"studyLoad": [5]},
        {"studyLoad": [{"studyLoadUnit": "hour", "value": "١٦"}]},
        {"ext": {"levenlang": {"category": "study", "price": "1e999999999"}}},
        {"ext": {"levenlang": {"category": "study", "price": 100, "completionRate": "veel"}}},
        {"ext": {"levenlang": {"category": "study", "price": 100, "rating": [4]}}},
    ],
)
def test_a_json_field_of_the_wrong_shape_is_a_bad_field_not_a_500(provider, change):
    report = _json(provider, [_course(uuid.uuid4(), **change)])
    assert report["problems"] and not Module.objects.exists()


def test_a_v6_level_that_is_no_text_is_left_out_like_an_unknown_one(provider):
    report = _json(provider, [_course(uuid.uuid4(), level=["bachelor"])])
    assert report["problems"] == [] and Module.objects.get().level == ""


@pytest.mark.parametrize(
    "change",
    [
        {"priceInformation": 5},
        {"addresses": 5},
        {"teachingLanguages": {"nl": True}},
        {"maxNumberStudents": True},
        {"maxNumberStudents": 1e300},
        {"startDateTime": 20270301},
    ],
)
def test_an_offering_field_of_the_wrong_shape_is_a_bad_field_not_a_500(provider, change):
    course_id = uuid.uuid4()
    offering = {"courseOfferingId": str(uuid.uuid4()), "courseId": str(course_id), **change}
    report = _json(provider, [_course(course_id), offering])
    assert [p["where"].split("/")[1] for p in report["problems"]] == ["1"]
    assert not Offering.objects.exists()


# --- JSON that cannot be read ------------------------------------------------------------------------------------


def test_deeply_nested_json_is_refused_with_a_clear_message_not_a_recursion_error(provider):
    report = services.import_catalogue(provider, b"[" * 100_000, fmt="oeapi")
    assert report["problems"] == [
        {
            "where": "/",
            "reason": "The file cannot be read: The JSON nests more than 64 levels deep. No catalogue or request "
            "needs that; check the file.",
        }
    ]


@pytest.mark.parametrize("data", [b"[" + b"1" * 5000 + b"]", b"[NaN]", b'{"a": 1e999}', b"\xff\xfe{}"])
def test_json_that_python_would_half_read_is_refused_with_a_reason(provider, data):
    report = services.import_catalogue(provider, data, fmt="oeapi")
    assert [p["where"] for p in report["problems"]] == ["/"]
    assert report["problems"][0]["reason"].startswith("The file cannot be read: ")


def test_a_csv_cell_too_long_for_the_reader_is_reported(provider):
    report = services.import_catalogue(provider, _csv("A-1," + "x" * 200_000 + ",study,online,10,,,,,"), fmt="csv")
    assert [p["where"] for p in report["problems"]] == ["row 2"]
    assert "cannot be read" in report["problems"][0]["reason"]


# --- a run always ends -------------------------------------------------------------------------------------------


def _run_worker():
    from procrastinate.contrib.django import app

    worker_app = app.with_connector(app.connector.get_worker_connector())
    worker_app.run_worker(queues=["catalog"], wait=False, install_signal_handlers=False, listen_notify=False)


def _start(provider, data: bytes, fmt: str, filename: str = "aanbod.json") -> ImportRun:
    return services.start_import(
        provider,
        filename=filename,
        data=data,
        fmt=fmt,
        default_category=None,
        publish=False,
        actor=provider.staff.first(),
    )


@pytest.mark.django_db(transaction=True)
def test_a_queued_file_with_a_nul_title_ends_failed_with_the_reason(provider, monkeypatch):
    monkeypatch.setattr(services, "INLINE_IMPORT_BYTES", 10)
    run = _start(
        provider, json.dumps([_course(uuid.uuid4(), name=[{"language": "nl", "value": "A\x00"}])]).encode(), "oeapi"
    )
    assert ImportRun.objects.get(pk=run.pk).status == ImportRun.Status.QUEUED
    _run_worker()
    run.refresh_from_db()
    assert run.status == ImportRun.Status.FAILED and run.content is None and run.finished_at is not None
    assert run.report["problems"] == [{"where": "/0/name/0/value", "reason": NUL_REASON}]


@pytest.mark.django_db(transaction=True)
def test_a_queued_deeply_nested_file_ends_failed_with_the_reason(provider, monkeypatch):
    monkeypatch.setattr(services, "INLINE_IMPORT_BYTES", 10)
    run = _start(provider, b"[" * 100_000, "oeapi")
    _run_worker()
    run.refresh_from_db()
    assert run.status == ImportRun.Status.FAILED and "nests more than 64 levels" in run.report["problems"][0]["reason"]


@pytest.mark.django_db(transaction=True)
def test_an_unforeseen_error_in_a_queued_import_ends_the_run_failed_with_its_reason(provider, monkeypatch):
    def broken_reader(data, *, default_category):
        raise RuntimeError("a bug nobody has found yet")

    # Stands in for any bug in the importer: the run must end, whatever the error is.
    monkeypatch.setattr(services, "INLINE_IMPORT_BYTES", 10)
    monkeypatch.setattr(importers, "read_csv", broken_reader)
    run = _start(provider, b"code,title_nl\nA,B\n", "csv", filename="aanbod.csv")
    _run_worker()
    run.refresh_from_db()
    assert run.status == ImportRun.Status.FAILED and run.content is None
    assert run.report["problems"] == [
        {
            "where": "the whole file",
            "reason": "The import stopped on an unexpected error; nothing was imported. "
            "RuntimeError: a bug nobody has found yet",
        }
    ]


@pytest.mark.django_db(transaction=True)
def test_a_run_that_cannot_be_queued_ends_failed_instead_of_waiting_forever(provider, monkeypatch):
    from levenlang.catalog.tasks import run_catalogue_import

    def no_queue(**kwargs):
        raise ConnectionError("the queue is gone")

    monkeypatch.setattr(services, "INLINE_IMPORT_BYTES", 10)
    monkeypatch.setattr(run_catalogue_import, "defer", no_queue)
    run = _start(provider, b"code,title_nl\nA,B\n", "csv", filename="aanbod.csv")
    run.refresh_from_db()
    assert run.status == ImportRun.Status.FAILED
    assert "could not be put in the queue: ConnectionError: the queue is gone" in run.report["problems"][0]["reason"]


def test_an_unforeseen_error_on_the_page_shows_the_failed_run_with_its_reason(provider, staff_client, monkeypatch):
    def broken_reader(data, *, default_category):
        raise RuntimeError("a bug nobody has found yet")

    monkeypatch.setattr(importers, "read_csv", broken_reader)
    response = staff_client.post(
        "/en/opleider/import/",
        {"file": SimpleUploadedFile("aanbod.csv", b"code\nA\n"), "format": "csv", "default_category": ""},
    )
    run = ImportRun.objects.get()
    assert response.status_code == 302 and run.status == ImportRun.Status.FAILED
    page = staff_client.get(f"/en/opleider/import/{run.uuid}/").content.decode()
    assert "The import stopped on an unexpected error" in page and "a bug nobody has found yet" in page


def test_a_file_name_with_a_nul_is_stored_without_it(provider):
    run = _start(provider, b"[]", "oeapi", filename="aanbod\x00.json")
    assert run.filename == "aanbod\N{REPLACEMENT CHARACTER}.json" and run.status == ImportRun.Status.FAILED


@pytest.mark.parametrize("price", ["Infinity", "1e999999999", "²", "١٢٣"])
def test_a_price_filter_that_is_not_an_amount_does_not_break_the_search_page(db, price):
    response = Client().get("/en/aanbod/", {"max_price": price})
    assert response.status_code < 500
