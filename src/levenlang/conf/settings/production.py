"""Production: no demo mode, no persona picker, login through OpenID Connect, secure cookies.

The environment is checked before anything else (before base.py, which would start the embedded PostgreSQL
without DATABASE_URL): a weak secret key, a missing database or missing OpenID Connect settings stop the
process with one message that names every variable to set (docs/operations.md)."""

from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from levenlang.conf.env import env, env_bool, env_list
from levenlang.conf.production_checks import environment_problems

_problems = environment_problems()
if _problems:
    raise ImproperlyConfigured(
        "The production settings cannot start:\n- " + "\n- ".join(_problems) + "\n(see docs/operations.md)"
    )

from .base import *  # noqa: E402, F403
from .base import INSTALLED_APPS, OIDC_OP_AUTHORIZATION_ENDPOINT  # noqa: E402

DEBUG = False
DEMO_MODE = False  # never configurable here: the persona picker must not exist in production

INSTALLED_APPS = [*INSTALLED_APPS, "mozilla_django_oidc"]
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "levenlang.core.permissions.AdministratorAdminBackend",
    "levenlang.accounts.oidc.LevenlangOIDCBackend",
]
LOGIN_URL = "oidc_authentication_init"

SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_SSL_REDIRECT = True
SECURE_HSTS_SECONDS = int(env("DJANGO_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Forms may post only to this site, and to the OpenID Connect provider's login page (a form that starts the login
# may be redirected there); LEVENLANG_CSP_FORM_ACTION adds more origins, comma-separated.
CSP_FORM_ACTION = [
    "'self'",
    f"{urlsplit(OIDC_OP_AUTHORIZATION_ENDPOINT).scheme}://{urlsplit(OIDC_OP_AUTHORIZATION_ENDPOINT).netloc}",
    *env_list("LEVENLANG_CSP_FORM_ACTION", []),
]
