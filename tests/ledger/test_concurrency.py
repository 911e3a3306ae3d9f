"""Concurrency on real PostgreSQL: 16 OS processes race on three residents with
reserve / post / void through ledger.services, each operation with its own idempotency key and some keys used by
two processes at once. Afterwards: every accepted operation is applied exactly once, every refused one left no
trace, no pot ever went below zero (watched while the race runs), reconcile() finds nothing, and the processes
that shared a key got the same answer.

The data must be committed to be seen by other processes, hence `transaction=True`; the workers connect to this
test's database through DATABASE_URL (see race_worker.py).
"""

import datetime
import json
import random
import subprocess
import sys
import threading
import time
from collections import defaultdict

import pytest
from django.db import connection, transaction

from levenlang.core.models import AuditEvent
from levenlang.core.regions import ensure_regions
from levenlang.ledger import services
from levenlang.ledger.errors import LedgerError
from levenlang.ledger.models import Category, Command, Journal, Leerrekening, Pot, PotKind, Reservation, SystemAccount
from levenlang.ledger.reconcile import reconcile
from tests.factories import ResidentFactory
from tests.processes import ROOT, child_env

WORKERS = 16
OPS_PER_WORKER = 30
RESIDENTS = 3
START_CENTS = 100_000  # € 1.000,00 each
CONTESTED_PER_RESIDENT = 3
CONTESTED_CENTS = 5_000


def min_available() -> tuple[int, int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(min(posted_cents - pending_cents), 0), count(*) FILTER (WHERE pending_cents < 0) "
            "FROM ledger_pot"
        )
        return cursor.fetchone()


def make_plan(rng: random.Random, residents: list[int], contested: list[str], expires_at: str, payee: int) -> dict:
    ops: list[list[dict]] = [[] for _ in range(WORKERS)]

    def reserve(key, resident, price, category=Category.STUDY):
        return {
            "op": "reserve",
            "key": key,
            "resident": resident,
            "category": int(category),
            "price": price,
            "expires_at": expires_at,
        }

    # First, pairs of processes that share keys: the same request sent by both at the same moment (both must get
    # the first result), and one key with two different requests (one is accepted, the other is a 409). Prices
    # are small enough that no pot runs dry in this phase, so every answer here is fixed by the rules.
    for pair in range(WORKERS // 2):
        a, b = 2 * pair, 2 * pair + 1
        resident = residents[pair % RESIDENTS]
        shared = [
            reserve(f"shared-reserve-{pair}", resident, rng.randint(1_000, 10_000)),
            {"op": "post", "key": f"shared-post-{pair}", "of": f"shared-reserve-{pair}", "amount": None},
            {"op": "void", "key": f"shared-void-{pair}", "reservation": contested[pair]},
        ]
        for op in shared:
            ops[a].append({**op, "partner": b})
            ops[b].append({**op, "partner": a})
        price = rng.randint(1_000, 10_000)
        ops[a].append({**reserve(f"conflict-{pair}", resident, price), "partner": b})
        ops[b].append({**reserve(f"conflict-{pair}", resident, price + 1), "partner": a})
    for worker in range(WORKERS):
        ops[worker].append({"op": "barrier", "key": "shared-keys-done"})

    # Then each process on its own: reservations on random residents, posts (full and partial) and voids of
    # its own reservations, and posts and voids of the contested reservations that every process goes for.
    for worker in range(WORKERS):
        mine: list[dict] = []
        for n in range(OPS_PER_WORKER):
            key = f"w{worker}-{n}"
            roll = rng.random()
            if roll < 0.5 or not mine:
                op = reserve(key, rng.choice(residents), rng.randint(500, 12_000), rng.choice(list(Category)))
                mine.append(op)
            elif roll < 0.75:
                target = rng.choice(mine)
                amount = rng.choice([None, rng.randint(1, target["price"])])
                op = {"op": "post", "key": key, "of": target["key"], "amount": amount}
            elif roll < 0.85:
                op = {"op": "void", "key": key, "of": rng.choice(mine)["key"]}
            else:
                which = rng.choice(contested)
                op = rng.choice(
                    [
                        {"op": "void", "key": key, "reservation": which},
                        {"op": "post", "key": key, "reservation": which, "amount": rng.choice([None, 1_234])},
                    ]
                )
            ops[worker].append(op)
    return {"workers": WORKERS, "payee": payee, "ops": ops}


@pytest.mark.django_db(transaction=True)
def test_sixteen_processes_racing_on_three_accounts_apply_every_accepted_operation_exactly_once(tmp_path):
    ensure_regions()
    residents = [ResidentFactory().pk for _ in range(RESIDENTS)]
    budget = services.system_account(SystemAccount.Kind.BUDGET, "Leerrechten 2026", scheme="leerrechten", year=2026)
    payee = services.system_account(SystemAccount.Kind.PROVIDER_PAYABLE, "Opleider", scheme="opleider")
    for resident in residents:
        services.deposit(
            key=f"start-{resident}",
            resident_id=resident,
            source=budget,
            pot_kind=PotKind.RIGHTS,
            lot="2026",
            amount_cents=START_CENTS,
            categories=list(Category),
            expires_on=None,
            description="start",
        )
    expires_at = (datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=1)).isoformat()
    contested, resident_of, reserved_of = [], {}, {}
    for resident in residents:
        for n in range(CONTESTED_PER_RESIDENT):
            result = services.reserve(
                key=f"contested-{resident}-{n}",
                resident_id=resident,
                category=Category.STUDY,
                price_cents=CONTESTED_CENTS,
                payee=payee,
                expires_at=datetime.datetime.fromisoformat(expires_at),
            )
            contested.append(result["reservation"])
            resident_of[result["reservation"]], reserved_of[result["reservation"]] = resident, CONTESTED_CENTS
    setup_keys = set(Command.objects.values_list("key", flat=True))

    seed = random.randrange(2**32)
    plan = make_plan(random.Random(seed), residents, contested, expires_at, payee.pk)
    (tmp_path / "plan.json").write_text(json.dumps(plan))
    out_dir = tmp_path / "out"
    out_dir.mkdir()

    # Race, and watch the pots while it runs: none may ever be below zero counting reservations.
    started = time.monotonic()
    race = subprocess.Popen(
        [sys.executable, "-m", "tests.ledger.race_worker", str(tmp_path / "plan.json"), str(out_dir)],
        cwd=ROOT,
        env=child_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lowest, samples = 0, 0
    while race.poll() is None:
        low, negative_pending = min_available()
        assert negative_pending == 0
        lowest, samples = min(lowest, low), samples + 1
        time.sleep(0.005)
        assert time.monotonic() - started < 120, "the race did not finish in two minutes"
    output = race.stdout.read()
    assert race.returncode == 0, f"seed {seed}: a worker failed:\n{output}"
    assert lowest >= 0, f"seed {seed}: a pot went below zero counting reservations ({lowest} cents)"
    assert samples > 0

    records = [
        json.loads(line) for path in sorted(out_dir.glob("worker-*.jsonl")) for line in path.read_text().splitlines()
    ]
    assert len(records) == WORKERS * (OPS_PER_WORKER + 4)
    errors = [r for r in records if r["outcome"] == "error"]
    assert not errors, f"seed {seed}: unexpected errors (not a LedgerError refusal):\n" + "\n".join(
        e["message"] for e in errors
    )
    assert all(r["met_partner"] for r in records if "partner" in r), "the processes that share a key did not meet"
    accepted = [r for r in records if r["outcome"] == "accepted"]
    refused = [r for r in records if r["outcome"] == "refused"]
    assert accepted and refused, "a race without both outcomes proves little"
    print(
        f"race (seed {seed}): {len(records)} operations by {WORKERS} processes in {time.monotonic() - started:.1f} s, "
        f"{len(accepted)} accepted, {len(refused)} refused; lowest available balance seen {lowest} cents "
        f"in {samples} samples"
    )
    assert {r["error"] for r in refused} <= {
        "NothingToPayWith",
        "InvalidTransition",
        "InvalidAmount",
        "IdempotencyConflict",
    }

    # Every accepted operation is applied exactly once: one Command per key, holding the answer that was given.
    first_result = {}
    for r in accepted:
        first_result.setdefault(r["key"], r["result"])
    commands = dict(Command.objects.exclude(key__in=setup_keys).values_list("key", "result"))
    assert commands == first_result, f"seed {seed}: the stored commands are not exactly the accepted operations"

    # Reservations: exactly the accepted ones (plus the contested ones made before the race); a refused
    # reservation left no row, no part and no hold.
    for r in accepted:
        if r["op"] == "reserve":
            resident_of[r["result"]["reservation"]] = r["resident"]
            reserved_of[r["result"]["reservation"]] = r["result"]["covered_cents"]
    assert {str(u) for u in Reservation.objects.values_list("uuid", flat=True)} == set(resident_of)

    # Each reservation resolved at most once, by exactly the accepted post or void, and never by a refused one.
    resolved_by = defaultdict(set)
    for r in accepted:
        if r["op"] in ("post", "void"):
            resolved_by[r["reservation"]].add((r["op"], r["key"], json.dumps(r["result"], sort_keys=True)))
    posted_of = {}
    for uuid_, resolutions in resolved_by.items():
        assert len(resolutions) == 1, f"seed {seed}: reservation {uuid_} resolved more than once: {resolutions}"
        op, _key, result = next(iter(resolutions))
        if op == "post":
            posted_of[uuid_] = json.loads(result)["posted_cents"]
    for reservation in Reservation.objects.all():
        uuid_ = str(reservation.uuid)
        expected = "posted" if uuid_ in posted_of else "voided" if uuid_ in resolved_by else "pending"
        assert reservation.status == expected, f"seed {seed}: {uuid_} is {reservation.status}, expected {expected}"
        assert reservation.posted_cents == posted_of.get(uuid_)
        assert reservation.reserved_cents == reserved_of[uuid_]

    # The money: per resident, the pots hold the start minus what was paid out, and hold back exactly the open
    # reservations; the provider received exactly the accepted payouts, in one journal each.
    for resident in residents:
        pots = Pot.objects.filter(leerrekening_id=resident)
        paid = sum(cents for uuid_, cents in posted_of.items() if resident_of[uuid_] == resident)
        held = sum(
            cents for uuid_, cents in reserved_of.items() if resident_of[uuid_] == resident and uuid_ not in resolved_by
        )
        assert sum(p.posted_cents for p in pots) == START_CENTS - paid
        assert sum(p.pending_cents for p in pots) == held
        assert all(p.posted_cents >= p.pending_cents >= 0 for p in pots)
    assert sum(payee.legs.values_list("amount_cents", flat=True)) == sum(posted_of.values())
    assert Journal.objects.filter(kind=Journal.Kind.PAYOUT).count() == len(posted_of)
    assert AuditEvent.objects.filter(action="money_movement").count() == RESIDENTS + len(posted_of)
    assert reconcile() == []

    # Keys used by two processes at the same moment. Same request: both got the first result. Other request:
    # one was accepted, the other refused with a 409.
    wrong = []
    for pair in range(WORKERS // 2):
        for key in (f"shared-reserve-{pair}", f"shared-post-{pair}", f"shared-void-{pair}", f"conflict-{pair}"):
            a, b = (r for r in records if r["key"] == key)
            answers = sorted((r["outcome"], r.get("error", "")) for r in (a, b))
            if key.startswith("conflict"):
                ok = answers == [("accepted", ""), ("refused", "IdempotencyConflict")]
            else:
                ok = answers == [("accepted", "")] * 2 and a["result"] == b["result"]
            if not ok:
                wrong.append(
                    f"{key}: {a['outcome']} {a.get('result') or a.get('message')} / "
                    f"{b['outcome']} {b.get('result') or b.get('message')}"
                )
    assert not wrong, f"seed {seed}: a key shared by two processes got the wrong answers:\n" + "\n".join(wrong)


# --- the race on one key, made deterministic -------------------------------------------------------------


def waiting_on_a_lock() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")  # else the view is frozen for the whole transaction
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


def race_two(resident_id: int, calls) -> list[tuple]:
    """Run two calls in two threads (two database sessions) that both get past the idempotency check and then
    queue on the person's lock, which this test holds until both wait; return their answers."""
    answers: list = [None, None]

    def send(n):
        try:
            answers[n] = ("accepted", calls[n]())
        except LedgerError as exc:
            answers[n] = ("refused", type(exc).__name__, str(exc))
        except Exception as exc:
            answers[n] = ("error", repr(exc))
            raise
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(n,)) for n in range(2)]
    with transaction.atomic():
        Leerrekening.objects.select_for_update().get(pk=resident_id)
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 10
        while waiting_on_a_lock() < 2:
            assert time.monotonic() < deadline, f"the two requests never queued on the lock: {answers}"
            time.sleep(0.01)
    for thread in threads:
        thread.join(timeout=20)
    return answers


class OneAccount:
    """A resident with € 100,00 (committed), a payee, and the request `reserve(price)`."""

    def __init__(self):
        ensure_regions()
        self.resident = ResidentFactory()
        budget = services.system_account(SystemAccount.Kind.BUDGET, "Leerrechten 2026", scheme="leerrechten", year=2026)
        self.payee = services.system_account(SystemAccount.Kind.PROVIDER_PAYABLE, "Opleider", scheme="opleider")
        services.deposit(
            key="start",
            resident_id=self.resident.pk,
            source=budget,
            pot_kind=PotKind.RIGHTS,
            lot="2026",
            amount_cents=10_000,
            categories=list(Category),
            expires_on=None,
            description="start",
        )
        self.expires_at = datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=1)

    def reserve(self, price: int, key: str = "the-key") -> dict:
        return services.reserve(
            key=key,
            resident_id=self.resident.pk,
            category=Category.STUDY,
            price_cents=price,
            payee=self.payee,
            expires_at=self.expires_at,
        )


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("operation", "price"),
    [("reserve", 3_000), ("reserve", 10_000), ("post", 10_000), ("void", 10_000)],
    ids=["reserve-money-left", "reserve-all-money", "post", "void"],
)
def test_one_request_sent_twice_at_the_same_moment_gets_one_answer(operation, price):
    """Two copies of one request (same key, same content: a client's retry while the first is still running)
    both pass the idempotency check before either has stored its result, then queue on the person's lock.
    The second must get the first one's result, not a refusal caused by the first one's effect."""
    account = OneAccount()
    if operation == "reserve":
        call = lambda: account.reserve(price)  # noqa: E731
    else:
        reservation = account.reserve(price, key="made-before")["reservation"]
        function = services.post if operation == "post" else services.void
        call = lambda: function(key="the-key", reservation_uuid=reservation)  # noqa: E731
    answers = race_two(account.resident.pk, [call, call])
    assert answers[0] == answers[1], f"one key, one request, two answers: {answers}"
    assert answers[0][0] == "accepted"
    assert Command.objects.filter(key="the-key").count() == 1
    assert reconcile() == []


@pytest.mark.django_db(transaction=True)
def test_one_key_with_two_requests_at_the_same_moment_gets_one_acceptance_and_one_409():
    account = OneAccount()
    answers = race_two(account.resident.pk, [lambda: account.reserve(10_000), lambda: account.reserve(12_000)])
    outcomes = sorted((answer[0], answer[1] if answer[0] == "refused" else "") for answer in answers)
    assert outcomes == [("accepted", ""), ("refused", "IdempotencyConflict")], answers
    assert Reservation.objects.count() == 1
    assert reconcile() == []
