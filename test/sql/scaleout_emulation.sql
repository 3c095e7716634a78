-- Citus 13's partial aggregation, emulated in one database (docs/scale-out.md,
-- section 5).  A query grouped by a column other than the distribution
-- column runs on Citus as:
--   each worker, each shard:  worker_partial_agg(agg, args) per group: the
--                             transition function over the shard's rows,
--                             then the state type's OUTPUT function (text);
--   the coordinator:          coord_combine_agg(agg, text, ...) per group:
--                             the state type's INPUT function, the combine
--                             function starting from the initial state, and
--                             the final function at the end.
-- This test does the same by hand for every chibo aggregate in the
-- catalogue, over a table split into 8 hash shards (one of them empty),
-- grouped by a column whose groups are spread across the shards, and
-- compares every group with the single-node aggregate, as text.

-- 1. The catalogue.  Citus 13 pushes an aggregate down as a partial
-- aggregate when it has a combine function and a state type that is not a
-- pseudo-type (internal); otherwise it gathers the rows to the coordinator.
-- A new aggregate that cannot be split shows here, and fails the test.
CREATE TEMP TABLE so_aggs AS
SELECT row_number() OVER (ORDER BY p.proname, p.pronargs, a.aggfnoid::regprocedure::text)::int AS n,
       a.aggfnoid::regprocedure AS agg,
       quote_ident(n.nspname) || '.' || quote_ident(p.proname) AS agg_name,
       p.proargtypes::oid[] AS argtypes,
       a.aggtranstype::regtype AS state_type,
       a.aggtransfn::regproc AS transition,
       a.aggcombinefn::regproc AS combine,
       a.aggfinalfn::regproc AS final,
       a.agginitval AS initial_state,
       a.aggkind, a.aggserialfn, t.typtype, t.typinput::regproc AS state_input, t.typoutput::regproc AS state_output
FROM pg_aggregate a
JOIN pg_proc p ON p.oid = a.aggfnoid
JOIN pg_namespace n ON n.oid = p.pronamespace
JOIN pg_type t ON t.oid = a.aggtranstype
WHERE p.pronamespace = 'chibo'::regnamespace;

SELECT agg, state_type, state_output || ' / ' || state_input AS state_text_io, combine, final,
       CASE WHEN aggkind <> 'n' THEN 'row-gather: ordered-set aggregate'
            WHEN combine = 0 THEN 'row-gather: no combine function'
            WHEN typtype = 'p' THEN 'row-gather: pseudo-type state (Citus 13 cannot ship it)'
            ELSE 'worker_partial_agg / coord_combine_agg' END AS citus_13
FROM so_aggs ORDER BY n;
-- Those Citus 13 could not split: none.  (A pseudo-type state could only
-- travel through serial/deserial functions, which Citus 13 does not call.)
ALTER TABLE so_aggs ADD COLUMN splittable boolean;
UPDATE so_aggs SET splittable = aggkind = 'n' AND combine <> 0 AND typtype <> 'p';
SELECT agg, state_type FROM so_aggs WHERE NOT splittable ORDER BY n;

-- 2. The data.  id is the distribution column; cell, the GROUP BY column.
-- Shards as Citus makes them for shard_count 8: equal ranges of
-- hashint4(id).
CREATE FUNCTION regress.so_shard(id integer) RETURNS integer
LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT ((pg_catalog.hashint4(id)::bigint + 2147483648) * 8 / 4294967296)::integer
$$;

CREATE TABLE regress.so_facts (id integer PRIMARY KEY, cell integer, status attendance_status,
                               present boolean, r ratio, c criteria);
INSERT INTO regress.so_facts
SELECT i, (i * 7) % 40,
       CASE WHEN i % 23 = 0 THEN NULL
            ELSE (ARRAY['present', 'present', 'present', 'excused', 'absent']::attendance_status[])[1 + (i / 40 + i / 3) % 5] END,
       CASE WHEN i % 19 = 0 THEN NULL ELSE (i / 40 + i / 7) % 4 <> 0 END,
       CASE WHEN i % 17 = 0 THEN NULL WHEN i % 13 = 0 THEN '0/0'::ratio
            ELSE ratio((i / 40 * 13 + i / 11) % 21, 20 + (i / 40) % 3) END,
       CASE WHEN i % 29 = 0 THEN NULL
            WHEN (i * 7) % 40 = 5 THEN '1111'::criteria      -- cell 5: every assessment met
            WHEN i % 97 = 0 THEN '1101' WHEN i % 311 = 0 THEN '0111' ELSE '1111' END
FROM generate_series(1, 12000) AS i;
-- A cell with a single row, so present in one shard only.
INSERT INTO regress.so_facts VALUES (100001, 100, 'excused', true, '3/7', '1011');
-- A cell whose every input is NULL (min and max have no value, sums are 0/0).
INSERT INTO regress.so_facts SELECT i, 101, NULL, NULL, NULL, NULL FROM generate_series(100011, 100016) AS i;
-- A cell whose rows all hash to shard 3.
INSERT INTO regress.so_facts
SELECT i, 102, 'present', false, '5/9', '1111'
FROM generate_series(200000, 200400) AS i WHERE regress.so_shard(i) = 3 LIMIT 5;
-- A cell whose pooled whole reaches the largest count, 4294967295, only
-- when the shards' states are combined.
INSERT INTO regress.so_facts
SELECT 300000 + k, 103, 'present', true,
       CASE WHEN k = 4 THEN '3/3'::ratio ELSE '1073741823/1073741823' END, '1111'
FROM generate_series(0, 4) AS k;
-- Shard 7 holds nothing.
DELETE FROM regress.so_facts WHERE regress.so_shard(id) = 7;
ANALYZE regress.so_facts;

SELECT s AS shard, count(f.id) AS rows, count(DISTINCT f.cell) AS cells
FROM generate_series(0, 7) AS s LEFT JOIN regress.so_facts f ON regress.so_shard(f.id) = s
GROUP BY s ORDER BY s;
SELECT cell, count(*) AS rows, count(DISTINCT regress.so_shard(id)) AS shards
FROM regress.so_facts WHERE cell IN (7, 100, 101, 102, 103) GROUP BY cell ORDER BY cell;

-- 3. For each aggregate: a worker aggregate (its transition function and
-- initial state, no final function: the state itself) and a coordinator
-- aggregate (its combine function over states, from the initial state, then
-- its final function), as worker_partial_agg and coord_combine_agg run them.
DO $$
DECLARE
    a record;
BEGIN
    FOR a IN SELECT * FROM so_aggs WHERE splittable LOOP
        EXECUTE format('CREATE AGGREGATE regress.so_worker_%s(%s) (SFUNC = %s, STYPE = %s%s)',
                       a.n, (SELECT string_agg(format_type(t, NULL), ', ' ORDER BY o)
                               FROM unnest(a.argtypes) WITH ORDINALITY AS x(t, o)),
                       a.transition::text, a.state_type::text,
                       CASE WHEN a.initial_state IS NULL THEN '' ELSE format(', INITCOND = %L', a.initial_state) END);
        EXECUTE format('CREATE AGGREGATE regress.so_coordinator_%s(%s) (SFUNC = %s, STYPE = %s%s%s)',
                       a.n, a.state_type::text, a.combine::text, a.state_type::text,
                       CASE WHEN a.initial_state IS NULL THEN '' ELSE format(', INITCOND = %L', a.initial_state) END,
                       CASE WHEN a.final = 0 THEN '' ELSE ', FINALFUNC = ' || a.final::text END);
    END LOOP;
END
$$;

-- The inputs each argument type takes in this test: a column of so_facts,
-- or constants for the arguments that are the same in every row.  An
-- aggregate with an argument type missing here has no case, and shows below.
CREATE TEMP TABLE so_inputs (argtype regtype, expr text);
INSERT INTO so_inputs VALUES
    ('attendance_status', 'status'), ('boolean', 'present'), ('ratio', 'r'), ('criteria', 'c'),
    ('text', '''excused_count'''), ('text', '''excused_excluded'''),
    ('numeric', '0.85'), ('numeric', '0.5');

-- Every case: an aggregate and one argument list (all combinations).
CREATE TEMP TABLE so_cases AS
WITH RECURSIVE calls (n, pos, args) AS (
    SELECT n, 0, ''::text FROM so_aggs WHERE splittable
    UNION ALL
    SELECT c.n, c.pos + 1, c.args || CASE WHEN c.pos = 0 THEN '' ELSE ', ' END || i.expr
    FROM calls c JOIN so_aggs a USING (n) JOIN so_inputs i ON i.argtype = a.argtypes[array_lower(a.argtypes, 1) + c.pos]
    WHERE c.pos < cardinality(a.argtypes))
SELECT a.n, a.agg, a.agg_name || '(' || c.args || ')' AS label, c.args
FROM so_aggs a JOIN calls c ON c.n = a.n AND c.pos = cardinality(a.argtypes);

SELECT agg, count(c.n) AS cases FROM so_aggs a LEFT JOIN so_cases c USING (n, agg)
WHERE a.splittable GROUP BY a.n, agg HAVING count(c.n) = 0 ORDER BY a.n;   -- no aggregate without a case

-- One case, grouped by cell: the shards' states as text (what the workers
-- ship), read back and combined in shard order and in reverse order, against
-- the single-node aggregate per cell; every result compared as text.
CREATE FUNCTION regress.so_compare(n integer, args text,
    OUT cells bigint, OUT split_cells bigint, OUT states bigint, OUT states_read_back bigint,
    OUT same_in_order bigint, OUT same_reversed bigint)
LANGUAGE plpgsql AS $$
DECLARE
    a record;
BEGIN
    SELECT * INTO a FROM so_aggs WHERE so_aggs.n = so_compare.n;
    EXECUTE format($q$
        WITH shard_states AS (
            SELECT regress.so_shard(id) AS shard, cell, regress.so_worker_%1$s(%2$s)::text AS state
            FROM regress.so_facts GROUP BY 1, 2),
        combined AS (
            SELECT cell, count(*) AS shards,
                   regress.so_coordinator_%1$s(state::%3$s ORDER BY shard)::text AS in_order,
                   regress.so_coordinator_%1$s(state::%3$s ORDER BY shard DESC)::text AS reversed
            FROM shard_states GROUP BY cell),
        single AS (
            SELECT cell, %4$s(%2$s)::text AS result FROM regress.so_facts GROUP BY cell)
        SELECT count(*), count(*) FILTER (WHERE c.shards > 1),
               (SELECT count(*) FROM shard_states),
               (SELECT count(*) FILTER (WHERE state::%3$s::text IS NOT DISTINCT FROM state) FROM shard_states),
               count(*) FILTER (WHERE c.in_order IS NOT DISTINCT FROM s.result),
               count(*) FILTER (WHERE c.reversed IS NOT DISTINCT FROM s.result)
        FROM single s FULL JOIN combined c USING (cell)$q$,
        a.n, args, a.state_type::text, a.agg_name)
    INTO cells, split_cells, states, states_read_back, same_in_order, same_reversed;
END
$$;

-- 4. Every case, every cell: the combined states give the single-node
-- result, in either order, and every state's text reads back to itself.
SELECT c.label, x.*
FROM so_cases c, LATERAL regress.so_compare(c.n, c.args) x
ORDER BY c.n, c.label;
SELECT count(*) AS cases,
       count(*) FILTER (WHERE x.same_in_order = x.cells AND x.same_reversed = x.cells
                          AND x.states_read_back = x.states) AS cases_without_difference
FROM so_cases c, LATERAL regress.so_compare(c.n, c.args) x;

-- Some numbers: cell 7, its states shard by shard as the workers would ship
-- them, and the result; cells 100 to 103, the results.
CREATE FUNCTION regress.so_show(n integer, args text, the_cell integer,
    OUT shard_states text, OUT combined text, OUT single text)
LANGUAGE plpgsql AS $$
DECLARE
    a record;
BEGIN
    SELECT * INTO a FROM so_aggs WHERE so_aggs.n = so_show.n;
    EXECUTE format($q$
        WITH shard_states AS (
            SELECT regress.so_shard(id) AS shard, regress.so_worker_%1$s(%2$s)::text AS state
            FROM regress.so_facts WHERE cell = $1 GROUP BY 1)
        SELECT string_agg(shard || ':' || coalesce(state, 'NULL'), ' ' ORDER BY shard),
               regress.so_coordinator_%1$s(state::%3$s)::text,
               (SELECT %4$s(%2$s)::text FROM regress.so_facts WHERE cell = $1)
        FROM shard_states$q$,
        a.n, args, a.state_type::text, a.agg_name)
    INTO shard_states, combined, single USING the_cell;
END
$$;

SELECT c.label, x.shard_states, x.combined
FROM so_cases c, LATERAL regress.so_show(c.n, c.args, 7) x
ORDER BY c.n, c.label;
SELECT c.label, k AS cell, x.shard_states, x.combined, x.combined IS NOT DISTINCT FROM x.single AS same
FROM so_cases c, unnest(ARRAY[100, 101, 102, 103]) AS k, LATERAL regress.so_show(c.n, c.args, k) x
WHERE c.label IN ('chibo.sum(r)', 'chibo.min(r)', 'chibo.attendance_ratio(status, ''excused_excluded'')',
                  'chibo.four_good_status(c)')
ORDER BY c.n, c.label, k;

-- 5. No GROUP BY: every shard ships one state, an empty shard its initial
-- state (or NULL when there is none), and the coordinator combines all 8.
-- (Without cell 103, whose ratios would pool above the largest count.)
CREATE FUNCTION regress.so_total(n integer, args text,
    OUT empty_shard_state text, OUT combined text, OUT same boolean)
LANGUAGE plpgsql AS $$
DECLARE
    a record;
    single_result text;
BEGIN
    SELECT * INTO a FROM so_aggs WHERE so_aggs.n = so_total.n;
    EXECUTE format($q$
        WITH shard_states AS (
            SELECT s.shard, x.state
            FROM generate_series(0, 7) AS s(shard),
                 LATERAL (SELECT regress.so_worker_%1$s(%2$s)::text AS state
                          FROM regress.so_facts WHERE regress.so_shard(id) = s.shard AND cell <> 103) x)
        SELECT (SELECT coalesce(state, 'NULL') FROM shard_states WHERE shard = 7),
               regress.so_coordinator_%1$s(state::%3$s ORDER BY shard DESC)::text
        FROM shard_states$q$,
        a.n, args, a.state_type::text)
    INTO empty_shard_state, combined;
    EXECUTE format('SELECT %s(%s)::text FROM regress.so_facts WHERE cell <> 103', a.agg_name, args) INTO single_result;
    same := combined IS NOT DISTINCT FROM single_result;
END
$$;

SELECT c.label, x.*
FROM so_cases c, LATERAL regress.so_total(c.n, c.args) x
ORDER BY c.n, c.label;

-- 6. What the combine must reject, it rejects: the partial states are each
-- valid, their combination is not, and the coordinator raises the error the
-- single-node aggregate raises.  Two rows of one cell in two shards.
CREATE TABLE regress.so_clash (id integer, cell integer, r ratio, c criteria);
INSERT INTO regress.so_clash
SELECT id, 1, r, c
FROM (VALUES (1, '4000000000/4000000000'::ratio, '1111'::criteria), (2, '400000000/400000000', '11111')) AS v(k, r, c),
     LATERAL (SELECT i AS id FROM generate_series(1, 1000) AS i
              WHERE regress.so_shard(i) = v.k ORDER BY i LIMIT 1) x;
SELECT regress.so_shard(id) AS shard, r, c FROM regress.so_clash ORDER BY shard;

CREATE FUNCTION regress.so_clash(agg regprocedure, input text,
    OUT shard_states text, OUT single text, OUT combined text)
LANGUAGE plpgsql AS $$
DECLARE
    a record;
    states text := format('SELECT regress.so_shard(id) AS shard, cell, regress.so_worker_%s(%s)::text AS state FROM regress.so_clash GROUP BY 1, 2',
                          (SELECT n FROM so_aggs WHERE so_aggs.agg = so_clash.agg), input);
BEGIN
    SELECT * INTO a FROM so_aggs WHERE so_aggs.agg = so_clash.agg;
    EXECUTE format('SELECT string_agg(shard || '':'' || state, '' '' ORDER BY shard) FROM (%s) s', states) INTO shard_states;
    single := regress.try(format('SELECT %s(%s) FROM regress.so_clash GROUP BY cell', a.agg_name, input));
    combined := regress.try(format('SELECT regress.so_coordinator_%s(state::%s ORDER BY shard) FROM (%s) s GROUP BY cell',
                                   a.n, a.state_type::text, states));
END
$$;

SELECT 'sum(r)' AS query, x.* FROM regress.so_clash('chibo.sum(chibo.ratio)', 'r') x
UNION ALL
SELECT 'good_status(c)', x.* FROM regress.so_clash('chibo.good_status(chibo.criteria)', 'c') x;

-- States that no worker would ship, but a coordinator must refuse if one
-- arrived: the input function rejects a malformed or impossible state, the
-- combine function rejects two valid states that do not add up.
SELECT v AS state_text, regress.try(format('SELECT %L::%s', v, t)) AS input
FROM (VALUES ('5/3', 'chibo.ratio'), ('4294967296/4294967296', 'chibo.ratio'),
             ('achieved:1101:2', 'chibo.good_status'), ('not_achieved:1111:0', 'chibo.good_status'),
             ('present=1 excused=0 absent=0', 'chibo.attendance_tally'),
             ('present=-1 excused=0 absent=0 policy=excused_count', 'chibo.attendance_tally')) AS s(v, t);
SELECT label, regress.try(statement) AS combined
FROM (VALUES
    ('ratio: wholes above 4294967295',
     $$SELECT chibo.ratio_add('4294967295/4294967295', '0/1')$$),
    ('ratio: exactly 4294967295',
     $$SELECT chibo.ratio_add('4294967294/4294967294', '1/1')$$),
    ('good_status: 4 and 5 criteria',
     $$SELECT chibo.good_status_combine('achieved:1111:1', 'not_achieved:11011:2')$$),
    ('good_status: more than 8796093022207 assessments',
     $$SELECT chibo.good_status_combine('not_achieved:0111:8796093022207', 'achieved:1111:1')$$),
    ('good_status: exactly 8796093022207',
     $$SELECT chibo.good_status_combine('not_achieved:0111:8796093022206', 'achieved:1111:1')$$),
    ('attendance_tally: two policies',
     $$SELECT chibo.attendance_tally_combine('present=1 excused=0 absent=0 policy=excused_count',
                                             'present=1 excused=0 absent=0 policy=excused_excluded')$$),
    ('attendance_tally: a count above 9223372036854775807',
     $$SELECT chibo.attendance_tally_combine('present=9223372036854775807 excused=0 absent=0 policy=excused_count',
                                             'present=1 excused=0 absent=0 policy=excused_count')$$),
    ('attendance_tally: final ratio above 4294967295',
     $$SELECT chibo.attendance_tally_ratio(chibo.attendance_tally_combine(
           'present=4294967295 excused=0 absent=0 policy=excused_count', 'present=0 excused=0 absent=1 policy=excused_count'))$$)
) AS t(label, statement);
-- The results of those that pass.
SELECT chibo.ratio_add('4294967294/4294967294', '1/1') AS ratio,
       chibo.good_status_combine('not_achieved:0111:8796093022206', 'achieved:1111:1') AS good_status,
       chibo.good_status_combine('not_assessed', 'achieved:1111:3') AS from_initial_state,
       chibo.attendance_tally_combine('present=0 excused=0 absent=0', 'present=2 excused=1 absent=0 policy=excused_excluded') AS tally;

DROP FUNCTION regress.so_compare(integer, text), regress.so_show(integer, text, integer),
    regress.so_total(integer, text), regress.so_clash(regprocedure, text);
DO $$
DECLARE
    a record;
BEGIN
    FOR a IN SELECT * FROM so_aggs WHERE splittable LOOP
        EXECUTE format('DROP AGGREGATE regress.so_worker_%1$s(%2$s), regress.so_coordinator_%1$s(%3$s)',
                       a.n, (SELECT string_agg(format_type(t, NULL), ', ' ORDER BY o)
                               FROM unnest(a.argtypes) WITH ORDINALITY AS x(t, o)),
                       a.state_type::text);
    END LOOP;
END
$$;
DROP TABLE regress.so_facts, regress.so_clash;
DROP FUNCTION regress.so_shard(integer);
