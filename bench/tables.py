"""Emptying tables between benchmark runs, safely: never the audit log or other tables that must survive."""

from django.db import connection, transaction
from psycopg import sql

REFERENCING_TABLES = """
WITH RECURSIVE referencing(oid) AS (
    SELECT unnest(%s::regclass[])::oid
    UNION
    SELECT c.conrelid FROM pg_constraint c JOIN referencing r ON c.confrelid = r.oid WHERE c.contype = 'f'
)
SELECT oid::regclass::text FROM referencing
"""


def empty_tables(roots: list[str], protected: set[str]) -> list[str]:
    """TRUNCATE `roots` and every table that refers to them; stop before touching a `protected` table. The ledger
    refuses TRUNCATE unless the owner role (the benchmarks run as it) asks for it (core/sql/refuse_truncate.sql)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL levenlang.allow_truncate = on")
        cursor.execute(REFERENCING_TABLES, [roots])
        tables = sorted(name for (name,) in cursor.fetchall())
        if protected & set(tables):
            raise RuntimeError(f"Emptying {', '.join(roots)} would empty {protected & set(tables)}; stopping.")
        cursor.execute(sql.SQL("TRUNCATE {}").format(sql.SQL(", ").join(map(sql.Identifier, tables))))
    return tables
