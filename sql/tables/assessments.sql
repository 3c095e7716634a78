-- chibo: task registrations, criteria schemes, assessments and annual
-- classifications.

CREATE TABLE @extschema@.task_registrations (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    member_id  bigint NOT NULL REFERENCES @extschema@.members (id),
    year       integer NOT NULL,
    kind       text NOT NULL,
    title      text NOT NULL,
    outcome    text NOT NULL DEFAULT 'pending',
    CONSTRAINT task_registrations_natural_key UNIQUE (member_id, year, kind, title)
);
SELECT pg_catalog.pg_extension_config_dump('@extschema@.task_registrations', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.task_registrations_id_seq', '');

COMMENT ON TABLE @extschema@.task_registrations IS
    'a member''s registration of a new or difficult task for a year (đăng ký nhiệm vụ mới, nhiệm vụ khó)';
COMMENT ON COLUMN @extschema@.task_registrations.id IS 'surrogate key';
COMMENT ON COLUMN @extschema@.task_registrations.member_id IS 'the member who registered';
COMMENT ON COLUMN @extschema@.task_registrations.year IS 'the year of the task';
COMMENT ON COLUMN @extschema@.task_registrations.kind IS 'new (nhiệm vụ mới) or difficult (nhiệm vụ khó)';
COMMENT ON COLUMN @extschema@.task_registrations.title IS 'what the task is';
COMMENT ON COLUMN @extschema@.task_registrations.outcome IS 'pending, completed or not_completed';

-- The rules of one task registration; NULL when it breaks none.
CREATE FUNCTION @extschema@.task_registration_problem(
    p_member_id bigint, p_year integer, p_kind text, p_title text, p_outcome text)
RETURNS text
    LANGUAGE plpgsql STABLE PARALLEL SAFE
AS $$
DECLARE
    member_code text;
    label text;
BEGIN
    SELECT m.code INTO member_code FROM @extschema@.members m WHERE m.id = p_member_id;
    IF NOT FOUND THEN
        RETURN pg_catalog.format('23503 task registration: member id %s does not exist', p_member_id);
    END IF;
    label := 'task registration of member ' || member_code;
    IF p_year IS NULL OR p_year NOT BETWEEN 1000 AND 9999 THEN
        RETURN pg_catalog.format('23514 %s: year %s is not a four-digit year', label,
                                 COALESCE(p_year::text, '(empty)'));
    ELSIF p_kind IS NULL OR p_kind NOT IN ('new', 'difficult') THEN
        RETURN pg_catalog.format('23514 %s: kind %s is not new or difficult', label,
                                 COALESCE(pg_catalog.quote_literal(p_kind), '(empty)'));
    ELSIF p_title IS NULL OR pg_catalog.btrim(p_title) = '' THEN
        RETURN '23502 ' || label || ': title is empty';
    ELSIF p_outcome IS NULL OR p_outcome NOT IN ('pending', 'completed', 'not_completed') THEN
        RETURN pg_catalog.format('23514 %s: outcome %s is not pending, completed or not_completed', label,
                                 COALESCE(pg_catalog.quote_literal(p_outcome), '(empty)'));
    END IF;
    RETURN NULL;
END;
$$;
COMMENT ON FUNCTION @extschema@.task_registration_problem(bigint, integer, text, text, text) IS
    'the first rule a task registration row breaks, as ''SQLSTATE message'', or NULL';

CREATE FUNCTION @extschema@.task_registrations_check() RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    PERFORM @extschema@.raise_problem(@extschema@.task_registration_problem(
        NEW.member_id, NEW.year, NEW.kind, NEW.title, NEW.outcome));
    RETURN NEW;
END;
$$;
COMMENT ON FUNCTION @extschema@.task_registrations_check() IS
    'trigger: rejects a task registration that breaks a rule of task_registration_problem()';
CREATE TRIGGER task_registrations_check BEFORE INSERT OR UPDATE ON @extschema@.task_registrations
    FOR EACH ROW EXECUTE FUNCTION @extschema@.task_registrations_check();


CREATE TABLE @extschema@.schemes (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code            text NOT NULL,
    name            text NOT NULL,
    subject_kind    text NOT NULL,
    criteria_names  text[] NOT NULL,
    shipped         boolean NOT NULL DEFAULT false,
    CONSTRAINT schemes_code_key UNIQUE (code)
);
-- The shipped schemes come back with CREATE EXTENSION; dump the user's own.
SELECT pg_catalog.pg_extension_config_dump('@extschema@.schemes', 'WHERE NOT shipped');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.schemes_id_seq', '');

COMMENT ON TABLE @extschema@.schemes IS
    'criteria schemes (bộ tiêu chí) such as Đảng viên 4 tốt: who they assess and their criteria, in order';
COMMENT ON COLUMN @extschema@.schemes.id IS 'surrogate key';
COMMENT ON COLUMN @extschema@.schemes.code IS 'natural key, such as DV4T';
COMMENT ON COLUMN @extschema@.schemes.name IS 'name, such as Đảng viên 4 tốt';
COMMENT ON COLUMN @extschema@.schemes.subject_kind IS 'member or cell: what the scheme assesses';
COMMENT ON COLUMN @extschema@.schemes.criteria_names IS 'the criteria, in the order of an assessment''s flags (1 to 16 of them)';
COMMENT ON COLUMN @extschema@.schemes.shipped IS 'true for the schemes chibo ships (DV4T, CB4T, DV5T)';

-- The rules of one scheme row; NULL when it breaks none.
CREATE FUNCTION @extschema@.scheme_problem(
    p_id bigint, p_code text, p_name text, p_subject_kind text, p_criteria_names text[])
RETURNS text
    LANGUAGE plpgsql STABLE PARALLEL SAFE
AS $$
DECLARE
    n integer := pg_catalog.cardinality(p_criteria_names);
    label text := 'scheme ' || COALESCE(p_code, '(no code)');
BEGIN
    IF p_code IS NULL OR p_code = '' THEN
        RETURN '23502 a scheme needs a code';
    ELSIF p_name IS NULL OR pg_catalog.btrim(p_name) = '' THEN
        RETURN '23502 ' || label || ': name is empty';
    ELSIF p_subject_kind IS NULL OR p_subject_kind NOT IN ('member', 'cell') THEN
        RETURN pg_catalog.format('23514 %s: subject_kind %s is not member or cell', label,
                                 COALESCE(pg_catalog.quote_literal(p_subject_kind), '(empty)'));
    ELSIF n IS NULL OR n NOT BETWEEN 1 AND 16 OR pg_catalog.array_ndims(p_criteria_names) <> 1
          OR pg_catalog.array_position(p_criteria_names, NULL) IS NOT NULL THEN
        RETURN '23514 ' || label || ': criteria_names must list 1 to 16 criteria';
    ELSIF p_id IS NOT NULL AND EXISTS (
            SELECT FROM @extschema@.assessments a
             WHERE a.scheme_id = p_id
               AND (a.subject_kind <> p_subject_kind
                    OR @extschema@.criteria_count(a.criteria) <> n)) THEN
        RETURN '23503 ' || label || ': assessments under it need its present subject kind and number of criteria';
    END IF;
    RETURN NULL;
END;
$$;
COMMENT ON FUNCTION @extschema@.scheme_problem(bigint, text, text, text, text[]) IS
    'the first rule a scheme row breaks, as ''SQLSTATE message'', or NULL';

CREATE FUNCTION @extschema@.schemes_check() RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    PERFORM @extschema@.raise_problem(@extschema@.scheme_problem(
        NEW.id, NEW.code, NEW.name, NEW.subject_kind, NEW.criteria_names));
    RETURN NEW;
END;
$$;
COMMENT ON FUNCTION @extschema@.schemes_check() IS
    'trigger: rejects a scheme row that breaks a rule of scheme_problem()';
CREATE TRIGGER schemes_check BEFORE INSERT OR UPDATE ON @extschema@.schemes
    FOR EACH ROW EXECUTE FUNCTION @extschema@.schemes_check();

-- A member or a cell is the subject of an assessment or a classification.
CREATE FUNCTION @extschema@.subject_problem(p_subject_kind text, p_member_id bigint, p_unit_id bigint)
RETURNS text
    LANGUAGE plpgsql STABLE PARALLEL SAFE
AS $$
DECLARE
    unit_kind text;
BEGIN
    IF p_subject_kind IS NULL OR p_subject_kind NOT IN ('member', 'cell') THEN
        RETURN pg_catalog.format('23514 subject_kind %s is not member or cell',
                                 COALESCE(pg_catalog.quote_literal(p_subject_kind), '(empty)'));
    ELSIF p_subject_kind = 'member' THEN
        IF p_unit_id IS NOT NULL OR p_member_id IS NULL THEN
            RETURN '23514 a member subject sets member_id and leaves unit_id empty';
        ELSIF NOT EXISTS (SELECT FROM @extschema@.members m WHERE m.id = p_member_id) THEN
            RETURN pg_catalog.format('23503 member id %s does not exist', p_member_id);
        END IF;
    ELSE
        IF p_member_id IS NOT NULL OR p_unit_id IS NULL THEN
            RETURN '23514 a cell subject sets unit_id and leaves member_id empty';
        END IF;
        SELECT u.kind INTO unit_kind FROM @extschema@.units u WHERE u.id = p_unit_id;
        IF NOT FOUND THEN
            RETURN pg_catalog.format('23503 unit id %s does not exist', p_unit_id);
        ELSIF unit_kind <> 'cell' THEN
            RETURN '23514 the subject is a committee, not a cell';
        END IF;
    END IF;
    RETURN NULL;
END;
$$;
COMMENT ON FUNCTION @extschema@.subject_problem(text, bigint, bigint) IS
    'the first rule the subject of an assessment or classification breaks, as ''SQLSTATE message'', or NULL';

-- The code of a subject, for messages.
CREATE FUNCTION @extschema@.subject_label(p_subject_kind text, p_member_id bigint, p_unit_id bigint)
RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN CASE WHEN p_member_id IS NOT NULL
                THEN 'member ' || (SELECT m.code FROM @extschema@.members m WHERE m.id = p_member_id)
                ELSE 'cell ' || (SELECT u.code FROM @extschema@.units u WHERE u.id = p_unit_id) END;
COMMENT ON FUNCTION @extschema@.subject_label(text, bigint, bigint) IS
    'a subject as messages name it: member TH-000123 or cell TH.BUOI.07';


CREATE TABLE @extschema@.assessments (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    subject_kind  text NOT NULL,
    member_id     bigint REFERENCES @extschema@.members (id),
    unit_id       bigint REFERENCES @extschema@.units (id),
    scheme_id     bigint NOT NULL REFERENCES @extschema@.schemes (id),
    period_start  date NOT NULL,
    period_end    date NOT NULL,
    criteria      @extschema@.criteria NOT NULL
);
SELECT pg_catalog.pg_extension_config_dump('@extschema@.assessments', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.assessments_id_seq', '');
CREATE UNIQUE INDEX assessments_member_key ON @extschema@.assessments (member_id, scheme_id, period_start)
    WHERE member_id IS NOT NULL;
CREATE UNIQUE INDEX assessments_cell_key ON @extschema@.assessments (unit_id, scheme_id, period_start)
    WHERE unit_id IS NOT NULL;

COMMENT ON TABLE @extschema@.assessments IS
    'assessments of a member or a cell under a criteria scheme over a period (đánh giá 4 tốt): which criteria were met';
COMMENT ON COLUMN @extschema@.assessments.id IS 'surrogate key';
COMMENT ON COLUMN @extschema@.assessments.subject_kind IS 'member or cell';
COMMENT ON COLUMN @extschema@.assessments.member_id IS 'the assessed member (subject_kind member)';
COMMENT ON COLUMN @extschema@.assessments.unit_id IS 'the assessed cell (subject_kind cell)';
COMMENT ON COLUMN @extschema@.assessments.scheme_id IS 'the criteria scheme, whose subject kind matches';
COMMENT ON COLUMN @extschema@.assessments.period_start IS 'first day of the assessed period';
COMMENT ON COLUMN @extschema@.assessments.period_end IS 'last day of the assessed period';
COMMENT ON COLUMN @extschema@.assessments.criteria IS 'one flag per criterion of the scheme, in order: 1101 = criterion 3 not met';

-- The rules of one assessment row; NULL when it breaks none.
CREATE FUNCTION @extschema@.assessment_problem(
    p_subject_kind text, p_member_id bigint, p_unit_id bigint, p_scheme_id bigint,
    p_period_start date, p_period_end date, p_criteria @extschema@.criteria)
RETURNS text
    LANGUAGE plpgsql STABLE PARALLEL SAFE
AS $$
DECLARE
    problem text := @extschema@.subject_problem(p_subject_kind, p_member_id, p_unit_id);
    scheme record;
    label text;
BEGIN
    IF problem IS NOT NULL THEN
        RETURN pg_catalog.left(problem, 6) || 'assessment: ' || pg_catalog.substr(problem, 7);
    END IF;
    label := 'assessment of ' || @extschema@.subject_label(p_subject_kind, p_member_id, p_unit_id);
    SELECT s.code, s.subject_kind, pg_catalog.cardinality(s.criteria_names) AS n INTO scheme
      FROM @extschema@.schemes s WHERE s.id = p_scheme_id;
    IF NOT FOUND THEN
        RETURN pg_catalog.format('23503 %s: scheme id %s does not exist', label, p_scheme_id);
    ELSIF scheme.subject_kind <> p_subject_kind THEN
        RETURN pg_catalog.format('23514 %s: scheme %s assesses a %s, not a %s', label,
                                 scheme.code, scheme.subject_kind, p_subject_kind);
    ELSIF p_period_start IS NULL OR p_period_end IS NULL THEN
        RETURN '23502 ' || label || ': period_start and period_end are required';
    ELSIF p_period_end < p_period_start THEN
        RETURN pg_catalog.format('23514 %s: period_end %s is before period_start %s', label,
                                 @extschema@.date_text(p_period_end), @extschema@.date_text(p_period_start));
    ELSIF p_criteria IS NULL THEN
        RETURN '23502 ' || label || ': criteria is empty';
    ELSIF @extschema@.criteria_count(p_criteria) <> scheme.n THEN
        RETURN pg_catalog.format('23514 %s: criteria %s has %s flags, but scheme %s has %s criteria', label,
                                 p_criteria, @extschema@.criteria_count(p_criteria), scheme.code, scheme.n);
    END IF;
    RETURN NULL;
END;
$$;
COMMENT ON FUNCTION @extschema@.assessment_problem(text, bigint, bigint, bigint, date, date, @extschema@.criteria) IS
    'the first rule an assessment row breaks, as ''SQLSTATE message'', or NULL';

CREATE FUNCTION @extschema@.assessments_check() RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    PERFORM @extschema@.raise_problem(@extschema@.assessment_problem(
        NEW.subject_kind, NEW.member_id, NEW.unit_id, NEW.scheme_id,
        NEW.period_start, NEW.period_end, NEW.criteria));
    RETURN NEW;
END;
$$;
COMMENT ON FUNCTION @extschema@.assessments_check() IS
    'trigger: rejects an assessment row that breaks a rule of assessment_problem()';
CREATE TRIGGER assessments_check BEFORE INSERT OR UPDATE ON @extschema@.assessments
    FOR EACH ROW EXECUTE FUNCTION @extschema@.assessments_check();


CREATE TABLE @extschema@.classifications (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    subject_kind  text NOT NULL,
    member_id     bigint REFERENCES @extschema@.members (id),
    unit_id       bigint REFERENCES @extschema@.units (id),
    year          integer NOT NULL,
    grade         text NOT NULL,
    score         numeric
);
SELECT pg_catalog.pg_extension_config_dump('@extschema@.classifications', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.classifications_id_seq', '');
CREATE UNIQUE INDEX classifications_member_key ON @extschema@.classifications (member_id, year)
    WHERE member_id IS NOT NULL;
CREATE UNIQUE INDEX classifications_cell_key ON @extschema@.classifications (unit_id, year)
    WHERE unit_id IS NOT NULL;

COMMENT ON TABLE @extschema@.classifications IS
    'annual quality grading of a member or a cell (xếp loại chất lượng)';
COMMENT ON COLUMN @extschema@.classifications.id IS 'surrogate key';
COMMENT ON COLUMN @extschema@.classifications.subject_kind IS 'member or cell';
COMMENT ON COLUMN @extschema@.classifications.member_id IS 'the graded member (subject_kind member)';
COMMENT ON COLUMN @extschema@.classifications.unit_id IS 'the graded cell (subject_kind cell)';
COMMENT ON COLUMN @extschema@.classifications.year IS 'the graded year';
COMMENT ON COLUMN @extschema@.classifications.grade IS 'excellent (hoàn thành xuất sắc), good (tốt), completed (hoàn thành) or not_completed (không hoàn thành)';
COMMENT ON COLUMN @extschema@.classifications.score IS 'score from 0 to 100 with up to two decimals; NULL when not scored';

-- The rules of one classification row; NULL when it breaks none.
CREATE FUNCTION @extschema@.classification_problem(
    p_subject_kind text, p_member_id bigint, p_unit_id bigint, p_year integer,
    p_grade text, p_score numeric)
RETURNS text
    LANGUAGE plpgsql STABLE PARALLEL SAFE
AS $$
DECLARE
    problem text := @extschema@.subject_problem(p_subject_kind, p_member_id, p_unit_id);
    label text;
BEGIN
    IF problem IS NOT NULL THEN
        RETURN pg_catalog.left(problem, 6) || 'classification: ' || pg_catalog.substr(problem, 7);
    END IF;
    label := 'classification of ' || @extschema@.subject_label(p_subject_kind, p_member_id, p_unit_id);
    IF p_year IS NULL OR p_year NOT BETWEEN 1000 AND 9999 THEN
        RETURN pg_catalog.format('23514 %s: year %s is not a four-digit year', label,
                                 COALESCE(p_year::text, '(empty)'));
    ELSIF p_grade IS NULL OR p_grade NOT IN ('excellent', 'good', 'completed', 'not_completed') THEN
        RETURN pg_catalog.format('23514 %s for %s: grade %s is not excellent, good, completed or not_completed',
                                 label, p_year, COALESCE(pg_catalog.quote_literal(p_grade), '(empty)'));
    ELSIF p_score NOT BETWEEN 0 AND 100 OR p_score <> pg_catalog.round(p_score, 2) THEN
        RETURN pg_catalog.format('23514 %s for %s: score %s is not between 0 and 100 with up to two decimals',
                                 label, p_year, p_score);
    END IF;
    RETURN NULL;
END;
$$;
COMMENT ON FUNCTION @extschema@.classification_problem(text, bigint, bigint, integer, text, numeric) IS
    'the first rule a classification row breaks, as ''SQLSTATE message'', or NULL';

CREATE FUNCTION @extschema@.classifications_check() RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    PERFORM @extschema@.raise_problem(@extschema@.classification_problem(
        NEW.subject_kind, NEW.member_id, NEW.unit_id, NEW.year, NEW.grade, NEW.score));
    RETURN NEW;
END;
$$;
COMMENT ON FUNCTION @extschema@.classifications_check() IS
    'trigger: rejects a classification row that breaks a rule of classification_problem()';
CREATE TRIGGER classifications_check BEFORE INSERT OR UPDATE ON @extschema@.classifications
    FOR EACH ROW EXECUTE FUNCTION @extschema@.classifications_check();

-- The shipped schemes (after assessments exists: the schemes trigger reads it).
INSERT INTO @extschema@.schemes (code, name, subject_kind, criteria_names, shipped) VALUES
    ('DV4T', 'Đảng viên 4 tốt', 'member',
     ARRAY['Tư tưởng chính trị tốt', 'Phẩm chất đạo đức, lối sống tốt',
           'Thực hiện nhiệm vụ được giao tốt', 'Ý thức tổ chức kỷ luật tốt'], true),
    ('CB4T', 'Chi bộ 4 tốt', 'cell',
     ARRAY['Lãnh đạo thực hiện tốt nhiệm vụ chính trị', 'Chất lượng sinh hoạt chi bộ tốt',
           'Đoàn kết, kỷ luật tốt', 'Đội ngũ cán bộ, đảng viên tốt'], true),
    ('DV5T', 'Đảng viên 5 tốt', 'member',
     ARRAY['Tư tưởng chính trị tốt', 'Phẩm chất đạo đức, lối sống tốt',
           'Thực hiện nhiệm vụ được giao tốt', 'Ý thức tổ chức kỷ luật tốt',
           'Gương mẫu nơi cư trú tốt'], true);
