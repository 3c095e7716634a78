-- The headline indicators of indicators.md that count members: windows,
-- membership on a date (active members), 1. task registration, 2. four-good
-- members with four_good_status, the errors of chibo.indicators(), and
-- rounding.  (Attendance and the cells threshold: indicators_cells.sql.)
-- Each section works its answer out by hand from the rules first.
SELECT regress.reset();
SET datestyle = 'ISO, YMD';

-- Ids by code (temporary functions: other tests define their own).
CREATE FUNCTION pg_temp.u(text) RETURNS bigint LANGUAGE sql AS $$ SELECT id FROM chibo.units WHERE code = $1 $$;
CREATE FUNCTION pg_temp.m(text) RETURNS bigint LANGUAGE sql AS $$ SELECT id FROM chibo.members WHERE code = $1 $$;
CREATE FUNCTION pg_temp.s(text) RETURNS bigint LANGUAGE sql AS $$ SELECT id FROM chibo.schemes WHERE code = $1 $$;

-- The tree (no restructure here): district D with ward committees W1 (cells
-- W1.A, W1.B) and W2 (cell W2.A); another district E with its cell E.A.
INSERT INTO chibo.units (code, parent_id, name, kind, grassroots, cell_type, valid_from, valid_to)
VALUES ('D', NULL, 'Đảng bộ quận D', 'committee', false, NULL, '2020-01-01', NULL),
       ('E', NULL, 'Đảng bộ quận E', 'committee', false, NULL, '2020-01-01', NULL);
INSERT INTO chibo.units (code, parent_id, name, kind, grassroots, cell_type, valid_from, valid_to)
VALUES ('W1', pg_temp.u('D'), 'Đảng bộ phường W1', 'committee', true, NULL, '2020-01-01', NULL),
       ('W2', pg_temp.u('D'), 'Đảng bộ phường W2', 'committee', true, NULL, '2020-01-01', NULL),
       ('E.A', pg_temp.u('E'), 'Chi bộ cơ sở E.A', 'cell', true, 'residential', '2020-01-01', NULL);
INSERT INTO chibo.units (code, parent_id, name, kind, grassroots, cell_type, valid_from, valid_to)
VALUES ('W1.A', pg_temp.u('W1'), 'Chi bộ W1.A', 'cell', false, 'residential', '2020-01-01', NULL),
       ('W1.B', pg_temp.u('W1'), 'Chi bộ W1.B', 'cell', false, 'school', '2020-01-01', NULL),
       ('W2.A', pg_temp.u('W2'), 'Chi bộ W2.A', 'cell', false, 'administrative', '2020-01-01', NULL);

-- Ten members:
--   M01 full member in W1.A;
--   M02 probationary (no full_member_on), in W1.A from 2025-03-01;
--   M03 in W1.A, exempt (age) from 2024-01-01 on;
--   M04 moves W1.A -> W2.A on 2025-06-15 (a transfer inside the window);
--   M05 in W1.A, left the party on 2025-12-30 (before the year's end date);
--   M06 in W1.B, left on 2025-12-31 (on the end date);
--   M07 in W1.B, left on 2026-01-15 (after the end date);
--   M08 moves W2.A -> E.A on 2025-12-31 (leaves the tree on the end date);
--   M09 moves E.A -> W1.B on 2025-12-31 (enters the tree on the end date);
--   M10 moves E.A -> W1.B on 2026-01-01 (after the end date).
INSERT INTO chibo.members (code, full_name, admitted_on, full_member_on, left_on, left_reason)
VALUES ('M01', 'Member 01', '2000-01-01', '2001-01-01', NULL, NULL),
       ('M02', 'Member 02', '2025-03-01', NULL, NULL, NULL),
       ('M03', 'Member 03', '1970-01-01', '1971-01-01', NULL, NULL),
       ('M04', 'Member 04', '2000-01-01', '2001-01-01', NULL, NULL),
       ('M05', 'Member 05', '2000-01-01', '2001-01-01', '2025-12-30', 'resigned'),
       ('M06', 'Member 06', '2000-01-01', '2001-01-01', '2025-12-31', 'died'),
       ('M07', 'Member 07', '2000-01-01', '2001-01-01', '2026-01-15', 'resigned'),
       ('M08', 'Member 08', '2000-01-01', '2001-01-01', NULL, NULL),
       ('M09', 'Member 09', '2000-01-01', '2001-01-01', NULL, NULL),
       ('M10', 'Member 10', '2000-01-01', '2001-01-01', NULL, NULL);
INSERT INTO chibo.memberships (member_id, unit_id, from_date, to_date)
VALUES (pg_temp.m('M01'), pg_temp.u('W1.A'), '2020-01-01', NULL),
       (pg_temp.m('M02'), pg_temp.u('W1.A'), '2025-03-01', NULL),
       (pg_temp.m('M03'), pg_temp.u('W1.A'), '2020-01-01', NULL),
       (pg_temp.m('M04'), pg_temp.u('W1.A'), '2020-01-01', '2025-06-15'),
       (pg_temp.m('M04'), pg_temp.u('W2.A'), '2025-06-15', NULL),
       (pg_temp.m('M05'), pg_temp.u('W1.A'), '2020-01-01', NULL),
       (pg_temp.m('M06'), pg_temp.u('W1.B'), '2020-01-01', NULL),
       (pg_temp.m('M07'), pg_temp.u('W1.B'), '2020-01-01', NULL),
       (pg_temp.m('M08'), pg_temp.u('W2.A'), '2020-01-01', '2025-12-31'),
       (pg_temp.m('M08'), pg_temp.u('E.A'), '2025-12-31', NULL),
       (pg_temp.m('M09'), pg_temp.u('E.A'), '2020-01-01', '2025-12-31'),
       (pg_temp.m('M09'), pg_temp.u('W1.B'), '2025-12-31', NULL),
       (pg_temp.m('M10'), pg_temp.u('E.A'), '2020-01-01', '2026-01-01'),
       (pg_temp.m('M10'), pg_temp.u('W1.B'), '2026-01-01', NULL);
INSERT INTO chibo.exemptions (member_id, from_date, to_date, reason)
VALUES (pg_temp.m('M03'), '2024-01-01', NULL, 'age');

-- Task registrations: M02's is for 2024, M03's for 2026, M06 has two for
-- 2025 (a member counts once), M07 and M10 have none.
INSERT INTO chibo.task_registrations (member_id, year, kind, title)
VALUES (pg_temp.m('M01'), 2025, 'new', 'Chuyển đổi số'),
       (pg_temp.m('M02'), 2024, 'difficult', 'Giải phóng mặt bằng'),
       (pg_temp.m('M03'), 2026, 'new', 'Tuyên truyền'),
       (pg_temp.m('M04'), 2025, 'difficult', 'Cải cách hành chính'),
       (pg_temp.m('M05'), 2025, 'new', 'Chuyển đổi số'),
       (pg_temp.m('M06'), 2025, 'new', 'Chuyển đổi số'),
       (pg_temp.m('M06'), 2025, 'difficult', 'Giải phóng mặt bằng'),
       (pg_temp.m('M08'), 2025, 'new', 'Chuyển đổi số'),
       (pg_temp.m('M09'), 2025, 'new', 'Chuyển đổi số');

-- Member assessments (DV4T: 4 criteria, DV5T: 5):
--   M01 DV4T 2025 1111;
--   M02 DV4T 2025-07-01..2026-06-30 1111 (ends after 2025);
--   M03 DV4T 2025 H1 1111 and H2 1101 (criterion 3 failed in H2);
--   M04 DV4T 2024 1111 only;
--   M05 DV4T 2025 1111;
--   M06 DV5T 2025 11111 alone;
--   M07 DV4T 2025 1111, and DV5T 2024 00000;
--   M09 DV4T 2025 0111 (criterion 1 failed).
INSERT INTO chibo.assessments (subject_kind, member_id, scheme_id, period_start, period_end, criteria)
VALUES ('member', pg_temp.m('M01'), pg_temp.s('DV4T'), '2025-01-01', '2025-12-31', '1111'),
       ('member', pg_temp.m('M02'), pg_temp.s('DV4T'), '2025-07-01', '2026-06-30', '1111'),
       ('member', pg_temp.m('M03'), pg_temp.s('DV4T'), '2025-01-01', '2025-06-30', '1111'),
       ('member', pg_temp.m('M03'), pg_temp.s('DV4T'), '2025-07-01', '2025-12-31', '1101'),
       ('member', pg_temp.m('M04'), pg_temp.s('DV4T'), '2024-01-01', '2024-12-31', '1111'),
       ('member', pg_temp.m('M05'), pg_temp.s('DV4T'), '2025-01-01', '2025-12-31', '1111'),
       ('member', pg_temp.m('M06'), pg_temp.s('DV5T'), '2025-01-01', '2025-12-31', '11111'),
       ('member', pg_temp.m('M07'), pg_temp.s('DV4T'), '2025-01-01', '2025-12-31', '1111'),
       ('member', pg_temp.m('M07'), pg_temp.s('DV5T'), '2024-01-01', '2024-12-31', '00000'),
       ('member', pg_temp.m('M09'), pg_temp.s('DV4T'), '2025-01-01', '2025-12-31', '0111');

-- Two meetings, so that the reporting range is January to December 2025:
-- W1.A on 2025-01-10 (expected M01, M04, M05: M02 not yet a member, M03
-- exempt) and on 2025-12-10 (expected M01, M02, M05), everyone expected
-- recorded present: 3/3 and 3/3.
INSERT INTO chibo.meetings (unit_id, held_on, kind)
VALUES (pg_temp.u('W1.A'), '2025-01-10', 'regular'),
       (pg_temp.u('W1.A'), '2025-12-10', 'regular');
INSERT INTO chibo.attendance (meeting_id, member_id, status)
SELECT mt.id, m.id, 'present'
  FROM chibo.meetings mt, chibo.members m
 WHERE (mt.held_on, m.code) IN (('2025-01-10', 'M01'), ('2025-01-10', 'M04'), ('2025-01-10', 'M05'),
                                ('2025-12-10', 'M01'), ('2025-12-10', 'M02'), ('2025-12-10', 'M05'));

SET client_min_messages = warning;
SELECT * FROM chibo.refresh_reports();
RESET client_min_messages;

-- Section 1. Membership on a date: active members.
--
-- "A member belongs to cell C on date d when a membership covers d and the
-- member had not left the party before d"; "active members of U on d:
-- members belonging on d to a cell in U's subtree; exempt and probationary
-- members are active members".  For the year 2025 the end date is
-- 2025-12-31:
--   W1.A: M01, M02 (probationary), M03 (exempt)                      = 3
--         not M04 (moved to W2.A), not M05 (left 2025-12-30 < d)
--   W1.B: M06 (left on d: had not left before d), M07 (left after d),
--         M09 (membership from d)                                    = 3
--         not M10 (membership from 2026-01-01)
--   W2.A: M04 (since 2025-06-15); not M08 (membership ended, to_date = d)
--                                                                    = 1
--   W1 = 6, W2 = 1, D = 7;  E.A = E = 2 (M08 from d, M10 until 2026).
-- For the first half (2025-01 to 2025-06, end date 2025-06-30):
--   W1.A: M01, M02, M03, M05 = 4 (M04 left for W2.A on 06-15)
--   W1.B: M06, M07 = 2;  W2.A: M04, M08 = 2;  W1 = 6, W2 = 2, D = 8.
-- For January to May (end date 2025-05-31) M04 is still in W1.A:
--   W1.A = 5, W1 = 7, W2 = 1 (M08), D = 8.
SELECT w.unit, w.first_month, w.last_month, i.end_date, i.active_members
  FROM (VALUES ('W1.A', DATE '2025-01-01', DATE '2025-12-01'), ('W1.B', '2025-01-01', '2025-12-01'),
               ('W2.A', '2025-01-01', '2025-12-01'), ('W1', '2025-01-01', '2025-12-01'),
               ('W2', '2025-01-01', '2025-12-01'), ('D', '2025-01-01', '2025-12-01'),
               ('E.A', '2025-01-01', '2025-12-01'), ('E', '2025-01-01', '2025-12-01'),
               ('W1.A', '2025-01-01', '2025-06-01'), ('W1.B', '2025-01-01', '2025-06-01'),
               ('W2.A', '2025-01-01', '2025-06-01'), ('W1', '2025-01-01', '2025-06-01'),
               ('W2', '2025-01-01', '2025-06-01'), ('D', '2025-01-01', '2025-06-01'),
               ('W1.A', '2025-01-01', '2025-05-01'), ('W1', '2025-01-01', '2025-05-01'),
               ('W2', '2025-01-01', '2025-05-01'), ('D', '2025-01-01', '2025-05-01')) AS w (unit, first_month, last_month),
       LATERAL chibo.indicators(w.unit, w.first_month, w.last_month) i;

-- Section 2. Windows: "a reporting window is a range of whole calendar
-- months; its end date is the last day of last_month".  Any date names its
-- month: 2025-01-15 .. 2025-12-02 is January to December, end date
-- 2025-12-31, the same figures as 2025-01-01 .. 2025-12-01.  A window of one
-- month may be given by two dates of that month in either order.
--   2025 (rows 1 to 3): end 2025-12-31, active 7, registered 4, four-good
--     3 (sections 1, 3, 4), cells 0/3, attendance 6/6 (section 5).
--   2025-06-30 .. 2025-06-01 is June alone: end 2025-06-30, active 8 (as
--     for 2025-01 .. 2025-06), registered 5 (the year 2025, section 3),
--     four-good 0 (no assessment lies inside June), cells 0/3 (no meeting
--     in June: every cell fails), attendance 0/0.
SELECT w.first_day, w.last_day, i.end_date, i.active_members, i.task_registered, i.four_good,
       i.cells_total, i.cells_passing, i.attendance_present, i.attendance_expected
  FROM (VALUES (DATE '2025-01-01', DATE '2025-12-01'), ('2025-01-15', '2025-12-02'),
               ('2025-01-31', '2025-12-31'), ('2025-06-30', '2025-06-01')) AS w (first_day, last_day),
       LATERAL chibo.indicators('D', w.first_day, w.last_day) i;

-- Section 3. Task registration: |{m in A : a registration (any kind)
-- whose year falls in W}| / |A|, "year falls in W" = one of the calendar
-- years W touches.
--   2025, D (A = M01 M02 M03 M04 M06 M07 M09): M01 yes, M02 no (2024),
--     M03 no (2026), M04 yes, M06 yes (two registrations, counted once),
--     M07 no (none), M09 yes                         -> 4/7 (57%)
--     W1.A: M01 -> 1/3;  W1.B: M06, M09 -> 2/3;  W2.A: M04 -> 1/1.
--     E (A = M08, M10): M08 yes -> 1/2 (M08 registered while in D, but is
--     counted where it belongs on the end date).
--   2025-01 .. 2025-06, D (A = M01..M08, years {2025}): M01, M04, M05,
--     M06, M08 -> 5/8 = 62.5% (63%, half rounded away from zero).
--   2024-07 .. 2025-06, D (same A, years {2024, 2025}): M02's 2024
--     registration now counts -> 6/8 (75%).
SELECT w.unit, w.first_month, w.last_month, i.active_members, i.task_registered,
       i.task_registration, i.task_registration_text
  FROM (VALUES ('D', DATE '2025-01-01', DATE '2025-12-01'), ('W1.A', '2025-01-01', '2025-12-01'),
               ('W1.B', '2025-01-01', '2025-12-01'), ('W2.A', '2025-01-01', '2025-12-01'),
               ('E', '2025-01-01', '2025-12-01'),
               ('D', '2025-01-01', '2025-06-01'), ('D', '2024-07-01', '2025-06-01')) AS w (unit, first_month, last_month),
       LATERAL chibo.indicators(w.unit, w.first_month, w.last_month) i;

-- Section 4. Four-good members and four_good_status.  An assessment belongs
-- to W when its period lies inside W (period_start >= first day of W,
-- period_end <= end date).  Status over a member's assessments in W:
-- not_assessed when none, achieved when every criterion is met in every
-- assessment, not_achieved otherwise.
--   2025, A = M01 M02 M03 M04 M06 M07 M09:
--     M01 achieved (1111);
--     M02 not_assessed (its assessment ends 2026-06-30, outside W);
--     M03 not_achieved (1111 in H1 but 1101 in H2);
--     M04 not_assessed (its 2024 assessment is outside W);
--     M06 achieved (DV5T 11111 alone: five criteria, all met);
--     M07 achieved (DV4T 1111; the DV5T 00000 of 2024 is outside W, so it
--         neither fails M07 nor mixes schemes);
--     M09 not_achieved (0111)                        -> 3/7 (43%)
--     (M05 achieved, but is not active on 2025-12-31.)
--     W1.A: M01 -> 1/3;  W1.B: M06, M07 -> 2/3;  W2.A: 0/1.
--   2025-01 .. 2025-06 (end 2025-06-30, A = M01..M08): only M03's H1
--     assessment (1111) lies inside -> achieved; every other assessment is
--     a whole year                                   -> 1/8 = 12.5% (13%).
SELECT w.unit, w.first_month, w.last_month, i.active_members, i.four_good,
       i.four_good_members, i.four_good_text
  FROM (VALUES ('D', DATE '2025-01-01', DATE '2025-12-01'), ('W1.A', '2025-01-01', '2025-12-01'),
               ('W1.B', '2025-01-01', '2025-12-01'), ('W2.A', '2025-01-01', '2025-12-01'),
               ('D', '2025-01-01', '2025-06-01')) AS w (unit, first_month, last_month),
       LATERAL chibo.indicators(w.unit, w.first_month, w.last_month) i;
-- "Mixing schemes of different n in one aggregate is an error": over
-- 2024-01 .. 2025-12 both of M07's assessments lie inside (DV5T 2024 and
-- DV4T 2025), so indicators() stops with 22023 naming M07 (the only
-- member with two sizes inside that window).
SELECT try($$SELECT * FROM chibo.indicators('D', '2024-01-01', '2025-12-01')$$) AS mixed_schemes;
-- The same over W2 (M07 is not one of its members) is no error; there
-- M04's 2024 assessment (1111) now lies inside the window: 1/1.
SELECT active_members, four_good FROM chibo.indicators('W2', '2024-01-01', '2025-12-01');

-- Section 5. The attendance figures of this data (worked in full in
-- indicators_cells.sql): in 2025 only W1.A met, in January and December,
-- 3/3 each time, pooled 6/6.  Every cell of D existing on 2025-12-31 (W1.A,
-- W1.B, W2.A) has months of 2025 without a regular meeting, which fail:
-- cells 0/3.  The display text: part/whole and a whole-number percentage.
SELECT cells_total, cells_passing, cells_text, attendance_present, attendance_expected, attendance_text
  FROM chibo.indicators('D', '2025-01-01', '2025-12-01');

-- Section 6. Rounding and display: part/whole and a whole-number
-- percentage, rounded half away from zero ('vi' display: no thousands to
-- separate in counts this small).  2025-01 .. 2025-06 for D: task
-- registration 5/8 = 62.5% -> 63%, four-good 1/8 = 12.5% -> 13% (half to
-- even would give 62% and 12%); cells 0/3 -> 0%; attendance 3/3 (January
-- only) -> 100%.  The exact values stay available as part/whole ratios.
SELECT task_registration, task_registration_text, four_good_members, four_good_text,
       cells_at_threshold, cells_text, attendance, attendance_text
  FROM chibo.indicators('D', '2025-01-01', '2025-06-01');

-- Section 7. Errors: an unknown unit (22023), a window that ends before it
-- starts (22023), an unknown policy (22023), a NULL or out-of-range
-- threshold (22023), a missing month or unit (22004).
SELECT try($$SELECT * FROM chibo.indicators('NOPE', '2025-01-01', '2025-12-01')$$) AS unknown_unit;
SELECT try($$SELECT * FROM chibo.indicators('D', '2025-12-01', '2025-01-01')$$) AS reversed_window;
SELECT try($$SELECT * FROM chibo.indicators('D', '2025-01-01', '2025-12-01', 0.85, 'excused')$$) AS bad_policy;
SELECT try($$SELECT * FROM chibo.indicators('D', '2025-01-01', '2025-12-01', NULL)$$) AS null_threshold;
SELECT try($$SELECT * FROM chibo.indicators('D', '2025-01-01', '2025-12-01', 1.5)$$) AS threshold_above_1;
SELECT try($$SELECT * FROM chibo.indicators('D', NULL, '2025-12-01')$$) AS no_first_month;
SELECT try($$SELECT * FROM chibo.indicators(NULL, '2025-01-01', '2025-12-01')$$) AS no_unit;

-- Section 8. The rollup views agree with indicators(): every row of
-- chibo_report.unit_year (window first_month .. last_month, here January
-- to December 2025) and of chibo_report.unit_month (one month) holds the
-- seven counts indicators() gives for the same unit and window.  The 2025
-- rows, from sections 1, 3, 4 and 5:
--   D    7 active, 4 registered, 3 four-good, cells 0/3, attendance 6/6
--   W1   6, 3 (M01 M06 M09), 3 (M01 M06 M07), 0/2, 6/6
--   W1.A 3, 1, 1, 0/1, 6/6;  W1.B 3, 2, 2, 0/1, 0/0
--   W2 = W2.A  1, 1 (M04), 0, 0/1, 0/0
--   E = E.A    2, 1 (M08), 0, 0/1 (no meeting at all), 0/0
SELECT v.unit_code, v.first_month, v.last_month, v.active_members, v.task_registered, v.four_good,
       v.cells_total, v.cells_passing, v.attendance_present, v.attendance_expected,
       (v.active_members, v.task_registered, v.four_good, v.cells_total, v.cells_passing,
        v.attendance_present, v.attendance_expected)
       = (i.active_members, i.task_registered, i.four_good, i.cells_total, i.cells_passing,
          i.attendance_present, i.attendance_expected) AS same_as_indicators
  FROM chibo_report.unit_year v, LATERAL chibo.indicators(v.unit_code, v.first_month, v.last_month) i
 ORDER BY v.unit_code, v.year;
SELECT count(*) AS unit_months,
       count(*) FILTER (WHERE (v.active_members, v.task_registered, v.four_good, v.cells_total, v.cells_passing,
                               v.attendance_present, v.attendance_expected)
                              = (i.active_members, i.task_registered, i.four_good, i.cells_total, i.cells_passing,
                                 i.attendance_present, i.attendance_expected)) AS same_as_indicators
  FROM chibo_report.unit_month v, LATERAL chibo.indicators(v.unit_code, v.month, v.month) i;
