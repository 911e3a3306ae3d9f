"""The hash chain over the journals (ledger/chain.py, docs/ledger.md): one link per journal, appended after commit by
the link task, never by a booking, so no booking waits on the chain. Links are append-only like the journals
(`ledger_append_only`, migration 0002)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("ledger", "0005_refuse_truncate"), ("core", "0003_refuse_truncate")]

    operations = [
        migrations.CreateModel(
            name="ChainLink",
            fields=[
                (
                    "journal",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="ledger.journal",
                    ),
                ),
                ("position", models.BigIntegerField(unique=True)),
                ("hash", models.BinaryField(max_length=32)),
                ("prev_hash", models.BinaryField(max_length=32)),
                ("linked_at", models.DateTimeField(auto_now_add=True)),
            ],
            options={
                "db_table": "ledger_chain_link",
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("position__gte", 1)), name="chain_link_position_positive"
                    )
                ],
            },
        ),
        migrations.RunSQL(
            """
            ALTER TABLE ledger_chain_link ADD CONSTRAINT chain_link_hashes_are_sha256
                CHECK (octet_length(hash) = 32 AND octet_length(prev_hash) = 32);
            CREATE TRIGGER ledger_chain_link_append_only BEFORE UPDATE OR DELETE ON ledger_chain_link
                FOR EACH ROW EXECUTE FUNCTION ledger_append_only();
            CREATE TRIGGER ledger_chain_link_refuse_truncate BEFORE TRUNCATE ON ledger_chain_link
                FOR EACH STATEMENT EXECUTE FUNCTION refuse_truncate();
            """,
            """
            DROP TRIGGER ledger_chain_link_refuse_truncate ON ledger_chain_link;
            DROP TRIGGER ledger_chain_link_append_only ON ledger_chain_link;
            ALTER TABLE ledger_chain_link DROP CONSTRAINT chain_link_hashes_are_sha256;
            """,
        ),
    ]
