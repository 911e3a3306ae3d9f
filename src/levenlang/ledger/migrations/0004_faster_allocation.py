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
- The functions are in ledger/sql/. Going back restores the triggers of 0002 but keeps the functions' latest bodies
  (older ones are not kept; see docs/database-functions.md), so migrate the ledger back to before 0002 instead.
"""

import django.db.models.deletion
from django.db import migrations, models

from levenlang.core.sql import LoadSqlFunction

FILLFACTOR = "ALTER TABLE ledger_pot SET (fillfactor = 90);"
FILLFACTOR_BACK = "ALTER TABLE ledger_pot SET (fillfactor = 50);"


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
        migrations.RunSQL(FILLFACTOR, FILLFACTOR_BACK),
        # 8. Cached pot balances follow the legs; an allocation journal's legs open their pots, which were inserted
        # in the same statement already holding that amount, so only the sum check applies to them.
        LoadSqlFunction("ledger", "ledger_legs_inserted", "290fa6dd7c16", replaces="version"),
        # A pot is born empty, or holding exactly the legs inserted with it in the same statement (an allocation).
        LoadSqlFunction("ledger", "ledger_pots_inserted", "a60673542e9c"),
        migrations.RunSQL(
            """
            CREATE TRIGGER ledger_pots_inserted AFTER INSERT ON ledger_pot
                REFERENCING NEW TABLE AS new_pots FOR EACH STATEMENT EXECUTE FUNCTION ledger_pots_inserted();
            """,
            "DROP TRIGGER ledger_pots_inserted ON ledger_pot;",
        ),
        # Balances change only through the triggers (trigger depth > 1); a pot's identity (now with its id) never.
        # The guard no longer runs for inserts.
        LoadSqlFunction("ledger", "ledger_pot_guard", "2a550f8326a0", replaces="version"),
        migrations.RunSQL(
            """
            DROP TRIGGER ledger_pot_guard ON ledger_pot;
            CREATE TRIGGER ledger_pot_guard BEFORE UPDATE ON ledger_pot FOR EACH ROW EXECUTE FUNCTION ledger_pot_guard();
            """,
            """
            DROP TRIGGER ledger_pot_guard ON ledger_pot;
            CREATE TRIGGER ledger_pot_guard BEFORE INSERT OR UPDATE ON ledger_pot
                FOR EACH ROW EXECUTE FUNCTION ledger_pot_guard();
            """,
        ),
    ]
