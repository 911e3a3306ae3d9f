"""TRUNCATE skips the row triggers that keep the audit log append-only: refuse it too (core/sql/refuse_truncate.sql
says who may still empty the table on purpose). The ledger and enrolment apps put the same guard on their tables."""

from django.db import migrations

from levenlang.core.sql import LoadSqlFunction


class Migration(migrations.Migration):
    dependencies = [("core", "0002_regions_and_audit_append_only")]

    operations = [
        LoadSqlFunction("core", "refuse_truncate", "93e1250ccd57"),
        migrations.RunSQL(
            "CREATE TRIGGER core_auditevent_refuse_truncate BEFORE TRUNCATE ON core_auditevent "
            "FOR EACH STATEMENT EXECUTE FUNCTION refuse_truncate();",
            "DROP TRIGGER core_auditevent_refuse_truncate ON core_auditevent;",
        ),
    ]
