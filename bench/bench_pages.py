"""Pages: server time in-process, and the real server over HTTP (docs/performance.md: p95 ≤ 150 ms per page; the
search page and the Leerrekening at least half the static page's rate; every enrolment step p95 ≤ 200 ms).

1. **In-process** — each persona's home page, the residents' Leerrekening and the audit log through the whole
   Django stack (middleware, session, templates, queries) without a network, on the bench database. Ceiling: the
   accessibility statement through the same stack.
2. **Over HTTP** — the real server started the way `make demo` starts it (`manage.py rundemo`: waitress, 8
   threads, and the task worker) on a free port of its own, against a database of its own with the demo data
   (`<bench database>_http`, loaded once with `load_demo --residents min(N, 5000)` and reused). Logged in as Marco
   through the persona picker, 16 keep-alive clients (threads in this process) ask for one page at a time for a
   few seconds: the accessibility statement (the ceiling), home, the Leerrekening and a search for "lassen", in
   turns, a few rounds; each figure is the median over the rounds of pages/s and of p95.
3. **Enrolment steps over HTTP** — on a self-paced bench offering at Joost's provider: Ineke books, Joost
   accepts, Ineke confirms the booking (money reserved, after the demo's strong login), Joost declares the start
   and the completion, Ineke confirms the completion (the provider is paid, a credential issued). One client at a
   time, so the round trip on localhost is the server's time; the redirect's page after each step is timed apart.

Also a script, to compare two running servers in turns (for example before and after a change):

    .venv/bin/python bench/bench_pages.py --against http://127.0.0.1:8117 --against http://127.0.0.1:8118
"""

import http.client
import os
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ROUNDS = 60
CLIENTS = 16
HTTP_PAGES = [
    ("static page (accessibility)", "/toegankelijkheid/"),
    ("home", "/"),
    ("Leerrekening", "/leerrekening/"),
    ('search "lassen"', "/aanbod/?q=lassen"),
]
STEPS = ["book", "accept", "reserve", "start", "complete", "confirm"]


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1] if len(samples) > 1 else samples[0]


# --- 1. in-process -----------------------------------------------------------------------------------------------


def _timings(client, path: str, rounds: int = ROUNDS) -> list[float]:
    client.get(path)  # warm-up: templates compiled, connection open
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        response = client.get(path)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    return samples


def in_process(report, rounds: int = ROUNDS) -> None:
    from django.test import Client

    from levenlang.core.models import User
    from levenlang.core.roles import Role
    from levenlang.demo.ledger import demo_ledger_present, load_demo_ledger
    from levenlang.demo.personas import PERSONAS

    # Besides each persona's home page: the pages with the most data behind them.
    extra_pages = {Role.RESIDENT: ["/leerrekening/"], Role.ADMINISTRATOR: ["/beheer/audit/"]}
    if not demo_ledger_present():  # the personas' money, so that the Leerrekening pages show real statements
        load_demo_ledger()
    anonymous = Client(HTTP_HOST="localhost")
    floor = p95(_timings(anonymous, "/toegankelijkheid/", rounds))
    for persona in PERSONAS:
        client = Client(HTTP_HOST="localhost")
        client.force_login(User.objects.get(username=persona.username))
        for path in ["/", *extra_pages.get(persona.role, [])]:
            report(
                f"{path} p95, {persona.username} ({persona.role})",
                p95(_timings(client, path, rounds)),
                "ms",
                ceiling_name="static page, same stack",
                ceiling=floor,
                target="p95 <= 150 ms",
            )


# --- an HTTP client with a cookie jar (http.client: nothing to install) ------------------------------------------


class Browser:
    """One keep-alive connection with its own cookies, as one person's browser."""

    def __init__(self, base: str, cookies: dict[str, str] | None = None) -> None:
        parts = urllib.parse.urlsplit(base)
        self.host, self.port, self.base = parts.hostname, parts.port or 80, base.rstrip("/")
        self.cookies = dict(cookies or {})
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=120)

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, str, str]:
        """Status, Location and body; cookies kept. A form gets the CSRF token from the cookie."""
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()), "Referer": self.base + "/"}
        body = None
        if form is not None:
            form = {"csrfmiddlewaretoken": self.cookies.get("csrftoken", ""), **form}
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
        except (http.client.HTTPException, OSError):  # the server closed the keep-alive connection: once more
            self.conn.close()
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
        text = response.read().decode("utf-8", errors="replace")
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, val = value.split(";")[0].partition("=")
                self.cookies[key.strip()] = val.strip('"')
        return response.status, response.getheader("Location") or "", text

    def get(self, path: str) -> tuple[int, str, str]:
        return self.request("GET", path)

    def post(self, path: str, form: dict) -> tuple[int, str, str]:
        return self.request("POST", path, form)

    def log_in(self, username: str) -> "Browser":
        self.get("/account/inloggen/")  # the CSRF cookie
        status, location, _ = self.post("/account/demo/persona/", {"username": username})
        assert status == 302 and "sessionid" in self.cookies, (username, status, location)
        return self


# --- 2. pages under 16 concurrent clients -------------------------------------------------------------------------


def hammer(
    base: str, cookies: dict, path: str, seconds: float, clients: int = CLIENTS, pid: int | None = None
) -> tuple[float, float, float]:
    """`clients` keep-alive clients ask for `path` for `seconds`: pages per second, p95 in ms and the CPU per page
    of process `pid` (0 without it), the warm-up requests not counted."""
    samples: list[list[float]] = [[] for _ in range(clients)]
    failures: list[int] = []
    ready = threading.Barrier(clients + 1)
    stop_at = [0.0]

    def client(mine: list[float]) -> None:
        browser = Browser(base, cookies)
        browser.get(path)  # the connection open before the clock starts
        ready.wait()
        while (started := time.perf_counter()) < stop_at[0]:
            status, _, _ = browser.get(path)
            mine.append((time.perf_counter() - started) * 1000)
            if status != 200:
                failures.append(status)

    threads = [threading.Thread(target=client, args=(mine,)) for mine in samples]
    for thread in threads:
        thread.start()
    stop_at[0] = time.perf_counter() + 3600
    ready.wait()
    cpu_before = cpu_seconds(pid)
    began = time.perf_counter()
    stop_at[0] = began + seconds
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    cpu = cpu_seconds(pid) - cpu_before
    assert not failures, (path, failures[:5])
    flat = [s for mine in samples for s in mine]
    return len(flat) / elapsed, p95(flat), cpu * 1000 / max(len(flat), 1)


def cpu_seconds(pid: int | None) -> float:
    """CPU time (user + system) a process has used so far, 0 when unknown: on a shared machine the rate moves
    with the neighbours' load, the server's CPU per page much less."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, TypeError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def page_rates(targets: dict[str, str], cookies: dict[str, dict], seconds: float, rounds: int, pids=None) -> dict:
    """Every page on every target in turns, `rounds` times: {(target, page): ([pages/s], [p95 ms], [CPU ms/page])}."""
    figures: dict = {}
    for _ in range(rounds):
        for label, base in targets.items():
            for name, path in HTTP_PAGES:
                rate, p95_ms, cpu = hammer(base, cookies[label], path, seconds, pid=(pids or {}).get(label))
                rates, p95s, cpus = figures.setdefault((label, name), ([], [], []))
                rates.append(rate)
                p95s.append(p95_ms)
                cpus.append(cpu)
    return figures


def report_pages(figures: dict, targets: dict[str, str], report, load: str) -> None:
    for label in targets:
        static_name = HTTP_PAGES[0][0]
        static_rate = statistics.median(figures[(label, static_name)][0])
        suffix = f", {label}" if len(targets) > 1 else ""
        for name, _ in HTTP_PAGES:
            rates, p95s, cpus = figures[(label, name)]
            rate = statistics.median(rates)
            cpu = f", server CPU {statistics.median(cpus):.1f} ms/page" if any(cpus) else ""
            report(
                f"HTTP {name}{suffix}, {CLIENTS} clients, pages/s (p95 {statistics.median(p95s):,.0f} ms{cpu}; {load})",
                rate,
                "pages/s",
                ceiling_name="static page, same server, same run",
                ceiling=static_rate,
                target=">= 0.50 of the static page" if name != static_name else "",
                higher_is_better=True,
            )


# --- 3. the enrolment steps -------------------------------------------------------------------------------------


def _enrolment_path(location: str) -> str:
    match = re.search(r"/inschrijvingen/([0-9a-f-]{36})/", location)
    assert match, f"expected a redirect to the enrolment, got {location!r}"
    return f"/inschrijvingen/{match.group(1)}/"


def _timed(samples: dict, name: str, call):
    started = time.perf_counter()
    result = call()
    samples.setdefault(name, []).append((time.perf_counter() - started) * 1000)
    return result


def _alert(page: str) -> str:
    """The page's error message, to say why a step was refused."""
    match = re.search(r"utrecht-alert--error.*?<p[^>]*>(.*?)</p>", page, re.S)
    return match.group(1).strip() if match else ""


def _follow(browser: Browser, samples: dict, location: str) -> str:
    """The page the step's redirect leads to (what the person sees next), timed apart."""
    path = urllib.parse.urlsplit(location).path
    status, _, body = _timed(samples, "page after a step", lambda: browser.get(path))
    assert status == 200, (path, status)
    assert "utrecht-alert--error" not in body, f"a step was refused: {_alert(body)}"
    return body


def step_cycle(learner: Browser, joost: Browser, offering_uuid: str, samples: dict) -> None:
    """One enrolment from booking to payout, every step a form post as the pages send it."""
    key = uuid.uuid4().hex
    status, location, page = _timed(
        samples, "book", lambda: learner.post(f"/inschrijven/{offering_uuid}/", {"key": f"{key}-book"})
    )
    assert status == 302, ("book", status, _alert(page))
    enrolment = _enrolment_path(location)
    _follow(learner, samples, location)

    def step(browser: Browser, name: str, extra: dict | None = None) -> None:
        form = {"step": name, "key": f"{key}-{name}", "note": "", **(extra or {})}
        status, location, _ = _timed(samples, name, lambda: browser.post(f"{enrolment}stap/", form))
        assert status == 302, (name, status)
        _follow(browser, samples, location)

    step(joost, "accept")
    status, _, page = _timed(samples, "confirmation page", lambda: learner.get(f"{enrolment}bevestigen/"))
    assert status == 200, ("confirmation page", status)
    expected = re.search(r'name="expected_own_share_cents" value="(\d+)"', page).group(1)
    form = {"key": f"{key}-reserve", "own_share_agreed": "yes", "expected_own_share_cents": expected}
    status, location, _page = _timed(samples, "reserve", lambda: learner.post(f"{enrolment}bevestigen/", form))
    assert status == 302 and "sterk-inloggen" not in location, ("reserve", status, location, _alert(_page))
    _follow(learner, samples, location)
    step(joost, "start")
    step(joost, "complete", {"percent": "100"})
    step(learner, "confirm")


BENCH_OFFERING = """
from django.utils import timezone
from levenlang.catalog.models import ModeOfDelivery, Module, Offering, Provider
from levenlang.core.categories import Category
provider = Provider.objects.get(staff__username="joost")
module, _ = Module.objects.get_or_create(provider=provider, code="BENCH-STEPS", defaults=dict(
    title_nl="Benchmark: stap voor stap", description_nl="Een module voor de benchmark van de stappen.",
    category=Category.JOB_ORIENTED, mode_of_delivery=ModeOfDelivery.ONLINE, self_paced=True, price_cents=1_000,
    status=Module.Status.PUBLISHED, published_at=timezone.now()))
# A new offering each run: an enrolment an interrupted run left open does not block the next booking.
offering = Offering.objects.create(module=module, code=f"bench-{timezone.now():%Y%m%d%H%M%S%f}", price_cents=1_000)
# Money for the run (the demo's own pots would run dry after a few runs): €1,000 of bench rights for Ineke, the
# learner of the steps (so that Marco's Leerrekening, whose page is measured, stays as the demo has it).
from levenlang.ledger import services as ledger
from levenlang.ledger.models import PotKind, SystemAccount
from levenlang.residents.models import Resident
budget = ledger.system_account(SystemAccount.Kind.BUDGET, "Leerrechten (benchmark)", scheme="bench-pages")
ledger.allocate([ledger.AllocationRow(Resident.objects.get(user__username="ineke").pk, 100_000)],
    run_key=f"bench-pages-{offering.code}", source=budget, pot_kind=PotKind.RIGHTS, lot=f"bench-pages-{offering.code}",
    categories=[Category.JOB_ORIENTED], expires_on=None)
print("OFFERING", offering.uuid)
"""


# --- the server ----------------------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _server_env(db_name: str) -> dict:
    return {
        **os.environ,
        "LEVENLANG_DB_NAME": db_name,
        "DJANGO_SETTINGS_MODULE": "levenlang.conf.settings.dev",
        "DJANGO_DEBUG": "0",
    }


def _manage(env: dict, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def start_server(db_name: str, residents: int) -> tuple[subprocess.Popen, str, str]:
    """`manage.py rundemo` on a free port against `db_name` (demo data loaded first): the process, its base URL
    and the bench offering's uuid."""
    env = _server_env(db_name)
    _ensure_database(db_name)
    _manage(env, "migrate", "-v0")
    _manage(env, "load_demo", "--if-empty", "--residents", str(residents))
    offering = re.search(r"OFFERING (\S+)", _manage(env, "shell", "-c", BENCH_OFFERING)).group(1)
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "manage.py", "rundemo", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,  # stopped as a group: the server and its task worker
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert server.poll() is None, server.stderr.read().decode()
        try:
            if Browser(base).get("/toegankelijkheid/")[0] == 200:
                return server, base, offering
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"the server at {base} did not answer within 120 s")


def stop_server(server: subprocess.Popen) -> None:
    import signal

    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)


def _ensure_database(name: str) -> None:
    """With DATABASE_URL the database may not exist yet; the embedded server creates it by itself."""
    url = os.environ.get("DATABASE_OWNER_URL") or os.environ.get("DATABASE_URL")
    if not url:
        return
    import psycopg

    from levenlang.core.database import ensure_database

    with psycopg.connect(url, autocommit=True) as conn:
        ensure_database(conn, name)


def load_average() -> str:
    one, five, _ = os.getloadavg()
    return f"load {one:.1f}/{five:.1f}"


def over_http(n: int, report) -> None:
    db_name = f"{os.environ.get('LEVENLANG_DB_NAME', 'levenlang_bench')}_http"
    small = n <= 1_000
    server, base, offering = start_server(db_name, residents=min(n, 5_000))
    try:
        targets = {"this code": base}
        cookies = {"this code": Browser(base).log_in("marco").cookies}
        pids = {"this code": server.pid}
        figures = page_rates(targets, cookies, seconds=1.0 if small else 4.0, rounds=1 if small else 3, pids=pids)
        report_pages(figures, targets, report, load_average())
        steps(base, offering, cycles=3 if small else 20, report=report)
    finally:
        stop_server(server)


def steps(base: str, offering: str, cycles: int, report) -> None:
    ineke, joost = Browser(base).log_in("ineke"), Browser(base).log_in("joost")
    status, _, _ = ineke.post("/inschrijvingen/sterk-inloggen/", {"next": "/"})  # the demo's DigiD app
    assert status == 302, status
    samples: dict[str, list[float]] = {}
    step_cycle(ineke, joost, offering, {})  # warm-up
    for _ in range(cycles):
        step_cycle(ineke, joost, offering, samples)
    alone = _static_alone(ineke)
    for name in [*STEPS, "confirmation page", "page after a step"]:
        report(
            f"HTTP step {name} p95 ({cycles} enrolments, one client, {load_average()})",
            p95(samples[name]),
            "ms",
            ceiling_name="static page p50 alone",
            ceiling=alone,
            target="p95 <= 200 ms",
        )


def _static_alone(browser: Browser) -> float:
    times = []
    for _ in range(20):
        started = time.perf_counter()
        browser.get("/toegankelijkheid/")
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def run(n: int, report) -> None:
    in_process(report, rounds=20 if n <= 1_000 else ROUNDS)  # CI's small run proves that it works, quickly
    over_http(n, report)


def main() -> None:
    """Compare running servers (each with the demo data, e.g. two `make demo PORT=…`) in turns."""
    import argparse

    sys.path.insert(0, str(ROOT / "bench"))
    from run import Report

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--against", action="append", required=True, help="base URL of a running server")
    parser.add_argument("--pid", action="append", type=int, default=[], help="its process id (CPU per page)")
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    targets = {base: base for base in args.against}
    cookies = {base: Browser(base).log_in("marco").cookies for base in args.against}
    figures = page_rates(targets, cookies, args.seconds, args.rounds, dict(zip(args.against, args.pid, strict=False)))
    report_pages(figures, targets, Report(), load_average())


if __name__ == "__main__":
    main()
