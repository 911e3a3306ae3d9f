import os

import pytest

from levenlang.core import dbroles
from levenlang.core.roles import Role
from tests.factories import ResidentFactory, UserFactory

# Only for the roles the test set-up makes on a test server (never on a server that serves people).
TEST_ROLE_PASSWORD = "levenlang-test-only"


def use_two_roles(settings_dict: dict) -> None:
    """Run the tests as the app role, as production does. The embedded server and DATABASE_OWNER_URL give both
    roles; a DATABASE_URL alone must name a superuser, who makes the two roles on that server (once; they stay)."""
    if dbroles.owner_login(settings_dict):
        return
    import psycopg

    login = {"host": settings_dict["HOST"], "port": settings_dict["PORT"], "user": settings_dict["USER"]}
    login = {key: value for key, value in login.items() if value}
    with psycopg.connect(
        dbname=settings_dict["NAME"], password=settings_dict.get("PASSWORD") or None, autocommit=True, **login
    ) as conn:
        if not conn.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user").fetchone()[0]:
            pytest.exit(
                "The tests run as the platform's app role: give DATABASE_URL a superuser (the test set-up makes the "
                "roles), or set DATABASE_URL to the app role and DATABASE_OWNER_URL to the owner role.",
                returncode=2,
            )
        dbroles.ensure_roles(conn, password=TEST_ROLE_PASSWORD)
    settings_dict.update(USER=dbroles.APP_ROLE, PASSWORD=TEST_ROLE_PASSWORD, LEVENLANG_APP_ROLE=dbroles.APP_ROLE)
    settings_dict["LEVENLANG_OWNER"] = {
        "USER": dbroles.OWNER_ROLE,
        "PASSWORD": TEST_ROLE_PASSWORD,
        "HOST": settings_dict["HOST"],
        "PORT": settings_dict["PORT"],
    }


@pytest.fixture(scope="session")
def django_db_setup(request, django_test_environment, django_db_blocker, django_db_modify_db_settings):
    """pytest-django's set-up, with roles: the owner creates and migrates the test database (the app role gets its
    grants after `migrate`), the tests run as the app role, and the owner drops the database at the end."""
    from django.db import connections
    from django.test.utils import setup_databases, teardown_databases

    use_two_roles(connections["default"].settings_dict)
    with django_db_blocker.unblock(), dbroles.as_owner():
        db_cfg = setup_databases(verbosity=request.config.option.verbose, interactive=False)
    yield
    with django_db_blocker.unblock(), dbroles.as_owner():
        end_leftover_sessions(connections["default"])
        teardown_databases(db_cfg, verbosity=request.config.option.verbose)


def end_leftover_sessions(connection) -> None:
    """A task worker started by a test may leave a pooled connection behind; the test database cannot be dropped
    while it is open. As the owner (granted pg_signal_backend), end the app role's sessions on it."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid() AND usename <> current_user"
        )
    connection.close()


@pytest.fixture
def as_owner(transactional_db):
    """Run the test as the owner role (committed data: a transactional test), for what the app role may not do."""
    with dbroles.as_owner():
        yield


@pytest.fixture
def owner_db():
    """Request before `db`: the test's transaction (rolled back at the end) then runs as the owner role, for tests
    that break the books behind the triggers as only the owner may (`ALTER TABLE … DISABLE TRIGGER USER`)."""
    with dbroles.as_owner():
        yield


def disable_triggers(cursor, tables: list[str]) -> None:
    """As the owner, in the test's transaction: run the deferred checks of what was booked so far (a table with
    pending trigger events cannot be altered), then switch the tables' own triggers off until the rollback."""
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    for table in tables:
        cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")


@pytest.fixture
def owner_cursor(db):
    """A cursor on a second connection that logs in as the owner role, in a transaction rolled back at the end:
    for DDL a test needs (a scratch schema, a changed function) without touching the database for later tests."""
    import psycopg
    from django.db import connection

    settings_dict = connection.settings_dict
    login = {**{key: settings_dict.get(key) for key in ("USER", "PASSWORD", "HOST", "PORT")}}
    login.update(dbroles.owner_login(settings_dict))
    keys = {"host": login["HOST"], "port": login["PORT"], "user": login["USER"], "password": login["PASSWORD"]}
    with psycopg.connect(dbname=settings_dict["NAME"], **{k: v for k, v in keys.items() if v}) as conn:
        with conn.cursor() as cursor:
            yield cursor
        conn.rollback()


@pytest.fixture
def resident(db):
    return ResidentFactory()


@pytest.fixture
def other_resident(db):
    return ResidentFactory(given_name="Bert")


@pytest.fixture
def user_with_role(db):
    """A function that makes a user with the given role: `user_with_role(Role.ADMINISTRATOR)`."""

    def make(role: Role, **kwargs):
        return UserFactory(role=role, **kwargs)

    return make


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """Under mutation testing (`make mutation`) every mutant runs the tests in a new process: they share one
    database of a fixed name, made once and reused (`--reuse-db`), instead of migrating a new one each time."""
    if "MUTANT_UNDER_TEST" in os.environ:
        from django.conf import settings

        settings.DATABASES["default"]["TEST"]["NAME"] = "test_levenlang_mutation"
