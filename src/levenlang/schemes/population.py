"""The population as OpenFisca inputs: one numpy array per input variable, read straight from PostgreSQL.

At 18 million residents, fetching rows as Python tuples would take longer than the rules themselves. So the query
returns fixed-width, non-null columns in PostgreSQL's binary COPY format, and numpy reads that buffer as one
structured array (big-endian) without a Python object per value."""

import datetime
import itertools
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
from django.db import connection
from django.db.models import Count, Max, Min

from levenlang.core.regions import REGIONS
from levenlang.employers.services import Employer
from levenlang.ledger.services import PotKind
from levenlang.residents.services import Resident, Situation

# Codes in the order of the OpenFisca enums (levenlang_rules.variables.person.Situation, .employment.*): the
# position is the enum's index.
SITUATIONS = ["employed", "self_employed", "job_seeking", "student", "retired", "other"]
EMPLOYER_SIZES = ["none", *Employer.Size.values]  # none, micro, small, medium, large
SECTOR_FUNDS = {"A+O fonds Metalektro": 1, "OOM": 2, "SOOB": 3, "A+O fonds Gemeenten": 4}  # 0 = none
EPOCH = datetime.date(2000, 1, 1)  # PostgreSQL's date epoch in binary COPY

assert [s.value for s in Situation] == SITUATIONS  # noqa: S101 — the enum and the model must stay in step


def _case(column: str, codes: dict[str, int]) -> str:
    whens = " ".join(f"WHEN '{value}' THEN {code}" for value, code in codes.items())
    return f"(CASE {column} {whens} ELSE 0 END)::int2"


# Built from constants of this module only (no user input): codes become CASE expressions.
_SQL = f"""
COPY (
    SELECT r.id::int8,
           (r.birth_date - DATE '2000-01-01')::int4,
           r.nlqf_level::int2,
           {_case("r.situation", {s: i for i, s in enumerate(SITUATIONS)})},
           {_case("g.code", {code: i + 1 for i, (code, *_) in enumerate(REGIONS)})},
           coalesce(job.hours_per_week, 0)::int2,
           {_case("job.size", {s: i for i, s in enumerate(EMPLOYER_SIZES)})},
           {_case("job.fund", SECTOR_FUNDS)},
           (r.situation = 'job_seeking')::bool,
           coalesce(held.cents, 0)::int8
      FROM residents_resident r
      JOIN core_region g ON g.id = r.region_id
      LEFT JOIN (
          SELECT DISTINCT ON (m.resident_id) m.resident_id, m.hours_per_week, e.size, f.name AS fund
            FROM employers_employment m
            JOIN employers_employer e ON e.id = m.employer_id
            LEFT JOIN employers_sectorfund f ON f.id = e.sector_fund_id
           WHERE m.start_date <= %(day)s AND (m.end_date IS NULL OR m.end_date >= %(day)s) AND {{of_employment}}
           ORDER BY m.resident_id, m.hours_per_week DESC, m.id
      ) job ON job.resident_id = r.id
      LEFT JOIN (
          SELECT leerrekening_id, sum(posted_cents) AS cents
            FROM ledger_pot
           WHERE kind = '{PotKind.RIGHTS}' AND lot <> %(lot)s AND {{of_pot}}
           GROUP BY leerrekening_id
      ) held ON held.leerrekening_id = r.id
     WHERE {{of_resident}}
     ORDER BY r.id
) TO STDOUT (FORMAT binary)
"""  # noqa: S608

# One row of the COPY above: a 2-byte field count, then per field a 4-byte length and the value, big-endian.
_ROW = np.dtype(
    [
        ("n", ">i2"),
        *[
            item
            for name, kind in [
                ("id", ">i8"),
                ("birth", ">i4"),
                ("nlqf_level", ">i2"),
                ("situation", ">i2"),
                ("region_code", ">i2"),
                ("hours_per_week", ">i2"),
                ("employer_size", ">i2"),
                ("employer_sector_fund", ">i2"),
                ("receives_ww", ">u1"),
                ("rights_cents", ">i8"),
            ]
            for item in ((f"{name}_len", ">i4"), (name, kind))
        ],
    ]
)
_HEADER = 19  # PGCOPY signature (11), flags (4), header extension length (4)
_TRAILER = 2  # the field count -1 that ends the data


@dataclass
class Population:
    """Residents as parallel arrays. `inputs` maps OpenFisca input variables to arrays; `ids` are resident ids."""

    ids: np.ndarray
    inputs: dict[str, np.ndarray]
    region_code: np.ndarray
    year: int

    def __len__(self) -> int:
        return len(self.ids)


PARALLEL_FROM = 200_000  # residents; below this, one query is quick enough
READERS = 2  # the machine's cores: PostgreSQL's side of the read is the slow part


def load(year: int, *, resident_ids: list[int] | None = None, readers: int | None = None) -> Population:
    """Every resident (or the ones named) as they stand on 1 January of `year`; the rights balance counts the
    pots of earlier years only, so that computing a year twice gives the same amounts.

    Everyone, from PARALLEL_FROM residents on: READERS connections each read a range of resident ids at the same
    time (each range is read once, in its own snapshot; they run outside the caller's transaction, so the
    allocation job and the what-if run, which write nothing before they read, see committed data only)."""
    params = {"day": datetime.date(year, 1, 1), "lot": str(year), "ids": resident_ids}
    if resident_ids is not None:
        # Each part of the query filters on the residents, else the joins would read every employment and pot.
        return _population(_copy(_query("{column} = ANY(%(ids)s)"), params), year)
    bounds = Resident.objects.aggregate(low=Min("id"), high=Max("id"), count=Count("id"))
    if readers is None:
        readers = READERS if bounds["count"] >= PARALLEL_FROM else 1
    if readers == 1 or not bounds["count"]:
        return _population(_copy(_query("true"), params), year)
    edges = np.linspace(bounds["low"], bounds["high"] + 1, readers + 1).astype(np.int64).tolist()
    query = _query("{column} >= %(low)s AND {column} < %(high)s")
    with ThreadPoolExecutor(readers) as pool:
        parts = pool.map(
            lambda edge: _copy_on_own_connection(query, {**params, "low": edge[0], "high": edge[1]}),
            itertools.pairwise(edges),
        )
        return _population(np.concatenate(list(parts)), year)


def _query(condition: str) -> str:
    query = _SQL
    for name, column in {"of_resident": "r.id", "of_employment": "m.resident_id", "of_pot": "leerrekening_id"}.items():
        query = query.replace("{" + name + "}", condition.replace("{column}", column))
    return query


def _copy(query: str, params: dict) -> np.ndarray:
    buffer = bytearray()
    with connection.cursor() as cursor, cursor.connection.cursor().copy(query, params) as copy:
        for block in copy:
            buffer += block
    return np.frombuffer(bytes(buffer[_HEADER:-_TRAILER]), dtype=_ROW) if len(buffer) > _HEADER else _ROW_EMPTY


def _copy_on_own_connection(query: str, params: dict) -> np.ndarray:
    """In a worker thread: Django gives the thread a connection of its own, closed here when the read is done."""
    try:
        return _copy(query, params)
    finally:
        connection.close()


def _population(rows: np.ndarray, year: int) -> Population:
    birth = np.datetime64(EPOCH, "D") + rows["birth"].astype(np.int32)
    return Population(
        ids=rows["id"].astype(np.int64),
        inputs={
            "birth": birth,
            "nlqf_level": rows["nlqf_level"].astype(np.int16),
            "situation": rows["situation"].astype(np.int16),
            "region_code": rows["region_code"].astype(np.int16),
            "hours_per_week": rows["hours_per_week"].astype(np.int16),
            "employer_size": rows["employer_size"].astype(np.int16),
            "employer_sector_fund": rows["employer_sector_fund"].astype(np.int16),
            "receives_ww": rows["receives_ww"].astype(bool),
            "rights_balance": rows["rights_cents"].astype(np.float64) / 100,
        },
        region_code=rows["region_code"].astype(np.int16),
        year=year,
    )


_ROW_EMPTY = np.zeros(0, dtype=_ROW)
