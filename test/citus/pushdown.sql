-- chibo on a real Citus 13 cluster (PostgreSQL 15): every chibo aggregate,
-- grouped by a column other than the distribution column, must run as a
-- partial aggregate (worker_partial_agg on the workers, coord_combine_agg on
-- the coordinator) and give exactly the answer of the same query over a
-- local copy of the table.
--
-- Not run by the test command (Citus is not installed here).  How to run it
-- is in docs/scale-out.md, section 9:
--
--   psql -X -v ON_ERROR_STOP=1 -d DB -f test/citus/pushdown.sql
--
-- on the coordinator of a cluster whose every node has the citus and chibo
-- packages installed (same chibo version).  It creates and drops the schema
-- chibo_pushdown; it ends with an error if any check fails.

\set ON_ERROR_STOP on

CREATE EXTENSION IF NOT EXISTS citus;
CREATE EXTENSION IF NOT EXISTS chibo;    -- Citus creates it on the workers too
SELECT extversion AS citus_version FROM pg_extension WHERE extname = 'citus';
SELECT extversion AS chibo_version FROM pg_extension WHERE extname = 'chibo';
SELECT nodename, nodeport, noderole FROM pg_dist_node ORDER BY nodeid;

-- An aggregate that cannot be split must fail here, not quietly pull every
-- row to the coordinator ('row-gather', the default).
SET citus.coordinator_aggregation_strategy = 'disabled';
SET citus.shard_count = 8;
SET search_path = chibo_pushdown, chibo, public;

SET client_min_messages = warning;
DROP SCHEMA IF EXISTS chibo_pushdown CASCADE;
RESET client_min_messages;
CREATE SCHEMA chibo_pushdown;

-- The data of test/sql/scaleout_emulation.sql: id is the distribution
-- column, cell the GROUP BY column; NULLs, 0/0, a cell of one row, a cell of
-- NULLs only, a cell whose pooled whole reaches 4294967295.
CREATE TABLE chibo_pushdown.facts (id integer PRIMARY KEY, cell integer, status attendance_status,
                                   present boolean, r ratio, c criteria);
INSERT INTO chibo_pushdown.facts
SELECT i, (i * 7) % 40,
       CASE WHEN i % 23 = 0 THEN NULL
            ELSE (ARRAY['present', 'present', 'present', 'excused', 'absent']::attendance_status[])[1 + (i / 40 + i / 3) % 5] END,
       CASE WHEN i % 19 = 0 THEN NULL ELSE (i / 40 + i / 7) % 4 <> 0 END,
       CASE WHEN i % 17 = 0 THEN NULL WHEN i % 13 = 0 THEN '0/0'::ratio
            ELSE ratio((i / 40 * 13 + i / 11) % 21, 20 + (i / 40) % 3) END,
       CASE WHEN i % 29 = 0 THEN NULL
            WHEN (i * 7) % 40 = 5 THEN '1111'::criteria
            WHEN i % 97 = 0 THEN '1101' WHEN i % 311 = 0 THEN '0111' ELSE '1111' END
FROM generate_series(1, 120000) AS i;
INSERT INTO chibo_pushdown.facts VALUES (1000001, 100, 'excused', true, '3/7', '1011');
INSERT INTO chibo_pushdown.facts SELECT i, 101, NULL, NULL, NULL, NULL FROM generate_series(1000011, 1000016) AS i;
INSERT INTO chibo_pushdown.facts
SELECT 3000000 + k, 103, 'present', true,
       CASE WHEN k = 4 THEN '3/3'::ratio ELSE '1073741823/1073741823' END, '1111'
FROM generate_series(0, 4) AS k;

-- The local copy (an ordinary table on the coordinator), then distribution.
CREATE TABLE chibo_pushdown.facts_local AS SELECT * FROM chibo_pushdown.facts;
SELECT create_distributed_table('chibo_pushdown.facts', 'id');
SELECT count(*) AS shards FROM pg_dist_shard WHERE logicalrelid = 'chibo_pushdown.facts'::regclass;

-- Every chibo aggregate, with the inputs each argument type takes (as in
-- the emulation test); an aggregate with an argument type missing here has
-- no case and is reported as a failure.
CREATE TABLE chibo_pushdown.inputs (argtype regtype, expr text);
INSERT INTO chibo_pushdown.inputs VALUES
    ('attendance_status', 'status'), ('boolean', 'present'), ('ratio', 'r'), ('criteria', 'c'),
    ('text', '''excused_count'''), ('text', '''excused_excluded'''),
    ('numeric', '0.85'), ('numeric', '0.5');

CREATE TABLE chibo_pushdown.cases AS
WITH RECURSIVE aggs AS (
    SELECT a.aggfnoid::regprocedure AS agg,
           quote_ident(n.nspname) || '.' || quote_ident(p.proname) AS agg_name,
           p.proargtypes::oid[] AS argtypes
    FROM pg_aggregate a JOIN pg_proc p ON p.oid = a.aggfnoid JOIN pg_namespace n ON n.oid = p.pronamespace
    WHERE p.pronamespace = 'chibo'::regnamespace),
calls (agg, pos, args) AS (
    SELECT agg, 0, ''::text FROM aggs
    UNION ALL
    SELECT c.agg, c.pos + 1, c.args || CASE WHEN c.pos = 0 THEN '' ELSE ', ' END || i.expr
    FROM calls c JOIN aggs a USING (agg)
    JOIN chibo_pushdown.inputs i ON i.argtype = a.argtypes[array_lower(a.argtypes, 1) + c.pos]
    WHERE c.pos < cardinality(a.argtypes))
SELECT a.agg, a.agg_name || '(' || c.args || ')' AS call
FROM aggs a LEFT JOIN calls c ON c.agg = a.agg AND c.pos = cardinality(a.argtypes);

-- One case: the plan, and the results per cell against the local copy.
CREATE FUNCTION chibo_pushdown.check_case(call text, group_column text,
    OUT partial_on_workers boolean, OUT combined_on_coordinator boolean,
    OUT groups bigint, OUT same bigint)
LANGUAGE plpgsql AS $$
DECLARE
    line text;
    plan text := '';
BEGIN
    IF call IS NULL THEN
        RETURN;
    END IF;
    FOR line IN EXECUTE format('EXPLAIN (VERBOSE, COSTS OFF) SELECT %1$s, %2$s FROM chibo_pushdown.facts GROUP BY %1$s',
                               group_column, call) LOOP
        plan := plan || line || E'\n';
    END LOOP;
    partial_on_workers := plan LIKE '%worker_partial_agg%';
    combined_on_coordinator := plan LIKE '%coord_combine_agg%';
    EXECUTE format($q$
        SELECT count(*), count(*) FILTER (WHERE d.v IS NOT DISTINCT FROM l.v)
        FROM (SELECT %1$s AS g, %2$s::text AS v FROM chibo_pushdown.facts GROUP BY 1) d
        FULL JOIN (SELECT %1$s AS g, %2$s::text AS v FROM chibo_pushdown.facts_local GROUP BY 1) l USING (g)$q$,
        group_column, call)
    INTO groups, same;
END
$$;

-- 1. Grouped by cell (not the distribution column): partial aggregation.
CREATE TABLE chibo_pushdown.results AS
SELECT c.call, x.*,
       c.call IS NOT NULL AND x.partial_on_workers AND x.combined_on_coordinator AND x.groups = x.same AS ok
FROM chibo_pushdown.cases c, LATERAL chibo_pushdown.check_case(c.call, 'cell') x;
SELECT agg, call, partial_on_workers, combined_on_coordinator, groups, same, ok
FROM chibo_pushdown.results JOIN chibo_pushdown.cases USING (call) ORDER BY call;
SELECT agg AS aggregate_without_a_case FROM chibo_pushdown.cases WHERE call IS NULL;

-- One plan in full, for the record.
EXPLAIN (VERBOSE, COSTS OFF)
SELECT cell, chibo.sum(r), chibo.attendance_ratio(status, 'excused_excluded'), chibo.four_good_status(c)
FROM chibo_pushdown.facts GROUP BY cell;

-- 2. Grouped by the distribution column: the whole query runs on the
-- workers (no partial aggregation needed: the plan shows the aggregate
-- itself in the worker query); the results must agree too.
CREATE TABLE chibo_pushdown.results_pushed AS
SELECT c.call, x.*
FROM chibo_pushdown.cases c, LATERAL chibo_pushdown.check_case(c.call, 'id') x
WHERE c.call IS NOT NULL;
SELECT call, partial_on_workers AS partial, groups, same, groups = same AS ok
FROM chibo_pushdown.results_pushed ORDER BY call;

-- 3. No GROUP BY: one state per shard, combined on the coordinator.
CREATE FUNCTION chibo_pushdown.check_total(call text, OUT distributed text, OUT local text)
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('SELECT %s::text FROM chibo_pushdown.facts WHERE cell <> 103', call) INTO distributed;
    EXECUTE format('SELECT %s::text FROM chibo_pushdown.facts_local WHERE cell <> 103', call) INTO local;
END
$$;
CREATE TABLE chibo_pushdown.totals AS
SELECT c.call, x.*, x.distributed IS NOT DISTINCT FROM x.local AS ok
FROM chibo_pushdown.cases c, LATERAL chibo_pushdown.check_total(c.call) x WHERE c.call IS NOT NULL;
SELECT * FROM chibo_pushdown.totals ORDER BY call;

-- 4. A combine that must fail fails on the coordinator as it does locally:
-- two shards' ratios that pool above 4294967295.
CREATE TABLE chibo_pushdown.clash (id integer, cell integer, r ratio);
SELECT create_distributed_table('chibo_pushdown.clash', 'id');
INSERT INTO chibo_pushdown.clash
SELECT id, 1, CASE WHEN rn = 1 THEN '4000000000/4000000000'::ratio ELSE '400000000/400000000' END
FROM (SELECT i AS id, row_number() OVER (ORDER BY get_shard_id_for_distribution_column('chibo_pushdown.clash', i)) AS rn
      FROM generate_series(1, 64) AS i) x
WHERE rn IN (1, 64);
SELECT count(DISTINCT get_shard_id_for_distribution_column('chibo_pushdown.clash', id)) AS shards_holding_the_rows
FROM chibo_pushdown.clash;
DO $$
BEGIN
    PERFORM chibo.sum(r) FROM chibo_pushdown.clash GROUP BY cell;
    RAISE EXCEPTION 'chibo_pushdown: the pooled overflow was not rejected';
EXCEPTION WHEN numeric_value_out_of_range THEN
    RAISE NOTICE 'chibo_pushdown: overflow rejected: %', SQLERRM;
END
$$;

-- The verdict.
DO $$
DECLARE
    failures bigint;
BEGIN
    SELECT (SELECT count(*) FROM chibo_pushdown.results WHERE NOT coalesce(ok, false))
         + (SELECT count(*) FROM chibo_pushdown.results_pushed WHERE groups <> same)
         + (SELECT count(*) FROM chibo_pushdown.totals WHERE NOT ok)
      INTO failures;
    IF failures > 0 THEN
        RAISE EXCEPTION 'chibo_pushdown: % failed checks (see the tables above)', failures;
    END IF;
    RAISE NOTICE 'chibo_pushdown: every chibo aggregate pushed down as a partial aggregate and gave the local answer';
END
$$;

SET client_min_messages = warning;
DROP SCHEMA chibo_pushdown CASCADE;
