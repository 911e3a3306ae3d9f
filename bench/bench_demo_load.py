"""Loading the demo population: residents per second of `load_population` (generation in Python, COPY through
psycopg, with employers, employments and providers) against the ceiling of raw SQL writing the same number of
resident rows (INSERT ... SELECT from generate_series into a copy of residents_resident with the same indexes).

It leaves the demo population of size n loaded: the other benchmarks use it (this file sorts first).
"""

import statistics
import time

from django.db import connection, transaction
from django.db.models import ProtectedError
from psycopg import sql
from tables import empty_tables

from levenlang.catalog.models import Provider
from levenlang.core.models import User
from levenlang.demo.personas import PERSONAS
from levenlang.demo.population import DEFAULT_SEED, load_population
from levenlang.employers.models import Employer, Employment, SectorFund
from levenlang.residents.models import Resident

DEMO_MODELS = [
    Employment,
    Resident,
    Employer.staff.through,
    Employer,
    SectorFund.staff.through,
    SectorFund,
    Provider.staff.through,
    Provider,
]
# Never emptied: the audit log is evidence, the regions come from a migration, users are referenced by the log.
PROTECTED_TABLES = {"core_auditevent", "core_region", "core_user"}
SCRATCH_TABLE = "bench_scratch_resident"


def clear_demo_data() -> None:
    """Empty the demo tables and everything that refers to them (later apps' rows about residents, say), then
    remove the persona users. A persona the audit log mentions cannot be deleted: it is renamed and disabled."""
    with transaction.atomic():
        empty_tables([m._meta.db_table for m in DEMO_MODELS], PROTECTED_TABLES)
        for user in User.objects.filter(username__in=[p.username for p in PERSONAS]):
            try:
                with transaction.atomic():
                    user.delete()
            except ProtectedError:
                user.username = f"{user.username}.retired.{user.pk}"
                user.is_active = False
                user.save(update_fields=["username", "is_active"])


def _raw_sql_seconds(n: int) -> float:
    """The same number of resident rows, written by the server alone into a table with the same indexes."""
    table = sql.Identifier(SCRATCH_TABLE)
    with connection.cursor() as cursor:
        cursor.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(table))
        cursor.execute(
            sql.SQL("CREATE TABLE {} (LIKE {} INCLUDING ALL)").format(table, sql.Identifier(Resident._meta.db_table))
        )
        try:
            started = time.perf_counter()
            cursor.execute(
                sql.SQL(
                    "INSERT INTO {} (uuid, bsn, given_name, family_name, birth_date, nlqf_level, situation, "
                    "postcode, region_id) "
                    # BSNs in scattered order (a permutation of i), as the generator makes them: random
                    # inserts into the unique index cost more than ascending ones.
                    "SELECT gen_random_uuid(), (20000000 + (i::bigint * 7919) %% 80000000)::text || (i %% 10)::text, "
                    "'Anna', 'Jansen-' || i, date '1935-01-01' + (i * 37) %% 27000, i %% 9, 'employed', "
                    "'7511 AB', r.ids[1 + i %% 35] "
                    "FROM generate_series(1, %s) AS i, (SELECT array_agg(id) AS ids FROM core_region) AS r"
                ).format(table),
                [n],
            )
            return time.perf_counter() - started
        finally:
            cursor.execute(sql.SQL("DROP TABLE {}").format(table))


def run(n: int, report) -> None:
    repeats = 3 if n <= 100_000 else 1
    ceiling_seconds = statistics.median(_raw_sql_seconds(n) for _ in range(repeats))

    load_seconds = []
    for _ in range(repeats):
        clear_demo_data()
        started = time.perf_counter()
        counts = load_population(residents=n, seed=DEFAULT_SEED, progress=False)
        load_seconds.append(time.perf_counter() - started)
    seconds = statistics.median(load_seconds)
    print(
        f"   demo load of n={n:,}: median {seconds:.2f} s of {repeats} "
        f"({', '.join(f'{v:,} {k}' for k, v in counts.items())}); raw SQL {ceiling_seconds:.2f} s",
        flush=True,
    )
    report(
        "demo population load",
        n / seconds,
        "residents/s",
        ceiling_name="raw SQL INSERT ... SELECT generate_series, same indexes",
        ceiling=n / ceiling_seconds,
        higher_is_better=True,
    )
