"""No TRUNCATE of the ledger: it would skip the append-only triggers and empty the books in one statement
(core/sql/refuse_truncate.sql says who may still empty a table on purpose). Every ledger table gets the guard, so
that TRUNCATE ... CASCADE from any of them stops too."""

from django.db import migrations

TABLES = [
    "ledger_systemaccount",
    "ledger_leerrekening",
    "ledger_pot",
    "ledger_journal",
    "ledger_leg",
    "ledger_reservation",
    "ledger_reservationpart",
    "ledger_cap",
    "ledger_command",
    "ledger_allocationchunk",
    "ledger_ownpayment",
]


class Migration(migrations.Migration):
    dependencies = [("ledger", "0004_faster_allocation"), ("core", "0003_refuse_truncate")]

    operations = [
        migrations.RunSQL(
            f"CREATE TRIGGER {table}_refuse_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION refuse_truncate();",
            f"DROP TRIGGER {table}_refuse_truncate ON {table};",
        )
        for table in TABLES
    ]
