-- The attendance rules of indicators.md: meeting attendance (expected,
-- present, excused, absent), 3. cells meeting the attendance threshold
-- (monthly judgement, 0/0 months, cells created or closed in the window,
-- both policies, thresholds met exactly), 4. pooled attendance, and a tree
-- restructured in the middle of the window.  The window is the first
-- quarter of 2025 (end date 2025-03-31) unless a section says otherwise.
SELECT regress.reset();
SET datestyle = 'ISO, YMD';

CREATE FUNCTION pg_temp.u(text) RETURNS bigint LANGUAGE sql AS $$ SELECT id FROM chibo.units WHERE code = $1 $$;
CREATE FUNCTION pg_temp.m(text) RETURNS bigint LANGUAGE sql AS $$ SELECT id FROM chibo.members WHERE code = $1 $$;

-- The tree.  District D; under it ward committee W with eight cells, and
-- a restructure on 2025-02-01: committee OLD and its cell OLD.1 close, a
-- new committee NEW opens with the cell NEW.1, and OLD.1's members move to
-- NEW.1 that day.  Inside W, cell W.N opens on 2025-02-15 and cell W.X
-- closes on 2025-03-01 (its members move to W.N).
INSERT INTO chibo.units (code, parent_id, name, kind, grassroots, cell_type, valid_from, valid_to)
VALUES ('D', NULL, 'Đảng bộ quận D', 'committee', false, NULL, '2020-01-01', NULL);
INSERT INTO chibo.units (code, parent_id, name, kind, grassroots, cell_type, valid_from, valid_to)
VALUES ('W', pg_temp.u('D'), 'Đảng bộ phường W', 'committee', true, NULL, '2020-01-01', NULL),
       ('OLD', pg_temp.u('D'), 'Đảng bộ phường cũ', 'committee', true, NULL, '2020-01-01', '2025-02-01'),
       ('NEW', pg_temp.u('D'), 'Đảng bộ phường mới', 'committee', true, NULL, '2025-02-01', NULL);
INSERT INTO chibo.units (code, parent_id, name, kind, grassroots, cell_type, valid_from, valid_to)
VALUES ('W.A', pg_temp.u('W'), 'Chi bộ W.A', 'cell', false, 'residential', '2020-01-01', NULL),
       ('W.B', pg_temp.u('W'), 'Chi bộ W.B', 'cell', false, 'school', '2020-01-01', NULL),
       ('W.C', pg_temp.u('W'), 'Chi bộ W.C', 'cell', false, 'administrative', '2020-01-01', NULL),
       ('W.D', pg_temp.u('W'), 'Chi bộ W.D', 'cell', false, 'public_service', '2020-01-01', NULL),
       ('W.N', pg_temp.u('W'), 'Chi bộ W.N', 'cell', false, 'enterprise', '2025-02-15', NULL),
       ('W.X', pg_temp.u('W'), 'Chi bộ W.X', 'cell', false, 'armed_forces', '2020-01-01', '2025-03-01'),
       ('W.Y', pg_temp.u('W'), 'Chi bộ W.Y', 'cell', false, 'other', '2020-01-01', NULL),
       ('W.Z', pg_temp.u('W'), 'Chi bộ W.Z', 'cell', false, 'residential', '2020-01-01', NULL),
       ('OLD.1', pg_temp.u('OLD'), 'Chi bộ OLD.1', 'cell', false, 'residential', '2020-01-01', '2025-02-01'),
       ('NEW.1', pg_temp.u('NEW'), 'Chi bộ NEW.1', 'cell', false, 'residential', '2025-02-01', NULL);

-- Members.  W.A: A1; A2 probationary (admitted 2024-10-01); A3 exempt
-- from 2025-01-01 on; A4 exempt from 2025-02-12 to 2025-03-12 (from W.A's
-- February meeting day, to its March meeting day, which is no longer
-- covered); A5 left the party on 2025-02-12; T1 moves from W.A to W.C on
-- 2025-02-25 (W.C's February meeting day).  W.B: B01 to B10.  W.C: C1 to C4 (and T1).  W.D: D1, D2.
-- W.Y: Y1, exempt from 2024 on.  W.Z: Z1, exempt 2024-07-01 to 2025-03-01.
-- W.X: X1, X2 (to W.N on 2025-03-01).  W.N: N1, N2 from 2025-02-15.
-- OLD.1: R1, R2, R3 (to NEW.1 on 2025-02-01).
INSERT INTO chibo.members (code, full_name, admitted_on, full_member_on)
SELECT code, 'Member ' || code, '2000-01-01', '2001-01-01'
  FROM unnest(ARRAY['A1', 'A3', 'A4', 'T1', 'B01', 'B02', 'B03', 'B04', 'B05', 'B06', 'B07', 'B08', 'B09', 'B10',
                    'C1', 'C2', 'C3', 'C4', 'D1', 'D2', 'Y1', 'Z1', 'X1', 'X2', 'N1', 'N2', 'R1', 'R2', 'R3']) AS code;
INSERT INTO chibo.members (code, full_name, admitted_on, full_member_on, left_on, left_reason)
VALUES ('A2', 'Member A2', '2024-10-01', NULL, NULL, NULL),
       ('A5', 'Member A5', '2000-01-01', '2001-01-01', '2025-02-12', 'resigned');
INSERT INTO chibo.memberships (member_id, unit_id, from_date, to_date)
SELECT pg_temp.m(x.member), pg_temp.u(x.cell), x.from_date::date, x.to_date::date
  FROM (VALUES ('A1', 'W.A', '2020-01-01', NULL), ('A2', 'W.A', '2024-10-01', NULL),
               ('A3', 'W.A', '2020-01-01', NULL), ('A4', 'W.A', '2020-01-01', NULL),
               ('A5', 'W.A', '2020-01-01', NULL),
               ('T1', 'W.A', '2020-01-01', '2025-02-25'), ('T1', 'W.C', '2025-02-25', NULL),
               ('C1', 'W.C', '2020-01-01', NULL), ('C2', 'W.C', '2020-01-01', NULL),
               ('C3', 'W.C', '2020-01-01', NULL), ('C4', 'W.C', '2020-01-01', NULL),
               ('D1', 'W.D', '2020-01-01', NULL), ('D2', 'W.D', '2020-01-01', NULL),
               ('Y1', 'W.Y', '2020-01-01', NULL), ('Z1', 'W.Z', '2020-01-01', NULL),
               ('X1', 'W.X', '2020-01-01', '2025-03-01'), ('X1', 'W.N', '2025-03-01', NULL),
               ('X2', 'W.X', '2020-01-01', '2025-03-01'), ('X2', 'W.N', '2025-03-01', NULL),
               ('N1', 'W.N', '2025-02-15', NULL), ('N2', 'W.N', '2025-02-15', NULL),
               ('R1', 'OLD.1', '2020-01-01', '2025-02-01'), ('R1', 'NEW.1', '2025-02-01', NULL),
               ('R2', 'OLD.1', '2020-01-01', '2025-02-01'), ('R2', 'NEW.1', '2025-02-01', NULL),
               ('R3', 'OLD.1', '2020-01-01', '2025-02-01'), ('R3', 'NEW.1', '2025-02-01', NULL)
       ) AS x (member, cell, from_date, to_date);
INSERT INTO chibo.memberships (member_id, unit_id, from_date)
SELECT id, pg_temp.u('W.B'), '2020-01-01' FROM chibo.members WHERE code LIKE 'B%';
INSERT INTO chibo.exemptions (member_id, from_date, to_date, reason)
VALUES (pg_temp.m('A3'), '2025-01-01', NULL, 'health'),
       (pg_temp.m('A4'), '2025-02-12', '2025-03-12', 'away'),
       (pg_temp.m('Y1'), '2024-01-01', NULL, 'age'),
       (pg_temp.m('Z1'), '2024-07-01', '2025-03-01', 'health');

-- Meetings (r = regular, c = combined, t = thematic, e = extraordinary):
--   W.A   r 01-15, r 02-12, r 03-12
--   W.B   r 01-08, r 01-22, r 02-05, r 02-19, r 03-05
--   W.C   c 01-20, t 01-27, r 02-25, r 03-10, e 03-20
--   W.D   r 01-09, t 02-09                      (nothing in March)
--   W.Y   r 01-10, r 02-10, r 03-10
--   W.Z   r 01-10, r 02-10, r 03-10
--   W.X   r 01-12, r 02-12                      (closed 03-01)
--   W.N   r 02-20, r 03-18                      (opened 02-15)
--   OLD.1 r 01-14                               (closed 02-01)
--   NEW.1 r 02-14, r 03-14                      (opened 02-01)
INSERT INTO chibo.meetings (unit_id, held_on, kind)
SELECT pg_temp.u(x.cell), x.held_on::date, x.kind
  FROM (VALUES ('W.A', '2025-01-15', 'regular'), ('W.A', '2025-02-12', 'regular'), ('W.A', '2025-03-12', 'regular'),
               ('W.B', '2025-01-08', 'regular'), ('W.B', '2025-01-22', 'regular'), ('W.B', '2025-02-05', 'regular'),
               ('W.B', '2025-02-19', 'regular'), ('W.B', '2025-03-05', 'regular'),
               ('W.C', '2025-01-20', 'combined'), ('W.C', '2025-01-27', 'thematic'), ('W.C', '2025-02-25', 'regular'),
               ('W.C', '2025-03-10', 'regular'), ('W.C', '2025-03-20', 'extraordinary'),
               ('W.D', '2025-01-09', 'regular'), ('W.D', '2025-02-09', 'thematic'),
               ('W.Y', '2025-01-10', 'regular'), ('W.Y', '2025-02-10', 'regular'), ('W.Y', '2025-03-10', 'regular'),
               ('W.Z', '2025-01-10', 'regular'), ('W.Z', '2025-02-10', 'regular'), ('W.Z', '2025-03-10', 'regular'),
               ('W.X', '2025-01-12', 'regular'), ('W.X', '2025-02-12', 'regular'),
               ('W.N', '2025-02-20', 'regular'), ('W.N', '2025-03-18', 'regular'),
               ('OLD.1', '2025-01-14', 'regular'),
               ('NEW.1', '2025-02-14', 'regular'), ('NEW.1', '2025-03-14', 'regular')) AS x (cell, held_on, kind);

-- Attendance.  At every regular and combined meeting every member
-- belonging to the cell that day and not exempt is recorded present;
-- then the exceptions below change a status ('none' deletes the row: no
-- record), or add a row (for an exempt member, or at a thematic meeting).
INSERT INTO chibo.attendance (meeting_id, member_id, status)
SELECT mt.id, ms.member_id, 'present'
  FROM chibo.meetings mt
  JOIN chibo.memberships ms ON ms.unit_id = mt.unit_id AND ms.period @> mt.held_on
  JOIN chibo.members mb ON mb.id = ms.member_id
 WHERE mt.kind IN ('regular', 'combined')
   AND (mb.left_on IS NULL OR mb.left_on >= mt.held_on)
   AND NOT EXISTS (SELECT FROM chibo.exemptions e WHERE e.member_id = ms.member_id AND e.period @> mt.held_on);
CREATE TEMP TABLE marks (cell text, held_on date, kind text, member text, status text);
INSERT INTO marks VALUES
    ('W.A', '2025-01-15', 'regular', 'A3', 'present'),     -- exempt, with a row
    ('W.A', '2025-01-15', 'regular', 'A5', 'excused'),
    ('W.A', '2025-01-15', 'regular', 'T1', 'absent'),
    ('W.A', '2025-02-12', 'regular', 'T1', 'none'),
    ('W.A', '2025-02-12', 'regular', 'A3', 'excused'),     -- exempt, with a row
    ('W.B', '2025-01-22', 'regular', 'B08', 'excused'),
    ('W.B', '2025-01-22', 'regular', 'B09', 'absent'),
    ('W.B', '2025-01-22', 'regular', 'B10', 'none'),
    ('W.B', '2025-02-19', 'regular', 'B07', 'none'),
    ('W.B', '2025-02-19', 'regular', 'B08', 'none'),
    ('W.B', '2025-02-19', 'regular', 'B09', 'none'),
    ('W.B', '2025-02-19', 'regular', 'B10', 'none'),
    ('W.C', '2025-01-20', 'combined', 'C4', 'excused'),
    ('W.C', '2025-02-25', 'regular', 'C4', 'excused'),
    ('W.D', '2025-02-09', 'thematic', 'D1', 'present'),
    ('W.D', '2025-02-09', 'thematic', 'D2', 'present'),
    ('W.Y', '2025-01-10', 'regular', 'Y1', 'present'),     -- exempt, with a row
    ('W.X', '2025-02-12', 'regular', 'X2', 'absent'),
    ('OLD.1', '2025-01-14', 'regular', 'R3', 'absent');
DELETE FROM chibo.attendance a
 USING marks k, chibo.meetings mt
 WHERE k.status = 'none' AND mt.unit_id = pg_temp.u(k.cell) AND mt.held_on = k.held_on AND mt.kind = k.kind
   AND a.meeting_id = mt.id AND a.member_id = pg_temp.m(k.member);
INSERT INTO chibo.attendance (meeting_id, member_id, status)
SELECT mt.id, pg_temp.m(k.member), k.status::chibo.attendance_status
  FROM marks k JOIN chibo.meetings mt ON mt.unit_id = pg_temp.u(k.cell) AND mt.held_on = k.held_on AND mt.kind = k.kind
 WHERE k.status <> 'none'
ON CONFLICT (meeting_id, member_id) DO UPDATE SET status = EXCLUDED.status;

SET client_min_messages = warning;
SELECT * FROM chibo.refresh_reports();
RESET client_min_messages;

-- Section 1. Meeting attendance.  expected = members belonging to the cell
-- on the day and not exempt; present / excused = expected members recorded
-- so; absent = the rest (no record counts as absent).  Only regular and
-- combined meetings count toward monthly attendance.
--   W.A 01-15: belonging A1 A2 A3 A4 A5 T1; A3 exempt -> expected 5 (A1 A2
--     A4 A5 T1); present A1 A2 A4 = 3 (A3's 'present' row does not count:
--     A3 is exempt); excused A5 = 1; absent T1 (recorded)       -> 3/5
--   W.A 02-12: A5 left on this very day, so still belongs; A3 exempt, A4
--     exempt from this day; expected A1 A2 A5 T1 = 4; T1 has no record
--     (absent); A3's 'excused' row does not count (exempt); present 3,
--     excused 0                                                 -> 3/4
--   W.A 03-12: A5 left before the day (not expected); T1 now in W.C; A4's
--     exemption ended on this day (to_date not covered); expected A1 A2
--     A4 = 3, all present                                       -> 3/3
--   W.A over the quarter: 9/12, excused 1.
--   W.C 01-20 (combined, counts): expected C1..C4; C4 excused  -> 3/4;
--     the thematic meeting of 01-27 (no one recorded) does not count: with
--     it January would be 3/8.
--   W.C 02-25: T1 belongs to W.C from this day: expected 5; C4 excused
--     -> 4/5.  03-10: 5/5; the extraordinary meeting of 03-20 (no one
--     recorded) does not count.  W.C over the quarter: 12/14, excused 2.
--   W.D: 01-09 2/2; the thematic meeting of 02-09 (2 present) does not
--     count: W.D's quarter is 2/2.
--   W.Y: Y1 is exempt at every meeting: 0/0 each time (Y1's 'present' row
--     of 01-10 does not count).  W.Z: Z1 exempt until 03-01: 0/0, 0/0, 1/1.
SELECT c.cell, c.first_month, i.attendance_present, i.attendance_expected, i.attendance_excused, i.attendance
  FROM (VALUES ('W.A', DATE '2025-01-01', DATE '2025-01-01'), ('W.A', '2025-02-01', '2025-02-01'),
               ('W.A', '2025-03-01', '2025-03-01'), ('W.A', '2025-01-01', '2025-03-01'),
               ('W.C', '2025-01-01', '2025-01-01'), ('W.C', '2025-02-01', '2025-02-01'),
               ('W.C', '2025-03-01', '2025-03-01'), ('W.C', '2025-01-01', '2025-03-01'),
               ('W.D', '2025-01-01', '2025-03-01'), ('W.Y', '2025-01-01', '2025-03-01'),
               ('W.Z', '2025-01-01', '2025-03-01')) AS c (cell, first_month, last_month),
       LATERAL chibo.indicators(c.cell, c.first_month, c.last_month) i;

-- Section 2. A month passes when the cell held at least one regular or
-- combined meeting in it and the pooled ratio of those meetings is >= t;
-- a month with no such meeting fails.  W.B held two regular meetings in
-- January and two in February, pooled (not judged one by one):
--   January: 10/10 and 7/10 (B08 excused, B09 absent, B10 no record)
--     -> 17/20 = 0.85 exactly: passes at 0.85 (the second meeting alone,
--     0.7, would fail); at 0.851 it is strictly below and fails.
--   February: 10/10 and 6/10 -> 16/20 = 0.80: fails at 0.85, passes at
--     0.80.
--   March: 10/10 passes.  The quarter fails at 0.85 (February), passes
--     at 0.80.
-- W.D: January 2/2 passes; February has only a thematic meeting and
-- March no meeting at all: both fail.
-- A cell window gives cells 1/1 or 0/1 (U itself when U is a cell).
SELECT c.cell, c.first_month, c.last_month, c.threshold, i.cells_total, i.cells_passing,
       i.attendance_present, i.attendance_expected
  FROM (VALUES ('W.B', DATE '2025-01-01', DATE '2025-01-01', 0.85), ('W.B', '2025-01-01', '2025-01-01', 0.851),
               ('W.B', '2025-02-01', '2025-02-01', 0.85), ('W.B', '2025-02-01', '2025-02-01', 0.80),
               ('W.B', '2025-03-01', '2025-03-01', 0.85),
               ('W.B', '2025-01-01', '2025-03-01', 0.85), ('W.B', '2025-01-01', '2025-03-01', 0.80),
               ('W.D', '2025-01-01', '2025-01-01', 0.85), ('W.D', '2025-02-01', '2025-02-01', 0.85),
               ('W.D', '2025-03-01', '2025-03-01', 0.85), ('W.D', '2025-01-01', '2025-03-01', 0.85)
       ) AS c (cell, first_month, last_month, threshold),
       LATERAL chibo.indicators(c.cell, c.first_month, c.last_month, c.threshold) i;

-- Section 3. 0/0 months and cells created or closed in the window.
-- "A month whose pooled ratio is 0/0 is not judged; a cell none of whose
-- months could be judged is left out of part and whole"; only months in
-- which the cell existed are judged; the cells counted are those existing
-- on the end date.
--   W.Y, quarter: 0/0 every month -> no month judged -> cells 0/0; Y1 is
--     still an active member (exempt members are active).
--   W.Z, quarter: January and February 0/0 (not judged), March 1/1 passes
--     -> 1/1.  W.Z, January to February: nothing judged -> 0/0.
--   W.N (opened 2025-02-15), quarter: January is not a month in which it
--     existed (it would fail, having no meeting); February 2/2 and March
--     4/4 (N1 N2 X1 X2) pass -> 1/1; active N1 N2 X1 X2 = 4.  W.N,
--     January alone: the cell does not exist -> 0/0, no members.
--   W.X (closed 2025-03-01), quarter: it does not exist on 2025-03-31, so
--     it is not counted (though February, 1/2, failed): cells 0/0, no
--     active members; its meetings still count toward pooled attendance:
--     2/2 + 1/2 = 3/4.  W.X, February alone (end date 2025-02-28, it
--     exists): February fails -> 0/1, active X1 X2.
SELECT c.cell, c.first_month, c.last_month, i.active_members, i.cells_total, i.cells_passing,
       i.attendance_present, i.attendance_expected
  FROM (VALUES ('W.Y', DATE '2025-01-01', DATE '2025-03-01'), ('W.Z', '2025-01-01', '2025-03-01'),
               ('W.Z', '2025-01-01', '2025-02-01'), ('W.N', '2025-01-01', '2025-03-01'),
               ('W.N', '2025-01-01', '2025-01-01'), ('W.X', '2025-01-01', '2025-03-01'),
               ('W.X', '2025-02-01', '2025-02-01')) AS c (cell, first_month, last_month),
       LATERAL chibo.indicators(c.cell, c.first_month, c.last_month) i;

-- Section 4. Cells meeting the threshold and pooled attendance of W over
-- the quarter, per cell and in total.  Per cell (threshold 0.85,
-- excused_count), with active members on 2025-03-31:
--   cell | active | judged months, result        | present/expected
--   W.A  |  4     | 3/5 F, 3/4 F, 3/3 P -> fails  |  9/12 (excused 1)
--   W.B  | 10     | 17/20 P, 16/20 F, 10/10 P -> F| 43/50 (excused 1)
--   W.C  |  5     | 3/4 F, 4/5 F, 5/5 P -> fails  | 12/14 (excused 2)
--   W.D  |  2     | 2/2 P, none F, none F -> fails|  2/2
--   W.N  |  4     | -, 2/2 P, 4/4 P -> passes     |  6/6
--   W.X  |  0     | not on the end date           |  3/4
--   W.Y  |  1     | nothing judged: left out      |  0/0
--   W.Z  |  1     | 0/0, 0/0, 1/1 P -> passes     |  1/1
--   W    | 27     | cells 2/6 (W.Z, W.N)          | 76/89 (85%), excused 4
SELECT c.cell, i.active_members, i.cells_total, i.cells_passing, i.attendance_present,
       i.attendance_expected, i.attendance_excused
  FROM (VALUES ('W.A'), ('W.B'), ('W.C'), ('W.D'), ('W.N'), ('W.X'), ('W.Y'), ('W.Z'), ('W')) AS c (cell),
       LATERAL chibo.indicators(c.cell, '2025-01-01', '2025-03-01') i;
SELECT cells_at_threshold, cells_text, attendance, attendance_text
  FROM chibo.indicators('W', '2025-01-01', '2025-03-01');

-- Section 5. The two policies.  excused_excluded judges each month by
-- present / (expected - excused); attendance_expected stays the expected
-- count, the attendance ratio becomes present / (expected - excused).
--   W.A: January 3/(5-1) = 3/4 still fails.
--   W.B: January 17/19 passes, February 16/20 (no one excused) fails.
--   W.C: 3/3, 4/4, 5/5: passes now (it failed under excused_count).
--   W.D fails; W.N, W.Z pass as before.
--   W: cells 3/6 (W.C, W.N, W.Z); attendance 76/(89-4) = 76/85 (89%).
-- At threshold 0.80 under excused_count W.B passes instead of W.C:
--   cells 3/6 (W.B, W.N, W.Z), attendance 76/89.
-- Per cell under excused_excluded: W.A 9/(12-1) = 9/11 fails, W.B
-- 43/(50-1) = 43/49 fails, W.C 12/(14-2) = 12/12 passes.
SELECT p.threshold, p.policy, i.cells_total, i.cells_passing, i.attendance_present, i.attendance_expected,
       i.attendance_excused, i.attendance, i.attendance_text
  FROM (VALUES (0.85, 'excused_count'), (0.85, 'excused_excluded'), (0.80, 'excused_count')) AS p (threshold, policy),
       LATERAL chibo.indicators('W', '2025-01-01', '2025-03-01', p.threshold, p.policy) i;
SELECT c.cell, i.cells_total, i.cells_passing, i.attendance
  FROM (VALUES ('W.A'), ('W.B'), ('W.C')) AS c (cell),
       LATERAL chibo.indicators(c.cell, '2025-01-01', '2025-03-01', 0.85, 'excused_excluded') i;

-- Section 6. A tree restructured in the window.  OLD and OLD.1 close on
-- 2025-02-01, NEW and NEW.1 open that day; R1, R2, R3 move across.
-- Each meeting counts under the tree as it stood on its date; the active
-- members and the cells counted are those of the end date.
--   OLD.1 2025-01-14: R1 R2 present, R3 absent -> 2/3 (January fails).
--   NEW.1 2025-02-14 and 03-14: 3/3 each.
--   OLD, quarter: no active members, no cell on 2025-03-31 -> cells 0/0;
--     attendance 2/3 (its meeting was held while it stood).
--   OLD, January (end date 2025-01-31): active R1 R2 R3, cells 0/1,
--     attendance 2/3.
--   NEW, quarter: active 3; NEW.1 judged in February and March only (it
--     did not exist in January) -> 1/1; attendance 6/6.
--   NEW, January: it did not exist: 0 active, cells 0/0, attendance 0/0.
--   D, quarter: active 27 (W) + 3 (NEW.1) = 30; cells W's 6 judged + NEW.1
--     = 7, passing 2 + 1 = 3; attendance W 76/89 + OLD.1 2/3 + NEW.1 6/6
--     = 84/98 (86%), excused 4; under excused_excluded cells 3 + 1 = 4 of
--     7 and attendance 84/94 (89%).
SELECT c.unit, c.first_month, c.last_month, c.policy, i.active_members, i.cells_total, i.cells_passing,
       i.attendance_present, i.attendance_expected, i.attendance_excused, i.attendance_text
  FROM (VALUES ('OLD', DATE '2025-01-01', DATE '2025-03-01', 'excused_count'),
               ('OLD', '2025-01-01', '2025-01-01', 'excused_count'),
               ('NEW', '2025-01-01', '2025-03-01', 'excused_count'),
               ('NEW', '2025-01-01', '2025-01-01', 'excused_count'),
               ('D', '2025-01-01', '2025-03-01', 'excused_count'),
               ('D', '2025-01-01', '2025-03-01', 'excused_excluded')) AS c (unit, first_month, last_month, policy),
       LATERAL chibo.indicators(c.unit, c.first_month, c.last_month, 0.85, c.policy) i;

-- Section 7. The rollup views agree with indicators(): the reporting range
-- is January to March 2025 (the months with meetings), so unit_year's 2025
-- window is the quarter (the figures of sections 4 and 6); each unit_month
-- row is its month as the window.  By hand for W and D:
--   January (end 01-31): active W.A 6 (A1..A5, T1), W.B 10, W.C 4, W.D 2,
--     W.X 2, W.Y 1, W.Z 1 -> W 26, + OLD.1 3 -> D 29.  Judged: W.A 3/5 F,
--     W.B 17/20 P, W.C 3/4 F, W.D 2/2 P, W.X 2/2 P (W.Y, W.Z 0/0 left out)
--     -> W 3 of 5; + OLD.1 2/3 F -> D 3 of 6.  Attendance W 27/33, D 29/36.
--   February (end 02-28): active W.A 4 (A1..A4), W.B 10, W.C 5, W.D 2,
--     W.X 2, W.N 2, W.Y 1, W.Z 1 -> W 27, + NEW.1 3 -> D 30.  Judged: W.A
--     3/4 F, W.B 16/20 F, W.C 4/5 F, W.D (thematic only) F, W.X 1/2 F, W.N
--     2/2 P -> W 1 of 6; + NEW.1 3/3 P -> D 2 of 7.  Attendance W 26/33,
--     D 29/36.
--   March (end 03-31): active W 27, D 30.  W.A, W.B, W.C, W.N, W.Z pass,
--     W.D (no meeting) fails -> W 5 of 6; + NEW.1 -> D 6 of 7.  Attendance
--     W 23/23, D 26/26.
--   OLD exists in January only: 3 active, 0 of 1, 2/3; NEW in February and
--     March: 3 active, 1 of 1, 3/3 each.
SELECT v.unit_code, v.first_month, v.last_month, v.active_members, v.cells_total, v.cells_passing,
       v.attendance_present, v.attendance_expected,
       (v.active_members, v.task_registered, v.four_good, v.cells_total, v.cells_passing,
        v.attendance_present, v.attendance_expected)
       = (i.active_members, i.task_registered, i.four_good, i.cells_total, i.cells_passing,
          i.attendance_present, i.attendance_expected) AS same_as_indicators
  FROM chibo_report.unit_year v, LATERAL chibo.indicators(v.unit_code, v.first_month, v.last_month) i
 ORDER BY v.unit_code, v.year;
SELECT v.unit_code, v.month, v.active_members, v.cells_total, v.cells_passing,
       v.attendance_present, v.attendance_expected,
       (v.active_members, v.task_registered, v.four_good, v.cells_total, v.cells_passing,
        v.attendance_present, v.attendance_expected)
       = (i.active_members, i.task_registered, i.four_good, i.cells_total, i.cells_passing,
          i.attendance_present, i.attendance_expected) AS same_as_indicators
  FROM chibo_report.unit_month v, LATERAL chibo.indicators(v.unit_code, v.month, v.month) i
 WHERE v.unit_code IN ('D', 'W', 'OLD', 'NEW')
 ORDER BY v.unit_code, v.month;
SELECT count(*) AS unit_months,
       count(*) FILTER (WHERE (v.active_members, v.task_registered, v.four_good, v.cells_total, v.cells_passing,
                               v.attendance_present, v.attendance_expected)
                              = (i.active_members, i.task_registered, i.four_good, i.cells_total, i.cells_passing,
                                 i.attendance_present, i.attendance_expected)) AS same_as_indicators
  FROM chibo_report.unit_month v, LATERAL chibo.indicators(v.unit_code, v.month, v.month) i;
