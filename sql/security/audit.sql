-- chibo: the audit trail.
--
-- Every insert, update and delete on attendance, memberships, exemptions,
-- meetings, assessments and classifications appends one row per changed row
-- to audit_log: who (the session's login and the role it had set), when,
-- which table, the row's id, and its old and new values.  An update that
-- leaves a row as it was records nothing, so a re-import of the same files
-- records nothing.  Nobody but the extension's owner can write to the log,
-- and even the owner cannot update, delete or truncate it while its guard
-- triggers are enabled.

CREATE TABLE @extschema@.audit_log (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at          timestamptz NOT NULL DEFAULT pg_catalog.now(),
    actor       name NOT NULL,
    acting_role name,
    xact        bigint NOT NULL,
    table_name  name NOT NULL,
    operation   text NOT NULL CHECK (operation IN ('INSERT', 'UPDATE', 'DELETE', 'TRUNCATE')),
    row_id      bigint CHECK ((row_id IS NULL) = (operation = 'TRUNCATE')),
    old_values  jsonb CHECK ((old_values IS NULL) = (operation IN ('INSERT', 'TRUNCATE'))),
    new_values  jsonb CHECK ((new_values IS NULL) = (operation IN ('DELETE', 'TRUNCATE')))
);
COMMENT ON TABLE @extschema@.audit_log IS
    'append-only audit trail: one row per row inserted, changed or deleted in attendance, memberships, exemptions, meetings, assessments and classifications';
COMMENT ON COLUMN @extschema@.audit_log.id IS 'the order in which changes were recorded';
COMMENT ON COLUMN @extschema@.audit_log.at IS 'when the changing transaction started';
COMMENT ON COLUMN @extschema@.audit_log.actor IS 'the login (session user) that made the change';
COMMENT ON COLUMN @extschema@.audit_log.acting_role IS 'the role the session had taken with SET ROLE, if any';
COMMENT ON COLUMN @extschema@.audit_log.xact IS 'the id of the changing transaction (changes with the same xact were made together)';
COMMENT ON COLUMN @extschema@.audit_log.table_name IS 'the changed table, in schema chibo';
COMMENT ON COLUMN @extschema@.audit_log.operation IS 'INSERT, UPDATE, DELETE, or TRUNCATE (the whole table emptied; no row values)';
COMMENT ON COLUMN @extschema@.audit_log.row_id IS 'the id of the changed row in its table';
COMMENT ON COLUMN @extschema@.audit_log.old_values IS 'the row before the change (updates and deletes), as JSON';
COMMENT ON COLUMN @extschema@.audit_log.new_values IS 'the row after the change (inserts and updates), as JSON';
CREATE INDEX audit_log_table_row ON @extschema@.audit_log (table_name, row_id);
SELECT pg_catalog.pg_extension_config_dump('@extschema@.audit_log', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.audit_log_id_seq', '');

-- Trigger (after each statement): appends the statement's changed rows.
-- Runs as the extension's owner, so that editors need no right on the log.
-- A restore by a superuser's pg_restore copies the log itself and is not
-- recorded again.
CREATE FUNCTION @extschema@.audit_changes() RETURNS trigger
    LANGUAGE plpgsql PARALLEL UNSAFE
    SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    who name := SESSION_USER;
    acting name := NULLIF(pg_catalog.current_setting('role'), 'none');
    xact bigint := pg_catalog.txid_current();
BEGIN
    IF @extschema@.restoring() THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'INSERT' THEN
        INSERT INTO @extschema@.audit_log (actor, acting_role, xact, table_name, operation, row_id, new_values)
        SELECT who, acting, xact, TG_TABLE_NAME, TG_OP, (n.r ->> 'id')::bigint, n.r
          FROM (SELECT pg_catalog.to_jsonb(t) AS r FROM new_rows t) n;
    ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO @extschema@.audit_log (actor, acting_role, xact, table_name, operation, row_id, old_values, new_values)
        SELECT who, acting, xact, TG_TABLE_NAME, TG_OP, o.id, o.r, n.r
          FROM (SELECT t.id, pg_catalog.to_jsonb(t) AS r FROM old_rows t) o
          JOIN (SELECT t.id, pg_catalog.to_jsonb(t) AS r FROM new_rows t) n ON n.id = o.id
         WHERE n.r <> o.r;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO @extschema@.audit_log (actor, acting_role, xact, table_name, operation, row_id, old_values)
        SELECT who, acting, xact, TG_TABLE_NAME, TG_OP, (o.r ->> 'id')::bigint, o.r
          FROM (SELECT pg_catalog.to_jsonb(t) AS r FROM old_rows t) o;
    ELSE
        INSERT INTO @extschema@.audit_log (actor, acting_role, xact, table_name, operation)
        VALUES (who, acting, xact, TG_TABLE_NAME, TG_OP);
    END IF;
    RETURN NULL;
END;
$$;
COMMENT ON FUNCTION @extschema@.audit_changes() IS
    'trigger (after each statement): appends the changed rows of an audited table to audit_log; an update that changes nothing is not recorded';

-- Trigger: the log only grows.
CREATE FUNCTION @extschema@.audit_log_append_only() RETURNS trigger
    LANGUAGE plpgsql PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RAISE EXCEPTION 'chibo.audit_log is append-only: it cannot be changed (%)', pg_catalog.lower(TG_OP)
        USING ERRCODE = '42501',
              HINT = 'The audit trail keeps every change for good; only the extension''s owner can disable this guard.';
END;
$$;
COMMENT ON FUNCTION @extschema@.audit_log_append_only() IS
    'trigger: refuses every update, delete and truncate of audit_log';
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON @extschema@.audit_log
    FOR EACH ROW EXECUTE FUNCTION @extschema@.audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON @extschema@.audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.audit_log_append_only();

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['attendance', 'memberships', 'exemptions', 'meetings', 'assessments', 'classifications'] LOOP
        EXECUTE pg_catalog.format($t$
            CREATE TRIGGER %1$I AFTER INSERT ON @extschema@.%5$I
                REFERENCING NEW TABLE AS new_rows
                FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.audit_changes();
            CREATE TRIGGER %2$I AFTER UPDATE ON @extschema@.%5$I
                REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
                FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.audit_changes();
            CREATE TRIGGER %3$I AFTER DELETE ON @extschema@.%5$I
                REFERENCING OLD TABLE AS old_rows
                FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.audit_changes();
            CREATE TRIGGER %4$I AFTER TRUNCATE ON @extschema@.%5$I
                FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.audit_changes();$t$,
            t || '_audit_insert', t || '_audit_update', t || '_audit_delete', t || '_audit_truncate', t);
    END LOOP;
END;
$$;
