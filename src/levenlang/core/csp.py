"""Content-Security-Policy on every response (Django 5.2 has none built in; Django 6 does). Scripts and style
sheets come only from this site: no inline <script>, no style="" attribute, no <style> element (htmx's own
indicator styles are switched off in base.html). Nothing may frame the site, no plugins, forms post only here and
to the OpenID Connect provider (CSP_FORM_ACTION, set by the production settings)."""

from django.conf import settings


def policy() -> str:
    form_action = getattr(settings, "CSP_FORM_ACTION", None) or ["'self'"]
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],  # the favicon and the design system's check marks are data: URLs
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": form_action,
        "frame-ancestors": ["'none'"],
    }
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in directives.items())


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.header = policy()

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.header)
        return response
