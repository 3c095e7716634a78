-- chibo: refresh_reports(), which keeps the rollups.
--
-- By default it recomputes only what report_changes names: the changed
-- cell-months, the cell-years they fall in, and the months and years of
-- the units above those cells.  full => true rebuilds everything; so does
-- a refresh that finds the reporting range moved (a first meeting in a new
-- month), the rollups never built, or a TRUNCATE of a table they read.
--
-- It runs as one transaction and writes with DELETE and INSERT only:
-- readers of the reports keep reading (never an ACCESS EXCLUSIVE lock) and
-- see the rollups before or after, never half-way.  Two refreshes at once
-- queue on an advisory lock.

-- Drops a temporary table of this session if it exists (a refresh run
-- twice in one transaction finds its tables), without a notice if not.
CREATE FUNCTION @extschema@.drop_temp_table(name text) RETURNS void
    LANGUAGE plpgsql PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF pg_catalog.to_regclass('pg_temp.' || pg_catalog.quote_ident(name)) IS NOT NULL THEN
        EXECUTE pg_catalog.format('DROP TABLE pg_temp.%I', name);
    END IF;
END;
$$;
COMMENT ON FUNCTION @extschema@.drop_temp_table(text) IS
    'drops a temporary table of the session if it exists (used by refresh_reports())';

-- The member figures of the cell windows in pg_temp.chibo_windows
-- (unit_id, starts, ends: a cell and a window of months, from the first
-- day of its first month to its end date, within one calendar year), into
-- pg_temp.chibo_member_figures (unit_id, starts, active, registered,
-- achieved, mixed): the members belonging to the cell on the end date;
-- those of them with a task registration for the window's year; those
-- whose member assessments lying inside the window all meet every
-- criterion (four_good_status achieved); and those whose assessments there
-- mix schemes of different sizes, who are not counted as achieved.
CREATE FUNCTION @extschema@.refresh_member_figures() RETURNS void
    LANGUAGE plpgsql PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM @extschema@.drop_temp_table(t)
       FROM pg_catalog.unnest(ARRAY['chibo_window_members', 'chibo_member_figures']) AS t;
    CREATE TEMP TABLE chibo_window_members ON COMMIT DROP AS
    SELECT w.unit_id, w.starts, ms.member_id
      FROM pg_temp.chibo_windows w
      JOIN @extschema@.memberships ms
        ON ms.unit_id = w.unit_id AND ms.from_date <= w.ends AND (ms.to_date IS NULL OR ms.to_date > w.ends)
      JOIN @extschema@.members mb ON mb.id = ms.member_id
     WHERE mb.left_on IS NULL OR mb.left_on >= w.ends;
    ANALYZE pg_temp.chibo_window_members;

    CREATE TEMP TABLE chibo_member_figures ON COMMIT DROP AS
    SELECT a.unit_id, a.starts, pg_catalog.count(*) AS active,
           pg_catalog.count(r.member_id) AS registered,
           pg_catalog.count(*) FILTER (WHERE g.all_met AND NOT g.mixed) AS achieved,
           pg_catalog.count(*) FILTER (WHERE g.mixed) AS mixed
      FROM pg_temp.chibo_window_members a
      -- (the registration years of these members only: a semi-join against
      -- the whole table would first make all of it unique)
      LEFT JOIN (SELECT DISTINCT r.member_id, r.year FROM @extschema@.task_registrations r
                  WHERE r.member_id IN (SELECT a2.member_id FROM pg_temp.chibo_window_members a2)) r
        ON r.member_id = a.member_id AND r.year = pg_catalog.date_part('year', a.starts)::integer
      LEFT JOIN (SELECT x.member_id, w.starts,
                        pg_catalog.bool_and(@extschema@.all_met(x.criteria)) AS all_met,
                        pg_catalog.min(@extschema@.criteria_count(x.criteria))
                          <> pg_catalog.max(@extschema@.criteria_count(x.criteria)) AS mixed
                   FROM @extschema@.assessments x
                   -- (period_start <= ends is implied, and bounds the range
                   -- scan of assessments_period per window)
                   JOIN (SELECT DISTINCT w2.starts, w2.ends FROM pg_temp.chibo_windows w2) w
                     ON x.period_start >= w.starts AND x.period_start <= w.ends AND x.period_end <= w.ends
                  WHERE x.member_id IN (SELECT a3.member_id FROM pg_temp.chibo_window_members a3)
                  GROUP BY x.member_id, w.starts) g
        ON g.member_id = a.member_id AND g.starts = a.starts
     GROUP BY a.unit_id, a.starts;
END;
$$;
COMMENT ON FUNCTION @extschema@.refresh_member_figures() IS
    'step of refresh_reports(): the active, task-registered, four-good and mixed-scheme member counts of the cell windows in pg_temp.chibo_windows';

-- The counts of the cell-months in pg_temp.chibo_target_months.
CREATE FUNCTION @extschema@.refresh_cell_months() RETURNS bigint
    LANGUAGE plpgsql PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    n bigint;
BEGIN
    -- The meetings of those months.
    PERFORM @extschema@.drop_temp_table('chibo_target_meetings');
    CREATE TEMP TABLE chibo_target_meetings ON COMMIT DROP AS
    SELECT mt.id, mt.unit_id, t.month, mt.held_on, mt.kind, mt.minutes
      FROM pg_temp.chibo_target_months t
      JOIN @extschema@.meetings mt
        ON mt.unit_id = t.unit_id AND mt.held_on >= t.month AND mt.held_on <= t.month_end;
    ANALYZE pg_temp.chibo_target_meetings;

    -- Each meeting's expected members: belonging to the cell (a membership
    -- covers the day and they had not left the party before it), not
    -- exempt that day.  (Bounds are compared one by one rather than with
    -- range operators: the planner estimates those, and joins by hash.)
    PERFORM @extschema@.drop_temp_table('chibo_meeting_counts');
    CREATE TEMP TABLE chibo_meeting_counts ON COMMIT DROP AS
    SELECT m.id, pg_catalog.count(*) AS expected
      FROM pg_temp.chibo_target_meetings m
      JOIN @extschema@.memberships ms
        ON ms.unit_id = m.unit_id AND ms.from_date <= m.held_on AND (ms.to_date IS NULL OR ms.to_date > m.held_on)
      JOIN @extschema@.members mb ON mb.id = ms.member_id
     WHERE (mb.left_on IS NULL OR mb.left_on >= m.held_on)
       AND NOT EXISTS (SELECT FROM @extschema@.exemptions e
                        WHERE e.member_id = ms.member_id AND e.from_date <= m.held_on
                          AND (e.to_date IS NULL OR e.to_date > m.held_on))
     GROUP BY m.id;

    -- Those of them recorded present or excused.  An attendance row names
    -- a member belonging to the cell that day (the attendance rules hold
    -- it so), so only exemptions are left to take out.  (One join: the
    -- planner reads a few meetings' rows through the index on attendance
    -- and the whole table by hash for a full rebuild; a subquery per
    -- meeting was 10 times slower there.)  Meetings with nobody present
    -- or excused have no row: the caller counts them 0.
    PERFORM @extschema@.drop_temp_table('chibo_meeting_marks');
    CREATE TEMP TABLE chibo_meeting_marks ON COMMIT DROP AS
    SELECT m.id,
           pg_catalog.count(*) FILTER (WHERE a.status = 'present') AS present,
           pg_catalog.count(*) FILTER (WHERE a.status = 'excused') AS excused
      FROM pg_temp.chibo_target_meetings m
      JOIN @extschema@.attendance a ON a.meeting_id = m.id
     WHERE a.status IN ('present', 'excused')
       AND NOT EXISTS (SELECT FROM @extschema@.exemptions e
                        WHERE e.member_id = a.member_id AND e.from_date <= m.held_on
                          AND (e.to_date IS NULL OR e.to_date > m.held_on))
     GROUP BY m.id;

    -- The member figures of the months whose members may have changed.
    PERFORM @extschema@.drop_temp_table('chibo_windows');
    CREATE TEMP TABLE chibo_windows ON COMMIT DROP AS
    SELECT t.unit_id, t.month AS starts, t.month_end AS ends FROM pg_temp.chibo_target_months t WHERE t.members;
    ANALYZE pg_temp.chibo_windows;
    PERFORM @extschema@.refresh_member_figures();

    INSERT INTO @extschema@.cell_months
    SELECT t.unit_id, t.month,
           u.valid_from <= t.month_end AND (u.valid_to IS NULL OR u.valid_to > t.month_end),
           COALESCE(mt.meetings, 0), COALESCE(mt.present, 0), COALESCE(mt.excused, 0), COALESCE(mt.expected, 0),
           COALESCE(mt.thematic_meetings, 0),
           COALESCE(mt.side_meetings, 0), COALESCE(mt.side_present, 0), COALESCE(mt.side_excused, 0),
           COALESCE(mt.side_expected, 0), COALESCE(mt.short_meetings, 0),
           -- the member figures: recomputed, or kept from the row replaced
           CASE WHEN t.members THEN COALESCE(f.active, 0) ELSE o.active_members END,
           CASE WHEN t.members THEN COALESCE(f.registered, 0) ELSE o.task_registered END,
           CASE WHEN t.members THEN COALESCE(f.achieved, 0) ELSE o.four_good END,
           CASE WHEN t.members THEN COALESCE(f.mixed, 0) ELSE o.four_good_mixed END
      FROM pg_temp.chibo_target_months t
      JOIN @extschema@.units u ON u.id = t.unit_id
      LEFT JOIN pg_temp.chibo_month_deltas o ON o.unit_id = t.unit_id AND o.month = t.month AND o.sign = -1
      LEFT JOIN (
            SELECT m.unit_id, m.month,
                   pg_catalog.count(*) FILTER (WHERE m.kind IN ('regular', 'combined')) AS meetings,
                   pg_catalog.sum(k.present) FILTER (WHERE m.kind IN ('regular', 'combined')) AS present,
                   pg_catalog.sum(k.excused) FILTER (WHERE m.kind IN ('regular', 'combined')) AS excused,
                   pg_catalog.sum(c.expected) FILTER (WHERE m.kind IN ('regular', 'combined')) AS expected,
                   pg_catalog.count(*) FILTER (WHERE m.kind IN ('thematic', 'combined')) AS thematic_meetings,
                   pg_catalog.count(*) FILTER (WHERE m.kind IN ('thematic', 'extraordinary')) AS side_meetings,
                   pg_catalog.sum(k.present) FILTER (WHERE m.kind IN ('thematic', 'extraordinary')) AS side_present,
                   pg_catalog.sum(k.excused) FILTER (WHERE m.kind IN ('thematic', 'extraordinary')) AS side_excused,
                   pg_catalog.sum(c.expected) FILTER (WHERE m.kind IN ('thematic', 'extraordinary')) AS side_expected,
                   pg_catalog.count(*) FILTER (WHERE m.minutes < @extschema@.minimum_minutes(m.kind, m.held_on)) AS short_meetings
              FROM pg_temp.chibo_target_meetings m
              LEFT JOIN pg_temp.chibo_meeting_counts c ON c.id = m.id
              LEFT JOIN pg_temp.chibo_meeting_marks k ON k.id = m.id
             GROUP BY m.unit_id, m.month) mt
        ON mt.unit_id = t.unit_id AND mt.month = t.month
      LEFT JOIN pg_temp.chibo_member_figures f ON f.unit_id = t.unit_id AND f.starts = t.month;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END;
$$;
COMMENT ON FUNCTION @extschema@.refresh_cell_months() IS
    'step of refresh_reports(): computes the cell_months rows named in pg_temp.chibo_target_months from the tables';

-- The cell_years rows of pg_temp.chibo_target_years (unit_id, year,
-- first_month, last_month), from cell_months and the member tables.
CREATE FUNCTION @extschema@.refresh_cell_years() RETURNS bigint
    LANGUAGE plpgsql PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    n bigint;
BEGIN
    PERFORM @extschema@.drop_temp_table('chibo_windows');
    CREATE TEMP TABLE chibo_windows ON COMMIT DROP AS
    SELECT t.unit_id, t.first_month AS starts, t.end_date AS ends FROM pg_temp.chibo_target_years t WHERE t.members;
    ANALYZE pg_temp.chibo_windows;
    PERFORM @extschema@.refresh_member_figures();

    INSERT INTO @extschema@.cell_years
    SELECT t.unit_id, t.year, t.first_month, t.last_month,
           u.valid_from <= t.end_date AND (u.valid_to IS NULL OR u.valid_to > t.end_date),
           COALESCE(cm.months_judged, 0), COALESCE(cm.months_passing, 0), COALESCE(cm.months_without_meeting, 0),
           COALESCE(cm.meetings, 0), COALESCE(cm.present, 0), COALESCE(cm.excused, 0), COALESCE(cm.expected, 0),
           COALESCE(cm.thematic_meetings, 0), COALESCE(cm.side_meetings, 0), COALESCE(cm.side_present, 0),
           COALESCE(cm.side_excused, 0), COALESCE(cm.side_expected, 0), COALESCE(cm.short_meetings, 0),
           -- the member figures: recomputed, or kept from the row replaced
           CASE WHEN t.members THEN COALESCE(f.active, 0) ELSE o.active_members END,
           CASE WHEN t.members THEN COALESCE(f.registered, 0) ELSE o.task_registered END,
           CASE WHEN t.members THEN COALESCE(f.achieved, 0) ELSE o.four_good END,
           CASE WHEN t.members THEN COALESCE(f.mixed, 0) ELSE o.four_good_mixed END,
           CASE WHEN t.members THEN COALESCE(gr.excellent, 0) ELSE o.graded_excellent END,
           CASE WHEN t.members THEN COALESCE(gr.good, 0) ELSE o.graded_good END
      FROM pg_temp.chibo_target_years t
      JOIN @extschema@.units u ON u.id = t.unit_id
      LEFT JOIN pg_temp.chibo_year_deltas o ON o.unit_id = t.unit_id AND o.year = t.year AND o.sign = -1
      LEFT JOIN (
            SELECT c.unit_id, t2.year,
                   pg_catalog.count(*) FILTER (WHERE @extschema@.month_passes(c.meetings, c.present, c.expected, 0.85)
                                                   IS NOT NULL) AS months_judged,
                   pg_catalog.count(*) FILTER (WHERE @extschema@.month_passes(c.meetings, c.present, c.expected, 0.85))
                       AS months_passing,
                   pg_catalog.count(*) FILTER (WHERE c.meetings = 0) AS months_without_meeting,
                   pg_catalog.sum(c.meetings) AS meetings, pg_catalog.sum(c.present) AS present,
                   pg_catalog.sum(c.excused) AS excused, pg_catalog.sum(c.expected) AS expected,
                   pg_catalog.sum(c.thematic_meetings) AS thematic_meetings,
                   pg_catalog.sum(c.side_meetings) AS side_meetings, pg_catalog.sum(c.side_present) AS side_present,
                   pg_catalog.sum(c.side_excused) AS side_excused, pg_catalog.sum(c.side_expected) AS side_expected,
                   pg_catalog.sum(c.short_meetings) AS short_meetings
              FROM pg_temp.chibo_target_years t2
              JOIN @extschema@.cell_months c
                ON c.unit_id = t2.unit_id AND c.month >= t2.first_month AND c.month <= t2.last_month
             GROUP BY c.unit_id, t2.year) cm
        ON cm.unit_id = t.unit_id AND cm.year = t.year
      LEFT JOIN pg_temp.chibo_member_figures f ON f.unit_id = t.unit_id AND f.starts = t.first_month
      LEFT JOIN (
            -- members belonging to the cell on 31 December, by grade
            SELECT t4.unit_id, t4.year,
                   pg_catalog.count(*) FILTER (WHERE k.grade = 'excellent') AS excellent,
                   pg_catalog.count(*) FILTER (WHERE k.grade = 'good') AS good
              FROM pg_temp.chibo_target_years t4
              JOIN @extschema@.memberships ms
                ON ms.unit_id = t4.unit_id AND ms.from_date <= t4.dec31 AND (ms.to_date IS NULL OR ms.to_date > t4.dec31)
              JOIN @extschema@.members mb ON mb.id = ms.member_id
              JOIN @extschema@.classifications k ON k.member_id = ms.member_id AND k.year = t4.year
             WHERE t4.members AND (mb.left_on IS NULL OR mb.left_on >= t4.dec31)
               AND k.grade IN ('excellent', 'good')
             GROUP BY t4.unit_id, t4.year) gr
        ON gr.unit_id = t.unit_id AND gr.year = t.year;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END;
$$;
COMMENT ON FUNCTION @extschema@.refresh_cell_years() IS
    'step of refresh_reports(): computes the cell_years rows named in pg_temp.chibo_target_years from cell_months and the member tables';

-- The text of a query summing signed cell rows over the units above them:
-- SOURCE has the columns of cell_months (PERIOD 'month') or cell_years
-- (PERIOD 'year') and a column sign, +1 to add a row, -1 to take it away;
-- the result has a row per unit and month or year, with the value columns
-- of unit_months or unit_years.  A cell counts in cells_total when it
-- exists on the window's end date and has a month that could be judged,
-- in cells_passing when every such month passed (threshold 0.85,
-- excused_count).
CREATE FUNCTION @extschema@.unit_sums(period text, source text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN pg_catalog.format($q$
        SELECT ua.ancestor_id AS unit_id, c.%1$I,
               pg_catalog.sum(c.sign * c.active_members)::bigint AS active_members,
               pg_catalog.sum(c.sign * c.task_registered)::bigint AS task_registered,
               pg_catalog.sum(c.sign * c.four_good)::bigint AS four_good,
               pg_catalog.sum(c.sign * c.four_good_mixed)::bigint AS four_good_mixed,
               pg_catalog.sum(c.sign * CASE WHEN c.exists_on_end THEN 1 ELSE 0 END)::bigint AS cells_existing,
               pg_catalog.sum(c.sign * CASE WHEN c.exists_on_end AND %3$s THEN 1 ELSE 0 END)::bigint AS cells_total,
               pg_catalog.sum(c.sign * CASE WHEN c.exists_on_end AND %4$s THEN 1 ELSE 0 END)::bigint AS cells_passing,
               pg_catalog.sum(c.sign * CASE WHEN c.exists_on_end AND %5$s THEN 1 ELSE 0 END)::bigint AS cells_without_meeting,
               pg_catalog.sum(c.sign * c.meetings)::bigint AS meetings,
               pg_catalog.sum(c.sign * c.present)::bigint AS present,
               pg_catalog.sum(c.sign * c.excused)::bigint AS excused,
               pg_catalog.sum(c.sign * c.expected)::bigint AS expected,
               pg_catalog.sum(c.sign * c.side_meetings)::bigint AS side_meetings,
               pg_catalog.sum(c.sign * c.side_present)::bigint AS side_present,
               pg_catalog.sum(c.sign * c.side_excused)::bigint AS side_excused,
               pg_catalog.sum(c.sign * c.side_expected)::bigint AS side_expected,
               pg_catalog.sum(c.sign * c.short_meetings)::bigint AS short_meetings%6$s
          FROM %2$s c JOIN @extschema@.unit_ancestors ua ON ua.unit_id = c.unit_id
         GROUP BY ua.ancestor_id, c.%1$I$q$,
        period, source,
        CASE period WHEN 'month' THEN '@extschema@.month_passes(c.meetings, c.present, c.expected, 0.85) IS NOT NULL'
                    ELSE 'c.months_judged > 0' END,
        CASE period WHEN 'month' THEN '@extschema@.month_passes(c.meetings, c.present, c.expected, 0.85)'
                    ELSE 'c.months_judged > 0 AND c.months_passing = c.months_judged' END,
        CASE period WHEN 'month' THEN 'c.meetings = 0' ELSE 'c.months_without_meeting > 0' END,
        CASE period WHEN 'month' THEN ''
             ELSE ',
               pg_catalog.sum(c.sign * c.graded_excellent)::bigint AS graded_excellent,
               pg_catalog.sum(c.sign * c.graded_good)::bigint AS graded_good' END);
COMMENT ON FUNCTION @extschema@.unit_sums(text, text) IS
    'the text of the query that sums signed cell_months or cell_years rows (a column sign, +1 or -1) into the value columns of unit_months or unit_years, per unit above the cells';

-- The value columns of a unit rollup (all but its key and window), for SQL
-- written from the catalogue: FORMAT is applied to each column's name.
CREATE FUNCTION @extschema@.unit_rollup_columns(rollup regclass, format text) RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN (SELECT pg_catalog.string_agg(pg_catalog.format(format, a.attname), ', ' ORDER BY a.attnum)
              FROM pg_catalog.pg_attribute a
             WHERE a.attrelid = rollup AND a.attnum > 0 AND NOT a.attisdropped
               AND a.attname NOT IN ('unit_id', 'month', 'year', 'first_month', 'last_month'));
COMMENT ON FUNCTION @extschema@.unit_rollup_columns(regclass, text) IS
    'the value columns of unit_months or unit_years (all but the key and window), each written with a format such as COALESCE(s.%I, 0)';

-- The unit_months and unit_years rows.  Without DELTA: computed in full for
-- the units and windows of pg_temp.chibo_unit_target_months and _years,
-- from every cell row.  With DELTA: the stored rows are corrected by the
-- signed cell rows of pg_temp.chibo_month_deltas and chibo_year_deltas
-- (old rows -1, new rows +1): every column is a sum over cells, so the
-- units above a changed cell change by exactly its change.
CREATE FUNCTION @extschema@.refresh_unit_rollups(delta boolean) RETURNS bigint
    LANGUAGE plpgsql PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    n bigint;
    m bigint;
    corrections bigint;
BEGIN
    IF NOT delta THEN
        EXECUTE pg_catalog.format(
            'INSERT INTO @extschema@.unit_months SELECT t.unit_id, t.month, %s
               FROM pg_temp.chibo_unit_target_months t
               LEFT JOIN (%s) s ON s.unit_id = t.unit_id AND s.month = t.month',
            @extschema@.unit_rollup_columns('@extschema@.unit_months', 'COALESCE(s.%I, 0)'),
            @extschema@.unit_sums('month', '(SELECT c.*, 1 AS sign FROM @extschema@.cell_months c)'));
        GET DIAGNOSTICS n = ROW_COUNT;
        EXECUTE pg_catalog.format(
            'INSERT INTO @extschema@.unit_years SELECT t.unit_id, t.year, t.first_month, t.last_month, %s
               FROM pg_temp.chibo_unit_target_years t
               LEFT JOIN (%s) s ON s.unit_id = t.unit_id AND s.year = t.year',
            @extschema@.unit_rollup_columns('@extschema@.unit_years', 'COALESCE(s.%I, 0)'),
            @extschema@.unit_sums('year', '(SELECT c.*, 1 AS sign FROM @extschema@.cell_years c)'));
        GET DIAGNOSTICS m = ROW_COUNT;
        RETURN n + m;
    END IF;

    -- The units above a cell exist whenever it does, so their rows are
    -- there to correct (a change of the tree takes the path above).
    PERFORM @extschema@.drop_temp_table(t)
       FROM pg_catalog.unnest(ARRAY['chibo_unit_month_deltas', 'chibo_unit_year_deltas']) AS t;
    EXECUTE pg_catalog.format('CREATE TEMP TABLE chibo_unit_month_deltas ON COMMIT DROP AS %s',
                              @extschema@.unit_sums('month', 'pg_temp.chibo_month_deltas'));
    EXECUTE pg_catalog.format('CREATE TEMP TABLE chibo_unit_year_deltas ON COMMIT DROP AS %s',
                              @extschema@.unit_sums('year', 'pg_temp.chibo_year_deltas'));
    EXECUTE pg_catalog.format(
        'UPDATE @extschema@.unit_months u SET %s FROM pg_temp.chibo_unit_month_deltas s
          WHERE u.unit_id = s.unit_id AND u.month = s.month',
        @extschema@.unit_rollup_columns('@extschema@.unit_months', '%1$I = u.%1$I + s.%1$I'));
    GET DIAGNOSTICS n = ROW_COUNT;
    EXECUTE pg_catalog.format(
        'UPDATE @extschema@.unit_years u SET %s FROM pg_temp.chibo_unit_year_deltas s
          WHERE u.unit_id = s.unit_id AND u.year = s.year',
        @extschema@.unit_rollup_columns('@extschema@.unit_years', '%1$I = u.%1$I + s.%1$I'));
    GET DIAGNOSTICS m = ROW_COUNT;
    corrections := (SELECT pg_catalog.count(*) FROM pg_temp.chibo_unit_month_deltas)
                   + (SELECT pg_catalog.count(*) FROM pg_temp.chibo_unit_year_deltas);
    IF n + m <> corrections THEN
        -- cannot happen while the rollups agree with the tree; stop rather
        -- than leave a unit without its change
        RAISE EXCEPTION 'refresh_reports: % unit rows to correct are missing', corrections - n - m
            USING ERRCODE = 'XX000', HINT = 'Run SELECT * FROM chibo.refresh_reports(full => true);';
    END IF;
    RETURN n + m;
END;
$$;
COMMENT ON FUNCTION @extschema@.refresh_unit_rollups(boolean) IS
    'step of refresh_reports(): computes the unit_months and unit_years rows named in pg_temp.chibo_unit_target_months and _years, or (delta) corrects the stored ones by the changed cell rows';

CREATE FUNCTION @extschema@.refresh_reports(full boolean DEFAULT false)
RETURNS TABLE (rollup text, recomputed bigint)
    LANGUAGE plpgsql PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
    SET work_mem = '64MB'
    -- Overestimated row counts made every refresh compile its queries with
    -- LLVM: 22 to 26 s of a district rebuild, 17 to 18 without (benchmarks).
    SET jit = off
AS $$
DECLARE
    rebuild boolean := $1;
    tree_changed boolean;
    old_first date;
    old_last date;
    new_first date;
    new_last date;
    n_changes bigint;
    n bigint;
BEGIN
    IF rebuild IS NULL THEN
        RAISE EXCEPTION 'refresh_reports: full must be true or false, not NULL' USING ERRCODE = '22004';
    END IF;
    -- One refresh at a time; readers are never blocked.
    PERFORM pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('chibo.refresh_reports'));

    SELECT @extschema@.month_of(pg_catalog.min(held_on)), @extschema@.month_of(pg_catalog.max(held_on))
      INTO new_first, new_last FROM @extschema@.meetings;
    SELECT s.first_month, s.last_month INTO old_first, old_last FROM @extschema@.report_state s;
    IF NOT FOUND THEN
        rebuild := true;
    ELSIF old_first IS DISTINCT FROM new_first OR old_last IS DISTINCT FROM new_last THEN
        IF NOT rebuild THEN
            RAISE NOTICE 'refresh_reports: the reporting range is now % to %: rebuilding in full',
                COALESCE(@extschema@.date_text(new_first), 'empty'), COALESCE(@extschema@.date_text(new_last), 'empty');
        END IF;
        rebuild := true;
    END IF;

    -- Take the recorded changes (those committed by now; later ones stay).
    PERFORM @extschema@.drop_temp_table('chibo_changes');
    CREATE TEMP TABLE chibo_changes ON COMMIT DROP AS
    WITH taken AS (DELETE FROM @extschema@.report_changes RETURNING unit_id, first_month, last_month, members)
    SELECT DISTINCT unit_id, first_month, last_month, members FROM taken;
    GET DIAGNOSTICS n_changes = ROW_COUNT;
    IF EXISTS (SELECT FROM pg_temp.chibo_changes WHERE unit_id IS NULL) THEN
        rebuild := true;
    END IF;
    tree_changed := rebuild OR EXISTS (SELECT FROM pg_temp.chibo_changes WHERE first_month IS NULL);


    PERFORM @extschema@.drop_temp_table(t)
       FROM pg_catalog.unnest(ARRAY['chibo_target_months', 'chibo_target_years',
                                    'chibo_unit_target_months', 'chibo_unit_target_years']) AS t;
    -- (members: whether the member figures are recomputed too, or only
    -- the attendance figures)
    CREATE TEMP TABLE chibo_target_months (unit_id bigint, month date, month_end date, members boolean) ON COMMIT DROP;
    CREATE TEMP TABLE chibo_target_years (unit_id bigint, year integer, first_month date, last_month date,
                                          end_date date, dec31 date, members boolean) ON COMMIT DROP;
    CREATE TEMP TABLE chibo_unit_target_months (unit_id bigint, month date, members boolean) ON COMMIT DROP;
    CREATE TEMP TABLE chibo_unit_target_years (unit_id bigint, year integer, first_month date, last_month date,
                                               members boolean) ON COMMIT DROP;
    -- cell rows replaced (-1) and their new values (+1)
    PERFORM @extschema@.drop_temp_table(t)
       FROM pg_catalog.unnest(ARRAY['chibo_month_deltas', 'chibo_year_deltas']) AS t;
    CREATE TEMP TABLE chibo_month_deltas ON COMMIT DROP AS
    SELECT c.*, 0 AS sign FROM @extschema@.cell_months c WHERE false;
    CREATE TEMP TABLE chibo_year_deltas ON COMMIT DROP AS
    SELECT c.*, 0 AS sign FROM @extschema@.cell_years c WHERE false;

    IF rebuild THEN
        RAISE NOTICE 'refresh_reports: rebuilding every rollup (months % to %)',
            COALESCE(@extschema@.date_text(new_first), 'none'), COALESCE(@extschema@.date_text(new_last), 'none');
        DELETE FROM @extschema@.cell_months;
        DELETE FROM @extschema@.cell_years;
        DELETE FROM @extschema@.unit_months;
        DELETE FROM @extschema@.unit_years;
        -- every unit, every month and year of the range in which it existed
        INSERT INTO pg_temp.chibo_unit_target_months
        SELECT u.id, m.month::date, true
          FROM @extschema@.units u,
               pg_catalog.generate_series(GREATEST(new_first, @extschema@.month_of(u.valid_from)),
                                          LEAST(new_last, @extschema@.month_of(u.valid_to - 1)),
                                          interval '1 month') AS m (month);
    ELSE
        RAISE NOTICE 'refresh_reports: changes recorded since the last refresh: %', n_changes;
        -- the changed spans, cut to the range
        INSERT INTO pg_temp.chibo_unit_target_months
        SELECT c.unit_id, m.month::date, pg_catalog.bool_or(c.members)
          FROM pg_temp.chibo_changes c,
               pg_catalog.generate_series(GREATEST(new_first, c.first_month), LEAST(new_last, c.last_month),
                                          interval '1 month') AS m (month)
         GROUP BY c.unit_id, m.month;
        ANALYZE pg_temp.chibo_unit_target_months;
        -- the rows replaced, kept to correct the units above them
        WITH gone AS (DELETE FROM @extschema@.cell_months cm USING pg_temp.chibo_unit_target_months t
                       WHERE cm.unit_id = t.unit_id AND cm.month = t.month RETURNING cm.*)
        INSERT INTO pg_temp.chibo_month_deltas SELECT gone.*, -1 FROM gone;
    END IF;
    -- The cells' months among them that exist (a cell deleted or shrunk
    -- keeps only its deleted rows).
    INSERT INTO pg_temp.chibo_target_months
    SELECT t.unit_id, t.month, @extschema@.month_end(t.month), t.members
      FROM pg_temp.chibo_unit_target_months t JOIN @extschema@.units u ON u.id = t.unit_id
     WHERE u.kind = 'cell' AND u.valid_from <= @extschema@.month_end(t.month)
       AND (u.valid_to IS NULL OR u.valid_to > t.month);
    -- Without a row to keep them from, the member figures are recomputed.
    UPDATE pg_temp.chibo_target_months t SET members = true
     WHERE NOT t.members AND NOT EXISTS (SELECT FROM pg_temp.chibo_month_deltas o
                                          WHERE o.unit_id = t.unit_id AND o.month = t.month);
    ANALYZE pg_temp.chibo_target_months;

    -- The year windows touched: the calendar years of those months cut to
    -- the range.  (A change to December's grades may fall after the range.)
    INSERT INTO pg_temp.chibo_unit_target_years
    SELECT y.unit_id, y.year,
           GREATEST(new_first, pg_catalog.make_date(y.year, 1, 1)),
           LEAST(new_last, pg_catalog.make_date(y.year, 12, 1)),
           pg_catalog.bool_or(y.members)
      FROM (SELECT t.unit_id, pg_catalog.date_part('year', t.month)::integer AS year, t.members
              FROM pg_temp.chibo_unit_target_months t
            UNION ALL
            SELECT c.unit_id, pg_catalog.date_part('year', c.first_month)::integer, c.members
              FROM pg_temp.chibo_changes c
             WHERE NOT rebuild AND c.first_month > new_last
               AND pg_catalog.date_part('year', c.first_month) = pg_catalog.date_part('year', new_last)) y
     GROUP BY y.unit_id, y.year;
    IF NOT rebuild THEN
        WITH gone AS (DELETE FROM @extschema@.cell_years cy USING pg_temp.chibo_unit_target_years t
                       WHERE cy.unit_id = t.unit_id AND cy.year = t.year RETURNING cy.*)
        INSERT INTO pg_temp.chibo_year_deltas SELECT gone.*, -1 FROM gone;
    END IF;
    INSERT INTO pg_temp.chibo_target_years
    SELECT t.unit_id, t.year, t.first_month, t.last_month, @extschema@.month_end(t.last_month),
           pg_catalog.make_date(t.year, 12, 31), t.members
      FROM pg_temp.chibo_unit_target_years t JOIN @extschema@.units u ON u.id = t.unit_id
     WHERE u.kind = 'cell' AND u.valid_from <= @extschema@.month_end(t.last_month)
       AND (u.valid_to IS NULL OR u.valid_to > t.first_month);
    UPDATE pg_temp.chibo_target_years t SET members = true
     WHERE NOT t.members AND NOT EXISTS (SELECT FROM pg_temp.chibo_year_deltas o
                                          WHERE o.unit_id = t.unit_id AND o.year = t.year);
    ANALYZE pg_temp.chibo_target_years;

    RAISE NOTICE 'refresh_reports: step 1 of 3: % cell-months', (SELECT pg_catalog.count(*) FROM pg_temp.chibo_target_months);
    n := @extschema@.refresh_cell_months();
    rollup := 'cell_months'; recomputed := n; RETURN NEXT;

    RAISE NOTICE 'refresh_reports: step 2 of 3: % cell-years', (SELECT pg_catalog.count(*) FROM pg_temp.chibo_target_years);
    n := @extschema@.refresh_cell_years();
    rollup := 'cell_years'; recomputed := n; RETURN NEXT;

    -- The units above the recomputed cells: all of them when the tree
    -- changed (or in a rebuild), else corrected by the cells' changes.
    IF rebuild OR tree_changed THEN
        IF NOT rebuild THEN
            DELETE FROM pg_temp.chibo_unit_target_months;
            INSERT INTO pg_temp.chibo_unit_target_months
            SELECT u.id, m.month::date, true
              FROM @extschema@.units u,
                   pg_catalog.generate_series(GREATEST(new_first, @extschema@.month_of(u.valid_from)),
                                              LEAST(new_last, @extschema@.month_of(u.valid_to - 1)),
                                              interval '1 month') AS m (month);
            DELETE FROM @extschema@.unit_months;
            DELETE FROM @extschema@.unit_years;
        END IF;
        -- every unit, and the year windows in which it existed
        DELETE FROM pg_temp.chibo_unit_target_years;
        INSERT INTO pg_temp.chibo_unit_target_years
        SELECT DISTINCT t.unit_id, pg_catalog.date_part('year', t.month)::integer,
               GREATEST(new_first, pg_catalog.make_date(pg_catalog.date_part('year', t.month)::integer, 1, 1)),
               LEAST(new_last, pg_catalog.make_date(pg_catalog.date_part('year', t.month)::integer, 12, 1)), true
          FROM pg_temp.chibo_unit_target_months t;
        ANALYZE pg_temp.chibo_unit_target_months;
        ANALYZE pg_temp.chibo_unit_target_years;
        RAISE NOTICE 'refresh_reports: step 3 of 3: % unit-months and % unit-years',
            (SELECT pg_catalog.count(*) FROM pg_temp.chibo_unit_target_months),
            (SELECT pg_catalog.count(*) FROM pg_temp.chibo_unit_target_years);
        n := @extschema@.refresh_unit_rollups(delta => false);
    ELSE
        INSERT INTO pg_temp.chibo_month_deltas
        SELECT c.*, 1 FROM @extschema@.cell_months c
          JOIN pg_temp.chibo_target_months t ON t.unit_id = c.unit_id AND t.month = c.month;
        INSERT INTO pg_temp.chibo_year_deltas
        SELECT c.*, 1 FROM @extschema@.cell_years c
          JOIN pg_temp.chibo_target_years t ON t.unit_id = c.unit_id AND t.year = c.year;
        ANALYZE pg_temp.chibo_month_deltas;
        ANALYZE pg_temp.chibo_year_deltas;
        RAISE NOTICE 'refresh_reports: step 3 of 3: the units above % cell-months and % cell-years',
            (SELECT pg_catalog.count(DISTINCT (d.unit_id, d.month)) FROM pg_temp.chibo_month_deltas d),
            (SELECT pg_catalog.count(DISTINCT (d.unit_id, d.year)) FROM pg_temp.chibo_year_deltas d);
        n := @extschema@.refresh_unit_rollups(delta => true);
    END IF;
    rollup := 'unit_months and unit_years'; recomputed := n; RETURN NEXT;

    INSERT INTO @extschema@.report_state AS s (singleton, first_month, last_month, refreshed_at, rebuilt_at)
    VALUES (true, new_first, new_last, pg_catalog.clock_timestamp(),
            CASE WHEN rebuild THEN pg_catalog.clock_timestamp() END)
    ON CONFLICT (singleton) DO UPDATE
       SET first_month = EXCLUDED.first_month, last_month = EXCLUDED.last_month,
           refreshed_at = EXCLUDED.refreshed_at, rebuilt_at = COALESCE(EXCLUDED.rebuilt_at, s.rebuilt_at);
    RAISE NOTICE 'refresh_reports: done';
END;
$$;
COMMENT ON FUNCTION @extschema@.refresh_reports(boolean) IS
    'brings the report rollups up to date: by default recomputes only the cell-months whose inputs changed since the last refresh (and the units above them); full => true rebuilds everything. Returns the rows recomputed per rollup';
