-- Ledger invariant 3: journals, legs and reservation parts are append-only, and pots and reservations are never
-- deleted; a mistake is corrected by a reversing journal, so the history stays complete. BEFORE UPDATE OR DELETE on
-- ledger_journal, ledger_leg and ledger_reservationpart; BEFORE DELETE on ledger_reservation and ledger_pot.
CREATE OR REPLACE FUNCTION ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'ledger: % is append-only; % is not allowed (book a reversing journal instead)', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END $$;
