from django.db import migrations

from levenlang.core.sql import LoadSqlFunction


class Migration(migrations.Migration):
    dependencies = [("enrolment", "0001_initial")]

    operations = [
        # Enrolment events are the record of who did what and when: the database refuses to change or delete one.
        LoadSqlFunction("enrolment", "enrolment_event_append_only", "b38a8f30b372"),
        migrations.RunSQL(
            """
            CREATE TRIGGER enrolment_event_append_only
                BEFORE UPDATE OR DELETE ON enrolment_enrolmentevent
                FOR EACH ROW EXECUTE FUNCTION enrolment_event_append_only();
            """,
            "DROP TRIGGER enrolment_event_append_only ON enrolment_enrolmentevent;",
        ),
    ]
