-- A reader of the reports: the headline view, the published figures
-- through chibo.indicators(), and one month of the district and of one
-- committee from the view unit_month; and a check that the rollups it reads
-- are never half a refresh.
\set m random(0, 41)
SELECT count(*), sum(active_members), sum(cells_passing) FROM chibo_report.headline;
SELECT active_members, task_registration_text, four_good_text, cells_text, attendance_text
  FROM chibo.indicators('TH', '2021-12-01', '2024-05-31');
SELECT unit_code, attendance_present, attendance_expected, cells_passing, cells_total
  FROM chibo_report.unit_month
 WHERE month = date '2021-01-01' + make_interval(months => :m) AND level <= 1;
-- Never half a refresh: in one snapshot, each top committee's year rows
-- equal the sums of its cells' year rows (a mismatch divides by zero: an
-- error, which pgbench counts as a failure).
SELECT 1 / (count(*) = 0)::integer AS consistent
  FROM chibo.unit_years uy
  JOIN chibo.units u ON u.id = uy.unit_id AND u.parent_id IS NULL
 CROSS JOIN LATERAL (SELECT sum(cy.present) AS present, sum(cy.expected) AS expected,
                            sum(cy.meetings) AS meetings, sum(cy.side_meetings) AS side_meetings
                       FROM chibo.cell_years cy JOIN chibo.unit_ancestors ua ON ua.unit_id = cy.unit_id
                      WHERE ua.ancestor_id = uy.unit_id AND cy.year = uy.year) AS c
 WHERE (uy.present, uy.expected, uy.meetings, uy.side_meetings)
       IS DISTINCT FROM (c.present, c.expected, c.meetings, c.side_meetings);
