-- good_status and four_good_status: every criterion met in every assessment.

CREATE TABLE assessments (subject text, scheme text, c criteria);
INSERT INTO assessments VALUES
    -- member A: all four criteria met in both quarters: achieved
    ('A', 'DV4T', '1111'), ('A', 'DV4T', '1111'),
    -- member B: criterion 3 failed once, criterion 1 failed once
    ('B', 'DV4T', '1101'), ('B', 'DV4T', '0111'), ('B', 'DV4T', '1111'),
    -- member C: one assessment, criterion 4 failed
    ('C', 'DV4T', '1110'),
    -- member D: a NULL assessment is no assessment
    ('D', 'DV4T', NULL),
    -- member E: the five-criteria scheme
    ('E', 'DV5T', '11111'), ('E', 'DV5T', '11011');

SELECT subject, four_good_status(c) AS status, label(four_good_status(c)),
       failed_criteria(four_good_status(c)), assessment_count(four_good_status(c))
FROM assessments WHERE scheme = 'DV4T' GROUP BY subject ORDER BY subject;

SELECT subject, scheme, good_status(c) AS status, label(good_status(c)),
       failed_criteria(good_status(c))
FROM assessments GROUP BY subject, scheme ORDER BY subject;

-- No input at all: not_assessed (not NULL).
SELECT four_good_status(c) AS status, label(four_good_status(c)),
       failed_criteria(four_good_status(c)), assessment_count(four_good_status(c))
FROM assessments WHERE false;
SELECT good_status(c) FROM assessments WHERE subject = 'D';

-- 16 criteria.
SELECT good_status(c) FROM (VALUES ('1111111111111111'::criteria),
                                   ('1111111111111110'), ('0111111111111111')) AS v(c);
SELECT failed_criteria(good_status(c)) FROM (VALUES ('1111111111111110'::criteria),
                                                ('0111111111111111')) AS v(c);

-- Mixing numbers of criteria in one group: 22023.
SELECT good_status(c) FROM assessments;
SELECT regress.try($$SELECT chibo.good_status(c) FROM (VALUES ('1'::chibo.criteria), ('11')) v(c)$$);
-- four_good_status needs 4 criteria: 22023 with a hint to use good_status.
SELECT four_good_status(c) FROM assessments WHERE subject = 'E';
SELECT regress.try($$SELECT chibo.four_good_status('111'::chibo.criteria)$$);

-- The state's text form reads back exactly; the label must agree with the flags.
SELECT s, s::good_status::text = s AS round_trip, label(s::good_status),
       failed_criteria(s::good_status), assessment_count(s::good_status)
FROM (VALUES ('not_assessed'), ('achieved:1111:1'), ('not_achieved:1101:3'),
             ('achieved:1:8796093022207'), ('not_achieved:0000000000000000:42'),
             ('achieved:1111111111111111:2')) AS v(s);
SELECT input, regress.try(format('SELECT %L::chibo.good_status', input)) AS result
FROM (VALUES (''), ('achieved'), ('achieved:1101:3'), ('not_achieved:1111:3'),
             ('achieved:1111:0'), ('achieved:1111:'), ('achieved::3'),
             ('achieved:1111:-3'), ('achieved:1111:3x'), ('Achieved:1111:3'),
             ('not_assessed:0000:0'), ('achieved:11111111111111111:1'),
             ('achieved:1111:8796093022208'),
             ('achieved:1111:99999999999999999999999')) AS v(input);

-- The combine function merges partial states as parallel workers would.
SELECT good_status_combine('achieved:1111:2', 'not_achieved:1101:1') AS merged,
       good_status_combine('not_assessed', 'achieved:1111:2') AS with_empty_left,
       good_status_combine('achieved:1111:2', 'not_assessed') AS with_empty_right,
       good_status_combine('not_assessed', 'not_assessed') AS both_empty;
SELECT regress.try($$SELECT chibo.good_status_combine('achieved:1111:2', 'achieved:11111:1')$$) AS mixed,
       regress.try($$SELECT chibo.good_status_combine('achieved:1111:8796093022207', 'achieved:1111:1')$$) AS overflow;

DROP TABLE assessments;
