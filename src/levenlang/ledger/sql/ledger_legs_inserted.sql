-- Ledger invariant 8: a pot's cached posted_cents equals the sum of its legs. Statement-level trigger
-- ledger_legs_inserted, AFTER INSERT on ledger_leg (transition table new_legs). Legs may only join a journal made in
-- the same transaction. One grouped UPDATE moves the balances of the pots named; an allocation journal's legs do not,
-- because their pots were inserted in the same statement already holding that amount (the bulk allocation writes each
-- pot once). Then every touched pot must hold exactly the sum of its legs.
CREATE OR REPLACE FUNCTION ledger_legs_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    journals bigint[];
    openers bigint[];
    named bigint;
    moved bigint;
BEGIN
    SELECT array_agg(j.id), coalesce(array_agg(j.id) FILTER (WHERE j.kind = 'allocation'), '{}')
      INTO journals, openers
      FROM ledger_journal j
     WHERE j.id IN (SELECT DISTINCT journal_id FROM new_legs) AND j.txid = pg_current_xact_id();
    IF EXISTS (SELECT 1 FROM new_legs WHERE journal_id <> ALL (coalesce(journals, '{}'))) THEN
        RAISE EXCEPTION 'ledger: legs can only be added to a journal in the transaction that creates it'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    WITH moves AS (SELECT pot_id, sum(amount_cents) AS total FROM new_legs
                    WHERE pot_id IS NOT NULL AND journal_id <> ALL (openers) GROUP BY pot_id),
         updated AS (UPDATE ledger_pot p SET posted_cents = p.posted_cents + m.total FROM moves m
                      WHERE p.id = m.pot_id RETURNING 1)
    SELECT (SELECT count(*) FROM moves), (SELECT count(*) FROM updated) INTO named, moved;
    IF moved <> named THEN
        RAISE EXCEPTION 'ledger: a leg names a pot that does not exist' USING ERRCODE = 'foreign_key_violation';
    END IF;
    IF EXISTS (SELECT 1 FROM (SELECT DISTINCT pot_id FROM new_legs WHERE pot_id IS NOT NULL) t
                 LEFT JOIN ledger_pot p ON p.id = t.pot_id
                WHERE p.posted_cents IS DISTINCT FROM
                      (SELECT sum(l.amount_cents) FROM ledger_leg l WHERE l.pot_id = t.pot_id)) THEN
        RAISE EXCEPTION 'ledger: a pot''s balance must equal the sum of its legs (an allocation leg opens a pot '
                        'inserted with that amount in the same statement)'
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END $$;
