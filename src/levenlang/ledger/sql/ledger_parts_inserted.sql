-- A pot's pending_cents equals what the parts of open reservations hold in it. Statement-level trigger
-- ledger_parts_inserted, AFTER INSERT on ledger_reservationpart (transition table new_parts): parts join only an open
-- reservation, and only pots of the reservation's own Leerrekening; one grouped UPDATE adds them to the pots.
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
