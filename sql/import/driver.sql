-- chibo: the parts of chibo.import_staged() that every file shares.
--
-- Each file F is read into a temporary table pg_temp.chibo_import_F (one
-- row per staged row): line, src (the staged row's ctid), key (its natural key),
-- the typed and resolved values, reason (NULL while the row is good), dup
-- (an identical copy of an earlier line, accepted but not applied twice)
-- and step (units are applied parents first, one step per tree level).
-- chibo_import.apply_F(step, line) writes the good rows of a step (or one
-- line) into the table through its triggers, which hold the same rules as
-- the import's checks.

-- Reject rows sharing a natural key with different values; mark identical
-- copies after the first as dup.
CREATE FUNCTION chibo_import.mark_duplicates(p_file text) RETURNS void
    LANGUAGE plpgsql PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    tmp text := 'chibo_import_' || pg_catalog.split_part(p_file, '.', 1);
BEGIN
    -- Keys staged more than once (usually none), then among those the
    -- keys whose copies differ.
    EXECUTE pg_catalog.format($q$
        CREATE TEMP TABLE chibo_import_repeats ON COMMIT DROP AS
        SELECT t.key, pg_catalog.min(t.line) AS first, pg_catalog.count(DISTINCT pg_catalog.to_jsonb(s)) > 1 AS differ,
               pg_catalog.min(t.label) AS label, pg_catalog.string_agg(t.line::text, ', ' ORDER BY t.line) AS lines
          FROM pg_temp.%1$I t JOIN chibo_import.%2$I s ON s.ctid = t.src
         WHERE t.reason IS NULL
           AND t.key IN (SELECT key FROM pg_temp.%1$I WHERE reason IS NULL GROUP BY key HAVING pg_catalog.count(*) > 1)
         GROUP BY t.key$q$, tmp, pg_catalog.split_part(p_file, '.', 1));
    EXECUTE pg_catalog.format($q$
        UPDATE pg_temp.%1$I t
           SET reason = CASE WHEN d.differ
                             THEN pg_catalog.format('%%s appears on lines %%s with different values; keep one of them',
                                                    d.label, d.lines) END,
               dup = NOT d.differ AND t.line > d.first
          FROM pg_temp.chibo_import_repeats d
         WHERE t.key = d.key AND t.reason IS NULL$q$, tmp);
    DROP TABLE pg_temp.chibo_import_repeats;
END;
$$;
COMMENT ON FUNCTION chibo_import.mark_duplicates(text) IS
    'import step: rejects staged rows that repeat a natural key with other values, marks identical repeats';

-- The contract's files in the order their rows depend on each other, with
-- the table each fills, its rule function (NULL: the file has its own
-- check_F), and the table's columns with the temporary table's columns
-- that feed them.
CREATE FUNCTION chibo_import.files()
RETURNS TABLE (file text, tbl text, rule text, columns text[], staged text[])
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
    VALUES
    ('units.csv', 'units', NULL,
     '{code,parent_id,name,kind,grassroots,cell_type,valid_from,valid_to}'::text[], NULL::text[]),
    ('members.csv', 'members', 'members_rule',
     '{code,full_name,gender,birth_date,admitted_on,full_member_on,left_on,left_reason}', NULL),
    ('memberships.csv', 'memberships', NULL, '{member_id,unit_id,from_date,to_date}', NULL),
    ('exemptions.csv', 'exemptions', 'exemptions_rule',
     '{member_id,from_date,to_date,reason}', '{member_id,from_date,to_date,why}'),
    ('meetings.csv', 'meetings', 'meetings_rule', '{unit_id,held_on,kind,topic,minutes}', NULL),
    ('attendance.csv', 'attendance', NULL, NULL, NULL),
    ('task_registrations.csv', 'task_registrations', 'task_registrations_rule',
     '{member_id,year,kind,title,outcome}', NULL),
    ('assessments.csv', 'assessments', 'assessments_rule',
     '{subject_kind,member_id,unit_id,scheme_id,period_start,period_end,criteria}', NULL),
    ('classifications.csv', 'classifications', 'classifications_rule',
     '{subject_kind,member_id,unit_id,year,grade,score}', NULL);
END;
COMMENT ON FUNCTION chibo_import.files() IS
    'the contract''s files in dependency order, with their tables, rule functions and columns';

-- Write the good rows of a step of a file (or the one row of p_line):
-- update the stored rows that differ, insert the new ones.
CREATE FUNCTION chibo_import.apply_rows(p_file text, p_step integer, p_line bigint) RETURNS void
    LANGUAGE plpgsql PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    spec record;
    tmp text := 'chibo_import_' || pg_catalog.split_part(p_file, '.', 1);
    cols text;
    vals text;
    chosen text;
BEGIN
    IF p_file = 'attendance.csv' THEN
        PERFORM chibo_import.apply_attendance(p_step, p_line);
        RETURN;
    END IF;
    SELECT * INTO STRICT spec FROM chibo_import.files() f WHERE f.file = p_file;
    SELECT pg_catalog.string_agg(pg_catalog.quote_ident(c), ', '),
           pg_catalog.string_agg('t.' || pg_catalog.quote_ident(COALESCE(spec.staged[i], c)), ', ')
      INTO cols, vals
      FROM pg_catalog.unnest(spec.columns) WITH ORDINALITY AS x(c, i);
    chosen := pg_catalog.format('t.step = %s AND t.reason IS NULL AND NOT t.dup', p_step)
              || CASE WHEN p_line IS NULL THEN '' ELSE ' AND t.line = ' || p_line END;
    EXECUTE pg_catalog.format('UPDATE @extschema@.%I x SET (%s) = ROW(%s) FROM pg_temp.%I t
                                WHERE x.id = t.existing_id AND NOT t.stored AND %s',
                              spec.tbl, cols, vals, tmp, chosen);
    EXECUTE pg_catalog.format('INSERT INTO @extschema@.%I (%s) SELECT %s FROM pg_temp.%I t
                                WHERE t.existing_id IS NULL AND %s ORDER BY t.line',
                              spec.tbl, cols, vals, tmp, chosen);
END;
$$;
COMMENT ON FUNCTION chibo_import.apply_rows(text, integer, bigint) IS
    'import step: writes the good staged rows of a step of a file (or of one line) into its table';

-- Check the rows of a step of a file: with the table's rule function, or
-- with the file's own check_F(step).
CREATE FUNCTION chibo_import.check(p_file text, p_step integer) RETURNS void
    LANGUAGE plpgsql PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    spec record;
BEGIN
    SELECT * INTO STRICT spec FROM chibo_import.files() f WHERE f.file = p_file;
    IF spec.rule IS NULL THEN
        EXECUTE pg_catalog.format('SELECT chibo_import.%I($1)', 'check_' || spec.tbl) USING p_step;
    ELSE
        PERFORM chibo_import.check_rule(p_file, p_step);
    END IF;
END;
$$;
COMMENT ON FUNCTION chibo_import.check(text, integer) IS
    'import step: checks the staged rows of a step of a file against the rules of its table';

-- Apply the good rows of one step of a file.  If the set fails on a rule
-- the checks did not foresee (a change that breaks rows already stored),
-- apply the rows one by one and reject each failing row with the rule's
-- message.
CREATE FUNCTION chibo_import.apply(p_file text, p_step integer) RETURNS void
    LANGUAGE plpgsql PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    tmp text := 'chibo_import_' || pg_catalog.split_part(p_file, '.', 1);
    one bigint;
BEGIN
    BEGIN
        PERFORM chibo_import.apply_rows(p_file, p_step, NULL);
        RETURN;
    EXCEPTION WHEN integrity_constraint_violation OR data_exception OR program_limit_exceeded THEN
        RAISE NOTICE 'import %: a rule failed while applying; applying the rows one by one', p_file;
    END;
    FOR one IN EXECUTE pg_catalog.format(
            'SELECT line FROM pg_temp.%I WHERE reason IS NULL AND NOT dup AND step = $1 ORDER BY line', tmp)
            USING p_step LOOP
        BEGIN
            PERFORM chibo_import.apply_rows(p_file, p_step, one);
        EXCEPTION WHEN integrity_constraint_violation OR data_exception OR program_limit_exceeded THEN
            EXECUTE pg_catalog.format('UPDATE pg_temp.%I SET reason = $1 WHERE line = $2', tmp)
                USING SQLERRM, one;
        END;
    END LOOP;
END;
$$;
COMMENT ON FUNCTION chibo_import.apply(text, integer) IS
    'import step: writes a file''s good rows into its table, falling back to one row at a time when a rule fails';

-- Check the rows of a step that would change something with the table's
-- rule function (files().rule, such as members_rule), reading the
-- temporary table's columns under the table's names.
CREATE FUNCTION chibo_import.check_rule(p_file text, p_step integer) RETURNS void
    LANGUAGE plpgsql PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    spec record;
    tmp text := 'chibo_import_' || pg_catalog.split_part(p_file, '.', 1);
    cols text;
    query text;
BEGIN
    SELECT * INTO spec FROM chibo_import.files() f WHERE f.file = p_file AND f.rule IS NOT NULL;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'file % has no rule function', p_file USING ERRCODE = '22023';
    END IF;
    SELECT 'existing_id AS id, ' || pg_catalog.string_agg(
               pg_catalog.quote_ident(COALESCE(spec.staged[i], c)) || ' AS ' || pg_catalog.quote_ident(c), ', ')
      INTO cols
      FROM pg_catalog.unnest(spec.columns) WITH ORDINALITY AS x(c, i);
    EXECUTE pg_catalog.format('SELECT @extschema@.%I($1, $2)', spec.rule) INTO query
        USING pg_catalog.format('(SELECT line, %s FROM pg_temp.%I WHERE reason IS NULL AND NOT dup AND NOT stored AND step = %s)',
                                cols, tmp, p_step),
              'line';
    EXECUTE pg_catalog.format('UPDATE pg_temp.%I t SET reason = chibo_import.reason(p.problem) FROM (%s) p
                                WHERE p.problem IS NOT NULL AND t.line = p.key', tmp, query);
END;
$$;
COMMENT ON FUNCTION chibo_import.check_rule(text, integer) IS
    'import step: checks a file''s staged rows with the table''s rule function, the same query its trigger runs';

-- Record the file's rejects and return its counts.
CREATE FUNCTION chibo_import.finish(p_batch bigint, p_file text, OUT accepted bigint, OUT rejected bigint)
    LANGUAGE plpgsql PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    tmp text := 'chibo_import_' || pg_catalog.split_part(p_file, '.', 1);
BEGIN
    -- A copy of a rejected row shares its fate.
    EXECUTE pg_catalog.format(
        'UPDATE pg_temp.%1$I d SET reason = f.reason, dup = false FROM pg_temp.%1$I f
          WHERE d.dup AND f.key = d.key AND NOT f.dup AND f.reason IS NOT NULL', tmp);
    EXECUTE pg_catalog.format(
        'INSERT INTO chibo_import.rejects (batch, file, line, "row", reason)
         SELECT $1, $2, t.line, pg_catalog.to_jsonb(s), chibo_import.readable(t.reason, pg_catalog.to_jsonb(s))
           FROM pg_temp.%I t JOIN chibo_import.%I s ON s.ctid = t.src
          WHERE t.reason IS NOT NULL ORDER BY t.line', tmp, pg_catalog.split_part(p_file, '.', 1))
        USING p_batch, p_file;
    GET DIAGNOSTICS rejected = ROW_COUNT;
    EXECUTE pg_catalog.format('SELECT pg_catalog.count(*) - $1 FROM pg_temp.%I', tmp)
        INTO accepted USING rejected;
    EXECUTE pg_catalog.format('DROP TABLE pg_temp.%I', tmp);
END;
$$;
COMMENT ON FUNCTION chibo_import.finish(bigint, text) IS
    'import step: keeps a file''s rejected rows in chibo_import.rejects and counts accepted and rejected rows';

-- The text of a rule problem without its SQLSTATE.
CREATE FUNCTION chibo_import.reason(problem text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN pg_catalog.substr(problem, 7);
COMMENT ON FUNCTION chibo_import.reason(text) IS
    'the message of a rule problem ''SQLSTATE message'', as a reject reason';

-- Natural keys of free text are kept in btree indexes, which hold at most
-- 2,704 bytes an entry: a code or a task title over 500 characters (up to
-- 2,000 bytes in UTF-8) is rejected here, with its length, before it could
-- fail the whole batch.
CREATE FUNCTION chibo_import.check_lengths(p_file text) RETURNS void
    LANGUAGE plpgsql PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF p_file = 'units.csv' THEN
        UPDATE pg_temp.chibo_import_units t
           SET reason = pg_catalog.format('%s: code is %s characters long; a code has at most 500',
                                          t.label, pg_catalog.length(t.code))
         WHERE t.reason IS NULL AND pg_catalog.length(t.code) > 500;
    ELSIF p_file = 'members.csv' THEN
        UPDATE pg_temp.chibo_import_members t
           SET reason = pg_catalog.format('%s: code is %s characters long; a code has at most 500',
                                          t.label, pg_catalog.length(t.code))
         WHERE t.reason IS NULL AND pg_catalog.length(t.code) > 500;
    ELSIF p_file = 'task_registrations.csv' THEN
        UPDATE pg_temp.chibo_import_task_registrations t
           SET reason = pg_catalog.format('%s: title is %s characters long; a title has at most 500',
                                          t.label, pg_catalog.length(t.title))
         WHERE t.reason IS NULL AND pg_catalog.length(t.title) > 500;
    END IF;
END;
$$;
COMMENT ON FUNCTION chibo_import.check_lengths(text) IS
    'import step: rejects codes and task titles too long for the natural-key indexes';
