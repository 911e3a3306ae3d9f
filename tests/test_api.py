"""The API skeleton: /api/v1/, schema, docs without a CDN, version header, resources by UUID."""

import re

import pytest
import yaml
from django.urls import reverse


def test_schema_lists_the_v1_resources_by_uuid(client):
    response = client.get(reverse("api-schema"))
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    assert schema["info"]["version"] == "1.0.0"
    assert "/api/v1/residents/{uuid}/" in schema["paths"]
    assert "/api/v1/me/" in schema["paths"]
    assert response["API-Version"] == "1.0.0"


def test_the_docs_page_loads_its_assets_from_our_own_server(client):
    response = client.get(reverse("api-docs"))
    assert response.status_code == 200
    external = [url for url in re.findall(r'(?:src|href)="([^"]+)"', response.text) if url.startswith("http")]
    assert external == []


@pytest.mark.django_db
def test_me_says_who_is_logged_in(client, resident):
    client.force_login(resident.user)
    data = client.get(reverse("api-me")).json()
    assert data == {
        "uuid": str(resident.user.uuid),
        "username": resident.user.username,
        "display_name": resident.user.display_name,
        "role": "resident",
        "resident": str(resident.uuid),
    }


def _problem(response, status: int, code: str) -> dict:
    assert (response.status_code, response["Content-Type"]) == (status, "application/problem+json")
    body = response.json()
    assert {"type", "title", "status", "detail", "instance", "code"} <= set(body)
    assert (body["status"], body["code"]) == (status, code)
    return body


@pytest.mark.django_db
def test_drf_errors_are_problem_details_too(client, resident):
    body = _problem(client.get(reverse("api-me")), 401, "not_authenticated")  # with WWW-Authenticate: Session
    assert (body["type"], body["title"], body["instance"]) == ("about:blank", "Unauthorized", "/api/v1/me/")
    client.force_login(resident.user)
    _problem(client.post(reverse("api-me")), 405, "method_not_allowed")
    _problem(client.get(reverse("api-resident", args=["00000000-0000-0000-0000-000000000000"])), 404, "not_found")
    unsupported = client.post(reverse("api-leerrekening-preview"), "x", content_type="text/plain")
    _problem(unsupported, 415, "unsupported_media_type")
    invalid = _problem(client.post(reverse("api-leerrekening-preview"), {"price_cents": 0}), 400, "invalid")
    assert {p["name"] for p in invalid["invalid_params"]} == {"category", "price_cents"}
    assert "price_cents" in invalid["detail"]


def test_throttling_is_a_problem_with_its_retry_after_header(rf):
    from rest_framework.exceptions import Throttled

    from levenlang.core.api import exception_handler

    response = exception_handler(Throttled(wait=7), {"request": rf.get("/api/v1/me/")})
    assert (response.status_code, response["Retry-After"], response.data["code"]) == (429, "7", "throttled")
    assert response.data["title"] == "Too Many Requests"


def test_a_domain_error_names_its_kind_in_the_title_and_the_case_in_the_message():
    from django.utils import translation

    from levenlang.core.errors import DomainError
    from levenlang.ledger.errors import NothingToPayWith

    error = NothingToPayWith("None of your pots can pay for %(category)s.", category="x")
    assert isinstance(error, DomainError) and error.problem_type == "urn:levenlang:nothing_to_pay_with"
    assert error.message_in("nl") == error.message_in("en") == "None of your pots can pay for x."
    with translation.override("nl"):
        assert str(error.title) == "Geen potje kan dit betalen"
