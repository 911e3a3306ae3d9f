-- The audit log is evidence: the database itself refuses to change or delete an entry, whatever code or raw SQL
-- asks. Trigger core_auditevent_append_only, BEFORE UPDATE OR DELETE on core_auditevent. (TRUNCATE stays possible
-- for the table owner, which test teardown needs; the production app role does not own tables.)
CREATE OR REPLACE FUNCTION core_auditevent_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END $$;
