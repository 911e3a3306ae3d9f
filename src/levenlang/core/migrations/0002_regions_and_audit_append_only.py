from django.db import migrations


def load_regions(apps, schema_editor):
    from levenlang.core.regions import ensure_regions

    ensure_regions(apps.get_model("core", "Region"))


# The audit log is evidence: the database itself refuses to change or delete an entry. (TRUNCATE stays
# possible for the table owner, which test teardown needs; the production app role does not own tables.)
AUDIT_APPEND_ONLY = """
CREATE FUNCTION core_auditevent_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER core_auditevent_append_only
    BEFORE UPDATE OR DELETE ON core_auditevent
    FOR EACH ROW EXECUTE FUNCTION core_auditevent_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [
        migrations.RunPython(load_regions, migrations.RunPython.noop),
        migrations.RunSQL(
            AUDIT_APPEND_ONLY,
            "DROP TRIGGER core_auditevent_append_only ON core_auditevent;DROP FUNCTION core_auditevent_append_only();",
        ),
    ]
