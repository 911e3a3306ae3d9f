"""Faster bulk allocation without weakening an invariant (docs/ledger.md, bench/README.md for the figures).

- A pot opened by an allocation is inserted already holding its amount, in the same statement as its leg, instead
  of being born at zero and rewritten by the leg trigger. The legs of an `allocation` journal therefore open their
  pots and do not move the cached balance; every other leg still does (one grouped update per statement). After
  every leg statement, each pot it touched must hold exactly the sum of all its legs, and after every pot insert,
  each new pot that holds money must too: a pot can only be born with money together with the legs that bring it.
- The leg trigger now also refuses a leg whose pot it cannot find (before, such a leg waited for the deferred
  foreign key while its amount was silently not added).
- The pot guard no longer runs for every inserted row: the insert check above is one statement-level query.
- Pots go back to fillfactor 90 (0002 left half of each page free for the allocation's rewrite, which is gone);
  reservations still update pots in place and keep some room for that.
- Two indexes less per allocated resident (model changes): ledger_pot(leerrekening_id), which the unique
  (leerrekening, source, lot) already covers, and the entries for NULL in ledger_leg(system_account_id).
"""

import django.db.models.deletion
from django.db import migrations, models

FASTER = r"""
ALTER TABLE ledger_pot SET (fillfactor = 90);

-- 8. Cached pot balances follow the legs. An allocation journal's legs open their pots: the pot was inserted in
-- the same statement already holding that amount, so only the check below applies to them.
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

-- A pot is born empty, or holding exactly the legs inserted with it in the same statement (an allocation).
CREATE FUNCTION ledger_pots_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
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
CREATE TRIGGER ledger_pots_inserted AFTER INSERT ON ledger_pot
    REFERENCING NEW TABLE AS new_pots FOR EACH STATEMENT EXECUTE FUNCTION ledger_pots_inserted();

-- Balances change only through the triggers (trigger depth > 1); a pot's identity (now with its id) never.
DROP TRIGGER ledger_pot_guard ON ledger_pot;
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
CREATE TRIGGER ledger_pot_guard BEFORE UPDATE ON ledger_pot FOR EACH ROW EXECUTE FUNCTION ledger_pot_guard();
"""

# Back to the functions and triggers of 0002.
SLOWER = r"""
DROP TRIGGER ledger_pot_guard ON ledger_pot;
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
CREATE TRIGGER ledger_pot_guard BEFORE INSERT OR UPDATE ON ledger_pot
    FOR EACH ROW EXECUTE FUNCTION ledger_pot_guard();
DROP TRIGGER ledger_pots_inserted ON ledger_pot;
DROP FUNCTION ledger_pots_inserted();
CREATE OR REPLACE FUNCTION ledger_legs_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM new_legs l JOIN ledger_journal j ON j.id = l.journal_id
               WHERE j.txid <> pg_current_xact_id()) THEN
        RAISE EXCEPTION 'ledger: legs can only be added to a journal in the transaction that creates it'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    UPDATE ledger_pot p SET posted_cents = p.posted_cents + s.total
      FROM (SELECT pot_id, sum(amount_cents) AS total FROM new_legs WHERE pot_id IS NOT NULL GROUP BY pot_id) s
     WHERE p.id = s.pot_id;
    RETURN NULL;
END $$;
ALTER TABLE ledger_pot SET (fillfactor = 50);
"""


class Migration(migrations.Migration):
    dependencies = [("ledger", "0003_own_payment")]

    operations = [
        migrations.AlterField(
            model_name="leg",
            name="system_account",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="legs",
                to="ledger.systemaccount",
            ),
        ),
        migrations.AlterField(
            model_name="pot",
            name="leerrekening",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="pots",
                to="ledger.leerrekening",
            ),
        ),
        migrations.AddIndex(
            model_name="leg",
            index=models.Index(
                condition=models.Q(("system_account__isnull", False)),
                fields=["system_account"],
                name="leg_system_account",
            ),
        ),
        migrations.RunSQL(FASTER, SLOWER),
    ]
