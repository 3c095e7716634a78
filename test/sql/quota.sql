-- The grading quota of indicators.md: per grassroots organisation and
-- year, from the classifications of member subjects belonging on 31
-- December to the organisation's subtree: excellent count, good count
-- (good not including excellent), and over_quota when excellent > 20% of
-- good.  The expected answers are worked out by hand before each call.
SELECT regress.reset();
SET datestyle = 'ISO, YMD';

CREATE FUNCTION pg_temp.u(text) RETURNS bigint LANGUAGE sql AS $$ SELECT id FROM chibo.units WHERE code = $1 $$;
CREATE FUNCTION pg_temp.m(text) RETURNS bigint LANGUAGE sql AS $$ SELECT id FROM chibo.members WHERE code = $1 $$;

-- The tree under district D (not itself a grassroots organisation):
--   G1   grassroots committee, cells G1.A and G1.B
--   G2   grassroots cell (chi bộ cơ sở), directly under D
--   G3   grassroots committee, cell G3.A
--   G4   grassroots committee with cell G4.A, both closed on 2025-07-01;
--   G5   grassroots committee with cell G5.A, both opened on 2025-07-01
--        (G4.A's members move to G5.A that day).
INSERT INTO chibo.units (code, parent_id, name, kind, grassroots, cell_type, valid_from, valid_to)
VALUES ('D', NULL, 'Đảng bộ quận D', 'committee', false, NULL, '2020-01-01', NULL);
INSERT INTO chibo.units (code, parent_id, name, kind, grassroots, cell_type, valid_from, valid_to)
VALUES ('G1', pg_temp.u('D'), 'Đảng bộ G1', 'committee', true, NULL, '2020-01-01', NULL),
       ('G2', pg_temp.u('D'), 'Chi bộ cơ sở G2', 'cell', true, 'administrative', '2020-01-01', NULL),
       ('G3', pg_temp.u('D'), 'Đảng bộ G3', 'committee', true, NULL, '2020-01-01', NULL),
       ('G4', pg_temp.u('D'), 'Đảng bộ G4', 'committee', true, NULL, '2020-01-01', '2025-07-01'),
       ('G5', pg_temp.u('D'), 'Đảng bộ G5', 'committee', true, NULL, '2025-07-01', NULL);
INSERT INTO chibo.units (code, parent_id, name, kind, grassroots, cell_type, valid_from, valid_to)
VALUES ('G1.A', pg_temp.u('G1'), 'Chi bộ G1.A', 'cell', false, 'residential', '2020-01-01', NULL),
       ('G1.B', pg_temp.u('G1'), 'Chi bộ G1.B', 'cell', false, 'school', '2020-01-01', NULL),
       ('G3.A', pg_temp.u('G3'), 'Chi bộ G3.A', 'cell', false, 'residential', '2020-01-01', NULL),
       ('G4.A', pg_temp.u('G4'), 'Chi bộ G4.A', 'cell', false, 'enterprise', '2020-01-01', '2025-07-01'),
       ('G5.A', pg_temp.u('G5'), 'Chi bộ G5.A', 'cell', false, 'enterprise', '2025-07-01', NULL);

-- Members.  G1.A: U1 to U5 (U5 left the party on 2025-12-20) and X (moves
-- to G2 on 2025-10-01).  G1.B: U6 to U9 (U8 left on 2025-12-31).  G2: V1
-- to V4 (and X).  G3.A: W1, W2.  G4.A then G5.A: Y1 to Y7.
INSERT INTO chibo.members (code, full_name, admitted_on, full_member_on)
SELECT code, 'Member ' || code, '2000-01-01', '2001-01-01'
  FROM unnest(ARRAY['U1', 'U2', 'U3', 'U4', 'U6', 'U7', 'U9', 'X', 'V1', 'V2', 'V3', 'V4', 'W1', 'W2',
                    'Y1', 'Y2', 'Y3', 'Y4', 'Y5', 'Y6', 'Y7']) AS code;
INSERT INTO chibo.members (code, full_name, admitted_on, full_member_on, left_on, left_reason)
VALUES ('U5', 'Member U5', '2000-01-01', '2001-01-01', '2025-12-20', 'resigned'),
       ('U8', 'Member U8', '2000-01-01', '2001-01-01', '2025-12-31', 'died');
INSERT INTO chibo.memberships (member_id, unit_id, from_date, to_date)
SELECT pg_temp.m(x.member), pg_temp.u(x.cell), x.from_date::date, x.to_date::date
  FROM (VALUES ('U1', 'G1.A', '2020-01-01', NULL), ('U2', 'G1.A', '2020-01-01', NULL),
               ('U3', 'G1.A', '2020-01-01', NULL), ('U4', 'G1.A', '2020-01-01', NULL),
               ('U5', 'G1.A', '2020-01-01', NULL),
               ('X', 'G1.A', '2020-01-01', '2025-10-01'), ('X', 'G2', '2025-10-01', NULL),
               ('U6', 'G1.B', '2020-01-01', NULL), ('U7', 'G1.B', '2020-01-01', NULL),
               ('U8', 'G1.B', '2020-01-01', NULL), ('U9', 'G1.B', '2020-01-01', NULL),
               ('V1', 'G2', '2020-01-01', NULL), ('V2', 'G2', '2020-01-01', NULL),
               ('V3', 'G2', '2020-01-01', NULL), ('V4', 'G2', '2020-01-01', NULL),
               ('W1', 'G3.A', '2020-01-01', NULL), ('W2', 'G3.A', '2020-01-01', NULL)) AS x (member, cell, from_date, to_date);
INSERT INTO chibo.memberships (member_id, unit_id, from_date, to_date)
SELECT id, pg_temp.u('G4.A'), DATE '2020-01-01', DATE '2025-07-01' FROM chibo.members WHERE code LIKE 'Y%'
UNION ALL
SELECT id, pg_temp.u('G5.A'), DATE '2025-07-01', NULL FROM chibo.members WHERE code LIKE 'Y%';

-- Classifications (annual grading).
--   2025: U1 excellent; U2, U3, U5, U6, U7, U8 good; U4 completed; U9
--         not_completed; V1..V4 good; X excellent; Y1, Y2 excellent;
--         Y3..Y7 good; and the cell G1.A graded excellent (a cell subject,
--         not a member).
--   2024: U1 good; W2 excellent; Y1 good.
INSERT INTO chibo.classifications (subject_kind, member_id, year, grade)
SELECT 'member', pg_temp.m(x.member), x.year, x.grade
  FROM (VALUES ('U1', 2025, 'excellent'), ('U2', 2025, 'good'), ('U3', 2025, 'good'),
               ('U4', 2025, 'completed'), ('U5', 2025, 'good'), ('U6', 2025, 'good'),
               ('U7', 2025, 'good'), ('U8', 2025, 'good'), ('U9', 2025, 'not_completed'),
               ('V1', 2025, 'good'), ('V2', 2025, 'good'), ('V3', 2025, 'good'), ('V4', 2025, 'good'),
               ('X', 2025, 'excellent'),
               ('Y1', 2025, 'excellent'), ('Y2', 2025, 'excellent'), ('Y3', 2025, 'good'),
               ('Y4', 2025, 'good'), ('Y5', 2025, 'good'), ('Y6', 2025, 'good'), ('Y7', 2025, 'good'),
               ('U1', 2024, 'good'), ('W2', 2024, 'excellent'), ('Y1', 2024, 'good')) AS x (member, year, grade);
INSERT INTO chibo.classifications (subject_kind, unit_id, year, grade)
VALUES ('cell', pg_temp.u('G1.A'), 2025, 'excellent');

-- Two meetings, so that the reporting range (and the views' years) runs
-- from January 2024 to December 2025; everyone expected present.
INSERT INTO chibo.meetings (unit_id, held_on, kind)
VALUES (pg_temp.u('G1.A'), '2024-01-10', 'regular'), (pg_temp.u('G1.A'), '2025-12-10', 'regular');
INSERT INTO chibo.attendance (meeting_id, member_id, status)
SELECT mt.id, ms.member_id, 'present'
  FROM chibo.meetings mt JOIN chibo.memberships ms ON ms.unit_id = mt.unit_id AND ms.period @> mt.held_on;

SET client_min_messages = warning;
SELECT * FROM chibo.refresh_reports();
RESET client_min_messages;

-- Section 1. 2025, every grassroots organisation of D existing on
-- 2025-12-31 (G4 closed on 2025-07-01: not listed; D is not grassroots).
--   G1: members belonging on 31 December: G1.A U1 U2 U3 U4 (U5 left on
--       12-20, before 31 December; X is in G2 since 10-01), G1.B U6 U7 U8
--       (U8 left on 31 December itself: still belonging) U9.
--       excellent U1 = 1; good U2 U3 U6 U7 U8 = 5 (U4 completed and U9
--       not_completed are neither; the cell G1.A's own 'excellent' is not
--       a member's).  1 = exactly 20% of 5: not over quota.
--   G2: X (counted in the cell it belongs to on 31 December) excellent =
--       1; V1..V4 good = 4.  1 > 20% of 4 = 0.8: over quota.  (Counting
--       excellent inside good, 1 of 5, would wrongly pass.)
--   G3: no grades for 2025 (W2's excellent is for 2024): 0, 0, not over.
--   G5: Y1..Y7 moved from G4.A on 07-01 and belong to G5.A on 31
--       December: excellent Y1 Y2 = 2; good Y3..Y7 = 5.  20% of 5 allows
--       1; 2 is one above: over quota.
SELECT organisation_code, organisation_name, excellent, good, over_quota
  FROM chibo.grading_quota('D', 2025);

-- Section 2. 2024 (the tree of 2024-12-31: G1, G2, G3, G4; G5 did not
-- exist yet).  G1: U1 good -> 0, 1.  G2: nothing -> 0, 0.  G3: W2
-- excellent -> 1, 0: 1 > 20% of 0, over quota.  G4: Y1 good -> 0, 1.
SELECT organisation_code, excellent, good, over_quota FROM chibo.grading_quota('D', 2024);

-- Section 3. An organisation asked alone; a cell that is not a grassroots
-- organisation (G1.A) has none in its subtree: no rows.
SELECT organisation_code, excellent, good, over_quota FROM chibo.grading_quota('G1', 2025);
SELECT organisation_code, excellent, good, over_quota FROM chibo.grading_quota('G2', 2025);
SELECT organisation_code, excellent, good, over_quota FROM chibo.grading_quota('G1.A', 2025);
-- Errors: an unknown unit (22023), no year (22004).
SELECT try($$SELECT * FROM chibo.grading_quota('NOPE', 2025)$$) AS unknown_unit;
SELECT try($$SELECT * FROM chibo.grading_quota('D', NULL)$$) AS no_year;

-- Section 4. The rollup view chibo_report.grading_quota gives the same
-- rows for both years (its excellent_allowed is 20% of good, rounded
-- down); and chibo_report.unit_year agrees with indicators().
SELECT v.unit_code, v.year, v.excellent, v.good, v.excellent_allowed, v.over_quota,
       (v.excellent, v.good, v.over_quota) = (f.excellent, f.good, f.over_quota) AS same_as_function
  FROM chibo_report.grading_quota v
  LEFT JOIN LATERAL chibo.grading_quota('D', v.year) f ON f.organisation_code = v.unit_code
 ORDER BY v.year, v.unit_code;
SELECT count(*) AS unit_years,
       count(*) FILTER (WHERE (v.active_members, v.task_registered, v.four_good, v.cells_total, v.cells_passing,
                               v.attendance_present, v.attendance_expected)
                              = (i.active_members, i.task_registered, i.four_good, i.cells_total, i.cells_passing,
                                 i.attendance_present, i.attendance_expected)) AS same_as_indicators
  FROM chibo_report.unit_year v, LATERAL chibo.indicators(v.unit_code, v.first_month, v.last_month) i;
