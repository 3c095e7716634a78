-- sum, min, max and share_at_least over ratios.

CREATE TABLE cell_months (cell text, month int, r ratio);
INSERT INTO cell_months VALUES
    ('A', 1, '17/20'), ('A', 2, '18/20'), ('A', 3, '20/20'),   -- every month >= 0.85
    ('B', 1, '17/20'), ('B', 2, '16/20'), ('B', 3, '0/0'),     -- month 2 below, month 3 not judged
    ('C', 1, '0/0'), ('C', 2, '0/0'),                          -- nothing to judge
    ('D', 1, '85/100'), ('D', 2, '170/200'),                   -- exactly 0.85: passes
    ('E', 1, NULL), ('E', 2, '9/10');

-- Pooled: parts add, wholes add.
SELECT cell, sum(r) AS pooled, display(sum(r), 'plain') AS shown,
       min(r) AS lowest, max(r) AS highest,
       share_at_least(r, 0.85) AS months_passing
FROM cell_months GROUP BY cell ORDER BY cell;
SELECT sum(r) AS pooled, min(r), max(r), share_at_least(r, 0.85), share_at_least(r, 0.9) FROM cell_months;

-- Cells whose every judged month passes, as in the Tây Hồ report (230/269):
-- a cell with no judged month is left out of part and whole.
SELECT share_at_least(worst, 0.85) AS cells_passing
FROM (SELECT cell, min(r) AS worst FROM cell_months GROUP BY cell) AS c;

-- Pooling is not averaging: 1/2 and 99/100 pool to 100/102 (98%), while the
-- mean of the percentages would be 74.5%.
SELECT sum(r) AS pooled, percent(sum(r), 1) AS pooled_percent,
       round(avg(percent(r, 1)), 1) AS mean_of_percents
FROM (VALUES ('1/2'::ratio), ('99/100')) AS v(r);

-- Empty input: sum and share_at_least give 0/0; min and max give NULL.
SELECT sum(r), share_at_least(r, 0.85), min(r) IS NULL AS min_null, max(r) IS NULL AS max_null
FROM cell_months WHERE false;
-- Only NULL and 0/0: the same.
SELECT sum(r), share_at_least(r, 0.85), min(r) IS NULL AS min_null, max(r) IS NULL AS max_null
FROM (VALUES (NULL::ratio), ('0/0')) AS v(r);

-- min and max compare by value; of equal values the larger whole wins,
-- whatever the order of the rows.
SELECT min(r) AS min_a, max(r) AS max_a FROM (VALUES ('1/2'::ratio), ('2/4'), ('3/6'), ('4/4'), ('2/2')) AS v(r);
SELECT min(r) AS min_b, max(r) AS max_b FROM (VALUES ('4/4'::ratio), ('2/2'), ('3/6'), ('2/4'), ('1/2')) AS v(r);
SELECT min(r), max(r) FROM (VALUES ('4294967294/4294967295'::ratio), ('4294967293/4294967294')) AS v(r);

-- share_at_least compares exactly, at the threshold and beyond float8.
SELECT share_at_least(r, 0.85) AS at_085,
       share_at_least(r, 0.99999999976716935634) AS near_one,
       share_at_least(r, 0.8500000000000000000000000000000001) AS long_threshold,
       share_at_least(r, 0) AS zero_threshold,
       share_at_least(r, 1.5) AS above_one
FROM (VALUES ('17/20'::ratio), ('4294967294/4294967295'), ('4294967295/4294967295'), ('0/7')) AS v(r);
-- A NULL threshold is an error (22023), never a silent 0/0.
SELECT share_at_least(r, NULL) FROM cell_months;
SELECT regress.try($$SELECT chibo.share_at_least(r, CASE WHEN r = '1/2' THEN NULL ELSE 0.5 END)
                     FROM unnest('{1/3,1/2}'::chibo.ratio[]) r$$) AS null_on_one_row;
-- Thresholds may differ per row (each row judged against its own).
SELECT share_at_least(r, t) FROM (VALUES ('17/20'::ratio, 0.85), ('17/20', 0.9)) AS v(r, t);

-- Pooling overflow in sum is an error (22003), never wrapped.
SELECT sum(r) FROM (VALUES ('4294967295/4294967295'::ratio), ('1/1')) AS v(r);

-- share_at_least's state is full at 4294967295 judged inputs: 22003.
SELECT regress.try($$SELECT chibo.share_at_least_accum('0/4294967295', '1/2', 0.5)$$) AS full_state,
       share_at_least_accum('0/4294967294', '1/2', 0.5) AS last_one,
       share_at_least_accum('0/4294967295', '0/0', 0.5) AS empty_input_not_counted;

-- Composes with FILTER, GROUP BY ROLLUP and window functions.
SELECT cell, sum(r) FILTER (WHERE month <= 2) AS first_two FROM cell_months GROUP BY cell ORDER BY cell;
SELECT cell, sum(r) FROM cell_months WHERE cell IN ('A', 'B') GROUP BY ROLLUP (cell) ORDER BY cell NULLS LAST;
SELECT cell, month, sum(r) OVER (PARTITION BY cell ORDER BY month) AS running
FROM cell_months WHERE cell IN ('A', 'B') ORDER BY cell, month;

DROP TABLE cell_months;
