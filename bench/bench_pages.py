"""Server time of each persona's home page on the demo data of size n (DESIGN.md §8: p95 ≤ 150 ms).

Requests go through the whole Django stack in-process (middleware, session, templates, queries), without
a network. The ceiling is the accessibility statement through the same stack: a page with the same layout
and no queries, i.e. the fastest any page can be here.
"""

import statistics
import time

from django.test import Client

from levenlang.core.models import User
from levenlang.demo.personas import PERSONAS

ROUNDS = 60


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
    anonymous = Client(HTTP_HOST="localhost")
    floor = p95(_timings(anonymous, "/toegankelijkheid/"))
    for persona in PERSONAS:
        client = Client(HTTP_HOST="localhost")
        client.force_login(User.objects.get(username=persona.username))
        samples = _timings(client, "/")
        report(
            f"home page p95, {persona.username} ({persona.role})",
            p95(samples),
            "ms",
            ceiling_name="static page, same stack",
            ceiling=floor,
            target="p95 <= 150 ms",
        )
