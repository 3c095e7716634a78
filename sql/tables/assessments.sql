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

-- The rules of task registration rows, as one set-based query over SOURCE
-- (the columns of task_registrations and KEY); see members_rule.
CREATE FUNCTION @extschema@.task_registrations_rule(source text, key text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN pg_catalog.format($q$
        SELECT s.%2$I AS key,
               CASE WHEN m.id IS NULL
                    THEN pg_catalog.format('23503 task registration: member id %%s does not exist', s.member_id)
                    WHEN s.year IS NULL OR s.year NOT BETWEEN 1000 AND 9999
                    THEN pg_catalog.format('23514 task registration of member %%s: year %%s is not a four-digit year',
                                           m.code, COALESCE(s.year::text, '(empty)'))
                    WHEN s.kind IS NULL OR s.kind NOT IN ('new', 'difficult')
                    THEN pg_catalog.format('23514 task registration of member %%s: kind %%s is not new or difficult',
                                           m.code, COALESCE(pg_catalog.quote_literal(s.kind), '(empty)'))
                    WHEN s.title IS NULL OR pg_catalog.btrim(s.title) = ''
                    THEN '23502 task registration of member ' || m.code || ': title is empty'
                    WHEN s.outcome IS NULL OR s.outcome NOT IN ('pending', 'completed', 'not_completed')
                    THEN pg_catalog.format('23514 task registration of member %%s: outcome %%s is not pending, completed or not_completed',
                                           m.code, COALESCE(pg_catalog.quote_literal(s.outcome), '(empty)'))
               END AS problem
          FROM %1$s s
          LEFT JOIN @extschema@.members m ON m.id = s.member_id$q$,
        source, key);
COMMENT ON FUNCTION @extschema@.task_registrations_rule(text, text) IS
    'the text of the query that checks task registration rows of a relation against their rules, giving (key, ''SQLSTATE message'') per row';

CREATE TRIGGER task_registrations_check AFTER INSERT ON @extschema@.task_registrations
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.check_rows('task_registrations_rule');
CREATE TRIGGER task_registrations_check_update AFTER UPDATE ON @extschema@.task_registrations
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.check_rows('task_registrations_rule');


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
    SET search_path = pg_catalog, pg_temp
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
    LANGUAGE plpgsql PARALLEL UNSAFE
    SECURITY DEFINER SET search_path = pg_catalog, pg_temp
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

-- The subject of an assessment or a classification is a member or a cell.
-- subject_rule(what) writes the WHEN clauses that check it, for the rule
-- queries below (which join members m and units u on the row's ids).
CREATE FUNCTION @extschema@.subject_rule(what text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN pg_catalog.format($q$
                    WHEN s.subject_kind IS NULL OR s.subject_kind NOT IN ('member', 'cell')
                    THEN pg_catalog.format('23514 %1$s: subject_kind %%s is not member or cell',
                                           COALESCE(pg_catalog.quote_literal(s.subject_kind), '(empty)'))
                    WHEN s.subject_kind = 'member' AND (s.unit_id IS NOT NULL OR s.member_id IS NULL)
                    THEN '23514 %1$s: a member subject sets member_id and leaves unit_id empty'
                    WHEN s.subject_kind = 'cell' AND (s.member_id IS NOT NULL OR s.unit_id IS NULL)
                    THEN '23514 %1$s: a cell subject sets unit_id and leaves member_id empty'
                    WHEN s.subject_kind = 'member' AND m.id IS NULL
                    THEN pg_catalog.format('23503 %1$s: member id %%s does not exist', s.member_id)
                    WHEN s.subject_kind = 'cell' AND u.id IS NULL
                    THEN pg_catalog.format('23503 %1$s: unit id %%s does not exist', s.unit_id)
                    WHEN s.subject_kind = 'cell' AND u.kind <> 'cell'
                    THEN pg_catalog.format('23514 %1$s of %%s: the subject is a committee, not a cell', u.code)$q$,
        what);
COMMENT ON FUNCTION @extschema@.subject_rule(text) IS
    'the WHEN clauses that check the subject (a member, or a cell) of an assessment or classification row, for the rule queries';

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
CREATE INDEX assessments_period ON @extschema@.assessments (period_start, period_end);

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

-- The rules of assessment rows, as one set-based query over SOURCE (the
-- columns of assessments and KEY); see members_rule.
CREATE FUNCTION @extschema@.assessments_rule(source text, key text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN pg_catalog.format($q$
        SELECT s.%2$I AS key,
               CASE %3$s
                    WHEN sc.id IS NULL
                    THEN pg_catalog.format('23503 assessment of %%s: scheme id %%s does not exist', x.subject, s.scheme_id)
                    WHEN sc.subject_kind <> s.subject_kind
                    THEN pg_catalog.format('23514 assessment of %%s: scheme %%s assesses a %%s, not a %%s',
                                           x.subject, sc.code, sc.subject_kind, s.subject_kind)
                    WHEN s.period_start IS NULL OR s.period_end IS NULL
                    THEN '23502 assessment of ' || x.subject || ': period_start and period_end are required'
                    WHEN s.period_end < s.period_start
                    THEN pg_catalog.format('23514 assessment of %%s: period_end %%s is before period_start %%s', x.subject,
                                           @extschema@.date_text(s.period_end), @extschema@.date_text(s.period_start))
                    WHEN s.criteria IS NULL THEN '23502 assessment of ' || x.subject || ': criteria is empty'
                    WHEN @extschema@.criteria_count(s.criteria) <> pg_catalog.cardinality(sc.criteria_names)
                    THEN pg_catalog.format('23514 assessment of %%s: criteria %%s has %%s flags, but scheme %%s has %%s criteria',
                                           x.subject, s.criteria, @extschema@.criteria_count(s.criteria), sc.code,
                                           pg_catalog.cardinality(sc.criteria_names))
               END AS problem
          FROM %1$s s
          LEFT JOIN @extschema@.members m ON m.id = s.member_id
          LEFT JOIN @extschema@.units u ON u.id = s.unit_id
          LEFT JOIN @extschema@.schemes sc ON sc.id = s.scheme_id
          CROSS JOIN LATERAL (SELECT CASE WHEN s.member_id IS NOT NULL THEN 'member ' || m.code
                                          ELSE 'cell ' || u.code END AS subject) x$q$,
        source, key, @extschema@.subject_rule('assessment'));
COMMENT ON FUNCTION @extschema@.assessments_rule(text, text) IS
    'the text of the query that checks assessment rows of a relation against the assessment rules, giving (key, ''SQLSTATE message'') per row';

CREATE TRIGGER assessments_check AFTER INSERT ON @extschema@.assessments
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.check_rows('assessments_rule');
CREATE TRIGGER assessments_check_update AFTER UPDATE ON @extschema@.assessments
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.check_rows('assessments_rule');


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

-- The rules of classification rows, as one set-based query over SOURCE
-- (the columns of classifications and KEY); see members_rule.
CREATE FUNCTION @extschema@.classifications_rule(source text, key text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN pg_catalog.format($q$
        SELECT s.%2$I AS key,
               CASE %3$s
                    WHEN s.year IS NULL OR s.year NOT BETWEEN 1000 AND 9999
                    THEN pg_catalog.format('23514 classification of %%s: year %%s is not a four-digit year',
                                           x.subject, COALESCE(s.year::text, '(empty)'))
                    WHEN s.grade IS NULL OR s.grade NOT IN ('excellent', 'good', 'completed', 'not_completed')
                    THEN pg_catalog.format('23514 classification of %%s for %%s: grade %%s is not excellent, good, completed or not_completed',
                                           x.subject, s.year, COALESCE(pg_catalog.quote_literal(s.grade), '(empty)'))
                    WHEN s.score NOT BETWEEN 0 AND 100 OR s.score <> pg_catalog.round(s.score, 2)
                    THEN pg_catalog.format('23514 classification of %%s for %%s: score %%s is not between 0 and 100 with up to two decimals',
                                           x.subject, s.year, s.score)
               END AS problem
          FROM %1$s s
          LEFT JOIN @extschema@.members m ON m.id = s.member_id
          LEFT JOIN @extschema@.units u ON u.id = s.unit_id
          CROSS JOIN LATERAL (SELECT CASE WHEN s.member_id IS NOT NULL THEN 'member ' || m.code
                                          ELSE 'cell ' || u.code END AS subject) x$q$,
        source, key, @extschema@.subject_rule('classification'));
COMMENT ON FUNCTION @extschema@.classifications_rule(text, text) IS
    'the text of the query that checks classification rows of a relation against their rules, giving (key, ''SQLSTATE message'') per row';

CREATE TRIGGER classifications_check AFTER INSERT ON @extschema@.classifications
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.check_rows('classifications_rule');
CREATE TRIGGER classifications_check_update AFTER UPDATE ON @extschema@.classifications
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.check_rows('classifications_rule');


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
