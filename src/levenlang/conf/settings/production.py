"""Production: no demo mode, no persona picker, login through OpenID Connect, secure cookies."""

from django.core.exceptions import ImproperlyConfigured

from levenlang.conf.env import env

from .base import *  # noqa: F403
from .base import INSTALLED_APPS, SECRET_KEY

DEBUG = False
DEMO_MODE = False  # never configurable here: the persona picker must not exist in production

if SECRET_KEY.startswith("insecure-"):
    raise ImproperlyConfigured("Set DJANGO_SECRET_KEY to a long random value before running in production.")

INSTALLED_APPS = [*INSTALLED_APPS, "mozilla_django_oidc"]
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "levenlang.accounts.oidc.LevenlangOIDCBackend",
]
LOGIN_URL = "oidc_authentication_init"

SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_SSL_REDIRECT = True
SECURE_HSTS_SECONDS = int(env("DJANGO_HSTS_SECONDS", "31536000"))
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
