-- Parallel query: every aggregate runs as Partial Aggregate in two workers
-- and Finalize Aggregate in the leader, through its combine function, and
-- gives exactly the serial result.

CREATE TABLE par (id int, cell int, status attendance_status, present boolean,
                  r ratio, c4 criteria, c5 criteria);
INSERT INTO par
SELECT i, i % 97,
       (ARRAY['present', 'present', 'present', 'excused', 'absent']::attendance_status[])[1 + (i * 7) % 5],
       CASE WHEN i % 11 = 0 THEN NULL ELSE (i * 3) % 4 <> 0 END,
       CASE WHEN i % 13 = 0 THEN '0/0'::ratio WHEN i % 17 = 0 THEN NULL
            ELSE ratio((i * 31) % 20, 20) END,
       CASE WHEN i % 1000 = 0 THEN '1101'::criteria ELSE '1111' END,
       CASE WHEN i % 5 = 0 THEN '11011'::criteria ELSE '11111' END
FROM generate_series(1, 100000) AS i;
ANALYZE par;

CREATE VIEW par_all AS
SELECT attendance_ratio(status) AS attendance,
       attendance_ratio(status, 'excused_excluded') AS attendance_excluded,
       attendance_ratio(present) AS attendance_boolean,
       sum(r) AS pooled, min(r) AS lowest, max(r) AS highest,
       share_at_least(r, 0.85) AS share_085,
       four_good_status(c4) AS four_good, good_status(c5) AS five_good
FROM par;

CREATE VIEW par_cells AS
SELECT cell, attendance_ratio(status) AS attendance,
       attendance_ratio(status, 'excused_count') AS attendance_counted,
       sum(r) AS pooled, min(r) AS lowest, share_at_least(r, 0.5) AS share_05,
       four_good_status(c4) AS four_good
FROM par GROUP BY cell;

-- Serial.
SET max_parallel_workers_per_gather = 0;
EXPLAIN (COSTS OFF) SELECT * FROM par_all;
CREATE TEMP TABLE serial_all AS SELECT * FROM par_all;
CREATE TEMP TABLE serial_cells AS SELECT * FROM par_cells;
SELECT * FROM serial_all;

-- Forced parallel.
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;
EXPLAIN (COSTS OFF) SELECT * FROM par_all;
EXPLAIN (COSTS OFF) SELECT * FROM par_cells;

SELECT (SELECT p::text FROM par_all p) = (SELECT s::text FROM serial_all s) AS same_totals;
SELECT count(*) AS cells,
       count(*) FILTER (WHERE p::text = s::text) AS same_per_cell
FROM par_cells p JOIN serial_cells s USING (cell);

-- Errors raised in a worker reach the user with their SQLSTATE.
SELECT regress.try($$SELECT chibo.good_status(CASE WHEN id = 77777 THEN c5 ELSE c4 END) FROM par$$) AS mixed_in_worker;
RESET ALL;
DROP VIEW par_all, par_cells;
DROP TABLE par;
