-- pgTAP: who may see and do what (issue 5, section 1).
--
-- Inside one transaction that is rolled back (roles are cluster-wide, so
-- the test logins carry the transaction id in their names and vanish with
-- it): a small tree and its data are staged and imported, the rollups
-- refreshed, and six logins made:
--   committee_editor  granted TH.BUOI (grant_unit): TH.BUOI, .01, .02, .03
--   cell_editor       granted the cell TH.BUOI.01
--   group_member      member of a group role granted TH.CVA
--   reader            member of chibo_reader
--   admin             member of chibo_admin
--   nobody            no chibo role
-- Then each login reads each table of chibo and chibo_import and each view
-- of chibo_report (exact counts, against an oracle that finds a subtree by
-- its codes, not through unit_ancestors), and inserts, updates and deletes
-- rows inside and outside the granted subtrees.  Every write is made by a
-- helper that runs it under SET LOCAL ROLE, measures as the superuser what
-- it wrote, and rolls it back, so that cases are independent.
\set ON_ERROR_STOP 1
\set QUIET 1
\pset format unaligned
\pset tuples_only true
\pset pager off
SET client_min_messages = warning;
SET search_path = public, chibo;
BEGIN;
SELECT * FROM no_plan();

-- ---------------------------------------------------------------------
-- Data: the small batch (test/data/import/small) and a few more rows, so
-- that every table has rows inside and outside each grant: empty cells
-- TH.BUOI.03 (inside TH.BUOI) and TH.XOM (outside), a member with no
-- membership (TH-0900), a member with short past memberships in every
-- cell (TH-0901, deletable), a member of TH.CVA whose membership ended
-- (TH-0006), an extraordinary meeting without attendance in every cell
-- (deletable), and exemptions, tasks, assessments and classifications
-- of members of every cell.
-- ---------------------------------------------------------------------
INSERT INTO chibo_import.units VALUES
    ('TH.BUOI.01', 'TH.BUOI', 'Chi bộ tổ dân phố số 1', 'cell', 'false', 'residential', '2020-01-01', NULL),
    ('TH.BUOI.02', 'TH.BUOI', 'Chi bộ tổ dân phố số 2', 'cell', 'false', 'residential', '2020-01-01', '2024-01-01'),
    ('TH.BUOI', 'TH', 'Đảng bộ phường Bưởi', 'committee', 'true', NULL, '2020-01-01', NULL),
    ('TH', NULL, 'Đảng bộ quận Tây Hồ', 'committee', 'true', NULL, '2020-01-01', NULL),
    ('TH.CVA', 'TH', 'Chi bộ Trường THCS Chu Văn An', 'cell', 'true', 'school', '2020-01-01', NULL),
    ('TH.BUOI.03', 'TH.BUOI', 'Chi bộ tổ dân phố số 3', 'cell', 'false', 'residential', '2020-01-01', NULL),
    ('TH.XOM', 'TH', 'Chi bộ Xóm Chùa', 'cell', 'true', 'residential', '2020-01-01', NULL);
INSERT INTO chibo_import.members VALUES
    ('TH-0001', 'Nguyễn Văn An', 'male', '1960-02-03', '1985-05-05', '1986-05-05', NULL, NULL),
    ('TH-0002', 'Trần Thị Bình', 'female', '1975-11-20', '2000-03-02', '2001-03-02', NULL, NULL),
    ('TH-0003', 'Lê Văn Cường', 'male', NULL, '1990-01-01', '1991-01-01', '2023-08-15', 'died'),
    ('TH-0004', 'Phạm Thị Dung', 'female', '1990-07-07', '2023-06-01', NULL, NULL, NULL),
    ('TH-0005', 'Hoàng Văn Em, Jr.', NULL, NULL, '2010-01-01', '2011-01-01', NULL, NULL),
    ('TH-0006', 'Vũ Thị Phương', 'female', '1980-04-04', '2005-01-01', '2006-01-01', NULL, NULL),
    ('TH-0900', 'Đinh Văn Chờ', 'male', '1999-09-09', '2022-01-01', NULL, NULL, NULL),
    ('TH-0901', 'Lý Thị Tạm', 'female', '1985-01-01', '2015-01-01', '2016-01-01', NULL, NULL);
INSERT INTO chibo_import.memberships VALUES
    ('TH-0005', 'TH.CVA', '2020-01-01', NULL),
    ('TH-0002', 'TH.BUOI.01', '2023-01-01', NULL),
    ('TH-0002', 'TH.BUOI.02', '2020-01-01', '2023-01-01'),
    ('TH-0001', 'TH.BUOI.01', '2020-01-01', NULL),
    ('TH-0003', 'TH.BUOI.02', '2020-01-01', '2023-08-15'),
    ('TH-0004', 'TH.BUOI.01', '2023-06-01', NULL),
    ('TH-0006', 'TH.CVA', '2020-01-01', '2022-01-01'),
    ('TH-0901', 'TH.BUOI.01', '2021-01-01', '2021-02-01'),
    ('TH-0901', 'TH.BUOI.02', '2021-03-01', '2021-04-01'),
    ('TH-0901', 'TH.CVA', '2021-05-01', '2021-06-01');
INSERT INTO chibo_import.exemptions VALUES
    ('TH-0001', '2023-03-01', NULL, 'age'),
    ('TH-0003', '2021-01-01', '2022-01-01', 'health'),
    ('TH-0005', '2023-10-01', NULL, 'away');
INSERT INTO chibo_import.meetings VALUES
    ('TH.BUOI.01', '2023-07-05', 'regular', NULL, NULL),
    ('TH.BUOI.01', '2023-09-06', 'combined', 'Học tập, làm theo tư tưởng Hồ Chí Minh', '120'),
    ('TH.BUOI.02', '2023-07-05', 'regular', NULL, NULL),
    ('TH.CVA', '2023-07-10', 'regular', 'Kế hoạch năm học', '95'),
    ('TH.CVA', '2023-07-24', 'thematic', 'Chuyển đổi số', NULL),
    ('TH.BUOI.01', '2023-08-10', 'extraordinary', 'Họp bất thường', NULL),
    ('TH.BUOI.02', '2023-08-10', 'extraordinary', 'Họp bất thường', NULL),
    ('TH.CVA', '2023-08-10', 'extraordinary', 'Họp bất thường', NULL);
INSERT INTO chibo_import.attendance VALUES
    ('TH.BUOI.01', '2023-07-05', 'regular', 'TH-0001', 'absent'),
    ('TH.BUOI.01', '2023-07-05', 'regular', 'TH-0002', 'present'),
    ('TH.BUOI.01', '2023-07-05', 'regular', 'TH-0004', 'excused'),
    ('TH.BUOI.01', '2023-09-06', 'combined', 'TH-0002', 'present'),
    ('TH.BUOI.02', '2023-07-05', 'regular', 'TH-0003', 'present'),
    ('TH.CVA', '2023-07-10', 'regular', 'TH-0005', 'present'),
    ('TH.CVA', '2023-07-24', 'thematic', 'TH-0005', 'absent');
INSERT INTO chibo_import.task_registrations VALUES
    ('TH-0002', '2023', 'new', 'Số hóa hồ sơ đảng viên', 'completed'),
    ('TH-0002', '2023', 'difficult', 'Vận động hộ dân giải phóng mặt bằng', NULL),
    ('TH-0005', '2023', 'new', 'Đổi mới phương pháp dạy học', 'pending'),
    ('TH-0003', '2022', 'new', 'Sửa nhà văn hoá', 'completed'),
    ('TH-0001', '2023', 'difficult', 'Hoà giải tranh chấp đất', 'pending');
INSERT INTO chibo_import.assessments VALUES
    ('member', 'TH-0002', 'DV4T', '2023-01-01', '2023-12-31', '1111'),
    ('member', 'TH-0005', 'DV4T', '2023-01-01', '2023-06-30', '1111'),
    ('member', 'TH-0005', 'DV4T', '2023-07-01', '2023-12-31', '1101'),
    ('cell', 'TH.CVA', 'CB4T', '2023-01-01', '2023-12-31', '1111'),
    ('member', 'TH-0001', 'DV5T', '2024-01-01', '2024-12-31', '11111'),
    ('cell', 'TH.BUOI.01', 'CB4T', '2023-01-01', '2023-12-31', '1101'),
    ('member', 'TH-0003', 'DV4T', '2022-01-01', '2022-12-31', '1111');
INSERT INTO chibo_import.classifications VALUES
    ('member', 'TH-0002', '2023', 'excellent', '92.50'),
    ('member', 'TH-0005', '2023', 'good', '80'),
    ('cell', 'TH.CVA', '2023', 'good', NULL),
    ('cell', 'TH.BUOI.02', '2023', 'completed', NULL),
    ('member', 'TH-0003', '2022', 'good', NULL),
    ('member', 'TH-0001', '2023', 'good', NULL);
CREATE TEMP TABLE import_result AS SELECT * FROM chibo.import_staged();
SELECT is((SELECT sum(rejected) FROM import_result), 0::numeric, 'the staged batch imports without rejects');
SELECT isnt_empty('SELECT * FROM chibo.refresh_reports()', 'the rollups are refreshed');
-- The refresh's work tables (ON COMMIT DROP) belong to the superuser until
-- this transaction ends; drop them, so that the admin's refresh below can
-- make its own (one login per session, as in real use).
DO $$
DECLARE
    t text;
BEGIN
    FOR t IN SELECT relname FROM pg_class WHERE relnamespace = pg_my_temp_schema() AND relkind = 'r' AND relname LIKE 'chibo\_%' LOOP
        EXECUTE format('DROP TABLE pg_temp.%I', t);
    END LOOP;
END;
$$;

-- A scheme of the user's own (deletable), pending changes of the rollups
-- (inside and outside), and one row in every staging table.
INSERT INTO chibo.schemes (code, name, subject_kind, criteria_names) VALUES ('XTEST', 'Bộ thử', 'member', ARRAY['a', 'b']);
INSERT INTO chibo.report_changes (unit_id, first_month, last_month)
SELECT id, '2023-07-01', '2023-07-01' FROM chibo.units WHERE code IN ('TH.BUOI.01', 'TH.BUOI.02', 'TH.CVA', 'TH');
INSERT INTO chibo_import.units (code) VALUES ('X');
INSERT INTO chibo_import.members (code) VALUES ('X');
INSERT INTO chibo_import.memberships (member_code) VALUES ('X');
INSERT INTO chibo_import.exemptions (member_code) VALUES ('X');
INSERT INTO chibo_import.meetings (unit_code) VALUES ('X');
INSERT INTO chibo_import.attendance (unit_code) VALUES ('X');
INSERT INTO chibo_import.task_registrations (member_code) VALUES ('X');
INSERT INTO chibo_import.assessments (subject_kind) VALUES ('X');
INSERT INTO chibo_import.classifications (subject_kind) VALUES ('X');
INSERT INTO chibo_import.rejects (batch, file, line, "row", reason) VALUES (0, 'units.csv', 1, '{}', 'test');

-- ---------------------------------------------------------------------
-- Logins.  actors: key (stable, for test names), the role, its grant.
-- ---------------------------------------------------------------------
CREATE TEMP TABLE actors (key text PRIMARY KEY, rolname name NOT NULL, scope text, kind text NOT NULL);
DO $$
DECLARE
    p text := 'chibo_tap_' || txid_current() || '_';
BEGIN
    EXECUTE format('CREATE ROLE %I LOGIN', p || 'committee');
    EXECUTE format('CREATE ROLE %I LOGIN', p || 'cell');
    EXECUTE format('CREATE ROLE %I NOLOGIN', p || 'group');
    EXECUTE format('CREATE ROLE %I LOGIN IN ROLE %I', p || 'group_member', p || 'group');
    EXECUTE format('CREATE ROLE %I LOGIN IN ROLE chibo_reader', p || 'reader');
    EXECUTE format('CREATE ROLE %I LOGIN IN ROLE chibo_admin', p || 'admin');
    EXECUTE format('CREATE ROLE %I LOGIN', p || 'nobody');
    INSERT INTO pg_temp.actors VALUES
        ('committee_editor', p || 'committee', 'TH.BUOI', 'editor'),
        ('cell_editor', p || 'cell', 'TH.BUOI.01', 'editor'),
        ('group', p || 'group', 'TH.CVA', 'group'),
        ('group_member', p || 'group_member', 'TH.CVA', 'editor'),
        ('reader', p || 'reader', NULL, 'reader'),
        ('admin', p || 'admin', NULL, 'admin'),
        ('nobody', p || 'nobody', NULL, 'nobody');
END;
$$;
SELECT lives_ok(format('SELECT chibo.grant_unit(%L, %L)', rolname, scope), format('grant_unit(%s, %s)', key, scope))
  FROM actors WHERE key IN ('committee_editor', 'cell_editor', 'group') ORDER BY key;
SELECT ok(pg_has_role(rolname, 'chibo_editor', 'MEMBER'), format('grant_unit made %s a member of chibo_editor', key))
  FROM actors WHERE key IN ('committee_editor', 'cell_editor', 'group') ORDER BY key;
SELECT ok(NOT EXISTS (SELECT FROM pg_auth_members m WHERE m.roleid = 'chibo_editor'::regrole
                         AND m.member = (SELECT rolname FROM actors WHERE key = 'group_member')::regrole),
          'group_member is an editor only through its group');

-- ---------------------------------------------------------------------
-- Helpers (run as the superuser; they take the role for the one statement).
-- ---------------------------------------------------------------------
CREATE FUNCTION pg_temp.who(k text) RETURNS name LANGUAGE sql STABLE
    AS $$ SELECT a.rolname FROM pg_temp.actors a WHERE a.key = k $$;
CREATE FUNCTION pg_temp.u(c text) RETURNS bigint LANGUAGE sql STABLE
    AS $$ SELECT u.id FROM chibo.units u WHERE u.code = c $$;
CREATE FUNCTION pg_temp.m(c text) RETURNS bigint LANGUAGE sql STABLE
    AS $$ SELECT m.id FROM chibo.members m WHERE m.code = c $$;
-- The oracle: a subtree by its codes, and the members with a membership in it.
CREATE FUNCTION pg_temp.subtree_codes(c text) RETURNS text[] LANGUAGE sql STABLE
    AS $$ SELECT array_agg(u.code ORDER BY u.code) FROM chibo.units u WHERE u.code = c OR u.code LIKE c || '.%' $$;
CREATE FUNCTION pg_temp.subtree(c text) RETURNS bigint[] LANGUAGE sql STABLE
    AS $$ SELECT array_agg(u.id ORDER BY u.id) FROM chibo.units u WHERE u.code = ANY (pg_temp.subtree_codes(c)) $$;
CREATE FUNCTION pg_temp.subtree_members(c text) RETURNS bigint[] LANGUAGE sql STABLE
    AS $$ SELECT COALESCE(array_agg(DISTINCT ms.member_id), '{}') FROM chibo.memberships ms
           WHERE ms.unit_id = ANY (pg_temp.subtree(c)) $$;

-- What a login sees: count(*) of a relation (or query), or the SQLSTATE.
CREATE FUNCTION pg_temp.visible(k text, rel text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    r name := pg_temp.who(k);
    n bigint;
BEGIN
    BEGIN
        IF r IS NOT NULL THEN
            EXECUTE format('SET LOCAL ROLE %I', r);
        END IF;
        EXECUTE 'SELECT count(*) FROM ' || rel INTO n;
        RESET ROLE;
        RETURN n::text;
    EXCEPTION WHEN others THEN
        RETURN SQLSTATE;
    END;
END;
$$;

-- The rows a login sees in a view, as one sorted JSON array (optionally
-- only those whose code column is in codes), or the SQLSTATE.
CREATE FUNCTION pg_temp.view_rows(k text, view text, code_column text, codes text[]) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    r name := pg_temp.who(k);
    j jsonb;
BEGIN
    BEGIN
        IF r IS NOT NULL THEN
            EXECUTE format('SET LOCAL ROLE %I', r);
        END IF;
        EXECUTE format('SELECT COALESCE(jsonb_agg(x.j ORDER BY x.j::text), ''[]'') FROM (SELECT to_jsonb(v) AS j FROM %s v WHERE %s) x',
                       view, CASE WHEN codes IS NULL THEN 'true' ELSE format('v.%I = ANY ($1)', code_column) END)
           INTO j USING codes;
        RESET ROLE;
        RETURN j::text;
    EXCEPTION WHEN others THEN
        RETURN SQLSTATE;
    END;
END;
$$;

-- Rows written to a table so far in this transaction (inserted, updated
-- or deleted, counted by the statistics, aborted subtransactions included).
CREATE FUNCTION pg_temp.writes(rel regclass) RETURNS bigint LANGUAGE sql STABLE AS $$
    SELECT pg_stat_get_xact_tuples_inserted(rel) + pg_stat_get_xact_tuples_updated(rel)
         + pg_stat_get_xact_tuples_deleted(rel)
$$;

-- Runs a statement as a login (k NULL: as the superuser) and undoes it:
-- the SQLSTATE if it fails, else 'N rows', N the rows it wrote to rel,
-- measured as the superuser after the statement.
CREATE FUNCTION pg_temp.act(k text, stmt text, rel regclass) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    r name := pg_temp.who(k);
    before bigint := pg_temp.writes(rel);
    after bigint;
BEGIN
    BEGIN
        IF r IS NOT NULL THEN
            EXECUTE format('SET LOCAL ROLE %I', r);
        END IF;
        EXECUTE stmt;
        RESET ROLE;
        after := pg_temp.writes(rel);
        RAISE EXCEPTION USING ERRCODE = 'ZZ001', MESSAGE = (after - before) || ' rows';
    EXCEPTION WHEN others THEN
        IF SQLSTATE = 'ZZ001' THEN
            RETURN SQLERRM;
        END IF;
        RETURN SQLSTATE;
    END;
END;
$$;

-- Runs a statement as a login and undoes it: 'ok' or the SQLSTATE.
CREATE FUNCTION pg_temp.try(k text, stmt text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    r name := pg_temp.who(k);
BEGIN
    BEGIN
        IF r IS NOT NULL THEN
            EXECUTE format('SET LOCAL ROLE %I', r);
        END IF;
        EXECUTE stmt;
        RESET ROLE;
        RAISE EXCEPTION USING ERRCODE = 'ZZ001', MESSAGE = 'ok';
    EXCEPTION WHEN others THEN
        RETURN CASE WHEN SQLSTATE = 'ZZ001' THEN SQLERRM ELSE SQLSTATE END;
    END;
END;
$$;

-- A stored row of a rollup table, as JSON with its key changed (override):
-- a row any admin may insert.
CREATE FUNCTION pg_temp.row_json(rel text, unit bigint, override jsonb) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
    j jsonb;
BEGIN
    IF override IS NULL THEN
        RETURN NULL;
    END IF;
    EXECUTE format('SELECT to_jsonb(t) FROM %s t WHERE %s LIMIT 1', rel, CASE WHEN unit IS NULL THEN 'true' ELSE 't.unit_id = $1' END)
       INTO j USING unit;
    RETURN j || override;
END;
$$;

-- ---------------------------------------------------------------------
-- The relations.  class: data (rows of a unit or member, editors write
-- them in their subtrees), rollup (derived, per unit), global (one set for
-- everybody), grants, audit, staging.  editor_filter: the rows an editor
-- sees, as a predicate over the row t, %1$L the subtree's unit ids, %2$L
-- its members, %3$L the login (NULL: the editor is refused); members not
-- placed in any cell yet are seen by every editor, to place them (commit
-- f96443e).  reader: readers see every row.
-- ---------------------------------------------------------------------
CREATE TEMP TABLE rels (rel text PRIMARY KEY, class text NOT NULL, reader boolean NOT NULL, editor_filter text);
INSERT INTO rels VALUES
    ('chibo.units',                    'data',    true,  'id = ANY (%1$L)'),
    ('chibo.members',                  'data',    false, 'id = ANY (%2$L) OR NOT EXISTS (SELECT FROM chibo.memberships x WHERE x.member_id = t.id)'),
    ('chibo.memberships',              'data',    false, 'unit_id = ANY (%1$L)'),
    ('chibo.exemptions',               'data',    false, 'member_id = ANY (%2$L)'),
    ('chibo.meetings',                 'data',    false, 'unit_id = ANY (%1$L)'),
    ('chibo.attendance',               'data',    false, 'unit_id = ANY (%1$L)'),
    ('chibo.task_registrations',       'data',    false, 'member_id = ANY (%2$L)'),
    ('chibo.assessments',              'data',    false, 'unit_id = ANY (%1$L) OR member_id = ANY (%2$L)'),
    ('chibo.classifications',          'data',    false, 'unit_id = ANY (%1$L) OR member_id = ANY (%2$L)'),
    ('chibo.schemes',                  'global',  true,  'true'),
    ('chibo.unit_grants',              'grants',  false, 'pg_has_role(%3$L, role_name, ''USAGE'')'),
    ('chibo.audit_log',                'audit',   false, NULL),
    ('chibo.cell_months',              'rollup',  true,  'unit_id = ANY (%1$L)'),
    ('chibo.cell_years',               'rollup',  true,  'unit_id = ANY (%1$L)'),
    ('chibo.unit_months',              'rollup',  true,  'unit_id = ANY (%1$L)'),
    ('chibo.unit_years',               'rollup',  true,  'unit_id = ANY (%1$L)'),
    ('chibo.unit_ancestors',           'rollup',  true,  'unit_id = ANY (%1$L)'),
    ('chibo.unit_paths',               'rollup',  true,  'unit_id = ANY (%1$L)'),
    ('chibo.report_state',             'global',  true,  'true'),
    ('chibo.report_changes',           'rollup',  true,  'unit_id = ANY (%1$L)'),
    ('chibo_import.units',             'staging', false, NULL),
    ('chibo_import.members',           'staging', false, NULL),
    ('chibo_import.memberships',       'staging', false, NULL),
    ('chibo_import.exemptions',        'staging', false, NULL),
    ('chibo_import.meetings',          'staging', false, NULL),
    ('chibo_import.attendance',        'staging', false, NULL),
    ('chibo_import.task_registrations','staging', false, NULL),
    ('chibo_import.assessments',       'staging', false, NULL),
    ('chibo_import.classifications',   'staging', false, NULL),
    ('chibo_import.rejects',           'staging', false, NULL);

SELECT set_eq($$SELECT format('%I.%I', schemaname, tablename) FROM pg_tables WHERE schemaname IN ('chibo', 'chibo_import')$$,
              'SELECT rel FROM rels', 'the test covers every table of chibo and chibo_import');

-- The views: the column holding the unit's code (NULL: not per unit).
CREATE TEMP TABLE views (view text PRIMARY KEY, code_column text);
INSERT INTO views VALUES
    ('chibo_report.units', 'unit_code'), ('chibo_report.unit_month', 'unit_code'),
    ('chibo_report.unit_year', 'unit_code'), ('chibo_report.headline', 'unit_code'),
    ('chibo_report.cell_type_year', 'unit_code'), ('chibo_report.cells_needing_attention', 'cell_code'),
    ('chibo_report.grading_quota', 'unit_code'), ('chibo_report.report_state', NULL);
SELECT set_eq($$SELECT format('%I.%I', table_schema, table_name) FROM information_schema.views WHERE table_schema = 'chibo_report'$$,
              'SELECT view FROM views', 'the test covers every view of chibo_report');

-- Every per-unit table has rows inside and outside each editor's subtree.
CREATE FUNCTION pg_temp.count_where(rel text, filter text, k text) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    s text := (SELECT a.scope FROM pg_temp.actors a WHERE a.key = k);
    n bigint;
BEGIN
    EXECUTE format('SELECT count(*) FROM %s t WHERE ', rel)
         || format(COALESCE(filter, 'true'), pg_temp.subtree(s), pg_temp.subtree_members(s), pg_temp.who(k)) INTO n;
    RETURN n;
END;
$$;
SELECT ok(pg_temp.count_where(r.rel, r.editor_filter, a.key) > 0
          AND pg_temp.count_where(r.rel, r.editor_filter, a.key) < pg_temp.count_where(r.rel, 'true', a.key),
          format('%s has rows inside and outside the subtree of %s', r.rel, a.key))
  FROM rels r CROSS JOIN actors a
 WHERE r.class IN ('data', 'rollup', 'grants') AND a.kind = 'editor'
 ORDER BY r.rel, a.key;

-- ---------------------------------------------------------------------
-- Reading: exact counts for each login and relation.
-- ---------------------------------------------------------------------
SELECT is(pg_temp.visible(a.key, r.rel),
          CASE a.kind
              WHEN 'nobody' THEN '42501'
              WHEN 'admin' THEN pg_temp.count_where(r.rel, 'true', a.key)::text
              WHEN 'reader' THEN CASE WHEN r.reader THEN pg_temp.count_where(r.rel, 'true', a.key)::text
                                      -- its own grants (the headline reads them)
                                      WHEN r.class = 'grants' THEN pg_temp.count_where(r.rel, r.editor_filter, a.key)::text
                                      ELSE '42501' END
              ELSE CASE WHEN r.editor_filter IS NULL THEN '42501'
                        ELSE pg_temp.count_where(r.rel, r.editor_filter, a.key)::text END
          END,
          format('%s reads %s', a.key, r.rel))
  FROM rels r CROSS JOIN actors a
 WHERE a.kind <> 'group'
 ORDER BY r.rel, a.key;

-- The report views: the reader and the admin see every unit; an editor
-- sees exactly the admin's rows of its subtree's units.
SELECT is(pg_temp.view_rows(a.key, v.view, NULL, NULL), pg_temp.view_rows(NULL, v.view, NULL, NULL),
          format('%s sees every row of %s', a.key, v.view))
  FROM views v CROSS JOIN actors a WHERE a.kind IN ('reader', 'admin') ORDER BY v.view, a.key;
SELECT is(pg_temp.visible('reader', 'chibo_report.units'), (SELECT count(*)::text FROM chibo.units),
          'reader sees every unit in chibo_report.units');
SELECT is(pg_temp.view_rows('nobody', v.view, NULL, NULL), '42501', format('nobody cannot read %s', v.view))
  FROM views v ORDER BY v.view;
SELECT is(pg_temp.view_rows(a.key, v.view, NULL, NULL),
          pg_temp.view_rows('admin', v.view, v.code_column,
                            CASE WHEN v.code_column IS NOT NULL THEN pg_temp.subtree_codes(a.scope) END),
          format('%s sees in %s the admin''s rows of its subtree, and nothing else', a.key, v.view))
  FROM views v CROSS JOIN actors a WHERE a.kind = 'editor' AND v.view <> 'chibo_report.headline' ORDER BY v.view, a.key;
-- The headline of an editor is that of its granted committee: the top of
-- the tree it sees, with the admin's figures for it.
SELECT is(pg_temp.view_rows(a.key, 'chibo_report.headline', NULL, NULL),
          pg_temp.view_rows('admin', format('(SELECT %s FROM chibo_report.unit_year)',
                                            (SELECT string_agg(quote_ident(c.column_name), ', ' ORDER BY c.ordinal_position)
                                               FROM information_schema.columns c
                                              WHERE c.table_schema = 'chibo_report' AND c.table_name = 'headline')),
                            'unit_code', ARRAY[a.scope]),
          format('%s sees in chibo_report.headline the admin''s figures of its granted committee, and nothing else', a.key))
  FROM actors a WHERE a.kind = 'editor' ORDER BY a.key;
SELECT isnt(pg_temp.view_rows('admin', v.view, v.code_column, pg_temp.subtree_codes(a.scope)), '[]',
            format('%s has rows of the subtree of %s (the comparison above is not empty)', v.view, a.key))
  FROM views v CROSS JOIN actors a
 WHERE a.kind = 'editor' AND v.view IN ('chibo_report.units', 'chibo_report.unit_month', 'chibo_report.unit_year')
 ORDER BY v.view, a.key;

-- Personal data: names, birth dates and gender.
SELECT is(pg_temp.visible('reader', '(SELECT full_name, birth_date, gender FROM chibo.members) x'), '42501',
          'reader: permission denied on the names, birth dates and gender of chibo.members');
SELECT is(pg_temp.view_rows(a.key, '(SELECT code, full_name, birth_date, gender FROM chibo.members)', NULL, NULL),
          pg_temp.view_rows(NULL, format('(SELECT code, full_name, birth_date, gender FROM chibo.members t WHERE id = ANY (%L) OR NOT EXISTS (SELECT FROM chibo.memberships x WHERE x.member_id = t.id))',
                                         pg_temp.subtree_members(a.scope)), NULL, NULL),
          format('%s reads the names of exactly the members with a membership in its subtree (and of those in no cell yet)', a.key))
  FROM actors a WHERE a.kind = 'editor' ORDER BY a.key;
SELECT is(pg_temp.view_rows('admin', '(SELECT code, full_name, birth_date, gender FROM chibo.members)', NULL, NULL),
          pg_temp.view_rows(NULL, '(SELECT code, full_name, birth_date, gender FROM chibo.members)', NULL, NULL),
          'admin reads the names of every member');

-- ---------------------------------------------------------------------
-- Writing.  Each editor has a target inside and one outside its subtree:
-- a cell (unit), a committee to hang a new unit on (parent), an empty
-- cell to delete (empty), a member of that cell (member) and a month
-- (for rows that must not collide).  The reader, the admin and nobody
-- use the committee editor's targets.
-- ---------------------------------------------------------------------
CREATE TEMP TABLE targets (key text, place text, unit text, parent text, empty text, member text, month text,
                           PRIMARY KEY (key, place));
INSERT INTO targets VALUES
    ('committee_editor', 'inside',  'TH.BUOI.02', 'TH.BUOI',    'TH.BUOI.03', 'TH-0003', '02'),
    ('committee_editor', 'outside', 'TH.CVA',     'TH',         'TH.XOM',     'TH-0005', '04'),
    ('cell_editor',      'inside',  'TH.BUOI.01', 'TH.BUOI.01', 'TH.BUOI.01', 'TH-0001', '02'),
    ('cell_editor',      'outside', 'TH.BUOI.02', 'TH.BUOI',    'TH.BUOI.03', 'TH-0003', '04'),
    ('group_member',     'inside',  'TH.CVA',     'TH.CVA',     'TH.CVA',     'TH-0005', '02'),
    ('group_member',     'outside', 'TH.BUOI.01', 'TH.BUOI',    'TH.BUOI.03', 'TH-0001', '04');

-- Statements: an INSERT is prefix || row || suffix (a mixed INSERT has the
-- inside row and the outside row); format() arguments: %1$s unit id,
-- %2$s parent id, %3$s empty unit id, %4$s member id, %5$s id of the
-- cell's extraordinary meeting (no attendance), %6$s id of TH-0900 (no
-- membership), %7$s id of TH-0901 (past memberships in every cell),
-- %8$s month, %9$s id of scheme DV4T, %10$L the target editor's login,
-- %11$L a row of the rollup table (JSON).
CREATE TEMP TABLE stmts (rel text PRIMARY KEY, ins_prefix text, ins_row text, ins_suffix text, upd text, del text,
                          override jsonb);
INSERT INTO stmts VALUES
    ('chibo.units',
     'INSERT INTO chibo.units (code, parent_id, name, kind, grassroots, cell_type, valid_from) VALUES ',
     $$('TAP.%2$s', %2$s, 'Chi bộ mới', 'cell', false, 'residential', '2021-01-01')$$, '',
     'UPDATE chibo.units SET name = name WHERE id = %1$s',
     'DELETE FROM chibo.units WHERE id = %3$s', NULL),
    ('chibo.members',
     'INSERT INTO chibo.members (code, full_name, admitted_on) VALUES ',
     $$('TAP-%1$s', 'Người Mới', '2023-01-01')$$, '',
     'UPDATE chibo.members SET full_name = full_name WHERE id = %4$s',
     'DELETE FROM chibo.members WHERE id = %4$s', NULL),
    ('chibo.memberships',
     'INSERT INTO chibo.memberships (member_id, unit_id, from_date, to_date) VALUES ',
     $$(%6$s, %1$s, '2023-%8$s-01', '2023-%8$s-15')$$, '',
     'UPDATE chibo.memberships SET to_date = to_date WHERE unit_id = %1$s',
     'DELETE FROM chibo.memberships WHERE unit_id = %1$s AND member_id = %7$s', NULL),
    ('chibo.exemptions',
     'INSERT INTO chibo.exemptions (member_id, from_date, to_date, reason) VALUES ',
     $$(%4$s, '2019-%8$s-01', '2019-%8$s-15', 'other')$$, '',
     'UPDATE chibo.exemptions SET reason = reason WHERE member_id = %4$s',
     'DELETE FROM chibo.exemptions WHERE member_id = %4$s', NULL),
    ('chibo.meetings',
     'INSERT INTO chibo.meetings (unit_id, held_on, kind) VALUES ',
     $$(%1$s, '2023-08-21', 'thematic')$$, '',
     'UPDATE chibo.meetings SET topic = topic WHERE unit_id = %1$s',
     $$DELETE FROM chibo.meetings WHERE unit_id = %1$s AND kind = 'extraordinary'$$, NULL),
    ('chibo.attendance',
     'INSERT INTO chibo.attendance (meeting_id, member_id, status) VALUES ',
     $$(%5$s, %4$s, 'present')$$, '',
     'UPDATE chibo.attendance SET status = status WHERE unit_id = %1$s',
     'DELETE FROM chibo.attendance WHERE unit_id = %1$s', NULL),
    ('chibo.task_registrations',
     'INSERT INTO chibo.task_registrations (member_id, year, kind, title) VALUES ',
     $$(%4$s, 2024, 'new', 'Việc mới')$$, '',
     'UPDATE chibo.task_registrations SET outcome = outcome WHERE member_id = %4$s',
     'DELETE FROM chibo.task_registrations WHERE member_id = %4$s', NULL),
    ('chibo.assessments',
     'INSERT INTO chibo.assessments (subject_kind, member_id, scheme_id, period_start, period_end, criteria) VALUES ',
     $$('member', %4$s, %9$s, '2021-01-01', '2021-12-31', '1111')$$, '',
     'UPDATE chibo.assessments SET criteria = criteria WHERE member_id = %4$s OR unit_id = %1$s',
     'DELETE FROM chibo.assessments WHERE member_id = %4$s OR unit_id = %1$s', NULL),
    ('chibo.classifications',
     'INSERT INTO chibo.classifications (subject_kind, member_id, year, grade) VALUES ',
     $$('member', %4$s, 2021, 'good')$$, '',
     'UPDATE chibo.classifications SET grade = grade WHERE member_id = %4$s OR unit_id = %1$s',
     'DELETE FROM chibo.classifications WHERE member_id = %4$s OR unit_id = %1$s', NULL),
    ('chibo.schemes',
     'INSERT INTO chibo.schemes (code, name, subject_kind, criteria_names) VALUES ',
     $$('TAP%8$s', 'Bộ mới', 'member', ARRAY['a', 'b'])$$, '',
     $$UPDATE chibo.schemes SET name = name WHERE code = 'DV4T'$$,
     $$DELETE FROM chibo.schemes WHERE code = 'XTEST'$$, NULL),
    ('chibo.unit_grants',
     'INSERT INTO chibo.unit_grants (role_name, unit_id) VALUES ',
     '(%10$L, %1$s)', '',
     'UPDATE chibo.unit_grants SET granted_by = granted_by WHERE role_name = %10$L',
     'DELETE FROM chibo.unit_grants WHERE role_name = %10$L', NULL),
    ('chibo.audit_log',
     'INSERT INTO chibo.audit_log (actor, xact, table_name, operation) VALUES ',
     $$('x', 1, 'meetings', 'TRUNCATE')$$, '',
     'UPDATE chibo.audit_log SET actor = actor', 'DELETE FROM chibo.audit_log', NULL),
    ('chibo.report_state',
     'INSERT INTO chibo.report_state SELECT (jsonb_populate_record(NULL::chibo.report_state, v.j)).* FROM (VALUES ',
     '(%11$L::jsonb)', ') v (j)',
     'UPDATE chibo.report_state SET first_month = first_month', 'DELETE FROM chibo.report_state', '{}');
INSERT INTO stmts
SELECT t.rel,
       format('INSERT INTO %s SELECT (jsonb_populate_record(NULL::%s, v.j)).* FROM (VALUES ', t.rel, t.rel),
       '(%11$L::jsonb)', ') v (j)',
       format('UPDATE %s SET unit_id = unit_id WHERE unit_id = %%1$s', t.rel),
       format('DELETE FROM %s WHERE unit_id = %%1$s', t.rel),
       t.override
  FROM (VALUES ('chibo.cell_months', '{"month": "2030-01-01"}'::jsonb), ('chibo.cell_years', '{"year": 2030}'),
               ('chibo.unit_months', '{"month": "2030-01-01"}'), ('chibo.unit_years', '{"year": 2030}'),
               ('chibo.unit_ancestors', '{"ancestor_id": -1}'), ('chibo.report_changes', '{}')) t (rel, override);
INSERT INTO stmts
SELECT r.rel, format('INSERT INTO %s ', r.rel),
       CASE WHEN r.rel = 'chibo_import.rejects' THEN $$(batch, file, line, "row", reason) VALUES (0, 'x', 2, '{}', 'x')$$
            ELSE 'DEFAULT VALUES' END, '',
       format('UPDATE %s SET %I = %I', r.rel, c.attname, c.attname), format('DELETE FROM %s', r.rel), NULL
  FROM rels r
  JOIN pg_attribute c ON c.attrelid = r.rel::regclass AND c.attnum = 1
 WHERE r.class = 'staging';

-- One statement per (target editor, place, table, operation).
CREATE FUNCTION pg_temp.fill(template text, rel text, override jsonb, k text, place text) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT format(template, pg_temp.u(t.unit), pg_temp.u(t.parent), pg_temp.u(t.empty), pg_temp.m(t.member),
                  (SELECT mt.id FROM chibo.meetings mt WHERE mt.unit_id = pg_temp.u(t.unit) AND mt.kind = 'extraordinary'),
                  pg_temp.m('TH-0900'), pg_temp.m('TH-0901'), t.month,
                  (SELECT s.id FROM chibo.schemes s WHERE s.code = 'DV4T'), pg_temp.who(t.key),
                  pg_temp.row_json(rel, CASE WHEN rel <> 'chibo.report_state' THEN pg_temp.u(t.unit) END, override))
      FROM pg_temp.targets t WHERE t.key = k AND t.place = fill.place
$$;
CREATE TEMP TABLE cases AS
SELECT t.key AS target, t.place, s.rel, o.op,
       CASE o.op WHEN 'insert' THEN s.ins_prefix || pg_temp.fill(s.ins_row, s.rel, s.override, t.key, t.place) || s.ins_suffix
                 WHEN 'update' THEN pg_temp.fill(s.upd, s.rel, s.override, t.key, t.place)
                 ELSE pg_temp.fill(s.del, s.rel, s.override, t.key, t.place) END AS stmt
  FROM targets t CROSS JOIN stmts s CROSS JOIN (VALUES ('insert'), ('update'), ('delete')) o (op)
UNION ALL
SELECT t.key, 'mixed', s.rel, 'insert',
       s.ins_prefix || pg_temp.fill(s.ins_row, s.rel, s.override, t.key, 'inside') || ', '
                    || pg_temp.fill(s.ins_row, s.rel, s.override, t.key, 'outside') || s.ins_suffix
  FROM (SELECT DISTINCT key FROM targets) t CROSS JOIN stmts s
 WHERE s.rel NOT LIKE 'chibo_import.%';
ALTER TABLE cases ADD COLUMN superuser text;
UPDATE cases SET superuser = pg_temp.act(NULL, stmt, rel::regclass);

-- The superuser's statements are not empty: they write rows, or a rule
-- of the data refuses them (the same rule must then refuse the editor).
SELECT ok(c.superuser <> '0 rows', format('superuser: %s %s %s of %s writes rows (%s)', c.op, c.rel, c.place, c.target, c.superuser))
  FROM cases c JOIN rels r USING (rel)
 WHERE r.class = 'data' AND c.place <> 'mixed'
 ORDER BY c.rel, c.target, c.place, c.op;
SELECT ok(c.superuser ~ '^[1-9][0-9]* rows$', format('superuser: the mixed insert into %s for %s writes rows (%s)', c.rel, c.target, c.superuser))
  FROM cases c JOIN rels r USING (rel)
 WHERE r.class = 'data' AND c.place = 'mixed' AND c.target = 'committee_editor'
 ORDER BY c.rel;

-- Expected: nobody and the reader write nothing; the admin does what the
-- superuser does, but cannot write the audit log; an editor does what the
-- superuser does inside its subtree and to new members, and outside gets
-- 42501 on insert (a mixed insert fails whole) and changes 0 rows on
-- update and delete.
CREATE FUNCTION pg_temp.expected(kind text, class text, rel text, op text, place text, superuser text) RETURNS text
    LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE
        WHEN kind IN ('nobody', 'reader') THEN '42501'
        WHEN kind = 'admin' THEN CASE WHEN class = 'audit' THEN '42501' ELSE superuser END
        WHEN class <> 'data' THEN '42501'
        WHEN place = 'inside' THEN superuser
        WHEN rel = 'chibo.members' AND op = 'insert' THEN superuser
        WHEN op = 'insert' THEN '42501'
        ELSE '0 rows'
    END
$$;
SELECT is(pg_temp.act(a.key, c.stmt, c.rel::regclass),
          pg_temp.expected(a.kind, r.class, c.rel, c.op, c.place, c.superuser),
          CASE WHEN a.kind = 'editor'
               THEN format('%s: %s %s %s its subtree (%s)', a.key, c.op, c.rel,
                           CASE c.place WHEN 'mixed' THEN 'one row inside and one outside' ELSE c.place END,
                           (SELECT CASE WHEN c.rel IN ('chibo.exemptions', 'chibo.task_registrations') THEN t.member ELSE t.unit END
                              FROM targets t WHERE t.key = c.target AND t.place = CASE c.place WHEN 'mixed' THEN 'outside' ELSE c.place END))
               ELSE format('%s: %s %s (%s rows)', a.key, c.op, c.rel, c.place) END)
  FROM cases c
  JOIN rels r USING (rel)
  JOIN actors a ON a.key = c.target AND a.kind = 'editor'
                OR a.kind IN ('reader', 'admin', 'nobody') AND c.target = 'committee_editor'
 WHERE c.place <> 'mixed' OR c.superuser LIKE '% rows'
 ORDER BY a.key, c.rel, c.op, c.place;

-- ---------------------------------------------------------------------
-- No silent partial write, acting with SET ROLE: a multi-row INSERT with
-- one row outside the subtree fails whole (counted as the superuser
-- before and after).
-- ---------------------------------------------------------------------
SELECT rolname AS cell_login FROM actors WHERE key = 'cell_editor' \gset
SELECT rolname AS committee_login FROM actors WHERE key = 'committee_editor' \gset
SELECT pg_temp.u('TH.BUOI.01') AS u01, pg_temp.u('TH.BUOI.02') AS u02, pg_temp.u('TH.CVA') AS ucva,
       pg_temp.m('TH-0001') AS m1, pg_temp.m('TH-0003') AS m3, pg_temp.m('TH-0006') AS m6 \gset
CREATE TEMP TABLE counts AS
SELECT (SELECT count(*) FROM chibo.meetings) AS meetings, (SELECT count(*) FROM chibo.exemptions) AS exemptions,
       (SELECT count(*) FROM chibo.audit_log) AS audit_log;
SET ROLE :"cell_login";
SELECT throws_ok(format($$INSERT INTO chibo.meetings (unit_id, held_on, kind) VALUES (%s, '2023-08-22', 'thematic'), (%s, '2023-08-22', 'thematic')$$,
                        :u01, :u02),
                 '42501', NULL, 'cell_editor: a two-row INSERT into meetings with one row in a sibling cell is refused');
SELECT throws_ok(format($$INSERT INTO chibo.exemptions (member_id, from_date, to_date, reason) VALUES (%s, '2019-01-01', '2019-02-01', 'other'), (%s, '2019-01-01', '2019-02-01', 'other')$$,
                        :m1, :m3),
                 '42501', NULL, 'cell_editor: a two-row INSERT into exemptions with one member of a sibling cell is refused');
SELECT lives_ok(format($$UPDATE chibo.meetings SET topic = 'Sửa' WHERE unit_id IN (%s, %s)$$, :u01, :u02),
                'cell_editor: an UPDATE of meetings in its cell and a sibling cell runs');
RESET ROLE;
SELECT is((SELECT count(*) FROM chibo.meetings), (SELECT meetings FROM counts), 'meetings: count before = count after the refused insert');
SELECT is((SELECT count(*) FROM chibo.exemptions), (SELECT exemptions FROM counts), 'exemptions: count before = count after the refused insert');
SELECT is((SELECT count(*) FROM chibo.meetings WHERE topic = 'Sửa' AND unit_id = :u01), 3::bigint,
          'the UPDATE changed the three meetings of the cell editor''s cell');
SELECT is((SELECT count(*) FROM chibo.meetings WHERE topic = 'Sửa' AND unit_id <> :u01), 0::bigint,
          'the UPDATE changed no meeting of the sibling cell (counted as the superuser)');

-- ---------------------------------------------------------------------
-- Functions: grants, refreshes and the import are the admin's.
-- ---------------------------------------------------------------------
SELECT is(pg_temp.try(a.key, f.call), CASE WHEN a.kind = 'admin' THEN 'ok' ELSE '42501' END,
          format('%s: %s %s', a.key, f.name, CASE WHEN a.kind = 'admin' THEN 'runs' ELSE 'is refused' END))
  FROM actors a
 CROSS JOIN (VALUES
        ('grant_unit', format('SELECT chibo.grant_unit(%L, %L)', (SELECT rolname FROM actors WHERE key = 'nobody'), 'TH.CVA')),
        ('revoke_unit', format('SELECT chibo.revoke_unit(%L, %L)', (SELECT rolname FROM actors WHERE key = 'cell_editor'), 'TH.BUOI.01')),
        ('refresh_reports', 'SELECT chibo.refresh_reports()'),
        ('import_staged', 'SELECT chibo.import_staged()')) f (name, call)
 WHERE a.kind <> 'group'
 ORDER BY f.name, a.key;

-- grant_unit's and revoke_unit's errors.
SELECT is(pg_temp.try('admin', e.call), e.sqlstate, e.description)
  FROM (VALUES
        ($$SELECT chibo.grant_unit('chibo_tap_no_such_role', 'TH')$$, '42704', 'grant_unit: unknown role: 42704'),
        (format('SELECT chibo.grant_unit(%L, %L)', :'cell_login', 'NO.SUCH.UNIT'), '22023', 'grant_unit: unknown unit: 22023'),
        ($$SELECT chibo.grant_unit(NULL, 'TH')$$, '22004', 'grant_unit: NULL role: 22004'),
        (format('SELECT chibo.grant_unit(%L, NULL)', :'cell_login'), '22004', 'grant_unit: NULL unit: 22004'),
        ($$SELECT chibo.grant_unit('chibo_reader', 'TH')$$, '22023', 'grant_unit: to chibo_reader: 22023'),
        ($$SELECT chibo.grant_unit('chibo_editor', 'TH')$$, '22023', 'grant_unit: to chibo_editor: 22023'),
        ($$SELECT chibo.grant_unit('chibo_admin', 'TH')$$, '22023', 'grant_unit: to chibo_admin: 22023'),
        ($$SELECT chibo.revoke_unit('chibo_tap_no_such_role', 'TH')$$, '42704', 'revoke_unit: unknown role: 42704'),
        (format('SELECT chibo.revoke_unit(%L, %L)', :'cell_login', 'NO.SUCH.UNIT'), '22023', 'revoke_unit: unknown unit: 22023'),
        ($$SELECT chibo.revoke_unit(NULL, 'TH')$$, '22004', 'revoke_unit: NULL role: 22004'),
        (format('SELECT chibo.revoke_unit(%L, NULL)', :'cell_login'), '22004', 'revoke_unit: NULL unit: 22004'),
        ($$SELECT chibo.revoke_unit('chibo_editor', 'TH')$$, '22023', 'revoke_unit: from chibo_editor: 22023')
       ) e (call, sqlstate, description);

-- grant_unit makes an editor; revoking its last unit unmakes it.
SELECT rolname AS nobody_login FROM actors WHERE key = 'nobody' \gset
SELECT ok(NOT pg_has_role(:'nobody_login', 'chibo_editor', 'MEMBER'), 'nobody is not an editor');
SELECT lives_ok(format('SELECT chibo.grant_unit(%L, %L)', :'nobody_login', 'TH.XOM'), 'grant_unit(nobody, TH.XOM)');
SELECT lives_ok(format('SELECT chibo.grant_unit(%L, %L)', :'nobody_login', 'TH.CVA'), 'grant_unit(nobody, TH.CVA)');
SELECT lives_ok(format('SELECT chibo.grant_unit(%L, %L)', :'nobody_login', 'TH.CVA'), 'grant_unit twice is harmless');
SELECT ok(pg_has_role(:'nobody_login', 'chibo_editor', 'MEMBER'), 'grant_unit made nobody a member of chibo_editor');
SELECT is(pg_temp.visible('nobody', 'chibo.units'), '2', 'nobody now sees its two granted units');
SELECT lives_ok(format('SELECT chibo.revoke_unit(%L, %L)', :'nobody_login', 'TH.XOM'), 'revoke_unit(nobody, TH.XOM)');
SELECT ok(pg_has_role(:'nobody_login', 'chibo_editor', 'MEMBER'), 'with a unit left, nobody stays an editor');
SELECT is(pg_temp.visible('nobody', 'chibo.units'), '1', 'nobody sees the unit left');
SELECT lives_ok(format('SELECT chibo.revoke_unit(%L, %L)', :'nobody_login', 'TH.CVA'), 'revoke_unit(nobody, TH.CVA)');
SELECT ok(NOT pg_has_role(:'nobody_login', 'chibo_editor', 'MEMBER'), 'revoking its last unit removed nobody from chibo_editor');
SELECT is(pg_temp.visible('nobody', 'chibo.units'), '42501', 'nobody reads nothing again');

-- ---------------------------------------------------------------------
-- Legitimate work of editors, acting with SET ROLE.
-- ---------------------------------------------------------------------
-- The cell editor enters a meeting of its cell and its attendance.
SET ROLE :"cell_login";
SELECT lives_ok(format($$INSERT INTO chibo.meetings (unit_id, held_on, kind, topic, minutes) VALUES (%s, '2023-10-04', 'regular', 'Sinh hoạt tháng 10', 95)$$, :u01),
                'cell_editor enters a meeting of its own cell');
SELECT lives_ok($$INSERT INTO chibo.attendance (meeting_id, member_id, status)
                  SELECT mt.id, m.id, 'present' FROM chibo.meetings mt CROSS JOIN chibo.members m
                   WHERE mt.held_on = '2023-10-04' AND m.code IN ('TH-0001', 'TH-0002', 'TH-0004')$$,
                'cell_editor enters the attendance of that meeting');
SELECT is((SELECT count(*) FROM chibo.attendance WHERE held_on = '2023-10-04'), 3::bigint, 'cell_editor sees the three rows it entered');
SELECT lives_ok($$UPDATE chibo.attendance SET status = 'excused' WHERE held_on = '2023-10-04' AND member_id = (SELECT id FROM chibo.members WHERE code = 'TH-0004')$$,
                'cell_editor corrects an attendance row');
RESET ROLE;
SELECT is((SELECT string_agg(m.code || ' ' || a.status, ', ' ORDER BY m.code) FROM chibo.attendance a JOIN chibo.members m ON m.id = a.member_id
            WHERE a.held_on = '2023-10-04' AND a.unit_id = :u01),
          'TH-0001 present, TH-0002 present, TH-0004 excused', 'the meeting''s attendance is stored as entered');

-- The committee editor enters a new member and their membership in one of
-- its cells, and then sees them.
SET ROLE :"committee_login";
SELECT lives_ok($$INSERT INTO chibo.members (code, full_name, gender, birth_date, admitted_on) VALUES ('TH-0950', 'Đỗ Văn Mới', 'male', '1995-05-05', '2023-05-01')$$,
                'committee_editor enters a new member');
SELECT lives_ok(format($$INSERT INTO chibo.memberships (member_id, unit_id, from_date) SELECT m.id, %s, '2023-05-01' FROM chibo.members m WHERE m.code = 'TH-0950'$$, :u01),
                'committee_editor enters the new member''s membership in its cell TH.BUOI.01');
SELECT is((SELECT full_name FROM chibo.members WHERE code = 'TH-0950'), 'Đỗ Văn Mới', 'committee_editor then reads the new member''s name');
SELECT lives_ok($$WITH m AS (INSERT INTO chibo.members (code, full_name, admitted_on) VALUES ('TH-0951', 'Hồ Thị Mới', '2023-05-01') RETURNING id)
                  INSERT INTO chibo.memberships (member_id, unit_id, from_date) SELECT m.id, u.id, '2023-05-01' FROM m, chibo.units u WHERE u.code = 'TH.BUOI.01'$$,
                'committee_editor enters a new member and their membership in one statement (INSERT ... RETURNING)');
RESET ROLE;
SELECT is((SELECT count(*) FROM chibo.memberships ms JOIN chibo.members m ON m.id = ms.member_id WHERE m.code IN ('TH-0950', 'TH-0951')), 2::bigint,
          'both new members have their membership stored');

-- An editor cannot take a member of another cell into its own to read
-- their personal data: TH-0006 belonged to TH.CVA only.
SET ROLE :"committee_login";
SELECT throws_ok(format($$INSERT INTO chibo.memberships (member_id, unit_id, from_date) VALUES (%s, %s, '2023-01-01')$$, :m6, :u01),
                 '42501', NULL, 'committee_editor cannot enter a membership in its cell for a member of another committee''s cell');
SELECT is((SELECT count(*) FROM chibo.members WHERE id = :m6), 0::bigint, 'committee_editor still cannot read that member');
RESET ROLE;
SELECT is((SELECT count(*) FROM chibo.memberships WHERE member_id = :m6), 1::bigint, 'that member still has only their TH.CVA membership');

SELECT * FROM finish();
ROLLBACK;
