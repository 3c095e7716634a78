-- Partial aggregation across nodes, emulated in one database (what Citus
-- does): split the rows into shards, compute each aggregate's state per
-- shard, send the state through its text form and back, combine the states
-- with the aggregate's combine function, and compare with the result over
-- all rows at once.

CREATE TABLE facts (id int, status attendance_status, present boolean, r ratio, c criteria);
INSERT INTO facts
SELECT i,
       (ARRAY['present', 'excused', 'absent', 'present']::attendance_status[])[1 + (i * 7 / 3) % 4],
       i % 3 <> 0,
       CASE WHEN i % 10 = 0 THEN '0/0'::ratio ELSE ratio(i % 7, 7 + i % 5) END,
       CASE WHEN i % 50 = 0 THEN '0111'::criteria ELSE '1111' END
FROM generate_series(1, 5000) AS i;

-- The attendance_ratio(status, policy) state without its final function.
CREATE AGGREGATE regress.tally_state(attendance_status, text) (
    SFUNC = attendance_policy_accum, STYPE = attendance_tally,
    INITCOND = 'present=0 excused=0 absent=0');
-- Combining aggregates, as a coordinator runs them over partial states.
CREATE AGGREGATE regress.combine_ratio(ratio) (SFUNC = ratio_add, STYPE = ratio, INITCOND = '0/0');
CREATE AGGREGATE regress.combine_min(ratio) (SFUNC = ratio_min_accum, STYPE = ratio);
CREATE AGGREGATE regress.combine_max(ratio) (SFUNC = ratio_max_accum, STYPE = ratio);
CREATE AGGREGATE regress.combine_tally(attendance_tally) (
    SFUNC = attendance_tally_combine, STYPE = attendance_tally,
    FINALFUNC = attendance_tally_ratio, INITCOND = 'present=0 excused=0 absent=0');
CREATE AGGREGATE regress.combine_good(good_status) (
    SFUNC = good_status_combine, STYPE = good_status, INITCOND = 'not_assessed');

-- Per shard (id % 4), each state as text: what travels between nodes.
CREATE TEMP TABLE shard_states AS
SELECT id % 4 AS shard,
       attendance_ratio(status)::text AS attendance,
       regress.tally_state(status, 'excused_excluded')::text AS tally,
       attendance_ratio(present)::text AS attendance_boolean,
       sum(r)::text AS pooled, min(r)::text AS lowest, max(r)::text AS highest,
       share_at_least(r, 0.5)::text AS share_05,
       four_good_status(c)::text AS four_good
FROM facts GROUP BY id % 4;
SELECT * FROM shard_states ORDER BY shard;

-- Combined from the text states ...
CREATE TEMP TABLE combined AS
SELECT regress.combine_ratio(attendance::ratio)::text AS attendance,
       regress.combine_tally(tally::attendance_tally)::text AS attendance_excluded,
       regress.combine_ratio(attendance_boolean::ratio)::text AS attendance_boolean,
       regress.combine_ratio(pooled::ratio)::text AS pooled,
       regress.combine_min(lowest::ratio)::text AS lowest,
       regress.combine_max(highest::ratio)::text AS highest,
       regress.combine_ratio(share_05::ratio)::text AS share_05,
       regress.combine_good(four_good::good_status)::text AS four_good
FROM shard_states;
-- ... and over all rows at once.
CREATE TEMP TABLE single AS
SELECT attendance_ratio(status)::text AS attendance,
       attendance_ratio(status, 'excused_excluded')::text AS attendance_excluded,
       attendance_ratio(present)::text AS attendance_boolean,
       sum(r)::text AS pooled, min(r)::text AS lowest, max(r)::text AS highest,
       share_at_least(r, 0.5)::text AS share_05,
       four_good_status(c)::text AS four_good
FROM facts;
SELECT * FROM single;
SELECT (SELECT c::text FROM combined c) = (SELECT s::text FROM single s) AS combined_equals_single;

-- Every state's text form reads back to the same text, including the
-- extremes of each type.
SELECT v, v::ratio::text = v AS ratio_round_trip
FROM (VALUES ('0/0'), ('0/1'), ('7126/7560'), ('4294967295/4294967295')) AS t(v);
SELECT v, v::good_status::text = v AS good_status_round_trip
FROM (VALUES ('not_assessed'), ('achieved:1:1'), ('not_achieved:0111111111111111:8796093022207')) AS t(v);
SELECT v, v::attendance_tally::text = v AS tally_round_trip
FROM (VALUES ('present=0 excused=0 absent=0'),
             ('present=1 excused=2 absent=3 policy=excused_count'),
             ('present=9223372036854775807 excused=0 absent=1 policy=excused_excluded')) AS t(v);
SELECT (SELECT bool_and(s::text::ratio::text = s::text) FROM (SELECT sum(r) AS s FROM facts GROUP BY id % 97) x)
       AS every_group_state_round_trips;

DROP AGGREGATE regress.tally_state(attendance_status, text), regress.combine_ratio(ratio),
    regress.combine_min(ratio), regress.combine_max(ratio),
    regress.combine_tally(attendance_tally), regress.combine_good(good_status);
DROP TABLE facts;
