-- The tables' rules hold for direct INSERT and UPDATE, not only for the
-- import: each broken rule gives a message a secretary can act on and the
-- SQLSTATE of its constraint class (23502 missing value, 23503 reference,
-- 23514 check, 23P01 overlap, 23505 duplicate key).
SELECT regress.reset();

-- Helpers: a unit's and a member's id by code.
CREATE FUNCTION regress.u(text) RETURNS bigint LANGUAGE sql AS $$ SELECT id FROM chibo.units WHERE code = $1 $$;
CREATE FUNCTION regress.m(text) RETURNS bigint LANGUAGE sql AS $$ SELECT id FROM chibo.members WHERE code = $1 $$;

-- A small tree: district TH (2020-), ward committee TH.A (2020-), its cell
-- TH.A.01 (2020-2025), and a grassroots cell TH.B (2021-).
INSERT INTO chibo.units (code, parent_id, name, kind, grassroots, cell_type, valid_from, valid_to)
VALUES ('TH', NULL, 'Đảng bộ quận Tây Hồ', 'committee', true, NULL, '2020-01-01', NULL);
INSERT INTO chibo.units (code, parent_id, name, kind, grassroots, cell_type, valid_from, valid_to)
VALUES ('TH.A', u('TH'), 'Đảng bộ phường A', 'committee', true, NULL, '2020-01-01', NULL),
       ('TH.B', u('TH'), 'Chi bộ cơ sở B', 'cell', true, 'school', '2021-01-01', NULL);
INSERT INTO chibo.units (code, parent_id, name, kind, grassroots, cell_type, valid_from, valid_to)
VALUES ('TH.A.01', u('TH.A'), 'Chi bộ tổ dân phố số 1', 'cell', false, 'residential', '2020-01-01', '2025-07-01');

-- Units.
SELECT try($$INSERT INTO chibo.units (code, parent_id, name, kind, grassroots, valid_from) VALUES ('TH', NULL, 'again', 'committee', true, '2020-01-01')$$) AS duplicate_code;
SELECT try($$INSERT INTO chibo.units (code, name, kind, grassroots, valid_from) VALUES ('', 'x', 'committee', true, '2020-01-01')$$) AS empty_code;
SELECT try($$INSERT INTO chibo.units (code, name, kind, grassroots, valid_from) VALUES ('X', ' ', 'committee', true, '2020-01-01')$$) AS empty_name;
SELECT try($$INSERT INTO chibo.units (code, name, kind, grassroots, valid_from) VALUES ('X', 'x', 'branch', true, '2020-01-01')$$) AS bad_kind;
SELECT try($$INSERT INTO chibo.units (code, name, kind, grassroots, valid_from) VALUES ('X', 'x', 'cell', true, '2020-01-01')$$) AS cell_without_type;
SELECT try($$INSERT INTO chibo.units (code, name, kind, grassroots, cell_type, valid_from) VALUES ('X', 'x', 'cell', true, 'army', '2020-01-01')$$) AS bad_cell_type;
SELECT try($$INSERT INTO chibo.units (code, name, kind, grassroots, cell_type, valid_from) VALUES ('X', 'x', 'committee', true, 'school', '2020-01-01')$$) AS committee_with_type;
SELECT try($$INSERT INTO chibo.units (code, name, kind, grassroots) VALUES ('X', 'x', 'committee', true)$$) AS no_valid_from;
SELECT try($$INSERT INTO chibo.units (code, name, kind, grassroots, valid_from, valid_to) VALUES ('X', 'x', 'committee', true, '2020-01-01', '2020-01-01')$$) AS empty_validity;
SELECT try($$INSERT INTO chibo.units (code, parent_id, name, kind, grassroots, cell_type, valid_from) VALUES ('X', u('TH.B'), 'x', 'cell', false, 'other', '2022-01-01')$$) AS child_of_a_cell;
SELECT try($$INSERT INTO chibo.units (code, parent_id, name, kind, grassroots, cell_type, valid_from) VALUES ('X', u('TH.A'), 'x', 'cell', false, 'other', '2019-06-01')$$) AS born_before_parent;
-- (A parent id that does not exist is refused by the foreign key itself.)
SELECT try($$INSERT INTO chibo.units (code, parent_id, name, kind, grassroots, cell_type, valid_from) VALUES ('X', 999999, 'x', 'cell', false, 'other', '2022-01-01')$$) AS unknown_parent;
-- Changing a unit is checked too: its children must still fit inside it,
-- a committee with children cannot become a cell, and no loops.
SELECT try($$UPDATE chibo.units SET valid_to = '2024-01-01' WHERE code = 'TH.A'$$) AS parent_closed_before_child;
SELECT try($$UPDATE chibo.units SET kind = 'cell', cell_type = 'other' WHERE code = 'TH.A'$$) AS committee_with_children_to_cell;
SELECT try($$UPDATE chibo.units SET parent_id = u('TH.A') WHERE code = 'TH'$$) AS loop_in_tree;
SELECT try($$UPDATE chibo.units SET parent_id = u('TH') WHERE code = 'TH'$$) AS own_parent;

-- Members.
INSERT INTO chibo.members (code, full_name, gender, birth_date, admitted_on, full_member_on)
VALUES ('M1', 'Nguyễn Văn An', 'male', '1970-02-03', '1995-05-05', '1996-05-05'),
       ('M2', 'Trần Thị Bình', 'female', NULL, '2023-02-01', NULL);
SELECT try($$INSERT INTO chibo.members (code, full_name, admitted_on) VALUES ('M1', 'x', '2000-01-01')$$) AS duplicate_code;
SELECT try($$INSERT INTO chibo.members (code, full_name, admitted_on) VALUES ('X', '', '2000-01-01')$$) AS empty_name;
SELECT try($$INSERT INTO chibo.members (code, full_name, gender, admitted_on) VALUES ('X', 'x', 'nam', '2000-01-01')$$) AS bad_gender;
SELECT try($$INSERT INTO chibo.members (code, full_name) VALUES ('X', 'x')$$) AS no_admission;
SELECT try($$INSERT INTO chibo.members (code, full_name, admitted_on, full_member_on) VALUES ('X', 'x', '2000-01-01', '1999-12-31')$$) AS full_before_admitted;
SELECT try($$INSERT INTO chibo.members (code, full_name, admitted_on, left_on, left_reason) VALUES ('X', 'x', '2000-01-01', '1999-12-31', 'died')$$) AS left_before_admitted;
SELECT try($$INSERT INTO chibo.members (code, full_name, admitted_on, left_on) VALUES ('X', 'x', '2000-01-01', '2020-01-01')$$) AS left_without_reason;
SELECT try($$INSERT INTO chibo.members (code, full_name, admitted_on, left_on, left_reason) VALUES ('X', 'x', '2000-01-01', '2020-01-01', 'moved')$$) AS bad_left_reason;

-- Memberships: a cell existing for the whole period, no overlap.  M1 moves
-- from TH.A.01 to TH.B on 2024-01-01.
INSERT INTO chibo.memberships (member_id, unit_id, from_date, to_date)
VALUES (m('M1'), u('TH.A.01'), '2020-01-01', '2024-01-01'),
       (m('M1'), u('TH.B'), '2024-01-01', NULL),
       (m('M2'), u('TH.A.01'), '2023-02-01', '2025-07-01');
SELECT try($$INSERT INTO chibo.memberships (member_id, unit_id, from_date) VALUES (m('M2'), u('TH.B'), '2024-06-01')$$) AS overlap;
SELECT try($$INSERT INTO chibo.memberships (member_id, unit_id, from_date) VALUES (m('M2'), u('TH.A'), '2026-01-01')$$) AS in_a_committee;
SELECT try($$INSERT INTO chibo.memberships (member_id, unit_id, from_date) VALUES (m('M2'), u('TH.A.01'), '2025-07-01')$$) AS cell_closed;
SELECT try($$INSERT INTO chibo.memberships (member_id, unit_id, from_date) VALUES (m('M2'), u('TH.B'), '2020-01-01')$$) AS before_cell_existed;
SELECT try($$INSERT INTO chibo.memberships (member_id, unit_id, from_date, to_date) VALUES (m('M2'), u('TH.B'), '2019-01-01', '2018-01-01')$$) AS empty_period;
SELECT try($$INSERT INTO chibo.memberships (member_id, unit_id, from_date) VALUES (999999, u('TH.B'), '2022-01-01')$$) AS unknown_member;
-- The cell cannot close while a membership still runs in it.
SELECT try($$UPDATE chibo.units SET valid_to = '2024-06-01' WHERE code = 'TH.A.01'$$) AS cell_closed_under_member;

-- Exemptions.
INSERT INTO chibo.exemptions (member_id, from_date, to_date, reason) VALUES (m('M1'), '2024-03-01', NULL, 'health');
SELECT try($$INSERT INTO chibo.exemptions (member_id, from_date, reason) VALUES (m('M2'), '2024-03-01', 'tired')$$) AS bad_reason;
SELECT try($$INSERT INTO chibo.exemptions (member_id, from_date, to_date, reason) VALUES (m('M2'), '2024-03-01', '2024-03-01', 'age')$$) AS empty_period;

-- Meetings: in a cell, on a day it exists, not in the future.
INSERT INTO chibo.meetings (unit_id, held_on, kind, topic, minutes)
VALUES (u('TH.A.01'), '2023-03-10', 'regular', NULL, NULL),
       (u('TH.B'), '2024-03-10', 'combined', 'Học tập chuyên đề', 120);
SELECT try($$INSERT INTO chibo.meetings (unit_id, held_on, kind) VALUES (u('TH.B'), '2024-03-10', 'combined')$$) AS duplicate_meeting;
SELECT try($$INSERT INTO chibo.meetings (unit_id, held_on, kind) VALUES (u('TH.B'), '2024-03-11', 'monthly')$$) AS bad_kind;
SELECT try($$INSERT INTO chibo.meetings (unit_id, held_on, kind) VALUES (u('TH.A'), '2024-03-11', 'regular')$$) AS in_a_committee;
SELECT try($$INSERT INTO chibo.meetings (unit_id, held_on, kind) VALUES (u('TH.B'), '2020-03-11', 'regular')$$) AS before_cell_existed;
SELECT try($$INSERT INTO chibo.meetings (unit_id, held_on, kind) VALUES (u('TH.B'), current_date + 1, 'regular')$$) ~ 'in the future' AS in_future;
SELECT try($$INSERT INTO chibo.meetings (unit_id, held_on, kind, minutes) VALUES (u('TH.B'), '2024-03-11', 'regular', 0)$$) AS zero_minutes;

-- Attendance: the member belongs to the meeting's cell on its date.  The
-- row takes the meeting's cell and date from the meeting.
INSERT INTO chibo.attendance (meeting_id, member_id, status)
SELECT id, m('M1'), 'present' FROM chibo.meetings WHERE unit_id = u('TH.A.01');
SELECT code, held_on, status FROM chibo.attendance a JOIN chibo.units u ON u.id = a.unit_id;
SELECT try($$INSERT INTO chibo.attendance (meeting_id, member_id, status) SELECT id, m('M2'), 'present' FROM chibo.meetings WHERE unit_id = u('TH.B')$$) AS not_in_that_cell;
SELECT try($$INSERT INTO chibo.attendance (meeting_id, member_id, status) SELECT id, m('M1'), 'late' FROM chibo.meetings WHERE unit_id = u('TH.B')$$) AS bad_status;
SELECT try($$INSERT INTO chibo.attendance (meeting_id, member_id, status) VALUES (999999, m('M1'), 'present')$$) AS unknown_meeting;
-- An exempt member may still have an attendance row.
SELECT try($$INSERT INTO chibo.attendance (meeting_id, member_id, status) SELECT id, m('M1'), 'absent' FROM chibo.meetings WHERE unit_id = u('TH.B')$$) AS exempt_member_row;
-- What attendance rests on cannot be taken away under it.
SELECT try($$UPDATE chibo.memberships SET to_date = '2023-01-01' WHERE member_id = m('M1') AND unit_id = u('TH.A.01')$$) AS membership_shortened;
SELECT try($$DELETE FROM chibo.memberships WHERE member_id = m('M1') AND unit_id = u('TH.B')$$) AS membership_deleted;
SELECT try($$UPDATE chibo.members SET left_on = '2023-01-01', left_reason = 'resigned' WHERE code = 'M1'$$) AS left_before_attendance;
SELECT try($$UPDATE chibo.meetings SET held_on = '2019-03-10' WHERE unit_id = u('TH.A.01')$$) AS meeting_moved_out;
-- A meeting moved within the membership carries its attendance along.
UPDATE chibo.meetings SET held_on = '2023-03-17' WHERE unit_id = u('TH.A.01');
SELECT code, held_on, status FROM chibo.attendance a JOIN chibo.units u ON u.id = a.unit_id ORDER BY held_on;
SELECT try($$UPDATE chibo.attendance SET held_on = '2023-03-18' WHERE member_id = m('M1')$$) ~ '^ok' AS attendance_date_follows_meeting,
       (SELECT count(*) FROM chibo.attendance WHERE held_on = '2023-03-18') AS rows_on_wrong_date;
-- A member who left on the meeting's date still belonged that day.
SELECT try($$UPDATE chibo.members SET left_on = '2024-03-10', left_reason = 'died' WHERE code = 'M1'$$) AS left_on_meeting_day;

-- Task registrations.
INSERT INTO chibo.task_registrations (member_id, year, kind, title) VALUES (m('M1'), 2023, 'new', 'Chuyển đổi số');
SELECT outcome FROM chibo.task_registrations;
SELECT try($$INSERT INTO chibo.task_registrations (member_id, year, kind, title) VALUES (m('M1'), 23, 'new', 'x')$$) AS short_year;
SELECT try($$INSERT INTO chibo.task_registrations (member_id, year, kind, title) VALUES (m('M1'), 2023, 'easy', 'x')$$) AS bad_kind;
SELECT try($$INSERT INTO chibo.task_registrations (member_id, year, kind, title) VALUES (m('M1'), 2023, 'new', '')$$) AS empty_title;
SELECT try($$INSERT INTO chibo.task_registrations (member_id, year, kind, title, outcome) VALUES (m('M1'), 2023, 'new', 'y', 'done')$$) AS bad_outcome;

-- Schemes: three shipped, users add their own.
SELECT code, name, subject_kind, cardinality(criteria_names) AS criteria, shipped FROM chibo.schemes ORDER BY id;
INSERT INTO chibo.schemes (code, name, subject_kind, criteria_names) VALUES ('CB3', 'Chi bộ 3 tiêu chí', 'cell', '{a,b,c}');
SELECT try($$INSERT INTO chibo.schemes (code, name, subject_kind, criteria_names) VALUES ('Z', 'z', 'ward', '{a}')$$) AS bad_subject;
SELECT try($$INSERT INTO chibo.schemes (code, name, subject_kind, criteria_names) VALUES ('Z', 'z', 'cell', '{}')$$) AS no_criteria;

-- Assessments: the scheme's subject and number of criteria.
INSERT INTO chibo.assessments (subject_kind, member_id, scheme_id, period_start, period_end, criteria)
SELECT 'member', m('M1'), id, '2023-01-01', '2023-12-31', '1111' FROM chibo.schemes WHERE code = 'DV4T';
SELECT try($$INSERT INTO chibo.assessments (subject_kind, member_id, scheme_id, period_start, period_end, criteria) SELECT 'member', m('M1'), id, '2022-01-01', '2022-12-31', '1111' FROM chibo.schemes WHERE code = 'DV5T'$$) AS wrong_flag_count;
SELECT try($$INSERT INTO chibo.assessments (subject_kind, member_id, scheme_id, period_start, period_end, criteria) SELECT 'member', m('M1'), id, '2022-01-01', '2022-12-31', '1111' FROM chibo.schemes WHERE code = 'CB4T'$$) AS scheme_for_cells;
SELECT try($$INSERT INTO chibo.assessments (subject_kind, unit_id, scheme_id, period_start, period_end, criteria) SELECT 'cell', u('TH.A'), id, '2022-01-01', '2022-12-31', '1111' FROM chibo.schemes WHERE code = 'CB4T'$$) AS committee_subject;
SELECT try($$INSERT INTO chibo.assessments (subject_kind, unit_id, scheme_id, period_start, period_end, criteria) SELECT 'cell', u('TH.B'), id, '2022-12-31', '2022-01-01', '1111' FROM chibo.schemes WHERE code = 'CB4T'$$) AS period_backwards;
SELECT try($$INSERT INTO chibo.assessments (subject_kind, member_id, scheme_id, period_start, period_end, criteria) SELECT 'member', m('M1'), id, '2023-01-01', '2023-12-31', '1011' FROM chibo.schemes WHERE code = 'DV4T'$$) AS duplicate_assessment;
-- A scheme with assessments keeps its number of criteria.
SELECT try($$UPDATE chibo.schemes SET criteria_names = '{a,b,c}' WHERE code = 'DV4T'$$) AS scheme_shrunk;

-- Classifications.
INSERT INTO chibo.classifications (subject_kind, member_id, year, grade, score) VALUES ('member', m('M1'), 2023, 'excellent', 95.5);
SELECT try($$INSERT INTO chibo.classifications (subject_kind, member_id, year, grade) VALUES ('member', m('M2'), 2023, 'great')$$) AS bad_grade;
SELECT try($$INSERT INTO chibo.classifications (subject_kind, member_id, year, grade, score) VALUES ('member', m('M2'), 2023, 'good', 100.5)$$) AS score_over_100;
SELECT try($$INSERT INTO chibo.classifications (subject_kind, member_id, year, grade, score) VALUES ('member', m('M2'), 2023, 'good', 80.125)$$) AS three_decimals;
SELECT try($$INSERT INTO chibo.classifications (subject_kind, unit_id, year, grade) VALUES ('member', u('TH.B'), 2023, 'good')$$) AS subject_mismatch;
SELECT try($$INSERT INTO chibo.classifications (subject_kind, member_id, year, grade) VALUES ('member', m('M1'), 2023, 'good')$$) AS duplicate_classification;
-- A cell with members, meetings or a classification stays a cell.
SELECT try($$UPDATE chibo.units SET kind = 'committee', cell_type = NULL WHERE code = 'TH.B'$$) AS cell_with_members_to_committee;
INSERT INTO chibo.units (code, parent_id, name, kind, grassroots, cell_type, valid_from)
VALUES ('TH.C', u('TH'), 'Chi bộ cơ sở C', 'cell', true, 'enterprise', '2021-01-01');
INSERT INTO chibo.classifications (subject_kind, unit_id, year, grade) VALUES ('cell', u('TH.C'), 2023, 'good');
SELECT try($$UPDATE chibo.units SET kind = 'committee', cell_type = NULL WHERE code = 'TH.C'$$) AS cell_with_classification_to_committee;
