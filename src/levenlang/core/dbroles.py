"""The platform's two PostgreSQL roles (README, "Database roles").

- The app role (DATABASE_URL) serves requests and runs the task worker. It owns nothing: it reads and writes the
  rows of the tables, but may not UPDATE or DELETE in the append-only ones (APPEND_ONLY), and cannot TRUNCATE,
  ALTER, DROP, disable a trigger or set session_replication_role (that takes a superuser).
- The owner role (DATABASE_OWNER_URL) owns the database and everything in it. `migrate`, `flush`, the demo
  loader's bulk path and the benchmarks run as the owner; after every `migrate` the app role is (re)granted what
  it needs on every table, sequence and function, and default privileges cover what the owner creates later.

Without DATABASE_OWNER_URL one role does both (a development set-up). The embedded server of `make demo` has
both roles (OWNER_ROLE and APP_ROLE, made by `ensure_roles`); the test suite makes them on its server too.
"""

import contextlib
from collections.abc import Iterator

from django.db import DEFAULT_DB_ALIAS, connections
from psycopg import errors, sql

OWNER_ROLE = "levenlang_owner"
APP_ROLE = "levenlang_app"

# Tables whose rows are history: what the app role is not granted there (the triggers refuse it as well).
APPEND_ONLY = {
    "core_auditevent": "UPDATE, DELETE",
    "enrolment_enrolmentevent": "UPDATE, DELETE",
    "ledger_journal": "UPDATE, DELETE",
    "ledger_leg": "UPDATE, DELETE",
    "ledger_reservationpart": "UPDATE, DELETE",
    "ledger_chain_link": "UPDATE, DELETE",
    "ledger_reservation": "DELETE",  # its status changes once; the pot balances follow by trigger
    "ledger_pot": "DELETE",  # its balances are updated by the triggers, which run as the app role
}

# The keys of a connection's settings that name the role it logs in as.
_LOGIN_KEYS = ("USER", "PASSWORD", "HOST", "PORT")


def owner_login(settings_dict: dict) -> dict:
    """How the owner logs in ({} when one role does both), from DATABASE_OWNER_URL or the embedded server."""
    return settings_dict.get("LEVENLANG_OWNER") or {}


def app_role_name(settings_dict: dict) -> str:
    return settings_dict.get("LEVENLANG_APP_ROLE") or settings_dict.get("USER") or ""


@contextlib.contextmanager
def as_owner(alias: str = DEFAULT_DB_ALIAS, *, in_transaction: str = "refuse") -> Iterator[None]:
    """Run the block on a connection that logs in as the owner role, then go back to the app role.

    The switch closes this thread's connection; connections that other threads open meanwhile log in as the owner
    too (the settings are shared), so switch before starting threads. Inside a transaction there is nothing to
    switch: `in_transaction="stay"` runs the block on the current connection (the tests' transaction, whose role
    decides what may happen), "refuse" raises."""
    connection = connections[alias]
    login = owner_login(connection.settings_dict)
    if not login or all(connection.settings_dict.get(key) == value for key, value in login.items()):
        yield
        return
    if connection.in_atomic_block:
        if in_transaction == "stay":
            yield
            return
        raise RuntimeError("Cannot switch to the database owner role inside a transaction.")
    saved = {key: connection.settings_dict.get(key) for key in _LOGIN_KEYS}
    connection.close()
    connection.settings_dict.update(login)
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.update(saved)


@contextlib.contextmanager
def truncate_allowed(alias: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Let this session empty the tables that hold history (core/sql/refuse_truncate.sql): only the owner role
    gets past the guard, and only while the block runs."""
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT set_config('levenlang.allow_truncate', 'on', false)")
    try:
        yield
    finally:
        connection = connections[alias]
        if connection.connection is not None and not connection.needs_rollback:
            with connection.cursor() as cursor:
                cursor.execute("RESET levenlang.allow_truncate")


def owns_tables(cursor, tables: list[str]) -> bool:
    """Whether the current role may alter these tables (it is, or is a member of, their owner)."""
    cursor.execute(
        "SELECT bool_and(pg_has_role(current_user, relowner, 'USAGE')) FROM pg_class WHERE oid = ANY(%s::regclass[])",
        [tables],
    )
    return bool(cursor.fetchone()[0])


def grant_app_privileges(cursor, app_role: str) -> None:
    """As the owner: give the app role exactly what it needs on everything in the public schema, and the same on
    whatever the owner creates later (default privileges). Safe to repeat; runs after every `migrate`."""
    role = sql.Identifier(app_role)
    statements = [
        "GRANT USAGE ON SCHEMA public TO {role}",
        # REVOKE ALL first: whatever was granted by hand before (TRUNCATE, TRIGGER, REFERENCES, MAINTAIN) goes.
        "REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {role}",
        "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
        "REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {role}",
        "GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}",
        "GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO {role}",
        "ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {role}",
        "ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {role}",
        "ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT EXECUTE ON FUNCTIONS TO {role}",
    ]
    for statement in statements:
        cursor.execute(sql.SQL(statement).format(role=role))
    cursor.execute("SELECT relname FROM pg_class WHERE relname = ANY(%s) AND relkind = 'r'", [list(APPEND_ONLY)])
    for (table,) in cursor.fetchall():
        cursor.execute(
            sql.SQL("REVOKE {} ON {} FROM {}").format(sql.SQL(APPEND_ONLY[table]), sql.Identifier(table), role)
        )


def grant_after_migrate(sender, using: str = DEFAULT_DB_ALIAS, **kwargs) -> None:
    """post_migrate: (re)grant the app role, when `migrate` ran as another role (the owner). `flush` sends the
    signal too, without a plan: the schema did not change then."""
    if "plan" not in kwargs:
        return
    connection = connections[using]
    app_role = app_role_name(connection.settings_dict)
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user, EXISTS (SELECT 1 FROM pg_roles WHERE rolname = %s)", [app_role])
        current, app_role_exists = cursor.fetchone()
        if app_role_exists and current != app_role:
            grant_app_privileges(cursor, app_role)


# --- making the roles (the embedded server, the test suite) ---------------------------------------------------


def ensure_roles(conn, *, password: str | None = None) -> None:
    """As a superuser, on an autocommit psycopg connection: make the owner role (LOGIN CREATEDB, for test
    databases) and the app role (LOGIN, nothing more) when they are missing. Parallel test runs may race here:
    the loser's duplicate is ignored."""
    secret = sql.SQL(" PASSWORD {}").format(sql.Literal(password)) if password else sql.SQL("")
    for role, options in ((OWNER_ROLE, "LOGIN CREATEDB"), (APP_ROLE, "LOGIN")):
        if conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role]).fetchone():
            continue
        with contextlib.suppress(errors.DuplicateObject, errors.UniqueViolation):
            conn.execute(
                sql.SQL("CREATE ROLE {} NOSUPERUSER NOCREATEROLE {}{}").format(
                    sql.Identifier(role), sql.SQL(options), secret
                )
            )
    # The owner may end the app role's sessions (never a superuser's): before dropping a database, or in an incident.
    conn.execute(sql.SQL("GRANT pg_signal_backend TO {}").format(sql.Identifier(OWNER_ROLE)))


# Hand every object in the public schema to the owner role: a database made before there were two roles (var/postgres
# of an earlier `make demo`) has everything owned by the superuser. REASSIGN OWNED BY cannot move a superuser's
# objects (it owns the system catalogues too), so each kind is altered on its own; sequences that belong to a column
# and the row types of tables follow their table; a composite type made on its own is altered as a type.
_HAND_OVER = """
DO $$
DECLARE
    owner oid := {owner}::regrole;
    statement text;
BEGIN
    FOR statement IN
        SELECT format('ALTER %s %s OWNER TO %I',
                      CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
                                     WHEN 'S' THEN 'SEQUENCE' WHEN 'c' THEN 'TYPE' ELSE 'TABLE' END,
                      c.oid::regclass, {owner})
          FROM pg_class c
         WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'c')
           AND c.relowner <> owner
           AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                             AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i'))
        UNION ALL
        SELECT format('ALTER ROUTINE %s OWNER TO %I', p.oid::regprocedure, {owner})
          FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace AND p.proowner <> owner
        UNION ALL
        SELECT format('ALTER %s %s OWNER TO %I', CASE t.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END,
                      t.oid::regtype, {owner})
          FROM pg_type t WHERE t.typnamespace = 'public'::regnamespace AND t.typowner <> owner
           AND t.typtype IN ('e', 'd')
    LOOP
        EXECUTE statement;
    END LOOP;
END $$
"""


def hand_over_to_owner(conn, database: str) -> None:
    """As a superuser, on an autocommit connection to `database`: make the owner role its owner and the owner of
    every object in it (the upgrade of a database made when the superuser owned everything). Quick when there is
    nothing to hand over."""
    if conn.execute(
        "SELECT datdba <> %s::regrole FROM pg_database WHERE datname = %s", [OWNER_ROLE, database]
    ).fetchone()[0]:
        conn.execute(
            sql.SQL("ALTER DATABASE {} OWNER TO {}").format(sql.Identifier(database), sql.Identifier(OWNER_ROLE))
        )
    conn.execute(sql.SQL(_HAND_OVER).format(owner=sql.Literal(OWNER_ROLE)))
