"""The site's error pages (400, 403, 404, 500 and a failed CSRF check) in the site layout, each with a way back:
home, and the section the person came from. Under /api/ the API's problem details answer instead (core.api).

400 and 500 render without the request's context: no context processors, no session, no database (a 500 may be
the database's own failure), so those two pages show no menu and guess the section from the address alone."""

from urllib.parse import urlsplit

from django.http import HttpResponse
from django.template import loader
from django.utils.http import url_has_allowed_host_and_scheme

from levenlang.core import api
from levenlang.portal.navigation import Navigation, section_link, url_name_of_path

__all__ = ["bad_request", "csrf_failure", "page_not_found", "permission_denied", "server_error"]


def _section_from_path(request) -> dict | None:
    """The section of the requested address in the public menu or any role's menu; for pages without a session."""
    try:
        return section_link(url_name_of_path(request.path))
    except Exception:  # an error page must render whatever broke: then without a way back
        return None


def _way_back(request, nav: Navigation) -> dict | None:
    """The section of the page in the person's menu; else the section of the page they came from (same site)."""
    if nav.section:
        return nav.section
    referer = request.headers.get("referer", "")
    if referer and url_has_allowed_host_and_scheme(referer, {request.get_host()}, request.is_secure()):
        return section_link(url_name_of_path(urlsplit(referer).path), nav.menu)
    return None


def _page(request, template: str, status: int, **context) -> HttpResponse:
    nav = Navigation(request, exact=False)
    body = loader.render_to_string(template, {"nav": nav, "back": _way_back(request, nav), **context}, request)
    return HttpResponse(body, status=status)


def _static_page(request, template: str, status: int) -> HttpResponse:
    body = loader.get_template(template).render({"back": _section_from_path(request)})
    return HttpResponse(body, status=status)


def bad_request(request, exception=None):
    if api.is_api_request(request):
        return api.bad_request(request, exception)
    return _static_page(request, "400.html", 400)


def permission_denied(request, exception=None):
    if api.is_api_request(request):
        return api.permission_denied(request, exception)
    return _page(request, "403.html", 403)


def page_not_found(request, exception=None):
    if api.is_api_request(request):
        return api.page_not_found(request, exception)
    return _page(request, "404.html", 404)


def server_error(request):
    if api.is_api_request(request):
        return api.server_error(request)
    return _static_page(request, "500.html", 500)


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: the form was open too long (or the session changed); go back and send it again."""
    if api.is_api_request(request):
        return api.csrf_failure(request, reason)
    return _page(request, "403_csrf.html", 403)
