-- chibo: a pg_cron schedule for refresh_reports().
--
-- The job is named chibo_refresh_reports:<database> and runs
-- SELECT * FROM chibo.refresh_reports() in this database.  pg_cron keeps
-- its jobs in the one database named by cron.database_name; when that is
-- another database, the job is written there through dblink (when the
-- dblink extension is installed here), else the error says what to run
-- there.

-- The name of this database's refresh job.
CREATE FUNCTION @extschema@.refresh_job_name() RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN 'chibo_refresh_reports:' || pg_catalog.current_database();
COMMENT ON FUNCTION @extschema@.refresh_job_name() IS
    'the name of the pg_cron job that refreshes this database''s reports: chibo_refresh_reports:<database>';

-- The server settings cron_call() needs: pg_cron's database, the first
-- socket directory and the port.  Runs as the owner, because PostgreSQL
-- shows cron.database_name only to superusers and members of
-- pg_read_all_settings, and an admin of chibo need be neither.
CREATE FUNCTION @extschema@.cron_settings(OUT database_name text, OUT socket_directory text, OUT port text)
    LANGUAGE sql STABLE PARALLEL SAFE
    SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT pg_catalog.current_setting('cron.database_name', true),
           pg_catalog.btrim(pg_catalog.split_part(pg_catalog.current_setting('unix_socket_directories'), ',', 1)),
           pg_catalog.current_setting('port');
END;
COMMENT ON FUNCTION @extschema@.cron_settings() IS
    'pg_cron''s database (cron.database_name), the server''s first socket directory and its port, readable by chibo_admin';

-- A value quoted for a libpq connection string: in single quotes, with
-- backslashes and single quotes escaped by a backslash.
CREATE FUNCTION @extschema@.conninfo_quote(value text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN '''' || pg_catalog.replace(pg_catalog.replace(value, '\', '\\'), '''', '\''') || '''';
COMMENT ON FUNCTION @extschema@.conninfo_quote(text) IS
    'a value quoted for a libpq connection string (single quotes; backslash and quote escaped by a backslash)';

-- Runs a statement in the database that holds pg_cron and returns its
-- one text result: here when pg_cron is installed here, else through
-- dblink.  Explains what is missing when neither works.
CREATE FUNCTION @extschema@.cron_call(statement text) RETURNS text
    LANGUAGE plpgsql PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    settings record := @extschema@.cron_settings();
    cron_db text := settings.database_name;
    dblink_schema name;
    conn text;
    result text;
BEGIN
    IF EXISTS (SELECT FROM pg_catalog.pg_extension WHERE extname = 'pg_cron') THEN
        EXECUTE statement INTO result;
        RETURN result;
    END IF;
    IF cron_db = pg_catalog.current_database() THEN
        RAISE EXCEPTION 'pg_cron is loaded but its extension is not created in this database'
            USING ERRCODE = '55000', HINT = 'Run CREATE EXTENSION pg_cron here (as a superuser).';
    END IF;
    IF cron_db IS NULL OR cron_db = '' THEN
        RAISE EXCEPTION 'pg_cron is not installed'
            USING ERRCODE = '55000',
                  HINT = 'Add pg_cron to shared_preload_libraries, restart the server and run CREATE EXTENSION pg_cron in the database named by cron.database_name.';
    END IF;
    SELECT n.nspname INTO dblink_schema
      FROM pg_catalog.pg_extension e JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace
     WHERE e.extname = 'dblink';
    IF NOT FOUND THEN
        RAISE EXCEPTION 'pg_cron lives in database "%", not in this one (%)', cron_db, pg_catalog.current_database()
            USING ERRCODE = '55000',
                  HINT = pg_catalog.format('Run CREATE EXTENSION dblink here and call this function again, or run in database %s: %s',
                                           cron_db, statement);
    END IF;
    -- The server's own socket and port, as the current user.
    conn := pg_catalog.format('dbname=%s host=%s port=%s user=%s',
                              @extschema@.conninfo_quote(cron_db),
                              @extschema@.conninfo_quote(settings.socket_directory),
                              @extschema@.conninfo_quote(settings.port),
                              @extschema@.conninfo_quote(current_user));
    EXECUTE pg_catalog.format('SELECT r FROM %I.dblink($1, $2) AS t(r text)', dblink_schema)
       INTO result USING conn, statement;
    RETURN result;
END;
$$;
COMMENT ON FUNCTION @extschema@.cron_call(text) IS
    'runs a statement in the database that holds pg_cron (here, or there through dblink) and returns its text result; explains the error when pg_cron is missing';

CREATE FUNCTION @extschema@.schedule_refresh(schedule text DEFAULT '*/15 * * * *') RETURNS bigint
    LANGUAGE plpgsql PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF schedule IS NULL OR pg_catalog.btrim(schedule) = '' THEN
        RAISE EXCEPTION 'schedule must be a cron schedule such as ''*/15 * * * *'''
            USING ERRCODE = '22023';
    END IF;
    -- schedule_in_database replaces a job of the same name: calling again
    -- changes the schedule.
    RETURN @extschema@.cron_call(pg_catalog.format(
        'SELECT cron.schedule_in_database(%L, %L, %L, %L)::text',
        @extschema@.refresh_job_name(), schedule,
        pg_catalog.format('SELECT * FROM %I.refresh_reports()', '@extschema@'),
        pg_catalog.current_database()))::bigint;
END;
$$;
COMMENT ON FUNCTION @extschema@.schedule_refresh(text) IS
    'schedules refresh_reports() in this database with pg_cron (default every 15 minutes) as the job chibo_refresh_reports:<database>; calling it again changes the schedule; returns the job id';

CREATE FUNCTION @extschema@.unschedule_refresh() RETURNS boolean
    LANGUAGE plpgsql PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    -- true when a job was removed, false when there was none
    RETURN @extschema@.cron_call(pg_catalog.format(
        'SELECT (SELECT cron.unschedule(j.jobid) FROM cron.job j WHERE j.jobname = %L AND j.username = current_user)'
        '       IS NOT NULL',
        @extschema@.refresh_job_name()))::boolean;
END;
$$;
COMMENT ON FUNCTION @extschema@.unschedule_refresh() IS
    'removes this database''s pg_cron refresh job; true when there was one';
