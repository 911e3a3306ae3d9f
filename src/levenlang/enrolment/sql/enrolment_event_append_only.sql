-- Enrolment events are the record of who did what and when: the database refuses to change or delete one.
-- Trigger enrolment_event_append_only, BEFORE UPDATE OR DELETE on enrolment_enrolmentevent.
CREATE OR REPLACE FUNCTION enrolment_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'enrolment events are append-only: % is refused', TG_OP USING ERRCODE = 'restrict_violation';
END $$;
