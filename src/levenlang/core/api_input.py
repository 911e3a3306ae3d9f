"""Strict input for the REST API, in a module of its own because DRF's settings name its classes (a module that
imports rest_framework.views cannot be named there): integers only in ASCII digits within bigint, JSON bodies with a
depth limit, bounded page numbers (all through core.parsing), and 401 with `WWW-Authenticate` without a session."""

from rest_framework import authentication, exceptions, pagination, parsers, serializers

from levenlang.core.parsing import ParseError, load_json, parse_int

__all__ = [
    "BIGINT_MAX",
    "BIGINT_MIN",
    "MAX_PAGE_NUMBER",
    "IntegerField",
    "JSONParser",
    "PageNumberPagination",
    "SessionAuthentication",
    "page_number",
    "page_size",
]

# Integers in the API fit PostgreSQL's bigint, whatever the field's own range: nothing larger reaches a query.
BIGINT_MIN, BIGINT_MAX = -(2**63), 2**63 - 1
# No list has anywhere near a million pages; a larger page number is a mistake, not a request for an empty page.
MAX_PAGE_NUMBER = 1_000_000


class IntegerField(serializers.IntegerField):
    """DRF's IntegerField reads with int(), which takes Arabic-Indic digits and numbers of any size: this one takes
    only ASCII digits (or a whole JSON number) within bigint, through core.parsing. Every API serializer uses it."""

    def to_internal_value(self, data):
        if isinstance(data, bool):
            self.fail("invalid")
        try:
            return parse_int(data, minimum=BIGINT_MIN, maximum=BIGINT_MAX)
        except ParseError as exc:
            raise serializers.ValidationError(exc.message, code="invalid") from None


class JSONParser(parsers.JSONParser):
    """JSON request bodies through core.parsing.load_json: a depth limit (a body of 100,000 "[" is a 400, not a
    RecursionError), no NaN or Infinity."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return load_json(stream.read())
        except ParseError as exc:
            raise exceptions.ParseError(exc.message) from None


class SessionAuthentication(authentication.SessionAuthentication):
    """DRF answers 403 without credentials unless the first authentication class names a scheme for the
    `WWW-Authenticate` header; with this one a request without a session gets 401, as HTTP means it."""

    def authenticate_header(self, request):
        return 'Session realm="levenlang"'


def page_number(request, name: str = "page") -> int:
    """The page number asked for in the query (1 when absent): ASCII digits from 1 to MAX_PAGE_NUMBER, else 400."""
    return _query_int(request, name, default=1, maximum=MAX_PAGE_NUMBER)


def page_size(request, name: str, *, default: int, maximum: int) -> int:
    """Items per page asked for in the query: ASCII digits from 1 to `maximum`, else 400."""
    return _query_int(request, name, default=default, maximum=maximum)


def _query_int(request, name: str, *, default: int, maximum: int) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    try:
        return parse_int(raw, minimum=1, maximum=maximum, field=name)
    except ParseError as exc:
        raise exceptions.ValidationError({name: [exc.message]}) from None


class PageNumberPagination(pagination.PageNumberPagination):
    """DRF's page numbers through page_number(): anything but ASCII digits from 1 to MAX_PAGE_NUMBER is a 400."""

    def get_page_number(self, request, paginator):
        return page_number(request, self.page_query_param)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_NUMBER}
        return parameters
