-- Ledger invariant 6: a reservation is born open and resolves at most once; once expired it can never be paid out;
-- only its status, payout and resolution time change. Resolving releases the pending money its parts held (a payout
-- journal then takes the posted part). Trigger ledger_reservation_guard, BEFORE INSERT OR UPDATE on
-- ledger_reservation.
CREATE OR REPLACE FUNCTION ledger_reservation_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.status <> 'pending' OR NEW.posted_cents IS NOT NULL OR NEW.resolved_at IS NOT NULL THEN
            RAISE EXCEPTION 'ledger: a new reservation must be open' USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
    END IF;
    IF OLD.status <> 'pending' THEN
        RAISE EXCEPTION 'ledger: reservation % is already %; it resolves only once', OLD.uuid, OLD.status
            USING ERRCODE = 'check_violation';
    END IF;
    IF (NEW.leerrekening_id, NEW.payee_id, NEW.category, NEW.price_cents, NEW.reserved_cents, NEW.expires_at,
        NEW.uuid, NEW.reference, NEW.created_at)
       IS DISTINCT FROM
       (OLD.leerrekening_id, OLD.payee_id, OLD.category, OLD.price_cents, OLD.reserved_cents, OLD.expires_at,
        OLD.uuid, OLD.reference, OLD.created_at)
    THEN
        RAISE EXCEPTION 'ledger: only the status of a reservation can change' USING ERRCODE = 'check_violation';
    END IF;
    IF NEW.status = 'pending' THEN
        IF NEW.posted_cents IS NOT NULL OR NEW.resolved_at IS NOT NULL THEN
            RAISE EXCEPTION 'ledger: an open reservation has no payout and no resolution time'
                USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
    END IF;
    IF NEW.resolved_at IS NULL THEN
        RAISE EXCEPTION 'ledger: a resolved reservation needs resolved_at' USING ERRCODE = 'check_violation';
    END IF;
    IF NEW.status = 'posted' AND (NEW.posted_cents IS NULL OR NEW.resolved_at > OLD.expires_at) THEN
        RAISE EXCEPTION 'ledger: reservation % expired at %; it can no longer be paid out', OLD.uuid, OLD.expires_at
            USING ERRCODE = 'check_violation';
    END IF;
    IF NEW.status <> 'posted' AND NEW.posted_cents IS NOT NULL THEN
        RAISE EXCEPTION 'ledger: only a posted reservation has a posted amount' USING ERRCODE = 'check_violation';
    END IF;
    -- Resolving releases everything the parts held; a payout journal then takes the posted part.
    UPDATE ledger_pot p SET pending_cents = p.pending_cents - s.total
      FROM (SELECT pot_id, sum(amount_cents) AS total FROM ledger_reservationpart
             WHERE reservation_id = NEW.id GROUP BY pot_id) s
     WHERE p.id = s.pot_id;
    RETURN NEW;
END $$;
