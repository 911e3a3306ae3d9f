"""Which database is used, and the one-line errors when it cannot be used."""

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from levenlang.core.database import _forget_dead_handles, url_of

ROOT = Path(__file__).resolve().parent.parent


def run_manage(*args, env_extra=None, timeout=60):
    env = {**os.environ, "PYTHONWARNINGS": "ignore", **(env_extra or {})}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )


def assert_one_clear_line(result, *phrases):
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    for phrase in phrases:
        assert phrase in lines[0]


@pytest.mark.django_db
def test_dbinfo_names_the_database_given_by_database_url():
    result = run_manage("dbinfo", env_extra={"DATABASE_URL": url_of(settings.DATABASES["default"])})
    assert result.returncode == 0, result.stderr
    assert f"PostgreSQL database '{settings.DATABASES['default']['NAME']}'" in result.stdout
    assert "(DATABASE_URL)" in result.stdout
    assert "server version" in result.stdout


def test_unreachable_database_url_gives_one_line_that_says_what_to_do():
    with socket.socket() as s:  # a port on which surely nobody listens: bound but not listening
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        result = run_manage("dbinfo", env_extra={"DATABASE_URL": f"postgresql://nobody@127.0.0.1:{port}/nothing"})
    assert_one_clear_line(result, "Cannot reach the database", "DATABASE_URL")


def test_database_url_of_another_engine_is_refused_in_one_line():
    result = run_manage("dbinfo", env_extra={"DATABASE_URL": "mysql://root@127.0.0.1/test"})
    assert_one_clear_line(result, "postgresql://", "unset it")


def test_port_already_taken_gives_one_line():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        result = run_manage(
            "rundemo", "--port", str(port), env_extra={"DATABASE_URL": url_of(settings.DATABASES["default"])}
        )
    assert_one_clear_line(result, f"Port {port}", f"PORT={port + 1}")


def test_missing_python_312_gives_one_line():
    env = {"PATH": "/nonexistent", "HOME": "/nonexistent", "PYENV_ROOT": "/nonexistent"}
    result = subprocess.run(["/bin/sh", "scripts/find-python"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert_one_clear_line(result, "Python 3.12", "PYTHON=")


@pytest.mark.django_db
def test_tests_run_in_their_own_fresh_database():
    assert settings.DATABASES["default"]["NAME"].startswith("test_levenlang_")


def test_processes_that_died_without_cleaning_up_do_not_keep_the_embedded_server_alive(tmp_path):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    handles = tmp_path / ".handle_pids.json"
    handles.write_text(json.dumps([os.getpid(), dead.pid]))
    _forget_dead_handles(tmp_path)
    assert json.loads(handles.read_text()) == [os.getpid()]
