"""The role that serves requests cannot rewrite history (README, "Database roles"; core/dbroles.py).

The tests run as the platform's app role, as production does (tests/conftest.py): raw SQL through the app's own
connection tries what a stolen app login or a bug could try, and the database refuses it. The owner role can still
migrate, and meets the TRUNCATE guard too unless it asks on purpose."""

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from levenlang.core import dbroles
from levenlang.core.models import AuditEvent
from tests.factories import UserFactory

LEDGER_TABLES = [
    "ledger_systemaccount",
    "ledger_leerrekening",
    "ledger_pot",
    "ledger_journal",
    "ledger_leg",
    "ledger_reservation",
    "ledger_reservationpart",
    "ledger_cap",
    "ledger_command",
    "ledger_allocationchunk",
    "ledger_ownpayment",
]
GUARDED_TABLES = [*LEDGER_TABLES, "core_auditevent", "enrolment_enrolmentevent"]


def run(statement: str, params=None) -> list:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall() if cursor.description else []


def refused(statement: str, match: str) -> None:
    """The statement fails with `match`, in a savepoint, and the test goes on."""
    with pytest.raises(DatabaseError, match=match), transaction.atomic():
        run(statement)


def app_role() -> str:
    return dbroles.app_role_name(connection.settings_dict)


# --- the app role ----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_platform_runs_as_the_app_role_which_is_not_a_superuser_and_owns_nothing():
    [(user, superuser, create_role, create_db, bypass_rls)] = run(
        "SELECT current_user, rolsuper, rolcreaterole, rolcreatedb, rolbypassrls FROM pg_roles "
        "WHERE rolname = current_user"
    )
    assert user == app_role() == dbroles.APP_ROLE
    assert not (superuser or create_role or create_db or bypass_rls)
    assert run(
        "SELECT (SELECT count(*) FROM pg_class WHERE relowner = current_user::regrole),"
        "       (SELECT count(*) FROM pg_proc WHERE proowner = current_user::regrole),"
        "       (SELECT count(*) FROM pg_type WHERE typowner = current_user::regrole),"
        "       (SELECT count(*) FROM pg_namespace WHERE nspowner = current_user::regrole),"
        "       (SELECT count(*) FROM pg_database WHERE datdba = current_user::regrole)"
    ) == [(0, 0, 0, 0, 0)]
    # Nor can it become a role that owns something.
    [(owner,)] = run("SELECT relowner::regrole::text FROM pg_class WHERE oid = 'ledger_journal'::regclass")
    assert run("SELECT pg_has_role(current_user, %s, 'MEMBER')", [owner]) == [(False,)]


@pytest.mark.django_db
@pytest.mark.parametrize("table", GUARDED_TABLES)
def test_truncate_of_a_table_that_holds_history_is_refused(table):
    refused(f"TRUNCATE {table}", f"permission denied for table {table}")
    refused(f"TRUNCATE {table} CASCADE", "permission denied for table")
    # The setting that lets the owner through does nothing for the app role.
    with pytest.raises(DatabaseError, match="permission denied for table"), transaction.atomic():
        run("SET LOCAL levenlang.allow_truncate = on")
        run(f"TRUNCATE {table} CASCADE")


@pytest.mark.django_db
def test_the_app_role_cannot_truncate_or_put_triggers_on_any_table():
    granted = run(
        "SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'p') "
        "AND (has_table_privilege(current_user, oid, 'TRUNCATE') OR has_table_privilege(current_user, oid, 'TRIGGER')"
        "     OR has_table_privilege(current_user, oid, 'REFERENCES'))"
    )
    assert granted == []


@pytest.mark.django_db
def test_disabling_a_trigger_is_refused():
    refused("ALTER TABLE ledger_leg DISABLE TRIGGER ledger_leg_append_only", "must be owner of table ledger_leg")
    refused("ALTER TABLE ledger_journal DISABLE TRIGGER ALL", "must be owner of table ledger_journal")
    refused("ALTER TABLE core_auditevent DISABLE TRIGGER USER", "must be owner of table core_auditevent")
    refused("DROP TRIGGER ledger_leg_append_only ON ledger_leg", "must be owner of (table|relation) ledger_leg")


@pytest.mark.django_db
def test_session_replication_role_replica_is_refused():
    # `replica` would silence every trigger of the session: the ledger's invariants with them.
    refused("SET session_replication_role = replica", 'permission denied to set parameter "session_replication_role"')
    refused("SET LOCAL session_replication_role = replica", "permission denied to set parameter")
    assert run("SHOW session_replication_role") == [("origin",)]


@pytest.mark.django_db
def test_dropping_or_altering_a_table_or_function_is_refused():
    refused("DROP TABLE ledger_journal CASCADE", "must be owner of table ledger_journal")
    refused("ALTER TABLE ledger_leg ADD COLUMN note text", "must be owner of table ledger_leg")
    refused("ALTER TABLE ledger_pot DROP CONSTRAINT pot_never_below_zero", "must be owner of table ledger_pot")
    refused("ALTER TABLE core_auditevent RENAME TO old_audit", "must be owner of table core_auditevent")
    refused("ALTER TABLE ledger_journal OWNER TO CURRENT_USER", "must be owner of table ledger_journal")
    refused("DROP FUNCTION refuse_truncate() CASCADE", "must be owner of function refuse_truncate")
    refused(
        "CREATE OR REPLACE FUNCTION refuse_truncate() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$",
        "permission denied for schema public",
    )
    refused("CREATE TABLE ledger_shadow (id int)", "permission denied for schema public")


@pytest.mark.django_db
@pytest.mark.parametrize(("table", "privileges"), sorted(dbroles.APPEND_ONLY.items()))
def test_the_app_role_may_not_update_or_delete_history(table, privileges):
    for privilege in ("SELECT", "INSERT", "UPDATE", "DELETE"):
        may = run("SELECT has_table_privilege(current_user, %s, %s)", [table, privilege])[0][0]
        assert may == (privilege not in privileges), (table, privilege)
    if "DELETE" in privileges:
        refused(f"DELETE FROM {table}", f"permission denied for table {table}")  # noqa: S608
    if "UPDATE" in privileges:
        (column,) = run("SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum = 1", [table])[0]
        refused(f"UPDATE {table} SET {column} = {column}", f"permission denied for table {table}")  # noqa: S608


@pytest.mark.django_db
def test_the_app_role_may_use_the_other_tables_their_sequences_and_the_functions():
    [(tables, sequences, functions)] = run(
        """SELECT (SELECT array_agg(relname) FROM pg_class WHERE relnamespace = 'public'::regnamespace
                     AND relkind = 'r' AND NOT (has_table_privilege(oid, 'SELECT')
                     AND has_table_privilege(oid, 'INSERT') AND (relname = ANY(%s)
                     OR has_table_privilege(oid, 'UPDATE') AND has_table_privilege(oid, 'DELETE')))),
                  (SELECT array_agg(relname) FROM pg_class WHERE relnamespace = 'public'::regnamespace
                     AND CASE WHEN relkind = 'S' THEN NOT has_sequence_privilege(oid, 'USAGE') END),
                  (SELECT array_agg(proname) FROM pg_proc WHERE pronamespace = 'public'::regnamespace
                     AND NOT has_function_privilege(oid, 'EXECUTE'))""",
        [list(dbroles.APPEND_ONLY)],
    )
    assert (tables, sequences, functions) == (None, None, None)


# --- the owner role ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("table", GUARDED_TABLES)
def test_the_owner_meets_the_truncate_guard_unless_it_asks_on_purpose(as_owner, table):
    assert run("SELECT current_user")[0][0] != app_role()
    refused(f"TRUNCATE {table} CASCADE", f"{table} holds history: TRUNCATE is refused")
    with transaction.atomic():
        run("SET LOCAL levenlang.allow_truncate = on")
        run(f"TRUNCATE {table} CASCADE")
    # The permission ended with the transaction.
    refused(f"TRUNCATE {table} CASCADE", "holds history: TRUNCATE is refused")


@pytest.mark.django_db(transaction=True)
def test_the_setting_does_not_let_a_role_that_does_not_own_the_table_through():
    """Were the app role ever granted TRUNCATE by mistake, the guard still stops it: it checks the role too."""
    table = "core_auditevent"
    with dbroles.as_owner():
        run(f"GRANT TRUNCATE ON {table} TO {app_role()}")
    try:
        with pytest.raises(DatabaseError, match=f"{table} holds history: TRUNCATE is refused"), transaction.atomic():
            run("SET LOCAL levenlang.allow_truncate = on")
            run(f"TRUNCATE {table}")
    finally:
        with dbroles.as_owner():
            run(f"REVOKE TRUNCATE ON {table} FROM {app_role()}")


def test_the_audit_log_trigger_refuses_the_owner_too(as_owner):
    """The append-only triggers stay for the owner (the ledger's: tests/ledger/test_database_refuses.py)."""
    AuditEvent.objects.create(actor=UserFactory(), action="view_personal_data", reason="x")
    refused("UPDATE core_auditevent SET reason = 'changed'", "the audit log is append-only: UPDATE is not allowed")
    refused("DELETE FROM core_auditevent", "the audit log is append-only: DELETE is not allowed")


@pytest.mark.django_db(transaction=True)
def test_the_owner_can_migrate_and_the_app_role_can_use_new_tables_at_once():
    guard = "SELECT count(*) FROM pg_trigger WHERE tgname = 'ledger_journal_refuse_truncate'"
    call_command("migrate", "ledger", "0004", verbosity=0)  # as the owner: `migrate` switches by itself
    assert run(guard) == [(0,)]
    call_command("migrate", verbosity=0)
    assert run(guard) == [(1,)]
    # A table the owner makes later is usable by the app role at once (default privileges)...
    with dbroles.as_owner():
        run("CREATE TABLE roles_test_later (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, note text)")
        run(f"REVOKE SELECT ON ledger_pot FROM {app_role()}")  # noqa: S608 (and a privilege that went missing...)
    try:
        assert run("INSERT INTO roles_test_later (note) VALUES ('x') RETURNING id") == [(1,)]
        refused("SELECT 1 FROM ledger_pot", "permission denied for table ledger_pot")
        call_command("migrate", verbosity=0)  # ...comes back with the next migrate
        assert run("SELECT count(*) FROM ledger_pot") == [(0,)]
    finally:
        with dbroles.as_owner():
            run("DROP TABLE roles_test_later")


# --- settings ---------------------------------------------------------------------------------------------------


def test_database_owner_url_gives_the_owner_login_for_the_same_database(monkeypatch, tmp_path):
    from levenlang.core.database import DatabaseConfigError, database_settings

    monkeypatch.delenv("LEVENLANG_DB_NAME", raising=False)
    monkeypatch.setenv("DATABASE_URL", "postgresql://app:a@db.example:5432/levenlang")
    monkeypatch.setenv("DATABASE_OWNER_URL", "postgresql://owner:o@db.example:5432/levenlang")
    config = database_settings(tmp_path)
    assert (config["USER"], config["PASSWORD"], config["LEVENLANG_APP_ROLE"]) == ("app", "a", "app")
    assert config["LEVENLANG_OWNER"] == {"USER": "owner", "PASSWORD": "o", "HOST": "db.example", "PORT": 5432}

    monkeypatch.setenv("DATABASE_OWNER_URL", "postgresql://owner:o@db.example:5432/another")
    with pytest.raises(DatabaseConfigError, match="both must name the same database"):
        database_settings(tmp_path)
    monkeypatch.delenv("DATABASE_URL")
    with pytest.raises(DatabaseConfigError, match="DATABASE_OWNER_URL is set but DATABASE_URL is not"):
        database_settings(tmp_path)
