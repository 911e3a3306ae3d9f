"""Reservations (enrolment bookings) per second with 16 concurrent workers (docs/performance.md: ≥ 1,000/s through the
service layer, ≥ 30% of the ceiling, zero overdrafts).

Set-up: the ledger is emptied (TRUNCATE), then the first min(n, 20,000) residents get two pots through
`services.allocate`: learning rights (study, general skills, job-oriented; €10,000) and an employer pot
(job-oriented only, €200, expiring sooner), so that the waterfall has a choice to make.

Three runs of WORKERS processes each, for a fixed duration (after every worker has connected and warmed up):

1. service: each worker calls `services.reserve` in a loop (unique idempotency key each, a random resident,
   category study or job-oriented, price €1–€10) — the figure that counts.
2. ceiling: the same transaction shape as one plpgsql function, created here (`bench_ledger_reserve`):
   look up the idempotency key, lock the Leerrekening FOR NO KEY UPDATE, read the eligible pots in waterfall
   order, insert the reservation and its parts (the trigger raises pending), insert the idempotency row. It is
   driven by pgbench (a custom script, -c 16) when pgbench is installed, else by 16 psycopg processes.
3. psycopg loop (for information): the same statements sent one by one by 16 psycopg processes, without
   Django: the difference with (1) is the ORM, the difference with (2) is the round trips.

After each run: no pot with posted_cents < pending_cents (impossible by CHECK, still counted) and
`reconcile()` finds nothing. LEVENLANG_BENCH_SECONDS sets the duration of each run, LEVENLANG_BENCH_WORKERS
the number of workers (16 by default, as the target says).
"""

import datetime
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

WORKERS = int(os.environ.get("LEVENLANG_BENCH_WORKERS", "16"))
MAX_RESIDENTS = 20_000
RIGHTS_CENTS = 1_000_000
EMPLOYER_CENTS = 20_000
WARM_UP = 3  # reservations per worker before the clock starts (connection, plan caches)

FUNCTION_SQL = r"""
CREATE OR REPLACE FUNCTION bench_ledger_reserve(
    p_key text, p_resident bigint, p_category int, p_price bigint, p_payee bigint, p_expires timestamptz,
    p_reference text
) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
    v_hash text := encode(sha256(convert_to(jsonb_build_object(
        'op', 'reserve', 'resident', p_resident, 'category', p_category, 'price', p_price, 'payee', p_payee,
        'expires_at', p_expires, 'reference', p_reference)::text, 'UTF8')), 'hex');
    v_earlier record;
    v_pot record;
    v_left bigint := p_price;
    v_take bigint;
    v_pots bigint[] := '{}';
    v_amounts bigint[] := '{}';
    v_draws jsonb := '[]';
    v_reservation bigint;
    v_uuid uuid := gen_random_uuid();
    v_result jsonb;
BEGIN
    SELECT request_hash, result INTO v_earlier FROM ledger_command WHERE key = p_key;
    IF FOUND THEN
        IF v_earlier.request_hash <> v_hash THEN
            RAISE EXCEPTION 'idempotency conflict for %', p_key;
        END IF;
        RETURN v_earlier.result;
    END IF;
    PERFORM 1 FROM ledger_leerrekening WHERE resident_id = p_resident FOR NO KEY UPDATE;
    FOR v_pot IN
        SELECT id, uuid, kind, lot, expires_on, posted_cents - pending_cents AS available
          FROM ledger_pot
         WHERE leerrekening_id = p_resident AND (earmark & p_category) <> 0
           AND (expires_on IS NULL OR expires_on >= current_date) AND posted_cents > pending_cents
         ORDER BY bit_count(earmark::int::bit(16)), coalesce(expires_on, 'infinity'::date), id
    LOOP
        EXIT WHEN v_left = 0;
        v_take := least(v_pot.available, v_left);
        v_pots := v_pots || v_pot.id;
        v_amounts := v_amounts || v_take;
        v_draws := v_draws || jsonb_build_object('pot', v_pot.uuid, 'kind', v_pot.kind, 'lot', v_pot.lot,
                                                 'expires_on', v_pot.expires_on, 'amount_cents', v_take);
        v_left := v_left - v_take;
    END LOOP;
    IF v_left = p_price THEN
        RAISE EXCEPTION 'nothing to pay with for resident %', p_resident;
    END IF;
    INSERT INTO ledger_reservation (uuid, leerrekening_id, payee_id, category, price_cents, reserved_cents,
                                    status, reference, expires_at, created_at)
    VALUES (v_uuid, p_resident, p_payee, p_category, p_price, p_price - v_left, 'pending', p_reference,
            p_expires, now())
    RETURNING id INTO v_reservation;
    INSERT INTO ledger_reservationpart (reservation_id, pot_id, position, amount_cents)
    SELECT v_reservation, pot, position - 1, amount
      FROM unnest(v_pots, v_amounts) WITH ORDINALITY AS d(pot, amount, position);
    v_result := jsonb_build_object('reservation', v_uuid, 'price_cents', p_price, 'covered_cents', p_price - v_left,
                                   'own_share_cents', v_left, 'draws', v_draws);
    INSERT INTO ledger_command (key, operation, request_hash, result, created_at)
    VALUES (p_key, 'reserve', v_hash, v_result, now());
    RETURN v_result;
END $$;
"""

PGBENCH_SCRIPT = """\\set i random(1, {residents})
\\set category 1 + 3 * random(0, 1)
\\set price 100 * random(1, 10)
SELECT bench_ledger_reserve('pgbench-' || gen_random_uuid(),
    (SELECT resident_id FROM bench_reserve_residents WHERE i = :i),
    :category, :price, {payee}, now() + interval '30 days', '{reference}');
"""

# --- the worker processes (this file run as a script) -------------------------------------------------


def _setup_django() -> None:
    root = Path(__file__).resolve().parent.parent
    sys.path.insert(0, str(root / "src"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "levenlang.conf.settings.dev"
    os.environ["LEVENLANG_DB_NAME"] = os.environ.get("LEVENLANG_BENCH_DB", "levenlang_bench")
    import django

    django.setup()


def _worker(number: int, residents: list[int], payee_id: int, modes: list[str]) -> None:
    """Warm up every mode, say 'ready', then serve commands 'run <mode> <reference> <start> <seconds>' (book
    until start + seconds, print the result as one JSON line) until 'quit'."""
    _setup_django()
    from django.db import connection

    from levenlang.ledger import services
    from levenlang.ledger.errors import LedgerError
    from levenlang.ledger.models import Category, SystemAccount
    from levenlang.ledger.services import idempotency, previews

    payee = SystemAccount.objects.get(pk=payee_id)
    expires_at = datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=30)
    choose = random.Random(number).choice
    connection.ensure_connection()
    conn = connection.connection  # psycopg, autocommit (Django's default)
    reference = "warm-up"

    def service(key, resident, category, price):
        services.reserve(
            key=key,
            resident_id=resident,
            category=category,
            price_cents=price,
            payee=payee,
            expires_at=expires_at,
            reference=reference,
        )

    def function(key, resident, category, price):
        conn.execute(
            "SELECT bench_ledger_reserve(%s, %s, %s, %s, %s, %s, %s)",
            [key, resident, int(category), price, payee_id, expires_at, reference],
        )

    def statements(key, resident, category, price):
        request_hash = idempotency._request_hash(
            "reserve",
            {
                "resident": resident,
                "category": int(category),
                "price": price,
                "payee": payee_id,
                "expires_at": expires_at,
                "reference": reference,
            },
        )
        with conn.transaction():
            earlier = conn.execute("SELECT request_hash, result FROM ledger_command WHERE key = %s", [key]).fetchone()
            if earlier is not None:
                return
            conn.execute("SELECT 1 FROM ledger_leerrekening WHERE resident_id = %s FOR NO KEY UPDATE", [resident])
            pots = conn.execute(previews._POTS_SQL, [resident, int(category), datetime.date.today()]).fetchall()
            draws = services.waterfall(pots, price)
            covered = sum(d.amount_cents for d in draws)
            if not covered:
                raise LedgerError("nothing to pay with")
            reservation, uuid = conn.execute(
                "INSERT INTO ledger_reservation (uuid, leerrekening_id, payee_id, category, price_cents, "
                "reserved_cents, status, reference, expires_at, created_at) "
                "VALUES (gen_random_uuid(), %s, %s, %s, %s, %s, 'pending', %s, %s, now()) RETURNING id, uuid",
                [resident, payee_id, int(category), price, covered, reference, expires_at],
            ).fetchone()
            conn.execute(
                "INSERT INTO ledger_reservationpart (reservation_id, pot_id, position, amount_cents) "
                "SELECT %s, pot, position - 1, amount FROM unnest(%s::bigint[], %s::bigint[]) "
                "WITH ORDINALITY AS d(pot, amount, position)",
                [reservation, [d.pot_id for d in draws], [d.amount_cents for d in draws]],
            )
            result = {"reservation": str(uuid), **services.Preview(price, draws).as_dict()}
            conn.execute(
                "INSERT INTO ledger_command (key, operation, request_hash, result, created_at) "
                "VALUES (%s, 'reserve', %s, %s::jsonb, now())",
                [key, request_hash, json.dumps(result)],
            )

    books = {"service": service, "function": function, "statements": statements}
    categories = [Category.STUDY, Category.JOB_ORIENTED]

    def one(book, key: str) -> None:
        book(key, choose(residents), choose(categories), 100 * random.randint(1, 10))

    warm_up = f"warm-{os.getpid()}-{time.time_ns()}"
    for mode in modes:
        for i in range(WARM_UP):
            one(books[mode], f"bench-{warm_up}-{mode}-{i}")
    print("ready", flush=True)
    for line in sys.stdin:
        if line.split()[0] == "quit":
            return
        _run, mode, reference, start, seconds = line.split()
        book, start, end = books[mode], float(start), float(start) + float(seconds)
        while time.time() < start:
            time.sleep(0.001)
        done = late = errors = i = 0
        latencies = []
        while time.time() < end:
            began = time.perf_counter()
            try:
                one(book, f"bench-{reference}-{number}-{i}")
            except Exception as exc:  # counted and shown, never silent
                errors += 1
                if errors <= 3:
                    print(f"worker {number}: {exc.__class__.__name__}: {exc}", file=sys.stderr, flush=True)
            else:
                if time.time() <= end:
                    done += 1
                    latencies.append(time.perf_counter() - began)
                else:
                    late += 1
            i += 1
        print(json.dumps({"done": done, "late": late, "errors": errors, "latencies": latencies}), flush=True)


# --- the benchmark ------------------------------------------------------------------------------------


class Workers:
    """WORKERS processes of this file, started once (Django set-up is slow on 2 cores) and warmed up; each run
    gives them all the same start time."""

    def __init__(self, residents: list[int], payee_id: int, modes: list[str]) -> None:
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
            json.dump({"residents": residents, "payee": payee_id, "modes": modes}, handle)
        self.processes = [
            subprocess.Popen(
                [sys.executable, __file__, "--worker", str(number), handle.name],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
                env={**os.environ, "PYTHONWARNINGS": "ignore"},
            )
            for number in range(WORKERS)
        ]
        try:
            for process in self.processes:
                if process.stdout.readline().strip() != "ready":
                    raise RuntimeError(f"a worker did not start (exit code {process.wait()}); see above")
        except BaseException:
            self.close()
            raise
        finally:
            os.unlink(handle.name)

    def run(self, mode: str, reference: str, seconds: float) -> dict:
        start = time.time() + 0.2
        for process in self.processes:
            process.stdin.write(f"run {mode} {reference} {start} {seconds}\n")
            process.stdin.flush()
        results = []
        for process in self.processes:
            line = process.stdout.readline()
            if not line:
                raise RuntimeError(f"a {mode} worker failed (exit code {process.wait()}); see above")
            results.append(json.loads(line))
        latencies = sorted(x for r in results for x in r["latencies"])
        done = sum(r["done"] for r in results)
        return {
            "rate": done / seconds,
            "done": done,
            "errors": sum(r["errors"] for r in results),
            "p95_ms": latencies[int(0.95 * (len(latencies) - 1))] * 1000 if latencies else float("nan"),
        }

    def close(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                try:
                    process.stdin.write("quit\n")
                    process.stdin.close()
                except OSError:
                    pass
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


def _run_pgbench(pgbench: str, residents: int, payee_id: int, reference: str, seconds: float) -> dict:
    from django.db import connection

    settings = connection.settings_dict
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as handle:
        handle.write(PGBENCH_SCRIPT.format(residents=residents, payee=payee_id, reference=reference))
    env = {**os.environ}
    if settings.get("PASSWORD"):
        env["PGPASSWORD"] = settings["PASSWORD"]
    command = [pgbench, "-n", "-c", str(WORKERS), "-j", "2", "-T", str(max(1, round(seconds))), "-f", handle.name]
    for flag, key in (("-h", "HOST"), ("-p", "PORT"), ("-U", "USER")):
        if settings.get(key):
            command += [flag, str(settings[key])]
    command.append(settings["NAME"])
    try:
        completed = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    finally:
        os.unlink(handle.name)
    match = re.search(r"tps = ([\d.]+) \(without initial connection time\)", completed.stdout)
    if completed.returncode != 0 or not match:
        raise RuntimeError(f"pgbench failed ({completed.returncode}):\n{completed.stdout}\n{completed.stderr}")
    latency = re.search(r"latency average = ([\d.]+) ms", completed.stdout)
    failed = re.search(r"number of failed transactions: (\d+)", completed.stdout)
    return {
        "rate": float(match.group(1)),
        "done": None,
        "errors": int(failed.group(1)) if failed else 0,
        "p95_ms": None,
        "avg_ms": float(latency.group(1)) if latency else None,
    }


def _cpu_cost(payee, residents: list[int], reference: str, count: int = 300) -> str:
    """CPU per reservation in one process, for the client (this Python process) and its server backend (read
    from /proc, so only when the server runs on this machine): on a machine with few cores, where workers and
    server share the CPUs, their sum bounds the rate."""
    from django.db import connection

    from levenlang.ledger import services
    from levenlang.ledger.models import Category

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (backend,) = cursor.fetchone()
    stat = Path(f"/proc/{backend}/stat")
    if not stat.exists():
        return "   CPU per reservation: not measured (the database server runs elsewhere)"
    ticks = os.sysconf("SC_CLK_TCK")

    def server_cpu() -> float:
        fields = stat.read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / ticks

    expires_at = datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=30)
    rng = random.Random(0)
    cores = os.cpu_count() or 1

    def service(key):
        services.reserve(
            key=key,
            resident_id=rng.choice(residents),
            category=rng.choice([Category.STUDY, Category.JOB_ORIENTED]),
            price_cents=100 * rng.randint(1, 10),
            payee=payee,
            expires_at=expires_at,
            reference=reference,
        )

    def function(key):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT bench_ledger_reserve(%s, %s, %s, %s, %s, %s, %s)",
                [
                    key,
                    rng.choice(residents),
                    rng.choice([1, 4]),
                    100 * rng.randint(1, 10),
                    payee.pk,
                    expires_at,
                    reference,
                ],
            )

    lines = []
    for name, book in (("services.reserve", service), ("plpgsql function", function)):
        prepared_before = _prepared_statements()
        for i in range(WARM_UP):
            book(f"bench-{reference}-{name}-warm-{i}")
        wall, client, server = time.perf_counter(), time.process_time(), server_cpu()
        for i in range(count):
            book(f"bench-{reference}-{name}-{i}")
        wall = (time.perf_counter() - wall) / count * 1000
        client = (time.process_time() - client) / count * 1000
        server = (server_cpu() - server) / count * 1000
        prepared = _prepared_statements() - prepared_before
        lines.append(
            f"   CPU per reservation, 1 process, {name}: client {client:.2f} ms + server {server:.2f} ms "
            f"(wall {wall:.2f} ms) -> at most {cores * 1000 / (client + server):,.0f}/s on {cores} cores"
            + (f"; {prepared} statements prepared" if name == "services.reserve" else "")
        )
    return "\n".join(lines)


def _prepared_statements() -> int:
    """Statements prepared on this session: the service's hot path should add its two once (a regression shows as 0:
    every booking parsed and planned anew, about twice the server's work)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements")
        return cursor.fetchone()[0]


def _load() -> str:
    return "load average {:.1f} / {:.1f} / {:.1f} (1 / 5 / 15 min)".format(*os.getloadavg())


def _check_books(what: str) -> None:
    from django.db import connection

    from levenlang.ledger.reconcile import reconcile

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM ledger_pot WHERE posted_cents < pending_cents")
        (overdrafts,) = cursor.fetchone()
    differences = reconcile()
    print(f"   after {what}: {overdrafts} overdrafts, reconcile: {len(differences)} differences", flush=True)
    if overdrafts or differences:
        raise AssertionError(f"after {what}: {overdrafts} overdrafts; {differences[:5]}")


def _reservations(reference: str) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM ledger_reservation WHERE reference = %s", [reference])
        return cursor.fetchone()[0]


def run(n: int, report) -> None:
    import importlib.util

    from django.db import connection

    from levenlang.ledger import services
    from levenlang.ledger.models import Category, PotKind, SystemAccount
    from levenlang.residents.models import Resident

    seconds = float(os.environ.get("LEVENLANG_BENCH_SECONDS", "2" if n <= 1_000 else "15"))
    residents = list(Resident.objects.order_by("id").values_list("id", flat=True)[: min(n, MAX_RESIDENTS)])
    if not residents:
        print("   no residents in the bench database: run bench_demo_load first; skipped", flush=True)
        return

    # The ledger emptied the same way as the allocation benchmark does it (the helper lives there).
    spec = importlib.util.spec_from_file_location(
        "bench_ledger_allocation", Path(__file__).with_name("bench_ledger_allocation.py")
    )
    allocation = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(allocation)
    allocation._truncate_ledger()

    stamp = datetime.datetime.now().strftime("%Y%m%d%H%M%S")
    rights = services.system_account(
        SystemAccount.Kind.BUDGET, "Leerrechten (benchmark)", scheme="bench-leerrechten", year=2026
    )
    employer = services.system_account(SystemAccount.Kind.EMPLOYER, "Werkgever (benchmark)", scheme="bench-werkgever")
    payee = services.system_account(
        SystemAccount.Kind.PROVIDER_PAYABLE, "Opleider (benchmark)", scheme="bench-opleider"
    )
    for source, kind, cents, categories, expires_on in (
        (
            rights,
            PotKind.RIGHTS,
            RIGHTS_CENTS,
            [Category.STUDY, Category.GENERAL_SKILLS, Category.JOB_ORIENTED],
            datetime.date(2031, 12, 31),
        ),
        (employer, PotKind.EMPLOYER, EMPLOYER_CENTS, [Category.JOB_ORIENTED], datetime.date(2027, 12, 31)),
    ):
        services.allocate(
            [services.AllocationRow(r, cents) for r in residents],
            run_key=f"bench-reservations-{kind}-{stamp}",
            source=source,
            pot_kind=kind,
            lot=f"bench-{stamp}",
            categories=categories,
            expires_on=expires_on,
        )
    with connection.cursor() as cursor:
        cursor.execute(FUNCTION_SQL)
        cursor.execute("DROP TABLE IF EXISTS bench_reserve_residents")
        cursor.execute("CREATE TABLE bench_reserve_residents (i int PRIMARY KEY, resident_id bigint NOT NULL)")
        cursor.execute(
            "INSERT INTO bench_reserve_residents SELECT i, r FROM unnest(%s::bigint[]) WITH ORDINALITY AS u(r, i)",
            [residents],
        )
        cursor.execute("ANALYZE")
    print(f"   {_load()}, {os.cpu_count()} cores", flush=True)
    print(_cpu_cost(payee, residents, f"cpu-{stamp}"), flush=True)
    connection.close()  # the workers do not wait on anything of ours

    size = f"{len(residents):,} residents, {WORKERS} workers, {seconds:g} s"
    pgbench = shutil.which("pgbench")
    workers = Workers(residents, payee.pk, ["service", "statements"] + ([] if pgbench else ["function"]))
    try:
        service = workers.run("service", f"svc-{stamp}", seconds)
        print(
            f"   service: {service['done']:,} reservations, {service['errors']} errors, p95 {service['p95_ms']:.1f} ms",
            flush=True,
        )
        _check_books("the service run")

        if pgbench:
            ceiling = _run_pgbench(pgbench, len(residents), payee.pk, f"fn-{stamp}", seconds)
            ceiling_name = "plpgsql function of the same shape, driven by pgbench"
            print(
                f"   ceiling (pgbench): {_reservations(f'fn-{stamp}'):,} reservations, {ceiling['errors']} failed, "
                f"latency average {ceiling['avg_ms']} ms",
                flush=True,
            )
        else:
            ceiling = workers.run("function", f"fn-{stamp}", seconds)
            ceiling_name = "plpgsql function of the same shape, 16 psycopg processes (no pgbench here)"
            print(
                f"   ceiling: {ceiling['done']:,} reservations, {ceiling['errors']} errors, "
                f"p95 {ceiling['p95_ms']:.1f} ms",
                flush=True,
            )
        _check_books("the ceiling run")

        loop = workers.run("statements", f"sql-{stamp}", seconds)
        print(
            f"   psycopg loop: {loop['done']:,} reservations, {loop['errors']} errors, p95 {loop['p95_ms']:.1f} ms",
            flush=True,
        )
        _check_books("the psycopg loop run")
    finally:
        workers.close()
    print(f"   {_load()}", flush=True)

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_reserve_residents")
        cursor.execute("DROP FUNCTION bench_ledger_reserve(text, bigint, int, bigint, bigint, timestamptz, text)")

    report(
        f"reservations via services.reserve ({size})",
        service["rate"],
        "reservations/s",
        ceiling_name=ceiling_name,
        ceiling=ceiling["rate"],
        target=">= 1,000/s and >= 30% of the ceiling, zero overdrafts",
        higher_is_better=True,
    )
    report(
        f"reservations via the same statements from psycopg, no Django ({size}; for information)",
        loop["rate"],
        "reservations/s",
        ceiling_name=ceiling_name,
        ceiling=ceiling["rate"],
        higher_is_better=True,
    )


if __name__ == "__main__":
    if sys.argv[1:2] == ["--worker"]:
        _number, _path = int(sys.argv[2]), sys.argv[3]
        with open(_path) as _handle:
            _args = json.load(_handle)
        _worker(_number, _args["residents"], _args["payee"], _args["modes"])
