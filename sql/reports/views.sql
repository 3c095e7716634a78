-- chibo: the report views for SQL users and BI tools (schema chibo_report).
--
-- Built on the rollups (as of the last refresh_reports()).  Only base types
-- in their columns: exact figures as bigint counts, a percentage as numeric,
-- the figure as a person reads it as text ('7.126/7.560 (94%)').  They run
-- with the caller's rights (security_invoker) and hold no personal data.

CREATE SCHEMA chibo_report;
COMMENT ON SCHEMA chibo_report IS
    'chibo reports for SQL users and BI tools (Metabase): views of the indicators per unit, month and year; base types only, no personal data';

-- The unit's codes as the views show them: its parent and its top-level
-- committee (from unit_paths, so that a login granted part of the tree
-- sees them too).
CREATE VIEW chibo_report.units WITH (security_invoker = true) AS
SELECT u.id AS unit_id, u.code AS unit_code, u.name AS unit_name, u.kind AS unit_kind, u.grassroots,
       u.cell_type, p.parent_code, p.top_code, p.level,
       u.valid_from, u.valid_to
  FROM @extschema@.units u
  LEFT JOIN @extschema@.unit_paths p ON p.unit_id = u.id;
COMMENT ON VIEW chibo_report.units IS
    'the units (đảng bộ, chi bộ) with their parent and top-level committee, for filters and joins';

CREATE VIEW chibo_report.unit_month WITH (security_invoker = true) AS
SELECT u.unit_code, u.unit_name, u.unit_kind, u.grassroots, u.parent_code, u.top_code, u.level,
       r.month, @extschema@.month_end(r.month) AS end_date,
       r.active_members, r.task_registered, r.four_good, r.four_good_mixed,
       r.cells_total, r.cells_passing,
       r.present AS attendance_present, r.expected AS attendance_expected, r.excused AS attendance_excused,
       r.meetings, r.cells_existing, r.cells_without_meeting,
       r.side_meetings, r.side_present, r.side_excused, r.side_expected, r.short_meetings,
       @extschema@.percent(@extschema@.ratio(r.task_registered, r.active_members), 1) AS task_registration_percent,
       @extschema@.percent(@extschema@.ratio(r.four_good, r.active_members), 1) AS four_good_percent,
       @extschema@.percent(@extschema@.ratio(r.cells_passing, r.cells_total), 1) AS cells_passing_percent,
       @extschema@.percent(@extschema@.ratio(r.present, r.expected), 1) AS attendance_percent,
       @extschema@.display(@extschema@.ratio(r.task_registered, r.active_members)) AS task_registration_text,
       @extschema@.display(@extschema@.ratio(r.four_good, r.active_members)) AS four_good_text,
       @extschema@.display(@extschema@.ratio(r.cells_passing, r.cells_total)) AS cells_passing_text,
       @extschema@.display(@extschema@.ratio(r.present, r.expected)) AS attendance_text
  FROM @extschema@.unit_months r
  JOIN chibo_report.units u ON u.unit_id = r.unit_id;
COMMENT ON VIEW chibo_report.unit_month IS
    'the headline indicators of every unit (committee and cell) for every month of the reporting range, the month being the window (as chibo.indicators(unit, month, month) gives them)';

CREATE VIEW chibo_report.unit_year WITH (security_invoker = true) AS
SELECT u.unit_code, u.unit_name, u.unit_kind, u.grassroots, u.parent_code, u.top_code, u.level,
       r.year, r.first_month, r.last_month, @extschema@.month_end(r.last_month) AS end_date,
       r.active_members, r.task_registered, r.four_good, r.four_good_mixed,
       r.cells_total, r.cells_passing,
       r.present AS attendance_present, r.expected AS attendance_expected, r.excused AS attendance_excused,
       r.meetings, r.cells_existing, r.cells_without_meeting,
       r.side_meetings, r.side_present, r.side_excused, r.side_expected, r.short_meetings,
       r.graded_excellent, r.graded_good,
       @extschema@.percent(@extschema@.ratio(r.task_registered, r.active_members), 1) AS task_registration_percent,
       @extschema@.percent(@extschema@.ratio(r.four_good, r.active_members), 1) AS four_good_percent,
       @extschema@.percent(@extschema@.ratio(r.cells_passing, r.cells_total), 1) AS cells_passing_percent,
       @extschema@.percent(@extschema@.ratio(r.present, r.expected), 1) AS attendance_percent,
       @extschema@.display(@extschema@.ratio(r.task_registered, r.active_members)) AS task_registration_text,
       @extschema@.display(@extschema@.ratio(r.four_good, r.active_members)) AS four_good_text,
       @extschema@.display(@extschema@.ratio(r.cells_passing, r.cells_total)) AS cells_passing_text,
       @extschema@.display(@extschema@.ratio(r.present, r.expected)) AS attendance_text
  FROM @extschema@.unit_years r
  JOIN chibo_report.units u ON u.unit_id = r.unit_id;
COMMENT ON VIEW chibo_report.unit_year IS
    'the headline indicators of every unit (committee and cell) for every year of the reporting range; the window is the calendar year cut to the months with data (first_month..last_month), as chibo.indicators(unit, first_month, last_month) gives them';

CREATE VIEW chibo_report.headline WITH (security_invoker = true) AS
SELECT y.unit_code, y.unit_name, y.year, y.first_month, y.last_month, y.end_date,
       y.active_members,
       y.task_registered, y.task_registration_text, y.task_registration_percent,
       y.four_good, y.four_good_text, y.four_good_percent,
       y.cells_total, y.cells_passing,
       y.cells_passing_text, y.cells_passing_percent,
       y.attendance_present, y.attendance_expected, y.attendance_text, y.attendance_percent
  FROM chibo_report.unit_year y
 -- The tops of the tree the caller sees: the units it sees without a
 -- parent, or whose parent it does not see.  A unit whose parent is hidden
 -- can only be one granted to the caller (a grant gives a whole subtree),
 -- so only the units without a parent and the caller's granted units are
 -- tried, through indexes, instead of every unit.
 WHERE y.unit_code IN (
        SELECT u.code FROM @extschema@.units u
         WHERE u.id IN (SELECT r.id FROM @extschema@.units r WHERE r.parent_id IS NULL
                        UNION ALL
                        SELECT g.unit_id FROM @extschema@.unit_grants g
                          JOIN pg_catalog.pg_roles o ON o.rolname = g.role_name
                         WHERE pg_catalog.pg_has_role(o.oid, 'USAGE'))
           AND (u.parent_id IS NULL
                OR NOT EXISTS (SELECT FROM @extschema@.units v WHERE v.id = u.parent_id)));
COMMENT ON VIEW chibo_report.headline IS
    'the published figures per top-level committee (for a login granted part of the tree: per granted committee) and year (Báo cáo): members registered for a new or difficult task, "Đảng viên 4 tốt", cells at or above 85% attendance every month, pooled attendance';

CREATE VIEW chibo_report.cell_type_year WITH (security_invoker = true) AS
SELECT u.unit_code, u.unit_name, c.cell_type, y.year, pg_catalog.min(y.first_month) AS first_month,
       pg_catalog.max(y.last_month) AS last_month,
       pg_catalog.count(*) FILTER (WHERE y.exists_on_end) AS cells_existing,
       pg_catalog.count(*) FILTER (WHERE y.exists_on_end AND y.months_judged > 0) AS cells_total,
       pg_catalog.count(*) FILTER (WHERE y.exists_on_end AND y.months_judged > 0
                                     AND y.months_passing = y.months_judged) AS cells_passing,
       pg_catalog.sum(y.meetings)::bigint AS meetings,
       pg_catalog.sum(y.present)::bigint AS attendance_present,
       pg_catalog.sum(y.expected)::bigint AS attendance_expected,
       pg_catalog.sum(y.excused)::bigint AS attendance_excused,
       @extschema@.percent(@extschema@.ratio(pg_catalog.sum(y.present)::bigint, pg_catalog.sum(y.expected)::bigint), 1)
           AS attendance_percent,
       @extschema@.display(@extschema@.ratio(pg_catalog.sum(y.present)::bigint, pg_catalog.sum(y.expected)::bigint))
           AS attendance_text,
       @extschema@.ratio(pg_catalog.sum(y.present)::bigint, pg_catalog.sum(y.expected)::bigint)
           OPERATOR(@extschema@.>) 0.9 AS attendance_above_90
  FROM @extschema@.cell_years y
  JOIN @extschema@.units c ON c.id = y.unit_id
  JOIN @extschema@.unit_ancestors a ON a.unit_id = y.unit_id
  JOIN chibo_report.units u ON u.unit_id = a.ancestor_id
 WHERE u.unit_kind = 'committee'
 GROUP BY u.unit_code, u.unit_name, c.cell_type, y.year;
COMMENT ON VIEW chibo_report.cell_type_year IS
    'per committee, cell type (loại hình chi bộ) and year: the cells and their pooled attendance, e.g. administrative agencies, armed forces and schools above 90%';

CREATE VIEW chibo_report.cells_needing_attention WITH (security_invoker = true) AS
WITH months AS (
    SELECT m.unit_id, y.year, m.month, m.meetings, m.thematic_meetings, m.short_meetings,
           @extschema@.ratio(m.present, m.expected) AS ratio,
           pg_catalog.date_trunc('quarter', m.month)::date AS quarter,
           pg_catalog.date_trunc('quarter', m.month)::date >= y.first_month
             AND (pg_catalog.date_trunc('quarter', m.month) + interval '2 months')::date <= y.last_month AS whole_quarter
      FROM @extschema@.cell_years y
      JOIN @extschema@.cell_months m
        ON m.unit_id = y.unit_id AND m.month >= y.first_month AND m.month <= y.last_month),
per_cell AS (
    SELECT m.unit_id, m.year,
           pg_catalog.count(*) FILTER (WHERE m.meetings = 0) AS months_without_meeting,
           pg_catalog.string_agg(pg_catalog.to_char(m.month::timestamp, 'YYYY-MM'), ', ' ORDER BY m.month)
               FILTER (WHERE m.meetings = 0) AS months_without_meeting_list,
           pg_catalog.count(*) FILTER (WHERE m.meetings > 0 AND m.ratio OPERATOR(@extschema@.<) 0.85) AS months_below_threshold,
           pg_catalog.string_agg(pg_catalog.to_char(m.month::timestamp, 'YYYY-MM'), ', ' ORDER BY m.month)
               FILTER (WHERE m.meetings > 0 AND m.ratio OPERATOR(@extschema@.<) 0.85) AS months_below_threshold_list,
           (pg_catalog.array_agg(m.ratio ORDER BY m.ratio, m.month)
               FILTER (WHERE m.meetings > 0 AND m.ratio OPERATOR(@extschema@.<) 0.85))[1] AS lowest,
           (pg_catalog.array_agg(m.month ORDER BY m.ratio, m.month)
               FILTER (WHERE m.meetings > 0 AND m.ratio OPERATOR(@extschema@.<) 0.85))[1] AS lowest_month,
           pg_catalog.sum(m.short_meetings)::bigint AS short_meetings
      FROM months m GROUP BY m.unit_id, m.year),
quarters AS (
    SELECT q.unit_id, q.year, pg_catalog.count(*) AS missing,
           pg_catalog.string_agg(pg_catalog.to_char(q.quarter::timestamp, 'YYYY-"Q"Q'), ', ' ORDER BY q.quarter) AS list
      FROM (SELECT m.unit_id, m.year, m.quarter FROM months m WHERE m.whole_quarter
             GROUP BY m.unit_id, m.year, m.quarter HAVING pg_catalog.sum(m.thematic_meetings) = 0) q
     GROUP BY q.unit_id, q.year)
SELECT u.unit_code AS cell_code, u.unit_name AS cell_name, u.cell_type, u.parent_code, u.top_code, p.year,
       p.months_without_meeting, p.months_without_meeting_list,
       p.months_below_threshold, p.months_below_threshold_list,
       p.lowest_month, @extschema@.display(p.lowest) AS lowest_attendance_text,
       @extschema@.percent(p.lowest, 1) AS lowest_attendance_percent,
       COALESCE(q.missing, 0) AS quarters_without_thematic, q.list AS quarters_without_thematic_list,
       p.short_meetings
  FROM per_cell p
  JOIN chibo_report.units u ON u.unit_id = p.unit_id
  LEFT JOIN quarters q ON q.unit_id = p.unit_id AND q.year = p.year
 WHERE p.months_without_meeting > 0 OR p.months_below_threshold > 0 OR q.missing > 0 OR p.short_meetings > 0;
COMMENT ON VIEW chibo_report.cells_needing_attention IS
    'cells needing attention per year: months without a regular or combined meeting, months below 85% with the lowest, whole quarters without a thematic or combined meeting, meetings shorter than the rule (as chibo.cells_needing_attention() over the year window)';

CREATE VIEW chibo_report.grading_quota WITH (security_invoker = true) AS
SELECT y.unit_code, y.unit_name, y.top_code, y.year, y.graded_excellent AS excellent, y.graded_good AS good,
       y.graded_good / 5 AS excellent_allowed, y.graded_excellent * 5 > y.graded_good AS over_quota
  FROM chibo_report.unit_year y
 WHERE y.grassroots
   AND EXISTS (SELECT FROM @extschema@.units o
                WHERE o.code = y.unit_code AND o.valid_from <= pg_catalog.make_date(y.year, 12, 31)
                  AND (o.valid_to IS NULL OR o.valid_to > pg_catalog.make_date(y.year, 12, 31)));
COMMENT ON VIEW chibo_report.grading_quota IS
    'per grassroots organisation (tổ chức cơ sở đảng) and year: members graded excellent and good, and over_quota when excellent exceeds 20% of good (Quy định 124-QĐ/TW, 366-QĐ/TW)';

CREATE VIEW chibo_report.report_state WITH (security_invoker = true) AS
SELECT s.first_month, s.last_month,
       pg_catalog.to_char(s.refreshed_at, 'YYYY-MM-DD HH24:MI:SS TZ') AS refreshed_at,
       pg_catalog.to_char(s.rebuilt_at, 'YYYY-MM-DD HH24:MI:SS TZ') AS rebuilt_at,
       EXISTS (SELECT FROM @extschema@.report_changes) AS changes_pending
  FROM @extschema@.report_state s;
COMMENT ON VIEW chibo_report.report_state IS
    'how fresh the reports are: the months they cover and when refresh_reports() last ran (a dashboard''s "as of" card)';

-- The columns' comments: one meaning per name, for every view that has it.
DO $$
DECLARE
    statement text;
BEGIN
    FOR statement IN
        SELECT pg_catalog.format('COMMENT ON COLUMN %I.%I.%I IS %L', n.nspname, c.relname, a.attname, cc.comment)
          FROM pg_catalog.pg_class c
          JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
          JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
          LEFT JOIN (VALUES
        ('unit_id', 'internal id of the unit (join key)'),
        ('unit_code', 'code of the unit (mã đơn vị), e.g. TH or TH.BUOI'),
        ('unit_name', 'name of the unit, e.g. Đảng bộ phường Bưởi'),
        ('unit_kind', 'committee (đảng bộ) or cell (chi bộ)'),
        ('grassroots', 'true for a grassroots organisation (tổ chức cơ sở đảng: đảng bộ cơ sở or chi bộ cơ sở)'),
        ('cell_type', 'type of cell (loại hình chi bộ): party_agency, administrative, public_service, armed_forces, school, enterprise, residential, other'),
        ('parent_code', 'code of the parent committee (NULL for a top-level committee)'),
        ('four_good_mixed', 'of the active members, those whose assessments inside the window mix schemes of different sizes (such as DV4T and DV5T): not counted as four-good; chibo.indicators() stops with an error for them'),
        ('side_excused', 'members excused at the thematic and extraordinary meetings, summed'),
        ('refreshed_at', 'when chibo.refresh_reports() last finished (YYYY-MM-DD HH24:MI:SS and time zone)'),
        ('rebuilt_at', 'when the reports were last rebuilt in full'),
        ('changes_pending', 'true when data changed since the last refresh: the figures do not show it yet'),
        ('top_code', 'code of the top-level committee above the unit (the unit itself at the top)'),
        ('level', 'depth in the tree: 0 for a top-level committee'),
        ('valid_from', 'first day the unit existed'),
        ('valid_to', 'first day the unit no longer existed; NULL while it exists'),
        ('cell_code', 'code of the cell (chi bộ)'),
        ('cell_name', 'name of the cell'),
        ('month', 'the month (first day): the report''s window'),
        ('year', 'the calendar year'),
        ('first_month', 'first month of the window, or of the months the reports cover (first day)'),
        ('last_month', 'last month of the window, or of the months the reports cover (first day)'),
        ('end_date', 'the window''s end date, on which active members are counted'),
        ('active_members', 'active members (đảng viên đang sinh hoạt) on the end date: belonging to a cell of the unit'),
        ('task_registered', 'of them, members who registered a new or difficult task for a year of the window (đăng ký nhiệm vụ mới, khó)'),
        ('task_registration_percent', 'task registration as a percentage of active members, one decimal; NULL without active members'),
        ('task_registration_text', 'task registration as published: part/whole and percentage, e.g. 7.126/7.560 (94%)'),
        ('four_good', 'of them, members achieving "Đảng viên 4 tốt": every criterion met in every assessment inside the window'),
        ('four_good_percent', 'four-good members as a percentage of active members, one decimal; NULL without active members'),
        ('four_good_text', 'four-good members as published, e.g. 6.804/7.560 (90%)'),
        ('cells_existing', 'cells of the unit existing on the end date'),
        ('cells_total', 'of them, cells with a month that could be judged (the whole of the attendance indicator)'),
        ('cells_passing', 'of the cells judged, those whose every judged month had a regular or combined meeting with pooled attendance of at least 85%'),
        ('cells_passing_percent', 'cells passing as a percentage of cells judged, one decimal; NULL when no cell was judged'),
        ('cells_passing_text', 'cells passing out of cells judged, with the percentage, e.g. 230/269 (86%)'),
        ('cells_without_meeting', 'cells with a month without a regular or combined meeting'),
        ('attendance_present', 'members present at the regular and combined meetings of the window, summed over meetings'),
        ('attendance_expected', 'members expected at those meetings (belonging, not exempt), summed over meetings'),
        ('attendance_excused', 'members excused (vắng có lý do) at those meetings, summed over meetings'),
        ('attendance_percent', 'pooled attendance (present / expected) as a percentage, one decimal; NULL when no member was expected (0/0)'),
        ('attendance_text', 'pooled attendance as part/whole and percentage, e.g. 204.653/221.184 (93%)'),
        ('attendance_above_90', 'true when pooled attendance is above 90%'),
        ('meetings', 'regular and combined meetings held (sinh hoạt định kỳ)'),
        ('side_meetings', 'thematic and extraordinary meetings held (sinh hoạt chuyên đề, bất thường), reported apart'),
        ('side_present', 'members present at the thematic and extraordinary meetings, summed'),
        ('side_expected', 'members expected at the thematic and extraordinary meetings, summed'),
        ('short_meetings', 'meetings shorter than the rule of their date (90 minutes, 120 combined, from 2025-10-28)'),
        ('graded_excellent', 'members graded excellent (hoàn thành xuất sắc) for the year, belonging on 31 December'),
        ('graded_good', 'members graded good (hoàn thành tốt) for the year, belonging on 31 December'),
        ('excellent', 'members graded excellent (hoàn thành xuất sắc nhiệm vụ) for the year, belonging on 31 December'),
        ('good', 'members graded good (hoàn thành tốt nhiệm vụ) for the year, not counting excellent'),
        ('excellent_allowed', 'the most members that may be graded excellent: 20% of those graded good, rounded down'),
        ('over_quota', 'true when excellent exceeds 20% of good'),
        ('months_without_meeting', 'months of the window in which the cell existed but held no regular or combined meeting'),
        ('months_without_meeting_list', 'those months, as YYYY-MM'),
        ('months_below_threshold', 'months whose pooled attendance fell below 85%'),
        ('months_below_threshold_list', 'those months, as YYYY-MM'),
        ('lowest_month', 'the month with the lowest attendance below 85% (first day)'),
        ('lowest_attendance_text', 'that month''s attendance as part/whole and percentage'),
        ('lowest_attendance_percent', 'that month''s attendance as a percentage, one decimal; NULL when no month was below 85%'),
        ('quarters_without_thematic', 'whole quarters of the window without a thematic or combined meeting'),
        ('quarters_without_thematic_list', 'those quarters, as YYYY-Qn')
          ) AS cc (name, comment) ON cc.name = a.attname
         WHERE n.nspname = 'chibo_report'
    LOOP
        -- A column without a meaning above stops the installation.
        IF statement IS NULL THEN
            RAISE EXCEPTION 'chibo: a column of schema chibo_report has no comment';
        END IF;
        EXECUTE statement;
    END LOOP;
END;
$$;
