"""The rules' pages and API: who may see what (docs/security.md), the navigator's texts in both languages, and a
what-if run from the ministry's form through a real worker to its result."""

import datetime

import pytest
from procrastinate.contrib.django import app
from procrastinate.contrib.django.models import ProcrastinateJob

from levenlang.core.roles import Role
from levenlang.residents.models import Situation
from levenlang.schemes.models import SimulationRun
from tests.factories import ResidentFactory, UserFactory
from tests.roles import audit_of_personal_data


@pytest.fixture
def job_seeker(db):
    return ResidentFactory(birth_date=datetime.date(1990, 6, 15), nlqf_level=2, situation=Situation.JOB_SEEKING)


def test_the_resident_sees_their_schemes_with_reasons_in_dutch_and_english(client, job_seeker):
    client.force_login(job_seeker.user)
    page = client.get("/regelingen/").content.decode()
    assert "Leerrechten" in page and "Je bent jonger dan de AOW-leeftijd." in page
    english = client.get("/en/regelingen/").content.decode()
    assert "Learning rights" in english and "You are below the state pension (AOW) age." in english
    assert not audit_of_personal_data().exists()  # one's own data is not someone else's


def test_a_resident_cannot_see_anothers_schemes_and_an_administrator_can_with_an_audit_line(client, job_seeker):
    other = ResidentFactory()
    client.force_login(other.user)
    assert client.get(f"/beheer/regelingen/{job_seeker.uuid}/").status_code == 404
    assert client.get(f"/api/v1/residents/{job_seeker.uuid}/navigator/").status_code == 404
    admin = UserFactory(role=Role.ADMINISTRATOR)
    client.force_login(admin)
    assert client.get(f"/beheer/regelingen/{job_seeker.uuid}/").status_code == 200
    assert client.get(f"/api/v1/residents/{job_seeker.uuid}/navigator/").status_code == 200
    assert audit_of_personal_data().filter(actor=admin, subject_person=job_seeker.uuid).count() == 2


def test_navigator_api_gives_amounts_in_cents_and_the_reasons(client, job_seeker):
    client.force_login(job_seeker.user)
    body = client.get("/api/v1/navigator/?year=2026", HTTP_ACCEPT_LANGUAGE="en").json()
    rights = next(s for s in body["schemes"] if s["scheme"] == "learning_rights")
    assert rights["eligible"] is True and rights["amount_cents"] == 105_000
    assert {"held": True, "text": "You are below the state pension (AOW) age."} in rights["reasons"]
    bad = client.get("/api/v1/navigator/?year=1999")
    assert bad.status_code == 400 and "2026" in bad.content.decode()


def test_only_a_resident_has_an_own_navigator(client, db):
    client.force_login(UserFactory(role=Role.EMPLOYER_STAFF))
    assert client.get("/api/v1/navigator/").status_code == 403


def test_the_register_is_public(client, db):
    page = client.get("/regelingen/register/").content.decode()
    assert "Leerrechten" in page and "OCW" in page
    schemes = client.get("/api/v1/schemes/").json()
    assert any(s["key"] == "learning_rights" and s["owner"] == "OCW" for s in schemes)


@pytest.mark.parametrize("role", [Role.RESIDENT, Role.EMPLOYER_STAFF, Role.PROVIDER_STAFF, Role.ADVISER])
def test_only_the_ministry_and_administrators_run_what_if(client, db, role):
    client.force_login(UserFactory(role=role))
    assert client.get("/regie/wat-als/").status_code == 403
    assert client.post("/regie/wat-als/", {"year": 2027, "reform": "earlier_mid_career"}).status_code == 403
    assert not SimulationRun.objects.exists()


def test_a_bad_what_if_form_says_what_to_do_and_queues_nothing(client, db):
    client.force_login(UserFactory(role=Role.MINISTRY_ANALYST))
    page = client.post("/regie/wat-als/", {"year": 2027, "reform": "parameter"}).content.decode()
    assert "Choose the number you want to change." in page or "Kies het getal" in page
    assert not SimulationRun.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_what_if_runs_on_the_worker_and_shows_the_result(client):
    for day in range(1, 13):
        ResidentFactory(birth_date=datetime.date(1990, 1, day), nlqf_level=1, situation=Situation.EMPLOYED)
    analyst = UserFactory(role=Role.MINISTRY_ANALYST)
    client.force_login(analyst)
    response = client.post(
        "/regie/wat-als/",
        {
            "year": 2027,
            "reform": "parameter",
            "parameter": "learning_rights.little_public_education.low",
            "value": "400",
        },
    )
    run = SimulationRun.objects.get()
    assert response.status_code == 302 and response.url.endswith(f"/regie/wat-als/{run.uuid}/")
    waiting = client.get(response.url).content.decode()
    assert "<progress" in waiting and 'hx-trigger="every 1s"' in waiting

    worker = app.with_connector(app.connector.get_worker_connector())
    worker.run_worker(queues=["schemes"], wait=False, install_signal_handlers=False, listen_notify=False)
    # Only this run's job counts: other tests may leave jobs in the queue (its tables are not emptied between tests).
    assert ProcrastinateJob.objects.get(task_name__endswith="run_what_if", args__run_id=run.pk).status == "succeeded"

    run.refresh_from_db()
    assert run.status == SimulationRun.Status.DONE and run.progress == 100
    assert run.result["people"] == 12 and run.result["better_off"] == 12
    assert run.result["difference_cents"] == 12 * 10_000
    done = client.get(response.url).content.decode()
    assert "<progress" not in done and "1.200,00" in done  # the difference: 12 people, EUR 100 each


def test_deposit_effect_for_an_employer_above_the_exemption(client, db):
    # EUR 3,000: EUR 2,500 exempt, EUR 200 in the WKR free space, EUR 300 under the 80% final levy (EUR 240).
    query = "kind=employer&amount_cents=300000&yearly_wage_cents=4200000&free_space_cents=20000&year=2026"
    body = client.get(f"/api/v1/deposit-effect/?{query}").json()
    assert body["exempt_cents"] == 250_000 and body["in_free_space_cents"] == 20_000
    assert body["employer_tax_cents"] == 24_000 and body["employer_net_cost_cents"] == 324_000
    assert body["employee_net_benefit_cents"] == 300_000
    page = client.get("/regelingen/storting/?kind=employer&amount=3000&yearly_wage=42000&free_space=200")
    assert "3.240,00" in page.content.decode()


def test_deposit_effect_for_an_own_deposit_is_capped_and_refunds_at_the_first_bracket_rate(client, db):
    body = client.get("/api/v1/deposit-effect/?kind=own&amount_cents=300000&yearly_wage_cents=9000000&year=2026").json()
    # The deduction stops at EUR 2,500 and its rate at 35.75%, even in the top bracket.
    assert body["deduction_cents"] == 250_000 and body["rate_percent"] == 35.75
    assert body["tax_refund_cents"] == 89_375 and body["net_cost_cents"] == 300_000 - 89_375


def test_deposit_effect_refuses_bad_input_with_a_clear_message(client, db):
    response = client.get("/api/v1/deposit-effect/?kind=gift&amount_cents=-5&yearly_wage_cents=1")
    assert response.status_code == 400 and response["Content-Type"] == "application/problem+json"
    assert {"kind", "amount_cents"} <= {param["name"] for param in response.json()["invalid_params"]}
    page = client.get("/regelingen/storting/?kind=own&amount=-5&yearly_wage=x").content.decode()
    assert 'aria-invalid="true"' in page and "error-summary" in page


def test_the_deposit_form_takes_a_dutch_decimal_comma(client, db):
    page = client.get("/regelingen/storting/?kind=own&amount=1000%2C50&yearly_wage=30000").content.decode()
    assert "error-summary" not in page and "1.000,50" in page
