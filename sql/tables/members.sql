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

-- The rules of one member row; NULL when it breaks none.
CREATE FUNCTION @extschema@.member_problem(
    p_id bigint, p_code text, p_full_name text, p_gender text, p_birth_date date,
    p_admitted_on date, p_full_member_on date, p_left_on date, p_left_reason text)
RETURNS text
    LANGUAGE plpgsql STABLE PARALLEL SAFE
AS $$
DECLARE
    label text := 'member ' || COALESCE(p_code, '(no code)');
    late record;
BEGIN
    IF p_code IS NULL OR p_code = '' THEN
        RETURN '23502 a member needs a code';
    ELSIF p_full_name IS NULL OR pg_catalog.btrim(p_full_name) = '' THEN
        RETURN '23502 ' || label || ': full_name is empty';
    ELSIF p_gender NOT IN ('male', 'female') THEN
        RETURN pg_catalog.format('23514 %s: gender %L is not male, female or empty', label, p_gender);
    ELSIF p_admitted_on IS NULL THEN
        RETURN '23502 ' || label || ': admitted_on is empty';
    ELSIF p_full_member_on < p_admitted_on THEN
        RETURN pg_catalog.format('23514 %s: full_member_on %s is before admitted_on %s', label,
                                 @extschema@.date_text(p_full_member_on), @extschema@.date_text(p_admitted_on));
    ELSIF p_left_on < p_admitted_on THEN
        RETURN pg_catalog.format('23514 %s: left_on %s is before admitted_on %s', label,
                                 @extschema@.date_text(p_left_on), @extschema@.date_text(p_admitted_on));
    ELSIF p_left_on IS NOT NULL AND p_left_reason IS NULL THEN
        RETURN '23502 ' || label || ': left_on is set, so left_reason is required (died, expelled, struck_off, resigned, other)';
    ELSIF p_left_reason NOT IN ('died', 'expelled', 'struck_off', 'resigned', 'other') THEN
        RETURN pg_catalog.format('23514 %s: left_reason %L is not died, expelled, struck_off, resigned or other',
                                 label, p_left_reason);
    END IF;
    -- A departure may not precede attendance already recorded for the member.
    IF p_id IS NOT NULL AND p_left_on IS NOT NULL THEN
        SELECT u.code, a.held_on INTO late
          FROM @extschema@.attendance a JOIN @extschema@.units u ON u.id = a.unit_id
         WHERE a.member_id = p_id AND a.held_on > p_left_on
         LIMIT 1;
        IF FOUND THEN
            RETURN pg_catalog.format('23503 %s: left_on %s is before the meeting of cell %s on %s where attendance is recorded',
                                     label, @extschema@.date_text(p_left_on), late.code, @extschema@.date_text(late.held_on));
        END IF;
    END IF;
    RETURN NULL;
END;
$$;
COMMENT ON FUNCTION @extschema@.member_problem(bigint, text, text, text, date, date, date, date, text) IS
    'the first rule a member row breaks, as ''SQLSTATE message'', or NULL; used by the members trigger and by the import';

CREATE FUNCTION @extschema@.members_check() RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    PERFORM @extschema@.raise_problem(@extschema@.member_problem(
        NEW.id, NEW.code, NEW.full_name, NEW.gender, NEW.birth_date,
        NEW.admitted_on, NEW.full_member_on, NEW.left_on, NEW.left_reason));
    RETURN NEW;
END;
$$;
COMMENT ON FUNCTION @extschema@.members_check() IS
    'trigger: rejects a member row that breaks a rule of member_problem()';
CREATE TRIGGER members_check BEFORE INSERT OR UPDATE ON @extschema@.members
    FOR EACH ROW EXECUTE FUNCTION @extschema@.members_check();
