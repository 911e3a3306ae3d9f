"""The yearly allocation: many residents credited at once, in chunks, resumable, on several threads."""

import datetime
import math
import queue
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from django.db import connection, transaction
from django.utils.translation import gettext_lazy as _

from levenlang.core.categories import Category, earmark_of
from levenlang.ledger.clock import SYSTEM_CLOCK, Clock
from levenlang.ledger.errors import InvalidAmount, LedgerError
from levenlang.ledger.models import Cap, Journal, Leg, PotKind, SystemAccount
from levenlang.ledger.services.common import _NOT_CENTS, _audit, _cents, _journal, _not_expired

if TYPE_CHECKING:
    from django.db.backends.postgresql.base import DatabaseWrapper as PostgresWrapper

__all__ = ["AllocationRow", "allocate", "allocate_arrays"]


@dataclass(frozen=True)
class AllocationRow:
    resident_id: int
    amount_cents: int


# One statement per chunk. Each new pot is born holding its amount and gets its one leg in the same statement:
# the leg of an allocation journal opens its pot instead of moving the balance, and the triggers of migration
# 0004 check that every touched pot holds exactly the sum of its legs. The unique (leerrekening, source, lot)
# makes a resident credited before under this lot a conflict that inserts nothing: exactly once per resident.
_ALLOCATE_CHUNK_SQL = """
WITH rows AS (
    SELECT * FROM unnest(%(residents)s::bigint[], %(amounts)s::bigint[]) AS r(resident_id, amount)
), opened AS (
    INSERT INTO ledger_leerrekening (resident_id, uuid, opened_at)
    SELECT resident_id, {uuid}, now() FROM rows
    ON CONFLICT (resident_id) DO NOTHING
), allowed AS ({allowed}
), pots AS (
    INSERT INTO ledger_pot (uuid, leerrekening_id, kind, source_id, lot, earmark, expires_on,
                            posted_cents, pending_cents, created_at)
    SELECT {uuid}, resident_id, %(kind)s, %(source)s, %(lot)s, %(earmark)s, %(expires_on)s, amount, 0, now()
      FROM allowed
    ON CONFLICT (leerrekening_id, source_id, lot) DO NOTHING
    RETURNING id, posted_cents
), legs AS (
    INSERT INTO ledger_leg (journal_id, pot_id, amount_cents)
    SELECT %(journal)s, id, posted_cents FROM pots
    RETURNING amount_cents
)
SELECT count(*), coalesce(sum(amount_cents), 0)::bigint FROM legs
"""
_ALL_ROWS = "SELECT * FROM rows"
# With a cap in force, a resident whose balance would rise above it is not credited (the rules should have
# capped the amount; the ledger refuses rather than creates money above the ceiling).
_ROWS_WITHIN_CAPS = """
    SELECT r.* FROM rows r, LATERAL (
        SELECT coalesce(sum(posted_cents) FILTER (WHERE kind = %(kind)s), 0) AS kind_held,
               coalesce(sum(posted_cents), 0) AS all_held
          FROM ledger_pot WHERE leerrekening_id = r.resident_id) h
     WHERE (%(cap_kind)s::bigint IS NULL OR h.kind_held + r.amount <= %(cap_kind)s::bigint)
       AND (%(cap_all)s::bigint IS NULL OR h.all_held + r.amount <= %(cap_all)s::bigint)"""


def _new_uuid_sql() -> str:
    """Time-ordered UUIDs (version 7, PostgreSQL 18) where the server has them: a new pot's index entry then
    lands beside the previous one instead of on a random page of an index of millions (fewer pages written)."""
    connection.ensure_connection()
    server = cast("PostgresWrapper", connection)  # the stubs type `connection` as the base wrapper
    return "uuidv7()" if server.pg_version >= 180000 else "gen_random_uuid()"


class _NothingCredited(Exception):
    pass


def allocate(
    rows: Sequence[AllocationRow],
    *,
    run_key: str,
    source: SystemAccount,
    pot_kind: PotKind,
    lot: str,
    categories: Iterable[Category],
    expires_on: datetime.date | None,
    chunk_size: int = 10_000,
    progress: Callable[[int], None] | None = None,
    actor=None,
    clock: Clock = SYSTEM_CLOCK,
    workers: int = 2,
) -> dict:
    """Credit many residents at once (the yearly learning rights), one journal per chunk with one aggregated
    leg against `source`. Resumable: a chunk commits with its AllocationChunk record, so a rerun with the same
    `run_key` skips finished chunks; and a resident has at most one pot per source and lot, so nobody is
    credited twice, even when a rerun is chunked differently. `rows` must be sorted by resident_id.
    See `allocate_arrays` (the same, from two arrays, faster for millions) for `workers`.

    Returns how many residents were credited now, how many were in chunks finished before, and how many
    were refused (credited before under this lot, or above a cap)."""
    import numpy as np

    amounts = [row.amount_cents for row in rows]
    if not set(map(type, amounts)) <= {int}:  # bool and float are refused, as by _cents
        for amount in amounts:
            _cents(amount)
    try:
        amounts_array = np.array(amounts, dtype=np.int64)
    except OverflowError:
        raise InvalidAmount(_NOT_CENTS["amount"][0]) from None
    return allocate_arrays(
        np.fromiter((row.resident_id for row in rows), dtype=np.int64, count=len(rows)),
        amounts_array,
        run_key=run_key,
        source=source,
        pot_kind=pot_kind,
        lot=lot,
        categories=categories,
        expires_on=expires_on,
        chunk_size=chunk_size,
        progress=progress,
        actor=actor,
        clock=clock,
        workers=workers,
    )


def _checked_input(resident_ids, amounts_cents, categories: Iterable[Category], chunk_size: int):
    """(ids, amounts, earmark): the two arrays as int64 after a few vectorised checks (as long as each other, ids
    strictly increasing, amounts whole cents above zero that fit a bigint), and the categories as an earmark."""
    import numpy as np

    ids, amounts = np.asarray(resident_ids), np.asarray(amounts_cents)
    if ids.ndim != 1 or amounts.shape != ids.shape:
        raise LedgerError(_("Give one amount for each resident."))
    if len(ids) and (ids.dtype.kind not in "iu" or np.any(ids[1:] <= ids[:-1]) or ids[-1] > np.iinfo(np.int64).max):
        raise LedgerError(_("The allocation list must be sorted by resident and name each resident once."))
    if len(amounts) and amounts.dtype.kind not in "iu":
        raise InvalidAmount(_NOT_CENTS["amount"][0])
    if len(amounts) and amounts.min() <= 0:
        raise InvalidAmount(_NOT_CENTS["amount"][1])
    if len(amounts) and amounts.max() > np.iinfo(np.int64).max:
        raise InvalidAmount(_NOT_CENTS["amount"][0])
    earmark = earmark_of(categories)
    if earmark == 0:
        raise LedgerError(_("Say what the money may pay for: choose at least one spending category."))
    if chunk_size < 1:
        raise LedgerError(_("A chunk must hold at least one resident."))
    return ids.astype(np.int64, copy=False), amounts.astype(np.int64, copy=False), earmark


@dataclass(frozen=True)
class _ChunkedRun:
    """One allocation run cut into chunks of `chunk_size` residents: what crediting one chunk needs."""

    run_key: str
    source: SystemAccount
    lot: str
    ids: Any  # numpy int64 arrays
    amounts: Any
    chunk_size: int
    sql: str  # _ALLOCATE_CHUNK_SQL made for this run (caps, uuid function)
    fixed: dict[str, Any]  # the statement's parameters that are the same for every chunk
    today: datetime.date
    actor: Any

    def size(self, number: int) -> int:
        return min(self.chunk_size, len(self.ids) - number * self.chunk_size)

    def credit(self, number: int) -> tuple[int, int]:
        """Credit one chunk in one transaction; returns (residents credited, cents)."""
        from levenlang.ledger.models import AllocationChunk

        start, end = number * self.chunk_size, (number + 1) * self.chunk_size
        with transaction.atomic():
            with connection.cursor() as cursor:
                # A commit lost in a server crash loses its AllocationChunk record with it: the rerun redoes it.
                cursor.execute("SET LOCAL synchronous_commit = off")
            journal, credited, cents = None, 0, 0
            try:
                with transaction.atomic():  # a savepoint: a chunk that credits nobody leaves no journal
                    journal = _journal(
                        Journal.Kind.ALLOCATION,
                        description=f"{self.source.name} ({self.lot}), deel {number + 1}",
                        today=self.today,
                        actor=self.actor,
                    )
                    with connection.cursor() as cursor:
                        cursor.execute(
                            self.sql,
                            {
                                **self.fixed,
                                "residents": self.ids[start:end].tolist(),
                                "amounts": self.amounts[start:end].tolist(),
                                "journal": journal.pk,
                            },
                        )
                        credited, cents = cursor.fetchone()
                    if not credited:
                        raise _NothingCredited
                    Leg.objects.create(journal=journal, system_account=self.source, amount_cents=-cents)
                    _audit(self.actor, journal, cents)
            except _NothingCredited:
                journal = None
            AllocationChunk.objects.create(
                run_key=self.run_key, number=number, journal=journal, residents=credited, amount_cents=cents
            )
        return credited, cents


def allocate_arrays(
    resident_ids,
    amounts_cents,
    *,
    run_key: str,
    source: SystemAccount,
    pot_kind: PotKind,
    lot: str,
    categories: Iterable[Category],
    expires_on: datetime.date | None,
    chunk_size: int = 10_000,
    progress: Callable[[int], None] | None = None,
    actor=None,
    clock: Clock = SYSTEM_CLOCK,
    workers: int = 2,
) -> dict:
    """`allocate` from two equally long integer arrays (numpy, or anything numpy reads as one): resident ids,
    strictly increasing, and their amounts in cents. Checks them in a few vectorised passes instead of one
    Python object per resident.

    With `workers` > 1 and no transaction open on the caller's connection, that many threads, each with its own
    database connection, take the chunks by turns: each chunk is still one transaction with its AllocationChunk
    record, so a crash leaves whole chunks and a rerun does the rest. Inside a transaction (a test, or a caller
    that wants all-or-nothing) the chunks run one after the other in it. `progress` is called from the calling
    thread, once per chunk, with the number of residents of that chunk."""
    ids, amounts, earmark = _checked_input(resident_ids, amounts_cents, categories, chunk_size)

    from levenlang.ledger.models import AllocationChunk

    caps = dict(Cap.objects.filter(pot_kind__in=["", pot_kind]).values_list("pot_kind", "max_cents"))
    sql = _ALLOCATE_CHUNK_SQL.replace("{allowed}", _ROWS_WITHIN_CAPS if caps else _ALL_ROWS)
    sql = sql.replace("{uuid}", _new_uuid_sql())
    done = set(AllocationChunk.objects.filter(run_key=run_key).values_list("number", flat=True))
    numbers = range(math.ceil(len(ids) / chunk_size))
    todo = [number for number in numbers if number not in done]
    if todo:  # work left: its pots must not be born expired
        _not_expired(expires_on, clock.today())
    fixed = {
        "kind": str(pot_kind),
        "source": source.pk,
        "lot": lot,
        "earmark": earmark,
        "expires_on": expires_on,
        "cap_kind": caps.get(str(pot_kind)),
        "cap_all": caps.get(""),
    }
    run = _ChunkedRun(run_key, source, lot, ids, amounts, chunk_size, sql, fixed, clock.today(), actor)

    result = {"credited": 0, "done_before": 0, "refused": 0, "amount_cents": 0}
    for number in numbers:
        if number in done:
            result["done_before"] += run.size(number)
            if progress:
                progress(run.size(number))

    def finished(number: int, credited: int, cents: int) -> None:
        result["credited"] += credited
        result["refused"] += run.size(number) - credited
        result["amount_cents"] += cents
        if progress:
            progress(run.size(number))

    if workers > 1 and len(todo) > 1 and not connection.in_atomic_block:
        _in_threads(todo, run.credit, min(workers, len(todo)), finished)
    else:
        for number in todo:
            finished(number, *run.credit(number))
    return result


def _in_threads(numbers: list[int], work: Callable[[int], tuple], workers: int, finished: Callable) -> None:
    """Run `work(number)` for every number on `workers` threads (each uses its own database connection, as
    Django gives every thread its own), calling `finished(number, *result)` here as results come in. On the
    first error the threads take no new number; the error is raised once they have all stopped."""
    numbers_left = iter(numbers)
    take = threading.Lock()
    results: queue.Queue = queue.Queue()
    stop = threading.Event()

    def run() -> None:
        try:
            while not stop.is_set():
                with take:
                    number = next(numbers_left, None)
                if number is None:
                    break
                results.put((number, work(number), None))
        except BaseException as exc:  # handed to the calling thread
            stop.set()
            results.put((None, None, exc))
        finally:
            connection.close()
            results.put(None)

    threads = [threading.Thread(target=run, name=f"allocate-{n}", daemon=True) for n in range(workers)]
    for thread in threads:
        thread.start()
    error, running = None, workers
    while running:
        item = results.get()
        if item is None:
            running -= 1
        elif item[2] is not None:
            error = error or item[2]
        elif error is None:
            finished(item[0], *item[1])
    for thread in threads:
        thread.join()
    if error is not None:
        raise error
