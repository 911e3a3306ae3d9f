"""Catalogue search: a keyword plus two facets over 100,000 published modules (docs/performance.md: p95 ≤ 50 ms).

Set-up (once; a rerun reuses the rows): 200 approved providers and 100,000 modules (fewer when n < 10,000, for the
CI smoke run) generated in SQL with INSERT … SELECT: titles and descriptions drawn from a Dutch vocabulary of
course words (6 words per module drawn uniformly from 117, so each word is in about 5% of the modules), every
category, mode and level, a quarter self-paced; 1–2 offerings per module placed at a postcode area's centre, in the
nearest region. The generated tsvector column (Dutch and English) is computed by PostgreSQL on insert, as in
production; the offerings' trigger fills the modules' offering_* columns. Then VACUUM (FULL for the modules).

Measured over QUERIES searches, each one word of the vocabulary (popular words more often: power(random, 2)) plus
two facets drawn from category, mode, level, region, self-paced, start window, distance from a postcode:

1. service: `catalog.services.search` — the results page (20, ranked), the counts per facet value over all
   results and the total, the best-fitting offering and the reasons each shown result matches. What a page gets.
2. ceiling: the bare SQL of the results page alone (the same statement the service sends first), via a cursor.

A warm-up round, then ROUNDS (5) measured rounds of the same 200 queries; each figure is the median over the rounds
of that round's p95 (or median), because the development machine is shared and single rounds vary by ±50%.
"""

import datetime
import random
import statistics
import time

from django.db import connection

QUERIES = 200
ROUNDS = 5
PROVIDERS = 200
# A Dutch vocabulary of course words, most frequent first.
WORDS = (  # noqa: SIM905 (a list of 117 words is easier to read as text)
    "lassen techniek zorg verpleging excel digitale vaardigheden nederlands taal rekenen veiligheid heftruck "
    "installatie warmtepomp zonnepanelen elektrotechniek onderhoud monteur programmeren python data analyse "
    "projectmanagement leidinggeven communicatie klantcontact verkoop marketing boekhouden administratie "
    "logistiek transport chauffeur bouw timmeren metselen schilderen loodgieter kinderopvang onderwijs coaching "
    "loopbaan sollicitatie duurzaam energie circulair lean kwaliteit hygiëne voeding horeca koken bakken "
    "beveiliging cybersecurity netwerk cloud webdesign fotografie zorgtechnologie dementie medicatie "
    "welzijn jeugd psychologie mediation juridisch privacy inkoop financiën belasting ondernemen zzp "
    "agrarisch tuinbouw dierverzorging groen hovenier interieur mode textiel drukwerk grafisch media "
    "Engels Duits Frans Spaans presenteren schrijven lezen plannen organiseren teamwork feedback conflict "
    "stress vitaliteit sport bewegen fysiotherapie apotheek laboratorium chemie procestechniek operator "
    "CNC frezen draaien PLC besturing robot automatisering sensor drone luchtvaart maritiem haven"
).split()
FILLER = [
    "praktijk",
    "basis",
    "gevorderd",
    "cursus",
    "training",
    "module",
    "opleiding",
    "traject",
    "workshop",
    "leergang",
]


def _generate(modules: int) -> None:
    from levenlang.catalog.postcodes import PC2_CENTRES, nearest_region_code

    # Offerings are placed as catalog.services.place_offering places them: at a postcode area's centre, in the
    # labour market region nearest to it.
    areas = sorted(PC2_CENTRES.items())
    places = {
        "pc2": [pc2 for pc2, _ in areas],
        "lat": [lat for _, (_town, lat, _lon) in areas],
        "lon": [lon for _, (_town, _lat, lon) in areas],
        "region": [nearest_region_code((lat, lon)) for _, (_town, lat, lon) in areas],
        "n": len(areas),
    }
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO catalog_provider (uuid, kvk_number, name, kind, status, region_id, suspension_reason)
            SELECT gen_random_uuid(), lpad((90000000 + i)::text, 8, '0'), 'Bench opleider ' || i,
                   CASE WHEN i %% 4 = 0 THEN 'public' ELSE 'private' END, 'approved',
                   (SELECT id FROM core_region ORDER BY id OFFSET i %% 35 LIMIT 1), ''
              FROM generate_series(1, %s) i
            """,
            [PROVIDERS],
        )
        # Each module draws 6 words uniformly from the vocabulary (titles 2, descriptions 4), so a word is in about
        # 1 - (1 - 1/117)^6 ≈ 5% of the modules: some 5,000 matches per keyword at 100,000 modules.
        cursor.execute(
            """
            WITH p AS (SELECT array_agg(id ORDER BY id) AS ids FROM catalog_provider
                        WHERE name LIKE 'Bench opleider %%'),
                 v AS (SELECT %(words)s::text[] AS w, %(filler)s::text[] AS f, cardinality(%(words)s::text[]) AS n)
            INSERT INTO catalog_module (uuid, provider_id, kind, code, title_nl, title_en, description_nl,
                   description_en, category, skills, level, mode_of_delivery, self_paced, study_load_unit,
                   study_load_value, price_cents, language, status, published_at, created_at, updated_at)
            SELECT gen_random_uuid(), p.ids[1 + i %% %(providers)s], 'course', 'BENCH-' || i,
                   initcap(v.w[1 + floor(random() * v.n)::int]) || ' ' || v.f[1 + floor(random() * 10)::int]
                     || ' ' || v.w[1 + floor(random() * v.n)::int],
                   '',
                   'In deze ' || v.f[1 + floor(random() * 10)::int] || ' leer je '
                     || v.w[1 + floor(random() * v.n)::int] || ' en '
                     || v.w[1 + floor(random() * v.n)::int] || '. Je oefent met '
                     || v.w[1 + floor(random() * v.n)::int] || ' in de praktijk van '
                     || v.w[1 + floor(random() * v.n)::int] || '.',
                   '',
                   (ARRAY[1, 2, 4, 8, 16])[1 + i %% 5],
                   ARRAY[v.w[1 + floor(random() * v.n)::int]]::varchar[],
                   (ARRAY['eqf_1','eqf_2','eqf_3','eqf_4','eqf_5','eqf_6',''])[1 + floor(random() * 7)::int],
                   (ARRAY['online','hybrid','blended','presential','work_based'])[1 + floor(random() * 5)::int],
                   random() < 0.25, 'hour', 8 + floor(random() * 200), (95 + floor(random() * 4000)::int) * 100,
                   'nl', 'published', now(), now(), now()
              FROM generate_series(1, %(modules)s) i, p, v
            """,
            {"words": WORDS, "filler": FILLER, "providers": PROVIDERS, "modules": modules},
        )
        cursor.execute(
            """
            INSERT INTO catalog_offering (uuid, module_id, code, state, start_date, end_date, enrol_until, capacity,
                   price_cents, language, location_name, postcode, region_id, latitude, longitude, created_at)
            WITH places AS (
                SELECT row_number() OVER () - 1 AS i, pc2, lat, lon, region
                  FROM unnest(%(pc2)s::text[], %(lat)s::numeric[], %(lon)s::numeric[], %(region)s::text[])
                       AS t(pc2, lat, lon, region)
            )
            SELECT gen_random_uuid(), m.id, 'B' || k, 'active',
                   CASE WHEN m.self_paced THEN NULL ELSE current_date + (10 + floor(random() * 300))::int END,
                   NULL, NULL, 16, m.price_cents, 'nl', r.centre,
                   CASE WHEN m.self_paced THEN '' ELSE p.pc2 || '11 AB' END,
                   CASE WHEN m.self_paced THEN NULL ELSE r.id END,
                   CASE WHEN m.self_paced THEN NULL ELSE p.lat END,
                   CASE WHEN m.self_paced THEN NULL ELSE p.lon END, now()
              FROM catalog_module m
             CROSS JOIN LATERAL generate_series(1, CASE WHEN m.self_paced THEN 1 ELSE 1 + (m.id %% 2)::int END) k
             JOIN places p ON p.i = (m.id * 7 + k) %% %(n)s
             JOIN core_region r ON r.code = p.region
             WHERE m.code LIKE 'BENCH-%%'
            """,
            places,
        )
        # The offerings' trigger rewrote every module row once (its offering_* columns), which leaves the table
        # twice its size; a catalogue that grows a file at a time reuses that space. Compact it.
        cursor.execute("VACUUM FULL ANALYZE catalog_module")
        cursor.execute("VACUUM ANALYZE catalog_provider, catalog_offering")


def _ensure(modules: int) -> float:
    """Generate the bench catalogue unless it is there at this size; returns the seconds it took (0 if reused)."""
    with connection.cursor() as cursor:
        # Rows of an earlier version of this generator (offerings without postcodes) are made again.
        cursor.execute(
            "SELECT count(*), bool_or(o.postcode <> '') FROM catalog_module m"
            " LEFT JOIN catalog_offering o ON o.module_id = m.id AND o.code = 'B1' WHERE m.code LIKE 'BENCH-%%'",
            [],
        )
        present, current = cursor.fetchone()
    if present == modules and current:
        return 0.0
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM catalog_offering WHERE module_id IN"
            " (SELECT id FROM catalog_module WHERE code LIKE 'BENCH-%%')",
            [],
        )
        cursor.execute("DELETE FROM catalog_module WHERE code LIKE 'BENCH-%%'", [])
        cursor.execute("DELETE FROM catalog_provider WHERE name LIKE 'Bench opleider %%'", [])
    _generate(modules)
    return time.perf_counter() - started


def _queries(rng: random.Random):
    from levenlang.catalog.services import SearchParams
    from levenlang.core.regions import REGIONS
    from levenlang.ledger.models import Category

    today = datetime.date.today()
    facets = {
        "category": lambda p: p.categories.append(int(rng.choice(list(Category)))),
        "mode": lambda p: p.modes.append(rng.choice(["online", "hybrid", "blended", "presential", "work_based"])),
        "level": lambda p: p.levels.append(rng.choice(["eqf_2", "eqf_3", "eqf_4", "eqf_5"])),
        "region": lambda p: setattr(p, "region", rng.choice(REGIONS)[0]),
        "self_paced": lambda p: setattr(p, "self_paced", rng.random() < 0.5),
        "start": lambda p: (
            setattr(p, "start_from", today + datetime.timedelta(days=30)),
            setattr(p, "start_until", today + datetime.timedelta(days=120)),
        ),
        "distance": lambda p: (
            setattr(p, "postcode", rng.choice(["7511 AB", "3511 EP", "1012 AB"])),
            setattr(p, "distance_km", 25),
        ),
    }
    for _ in range(QUERIES):
        word = WORDS[int(rng.random() ** 2 * len(WORDS))]
        params = SearchParams(q=word)
        for name in rng.sample(sorted(facets), 2):
            facets[name](params)
        yield params


def _p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1]


def run(n: int, report) -> None:
    from levenlang.catalog import services

    modules = 100_000 if n >= 10_000 else max(1_000, n * 10)
    seconds = _ensure(modules)
    how = f"generated in {seconds:.1f} s" if seconds else "reused"
    print(f"catalogue: {modules:,} modules ({how})", flush=True)
    queries = list(_queries(random.Random(7)))
    today = datetime.date.today()
    # A warm-up round, then ROUNDS measured rounds of the same queries. The machine may be shared (other
    # processes, other benchmarks): each figure is the median over the rounds of that round's p95 (or median).
    rounds = []
    for _round in range(1 + ROUNDS):
        service, bare, totals = [], [], []
        for params in queries:
            started = time.perf_counter()
            result = services.search(params, today=today)
            service.append((time.perf_counter() - started) * 1000)
            totals.append(result.total)
            sql, args = services.search_sql(params, today=today)
            started = time.perf_counter()
            with connection.cursor() as cursor:
                cursor.execute(sql, args)
                cursor.fetchall()
            bare.append((time.perf_counter() - started) * 1000)
        rounds.append((service, bare))
    rounds = rounds[1:]
    for number, (service, bare) in enumerate(rounds, start=1):
        print(f"round {number}: service p95 {_p95(service):.1f} ms, bare SQL p95 {_p95(bare):.1f} ms", flush=True)
    print(
        f"results per query: median {statistics.median(totals):,.0f}, max {max(totals):,}, "
        f"{sum(1 for t in totals if t == 0)} of {len(totals)} empty",
        flush=True,
    )
    report(
        f"catalogue search p95, keyword + 2 facets, {modules:,} modules (service: page, facet counts, reasons)",
        statistics.median(_p95(service) for service, _bare in rounds),
        "ms",
        ceiling_name="bare SQL of the results page",
        ceiling=statistics.median(_p95(bare) for _service, bare in rounds),
        target="p95 <= 50 ms",
    )
    report(
        "catalogue search median (service)",
        statistics.median(statistics.median(service) for service, _bare in rounds),
        "ms",
        ceiling_name="bare SQL of the results page, median",
        ceiling=statistics.median(statistics.median(bare) for _service, bare in rounds),
    )
