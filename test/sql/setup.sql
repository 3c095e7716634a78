-- setup: runs first.  Creates the extension and the helpers the tests use,
-- and sets the test database's search_path to regress (where tests create
-- their own tables) and chibo (where the operators live).
CREATE EXTENSION chibo;
SELECT extversion FROM pg_extension WHERE extname = 'chibo';

CREATE SCHEMA regress;

-- Runs one statement and returns 'ok', or the SQLSTATE and message of the
-- error it raised: a compact way to show many errors with their codes.
CREATE FUNCTION regress.try(statement text) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE statement;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ' ' || SQLERRM;
END
$$;

DO $$
BEGIN
    EXECUTE format('ALTER DATABASE %I SET search_path = regress, chibo, public',
                   current_database());
END
$$;

-- Empties every chibo table and the import's staging and rejects, so that a
-- test that loads data starts from nothing (tests share one database).
CREATE FUNCTION regress.reset() RETURNS void
LANGUAGE sql AS $$
    TRUNCATE chibo.attendance, chibo.meetings, chibo.memberships, chibo.exemptions,
             chibo.task_registrations, chibo.assessments, chibo.classifications,
             chibo.members, chibo.units, chibo.unit_grants,
             chibo_import.units, chibo_import.members, chibo_import.memberships,
             chibo_import.exemptions, chibo_import.meetings, chibo_import.attendance,
             chibo_import.task_registrations, chibo_import.assessments,
             chibo_import.classifications, chibo_import.rejects;
    DELETE FROM chibo.schemes WHERE NOT shipped;
    -- the rollups too: the reports are as before the first refresh
    TRUNCATE chibo.report_state, chibo.report_changes, chibo.unit_ancestors, chibo.cell_months,
             chibo.cell_years, chibo.unit_months, chibo.unit_years;
$$;

-- One line per chibo table: its row count and a hash of its ordered rows.
-- With versions => true the hash also covers each row's xmin, so that a
-- row rewritten with the same values counts as a change.
CREATE FUNCTION regress.snapshot(versions boolean DEFAULT false) RETURNS SETOF text
LANGUAGE plpgsql AS $$
DECLARE
    t text;
    line text;
BEGIN
    -- the tables pg_dump keeps: the data, not the rollups derived from it
    FOR t IN SELECT c.relname FROM pg_class c JOIN pg_extension e ON c.oid = ANY (e.extconfig)
              WHERE e.extname = 'chibo' AND c.relnamespace = 'chibo'::regnamespace AND c.relkind = 'r'
              ORDER BY c.relname LOOP
        EXECUTE format('SELECT %L || '' '' || count(*) || '' '' || coalesce(md5(string_agg(x::text%s, '','' ORDER BY x::text)), ''-'') FROM chibo.%I x',
                       t, CASE WHEN versions THEN ' || x.xmin::text' ELSE '' END, t)
            INTO line;
        RETURN NEXT line;
    END LOOP;
END
$$;

-- Every stored row of chibo, written with natural keys instead of ids, one
-- text line per row: two databases hold the same data when these agree,
-- whatever ids their rows got.
CREATE FUNCTION regress.contents() RETURNS SETOF text
LANGUAGE sql AS $$
    SELECT concat_ws('|', 'unit', u.code, p.code, u.name, u.kind, u.grassroots, u.cell_type, u.valid_from, u.valid_to)
      FROM chibo.units u LEFT JOIN chibo.units p ON p.id = u.parent_id
    UNION ALL
    SELECT concat_ws('|', 'member', code, full_name, gender, birth_date, admitted_on, full_member_on, left_on, left_reason)
      FROM chibo.members
    UNION ALL
    SELECT concat_ws('|', 'membership', m.code, u.code, ms.from_date, ms.to_date)
      FROM chibo.memberships ms JOIN chibo.members m ON m.id = ms.member_id JOIN chibo.units u ON u.id = ms.unit_id
    UNION ALL
    SELECT concat_ws('|', 'exemption', m.code, e.from_date, e.to_date, e.reason)
      FROM chibo.exemptions e JOIN chibo.members m ON m.id = e.member_id
    UNION ALL
    SELECT concat_ws('|', 'meeting', u.code, mt.held_on, mt.kind, mt.topic, mt.minutes)
      FROM chibo.meetings mt JOIN chibo.units u ON u.id = mt.unit_id
    UNION ALL
    SELECT concat_ws('|', 'attendance', u.code, mt.held_on, mt.kind, m.code, a.status, a.held_on = mt.held_on AND a.unit_id = mt.unit_id)
      FROM chibo.attendance a JOIN chibo.meetings mt ON mt.id = a.meeting_id
      JOIN chibo.units u ON u.id = mt.unit_id JOIN chibo.members m ON m.id = a.member_id
    UNION ALL
    SELECT concat_ws('|', 'task', m.code, t.year, t.kind, t.title, t.outcome)
      FROM chibo.task_registrations t JOIN chibo.members m ON m.id = t.member_id
    UNION ALL
    SELECT concat_ws('|', 'scheme', code, name, subject_kind, criteria_names, shipped) FROM chibo.schemes
    UNION ALL
    SELECT concat_ws('|', 'assessment', a.subject_kind, coalesce(m.code, u.code), s.code, a.period_start, a.period_end, a.criteria)
      FROM chibo.assessments a JOIN chibo.schemes s ON s.id = a.scheme_id
      LEFT JOIN chibo.members m ON m.id = a.member_id LEFT JOIN chibo.units u ON u.id = a.unit_id
    UNION ALL
    SELECT concat_ws('|', 'classification', c.subject_kind, coalesce(m.code, u.code), c.year, c.grade, c.score)
      FROM chibo.classifications c
      LEFT JOIN chibo.members m ON m.id = c.member_id LEFT JOIN chibo.units u ON u.id = c.unit_id
$$;
