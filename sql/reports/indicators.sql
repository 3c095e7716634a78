-- chibo: the indicator functions of indicators.md.
--
-- Attendance figures come from the cell_months rollup (as of the last
-- refresh_reports()); member figures and the tree are read from the tables
-- through their indexes.

-- The id of the unit with code UNIT_CODE; an error for an unknown code.
CREATE FUNCTION @extschema@.unit_id_of(unit_code text) RETURNS bigint
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    id bigint;
BEGIN
    IF unit_code IS NULL THEN
        RAISE EXCEPTION 'unit code must not be NULL' USING ERRCODE = '22004';
    END IF;
    SELECT u.id INTO id FROM @extschema@.units u WHERE u.code = unit_code;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'unit % does not exist', unit_code
            USING ERRCODE = '22023', HINT = 'Unit codes are in chibo.units.code, for example the district''s own code.';
    END IF;
    RETURN id;
END;
$$;
COMMENT ON FUNCTION @extschema@.unit_id_of(text) IS
    'the id of the unit with this code; an error (22023) when there is none';

-- The units of a unit's subtree (the unit itself included), as the tree
-- stands: a unit keeps its parent for life, so the subtree on a date is
-- these units that exist on that date.
CREATE FUNCTION @extschema@.subtree(unit_id bigint)
RETURNS TABLE (id bigint, kind text, grassroots boolean, cell_type text, valid_from date, valid_to date)
    LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT u.id, u.kind, u.grassroots, u.cell_type, u.valid_from, u.valid_to
      FROM @extschema@.unit_ancestors a JOIN @extschema@.units u ON u.id = a.unit_id
     WHERE a.ancestor_id = subtree.unit_id;
END;
COMMENT ON FUNCTION @extschema@.subtree(bigint) IS
    'the units of a unit''s subtree, the unit itself included, with their kind, cell type and validity';

-- The active members of a unit on a date: members belonging on that date
-- to a cell of its subtree (a membership covers the date and they had not
-- left the party before it).  Exempt and probationary members included.
CREATE FUNCTION @extschema@.active_members(unit_id bigint, on_date date)
RETURNS TABLE (member_id bigint, cell_id bigint)
    LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT ms.member_id, ms.unit_id
      FROM @extschema@.subtree(active_members.unit_id) c
      JOIN @extschema@.memberships ms
        ON ms.unit_id = c.id AND ms.period OPERATOR(pg_catalog.@>) active_members.on_date
      JOIN @extschema@.members mb ON mb.id = ms.member_id
     WHERE c.kind = 'cell' AND (mb.left_on IS NULL OR mb.left_on >= active_members.on_date);
END;
COMMENT ON FUNCTION @extschema@.active_members(bigint, date) IS
    'the members belonging on a date to a cell of a unit''s subtree, with that cell (a member belongs to one cell at a time)';

-- Checks a window and a policy as the indicator functions take them.
CREATE FUNCTION @extschema@.check_window(first_month date, last_month date, threshold numeric, policy text) RETURNS void
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF first_month IS NULL OR last_month IS NULL THEN
        RAISE EXCEPTION 'the window needs a first and a last month' USING ERRCODE = '22004';
    END IF;
    IF pg_catalog.date_trunc('month', last_month) < pg_catalog.date_trunc('month', first_month) THEN
        RAISE EXCEPTION 'the window ends (%) before it starts (%)',
            pg_catalog.to_char(last_month::timestamp, 'YYYY-MM'), pg_catalog.to_char(first_month::timestamp, 'YYYY-MM')
            USING ERRCODE = '22023';
    END IF;
    IF threshold IS NULL OR threshold < 0 OR threshold > 1 THEN
        RAISE EXCEPTION 'threshold must be between 0 and 1, not %', COALESCE(threshold::text, 'NULL')
            USING ERRCODE = '22023', HINT = 'The attendance target is 0.85 (85%).';
    END IF;
    IF policy IS NULL OR policy NOT IN ('excused_count', 'excused_excluded') THEN
        RAISE EXCEPTION 'unknown attendance policy: %', COALESCE(policy, 'NULL')
            USING ERRCODE = '22023', HINT = 'The policies are excused_count (the default) and excused_excluded.';
    END IF;
END;
$$;
COMMENT ON FUNCTION @extschema@.check_window(date, date, numeric, text) IS
    'raises a clear error for a window whose months are missing or reversed, a threshold outside 0..1 or an unknown policy';

-- Warns when the rollups lag behind the tables or the window runs past
-- the last month with a meeting, and stops when they were never built.
CREATE FUNCTION @extschema@.check_rollups(window_last date) RETURNS void
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    last_month date;
BEGIN
    SELECT s.last_month INTO last_month FROM @extschema@.report_state s;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'the report rollups have not been built yet'
            USING ERRCODE = '55000', HINT = 'Run SELECT * FROM chibo.refresh_reports(); once after loading data (and after a restore).';
    END IF;
    IF EXISTS (SELECT FROM @extschema@.report_changes) THEN
        RAISE NOTICE 'data changed since the last refresh_reports(): the attendance figures do not show it yet'
            USING HINT = 'Run SELECT * FROM chibo.refresh_reports(); or schedule it with chibo.schedule_refresh().';
    END IF;
    IF @extschema@.month_of(window_last) > last_month THEN
        RAISE NOTICE 'no meeting is recorded after %: every cell fails the months of the window after it',
            pg_catalog.to_char(last_month::timestamp, 'YYYY-MM')
            USING HINT = 'End the window at the last month with data to judge only those months.';
    END IF;
END;
$$;
COMMENT ON FUNCTION @extschema@.check_rollups(date) IS
    'stops (55000) when the report rollups were never built; gives a notice when data changed since the last refresh, or when a window ends after the last month with a meeting';

-- The months of a window in which each cell of a unit's subtree existed
-- (any day of the month), with the cell's rollup of the month: a month
-- without a row had no meeting.  WHOLE is the denominator of the monthly
-- ratio under the policy: expected, or expected less excused.
CREATE FUNCTION @extschema@.window_cell_months(unit_id bigint, first_month date, last_month date, policy text)
RETURNS TABLE (cell_id bigint, month date, on_end boolean, meetings integer, thematic_meetings integer,
               present bigint, excused bigint, expected bigint, whole bigint)
    LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT c.id, m.month::date,
           c.valid_from <= @extschema@.month_end(window_cell_months.last_month)
               AND (c.valid_to IS NULL OR c.valid_to > @extschema@.month_end(window_cell_months.last_month)),
           COALESCE(r.meetings, 0), COALESCE(r.thematic_meetings, 0),
           COALESCE(r.present, 0), COALESCE(r.excused, 0), COALESCE(r.expected, 0),
           COALESCE(CASE WHEN window_cell_months.policy = 'excused_excluded' THEN r.expected - r.excused
                         ELSE r.expected END, 0)
      FROM @extschema@.subtree(window_cell_months.unit_id) c
     CROSS JOIN LATERAL pg_catalog.generate_series(
               GREATEST(window_cell_months.first_month, @extschema@.month_of(c.valid_from)),
               LEAST(window_cell_months.last_month, @extschema@.month_of(c.valid_to - 1)), interval '1 month') AS m (month)
      LEFT JOIN @extschema@.cell_months r ON r.unit_id = c.id AND r.month = m.month::date
     WHERE c.kind = 'cell';
END;
COMMENT ON FUNCTION @extschema@.window_cell_months(bigint, date, date, text) IS
    'the months of a window (first days) in which each cell of a unit''s subtree existed, with its rollup of the month (zeros when no meeting) and the whole of its monthly ratio under the policy';

CREATE FUNCTION @extschema@.indicators(unit_code text, first_month date, last_month date,
                                       threshold numeric DEFAULT 0.85, policy text DEFAULT 'excused_count')
RETURNS TABLE (active_members bigint, task_registered bigint, four_good bigint,
               cells_total bigint, cells_passing bigint,
               attendance_present bigint, attendance_expected bigint,
               attendance_excused bigint, end_date date,
               task_registration @extschema@.ratio, four_good_members @extschema@.ratio,
               cells_at_threshold @extschema@.ratio, attendance @extschema@.ratio,
               task_registration_text text, four_good_text text, cells_text text, attendance_text text)
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
    -- A window's subtree and months are known only at the call: plan for
    -- them every time (a generic plan guesses a tiny subtree and loops).
    SET plan_cache_mode = force_custom_plan
AS $$
#variable_conflict use_column
DECLARE
    v_unit bigint;
    w0 date;
    w1 date;
    d date;
    excluded boolean := indicators.policy = 'excused_excluded';
    mixed record;
BEGIN
    PERFORM @extschema@.check_window(indicators.first_month, indicators.last_month, indicators.threshold, indicators.policy);
    v_unit := @extschema@.unit_id_of(indicators.unit_code);
    PERFORM @extschema@.check_rollups(indicators.last_month);
    w0 := @extschema@.month_of(indicators.first_month);
    w1 := @extschema@.month_of(indicators.last_month);
    d := @extschema@.month_end(w1);

    BEGIN
        RETURN QUERY
        WITH mem AS (
            SELECT pg_catalog.count(*) AS active,
                   pg_catalog.count(*) FILTER (WHERE EXISTS (
                       SELECT FROM @extschema@.task_registrations r
                        WHERE r.member_id = a.member_id
                          AND r.year BETWEEN pg_catalog.date_part('year', w0) AND pg_catalog.date_part('year', w1))) AS registered,
                   pg_catalog.count(*) FILTER (WHERE g.status = 'achieved') AS achieved
              FROM @extschema@.active_members(v_unit, d) a
              LEFT JOIN (
                    -- four_good_status of each member over the window
                    SELECT x.member_id, @extschema@.label(@extschema@.good_status(x.criteria)) AS status
                      FROM @extschema@.assessments x
                     WHERE x.member_id IN (SELECT a2.member_id FROM @extschema@.active_members(v_unit, d) a2)
                       AND x.period_start >= w0 AND x.period_end <= d
                     GROUP BY x.member_id) g ON g.member_id = a.member_id),
        -- every month of the window in which each cell of the subtree existed
        cell_month AS (
            SELECT * FROM @extschema@.window_cell_months(v_unit, w0, w1, indicators.policy)),
        cells AS (
            SELECT pg_catalog.count(*) FILTER (WHERE judged > 0) AS total,
                   pg_catalog.count(*) FILTER (WHERE judged > 0 AND passing = judged) AS passing
              FROM (SELECT cm.cell_id,
                           pg_catalog.count(*) FILTER (WHERE @extschema@.month_passes(cm.meetings, cm.present, cm.whole,
                                                                                      indicators.threshold) IS NOT NULL) AS judged,
                           pg_catalog.count(*) FILTER (WHERE @extschema@.month_passes(cm.meetings, cm.present, cm.whole,
                                                                                      indicators.threshold)) AS passing
                      FROM cell_month cm WHERE cm.on_end GROUP BY cm.cell_id) per_cell),
        pooled AS (
            SELECT COALESCE(pg_catalog.sum(cm.present), 0)::bigint AS present,
                   COALESCE(pg_catalog.sum(cm.expected), 0)::bigint AS expected,
                   COALESCE(pg_catalog.sum(cm.excused), 0)::bigint AS excused
              FROM cell_month cm)
        SELECT m.active, m.registered, m.achieved, c.total, c.passing, p.present, p.expected, p.excused, d,
               @extschema@.ratio(m.registered, m.active), @extschema@.ratio(m.achieved, m.active),
               @extschema@.ratio(c.passing, c.total),
               @extschema@.ratio(p.present, CASE WHEN excluded THEN p.expected - p.excused ELSE p.expected END),
               @extschema@.display(@extschema@.ratio(m.registered, m.active)),
               @extschema@.display(@extschema@.ratio(m.achieved, m.active)),
               @extschema@.display(@extschema@.ratio(c.passing, c.total)),
               @extschema@.display(@extschema@.ratio(p.present, CASE WHEN excluded THEN p.expected - p.excused ELSE p.expected END))
          FROM mem m, cells c, pooled p;
    EXCEPTION WHEN invalid_parameter_value THEN
        -- four_good_status cannot combine schemes of different sizes: say
        -- which member has them.
        SELECT mb.code, pg_catalog.array_agg(DISTINCT sc.code ORDER BY sc.code) AS schemes INTO mixed
          FROM @extschema@.active_members(v_unit, d) a
          JOIN @extschema@.assessments x ON x.member_id = a.member_id AND x.period_start >= w0 AND x.period_end <= d
          JOIN @extschema@.schemes sc ON sc.id = x.scheme_id
          JOIN @extschema@.members mb ON mb.id = a.member_id
         GROUP BY mb.code
        HAVING pg_catalog.count(DISTINCT @extschema@.criteria_count(x.criteria)) > 1
         ORDER BY mb.code LIMIT 1;
        IF NOT FOUND THEN
            RAISE;
        END IF;
        RAISE EXCEPTION 'member % has assessments under schemes of different sizes (%) inside the window',
            mixed.code, pg_catalog.array_to_string(mixed.schemes, ', ')
            USING ERRCODE = '22023',
                  HINT = 'four_good_status cannot combine them: choose a window that holds one scheme''s assessments.';
    END;
END;
$$;
COMMENT ON FUNCTION @extschema@.indicators(text, date, date, numeric, text) IS
    'the headline indicators of a unit over a window of months (indicators.md): active members on the end date, task registration, four-good members, cells meeting the attendance threshold every month, pooled attendance; exact counts, ratios and display text';

CREATE FUNCTION @extschema@.members_needing_attention(unit_code text, year integer)
RETURNS TABLE (member_code text, unexcused_months integer, flag text)
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
    -- A window's subtree and months are known only at the call: plan for
    -- them every time (a generic plan guesses a tiny subtree and loops).
    SET plan_cache_mode = force_custom_plan
AS $$
#variable_conflict use_column
DECLARE
    v_unit bigint;
BEGIN
    IF members_needing_attention.year IS NULL THEN
        RAISE EXCEPTION 'year must not be NULL' USING ERRCODE = '22004';
    END IF;
    v_unit := @extschema@.unit_id_of(members_needing_attention.unit_code);
    RETURN QUERY
    SELECT mb.code, x.months::integer,
           CASE WHEN x.months >= 3 THEN 'strike_off_review' ELSE 'warning' END
      FROM (SELECT u.member_id, pg_catalog.count(DISTINCT @extschema@.month_of(u.held_on)) AS months
              FROM (-- each expected member of each regular or combined
                    -- meeting of the year, not recorded present or excused
                    SELECT ms.member_id, mt.held_on
                      FROM @extschema@.subtree(v_unit) c
                      JOIN @extschema@.meetings mt
                        ON mt.unit_id = c.id AND mt.kind IN ('regular', 'combined')
                       AND mt.held_on >= pg_catalog.make_date(members_needing_attention.year, 1, 1)
                       AND mt.held_on < pg_catalog.make_date(members_needing_attention.year + 1, 1, 1)
                      JOIN @extschema@.memberships ms
                        ON ms.unit_id = mt.unit_id AND ms.period OPERATOR(pg_catalog.@>) mt.held_on
                      JOIN @extschema@.members m ON m.id = ms.member_id
                      LEFT JOIN @extschema@.attendance a ON a.meeting_id = mt.id AND a.member_id = ms.member_id
                     WHERE c.kind = 'cell'
                       AND (m.left_on IS NULL OR m.left_on >= mt.held_on)
                       AND NOT EXISTS (SELECT FROM @extschema@.exemptions e
                                        WHERE e.member_id = ms.member_id AND e.period OPERATOR(pg_catalog.@>) mt.held_on)
                       AND (a.status IS NULL OR a.status = 'absent')) u
             GROUP BY u.member_id
            HAVING pg_catalog.count(DISTINCT @extschema@.month_of(u.held_on)) >= 2) x
      JOIN @extschema@.members mb ON mb.id = x.member_id
     ORDER BY x.months DESC, mb.code;
END;
$$;
COMMENT ON FUNCTION @extschema@.members_needing_attention(text, integer) IS
    'members of a unit''s cells with 2 (warning) or 3 or more (strike_off_review) months of the year in which they were expected at a regular or combined meeting and counted absent without excuse';

CREATE FUNCTION @extschema@.cells_needing_attention(unit_code text, first_month date, last_month date,
                                                    threshold numeric DEFAULT 0.85, policy text DEFAULT 'excused_count')
RETURNS TABLE (cell_code text, cell_type text,
               months_without_meeting date[], months_below_threshold date[],
               lowest_ratio @extschema@.ratio, lowest_month date,
               quarters_without_thematic text[], short_meetings date[])
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
    -- A window's subtree and months are known only at the call: plan for
    -- them every time (a generic plan guesses a tiny subtree and loops).
    SET plan_cache_mode = force_custom_plan
AS $$
#variable_conflict use_column
DECLARE
    v_unit bigint;
    w0 date;
    w1 date;
BEGIN
    PERFORM @extschema@.check_window(cells_needing_attention.first_month, cells_needing_attention.last_month,
                                     cells_needing_attention.threshold, cells_needing_attention.policy);
    v_unit := @extschema@.unit_id_of(cells_needing_attention.unit_code);
    PERFORM @extschema@.check_rollups(cells_needing_attention.last_month);
    w0 := @extschema@.month_of(cells_needing_attention.first_month);
    w1 := @extschema@.month_of(cells_needing_attention.last_month);
    RETURN QUERY
    WITH cm AS (
        -- the months of the window in which each cell existed
        SELECT w.cell_id AS id, w.month, w.meetings, w.thematic_meetings AS thematic,
               @extschema@.ratio(w.present, w.whole) AS ratio
          FROM @extschema@.window_cell_months(v_unit, w0, w1, cells_needing_attention.policy) w),
    per_cell AS (
        SELECT cm.id,
               pg_catalog.array_agg(cm.month ORDER BY cm.month) FILTER (WHERE cm.meetings = 0) AS missing,
               pg_catalog.array_agg(cm.month ORDER BY cm.month)
                   FILTER (WHERE cm.meetings > 0 AND cm.ratio OPERATOR(@extschema@.<) cells_needing_attention.threshold) AS low,
               (pg_catalog.array_agg(cm.ratio ORDER BY cm.ratio, cm.month)
                   FILTER (WHERE cm.meetings > 0 AND cm.ratio OPERATOR(@extschema@.<) cells_needing_attention.threshold))[1] AS lowest,
               (pg_catalog.array_agg(cm.month ORDER BY cm.ratio, cm.month)
                   FILTER (WHERE cm.meetings > 0 AND cm.ratio OPERATOR(@extschema@.<) cells_needing_attention.threshold))[1] AS lowest_month
          FROM cm GROUP BY cm.id),
    quarters AS (
        -- quarters wholly inside the window, in which the cell existed,
        -- without a thematic or combined meeting
        SELECT q.id, pg_catalog.array_agg(q.label ORDER BY q.label) AS missing
          FROM (SELECT cm.id, pg_catalog.to_char(cm.month::timestamp, 'YYYY-"Q"Q') AS label,
                       pg_catalog.date_trunc('quarter', cm.month)::date AS q0
                  FROM cm
                 GROUP BY cm.id, pg_catalog.to_char(cm.month::timestamp, 'YYYY-"Q"Q'), pg_catalog.date_trunc('quarter', cm.month)
                HAVING pg_catalog.sum(cm.thematic) = 0) q
         WHERE q.q0 >= w0 AND (q.q0 + interval '2 months')::date <= w1
         GROUP BY q.id),
    short AS (
        SELECT mt.unit_id AS id, pg_catalog.array_agg(mt.held_on ORDER BY mt.held_on) AS dates
          FROM @extschema@.subtree(v_unit) c
          JOIN @extschema@.meetings mt ON mt.unit_id = c.id
         WHERE c.kind = 'cell' AND mt.held_on >= w0 AND mt.held_on <= @extschema@.month_end(w1)
           AND mt.minutes < @extschema@.minimum_minutes(mt.kind, mt.held_on)
         GROUP BY mt.unit_id)
    SELECT u.code, u.cell_type, p.missing, p.low, p.lowest, p.lowest_month, q.missing, s.dates
      FROM per_cell p
      JOIN @extschema@.units u ON u.id = p.id
      LEFT JOIN quarters q ON q.id = p.id
      LEFT JOIN short s ON s.id = p.id
     WHERE p.missing IS NOT NULL OR p.low IS NOT NULL OR q.missing IS NOT NULL OR s.dates IS NOT NULL
     ORDER BY u.code;
END;
$$;
COMMENT ON FUNCTION @extschema@.cells_needing_attention(text, date, date, numeric, text) IS
    'the cells of a unit that need attention over a window: months without a regular or combined meeting, months below the threshold with the lowest ratio, whole quarters without a thematic or combined meeting, meetings shorter than the rule of their date';

CREATE FUNCTION @extschema@.grading_quota(unit_code text, year integer)
RETURNS TABLE (organisation_code text, organisation_name text, excellent bigint, good bigint, over_quota boolean)
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
    -- A window's subtree and months are known only at the call: plan for
    -- them every time (a generic plan guesses a tiny subtree and loops).
    SET plan_cache_mode = force_custom_plan
AS $$
#variable_conflict use_column
DECLARE
    v_unit bigint;
    dec31 date;
BEGIN
    IF grading_quota.year IS NULL THEN
        RAISE EXCEPTION 'year must not be NULL' USING ERRCODE = '22004';
    END IF;
    v_unit := @extschema@.unit_id_of(grading_quota.unit_code);
    dec31 := pg_catalog.make_date(grading_quota.year, 12, 31);
    RETURN QUERY
    WITH orgs AS (
        SELECT o.id FROM @extschema@.subtree(v_unit) o
         WHERE o.grassroots AND o.valid_from <= dec31 AND (o.valid_to IS NULL OR o.valid_to > dec31)),
    graded AS (
        -- members belonging on 31 December, with their grade and cell
        SELECT ms.unit_id, k.grade
          FROM @extschema@.classifications k
          JOIN @extschema@.memberships ms ON ms.member_id = k.member_id AND ms.period OPERATOR(pg_catalog.@>) dec31
          JOIN @extschema@.members mb ON mb.id = k.member_id
         WHERE k.year = grading_quota.year AND k.grade IN ('excellent', 'good')
           AND (mb.left_on IS NULL OR mb.left_on >= dec31)),
    below AS (
        -- each organisation's subtree
        SELECT o.id AS org, s.id FROM orgs o, LATERAL @extschema@.subtree(o.id) s)
    SELECT u.code, u.name, x.excellent, x.good, x.excellent * 5 > x.good
      FROM (SELECT o.id,
                   pg_catalog.count(g.grade) FILTER (WHERE g.grade = 'excellent') AS excellent,
                   pg_catalog.count(g.grade) FILTER (WHERE g.grade = 'good') AS good
              FROM orgs o
              LEFT JOIN (below b JOIN graded g ON g.unit_id = b.id) ON b.org = o.id
             GROUP BY o.id) x
      JOIN @extschema@.units u ON u.id = x.id
     ORDER BY u.code;
END;
$$;
COMMENT ON FUNCTION @extschema@.grading_quota(text, integer) IS
    'per grassroots organisation of a unit''s subtree existing on 31 December: members graded excellent and good for the year (members belonging then to a cell below it), and over_quota when excellent exceeds 20% of good';
