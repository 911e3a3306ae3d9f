"""Tests: the same database rule (DATABASE_URL or embedded), a fast password hasher, plain static storage."""

import uuid

from .base import *  # noqa: F403
from .base import DATABASES

DEMO_MODE = True
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Each test run gets its own fresh database, so that two runs on one server never meet.
DATABASES["default"]["TEST"] = {"NAME": f"test_levenlang_{uuid.uuid4().hex[:8]}"}
