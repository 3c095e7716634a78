-- chibo: the rollups the reports are built from.
--
-- Per cell and month (cell_months) and per cell and year (cell_years): the
-- counts every indicator of indicators.md is made of.  Per unit (committee
-- or cell) and month or year (unit_months, unit_years): the same counts
-- summed over the unit's subtree, which is what the report views read.
-- chibo.refresh_reports() keeps them; triggers on the tables that feed them
-- record what changed (report_changes), so that a refresh recomputes only
-- the cell-months whose inputs changed.  The rollups are derived data:
-- pg_dump leaves them out and a refresh after a restore rebuilds them.
--
-- The reporting range is the months from the first to the last month in
-- which any meeting was held (report_state).  A month window is one month
-- of it; a year window is a calendar year cut to the range, so that a year
-- in progress covers the months that have data.

CREATE TABLE @extschema@.report_state (
    singleton    boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    first_month  date,
    last_month   date,
    refreshed_at timestamptz,
    rebuilt_at   timestamptz
);
COMMENT ON TABLE @extschema@.report_state IS
    'the state of the rollups: the reporting range they cover and when they were last refreshed and last rebuilt (one row)';
COMMENT ON COLUMN @extschema@.report_state.singleton IS 'always true: the table has at most one row';
COMMENT ON COLUMN @extschema@.report_state.first_month IS 'first day of the first month with a meeting, at the last refresh';
COMMENT ON COLUMN @extschema@.report_state.last_month IS 'first day of the last month with a meeting, at the last refresh';
COMMENT ON COLUMN @extschema@.report_state.refreshed_at IS 'when refresh_reports() last finished';
COMMENT ON COLUMN @extschema@.report_state.rebuilt_at IS 'when the rollups were last rebuilt in full';

-- What changed since the last refresh: a span of months of one unit.
-- Writers only append (no unique key, no ON CONFLICT), so a change that a
-- refresh cannot see yet stays for the next refresh.
CREATE TABLE @extschema@.report_changes (
    unit_id      bigint,
    first_month  date,
    last_month   date,
    members      boolean NOT NULL DEFAULT true
);
CREATE INDEX report_changes_unit_idx ON @extschema@.report_changes (unit_id);
COMMENT ON TABLE @extschema@.report_changes IS
    'months of a unit whose rollups must be recomputed, recorded by triggers on the tables the rollups read; emptied by refresh_reports()';
COMMENT ON COLUMN @extschema@.report_changes.unit_id IS 'the unit (a cell, or any unit when the tree changed); NULL: everything (after a TRUNCATE)';
COMMENT ON COLUMN @extschema@.report_changes.first_month IS 'first month of the span; NULL: from the start of the reporting range';
COMMENT ON COLUMN @extschema@.report_changes.last_month IS 'last month of the span; NULL: to the end of the reporting range';
COMMENT ON COLUMN @extschema@.report_changes.members IS 'the member figures may have changed too (false for attendance and meetings, which change only the attendance figures)';

-- The tree as ancestor/descendant pairs (a unit is its own ancestor at
-- depth 0).  A unit keeps its parent for life, so the pairs hold on every
-- date both units exist.
CREATE TABLE @extschema@.unit_ancestors (
    unit_id      bigint NOT NULL,
    ancestor_id  bigint NOT NULL,
    depth        integer NOT NULL,
    PRIMARY KEY (unit_id, ancestor_id)
);
CREATE INDEX unit_ancestors_ancestor_idx ON @extschema@.unit_ancestors (ancestor_id);
COMMENT ON TABLE @extschema@.unit_ancestors IS
    'the units tree as (unit, ancestor, depth) pairs, the unit itself at depth 0; kept by a trigger on units';
COMMENT ON COLUMN @extschema@.unit_ancestors.unit_id IS 'a unit';
COMMENT ON COLUMN @extschema@.unit_ancestors.ancestor_id IS 'the unit itself or a committee above it';
COMMENT ON COLUMN @extschema@.unit_ancestors.depth IS 'levels between them: 0 for the unit itself, 1 for its parent';

-- Each unit's place as the reports show it: its parent's and its top-level
-- committee's codes, copied here so that a login granted part of the tree
-- reads them without seeing the units above its grant.
CREATE TABLE @extschema@.unit_paths (
    unit_id     bigint PRIMARY KEY,
    parent_code text,
    top_code    text NOT NULL,
    level       integer NOT NULL
);
COMMENT ON TABLE @extschema@.unit_paths IS
    'each unit''s parent and top-level committee codes and its depth; kept by a trigger on units';
COMMENT ON COLUMN @extschema@.unit_paths.unit_id IS 'a unit';
COMMENT ON COLUMN @extschema@.unit_paths.parent_code IS 'code of its parent committee; NULL for a top-level committee';
COMMENT ON COLUMN @extschema@.unit_paths.top_code IS 'code of the top-level committee above it (itself at the top)';
COMMENT ON COLUMN @extschema@.unit_paths.level IS 'depth in the tree: 0 for a top-level committee';

-- Rebuilds unit_ancestors after every statement that changes units (they
-- change rarely; a city has some 17,000).  The lock queues two writers of
-- units, not the readers.
CREATE FUNCTION @extschema@.units_ancestors() RETURNS trigger
    LANGUAGE plpgsql PARALLEL UNSAFE
    SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    LOCK TABLE @extschema@.unit_ancestors IN SHARE ROW EXCLUSIVE MODE;
    DELETE FROM @extschema@.unit_ancestors;
    INSERT INTO @extschema@.unit_ancestors (unit_id, ancestor_id, depth)
    WITH RECURSIVE up (unit_id, ancestor_id, depth) AS (
        SELECT u.id, u.id, 0 FROM @extschema@.units u
        UNION ALL
        SELECT up.unit_id, p.parent_id, up.depth + 1
          FROM up JOIN @extschema@.units p ON p.id = up.ancestor_id
         WHERE p.parent_id IS NOT NULL AND up.depth < 100)
    SELECT up.unit_id, up.ancestor_id, pg_catalog.min(up.depth) FROM up GROUP BY up.unit_id, up.ancestor_id;
    LOCK TABLE @extschema@.unit_paths IN SHARE ROW EXCLUSIVE MODE;
    DELETE FROM @extschema@.unit_paths;
    INSERT INTO @extschema@.unit_paths (unit_id, parent_code, top_code, level)
    SELECT u.id, p.code, t.code, a.depth
      FROM @extschema@.units u
      LEFT JOIN @extschema@.units p ON p.id = u.parent_id
      JOIN @extschema@.unit_ancestors a ON a.unit_id = u.id
      JOIN @extschema@.units t ON t.id = a.ancestor_id AND t.parent_id IS NULL;
    RETURN NULL;
END;
$$;
COMMENT ON FUNCTION @extschema@.units_ancestors() IS
    'trigger (after each statement on units): rebuilds unit_ancestors, the tree as ancestor/descendant pairs, and unit_paths';
CREATE TRIGGER units_ancestors AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON @extschema@.units
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.units_ancestors();

CREATE TABLE @extschema@.cell_months (
    unit_id            bigint NOT NULL,
    month              date NOT NULL,
    exists_on_end      boolean NOT NULL,
    meetings           integer NOT NULL,
    present            bigint NOT NULL,
    excused            bigint NOT NULL,
    expected           bigint NOT NULL,
    thematic_meetings  integer NOT NULL,
    side_meetings      integer NOT NULL,
    side_present       bigint NOT NULL,
    side_excused       bigint NOT NULL,
    side_expected      bigint NOT NULL,
    short_meetings     integer NOT NULL,
    active_members     bigint NOT NULL,
    task_registered    bigint NOT NULL,
    four_good          bigint NOT NULL,
    four_good_mixed    bigint NOT NULL,
    PRIMARY KEY (unit_id, month)
);
CREATE INDEX cell_months_month_idx ON @extschema@.cell_months (month);
COMMENT ON TABLE @extschema@.cell_months IS
    'rollup per cell and month of the reporting range in which the cell existed: meetings and attendance counts, and the member figures of the month as a window';
COMMENT ON COLUMN @extschema@.cell_months.unit_id IS 'the cell';
COMMENT ON COLUMN @extschema@.cell_months.month IS 'first day of the month';
COMMENT ON COLUMN @extschema@.cell_months.exists_on_end IS 'the cell exists on the last day of the month';
COMMENT ON COLUMN @extschema@.cell_months.meetings IS 'regular and combined meetings held in the month';
COMMENT ON COLUMN @extschema@.cell_months.present IS 'expected members recorded present, summed over those meetings';
COMMENT ON COLUMN @extschema@.cell_months.excused IS 'expected members recorded excused, summed over those meetings';
COMMENT ON COLUMN @extschema@.cell_months.expected IS 'members belonging to the cell and not exempt on each meeting''s date, summed over those meetings';
COMMENT ON COLUMN @extschema@.cell_months.thematic_meetings IS 'thematic and combined meetings held in the month';
COMMENT ON COLUMN @extschema@.cell_months.side_meetings IS 'thematic and extraordinary meetings held in the month (reported apart from the monthly attendance)';
COMMENT ON COLUMN @extschema@.cell_months.side_present IS 'present at the thematic and extraordinary meetings, summed';
COMMENT ON COLUMN @extschema@.cell_months.side_excused IS 'excused at the thematic and extraordinary meetings, summed';
COMMENT ON COLUMN @extschema@.cell_months.side_expected IS 'expected at the thematic and extraordinary meetings, summed';
COMMENT ON COLUMN @extschema@.cell_months.short_meetings IS 'meetings on or after 2025-10-28 with a recorded duration under 90 minutes (120 combined)';
COMMENT ON COLUMN @extschema@.cell_months.active_members IS 'members belonging to the cell on the last day of the month';
COMMENT ON COLUMN @extschema@.cell_months.task_registered IS 'of them, members with a task registration for the month''s year';
COMMENT ON COLUMN @extschema@.cell_months.four_good IS 'of them, members whose assessments lying inside the month are all achieved (four_good_status achieved)';
COMMENT ON COLUMN @extschema@.cell_months.four_good_mixed IS 'of them, members whose assessments inside the month mix schemes of different sizes (not counted as four-good)';

CREATE TABLE @extschema@.cell_years (
    unit_id                 bigint NOT NULL,
    year                    integer NOT NULL,
    first_month             date NOT NULL,
    last_month              date NOT NULL,
    exists_on_end           boolean NOT NULL,
    months_judged           integer NOT NULL,
    months_passing          integer NOT NULL,
    months_without_meeting  integer NOT NULL,
    meetings                integer NOT NULL,
    present                 bigint NOT NULL,
    excused                 bigint NOT NULL,
    expected                bigint NOT NULL,
    thematic_meetings       integer NOT NULL,
    side_meetings           integer NOT NULL,
    side_present            bigint NOT NULL,
    side_excused            bigint NOT NULL,
    side_expected           bigint NOT NULL,
    short_meetings          integer NOT NULL,
    active_members          bigint NOT NULL,
    task_registered         bigint NOT NULL,
    four_good               bigint NOT NULL,
    four_good_mixed         bigint NOT NULL,
    graded_excellent        bigint NOT NULL,
    graded_good             bigint NOT NULL,
    PRIMARY KEY (unit_id, year)
);
COMMENT ON TABLE @extschema@.cell_years IS
    'rollup per cell and year of the reporting range: the year window''s monthly judgement at the default threshold (0.85, excused_count), attendance sums and member figures';
COMMENT ON COLUMN @extschema@.cell_years.unit_id IS 'the cell';
COMMENT ON COLUMN @extschema@.cell_years.year IS 'the calendar year';
COMMENT ON COLUMN @extschema@.cell_years.first_month IS 'first month of the window: January, or the first month of the reporting range';
COMMENT ON COLUMN @extschema@.cell_years.last_month IS 'last month of the window: December, or the last month of the reporting range';
COMMENT ON COLUMN @extschema@.cell_years.exists_on_end IS 'the cell exists on the window''s end date';
COMMENT ON COLUMN @extschema@.cell_years.months_judged IS 'months of the window in which the cell existed and which could be judged (no meeting, or a ratio that is not 0/0)';
COMMENT ON COLUMN @extschema@.cell_years.months_passing IS 'judged months with a regular or combined meeting and a pooled ratio of at least 85%';
COMMENT ON COLUMN @extschema@.cell_years.months_without_meeting IS 'months in which the cell existed but held no regular or combined meeting';
COMMENT ON COLUMN @extschema@.cell_years.meetings IS 'regular and combined meetings held in the window';
COMMENT ON COLUMN @extschema@.cell_years.present IS 'present at those meetings, summed';
COMMENT ON COLUMN @extschema@.cell_years.excused IS 'excused at those meetings, summed';
COMMENT ON COLUMN @extschema@.cell_years.expected IS 'expected at those meetings, summed';
COMMENT ON COLUMN @extschema@.cell_years.thematic_meetings IS 'thematic and combined meetings held in the window';
COMMENT ON COLUMN @extschema@.cell_years.side_meetings IS 'thematic and extraordinary meetings held in the window';
COMMENT ON COLUMN @extschema@.cell_years.side_present IS 'present at them, summed';
COMMENT ON COLUMN @extschema@.cell_years.side_excused IS 'excused at them, summed';
COMMENT ON COLUMN @extschema@.cell_years.side_expected IS 'expected at them, summed';
COMMENT ON COLUMN @extschema@.cell_years.short_meetings IS 'meetings shorter than the rule of their date';
COMMENT ON COLUMN @extschema@.cell_years.active_members IS 'members belonging to the cell on the window''s end date';
COMMENT ON COLUMN @extschema@.cell_years.task_registered IS 'of them, members with a task registration for the year';
COMMENT ON COLUMN @extschema@.cell_years.four_good IS 'of them, members whose member assessments lying inside the window are all achieved';
COMMENT ON COLUMN @extschema@.cell_years.four_good_mixed IS 'of them, members whose assessments inside the window mix schemes of different sizes (not counted as four-good)';
COMMENT ON COLUMN @extschema@.cell_years.graded_excellent IS 'members belonging to the cell on 31 December graded excellent for the year';
COMMENT ON COLUMN @extschema@.cell_years.graded_good IS 'members belonging to the cell on 31 December graded good for the year';

-- The unit-level rollups: one row per unit (committee or cell) and month
-- or year in which the unit existed; the counts of its subtree's cells.
CREATE TABLE @extschema@.unit_months (
    unit_id             bigint NOT NULL,
    month               date NOT NULL,
    active_members      bigint NOT NULL,
    task_registered     bigint NOT NULL,
    four_good           bigint NOT NULL,
    four_good_mixed     bigint NOT NULL,
    cells_existing      bigint NOT NULL,
    cells_total         bigint NOT NULL,
    cells_passing       bigint NOT NULL,
    cells_without_meeting bigint NOT NULL,
    meetings            bigint NOT NULL,
    present             bigint NOT NULL,
    excused             bigint NOT NULL,
    expected            bigint NOT NULL,
    side_meetings       bigint NOT NULL,
    side_present        bigint NOT NULL,
    side_excused        bigint NOT NULL,
    side_expected       bigint NOT NULL,
    short_meetings      bigint NOT NULL,
    PRIMARY KEY (unit_id, month)
);
COMMENT ON TABLE @extschema@.unit_months IS
    'rollup per unit and month: the headline indicators of the month as a window (indicators(unit, month, month)), summed over the unit''s subtree';

CREATE TABLE @extschema@.unit_years (
    unit_id             bigint NOT NULL,
    year                integer NOT NULL,
    first_month         date NOT NULL,
    last_month          date NOT NULL,
    active_members      bigint NOT NULL,
    task_registered     bigint NOT NULL,
    four_good           bigint NOT NULL,
    four_good_mixed     bigint NOT NULL,
    cells_existing      bigint NOT NULL,
    cells_total         bigint NOT NULL,
    cells_passing       bigint NOT NULL,
    cells_without_meeting bigint NOT NULL,
    meetings            bigint NOT NULL,
    present             bigint NOT NULL,
    excused             bigint NOT NULL,
    expected            bigint NOT NULL,
    side_meetings       bigint NOT NULL,
    side_present        bigint NOT NULL,
    side_excused        bigint NOT NULL,
    side_expected       bigint NOT NULL,
    short_meetings      bigint NOT NULL,
    graded_excellent    bigint NOT NULL,
    graded_good         bigint NOT NULL,
    PRIMARY KEY (unit_id, year)
);
COMMENT ON TABLE @extschema@.unit_years IS
    'rollup per unit and year: the headline indicators of the year window (indicators(unit, first_month, last_month)), summed over the unit''s subtree';

DO $$
DECLARE
    t text;
BEGIN
    -- The unit-level tables share their columns' meanings.
    FOREACH t IN ARRAY ARRAY['unit_months', 'unit_years'] LOOP
        EXECUTE pg_catalog.format($c$
            COMMENT ON COLUMN @extschema@.%1$I.unit_id IS 'the unit (committee or cell)';
            COMMENT ON COLUMN @extschema@.%1$I.active_members IS 'members belonging on the window''s end date to a cell of the subtree';
            COMMENT ON COLUMN @extschema@.%1$I.task_registered IS 'of them, members with a task registration for a year of the window';
            COMMENT ON COLUMN @extschema@.%1$I.four_good IS 'of them, members whose member assessments inside the window are all achieved';
            COMMENT ON COLUMN @extschema@.%1$I.four_good_mixed IS 'of them, members whose assessments inside the window mix schemes of different sizes';
            COMMENT ON COLUMN @extschema@.%1$I.cells_existing IS 'cells of the subtree existing on the window''s end date';
            COMMENT ON COLUMN @extschema@.%1$I.cells_total IS 'of them, cells with at least one month that could be judged (threshold 0.85, excused_count)';
            COMMENT ON COLUMN @extschema@.%1$I.cells_passing IS 'of them, cells whose every judged month passed';
            COMMENT ON COLUMN @extschema@.%1$I.cells_without_meeting IS 'of them, cells with a month without a regular or combined meeting';
            COMMENT ON COLUMN @extschema@.%1$I.meetings IS 'regular and combined meetings held in the window by cells of the subtree';
            COMMENT ON COLUMN @extschema@.%1$I.present IS 'present at those meetings, summed';
            COMMENT ON COLUMN @extschema@.%1$I.excused IS 'excused at those meetings, summed';
            COMMENT ON COLUMN @extschema@.%1$I.expected IS 'expected at those meetings, summed';
            COMMENT ON COLUMN @extschema@.%1$I.side_meetings IS 'thematic and extraordinary meetings held in the window';
            COMMENT ON COLUMN @extschema@.%1$I.side_present IS 'present at them, summed';
            COMMENT ON COLUMN @extschema@.%1$I.side_excused IS 'excused at them, summed';
            COMMENT ON COLUMN @extschema@.%1$I.side_expected IS 'expected at them, summed';
            COMMENT ON COLUMN @extschema@.%1$I.short_meetings IS 'meetings shorter than the rule of their date';$c$, t);
    END LOOP;
END;
$$;
COMMENT ON COLUMN @extschema@.unit_months.month IS 'first day of the month (the window)';
COMMENT ON COLUMN @extschema@.unit_years.year IS 'the calendar year';
COMMENT ON COLUMN @extschema@.unit_years.first_month IS 'first month of the window: January, or the first month of the reporting range';
COMMENT ON COLUMN @extschema@.unit_years.last_month IS 'last month of the window: December, or the last month of the reporting range';
COMMENT ON COLUMN @extschema@.unit_years.graded_excellent IS 'members belonging on 31 December to a cell of the subtree, graded excellent for the year';
COMMENT ON COLUMN @extschema@.unit_years.graded_good IS 'members belonging on 31 December to a cell of the subtree, graded good for the year';

-- The month that a date falls in, as its first day.
CREATE FUNCTION @extschema@.month_of(d date) RETURNS date
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN pg_catalog.date_trunc('month', d)::date;
COMMENT ON FUNCTION @extschema@.month_of(date) IS
    'the month a date falls in, as the month''s first day';

-- The last day of the month that a date falls in.
CREATE FUNCTION @extschema@.month_end(d date) RETURNS date
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN (pg_catalog.date_trunc('month', d) + interval '1 month - 1 day')::date;
COMMENT ON FUNCTION @extschema@.month_end(date) IS
    'the last day of the month a date falls in';

-- The shortest a meeting held on a date may last (Hướng dẫn 42-HD/BTCTW,
-- from 2025-10-28), in minutes; NULL before the rule.
CREATE FUNCTION @extschema@.minimum_minutes(kind text, held_on date) RETURNS integer
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN CASE WHEN held_on < DATE '2025-10-28' THEN NULL
                WHEN kind = 'combined' THEN 120 ELSE 90 END;
COMMENT ON FUNCTION @extschema@.minimum_minutes(text, date) IS
    'the shortest duration allowed for a meeting of a kind on a date: 90 minutes (120 combined) from 2025-10-28 on, NULL before';

-- The judgement of one month of a cell (indicators.md, indicator 3): false
-- when the cell held no regular or combined meeting in it; NULL, not
-- judged, when the pooled ratio of those meetings is 0/0; else whether
-- present / whole is at least the threshold.  WHOLE is the expected
-- members, less the excused ones under the policy excused_excluded.
CREATE FUNCTION @extschema@.month_passes(meetings bigint, present bigint, whole bigint, threshold numeric)
RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE WHEN meetings = 0 THEN false
                WHEN whole = 0 THEN NULL
                ELSE @extschema@.ratio(present, whole) OPERATOR(@extschema@.>=) threshold END;
COMMENT ON FUNCTION @extschema@.month_passes(bigint, bigint, bigint, numeric) IS
    'whether a month of a cell passes the attendance threshold: false without a regular or combined meeting, NULL (not judged) when the ratio is 0/0';
