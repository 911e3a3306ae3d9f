"""Schemathesis against the API as its OpenAPI schema (openapi.yaml, kept equal to the generated one by `make
openapi-check`) describes it: for every operation, anonymous and as a resident, a provider's staff and an employer's
staff, a bounded number of generated requests, valid and invalid. No answer may be a 5xx, and every answer must have a
status code, content type and body the schema documents.

In-process through Django's WSGI application (no server); the logged-in roles send the session cookie of the Django
test client and a CSRF token. Derandomized, so a run in CI is the same run every time."""

from pathlib import Path

import pytest
import schemathesis
import yaml
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client
from hypothesis import HealthCheck, settings

from levenlang.core.roles import Role
from tests.factories import OfferingFactory, ProviderFactory, ResidentFactory, UserFactory

# Generated requests (valid and invalid) per operation and role. Schemathesis' coverage phase (every boundary value of
# every parameter: ~150 requests for one operation) would take 4 roles and ~30 operations past ten minutes on a small
# machine; the boundaries that matter here (bigint, other digits, deep JSON) have their own tests in
# test_api_bad_input.py, so this runs the examples and fuzzing phases only: about 4,800 requests in two minutes.
EXAMPLES_PER_OPERATION = 40
ROLES = ["anonymous", Role.RESIDENT, Role.PROVIDER_STAFF, Role.EMPLOYER_STAFF]

SCHEMA_FILE = Path(__file__).resolve().parents[1] / "openapi.yaml"
schema = schemathesis.openapi.from_dict(yaml.safe_load(SCHEMA_FILE.read_text()))
schema.config.generation.update(max_examples=EXAMPLES_PER_OPERATION, deterministic=True, database="none")
schema.config.phases.update(phases=["examples", "fuzzing"])
APP = get_wsgi_application()
CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_schema_conformance,
]

pytestmark = pytest.mark.django_db


def _session(role) -> dict:
    """Cookies and headers of a logged-in user in `role` (nothing for "anonymous"), with someone to act on."""
    if role == "anonymous":
        return {"cookies": {}, "headers": {}}
    user = ResidentFactory().user if role == Role.RESIDENT else UserFactory(role=role)
    if role == Role.PROVIDER_STAFF:
        provider = ProviderFactory()
        provider.staff.add(user)
        OfferingFactory(module__provider=provider)
    client = Client()
    client.force_login(user)
    token = _get_new_csrf_string()
    cookies = {"sessionid": client.cookies["sessionid"].value, "csrftoken": token}
    return {"cookies": cookies, "headers": {"X-CSRFToken": token, "Idempotency-Key": "fuzz"}}


@pytest.fixture(params=ROLES, ids=lambda r: str(r))
def session(request, db):
    # Django's WSGI handler closes the database connection after each request, as Django's test client keeps it
    # from doing: the test's transaction must outlive the requests.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield _session(request.param)
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_keeps_to_its_schema_and_never_answers_5xx(case, session):
    case.call_and_validate(
        app=APP, cookies=session["cookies"], headers={**session["headers"], **(case.headers or {})}, checks=CHECKS
    )
