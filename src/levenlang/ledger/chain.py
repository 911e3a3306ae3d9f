"""The hash chain over the journals: tamper-evidence for the ledger (docs/ledger.md, "The journal chain").

Each link covers one journal: hash = sha256(prev_hash || content), where content is the journal's id, uuid, kind,
effective date and its legs (account or pot, amount) in leg order, as text (`CONTENT_SQL`); the first link's
prev_hash is 32 zero bytes. The link task appends links after the journals committed, in one run at a time, so a
booking never touches the chain (no hot row). `manage.py reconcile` recomputes every link and writes the chain's
head (position and hash) to its report; a later run given that report (`--expect`) proves the chain still holds
that head at that position, so a truncation or a journal rewritten together with its links is found by anyone
who kept the earlier report.
"""

import hashlib

from django.db import connection, transaction

__all__ = ["GENESIS", "chain_head", "chain_problems_sql", "link_at", "link_journals"]

GENESIS = bytes(32)

# One run links at a time: this transaction-level advisory lock (an arbitrary key of our own) serialises link runs;
# bookings never take it.
_LINK_LOCK = 0x6C65646765726368  # "ledgerch"

# The content of each journal chosen by `where` (a condition on j), as bytes. The date is formatted explicitly so that
# the session's DateStyle cannot change a hash.
CONTENT_SQL = """
SELECT j.id, convert_to(concat_ws('|', j.id, j.uuid::text, j.kind, to_char(j.effective_date, 'YYYY-MM-DD'),
           string_agg(CASE WHEN l.pot_id IS NOT NULL THEN 'p' || l.pot_id ELSE 'a' || l.system_account_id END
                      || ':' || l.amount_cents, ',' ORDER BY l.id)), 'UTF8') AS content
  FROM ledger_journal j LEFT JOIN ledger_leg l ON l.journal_id = j.id
 WHERE {where}
 GROUP BY j.id"""


def link_journals(batch_size: int = 5000) -> dict:
    """Append a link for every committed journal that has none, in the order of their ids, `batch_size` per
    transaction. Safe to run at any time and concurrently: runs take turns on one lock, and each batch looks again
    under the lock at what is still unlinked. A journal that commits after a run started (even with a smaller id than
    one linked) is linked by the next run, after those."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT j.id FROM ledger_journal j WHERE NOT EXISTS "
            "(SELECT 1 FROM ledger_chain_link c WHERE c.journal_id = j.id) ORDER BY j.id"
        )
        unlinked = [row[0] for row in cursor.fetchall()]
    linked = 0
    for start in range(0, len(unlinked), batch_size):
        linked += _link_batch(unlinked[start : start + batch_size])
    return {"linked": linked, **chain_head()}


def _link_batch(journal_ids: list[int]) -> int:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LINK_LOCK])
        where = "j.id = ANY(%s) AND NOT EXISTS (SELECT 1 FROM ledger_chain_link c WHERE c.journal_id = j.id)"
        cursor.execute(CONTENT_SQL.format(where=where) + " ORDER BY j.id", [journal_ids])
        contents = cursor.fetchall()
        if not contents:
            return 0
        cursor.execute("SELECT position, hash FROM ledger_chain_link ORDER BY position DESC LIMIT 1")
        position, previous = cursor.fetchone() or (0, GENESIS)
        previous = bytes(previous)
        ids, positions, hashes, prevs = [], [], [], []
        for journal_id, content in contents:
            position += 1
            digest = hashlib.sha256(previous + bytes(content)).digest()
            ids.append(journal_id)
            positions.append(position)
            hashes.append(digest)
            prevs.append(previous)
            previous = digest
        cursor.execute(
            "INSERT INTO ledger_chain_link (journal_id, position, hash, prev_hash, linked_at) "
            "SELECT *, now() FROM unnest(%s::bigint[], %s::bigint[], %s::bytea[], %s::bytea[])",
            [ids, positions, hashes, prevs],
        )
        return len(ids)


def chain_head() -> dict:
    """Where the chain ends: its length (`position`, 0 when empty), the last hash (hex, "" when empty) and how
    many journals are not linked yet."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT position, hash FROM ledger_chain_link ORDER BY position DESC LIMIT 1",
        )
        position, head = cursor.fetchone() or (0, b"")
        cursor.execute(
            "SELECT count(*) FROM ledger_journal j WHERE NOT EXISTS "
            "(SELECT 1 FROM ledger_chain_link c WHERE c.journal_id = j.id)"
        )
        (unlinked,) = cursor.fetchone()
    return {"position": position, "head": bytes(head).hex(), "unlinked": unlinked}


def link_at(position: int) -> str | None:
    """The hash (hex) of the link at this position, or None when the chain has no such link."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT hash FROM ledger_chain_link WHERE position = %s", [position])
        row = cursor.fetchone()
    return bytes(row[0]).hex() if row else None


def chain_problems_sql() -> str:
    """A query over every link: the ones whose journal is gone, whose journal no longer hashes to the link, that do
    not follow the link before (prev_hash), or whose position leaves a gap. One row per broken link."""
    content = CONTENT_SQL.format(where="j.id IN (SELECT journal_id FROM ledger_chain_link)")
    return f"""
WITH content AS ({content}),
     links AS (SELECT c.*, lag(c.hash) OVER (ORDER BY c.position) AS before,
                      coalesce(lag(c.position) OVER (ORDER BY c.position), 0) + 1 AS expected
                 FROM ledger_chain_link c)
SELECT 'position ' || l.position, 'journal ' || l.journal_id,
       CASE WHEN t.id IS NULL THEN 'the journal is gone'
            WHEN sha256(l.prev_hash || t.content) <> l.hash THEN 'the journal was changed (hash differs)'
            WHEN l.position <> l.expected THEN 'a link before it is missing'
            ELSE 'it does not follow the link before it' END
  FROM links l LEFT JOIN content t ON t.id = l.journal_id
 WHERE t.id IS NULL OR sha256(l.prev_hash || t.content) <> l.hash OR l.position <> l.expected
    OR l.prev_hash <> coalesce(l.before, '\\x{GENESIS.hex()}'::bytea)"""  # noqa: S608 -- SQL from our code only
