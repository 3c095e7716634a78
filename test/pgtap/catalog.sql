-- pgTAP: chibo's catalogue.  Every function has the right PARALLEL label and a
-- comment, every aggregate can run in parallel and on Citus (a combine
-- function and a real, non-internal state type whose text form reads
-- back), every object carries a comment, and the public API exists with
-- the signatures the documentation promises.
\set ON_ERROR_STOP 1
\set QUIET 1
\pset format unaligned
\pset tuples_only true
\pset pager off
SET client_min_messages = warning;
SET search_path = public, chibo;
BEGIN;
SELECT * FROM no_plan();

-- The objects that belong to the extension.
CREATE TEMP VIEW chibo_objects AS
SELECT d.classid, d.objid
FROM pg_depend d
WHERE d.refclassid = 'pg_extension'::regclass
  AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'chibo')
  AND d.deptype = 'e';

CREATE TEMP VIEW chibo_functions AS
SELECT p.oid, p.oid::regprocedure AS signature, p.prokind, p.proparallel, p.provolatile,
       p.prolang, p.prorettype, p.pronamespace, p.proname
FROM pg_proc p JOIN chibo_objects o ON o.classid = 'pg_proc'::regclass AND o.objid = p.oid;

-- The extension itself.
SELECT has_extension('chibo', 'the extension chibo is installed');
SELECT is((SELECT extversion FROM pg_extension WHERE extname = 'chibo'), '0.2.0', 'version 0.2.0');
SELECT is((SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'chibo'), 'chibo',
          'installed in schema chibo');
SELECT is((SELECT extrelocatable FROM pg_extension WHERE extname = 'chibo'), false, 'not relocatable');

-- Functions that write (the import, the triggers) are PARALLEL UNSAFE;
-- every other function, aggregates included, carries an explicit PARALLEL
-- SAFE label (the default is UNSAFE, so anything else is a forgotten label).
CREATE TEMP VIEW chibo_writers AS
SELECT oid FROM chibo_functions
WHERE prorettype = 'trigger'::regtype
   OR proname = 'import_staged'
   OR proname IN ('refresh_reports', 'refresh_cell_months', 'refresh_cell_years', 'refresh_unit_rollups',
                  'refresh_member_figures',
                  'drop_temp_table', 'schedule_refresh', 'unschedule_refresh', 'cron_call',
                  'grant_unit', 'revoke_unit')
   OR pronamespace = 'chibo_import'::regnamespace
      AND proname NOT IN ('parse_date', 'date_problem', 'reason', 'subject', 'files', 'shown', 'readable');
SELECT ok(proparallel = 'u', format('%s writes, so it is PARALLEL UNSAFE', signature))
FROM chibo_functions WHERE oid IN (SELECT oid FROM chibo_writers)
ORDER BY signature::text;
SELECT ok(proparallel = 's', format('%s is PARALLEL SAFE', signature))
FROM chibo_functions WHERE oid NOT IN (SELECT oid FROM chibo_writers)
ORDER BY signature::text;

-- Every function has a comment.
SELECT ok(obj_description(oid, 'pg_proc') IS NOT NULL, format('%s has a COMMENT', signature))
FROM chibo_functions ORDER BY signature::text;

-- Every function in C is immutable: results depend on the arguments only.
-- The rule functions (*_problem) read the tables, so they are STABLE.
SELECT ok(provolatile = 'i', format('%s is IMMUTABLE', signature))
FROM chibo_functions WHERE prokind = 'f' AND prolang = (SELECT oid FROM pg_language WHERE lanname = 'c')
ORDER BY signature::text;
SELECT ok(provolatile = 's', format('%s reads tables, so it is STABLE', signature))
FROM chibo_functions WHERE signature::text ~ '^chibo\.[a-z_]+_problem\('
ORDER BY signature::text;

-- Every aggregate: a combine function, a state type that is not internal,
-- whose output and input functions exist (the text form that Citus ships),
-- and no serialization functions (none are needed for a real type).
SELECT ok(a.aggcombinefn <> 0, format('%s has a combine function', f.signature))
FROM chibo_functions f JOIN pg_aggregate a ON a.aggfnoid = f.oid ORDER BY f.signature::text;
SELECT ok(a.aggtranstype <> 'internal'::regtype, format('%s has a real state type (%s)', f.signature, a.aggtranstype::regtype))
FROM chibo_functions f JOIN pg_aggregate a ON a.aggfnoid = f.oid ORDER BY f.signature::text;
SELECT ok(t.typinput <> 0 AND t.typoutput <> 0 AND t.typreceive <> 0 AND t.typsend <> 0,
          format('%s: state type %s has text and binary I/O', f.signature, a.aggtranstype::regtype))
FROM chibo_functions f JOIN pg_aggregate a ON a.aggfnoid = f.oid JOIN pg_type t ON t.oid = a.aggtranstype
ORDER BY f.signature::text;
SELECT ok(a.aggserialfn = 0 AND a.aggdeserialfn = 0, format('%s needs no serialization functions', f.signature))
FROM chibo_functions f JOIN pg_aggregate a ON a.aggfnoid = f.oid ORDER BY f.signature::text;
SELECT ok(a.aggsortop = 0, format('%s has no sort operator (0/0 sorts first but has no value)', f.signature))
FROM chibo_functions f JOIN pg_aggregate a ON a.aggfnoid = f.oid
WHERE f.signature::text IN ('chibo.min(chibo.ratio)', 'chibo.max(chibo.ratio)') ORDER BY f.signature::text;
SELECT is((SELECT count(*)::int FROM chibo_functions WHERE prokind = 'a'), 9,
          'nine aggregates: attendance_ratio (3), sum, min, max, share_at_least, good_status, four_good_status');

-- Every type, operator, operator class and cast has a comment.
SELECT ok(obj_description(t.oid, 'pg_type') IS NOT NULL, format('type %s has a COMMENT', t.oid::regtype))
FROM pg_type t JOIN chibo_objects o ON o.classid = 'pg_type'::regclass AND o.objid = t.oid
ORDER BY t.oid::regtype::text;
SELECT ok(obj_description(op.oid, 'pg_operator') IS NOT NULL,
          format('operator %s has a COMMENT', op.oid::regoperator))
FROM pg_operator op JOIN chibo_objects o ON o.classid = 'pg_operator'::regclass AND o.objid = op.oid
ORDER BY op.oid::regoperator::text;
SELECT ok(obj_description(oc.oid, 'pg_opclass') IS NOT NULL,
          format('operator class %s (%s) has a COMMENT', oc.opcname, am.amname))
FROM pg_opclass oc JOIN pg_am am ON am.oid = oc.opcmethod
JOIN chibo_objects o ON o.classid = 'pg_opclass'::regclass AND o.objid = oc.oid
ORDER BY oc.opcname;
SELECT ok(obj_description(c.oid, 'pg_cast') IS NOT NULL,
          format('cast %s AS %s has a COMMENT', c.castsource::regtype, c.casttarget::regtype))
FROM pg_cast c JOIN chibo_objects o ON o.classid = 'pg_cast'::regclass AND o.objid = c.oid
ORDER BY 1;

-- The types, their storage as designed (fixed size; by value where it fits).
SELECT has_type('chibo', 'ratio', 'type ratio');
SELECT has_type('chibo', 'criteria', 'type criteria');
SELECT has_type('chibo', 'good_status', 'type good_status');
SELECT has_type('chibo', 'attendance_tally', 'type attendance_tally');
SELECT has_enum('chibo', 'attendance_status', 'enum attendance_status');
SELECT enum_has_labels('chibo', 'attendance_status', ARRAY['present', 'excused', 'absent'],
                       'attendance_status labels in order');
SELECT results_eq(
    $$SELECT format('%s %s %s', typname::text COLLATE "default", typlen,
                  CASE WHEN typbyval THEN 'by value' ELSE 'by reference' END)
      FROM pg_type
      WHERE typnamespace = 'chibo'::regnamespace AND typname IN ('ratio', 'criteria', 'good_status', 'attendance_tally')
      ORDER BY typname$$,
    $$VALUES ('attendance_tally 32 by reference'), ('criteria 4 by value'), ('good_status 8 by value'),
             ('ratio 8 by value')$$,
    'fixed sizes, by value where they fit');

-- The public functions with the signatures the reference documents.
SELECT has_function('chibo', 'ratio', ARRAY['bigint', 'bigint'], 'ratio(part, whole)');
SELECT function_returns('chibo', 'ratio', ARRAY['bigint', 'bigint'], 'ratio', 'ratio() returns ratio');
SELECT function_returns('chibo', 'part', ARRAY['ratio'], 'bigint', 'part(ratio) returns bigint');
SELECT function_returns('chibo', 'whole', ARRAY['ratio'], 'bigint', 'whole(ratio) returns bigint');
SELECT function_returns('chibo', 'percent', ARRAY['ratio', 'integer'], 'numeric', 'percent(ratio, digits) returns numeric');
SELECT function_returns('chibo', 'display', ARRAY['ratio', 'text'], 'text', 'display(ratio, style) returns text');
SELECT is((SELECT pg_get_function_arguments('chibo.percent(chibo.ratio, integer)'::regprocedure)),
          'ratio, digits integer DEFAULT 0', 'percent digits default 0');
SELECT is((SELECT pg_get_function_arguments('chibo.display(chibo.ratio, text)'::regprocedure)),
          'ratio, style text DEFAULT ''vi''::text', 'display style default vi');
SELECT function_returns('chibo', 'criteria_count', ARRAY['criteria'], 'integer', 'criteria_count(criteria)');
SELECT function_returns('chibo', 'met_count', ARRAY['criteria'], 'integer', 'met_count(criteria)');
SELECT function_returns('chibo', 'all_met', ARRAY['criteria'], 'boolean', 'all_met(criteria)');
SELECT function_returns('chibo', 'unmet_criteria', ARRAY['criteria'], 'integer[]', 'unmet_criteria(criteria)');
SELECT function_returns('chibo', 'label', ARRAY['good_status'], 'text', 'label(good_status)');
SELECT function_returns('chibo', 'failed_criteria', ARRAY['good_status'], 'integer[]', 'failed_criteria(good_status)');
SELECT function_returns('chibo', 'assessment_count', ARRAY['good_status'], 'bigint', 'assessment_count(good_status)');

-- The aggregates.
SELECT is_aggregate('chibo', 'attendance_ratio', ARRAY['attendance_status'], 'attendance_ratio(status)');
SELECT is_aggregate('chibo', 'attendance_ratio', ARRAY['attendance_status', 'text'], 'attendance_ratio(status, policy)');
SELECT is_aggregate('chibo', 'attendance_ratio', ARRAY['boolean'], 'attendance_ratio(boolean)');
SELECT is_aggregate('chibo', 'sum', ARRAY['ratio'], 'sum(ratio)');
SELECT is_aggregate('chibo', 'min', ARRAY['ratio'], 'min(ratio)');
SELECT is_aggregate('chibo', 'max', ARRAY['ratio'], 'max(ratio)');
SELECT is_aggregate('chibo', 'share_at_least', ARRAY['ratio', 'numeric'], 'share_at_least(ratio, threshold)');
SELECT is_aggregate('chibo', 'good_status', ARRAY['criteria'], 'good_status(criteria)');
SELECT is_aggregate('chibo', 'four_good_status', ARRAY['criteria'], 'four_good_status(criteria)');
SELECT function_returns('chibo', 'attendance_ratio', ARRAY['attendance_status'], 'ratio', 'attendance_ratio returns ratio');
SELECT function_returns('chibo', 'share_at_least', ARRAY['ratio', 'numeric'], 'ratio', 'share_at_least returns ratio');
SELECT function_returns('chibo', 'four_good_status', ARRAY['criteria'], 'good_status', 'four_good_status returns good_status');

-- Operators: ratio against ratio and against numeric, both ways; +.
SELECT has_operator('ratio', 'chibo', op::name, 'ratio', 'boolean', format('ratio %s ratio', op))
FROM unnest(ARRAY['=', '<>', '<', '<=', '>', '>=']) AS op;
SELECT has_operator('ratio', 'chibo', op::name, 'numeric', 'boolean', format('ratio %s numeric', op))
FROM unnest(ARRAY['=', '<>', '<', '<=', '>', '>=']) AS op;
SELECT has_operator('numeric', 'chibo', op::name, 'ratio', 'boolean', format('numeric %s ratio', op))
FROM unnest(ARRAY['=', '<>', '<', '<=', '>', '>=']) AS op;
SELECT has_operator('ratio', 'chibo', '+', 'ratio', 'ratio', 'ratio + ratio');
SELECT has_operator('criteria', 'chibo', op::name, 'criteria', 'boolean', format('criteria %s criteria', op))
FROM unnest(ARRAY['=', '<>', '<', '<=', '>', '>=']) AS op;
SELECT has_opclass('chibo', 'ratio_ops', 'btree operator class for ratio');
SELECT has_opclass('chibo', 'ratio_hash_ops', 'hash operator class for ratio');
SELECT has_opclass('chibo', 'criteria_ops', 'btree operator class for criteria');
SELECT has_opclass('chibo', 'criteria_hash_ops', 'hash operator class for criteria');
SELECT has_cast('ratio', 'numeric', 'cast ratio AS numeric');
SELECT has_cast('ratio', 'double precision', 'cast ratio AS double precision');
SELECT has_cast('ratio', 'text', 'cast ratio AS text');

-- Tables: every table and column of chibo and chibo_import has a comment;
-- every table and sequence is registered with pg_extension_config_dump so
-- that pg_dump keeps its rows; every table of chibo has a surrogate key id
-- and a trigger that checks its rules.
CREATE TEMP VIEW chibo_all_relations AS
SELECT c.oid, c.oid::regclass AS name, c.relkind, c.relnamespace
FROM pg_class c JOIN chibo_objects o ON o.classid = 'pg_class'::regclass AND o.objid = c.oid;
-- The rollups (derived from the tables, rebuilt by refresh_reports()) are
-- not data: pg_dump leaves them out.
CREATE TEMP VIEW chibo_rollups AS
SELECT r.* FROM chibo_all_relations r
WHERE r.relnamespace = 'chibo'::regnamespace
  AND r.oid::regclass IN ('chibo.report_state'::regclass, 'chibo.report_changes'::regclass, 'chibo.unit_ancestors'::regclass,
                          'chibo.unit_paths'::regclass,
                          'chibo.cell_months'::regclass, 'chibo.cell_years'::regclass, 'chibo.unit_months'::regclass,
                          'chibo.unit_years'::regclass);
CREATE TEMP VIEW chibo_relations AS
SELECT r.* FROM chibo_all_relations r WHERE r.oid NOT IN (SELECT oid FROM chibo_rollups);
-- The security layer's tables (grants, audit) are kept by pg_dump too, but
-- they are not tables of the data model.
CREATE TEMP VIEW chibo_data_relations AS
SELECT r.* FROM chibo_relations r
WHERE r.oid NOT IN ('chibo.unit_grants'::regclass, 'chibo.audit_log'::regclass);
SELECT ok(obj_description(oid, 'pg_class') IS NOT NULL, format('rollup %s has a COMMENT', name))
FROM chibo_rollups ORDER BY name::text;
SELECT ok(col_description(a.attrelid, a.attnum) IS NOT NULL, format('column %s.%s has a COMMENT', r.name, a.attname))
FROM chibo_rollups r JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY r.name::text, a.attnum;
SELECT ok(NOT r.oid = ANY (e.extconfig), format('rollup %s is derived: pg_dump leaves it out', r.name))
FROM chibo_rollups r, pg_extension e WHERE e.extname = 'chibo' ORDER BY r.name::text;
SELECT is((SELECT count(*)::int FROM chibo_rollups), 8, 'the eight rollup tables');
SELECT ok(obj_description(oid, 'pg_class') IS NOT NULL, format('table %s has a COMMENT', name))
FROM chibo_relations WHERE relkind = 'r' ORDER BY name::text;
SELECT ok(col_description(a.attrelid, a.attnum) IS NOT NULL, format('column %s.%s has a COMMENT', r.name, a.attname))
FROM chibo_relations r JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped
WHERE r.relkind = 'r' AND r.relnamespace = 'chibo'::regnamespace OR r.name::text = 'chibo_import.rejects'
ORDER BY r.name::text, a.attnum;
SELECT ok(r.oid = ANY (e.extconfig), format('%s is dumped by pg_dump (pg_extension_config_dump)', r.name))
FROM chibo_relations r, pg_extension e
WHERE e.extname = 'chibo' AND (r.relkind = 'S' OR r.relkind = 'r' AND (r.relnamespace = 'chibo'::regnamespace
                                                                      OR r.name::text = 'chibo_import.rejects'))
ORDER BY r.name::text;
SELECT is((SELECT e.extcondition[array_position(e.extconfig, 'chibo.schemes'::regclass::oid)]
             FROM pg_extension e WHERE e.extname = 'chibo'),
          'WHERE NOT shipped', 'the shipped schemes are not dumped: CREATE EXTENSION brings them back');
SELECT col_is_pk('chibo', r.name::text, 'id', format('%s has the surrogate key id', r.name))
FROM (SELECT c.relname AS name FROM chibo_data_relations r JOIN pg_class c ON c.oid = r.oid
       WHERE r.relkind = 'r' AND r.relnamespace = 'chibo'::regnamespace) r ORDER BY 1;
SELECT ok(EXISTS (SELECT FROM pg_trigger t WHERE t.tgrelid = r.oid AND t.tgname = c.relname || '_check'),
          format('%s checks its rules in trigger %s_check', r.name, c.relname))
FROM chibo_data_relations r JOIN pg_class c ON c.oid = r.oid
WHERE r.relkind = 'r' AND r.relnamespace = 'chibo'::regnamespace ORDER BY 1;
SELECT set_eq($$SELECT c.relname::text FROM chibo_data_relations r JOIN pg_class c ON c.oid = r.oid
                WHERE r.relkind = 'r' AND r.relnamespace = 'chibo'::regnamespace$$,
              ARRAY['units', 'members', 'memberships', 'exemptions', 'meetings', 'attendance',
                    'task_registrations', 'schemes', 'assessments', 'classifications'],
              'the ten tables of the data model');
SELECT columns_are('chibo_import', f, cols, format('staging table chibo_import.%s has the columns of %s.csv, in order', f, f))
FROM (VALUES
    ('units', ARRAY['code', 'parent_code', 'name', 'kind', 'grassroots', 'cell_type', 'valid_from', 'valid_to']),
    ('members', ARRAY['code', 'full_name', 'gender', 'birth_date', 'admitted_on', 'full_member_on', 'left_on', 'left_reason']),
    ('memberships', ARRAY['member_code', 'unit_code', 'from_date', 'to_date']),
    ('exemptions', ARRAY['member_code', 'from_date', 'to_date', 'reason']),
    ('meetings', ARRAY['unit_code', 'held_on', 'kind', 'topic', 'minutes']),
    ('attendance', ARRAY['unit_code', 'held_on', 'meeting_kind', 'member_code', 'status']),
    ('task_registrations', ARRAY['member_code', 'year', 'kind', 'title', 'outcome']),
    ('assessments', ARRAY['subject_kind', 'subject_code', 'scheme', 'period_start', 'period_end', 'criteria']),
    ('classifications', ARRAY['subject_kind', 'subject_code', 'year', 'grade', 'score'])) AS v(f, cols);
SELECT is((SELECT string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod), ', ' ORDER BY a.attnum)
             FROM pg_attribute a WHERE a.attrelid = ('chibo_import.' || f)::regclass AND a.attnum > 0 AND NOT a.attisdropped
              AND a.atttypid <> 'text'::regtype),
          NULL, format('staging table chibo_import.%s is all text', f))
FROM unnest(ARRAY['units', 'members', 'memberships', 'exemptions', 'meetings', 'attendance',
                  'task_registrations', 'assessments', 'classifications']) AS f;
SELECT function_returns('chibo', 'import_staged', ARRAY[]::text[], 'setof record', 'import_staged() returns rows');
SELECT is(pg_get_function_result('chibo.import_staged()'::regprocedure),
          'TABLE(file text, accepted bigint, rejected bigint)', 'import_staged() returns (file, accepted, rejected)');
SELECT columns_are('chibo_import', 'rejects', ARRAY['id', 'batch', 'rejected_at', 'file', 'line', 'row', 'reason'],
                   'chibo_import.rejects keeps batch, file, line, the row as loaded and the reason');

-- The report views: security_invoker, a comment on every view and column,
-- only base types that BI tools read (no chibo types).
CREATE TEMP VIEW chibo_report_views AS
SELECT r.* FROM chibo_all_relations r WHERE r.relnamespace = 'chibo_report'::regnamespace;
SELECT set_eq($$SELECT c.relname::text FROM chibo_report_views v JOIN pg_class c ON c.oid = v.oid$$,
              ARRAY['units', 'unit_month', 'unit_year', 'cell_type_year', 'headline', 'cells_needing_attention',
                    'grading_quota', 'report_state'],
              'the report views');
SELECT ok(relkind = 'v', format('%s is a view', name)) FROM chibo_report_views ORDER BY name::text;
SELECT ok(obj_description(oid, 'pg_class') IS NOT NULL, format('view %s has a COMMENT', name))
FROM chibo_report_views ORDER BY name::text;
SELECT ok(c.reloptions @> ARRAY['security_invoker=true'], format('view %s runs with the caller''s rights', v.name))
FROM chibo_report_views v JOIN pg_class c ON c.oid = v.oid ORDER BY v.name::text;
SELECT ok(col_description(a.attrelid, a.attnum) IS NOT NULL, format('column %s.%s has a COMMENT', v.name, a.attname))
FROM chibo_report_views v JOIN pg_attribute a ON a.attrelid = v.oid AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY v.name::text, a.attnum;
SELECT ok(a.atttypid IN ('smallint'::regtype, 'integer'::regtype, 'bigint'::regtype, 'numeric'::regtype,
                         'double precision'::regtype, 'text'::regtype, 'date'::regtype, 'boolean'::regtype),
          format('column %s.%s is of a base type (%s)', v.name, a.attname, format_type(a.atttypid, a.atttypmod)))
FROM chibo_report_views v JOIN pg_attribute a ON a.attrelid = v.oid AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY v.name::text, a.attnum;
SELECT is_empty($$SELECT v.name::text || '.' || a.attname FROM chibo_report_views v
                    JOIN pg_attribute a ON a.attrelid = v.oid AND a.attnum > 0
                   WHERE a.attname ~ '(full_name|birth|gender)'$$,
                'no personal data (names, birth dates, gender) in the report views');

-- The report functions and their results.
SELECT is(pg_get_function_result('chibo.indicators(text,date,date,numeric,text)'::regprocedure),
          'TABLE(active_members bigint, task_registered bigint, four_good bigint, cells_total bigint, '
          'cells_passing bigint, attendance_present bigint, attendance_expected bigint, attendance_excused bigint, '
          'end_date date, task_registration ratio, four_good_members ratio, cells_at_threshold ratio, '
          'attendance ratio, task_registration_text text, four_good_text text, cells_text text, attendance_text text)',
          'indicators() returns the seven counts first, then ratios and display text');
SELECT is(pg_get_function_result('chibo.members_needing_attention(text,integer)'::regprocedure),
          'TABLE(member_code text, unexcused_months integer, flag text)',
          'members_needing_attention() returns (member_code, unexcused_months, flag)');
SELECT has_function('chibo', 'cells_needing_attention', ARRAY['text', 'date', 'date', 'numeric', 'text'],
                    'cells_needing_attention(unit_code, first_month, last_month, threshold, policy)');
SELECT has_function('chibo', 'grading_quota', ARRAY['text', 'integer'], 'grading_quota(unit_code, year)');
SELECT has_function('chibo', 'refresh_reports', ARRAY['boolean'], 'refresh_reports(full)');
SELECT has_function('chibo', 'schedule_refresh', ARRAY['text'], 'schedule_refresh(schedule)');
SELECT has_function('chibo', 'unschedule_refresh', ARRAY[]::text[], 'unschedule_refresh()');
SELECT is(pg_get_function_arguments('chibo.refresh_reports(boolean)'::regprocedure), '"full" boolean DEFAULT false',
          'refresh_reports(full boolean DEFAULT false) (FULL is a keyword, so PostgreSQL quotes it)');
SELECT is(pg_get_function_arguments('chibo.schedule_refresh(text)'::regprocedure),
          'schedule text DEFAULT ''*/15 * * * *''::text', 'schedule_refresh(schedule text DEFAULT ''*/15 * * * *'')');

-- Nothing of chibo lands in public.
SELECT is_empty($$SELECT p.oid::regprocedure::text FROM pg_proc p
                  WHERE p.pronamespace = 'public'::regnamespace
                    AND p.oid IN (SELECT objid FROM chibo_objects)$$,
                'no chibo function in public');

-- The hardened script (issue 5): names that resolve at run time cannot be
-- redirected by the caller's search_path.  PL/pgSQL functions fix their
-- search_path; SQL functions have SQL-standard bodies (bound when created);
-- every SECURITY DEFINER function fixes its search_path with pg_temp last.
SELECT is(p.proconfig[1], 'search_path=pg_catalog, pg_temp', format('%s (PL/pgSQL) sets search_path', f.signature))
FROM chibo_functions f JOIN pg_proc p ON p.oid = f.oid
WHERE p.prolang = (SELECT oid FROM pg_language WHERE lanname = 'plpgsql')
ORDER BY f.signature::text;
SELECT ok(p.prosqlbody IS NOT NULL, format('%s (SQL) has a SQL-standard body', f.signature))
FROM chibo_functions f JOIN pg_proc p ON p.oid = f.oid
WHERE p.prolang = (SELECT oid FROM pg_language WHERE lanname = 'sql')
ORDER BY f.signature::text;
SELECT ok(p.proconfig IS NOT NULL AND p.proconfig[1] LIKE 'search_path=%pg_temp', format('SECURITY DEFINER %s sets search_path, pg_temp last', f.signature))
FROM chibo_functions f JOIN pg_proc p ON p.oid = f.oid WHERE p.prosecdef ORDER BY f.signature::text;
SELECT set_eq($$SELECT p.proname::text FROM chibo_functions f JOIN pg_proc p ON p.oid = f.oid WHERE p.prosecdef$$,
              ARRAY['check_rows', 'units_check', 'memberships_check', 'schemes_check', 'units_ancestors', 'track_changes',
                    'audit_changes', 'grant_unit', 'revoke_unit', 'placed_members', 'subtree_ids', 'attendance_fill',
                    'cron_settings'],
              'the SECURITY DEFINER functions: validation, derived tables, audit and grants');

-- Roles, privileges and row-level security.
SELECT ok(EXISTS (SELECT FROM pg_roles WHERE rolname = r AND NOT rolcanlogin AND NOT rolsuper AND NOT rolbypassrls),
          format('role %s exists, NOLOGIN, no superuser, no BYPASSRLS', r))
FROM unnest(ARRAY['chibo_reader', 'chibo_editor', 'chibo_admin']) r;
SELECT ok(shobj_description(r.oid, 'pg_authid') IS NOT NULL, format('role %s has a COMMENT', r.rolname))
FROM pg_roles r WHERE r.rolname IN ('chibo_reader', 'chibo_editor', 'chibo_admin') ORDER BY 1;
SELECT ok(c.relrowsecurity, format('%s has row-level security', c.oid::regclass))
FROM pg_class c
WHERE c.relnamespace = 'chibo'::regnamespace AND c.relkind = 'r'
  AND c.relname IN ('units', 'members', 'memberships', 'exemptions', 'meetings', 'attendance', 'task_registrations',
                    'assessments', 'classifications', 'unit_grants', 'cell_months', 'cell_years', 'unit_months', 'unit_years',
                    'unit_ancestors', 'unit_paths', 'report_changes')
ORDER BY 1;
SELECT ok(obj_description(p.oid, 'pg_policy') IS NOT NULL, format('policy %s on %s has a COMMENT', p.polname, p.polrelid::regclass))
FROM pg_policy p ORDER BY p.polrelid::regclass::text, p.polname;
SELECT ok(NOT has_table_privilege('chibo_reader', t, 'SELECT'), format('chibo_reader cannot read %s (personal data)', t))
FROM unnest(ARRAY['chibo.members', 'chibo.memberships', 'chibo.attendance', 'chibo.audit_log', 'chibo_import.members']) t;
SELECT ok(has_table_privilege('chibo_reader', c.oid, 'SELECT'), format('chibo_reader reads the view %s', c.oid::regclass))
FROM pg_class c WHERE c.relnamespace = 'chibo_report'::regnamespace AND c.relkind = 'v' ORDER BY 1;
SELECT ok(NOT has_function_privilege('public', p.oid, 'EXECUTE') AND has_function_privilege('chibo_admin', p.oid, 'EXECUTE'),
          format('only chibo_admin may run %s', p.oid::regprocedure))
FROM pg_proc p
WHERE p.pronamespace = 'chibo'::regnamespace
  AND p.proname IN ('import_staged', 'refresh_reports', 'schedule_refresh', 'unschedule_refresh', 'grant_unit', 'revoke_unit')
ORDER BY 1;
SELECT ok(NOT has_table_privilege(r, 'chibo.audit_log', p), format('%s cannot %s audit_log', r, p))
FROM unnest(ARRAY['chibo_reader', 'chibo_editor', 'chibo_admin']) r,
     unnest(ARRAY['INSERT', 'UPDATE', 'DELETE', 'TRUNCATE']) p
ORDER BY r, p;
SELECT ok(EXISTS (SELECT FROM pg_trigger t WHERE t.tgrelid = ('chibo.' || tbl)::regclass AND t.tgname = tbl || '_audit_' || op),
          format('%s is audited on %s', tbl, op))
FROM unnest(ARRAY['attendance', 'memberships', 'exemptions', 'meetings', 'assessments', 'classifications']) tbl,
     unnest(ARRAY['insert', 'update', 'delete', 'truncate']) op
ORDER BY tbl, op;

SELECT ok(NOT has_function_privilege('public', p.oid, 'EXECUTE'), format('trigger function %s cannot be attached by PUBLIC', p.oid::regprocedure))
FROM pg_proc p WHERE p.pronamespace = 'chibo'::regnamespace AND p.prorettype = 'trigger'::regtype ORDER BY 1;

SELECT * FROM finish();
ROLLBACK;
