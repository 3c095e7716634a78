-- chibo: the parts of chibo.import_staged() that every file shares.
--
-- Each file F is read into a temporary table pg_temp.chibo_import_F (one
-- row per staged row): line, raw (the row as loaded), key (its natural key),
-- the typed and resolved values, reason (NULL while the row is good), dup
-- (an identical copy of an earlier line, accepted but not applied twice)
-- and step (units are applied parents first, one step per tree level).
-- chibo_import.apply_F(step, line) writes the good rows of a step (or one
-- line) into the table through its triggers, which hold the same rules as
-- the import's checks.

-- Reject rows sharing a natural key with different values; mark identical
-- copies after the first as dup.
CREATE FUNCTION chibo_import.mark_duplicates(p_file text) RETURNS void
    LANGUAGE plpgsql
AS $$
DECLARE
    tmp text := 'chibo_import_' || pg_catalog.split_part(p_file, '.', 1);
BEGIN
    -- Keys staged more than once (usually none), then among those the
    -- keys whose copies differ.
    EXECUTE pg_catalog.format($q$
        CREATE TEMP TABLE chibo_import_repeats ON COMMIT DROP AS
        SELECT key, pg_catalog.min(line) AS first, pg_catalog.count(DISTINCT raw) > 1 AS differ,
               pg_catalog.min(label) AS label, pg_catalog.string_agg(line::text, ', ' ORDER BY line) AS lines
          FROM pg_temp.%1$I
         WHERE reason IS NULL
           AND key IN (SELECT key FROM pg_temp.%1$I WHERE reason IS NULL GROUP BY key HAVING pg_catalog.count(*) > 1)
         GROUP BY key$q$, tmp);
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

-- Apply the good rows of one step of a file.  If the set fails on a rule
-- the checks did not foresee (a change that breaks rows already stored),
-- apply the rows one by one and reject each failing row with the rule's
-- message.
CREATE FUNCTION chibo_import.apply(p_file text, p_step integer) RETURNS void
    LANGUAGE plpgsql
AS $$
DECLARE
    name text := pg_catalog.split_part(p_file, '.', 1);
    tmp text := 'chibo_import_' || name;
    apply_sql text := pg_catalog.format('SELECT chibo_import.%I($1, $2)', 'apply_' || name);
    one bigint;
BEGIN
    BEGIN
        EXECUTE apply_sql USING p_step, NULL::bigint;
        RETURN;
    EXCEPTION WHEN integrity_constraint_violation OR data_exception THEN
        RAISE NOTICE 'import %: a rule failed while applying; applying the rows one by one', p_file;
    END;
    FOR one IN EXECUTE pg_catalog.format(
            'SELECT line FROM pg_temp.%I WHERE reason IS NULL AND NOT dup AND step = $1 ORDER BY line', tmp)
            USING p_step LOOP
        BEGIN
            EXECUTE apply_sql USING p_step, one;
        EXCEPTION WHEN integrity_constraint_violation OR data_exception THEN
            EXECUTE pg_catalog.format('UPDATE pg_temp.%I SET reason = $1 WHERE line = $2', tmp)
                USING SQLERRM, one;
        END;
    END LOOP;
END;
$$;
COMMENT ON FUNCTION chibo_import.apply(text, integer) IS
    'import step: writes a file''s good rows into its table, falling back to one row at a time when a rule fails';

-- Check the rows of a step that would change something with the table's
-- rule function (p_rule, such as members_rule): p_columns lists the
-- temporary table's columns under the table's names.
CREATE FUNCTION chibo_import.check_rule(p_file text, p_rule text, p_columns text, p_step integer) RETURNS void
    LANGUAGE plpgsql
AS $$
DECLARE
    tmp text := 'chibo_import_' || pg_catalog.split_part(p_file, '.', 1);
    query text;
BEGIN
    EXECUTE pg_catalog.format('SELECT @extschema@.%I($1, $2)', p_rule) INTO query
        USING pg_catalog.format('(SELECT line, %s FROM pg_temp.%I WHERE reason IS NULL AND NOT dup AND NOT stored AND step = %s)',
                                p_columns, tmp, p_step),
              'line';
    EXECUTE pg_catalog.format('UPDATE pg_temp.%I t SET reason = chibo_import.reason(p.problem) FROM (%s) p
                                WHERE p.problem IS NOT NULL AND t.line = p.key', tmp, query);
END;
$$;
COMMENT ON FUNCTION chibo_import.check_rule(text, text, text, integer) IS
    'import step: checks a file''s staged rows with the table''s rule function, the same query its trigger runs';

-- Record the file's rejects and return its counts.
CREATE FUNCTION chibo_import.finish(p_batch bigint, p_file text, OUT accepted bigint, OUT rejected bigint)
    LANGUAGE plpgsql
AS $$
DECLARE
    tmp text := 'chibo_import_' || pg_catalog.split_part(p_file, '.', 1);
BEGIN
    EXECUTE pg_catalog.format(
        'INSERT INTO chibo_import.rejects (batch, file, line, "row", reason)
         SELECT $1, $2, line, raw, reason FROM pg_temp.%I WHERE reason IS NOT NULL ORDER BY line', tmp)
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
