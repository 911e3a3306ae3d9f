"""Proves the ledger's invariants over the whole database (docs/ledger.md) and lists every difference.

The database already enforces them on every write; this is the auditor's independent check that nothing
(a bug in a trigger, a restore, a manual fix) slipped through. Each check is one SQL query that returns the
rows that break the rule, so an empty result is the proof.
"""

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
]


def reconcile() -> list[str]:
    """Every difference found, one line each; an empty list means the books are right."""
    from django.db import connection

    differences = []
    with connection.cursor() as cursor:
        for rule, sql in CHECKS:
            cursor.execute(sql)
            differences += [f"{rule}: {', '.join(map(str, row))}" for row in cursor.fetchall()]
    return differences
