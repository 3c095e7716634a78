-- Bulk load of generated files for the country slice (docs/benchmarks.md):
--
--   psql -v ON_ERROR_STOP=1 -v dir=/tmp/bench-data/country -d bench_country -f test/bench/bulk_load.sql
--
-- NOT the import contract.  The contract (chibo.import_staged()) checks
-- every row and writes through the tables' triggers; at 21 million
-- attendance rows that takes hours on a busy 2-core machine.  This script
-- \copy-s the nine files into the staging tables, then, with
-- session_replication_role = replica (no trigger fires: no foreign-key,
-- rule, audit or change-tracking trigger), writes the staged rows into
-- the tables in dependency order, resolving codes to ids with joins.  It
-- trusts the files: use it only on the generator's output, which passes
-- its --self-test.  Constraints that are indexes (keys, the membership
-- no-overlap exclusion) still hold.  Afterwards unit_ancestors is rebuilt
-- (its trigger is fired once) and the rollups are empty until
-- chibo.refresh_reports(true).
\set ON_ERROR_STOP 1
\timing on
\cd :dir
\copy chibo_import.units FROM 'units.csv' CSV HEADER
\copy chibo_import.members FROM 'members.csv' CSV HEADER
\copy chibo_import.memberships FROM 'memberships.csv' CSV HEADER
\copy chibo_import.exemptions FROM 'exemptions.csv' CSV HEADER
\copy chibo_import.meetings FROM 'meetings.csv' CSV HEADER
\copy chibo_import.attendance FROM 'attendance.csv' CSV HEADER
\copy chibo_import.task_registrations FROM 'task_registrations.csv' CSV HEADER
\copy chibo_import.assessments FROM 'assessments.csv' CSV HEADER
\copy chibo_import.classifications FROM 'classifications.csv' CSV HEADER

BEGIN;
SET LOCAL session_replication_role = replica;
SET LOCAL work_mem = '1GB';
SET LOCAL max_parallel_workers_per_gather = 0;

INSERT INTO chibo.units (code, parent_id, name, kind, grassroots, cell_type, valid_from, valid_to)
SELECT code, NULL, name, kind, grassroots::boolean, NULLIF(cell_type, ''), valid_from::date, NULLIF(valid_to, '')::date
  FROM chibo_import.units;
UPDATE chibo.units u SET parent_id = p.id
  FROM chibo_import.units s JOIN chibo.units p ON p.code = s.parent_code
 WHERE s.code = u.code;

INSERT INTO chibo.members (code, full_name, gender, birth_date, admitted_on, full_member_on, left_on, left_reason)
SELECT code, full_name, NULLIF(gender, ''), NULLIF(birth_date, '')::date, admitted_on::date,
       NULLIF(full_member_on, '')::date, NULLIF(left_on, '')::date, NULLIF(left_reason, '')
  FROM chibo_import.members;
ANALYZE chibo.units, chibo.members;

INSERT INTO chibo.memberships (member_id, unit_id, from_date, to_date)
SELECT m.id, u.id, s.from_date::date, NULLIF(s.to_date, '')::date
  FROM chibo_import.memberships s
  JOIN chibo.members m ON m.code = s.member_code
  JOIN chibo.units u ON u.code = s.unit_code;

INSERT INTO chibo.exemptions (member_id, from_date, to_date, reason)
SELECT m.id, s.from_date::date, NULLIF(s.to_date, '')::date, s.reason
  FROM chibo_import.exemptions s JOIN chibo.members m ON m.code = s.member_code;

INSERT INTO chibo.meetings (unit_id, held_on, kind, topic, minutes)
SELECT u.id, s.held_on::date, s.kind, NULLIF(s.topic, ''), NULLIF(s.minutes, '')::integer
  FROM chibo_import.meetings s JOIN chibo.units u ON u.code = s.unit_code;
ANALYZE chibo.memberships, chibo.meetings;

INSERT INTO chibo.attendance (meeting_id, unit_id, held_on, member_id, membership_id, status)
SELECT mt.id, mt.unit_id, mt.held_on, m.id, ms.id, s.status::chibo.attendance_status
  FROM chibo_import.attendance s
  JOIN chibo.units u ON u.code = s.unit_code
  JOIN chibo.meetings mt ON mt.unit_id = u.id AND mt.held_on = s.held_on::date AND mt.kind = s.meeting_kind
  JOIN chibo.members m ON m.code = s.member_code
  LEFT JOIN chibo.memberships ms
    ON ms.member_id = m.id AND ms.unit_id = mt.unit_id AND ms.from_date <= mt.held_on
   AND (ms.to_date IS NULL OR ms.to_date > mt.held_on)
 ORDER BY mt.id;

INSERT INTO chibo.task_registrations (member_id, year, kind, title, outcome)
SELECT m.id, s.year::integer, s.kind, s.title, COALESCE(NULLIF(s.outcome, ''), 'pending')
  FROM chibo_import.task_registrations s JOIN chibo.members m ON m.code = s.member_code;

INSERT INTO chibo.assessments (subject_kind, member_id, unit_id, scheme_id, period_start, period_end, criteria)
SELECT s.subject_kind, m.id, u.id, sc.id, s.period_start::date, s.period_end::date, s.criteria::chibo.criteria
  FROM chibo_import.assessments s
  JOIN chibo.schemes sc ON sc.code = s.scheme
  LEFT JOIN chibo.members m ON s.subject_kind = 'member' AND m.code = s.subject_code
  LEFT JOIN chibo.units u ON s.subject_kind = 'cell' AND u.code = s.subject_code;

INSERT INTO chibo.classifications (subject_kind, member_id, unit_id, year, grade, score)
SELECT s.subject_kind, m.id, u.id, s.year::integer, s.grade, NULLIF(s.score, '')::numeric
  FROM chibo_import.classifications s
  LEFT JOIN chibo.members m ON s.subject_kind = 'member' AND m.code = s.subject_code
  LEFT JOIN chibo.units u ON s.subject_kind = 'cell' AND u.code = s.subject_code;

SET LOCAL session_replication_role = origin;
-- fires the statement trigger that rebuilds unit_ancestors
UPDATE chibo.units SET name = name WHERE false;
COMMIT;

TRUNCATE chibo_import.units, chibo_import.members, chibo_import.memberships, chibo_import.exemptions,
         chibo_import.meetings, chibo_import.attendance, chibo_import.task_registrations,
         chibo_import.assessments, chibo_import.classifications;
TRUNCATE chibo.report_changes;
VACUUM ANALYZE;
SELECT (SELECT count(*) FROM chibo.attendance) AS attendance, (SELECT count(*) FROM chibo.unit_ancestors) AS unit_ancestors;
