-- A pot is born empty, or holding exactly the legs inserted with it in the same statement (an allocation): money
-- enters a pot only through a journal. Statement-level trigger ledger_pots_inserted, AFTER INSERT on ledger_pot
-- (transition table new_pots): one query per statement instead of a row trigger, for the bulk allocation.
CREATE OR REPLACE FUNCTION ledger_pots_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM new_pots n
                WHERE n.pending_cents <> 0
                   OR (n.posted_cents <> 0
                       AND (SELECT p.posted_cents FROM ledger_pot p WHERE p.id = n.id)
                           IS DISTINCT FROM (SELECT sum(l.amount_cents) FROM ledger_leg l WHERE l.pot_id = n.id))) THEN
        RAISE EXCEPTION 'ledger: a new pot starts at zero; money enters only through a journal'
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END $$;
