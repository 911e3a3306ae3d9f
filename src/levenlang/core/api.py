"""Shared pieces of the REST API (/api/v1/): object permissions through core.permissions, the NL API Design Rules
header that carries the full version, and errors as problem details (RFC 9457)."""

from http import HTTPStatus
from typing import Any

from django.conf import settings
from rest_framework import exceptions
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from levenlang.core.errors import DomainError

__all__ = ["PROBLEM_JSON", "ApiVersionHeaderMiddleware", "exception_handler", "get_permitted_object", "problem"]

PROBLEM_JSON = "application/problem+json"


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
