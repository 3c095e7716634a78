-- Binary I/O of every type: exact round trip through send and receive, and
-- receive validating bytes that no send would produce.

CREATE TABLE bin_source (r ratio, c criteria, g good_status, t attendance_tally);
INSERT INTO bin_source VALUES
    ('7126/7560', '1101', 'not_achieved:1101:3', 'present=3 excused=1 absent=2 policy=excused_excluded'),
    ('0/0', '1', 'not_assessed', 'present=0 excused=0 absent=0'),
    ('4294967295/4294967295', '1111111111111111', 'achieved:1111111111111111:8796093022207',
     'present=9223372036854775807 excused=0 absent=0 policy=excused_count'),
    (NULL, NULL, NULL, NULL);
CREATE TABLE bin_target (LIKE bin_source);

\copy bin_source TO 'results/binary_io.bin' (FORMAT binary)
\copy bin_target FROM 'results/binary_io.bin' (FORMAT binary)
SELECT (SELECT array_agg(src::text ORDER BY src::text) FROM bin_source src)
     = (SELECT array_agg(dst::text ORDER BY dst::text) FROM bin_target dst) AS same_rows;
SELECT * FROM bin_target ORDER BY r::text NULLS LAST;

-- ratio: two int8, validated like text input.
CREATE TABLE bin_ratio (r ratio);
\copy bin_ratio FROM PROGRAM 'perl test/tools/copybin.pl 0000000000001bd6 0000000000001d88' (FORMAT binary)
SELECT r FROM bin_ratio;
\copy bin_ratio FROM PROGRAM 'perl test/tools/copybin.pl 0000000000000003 0000000000000002' (FORMAT binary)
\copy bin_ratio FROM PROGRAM 'perl test/tools/copybin.pl ffffffffffffffff 0000000000000002' (FORMAT binary)
\copy bin_ratio FROM PROGRAM 'perl test/tools/copybin.pl 0000000000000001 0000000100000000' (FORMAT binary)
\copy bin_ratio FROM PROGRAM 'perl test/tools/copybin.pl 0000000000000001' (FORMAT binary)
\copy bin_ratio FROM PROGRAM 'perl test/tools/copybin.pl 0000000000000001 0000000000000002 00' (FORMAT binary)

-- criteria: int2 count, int4 flags.
CREATE TABLE bin_criteria (c criteria);
\copy bin_criteria FROM PROGRAM 'perl test/tools/copybin.pl 0004 0000000b' (FORMAT binary)
SELECT c FROM bin_criteria;
\copy bin_criteria FROM PROGRAM 'perl test/tools/copybin.pl 0000 00000000' (FORMAT binary)
\copy bin_criteria FROM PROGRAM 'perl test/tools/copybin.pl 0011 00000000' (FORMAT binary)
\copy bin_criteria FROM PROGRAM 'perl test/tools/copybin.pl 0004 00000010' (FORMAT binary)
\copy bin_criteria FROM PROGRAM 'perl test/tools/copybin.pl 0004 ffffffff' (FORMAT binary)

-- good_status: int2 count, int4 flags met every time, int8 assessments.
CREATE TABLE bin_good (g good_status);
\copy bin_good FROM PROGRAM 'perl test/tools/copybin.pl 0004 0000000b 0000000000000003' (FORMAT binary)
SELECT g FROM bin_good;
\copy bin_good FROM PROGRAM 'perl test/tools/copybin.pl 0004 0000000b 0000000000000000' (FORMAT binary)
\copy bin_good FROM PROGRAM 'perl test/tools/copybin.pl 0000 00000001 0000000000000000' (FORMAT binary)
\copy bin_good FROM PROGRAM 'perl test/tools/copybin.pl 0004 0000000b 0000080000000000' (FORMAT binary)
\copy bin_good FROM PROGRAM 'perl test/tools/copybin.pl 0004 0000000b ffffffffffffffff' (FORMAT binary)

-- attendance_tally: three int8 counts and an int4 policy.
CREATE TABLE bin_tally (t attendance_tally);
\copy bin_tally FROM PROGRAM 'perl test/tools/copybin.pl 0000000000000003 0000000000000001 0000000000000002 00000002' (FORMAT binary)
SELECT t FROM bin_tally;
\copy bin_tally FROM PROGRAM 'perl test/tools/copybin.pl 0000000000000003 0000000000000001 0000000000000002 00000000' (FORMAT binary)
\copy bin_tally FROM PROGRAM 'perl test/tools/copybin.pl 0000000000000003 0000000000000001 0000000000000002 00000003' (FORMAT binary)
\copy bin_tally FROM PROGRAM 'perl test/tools/copybin.pl ffffffffffffffff 0000000000000001 0000000000000002 00000001' (FORMAT binary)

DROP TABLE bin_source, bin_target, bin_ratio, bin_criteria, bin_good, bin_tally;
