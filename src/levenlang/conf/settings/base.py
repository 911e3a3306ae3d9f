"""Settings shared by every environment. Values come from environment variables (see README, 'Settings')."""

from pathlib import Path

from django.utils.translation import gettext_lazy as _

from levenlang.conf.env import env, env_bool, env_list
from levenlang.conf.production_checks import DEMO_SECRET_KEY
from levenlang.core.database import database_settings

SRC_DIR = Path(__file__).resolve().parents[3]
BASE_DIR = SRC_DIR.parent
VAR_DIR = Path(env("LEVENLANG_VAR_DIR", str(BASE_DIR / "var")))

SECRET_KEY = env("DJANGO_SECRET_KEY", DEMO_SECRET_KEY)
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])

# Demo mode adds the persona picker and the mock DigiD / eHerkenning. Production settings force it off.
DEMO_MODE = env_bool("LEVENLANG_DEMO_MODE", True)
# The personas of the persona picker (demo mode only), as a dotted path: the login code does not import the demo.
LEVENLANG_PERSONAS = "levenlang.demo.personas.PERSONAS"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "procrastinate.contrib.django",
    "rules.apps.AutodiscoverRulesConfig",
    "levenlang.core",
    "levenlang.residents",
    "levenlang.employers",
    "levenlang.catalog",
    "levenlang.ledger",
    "levenlang.enrolment",
    "levenlang.schemes",
    "levenlang.skills",
    "levenlang.accounts",
    "levenlang.portal",
    "levenlang.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "levenlang.core.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "levenlang.core.api.ApiVersionHeaderMiddleware",
]

ROOT_URLCONF = "levenlang.conf.urls"
WSGI_APPLICATION = "levenlang.conf.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "levenlang.portal.context_processors.platform",
                "levenlang.portal.context_processors.navigation",
            ],
        },
    },
]

# Django's form renderer, with the plain inputs and selects written in Python (the same HTML, much faster).
FORM_RENDERER = "levenlang.core.form_renderer.QuickRenderer"

DATABASES = {"default": database_settings(VAR_DIR)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "levenlang.core.permissions.AdministratorAdminBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "portal:home"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Dutch first, English second. Msgids are English; Dutch lives in locale/nl/LC_MESSAGES/django.po.
LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Dutch")), ("en", _("English"))]
LOCALE_PATHS = [SRC_DIR / "levenlang" / "locale"]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_THOUSAND_SEPARATOR = True  # 5.003 inwoners / 5,003 residents
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
# Front-end packages installed from npm, served by Django itself (no CDN).
_NODE = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    ("vendor/utrecht", _NODE / "@utrecht" / "component-library-css" / "dist"),
    ("vendor/voorbeeld", _NODE / "@nl-design-system-unstable" / "voorbeeld-design-tokens" / "dist"),
    ("vendor/htmx", _NODE / "htmx.org" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Content-Security-Policy (core/csp.py): where forms may post; production adds the OpenID Connect provider.
CSP_FORM_ACTION = ["'self'"]

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "levenlang.portal.errors.csrf_failure"  # problem details under /api/, the site's page elsewhere

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "levenlang.core.api.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": ["levenlang.core.api_input.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": [
        "levenlang.core.api_input.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "levenlang.core.api_input.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "levenlang.core.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Levenlang API",
    "DESCRIPTION": "API of Levenlang, the platform for lifelong learning (Leven Lang Ontwikkelen).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "CONTACT": {"name": "Levenlang"},
    "LICENSE": {"name": "EUPL-1.2"},
    "ENUM_NAME_OVERRIDES": {
        "EnrolmentStatusEnum": "levenlang.enrolment.models.Status.choices",
        "SpendingCategoryEnum": "levenlang.ledger.api.CATEGORY_NAMES",
    },
}

# Enrolments (enrolment/services.py): how long a strong login (DigiD substantieel) counts for a payment; the
# Ed25519 key that signs credentials (base64 of the 32-byte private key; without it a key file under VAR_DIR is
# made in demo mode, and credentials cannot be issued outside demo mode) and older public keys (did:key) that
# verification still trusts after a rotation.
ENROLMENT_STRONG_LOGIN_MINUTES = int(env("LEVENLANG_STRONG_LOGIN_MINUTES", "15"))
CREDENTIAL_SIGNING_KEY = env("LEVENLANG_CREDENTIAL_SIGNING_KEY")
CREDENTIAL_TRUSTED_KEYS = env_list("LEVENLANG_CREDENTIAL_TRUSTED_KEYS", [])

# Production login: one OpenID Connect provider (for example a broker that offers DigiD and eHerkenning,
# and the staff identity provider). See levenlang.accounts.oidc.
OIDC_RP_CLIENT_ID = env("OIDC_RP_CLIENT_ID")
OIDC_RP_CLIENT_SECRET = env("OIDC_RP_CLIENT_SECRET")
OIDC_RP_SIGN_ALGO = env("OIDC_RP_SIGN_ALGO", "RS256")
OIDC_OP_AUTHORIZATION_ENDPOINT = env("OIDC_OP_AUTHORIZATION_ENDPOINT")
OIDC_OP_TOKEN_ENDPOINT = env("OIDC_OP_TOKEN_ENDPOINT")
OIDC_OP_USER_ENDPOINT = env("OIDC_OP_USER_ENDPOINT")
OIDC_OP_JWKS_ENDPOINT = env("OIDC_OP_JWKS_ENDPOINT")
OIDC_RP_SCOPES = env("OIDC_RP_SCOPES", "openid email profile")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LEVENLANG_LOG_LEVEL", "WARNING")},
    # An ordinary 403 (PermissionDenied) is one warning line, without the traceback Django attaches to it.
    "filters": {"no_traceback_for_403": {"()": "levenlang.core.logs.NoTracebackForPermissionDenied"}},
    # The nightly reconcile report, one JSON line: the operator keeps it as the anchor of the journal chain.
    "loggers": {
        "levenlang.reconcile": {"level": "INFO"},
        "django.request": {"filters": ["no_traceback_for_403"]},
    },
}
