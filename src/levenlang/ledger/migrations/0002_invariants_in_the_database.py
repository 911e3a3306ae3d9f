"""The ledger's invariants (docs/ledger.md), enforced by PostgreSQL itself so that no code path, and no raw SQL,
can break them. Each function raises with a message that names the rule; the functions are in ledger/sql/, one file
each, in their latest version (0004 changes ledger_legs_inserted and ledger_pot_guard)."""

from django.db import migrations

from levenlang.core.sql import LoadSqlFunction

TABLES = """
-- Pots are updated in place by the balance triggers below: leave room in each page so that those updates stay
-- on the page (HOT) and do not touch the indexes (measured: the bulk allocation writes ~30% less WAL).
ALTER TABLE ledger_pot SET (fillfactor = 50);

-- A journal remembers the transaction that made it: legs may only be added in that same transaction.
ALTER TABLE ledger_journal ADD COLUMN txid xid8 NOT NULL DEFAULT pg_current_xact_id();
"""

TABLES_BACK = """
ALTER TABLE ledger_journal DROP COLUMN txid;
ALTER TABLE ledger_pot RESET (fillfactor);
"""


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]

    operations = [
        migrations.RunSQL(TABLES, TABLES_BACK),
        # 2. Every journal has two or more legs that sum to zero, checked at commit (deferred).
        LoadSqlFunction("ledger", "ledger_journal_balanced", "3340e2bef55e"),
        migrations.RunSQL(
            """
            CREATE CONSTRAINT TRIGGER ledger_journal_balanced AFTER INSERT ON ledger_journal
                DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_journal_balanced();
            """,
            "DROP TRIGGER ledger_journal_balanced ON ledger_journal;",
        ),
        # 3. Journals, legs and reservation parts are append-only: corrections are reversing journals.
        LoadSqlFunction("ledger", "ledger_append_only", "8861ae2e9ea9"),
        migrations.RunSQL(
            """
            CREATE TRIGGER ledger_journal_append_only BEFORE UPDATE OR DELETE ON ledger_journal
                FOR EACH ROW EXECUTE FUNCTION ledger_append_only();
            CREATE TRIGGER ledger_leg_append_only BEFORE UPDATE OR DELETE ON ledger_leg
                FOR EACH ROW EXECUTE FUNCTION ledger_append_only();
            CREATE TRIGGER ledger_reservationpart_append_only BEFORE UPDATE OR DELETE ON ledger_reservationpart
                FOR EACH ROW EXECUTE FUNCTION ledger_append_only();
            CREATE TRIGGER ledger_reservation_no_delete BEFORE DELETE ON ledger_reservation
                FOR EACH ROW EXECUTE FUNCTION ledger_append_only();
            """,
            """
            DROP TRIGGER ledger_reservation_no_delete ON ledger_reservation;
            DROP TRIGGER ledger_reservationpart_append_only ON ledger_reservationpart;
            DROP TRIGGER ledger_leg_append_only ON ledger_leg;
            DROP TRIGGER ledger_journal_append_only ON ledger_journal;
            """,
        ),
        # 8. Cached pot balances follow the legs: one grouped update per statement (cheap for bulk allocation).
        LoadSqlFunction("ledger", "ledger_legs_inserted", "290fa6dd7c16"),
        migrations.RunSQL(
            """
            CREATE TRIGGER ledger_legs_inserted AFTER INSERT ON ledger_leg
                REFERENCING NEW TABLE AS new_legs FOR EACH STATEMENT EXECUTE FUNCTION ledger_legs_inserted();
            """,
            "DROP TRIGGER ledger_legs_inserted ON ledger_leg;",
        ),
        # Pending money follows the open reservations' parts.
        LoadSqlFunction("ledger", "ledger_parts_inserted", "d1a4d29bba4a"),
        migrations.RunSQL(
            """
            CREATE TRIGGER ledger_parts_inserted AFTER INSERT ON ledger_reservationpart
                REFERENCING NEW TABLE AS new_parts FOR EACH STATEMENT EXECUTE FUNCTION ledger_parts_inserted();
            """,
            "DROP TRIGGER ledger_parts_inserted ON ledger_reservationpart;",
        ),
        # Pot balances change only through the triggers above (trigger depth > 1); pots are never deleted. The check
        # that a new pot is empty moved to ledger_pots_inserted in 0004, which narrows this trigger to UPDATE; until
        # then the latest body refuses every new pot (on a fresh database none is made in between).
        LoadSqlFunction("ledger", "ledger_pot_guard", "2a550f8326a0"),
        migrations.RunSQL(
            """
            CREATE TRIGGER ledger_pot_guard BEFORE INSERT OR UPDATE ON ledger_pot
                FOR EACH ROW EXECUTE FUNCTION ledger_pot_guard();
            CREATE TRIGGER ledger_pot_no_delete BEFORE DELETE ON ledger_pot
                FOR EACH ROW EXECUTE FUNCTION ledger_append_only();
            """,
            """
            DROP TRIGGER ledger_pot_no_delete ON ledger_pot;
            DROP TRIGGER ledger_pot_guard ON ledger_pot;
            """,
        ),
        # 6. A reservation is born open and resolves at most once; once expired it can never be posted.
        LoadSqlFunction("ledger", "ledger_reservation_guard", "1d7f5fc5f340"),
        migrations.RunSQL(
            """
            CREATE TRIGGER ledger_reservation_guard BEFORE INSERT OR UPDATE ON ledger_reservation
                FOR EACH ROW EXECUTE FUNCTION ledger_reservation_guard();
            """,
            "DROP TRIGGER ledger_reservation_guard ON ledger_reservation;",
        ),
    ]
