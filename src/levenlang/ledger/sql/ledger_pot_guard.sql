-- A pot's balances change only through the ledger's triggers (trigger depth > 1), never by a direct UPDATE, and its
-- identity (id, owner, source, lot, kind, earmark, expiry, uuid) never changes. Trigger ledger_pot_guard, BEFORE
-- UPDATE on ledger_pot. New pots are checked per statement by ledger_pots_inserted.
CREATE OR REPLACE FUNCTION ledger_pot_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (NEW.posted_cents, NEW.pending_cents) IS DISTINCT FROM (OLD.posted_cents, OLD.pending_cents)
       AND pg_trigger_depth() < 2 THEN
        RAISE EXCEPTION 'ledger: pot balances change only through legs and reservations'
            USING ERRCODE = 'insufficient_privilege';
    ELSIF (NEW.id, NEW.leerrekening_id, NEW.source_id, NEW.lot, NEW.kind, NEW.earmark, NEW.expires_on, NEW.uuid)
          IS DISTINCT FROM
          (OLD.id, OLD.leerrekening_id, OLD.source_id, OLD.lot, OLD.kind, OLD.earmark, OLD.expires_on, OLD.uuid)
    THEN
        RAISE EXCEPTION 'ledger: a pot cannot change owner, source, lot, kind, earmark or expiry'
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;
