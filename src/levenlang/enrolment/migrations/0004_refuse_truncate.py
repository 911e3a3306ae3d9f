"""No TRUNCATE of the enrolment events, the record of who did what: it would skip their append-only trigger
(core/sql/refuse_truncate.sql says who may still empty the table on purpose)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("enrolment", "0003_disputed"), ("core", "0003_refuse_truncate")]

    operations = [
        migrations.RunSQL(
            "CREATE TRIGGER enrolment_enrolmentevent_refuse_truncate BEFORE TRUNCATE ON enrolment_enrolmentevent "
            "FOR EACH STATEMENT EXECUTE FUNCTION refuse_truncate();",
            "DROP TRIGGER enrolment_enrolmentevent_refuse_truncate ON enrolment_enrolmentevent;",
        )
    ]
