from django.db import migrations

# Enrolment events are the record of who did what and when: the database refuses to change or delete one.
SQL = """
CREATE FUNCTION enrolment_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'enrolment events are append-only: % is refused', TG_OP USING ERRCODE = 'restrict_violation';
END $$;
CREATE TRIGGER enrolment_event_append_only
    BEFORE UPDATE OR DELETE ON enrolment_enrolmentevent
    FOR EACH ROW EXECUTE FUNCTION enrolment_event_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [("enrolment", "0001_initial")]

    operations = [
        migrations.RunSQL(
            SQL,
            "DROP TRIGGER enrolment_event_append_only ON enrolment_enrolmentevent;"
            "DROP FUNCTION enrolment_event_append_only();",
        )
    ]
