-- chibo: members (đảng viên).  A member is admitted (kết nạp), is
-- probationary until full_member_on, and may leave the party (left_on).
-- Which cell a member belongs to is in memberships, with history.

CREATE TABLE @extschema@.members (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code            text NOT NULL,
    full_name       text NOT NULL,
    gender          text,
    birth_date      date,
    admitted_on     date NOT NULL,
    full_member_on  date,
    left_on         date,
    left_reason     text,
    CONSTRAINT members_code_key UNIQUE (code)
);
SELECT pg_catalog.pg_extension_config_dump('@extschema@.members', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.members_id_seq', '');

COMMENT ON TABLE @extschema@.members IS
    'party members (đảng viên): admission, full membership, departure; holds personal data (name, gender, birth date)';
COMMENT ON COLUMN @extschema@.members.id IS 'surrogate key';
COMMENT ON COLUMN @extschema@.members.code IS 'natural key: the member record number (members.csv code)';
COMMENT ON COLUMN @extschema@.members.full_name IS 'full name (personal data)';
COMMENT ON COLUMN @extschema@.members.gender IS 'male, female or NULL (personal data)';
COMMENT ON COLUMN @extschema@.members.birth_date IS 'date of birth or NULL (personal data)';
COMMENT ON COLUMN @extschema@.members.admitted_on IS 'date of admission (ngày kết nạp)';
COMMENT ON COLUMN @extschema@.members.full_member_on IS 'date of becoming a full member (đảng viên chính thức); NULL while probationary';
COMMENT ON COLUMN @extschema@.members.left_on IS 'date the member left the party; NULL while a member';
COMMENT ON COLUMN @extschema@.members.left_reason IS 'died, expelled, struck_off, resigned or other; set exactly when left_on is';

-- The rules of member rows, as one set-based query (members come by the
-- hundred thousand): members_rule(source, key) is the text of a query over
-- SOURCE (a relation or subquery with the columns of members, id NULL for
-- rows not yet stored, and KEY) returning (key, problem) for each row, the
-- problem being NULL or 'SQLSTATE message'.  The statement triggers and
-- chibo.import_staged() run this same query.
CREATE FUNCTION @extschema@.members_rule(source text, key text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN pg_catalog.format($q$
        SELECT s.%2$I AS key,
               CASE WHEN s.code IS NULL OR s.code = '' THEN '23502 a member needs a code'
                    WHEN s.full_name IS NULL OR pg_catalog.btrim(s.full_name) = ''
                    THEN '23502 member ' || s.code || ': full_name is empty'
                    WHEN s.gender NOT IN ('male', 'female')
                    THEN pg_catalog.format('23514 member %%s: gender %%L is not male, female or empty', s.code, s.gender)
                    WHEN s.admitted_on IS NULL THEN '23502 member ' || s.code || ': admitted_on is empty'
                    WHEN s.full_member_on < s.admitted_on
                    THEN pg_catalog.format('23514 member %%s: full_member_on %%s is before admitted_on %%s', s.code,
                                           @extschema@.date_text(s.full_member_on), @extschema@.date_text(s.admitted_on))
                    WHEN s.left_on < s.admitted_on
                    THEN pg_catalog.format('23514 member %%s: left_on %%s is before admitted_on %%s', s.code,
                                           @extschema@.date_text(s.left_on), @extschema@.date_text(s.admitted_on))
                    WHEN s.left_on IS NOT NULL AND s.left_reason IS NULL
                    THEN '23502 member ' || s.code || ': left_on is set, so left_reason is required (died, expelled, struck_off, resigned, other)'
                    WHEN s.left_reason NOT IN ('died', 'expelled', 'struck_off', 'resigned', 'other')
                    THEN pg_catalog.format('23514 member %%s: left_reason %%L is not died, expelled, struck_off, resigned or other',
                                           s.code, s.left_reason)
                    WHEN late.held_on IS NOT NULL
                    THEN pg_catalog.format('23503 member %%s: left_on %%s is before the meeting of cell %%s on %%s where attendance is recorded',
                                           s.code, @extschema@.date_text(s.left_on), late.code, @extschema@.date_text(late.held_on))
               END AS problem
          FROM %1$s s
          -- A departure may not precede attendance recorded for the member.
          LEFT JOIN LATERAL (
                SELECT u.code, a.held_on
                  FROM @extschema@.memberships ms
                  JOIN @extschema@.attendance a ON a.membership_id = ms.id
                  JOIN @extschema@.units u ON u.id = a.unit_id
                 WHERE s.id IS NOT NULL AND s.left_on IS NOT NULL
                   AND ms.member_id = s.id AND a.held_on > s.left_on
                 ORDER BY a.held_on, u.code
                 LIMIT 1) late ON true$q$,
        source, key);
COMMENT ON FUNCTION @extschema@.members_rule(text, text) IS
    'the text of the query that checks member rows of a relation against the member rules, giving (key, ''SQLSTATE message'') per row';

CREATE TRIGGER members_check AFTER INSERT ON @extschema@.members
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.check_rows('members_rule');
CREATE TRIGGER members_check_update AFTER UPDATE ON @extschema@.members
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.check_rows('members_rule');
