"""The production settings refuse to start without a strong secret key, a database server and OpenID Connect, and
with everything set `manage.py check --deploy` has nothing to warn about. Each case imports the settings in a new
Python process with its own environment."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
GOOD = {
    "DJANGO_SETTINGS_MODULE": "levenlang.conf.settings.production",
    "DJANGO_SECRET_KEY": "kq3V-7pZr9x_TmW2bLc8NfYh5JdUa0sEgRtQvKo1iXyPnMz4HwBeCuDjAlSoFiGe",
    "DATABASE_URL": "postgresql://levenlang:secret@db.internal:5432/levenlang",
    "DJANGO_ALLOWED_HOSTS": "levenlang.example.org",
    "OIDC_RP_CLIENT_ID": "levenlang",
    "OIDC_RP_CLIENT_SECRET": "client-secret",
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "https://login.example.org/authorize",
    "OIDC_OP_TOKEN_ENDPOINT": "https://login.example.org/token",
    "OIDC_OP_USER_ENDPOINT": "https://login.example.org/userinfo",
    "OIDC_OP_JWKS_ENDPOINT": "https://login.example.org/jwks",
}
LOAD_SETTINGS = "import django; django.setup(); from django.conf import settings; print(settings.CSP_FORM_ACTION)"


def run(args: list[str], **changes) -> subprocess.CompletedProcess:
    keep = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG", "TMPDIR"}}
    environment = {**keep, "PYTHONPATH": str(ROOT / "src"), **GOOD}
    for name, value in changes.items():
        if value is None:
            environment.pop(name, None)
        else:
            environment[name] = value
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120, check=False
    )


def start(**changes) -> subprocess.CompletedProcess:
    return run(["-c", LOAD_SETTINGS], **changes)


def test_the_production_settings_start_with_every_required_setting():
    result = start()
    assert result.returncode == 0, result.stderr
    assert "https://login.example.org" in result.stdout  # the OpenID Connect provider may receive the login form


@pytest.mark.parametrize(
    ("key", "says"),
    [
        (None, "DJANGO_SECRET_KEY is not set"),
        ("insecure-demo-key-change-me-in-production-0123456789", "is the demo key"),
        ("short-but-random-Xq8", "is too short (20 characters)"),
        ("ab" * 40, "has only 2 different characters"),
    ],
)
def test_the_production_settings_refuse_a_weak_secret_key(key, says):
    result = start(DJANGO_SECRET_KEY=key)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert says in result.stderr
    assert "secrets.token_urlsafe" in result.stderr  # and says how to make a good one


def test_the_production_settings_refuse_to_start_without_a_database_url():
    result = start(DATABASE_URL=None)
    assert result.returncode != 0
    assert "DATABASE_URL is not set" in result.stderr
    assert "never starts the embedded PostgreSQL" in result.stderr


def test_the_production_settings_refuse_to_start_without_openid_connect():
    result = start(OIDC_RP_CLIENT_SECRET=None, OIDC_OP_JWKS_ENDPOINT="")
    assert result.returncode != 0
    assert "set OIDC_RP_CLIENT_SECRET, OIDC_OP_JWKS_ENDPOINT" in result.stderr


def test_the_production_settings_name_every_problem_at_once():
    result = start(DJANGO_SECRET_KEY=None, DATABASE_URL=None, OIDC_RP_CLIENT_ID=None)
    assert all(name in result.stderr for name in ["DJANGO_SECRET_KEY", "DATABASE_URL", "OIDC_RP_CLIENT_ID"])


def test_an_openid_connect_endpoint_must_use_https():
    result = start(OIDC_OP_TOKEN_ENDPOINT="http://login.example.org/token")
    assert result.returncode != 0
    assert "OIDC_OP_TOKEN_ENDPOINT must be an https:// address" in result.stderr


def test_check_deploy_with_the_production_settings_gives_no_warnings():
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"])
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout, result.stdout + result.stderr
