-- criteria: text form, functions, comparisons, and errors.

SELECT c, criteria_count(c) AS n, met_count(c) AS met, all_met(c),
       unmet_criteria(c) AS unmet
FROM (VALUES ('1101'::criteria), ('1111'), ('0000'), ('1'), ('0'), ('11111'),
             ('01010'), ('1111111111111111'), ('0000000000000000'),
             ('1111111111111110'), ('0111111111111111')) AS v(c);

-- Text round trip is exact.
SELECT c::text = input AS round_trip, count(*)
FROM (SELECT input, input::criteria AS c
      FROM (VALUES ('1101'), ('1'), ('0'), ('1111111111111111'), ('0000000000000001'),
                   ('1000000000000000'), ('10101')) AS v(input)) AS t
GROUP BY 1;

-- Anything else is 22P02: empty, too many flags, other characters, spaces.
SELECT input, regress.try(format('SELECT %L::chibo.criteria', input)) AS result
FROM (VALUES (''), ('2'), ('11011'::text || '011011011011'), ('11111111111111111'),
             (' 1101'), ('1101 '), ('11 01'), ('1,1,0,1'), ('yes'), ('-1'),
             ('1101x'), ('１１０１'), (E'1101\n')) AS v(input);
SELECT '1102'::criteria;

-- Comparisons: by number of criteria, then by the first differing criterion.
SELECT a, b, a = b AS eq, a <> b AS ne, a < b AS lt, a <= b AS le, a > b AS gt,
       a >= b AS ge, criteria_cmp(a, b) AS cmp
FROM (VALUES ('1101'::criteria, '1101'::criteria), ('1101', '1110'), ('0111', '1000'),
             ('1111', '11111'), ('1', '0'), ('0000', '0000')) AS v(a, b);

CREATE TABLE assessed (id serial, c criteria);
INSERT INTO assessed (c) VALUES ('1101'), ('1111'), ('0111'), ('1101'), ('11111'), ('1'), (NULL);
SELECT c, count(*) FROM assessed GROUP BY c ORDER BY c NULLS FIRST;
CREATE INDEX assessed_c ON assessed (c);
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT id FROM assessed WHERE c = '1101';
SELECT id FROM assessed WHERE c = '1101' ORDER BY id;
RESET enable_seqscan;
SET enable_sort = off;
SELECT c, count(*) FROM assessed GROUP BY c ORDER BY count(*) DESC, c::text;
RESET enable_sort;
SELECT criteria_hash('1101') = criteria_hash('1101') AS same_hash,
       criteria_hash('1101') <> criteria_hash('11010') AS differs_by_length,
       criteria_hash_extended('1101', 3) = criteria_hash_extended('1101', 3) AS same_hash_seeded,
       criteria_hash_extended('1101', 3) <> criteria_hash_extended('1101', 4) AS seed_matters;
DROP TABLE assessed;

-- NULL in, NULL out.
SELECT criteria_count(NULL) IS NULL AS n, met_count(NULL) IS NULL AS met,
       all_met(NULL) IS NULL AS all_met, unmet_criteria(NULL) IS NULL AS unmet;
