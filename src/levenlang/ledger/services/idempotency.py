"""Commands and their idempotency: every mutating function of the ledger runs its work through `idempotent`, once
per key, in one transaction, with the result stored in ledger_command. Other apps whose own steps must be
exactly-once (the enrolment life cycle) use the same: `idempotent`, and for a hot path that writes its own rows in
one statement, `CommandRun` and `Stored` with `command_insert_sql`."""

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, overload

import psycopg
from django.db import IntegrityError, OperationalError, connection, transaction
from django.utils.translation import gettext_lazy as _

from levenlang.core.errors import DomainError
from levenlang.ledger.errors import IdempotencyConflict, LedgerError

__all__ = ["RETRIES", "CommandRun", "Stored", "command_insert_sql", "idempotent", "prepared_cursor"]

RETRIES = 5


def _request_hash(operation: str, request: dict) -> str:
    canonical = json.dumps({"op": operation, **request}, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _retryable(exc: Exception) -> bool:
    sqlstate = getattr(exc, "sqlstate", None) or getattr(exc.__cause__, "sqlstate", None)
    return sqlstate in {"40001", "40P01"}  # serialization failure, deadlock


class _AnsweredByTwin(Exception):
    """A copy of this request (same key) finished while this one waited: its answer is the answer."""

    def __init__(self, earlier):
        self.earlier = earlier


# Django opens every psycopg connection with prepare_threshold=None (for connection poolers), and psycopg then
# ignores `execute(..., prepare=True)`: the hot path's statements were parsed and planned on every call, which
# doubled the server's work per booking (bench/README.md, "Where the time goes"). With this threshold only the
# statements that ask for it are prepared: Django's own cursors bind on the client and never prepare.
ONLY_WHEN_ASKED = 2**31 - 1


def prepared_cursor():
    """A cursor on Django's connection (same transaction) that binds on the server, so that the statements it
    executes with `prepare=True` are prepared once per connection instead of parsed and planned on every call."""
    connection.ensure_connection()
    raw = connection.connection
    if raw.prepare_threshold is None:  # Django's default: no statement would ever be prepared
        raw.prepare_threshold = ONLY_WHEN_ASKED
    return psycopg.Cursor(raw)


def _earlier(key: str):
    with prepared_cursor() as cursor:
        cursor.execute("SELECT request_hash, result FROM ledger_command WHERE key = %s", [key], prepare=True)
        return cursor.fetchone()


def _answer(key: str, request_hash: str, earlier) -> dict:
    stored_hash, result = earlier
    if stored_hash != request_hash:
        raise IdempotencyConflict(key)
    return json.loads(result) if isinstance(result, str) else result


@dataclass(frozen=True)
class CommandRun:
    """One run of a command under an idempotency key: what `idempotent` hands to work that stores itself."""

    key: str
    operation: str
    request_hash: str

    def row(self, result: dict) -> dict:
        """The parameters for storing this command with `result` inside the work's own statement."""
        return {
            "key": self.key,
            "operation": self.operation,
            "request_hash": self.request_hash,
            "result": json.dumps(result),
        }


@dataclass(frozen=True)
class Stored:
    """Returned by work that stored its command row itself, in its own statement (`command_insert_sql`): the
    booking hot path saves round trips that way."""

    result: dict


@overload
def idempotent(
    operation: str, key: str, request: dict, work: Callable[[], dict], *, stores_itself: Literal[False] = False
) -> dict: ...


@overload
def idempotent(
    operation: str, key: str, request: dict, work: Callable[[CommandRun], Stored], *, stores_itself: Literal[True]
) -> dict: ...


def idempotent(
    operation: str,
    key: str,
    request: dict,
    work: Callable[..., dict | Stored],  # per the overloads: () -> dict, or (CommandRun) -> Stored
    *,
    stores_itself: bool = False,
) -> dict:
    """Run `work` once per key in one transaction and store its result; replay it for a retry.

    Two copies of one request at the same moment: the second waits for the person's lock inside `work`. When
    it gets there, either its work fails (the first copy changed the state) or its result cannot be stored
    (the key is taken); both times it looks again and answers with the first copy's result (or 409). With
    `stores_itself`, `work(command)` writes the command row in its own statement (`command.row(result)`) and
    returns `Stored(result)`: the booking hot path saves two round trips that way."""
    if not key or len(key) > 120:
        raise LedgerError(_("Every request needs an idempotency key of 1 to 120 characters."))
    request_hash = _request_hash(operation, request)
    for attempt in range(RETRIES):
        try:
            with transaction.atomic():
                # Work that stores its own command row finds a repeated key when it stores it; others look first.
                earlier = None if stores_itself else _earlier(key)
                if earlier is not None:
                    return _answer(key, request_hash, earlier)
                command = CommandRun(key, operation, request_hash)
                try:
                    result = work(command) if stores_itself else work()
                except DomainError:  # the ledger's refusals and those of the caller's own rules
                    twin = _earlier(key)  # a new statement: it sees what committed while we waited
                    if twin is None:
                        raise
                    raise _AnsweredByTwin(twin) from None
                if isinstance(result, Stored):  # the work stored its command row itself (stores_itself)
                    return result.result
                with connection.cursor() as cursor:
                    cursor.execute(command_insert_sql(), command.row(result))
                return result
        except _AnsweredByTwin as twin:
            return _answer(key, request_hash, twin.earlier)
        except (IntegrityError, psycopg.IntegrityError):  # Django's, or from the prepared cursor
            earlier = _earlier(key)
            if earlier is None:  # not the key: a constraint refused the work itself
                raise
            return _answer(key, request_hash, earlier)  # the key was stored first, by a copy of this request
        except (OperationalError, psycopg.errors.SerializationFailure, psycopg.errors.DeadlockDetected) as exc:
            if not _retryable(exc) or attempt == RETRIES - 1:
                raise
            time.sleep(0.01 * 2**attempt)
    raise AssertionError("unreachable")  # pragma: no cover


def command_insert_sql(rows_from: str = "") -> str:
    """The statement that stores a command (parameters: `CommandRun.row(result)`). With `rows_from` (the name of a
    CTE of the caller's statement) it stores the command once per row of it: inside a writable CTE, the command
    is stored only when the caller's own change happened, in the same round trip."""
    columns = "INSERT INTO ledger_command (key, operation, request_hash, result, created_at)"
    values = "%(key)s, %(operation)s, %(request_hash)s, %(result)s::jsonb, now()"
    if rows_from:
        return f"{columns} SELECT {values} FROM {rows_from}"  # noqa: S608 -- names from our code, not input
    return f"{columns} VALUES ({values})"
