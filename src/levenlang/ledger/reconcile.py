"""Proves the ledger's invariants over the whole database (docs/ledger.md) and lists every difference.

The database already enforces them on every write; this is the auditor's independent check that nothing
(a bug in a trigger, a restore, a manual fix) slipped through. Each check is one SQL query that returns the
rows that break the rule, so an empty result is the proof. Apps above the ledger add checks of what only they
know (`register_check`, from their AppConfig.ready). The journal chain (ledger/chain.py) is checked here too,
and `report` anchors it outside the database: a later run given an earlier report proves that nothing before
that report's head was removed or rewritten.
"""

import datetime

from django.db import connection

from levenlang.ledger.chain import chain_head, chain_problems_sql, link_at

__all__ = ["CHECKS", "checks", "compare", "reconcile", "register_check", "report"]

CHECKS: list[tuple[str, str]] = [
    (
        "journal legs do not sum to zero (or fewer than two legs)",
        """SELECT j.uuid::text, count(l.id), coalesce(sum(l.amount_cents), 0)
             FROM ledger_journal j LEFT JOIN ledger_leg l ON l.journal_id = j.id
            GROUP BY j.id HAVING count(l.id) < 2 OR coalesce(sum(l.amount_cents), 0) <> 0""",
    ),
    (
        "the sum over all legs is not zero",
        "SELECT 'all legs', sum(amount_cents) FROM ledger_leg HAVING coalesce(sum(amount_cents), 0) <> 0",
    ),
    (
        "a leg has a fractional or zero amount, or no account",
        """SELECT id::text, amount_cents FROM ledger_leg
            WHERE amount_cents = 0 OR num_nonnulls(pot_id, system_account_id) <> 1""",
    ),
    (
        "cached posted balance of a pot differs from the sum of its legs",
        """SELECT p.uuid::text, p.posted_cents, coalesce(sum(l.amount_cents), 0)
             FROM ledger_pot p LEFT JOIN ledger_leg l ON l.pot_id = p.id
            GROUP BY p.id HAVING p.posted_cents <> coalesce(sum(l.amount_cents), 0)""",
    ),
    (
        "cached pending amount of a pot differs from its open reservations",
        """SELECT p.uuid::text, p.pending_cents, coalesce(sum(rp.amount_cents), 0)
             FROM ledger_pot p
             LEFT JOIN ledger_reservationpart rp ON rp.pot_id = p.id
             LEFT JOIN ledger_reservation r ON r.id = rp.reservation_id AND r.status = 'pending'
            GROUP BY p.id
           HAVING p.pending_cents <> coalesce(sum(rp.amount_cents) FILTER (WHERE r.id IS NOT NULL), 0)""",
    ),
    (
        "a pot is below zero counting reservations",
        """SELECT uuid::text, posted_cents, pending_cents FROM ledger_pot
            WHERE posted_cents - pending_cents < 0 OR pending_cents < 0""",
    ),
    (
        "a reservation's parts do not add up to what it reserved",
        """SELECT r.uuid::text, r.reserved_cents, coalesce(sum(rp.amount_cents), 0)
             FROM ledger_reservation r LEFT JOIN ledger_reservationpart rp ON rp.reservation_id = r.id
            GROUP BY r.id HAVING r.reserved_cents <> coalesce(sum(rp.amount_cents), 0)""",
    ),
    (
        "a paid-out reservation does not have exactly one payout for its posted amount",
        """SELECT r.uuid::text, r.status, r.posted_cents, count(DISTINCT j.id), sum(l.amount_cents)
             FROM ledger_reservation r
             LEFT JOIN ledger_journal j ON j.reservation_id = r.id AND j.kind = 'payout'
             LEFT JOIN ledger_leg l ON l.journal_id = j.id AND l.system_account_id IS NOT NULL
            GROUP BY r.id
           HAVING (r.status = 'posted' AND (count(DISTINCT j.id) <> 1 OR sum(l.amount_cents) <> r.posted_cents))
               OR (r.status <> 'posted' AND count(DISTINCT j.id) <> 0)""",
    ),
    (
        "a payout drew from a pot that its reservation did not hold",
        """SELECT j.uuid::text, l.pot_id FROM ledger_journal j JOIN ledger_leg l ON l.journal_id = j.id
            WHERE j.kind = 'payout' AND l.pot_id IS NOT NULL AND NOT EXISTS (
                  SELECT 1 FROM ledger_reservationpart rp
                   WHERE rp.reservation_id = j.reservation_id AND rp.pot_id = l.pot_id
                     AND -l.amount_cents <= rp.amount_cents)""",
    ),
    (
        "more was refunded or clawed back than was paid out",
        """SELECT p.uuid::text, -sum(pl.amount_cents) AS paid, r.returned
             FROM ledger_journal p
             JOIN ledger_leg pl ON pl.journal_id = p.id AND pl.pot_id IS NOT NULL
             JOIN LATERAL (SELECT coalesce(sum(rl.amount_cents), 0) AS returned
                             FROM ledger_journal rj JOIN ledger_leg rl ON rl.journal_id = rj.id
                            WHERE rj.reverses_id = p.id AND rl.pot_id IS NOT NULL) r ON true
            WHERE p.kind = 'payout'
            GROUP BY p.id, r.returned HAVING r.returned > -sum(pl.amount_cents)""",
    ),
    (
        "a reservation holds money in a pot whose earmark does not allow its category",
        """SELECT r.uuid::text, r.category, p.uuid::text, p.earmark
             FROM ledger_reservationpart rp
             JOIN ledger_reservation r ON r.id = rp.reservation_id
             JOIN ledger_pot p ON p.id = rp.pot_id
            WHERE p.earmark & r.category = 0""",
    ),
    (
        "a payout, refund or clawback moved money to or from another account than its reservation's payee",
        """SELECT j.uuid::text, j.kind, l.system_account_id, r.payee_id
             FROM ledger_journal j
             JOIN ledger_reservation r ON r.id = j.reservation_id
             JOIN ledger_leg l ON l.journal_id = j.id AND l.system_account_id IS NOT NULL
            WHERE j.kind IN ('payout', 'refund', 'clawback') AND l.system_account_id <> r.payee_id""",
    ),
    (
        # A command stores its journal's uuid in its result, in the same transaction; without that record a retry
        # of the command would book the money again. (An allocation cannot be doubled by a rerun: a second pot for
        # the same source and lot is refused by its unique constraint.)
        "a journal has lost its idempotency record (ledger_command)",
        """SELECT j.uuid::text, j.kind FROM ledger_journal j
            WHERE j.kind IN ('deposit', 'payout', 'refund', 'clawback')
              AND NOT EXISTS (SELECT 1 FROM ledger_command c WHERE c.result ->> 'journal' = j.uuid::text)""",
    ),
    ("the journal chain does not hold", chain_problems_sql()),
]

# Checks added by apps above the ledger: (rule, SQL returning the rows that break it).
_REGISTERED: list[tuple[str, str]] = []


def register_check(rule: str, sql: str) -> None:
    """Add a check that only a higher app can write (it knows its own tables); called from its AppConfig.ready.
    The same rule registered twice counts once."""
    if all(existing != rule for existing, _sql in _REGISTERED):
        _REGISTERED.append((rule, sql))


def checks() -> list[tuple[str, str]]:
    return CHECKS + _REGISTERED


def reconcile() -> list[str]:
    """Every difference found, one line each; an empty list means the books are right."""
    differences = []
    with connection.cursor() as cursor:
        for rule, sql in checks():
            cursor.execute(sql)
            differences += [f"{rule}: {', '.join(map(str, row))}" for row in cursor.fetchall()]
    return differences


# Append-only tables: their row counts never go down.
COUNTED = {
    "journals": "ledger_journal",
    "legs": "ledger_leg",
    "links": "ledger_chain_link",
    "reservations": "ledger_reservation",
    "reservation_parts": "ledger_reservationpart",
    "pots": "ledger_pot",
    "commands": "ledger_command",
}


def _counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT " + ", ".join(f"(SELECT count(*) FROM {table})" for table in COUNTED.values())  # noqa: S608
        )
        return dict(zip(COUNTED, cursor.fetchone(), strict=True))


def compare(expected: dict) -> list[str]:
    """What the books have lost since an earlier report: the chain no longer holds that report's head at its
    position, or an append-only table has fewer rows. `expected` is that report (as read from JSON)."""
    differences = []
    chain = expected.get("chain") if isinstance(expected, dict) else None
    if (
        not isinstance(chain, dict)
        or not isinstance(chain.get("position"), int)
        or not isinstance(chain.get("head"), str)
    ):
        return ["the earlier report has no chain head (position and head): it cannot be compared"]
    position, head = chain["position"], chain["head"]
    if position > 0:
        found = link_at(position)
        if found is None:
            differences.append(f"the chain no longer reaches position {position} of the earlier report (head {head})")
        elif found != head:
            differences.append(f"the chain at position {position} is not the earlier head: {head} then, {found} now")
    counts = _counts()
    for name, earlier in (expected.get("counts") or {}).items():
        if name in counts and isinstance(earlier, int) and counts[name] < earlier:
            differences.append(f"fewer {name} than in the earlier report: {counts[name]} now, {earlier} then")
    return differences


def report(expected: dict | None = None) -> dict:
    """Everything reconcile found, with the chain's head and the counts to keep for the next run (as JSON)."""
    differences = reconcile()
    if expected is not None:
        differences += compare(expected)
    return {
        "at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "checks": len(checks()),
        "differences": differences,
        "chain": chain_head(),
        "counts": _counts(),
    }
