"""TRUNCATE skips the row triggers that keep the audit log append-only: refuse it too (core/sql/refuse_truncate.sql
says who may still empty the table on purpose). The ledger and enrolment apps put the same guard on their tables."""

from pathlib import Path

from django.db import migrations


def sql_file(name: str) -> str:
    return (Path(__file__).parents[1] / "sql" / name).read_text()


class Migration(migrations.Migration):
    dependencies = [("core", "0002_regions_and_audit_append_only")]

    operations = [
        migrations.RunSQL(sql_file("refuse_truncate.sql"), "DROP FUNCTION refuse_truncate();"),
        migrations.RunSQL(
            "CREATE TRIGGER core_auditevent_refuse_truncate BEFORE TRUNCATE ON core_auditevent "
            "FOR EACH STATEMENT EXECUTE FUNCTION refuse_truncate();",
            "DROP TRIGGER core_auditevent_refuse_truncate ON core_auditevent;",
        ),
    ]
