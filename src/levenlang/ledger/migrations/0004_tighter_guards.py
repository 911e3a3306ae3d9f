"""Close three gaps the raw-SQL tests found: an open reservation cannot carry a payout amount or a resolution
time; a reservation part must be a pot of the same person; a pot's earmark and expiry are fixed at birth."""

from django.db import migrations

GUARDS = r"""
CREATE OR REPLACE FUNCTION ledger_parts_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM new_parts n JOIN ledger_reservation r ON r.id = n.reservation_id
               WHERE r.status <> 'pending') THEN
        RAISE EXCEPTION 'ledger: parts can only be added to an open reservation' USING ERRCODE = 'check_violation';
    END IF;
    IF EXISTS (SELECT 1 FROM new_parts n JOIN ledger_reservation r ON r.id = n.reservation_id
               JOIN ledger_pot p ON p.id = n.pot_id WHERE p.leerrekening_id <> r.leerrekening_id) THEN
        RAISE EXCEPTION 'ledger: a reservation can only hold money in pots of its own Leerrekening'
            USING ERRCODE = 'check_violation';
    END IF;
    UPDATE ledger_pot p SET pending_cents = p.pending_cents + s.total
      FROM (SELECT pot_id, sum(amount_cents) AS total FROM new_parts GROUP BY pot_id) s
     WHERE p.id = s.pot_id;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION ledger_pot_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.posted_cents <> 0 OR NEW.pending_cents <> 0 THEN
            RAISE EXCEPTION 'ledger: a new pot starts at zero; money enters only through a journal'
                USING ERRCODE = 'check_violation';
        END IF;
    ELSIF (NEW.posted_cents, NEW.pending_cents) IS DISTINCT FROM (OLD.posted_cents, OLD.pending_cents)
          AND pg_trigger_depth() < 2 THEN
        RAISE EXCEPTION 'ledger: pot balances change only through legs and reservations'
            USING ERRCODE = 'insufficient_privilege';
    ELSIF (NEW.leerrekening_id, NEW.source_id, NEW.lot, NEW.kind, NEW.earmark, NEW.expires_on, NEW.uuid)
          IS DISTINCT FROM (OLD.leerrekening_id, OLD.source_id, OLD.lot, OLD.kind, OLD.earmark, OLD.expires_on, OLD.uuid)
    THEN
        RAISE EXCEPTION 'ledger: a pot cannot change owner, source, lot, kind, earmark or expiry'
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;

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
"""


class Migration(migrations.Migration):
    dependencies = [("ledger", "0003_own_payment")]

    # Going back keeps these stricter functions: 0002's reverse drops them when it runs.
    operations = [migrations.RunSQL(GUARDS, migrations.RunSQL.noop)]
