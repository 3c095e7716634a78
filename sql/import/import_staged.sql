-- chibo.import_staged(): validate and apply one staged batch.

CREATE FUNCTION @extschema@.import_staged()
RETURNS TABLE (file text, accepted bigint, rejected bigint)
    LANGUAGE plpgsql
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
        file := f;
        SELECT fin.accepted, fin.rejected INTO accepted, rejected FROM chibo_import.finish(batch, f) fin;
        IF accepted + rejected >= 100000 THEN
            RAISE NOTICE 'import %: % accepted, % rejected', f, accepted, rejected;
        END IF;
        RETURN NEXT;
    END LOOP;

    TRUNCATE chibo_import.units, chibo_import.members, chibo_import.memberships,
             chibo_import.exemptions, chibo_import.meetings, chibo_import.attendance,
             chibo_import.task_registrations, chibo_import.assessments,
             chibo_import.classifications;
END;
$$;
COMMENT ON FUNCTION @extschema@.import_staged() IS
    'validates the rows staged in chibo_import.*, applies the valid ones, keeps the others in chibo_import.rejects, empties staging; one row per file: accepted, rejected';
