"""What is under the allocation's raw-SQL ceiling: the same rows (per resident one Leerrekening, one pot born with
its amount, one leg; per chunk of 10,000 one journal) written by INSERT ... SELECT into scratch copies of the
ledger tables, with fewer and fewer of the things the real tables have:

1. indexes (the real tables' own, after migration 0004) + foreign keys (the real ones; parents are scratch tables
   or the real residents and system accounts) -- the real tables less their triggers;
2. indexes only;
3. nothing (heap only, plain INSERT).

Each with 1 and 2 threads (own connections), first year (every row new). Run by hand, after bench_demo_load:

    .venv/bin/python bench/allocation_floor.py --n 1000000

It writes only tables named floor_* in the bench database and drops them at the end.
"""

import argparse
import os
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

CHUNK = 10_000
TABLES = {"floor_journal": "ledger_journal", "floor_leerrekening": "ledger_leerrekening", "floor_pot": "ledger_pot"}
TABLES["floor_leg"] = "ledger_leg"
FOREIGN_KEYS = [
    "ALTER TABLE floor_leerrekening ADD FOREIGN KEY (resident_id) REFERENCES residents_resident (id) "
    "DEFERRABLE INITIALLY DEFERRED",
    "ALTER TABLE floor_pot ADD FOREIGN KEY (leerrekening_id) REFERENCES floor_leerrekening (resident_id) "
    "DEFERRABLE INITIALLY DEFERRED",
    "ALTER TABLE floor_pot ADD FOREIGN KEY (source_id) REFERENCES ledger_systemaccount (id) "
    "DEFERRABLE INITIALLY DEFERRED",
    "ALTER TABLE floor_leg ADD FOREIGN KEY (journal_id) REFERENCES floor_journal (id) DEFERRABLE INITIALLY DEFERRED",
    "ALTER TABLE floor_leg ADD FOREIGN KEY (pot_id) REFERENCES floor_pot (id) DEFERRABLE INITIALLY DEFERRED",
]
CHUNK_SQL = """
WITH rows AS (SELECT * FROM unnest(%(residents)s::bigint[], %(amounts)s::bigint[]) AS r(resident_id, amount)),
opened AS (INSERT INTO floor_leerrekening (resident_id, uuid, opened_at) SELECT resident_id, {uuid}, now() FROM rows
           {open_conflict}),
pots AS (INSERT INTO floor_pot (uuid, leerrekening_id, kind, source_id, lot, earmark, expires_on, posted_cents,
                                pending_cents, created_at)
         SELECT {uuid}, resident_id, 'rights', %(source)s, '2026', 7, '2031-12-31', amount, 0, now() FROM rows
         {pot_conflict} RETURNING id, posted_cents),
legs AS (INSERT INTO floor_leg (journal_id, pot_id, amount_cents) SELECT %(journal)s, id, posted_cents FROM pots
         RETURNING amount_cents)
SELECT count(*), sum(amount_cents) FROM legs
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=100_000)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "levenlang.conf.settings.dev")
    os.environ["LEVENLANG_DB_NAME"] = os.environ.get("LEVENLANG_BENCH_DB", "levenlang_bench")
    import django

    django.setup()
    import psycopg
    from django.db import connection

    connection.ensure_connection()
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    uuid = "uuidv7()" if connection.pg_version >= 180000 else "gen_random_uuid()"
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM residents_resident ORDER BY id LIMIT %s", [args.n])
        ids = [i for (i,) in cursor.fetchall()]
        cursor.execute("SELECT min(id) FROM ledger_systemaccount")
        (source,) = cursor.fetchone()
    if not ids or source is None:
        sys.exit("Run bench_demo_load and bench_ledger_allocation first (residents and a budget account needed).")
    amounts = [50_000 + (i % 5) * 10_000 for i in ids]

    def setup(indexes: bool, foreign_keys: bool) -> None:
        with psycopg.connect(**params, autocommit=True) as conn:
            for table, like in TABLES.items():
                conn.execute(f"DROP TABLE IF EXISTS {table} CASCADE")
                conn.execute(
                    f"CREATE TABLE {table} (LIKE {like} INCLUDING DEFAULTS INCLUDING IDENTITY"
                    f"{' INCLUDING INDEXES' if indexes else ''})"
                )
            conn.execute("ALTER TABLE floor_pot SET (fillfactor = 90)")
            for statement in FOREIGN_KEYS if foreign_keys else []:
                conn.execute(statement)
            conn.execute("CHECKPOINT")

    def write(workers: int, indexes: bool) -> float:
        sql = CHUNK_SQL.format(
            uuid=uuid,
            open_conflict="ON CONFLICT (resident_id) DO NOTHING" if indexes else "",
            pot_conflict="ON CONFLICT (leerrekening_id, source_id, lot) DO NOTHING" if indexes else "",
        )
        starts = iter(range(0, len(ids), CHUNK))
        take = threading.Lock()

        def worker() -> None:
            with psycopg.connect(**params) as conn:
                while True:
                    with take:
                        start = next(starts, None)
                    if start is None:
                        return
                    conn.execute("SET LOCAL synchronous_commit = off")
                    (journal,) = conn.execute(
                        "INSERT INTO floor_journal (uuid, kind, description, effective_date, created_at) "
                        "VALUES (gen_random_uuid(), 'allocation', 'floor', current_date, now()) RETURNING id"
                    ).fetchone()
                    conn.execute(
                        sql,
                        {
                            "residents": ids[start : start + CHUNK],
                            "amounts": amounts[start : start + CHUNK],
                            "source": source,
                            "journal": journal,
                        },
                    )
                    conn.commit()

        started = time.perf_counter()
        threads = [threading.Thread(target=worker) for _ in range(workers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return time.perf_counter() - started

    print(f"{len(ids):,} residents, chunks of {CHUNK:,}; residents/s and the 18M extrapolation", flush=True)
    for name, indexes, foreign_keys in [
        ("indexes + foreign keys, no triggers", True, True),
        ("indexes only", True, False),
        ("heap only", False, False),
    ]:
        for workers in (1, 2):
            setup(indexes, foreign_keys)
            seconds = write(workers, indexes)
            print(
                f"{name}, {workers} thread{'s' if workers > 1 else ''}: {seconds:.1f} s, "
                f"{len(ids) / seconds:,.0f} residents/s, 18M in {18_000_000 * seconds / len(ids):,.0f} s",
                flush=True,
            )
    with psycopg.connect(**params, autocommit=True) as conn:
        for table in TABLES:
            conn.execute(f"DROP TABLE IF EXISTS {table} CASCADE")


if __name__ == "__main__":
    main()
