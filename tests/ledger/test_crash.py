"""Crash test: the bulk allocation is killed with SIGKILL halfway and run
again; every resident is credited exactly once and the totals are exact.

`manage.py allocate` runs in its own process against this test's (committed) database, over 20,000 residents in
chunks of 1,000. The test reads its progress bar and kills it once at least 30% is done; the chunks that had
committed stay, the one in flight is rolled back by PostgreSQL; the rerun with the same run key finishes the
rest.
"""

import csv
import os
import re
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from levenlang.core.models import Region
from levenlang.core.regions import ensure_regions
from levenlang.ledger.models import AllocationChunk, Journal, Leg, Pot, SystemAccount
from levenlang.ledger.reconcile import reconcile
from tests.processes import ROOT, child_env

RESIDENTS = 20_000
CHUNK = 1_000
CHUNKS = RESIDENTS // CHUNK
KILL_AT = 0.30
RUN_KEY = "rights-2026-crash"
PROGRESS = re.compile(rb"(\d+)/(\d+) \[")


def allocate_command(path: Path) -> list[str]:
    return [
        sys.executable,
        str(ROOT / "manage.py"),
        "allocate",
        "--file",
        str(path),
        "--run-key",
        RUN_KEY,
        "--lot",
        "2026",
        "--chunk-size",
        str(CHUNK),
    ]


def make_residents() -> dict[str, int]:
    """20,000 residents in one INSERT ... SELECT (the BSN check in the database asks nine digits only);
    returns each one's amount in cents by UUID, all different so that a mix-up would show."""
    region = Region.objects.get(code="twente").pk
    with connection.cursor() as cursor:
        cursor.execute(
            """INSERT INTO residents_resident (uuid, bsn, given_name, family_name, birth_date, nlqf_level, situation,
                                               postcode, region_id)
               SELECT gen_random_uuid(), lpad(n::text, 9, '0'), 'Inwoner', 'Nummer ' || n,
                      date '1960-01-01' + (n %% 15000), n %% 9, 'employed', '7511 AB', %s
                 FROM generate_series(1, %s) AS n""",
            [region, RESIDENTS],
        )
        cursor.execute("SELECT uuid::text, 50000 + (id % 5003) * 37 FROM residents_resident")
        return dict(cursor.fetchall())


def write_csv(path: Path, amounts: dict[str, int]) -> None:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["resident", "pot_kind", "amount_cents", "scheme", "year"])
        for uuid_, cents in amounts.items():
            writer.writerow([uuid_, "rights", cents, "leerrechten", "2026"])


APPLICATION_NAME = "levenlang-crash-test"


def run_and_kill(command: list[str]) -> tuple[int, bytes]:
    """Start the allocation, follow its progress bar on stderr, and SIGKILL it once KILL_AT is done."""
    env = {**child_env(), "PGAPPNAME": APPLICATION_NAME}  # names its server sessions, to wait for them below
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    seen, done, deadline = b"", 0, time.monotonic() + 120
    try:
        while done < KILL_AT * RESIDENTS:
            assert time.monotonic() < deadline, f"no progress to {KILL_AT:.0%} in two minutes: {seen[-500:]!r}"
            ready, _, _ = select.select([process.stderr], [], [], 0.5)
            if ready:
                data = os.read(process.stderr.fileno(), 65536)
                if not data:
                    break  # it ended by itself
                seen += data
                found = PROGRESS.findall(seen[-400:])
                if found:
                    done = int(found[-1][0])
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait(timeout=30)
    wait_for_orphaned_backends()
    return done, seen


def wait_for_orphaned_backends(timeout: float = 60) -> None:
    """A COMMIT the killed process had already sent still completes on the server after the client is gone: wait
    until its server processes have ended, so that what the test reads next is what will stay."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = %s",
                [APPLICATION_NAME],
            )
            if cursor.fetchone()[0] == 0:
                return
            time.sleep(0.1)
    raise AssertionError("the killed allocation's database sessions did not end within a minute")


@pytest.mark.django_db(transaction=True)
def test_allocation_killed_halfway_and_rerun_credits_everyone_exactly_once(tmp_path):
    ensure_regions()
    amounts = make_residents()
    path = tmp_path / "rights-2026.csv"
    write_csv(path, amounts)
    total = sum(amounts.values())

    # 1. Kill it with SIGKILL once the progress bar shows at least 30% done.
    done, progress = run_and_kill(allocate_command(path))
    assert done >= KILL_AT * RESIDENTS, f"the allocation ended before it could be killed: {progress[-500:]!r}"
    chunks = AllocationChunk.objects.filter(run_key__startswith=RUN_KEY)
    committed = chunks.count()
    print(f"killed at {done} of {RESIDENTS} residents shown done; {committed} of {CHUNKS} chunks had committed")
    assert done // CHUNK <= committed < CHUNKS, f"{committed} of {CHUNKS} chunks committed; expected some, not all"
    # What committed is whole: whole chunks of residents, each credited once, with a balanced journal per chunk.
    budget = SystemAccount.objects.get(kind=SystemAccount.Kind.BUDGET, scheme="leerrechten", year=2026)
    pots = Pot.objects.filter(source=budget, lot="2026")
    assert pots.count() == committed * CHUNK
    credited = sum(pots.values_list("posted_cents", flat=True))
    assert credited == sum(chunks.values_list("amount_cents", flat=True))
    assert sum(Leg.objects.filter(system_account=budget).values_list("amount_cents", flat=True)) == -credited
    assert Journal.objects.filter(kind=Journal.Kind.ALLOCATION).count() == committed
    assert reconcile() == []

    # 2. Run it again with the same run key: it skips the committed chunks and finishes the rest.
    rerun = subprocess.run(allocate_command(path), cwd=ROOT, env=child_env(), capture_output=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr.decode()[-2000:]
    before = committed * CHUNK
    assert (
        f"{RESIDENTS - before} credited now, {before} before this run, 0 refused; {total - credited} cents"
        in rerun.stdout.decode()
    ), rerun.stdout.decode()

    # 3. The totals are exact: every resident has exactly one pot of this source and lot, with exactly its amount;
    # the budget paid exactly the total, in one aggregated leg per chunk; the books reconcile.
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT r.uuid::text, count(p.id), sum(p.posted_cents)
                 FROM residents_resident r
                 LEFT JOIN ledger_pot p ON p.leerrekening_id = r.id AND p.source_id = %s AND p.lot = '2026'
                GROUP BY r.uuid""",
            [budget.pk],
        )
        rows = cursor.fetchall()
    assert len(rows) == RESIDENTS
    assert [row for row in rows if row[1] != 1] == [], "a resident has no pot, or more than one"
    assert {uuid_: cents for uuid_, _count, cents in rows} == amounts
    budget_legs = Leg.objects.filter(system_account=budget)
    assert sum(budget_legs.values_list("amount_cents", flat=True)) == -total
    assert budget_legs.count() == CHUNKS
    assert sorted(chunks.values_list("number", flat=True)) == list(range(CHUNKS))
    assert Journal.objects.filter(kind=Journal.Kind.ALLOCATION).count() == CHUNKS
    assert reconcile() == []

    # 4. A third run credits nobody.
    again = subprocess.run(allocate_command(path), cwd=ROOT, env=child_env(), capture_output=True, timeout=300)
    assert again.returncode == 0, again.stderr.decode()[-2000:]
    assert f"0 credited now, {RESIDENTS} before this run, 0 refused; 0 cents" in again.stdout.decode()
    assert sum(Leg.objects.filter(system_account=budget).values_list("amount_cents", flat=True)) == -total
