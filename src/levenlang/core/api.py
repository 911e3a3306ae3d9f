"""Shared pieces of the REST API (/api/v1/): object permissions through core.permissions, and the
NL API Design Rules header that carries the full version."""

from django.conf import settings
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


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


def exception_handler(exc, context):
    """Domain errors (they carry a `status` and a `code`) become problem details (RFC 9457), like DRF's own."""
    from levenlang.ledger.errors import LedgerError

    if isinstance(exc, LedgerError):
        return Response(
            {"type": f"urn:levenlang:{exc.code}", "title": exc.message, "status": exc.status, "code": exc.code},
            status=exc.status,
            content_type="application/problem+json",
        )
    return drf_exception_handler(exc, context)
