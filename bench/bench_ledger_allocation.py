"""Yearly allocation throughput (DESIGN.md §8: 18M residents in ≤ 3 minutes, about ≥ 45% of raw SQL).

Credits the first n residents of the bench database (ordered by id) through `services.allocate`, in chunks of
CHUNK_SIZE, with a fresh lot each run so that every pot is new. The ceiling writes the same rows into the same
tables, under the same triggers and constraints, with raw SQL `INSERT ... SELECT` over the same residents (a
different lot), in chunks of the same size and one transaction per chunk: per chunk a journal, the missing
Leerrekeningen, one pot and one leg per resident, the aggregated leg against the budget, the chunk record.

Two situations are measured, each from the same database state for both writers:
- "first year": the ledger is emptied first (TRUNCATE), so every allocation also opens the Leerrekening;
- "next year": the Leerrekeningen exist (and last year's pots), as in every later yearly run.

Residents per second is n / seconds of the `allocate` call (reading the resident ids is not timed: that is
the rules' part). The 18M figure is a linear extrapolation. At n ≤ 100,000 each figure is the median of 3
runs. Set LEVENLANG_BENCH_CHUNK to try another chunk size.
"""

import datetime
import os
import statistics
import time
import uuid

from django.db import connection, transaction
from tables import empty_tables

from levenlang.ledger import services
from levenlang.ledger.models import Cap, Category, PotKind, SystemAccount
from levenlang.residents.models import Resident

CHUNK_SIZE = int(os.environ.get("LEVENLANG_BENCH_CHUNK", "10000"))
TARGET_RESIDENTS = 18_000_000
TARGET_SECONDS = 180
CATEGORIES = [Category.STUDY, Category.GENERAL_SKILLS, Category.JOB_ORIENTED]
EXPIRES_ON = datetime.date(2031, 12, 31)

# Everything the ledger holds about people and money, with every table that refers to it, emptied before a
# "first year" run (the bench database is the benchmarks' own; the demo load empties these tables too).
# System accounts and the audit log stay.
LEDGER_ROOTS = ["ledger_leerrekening", "ledger_journal", "ledger_command"]
PROTECTED_TABLES = {"core_auditevent", "core_region", "core_user", "residents_resident", "ledger_systemaccount"}


def amount_of(resident_id: int) -> int:
    """The amount each resident gets; the same expression is written in SQL for the ceiling."""
    return 50_000 + (resident_id % 5) * 10_000


AMOUNT_SQL = "50000 + (r.id %% 5) * 10000"

RAW_OPEN = """
INSERT INTO ledger_leerrekening (resident_id, uuid, opened_at)
SELECT r.id, gen_random_uuid(), now() FROM residents_resident r WHERE r.id BETWEEN %(lo)s AND %(hi)s
ON CONFLICT (resident_id) DO NOTHING
"""
RAW_POTS_AND_LEGS = f"""
WITH pots AS (
    INSERT INTO ledger_pot (uuid, leerrekening_id, kind, source_id, lot, earmark, expires_on,
                            posted_cents, pending_cents, created_at)
    SELECT gen_random_uuid(), r.id, %(kind)s, %(source)s, %(lot)s, %(earmark)s, %(expires_on)s, 0, 0, now()
      FROM residents_resident r WHERE r.id BETWEEN %(lo)s AND %(hi)s
    ON CONFLICT (leerrekening_id, source_id, lot) DO NOTHING
    RETURNING id, leerrekening_id
), legs AS (
    INSERT INTO ledger_leg (journal_id, pot_id, amount_cents)
    SELECT %(journal)s, pots.id, {AMOUNT_SQL.replace("r.id", "pots.leerrekening_id")} FROM pots
    RETURNING amount_cents
)
SELECT count(*), coalesce(sum(amount_cents), 0) FROM legs
"""


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
    )
    seconds = time.perf_counter() - started
    assert result["credited"] == len(rows) and result["refused"] == 0, result
    return seconds


def _raw_seconds(ids: list[int], source: SystemAccount) -> float:
    lot = f"bench-raw-{uuid.uuid4().hex[:12]}"
    run_key = f"bench-{lot}"
    earmark = sum(int(c) for c in CATEGORIES)
    credited = 0
    started = time.perf_counter()
    for number, start in enumerate(range(0, len(ids), CHUNK_SIZE)):
        lo, hi = ids[start], ids[min(start + CHUNK_SIZE, len(ids)) - 1]
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO ledger_journal (uuid, kind, description, effective_date, created_at) "
                "VALUES (gen_random_uuid(), 'allocation', %s, current_date, now()) RETURNING id",
                [f"{source.name} ({lot}), deel {number + 1}"],
            )
            (journal,) = cursor.fetchone()
            params = {
                "lo": lo,
                "hi": hi,
                "kind": PotKind.RIGHTS.value,
                "source": source.pk,
                "lot": lot,
                "earmark": earmark,
                "expires_on": EXPIRES_ON,
                "journal": journal,
            }
            cursor.execute(RAW_OPEN, params)
            cursor.execute(RAW_POTS_AND_LEGS, params)
            count, total = cursor.fetchone()
            cursor.execute(
                "INSERT INTO ledger_leg (journal_id, system_account_id, amount_cents) VALUES (%s, %s, %s)",
                [journal, source.pk, -total],
            )
            cursor.execute(
                "INSERT INTO ledger_allocationchunk (run_key, number, journal_id, residents, amount_cents) "
                "VALUES (%s, %s, %s, %s, %s)",
                [run_key, number, journal, count, total],
            )
            credited += count
    seconds = time.perf_counter() - started
    assert credited == len(ids), (credited, len(ids))
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
    source = services.system_account(
        SystemAccount.Kind.BUDGET, "Leerrechten (benchmark)", scheme="bench-leerrechten", year=2026
    )
    repeats = 3 if n <= 100_000 else 1

    times: dict[tuple[str, str], list[float]] = {}
    wal: dict[tuple[str, str], list[float]] = {}

    def measure(situation: str, writer: str) -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_current_wal_lsn()")
            (before,) = cursor.fetchone()
            seconds = _service_seconds(rows, source) if writer == "service" else _raw_seconds(ids, source)
            cursor.execute("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), %s)", [before])
            (written,) = cursor.fetchone()
        times.setdefault((situation, writer), []).append(seconds)
        wal.setdefault((situation, writer), []).append(float(written) / len(ids))

    for _ in range(repeats):
        # The same state for both writers: emptied ledger, then one more lot on top ("next year").
        for writer in ("service", "raw"):
            _truncate_ledger()
            measure("first year", writer)
            measure("next year", writer)

    for situation in ("first year", "next year"):
        service = statistics.median(times[(situation, "service")])
        raw = statistics.median(times[(situation, "raw")])
        print(
            f"   allocation, {situation}, {size}, chunks of {CHUNK_SIZE:,}: service "
            f"{', '.join(f'{s:.2f}' for s in times[(situation, 'service')])} s, raw SQL "
            f"{', '.join(f'{s:.2f}' for s in times[(situation, 'raw')])} s; WAL written "
            f"{statistics.median(wal[(situation, 'service')]):,.0f} (service) and "
            f"{statistics.median(wal[(situation, 'raw')]):,.0f} (raw) bytes per resident",
            flush=True,
        )
        report(
            f"allocation via services.allocate, {situation} ({size}, chunks of {CHUNK_SIZE:,})",
            len(ids) / service,
            "residents/s",
            ceiling_name="raw SQL INSERT ... SELECT, same rows, triggers and chunks",
            ceiling=len(ids) / raw,
            target=">= 45% of the raw SQL rate",
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
