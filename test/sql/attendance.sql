-- attendance_ratio: present / inputs, under both policies, and for booleans.

CREATE TABLE roll (meeting int, member int, status attendance_status);
INSERT INTO roll VALUES
    -- meeting 1: 3 present, 1 excused, 1 absent, one unrecorded (NULL)
    (1, 1, 'present'), (1, 2, 'present'), (1, 3, 'present'), (1, 4, 'excused'),
    (1, 5, 'absent'), (1, 6, NULL),
    -- meeting 2: everybody excused
    (2, 1, 'excused'), (2, 2, 'excused'),
    -- meeting 3: only NULLs
    (3, 1, NULL),
    -- meeting 4: all present
    (4, 1, 'present'), (4, 2, 'present');

-- excused_count (the default): present / all non-NULL inputs.
-- excused_excluded: present / (inputs - excused).
SELECT meeting,
       attendance_ratio(status) AS default_policy,
       attendance_ratio(status, 'excused_count') AS excused_count,
       attendance_ratio(status, 'excused_excluded') AS excused_excluded,
       attendance_ratio(status = 'present') AS from_boolean
FROM roll GROUP BY meeting ORDER BY meeting;
-- Meeting 1: 3/5 and 3/4.  Meeting 2: 0/2, and 0/0 once the excused leave.
-- Meeting 3: no input, 0/0.  Pooled over all meetings: 5/9 and 5/6.
SELECT attendance_ratio(status) AS all_meetings,
       attendance_ratio(status, 'excused_excluded') AS all_meetings_excluded,
       display(attendance_ratio(status)) AS shown
FROM roll;
-- Pooling per-meeting ratios gives the same answer as one aggregate.
SELECT sum(r) AS pooled FROM (SELECT attendance_ratio(status) AS r FROM roll GROUP BY meeting) AS m;

-- No rows at all: 0/0, not NULL.
SELECT attendance_ratio(status) AS none, attendance_ratio(status, 'excused_excluded') AS none_excluded,
       attendance_ratio(true) FILTER (WHERE false) AS none_boolean
FROM roll WHERE false;

-- Booleans: true / non-NULL.
SELECT attendance_ratio(b) FROM (VALUES (true), (false), (NULL), (true)) AS v(b);

-- An unknown or NULL policy: 22023, never a silent 0/0.
SELECT attendance_ratio(status, 'excused') FROM roll;
SELECT regress.try($$SELECT chibo.attendance_ratio(s, '') FROM (VALUES ('present'::chibo.attendance_status)) v(s)$$) AS empty_policy,
       regress.try($$SELECT chibo.attendance_ratio(s, 'EXCUSED_COUNT') FROM (VALUES ('present'::chibo.attendance_status)) v(s)$$) AS upper_case;
SELECT attendance_ratio(status, NULL) AS null_policy FROM roll;
SELECT regress.try($$SELECT chibo.attendance_ratio(s, CASE WHEN s = 'absent' THEN NULL ELSE 'excused_count' END)
                     FROM unnest('{present,absent}'::chibo.attendance_status[]) s$$) AS null_on_one_row;
-- A NULL status with a good policy is passed over.
SELECT attendance_ratio(s, 'excused_excluded') FROM unnest('{present,NULL,absent}'::attendance_status[]) AS s;
-- Different policies in one group: 22023.
SELECT attendance_ratio(status, CASE WHEN member = 1 THEN 'excused_count' ELSE 'excused_excluded' END) FROM roll;

-- The policy state, attendance_tally: its text form reads back exactly.
SELECT t, t::attendance_tally::text = t AS round_trip, attendance_tally_ratio(t::attendance_tally) AS ratio
FROM (VALUES ('present=0 excused=0 absent=0'), ('present=3 excused=1 absent=1 policy=excused_count'),
             ('present=3 excused=1 absent=1 policy=excused_excluded'),
             ('present=0 excused=2 absent=0 policy=excused_excluded')) AS v(t);
SELECT t::attendance_tally::text = t AS largest_round_trip
FROM (VALUES ('present=9223372036854775807 excused=9223372036854775807 absent=9223372036854775807 policy=excused_count')) AS v(t);
SELECT input, regress.try(format('SELECT %L::chibo.attendance_tally', input)) AS result
FROM (VALUES (''), ('present=1'), ('present=1 excused=0 absent=0'), ('present=0 excused=0 absent=0 policy=unset'),
             ('present=1 excused=0 absent=0 policy=bogus'), ('excused=0 present=1 absent=0 policy=excused_count'),
             ('present=1  excused=0 absent=0 policy=excused_count'), ('present=-1 excused=0 absent=0 policy=excused_count'),
             ('present=1 excused=0 absent=0 policy=excused_count '),
             ('present=9223372036854775808 excused=0 absent=0 policy=excused_count')) AS v(input);
-- A tally too large for a ratio: 22003 when it becomes one.
SELECT attendance_tally_ratio('present=4294967296 excused=0 absent=0 policy=excused_count');
SELECT regress.try($$SELECT chibo.attendance_tally_ratio('present=4294967295 excused=1 absent=0 policy=excused_count')$$) AS too_large,
       attendance_tally_ratio('present=4294967295 excused=1 absent=0 policy=excused_excluded') AS excused_left_out;
-- Combining partial tallies, as parallel workers do.
SELECT attendance_tally_combine('present=3 excused=1 absent=1 policy=excused_count',
                                'present=1 excused=0 absent=2 policy=excused_count') AS merged,
       attendance_tally_combine('present=0 excused=0 absent=0',
                                'present=1 excused=0 absent=2 policy=excused_excluded') AS with_empty,
       regress.try($$SELECT chibo.attendance_tally_combine('present=1 excused=0 absent=0 policy=excused_count',
                                'present=1 excused=0 absent=0 policy=excused_excluded')$$) AS mixed,
       regress.try($$SELECT chibo.attendance_tally_combine('present=9223372036854775807 excused=0 absent=0 policy=excused_count',
                                'present=1 excused=0 absent=0 policy=excused_count')$$) AS overflow;

-- A ratio state that already counts 4294967295 inputs cannot count one
-- more: each transition reports 22003 instead of wrapping.  (Called
-- directly, since four billion rows would not fit in a test.)
SELECT regress.try($$SELECT chibo.attendance_status_accum('4294967295/4294967295', 'present')$$) AS status_full,
       regress.try($$SELECT chibo.attendance_bool_accum('0/4294967295', false)$$) AS boolean_full,
       attendance_status_accum('4294967294/4294967294', 'present') AS status_last,
       attendance_status_accum('4294967293/4294967294', 'excused') AS excused_last,
       attendance_bool_accum('0/4294967294', false) AS boolean_last;

-- As window functions over a moving frame: the state is rebuilt for each
-- frame, and updating it in place must not leak from one frame to the next.
SELECT i, status, attendance_ratio(status) OVER w AS counted,
       attendance_ratio(status, 'excused_excluded') OVER w AS excluded
FROM (SELECT i, (ARRAY['present', 'excused', 'absent']::attendance_status[])[1 + i % 3] AS status
      FROM generate_series(1, 6) AS i) AS x
WINDOW w AS (ORDER BY i ROWS BETWEEN 1 PRECEDING AND CURRENT ROW)
ORDER BY i;

DROP TABLE roll;
