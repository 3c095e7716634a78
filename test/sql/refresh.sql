-- refresh: the rollups equal a computation from the raw tables, after a
-- full rebuild and after incremental refreshes that follow edits to every
-- table feeding them; an incremental refresh recomputes only what changed
-- and gives the same rollups as a full rebuild.
SELECT regress.reset();
SET client_min_messages = warning;

-- A synthetic committee: R (top) with grassroots committees A and B and a
-- grassroots cell C1; cells A1..A3 and B1, B2 for the whole time, A4
-- created on 2023-06-15, B3 closed on 2023-09-20.  60 members; meetings
-- every month of 2023 and the first half of 2024, with gaps, second
-- meetings, combined, thematic and extraordinary ones; attendance drawn
-- from a hash so that it is the same on every run.
INSERT INTO chibo.units (code, parent_id, name, kind, grassroots, cell_type, valid_from, valid_to)
VALUES ('R', NULL, 'Đảng bộ R', 'committee', false, NULL, '2020-01-01', NULL);
INSERT INTO chibo.units (code, parent_id, name, kind, grassroots, cell_type, valid_from, valid_to)
SELECT v.code, (SELECT id FROM chibo.units WHERE code = 'R'), v.name, v.kind, true, v.cell_type, '2020-01-01', NULL
  FROM (VALUES ('A', 'Đảng bộ phường A', 'committee', NULL), ('B', 'Đảng bộ phường B', 'committee', NULL),
               ('C1', 'Chi bộ Trường C', 'cell', 'school')) AS v (code, name, kind, cell_type);
INSERT INTO chibo.units (code, parent_id, name, kind, grassroots, cell_type, valid_from, valid_to)
SELECT v.code, p.id, 'Chi bộ ' || v.code, 'cell', false, v.cell_type, v.valid_from::date, v.valid_to::date
  FROM (VALUES ('A1', 'A', 'residential', '2020-01-01', NULL), ('A2', 'A', 'residential', '2020-01-01', NULL),
               ('A3', 'A', 'administrative', '2020-01-01', NULL), ('A4', 'A', 'residential', '2023-06-15', NULL),
               ('B1', 'B', 'armed_forces', '2020-01-01', NULL), ('B2', 'B', 'residential', '2020-01-01', NULL),
               ('B3', 'B', 'residential', '2020-01-01', '2023-09-20')) AS v (code, parent, cell_type, valid_from, valid_to)
  JOIN chibo.units p ON p.code = v.parent;

INSERT INTO chibo.members (code, full_name, admitted_on, full_member_on)
SELECT format('M%s', lpad(i::text, 2, '0')), format('Đảng viên %s', i),
       CASE WHEN i % 15 = 0 THEN DATE '2023-03-01' ELSE DATE '2010-01-01' END,
       CASE WHEN i % 15 = 0 THEN NULL ELSE DATE '2011-01-01' END
  FROM generate_series(1, 60) i;

-- Member i starts in cell i mod 8 (of C1, A1, A2, A3, B1, B2, B3, A1);
-- B3's members move to B2 when it closes; every third member of A1 moves
-- to A4 when it opens.
CREATE TEMP TABLE plan (member text, cell text, from_date date, to_date date);
INSERT INTO plan
SELECT format('M%s', lpad(i::text, 2, '0')), (ARRAY['C1', 'A1', 'A2', 'A3', 'B1', 'B2', 'B3', 'A1'])[i % 8 + 1],
       CASE WHEN i % 15 = 0 THEN DATE '2023-03-01' ELSE DATE '2020-01-01' END, NULL
  FROM generate_series(1, 60) i;
INSERT INTO plan SELECT member, 'B2', '2023-09-20', NULL FROM plan WHERE cell = 'B3';
UPDATE plan SET to_date = '2023-09-20' WHERE cell = 'B3';
INSERT INTO plan SELECT member, 'A4', '2023-06-15', NULL FROM plan
 WHERE cell = 'A1' AND right(member, 2)::int % 3 = 0;
UPDATE plan SET to_date = '2023-06-15' WHERE cell = 'A1' AND right(member, 2)::int % 3 = 0;
INSERT INTO chibo.memberships (member_id, unit_id, from_date, to_date)
SELECT m.id, u.id, p.from_date, p.to_date FROM plan p
  JOIN chibo.members m ON m.code = p.member JOIN chibo.units u ON u.code = p.cell;

INSERT INTO chibo.exemptions (member_id, from_date, to_date, reason)
SELECT m.id, v.from_date::date, v.to_date::date, v.reason
  FROM (VALUES ('M05', '2023-01-01', '2023-07-01', 'health'), ('M12', '2023-10-01', NULL, 'age'),
               ('M20', '2024-02-10', '2024-04-01', 'away')) AS v (member, from_date, to_date, reason)
  JOIN chibo.members m ON m.code = v.member;

-- Meetings: a regular one on the 5th of each month (combined in the last
-- month of some quarters), missing when a hash says so; a second regular
-- meeting on the 25th now and then; thematic meetings on the 20th of some
-- quarter months; an extraordinary one now and then.
INSERT INTO chibo.meetings (unit_id, held_on, kind, topic, minutes)
SELECT u.id, d.day, d.kind, NULL, NULL
  FROM chibo.units u
  CROSS JOIN LATERAL (
        SELECT (m + interval '4 days')::date AS day,
               CASE WHEN extract(month FROM m)::int % 3 = 0 AND abs(hashtext(u.code || m::text)) % 2 = 0
                    THEN 'combined' ELSE 'regular' END AS kind,
               abs(hashtext(u.code || 'skip' || m::text)) % 11 <> 0 AS held
          FROM generate_series(DATE '2023-01-01', DATE '2024-06-01', interval '1 month') m
        UNION ALL
        SELECT (m + interval '24 days')::date, 'regular', abs(hashtext(u.code || 'second' || m::text)) % 7 = 0
          FROM generate_series(DATE '2023-01-01', DATE '2024-06-01', interval '1 month') m
        UNION ALL
        SELECT (m + interval '19 days')::date, 'thematic',
               extract(month FROM m)::int % 3 = 2 AND abs(hashtext(u.code || 'th' || m::text)) % 3 <> 0
          FROM generate_series(DATE '2023-01-01', DATE '2024-06-01', interval '1 month') m
        UNION ALL
        SELECT (m + interval '14 days')::date, 'extraordinary', abs(hashtext(u.code || 'ex' || m::text)) % 9 = 0
          FROM generate_series(DATE '2023-01-01', DATE '2024-06-01', interval '1 month') m) d
 WHERE u.kind = 'cell' AND d.held
   AND u.valid_from <= d.day AND (u.valid_to IS NULL OR u.valid_to > d.day);

-- Attendance of the members belonging that day (exempt ones too, now and
-- then): mostly present, some excused, some absent rows, some no row.
INSERT INTO chibo.attendance (meeting_id, member_id, status)
SELECT mt.id, ms.member_id,
       (CASE WHEN h < 80 THEN 'present' WHEN h < 90 THEN 'excused' ELSE 'absent' END)::chibo.attendance_status
  FROM chibo.meetings mt
  JOIN chibo.memberships ms ON ms.unit_id = mt.unit_id AND ms.period @> mt.held_on
  JOIN chibo.units u ON u.id = mt.unit_id
  JOIN chibo.members m ON m.id = ms.member_id
  CROSS JOIN LATERAL (SELECT abs(hashtext(u.code || mt.held_on::text || mt.kind || m.code)) % 100 AS h) x
 WHERE x.h < 96;

INSERT INTO chibo.task_registrations (member_id, year, kind, title)
SELECT m.id, y, CASE WHEN right(m.code, 1)::int % 2 = 0 THEN 'new' ELSE 'difficult' END, 'Nhiệm vụ ' || y
  FROM chibo.members m, generate_series(2023, 2024) y
 WHERE abs(hashtext(m.code || y)) % 5 <> 0;

INSERT INTO chibo.assessments (subject_kind, member_id, scheme_id, period_start, period_end, criteria)
SELECT 'member', m.id, s.id, '2023-01-01', '2023-12-31',
       (CASE WHEN abs(hashtext(m.code || 'dv')) % 6 = 0 THEN '1101' ELSE '1111' END)::chibo.criteria
  FROM chibo.members m, chibo.schemes s
 WHERE s.code = 'DV4T' AND abs(hashtext(m.code || 'na')) % 8 <> 0;
-- a quarterly assessment lying inside one month's window is rare; one
INSERT INTO chibo.assessments (subject_kind, member_id, scheme_id, period_start, period_end, criteria)
SELECT 'member', m.id, s.id, '2024-03-01', '2024-03-31', '1111'
  FROM chibo.members m, chibo.schemes s WHERE s.code = 'DV4T' AND m.code = 'M07';

INSERT INTO chibo.classifications (subject_kind, member_id, year, grade)
SELECT 'member', m.id, 2023,
       (ARRAY['excellent', 'good', 'good', 'good', 'completed', 'good'])[abs(hashtext(m.code || 'g')) % 6 + 1]
  FROM chibo.members m;

-- The rollups computed straight from the tables, written independently of
-- refresh_reports(): correlated counts, one cell-month at a time, with the
-- rules spelled out.
-- Who belongs to cell C on date d: a membership covers d and the member
-- had not left the party before d.  The rows (member, cell, d) for every
-- meeting's date and every month's last day.
CREATE VIEW regress.raw_belonging AS
SELECT ms.member_id, ms.unit_id, d.day
  FROM chibo.memberships ms
  JOIN chibo.members m ON m.id = ms.member_id
  JOIN (SELECT held_on AS day FROM chibo.meetings
        UNION SELECT (g + interval '1 month - 1 day')::date
                FROM generate_series(DATE '2022-01-01', DATE '2026-12-01', interval '1 month') g) d
    ON ms.from_date <= d.day AND (ms.to_date IS NULL OR d.day < ms.to_date)
 WHERE m.left_on IS NULL OR NOT m.left_on < d.day;
-- (materialized: read many times below; refreshed before use)
CREATE MATERIALIZED VIEW regress.raw_meetings AS
SELECT mt.id, mt.unit_id, mt.held_on, mt.kind, mt.minutes, date_trunc('month', mt.held_on)::date AS month,
       count(b.member_id) AS expected,
       count(b.member_id) FILTER (WHERE a.status = 'present') AS present,
       count(b.member_id) FILTER (WHERE a.status = 'excused') AS excused
  FROM chibo.meetings mt
  LEFT JOIN regress.raw_belonging b
         ON b.unit_id = mt.unit_id AND b.day = mt.held_on
        AND NOT EXISTS (SELECT FROM chibo.exemptions e WHERE e.member_id = b.member_id
                           AND e.from_date <= mt.held_on AND (e.to_date IS NULL OR mt.held_on < e.to_date))
  LEFT JOIN chibo.attendance a ON a.meeting_id = mt.id AND a.member_id = b.member_id
 GROUP BY mt.id
  WITH NO DATA;
CREATE MATERIALIZED VIEW regress.raw_month_members AS
SELECT b.unit_id, date_trunc('month', b.day)::date AS month, count(*) AS active_members,
       count(*) FILTER (WHERE EXISTS (SELECT FROM chibo.task_registrations t
                                       WHERE t.member_id = b.member_id AND t.year = extract(year FROM b.day))) AS task_registered,
       count(*) FILTER (WHERE (SELECT chibo.label(chibo.good_status(a.criteria)) FROM chibo.assessments a
                                WHERE a.member_id = b.member_id AND a.period_start >= date_trunc('month', b.day)
                                  AND a.period_end <= b.day) = 'achieved') AS four_good
  FROM regress.raw_belonging b
 WHERE b.day = (date_trunc('month', b.day) + interval '1 month - 1 day')::date
 GROUP BY 1, 2
  WITH NO DATA;
CREATE VIEW regress.raw_cell_months AS
WITH range AS (SELECT date_trunc('month', min(held_on))::date AS first, date_trunc('month', max(held_on))::date AS last
                 FROM chibo.meetings),
cm AS (SELECT u.id AS unit_id, m::date AS month, (m + interval '1 month - 1 day')::date AS last_day,
              u.valid_from, u.valid_to
         FROM chibo.units u, range, generate_series(range.first, range.last, interval '1 month') m
        WHERE u.kind = 'cell' AND u.valid_from < m + interval '1 month' AND (u.valid_to IS NULL OR u.valid_to > m))
SELECT cm.unit_id, cm.month,
       cm.valid_from <= cm.last_day AND (cm.valid_to IS NULL OR cm.valid_to > cm.last_day) AS exists_on_end,
       count(r.id) FILTER (WHERE r.kind IN ('regular', 'combined'))::int AS meetings,
       coalesce(sum(r.present) FILTER (WHERE r.kind IN ('regular', 'combined')), 0)::bigint AS present,
       coalesce(sum(r.excused) FILTER (WHERE r.kind IN ('regular', 'combined')), 0)::bigint AS excused,
       coalesce(sum(r.expected) FILTER (WHERE r.kind IN ('regular', 'combined')), 0)::bigint AS expected,
       count(r.id) FILTER (WHERE r.kind IN ('thematic', 'combined'))::int AS thematic_meetings,
       count(r.id) FILTER (WHERE r.kind IN ('thematic', 'extraordinary'))::int AS side_meetings,
       coalesce(sum(r.present) FILTER (WHERE r.kind IN ('thematic', 'extraordinary')), 0)::bigint AS side_present,
       coalesce(sum(r.excused) FILTER (WHERE r.kind IN ('thematic', 'extraordinary')), 0)::bigint AS side_excused,
       coalesce(sum(r.expected) FILTER (WHERE r.kind IN ('thematic', 'extraordinary')), 0)::bigint AS side_expected,
       count(r.id) FILTER (WHERE r.held_on >= '2025-10-28'
                             AND r.minutes < CASE WHEN r.kind = 'combined' THEN 120 ELSE 90 END)::int AS short_meetings,
       coalesce(max(mm.active_members), 0) AS active_members,
       coalesce(max(mm.task_registered), 0) AS task_registered,
       coalesce(max(mm.four_good), 0) AS four_good,
       0::bigint AS four_good_mixed
  FROM cm
  LEFT JOIN regress.raw_meetings r ON r.unit_id = cm.unit_id AND r.month = cm.month
  LEFT JOIN regress.raw_month_members mm ON mm.unit_id = cm.unit_id AND mm.month = cm.month
 GROUP BY cm.unit_id, cm.month, cm.valid_from, cm.valid_to, cm.last_day;

-- Compares every rollup with the raw computation and with indicators()
-- for every unit and every month and year window; returns the mismatches.
CREATE FUNCTION regress.check_rollups() RETURNS TABLE (what text, mismatches bigint)
LANGUAGE sql AS $$
    REFRESH MATERIALIZED VIEW regress.raw_meetings;
    REFRESH MATERIALIZED VIEW regress.raw_month_members;
    SELECT 'cell_months vs raw tables',
           (SELECT count(*) FROM ((SELECT * FROM chibo.cell_months EXCEPT SELECT * FROM regress.raw_cell_months)
                                  UNION ALL
                                  (SELECT * FROM regress.raw_cell_months EXCEPT SELECT * FROM chibo.cell_months)) x)
    UNION ALL
    SELECT 'unit_months vs indicators(unit, month, month)',
           (SELECT count(*) FROM chibo.unit_months r JOIN chibo.units u ON u.id = r.unit_id,
                   LATERAL chibo.indicators(u.code, r.month, r.month) i
             WHERE (r.active_members, r.task_registered, r.four_good, r.cells_total, r.cells_passing, r.present, r.expected)
                   IS DISTINCT FROM (i.active_members, i.task_registered, i.four_good, i.cells_total, i.cells_passing,
                                     i.attendance_present, i.attendance_expected))
    UNION ALL
    SELECT 'unit_years vs indicators(unit, first_month, last_month)',
           (SELECT count(*) FROM chibo.unit_years r JOIN chibo.units u ON u.id = r.unit_id,
                   LATERAL chibo.indicators(u.code, r.first_month, r.last_month) i
             WHERE (r.active_members, r.task_registered, r.four_good, r.cells_total, r.cells_passing, r.present, r.expected)
                   IS DISTINCT FROM (i.active_members, i.task_registered, i.four_good, i.cells_total, i.cells_passing,
                                     i.attendance_present, i.attendance_expected))
    UNION ALL
    SELECT 'unit rows missing or extra',
           (SELECT count(*) FROM chibo.units u, generate_series(DATE '2023-01-01', DATE '2024-06-01', interval '1 month') m
             WHERE u.valid_from < m + interval '1 month' AND (u.valid_to IS NULL OR u.valid_to > m))
           - (SELECT count(*) FROM chibo.unit_months)
$$;

-- One hash per rollup, to compare an incremental refresh with a rebuild.
CREATE FUNCTION regress.rollup_hashes() RETURNS SETOF text
LANGUAGE sql AS $$
    SELECT 'cell_months ' || count(*) || ' ' || md5(string_agg(x::text, ',' ORDER BY x.unit_id, x.month)) FROM chibo.cell_months x
    UNION ALL
    SELECT 'cell_years ' || count(*) || ' ' || md5(string_agg(x::text, ',' ORDER BY x.unit_id, x.year)) FROM chibo.cell_years x
    UNION ALL
    SELECT 'unit_months ' || count(*) || ' ' || md5(string_agg(x::text, ',' ORDER BY x.unit_id, x.month)) FROM chibo.unit_months x
    UNION ALL
    SELECT 'unit_years ' || count(*) || ' ' || md5(string_agg(x::text, ',' ORDER BY x.unit_id, x.year)) FROM chibo.unit_years x
    UNION ALL
    SELECT 'unit_ancestors ' || count(*) || ' ' || md5(string_agg(x::text, ',' ORDER BY x.unit_id, x.ancestor_id)) FROM chibo.unit_ancestors x
$$;

-- Incremental refresh, then: rollups against the raw tables, and the same
-- rollups as a full rebuild gives (the rebuild runs in a subtransaction
-- rolled back, so the next step starts from the incremental result).
CREATE FUNCTION regress.refresh_and_check(label text) RETURNS TABLE (step text, result text)
LANGUAGE plpgsql AS $$
DECLARE
    incremental text[];
    rebuilt text[];
BEGIN
    RETURN QUERY SELECT label, 'recomputed ' || string_agg(r.rollup || ' ' || r.recomputed, ', ')
                   FROM chibo.refresh_reports() r;
    RETURN QUERY SELECT label, c.what || ': ' || c.mismatches FROM regress.check_rollups() c;
    incremental := ARRAY(SELECT regress.rollup_hashes());
    BEGIN
        PERFORM chibo.refresh_reports(full => true);
        rebuilt := ARRAY(SELECT regress.rollup_hashes());
        RAISE SQLSTATE 'P0003';
    EXCEPTION WHEN SQLSTATE 'P0003' THEN
        NULL;
    END;
    RETURN QUERY SELECT label, CASE WHEN incremental = rebuilt THEN 'same rollups as a full rebuild'
                                    ELSE 'DIFFERENT from a full rebuild: ' || array_to_string(incremental, '; ')
                                         || ' <> ' || array_to_string(rebuilt, '; ') END;
END
$$;

-- Before any refresh the reports refuse to answer.
SELECT regress.try($$SELECT * FROM chibo.indicators('R', '2023-01-01', '2023-12-31')$$);
SELECT count(*) AS recorded_changes_before_the_first_refresh FROM chibo.report_changes;

-- 1. The first refresh builds everything.
SELECT * FROM chibo.refresh_reports();
SELECT * FROM regress.check_rollups();
SELECT count(*) AS recorded_changes_left FROM chibo.report_changes;
SELECT first_month, last_month, refreshed_at IS NOT NULL AS refreshed, rebuilt_at IS NOT NULL AS rebuilt
  FROM chibo.report_state;
-- Nothing changed: nothing is recomputed.
SELECT * FROM chibo.refresh_reports();

-- 2. attendance: one status changes: one cell-month, its cell-year and the
-- units above it are recomputed (C1 hangs under R: 2 unit-months and 2
-- unit-years).
UPDATE chibo.attendance SET status = 'absent'
 WHERE id = (SELECT min(a.id) FROM chibo.attendance a JOIN chibo.units u ON u.id = a.unit_id
              WHERE u.code = 'C1' AND a.status = 'present' AND a.held_on BETWEEN '2023-04-01' AND '2023-04-30'
                AND a.member_id = (SELECT min(member_id) FROM chibo.attendance a2
                                    WHERE a2.unit_id = u.id AND a2.held_on = a.held_on AND a2.status = 'present'));
SELECT u.code, c.first_month, c.last_month FROM chibo.report_changes c JOIN chibo.units u ON u.id = c.unit_id;
SELECT * FROM regress.refresh_and_check('attendance update');
-- rows deleted (an excused member no longer recorded: counted absent) and
-- added (a member without a row now present)
DELETE FROM chibo.attendance
 WHERE id IN (SELECT a.id FROM chibo.attendance a JOIN chibo.units u ON u.id = a.unit_id
               WHERE u.code IN ('A2', 'B1') AND a.status = 'excused' AND a.held_on < '2023-08-01');
INSERT INTO chibo.attendance (meeting_id, member_id, status)
SELECT mt.id, ms.member_id, 'present'
  FROM chibo.meetings mt JOIN chibo.memberships ms ON ms.unit_id = mt.unit_id AND ms.period @> mt.held_on
 WHERE mt.held_on BETWEEN '2024-01-01' AND '2024-03-31'
   AND NOT EXISTS (SELECT FROM chibo.attendance a WHERE a.meeting_id = mt.id AND a.member_id = ms.member_id);
SELECT * FROM regress.refresh_and_check('attendance delete and insert');

-- 3. meetings: one moves to another month (its attendance follows), one is
-- deleted with its attendance, one is added, one becomes combined.
UPDATE chibo.meetings SET held_on = '2023-06-01'
 WHERE id = (SELECT mt.id FROM chibo.meetings mt JOIN chibo.units u ON u.id = mt.unit_id
              WHERE u.code = 'A2' AND mt.held_on = '2023-05-05');
DELETE FROM chibo.attendance WHERE meeting_id IN
    (SELECT mt.id FROM chibo.meetings mt JOIN chibo.units u ON u.id = mt.unit_id WHERE u.code = 'B2' AND mt.held_on = '2023-10-05');
DELETE FROM chibo.meetings WHERE id IN
    (SELECT mt.id FROM chibo.meetings mt JOIN chibo.units u ON u.id = mt.unit_id WHERE u.code = 'B2' AND mt.held_on = '2023-10-05');
INSERT INTO chibo.meetings (unit_id, held_on, kind)
SELECT id, '2023-11-28', 'regular' FROM chibo.units WHERE code = 'A3';
UPDATE chibo.meetings SET kind = 'combined'
 WHERE id = (SELECT mt.id FROM chibo.meetings mt JOIN chibo.units u ON u.id = mt.unit_id
              WHERE u.code = 'B1' AND mt.held_on = '2023-02-05' AND mt.kind = 'regular');
SELECT * FROM regress.refresh_and_check('meetings');

-- 4. memberships: a transfer (M02 leaves A2 for A3 on 2024-02-01; its
-- attendance after that date goes first), and a new member's membership.
DELETE FROM chibo.attendance WHERE member_id = (SELECT id FROM chibo.members WHERE code = 'M02') AND held_on >= '2024-02-01';
UPDATE chibo.memberships SET to_date = '2024-02-01'
 WHERE member_id = (SELECT id FROM chibo.members WHERE code = 'M02') AND to_date IS NULL;
INSERT INTO chibo.memberships (member_id, unit_id, from_date)
SELECT m.id, u.id, '2024-02-01' FROM chibo.members m, chibo.units u WHERE m.code = 'M02' AND u.code = 'A3';
INSERT INTO chibo.members (code, full_name, admitted_on) VALUES ('M61', 'Đảng viên 61', '2024-01-10');
INSERT INTO chibo.memberships (member_id, unit_id, from_date)
SELECT m.id, u.id, '2024-01-10' FROM chibo.members m, chibo.units u WHERE m.code = 'M61' AND u.code = 'C1';
SELECT * FROM regress.refresh_and_check('memberships');

-- 5. exemptions: one added, one shortened, one deleted.
INSERT INTO chibo.exemptions (member_id, from_date, to_date, reason)
SELECT id, '2023-03-01', '2023-05-15', 'health' FROM chibo.members WHERE code = 'M09';
UPDATE chibo.exemptions SET to_date = '2024-01-01' WHERE member_id = (SELECT id FROM chibo.members WHERE code = 'M12');
DELETE FROM chibo.exemptions WHERE member_id = (SELECT id FROM chibo.members WHERE code = 'M20');
SELECT * FROM regress.refresh_and_check('exemptions');

-- 6. members: a departure (M04 dies on 2024-03-10; its later attendance
-- and membership go first), and a departure taken back.
DELETE FROM chibo.attendance WHERE member_id = (SELECT id FROM chibo.members WHERE code = 'M04') AND held_on > '2024-03-10';
UPDATE chibo.memberships SET to_date = '2024-03-10'
 WHERE member_id = (SELECT id FROM chibo.members WHERE code = 'M04') AND to_date IS NULL;
UPDATE chibo.members SET left_on = '2024-03-10', left_reason = 'died' WHERE code = 'M04';
SELECT * FROM regress.refresh_and_check('members: a departure');
UPDATE chibo.memberships SET to_date = NULL
 WHERE member_id = (SELECT id FROM chibo.members WHERE code = 'M04') AND to_date = '2024-03-10';
UPDATE chibo.members SET left_on = NULL, left_reason = NULL WHERE code = 'M04';
SELECT * FROM regress.refresh_and_check('members: the departure taken back');

-- 7. units: a new cell A5 from 2024-04-15 that M16 joins; B3's end moved
-- earlier is refused while meetings rest on it, so B1 is renamed instead
-- (the tree's rows change: every unit row is recomputed from the cells).
INSERT INTO chibo.units (code, parent_id, name, kind, grassroots, cell_type, valid_from)
SELECT 'A5', id, 'Chi bộ A5', 'cell', false, 'school', '2024-04-15' FROM chibo.units WHERE code = 'A';
DELETE FROM chibo.attendance WHERE member_id = (SELECT id FROM chibo.members WHERE code = 'M16') AND held_on >= '2024-04-15';
UPDATE chibo.memberships SET to_date = '2024-04-15'
 WHERE member_id = (SELECT id FROM chibo.members WHERE code = 'M16') AND to_date IS NULL;
INSERT INTO chibo.memberships (member_id, unit_id, from_date)
SELECT m.id, u.id, '2024-04-15' FROM chibo.members m, chibo.units u WHERE m.code = 'M16' AND u.code = 'A5';
UPDATE chibo.units SET name = 'Chi bộ Công an B1' WHERE code = 'B1';
SELECT * FROM regress.refresh_and_check('units');

-- 8. assessments, task registrations and grades.
UPDATE chibo.assessments SET criteria = '0111'
 WHERE member_id IN (SELECT id FROM chibo.members WHERE code IN ('M01', 'M02', 'M03')) AND period_start = '2023-01-01';
INSERT INTO chibo.assessments (subject_kind, member_id, scheme_id, period_start, period_end, criteria)
SELECT 'member', m.id, s.id, '2024-05-01', '2024-05-31', '1011'
  FROM chibo.members m, chibo.schemes s WHERE s.code = 'DV4T' AND m.code = 'M08';
SELECT * FROM regress.refresh_and_check('assessments');
DELETE FROM chibo.task_registrations WHERE year = 2024 AND member_id IN (SELECT id FROM chibo.members WHERE code < 'M10');
INSERT INTO chibo.task_registrations (member_id, year, kind, title)
SELECT id, 2023, 'difficult', 'Nhiệm vụ khó thêm' FROM chibo.members WHERE code BETWEEN 'M40' AND 'M50';
SELECT * FROM regress.refresh_and_check('task registrations');
UPDATE chibo.classifications SET grade = 'excellent' WHERE year = 2023 AND grade = 'good'
   AND member_id IN (SELECT id FROM chibo.members WHERE code > 'M50');
SELECT * FROM regress.refresh_and_check('classifications');
SELECT unit_id IN (SELECT id FROM chibo.units WHERE grassroots) AS grassroots, sum(graded_excellent) AS excellent,
       sum(graded_good) AS good
  FROM chibo.unit_years WHERE year = 2023 GROUP BY 1 ORDER BY 1;

-- 9. A meeting in a new month moves the reporting range: a full rebuild.
INSERT INTO chibo.meetings (unit_id, held_on, kind) SELECT id, '2024-07-05', 'regular' FROM chibo.units WHERE code = 'C1';
SET client_min_messages = notice;
SELECT * FROM chibo.refresh_reports();
SET client_min_messages = warning;
DELETE FROM chibo.meetings WHERE held_on = '2024-07-05';
SELECT * FROM regress.refresh_and_check('range back to 2024-06');

-- A TRUNCATE of a table the rollups read asks for a full rebuild.
TRUNCATE chibo.classifications;
SELECT unit_id, first_month, last_month FROM chibo.report_changes;
SELECT * FROM regress.refresh_and_check('after TRUNCATE');

-- The progress notices of a refresh (one change).
UPDATE chibo.attendance SET status = 'present'
 WHERE id = (SELECT a.id FROM chibo.attendance a JOIN chibo.units u ON u.id = a.unit_id
               JOIN chibo.members m ON m.id = a.member_id
              WHERE a.status = 'absent' ORDER BY u.code DESC, a.held_on, m.code LIMIT 1);
SET client_min_messages = notice;
SELECT * FROM chibo.refresh_reports();
SET client_min_messages = warning;
SELECT regress.try('SELECT * FROM chibo.refresh_reports(NULL)');

-- Data changed since the refresh: the reports say so.
UPDATE chibo.attendance SET status = 'absent'
 WHERE id = (SELECT a.id FROM chibo.attendance a JOIN chibo.units u ON u.id = a.unit_id
               JOIN chibo.members m ON m.id = a.member_id
              WHERE a.status = 'present' ORDER BY u.code DESC, a.held_on, m.code LIMIT 1);
SET client_min_messages = notice;
SELECT active_members, cells_total FROM chibo.indicators('R', '2023-01-01', '2023-12-31');
SET client_min_messages = warning;
SELECT count(*) FROM chibo.refresh_reports();

DROP FUNCTION regress.refresh_and_check(text), regress.rollup_hashes(), regress.check_rollups();
DROP VIEW regress.raw_cell_months;
DROP MATERIALIZED VIEW regress.raw_meetings, regress.raw_month_members;
DROP VIEW regress.raw_belonging;
RESET client_min_messages;
