-- chibo: staging tables of the CSV import (docs/import.md).
--
-- One table per file of the data contract, with exactly the file's columns
-- in the file's order, all text, so that the contract's \copy lines load
-- any file and validation happens in one place: chibo.import_staged().
-- A row's line number is its position in the order it was staged; staging
-- is emptied by import_staged() (TRUNCATE), so rows are read back in the
-- physical order \copy wrote them.

CREATE TABLE chibo_import.units (
    code text, parent_code text, name text, kind text, grassroots text,
    cell_type text, valid_from text, valid_to text);
CREATE TABLE chibo_import.members (
    code text, full_name text, gender text, birth_date text, admitted_on text,
    full_member_on text, left_on text, left_reason text);
CREATE TABLE chibo_import.memberships (
    member_code text, unit_code text, from_date text, to_date text);
CREATE TABLE chibo_import.exemptions (
    member_code text, from_date text, to_date text, reason text);
CREATE TABLE chibo_import.meetings (
    unit_code text, held_on text, kind text, topic text, minutes text);
CREATE TABLE chibo_import.attendance (
    unit_code text, held_on text, meeting_kind text, member_code text, status text);
CREATE TABLE chibo_import.task_registrations (
    member_code text, year text, kind text, title text, outcome text);
CREATE TABLE chibo_import.assessments (
    subject_kind text, subject_code text, scheme text, period_start text,
    period_end text, criteria text);
CREATE TABLE chibo_import.classifications (
    subject_kind text, subject_code text, year text, grade text, score text);

COMMENT ON TABLE chibo_import.units IS 'staging for units.csv: \copy chibo_import.units FROM ''units.csv'' CSV HEADER';
COMMENT ON TABLE chibo_import.members IS 'staging for members.csv: \copy chibo_import.members FROM ''members.csv'' CSV HEADER';
COMMENT ON TABLE chibo_import.memberships IS 'staging for memberships.csv: \copy chibo_import.memberships FROM ''memberships.csv'' CSV HEADER';
COMMENT ON TABLE chibo_import.exemptions IS 'staging for exemptions.csv: \copy chibo_import.exemptions FROM ''exemptions.csv'' CSV HEADER';
COMMENT ON TABLE chibo_import.meetings IS 'staging for meetings.csv: \copy chibo_import.meetings FROM ''meetings.csv'' CSV HEADER';
COMMENT ON TABLE chibo_import.attendance IS 'staging for attendance.csv: \copy chibo_import.attendance FROM ''attendance.csv'' CSV HEADER';
COMMENT ON TABLE chibo_import.task_registrations IS 'staging for task_registrations.csv: \copy chibo_import.task_registrations FROM ''task_registrations.csv'' CSV HEADER';
COMMENT ON TABLE chibo_import.assessments IS 'staging for assessments.csv: \copy chibo_import.assessments FROM ''assessments.csv'' CSV HEADER';
COMMENT ON TABLE chibo_import.classifications IS 'staging for classifications.csv: \copy chibo_import.classifications FROM ''classifications.csv'' CSV HEADER';

CREATE SEQUENCE chibo_import.batch_seq;
SELECT pg_catalog.pg_extension_config_dump('chibo_import.batch_seq', '');
COMMENT ON SEQUENCE chibo_import.batch_seq IS 'numbers the batches of chibo.import_staged()';

CREATE TABLE chibo_import.rejects (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    batch        bigint NOT NULL,
    rejected_at  timestamptz NOT NULL DEFAULT pg_catalog.now(),
    file         text NOT NULL,
    line         bigint NOT NULL,
    "row"        jsonb NOT NULL,
    reason       text NOT NULL
);
SELECT pg_catalog.pg_extension_config_dump('chibo_import.rejects', '');
SELECT pg_catalog.pg_extension_config_dump('chibo_import.rejects_id_seq', '');
CREATE INDEX rejects_batch_idx ON chibo_import.rejects (batch, file, line);

COMMENT ON TABLE chibo_import.rejects IS
    'every row chibo.import_staged() rejected: its batch, file, line, the row as loaded and the reason';
COMMENT ON COLUMN chibo_import.rejects.id IS 'surrogate key';
COMMENT ON COLUMN chibo_import.rejects.batch IS 'the import batch (one call of chibo.import_staged())';
COMMENT ON COLUMN chibo_import.rejects.rejected_at IS 'when the batch ran';
COMMENT ON COLUMN chibo_import.rejects.file IS 'the contract file, such as attendance.csv';
COMMENT ON COLUMN chibo_import.rejects.line IS 'the row''s position in the order it was staged, 1 = first data row';
COMMENT ON COLUMN chibo_import.rejects."row" IS 'the row as loaded: column name to text, as in the staging table';
COMMENT ON COLUMN chibo_import.rejects.reason IS 'why the row was rejected, such as: member TH-0042 does not belong to cell TH.BT.03 on 2024-03-12';

-- Text to date when it is a real YYYY-MM-DD date, else NULL.  Written
-- with immutable parts only (no text-to-date cast, which depends on
-- DateStyle), so that the planner inlines it into the import's queries.
CREATE FUNCTION chibo_import.parse_date(t text) RETURNS date
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE WHEN t ~ '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$' AND pg_catalog.substr(t, 1, 4) <> '0000' THEN
               CASE WHEN pg_catalog.substr(t, 9, 2)::int <=
                         pg_catalog.date_part('day', pg_catalog.make_date(pg_catalog.substr(t, 1, 4)::int,
                                                                          pg_catalog.substr(t, 6, 2)::int, 1)
                                                     + interval '1 month - 1 day')
                    THEN pg_catalog.make_date(pg_catalog.substr(t, 1, 4)::int, pg_catalog.substr(t, 6, 2)::int,
                                              pg_catalog.substr(t, 9, 2)::int) END END;
COMMENT ON FUNCTION chibo_import.parse_date(text) IS
    'a YYYY-MM-DD text as a date, NULL when it is not one (such as 2024-02-30)';

-- The reason a date field is unreadable, or NULL (NULL and real dates).
CREATE FUNCTION chibo_import.date_problem(field text, t text) RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN CASE WHEN t IS NOT NULL AND chibo_import.parse_date(t) IS NULL
                THEN pg_catalog.format('%s %L is not a date (YYYY-MM-DD)', field, t) END;
COMMENT ON FUNCTION chibo_import.date_problem(text, text) IS
    'why a staged date field is not a YYYY-MM-DD date, or NULL';

-- How a reason shows a staged value: a value over 60 characters is cut to
-- its first 40 and its length, so that a huge bad value does not make a
-- huge reason.
CREATE FUNCTION chibo_import.shown(v text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN CASE WHEN pg_catalog.length(v) <= 60 THEN v
                ELSE pg_catalog.left(v, 40) || '… (' || pg_catalog.length(v) || ' characters)' END;
COMMENT ON FUNCTION chibo_import.shown(text) IS
    'a staged value as a reject reason shows it: cut to 40 characters and its length when over 60';

-- A reason as rejects.reason keeps it: the long values of the row (r, the
-- staged row as jsonb) cut by shown(), and every control, invisible or
-- direction character written as <U+XXXX>, so that 'male<U+200B>' does
-- not read as 'male'.
CREATE FUNCTION chibo_import.readable(reason text, r jsonb) RETURNS text
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v text;
BEGIN
    FOR v IN SELECT e.value FROM pg_catalog.jsonb_each_text(r) e
              WHERE pg_catalog.length(e.value) > 60 ORDER BY pg_catalog.length(e.value) DESC LOOP
        -- as %L quotes it, then as it is
        reason := pg_catalog.replace(reason, pg_catalog.replace(v, pg_catalog.chr(39), pg_catalog.repeat(pg_catalog.chr(39), 2)),
                                     chibo_import.shown(v));
        reason := pg_catalog.replace(reason, v, chibo_import.shown(v));
    END LOOP;
    IF reason ~ '[\x01-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]' THEN
        SELECT pg_catalog.string_agg(
                   CASE WHEN c ~ '[\x01-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]'
                        THEN '<U+' || pg_catalog.upper(pg_catalog.lpad(pg_catalog.to_hex(pg_catalog.ascii(c)), 4, '0')) || '>'
                        ELSE c END, '' ORDER BY n)
          INTO reason
          FROM pg_catalog.regexp_split_to_table(reason, '') WITH ORDINALITY AS x(c, n);
    END IF;
    RETURN reason;
END;
$$;
COMMENT ON FUNCTION chibo_import.readable(text, jsonb) IS
    'a reject reason as kept: long staged values cut, hidden characters written as <U+XXXX>';
