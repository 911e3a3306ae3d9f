"""Shared pieces of the REST API (/api/v1/): object permissions through core.permissions, and the
NL API Design Rules header that carries the full version."""

from django.conf import settings
from rest_framework.exceptions import NotFound


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
