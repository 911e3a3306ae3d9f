"""Server time of each persona's home page, and of the Leerrekening and audit-log pages, on the demo data of
size n (docs/performance.md: p95 ≤ 150 ms).

Requests go through the whole Django stack in-process (middleware, session, templates, queries), without
a network. The ceiling is the accessibility statement through the same stack: a page with the same layout
and no queries, i.e. the fastest any page can be here.
"""

import statistics
import time

from django.test import Client

from levenlang.core.models import User
from levenlang.core.roles import Role
from levenlang.demo.ledger import demo_ledger_present, load_demo_ledger
from levenlang.demo.personas import PERSONAS

ROUNDS = 60
# Besides each persona's home page: the pages with the most data behind them.
EXTRA_PAGES = {Role.RESIDENT: ["/leerrekening/"], Role.ADMINISTRATOR: ["/beheer/audit/"]}


def _timings(client: Client, path: str) -> list[float]:
    client.get(path)  # warm-up: templates compiled, connection open
    samples = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        response = client.get(path)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    return samples


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1]


def run(n: int, report) -> None:
    if not demo_ledger_present():  # the personas' money, so that the Leerrekening pages show real statements
        load_demo_ledger()
    anonymous = Client(HTTP_HOST="localhost")
    floor = p95(_timings(anonymous, "/toegankelijkheid/"))
    for persona in PERSONAS:
        client = Client(HTTP_HOST="localhost")
        client.force_login(User.objects.get(username=persona.username))
        for path in ["/", *EXTRA_PAGES.get(persona.role, [])]:
            report(
                f"{path} p95, {persona.username} ({persona.role})",
                p95(_timings(client, path)),
                "ms",
                ceiling_name="static page, same stack",
                ceiling=floor,
                target="p95 <= 150 ms",
            )
