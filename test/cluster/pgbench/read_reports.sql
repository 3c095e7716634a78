-- A reader of the reports: the headline view, the published figures
-- through chibo.indicators(), and one month of the district and of one
-- committee from the view unit_month.
\set m random(0, 41)
SELECT count(*), sum(active_members), sum(cells_passing) FROM chibo_report.headline;
SELECT active_members, task_registration_text, four_good_text, cells_text, attendance_text
  FROM chibo.indicators('TH', '2021-12-01', '2024-05-31');
SELECT unit_code, attendance_present, attendance_expected, cells_passing, cells_total
  FROM chibo_report.unit_month
 WHERE month = date '2021-01-01' + make_interval(months => :m) AND level <= 1;
