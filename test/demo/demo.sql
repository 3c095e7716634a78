-- chibo demo: the report of the Tây Hồ district as its committee published
-- it in June 2024 (Đề án 11-ĐA/TU, December 2021 to May 2024), computed
-- from the imported data, then the lists the committee acts on.
\set QUIET on
\pset footer off
\pset null ''
SET search_path = chibo, public;
SET client_min_messages = warning;

\echo
\echo '== Refreshing the report rollups'
SELECT rollup, recomputed FROM refresh_reports();

\echo
\echo '== Đảng bộ quận Tây Hồ: báo cáo 3 năm thực hiện Đề án 11-ĐA/TU (12/2021 - 5/2024)'
WITH i AS (SELECT * FROM indicators('TH', '2021-12-01', '2024-05-31'))
SELECT indicator, figure
  FROM i, LATERAL (VALUES
        (1, 'members registered for a new or difficult task', task_registration_text),
        (2, 'members achieving "Đảng viên 4 tốt"', four_good_text),
        (3, 'cells whose every monthly meeting had attendance of at least 85%',
            cells_passing::text || '/' || cells_total::text),
        (4, 'attendance at regular meetings, pooled', attendance_text),
        (5, 'active members on 31 May 2024', replace(to_char(active_members, 'FM999,999,999'), ',', '.'))
       ) AS f (n, indicator, figure)
 ORDER BY n;

-- The demo district is generated to give exactly the published figures.
DO $$
BEGIN
    IF (SELECT (task_registration_text, four_good_text, cells_passing, cells_total)
          FROM chibo.indicators('TH', '2021-12-01', '2024-05-31'))
       IS DISTINCT FROM ('7.126/7.560 (94%)'::text, '6.804/7.560 (90%)'::text, 230::bigint, 269::bigint) THEN
        RAISE EXCEPTION 'the demo district does not give the published figures';
    END IF;
END
$$;

\echo
\echo '== Attendance by cell type over the same window (published: agencies, armed forces, schools above 90%)'
SELECT u.cell_type, count(DISTINCT u.id) AS cells,
       display(ratio(sum(c.present)::bigint, sum(c.expected)::bigint)) AS attendance,
       ratio(sum(c.present)::bigint, sum(c.expected)::bigint) > 0.9 AS above_90
  FROM subtree(unit_id_of('TH')) u
  JOIN cell_months c ON c.unit_id = u.id AND c.month BETWEEN '2021-12-01' AND '2024-05-01'
 WHERE u.kind = 'cell'
 GROUP BY u.cell_type ORDER BY u.cell_type;

\echo
\echo '== The headline per year (chibo_report.headline, what a BI dashboard reads)'
SELECT year, first_month AS "from", last_month AS "to", active_members, task_registration_text AS task_registration,
       four_good_text AS four_good, cells_passing_text AS cells_85, attendance_text AS attendance
  FROM chibo_report.headline WHERE unit_code = 'TH' ORDER BY year;

\echo
\echo '== Cells needing attention, 12/2021 - 5/2024 (first 12 of the list)'
SELECT (SELECT count(*) FROM cells_needing_attention('TH', '2021-12-01', '2024-05-31')) AS cells_in_the_list,
       (SELECT count(*) FROM cells_needing_attention('TH', '2021-12-01', '2024-05-31')
         WHERE months_without_meeting IS NOT NULL) AS with_a_month_without_meeting,
       (SELECT count(*) FROM cells_needing_attention('TH', '2021-12-01', '2024-05-31')
         WHERE months_below_threshold IS NOT NULL) AS with_a_month_below_85;
SELECT cell_code, cell_type,
       array_to_string(ARRAY(SELECT to_char(m, 'MM/YYYY') FROM unnest(months_without_meeting) m), ', ') AS no_meeting_in,
       array_to_string(ARRAY(SELECT to_char(m, 'MM/YYYY') FROM unnest(months_below_threshold) m), ', ') AS below_85_in,
       display(lowest_ratio) AS lowest,
       cardinality(quarters_without_thematic) AS quarters_without_thematic
  FROM cells_needing_attention('TH', '2021-12-01', '2024-05-31')
 WHERE months_without_meeting IS NOT NULL OR months_below_threshold IS NOT NULL
 ORDER BY cell_code LIMIT 12;

\echo
\echo '== Members needing attention (months absent without excuse in a calendar year)'
SELECT y AS year, count(*) FILTER (WHERE flag = 'warning') AS "warning (2 months)",
       count(*) FILTER (WHERE flag = 'strike_off_review') AS "strike_off_review (3+)"
  FROM generate_series(2022, 2024) y, members_needing_attention('TH', y)
 GROUP BY y ORDER BY y;
SELECT member_code, unexcused_months, flag FROM members_needing_attention('TH', 2023) LIMIT 8;

\echo
\echo '== Grading quota 2023: excellent may not exceed 20% of good in a grassroots organisation'
SELECT organisation_code, organisation_name, excellent, good, over_quota
  FROM grading_quota('TH', 2023) WHERE over_quota;
SELECT count(*) AS organisations, count(*) FILTER (WHERE over_quota) AS over_quota FROM grading_quota('TH', 2023);
