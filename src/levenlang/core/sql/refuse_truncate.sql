-- refuse_truncate(): a BEFORE TRUNCATE ... FOR EACH STATEMENT guard on the tables that hold history (the ledger,
-- the audit log, enrolment events, idempotency records). TRUNCATE fires no row triggers, so without this guard
-- one statement would erase what the append-only triggers protect row by row.
--
-- Emptying such a table on purpose (the test suite between transactional tests, the benchmarks) passes only
-- when both hold:
--   * the session set `levenlang.allow_truncate` to 'on' (best with SET LOCAL: it ends with the transaction), and
--   * the role running the statement has the privileges of the table's owner role (is it or a member; a superuser
--     counts as one).
-- The setting alone proves nothing: any role may set a custom (dotted) setting, the app role included. The role
-- check is what keeps the app role out; it also lacks the TRUNCATE privilege, so for it this is a second wall.
-- The owner could drop this trigger anyway: the guard stops mistakes and stolen app credentials, not the owner.
CREATE OR REPLACE FUNCTION refuse_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('levenlang.allow_truncate', true) = 'on'
       AND pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'USAGE') THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION '% holds history: TRUNCATE is refused', TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'Only the owner role may empty it on purpose, after SET LOCAL levenlang.allow_truncate = on.';
END $$;
