-- pgTAP: the audit trail (issue 5, section 2).
--
-- Every insert, update and delete on attendance, memberships, exemptions,
-- meetings, assessments and classifications appends one row per changed
-- row to chibo.audit_log: the session user (actor), the role it had set
-- (acting_role), the transaction, the table, the operation, the row's id
-- and its old and new values, exactly to_jsonb() of the row.  An update
-- that changes nothing records nothing, and so does a re-import of the
-- same files.  Nobody may change the log, not even its owner.  units,
-- members and task_registrations are not audited.
-- All in one transaction, rolled back; the test logins carry the
-- transaction id in their names.
\set ON_ERROR_STOP 1
\set QUIET 1
\pset format unaligned
\pset tuples_only true
\pset pager off
SET client_min_messages = warning;
SET search_path = public, chibo;
BEGIN;
SELECT * FROM no_plan();

-- The small batch (test/data/import/small), staged through chibo_import.*.
CREATE FUNCTION pg_temp.stage_small() RETURNS void LANGUAGE sql AS $$
INSERT INTO chibo_import.units VALUES
    ('TH.BUOI.01', 'TH.BUOI', 'Chi bộ tổ dân phố số 1', 'cell', 'false', 'residential', '2020-01-01', NULL),
    ('TH.BUOI.02', 'TH.BUOI', 'Chi bộ tổ dân phố số 2', 'cell', 'false', 'residential', '2020-01-01', '2024-01-01'),
    ('TH.BUOI', 'TH', 'Đảng bộ phường Bưởi', 'committee', 'true', NULL, '2020-01-01', NULL),
    ('TH', NULL, 'Đảng bộ quận Tây Hồ', 'committee', 'true', NULL, '2020-01-01', NULL),
    ('TH.CVA', 'TH', 'Chi bộ Trường THCS Chu Văn An', 'cell', 'true', 'school', '2020-01-01', NULL);
INSERT INTO chibo_import.members VALUES
    ('TH-0001', 'Nguyễn Văn An', 'male', '1960-02-03', '1985-05-05', '1986-05-05', NULL, NULL),
    ('TH-0002', 'Trần Thị Bình', 'female', '1975-11-20', '2000-03-02', '2001-03-02', NULL, NULL),
    ('TH-0003', 'Lê Văn Cường', 'male', NULL, '1990-01-01', '1991-01-01', '2023-08-15', 'died'),
    ('TH-0004', 'Phạm Thị Dung', 'female', '1990-07-07', '2023-06-01', NULL, NULL, NULL),
    ('TH-0005', 'Hoàng Văn Em, Jr.', NULL, NULL, '2010-01-01', '2011-01-01', NULL, NULL);
INSERT INTO chibo_import.memberships VALUES
    ('TH-0005', 'TH.CVA', '2020-01-01', NULL),
    ('TH-0002', 'TH.BUOI.01', '2023-01-01', NULL),
    ('TH-0002', 'TH.BUOI.02', '2020-01-01', '2023-01-01'),
    ('TH-0001', 'TH.BUOI.01', '2020-01-01', NULL),
    ('TH-0003', 'TH.BUOI.02', '2020-01-01', '2023-08-15'),
    ('TH-0004', 'TH.BUOI.01', '2023-06-01', NULL);
INSERT INTO chibo_import.exemptions VALUES
    ('TH-0001', '2023-03-01', NULL, 'age');
INSERT INTO chibo_import.meetings VALUES
    ('TH.BUOI.01', '2023-07-05', 'regular', NULL, NULL),
    ('TH.BUOI.01', '2023-09-06', 'combined', 'Học tập, làm theo tư tưởng Hồ Chí Minh', '120'),
    ('TH.BUOI.02', '2023-07-05', 'regular', NULL, NULL),
    ('TH.CVA', '2023-07-10', 'regular', 'Kế hoạch năm học', '95'),
    ('TH.CVA', '2023-07-24', 'thematic', 'Chuyển đổi số', NULL);
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
    ('TH-0005', '2023', 'new', 'Đổi mới phương pháp dạy học', 'pending');
INSERT INTO chibo_import.assessments VALUES
    ('member', 'TH-0002', 'DV4T', '2023-01-01', '2023-12-31', '1111'),
    ('member', 'TH-0005', 'DV4T', '2023-01-01', '2023-06-30', '1111'),
    ('member', 'TH-0005', 'DV4T', '2023-07-01', '2023-12-31', '1101'),
    ('cell', 'TH.CVA', 'CB4T', '2023-01-01', '2023-12-31', '1111'),
    ('member', 'TH-0001', 'DV5T', '2024-01-01', '2024-12-31', '11111');
INSERT INTO chibo_import.classifications VALUES
    ('member', 'TH-0002', '2023', 'excellent', '92.50'),
    ('member', 'TH-0005', '2023', 'good', '80'),
    ('cell', 'TH.CVA', '2023', 'good', NULL);
$$;

CREATE TEMP TABLE audited (rel text PRIMARY KEY);
INSERT INTO audited VALUES ('attendance'), ('memberships'), ('exemptions'), ('meetings'), ('assessments'), ('classifications');

-- The stored rows of a table (matching a predicate) as {id: to_jsonb(row)}.
CREATE FUNCTION pg_temp.rows_of(rel text, target text) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
    j jsonb;
BEGIN
    EXECUTE format('SELECT COALESCE(jsonb_object_agg(t.id, to_jsonb(t)), ''{}'') FROM chibo.%I t WHERE %s', rel, target) INTO j;
    RETURN j;
END;
$$;

-- An audit row as JSON, for comparisons.
CREATE FUNCTION pg_temp.entry(actor text, acting_role text, xact bigint, table_name text, operation text, row_id bigint,
                              old_values jsonb, new_values jsonb) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
    SELECT jsonb_build_object('actor', actor, 'acting_role', acting_role, 'xact', xact, 'table_name', table_name,
                              'operation', operation, 'row_id', row_id, 'old_values', old_values, 'new_values', new_values)
$$;

-- The audit rows appended after id mark, sorted, as one JSON array.
CREATE FUNCTION pg_temp.recorded_since(mark bigint) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT COALESCE(jsonb_agg(e ORDER BY e::text), '[]')::text
      FROM (SELECT pg_temp.entry(l.actor, l.acting_role, l.xact, l.table_name, l.operation, l.row_id, l.old_values, l.new_values) AS e
              FROM chibo.audit_log l WHERE l.id > mark) x
$$;

-- ---------------------------------------------------------------------
-- The import: one INSERT entry per imported row of an audited table, by
-- the session user, with no role set.
-- ---------------------------------------------------------------------
SELECT is((SELECT count(*) FROM chibo.audit_log), 0::bigint, 'the audit log starts empty');
SELECT pg_temp.stage_small();
CREATE TEMP TABLE first_import AS SELECT * FROM chibo.import_staged();
SELECT is((SELECT sum(rejected) FROM first_import), 0::numeric, 'the small batch imports without rejects');
SELECT is(pg_temp.recorded_since(0),
          (SELECT COALESCE(jsonb_agg(e ORDER BY e::text), '[]')::text
             FROM (SELECT pg_temp.entry(session_user, NULL, txid_current(), a.rel, 'INSERT', r.key::bigint, NULL, r.value) AS e
                     FROM audited a CROSS JOIN LATERAL jsonb_each(pg_temp.rows_of(a.rel, 'true')) r) x),
          'the import recorded one INSERT per row of each audited table, with the row''s values, the session user and no role');
SELECT is((SELECT count(*) FROM chibo.audit_log WHERE table_name = a.rel), (SELECT count(*) FROM jsonb_object_keys(pg_temp.rows_of(a.rel, 'true'))),
          format('%s: as many entries as rows', a.rel))
  FROM audited a ORDER BY a.rel;
SELECT ok((SELECT count(*) FROM jsonb_object_keys(pg_temp.rows_of(a.rel, 'true'))) > 0, format('%s has rows', a.rel))
  FROM audited a ORDER BY a.rel;

-- A re-import of the same staged files changes nothing and records nothing.
SELECT max(id) AS mark FROM chibo.audit_log \gset
CREATE TEMP TABLE before_reimport AS SELECT a.rel, pg_temp.rows_of(a.rel, 'true') AS j FROM audited a;
SELECT pg_temp.stage_small();
CREATE TEMP TABLE second_import AS SELECT * FROM chibo.import_staged();
SELECT is((SELECT sum(rejected) FROM second_import), 0::numeric, 'the re-import rejects nothing');
SELECT is((SELECT j FROM before_reimport b WHERE b.rel = a.rel), pg_temp.rows_of(a.rel, 'true'),
          format('%s: the re-import left the rows as they were', a.rel))
  FROM audited a ORDER BY a.rel;
SELECT is(pg_temp.recorded_since(:mark), '[]', 'a re-import of the same files records nothing');

-- ---------------------------------------------------------------------
-- Changes by logins: an editor of TH.BUOI and an admin.
-- ---------------------------------------------------------------------
CREATE TEMP TABLE actors (key text PRIMARY KEY, rolname name NOT NULL);
DO $$
DECLARE
    p text := 'chibo_tap_' || txid_current() || '_';
BEGIN
    EXECUTE format('CREATE ROLE %I LOGIN', p || 'editor');
    EXECUTE format('CREATE ROLE %I LOGIN IN ROLE chibo_admin', p || 'admin');
    INSERT INTO pg_temp.actors VALUES ('editor', p || 'editor'), ('admin', p || 'admin');
END;
$$;
SELECT chibo.grant_unit(rolname, 'TH.BUOI') FROM actors WHERE key = 'editor';
-- A member without a membership yet (members are not audited).
INSERT INTO chibo.members (code, full_name, admitted_on) VALUES ('TH-0800', 'Mai Văn Tám', '2010-01-01');

-- Runs a statement as a login (NULL: as the session user, no role set):
-- the audit entries it appended, the entries expected from the rows
-- matching target before and after (one per row that differs), and the
-- number of such rows.
CREATE FUNCTION pg_temp.audit_case(k text, rel text, target text, stmt text,
                                   OUT recorded text, OUT expected text, OUT changed bigint) LANGUAGE plpgsql AS $$
DECLARE
    r name := (SELECT a.rolname FROM pg_temp.actors a WHERE a.key = k);
    b jsonb := pg_temp.rows_of(rel, target);
    a jsonb;
    mark bigint := (SELECT COALESCE(max(l.id), 0) FROM chibo.audit_log l);
BEGIN
    BEGIN
        IF r IS NOT NULL THEN
            EXECUTE format('SET LOCAL ROLE %I', r);
        END IF;
        EXECUTE stmt;
        RESET ROLE;
    EXCEPTION WHEN others THEN
        recorded := 'failed: ' || SQLSTATE || ' ' || SQLERRM;
        RETURN;
    END;
    a := pg_temp.rows_of(rel, target);
    recorded := pg_temp.recorded_since(mark);
    SELECT COALESCE(jsonb_agg(e ORDER BY e::text), '[]')::text, count(*) INTO expected, changed
      FROM (SELECT pg_temp.entry(session_user, r, txid_current(), rel,
                                 CASE WHEN o.value IS NULL THEN 'INSERT' WHEN n.value IS NULL THEN 'DELETE' ELSE 'UPDATE' END,
                                 COALESCE(o.key, n.key)::bigint, o.value, n.value) AS e
              FROM jsonb_each(b) o FULL JOIN jsonb_each(a) n ON n.key = o.key
             WHERE o.value IS DISTINCT FROM n.value) x;
END;
$$;

CREATE TEMP TABLE cases (n serial, k text, rel text, target text, stmt text, changed bigint, description text);
INSERT INTO cases (k, rel, target, stmt, changed, description) VALUES
    -- attendance, by the editor (a 3-row update of which 2 rows change)
    ('editor', 'attendance', $$held_on = '2023-09-06'$$,
     $$INSERT INTO chibo.attendance (meeting_id, member_id, status)
       SELECT mt.id, m.id, 'absent' FROM chibo.meetings mt, chibo.members m
        WHERE mt.held_on = '2023-09-06' AND m.code IN ('TH-0001', 'TH-0004')$$, 2, 'editor inserts two attendance rows'),
    ('editor', 'attendance', $$held_on = '2023-07-05' AND unit_id = (SELECT id FROM chibo.units WHERE code = 'TH.BUOI.01')$$,
     $$UPDATE chibo.attendance SET status = 'present' WHERE held_on = '2023-07-05'$$, 2,
     'editor updates three attendance rows, two of them really'),
    ('editor', 'attendance', $$held_on = '2023-09-06'$$,
     $$DELETE FROM chibo.attendance WHERE held_on = '2023-09-06' AND member_id = (SELECT id FROM chibo.members WHERE code = 'TH-0004')$$, 1,
     'editor deletes an attendance row'),
    -- meetings, by the editor
    ('editor', 'meetings', $$held_on = '2023-10-04'$$,
     $$INSERT INTO chibo.meetings (unit_id, held_on, kind, topic, minutes)
       SELECT id, '2023-10-04', 'regular', 'Sinh hoạt tháng 10', 95 FROM chibo.units WHERE code = 'TH.BUOI.01'$$, 1,
     'editor inserts a meeting'),
    ('editor', 'meetings', 'true',
     $$UPDATE chibo.meetings SET topic = 'Sinh hoạt thường kỳ', minutes = 90 WHERE held_on = '2023-07-05'$$, 2,
     'editor updates two meetings'),
    ('editor', 'meetings', 'true', $$DELETE FROM chibo.meetings WHERE held_on = '2023-10-04'$$, 1, 'editor deletes a meeting'),
    -- memberships, by the admin
    ('admin', 'memberships', 'true',
     $$INSERT INTO chibo.memberships (member_id, unit_id, from_date)
       SELECT m.id, u.id, '2023-01-01' FROM chibo.members m, chibo.units u WHERE m.code = 'TH-0800' AND u.code = 'TH.BUOI.01'$$, 1,
     'admin inserts a membership'),
    ('admin', 'memberships', 'true',
     $$UPDATE chibo.memberships SET to_date = '2030-01-01' WHERE member_id = (SELECT id FROM chibo.members WHERE code = 'TH-0004')$$, 1,
     'admin updates a membership'),
    ('admin', 'memberships', 'true',
     $$UPDATE chibo.memberships SET to_date = NULL WHERE member_id = (SELECT id FROM chibo.members WHERE code = 'TH-0004')$$, 1,
     'admin updates it back'),
    ('admin', 'memberships', 'true',
     $$DELETE FROM chibo.memberships WHERE member_id = (SELECT id FROM chibo.members WHERE code = 'TH-0800')$$, 1,
     'admin deletes a membership'),
    -- exemptions, by the admin
    ('admin', 'exemptions', 'true',
     $$INSERT INTO chibo.exemptions (member_id, from_date, to_date, reason)
       SELECT id, '2023-01-01', '2023-02-01', 'health' FROM chibo.members WHERE code = 'TH-0002'$$, 1, 'admin inserts an exemption'),
    ('admin', 'exemptions', 'true', $$UPDATE chibo.exemptions SET reason = 'other' WHERE reason = 'age'$$, 1, 'admin updates an exemption'),
    ('admin', 'exemptions', 'true', $$DELETE FROM chibo.exemptions WHERE reason = 'health'$$, 1, 'admin deletes an exemption'),
    -- assessments, by the admin
    ('admin', 'assessments', 'true',
     $$INSERT INTO chibo.assessments (subject_kind, member_id, scheme_id, period_start, period_end, criteria)
       SELECT 'member', m.id, s.id, '2023-06-01', '2023-12-31', '1111' FROM chibo.members m, chibo.schemes s
        WHERE m.code = 'TH-0004' AND s.code = 'DV4T'$$, 1, 'admin inserts an assessment'),
    ('admin', 'assessments', 'true', $$UPDATE chibo.assessments SET criteria = '1111' WHERE criteria = '1101'$$, 1, 'admin updates an assessment'),
    ('admin', 'assessments', 'true', $$DELETE FROM chibo.assessments WHERE period_start = '2024-01-01'$$, 1, 'admin deletes an assessment'),
    -- classifications, by the session user without a role
    (NULL, 'classifications', 'true',
     $$INSERT INTO chibo.classifications (subject_kind, member_id, year, grade)
       SELECT 'member', id, 2023, 'good' FROM chibo.members WHERE code = 'TH-0001'$$, 1, 'superuser inserts a classification'),
    (NULL, 'classifications', 'true', $$UPDATE chibo.classifications SET score = 85 WHERE score = 80$$, 1, 'superuser updates a classification'),
    (NULL, 'classifications', 'true', $$DELETE FROM chibo.classifications WHERE subject_kind = 'cell'$$, 1, 'superuser deletes a classification'),
    -- updates that set values to themselves record nothing
    ('editor', 'attendance', 'true', $$UPDATE chibo.attendance SET status = status$$, 0, 'editor: an UPDATE setting attendance to itself'),
    ('editor', 'meetings', 'true', $$UPDATE chibo.meetings SET topic = topic, minutes = minutes$$, 0, 'editor: an UPDATE setting meetings to themselves'),
    ('admin', 'memberships', 'true', $$UPDATE chibo.memberships SET to_date = to_date$$, 0, 'admin: an UPDATE setting memberships to themselves'),
    ('admin', 'exemptions', 'true', $$UPDATE chibo.exemptions SET reason = reason$$, 0, 'admin: an UPDATE setting exemptions to themselves'),
    ('admin', 'assessments', 'true', $$UPDATE chibo.assessments SET criteria = criteria$$, 0, 'admin: an UPDATE setting assessments to themselves'),
    (NULL, 'classifications', 'true', $$UPDATE chibo.classifications SET grade = grade, score = score$$, 0,
     'superuser: an UPDATE setting classifications to themselves');

CREATE TEMP TABLE results (n integer, recorded text, expected text, changed bigint);
DO $$
DECLARE
    c record;
BEGIN
    FOR c IN SELECT * FROM pg_temp.cases ORDER BY n LOOP
        INSERT INTO pg_temp.results SELECT c.n, a.recorded, a.expected, a.changed FROM pg_temp.audit_case(c.k, c.rel, c.target, c.stmt) a;
    END LOOP;
END;
$$;
SELECT is(r.recorded, r.expected, format('%s: recorded with actor, acting role, xact, table, operation, row id, old and new values', c.description))
  FROM cases c JOIN results r USING (n) ORDER BY n;
SELECT is(r.changed, c.changed, format('%s: %s rows changed', c.description, c.changed))
  FROM cases c JOIN results r USING (n) ORDER BY n;

-- Each audited table recorded inserts, updates and deletes above.
SELECT set_eq(format($$SELECT DISTINCT operation FROM chibo.audit_log WHERE table_name = %L AND id > %s$$, a.rel, :mark),
              ARRAY['INSERT', 'UPDATE', 'DELETE'], format('%s: inserts, updates and deletes by logins were recorded', a.rel))
  FROM audited a ORDER BY a.rel;

-- TRUNCATE of an audited table is recorded too (no row values).
SELECT rolname AS admin_login FROM actors WHERE key = 'admin' \gset
SELECT rolname AS editor_login FROM actors WHERE key = 'editor' \gset
SELECT max(id) AS mark FROM chibo.audit_log \gset
SET ROLE :"admin_login";
SELECT lives_ok('TRUNCATE chibo.attendance', 'admin truncates attendance');
RESET ROLE;
SELECT is(pg_temp.recorded_since(:mark),
          jsonb_build_array(pg_temp.entry(session_user, :'admin_login', txid_current(), 'attendance', 'TRUNCATE', NULL, NULL, NULL))::text,
          'the TRUNCATE is recorded: actor, acting role, xact, table, operation');

-- ---------------------------------------------------------------------
-- Tables that are not audited record nothing.
-- ---------------------------------------------------------------------
SELECT max(id) AS mark FROM chibo.audit_log \gset
INSERT INTO chibo.units (code, parent_id, name, kind, grassroots, cell_type, valid_from)
SELECT 'TH.BUOI.09', id, 'Chi bộ tạm', 'cell', false, 'residential', '2021-01-01' FROM chibo.units WHERE code = 'TH.BUOI';
UPDATE chibo.units SET name = 'Chi bộ tạm thời' WHERE code = 'TH.BUOI.09';
DELETE FROM chibo.units WHERE code = 'TH.BUOI.09';
INSERT INTO chibo.members (code, full_name, admitted_on) VALUES ('TH-0801', 'Tạ Văn Tạm', '2010-01-01');
UPDATE chibo.members SET full_name = 'Tạ Văn Tạm Thời' WHERE code = 'TH-0801';
DELETE FROM chibo.members WHERE code = 'TH-0801';
INSERT INTO chibo.task_registrations (member_id, year, kind, title) SELECT id, 2024, 'new', 'Việc tạm' FROM chibo.members WHERE code = 'TH-0001';
UPDATE chibo.task_registrations SET outcome = 'completed' WHERE title = 'Việc tạm';
DELETE FROM chibo.task_registrations WHERE title = 'Việc tạm';
SELECT is(pg_temp.recorded_since(:mark), '[]', 'inserts, updates and deletes of units, members and task_registrations record nothing');

-- ---------------------------------------------------------------------
-- The log only grows.
-- ---------------------------------------------------------------------
SELECT count(*) AS log_rows FROM chibo.audit_log \gset
SELECT ok(:log_rows > 0, 'the log has rows to protect');
SET ROLE :"editor_login";
SELECT throws_ok($$INSERT INTO chibo.audit_log (actor, xact, table_name, operation) VALUES ('x', 1, 'meetings', 'TRUNCATE')$$, '42501', NULL,
                 'editor cannot INSERT into audit_log');
SELECT throws_ok('UPDATE chibo.audit_log SET actor = ''x''', '42501', NULL, 'editor cannot UPDATE audit_log');
SELECT throws_ok('DELETE FROM chibo.audit_log', '42501', NULL, 'editor cannot DELETE from audit_log');
SELECT throws_ok('TRUNCATE chibo.audit_log', '42501', NULL, 'editor cannot TRUNCATE audit_log');
RESET ROLE;
SET ROLE :"admin_login";
SELECT throws_ok($$INSERT INTO chibo.audit_log (actor, xact, table_name, operation) VALUES ('x', 1, 'meetings', 'TRUNCATE')$$, '42501', NULL,
                 'admin cannot INSERT into audit_log');
SELECT throws_ok('UPDATE chibo.audit_log SET actor = ''x''', '42501', NULL, 'admin cannot UPDATE audit_log');
SELECT throws_ok('DELETE FROM chibo.audit_log', '42501', NULL, 'admin cannot DELETE from audit_log');
SELECT throws_ok('TRUNCATE chibo.audit_log', '42501', NULL, 'admin cannot TRUNCATE audit_log');
SELECT is((SELECT count(*) FROM chibo.audit_log), :log_rows::bigint, 'admin reads the whole log');
RESET ROLE;
-- The owner (this session's superuser owns the extension's tables).
SELECT is((SELECT pg_get_userbyid(relowner)::text FROM pg_class WHERE oid = 'chibo.audit_log'::regclass), session_user::text,
          'the session user owns audit_log');
SELECT throws_ok('UPDATE chibo.audit_log SET actor = ''x''', '42501', NULL, 'even the owner cannot UPDATE audit_log (guard trigger)');
SELECT throws_ok('DELETE FROM chibo.audit_log', '42501', NULL, 'even the owner cannot DELETE from audit_log (guard trigger)');
SELECT throws_ok('TRUNCATE chibo.audit_log', '42501', NULL, 'even the owner cannot TRUNCATE audit_log (guard trigger)');
SELECT is((SELECT count(*) FROM chibo.audit_log), :log_rows::bigint, 'the log kept every row');

SELECT * FROM finish();
ROLLBACK;
