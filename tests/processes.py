"""For tests that run other processes against this test run's database (committed data only)."""

import os
from pathlib import Path

from django.conf import settings

import levenlang
from levenlang.core.database import url_of

ROOT = Path(__file__).resolve().parents[1]
SRC = Path(levenlang.__file__).resolve().parents[1]  # the code under test, wherever it was imported from


def child_env() -> dict:
    db = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DATABASE_URL": url_of(db),
        "LEVENLANG_DB_NAME": db["NAME"],
        "DJANGO_SETTINGS_MODULE": "levenlang.conf.settings.dev",
        "PYTHONPATH": os.pathsep.join([str(SRC), str(ROOT)]),
        "PYTHONWARNINGS": "ignore",
        "PYTHONUNBUFFERED": "1",
    }
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return env
