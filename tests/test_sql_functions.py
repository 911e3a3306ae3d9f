"""Our database functions are their files (src/levenlang/<app>/sql/<name>.sql): after the migrations each function in
the database is defined exactly as its file, every function of ours has a file, and the last migration that loads a
file loads it as it is now. See docs/database-functions.md."""

import dataclasses

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from levenlang.core.sql import (
    LoadSqlFunction,
    SqlFunction,
    SqlFunctionPlaceholder,
    normalised,
    sql_function,
    sql_functions,
)

SCRATCH = "sql_files_as_written"


def drifted(cursor, functions: list[SqlFunction]) -> list[str]:
    """The functions whose definition in the database is not that of their file (whitespace aside).

    Each file is run in a scratch schema and PostgreSQL's own rendering of both definitions is compared, so that the
    signature, language, volatility and body all count, whatever the spelling (varchar or character varying)."""
    cursor.execute(f"CREATE SCHEMA {SCRATCH}")
    cursor.execute(f"SET LOCAL search_path TO {SCRATCH}, public")
    for function in functions:
        cursor.execute(function.text)
    cursor.execute(
        """
        SELECT n.nspname, p.proname, pg_get_functiondef(p.oid)
          FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
         WHERE n.nspname IN ('public', %s) AND p.proname = ANY(%s)
        """,
        [SCRATCH, [function.name for function in functions]],
    )
    definitions: dict[tuple[str, str], str] = {}
    for schema, name, definition in cursor.fetchall():
        definitions[schema, name] = normalised(definition.replace(f"{SCRATCH}.", "public.", 1))
    cursor.execute(f"DROP SCHEMA {SCRATCH} CASCADE")
    cursor.execute("SET LOCAL search_path TO DEFAULT")
    return [
        function.name
        for function in functions
        if definitions.get(("public", function.name)) != definitions[SCRATCH, function.name]
    ]


def last_loads() -> dict[tuple[str, str], tuple[str, LoadSqlFunction | SqlFunctionPlaceholder]]:
    """For each (app, function): the last migration, in the order `migrate` applies them, that loads it or creates a
    placeholder for it, and that operation."""
    graph = MigrationLoader(None, ignore_no_migrations=True).graph
    plan: list[tuple[str, str]] = []
    for leaf in sorted(graph.leaf_nodes()):
        plan += [key for key in graph.forwards_plan(leaf) if key not in plan]
    last = {}
    for key in plan:
        for operation in graph.nodes[key].operations:
            if isinstance(operation, LoadSqlFunction | SqlFunctionPlaceholder):
                last[operation.app, operation.name] = (".".join(key), operation)
    return last


def unmigrated(functions: list[SqlFunction]) -> list[str]:
    """The files that their last migration did not load as they are now, each with what to do about it."""
    loads = last_loads()
    problems = []
    for function in functions:
        migration, operation = loads.get((function.app, function.name), ("no migration", None))
        if not isinstance(operation, LoadSqlFunction) or operation.checksum != function.checksum:
            problems.append(
                f"{function.path.name}: the last migration to load it ({migration}) does not load this version; "
                f'add one with LoadSqlFunction("{function.app}", "{function.name}", "{function.checksum}"'
                f"{', replaces=...' if operation else ''})"
            )
    return problems


def test_each_file_holds_one_definition_of_its_function_after_a_comment_saying_why():
    functions = sql_functions()  # parsing refuses a file with anything else
    assert len(functions) >= 12
    for function in functions:
        assert function.text.startswith("-- "), f"{function.path}: begin with a comment on what it enforces and why"


def test_after_the_migrations_every_function_in_the_database_is_defined_as_its_file(owner_cursor):
    assert drifted(owner_cursor, sql_functions()) == []


@pytest.mark.django_db
def test_every_function_of_ours_in_the_database_has_a_file():
    with connection.cursor() as cursor:
        # Ours: plpgsql and sql functions in public, except those of extensions and of the task queue (procrastinate).
        cursor.execute(
            """
            SELECT p.proname
              FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
             WHERE p.pronamespace = 'public'::regnamespace AND l.lanname IN ('plpgsql', 'sql')
               AND p.proname NOT LIKE 'procrastinate\\_%'
               AND NOT EXISTS (SELECT 1 FROM pg_depend d
                                WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
             ORDER BY 1
            """
        )
        in_database = [name for (name,) in cursor.fetchall()]
    assert in_database == sorted(function.name for function in sql_functions())


def test_the_last_migration_to_load_each_function_loads_its_file_as_it_is_now():
    assert unmigrated(sql_functions()) == []


# --- the checks above notice drift -------------------------------------------------------------------------------


def test_a_function_changed_in_the_database_but_not_in_its_file_is_noticed(owner_cursor):
    function = sql_function("enrolment", "enrolment_event_append_only")
    owner_cursor.execute(function.text.replace("is refused", "is not allowed"))
    assert drifted(owner_cursor, [function]) == ["enrolment_event_append_only"]


def test_a_function_whose_volatility_changed_in_the_database_is_noticed(owner_cursor):
    function = sql_function("catalog", "catalog_search_text")
    owner_cursor.execute("ALTER FUNCTION catalog_search_text(varchar[]) STABLE")
    assert drifted(owner_cursor, [function]) == ["catalog_search_text"]


def test_a_file_changed_without_a_migration_is_noticed():
    function = sql_function("ledger", "ledger_append_only")
    edited = dataclasses.replace(function, statement=function.statement.replace("is append-only", "may not change"))
    assert unmigrated([function]) == []
    [problem] = unmigrated([edited])
    assert f'LoadSqlFunction("ledger", "ledger_append_only", "{edited.checksum}", replaces=...)' in problem


def test_a_comment_or_new_layout_is_not_a_change_that_needs_a_migration():
    function = sql_function("ledger", "ledger_append_only")
    relaid = dataclasses.replace(function, statement=function.statement.replace("\n", "\n  "), text="-- other\n")
    assert relaid.checksum == function.checksum
