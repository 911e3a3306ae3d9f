from django.db import migrations

from levenlang.core.sql import LoadSqlFunction


def load_regions(apps, schema_editor):
    from levenlang.core.regions import ensure_regions

    ensure_regions(apps.get_model("core", "Region"))


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [
        migrations.RunPython(load_regions, migrations.RunPython.noop),
        # The audit log is evidence: the database itself refuses to change or delete an entry.
        LoadSqlFunction("core", "core_auditevent_append_only", "2c113f2aafbd"),
        migrations.RunSQL(
            """
            CREATE TRIGGER core_auditevent_append_only
                BEFORE UPDATE OR DELETE ON core_auditevent
                FOR EACH ROW EXECUTE FUNCTION core_auditevent_append_only();
            """,
            "DROP TRIGGER core_auditevent_append_only ON core_auditevent;",
        ),
    ]
