"""Import of a provider's catalogue: OEAPI v6 JSON and CSV, all or nothing per file, every bad row reported."""

import json
import uuid

import pytest

from levenlang.catalog import services
from levenlang.catalog.models import ImportRun, Module, Offering
from levenlang.ledger.models import Category
from tests.factories import ModuleFactory, ProviderFactory

HEADER = "code,title_nl,title_en,category,mode_of_delivery,level,self_paced,price_eur,start_date,capacity,postcode"


def _csv(*rows: str) -> bytes:
    return ("\n".join([HEADER, *rows]) + "\n").encode()


GOOD_ROWS = [
    "LAS-1,Lassen voor beginners,Welding for beginners,job_oriented,presential,eqf_2,nee,495.00,2027-02-01,12,7511 AB",
    "LAS-1,Lassen voor beginners,Welding for beginners,job_oriented,presential,eqf_2,nee,495.00,2027-04-01,12,7511 AB",
    'EXCEL-1,Werken met Excel,Working with Excel,general_skills,online,eqf_3,ja,"120,50",,,',
]


def test_a_good_csv_creates_modules_and_offerings(provider):
    report = services.import_catalogue(provider, _csv(*GOOD_ROWS), fmt="csv")
    assert report["problems"] == []
    assert report["created_modules"] == 2 and report["created_offerings"] == 3
    welding = Module.objects.get(provider=provider, code="LAS-1")
    assert welding.category == Category.JOB_ORIENTED and welding.price_cents == 49_500
    assert welding.status == Module.Status.DRAFT and not welding.self_paced
    assert [o.start_date.isoformat() for o in welding.offerings.all()] == ["2027-02-01", "2027-04-01"]
    first = welding.offerings.first()
    assert first.region.code == "twente" and first.latitude is not None  # placed from the postcode
    excel = Module.objects.get(provider=provider, code="EXCEL-1")
    assert excel.self_paced and excel.price_cents == 12_050 and excel.offerings.get().start_date is None


def test_a_csv_with_one_bad_row_changes_nothing_and_reports_that_row(provider):
    bad = "BAD-1,Slechte rij,Bad row,job_oriented,by_pigeon,eqf_2,nee,12.345,2027-02-01,12,"
    report = services.import_catalogue(provider, _csv(*GOOD_ROWS, bad), fmt="csv")
    assert not Module.objects.exists() and not Offering.objects.exists()
    assert report["created_modules"] == 0
    where = {p["where"] for p in report["problems"]}
    assert where == {"row 5, column price_eur", "row 5, column mode_of_delivery"}
    assert any("by_pigeon" in p["reason"] for p in report["problems"])


def test_importing_the_same_csv_again_updates_instead_of_duplicating(provider):
    services.import_catalogue(provider, _csv(*GOOD_ROWS), fmt="csv")
    changed = GOOD_ROWS[2].replace('"120,50"', "99")
    report = services.import_catalogue(provider, _csv(changed), fmt="csv")
    assert report["updated_modules"] == 1 and report["created_modules"] == 0
    assert Module.objects.get(code="EXCEL-1").price_cents == 9_900
    assert Module.objects.count() == 2


def test_a_csv_with_a_missing_column_says_which(provider):
    report = services.import_catalogue(provider, b"code,title_nl\nX,Y\n", fmt="csv")
    assert report["problems"][0]["where"] == "row 1"
    assert "category" in report["problems"][0]["reason"] and "price_eur" in report["problems"][0]["reason"]


def test_a_semicolon_csv_from_dutch_excel_is_read(provider):
    data = "code;title_nl;category;mode_of_delivery;price_eur\nA-1;Solderen;job_oriented;presential;250,00\n"
    report = services.import_catalogue(provider, data.encode(), fmt="csv")
    assert report["problems"] == [] and Module.objects.get().price_cents == 25_000


def _course(course_id, **extra):
    return {
        "courseId": str(course_id),
        "primaryCode": {"codeType": "identifier", "code": f"C-{str(course_id)[:4]}"},
        "name": [{"language": "nl-NL", "value": "Veilig werken"}, {"language": "en-GB", "value": "Working safely"}],
        "description": [{"language": "nl-NL", "value": "Een cursus over veiligheid op de werkvloer."}],
        "modesOfDelivery": ["blended"],
        "studyLoad": [{"studyLoadUnit": "hour", "value": 16}],
        "level": "secondary_vocational_education_3",
        "ext": {"levenlang": {"category": "labour_market", "skills": ["veilig werken"], "minAge": 18}},
        **extra,
    }


def _offering(course_id, **extra):
    return {
        "courseOfferingId": str(uuid.uuid4()),
        "courseId": str(course_id),
        "primaryCode": {"codeType": "offering_code", "code": "2027-VJ"},
        "name": [{"language": "nl-NL", "value": "Voorjaar 2027"}],
        "startDateTime": "2027-03-01T09:00:00+01:00",
        "endDateTime": "2027-03-29T17:00:00+02:00",
        "maxNumberStudents": 16,
        "priceInformation": [{"costType": "total_costs", "amount": "349.99", "currency": "EUR"}],
        "addresses": [{"addressType": "teaching", "street": "Stationsplein", "postCode": "3511 EP", "city": "Utrecht"}],
        **extra,
    }


def test_an_oeapi_bundle_of_courses_and_offerings_is_imported(provider):
    course_id = uuid.uuid4()
    bundle = {"courses": {"pageNumber": 1, "items": [_course(course_id)]}, "courseOfferings": [_offering(course_id)]}
    report = services.import_catalogue(provider, json.dumps(bundle).encode(), fmt="oeapi")
    assert report["problems"] == []
    module = Module.objects.get(uuid=course_id)
    assert (module.title_nl, module.title_en, module.category) == ("Veilig werken", "Working safely", 8)
    assert (module.level, module.mode_of_delivery, module.study_load_unit) == ("eqf_3", "blended", "hour")
    assert module.min_age == 18 and module.skills == ["veilig werken"] and module.price_cents == 34_999
    offering = module.offerings.get()
    assert offering.capacity == 16 and offering.region.code == "midden-utrecht"


def test_an_oeapi_file_with_one_bad_object_changes_nothing_and_points_at_it(provider):
    good, bad = uuid.uuid4(), uuid.uuid4()
    items = [_course(good), _course(bad, modesOfDelivery=["by_pigeon"])]
    offerings = [_offering(good), _offering(bad, priceInformation=[{"costType": "total_costs", "amount": "1,5"}])]
    report = services.import_catalogue(
        provider, json.dumps({"courses": items, "courseOfferings": offerings}).encode(), fmt="oeapi"
    )
    assert not Module.objects.exists()
    assert {p["where"] for p in report["problems"]} == {
        "/courses/1/modesOfDelivery/0",
        "/courseOfferings/1/priceInformation",
    }


def test_a_course_id_of_another_provider_is_refused(provider):
    theirs = ModuleFactory(provider=ProviderFactory())
    report = services.import_catalogue(
        provider, json.dumps([_course(theirs.uuid), _offering(theirs.uuid)]).encode(), fmt="oeapi"
    )
    assert report["problems"][0]["where"] == "/0"
    assert Module.objects.get(pk=theirs.pk).title_nl == theirs.title_nl


def test_publishing_on_import_needs_an_approved_provider(db):
    pending = ProviderFactory(status="pending")
    course_id = uuid.uuid4()
    report = services.import_catalogue(
        pending, json.dumps([_course(course_id), _offering(course_id)]).encode(), fmt="oeapi", publish=True
    )
    assert report["problems"] and not Module.objects.exists()


def test_invalid_json_is_reported(provider):
    report = services.import_catalogue(provider, b"{not json", fmt="oeapi")
    assert report["problems"][0]["where"] == "/" and "JSON" in report["problems"][0]["reason"]


@pytest.mark.django_db(transaction=True)
def test_a_large_file_waits_for_the_worker_and_is_then_imported(provider, settings, monkeypatch):
    from procrastinate.contrib.django import app

    monkeypatch.setattr(services, "INLINE_IMPORT_BYTES", 10)
    run = services.start_import(
        provider,
        filename="big.csv",
        data=_csv(*GOOD_ROWS),
        fmt="csv",
        default_category=None,
        publish=False,
        actor=provider.staff.first(),
    )
    assert ImportRun.objects.get(pk=run.pk).status == ImportRun.Status.QUEUED and not Module.objects.exists()
    worker_app = app.with_connector(app.connector.get_worker_connector())
    worker_app.run_worker(queues=["catalog"], wait=False, install_signal_handlers=False, listen_notify=False)
    run.refresh_from_db()
    assert run.status == ImportRun.Status.SUCCEEDED and run.content is None
    assert Module.objects.filter(provider=provider).count() == 2


def test_the_command_imports_a_good_file_and_refuses_a_bad_one_with_every_row(provider, tmp_path):
    from io import StringIO

    from django.core.management import CommandError, call_command

    good = tmp_path / "aanbod.csv"
    good.write_bytes(_csv(*GOOD_ROWS))
    out = StringIO()
    call_command("import_catalogue", str(good), provider=provider.kvk_number, stdout=out)
    assert "2 new and 0 changed modules, 3 new" in out.getvalue()
    bad = tmp_path / "fout.csv"
    bad.write_bytes(_csv("X,Fout,,study,online,,nee,tien,,,", "Y,Ook fout,,study,per post,,nee,10,,,"))
    err = StringIO()
    with pytest.raises(CommandError, match="2 problem"):
        call_command("import_catalogue", str(bad), provider=provider.kvk_number, stderr=err)
    assert "row 2, column price_eur" in err.getvalue() and "row 3, column mode_of_delivery" in err.getvalue()
    assert Module.objects.count() == 2
    with pytest.raises(CommandError, match="No training provider"):
        call_command("import_catalogue", str(good), provider="99999999")


def test_two_offerings_with_one_code_are_reported_and_nothing_is_written(provider):
    course_id = uuid.uuid4()
    first, second = _offering(course_id), _offering(course_id)  # the same primaryCode "2027-VJ"
    report = services.import_catalogue(provider, json.dumps([_course(course_id), first, second]).encode(), fmt="oeapi")
    assert report["problems"] == [{"where": "/2", "reason": "Another offering of this module already has this code."}]
    assert not Module.objects.exists() and not Offering.objects.exists()


def test_a_figure_out_of_range_is_reported_in_plain_words(provider):
    course_id = uuid.uuid4()
    course = _course(course_id)
    course["ext"]["levenlang"]["completionRate"] = 150
    report = services.import_catalogue(provider, json.dumps([course, _offering(course_id)]).encode(), fmt="oeapi")
    assert report["problems"] == [{"where": "/0", "reason": "The completion rate is a percentage from 0 to 100."}]
    assert not Module.objects.exists()
