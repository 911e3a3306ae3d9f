"""Shared pieces of the REST API (/api/v1/): object permissions through core.permissions, the Idempotency-Key
header of every POST, the resident's own-account check, the NL API Design Rules header that carries the full
version, errors as problem details (RFC 9457) for everything under /api/ (also 404 for unknown addresses, 500 and a
failed CSRF check), strict input (ASCII-digit integers, JSON with a depth limit, bounded paging; see core.parsing),
401 with `WWW-Authenticate` without a session, and the error responses in the schema."""

import json
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from django.conf import settings
from django.http import HttpResponse
from django.utils.translation import gettext as _
from django.views import csrf as django_csrf
from django.views import defaults as django_defaults
from drf_spectacular import authentication as spectacular_authentication
from drf_spectacular import openapi
from drf_spectacular.utils import OpenApiParameter
from rest_framework import exceptions, permissions, serializers
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from levenlang.core.api_input import (
    MAX_PAGE_NUMBER,
    IntegerField,
    JSONParser,
    PageNumberPagination,
    SessionAuthentication,
    page_number,
    page_size,
)
from levenlang.core.errors import DomainError

__all__ = [
    "IDEMPOTENCY_KEY",
    "MAX_PAGE_NUMBER",
    "PROBLEM_JSON",
    "ApiVersionHeaderMiddleware",
    "AutoSchema",
    "IntegerField",
    "JSONParser",
    "PageNumberPagination",
    "SessionAuthentication",
    "bad_request",
    "csrf_failure",
    "exception_handler",
    "get_permitted_object",
    "idempotency_key",
    "is_api_request",
    "own_resident",
    "page_not_found",
    "page_number",
    "page_size",
    "permission_denied",
    "problem",
    "server_error",
]

PROBLEM_JSON = "application/problem+json"

# The header parameter of every POST that changes something, for the OpenAPI schema (extend_schema(parameters=)).
IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key", str, OpenApiParameter.HEADER, required=True, description="A unique key per request."
)


def idempotency_key(request) -> str:
    """The request's Idempotency-Key, made the user's own: the key the services' `idempotent` runs under."""
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key or len(key) > 100:
        raise ValidationError({"Idempotency-Key": _("Send a unique Idempotency-Key header (1 to 100 characters).")})
    # Keys are per user: two users can never collide, nor replay each other's answers.
    return f"api:{request.user.uuid}:{key}"


def own_resident[R](request, resident_of: Callable[[Any], R | None]) -> R:
    """The resident the request's user logs in as, or 403. `resident_of` is the residents app's lookup
    (residents.services.resident_of): core sits below that app, so the caller hands it in."""
    resident = resident_of(request.user)
    if resident is None:
        raise PermissionDenied(_("Only a resident has a Leerrekening."))
    return resident


def get_permitted_object(request, queryset, perm: str, **lookup):
    """The object, or 404 both when it does not exist and when the user may not see it: a refusal must not
    reveal that someone exists."""
    obj = queryset.filter(**lookup).first()
    if obj is None or not request.user.has_perm(perm, obj):
        raise NotFound()
    return obj


class ApiVersionHeaderMiddleware:
    """NL API Design Rules (API-57): every API response carries the full version in `API-Version`."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith("/api/"):
            response["API-Version"] = settings.SPECTACULAR_SETTINGS["VERSION"]
        return response


def _invalid_params(detail, prefix: str = "") -> list[dict]:
    """DRF's validation detail (field → messages, nested) as RFC 9457's "invalid-params": one name and reason each."""
    if isinstance(detail, dict):
        return [
            p
            for name, value in detail.items()
            for p in _invalid_params(value, f"{prefix}{name}" if not prefix else f"{prefix}.{name}")
        ]
    if isinstance(detail, list):
        if all(not isinstance(item, (dict, list)) for item in detail):
            return [{"name": prefix, "reason": str(item)} for item in detail]
        return [
            p for n, item in enumerate(detail) for p in _invalid_params(item, f"{prefix}[{n}]" if prefix else str(n))
        ]
    return [{"name": prefix, "reason": str(detail)}]


def problem(*, status: int, code: str, title, detail, request=None, type_: str = "about:blank", **extra) -> Response:
    """A problem details response (RFC 9457, application/problem+json) with our extension member `code`."""
    body = {
        "type": type_,
        "title": str(title),
        "status": status,
        "detail": str(detail),
        "instance": request.get_full_path() if request is not None else None,
        "code": code,
        **extra,
    }
    return Response(body, status=status, content_type=PROBLEM_JSON)


def exception_handler(exc, context):
    """Every error of the API as problem details (RFC 9457): domain errors (core.errors) with their own type,
    title, status and code; DRF's own (validation, authentication, permission, not found, method, media type,
    throttling) with `about:blank`, the HTTP status phrase as title and DRF's code. Anything else is a 500."""
    request = context.get("request")
    if isinstance(exc, DomainError):
        return problem(
            status=exc.status,
            code=exc.code,
            title=exc.title,
            detail=exc.message,
            request=request,
            type_=exc.problem_type,
        )
    response = drf_exception_handler(exc, context)  # maps Django's Http404 and PermissionDenied, sets headers
    if response is None:
        return None
    status = response.status_code
    if isinstance(exc, exceptions.APIException):
        codes = exc.get_codes()
    else:
        codes = "not_found" if status == 404 else "permission_denied"
    extra: dict[str, Any] = {}
    if isinstance(exc, exceptions.ValidationError):
        code, extra["invalid_params"] = "invalid", _invalid_params(exc.detail)
        detail = " ".join(f"{p['name']}: {p['reason']}" if p["name"] else p["reason"] for p in extra["invalid_params"])
    else:
        code = codes if isinstance(codes, str) else "error"
        detail = response.data.get("detail", "") if isinstance(response.data, dict) else response.data
    problem_response = problem(
        status=status, code=code, title=HTTPStatus(status).phrase, detail=detail, request=request, **extra
    )
    for header, value in response.items():
        if header.lower() not in {"content-type", "content-length"}:
            problem_response[header] = value
    return problem_response


def is_api_request(request) -> bool:
    """Under /api/ every error answers problem details; the site's error pages (portal/errors.py) ask this first."""
    return request.path.startswith("/api/")


def _problem_response(status: int, code: str, detail: str, request) -> HttpResponse:
    """A problem details response outside DRF (Django's own error views), for addresses under /api/."""
    body = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "instance": request.get_full_path(),
        "code": code,
    }
    response = HttpResponse(json.dumps(body), status=status, content_type=PROBLEM_JSON)
    response["API-Version"] = str(settings.SPECTACULAR_SETTINGS["VERSION"])
    return response


def bad_request(request, exception=None):
    """handler400: problem details under /api/ (a request Django could not read), Django's page elsewhere."""
    if is_api_request(request):
        return _problem_response(400, "bad_request", _("The request could not be read."), request)
    return django_defaults.bad_request(request, exception)


def permission_denied(request, exception=None):
    """handler403 for Django's PermissionDenied outside DRF: problem details under /api/, Django's page elsewhere."""
    if is_api_request(request):
        return _problem_response(403, "permission_denied", _("You may not do this."), request)
    return django_defaults.permission_denied(request, exception)


def page_not_found(request, exception=None):
    """handler404: problem details under /api/, the site's own page elsewhere."""
    if is_api_request(request):
        return _problem_response(404, "not_found", _("There is nothing at this address."), request)
    return django_defaults.page_not_found(request, exception)


def server_error(request):
    """handler500: a bug must still answer the API in its own format (and say nothing about the bug)."""
    if is_api_request(request):
        return _problem_response(500, "error", _("Something went wrong on our side; try again later."), request)
    return django_defaults.server_error(request)


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: problem details under /api/, Django's page elsewhere."""
    if is_api_request(request):
        detail = _("The CSRF check failed: %(reason)s") % {"reason": reason}
        return _problem_response(403, "csrf_failed", detail, request)
    return django_csrf.csrf_failure(request, reason)


# --- the schema: the error responses every operation can give ----------------------------------------------------


class ProblemSerializer(serializers.Serializer):
    """Problem details (RFC 9457) with our extension members."""

    type = serializers.CharField()
    title = serializers.CharField()
    status = IntegerField()
    detail = serializers.CharField()
    instance = serializers.CharField(allow_null=True)
    code = serializers.CharField(help_text="What went wrong, for programs: a short fixed word.")
    invalid_params = serializers.ListField(
        child=serializers.DictField(child=serializers.CharField()),
        required=False,
        help_text="Per input: `name` and `reason` (only for 400 on invalid input).",
    )


def _open_to_anyone(view) -> bool:
    return not view.get_authenticators() or all(isinstance(p, permissions.AllowAny) for p in view.get_permissions())


class SessionScheme(spectacular_authentication.SessionScheme):
    """Our session authentication is DRF's with a `WWW-Authenticate` header: the same cookie in the schema."""

    target_class = "levenlang.core.api_input.SessionAuthentication"


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's schema plus the problem details every operation can answer: 400 (bad input), 401 and 403
    (no session, not allowed, CSRF), 404 (unknown or hidden object), 409 and 422 (the domain refuses a change), 415
    (a body that is not JSON or a form)."""

    def _error_statuses(self) -> list[int]:
        statuses = [400, 404]
        if not _open_to_anyone(self.view):
            statuses += [401, 403]
        if self.method in {"POST", "PUT", "PATCH"}:
            statuses += [409, 415, 422]
        return sorted(statuses)

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for status in self._error_statuses():
            if str(status) not in responses:
                responses[str(status)] = self._get_response_for_code(
                    ProblemSerializer, str(status), media_types=[PROBLEM_JSON], direction=direction
                )
                responses[str(status)]["description"] = HTTPStatus(status).phrase
        return responses
