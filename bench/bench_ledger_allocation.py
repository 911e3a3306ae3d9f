"""Yearly allocation throughput (docs/performance.md: 18M residents in ≤ 15 minutes at ≥ 90% of raw SQL).

Credits the first n residents of the bench database (ordered by id) through `services.allocate` (a list of
AllocationRow, the public signature; `allocate_arrays` skips the 0.2 s per million of turning it into arrays), in
chunks of CHUNK_SIZE with WORKERS threads, a fresh lot each run so that every pot is new. The ceiling writes the
same rows into the same tables, under the same triggers and constraints, with the same SQL the service sends,
from the same number of threads on plain connections, without the ORM or the audit log: per chunk, in one
transaction (`synchronous_commit` off, as the service), a journal, one statement for the missing Leerrekeningen
and one pot (born with its amount) and one leg per resident, the aggregated leg against the budget, the chunk
record. bench/allocation_floor.py measures what is under that ceiling (no triggers, no foreign keys, no indexes).

Two situations are measured, each from the same database state for both writers:
- "first year": the ledger is emptied first (TRUNCATE), so every allocation also opens the Leerrekening;
- "next year": the Leerrekeningen exist (and last year's pots), as in every later yearly run.

Residents per second is n / seconds of the `allocate` call (reading the resident ids is not timed: that is
the rules' part). The 18M figure is a linear extrapolation. At n ≤ 100,000 each figure is the median of 3
runs (LEVENLANG_BENCH_REPEATS for another number; the writers take turns going first), each started right after
a CHECKPOINT. LEVENLANG_BENCH_CHUNK and LEVENLANG_BENCH_WORKERS change the chunk size and the number of threads.
"""

import datetime
import os
import statistics
import threading
import time
import uuid

import numpy as np
from django.db import DatabaseError, connection, transaction
from tables import empty_tables

from levenlang.ledger import services
from levenlang.ledger.models import Cap, Category, PotKind, SystemAccount
from levenlang.ledger.services import allocation
from levenlang.residents.models import Resident

CHUNK_SIZE = int(os.environ.get("LEVENLANG_BENCH_CHUNK", "10000"))
WORKERS = int(os.environ.get("LEVENLANG_BENCH_WORKERS", "2"))
TARGET_RESIDENTS = 18_000_000
TARGET_SECONDS = 15 * 60  # one night; the earlier 180 s came from a narrower shape and was withdrawn
CATEGORIES = [Category.STUDY, Category.GENERAL_SKILLS, Category.JOB_ORIENTED]
EXPIRES_ON = datetime.date(2031, 12, 31)

# Everything the ledger holds about people and money, with every table that refers to it, emptied before a
# "first year" run (the bench database is the benchmarks' own; the demo load empties these tables too).
# System accounts and the audit log stay.
LEDGER_ROOTS = ["ledger_leerrekening", "ledger_journal", "ledger_command"]
PROTECTED_TABLES = {"core_auditevent", "core_region", "core_user", "residents_resident", "ledger_systemaccount"}


def amount_of(resident_id: int) -> int:
    """The amount each resident gets (the same for both writers)."""
    return 50_000 + (resident_id % 5) * 10_000


def _checkpoint(cursor) -> None:
    """Start each measured run right after a checkpoint, so that neither writer pays for the other's dirty pages
    and each writes the same full-page images (a 1M run writes more WAL than max_wal_size: one checkpoint falls
    inside it). Needs superuser or pg_checkpoint; without, the runs are only less comparable."""
    try:
        with transaction.atomic():
            cursor.execute("CHECKPOINT")
    except DatabaseError:
        pass


def _truncate_ledger() -> None:
    tables = empty_tables(LEDGER_ROOTS, PROTECTED_TABLES)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {', '.join(tables)}")


def _service_seconds(rows, source: SystemAccount) -> float:
    lot = f"bench-service-{uuid.uuid4().hex[:12]}"
    started = time.perf_counter()
    result = services.allocate(
        rows,
        run_key=f"bench-{lot}",
        source=source,
        pot_kind=PotKind.RIGHTS,
        lot=lot,
        categories=CATEGORIES,
        expires_on=EXPIRES_ON,
        chunk_size=CHUNK_SIZE,
        workers=WORKERS,
    )
    seconds = time.perf_counter() - started
    assert result["credited"] == len(rows) and result["refused"] == 0, result
    return seconds


def _raw_seconds(ids: np.ndarray, amounts: np.ndarray, source: SystemAccount) -> float:
    """The service's statements, sent by WORKERS threads on their own connections, without the ORM."""
    lot = f"bench-raw-{uuid.uuid4().hex[:12]}"
    run_key = f"bench-{lot}"
    sql = allocation._ALLOCATE_CHUNK_SQL.replace("{allowed}", allocation._ALL_ROWS)
    sql = sql.replace("{uuid}", allocation._new_uuid_sql())
    fixed = {
        "kind": PotKind.RIGHTS.value,
        "source": source.pk,
        "lot": lot,
        "earmark": sum(int(c) for c in CATEGORIES),
        "expires_on": EXPIRES_ON,
    }
    numbers = iter(range(0, len(ids), CHUNK_SIZE))
    take, credited, errors = threading.Lock(), [], []

    def chunk(start: int) -> int:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit = off")
            cursor.execute(
                "INSERT INTO ledger_journal (uuid, kind, description, effective_date, created_at) "
                "VALUES (gen_random_uuid(), 'allocation', %s, current_date, now()) RETURNING id",
                [f"{source.name} ({lot}), deel {start // CHUNK_SIZE + 1}"],
            )
            (journal,) = cursor.fetchone()
            cursor.execute(
                sql,
                {
                    **fixed,
                    "residents": ids[start : start + CHUNK_SIZE].tolist(),
                    "amounts": amounts[start : start + CHUNK_SIZE].tolist(),
                    "journal": journal,
                },
            )
            count, total = cursor.fetchone()
            cursor.execute(
                "INSERT INTO ledger_leg (journal_id, system_account_id, amount_cents) VALUES (%s, %s, %s)",
                [journal, source.pk, -total],
            )
            cursor.execute(
                "INSERT INTO ledger_allocationchunk (run_key, number, journal_id, residents, amount_cents) "
                "VALUES (%s, %s, %s, %s, %s)",
                [run_key, start // CHUNK_SIZE, journal, count, total],
            )
        return count

    def worker() -> None:
        try:
            while not errors:
                with take:
                    start = next(numbers, None)
                if start is None:
                    return
                credited.append(chunk(start))
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    if errors:
        raise errors[0]
    assert sum(credited) == len(ids), (sum(credited), len(ids))
    return seconds


def run(n: int, report) -> None:
    if Cap.objects.exists():
        print("   note: caps are in force in the bench database; the service takes its capped path", flush=True)
    ids = list(Resident.objects.order_by("id").values_list("id", flat=True)[:n])
    if not ids:
        print("   no residents in the bench database: run bench_demo_load first; skipped", flush=True)
        return
    size = f"{len(ids):,} residents" + (f" (only {len(ids):,} in the database, n={n:,})" if len(ids) < n else "")
    rows = [services.AllocationRow(resident_id, amount_of(resident_id)) for resident_id in ids]
    id_array = np.array(ids, dtype=np.int64)
    amount_array = np.array([row.amount_cents for row in rows], dtype=np.int64)
    source = services.system_account(
        SystemAccount.Kind.BUDGET, "Leerrechten (benchmark)", scheme="bench-leerrechten", year=2026
    )
    repeats = int(os.environ.get("LEVENLANG_BENCH_REPEATS", "3" if n <= 100_000 else "1"))

    times: dict[tuple[str, str], list[float]] = {}
    wal: dict[tuple[str, str], list[float]] = {}

    def measure(situation: str, writer: str) -> None:
        with connection.cursor() as cursor:
            _checkpoint(cursor)
            cursor.execute("SELECT pg_current_wal_lsn()")
            (before,) = cursor.fetchone()
            if writer == "service":
                seconds = _service_seconds(rows, source)
            else:
                seconds = _raw_seconds(id_array, amount_array, source)
            cursor.execute("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), %s)", [before])
            (written,) = cursor.fetchone()
        times.setdefault((situation, writer), []).append(seconds)
        wal.setdefault((situation, writer), []).append(float(written) / len(ids))

    for repeat in range(repeats):
        # The same state for both writers: emptied ledger, then one more lot on top ("next year"). Who goes
        # first alternates, so that neither always runs on the other's leftovers (autovacuum, dirty pages).
        for writer in ("service", "raw") if repeat % 2 == 0 else ("raw", "service"):
            _truncate_ledger()
            measure("first year", writer)
            measure("next year", writer)

    for situation in ("first year", "next year"):
        service = statistics.median(times[(situation, "service")])
        raw = statistics.median(times[(situation, "raw")])
        print(
            f"   allocation, {situation}, {size}, chunks of {CHUNK_SIZE:,}, {WORKERS} threads: service "
            f"{', '.join(f'{s:.2f}' for s in times[(situation, 'service')])} s, raw SQL "
            f"{', '.join(f'{s:.2f}' for s in times[(situation, 'raw')])} s; WAL written "
            f"{statistics.median(wal[(situation, 'service')]):,.0f} (service) and "
            f"{statistics.median(wal[(situation, 'raw')]):,.0f} (raw) bytes per resident",
            flush=True,
        )
        report(
            f"allocation via services.allocate, {situation} ({size}, chunks of {CHUNK_SIZE:,}, {WORKERS} threads)",
            len(ids) / service,
            "residents/s",
            ceiling_name="raw SQL INSERT ... SELECT, same rows, triggers, chunks and threads",
            ceiling=len(ids) / raw,
            target=">= 90% of the raw SQL rate",
            higher_is_better=True,
        )
        report(
            f"allocation, {situation}, 18M extrapolated",
            TARGET_RESIDENTS * service / len(ids),
            "s",
            ceiling_name="raw SQL, 18M extrapolated",
            ceiling=TARGET_RESIDENTS * raw / len(ids),
            target=f"<= {TARGET_SECONDS} s",
        )
