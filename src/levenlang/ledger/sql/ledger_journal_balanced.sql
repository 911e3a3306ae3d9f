-- Ledger invariant 2 (docs/ledger.md): every journal has two or more legs and they sum to zero, so money is never
-- made or lost. Deferred constraint trigger ledger_journal_balanced, AFTER INSERT on ledger_journal: checked at
-- commit, when all legs of the journal are in.
CREATE OR REPLACE FUNCTION ledger_journal_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE legs bigint; total numeric;
BEGIN
    SELECT count(*), coalesce(sum(amount_cents), 0) INTO legs, total FROM ledger_leg WHERE journal_id = NEW.id;
    IF legs < 2 OR total <> 0 THEN
        RAISE EXCEPTION 'ledger: journal % is not balanced (% legs, sum % cents); legs must sum to zero', NEW.id, legs, total
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END $$;
