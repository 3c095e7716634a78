-- ratio comparisons: by exact value, with each other and with numeric;
-- btree and hash operator classes.

-- Equal values written differently are equal; order is by value.
SELECT a, b, a = b AS eq, a <> b AS ne, a < b AS lt, a <= b AS le,
       a > b AS gt, a >= b AS ge, ratio_cmp(a, b) AS cmp
FROM (VALUES ('1/2'::ratio, '2/4'::ratio), ('1/3', '1/2'), ('2/3', '3/5'),
             ('0/5', '0/7'), ('5/5', '7/7'), ('0/0', '0/0'), ('0/0', '0/1'),
             ('0/1', '0/0'), ('0/0', '1/1'),
             ('4294967295/4294967295', '1/1'),
             ('1/4294967295', '0/1')) AS v(a, b);

-- Exactness: these two ratios differ by 1/(4294967295 * 4294967294), far
-- below what double precision resolves; as floats they are equal, as
-- ratios they are not.
SELECT a::double precision = b::double precision AS equal_as_float8,
       a = b AS equal_as_ratio, a > b AS greater_as_ratio,
       a::numeric = b::numeric AS equal_as_numeric20
FROM (VALUES ('4294967294/4294967295'::ratio, '4294967293/4294967294'::ratio)) AS v(a, b);

-- The largest products still compare exactly (no 64-bit overflow).
SELECT '4294967295/4294967295'::ratio > '4294967294/4294967295' AS top,
       '1/4294967295'::ratio < '1/4294967294' AS bottom,
       '2147483648/4294967295'::ratio > '1/2' AS just_above_half,
       '2147483647/4294967295'::ratio < '1/2' AS just_below_half;

-- Against a number: exact, NULL for 0/0.
SELECT r, t, r >= t AS ge, r > t AS gt, r = t AS eq, r <> t AS ne, r < t AS lt,
       r <= t AS le, t <= r AS t_le_r, t = r AS t_eq_r
FROM (VALUES ('17/20'::ratio, 0.85), ('85/100', 0.85), ('169/200', 0.85),
             ('171/200', 0.850), ('16999999/20000000', 0.85), ('0/0', 0.85),
             ('0/5', 0), ('5/5', 1), ('5/5', 1.0000000000000000000000000001),
             ('1/3', 0.3333333333333333333333333333),
             ('1/3', 0.33333333333333333333333333333333333),
             ('0/5', -1), ('1/2', -0.5), ('1/2', 2)) AS v(r, t);

-- Thresholds beyond 28 significant digits, NaN and infinities fall back to
-- numeric arithmetic and order as numeric does.
SELECT r >= 0.8500000000000000000000000000000001 AS above_long_threshold,
       r >= 0.84999999999999999999999999999999999 AS below_long_threshold,
       r < 'NaN'::numeric AS below_nan, r < 'Infinity'::numeric AS below_inf,
       r > '-Infinity'::numeric AS above_minus_inf,
       r >= 1e-40 AS above_tiny, r <= 1e40 AS below_huge
FROM (VALUES ('17/20'::ratio)) AS v(r);
-- Integer literals compare through numeric.
SELECT '5/5'::ratio = 1 AS one, '0/5'::ratio = 0 AS zero, '1/2'::ratio < 1 AS below_one;

-- The same threshold, many rows: the cached parse must not leak between
-- different thresholds on one call site.
SELECT t, count(*) FILTER (WHERE r >= t) AS passing
FROM (VALUES (0.5), (0.85), (0.9), (1)) AS th(t),
     (VALUES ('1/2'::ratio), ('17/20'), ('9/10'), ('1/1'), ('0/0')) AS v(r)
GROUP BY t ORDER BY t;

-- btree: ORDER BY, DISTINCT and an index, 0/0 first.
CREATE TABLE ratios (id serial, r ratio);
INSERT INTO ratios (r) VALUES ('1/2'), ('2/4'), ('0/0'), ('1/3'), ('3/3'),
    ('0/9'), ('2/3'), ('4/6'), (NULL), ('4294967294/4294967295');
SELECT r FROM ratios ORDER BY r, id;
SELECT r FROM ratios ORDER BY r DESC NULLS LAST, id;
SELECT count(DISTINCT r) AS distinct_values FROM ratios;
CREATE INDEX ratios_r ON ratios (r);
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT id FROM ratios WHERE r = '1/2';
SELECT id, r FROM ratios WHERE r = '1/2' ORDER BY id;
SELECT id, r FROM ratios WHERE r >= '2/3' ORDER BY r, id;
RESET enable_seqscan;

-- hash: GROUP BY through a hash aggregate, and a hash join, by value.
SET enable_sort = off;
EXPLAIN (COSTS OFF) SELECT r, count(*) FROM ratios GROUP BY r;
SELECT r::numeric AS value, count(*) FROM ratios GROUP BY r ORDER BY 1 NULLS FIRST;
RESET enable_sort;
SET enable_mergejoin = off;
SET enable_nestloop = off;
EXPLAIN (COSTS OFF) SELECT a.id, b.id FROM ratios a JOIN ratios b ON a.r = b.r;
SELECT a.id, b.id FROM ratios a JOIN ratios b ON a.r = b.r AND a.id < b.id ORDER BY 1, 2;
RESET enable_mergejoin;
RESET enable_nestloop;
-- Equal values hash alike.
SELECT ratio_hash('1/2') = ratio_hash('2/4') AS same_hash,
       ratio_hash_extended('1/2', 7) = ratio_hash_extended('3/6', 7) AS same_hash_seeded,
       ratio_hash('0/0') <> ratio_hash('0/1') AS empty_apart_from_zero;
-- A unique index sees 1/2 and 2/4 as the same value.
CREATE UNIQUE INDEX ratios_unique ON ratios (r) WHERE id IN (1, 2);
DROP TABLE ratios;
