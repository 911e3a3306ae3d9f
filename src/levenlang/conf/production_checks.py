"""What the production settings refuse to start without. Each problem names the variable to set and how."""

import os

DEMO_SECRET_KEY = "insecure-demo-key-change-me-in-production-0123456789"  # noqa: S105 (the known demo key)
# Django's own deploy check asks for 50 characters and 5 different ones; a random key easily has 10 different.
SECRET_KEY_MIN_LENGTH = 50
SECRET_KEY_MIN_DISTINCT = 10
OIDC_VARIABLES = [
    "OIDC_RP_CLIENT_ID",
    "OIDC_RP_CLIENT_SECRET",
    "OIDC_OP_AUTHORIZATION_ENDPOINT",
    "OIDC_OP_TOKEN_ENDPOINT",
    "OIDC_OP_USER_ENDPOINT",
    "OIDC_OP_JWKS_ENDPOINT",
]
HOW_TO_MAKE_A_KEY = "for example the output of: python -c 'import secrets; print(secrets.token_urlsafe(50))'"


def secret_key_problem(key: str) -> str | None:
    if not key:
        return f"DJANGO_SECRET_KEY is not set: set it to a long random value ({HOW_TO_MAKE_A_KEY})."
    if key == DEMO_SECRET_KEY or key.startswith(("insecure-", "django-insecure-")):
        return f"DJANGO_SECRET_KEY is the demo key: set it to a long random value ({HOW_TO_MAKE_A_KEY})."
    if len(key) < SECRET_KEY_MIN_LENGTH:
        return (
            f"DJANGO_SECRET_KEY is too short ({len(key)} characters): use at least {SECRET_KEY_MIN_LENGTH} random "
            f"characters ({HOW_TO_MAKE_A_KEY})."
        )
    if len(set(key)) < SECRET_KEY_MIN_DISTINCT:
        return (
            f"DJANGO_SECRET_KEY has only {len(set(key))} different characters: use a random value with at least "
            f"{SECRET_KEY_MIN_DISTINCT} ({HOW_TO_MAKE_A_KEY})."
        )
    return None


def environment_problems(environ=None) -> list[str]:
    """Every reason the production settings cannot start with this environment (none: it can)."""
    environ = os.environ if environ is None else environ
    problems = []
    if problem := secret_key_problem(environ.get("DJANGO_SECRET_KEY", "").strip()):
        problems.append(problem)
    if not environ.get("DATABASE_URL", "").strip():
        problems.append(
            "DATABASE_URL is not set: set it to postgresql://user:password@host:port/name. Production never "
            "starts the embedded PostgreSQL (that is for the demo and development)."
        )
    missing = [name for name in OIDC_VARIABLES if not environ.get(name, "").strip()]
    if missing:
        problems.append(
            f"Login through OpenID Connect is not configured: set {', '.join(missing)} (the platform's client at "
            "the OpenID Connect provider and the provider's endpoints)."
        )
    for name in OIDC_VARIABLES[2:]:
        value = environ.get(name, "").strip()
        if value and not value.startswith("https://"):
            problems.append(f"{name} must be an https:// address, got '{value[:60]}'.")
    return problems
