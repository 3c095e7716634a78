-- chibo.import_staged(): validate and apply one staged batch.

CREATE FUNCTION @extschema@.import_staged()
RETURNS TABLE (file text, accepted bigint, rejected bigint)
    LANGUAGE plpgsql PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
    -- Memory for the sorts and hashes of a city's year (default 4MB).
    SET work_mem = '128MB'
    -- Staged rows are numbered in the order a plain sequential scan reads
    -- them, the order they were staged (see sql/import/files.sql).
    SET max_parallel_workers_per_gather = 0
    SET synchronize_seqscans = off
AS $$
DECLARE
    batch bigint;
    f text;
    step integer;
    g text;
    counts record;
    done text[] := '{}';
    finished text[] := '{}';
    accepted_counts bigint[] := '{}';
    rejected_counts bigint[] := '{}';
BEGIN
    -- One batch at a time: no rows may be staged while this one is read.
    LOCK TABLE chibo_import.units, chibo_import.members, chibo_import.memberships,
               chibo_import.exemptions, chibo_import.meetings, chibo_import.attendance,
               chibo_import.task_registrations, chibo_import.assessments,
               chibo_import.classifications IN EXCLUSIVE MODE;
    batch := pg_catalog.nextval('chibo_import.batch_seq');

    -- Files in the order their rows depend on each other.
    FOR f IN SELECT x.file FROM chibo_import.files() x LOOP
        EXECUTE pg_catalog.format('SELECT chibo_import.%I()', 'load_' || pg_catalog.split_part(f, '.', 1));
        -- Statistics, so that the checks below join by hash, not by loops.
        EXECUTE pg_catalog.format('ANALYZE pg_temp.%I', 'chibo_import_' || pg_catalog.split_part(f, '.', 1));
        PERFORM chibo_import.check_lengths(f);
        PERFORM chibo_import.mark_duplicates(f);
        IF f = 'units.csv' THEN
            -- One step per tree level, parents first.
            step := 1;
            WHILE chibo_import.check_units(step) > 0 LOOP
                PERFORM chibo_import.apply(f, step);
                step := step + 1;
            END LOOP;
            -- Units never reached wait on each other: a loop of parents.
            UPDATE pg_temp.chibo_import_units t
               SET reason = pg_catalog.format('unit %s: its parent chain through %s leads back to itself',
                                              t.code, t.parent_code)
             WHERE t.reason IS NULL AND NOT t.dup AND t.step IS NULL;
        ELSE
            -- Two steps: memberships apply changes to stored rows first
            -- (a transfer closes one), then new rows; the others use step 1.
            FOR step IN 1..2 LOOP
                PERFORM chibo_import.check(f, step);
                PERFORM chibo_import.apply(f, step);
            END LOOP;
        END IF;
        -- Units may close with the memberships and meetings of this batch:
        -- their waiting changes are applied now, and units.csv is done.
        IF f = 'meetings.csv' THEN
            PERFORM chibo_import.retry_units();
            done := done || 'units.csv'::text;
        END IF;
        IF f <> 'units.csv' THEN
            done := done || f;
        END IF;
        -- Keep the rejects of the files that are done, and count.
        FOREACH g IN ARRAY done LOOP
            SELECT * INTO counts FROM chibo_import.finish(batch, g);
            finished := finished || g;
            accepted_counts := accepted_counts || counts.accepted;
            rejected_counts := rejected_counts || counts.rejected;
            IF counts.accepted + counts.rejected >= 100000 THEN
                RAISE NOTICE 'import %: % accepted, % rejected', g, counts.accepted, counts.rejected;
            END IF;
        END LOOP;
        done := '{}';
    END LOOP;

    TRUNCATE chibo_import.units, chibo_import.members, chibo_import.memberships,
             chibo_import.exemptions, chibo_import.meetings, chibo_import.attendance,
             chibo_import.task_registrations, chibo_import.assessments,
             chibo_import.classifications;

    -- Fresh statistics for the tables just written, so that the first
    -- reports after a large import do not plan on stale ones.
    FOR step IN 1 .. pg_catalog.cardinality(finished) LOOP
        -- (ANALYZE is the table owner's: an admin who is not leaves it to
        -- autovacuum.)
        IF accepted_counts[step] > 0
           AND pg_catalog.pg_has_role((SELECT c.relowner FROM pg_catalog.pg_class c
                                        WHERE c.oid = '@extschema@.units'::pg_catalog.regclass), 'USAGE') THEN
            EXECUTE pg_catalog.format('ANALYZE @extschema@.%I',
                                      (SELECT x.tbl FROM chibo_import.files() x WHERE x.file = finished[step]));
        END IF;
    END LOOP;

    -- One row per file, in the contract's order.
    RETURN QUERY
        SELECT x.file, c.accepted, c.rejected
          FROM chibo_import.files() WITH ORDINALITY AS x(file, tbl, rule, columns, staged, ord)
          JOIN ROWS FROM (pg_catalog.unnest(finished), pg_catalog.unnest(accepted_counts),
                          pg_catalog.unnest(rejected_counts)) AS c(file, accepted, rejected)
            ON c.file = x.file
         ORDER BY x.ord;
END;
$$;
COMMENT ON FUNCTION @extschema@.import_staged() IS
    'validates the rows staged in chibo_import.*, applies the valid ones, keeps the others in chibo_import.rejects, empties staging; one row per file: accepted, rejected';
