-- Members needing attention (per member, per calendar year) and cells
-- needing attention (per cell, per window), as indicators.md defines them.
-- Each section works its answer out by hand from the rules first.
SELECT regress.reset();
SET datestyle = 'ISO, YMD';

CREATE FUNCTION pg_temp.u(text) RETURNS bigint LANGUAGE sql AS $$ SELECT id FROM chibo.units WHERE code = $1 $$;
CREATE FUNCTION pg_temp.m(text) RETURNS bigint LANGUAGE sql AS $$ SELECT id FROM chibo.members WHERE code = $1 $$;

-- The tree: district D; ward committee W with cells W.A and W.B (the
-- members part); ward committee W2 with cells W2.A, W2.B (opened
-- 2025-05-20), W2.C (closed 2025-08-15), W2.D and W2.E (the cells part).
INSERT INTO chibo.units (code, parent_id, name, kind, grassroots, cell_type, valid_from, valid_to)
VALUES ('D', NULL, 'Đảng bộ quận D', 'committee', false, NULL, '2020-01-01', NULL);
INSERT INTO chibo.units (code, parent_id, name, kind, grassroots, cell_type, valid_from, valid_to)
VALUES ('W', pg_temp.u('D'), 'Đảng bộ phường W', 'committee', true, NULL, '2020-01-01', NULL),
       ('W2', pg_temp.u('D'), 'Đảng bộ phường W2', 'committee', true, NULL, '2020-01-01', NULL);
INSERT INTO chibo.units (code, parent_id, name, kind, grassroots, cell_type, valid_from, valid_to)
VALUES ('W.A', pg_temp.u('W'), 'Chi bộ W.A', 'cell', false, 'residential', '2020-01-01', NULL),
       ('W.B', pg_temp.u('W'), 'Chi bộ W.B', 'cell', false, 'school', '2020-01-01', NULL),
       ('W2.A', pg_temp.u('W2'), 'Chi bộ W2.A', 'cell', false, 'residential', '2020-01-01', NULL),
       ('W2.B', pg_temp.u('W2'), 'Chi bộ W2.B', 'cell', false, 'enterprise', '2025-05-20', NULL),
       ('W2.C', pg_temp.u('W2'), 'Chi bộ W2.C', 'cell', false, 'administrative', '2020-01-01', '2025-08-15'),
       ('W2.D', pg_temp.u('W2'), 'Chi bộ W2.D', 'cell', false, 'school', '2020-01-01', NULL),
       ('W2.E', pg_temp.u('W2'), 'Chi bộ W2.E', 'cell', false, 'other', '2020-01-01', NULL);

-- Members.  W.A: P1 to P10, where P4 is exempt from 2025-01-10 to
-- 2025-07-10 (from W.A's January meeting day to its July meeting day,
-- which is no longer covered), P7 moves to W.B on 2025-07-01, P8 left the
-- party on 2025-05-10 (W.A's May meeting day) and P9 is probationary
-- (admitted 2024-06-01).  W.B: BB1 (and P7).  W2.A: K1 to K4.  W2.B: S1,
-- S2 from 2025-05-20.  W2.C: V1, V2 until 2025-08-15.  W2.D: E1.  W2.E:
-- F1, exempt from 2024 on.
INSERT INTO chibo.members (code, full_name, admitted_on, full_member_on)
SELECT code, 'Member ' || code, '2000-01-01', '2001-01-01'
  FROM unnest(ARRAY['P1', 'P2', 'P3', 'P4', 'P5', 'P6', 'P7', 'P10', 'BB1',
                    'K1', 'K2', 'K3', 'K4', 'S1', 'S2', 'V1', 'V2', 'E1', 'F1']) AS code;
INSERT INTO chibo.members (code, full_name, admitted_on, full_member_on, left_on, left_reason)
VALUES ('P8', 'Member P8', '2000-01-01', '2001-01-01', '2025-05-10', 'resigned'),
       ('P9', 'Member P9', '2024-06-01', NULL, NULL, NULL);
INSERT INTO chibo.memberships (member_id, unit_id, from_date, to_date)
SELECT pg_temp.m(x.member), pg_temp.u(x.cell), x.from_date::date, x.to_date::date
  FROM (VALUES ('P1', 'W.A', '2020-01-01', NULL), ('P2', 'W.A', '2020-01-01', NULL),
               ('P3', 'W.A', '2020-01-01', NULL), ('P4', 'W.A', '2020-01-01', NULL),
               ('P5', 'W.A', '2020-01-01', NULL), ('P6', 'W.A', '2020-01-01', NULL),
               ('P7', 'W.A', '2020-01-01', '2025-07-01'), ('P7', 'W.B', '2025-07-01', NULL),
               ('P8', 'W.A', '2020-01-01', NULL), ('P9', 'W.A', '2024-06-01', NULL),
               ('P10', 'W.A', '2020-01-01', NULL), ('BB1', 'W.B', '2020-01-01', NULL),
               ('K1', 'W2.A', '2020-01-01', NULL), ('K2', 'W2.A', '2020-01-01', NULL),
               ('K3', 'W2.A', '2020-01-01', NULL), ('K4', 'W2.A', '2020-01-01', NULL),
               ('S1', 'W2.B', '2025-05-20', NULL), ('S2', 'W2.B', '2025-05-20', NULL),
               ('V1', 'W2.C', '2020-01-01', '2025-08-15'), ('V2', 'W2.C', '2020-01-01', '2025-08-15'),
               ('E1', 'W2.D', '2020-01-01', NULL), ('F1', 'W2.E', '2020-01-01', NULL)
       ) AS x (member, cell, from_date, to_date);
INSERT INTO chibo.exemptions (member_id, from_date, to_date, reason)
VALUES (pg_temp.m('P4'), '2025-01-10', '2025-07-10', 'health'),
       (pg_temp.m('F1'), '2024-01-01', NULL, 'age');

-- Meetings (r regular, c combined, t thematic; minutes where recorded).
--   W.A:  r on the 10th of every month of 2025, except: March has two
--         regular meetings (03-05, 03-20), September a combined one
--         (09-10) instead; t 02-20 and 05-20; and r 2024-12-10, 2026-01-10.
--   W.B:  r on the 15th of every month of 2025.
--   W2.A: r on the 12th of every month of 2025, except April (t 04-12
--         only) and September (c 09-12); r 10-12 60 min, r 11-12 60 min,
--         r 12-12 90 min.
--   W2.B: r 06-10, r 07-10, c 08-20, r 09-10, c 10-27 100 min, r 10-28 89
--         min, c 11-05 100 min, t 11-20 80 min, r 12-10 120 min.
--   W2.C: r on the 8th of January to July, t 05-15 (nothing in August).
--   W2.D: r on the 15th of every month (11-15 and 12-15: 90 min), t 02-25,
--         05-25, 08-25, 11-25 (90 min), c 12-20 (120 min).
--   W2.E: on the 5th of every month of 2025: c in January, April, July
--         and October, r in the other months.
INSERT INTO chibo.meetings (unit_id, held_on, kind, minutes)
SELECT pg_temp.u('W.A'), make_date(2025, mo, 10), CASE mo WHEN 9 THEN 'combined' ELSE 'regular' END, NULL::integer
  FROM generate_series(1, 12) AS mo WHERE mo <> 3
UNION ALL
SELECT pg_temp.u('W.B'), make_date(2025, mo, 15), 'regular', NULL FROM generate_series(1, 12) AS mo
UNION ALL
SELECT pg_temp.u('W2.A'), make_date(2025, mo, 12),
       CASE mo WHEN 4 THEN 'thematic' WHEN 9 THEN 'combined' ELSE 'regular' END,
       CASE mo WHEN 10 THEN 60 WHEN 11 THEN 60 WHEN 12 THEN 90 END
  FROM generate_series(1, 12) AS mo
UNION ALL
SELECT pg_temp.u('W2.C'), make_date(2025, mo, 8), 'regular', NULL FROM generate_series(1, 7) AS mo
UNION ALL
SELECT pg_temp.u('W2.D'), make_date(2025, mo, 15), 'regular', CASE WHEN mo >= 11 THEN 90 END
  FROM generate_series(1, 12) AS mo
UNION ALL
SELECT pg_temp.u('W2.E'), make_date(2025, mo, 5), CASE WHEN mo IN (1, 4, 7, 10) THEN 'combined' ELSE 'regular' END, NULL
  FROM generate_series(1, 12) AS mo
UNION ALL
SELECT pg_temp.u(x.cell), x.held_on::date, x.kind, x.minutes
  FROM (VALUES ('W.A', '2025-03-05', 'regular', NULL), ('W.A', '2025-03-20', 'regular', NULL),
               ('W.A', '2025-02-20', 'thematic', NULL), ('W.A', '2025-05-20', 'thematic', NULL),
               ('W.A', '2024-12-10', 'regular', NULL), ('W.A', '2026-01-10', 'regular', NULL),
               ('W2.B', '2025-06-10', 'regular', NULL), ('W2.B', '2025-07-10', 'regular', NULL),
               ('W2.B', '2025-08-20', 'combined', NULL), ('W2.B', '2025-09-10', 'regular', NULL),
               ('W2.B', '2025-10-27', 'combined', 100), ('W2.B', '2025-10-28', 'regular', 89),
               ('W2.B', '2025-11-05', 'combined', 100), ('W2.B', '2025-11-20', 'thematic', 80),
               ('W2.B', '2025-12-10', 'regular', 120),
               ('W2.C', '2025-05-15', 'thematic', NULL),
               ('W2.D', '2025-02-25', 'thematic', NULL), ('W2.D', '2025-05-25', 'thematic', NULL),
               ('W2.D', '2025-08-25', 'thematic', NULL), ('W2.D', '2025-11-25', 'thematic', 90),
               ('W2.D', '2025-12-20', 'combined', 120)) AS x (cell, held_on, kind, minutes);

-- Attendance.  At every meeting every member belonging to the cell that
-- day and not exempt is recorded present; then the exceptions below change
-- a status ('none' deletes the row: no record), or add a row (P4 while
-- exempt).
INSERT INTO chibo.attendance (meeting_id, member_id, status)
SELECT mt.id, ms.member_id, 'present'
  FROM chibo.meetings mt
  JOIN chibo.memberships ms ON ms.unit_id = mt.unit_id AND ms.period @> mt.held_on
  JOIN chibo.members mb ON mb.id = ms.member_id
 WHERE (mb.left_on IS NULL OR mb.left_on >= mt.held_on)
   AND NOT EXISTS (SELECT FROM chibo.exemptions e WHERE e.member_id = ms.member_id AND e.period @> mt.held_on);
CREATE TEMP TABLE marks (cell text, held_on date, member text, status text);
INSERT INTO marks VALUES
    ('W.A', '2024-12-10', 'P5', 'none'),
    ('W.A', '2025-01-10', 'P2', 'absent'), ('W.A', '2025-01-10', 'P3', 'excused'),
    ('W.A', '2025-01-10', 'P9', 'none'),
    ('W.A', '2025-02-10', 'P1', 'none'), ('W.A', '2025-02-10', 'P3', 'excused'),
    ('W.A', '2025-02-10', 'P4', 'absent'), ('W.A', '2025-02-10', 'P9', 'none'),
    ('W.A', '2025-02-20', 'P6', 'none'),
    ('W.A', '2025-03-05', 'P2', 'absent'), ('W.A', '2025-03-05', 'P3', 'excused'),
    ('W.A', '2025-03-05', 'P5', 'none'), ('W.A', '2025-03-05', 'P9', 'none'),
    ('W.A', '2025-03-05', 'P10', 'absent'),
    ('W.A', '2025-03-20', 'P2', 'absent'), ('W.A', '2025-03-20', 'P3', 'excused'),
    ('W.A', '2025-03-20', 'P5', 'none'), ('W.A', '2025-03-20', 'P9', 'none'),
    ('W.A', '2025-04-10', 'P1', 'none'), ('W.A', '2025-04-10', 'P3', 'excused'),
    ('W.A', '2025-04-10', 'P8', 'none'), ('W.A', '2025-04-10', 'P9', 'none'),
    ('W.A', '2025-05-10', 'P2', 'none'), ('W.A', '2025-05-10', 'P7', 'absent'),
    ('W.A', '2025-05-10', 'P8', 'none'),
    ('W.A', '2025-05-20', 'P6', 'none'),
    ('W.A', '2025-06-10', 'P3', 'none'), ('W.A', '2025-06-10', 'P5', 'none'),
    ('W.A', '2025-06-10', 'P10', 'absent'),
    ('W.A', '2025-07-10', 'P4', 'none'),
    ('W.A', '2025-09-10', 'P6', 'none'),
    ('W.A', '2025-10-10', 'P6', 'none'),
    ('W.A', '2026-01-10', 'P5', 'none'),
    ('W.B', '2025-08-15', 'P7', 'none'), ('W.B', '2025-09-15', 'P7', 'absent'),
    ('W2.A', '2025-01-12', 'K2', 'absent'), ('W2.A', '2025-01-12', 'K3', 'absent'),
    ('W2.A', '2025-01-12', 'K4', 'none'),
    ('W2.A', '2025-06-12', 'K4', 'excused'),
    ('W2.A', '2025-08-12', 'K3', 'none'), ('W2.A', '2025-08-12', 'K4', 'none');
DELETE FROM chibo.attendance a
 USING marks k, chibo.meetings mt
 WHERE k.status = 'none' AND mt.unit_id = pg_temp.u(k.cell) AND mt.held_on = k.held_on
   AND a.meeting_id = mt.id AND a.member_id = pg_temp.m(k.member);
INSERT INTO chibo.attendance (meeting_id, member_id, status)
SELECT mt.id, pg_temp.m(k.member), k.status::chibo.attendance_status
  FROM marks k JOIN chibo.meetings mt ON mt.unit_id = pg_temp.u(k.cell) AND mt.held_on = k.held_on
 WHERE k.status <> 'none'
ON CONFLICT (meeting_id, member_id) DO UPDATE SET status = EXCLUDED.status;

SET client_min_messages = warning;
SELECT * FROM chibo.refresh_reports();
RESET client_min_messages;

-- Section 1. Members needing attention.  Unexcused months: distinct months
-- of the year in which the member was expected (belonging, not exempt) at
-- a regular or combined meeting of their cell and counted absent (an
-- 'absent' row or no record; 'excused' is not absent).  2 months:
-- warning; 3 or more: strike_off_review.  Over 2025 in W:
--   P1  no record 02-10, 04-10                          -> 2 warning
--   P2  absent 01-10, absent at both March meetings, no record 05-10
--                                                       -> 3 strike_off_review
--   P3  excused in January to April (not counted), no record 06-10
--                                                       -> 1 (not listed)
--   P4  exempt from 01-10 to 07-10 (not covering 07-10): its 'absent' row
--       of 02-10 and the missing ones of January to June do not count;
--       no record 07-10                                  -> 1 (not listed)
--   P5  no record at both March meetings (one month, not two) and 06-10;
--       its absences of 2024-12-10 and 2026-01-10 are outside the year
--                                                       -> 2 warning
--   P6  no record at the thematic meetings 02-20 and 05-20 (thematic
--       meetings do not count), at the combined 09-10 (counts) and 10-10
--                                                       -> 2 warning
--   P7  absent 05-10 in W.A, then in W.B: no record 08-15, absent 09-15
--                                                       -> 3 strike_off_review
--   P8  no record 04-10 and 05-10 (it left the party that very day, so
--       still belonged); not expected at any later meeting -> 2 warning
--   P9  (probationary) no record 01-10, 02-10, both March meetings, 04-10
--                                                       -> 4 strike_off_review
--   P10 absent 03-05 (present 03-20: March is still a month in which P10
--       was expected at a meeting and counted absent), absent 06-10
--                                                       -> 2 warning
-- Ordered by months (most first), then code.
SELECT member_code, unexcused_months, flag FROM chibo.members_needing_attention('W', 2025);
-- The whole district adds W2.A's K3 (absent 01-12, no record 08-12) and
-- K4 (no record 01-12 and 08-12; its June 'excused' does not count), each
-- 2 months: warning; K2 (absent 01-12 only) has 1.
SELECT member_code, unexcused_months, flag FROM chibo.members_needing_attention('D', 2025);
-- Only the meetings of the unit's subtree count: in W.A alone P7 has one
-- month (not listed), in W.B alone two (warning).
SELECT member_code, unexcused_months, flag FROM chibo.members_needing_attention('W.A', 2025);
SELECT member_code, unexcused_months, flag FROM chibo.members_needing_attention('W.B', 2025);
-- 2024 and 2026: P5's single absence of each year (one month) -> no one.
SELECT member_code, unexcused_months, flag FROM chibo.members_needing_attention('W', 2024);
SELECT member_code, unexcused_months, flag FROM chibo.members_needing_attention('W', 2026);
-- Errors: an unknown unit (22023), no year (22004).
SELECT try($$SELECT * FROM chibo.members_needing_attention('NOPE', 2025)$$) AS unknown_unit;
SELECT try($$SELECT * FROM chibo.members_needing_attention('W', NULL)$$) AS no_year;

-- Section 2. Cells needing attention over February to December 2025 (a
-- window that cuts the first quarter), threshold 0.85, excused_count:
--   W2.A (K1..K4):
--     months without a regular/combined meeting: April (only a thematic
--       meeting)                                        -> {2025-04-01}
--     months below 0.85: June 3/4 (K4 excused counts against), August 2/4;
--       January (1/4) is outside the window; lowest 2/4 in August
--     quarters without thematic/combined: Q2 has the thematic 04-12, Q3
--       the combined 09-12; Q4 has none -> {2025-Q4}; Q1 has none but is
--       partly outside the window: not reported
--     short meetings: 11-12 (60 min); not 10-12 (60 min, before
--       2025-10-28), not 12-12 (90 min is not shorter than 90)
--   W2.B (opened 2025-05-20):
--     months without: May (it existed from the 20th, no meeting); February
--       to April are not months in which it existed     -> {2025-05-01}
--     below: none (everyone present)
--     quarters: Q2 (May and June) has no thematic/combined -> {2025-Q2};
--       Q3 has the combined 08-20, Q4 the combined 10-27 and 11-05
--     short: 10-28 (regular, 89 < 90, the rule's first day), 11-05
--       (combined, 100 < 120), 11-20 (thematic, 80 < 90); not 10-27
--       (before the rule), not 08-20 (no duration recorded), not 12-10
--   W2.C (closed 2025-08-15):
--     months without: August (it existed until the 14th) -> {2025-08-01};
--       September to December are not months in which it existed
--     quarters: Q2 has the thematic 05-15; Q3 (July, August) has none
--       -> {2025-Q3}; Q4: it did not exist
--   W2.D: a meeting every month, everyone present, a thematic or combined
--     meeting every quarter, durations of exactly 90 (120 combined): not
--     listed.
--   W2.E: its only member is exempt: every month is 0/0, which is not a
--     ratio below the threshold; a meeting every month and a combined one
--     every quarter: not listed.
SELECT cell_code, cell_type, months_without_meeting, months_below_threshold, lowest_ratio, lowest_month,
       quarters_without_thematic, short_meetings
  FROM chibo.cells_needing_attention('W2', '2025-02-01', '2025-12-01');
-- The whole year: Q1 is now wholly inside the window.  W2.A: January
-- (1/4) joins the months below and is the lowest; Q1 has no thematic
-- meeting -> {Q1, Q4}.  W2.B: it did not exist in Q1: still {Q2}.  W2.C:
-- it existed in Q1 without a thematic meeting -> {Q1, Q3}.  Dates inside
-- months name their months (2025-01-31 .. 2025-12-31 is January to
-- December).
SELECT cell_code, months_without_meeting, months_below_threshold, lowest_ratio, lowest_month,
       quarters_without_thematic, short_meetings
  FROM chibo.cells_needing_attention('W2', '2025-01-31', '2025-12-31');
-- excused_excluded: June becomes 3/(4-1) = 3/3 and leaves the months below;
-- August (2/4, no one excused) stays.  At threshold 0.5 (excused_count)
-- August's 2/4 = 0.5 is not below: W2.A has no month below, but is still
-- listed for April, Q4 and 11-12.
SELECT cell_code, months_below_threshold, lowest_ratio, lowest_month
  FROM chibo.cells_needing_attention('W2', '2025-02-01', '2025-12-01', 0.85, 'excused_excluded');
SELECT cell_code, months_below_threshold, lowest_ratio, lowest_month
  FROM chibo.cells_needing_attention('W2', '2025-02-01', '2025-12-01', 0.5);
-- A cell asked alone.
SELECT cell_code, months_without_meeting, quarters_without_thematic, short_meetings
  FROM chibo.cells_needing_attention('W2.B', '2025-02-01', '2025-12-01');
-- Errors: unknown unit, reversed window, bad policy, NULL threshold.
SELECT try($$SELECT * FROM chibo.cells_needing_attention('NOPE', '2025-02-01', '2025-12-01')$$) AS unknown_unit;
SELECT try($$SELECT * FROM chibo.cells_needing_attention('W2', '2025-12-01', '2025-02-01')$$) AS reversed_window;
SELECT try($$SELECT * FROM chibo.cells_needing_attention('W2', '2025-02-01', '2025-12-01', 0.85, 'lenient')$$) AS bad_policy;
SELECT try($$SELECT * FROM chibo.cells_needing_attention('W2', '2025-02-01', '2025-12-01', NULL)$$) AS null_threshold;

-- Section 3. The rollup view chibo_report.cells_needing_attention agrees
-- with cells_needing_attention() over the year 2025 (the reporting range
-- runs from 2024-12 to 2026-01, so the 2025 window is the whole year; the
-- view uses 0.85 and excused_count).  W2's cells: as the second call of
-- section 2.  Every cell of D: the same lists, counts and lowest month.
SELECT v.cell_code, v.months_without_meeting_list, v.months_below_threshold_list, v.lowest_month,
       v.lowest_attendance_text, v.quarters_without_thematic_list, v.short_meetings
  FROM chibo_report.cells_needing_attention v
 WHERE v.year = 2025 AND v.parent_code = 'W2'
 ORDER BY v.cell_code;
WITH f AS (
    SELECT f.cell_code,
           (SELECT string_agg(to_char(d, 'YYYY-MM'), ', ' ORDER BY d) FROM unnest(f.months_without_meeting) d) AS without_list,
           (SELECT string_agg(to_char(d, 'YYYY-MM'), ', ' ORDER BY d) FROM unnest(f.months_below_threshold) d) AS below_list,
           f.lowest_month, display(f.lowest_ratio) AS lowest_text,
           array_to_string(f.quarters_without_thematic, ', ') AS quarter_list,
           coalesce(cardinality(f.short_meetings), 0) AS short
      FROM chibo.cells_needing_attention('D', '2025-01-01', '2025-12-01') f),
v AS (
    SELECT v.cell_code, v.months_without_meeting_list AS without_list, v.months_below_threshold_list AS below_list,
           v.lowest_month, v.lowest_attendance_text AS lowest_text, v.quarters_without_thematic_list AS quarter_list,
           v.short_meetings AS short
      FROM chibo_report.cells_needing_attention v WHERE v.year = 2025)
SELECT coalesce(f.cell_code, v.cell_code) AS cell_code, f.cell_code IS NOT NULL AS in_function,
       v.cell_code IS NOT NULL AS in_view, row(f.*) IS NOT DISTINCT FROM row(v.*) AS same
  FROM f FULL JOIN v ON v.cell_code = f.cell_code
 ORDER BY 1;
-- And chibo_report.unit_year against indicators() for every unit and year.
SELECT count(*) AS unit_years,
       count(*) FILTER (WHERE (v.active_members, v.task_registered, v.four_good, v.cells_total, v.cells_passing,
                               v.attendance_present, v.attendance_expected)
                              = (i.active_members, i.task_registered, i.four_good, i.cells_total, i.cells_passing,
                                 i.attendance_present, i.attendance_expected)) AS same_as_indicators
  FROM chibo_report.unit_year v, LATERAL chibo.indicators(v.unit_code, v.first_month, v.last_month) i;
