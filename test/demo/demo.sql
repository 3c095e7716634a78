-- chibo demo: the imported district, and the types and aggregates the
-- reports are built from.
--
-- (The headline report with the published Tây Hồ figures comes with the
-- reports; this shows the data and the building blocks they use.)
\set QUIET on
\pset footer off
SET search_path = chibo, public;

\echo
\echo '== The district as imported: the tree on 31 May 2024'
SELECT p.code AS parent, u.kind, u.cell_type, count(*) AS units
FROM units u LEFT JOIN units p ON p.id = u.parent_id
WHERE u.valid_from <= '2024-05-31' AND (u.valid_to IS NULL OR u.valid_to > '2024-05-31')
  AND (p.code = 'TH' OR u.code = 'TH')
GROUP BY 1, 2, 3 ORDER BY 1 NULLS FIRST, 2, 3;

\echo '== Members belonging to a cell of TH on 31 May 2024 (history: memberships and departures)'
SELECT count(*) AS active_members,
       count(*) FILTER (WHERE m.full_member_on IS NULL OR m.full_member_on > '2024-05-31') AS probationary,
       count(*) FILTER (WHERE EXISTS (SELECT FROM exemptions e WHERE e.member_id = m.id AND e.period @> DATE '2024-05-31')) AS exempt
FROM memberships ms JOIN members m ON m.id = ms.member_id
WHERE ms.period @> DATE '2024-05-31' AND (m.left_on IS NULL OR m.left_on >= '2024-05-31');

\echo '== What was imported'
SELECT (SELECT count(*) FROM meetings) AS meetings, (SELECT count(*) FROM attendance) AS attendance_rows,
       (SELECT count(*) FROM task_registrations) AS task_registrations,
       (SELECT count(*) FROM assessments) AS assessments, (SELECT count(*) FROM chibo_import.rejects) AS rejected_rows;

\echo
\echo '== Ratios are exact counts, shown the Vietnamese way'
SELECT label, r AS exact, display(r) AS shown, percent(r, 2) AS percent
FROM (VALUES ('task registration', '7126/7560'::ratio),
             ('four-good members', '6804/7560'),
             ('cells at or above 85% every month', '230/269')) AS figures(label, r);

\echo '== Attendance of three cells over two monthly meetings'
CREATE TEMP TABLE roll (cell text, month int, member int, status attendance_status);
-- Cell 1 rarely misses a meeting, cell 3 often: absent in about 4%, 10% and
-- 20% of the seats, excused in about 5%.
INSERT INTO roll
SELECT 'TH.BT.0' || c, m, p,
       CASE WHEN abs(hashtext(format('%s-%s-%s', c, m, p))) % 100 < (ARRAY[4, 10, 20])[c] THEN 'absent'
            WHEN abs(hashtext(format('%s/%s/%s', c, m, p))) % 100 < 5 THEN 'excused'
            ELSE 'present' END::attendance_status
FROM generate_series(1, 3) c, generate_series(1, 2) m, generate_series(1, 12 + c * 4) p;

SELECT cell, month, attendance_ratio(status) AS attendance,
       display(attendance_ratio(status)) AS shown,
       attendance_ratio(status) >= 0.85 AS meets_85
FROM roll GROUP BY cell, month ORDER BY cell, month;

\echo '== Pooled per cell (parts add, wholes add), and the share of cells whose every month met 85%'
SELECT cell, sum(monthly) AS pooled, min(monthly) AS worst_month,
       display(sum(monthly)) AS shown
FROM (SELECT cell, month, attendance_ratio(status) AS monthly FROM roll GROUP BY cell, month) AS m
GROUP BY cell ORDER BY cell;
SELECT display(share_at_least(worst, 0.85)) AS cells_meeting_85_every_month
FROM (SELECT cell, min(monthly) AS worst
      FROM (SELECT cell, month, attendance_ratio(status) AS monthly FROM roll GROUP BY cell, month) AS m
      GROUP BY cell) AS c;

\echo '== "4 tốt": all four criteria met in every assessment'
SELECT member, four_good_status(c) AS status, label(four_good_status(c)),
       failed_criteria(four_good_status(c)) AS failed
FROM (VALUES ('TH-0001', '1111'::criteria), ('TH-0001', '1111'),
             ('TH-0002', '1111'), ('TH-0002', '1101'),
             ('TH-0003', '1110')) AS a(member, c)
GROUP BY member ORDER BY member;
