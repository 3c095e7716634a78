-- lookalike: chibo ignores look-alike objects and survives injection
-- strings (issue 5, section 3, "A hardened extension").
--
-- 1. Static checks: every PL/pgSQL function of chibo pins its search_path,
--    every SQL function has a body bound when it was created, and no
--    SECURITY DEFINER trigger function can be attached by just anybody.
-- 2. The same piece of work (an import of a small batch, direct writes
--    that fire every kind of trigger, full and incremental refreshes, the
--    indicator functions, the report views, grant_unit/revoke_unit, the
--    aggregates and type I/O) is run with a clean search_path, then with
--    traps planted in public and pg_temp: functions, aggregates and
--    operators with the names and argument types chibo uses, tables and
--    views named like chibo's tables, temporary tables named like the
--    refresh's own; with search_path 'public, pg_catalog, chibo', with
--    'public, chibo' (pg_catalog implicit) and as a non-superuser login
--    that owns the traps and is a chibo_admin.  Every trap writes to
--    public.trap_log and returns a wrong value.  The results must be the
--    same every time, and trap_log empty.
-- 3. Injection strings in every text parameter that reaches dynamic SQL or
--    a message: unit codes, policies, styles, role names, schedules, staged
--    CSV values, the import's internal column lists; and the SECURITY
--    DEFINER trigger functions attached to a table of the attacker's own.
--    Expected: a clean error or a literal result, never execution.
SELECT regress.reset();
SET client_min_messages = warning;
-- the test's own statements: pg_catalog first, public not searched
SET search_path = pg_catalog, regress, chibo;

-- A login that will own the traps and act as an administrator, a login
-- that grant_unit() is tried on, and a reader that tries the SECURITY
-- DEFINER trigger functions.
CREATE ROLE lookalike_owner LOGIN NOSUPERUSER;
GRANT chibo_admin TO lookalike_owner;
GRANT USAGE, CREATE ON SCHEMA public TO lookalike_owner;
GRANT USAGE ON SCHEMA regress TO lookalike_owner;
CREATE ROLE lookalike_grantee LOGIN;
CREATE ROLE lookalike_reader LOGIN;
GRANT chibo_reader TO lookalike_reader;

-- ===========================================================================
-- 1. Static checks
-- ===========================================================================

-- Every PL/pgSQL function of chibo's schemas sets search_path to
-- pg_catalog, pg_temp; every SQL function has a body bound at creation
-- (BEGIN ATOMIC or RETURN), whose names cannot be redirected later.
SELECT n.nspname, p.proname, l.lanname, p.proconfig
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace JOIN pg_language l ON l.oid = p.prolang
 WHERE n.nspname IN ('chibo', 'chibo_import', 'chibo_report')
   AND ((l.lanname = 'plpgsql' AND NOT coalesce(p.proconfig @> '{"search_path=pg_catalog, pg_temp"}', false))
        OR (l.lanname = 'sql' AND p.prosqlbody IS NULL))
 ORDER BY 1, 2;
-- Every SECURITY DEFINER function pins its search_path.
SELECT p.oid::regprocedure AS definer_without_search_path
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
 WHERE n.nspname LIKE 'chibo%' AND p.prosecdef
   AND NOT coalesce(p.proconfig @> '{"search_path=pg_catalog, pg_temp"}', false);
-- A SECURITY DEFINER trigger function runs as the extension's owner for
-- whoever attaches it to a table: nobody but the owner may (CREATE TRIGGER
-- needs EXECUTE on the function; chibo's own triggers fire without it).
SELECT p.oid::regprocedure AS definer_trigger_anyone_may_attach
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
 WHERE n.nspname LIKE 'chibo%' AND p.prosecdef AND p.prorettype = 'trigger'::regtype
   AND has_function_privilege('lookalike_reader', p.oid, 'EXECUTE')
 ORDER BY 1::text;
-- Views and policies are bound when created; the report views run with
-- the caller's rights.
SELECT c.relname, c.reloptions FROM pg_class c
 WHERE c.relnamespace = 'chibo_report'::regnamespace AND c.relkind = 'v'
   AND NOT coalesce(c.reloptions @> '{security_invoker=true}', false);

-- ===========================================================================
-- 2. The same work with a clean and with hostile search_paths
-- ===========================================================================

CREATE TABLE regress.lookalike_results (tag text, item text, value text);
GRANT SELECT, INSERT ON regress.lookalike_results TO lookalike_owner;

-- The work.  No SET search_path: every statement here is parsed with the
-- caller's search_path, so it names everything it uses with its schema
-- (OPERATOR(pg_catalog.=), pg_catalog.concat_ws ...): a trap that fires is
-- chibo's doing, not the test's.
CREATE FUNCTION regress.lookalike_run(tag text) RETURNS void
LANGUAGE plpgsql AS $run$
DECLARE
    st text;
BEGIN
    -- 2a. An import of a small batch, with values that look like SQL.
    INSERT INTO chibo_import.units (code, parent_code, name, kind, grassroots, cell_type, valid_from, valid_to) VALUES
        ('R', '', 'Đảng bộ R', 'committee', 'false', '', '2020-01-01', ''),
        ('A', 'R', 'Đảng bộ A', 'committee', 'true', '', '2020-01-01', ''),
        ('A1', 'A', 'Chi bộ A1', 'cell', 'false', 'residential', '2020-01-01', ''),
        ('A2', 'A', 'Chi bộ A2', 'cell', 'false', 'school', '2020-01-01', ''),
        ('C''); DROP TABLE chibo.members; --', 'R', 'Chi bộ "quoted" %I %L %s $$ $q$', 'cell', 'true', 'other', '2020-01-01', ''),
        ('X%I', 'R', '$$; DROP TABLE chibo.units; $$', 'cell', 'false', 'army''); DROP TABLE chibo.units; --', '2020-01-01', ''),
        ('Y%L', 'R', 'Bad grassroots', 'cell', 'yes''); DROP ROLE chibo_admin; --', 'other', '2020-01-01', ''),
        ('Z"', 'R', 'Bad date', 'cell', 'false', 'other', '2020-01-01''::date); DROP TABLE chibo.units; --', '');
    INSERT INTO chibo_import.members (code, full_name, gender, birth_date, admitted_on, full_member_on, left_on, left_reason) VALUES
        ('M1', 'Nguyễn Văn Một', 'male', '1970-01-01', '2000-01-01', '2001-01-01', '', ''),
        ('M2', 'Trần Thị Hai', 'female', '', '2000-01-01', '2001-01-01', '', ''),
        ('M3', 'Lê Văn Ba', '', '', '2000-01-01', '', '', ''),
        ('M4', 'Phạm Thị Bốn', 'female', '', '2000-01-01', '2001-01-01', '', ''),
        ('M5', 'Hoàng Văn Năm', 'male', '', '2000-01-01', '2001-01-01', '', ''),
        ('M6', 'Đỗ Thị Sáu', 'female', '', '2000-01-01', '2001-01-01', '', ''),
        ('M''7', 'Robert''); DROP TABLE chibo.members; --', 'male', '', '2000-01-01', '', '', ''),
        ('M%s8', 'Bad gender', '%L''); DROP TABLE chibo.members; --', '', '2000-01-01', '', '', '');
    INSERT INTO chibo_import.memberships (member_code, unit_code, from_date, to_date) VALUES
        ('M1', 'A1', '2020-01-01', ''), ('M2', 'A1', '2020-01-01', ''), ('M5', 'A1', '2020-01-01', ''),
        ('M3', 'A2', '2020-01-01', ''), ('M4', 'A2', '2020-01-01', ''), ('M6', 'A2', '2020-01-01', ''),
        ('M''7', 'C''); DROP TABLE chibo.members; --', '2020-01-01', ''),
        ('M1', 'A1''); DROP TABLE chibo.memberships; --', '2020-01-01', '');
    INSERT INTO chibo_import.exemptions (member_code, from_date, to_date, reason) VALUES
        ('M5', '2023-03-01', '2023-05-01', 'health'),
        ('M6', '2023-01-01', '', 'age''; DROP TABLE chibo.exemptions; --');
    INSERT INTO chibo_import.meetings (unit_code, held_on, kind, topic, minutes) VALUES
        ('A1', '2023-01-05', 'regular', '', '100'),
        ('A1', '2023-02-05', 'regular', '', ''),
        ('A1', '2023-03-05', 'combined', 'Quý I', ''),
        ('A2', '2023-01-05', 'regular', '', ''),
        ('A2', '2023-02-05', 'regular', '''); DELETE FROM chibo.units; --', ''),
        ('A2', '2023-03-20', 'thematic', '$$ %I %L', ''),
        ('C''); DROP TABLE chibo.members; --', '2023-01-05', 'regular', '', ''),
        ('A1', '2023-04-05', 'regular''); DROP TABLE chibo.meetings; --', '', ''),
        ('A1', '2023-04-06', 'regular', '', '90; DROP TABLE chibo.meetings');
    INSERT INTO chibo_import.attendance (unit_code, held_on, meeting_kind, member_code, status) VALUES
        ('A1', '2023-01-05', 'regular', 'M1', 'present'), ('A1', '2023-01-05', 'regular', 'M2', 'absent'),
        ('A1', '2023-01-05', 'regular', 'M5', 'present'),
        ('A1', '2023-02-05', 'regular', 'M1', 'present'), ('A1', '2023-02-05', 'regular', 'M2', 'absent'),
        ('A1', '2023-02-05', 'regular', 'M5', 'excused'),
        ('A1', '2023-03-05', 'combined', 'M1', 'present'), ('A1', '2023-03-05', 'combined', 'M2', 'absent'),
        ('A2', '2023-01-05', 'regular', 'M3', 'present'), ('A2', '2023-01-05', 'regular', 'M4', 'present'),
        ('A2', '2023-01-05', 'regular', 'M6', 'excused'),
        ('A2', '2023-02-05', 'regular', 'M3', 'present'), ('A2', '2023-02-05', 'regular', 'M4', 'absent'),
        ('C''); DROP TABLE chibo.members; --', '2023-01-05', 'regular', 'M''7', 'present'),
        ('A1', '2023-01-05', 'regular', 'M2''); DROP TABLE chibo.attendance; --', 'present'),
        ('A2', '2023-01-05', 'regular', 'M3', 'present''::chibo.attendance_status); DROP TABLE chibo.attendance; --');
    INSERT INTO chibo_import.task_registrations (member_code, year, kind, title, outcome) VALUES
        ('M1', '2023', 'new', 'Nhiệm vụ $$x$$ %I', ''),
        ('M3', '2023', 'difficult', 'Giải quyết đơn thư', 'completed'),
        ('M4', '2023', 'new', 'Bad outcome', 'done''); DROP TABLE chibo.task_registrations; --');
    INSERT INTO chibo_import.assessments (subject_kind, subject_code, scheme, period_start, period_end, criteria) VALUES
        ('member', 'M1', 'DV4T', '2023-01-01', '2023-12-31', '1111'),
        ('member', 'M2', 'DV4T', '2023-01-01', '2023-12-31', '1101'),
        ('cell', 'A1', 'CB4T', '2023-01-01', '2023-12-31', '1111'),
        ('member', 'M3', 'DV4T''); DROP TABLE chibo.schemes; --', '2023-01-01', '2023-12-31', '1111'),
        ('member', 'M4', 'DV4T', '2023-01-01', '2023-12-31', '1111''::chibo.criteria); DROP TABLE chibo.assessments; --');
    INSERT INTO chibo_import.classifications (subject_kind, subject_code, year, grade, score) VALUES
        ('member', 'M1', '2023', 'excellent', '95'),
        ('member', 'M2', '2023', 'good', ''), ('member', 'M3', '2023', 'good', '80.5'),
        ('member', 'M4', '2023', 'good', ''), ('member', 'M5', '2023', 'good', ''),
        ('member', 'M6', '2023', 'good''); DROP TABLE chibo.classifications; --', ''),
        ('member', 'M''7', '2023', 'good', '1); DROP TABLE chibo.classifications; --');
    INSERT INTO regress.lookalike_results SELECT tag, 'import', x::text FROM chibo.import_staged() x;
    INSERT INTO regress.lookalike_results SELECT tag, 'reject', pg_catalog.concat_ws(' | ', r.file, r.line, r.reason)
      FROM chibo_import.rejects r;

    -- 2b. A full refresh.
    INSERT INTO regress.lookalike_results SELECT tag, 'refresh full', x::text FROM chibo.refresh_reports(true) x;

    -- 2c. Direct writes, firing the validation, tracking, audit and
    -- unit_ancestors triggers.
    INSERT INTO chibo.meetings (unit_id, held_on, kind, topic, minutes)
    VALUES (chibo.unit_id_of('A1'), '2023-05-05', 'regular', 'direct', 95);
    INSERT INTO chibo.attendance (meeting_id, member_id, status)
    SELECT mt.id, m.id, CASE WHEN m.code OPERATOR(pg_catalog.=) 'M1' THEN 'present' ELSE 'absent' END::chibo.attendance_status
      FROM chibo.meetings mt, chibo.members m
     WHERE mt.unit_id OPERATOR(pg_catalog.=) (SELECT u.id FROM chibo.units u WHERE u.code OPERATOR(pg_catalog.=) 'A1') AND mt.held_on OPERATOR(pg_catalog.=) '2023-05-05'
       AND m.code OPERATOR(pg_catalog.=) ANY ('{M1,M2,M5}');
    UPDATE chibo.attendance a SET status = 'excused'
      FROM chibo.members m
     WHERE m.id OPERATOR(pg_catalog.=) a.member_id AND m.code OPERATOR(pg_catalog.=) 'M2'
       AND a.held_on OPERATOR(pg_catalog.=) '2023-05-05';
    DELETE FROM chibo.attendance a USING chibo.members m
     WHERE m.id OPERATOR(pg_catalog.=) a.member_id AND m.code OPERATOR(pg_catalog.=) 'M5'
       AND a.held_on OPERATOR(pg_catalog.=) '2023-02-05';
    INSERT INTO chibo.units (code, parent_id, name, kind, grassroots, cell_type, valid_from)
    VALUES ('A3', chibo.unit_id_of('A'), 'Chi bộ A3', 'cell', false, 'enterprise', '2023-04-01');
    UPDATE chibo.units SET name = 'Chi bộ A3 (mới)' WHERE code OPERATOR(pg_catalog.=) 'A3';
    UPDATE chibo.memberships ms SET to_date = '2023-04-01' FROM chibo.members m
     WHERE m.id OPERATOR(pg_catalog.=) ms.member_id AND m.code OPERATOR(pg_catalog.=) 'M4';
    INSERT INTO chibo.memberships (member_id, unit_id, from_date)
    SELECT m.id, chibo.unit_id_of('A3'), '2023-04-01' FROM chibo.members m WHERE m.code OPERATOR(pg_catalog.=) 'M4';
    INSERT INTO chibo.exemptions (member_id, from_date, reason)
    SELECT m.id, '2023-06-01', 'away' FROM chibo.members m WHERE m.code OPERATOR(pg_catalog.=) 'M2';
    DELETE FROM chibo.exemptions e USING chibo.members m
     WHERE m.id OPERATOR(pg_catalog.=) e.member_id AND m.code OPERATOR(pg_catalog.=) 'M5';
    INSERT INTO chibo.task_registrations (member_id, year, kind, title)
    SELECT m.id, 2023, 'new', 'direct' FROM chibo.members m WHERE m.code OPERATOR(pg_catalog.=) 'M2';
    INSERT INTO chibo.assessments (subject_kind, member_id, scheme_id, period_start, period_end, criteria)
    SELECT 'member', m.id, s.id, '2023-05-01', '2023-05-31', '1111'
      FROM chibo.members m, chibo.schemes s
     WHERE m.code OPERATOR(pg_catalog.=) 'M1' AND s.code OPERATOR(pg_catalog.=) 'DV4T';
    UPDATE chibo.classifications c SET grade = 'excellent', score = 91.25 FROM chibo.members m
     WHERE m.id OPERATOR(pg_catalog.=) c.member_id AND m.code OPERATOR(pg_catalog.=) 'M3';
    UPDATE chibo.members SET left_on = '2023-06-30', left_reason = 'resigned' WHERE code OPERATOR(pg_catalog.=) 'M6';
    INSERT INTO chibo.schemes (code, name, subject_kind, criteria_names)
    VALUES ('T''); DROP TABLE chibo.schemes; --', 'Scheme %I %L $$', 'member', '{a,b}');
    -- writes that break a rule: each a clean error of its rule
    FOREACH st IN ARRAY ARRAY[
        $s$INSERT INTO chibo.meetings (unit_id, held_on, kind) VALUES (chibo.unit_id_of('A1'), '2023-05-06', 'weekly''); DROP TABLE chibo.meetings; --')$s$,
        $s$INSERT INTO chibo.memberships (member_id, unit_id, from_date)
           SELECT m.id, chibo.unit_id_of('A2'), '2023-01-01' FROM chibo.members m WHERE m.code OPERATOR(pg_catalog.=) 'M1'$s$,
        $s$INSERT INTO chibo.units (code, parent_id, name, kind, grassroots, cell_type, valid_from)
           VALUES ('Z''); DROP TABLE chibo.units; --', chibo.unit_id_of('A1'), 'child of a cell', 'cell', false, 'other', '2021-01-01')$s$,
        $s$INSERT INTO chibo.attendance (meeting_id, member_id, status)
           SELECT mt.id, m.id, 'present' FROM chibo.meetings mt, chibo.members m
            WHERE mt.unit_id OPERATOR(pg_catalog.=) (SELECT u.id FROM chibo.units u WHERE u.code OPERATOR(pg_catalog.=) 'A1') AND mt.held_on OPERATOR(pg_catalog.=) '2023-05-05'
              AND m.code OPERATOR(pg_catalog.=) 'M3'$s$,
        $s$UPDATE chibo.members SET left_on = '2023-01-01', left_reason = 'died' WHERE code OPERATOR(pg_catalog.=) 'M1'$s$,
        $s$INSERT INTO chibo.exemptions (member_id, from_date, reason)
           SELECT m.id, '2023-01-01', 'bored''); DROP TABLE chibo.exemptions; --' FROM chibo.members m WHERE m.code OPERATOR(pg_catalog.=) 'M3'$s$,
        $s$INSERT INTO chibo.schemes (code, name, subject_kind, criteria_names) VALUES ('S2', 'x', 'ward''; --', '{a}')$s$,
        $s$DELETE FROM chibo.memberships ms USING chibo.members m
            WHERE m.id OPERATOR(pg_catalog.=) ms.member_id AND m.code OPERATOR(pg_catalog.=) 'M5'$s$]
    LOOP
        BEGIN
            EXECUTE st;
            INSERT INTO regress.lookalike_results VALUES (tag, 'rule', 'ok (no error!)');
        EXCEPTION WHEN OTHERS THEN
            INSERT INTO regress.lookalike_results VALUES (tag, 'rule', pg_catalog.concat_ws(' ', SQLSTATE, SQLERRM));
        END;
    END LOOP;
    INSERT INTO regress.lookalike_results SELECT tag, 'changes recorded', (SELECT pg_catalog.count(*) FROM chibo.report_changes)::text;

    -- 2d. An incremental refresh, then a second one with nothing to do.
    INSERT INTO regress.lookalike_results SELECT tag, 'refresh incremental', x::text FROM chibo.refresh_reports() x;
    INSERT INTO regress.lookalike_results SELECT tag, 'refresh again', x::text FROM chibo.refresh_reports(false) x;

    -- 2e. The indicator functions and the report views.
    INSERT INTO regress.lookalike_results SELECT tag, 'indicators R', x::text FROM chibo.indicators('R', '2023-01-01', '2023-06-01') x;
    INSERT INTO regress.lookalike_results SELECT tag, 'indicators A1', x::text
      FROM chibo.indicators('A1', '2023-01-01', '2023-03-01', 0.5, 'excused_excluded') x;
    INSERT INTO regress.lookalike_results SELECT tag, 'indicators C''', x::text
      FROM chibo.indicators('C''); DROP TABLE chibo.members; --', '2023-01-01', '2023-01-01') x;
    INSERT INTO regress.lookalike_results SELECT tag, 'members_needing_attention', x::text
      FROM chibo.members_needing_attention('R', 2023) x;
    INSERT INTO regress.lookalike_results SELECT tag, 'cells_needing_attention', x::text
      FROM chibo.cells_needing_attention('R', '2023-01-01', '2023-06-01') x;
    INSERT INTO regress.lookalike_results SELECT tag, 'grading_quota', x::text FROM chibo.grading_quota('R', 2023) x;
    INSERT INTO regress.lookalike_results
    SELECT tag, 'view units', row(x.unit_code, x.unit_name, x.unit_kind, x.grassroots, x.cell_type, x.parent_code,
                                  x.top_code, x.level, x.valid_from, x.valid_to)::text
      FROM chibo_report.units x;
    INSERT INTO regress.lookalike_results SELECT tag, 'view unit_month', x::text FROM chibo_report.unit_month x;
    INSERT INTO regress.lookalike_results SELECT tag, 'view unit_year', x::text FROM chibo_report.unit_year x;
    INSERT INTO regress.lookalike_results SELECT tag, 'view headline', x::text FROM chibo_report.headline x;
    INSERT INTO regress.lookalike_results SELECT tag, 'view cell_type_year', x::text FROM chibo_report.cell_type_year x;
    INSERT INTO regress.lookalike_results SELECT tag, 'view cells_needing_attention', x::text
      FROM chibo_report.cells_needing_attention x;
    INSERT INTO regress.lookalike_results SELECT tag, 'view grading_quota', x::text FROM chibo_report.grading_quota x;
    INSERT INTO regress.lookalike_results
    SELECT tag, 'view report_state', pg_catalog.concat_ws(' ', x.first_month, x.last_month, x.changes_pending,
                                                          x.refreshed_at IS NOT NULL, x.rebuilt_at IS NOT NULL)
      FROM chibo_report.report_state x;

    -- 2f. grant_unit and revoke_unit.
    PERFORM chibo.grant_unit('lookalike_grantee', 'A');
    PERFORM chibo.grant_unit('lookalike_grantee', 'C''); DROP TABLE chibo.members; --');
    INSERT INTO regress.lookalike_results SELECT tag, 'granted', pg_catalog.concat_ws(' ', g.role_name, u.code)
      FROM chibo.unit_grants g JOIN chibo.units u ON u.id OPERATOR(pg_catalog.=) g.unit_id;
    INSERT INTO regress.lookalike_results
    SELECT tag, 'grantee is an editor', pg_catalog.pg_has_role('lookalike_grantee', 'chibo_editor', 'MEMBER')::text;
    PERFORM chibo.revoke_unit('lookalike_grantee', 'A');
    PERFORM chibo.revoke_unit('lookalike_grantee', 'C''); DROP TABLE chibo.members; --');
    INSERT INTO regress.lookalike_results
    SELECT tag, 'grantee is an editor after revoke', pg_catalog.pg_has_role('lookalike_grantee', 'chibo_editor', 'MEMBER')::text;

    -- 2g. The aggregates and type I/O.
    INSERT INTO regress.lookalike_results
    SELECT tag, 'ratio aggregates', pg_catalog.concat_ws(' ', chibo.sum(v.r), chibo.min(v.r), chibo.max(v.r),
                                                         chibo.share_at_least(v.r, 0.6),
                                                         pg_catalog.array_agg(v.r ORDER BY v.r),
                                                         pg_catalog.count(DISTINCT v.r))
      FROM (VALUES ('1/2'::chibo.ratio), ('3/4'), ('0/0'), ('2/2'), ('2/4')) v (r);
    INSERT INTO regress.lookalike_results
    SELECT tag, 'attendance aggregates', pg_catalog.concat_ws(' ', chibo.attendance_ratio(v.s),
                                                              chibo.attendance_ratio(v.s, 'excused_excluded'),
                                                              chibo.attendance_ratio(v.s OPERATOR(pg_catalog.=) 'present'))
      FROM (VALUES ('present'::chibo.attendance_status), ('excused'), ('absent'), ('present')) v (s);
    INSERT INTO regress.lookalike_results
    SELECT tag, 'criteria aggregates', pg_catalog.concat_ws(' ', chibo.good_status(v.c), chibo.four_good_status(v.c),
                                                            chibo.label(chibo.four_good_status(v.c)),
                                                            chibo.failed_criteria(chibo.good_status(v.c)),
                                                            pg_catalog.array_agg(v.c ORDER BY v.c))
      FROM (VALUES ('1111'::chibo.criteria), ('1101'), ('0111')) v (c);
    INSERT INTO regress.lookalike_results
    SELECT tag, 'type io', pg_catalog.concat_ws(' ',
        '7/9'::chibo.ratio, chibo.ratio(7, 9), chibo.display('7126/7560'), chibo.display('7126/7560', 'plain'),
        chibo.percent('7/9', 2), '7/9'::chibo.ratio::numeric(10, 4), chibo.ratio_send('7/9'),
        '1101'::chibo.criteria, chibo.criteria_send('1101'), chibo.met_count('1101'), chibo.unmet_criteria('1101'),
        'not_achieved:1101:3'::chibo.good_status, chibo.good_status_send('not_achieved:1101:3'),
        'present=3 excused=1 absent=2 policy=excused_count'::chibo.attendance_tally,
        chibo.attendance_tally_send('present=3 excused=1 absent=2 policy=excused_count'),
        '1/2'::chibo.ratio OPERATOR(chibo.=) '2/4'::chibo.ratio, '1/2'::chibo.ratio OPERATOR(chibo.<) '3/4'::chibo.ratio,
        '7/9'::chibo.ratio OPERATOR(chibo.>=) 0.85, '1101'::chibo.criteria OPERATOR(chibo.<) '1111'::chibo.criteria,
        '1/2'::chibo.ratio OPERATOR(chibo.+) '1/4'::chibo.ratio);
END;
$run$;

-- What a run leaves in the tables, read back with the test's own clean
-- search_path: every stored row by natural keys, the tree, the rollups by
-- unit code, what the audit recorded (by table and operation).
CREATE FUNCTION regress.lookalike_after(p_tag text, audit_from bigint) RETURNS void
LANGUAGE sql SET search_path = pg_catalog, regress, chibo AS $$
    INSERT INTO regress.lookalike_results SELECT p_tag, 'contents', c FROM regress.contents() c;
    INSERT INTO regress.lookalike_results
    SELECT p_tag, 'unit_ancestors', concat_ws(' ', u.code, a.code, ua.depth)
      FROM chibo.unit_ancestors ua JOIN chibo.units u ON u.id = ua.unit_id JOIN chibo.units a ON a.id = ua.ancestor_id;
    INSERT INTO regress.lookalike_results
    SELECT p_tag, 'cell_months', concat_ws(' ', u.code, c.month, c.meetings, c.present, c.excused, c.expected,
               c.thematic_meetings, c.side_meetings, c.active_members, c.task_registered, c.four_good)
      FROM chibo.cell_months c JOIN chibo.units u ON u.id = c.unit_id;
    INSERT INTO regress.lookalike_results
    SELECT p_tag, 'audit', concat_ws(' ', table_name, operation, count(*))
      FROM chibo.audit_log WHERE id > audit_from GROUP BY table_name, operation;
$$;

-- Clean run: no traps yet, the test's own search_path.
SELECT coalesce(max(id), 0) AS audit_mark FROM chibo.audit_log \gset
SELECT regress.lookalike_run('clean');
SELECT regress.lookalike_after('clean', :audit_mark);

-- ---------------------------------------------------------------------------
-- The traps, owned by lookalike_owner (a login without superuser, an
-- administrator of chibo).  Each function writes to public.trap_log and
-- returns a wrong value (NULL, or no rows).
-- ---------------------------------------------------------------------------
SET ROLE lookalike_owner;
CREATE TABLE public.trap_log (what text, by_role name DEFAULT current_user, at timestamptz DEFAULT clock_timestamp());
GRANT SELECT, INSERT ON public.trap_log TO PUBLIC;

-- Functions named like those chibo calls (grep pg_catalog\.\w+ sql/),
-- with their argument types and, where a call could slip to it through an
-- implicit cast, closer ones (date_trunc(text, date), nextval(text), ...);
-- and chibo's own function names.  (Not plantable: COALESCE, NULLIF,
-- GREATEST, LEAST, which are syntax; row_number(), a window function; a
-- function of type unknown.)
DO $plant$
DECLARE
    f record;
    body text;
BEGIN
    FOR f IN SELECT * FROM (VALUES
        ('format', 'text', 'text'), ('format', 'text, text', 'text'), ('format', 'text, text, text', 'text'),
        ('format', 'text, text, text, text', 'text'), ('format', 'text, VARIADIC text[]', 'text'),
        ('format', 'text, anyelement', 'text'), ('format', 'text, bigint', 'text'), ('format', 'text, integer', 'text'),
        ('lower', 'text', 'text'), ('upper', 'text', 'text'), ('left', 'text, integer', 'text'),
        ('substr', 'text, integer', 'text'), ('substr', 'text, integer, integer', 'text'), ('btrim', 'text', 'text'),
        ('split_part', 'text, text, integer', 'text'), ('quote_ident', 'text', 'text'),
        ('quote_literal', 'text', 'text'), ('quote_literal', 'anyelement', 'text'),
        ('array_to_string', 'anyarray, text', 'text'), ('cardinality', 'anyarray', 'integer'),
        ('array_position', 'anyarray, anyelement', 'integer'), ('array_ndims', 'anyarray', 'integer'),
        ('date_trunc', 'text, timestamp', 'timestamp'), ('date_trunc', 'text, timestamptz', 'timestamptz'),
        ('date_trunc', 'text, date', 'timestamp'), ('date_part', 'text, date', 'double precision'),
        ('date_part', 'text, timestamp', 'double precision'), ('make_date', 'integer, integer, integer', 'date'),
        ('make_date', 'bigint, bigint, bigint', 'date'), ('daterange', 'date, date', 'daterange'),
        ('daterange', 'date, date, text', 'daterange'), ('int8range', 'bigint, bigint, text', 'int8range'),
        ('to_jsonb', 'anyelement', 'jsonb'), ('to_jsonb', 'record', 'jsonb'),
        ('jsonb_build_array', 'VARIADIC text[]', 'jsonb'), ('now', '', 'timestamptz'),
        ('clock_timestamp', '', 'timestamptz'), ('txid_current', '', 'bigint'), ('current_setting', 'text', 'text'),
        ('current_setting', 'text, boolean', 'text'), ('current_database', '', 'name'),
        ('pg_has_role', 'oid, text', 'boolean'), ('pg_has_role', 'name, text, text', 'boolean'),
        ('pg_has_role', 'name, name, text', 'boolean'), ('pg_has_role', 'text, text, text', 'boolean'),
        ('to_char', 'timestamp, text', 'text'), ('to_char', 'date, text', 'text'), ('round', 'numeric, integer', 'numeric'),
        ('hashtext', 'text', 'integer'), ('pg_advisory_xact_lock', 'bigint', 'void'),
        ('pg_advisory_xact_lock', 'integer', 'void'), ('nextval', 'regclass', 'bigint'), ('nextval', 'text', 'bigint'),
        ('to_regclass', 'text', 'regclass'), ('pg_extension_config_dump', 'regclass, text', 'void'),
        ('generate_series', 'timestamp, timestamp, interval', 'SETOF timestamp'),
        ('generate_series', 'date, date, interval', 'SETOF timestamp'),
        ('generate_series', 'timestamptz, timestamptz, interval', 'SETOF timestamptz'),
        ('unnest', 'anyarray', 'SETOF anyelement'), ('unnest', 'text[]', 'SETOF text'),
        ('unnest', 'bigint[]', 'SETOF bigint'),
        -- chibo's own names
        ('unit_id_of', 'text', 'bigint'), ('subtree', 'bigint', 'SETOF chibo.units'),
        ('indicators', 'text, date, date, numeric, text', 'SETOF record'),
        ('active_members', 'bigint, date', 'SETOF record'), ('month_of', 'date', 'date'), ('month_end', 'date', 'date'),
        ('date_text', 'date', 'text'), ('period_text', 'date, date', 'text'), ('raise_problem', 'text', 'void'),
        ('ratio', 'bigint, bigint', 'chibo.ratio'), ('display', 'chibo.ratio, text', 'text'),
        ('percent', 'chibo.ratio, integer', 'numeric'), ('label', 'chibo.good_status', 'text'),
        ('criteria_count', 'chibo.criteria', 'integer'), ('all_met', 'chibo.criteria', 'boolean'),
        ('check_grantee', 'name', 'void'), ('granted_units', '', 'SETOF bigint'), ('granted_members', '', 'SETOF bigint'),
        ('members_rule', 'text, text', 'text'), ('meetings_rule', 'text, text', 'text'),
        ('exemptions_rule', 'text, text', 'text'), ('attendance_rule', 'text, text, boolean', 'text'),
        ('report_spans', 'text, text', 'text'), ('unit_sums', 'text, text', 'text'),
        ('unit_rollup_columns', 'regclass, text', 'text'), ('minimum_minutes', 'text, date', 'integer'),
        ('month_passes', 'bigint, bigint, bigint, numeric', 'boolean'), ('cell_types', '', 'text[]'),
        ('drop_temp_table', 'text', 'void'), ('parse_date', 'text', 'date'), ('date_problem', 'text, text', 'text'),
        ('reason', 'text', 'text'), ('check_window', 'date, date, numeric, text', 'void'),
        ('check_rollups', 'date', 'void'), ('refresh_member_figures', '', 'void'), ('refresh_cell_months', '', 'bigint'),
        ('refresh_cell_years', '', 'bigint'), ('refresh_unit_rollups', 'boolean', 'bigint'),
        ('membership_problem', 'bigint, bigint, bigint, date, date', 'text'), ('subject_rule', 'text', 'text'),
        ('mark_duplicates', 'text', 'void'), ('apply_rows', 'text, integer, bigint', 'void'),
        ('check_units', 'integer', 'bigint'), ('load_units', '', 'void'), ('retry_units', '', 'void'),
        ('finish', 'bigint, text', 'record'), ('refresh_job_name', '', 'text'), ('cron_call', 'text', 'text'),
        ('refresh_reports', 'boolean', 'SETOF record'), ('import_staged', '', 'SETOF record')
        ) AS v (name, args, ret)
    LOOP
        body := format('BEGIN INSERT INTO public.trap_log (what) VALUES (%L); RETURN%s; END',
                       format('public.%s(%s)', f.name, f.args),
                       CASE WHEN f.ret = 'void' OR f.ret LIKE 'SETOF%' THEN '' ELSE ' NULL' END);
        EXECUTE format('CREATE FUNCTION public.%I(%s) RETURNS %s LANGUAGE plpgsql VOLATILE AS %L',
                       f.name, f.args, f.ret, body);
    END LOOP;
END
$plant$;

-- Aggregates named like those chibo uses, on the types it aggregates
-- (and chibo's own aggregate names): their state function logs and
-- returns NULL.
DO $plant$
DECLARE
    a record;
    n integer := 0;
BEGIN
    FOR a IN SELECT * FROM (VALUES
        ('count', '*', 'bigint'), ('count', 'bigint', 'bigint'), ('count', 'text', 'bigint'), ('count', 'jsonb', 'bigint'),
        ('count', 'date', 'bigint'), ('sum', 'bigint', 'numeric'), ('sum', 'integer', 'bigint'),
        ('sum', 'numeric', 'numeric'), ('sum', 'chibo.ratio', 'chibo.ratio'),
        ('min', 'bigint', 'bigint'), ('max', 'bigint', 'bigint'), ('min', 'integer', 'integer'),
        ('max', 'integer', 'integer'), ('min', 'date', 'date'), ('max', 'date', 'date'), ('min', 'text', 'text'),
        ('max', 'text', 'text'), ('min', 'chibo.ratio', 'chibo.ratio'), ('max', 'chibo.ratio', 'chibo.ratio'),
        ('string_agg', 'text, text', 'text'), ('array_agg', 'date', 'date[]'), ('array_agg', 'text', 'text[]'),
        ('array_agg', 'chibo.ratio', 'chibo.ratio[]'), ('bool_and', 'boolean', 'boolean'),
        ('bool_or', 'boolean', 'boolean'), ('good_status', 'chibo.criteria', 'chibo.good_status'),
        ('four_good_status', 'chibo.criteria', 'chibo.good_status'),
        ('attendance_ratio', 'chibo.attendance_status', 'chibo.ratio'),
        ('attendance_ratio', 'chibo.attendance_status, text', 'chibo.ratio'),
        ('share_at_least', 'chibo.ratio, numeric', 'chibo.ratio')) AS v (name, args, state)
    LOOP
        n := n + 1;
        EXECUTE format('CREATE FUNCTION public.trap_sfunc_%s(%s%s) RETURNS %s LANGUAGE plpgsql VOLATILE AS %L',
                       n, a.state, CASE WHEN a.args = '*' THEN '' ELSE ', ' || a.args END, a.state,
                       format('BEGIN INSERT INTO public.trap_log (what) VALUES (%L); RETURN NULL; END',
                              format('public.%s(%s)', a.name, a.args)));
        EXECUTE format('CREATE AGGREGATE public.%I(%s) (SFUNC = public.trap_sfunc_%s, STYPE = %s)',
                       a.name, a.args, n, a.state);
    END LOOP;
END
$plant$;

-- Operators on the types chibo compares and computes with, the same
-- signatures as pg_catalog's and implicit-cast traps (bigint = integer,
-- name = text, text = varchar, date = timestamp ...).
DO $plant$
DECLARE
    o record;
    t record;
    n integer := 0;
BEGIN
    FOR o IN
        SELECT op, l, r, 'boolean' AS ret
          FROM unnest(ARRAY['=', '<>', '<', '<=', '>', '>=']) op,
               (VALUES ('bigint', 'bigint'), ('integer', 'integer'), ('bigint', 'integer'), ('integer', 'bigint'),
                       ('text', 'text'), ('date', 'date'), ('numeric', 'numeric'), ('boolean', 'boolean'),
                       ('name', 'name'), ('name', 'text'), ('text', 'name'), ('text', 'varchar'), ('varchar', 'text'),
                       ('date', 'timestamp'), ('timestamp', 'date'), ('jsonb', 'jsonb'), ('bigint', 'numeric'),
                       ('integer', 'numeric'), ('double precision', 'numeric'), ('oid', 'oid'), ('"char"', '"char"'),
                       ('chibo.ratio', 'chibo.ratio'), ('chibo.ratio', 'numeric'), ('numeric', 'chibo.ratio'),
                       ('chibo.ratio', 'integer'), ('chibo.criteria', 'chibo.criteria'),
                       ('chibo.attendance_status', 'chibo.attendance_status'),
                       ('chibo.attendance_status', 'text')) AS ty (l, r)
        UNION ALL
        SELECT * FROM (VALUES
            ('@>', 'daterange', 'daterange', 'boolean'), ('@>', 'daterange', 'date', 'boolean'),
            ('@>', 'int8range', 'bigint', 'boolean'), ('&&', 'daterange', 'daterange', 'boolean'),
            ('&&', 'int8range', 'int8range', 'boolean'), ('~', 'text', 'text', 'boolean'), ('~~', 'text', 'text', 'boolean'),
            ('+', 'date', 'interval', 'timestamp'), ('+', 'date', 'integer', 'date'), ('+', 'integer', 'integer', 'integer'),
            ('+', 'bigint', 'bigint', 'bigint'), ('+', 'timestamp', 'interval', 'timestamp'),
            ('+', 'chibo.ratio', 'chibo.ratio', 'chibo.ratio'), ('+', 'interval', 'interval', 'interval'),
            ('-', 'date', 'integer', 'date'), ('-', 'date', 'date', 'integer'), ('-', 'integer', 'integer', 'integer'),
            ('-', 'bigint', 'bigint', 'bigint'), ('-', 'timestamp', 'interval', 'timestamp'),
            ('*', 'bigint', 'bigint', 'bigint'), ('*', 'integer', 'integer', 'integer'),
            ('||', 'text', 'text', 'text'), ('||', 'text', 'anynonarray', 'text'), ('||', 'anynonarray', 'text', 'text'),
            ('||', 'text[]', 'text', 'text[]'), ('||', 'text', 'bigint', 'text'), ('||', 'text', 'integer', 'text'),
            ('||', 'jsonb', 'jsonb', 'jsonb'), ('->>', 'jsonb', 'text', 'text')) AS v (op, l, r, ret)
    LOOP
        n := n + 1;
        EXECUTE format('CREATE FUNCTION public.trap_op_%s(%s, %s) RETURNS %s LANGUAGE plpgsql VOLATILE AS %L',
                       n, o.l, o.r, o.ret,
                       format('BEGIN INSERT INTO public.trap_log (what) VALUES (%L); RETURN NULL; END',
                              format('public.%s(%s, %s)', o.op, o.l, o.r)));
        EXECUTE format('CREATE OPERATOR public.%s (LEFTARG = %s, RIGHTARG = %s, FUNCTION = public.trap_op_%s)',
                       o.op, o.l, o.r, n);
    END LOOP;
END
$plant$;

-- Tables named like chibo's, holding the clean run's rows (ids that are
-- stale after the reset between runs, so reading them gives wrong
-- answers), with a trigger that logs any write; the derived tables as
-- views through a function that logs each read and doubles the rows.
DO $plant$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['units', 'members', 'memberships', 'exemptions', 'meetings', 'attendance',
                             'task_registrations', 'schemes', 'assessments', 'classifications', 'report_changes',
                             'audit_log', 'rejects'] LOOP
        EXECUTE format('CREATE TABLE public.%I AS SELECT * FROM %s.%I', t,
                       CASE t WHEN 'rejects' THEN 'chibo_import' ELSE 'chibo' END, t);
        EXECUTE format($f$CREATE FUNCTION public.%I() RETURNS trigger LANGUAGE plpgsql AS $b$
                           BEGIN INSERT INTO public.trap_log (what) VALUES (%L || ' ' || TG_OP); RETURN NULL; END $b$$f$,
                       'trap_write_' || t, 'public.' || t);
        EXECUTE format('CREATE TRIGGER trap AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON public.%I
                        FOR EACH STATEMENT EXECUTE FUNCTION public.%I()', t, 'trap_write_' || t);
    END LOOP;
    FOREACH t IN ARRAY ARRAY['unit_ancestors', 'cell_months', 'cell_years', 'unit_months', 'unit_years',
                             'report_state', 'unit_grants'] LOOP
        EXECUTE format('CREATE TABLE public.%I AS SELECT * FROM chibo.%I', 'trap_data_' || t, t);
        EXECUTE format($f$CREATE FUNCTION public.%I() RETURNS SETOF chibo.%I LANGUAGE plpgsql AS $b$
                           BEGIN INSERT INTO public.trap_log (what) VALUES (%L);
                                 RETURN QUERY SELECT * FROM public.%I UNION ALL SELECT * FROM public.%I; END $b$$f$,
                       'trap_read_' || t, t, 'public.' || t || ' read', 'trap_data_' || t, 'trap_data_' || t);
        EXECUTE format('CREATE VIEW public.%I AS SELECT * FROM public.%I()', t, 'trap_read_' || t);
    END LOOP;
    -- the transition tables' names, and the staging tables'
    CREATE TABLE public.new_rows AS SELECT * FROM chibo.attendance;
    CREATE TABLE public.old_rows AS SELECT * FROM chibo.attendance;
    CREATE TABLE public.staging_units AS SELECT * FROM chibo_import.units;
END
$plant$;
CREATE SEQUENCE public.batch_seq START 1000;
CREATE SEQUENCE public.units_id_seq START 1000;
RESET ROLE;

-- Temporary look-alikes (pg_temp comes first for tables when a search_path
-- does not name it; chibo's functions name it last): tables named like
-- chibo's tables, the transition tables' names, and the refresh's own
-- temporary tables, with rows that would spoil a result if read.  The
-- refresh drops and recreates its own names, so they are planted again
-- before each run.
CREATE FUNCTION regress.lookalike_plant_temp() RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['units', 'members', 'memberships', 'exemptions', 'meetings', 'attendance',
                             'task_registrations', 'schemes', 'assessments', 'classifications', 'report_changes',
                             'unit_ancestors', 'cell_months', 'cell_years', 'unit_months', 'unit_years',
                             'report_state', 'unit_grants', 'audit_log'] LOOP
        EXECUTE format('CREATE TEMP TABLE %I AS SELECT * FROM public.%I', t,
                       CASE WHEN to_regclass('public.trap_data_' || t) IS NULL THEN t ELSE 'trap_data_' || t END);
    END LOOP;
    CREATE TEMP TABLE new_rows AS SELECT * FROM public.attendance;
    CREATE TEMP TABLE old_rows AS SELECT * FROM public.attendance;
    -- the refresh's temporary tables, full of rows of a unit that does not exist
    FOREACH t IN ARRAY ARRAY['chibo_changes', 'chibo_target_months', 'chibo_target_years', 'chibo_unit_target_months',
                             'chibo_unit_target_years', 'chibo_month_deltas', 'chibo_year_deltas',
                             'chibo_unit_month_deltas', 'chibo_unit_year_deltas', 'chibo_windows',
                             'chibo_window_members', 'chibo_member_figures', 'chibo_target_meetings',
                             'chibo_meeting_counts', 'chibo_meeting_marks'] LOOP
        EXECUTE format('CREATE TEMP TABLE %I AS SELECT -1::bigint AS unit_id, -1::bigint AS id, DATE ''2023-01-01'' AS month,
                               DATE ''2023-01-31'' AS month_end, 2023 AS year, true AS members, 1 AS sign', t);
    END LOOP;
END
$$;
-- (dropped by a superuser between runs: the owner of a run plants its own)
CREATE FUNCTION regress.lookalike_drop_temp() RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    t text;
BEGIN
    FOR t IN SELECT c.relname FROM pg_class c WHERE c.relnamespace = pg_my_temp_schema() AND c.relkind = 'r' LOOP
        EXECUTE format('DROP TABLE pg_temp.%I', t);
    END LOOP;
END
$$;
-- functions in pg_temp are never found without the schema's name
CREATE FUNCTION pg_temp.unit_id_of(text) RETURNS bigint LANGUAGE sql AS 'SELECT -1::bigint';
CREATE FUNCTION pg_temp.month_of(date) RETURNS date LANGUAGE sql AS 'SELECT DATE ''1900-01-01''';

SELECT count(*) AS traps_planted FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace
   AND p.proowner = 'lookalike_owner'::regrole;
SELECT count(*) AS operators_planted FROM pg_operator o WHERE o.oprnamespace = 'public'::regnamespace;
-- (the test's own view of a few traps: they do fire when called)
SET search_path = public, pg_catalog;
SELECT lower('X') IS NULL AS lower_trapped, (1::bigint = 1::bigint) IS NULL AS eq_trapped,
       (SELECT count(*) FROM (VALUES (1::bigint)) v (x)) IS NULL AS count_trapped;
SET search_path = pg_catalog, regress, chibo;
SELECT what FROM public.trap_log ORDER BY what;
DELETE FROM public.trap_log;
-- fingerprints of the look-alike tables, to show nothing wrote to them
CREATE TABLE regress.lookalike_planted AS
SELECT c.oid::regclass::text AS rel, (xpath('/row/c/text()',
        query_to_xml(format('SELECT md5(coalesce(string_agg(x::text, '','' ORDER BY x::text), '''')) || '' '' || count(*) AS c FROM %s x',
                            c.oid::regclass), false, true, '')))[1]::text AS fingerprint
  FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r' AND c.relname <> 'trap_log';

-- Run 1: search_path public, pg_catalog, chibo, as a superuser.
SELECT regress.reset();
SELECT regress.lookalike_drop_temp();
SELECT regress.lookalike_plant_temp();
SELECT coalesce(max(id), 0) AS audit_mark FROM chibo.audit_log \gset
SET search_path = public, pg_catalog, chibo;
SELECT regress.lookalike_run('public, pg_catalog, chibo');
SET search_path = pg_catalog, regress, chibo;
SELECT regress.lookalike_after('public, pg_catalog, chibo', :audit_mark);
SELECT count(*) AS traps_fired FROM public.trap_log;

-- Run 2: search_path public, chibo (pg_catalog implicit, searched first).
SELECT regress.reset();
SELECT regress.lookalike_drop_temp();
SELECT regress.lookalike_plant_temp();
SELECT coalesce(max(id), 0) AS audit_mark FROM chibo.audit_log \gset
SET search_path = public, chibo;
SELECT regress.lookalike_run('public, chibo');
SET search_path = pg_catalog, regress, chibo;
SELECT regress.lookalike_after('public, chibo', :audit_mark);
SELECT count(*) AS traps_fired FROM public.trap_log;

-- Run 3: as lookalike_owner, the login that owns the traps, a member of
-- chibo_admin (SECURITY DEFINER triggers and grant_unit run as the owner
-- of chibo, the rest as lookalike_owner).
SELECT regress.reset();
SELECT regress.lookalike_drop_temp();
SELECT coalesce(max(id), 0) AS audit_mark FROM chibo.audit_log \gset
SET ROLE lookalike_owner;
SELECT regress.lookalike_plant_temp();
SET search_path = public, pg_catalog, chibo;
SELECT regress.lookalike_run('lookalike_owner: public, pg_catalog, chibo');
RESET ROLE;
SET search_path = pg_catalog, regress, chibo;
SELECT regress.lookalike_after('lookalike_owner: public, pg_catalog, chibo', :audit_mark);
SELECT count(*) AS traps_fired FROM public.trap_log;

-- Every run gives what the clean run gave: the differences (none).
SELECT r.tag, 'missing' AS diff, c.item, c.value
  FROM (SELECT DISTINCT tag FROM regress.lookalike_results WHERE tag <> 'clean') r
 CROSS JOIN regress.lookalike_results c
 WHERE c.tag = 'clean'
   AND NOT EXISTS (SELECT FROM regress.lookalike_results x WHERE x.tag = r.tag AND x.item = c.item AND x.value = c.value)
UNION ALL
SELECT x.tag, 'extra', x.item, x.value
  FROM regress.lookalike_results x
 WHERE x.tag <> 'clean'
   AND NOT EXISTS (SELECT FROM regress.lookalike_results c WHERE c.tag = 'clean' AND c.item = x.item AND c.value = x.value)
 ORDER BY 1, 2, 3, 4;
SELECT tag, count(*) AS results, md5(string_agg(item || ' ' || value, E'\n' ORDER BY item, value)) AS digest
  FROM regress.lookalike_results GROUP BY tag ORDER BY tag;
-- No trap fired, nothing wrote to a look-alike table.
SELECT what, by_role FROM public.trap_log ORDER BY what;
SELECT p.rel, p.fingerprint = (xpath('/row/c/text()',
        query_to_xml(format('SELECT md5(coalesce(string_agg(x::text, '','' ORDER BY x::text), '''')) || '' '' || count(*) AS c FROM %s x',
                            p.rel), false, true, '')))[1]::text AS unchanged
  FROM regress.lookalike_planted p ORDER BY p.rel;

-- What the runs gave (the clean run's results; the others are the same).
SELECT item, value FROM regress.lookalike_results
 WHERE tag = 'clean' AND item NOT IN ('contents', 'unit_ancestors', 'cell_months', 'view unit_month', 'view units')
 ORDER BY item, value;
-- the rows with SQL-looking text are stored as written
SELECT value FROM regress.lookalike_results
 WHERE tag = 'clean' AND item = 'contents' AND value ~ '[''"$%;]' ORDER BY value;

-- ---------------------------------------------------------------------------
-- Temporary tables named like the import's own, created before the call:
-- the import stops with a clean error (the name is taken) and applies
-- nothing; it never reads the planted rows.
-- ---------------------------------------------------------------------------
CREATE FUNCTION regress.lookalike_try(statement text) RETURNS text
LANGUAGE plpgsql SET search_path = pg_catalog, regress, chibo AS $$
BEGIN
    EXECUTE statement;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ' ' || replace(SQLERRM, current_database(), '<db>');
END
$$;
GRANT USAGE ON SCHEMA regress TO lookalike_reader;
GRANT EXECUTE ON FUNCTION regress.lookalike_try(text) TO PUBLIC;
CREATE TEMP TABLE counts_before AS SELECT * FROM regress.snapshot();
CREATE TEMP TABLE chibo_import_attendance (line bigint, src tid, key text, reason text, dup boolean, step integer);
INSERT INTO chibo_import.units VALUES ('Q1', 'R', 'Temp trap', 'committee', 'false', '', '2021-01-01', '');
INSERT INTO chibo_import.attendance VALUES ('A1', '2023-01-05', 'regular', 'M5', 'absent');
SELECT regress.lookalike_try('SELECT * FROM chibo.import_staged()');
DROP TABLE pg_temp.chibo_import_attendance;
CREATE TEMP TABLE chibo_import_repeats (key jsonb, first bigint, differ boolean, label text, lines text);
SELECT regress.lookalike_try('SELECT * FROM chibo.import_staged()');
DROP TABLE pg_temp.chibo_import_repeats;
SELECT s FROM regress.snapshot() s EXCEPT SELECT * FROM counts_before;
SELECT count(*) AS still_staged FROM chibo_import.units;
TRUNCATE chibo_import.units, chibo_import.attendance;

-- ===========================================================================
-- 3. Injection strings
-- ===========================================================================
CREATE TEMP TABLE roles_before AS SELECT rolname FROM pg_roles WHERE rolname LIKE 'chibo%';
-- (as lookalike_owner, a chibo_admin; the test's own statements keep a
-- clean search_path, the functions pin theirs)
SET ROLE lookalike_owner;

-- Unit codes and policies of the indicator functions: a clean error naming
-- the string, or (C'); ...) the unit of that code.
SELECT regress.lookalike_try(format('SELECT * FROM chibo.indicators(%L, ''2023-01-01'', ''2023-06-01'')', c)),
       regress.lookalike_try(format('SELECT * FROM chibo.members_needing_attention(%L, 2023)', c)),
       regress.lookalike_try(format('SELECT * FROM chibo.cells_needing_attention(%L, ''2023-01-01'', ''2023-06-01'')', c)),
       regress.lookalike_try(format('SELECT * FROM chibo.grading_quota(%L, 2023)', c))
  FROM unnest(ARRAY['x''); DROP TABLE chibo.members; --', 'R'' OR ''1''=''1', 'R%'' --', '%I%L%s', '$$; DROP TABLE chibo.units; $$',
                    'R\'' OR true --', E'R\n; DROP TABLE chibo.units', 'Đảng bộ "R"', '']) AS c;
SELECT unit_code FROM chibo.members_needing_attention('C''); DROP TABLE chibo.members; --', 2023) x (unit_code);
SELECT regress.lookalike_try(format('SELECT * FROM chibo.indicators(''R'', ''2023-01-01'', ''2023-06-01'', 0.85, %L)', p)),
       regress.lookalike_try(format('SELECT * FROM chibo.cells_needing_attention(''R'', ''2023-01-01'', ''2023-06-01'', 0.85, %L)', p)),
       regress.lookalike_try(format('SELECT chibo.attendance_ratio(s, %L) FROM (VALUES (''present''::chibo.attendance_status)) v (s)', p)),
       regress.lookalike_try(format('SELECT chibo.display(''1/2'', %L)', p))
  FROM unnest(ARRAY['excused_count''); DROP TABLE chibo.members; --', 'excused_count'' OR ''1''=''1', '%L', 'EXCUSED_COUNT']) AS p;
SELECT regress.lookalike_try($$SELECT 'x''); DROP TABLE chibo.units; --'::chibo.ratio$$),
       regress.lookalike_try($$SELECT '1101; DROP TABLE chibo.units'::chibo.criteria$$),
       regress.lookalike_try($$SELECT 'achieved:1111:1''; --'::chibo.good_status$$),
       regress.lookalike_try($$SELECT 'present=1 excused=0 absent=0 policy=x''); DROP TABLE chibo.units; --'::chibo.attendance_tally$$);

-- Role names in grant_unit/revoke_unit: unknown ones are a clean error;
-- existing roles with quotes, spaces, upper case and Vietnamese letters
-- become editors by their exact names, and nothing else happens.
SELECT regress.lookalike_try(format('SELECT chibo.grant_unit(%L, ''A'')', r)) AS grant_unit,
       regress.lookalike_try(format('SELECT chibo.revoke_unit(%L, ''A'')', r)) AS revoke_unit
  FROM unnest(ARRAY['a"; DROP ROLE chibo_admin; --', 'x''); DROP TABLE chibo.members; --', 'chibo_admin', 'CHIBO_ADMIN',
                    'public', '', 'lookalike_owner"; GRANT chibo_admin TO "lookalike_grantee']) AS r;
SELECT regress.lookalike_try(format('SELECT chibo.grant_unit(%L, %L)', 'lookalike_grantee', u))
  FROM unnest(ARRAY['A''); DROP TABLE chibo.unit_grants; --', 'A%', 'a']) AS u;
RESET ROLE;
CREATE ROLE "a""; DROP ROLE chibo_admin; --" LOGIN;
CREATE ROLE "Quote'd ""Role""" LOGIN;
CREATE ROLE "role with space" LOGIN;
CREATE ROLE "UPPER_Case" LOGIN;
CREATE ROLE "vai_trò_Đảng_ủy" LOGIN;
SET ROLE lookalike_owner;
CREATE TEMP TABLE odd_roles AS
SELECT unnest(ARRAY['a"; DROP ROLE chibo_admin; --', 'Quote''d "Role"', 'role with space', 'UPPER_Case',
                    'vai_trò_Đảng_ủy']) AS r;
SELECT r AS role_name, regress.lookalike_try(format('SELECT chibo.grant_unit(%L, ''A'')', r)) AS grant_unit
  FROM odd_roles ORDER BY r;
SELECT r AS role_name, pg_has_role(r, 'chibo_editor', 'MEMBER') AS editor,
       (SELECT count(*) FROM chibo.unit_grants g WHERE g.role_name = r) AS grants
  FROM odd_roles ORDER BY r;
SELECT r AS role_name, regress.lookalike_try(format('SELECT chibo.revoke_unit(%L, ''A'')', r)) AS revoke_unit
  FROM odd_roles ORDER BY r;
SELECT r AS role_name, pg_has_role(r, 'chibo_editor', 'MEMBER') AS editor,
       (SELECT count(*) FROM chibo.unit_grants g WHERE g.role_name = r) AS grants
  FROM odd_roles ORDER BY r;
-- (lookalike_grantee was never made an administrator)
SELECT pg_has_role('lookalike_grantee', 'chibo_admin', 'MEMBER') AS grantee_is_admin;

-- Schedules: pg_cron is not in this database, so schedule_refresh() stops
-- before it would run anything (55000: pg_cron not installed, or in
-- another database; only the SQLSTATE, the message depends on where
-- pg_cron is); a blank or NULL schedule is 22023.  The same for a
-- superuser and for a chibo_admin.
SELECT s, left(regress.lookalike_try(format('SELECT chibo.schedule_refresh(%L)', s)), 5) AS sqlstate
  FROM unnest(ARRAY['* * * * *''); DROP TABLE chibo.members; --', '*/5 * * * *', ' ', NULL]) AS s;
SELECT left(regress.lookalike_try('SELECT chibo.unschedule_refresh()'), 5) AS unschedule_refresh,
       left(regress.lookalike_try($$SELECT chibo.cron_call('INSERT INTO public.trap_log VALUES (''cron_call ran'')')$$), 5) AS cron_call;
RESET ROLE;
SELECT s, left(regress.lookalike_try(format('SELECT chibo.schedule_refresh(%L)', s)), 5) AS sqlstate
  FROM unnest(ARRAY['* * * * *''); DROP TABLE chibo.members; --', '*/5 * * * *', ' ', NULL]) AS s;
SELECT left(regress.lookalike_try('SELECT chibo.unschedule_refresh()'), 5) AS unschedule_refresh,
       left(regress.lookalike_try($$SELECT chibo.cron_call('INSERT INTO public.trap_log VALUES (''cron_call ran'')')$$), 5) AS cron_call;
SET ROLE lookalike_owner;

-- The import's internal steps take names and SQL fragments from
-- chibo_import.files(); called directly with hostile text, the names are
-- quoted (%I) and a column list must not run as SQL.
CREATE FUNCTION public.injected(what text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO public.trap_log (what) VALUES (what);
    RETURN NULL;
END
$$;
CREATE TEMP TABLE chibo_import_members (line bigint, existing_id bigint, code text, full_name text, gender text,
    birth_date date, admitted_on date, full_member_on date, left_on date, left_reason text,
    reason text, dup boolean, stored boolean, step integer);
INSERT INTO chibo_import_members VALUES (1, NULL, 'Q9', 'Someone', NULL, NULL, '2000-01-01', NULL, NULL, NULL,
                                         NULL, false, false, 1);
-- a column list that calls a function: refused, never run (check_rule
-- takes no column list any more: it reads the file's from files())
SELECT regress.lookalike_try($$SELECT chibo_import.check_rule('members.csv', 'members_rule',
    'existing_id AS id, public.injected(''check_rule ran its column list'') AS code, full_name, gender, admitted_on, full_member_on, left_on, left_reason', 1)$$)
       <> 'ok' AS refused;
SELECT regress.lookalike_try($$SELECT chibo_import.check_rule('members.csv', 'members_rule', '1; INSERT INTO public.trap_log VALUES (''check_rule ran a second statement''); --', 1)$$)
       <> 'ok' AS refused;
-- names are quoted: no such table, no such function
SELECT regress.lookalike_try($$SELECT chibo_import.check_rule('members.csv''); DROP TABLE chibo.members; --', 1)$$);
SELECT regress.lookalike_try($$SELECT chibo_import.check_rule('members.csv"; DROP TABLE chibo.members; --', 1)$$);
SELECT regress.lookalike_try($$SELECT chibo_import.mark_duplicates('members''); DROP TABLE chibo.members; --.csv')$$);
SELECT regress.lookalike_try($$SELECT chibo_import.apply_rows('nope''); DROP TABLE chibo.members; --.csv', 1, NULL)$$);
SELECT regress.lookalike_try($$SELECT chibo.drop_temp_table('x"; DROP TABLE chibo.members; --')$$);
SELECT regress.lookalike_try($$SELECT chibo.unit_rollup_columns('chibo.unit_months', '%I); DROP TABLE chibo.members; --')$$);
DROP TABLE pg_temp.chibo_import_members;
RESET ROLE;
SET search_path = pg_catalog, regress, chibo;

-- The SECURITY DEFINER trigger functions, attached by a reader to a
-- temporary table of its own: refused (42501), so they cannot read rows
-- that row-level security hides from it (the check functions' messages
-- name members and cells), nor write audit entries or report changes as
-- the owner of chibo.
SELECT min(id) AS victim FROM chibo.members \gset
SET ROLE lookalike_reader;
SELECT regress.lookalike_try('SELECT code FROM chibo.members');
CREATE TEMP TABLE my_exemptions (id bigint, member_id bigint, from_date date, to_date date, reason text);
CREATE TEMP TABLE my_memberships (id bigint, member_id bigint, unit_id bigint, from_date date, to_date date);
CREATE TEMP TABLE my_attendance (id bigint, x integer);
SELECT count(*) FILTER (WHERE r = 'ok') AS triggers_attached FROM unnest(ARRAY[
    'CREATE TRIGGER t AFTER INSERT ON my_exemptions REFERENCING NEW TABLE AS new_rows
         FOR EACH STATEMENT EXECUTE FUNCTION chibo.check_rows(''exemptions_rule'')',
    'CREATE TRIGGER u BEFORE INSERT ON my_memberships
         FOR EACH ROW EXECUTE FUNCTION chibo.memberships_check()',
    'CREATE TRIGGER a AFTER INSERT OR TRUNCATE ON my_attendance
         FOR EACH STATEMENT EXECUTE FUNCTION chibo.audit_changes()',
    'CREATE TRIGGER c AFTER TRUNCATE ON my_attendance
         FOR EACH STATEMENT EXECUTE FUNCTION chibo.track_changes(''units'')',
    'CREATE TRIGGER n AFTER INSERT ON my_attendance
         FOR EACH STATEMENT EXECUTE FUNCTION chibo.units_ancestors()']) AS s,
    LATERAL regress.lookalike_try(s) AS r;
-- whatever happened above: no message names a member the reader may not see
SELECT position('member ' IN regress.lookalike_try(format('INSERT INTO my_exemptions VALUES (1, %s, ''2020-01-01'', NULL, ''x'')',
                                                           :victim))) = 0 AS no_member_named;
SELECT position('member ' IN regress.lookalike_try(format('INSERT INTO my_memberships VALUES (1, %s, %s, ''1990-01-01'', NULL)',
                                                           :victim, :victim))) = 0 AS no_member_named;
SELECT regress.lookalike_try('TRUNCATE my_attendance');
RESET ROLE;
SELECT count(*) AS forged_audit_rows FROM chibo.audit_log WHERE table_name = 'my_attendance';
SELECT count(*) AS forged_report_changes FROM chibo.report_changes;
DROP TABLE pg_temp.my_exemptions, pg_temp.my_memberships, pg_temp.my_attendance;

-- Nothing ran: chibo's tables and roles are all there, the log is empty.
SELECT count(*) AS chibo_tables FROM pg_class WHERE relnamespace IN ('chibo'::regnamespace, 'chibo_import'::regnamespace)
   AND relkind = 'r';
SELECT rolname FROM roles_before EXCEPT SELECT rolname FROM pg_roles;
SELECT what, by_role FROM public.trap_log ORDER BY what;
SELECT code FROM chibo.units ORDER BY code;

-- Clean up: the traps, the roles (cluster-wide) and the data.
SET search_path = pg_catalog, regress, chibo;
DROP FUNCTION regress.lookalike_run(text), regress.lookalike_after(text, bigint), regress.lookalike_plant_temp(),
              regress.lookalike_try(text);
REVOKE USAGE ON SCHEMA regress FROM lookalike_owner, lookalike_reader;
DROP TABLE regress.lookalike_results, regress.lookalike_planted;
DROP FUNCTION pg_temp.unit_id_of(text), pg_temp.month_of(date);
SELECT regress.lookalike_drop_temp();
DROP FUNCTION regress.lookalike_drop_temp();
DROP OWNED BY lookalike_owner, lookalike_grantee, lookalike_reader, "a""; DROP ROLE chibo_admin; --", "Quote'd ""Role""",
              "role with space", "UPPER_Case", "vai_trò_Đảng_ủy";
DROP ROLE lookalike_owner, lookalike_grantee, lookalike_reader, "a""; DROP ROLE chibo_admin; --", "Quote'd ""Role""",
          "role with space", "UPPER_Case", "vai_trò_Đảng_ủy";
SELECT regress.reset();
SELECT count(*) AS public_leftovers FROM pg_class WHERE relnamespace = 'public'::regnamespace;
