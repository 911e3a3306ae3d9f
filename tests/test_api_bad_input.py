"""Bad input to the API gets a clear 4xx in problem details (RFC 9457), never a 500: page numbers beyond bigint,
integers in other digits than 0-9, JSON nested 100,000 levels deep; and every error under /api/ (401 without a
session, unknown address, wrong method, CSRF failure, a bug) answers problem+json too."""

import json
import re
from pathlib import Path

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from levenlang.core import api
from levenlang.core.roles import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

DEEP = "[" * 100_000 + "]" * 100_000
BEYOND_BIGINT = "99999999999999999999"


def problem(response, status: int) -> dict:
    assert (response.status_code, response["Content-Type"]) == (status, "application/problem+json"), response.content[
        :300
    ]
    body = response.json()
    assert body["status"] == status and {"type", "title", "detail", "code"} <= set(body)
    return body


@pytest.mark.parametrize("name", ["pageNumber", "pageSize"])
@pytest.mark.parametrize("value", [BEYOND_BIGINT, "\u0661", "²", "Infinity", "1e3", "0", "-1"])
def test_oeapi_paging_beyond_bigint_or_in_other_digits_is_a_400(client, name, value):
    body = problem(client.get(f"/api/v1/oeapi/courses?{name}={value}"), 400)
    assert body["invalid_params"][0]["name"] == name


def test_oeapi_paging_in_ascii_digits_still_works(client):
    assert client.get("/api/v1/oeapi/courses?pageNumber=2&pageSize=250").json()["pageNumber"] == 2


@pytest.mark.parametrize("value", [BEYOND_BIGINT, "\u0661", "Infinity"])
def test_drf_page_numbers_are_ascii_digits_within_bounds(client, resident, value):
    client.force_login(resident.user)
    problem(client.get(f"/api/v1/enrolments/?page={value}"), 400)


@pytest.mark.parametrize("value", ["²", "¹⁸", "\u0661\u0662\u0663", "2026.5", BEYOND_BIGINT])
def test_the_navigators_year_takes_only_ascii_digits(client, resident, value):
    client.force_login(resident.user)
    body = problem(client.get(f"/api/v1/navigator/?year={value}"), 400)
    assert "2026" in body["detail"]


def test_a_json_body_nested_100000_levels_deep_is_a_400(client, resident):
    client.force_login(resident.user)
    response = client.post(reverse("api-leerrekening-preview"), DEEP, content_type="application/json")
    assert "64" in problem(response, 400)["detail"]
    anonymous = Client().post(reverse("api-credential-verify"), DEEP, content_type="application/json")
    problem(anonymous, 400)


def test_a_credential_nested_100000_levels_deep_is_not_valid_and_no_500(client):
    response = client.post(
        reverse("api-credential-verify"), json.dumps({"credential": DEEP}), content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["valid"] is False
    page = client.post(reverse("enrolment:verify"), {"credential": DEEP})
    assert page.status_code == 200


def test_json_bodies_refuse_nan_and_infinity(client, resident):
    client.force_login(resident.user)
    body = '{"price_cents": Infinity, "category": "job_oriented"}'
    problem(client.post(reverse("api-leerrekening-preview"), body, content_type="application/json"), 400)


@pytest.mark.parametrize("value", ["\u0661\u0662\u0663", "¹⁸", 2**63, str(2**63), "12.5", True, "1e3"])
def test_integers_in_api_bodies_are_ascii_digits_within_bigint(client, resident, value):
    client.force_login(resident.user)
    body = {"price_cents": value, "category": "job_oriented"}
    response = client.post(reverse("api-leerrekening-preview"), body, content_type="application/json")
    assert problem(response, 400)["invalid_params"][0]["name"] == "price_cents"


def test_without_a_session_the_api_answers_401_with_www_authenticate(client):
    response = client.get(reverse("api-me"))
    body = problem(response, 401)
    assert body["code"] == "not_authenticated"
    assert response["WWW-Authenticate"].startswith("Session")


def test_an_unknown_address_under_api_is_a_problem_404(client):
    assert problem(client.get("/api/v1/no-such-thing/"), 404)["code"] == "not_found"
    assert client.get("/no-such-page/")["Content-Type"].startswith("text/html")


def test_a_wrong_method_is_a_problem_405(client, resident):
    client.force_login(resident.user)
    problem(client.delete(reverse("api-me")), 405)


def test_a_csrf_failure_on_the_api_is_a_problem_403(resident):
    client = Client(enforce_csrf_checks=True)
    client.force_login(resident.user)
    response = client.post(
        reverse("api-own-deposits"),
        {"amount_cents": 100},
        content_type="application/json",
        headers={"Idempotency-Key": "c"},
    )
    assert "CSRF" in problem(response, 403)["detail"]
    request = RequestFactory().post("/api/v1/own-deposits/")
    assert api.csrf_failure(request, "no token")["Content-Type"] == "application/problem+json"


def test_a_bug_under_api_still_answers_problem_details_without_saying_what_went_wrong():
    response = api.server_error(RequestFactory().get("/api/v1/me/"))
    body = json.loads(response.content)
    assert (response.status_code, response["Content-Type"], body["status"]) == (500, "application/problem+json", 500)
    assert "Traceback" not in body["detail"]
    assert api.server_error(RequestFactory().get("/"))["Content-Type"].startswith("text/html")


@pytest.mark.parametrize("role", [Role.RESIDENT, Role.EMPLOYER_STAFF, Role.PROVIDER_STAFF])
def test_refusals_for_logged_in_users_stay_403(client, role):
    client.force_login(UserFactory(role=role))
    response = client.get("/api/v1/residents/00000000-0000-0000-0000-000000000000/navigator/")
    assert response.status_code in {403, 404} and response["Content-Type"] == "application/problem+json"


def test_every_api_serializer_reads_integers_with_the_strict_field():
    """DRF's own IntegerField (int()) takes Arabic-Indic digits and numbers beyond bigint; core.api's does not."""
    source = Path(api.__file__).parents[1]
    offenders = [
        str(path.relative_to(source))
        for path in source.rglob("*.py")
        if re.search(r"serializers\.(IntegerField|DecimalField)\(", path.read_text())
    ]
    assert offenders == []


def test_the_schema_documents_the_problem_responses(client):
    import yaml

    schema = yaml.safe_load(client.get(reverse("api-schema")).content)
    deposits = schema["paths"]["/api/v1/deposits/"]["post"]["responses"]
    assert {"400", "401", "403", "404", "409", "422"} <= set(deposits)
    assert "application/problem+json" in deposits["400"]["content"]
