"""Enrolment bookings per second through the service layer (`enrolment.services.reserve`: lock the enrolment, the
strong-login check, the module's funded-place lock and count, the ledger's waterfall reservation, the status
change and its event, all under one idempotency key), beside the bare `ledger.services.reserve` for the same
residents and prices as the ceiling. Same number of worker processes for both (16 by default, as docs/performance.md).

Set-up (not measured): the first min(N, 20,000) residents get €10,000 of learning rights (`services.allocate`);
one provider with 50 modules, each with a funded-place cap (so that every booking takes the cap's lock and count)
and one offering; then one accepted enrolment per resident (rows written directly: the set-up is not what is
measured). Each worker books its own share of those enrolments until the time is up or it has none left.

After each run: no pot below zero counting reservations, `reconcile()` finds nothing, and the cap was respected.
LEVENLANG_BENCH_SECONDS (default 2 at N ≤ 1,000, else 10) and LEVENLANG_BENCH_WORKERS set the size.
"""

import datetime
import multiprocessing
import os
import statistics
import time

WORKERS = int(os.environ.get("LEVENLANG_BENCH_WORKERS", "16"))
MAX_RESIDENTS = 20_000
MODULES = 50
PRICE_CENTS = 50_000


def _book(mode: str, jobs: list[tuple], payee_id: int, seconds: float, start: float, out) -> None:
    """One worker: book `jobs` (enrolment uuid, resident id) until `start + seconds`; report count and latencies."""
    from django.db import connection

    from levenlang.core.models import User
    from levenlang.enrolment import services
    from levenlang.ledger import services as ledger
    from levenlang.ledger.models import Category, SystemAccount

    connection.ensure_connection()
    payee = SystemAccount.objects.get(pk=payee_id)
    users = dict(User.objects.filter(resident__id__in=[r for _, r in jobs]).values_list("resident__id", "pk"))
    actors = User.objects.in_bulk(list(users.values()))
    expires_at = datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=200)
    while time.time() < start:
        time.sleep(0.001)
    end = start + seconds
    done, errors, latencies = 0, 0, []
    for enrolment_uuid, resident_id in jobs:
        if time.time() >= end:
            break
        began = time.perf_counter()
        try:
            if mode == "service":
                services.reserve(
                    enrolment_uuid,
                    actor=actors[users[resident_id]],
                    key=f"bench-enrolment:{enrolment_uuid}",
                    strong_login_at=datetime.datetime.now(datetime.UTC),
                )
            else:
                ledger.reserve(
                    key=f"bench-ledger:{enrolment_uuid}",
                    resident_id=resident_id,
                    category=Category.JOB_ORIENTED,
                    price_cents=PRICE_CENTS,
                    payee=payee,
                    expires_at=expires_at,
                    reference="bench",
                )
        except Exception as exc:  # counted and shown, never silent
            errors += 1
            if errors <= 3:
                print(f"   worker: {exc.__class__.__name__}: {exc}", flush=True)
            continue
        if time.time() <= end:
            done += 1
            latencies.append(time.perf_counter() - began)
    connection.close()
    out.put((done, errors, latencies))


def _race(mode: str, jobs: list[tuple], payee_id: int, seconds: float) -> dict:
    from django.db import connections

    connections.close_all()  # nothing may be shared across fork
    context = multiprocessing.get_context("fork")
    out = context.Queue()
    start = time.time() + 1.0
    shares = [jobs[i::WORKERS] for i in range(WORKERS)]
    processes = [context.Process(target=_book, args=(mode, share, payee_id, seconds, start, out)) for share in shares]
    for process in processes:
        process.start()
    results = [out.get(timeout=seconds + 120) for _ in processes]
    for process in processes:
        process.join(timeout=30)
    finished = min(time.time(), start + seconds) - start
    latencies = sorted(x for _, _, lat in results for x in lat)
    done = sum(r[0] for r in results)
    return {
        "done": done,
        "errors": sum(r[1] for r in results),
        "rate": done / finished if finished > 0 else float("nan"),
        "p50_ms": statistics.median(latencies) * 1000 if latencies else float("nan"),
        "p95_ms": latencies[int(0.95 * (len(latencies) - 1))] * 1000 if latencies else float("nan"),
        "ran_out": done == len(jobs),
    }


def _check_books(what: str, module_ids: list[int], cap: int) -> None:
    from django.db import connection
    from django.db.models import Count

    from levenlang.enrolment.models import FUNDED_STATUSES, Enrolment
    from levenlang.ledger.reconcile import reconcile

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM ledger_pot WHERE posted_cents < pending_cents")
        (overdrafts,) = cursor.fetchone()
    over_cap = list(
        Enrolment.objects.filter(module_id__in=module_ids, status__in=FUNDED_STATUSES)
        .values("module_id", "funded_quarter")
        .annotate(n=Count("id"))
        .filter(n__gt=cap)
        .values_list("module_id", flat=True)
    )
    differences = reconcile()
    print(
        f"   after {what}: {overdrafts} overdrafts, {len(over_cap)} modules over their cap, "
        f"reconcile: {len(differences)} differences",
        flush=True,
    )
    if overdrafts or differences or over_cap:
        raise AssertionError(f"after {what}: {overdrafts} overdrafts, over cap {over_cap}; {differences[:5]}")


def run(n: int, report) -> None:
    from django.db import connection
    from django.utils import timezone

    from levenlang.catalog.models import ModeOfDelivery, Module, Offering, Provider
    from levenlang.core.models import Region
    from levenlang.enrolment import services
    from levenlang.enrolment.models import Enrolment, Status
    from levenlang.ledger import services as ledger
    from levenlang.ledger.models import Category, PotKind, SystemAccount
    from levenlang.residents.models import Resident

    seconds = float(os.environ.get("LEVENLANG_BENCH_SECONDS", "2" if n <= 1_000 else "10"))
    residents = list(
        Resident.objects.filter(user__isnull=False).order_by("id").values_list("id", flat=True)[: min(n, MAX_RESIDENTS)]
    )
    if len(residents) < min(n, MAX_RESIDENTS):  # the demo population gives users to personas only: add logins
        from django.contrib.auth import get_user_model

        user_model = get_user_model()
        missing = list(
            Resident.objects.filter(user__isnull=True).order_by("id")[: min(n, MAX_RESIDENTS) - len(residents)]
        )
        names = {f"bench-{r.uuid}": r for r in missing}  # a rerun after a new demo load finds its users again
        user_model.objects.bulk_create(
            [user_model(username=name, role="resident") for name in names], batch_size=5_000, ignore_conflicts=True
        )
        for user in user_model.objects.filter(username__in=list(names), resident__isnull=True):
            names[user.username].user = user
        missing = [r for r in missing if r.user_id is not None]
        Resident.objects.bulk_update(missing, ["user"], batch_size=5_000)
        residents = list(
            Resident.objects.filter(user__isnull=False)
            .order_by("id")
            .values_list("id", flat=True)[: min(n, MAX_RESIDENTS)]
        )
    if not residents:
        print("   no residents in the bench database: run bench_demo_load first; skipped", flush=True)
        return

    stamp = timezone.now().strftime("%Y%m%d%H%M%S")
    budget = ledger.system_account(SystemAccount.Kind.BUDGET, "Leerrechten (benchmark)", scheme="bench-enrolment")
    ledger.allocate(
        [ledger.AllocationRow(r, 1_000_000) for r in residents],
        run_key=f"bench-enrolment-{stamp}",
        source=budget,
        pot_kind=PotKind.RIGHTS,
        lot=f"bench-enrolment-{stamp}",
        categories=list(Category),
        expires_on=None,
    )
    provider, _created = Provider.objects.get_or_create(
        kvk_number="99999990",
        defaults={
            "name": "Opleider (benchmark)",
            "kind": Provider.Kind.PRIVATE,
            "status": Provider.Status.APPROVED,
            "region": Region.objects.order_by("id").first(),
        },
    )
    cap = len(residents)  # generous: the cap's lock and count run on every booking, but nobody is refused
    modules = [
        Module.objects.create(
            provider=provider,
            code=f"bench-{stamp}-{m}",
            title_nl=f"Module {m} (benchmark)",
            category=Category.JOB_ORIENTED,
            mode_of_delivery=ModeOfDelivery.ONLINE,
            self_paced=True,
            price_cents=PRICE_CENTS,
            status=Module.Status.PUBLISHED,
            funded_place_cap=cap,
        )
        for m in range(MODULES)
    ]
    offerings = [
        Offering.objects.create(module=m, code="bench", start_date=None, price_cents=PRICE_CENTS) for m in modules
    ]
    payee = services.provider_payable(provider)

    def accepted_enrolments() -> list[tuple]:
        rows = [
            Enrolment(
                resident_id=r,
                offering=offerings[i % MODULES],
                module=modules[i % MODULES],
                provider=provider,
                status=Status.ACCEPTED,
                price_cents=PRICE_CENTS,
                category=Category.JOB_ORIENTED,
            )
            for i, r in enumerate(residents)
        ]
        Enrolment.objects.bulk_create(rows, batch_size=5_000)
        return [(str(e.uuid), e.resident_id) for e in rows]

    jobs = accepted_enrolments()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    size = f"{len(residents):,} residents, {MODULES} capped modules, {WORKERS} workers, {seconds:g} s"

    service = _race("service", jobs, payee.pk, seconds)
    print(
        f"   enrolment.services.reserve: {service['done']:,} bookings, {service['errors']} errors, "
        f"p50 {service['p50_ms']:.1f} ms, p95 {service['p95_ms']:.1f} ms"
        + (" (ran out of enrolments before the time was up)" if service["ran_out"] else ""),
        flush=True,
    )
    _check_books("the enrolment run", [m.pk for m in modules], cap)

    bare = _race("ledger", jobs, payee.pk, seconds)
    print(
        f"   ledger.services.reserve: {bare['done']:,} reservations, {bare['errors']} errors, "
        f"p50 {bare['p50_ms']:.1f} ms, p95 {bare['p95_ms']:.1f} ms",
        flush=True,
    )
    _check_books("the ledger run", [m.pk for m in modules], cap)

    report(
        f"enrolment bookings through enrolment.services.reserve ({size})",
        service["rate"],
        "bookings/s",
        ceiling_name="bare ledger.services.reserve, same residents, prices and workers",
        ceiling=bare["rate"],
        target="≥ 1,000/s (docs/performance.md, reservations)",
        higher_is_better=True,
    )
