-- chibo 0.1.0 -> 0.2.0: access control, audit and a hardened script.
--
-- Run by ALTER EXTENSION chibo UPDATE.  Upgrade steps are frozen once
-- released: 0.2.0 installed fresh (chibo--0.2.0.sql, built from sql/*/)
-- and 0.1.0 brought here by this step must be the same extension; the
-- upgrade stage of the test command compares them object by object.
--
-- 0. check_rule() takes its column list from files() (a new signature),
--    and the new table unit_paths holds the codes the report views show;
--    a new index on assessments by period.
-- 1. Every PL/pgSQL function now fixes its search_path, the validating and
--    derived-table triggers run as the owner, the import's two string-bodied
--    SQL functions get SQL-standard bodies, EXECUTEs build their statements
--    with format(), the import rejects over-long keys and writes readable
--    reasons, and pg_cron's settings are read as the owner: these functions
--    are (re)defined in the words of the 0.2.0 pieces (written with
--    test/tools/upgrade_functions.py).
-- 2. unit_paths is filled; the view units reads it.
-- 3. The security layer is new: roles, grants, the audit trail, privileges
--    and row-level security (sql/security/*.sql of 0.2.0, unchanged).
-- 4. The view headline finds the tops of the caller's tree among the units
--    without a parent and the caller's grants.
\echo Use "ALTER EXTENSION chibo UPDATE TO '0.2.0'" to load this file. \quit

-- Every table this step changes is locked first.  The step updates the
-- catalog rows of these tables (triggers, row-level security, grants); an
-- autovacuum that started to analyse one of them would wait for this
-- transaction to end while holding a lock that a later ALTER TABLE here
-- needs: a deadlock (seen in the upgrade stage).  Waiting for the locks
-- first cancels such an autovacuum instead.
LOCK TABLE @extschema@.units, @extschema@.members, @extschema@.memberships, @extschema@.exemptions,
           @extschema@.meetings, @extschema@.attendance, @extschema@.task_registrations,
           @extschema@.schemes, @extschema@.assessments, @extschema@.classifications,
           chibo_import.units, chibo_import.members, chibo_import.memberships,
           chibo_import.exemptions, chibo_import.meetings, chibo_import.attendance,
           chibo_import.task_registrations, chibo_import.assessments, chibo_import.classifications,
           chibo_import.rejects, @extschema@.report_state, @extschema@.report_changes,
           @extschema@.unit_ancestors, @extschema@.cell_months, @extschema@.cell_years,
           @extschema@.unit_months, @extschema@.unit_years IN ACCESS EXCLUSIVE MODE;

-- 0. Objects that change shape --------------------------------------------

-- check_rule() builds its column list itself now (it took it as text).
DROP FUNCTION chibo_import.check_rule(text, text, text, integer);

-- unit_paths: the codes the report views show for a unit's parent and top.
-- Each unit's place as the reports show it: its parent's and its top-level
-- committee's codes, copied here so that a login granted part of the tree
-- reads them without seeing the units above its grant.
CREATE TABLE @extschema@.unit_paths (
    unit_id     bigint PRIMARY KEY,
    parent_code text,
    top_code    text NOT NULL,
    level       integer NOT NULL
);
COMMENT ON TABLE @extschema@.unit_paths IS
    'each unit''s parent and top-level committee codes and its depth; kept by a trigger on units';
COMMENT ON COLUMN @extschema@.unit_paths.unit_id IS 'a unit';
COMMENT ON COLUMN @extschema@.unit_paths.parent_code IS 'code of its parent committee; NULL for a top-level committee';
COMMENT ON COLUMN @extschema@.unit_paths.top_code IS 'code of the top-level committee above it (itself at the top)';
COMMENT ON COLUMN @extschema@.unit_paths.level IS 'depth in the tree: 0 for a top-level committee';

-- assessments by period: the four-good figures of the refresh read the
-- assessments lying inside each window by a range scan.
CREATE INDEX assessments_period ON @extschema@.assessments (period_start, period_end);

-- 1. Redefined functions ------------------------------------------------

CREATE OR REPLACE FUNCTION @extschema@.raise_problem(problem text) RETURNS void
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF problem IS NOT NULL THEN
        RAISE EXCEPTION USING ERRCODE = pg_catalog.left(problem, 5),
                              MESSAGE = pg_catalog.substr(problem, 7);
    END IF;
END;
$$;
COMMENT ON FUNCTION @extschema@.raise_problem(text) IS
    'raises a rule problem ''SQLSTATE message'' as an error with that SQLSTATE; does nothing for NULL';

CREATE OR REPLACE FUNCTION @extschema@.restoring() RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT pg_catalog.current_setting('application_name') = 'pg_restore'
           AND COALESCE((SELECT r.rolsuper FROM pg_catalog.pg_roles r WHERE r.rolname = SESSION_USER), false);
END;
COMMENT ON FUNCTION @extschema@.restoring() IS
    'whether this session is a superuser''s pg_restore: the checking, tracking and audit triggers let its rows through';

CREATE OR REPLACE FUNCTION @extschema@.check_rows() RETURNS trigger
    LANGUAGE plpgsql PARALLEL UNSAFE
    SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    rule text;
    problem text;
BEGIN
    IF @extschema@.restoring() THEN
        RETURN NULL;
    END IF;
    EXECUTE pg_catalog.format('SELECT @extschema@.%I($1, $2)', TG_ARGV[0]) INTO rule USING 'new_rows', 'id';
    -- (ORDER BY, not a bare LIMIT: the planner then joins by hash over all
    -- the rows instead of probing row by row for an early problem)
    EXECUTE pg_catalog.format('SELECT p.problem FROM (%s) p WHERE p.problem IS NOT NULL ORDER BY p.key LIMIT 1', rule)
       INTO problem;
    PERFORM @extschema@.raise_problem(problem);
    RETURN NULL;
END;
$$;
COMMENT ON FUNCTION @extschema@.check_rows() IS
    'trigger (after each statement): rejects the statement when a row it wrote breaks a rule of the table''s rule function, named by the trigger''s argument';

CREATE OR REPLACE FUNCTION @extschema@.unit_problem(
    p_id bigint, p_code text, p_parent_id bigint, p_name text, p_kind text,
    p_grassroots boolean, p_cell_type text, p_valid_from date, p_valid_to date,
    p_parent_may_follow boolean DEFAULT false, p_check_below boolean DEFAULT true)
RETURNS text
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    parent record;
    child record;
    ancestor bigint;
    depth integer := 0;
    label text := 'unit ' || COALESCE(p_code, '(no code)');
BEGIN
    IF p_code IS NULL OR p_code = '' THEN
        RETURN '23502 a unit needs a code';
    ELSIF p_name IS NULL OR pg_catalog.btrim(p_name) = '' THEN
        RETURN '23502 ' || label || ': name is empty';
    ELSIF p_kind IS NULL OR p_kind NOT IN ('committee', 'cell') THEN
        RETURN pg_catalog.format('23514 %s: kind %s is not committee or cell',
                                 label, COALESCE(pg_catalog.quote_literal(p_kind), 'is empty and'));
    ELSIF p_grassroots IS NULL THEN
        RETURN '23502 ' || label || ': grassroots must be true or false';
    ELSIF p_kind = 'cell' AND p_cell_type IS NULL THEN
        RETURN '23502 ' || label || ': a cell needs a cell_type ('
               || pg_catalog.array_to_string(@extschema@.cell_types(), ', ') || ')';
    ELSIF p_kind = 'cell' AND NOT p_cell_type = ANY (@extschema@.cell_types()) THEN
        RETURN pg_catalog.format('23514 %s: cell_type %L is not one of %s', label, p_cell_type,
                                 pg_catalog.array_to_string(@extschema@.cell_types(), ', '));
    ELSIF p_kind = 'committee' AND p_cell_type IS NOT NULL THEN
        RETURN pg_catalog.format('23514 %s: a committee has no cell_type (got %L)', label, p_cell_type);
    ELSIF p_valid_from IS NULL THEN
        RETURN '23502 ' || label || ': valid_from is empty';
    ELSIF p_valid_to <= p_valid_from THEN
        RETURN pg_catalog.format('23514 %s: valid_to %s is not after valid_from %s', label,
                                 @extschema@.date_text(p_valid_to), @extschema@.date_text(p_valid_from));
    END IF;

    IF p_parent_id IS NOT NULL THEN
        SELECT u.code, u.kind, u.valid_from, u.valid_to INTO parent
          FROM @extschema@.units u WHERE u.id = p_parent_id;
        IF NOT FOUND AND p_parent_may_follow THEN
            NULL;   -- checked again at the end of the statement
        ELSIF NOT FOUND THEN
            RETURN pg_catalog.format('23503 %s: parent unit id %s does not exist', label, p_parent_id);
        ELSIF parent.kind <> 'committee' THEN
            RETURN pg_catalog.format('23514 %s: parent %s is a cell, and a cell has no child units',
                                     label, parent.code);
        ELSIF NOT pg_catalog.daterange(parent.valid_from, parent.valid_to)
                  @> pg_catalog.daterange(p_valid_from, p_valid_to) THEN
            RETURN pg_catalog.format('23503 %s (%s) does not fit inside the lifetime of its parent %s (%s)',
                                     label, @extschema@.period_text(p_valid_from, p_valid_to),
                                     parent.code, @extschema@.period_text(parent.valid_from, parent.valid_to));
        END IF;
        -- A changed parent must not lead back to the unit: walk up.
        ancestor := p_parent_id;
        WHILE p_id IS NOT NULL AND ancestor IS NOT NULL AND depth < 1000 LOOP
            IF ancestor = p_id THEN
                RETURN pg_catalog.format('23514 %s: its parent chain through %s leads back to itself',
                                         label, parent.code);
            END IF;
            SELECT u.parent_id INTO ancestor FROM @extschema@.units u WHERE u.id = ancestor;
            depth := depth + 1;
        END LOOP;
    END IF;

    -- What hangs below an existing unit must still fit it.
    IF p_id IS NOT NULL AND p_check_below THEN
        IF p_kind = 'cell' THEN
            SELECT c.code INTO child FROM @extschema@.units c WHERE c.parent_id = p_id ORDER BY c.code LIMIT 1;
            IF FOUND THEN
                RETURN pg_catalog.format('23514 %s cannot become a cell: it has the child unit %s, and a cell has no child units',
                                         label, child.code);
            END IF;
        END IF;
        SELECT c.code, c.valid_from, c.valid_to INTO child
          FROM @extschema@.units c
         WHERE c.parent_id = p_id
           AND NOT pg_catalog.daterange(p_valid_from, p_valid_to) @> pg_catalog.daterange(c.valid_from, c.valid_to)
         ORDER BY c.code
         LIMIT 1;
        IF FOUND THEN
            RETURN pg_catalog.format('23503 %s: its child unit %s (existing %s) would no longer fit inside it',
                                     label, child.code,
                                     @extschema@.period_text(child.valid_from, child.valid_to));
        END IF;
        SELECT m.code, ms.from_date, ms.to_date INTO child
          FROM @extschema@.memberships ms JOIN @extschema@.members m ON m.id = ms.member_id
         WHERE ms.unit_id = p_id
           AND (p_kind <> 'cell' OR NOT pg_catalog.daterange(p_valid_from, p_valid_to) @> ms.period)
         ORDER BY m.code, ms.from_date
         LIMIT 1;
        IF FOUND THEN
            RETURN pg_catalog.format('23503 %s: the membership of member %s (%s) would no longer fit inside it',
                                     label, child.code,
                                     @extschema@.period_text(child.from_date, child.to_date));
        END IF;
        SELECT mt.held_on, mt.kind INTO child
          FROM @extschema@.meetings mt
         WHERE mt.unit_id = p_id
           AND (p_kind <> 'cell' OR NOT pg_catalog.daterange(p_valid_from, p_valid_to) @> mt.held_on)
         ORDER BY mt.held_on, mt.kind
         LIMIT 1;
        IF FOUND THEN
            RETURN pg_catalog.format('23503 %s: its %s meeting of %s would no longer fall inside its validity',
                                     label, child.kind, @extschema@.date_text(child.held_on));
        END IF;
        IF p_kind <> 'cell' AND (
               EXISTS (SELECT FROM @extschema@.assessments a WHERE a.unit_id = p_id)
            OR EXISTS (SELECT FROM @extschema@.classifications c WHERE c.unit_id = p_id)) THEN
            RETURN '23514 ' || label || ': it has cell assessments or classifications, so it must stay a cell';
        END IF;
    END IF;
    RETURN NULL;
END;
$$;
COMMENT ON FUNCTION @extschema@.unit_problem(bigint, text, bigint, text, text, boolean, text, date, date, boolean, boolean) IS
    'the first rule a unit row breaks, as ''SQLSTATE message'', or NULL (with p_parent_may_follow, a parent not yet stored is no problem; without p_check_below, what hangs below a stored unit is not checked); used by the units triggers and by the import';

CREATE OR REPLACE FUNCTION @extschema@.units_check() RETURNS trigger
    LANGUAGE plpgsql PARALLEL UNSAFE
    SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF @extschema@.restoring() THEN
        RETURN NEW;
    END IF;
    -- Before a row is written, a new unit has nothing below it to check;
    -- at the end of the statement it is checked as a stored unit.
    PERFORM @extschema@.raise_problem(@extschema@.unit_problem(
        CASE WHEN TG_OP = 'UPDATE' OR TG_WHEN = 'AFTER' THEN NEW.id END,
        NEW.code, NEW.parent_id, NEW.name, NEW.kind, NEW.grassroots,
        NEW.cell_type, NEW.valid_from, NEW.valid_to, TG_WHEN = 'BEFORE'));
    RETURN NEW;
END;
$$;
COMMENT ON FUNCTION @extschema@.units_check() IS
    'trigger: rejects a unit row that breaks a rule of unit_problem()';

CREATE OR REPLACE FUNCTION @extschema@.membership_problem(
    p_id bigint, p_member_id bigint, p_unit_id bigint, p_from_date date, p_to_date date)
RETURNS text
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    member_code text;
    cell record;
    other record;
    label text;
BEGIN
    IF p_member_id IS NOT NULL THEN
        SELECT m.code INTO member_code FROM @extschema@.members m WHERE m.id = p_member_id;
        IF NOT FOUND THEN
            RETURN pg_catalog.format('23503 membership: member id %s does not exist', p_member_id);
        END IF;
        SELECT u.code, u.kind, u.valid_from, u.valid_to INTO cell
          FROM @extschema@.units u WHERE u.id = p_unit_id;
        IF NOT FOUND THEN
            RETURN pg_catalog.format('23503 membership of member %s: unit id %s does not exist', member_code, p_unit_id);
        END IF;
        label := pg_catalog.format('membership of member %s in %s', member_code, cell.code);
        IF p_from_date IS NULL THEN
            RETURN '23502 ' || label || ': from_date is empty';
        ELSIF p_to_date <= p_from_date THEN
            RETURN pg_catalog.format('23514 %s: to_date %s is not after from_date %s', label,
                                     @extschema@.date_text(p_to_date), @extschema@.date_text(p_from_date));
        ELSIF cell.kind <> 'cell' THEN
            RETURN pg_catalog.format('23514 %s: %s is a committee; members belong to cells', label, cell.code);
        ELSIF NOT pg_catalog.daterange(cell.valid_from, cell.valid_to)
                  @> pg_catalog.daterange(p_from_date, p_to_date) THEN
            RETURN pg_catalog.format('23503 %s (%s) does not fit inside the lifetime of cell %s (%s)',
                                     label, @extschema@.period_text(p_from_date, p_to_date),
                                     cell.code, @extschema@.period_text(cell.valid_from, cell.valid_to));
        END IF;
        SELECT u.code, ms.from_date, ms.to_date INTO other
          FROM @extschema@.memberships ms JOIN @extschema@.units u ON u.id = ms.unit_id
         WHERE ms.member_id = p_member_id
           -- the exclusion constraint's index, searched by member and period
           AND pg_catalog.int8range(ms.member_id, ms.member_id, '[]')
               = pg_catalog.int8range(p_member_id, p_member_id, '[]')
           AND ms.period && pg_catalog.daterange(p_from_date, p_to_date)
           AND ms.id IS DISTINCT FROM p_id
         ORDER BY ms.from_date
         LIMIT 1;
        IF FOUND THEN
            RETURN pg_catalog.format('23P01 %s %s overlaps the membership in %s %s',
                                     label, @extschema@.period_text(p_from_date, p_to_date),
                                     other.code, @extschema@.period_text(other.from_date, other.to_date));
        END IF;
    END IF;

    -- A membership that is changed or deleted must still cover the
    -- attendance recorded under it.
    IF p_id IS NOT NULL THEN
        SELECT m.code AS member_code, u.code AS unit_code, a.held_on INTO other
          FROM @extschema@.attendance a
          JOIN @extschema@.members m ON m.id = a.member_id
          JOIN @extschema@.units u ON u.id = a.unit_id
         WHERE a.membership_id = p_id
           AND (p_member_id IS NULL OR p_member_id <> a.member_id OR p_unit_id <> a.unit_id
                OR NOT pg_catalog.daterange(p_from_date, p_to_date) @> a.held_on)
         ORDER BY a.held_on
         LIMIT 1;
        IF FOUND THEN
            RETURN pg_catalog.format('23503 membership of member %s in %s: attendance is recorded under it for the meeting of %s, which it would no longer cover',
                                     other.member_code, other.unit_code, @extschema@.date_text(other.held_on));
        END IF;
    END IF;
    RETURN NULL;
END;
$$;
COMMENT ON FUNCTION @extschema@.membership_problem(bigint, bigint, bigint, date, date) IS
    'the first rule a membership row (or its deletion, with p_member_id NULL) breaks, as ''SQLSTATE message'', or NULL';

CREATE OR REPLACE FUNCTION @extschema@.memberships_check() RETURNS trigger
    LANGUAGE plpgsql PARALLEL UNSAFE
    SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF @extschema@.restoring() THEN
        RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
    END IF;
    IF TG_OP = 'DELETE' THEN
        PERFORM @extschema@.raise_problem(@extschema@.membership_problem(OLD.id, NULL, NULL, NULL, NULL));
        RETURN OLD;
    END IF;
    PERFORM @extschema@.raise_problem(@extschema@.membership_problem(
        CASE WHEN TG_OP = 'UPDATE' THEN OLD.id END,
        NEW.member_id, NEW.unit_id, NEW.from_date, NEW.to_date));
    RETURN NEW;
END;
$$;
COMMENT ON FUNCTION @extschema@.memberships_check() IS
    'trigger: rejects a membership change that breaks a rule of membership_problem()';

CREATE OR REPLACE FUNCTION @extschema@.attendance_fill() RETURNS trigger
    LANGUAGE plpgsql PARALLEL UNSAFE
    SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    SELECT m.unit_id, m.held_on INTO NEW.unit_id, NEW.held_on
      FROM @extschema@.meetings m WHERE m.id = NEW.meeting_id;
    IF NOT FOUND THEN
        PERFORM @extschema@.raise_problem(
            pg_catalog.format('23503 attendance: meeting id %s does not exist', NEW.meeting_id));
    END IF;
    SELECT ms.id INTO NEW.membership_id
      FROM @extschema@.memberships ms
     WHERE ms.member_id = NEW.member_id AND ms.unit_id = NEW.unit_id AND ms.period @> NEW.held_on;
    RETURN NEW;
END;
$$;
COMMENT ON FUNCTION @extschema@.attendance_fill() IS
    'trigger: fills in an attendance row''s meeting cell and date and the membership covering that date';

CREATE OR REPLACE FUNCTION @extschema@.scheme_problem(
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

CREATE OR REPLACE FUNCTION @extschema@.schemes_check() RETURNS trigger
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

CREATE OR REPLACE FUNCTION chibo_import.shown(v text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN CASE WHEN pg_catalog.length(v) <= 60 THEN v
                ELSE pg_catalog.left(v, 40) || '… (' || pg_catalog.length(v) || ' characters)' END;
COMMENT ON FUNCTION chibo_import.shown(text) IS
    'a staged value as a reject reason shows it: cut to 40 characters and its length when over 60';

CREATE OR REPLACE FUNCTION chibo_import.readable(reason text, r jsonb) RETURNS text
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

CREATE OR REPLACE FUNCTION chibo_import.mark_duplicates(p_file text) RETURNS void
    LANGUAGE plpgsql PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    tmp text := 'chibo_import_' || pg_catalog.split_part(p_file, '.', 1);
BEGIN
    -- Keys staged more than once (usually none), then among those the
    -- keys whose copies differ.
    EXECUTE pg_catalog.format($q$
        CREATE TEMP TABLE chibo_import_repeats ON COMMIT DROP AS
        SELECT t.key, pg_catalog.min(t.line) AS first, pg_catalog.count(DISTINCT pg_catalog.to_jsonb(s)) > 1 AS differ,
               pg_catalog.min(t.label) AS label, pg_catalog.string_agg(t.line::text, ', ' ORDER BY t.line) AS lines
          FROM pg_temp.%1$I t JOIN chibo_import.%2$I s ON s.ctid = t.src
         WHERE t.reason IS NULL
           AND t.key IN (SELECT key FROM pg_temp.%1$I WHERE reason IS NULL GROUP BY key HAVING pg_catalog.count(*) > 1)
         GROUP BY t.key$q$, tmp, pg_catalog.split_part(p_file, '.', 1));
    EXECUTE pg_catalog.format($q$
        UPDATE pg_temp.%1$I t
           SET reason = CASE WHEN d.differ
                             THEN pg_catalog.format('%%s appears on lines %%s with different values; keep one of them',
                                                    d.label, d.lines) END,
               dup = NOT d.differ AND t.line > d.first
          FROM pg_temp.chibo_import_repeats d
         WHERE t.key = d.key AND t.reason IS NULL$q$, tmp);
    DROP TABLE pg_temp.chibo_import_repeats;
END;
$$;
COMMENT ON FUNCTION chibo_import.mark_duplicates(text) IS
    'import step: rejects staged rows that repeat a natural key with other values, marks identical repeats';

CREATE OR REPLACE FUNCTION chibo_import.files()
RETURNS TABLE (file text, tbl text, rule text, columns text[], staged text[])
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
    VALUES
    ('units.csv', 'units', NULL,
     '{code,parent_id,name,kind,grassroots,cell_type,valid_from,valid_to}'::text[], NULL::text[]),
    ('members.csv', 'members', 'members_rule',
     '{code,full_name,gender,birth_date,admitted_on,full_member_on,left_on,left_reason}', NULL),
    ('memberships.csv', 'memberships', NULL, '{member_id,unit_id,from_date,to_date}', NULL),
    ('exemptions.csv', 'exemptions', 'exemptions_rule',
     '{member_id,from_date,to_date,reason}', '{member_id,from_date,to_date,why}'),
    ('meetings.csv', 'meetings', 'meetings_rule', '{unit_id,held_on,kind,topic,minutes}', NULL),
    ('attendance.csv', 'attendance', NULL, NULL, NULL),
    ('task_registrations.csv', 'task_registrations', 'task_registrations_rule',
     '{member_id,year,kind,title,outcome}', NULL),
    ('assessments.csv', 'assessments', 'assessments_rule',
     '{subject_kind,member_id,unit_id,scheme_id,period_start,period_end,criteria}', NULL),
    ('classifications.csv', 'classifications', 'classifications_rule',
     '{subject_kind,member_id,unit_id,year,grade,score}', NULL);
END;
COMMENT ON FUNCTION chibo_import.files() IS
    'the contract''s files in dependency order, with their tables, rule functions and columns';

CREATE OR REPLACE FUNCTION chibo_import.apply_rows(p_file text, p_step integer, p_line bigint) RETURNS void
    LANGUAGE plpgsql PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    spec record;
    tmp text := 'chibo_import_' || pg_catalog.split_part(p_file, '.', 1);
    cols text;
    vals text;
    chosen text;
BEGIN
    IF p_file = 'attendance.csv' THEN
        PERFORM chibo_import.apply_attendance(p_step, p_line);
        RETURN;
    END IF;
    SELECT * INTO STRICT spec FROM chibo_import.files() f WHERE f.file = p_file;
    SELECT pg_catalog.string_agg(pg_catalog.quote_ident(c), ', '),
           pg_catalog.string_agg('t.' || pg_catalog.quote_ident(COALESCE(spec.staged[i], c)), ', ')
      INTO cols, vals
      FROM pg_catalog.unnest(spec.columns) WITH ORDINALITY AS x(c, i);
    chosen := pg_catalog.format('t.step = %s AND t.reason IS NULL AND NOT t.dup', p_step)
              || CASE WHEN p_line IS NULL THEN '' ELSE ' AND t.line = ' || p_line END;
    EXECUTE pg_catalog.format('UPDATE @extschema@.%I x SET (%s) = ROW(%s) FROM pg_temp.%I t
                                WHERE x.id = t.existing_id AND NOT t.stored AND %s',
                              spec.tbl, cols, vals, tmp, chosen);
    EXECUTE pg_catalog.format('INSERT INTO @extschema@.%I (%s) SELECT %s FROM pg_temp.%I t
                                WHERE t.existing_id IS NULL AND %s ORDER BY t.line',
                              spec.tbl, cols, vals, tmp, chosen);
END;
$$;
COMMENT ON FUNCTION chibo_import.apply_rows(text, integer, bigint) IS
    'import step: writes the good staged rows of a step of a file (or of one line) into its table';

CREATE OR REPLACE FUNCTION chibo_import.check(p_file text, p_step integer) RETURNS void
    LANGUAGE plpgsql PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    spec record;
BEGIN
    SELECT * INTO STRICT spec FROM chibo_import.files() f WHERE f.file = p_file;
    IF spec.rule IS NULL THEN
        EXECUTE pg_catalog.format('SELECT chibo_import.%I($1)', 'check_' || spec.tbl) USING p_step;
    ELSE
        PERFORM chibo_import.check_rule(p_file, p_step);
    END IF;
END;
$$;
COMMENT ON FUNCTION chibo_import.check(text, integer) IS
    'import step: checks the staged rows of a step of a file against the rules of its table';

CREATE OR REPLACE FUNCTION chibo_import.apply(p_file text, p_step integer) RETURNS void
    LANGUAGE plpgsql PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    tmp text := 'chibo_import_' || pg_catalog.split_part(p_file, '.', 1);
    one bigint;
BEGIN
    BEGIN
        PERFORM chibo_import.apply_rows(p_file, p_step, NULL);
        RETURN;
    EXCEPTION WHEN integrity_constraint_violation OR data_exception OR program_limit_exceeded THEN
        RAISE NOTICE 'import %: a rule failed while applying; applying the rows one by one', p_file;
    END;
    FOR one IN EXECUTE pg_catalog.format(
            'SELECT line FROM pg_temp.%I WHERE reason IS NULL AND NOT dup AND step = $1 ORDER BY line', tmp)
            USING p_step LOOP
        BEGIN
            PERFORM chibo_import.apply_rows(p_file, p_step, one);
        EXCEPTION WHEN integrity_constraint_violation OR data_exception OR program_limit_exceeded THEN
            EXECUTE pg_catalog.format('UPDATE pg_temp.%I SET reason = $1 WHERE line = $2', tmp)
                USING SQLERRM, one;
        END;
    END LOOP;
END;
$$;
COMMENT ON FUNCTION chibo_import.apply(text, integer) IS
    'import step: writes a file''s good rows into its table, falling back to one row at a time when a rule fails';

CREATE OR REPLACE FUNCTION chibo_import.check_rule(p_file text, p_step integer) RETURNS void
    LANGUAGE plpgsql PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    spec record;
    tmp text := 'chibo_import_' || pg_catalog.split_part(p_file, '.', 1);
    cols text;
    query text;
BEGIN
    SELECT * INTO spec FROM chibo_import.files() f WHERE f.file = p_file AND f.rule IS NOT NULL;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'file % has no rule function', p_file USING ERRCODE = '22023';
    END IF;
    SELECT 'existing_id AS id, ' || pg_catalog.string_agg(
               pg_catalog.quote_ident(COALESCE(spec.staged[i], c)) || ' AS ' || pg_catalog.quote_ident(c), ', ')
      INTO cols
      FROM pg_catalog.unnest(spec.columns) WITH ORDINALITY AS x(c, i);
    EXECUTE pg_catalog.format('SELECT @extschema@.%I($1, $2)', spec.rule) INTO query
        USING pg_catalog.format('(SELECT line, %s FROM pg_temp.%I WHERE reason IS NULL AND NOT dup AND NOT stored AND step = %s)',
                                cols, tmp, p_step),
              'line';
    EXECUTE pg_catalog.format('UPDATE pg_temp.%I t SET reason = chibo_import.reason(p.problem) FROM (%s) p
                                WHERE p.problem IS NOT NULL AND t.line = p.key', tmp, query);
END;
$$;
COMMENT ON FUNCTION chibo_import.check_rule(text, integer) IS
    'import step: checks a file''s staged rows with the table''s rule function, the same query its trigger runs';

CREATE OR REPLACE FUNCTION chibo_import.finish(p_batch bigint, p_file text, OUT accepted bigint, OUT rejected bigint)
    LANGUAGE plpgsql PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    tmp text := 'chibo_import_' || pg_catalog.split_part(p_file, '.', 1);
BEGIN
    -- A copy of a rejected row shares its fate.
    EXECUTE pg_catalog.format(
        'UPDATE pg_temp.%1$I d SET reason = f.reason, dup = false FROM pg_temp.%1$I f
          WHERE d.dup AND f.key = d.key AND NOT f.dup AND f.reason IS NOT NULL', tmp);
    EXECUTE pg_catalog.format(
        'INSERT INTO chibo_import.rejects (batch, file, line, "row", reason)
         SELECT $1, $2, t.line, pg_catalog.to_jsonb(s), chibo_import.readable(t.reason, pg_catalog.to_jsonb(s))
           FROM pg_temp.%I t JOIN chibo_import.%I s ON s.ctid = t.src
          WHERE t.reason IS NOT NULL ORDER BY t.line', tmp, pg_catalog.split_part(p_file, '.', 1))
        USING p_batch, p_file;
    GET DIAGNOSTICS rejected = ROW_COUNT;
    EXECUTE pg_catalog.format('SELECT pg_catalog.count(*) - $1 FROM pg_temp.%I', tmp)
        INTO accepted USING rejected;
    EXECUTE pg_catalog.format('DROP TABLE pg_temp.%I', tmp);
END;
$$;
COMMENT ON FUNCTION chibo_import.finish(bigint, text) IS
    'import step: keeps a file''s rejected rows in chibo_import.rejects and counts accepted and rejected rows';

CREATE OR REPLACE FUNCTION chibo_import.check_lengths(p_file text) RETURNS void
    LANGUAGE plpgsql PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF p_file = 'units.csv' THEN
        UPDATE pg_temp.chibo_import_units t
           SET reason = pg_catalog.format('%s: code is %s characters long; a code has at most 500',
                                          t.label, pg_catalog.length(t.code))
         WHERE t.reason IS NULL AND pg_catalog.length(t.code) > 500;
    ELSIF p_file = 'members.csv' THEN
        UPDATE pg_temp.chibo_import_members t
           SET reason = pg_catalog.format('%s: code is %s characters long; a code has at most 500',
                                          t.label, pg_catalog.length(t.code))
         WHERE t.reason IS NULL AND pg_catalog.length(t.code) > 500;
    ELSIF p_file = 'task_registrations.csv' THEN
        UPDATE pg_temp.chibo_import_task_registrations t
           SET reason = pg_catalog.format('%s: title is %s characters long; a title has at most 500',
                                          t.label, pg_catalog.length(t.title))
         WHERE t.reason IS NULL AND pg_catalog.length(t.title) > 500;
    END IF;
END;
$$;
COMMENT ON FUNCTION chibo_import.check_lengths(text) IS
    'import step: rejects codes and task titles too long for the natural-key indexes';

CREATE OR REPLACE FUNCTION chibo_import.load_units() RETURNS void
    LANGUAGE plpgsql PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    CREATE TEMP TABLE chibo_import_units ON COMMIT DROP AS
    WITH staged AS (
        SELECT pg_catalog.row_number() OVER () AS line, x.ctid AS src,
               NULLIF(x.code, '') AS code, NULLIF(x.parent_code, '') AS parent_code, NULLIF(x.name, '') AS name,
               NULLIF(x.kind, '') AS kind, NULLIF(x.grassroots, '') AS grassroots_text,
               NULLIF(x.cell_type, '') AS cell_type, NULLIF(x.valid_from, '') AS valid_from_text,
               NULLIF(x.valid_to, '') AS valid_to_text
          FROM chibo_import.units x)
    SELECT s.line, s.src, pg_catalog.jsonb_build_array(s.code) AS key,
           'unit ' || COALESCE(s.code, '(no code)') AS label,
           s.code, s.parent_code, s.name, s.kind,
           CASE s.grassroots_text WHEN 'true' THEN true WHEN 'false' THEN false END AS grassroots,
           s.cell_type, chibo_import.parse_date(s.valid_from_text) AS valid_from,
           chibo_import.parse_date(s.valid_to_text) AS valid_to,
           u.id AS existing_id, NULL::bigint AS parent_id, false AS stored,
           CASE WHEN s.code IS NULL THEN 'unit code is empty'
                WHEN s.grassroots_text IS NULL OR s.grassroots_text NOT IN ('true', 'false') THEN
                    pg_catalog.format('unit %s: grassroots %s is not true or false', s.code,
                                      COALESCE(pg_catalog.quote_literal(s.grassroots_text), '(empty)'))
                WHEN s.parent_code = s.code THEN pg_catalog.format('unit %s is its own parent', s.code)
                ELSE 'unit ' || s.code || ': ' || COALESCE(chibo_import.date_problem('valid_from', s.valid_from_text),
                                                           chibo_import.date_problem('valid_to', s.valid_to_text))
           END AS reason,
           false AS dup, NULL::integer AS step
      FROM staged s LEFT JOIN @extschema@.units u ON u.code = s.code;
END;
$$;
COMMENT ON FUNCTION chibo_import.load_units() IS 'import step: reads and types staged units.csv rows';

CREATE OR REPLACE FUNCTION chibo_import.check_units(p_step integer) RETURNS bigint
    LANGUAGE plpgsql PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    n bigint;
BEGIN
    UPDATE pg_temp.chibo_import_units t SET step = p_step
     WHERE t.reason IS NULL AND NOT t.dup AND t.step IS NULL
       AND NOT EXISTS (SELECT FROM pg_temp.chibo_import_units p
                        WHERE p.code = t.parent_code AND p.reason IS NULL AND NOT p.dup
                          AND p.step IS NULL AND p.line <> t.line);
    GET DIAGNOSTICS n = ROW_COUNT;
    -- A change to a stored unit that only what hangs below it forbids (a
    -- cell closing before the memberships that end with it in this same
    -- batch) waits: chibo_import.retry_units() tries it again after the
    -- memberships and meetings of the batch (its step becomes -step).
    -- "Shallow" is the unit's problem without what hangs below it, asked
    -- only of the rows that have a problem.
    UPDATE pg_temp.chibo_import_units t
       SET parent_id = x.parent_id, existing_id = x.existing_id, stored = x.stored,
           reason = CASE WHEN x.parent_missing
                         THEN pg_catalog.format('unit %s: parent unit %s does not exist', t.code, t.parent_code)
                         ELSE chibo_import.reason(x.shallow) END,
           step = CASE WHEN x.problem IS NOT NULL AND x.shallow IS NULL THEN -p_step ELSE p_step END
      FROM (SELECT z.*,
                   CASE WHEN z.problem IS NOT NULL
                        THEN @extschema@.unit_problem(z.existing_id, z.code, z.parent_id, z.name, z.kind, z.grassroots,
                                                      z.cell_type, z.valid_from, z.valid_to, false, false) END AS shallow
              FROM (SELECT c.line, c.code, c.name, c.kind, c.grassroots, c.cell_type, c.valid_from, c.valid_to, y.*,
                           CASE WHEN NOT y.stored AND NOT y.parent_missing
                                THEN @extschema@.unit_problem(y.existing_id, c.code, y.parent_id, c.name, c.kind,
                                         c.grassroots, c.cell_type, c.valid_from, c.valid_to) END AS problem
                      FROM pg_temp.chibo_import_units c
                      CROSS JOIN LATERAL (
                            SELECT p.id AS parent_id, u.id AS existing_id,
                                   (c.parent_code IS NOT NULL AND p.id IS NULL) AS parent_missing,
                                   (u.id IS NOT NULL
                                    AND (u.parent_id, u.name, u.kind, u.grassroots, u.cell_type, u.valid_from, u.valid_to)
                                        IS NOT DISTINCT FROM (p.id, c.name, c.kind, c.grassroots, c.cell_type,
                                                              c.valid_from, c.valid_to)) AS stored
                              FROM (SELECT) one
                              LEFT JOIN @extschema@.units p ON p.code = c.parent_code
                              LEFT JOIN @extschema@.units u ON u.code = c.code) y
                     WHERE c.step = p_step) z) x
     WHERE t.line = x.line;
    RETURN n;
END;
$$;
COMMENT ON FUNCTION chibo_import.check_units(integer) IS
    'import step: picks the next tree level of staged units and checks it against the unit rules';

CREATE OR REPLACE FUNCTION chibo_import.retry_units() RETURNS void
    LANGUAGE plpgsql PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    waiting integer;
BEGIN
    FOR waiting IN SELECT DISTINCT t.step FROM pg_temp.chibo_import_units t WHERE t.step < 0 ORDER BY 1 LOOP
        -- (step 1000 + level: a step of its own, apart from the units
        -- already written at that level)
        UPDATE pg_temp.chibo_import_units t
           SET step = 1000 - waiting,
               reason = chibo_import.reason(@extschema@.unit_problem(t.existing_id, t.code, t.parent_id, t.name, t.kind,
                            t.grassroots, t.cell_type, t.valid_from, t.valid_to))
         WHERE t.step = waiting;
        PERFORM chibo_import.apply('units.csv', 1000 - waiting);
    END LOOP;
END;
$$;
COMMENT ON FUNCTION chibo_import.retry_units() IS
    'import step: applies the unit changes that waited for the memberships and meetings of the batch, deepest first';

CREATE OR REPLACE FUNCTION chibo_import.load_members() RETURNS void
    LANGUAGE plpgsql PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    CREATE TEMP TABLE chibo_import_members ON COMMIT DROP AS
    WITH staged AS (
        SELECT pg_catalog.row_number() OVER () AS line, x.ctid AS src,
               NULLIF(x.code, '') AS code, NULLIF(x.full_name, '') AS full_name, NULLIF(x.gender, '') AS gender,
               NULLIF(x.birth_date, '') AS birth_date_text, NULLIF(x.admitted_on, '') AS admitted_on_text,
               NULLIF(x.full_member_on, '') AS full_member_on_text, NULLIF(x.left_on, '') AS left_on_text,
               NULLIF(x.left_reason, '') AS left_reason
          FROM chibo_import.members x)
    SELECT s.line, s.src, pg_catalog.jsonb_build_array(s.code) AS key,
           'member ' || COALESCE(s.code, '(no code)') AS label,
           s.code, s.full_name, s.gender, chibo_import.parse_date(s.birth_date_text) AS birth_date,
           chibo_import.parse_date(s.admitted_on_text) AS admitted_on,
           chibo_import.parse_date(s.full_member_on_text) AS full_member_on,
           chibo_import.parse_date(s.left_on_text) AS left_on, s.left_reason,
           m.id AS existing_id,
           CASE WHEN s.code IS NULL THEN 'member code is empty'
                ELSE 'member ' || s.code || ': ' || COALESCE(
                     chibo_import.date_problem('birth_date', s.birth_date_text),
                     chibo_import.date_problem('admitted_on', s.admitted_on_text),
                     chibo_import.date_problem('full_member_on', s.full_member_on_text),
                     chibo_import.date_problem('left_on', s.left_on_text))
           END AS reason,
           (m.id IS NOT NULL AND (m.full_name, m.gender, m.birth_date, m.admitted_on, m.full_member_on, m.left_on, m.left_reason)
               IS NOT DISTINCT FROM (s.full_name, s.gender, chibo_import.parse_date(s.birth_date_text),
                                     chibo_import.parse_date(s.admitted_on_text), chibo_import.parse_date(s.full_member_on_text),
                                     chibo_import.parse_date(s.left_on_text), s.left_reason)) AS stored,
           false AS dup, 1 AS step
      FROM staged s LEFT JOIN @extschema@.members m ON m.code = s.code;
END;
$$;
COMMENT ON FUNCTION chibo_import.load_members() IS 'import step: reads and types staged members.csv rows';

CREATE OR REPLACE FUNCTION chibo_import.load_memberships() RETURNS void
    LANGUAGE plpgsql PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    CREATE TEMP TABLE chibo_import_memberships ON COMMIT DROP AS
    WITH staged AS (
        SELECT pg_catalog.row_number() OVER () AS line, x.ctid AS src,
               NULLIF(x.member_code, '') AS member_code, NULLIF(x.unit_code, '') AS unit_code,
               NULLIF(x.from_date, '') AS from_text, NULLIF(x.to_date, '') AS to_text
          FROM chibo_import.memberships x),
    typed AS MATERIALIZED (
        SELECT s.*, chibo_import.parse_date(s.from_text) AS from_date, chibo_import.parse_date(s.to_text) AS to_date,
               m.id AS member_id, u.id AS unit_id,
               'membership of member ' || COALESCE(s.member_code, '(no code)')
                   || ' in ' || COALESCE(s.unit_code, '(no unit)') AS label
          FROM staged s
          LEFT JOIN @extschema@.members m ON m.code = s.member_code
          LEFT JOIN @extschema@.units u ON u.code = s.unit_code)
    SELECT t.line, t.src, pg_catalog.jsonb_build_array(t.member_code, t.unit_code, t.from_date) AS key, t.label,
           t.member_code, t.unit_code, t.from_date, t.to_date, t.member_id, t.unit_id, ms.id AS existing_id,
           (ms.id IS NOT NULL AND ms.to_date IS NOT DISTINCT FROM t.to_date) AS stored,
           CASE WHEN t.member_code IS NULL THEN 'membership: member_code is empty'
                WHEN t.unit_code IS NULL THEN t.label || ': unit_code is empty'
                WHEN t.member_id IS NULL THEN pg_catalog.format('member %s does not exist', t.member_code)
                WHEN t.unit_id IS NULL THEN pg_catalog.format('%s: cell %s does not exist', t.label, t.unit_code)
                WHEN t.from_text IS NULL THEN t.label || ': from_date is empty'
                ELSE t.label || ': ' || COALESCE(chibo_import.date_problem('from_date', t.from_text),
                                                 chibo_import.date_problem('to_date', t.to_text))
           END AS reason,
           false AS dup, CASE WHEN ms.id IS NULL THEN 2 ELSE 1 END AS step
      FROM typed t
      LEFT JOIN @extschema@.memberships ms
             ON ms.member_id = t.member_id AND ms.unit_id = t.unit_id AND ms.from_date = t.from_date;
END;
$$;
COMMENT ON FUNCTION chibo_import.load_memberships() IS 'import step: reads and types staged memberships.csv rows';

CREATE OR REPLACE FUNCTION chibo_import.check_memberships(p_step integer) RETURNS void
    LANGUAGE plpgsql PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    UPDATE pg_temp.chibo_import_memberships t SET reason = x.reason
      FROM (SELECT c.line, chibo_import.reason(@extschema@.membership_problem(
                       c.existing_id, c.member_id, c.unit_id, c.from_date, c.to_date)) AS reason
              FROM pg_temp.chibo_import_memberships c
             WHERE c.reason IS NULL AND NOT c.dup AND NOT c.stored AND c.step = p_step) x
     WHERE x.reason IS NOT NULL AND t.line = x.line;
    -- Rows that pass may still overlap each other within the batch.
    UPDATE pg_temp.chibo_import_memberships t
       SET reason = pg_catalog.format('%s %s overlaps the membership in %s %s staged on line %s',
                                      t.label, @extschema@.period_text(t.from_date, t.to_date),
                                      o.unit_code, @extschema@.period_text(o.from_date, o.to_date), o.line)
      FROM pg_temp.chibo_import_memberships o
     WHERE t.step = p_step AND o.step = p_step AND t.reason IS NULL AND o.reason IS NULL
       AND NOT t.dup AND NOT o.dup AND NOT t.stored AND NOT o.stored
       AND o.member_id = t.member_id AND o.line <> t.line
       AND pg_catalog.daterange(o.from_date, o.to_date) && pg_catalog.daterange(t.from_date, t.to_date);
END;
$$;
COMMENT ON FUNCTION chibo_import.check_memberships(integer) IS 'import step: checks staged memberships against the membership rules';

CREATE OR REPLACE FUNCTION chibo_import.load_exemptions() RETURNS void
    LANGUAGE plpgsql PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    CREATE TEMP TABLE chibo_import_exemptions ON COMMIT DROP AS
    WITH staged AS (
        SELECT pg_catalog.row_number() OVER () AS line, x.ctid AS src,
               NULLIF(x.member_code, '') AS member_code, NULLIF(x.from_date, '') AS from_text,
               NULLIF(x.to_date, '') AS to_text, NULLIF(x.reason, '') AS why
          FROM chibo_import.exemptions x),
    typed AS MATERIALIZED (
        SELECT s.*, chibo_import.parse_date(s.from_text) AS from_date, chibo_import.parse_date(s.to_text) AS to_date,
               m.id AS member_id, 'exemption of member ' || COALESCE(s.member_code, '(no code)') AS label
          FROM staged s LEFT JOIN @extschema@.members m ON m.code = s.member_code)
    SELECT t.line, t.src, pg_catalog.jsonb_build_array(t.member_code, t.from_date) AS key, t.label,
           t.member_id, t.from_date, t.to_date, t.why, e.id AS existing_id,
           (e.id IS NOT NULL AND (e.to_date, e.reason) IS NOT DISTINCT FROM (t.to_date, t.why)) AS stored,
           CASE WHEN t.member_code IS NULL THEN 'exemption: member_code is empty'
                WHEN t.member_id IS NULL THEN pg_catalog.format('member %s does not exist', t.member_code)
                WHEN t.from_text IS NULL THEN t.label || ': from_date is empty'
                ELSE t.label || ': ' || COALESCE(chibo_import.date_problem('from_date', t.from_text),
                                                 chibo_import.date_problem('to_date', t.to_text))
           END AS reason,
           false AS dup, 1 AS step
      FROM typed t
      LEFT JOIN @extschema@.exemptions e ON e.member_id = t.member_id AND e.from_date = t.from_date;
END;
$$;
COMMENT ON FUNCTION chibo_import.load_exemptions() IS 'import step: reads and types staged exemptions.csv rows';

CREATE OR REPLACE FUNCTION chibo_import.load_meetings() RETURNS void
    LANGUAGE plpgsql PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    CREATE TEMP TABLE chibo_import_meetings ON COMMIT DROP AS
    WITH staged AS (
        SELECT pg_catalog.row_number() OVER () AS line, x.ctid AS src,
               NULLIF(x.unit_code, '') AS unit_code, NULLIF(x.held_on, '') AS held_text,
               NULLIF(x.kind, '') AS kind, NULLIF(x.topic, '') AS topic, NULLIF(x.minutes, '') AS minutes_text
          FROM chibo_import.meetings x),
    typed AS MATERIALIZED (
        SELECT s.*, chibo_import.parse_date(s.held_text) AS held_on,
               CASE WHEN s.minutes_text ~ '^[0-9]{1,9}$' THEN s.minutes_text::integer END AS minutes,
               u.id AS unit_id,
               'meeting of ' || COALESCE(s.unit_code, '(no unit)') || ' on ' || COALESCE(s.held_text, '(no date)') AS label
          FROM staged s LEFT JOIN @extschema@.units u ON u.code = s.unit_code)
    SELECT t.line, t.src, pg_catalog.jsonb_build_array(t.unit_code, t.held_on, t.kind) AS key, t.label,
           t.unit_id, t.held_on, t.kind, t.topic, t.minutes, mt.id AS existing_id,
           (mt.id IS NOT NULL AND (mt.topic, mt.minutes) IS NOT DISTINCT FROM (t.topic, t.minutes)) AS stored,
           CASE WHEN t.unit_code IS NULL THEN 'meeting: unit_code is empty'
                WHEN t.unit_id IS NULL THEN pg_catalog.format('%s: cell %s does not exist', t.label, t.unit_code)
                WHEN t.held_text IS NULL THEN t.label || ': held_on is empty'
                WHEN t.minutes_text IS NOT NULL AND t.minutes IS NULL
                    THEN pg_catalog.format('%s: minutes %L is not a positive whole number', t.label, t.minutes_text)
                ELSE t.label || ': ' || chibo_import.date_problem('held_on', t.held_text)
           END AS reason,
           false AS dup, 1 AS step
      FROM typed t
      LEFT JOIN @extschema@.meetings mt ON mt.unit_id = t.unit_id AND mt.held_on = t.held_on AND mt.kind = t.kind;
END;
$$;
COMMENT ON FUNCTION chibo_import.load_meetings() IS 'import step: reads and types staged meetings.csv rows';

CREATE OR REPLACE FUNCTION chibo_import.load_attendance() RETURNS void
    LANGUAGE plpgsql PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    CREATE TEMP TABLE chibo_import_attendance ON COMMIT DROP AS
    WITH staged AS (
        SELECT pg_catalog.row_number() OVER () AS line, x.ctid AS src,
               NULLIF(x.unit_code, '') AS unit_code, NULLIF(x.held_on, '') AS held_text,
               NULLIF(x.meeting_kind, '') AS meeting_kind, NULLIF(x.member_code, '') AS member_code,
               NULLIF(x.status, '') AS status_text
          FROM chibo_import.attendance x),
    typed AS MATERIALIZED (
        SELECT s.*, chibo_import.parse_date(s.held_text) AS held_on,
               CASE WHEN s.status_text IN ('present', 'excused', 'absent')
                    THEN s.status_text::@extschema@.attendance_status END AS status,
               u.id AS unit_id, m.id AS member_id,
               'attendance of member ' || COALESCE(s.member_code, '(no code)') || ' at the meeting of '
                   || COALESCE(s.unit_code, '(no unit)') || ' on ' || COALESCE(s.held_text, '(no date)') AS label
          FROM staged s
          LEFT JOIN @extschema@.units u ON u.code = s.unit_code
          LEFT JOIN @extschema@.members m ON m.code = s.member_code)
    SELECT t.line, t.src, (mt.id::text || ' ' || t.member_id::text) AS key,
           t.label, mt.id AS meeting_id, t.member_id, t.status, a.id AS existing_id,
           (a.id IS NOT NULL AND a.status = t.status) AS stored,
           CASE WHEN t.unit_code IS NULL THEN t.label || ': unit_code is empty'
                WHEN t.member_code IS NULL THEN t.label || ': member_code is empty'
                WHEN t.held_text IS NULL THEN t.label || ': held_on is empty'
                WHEN t.held_on IS NULL THEN t.label || ': ' || chibo_import.date_problem('held_on', t.held_text)
                WHEN t.status IS NULL THEN pg_catalog.format('%s: status %s is not present, excused or absent', t.label,
                                                             COALESCE(pg_catalog.quote_literal(t.status_text), '(empty)'))
                WHEN t.unit_id IS NULL THEN pg_catalog.format('%s: cell %s does not exist', t.label, t.unit_code)
                WHEN mt.id IS NULL THEN pg_catalog.format('%s: there is no %s meeting of %s on %s', t.label,
                                                          COALESCE(t.meeting_kind, '(no kind)'), t.unit_code, t.held_text)
                WHEN t.member_id IS NULL THEN pg_catalog.format('member %s does not exist', t.member_code)
           END AS reason,
           false AS dup, 1 AS step
      FROM typed t
      LEFT JOIN @extschema@.meetings mt ON mt.unit_id = t.unit_id AND mt.held_on = t.held_on AND mt.kind = t.meeting_kind
      LEFT JOIN @extschema@.attendance a ON a.meeting_id = mt.id AND a.member_id = t.member_id;
END;
$$;
COMMENT ON FUNCTION chibo_import.load_attendance() IS 'import step: reads and types staged attendance.csv rows';

CREATE OR REPLACE FUNCTION chibo_import.check_attendance(p_step integer) RETURNS void
    LANGUAGE plpgsql PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    EXECUTE pg_catalog.format(
        'UPDATE pg_temp.chibo_import_attendance t SET reason = chibo_import.reason(p.problem) FROM (%s) p
          WHERE p.problem IS NOT NULL AND t.line = p.key',
        @extschema@.attendance_rule(pg_catalog.format(
            '(SELECT line, meeting_id, member_id, NULL::bigint AS membership_id, status
                FROM pg_temp.chibo_import_attendance
               WHERE reason IS NULL AND NOT dup AND NOT stored AND step = %s)', p_step), 'line', false));
END;
$$;
COMMENT ON FUNCTION chibo_import.check_attendance(integer) IS 'import step: checks staged attendance against the attendance rules';

CREATE OR REPLACE FUNCTION chibo_import.apply_attendance(p_step integer, p_line bigint) RETURNS void
    LANGUAGE plpgsql PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    UPDATE @extschema@.attendance a SET status = t.status
      FROM pg_temp.chibo_import_attendance t
     WHERE a.id = t.existing_id AND NOT t.stored AND t.step = p_step AND t.reason IS NULL AND NOT t.dup
       AND (p_line IS NULL OR t.line = p_line);
    INSERT INTO @extschema@.attendance (meeting_id, unit_id, held_on, member_id, membership_id, status)
    SELECT t.meeting_id, mt.unit_id, mt.held_on, t.member_id, ms.id, t.status
      FROM pg_temp.chibo_import_attendance t
      JOIN @extschema@.meetings mt ON mt.id = t.meeting_id
      LEFT JOIN @extschema@.memberships ms
             ON ms.member_id = t.member_id AND ms.unit_id = mt.unit_id AND ms.period @> mt.held_on
     WHERE t.existing_id IS NULL AND t.step = p_step AND t.reason IS NULL AND NOT t.dup
       AND (p_line IS NULL OR t.line = p_line)
     ORDER BY t.line;   -- ids in the file's order, whatever the plan
END;
$$;
COMMENT ON FUNCTION chibo_import.apply_attendance(integer, bigint) IS
    'import step: writes good staged attendance with its meeting''s cell and date and its membership';

CREATE OR REPLACE FUNCTION chibo_import.load_task_registrations() RETURNS void
    LANGUAGE plpgsql PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    CREATE TEMP TABLE chibo_import_task_registrations ON COMMIT DROP AS
    WITH staged AS (
        SELECT pg_catalog.row_number() OVER () AS line, x.ctid AS src,
               NULLIF(x.member_code, '') AS member_code, NULLIF(x.year, '') AS year_text,
               NULLIF(x.kind, '') AS kind, NULLIF(x.title, '') AS title,
               COALESCE(NULLIF(x.outcome, ''), 'pending') AS outcome
          FROM chibo_import.task_registrations x),
    typed AS MATERIALIZED (
        SELECT s.*, CASE WHEN s.year_text ~ '^[0-9]{4}$' THEN s.year_text::integer END AS year,
               m.id AS member_id, 'task registration of member ' || COALESCE(s.member_code, '(no code)') AS label
          FROM staged s LEFT JOIN @extschema@.members m ON m.code = s.member_code)
    SELECT t.line, t.src, pg_catalog.jsonb_build_array(t.member_code, t.year, t.kind, t.title) AS key, t.label,
           t.member_id, t.year, t.kind, t.title, t.outcome, r.id AS existing_id,
           (r.id IS NOT NULL AND r.outcome = t.outcome) AS stored,
           CASE WHEN t.member_code IS NULL THEN 'task registration: member_code is empty'
                WHEN t.member_id IS NULL THEN pg_catalog.format('member %s does not exist', t.member_code)
                WHEN t.year IS NULL THEN pg_catalog.format('%s: year %s is not a four-digit year', t.label,
                                                           COALESCE(pg_catalog.quote_literal(t.year_text), '(empty)'))
           END AS reason,
           false AS dup, 1 AS step
      FROM typed t
      LEFT JOIN @extschema@.task_registrations r
             ON r.member_id = t.member_id AND r.year = t.year AND r.kind = t.kind AND r.title = t.title;
END;
$$;
COMMENT ON FUNCTION chibo_import.load_task_registrations() IS 'import step: reads and types staged task_registrations.csv rows';

CREATE OR REPLACE FUNCTION chibo_import.subject(p_kind text, p_code text)
RETURNS TABLE (member_id bigint, unit_id bigint, problem text)
    LANGUAGE sql STABLE PARALLEL SAFE ROWS 1
BEGIN ATOMIC
    SELECT m.id, u.id,
           CASE WHEN p_kind IS NULL OR p_kind NOT IN ('member', 'cell')
                    THEN pg_catalog.format('subject_kind %s is not member or cell',
                                           COALESCE(pg_catalog.quote_literal(p_kind), '(empty)'))
                WHEN p_code IS NULL THEN 'subject_code is empty'
                WHEN p_kind = 'member' AND m.id IS NULL THEN pg_catalog.format('member %s does not exist', p_code)
                WHEN p_kind = 'cell' AND u.id IS NULL THEN pg_catalog.format('cell %s does not exist', p_code)
                WHEN p_kind = 'cell' AND u.kind <> 'cell' THEN pg_catalog.format('%s is a committee, not a cell', p_code)
           END
      FROM (SELECT) AS one
      LEFT JOIN @extschema@.members m ON p_kind = 'member' AND m.code = p_code
      LEFT JOIN @extschema@.units u ON p_kind = 'cell' AND u.code = p_code;
END;
COMMENT ON FUNCTION chibo_import.subject(text, text) IS
    'import step: resolves a staged subject_kind and subject_code to a member or a cell, with the reason when it cannot';

CREATE OR REPLACE FUNCTION chibo_import.load_assessments() RETURNS void
    LANGUAGE plpgsql PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    CREATE TEMP TABLE chibo_import_assessments ON COMMIT DROP AS
    WITH staged AS (
        SELECT pg_catalog.row_number() OVER () AS line, x.ctid AS src,
               NULLIF(x.subject_kind, '') AS subject_kind, NULLIF(x.subject_code, '') AS subject_code,
               NULLIF(x.scheme, '') AS scheme, NULLIF(x.period_start, '') AS start_text,
               NULLIF(x.period_end, '') AS end_text, NULLIF(x.criteria, '') AS criteria_text
          FROM chibo_import.assessments x),
    typed AS MATERIALIZED (
        SELECT s.*, sub.member_id, sub.unit_id, sub.problem, sc.id AS scheme_id,
               chibo_import.parse_date(s.start_text) AS period_start, chibo_import.parse_date(s.end_text) AS period_end,
               CASE WHEN s.criteria_text ~ '^[01]{1,16}$' THEN s.criteria_text::@extschema@.criteria END AS criteria,
               'assessment of ' || COALESCE(s.subject_kind, '(no kind)') || ' ' || COALESCE(s.subject_code, '(no code)')
                   || ' under ' || COALESCE(s.scheme, '(no scheme)') AS label
          FROM staged s
          CROSS JOIN LATERAL chibo_import.subject(s.subject_kind, s.subject_code) sub
          LEFT JOIN @extschema@.schemes sc ON sc.code = s.scheme)
    SELECT t.line, t.src, pg_catalog.jsonb_build_array(t.subject_kind, t.subject_code, t.scheme, t.period_start) AS key,
           t.label, t.subject_kind, t.member_id, t.unit_id, t.scheme_id, t.period_start, t.period_end, t.criteria,
           COALESCE(am.id, ac.id) AS existing_id,
           (COALESCE(am.id, ac.id) IS NOT NULL
            AND (COALESCE(am.period_end, ac.period_end), COALESCE(am.criteria, ac.criteria)::text)
                IS NOT DISTINCT FROM (t.period_end, t.criteria::text)) AS stored,
           CASE WHEN t.problem IS NOT NULL THEN t.label || ': ' || t.problem
                WHEN t.scheme IS NULL THEN t.label || ': scheme is empty'
                WHEN t.scheme_id IS NULL THEN pg_catalog.format('%s: scheme %s does not exist', t.label, t.scheme)
                WHEN t.start_text IS NULL THEN t.label || ': period_start is empty'
                WHEN t.end_text IS NULL THEN t.label || ': period_end is empty'
                WHEN t.criteria IS NULL THEN pg_catalog.format('%s: criteria %s is not a string of 1 and 0 flags, one per criterion',
                                                               t.label, COALESCE(pg_catalog.quote_literal(t.criteria_text), '(empty)'))
                ELSE t.label || ': ' || COALESCE(chibo_import.date_problem('period_start', t.start_text),
                                                 chibo_import.date_problem('period_end', t.end_text))
           END AS reason,
           false AS dup, 1 AS step
      FROM typed t
      -- a member's and a cell's assessments apart: one join each, by hash
      LEFT JOIN @extschema@.assessments am
             ON am.member_id = t.member_id AND am.scheme_id = t.scheme_id AND am.period_start = t.period_start
      LEFT JOIN @extschema@.assessments ac
             ON ac.unit_id = t.unit_id AND ac.scheme_id = t.scheme_id AND ac.period_start = t.period_start;
END;
$$;
COMMENT ON FUNCTION chibo_import.load_assessments() IS 'import step: reads and types staged assessments.csv rows';

CREATE OR REPLACE FUNCTION chibo_import.load_classifications() RETURNS void
    LANGUAGE plpgsql PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    CREATE TEMP TABLE chibo_import_classifications ON COMMIT DROP AS
    WITH staged AS (
        SELECT pg_catalog.row_number() OVER () AS line, x.ctid AS src,
               NULLIF(x.subject_kind, '') AS subject_kind, NULLIF(x.subject_code, '') AS subject_code,
               NULLIF(x.year, '') AS year_text, NULLIF(x.grade, '') AS grade, NULLIF(x.score, '') AS score_text
          FROM chibo_import.classifications x),
    typed AS MATERIALIZED (
        SELECT s.*, sub.member_id, sub.unit_id, sub.problem,
               CASE WHEN s.year_text ~ '^[0-9]{4}$' THEN s.year_text::integer END AS year,
               CASE WHEN s.score_text ~ '^[0-9]{1,3}([.][0-9]{1,2})?$' THEN s.score_text::numeric END AS score,
               'classification of ' || COALESCE(s.subject_kind, '(no kind)') || ' ' || COALESCE(s.subject_code, '(no code)')
                   || ' for ' || COALESCE(s.year_text, '(no year)') AS label
          FROM staged s
          CROSS JOIN LATERAL chibo_import.subject(s.subject_kind, s.subject_code) sub)
    SELECT t.line, t.src, pg_catalog.jsonb_build_array(t.subject_kind, t.subject_code, t.year) AS key,
           t.label, t.subject_kind, t.member_id, t.unit_id, t.year, t.grade, t.score,
           COALESCE(cm.id, cc.id) AS existing_id,
           (COALESCE(cm.id, cc.id) IS NOT NULL
            AND (COALESCE(cm.grade, cc.grade), COALESCE(cm.score, cc.score))
                IS NOT DISTINCT FROM (t.grade, t.score)) AS stored,
           CASE WHEN t.problem IS NOT NULL THEN t.label || ': ' || t.problem
                WHEN t.year IS NULL THEN pg_catalog.format('%s: year %s is not a four-digit year', t.label,
                                                           COALESCE(pg_catalog.quote_literal(t.year_text), '(empty)'))
                WHEN t.score_text IS NOT NULL AND (t.score IS NULL OR t.score > 100)
                    THEN pg_catalog.format('%s: score %L is not a number from 0 to 100 with up to two decimals',
                                           t.label, t.score_text)
           END AS reason,
           false AS dup, 1 AS step
      FROM typed t
      -- a member's and a cell's classifications apart: one join each, by hash
      LEFT JOIN @extschema@.classifications cm ON cm.member_id = t.member_id AND cm.year = t.year
      LEFT JOIN @extschema@.classifications cc ON cc.unit_id = t.unit_id AND cc.year = t.year;
END;
$$;
COMMENT ON FUNCTION chibo_import.load_classifications() IS 'import step: reads and types staged classifications.csv rows';

CREATE OR REPLACE FUNCTION @extschema@.import_staged()
RETURNS TABLE (file text, accepted bigint, rejected bigint)
    LANGUAGE plpgsql PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
    -- Memory for the sorts and hashes of a city's year (default 4MB).
    SET work_mem = '128MB'
    -- Staged rows are numbered in the order a plain sequential scan reads
    -- them, the order they were staged (see sql/import/files.sql).
    SET max_parallel_workers_per_gather = 0
    SET synchronize_seqscans = off
AS $$
DECLARE
    batch bigint;
    f text;
    step integer;
    g text;
    counts record;
    done text[] := '{}';
    finished text[] := '{}';
    accepted_counts bigint[] := '{}';
    rejected_counts bigint[] := '{}';
BEGIN
    -- One batch at a time: no rows may be staged while this one is read.
    LOCK TABLE chibo_import.units, chibo_import.members, chibo_import.memberships,
               chibo_import.exemptions, chibo_import.meetings, chibo_import.attendance,
               chibo_import.task_registrations, chibo_import.assessments,
               chibo_import.classifications IN EXCLUSIVE MODE;
    batch := pg_catalog.nextval('chibo_import.batch_seq');

    -- Files in the order their rows depend on each other.
    FOR f IN SELECT x.file FROM chibo_import.files() x LOOP
        EXECUTE pg_catalog.format('SELECT chibo_import.%I()', 'load_' || pg_catalog.split_part(f, '.', 1));
        -- Statistics, so that the checks below join by hash, not by loops.
        EXECUTE pg_catalog.format('ANALYZE pg_temp.%I', 'chibo_import_' || pg_catalog.split_part(f, '.', 1));
        PERFORM chibo_import.check_lengths(f);
        PERFORM chibo_import.mark_duplicates(f);
        IF f = 'units.csv' THEN
            -- One step per tree level, parents first.
            step := 1;
            WHILE chibo_import.check_units(step) > 0 LOOP
                PERFORM chibo_import.apply(f, step);
                step := step + 1;
            END LOOP;
            -- Units never reached wait on each other: a loop of parents.
            UPDATE pg_temp.chibo_import_units t
               SET reason = pg_catalog.format('unit %s: its parent chain through %s leads back to itself',
                                              t.code, t.parent_code)
             WHERE t.reason IS NULL AND NOT t.dup AND t.step IS NULL;
        ELSE
            -- Two steps: memberships apply changes to stored rows first
            -- (a transfer closes one), then new rows; the others use step 1.
            FOR step IN 1..2 LOOP
                PERFORM chibo_import.check(f, step);
                PERFORM chibo_import.apply(f, step);
            END LOOP;
        END IF;
        -- Units may close with the memberships and meetings of this batch:
        -- their waiting changes are applied now, and units.csv is done.
        IF f = 'meetings.csv' THEN
            PERFORM chibo_import.retry_units();
            done := done || 'units.csv'::text;
        END IF;
        IF f <> 'units.csv' THEN
            done := done || f;
        END IF;
        -- Keep the rejects of the files that are done, and count.
        FOREACH g IN ARRAY done LOOP
            SELECT * INTO counts FROM chibo_import.finish(batch, g);
            finished := finished || g;
            accepted_counts := accepted_counts || counts.accepted;
            rejected_counts := rejected_counts || counts.rejected;
            IF counts.accepted + counts.rejected >= 100000 THEN
                RAISE NOTICE 'import %: % accepted, % rejected', g, counts.accepted, counts.rejected;
            END IF;
        END LOOP;
        done := '{}';
    END LOOP;

    TRUNCATE chibo_import.units, chibo_import.members, chibo_import.memberships,
             chibo_import.exemptions, chibo_import.meetings, chibo_import.attendance,
             chibo_import.task_registrations, chibo_import.assessments,
             chibo_import.classifications;

    -- Fresh statistics for the tables just written, so that the first
    -- reports after a large import do not plan on stale ones.
    FOR step IN 1 .. pg_catalog.cardinality(finished) LOOP
        -- (ANALYZE is the table owner's: an admin who is not leaves it to
        -- autovacuum.)
        IF accepted_counts[step] > 0
           AND pg_catalog.pg_has_role((SELECT c.relowner FROM pg_catalog.pg_class c
                                        WHERE c.oid = '@extschema@.units'::pg_catalog.regclass), 'USAGE') THEN
            EXECUTE pg_catalog.format('ANALYZE @extschema@.%I',
                                      (SELECT x.tbl FROM chibo_import.files() x WHERE x.file = finished[step]));
        END IF;
    END LOOP;

    -- One row per file, in the contract's order.
    RETURN QUERY
        SELECT x.file, c.accepted, c.rejected
          FROM chibo_import.files() WITH ORDINALITY AS x(file, tbl, rule, columns, staged, ord)
          JOIN ROWS FROM (pg_catalog.unnest(finished), pg_catalog.unnest(accepted_counts),
                          pg_catalog.unnest(rejected_counts)) AS c(file, accepted, rejected)
            ON c.file = x.file
         ORDER BY x.ord;
END;
$$;
COMMENT ON FUNCTION @extschema@.import_staged() IS
    'validates the rows staged in chibo_import.*, applies the valid ones, keeps the others in chibo_import.rejects, empties staging; one row per file: accepted, rejected';

CREATE OR REPLACE FUNCTION @extschema@.units_ancestors() RETURNS trigger
    LANGUAGE plpgsql PARALLEL UNSAFE
    SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    LOCK TABLE @extschema@.unit_ancestors IN SHARE ROW EXCLUSIVE MODE;
    DELETE FROM @extschema@.unit_ancestors;
    INSERT INTO @extschema@.unit_ancestors (unit_id, ancestor_id, depth)
    WITH RECURSIVE up (unit_id, ancestor_id, depth) AS (
        SELECT u.id, u.id, 0 FROM @extschema@.units u
        UNION ALL
        SELECT up.unit_id, p.parent_id, up.depth + 1
          FROM up JOIN @extschema@.units p ON p.id = up.ancestor_id
         WHERE p.parent_id IS NOT NULL AND up.depth < 100)
    SELECT up.unit_id, up.ancestor_id, pg_catalog.min(up.depth) FROM up GROUP BY up.unit_id, up.ancestor_id;
    LOCK TABLE @extschema@.unit_paths IN SHARE ROW EXCLUSIVE MODE;
    DELETE FROM @extschema@.unit_paths;
    INSERT INTO @extschema@.unit_paths (unit_id, parent_code, top_code, level)
    SELECT u.id, p.code, t.code, a.depth
      FROM @extschema@.units u
      LEFT JOIN @extschema@.units p ON p.id = u.parent_id
      JOIN @extschema@.unit_ancestors a ON a.unit_id = u.id
      JOIN @extschema@.units t ON t.id = a.ancestor_id AND t.parent_id IS NULL;
    RETURN NULL;
END;
$$;
COMMENT ON FUNCTION @extschema@.units_ancestors() IS
    'trigger (after each statement on units): rebuilds unit_ancestors, the tree as ancestor/descendant pairs, and unit_paths';

CREATE OR REPLACE FUNCTION @extschema@.track_changes() RETURNS trigger
    LANGUAGE plpgsql PARALLEL UNSAFE
    SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    rel text;
BEGIN
    IF @extschema@.restoring() THEN
        RETURN NULL;   -- the first refresh after a restore rebuilds in full
    END IF;
    IF TG_OP = 'TRUNCATE' THEN
        -- Everything may have changed: a NULL unit asks for a full rebuild.
        INSERT INTO @extschema@.report_changes (unit_id, first_month, last_month, members) VALUES (NULL, NULL, NULL, true);
        RETURN NULL;
    END IF;
    FOREACH rel IN ARRAY CASE TG_OP WHEN 'INSERT' THEN ARRAY['new_rows']
                                     WHEN 'DELETE' THEN ARRAY['old_rows']
                                     ELSE ARRAY['old_rows', 'new_rows'] END LOOP
        EXECUTE pg_catalog.format(
            'INSERT INTO @extschema@.report_changes (unit_id, first_month, last_month, members) SELECT DISTINCT * FROM (%s) s',
            @extschema@.report_spans(TG_ARGV[0], rel));
    END LOOP;
    RETURN NULL;
END;
$$;
COMMENT ON FUNCTION @extschema@.track_changes() IS
    'trigger (after each statement): records in report_changes the cell-months the statement''s rows feed, for refresh_reports()';

CREATE OR REPLACE FUNCTION @extschema@.drop_temp_table(name text) RETURNS void
    LANGUAGE plpgsql PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF pg_catalog.to_regclass('pg_temp.' || pg_catalog.quote_ident(name)) IS NOT NULL THEN
        EXECUTE pg_catalog.format('DROP TABLE pg_temp.%I', name);
    END IF;
END;
$$;
COMMENT ON FUNCTION @extschema@.drop_temp_table(text) IS
    'drops a temporary table of the session if it exists (used by refresh_reports())';

CREATE OR REPLACE FUNCTION @extschema@.refresh_member_figures() RETURNS void
    LANGUAGE plpgsql PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM @extschema@.drop_temp_table(t)
       FROM pg_catalog.unnest(ARRAY['chibo_window_members', 'chibo_member_figures']) AS t;
    CREATE TEMP TABLE chibo_window_members ON COMMIT DROP AS
    SELECT w.unit_id, w.starts, ms.member_id
      FROM pg_temp.chibo_windows w
      JOIN @extschema@.memberships ms
        ON ms.unit_id = w.unit_id AND ms.from_date <= w.ends AND (ms.to_date IS NULL OR ms.to_date > w.ends)
      JOIN @extschema@.members mb ON mb.id = ms.member_id
     WHERE mb.left_on IS NULL OR mb.left_on >= w.ends;
    ANALYZE pg_temp.chibo_window_members;

    CREATE TEMP TABLE chibo_member_figures ON COMMIT DROP AS
    SELECT a.unit_id, a.starts, pg_catalog.count(*) AS active,
           pg_catalog.count(r.member_id) AS registered,
           pg_catalog.count(*) FILTER (WHERE g.all_met AND NOT g.mixed) AS achieved,
           pg_catalog.count(*) FILTER (WHERE g.mixed) AS mixed
      FROM pg_temp.chibo_window_members a
      -- (the registration years of these members only: a semi-join against
      -- the whole table would first make all of it unique)
      LEFT JOIN (SELECT DISTINCT r.member_id, r.year FROM @extschema@.task_registrations r
                  WHERE r.member_id IN (SELECT a2.member_id FROM pg_temp.chibo_window_members a2)) r
        ON r.member_id = a.member_id AND r.year = pg_catalog.date_part('year', a.starts)::integer
      LEFT JOIN (SELECT x.member_id, w.starts,
                        pg_catalog.bool_and(@extschema@.all_met(x.criteria)) AS all_met,
                        pg_catalog.min(@extschema@.criteria_count(x.criteria))
                          <> pg_catalog.max(@extschema@.criteria_count(x.criteria)) AS mixed
                   FROM @extschema@.assessments x
                   -- (period_start <= ends is implied, and bounds the range
                   -- scan of assessments_period per window)
                   JOIN (SELECT DISTINCT w2.starts, w2.ends FROM pg_temp.chibo_windows w2) w
                     ON x.period_start >= w.starts AND x.period_start <= w.ends AND x.period_end <= w.ends
                  WHERE x.member_id IN (SELECT a3.member_id FROM pg_temp.chibo_window_members a3)
                  GROUP BY x.member_id, w.starts) g
        ON g.member_id = a.member_id AND g.starts = a.starts
     GROUP BY a.unit_id, a.starts;
END;
$$;
COMMENT ON FUNCTION @extschema@.refresh_member_figures() IS
    'step of refresh_reports(): the active, task-registered, four-good and mixed-scheme member counts of the cell windows in pg_temp.chibo_windows';

CREATE OR REPLACE FUNCTION @extschema@.refresh_cell_months() RETURNS bigint
    LANGUAGE plpgsql PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    n bigint;
BEGIN
    -- The meetings of those months.
    PERFORM @extschema@.drop_temp_table('chibo_target_meetings');
    CREATE TEMP TABLE chibo_target_meetings ON COMMIT DROP AS
    SELECT mt.id, mt.unit_id, t.month, mt.held_on, mt.kind, mt.minutes
      FROM pg_temp.chibo_target_months t
      JOIN @extschema@.meetings mt
        ON mt.unit_id = t.unit_id AND mt.held_on >= t.month AND mt.held_on <= t.month_end;
    ANALYZE pg_temp.chibo_target_meetings;

    -- Each meeting's expected members: belonging to the cell (a membership
    -- covers the day and they had not left the party before it), not
    -- exempt that day.  (Bounds are compared one by one rather than with
    -- range operators: the planner estimates those, and joins by hash.)
    PERFORM @extschema@.drop_temp_table('chibo_meeting_counts');
    CREATE TEMP TABLE chibo_meeting_counts ON COMMIT DROP AS
    SELECT m.id, pg_catalog.count(*) AS expected
      FROM pg_temp.chibo_target_meetings m
      JOIN @extschema@.memberships ms
        ON ms.unit_id = m.unit_id AND ms.from_date <= m.held_on AND (ms.to_date IS NULL OR ms.to_date > m.held_on)
      JOIN @extschema@.members mb ON mb.id = ms.member_id
     WHERE (mb.left_on IS NULL OR mb.left_on >= m.held_on)
       AND NOT EXISTS (SELECT FROM @extschema@.exemptions e
                        WHERE e.member_id = ms.member_id AND e.from_date <= m.held_on
                          AND (e.to_date IS NULL OR e.to_date > m.held_on))
     GROUP BY m.id;

    -- Those of them recorded present or excused.  An attendance row names
    -- a member belonging to the cell that day (the attendance rules hold
    -- it so), so only exemptions are left to take out.  (One join: the
    -- planner reads a few meetings' rows through the index on attendance
    -- and the whole table by hash for a full rebuild; a subquery per
    -- meeting was 10 times slower there.)  Meetings with nobody present
    -- or excused have no row: the caller counts them 0.
    PERFORM @extschema@.drop_temp_table('chibo_meeting_marks');
    CREATE TEMP TABLE chibo_meeting_marks ON COMMIT DROP AS
    SELECT m.id,
           pg_catalog.count(*) FILTER (WHERE a.status = 'present') AS present,
           pg_catalog.count(*) FILTER (WHERE a.status = 'excused') AS excused
      FROM pg_temp.chibo_target_meetings m
      JOIN @extschema@.attendance a ON a.meeting_id = m.id
     WHERE a.status IN ('present', 'excused')
       AND NOT EXISTS (SELECT FROM @extschema@.exemptions e
                        WHERE e.member_id = a.member_id AND e.from_date <= m.held_on
                          AND (e.to_date IS NULL OR e.to_date > m.held_on))
     GROUP BY m.id;

    -- The member figures of the months whose members may have changed.
    PERFORM @extschema@.drop_temp_table('chibo_windows');
    CREATE TEMP TABLE chibo_windows ON COMMIT DROP AS
    SELECT t.unit_id, t.month AS starts, t.month_end AS ends FROM pg_temp.chibo_target_months t WHERE t.members;
    ANALYZE pg_temp.chibo_windows;
    PERFORM @extschema@.refresh_member_figures();

    INSERT INTO @extschema@.cell_months
    SELECT t.unit_id, t.month,
           u.valid_from <= t.month_end AND (u.valid_to IS NULL OR u.valid_to > t.month_end),
           COALESCE(mt.meetings, 0), COALESCE(mt.present, 0), COALESCE(mt.excused, 0), COALESCE(mt.expected, 0),
           COALESCE(mt.thematic_meetings, 0),
           COALESCE(mt.side_meetings, 0), COALESCE(mt.side_present, 0), COALESCE(mt.side_excused, 0),
           COALESCE(mt.side_expected, 0), COALESCE(mt.short_meetings, 0),
           -- the member figures: recomputed, or kept from the row replaced
           CASE WHEN t.members THEN COALESCE(f.active, 0) ELSE o.active_members END,
           CASE WHEN t.members THEN COALESCE(f.registered, 0) ELSE o.task_registered END,
           CASE WHEN t.members THEN COALESCE(f.achieved, 0) ELSE o.four_good END,
           CASE WHEN t.members THEN COALESCE(f.mixed, 0) ELSE o.four_good_mixed END
      FROM pg_temp.chibo_target_months t
      JOIN @extschema@.units u ON u.id = t.unit_id
      LEFT JOIN pg_temp.chibo_month_deltas o ON o.unit_id = t.unit_id AND o.month = t.month AND o.sign = -1
      LEFT JOIN (
            SELECT m.unit_id, m.month,
                   pg_catalog.count(*) FILTER (WHERE m.kind IN ('regular', 'combined')) AS meetings,
                   pg_catalog.sum(k.present) FILTER (WHERE m.kind IN ('regular', 'combined')) AS present,
                   pg_catalog.sum(k.excused) FILTER (WHERE m.kind IN ('regular', 'combined')) AS excused,
                   pg_catalog.sum(c.expected) FILTER (WHERE m.kind IN ('regular', 'combined')) AS expected,
                   pg_catalog.count(*) FILTER (WHERE m.kind IN ('thematic', 'combined')) AS thematic_meetings,
                   pg_catalog.count(*) FILTER (WHERE m.kind IN ('thematic', 'extraordinary')) AS side_meetings,
                   pg_catalog.sum(k.present) FILTER (WHERE m.kind IN ('thematic', 'extraordinary')) AS side_present,
                   pg_catalog.sum(k.excused) FILTER (WHERE m.kind IN ('thematic', 'extraordinary')) AS side_excused,
                   pg_catalog.sum(c.expected) FILTER (WHERE m.kind IN ('thematic', 'extraordinary')) AS side_expected,
                   pg_catalog.count(*) FILTER (WHERE m.minutes < @extschema@.minimum_minutes(m.kind, m.held_on)) AS short_meetings
              FROM pg_temp.chibo_target_meetings m
              LEFT JOIN pg_temp.chibo_meeting_counts c ON c.id = m.id
              LEFT JOIN pg_temp.chibo_meeting_marks k ON k.id = m.id
             GROUP BY m.unit_id, m.month) mt
        ON mt.unit_id = t.unit_id AND mt.month = t.month
      LEFT JOIN pg_temp.chibo_member_figures f ON f.unit_id = t.unit_id AND f.starts = t.month;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END;
$$;
COMMENT ON FUNCTION @extschema@.refresh_cell_months() IS
    'step of refresh_reports(): computes the cell_months rows named in pg_temp.chibo_target_months from the tables';

CREATE OR REPLACE FUNCTION @extschema@.refresh_cell_years() RETURNS bigint
    LANGUAGE plpgsql PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    n bigint;
BEGIN
    PERFORM @extschema@.drop_temp_table('chibo_windows');
    CREATE TEMP TABLE chibo_windows ON COMMIT DROP AS
    SELECT t.unit_id, t.first_month AS starts, t.end_date AS ends FROM pg_temp.chibo_target_years t WHERE t.members;
    ANALYZE pg_temp.chibo_windows;
    PERFORM @extschema@.refresh_member_figures();

    INSERT INTO @extschema@.cell_years
    SELECT t.unit_id, t.year, t.first_month, t.last_month,
           u.valid_from <= t.end_date AND (u.valid_to IS NULL OR u.valid_to > t.end_date),
           COALESCE(cm.months_judged, 0), COALESCE(cm.months_passing, 0), COALESCE(cm.months_without_meeting, 0),
           COALESCE(cm.meetings, 0), COALESCE(cm.present, 0), COALESCE(cm.excused, 0), COALESCE(cm.expected, 0),
           COALESCE(cm.thematic_meetings, 0), COALESCE(cm.side_meetings, 0), COALESCE(cm.side_present, 0),
           COALESCE(cm.side_excused, 0), COALESCE(cm.side_expected, 0), COALESCE(cm.short_meetings, 0),
           -- the member figures: recomputed, or kept from the row replaced
           CASE WHEN t.members THEN COALESCE(f.active, 0) ELSE o.active_members END,
           CASE WHEN t.members THEN COALESCE(f.registered, 0) ELSE o.task_registered END,
           CASE WHEN t.members THEN COALESCE(f.achieved, 0) ELSE o.four_good END,
           CASE WHEN t.members THEN COALESCE(f.mixed, 0) ELSE o.four_good_mixed END,
           CASE WHEN t.members THEN COALESCE(gr.excellent, 0) ELSE o.graded_excellent END,
           CASE WHEN t.members THEN COALESCE(gr.good, 0) ELSE o.graded_good END
      FROM pg_temp.chibo_target_years t
      JOIN @extschema@.units u ON u.id = t.unit_id
      LEFT JOIN pg_temp.chibo_year_deltas o ON o.unit_id = t.unit_id AND o.year = t.year AND o.sign = -1
      LEFT JOIN (
            SELECT c.unit_id, t2.year,
                   pg_catalog.count(*) FILTER (WHERE @extschema@.month_passes(c.meetings, c.present, c.expected, 0.85)
                                                   IS NOT NULL) AS months_judged,
                   pg_catalog.count(*) FILTER (WHERE @extschema@.month_passes(c.meetings, c.present, c.expected, 0.85))
                       AS months_passing,
                   pg_catalog.count(*) FILTER (WHERE c.meetings = 0) AS months_without_meeting,
                   pg_catalog.sum(c.meetings) AS meetings, pg_catalog.sum(c.present) AS present,
                   pg_catalog.sum(c.excused) AS excused, pg_catalog.sum(c.expected) AS expected,
                   pg_catalog.sum(c.thematic_meetings) AS thematic_meetings,
                   pg_catalog.sum(c.side_meetings) AS side_meetings, pg_catalog.sum(c.side_present) AS side_present,
                   pg_catalog.sum(c.side_excused) AS side_excused, pg_catalog.sum(c.side_expected) AS side_expected,
                   pg_catalog.sum(c.short_meetings) AS short_meetings
              FROM pg_temp.chibo_target_years t2
              JOIN @extschema@.cell_months c
                ON c.unit_id = t2.unit_id AND c.month >= t2.first_month AND c.month <= t2.last_month
             GROUP BY c.unit_id, t2.year) cm
        ON cm.unit_id = t.unit_id AND cm.year = t.year
      LEFT JOIN pg_temp.chibo_member_figures f ON f.unit_id = t.unit_id AND f.starts = t.first_month
      LEFT JOIN (
            -- members belonging to the cell on 31 December, by grade
            SELECT t4.unit_id, t4.year,
                   pg_catalog.count(*) FILTER (WHERE k.grade = 'excellent') AS excellent,
                   pg_catalog.count(*) FILTER (WHERE k.grade = 'good') AS good
              FROM pg_temp.chibo_target_years t4
              JOIN @extschema@.memberships ms
                ON ms.unit_id = t4.unit_id AND ms.from_date <= t4.dec31 AND (ms.to_date IS NULL OR ms.to_date > t4.dec31)
              JOIN @extschema@.members mb ON mb.id = ms.member_id
              JOIN @extschema@.classifications k ON k.member_id = ms.member_id AND k.year = t4.year
             WHERE t4.members AND (mb.left_on IS NULL OR mb.left_on >= t4.dec31)
               AND k.grade IN ('excellent', 'good')
             GROUP BY t4.unit_id, t4.year) gr
        ON gr.unit_id = t.unit_id AND gr.year = t.year;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END;
$$;
COMMENT ON FUNCTION @extschema@.refresh_cell_years() IS
    'step of refresh_reports(): computes the cell_years rows named in pg_temp.chibo_target_years from cell_months and the member tables';

CREATE OR REPLACE FUNCTION @extschema@.refresh_unit_rollups(delta boolean) RETURNS bigint
    LANGUAGE plpgsql PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    n bigint;
    m bigint;
    corrections bigint;
BEGIN
    IF NOT delta THEN
        EXECUTE pg_catalog.format(
            'INSERT INTO @extschema@.unit_months SELECT t.unit_id, t.month, %s
               FROM pg_temp.chibo_unit_target_months t
               LEFT JOIN (%s) s ON s.unit_id = t.unit_id AND s.month = t.month',
            @extschema@.unit_rollup_columns('@extschema@.unit_months', 'COALESCE(s.%I, 0)'),
            @extschema@.unit_sums('month', '(SELECT c.*, 1 AS sign FROM @extschema@.cell_months c)'));
        GET DIAGNOSTICS n = ROW_COUNT;
        EXECUTE pg_catalog.format(
            'INSERT INTO @extschema@.unit_years SELECT t.unit_id, t.year, t.first_month, t.last_month, %s
               FROM pg_temp.chibo_unit_target_years t
               LEFT JOIN (%s) s ON s.unit_id = t.unit_id AND s.year = t.year',
            @extschema@.unit_rollup_columns('@extschema@.unit_years', 'COALESCE(s.%I, 0)'),
            @extschema@.unit_sums('year', '(SELECT c.*, 1 AS sign FROM @extschema@.cell_years c)'));
        GET DIAGNOSTICS m = ROW_COUNT;
        RETURN n + m;
    END IF;

    -- The units above a cell exist whenever it does, so their rows are
    -- there to correct (a change of the tree takes the path above).
    PERFORM @extschema@.drop_temp_table(t)
       FROM pg_catalog.unnest(ARRAY['chibo_unit_month_deltas', 'chibo_unit_year_deltas']) AS t;
    EXECUTE pg_catalog.format('CREATE TEMP TABLE chibo_unit_month_deltas ON COMMIT DROP AS %s',
                              @extschema@.unit_sums('month', 'pg_temp.chibo_month_deltas'));
    EXECUTE pg_catalog.format('CREATE TEMP TABLE chibo_unit_year_deltas ON COMMIT DROP AS %s',
                              @extschema@.unit_sums('year', 'pg_temp.chibo_year_deltas'));
    EXECUTE pg_catalog.format(
        'UPDATE @extschema@.unit_months u SET %s FROM pg_temp.chibo_unit_month_deltas s
          WHERE u.unit_id = s.unit_id AND u.month = s.month',
        @extschema@.unit_rollup_columns('@extschema@.unit_months', '%1$I = u.%1$I + s.%1$I'));
    GET DIAGNOSTICS n = ROW_COUNT;
    EXECUTE pg_catalog.format(
        'UPDATE @extschema@.unit_years u SET %s FROM pg_temp.chibo_unit_year_deltas s
          WHERE u.unit_id = s.unit_id AND u.year = s.year',
        @extschema@.unit_rollup_columns('@extschema@.unit_years', '%1$I = u.%1$I + s.%1$I'));
    GET DIAGNOSTICS m = ROW_COUNT;
    corrections := (SELECT pg_catalog.count(*) FROM pg_temp.chibo_unit_month_deltas)
                   + (SELECT pg_catalog.count(*) FROM pg_temp.chibo_unit_year_deltas);
    IF n + m <> corrections THEN
        -- cannot happen while the rollups agree with the tree; stop rather
        -- than leave a unit without its change
        RAISE EXCEPTION 'refresh_reports: % unit rows to correct are missing', corrections - n - m
            USING ERRCODE = 'XX000', HINT = 'Run SELECT * FROM chibo.refresh_reports(full => true);';
    END IF;
    RETURN n + m;
END;
$$;
COMMENT ON FUNCTION @extschema@.refresh_unit_rollups(boolean) IS
    'step of refresh_reports(): computes the unit_months and unit_years rows named in pg_temp.chibo_unit_target_months and _years, or (delta) corrects the stored ones by the changed cell rows';

CREATE OR REPLACE FUNCTION @extschema@.refresh_reports(full boolean DEFAULT false)
RETURNS TABLE (rollup text, recomputed bigint)
    LANGUAGE plpgsql PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
    SET work_mem = '64MB'
    -- Overestimated row counts made every refresh compile its queries with
    -- LLVM: 22 to 26 s of a district rebuild, 17 to 18 without (benchmarks).
    SET jit = off
AS $$
DECLARE
    rebuild boolean := $1;
    tree_changed boolean;
    old_first date;
    old_last date;
    new_first date;
    new_last date;
    n_changes bigint;
    n bigint;
BEGIN
    IF rebuild IS NULL THEN
        RAISE EXCEPTION 'refresh_reports: full must be true or false, not NULL' USING ERRCODE = '22004';
    END IF;
    -- One refresh at a time; readers are never blocked.
    PERFORM pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('chibo.refresh_reports'));

    SELECT @extschema@.month_of(pg_catalog.min(held_on)), @extschema@.month_of(pg_catalog.max(held_on))
      INTO new_first, new_last FROM @extschema@.meetings;
    SELECT s.first_month, s.last_month INTO old_first, old_last FROM @extschema@.report_state s;
    IF NOT FOUND THEN
        rebuild := true;
    ELSIF old_first IS DISTINCT FROM new_first OR old_last IS DISTINCT FROM new_last THEN
        IF NOT rebuild THEN
            RAISE NOTICE 'refresh_reports: the reporting range is now % to %: rebuilding in full',
                COALESCE(@extschema@.date_text(new_first), 'empty'), COALESCE(@extschema@.date_text(new_last), 'empty');
        END IF;
        rebuild := true;
    END IF;

    -- Take the recorded changes (those committed by now; later ones stay).
    PERFORM @extschema@.drop_temp_table('chibo_changes');
    CREATE TEMP TABLE chibo_changes ON COMMIT DROP AS
    WITH taken AS (DELETE FROM @extschema@.report_changes RETURNING unit_id, first_month, last_month, members)
    SELECT DISTINCT unit_id, first_month, last_month, members FROM taken;
    GET DIAGNOSTICS n_changes = ROW_COUNT;
    IF EXISTS (SELECT FROM pg_temp.chibo_changes WHERE unit_id IS NULL) THEN
        rebuild := true;
    END IF;
    tree_changed := rebuild OR EXISTS (SELECT FROM pg_temp.chibo_changes WHERE first_month IS NULL);


    PERFORM @extschema@.drop_temp_table(t)
       FROM pg_catalog.unnest(ARRAY['chibo_target_months', 'chibo_target_years',
                                    'chibo_unit_target_months', 'chibo_unit_target_years']) AS t;
    -- (members: whether the member figures are recomputed too, or only
    -- the attendance figures)
    CREATE TEMP TABLE chibo_target_months (unit_id bigint, month date, month_end date, members boolean) ON COMMIT DROP;
    CREATE TEMP TABLE chibo_target_years (unit_id bigint, year integer, first_month date, last_month date,
                                          end_date date, dec31 date, members boolean) ON COMMIT DROP;
    CREATE TEMP TABLE chibo_unit_target_months (unit_id bigint, month date, members boolean) ON COMMIT DROP;
    CREATE TEMP TABLE chibo_unit_target_years (unit_id bigint, year integer, first_month date, last_month date,
                                               members boolean) ON COMMIT DROP;
    -- cell rows replaced (-1) and their new values (+1)
    PERFORM @extschema@.drop_temp_table(t)
       FROM pg_catalog.unnest(ARRAY['chibo_month_deltas', 'chibo_year_deltas']) AS t;
    CREATE TEMP TABLE chibo_month_deltas ON COMMIT DROP AS
    SELECT c.*, 0 AS sign FROM @extschema@.cell_months c WHERE false;
    CREATE TEMP TABLE chibo_year_deltas ON COMMIT DROP AS
    SELECT c.*, 0 AS sign FROM @extschema@.cell_years c WHERE false;

    IF rebuild THEN
        RAISE NOTICE 'refresh_reports: rebuilding every rollup (months % to %)',
            COALESCE(@extschema@.date_text(new_first), 'none'), COALESCE(@extschema@.date_text(new_last), 'none');
        DELETE FROM @extschema@.cell_months;
        DELETE FROM @extschema@.cell_years;
        DELETE FROM @extschema@.unit_months;
        DELETE FROM @extschema@.unit_years;
        -- every unit, every month and year of the range in which it existed
        INSERT INTO pg_temp.chibo_unit_target_months
        SELECT u.id, m.month::date, true
          FROM @extschema@.units u,
               pg_catalog.generate_series(GREATEST(new_first, @extschema@.month_of(u.valid_from)),
                                          LEAST(new_last, @extschema@.month_of(u.valid_to - 1)),
                                          interval '1 month') AS m (month);
    ELSE
        RAISE NOTICE 'refresh_reports: changes recorded since the last refresh: %', n_changes;
        -- the changed spans, cut to the range
        INSERT INTO pg_temp.chibo_unit_target_months
        SELECT c.unit_id, m.month::date, pg_catalog.bool_or(c.members)
          FROM pg_temp.chibo_changes c,
               pg_catalog.generate_series(GREATEST(new_first, c.first_month), LEAST(new_last, c.last_month),
                                          interval '1 month') AS m (month)
         GROUP BY c.unit_id, m.month;
        ANALYZE pg_temp.chibo_unit_target_months;
        -- the rows replaced, kept to correct the units above them
        WITH gone AS (DELETE FROM @extschema@.cell_months cm USING pg_temp.chibo_unit_target_months t
                       WHERE cm.unit_id = t.unit_id AND cm.month = t.month RETURNING cm.*)
        INSERT INTO pg_temp.chibo_month_deltas SELECT gone.*, -1 FROM gone;
    END IF;
    -- The cells' months among them that exist (a cell deleted or shrunk
    -- keeps only its deleted rows).
    INSERT INTO pg_temp.chibo_target_months
    SELECT t.unit_id, t.month, @extschema@.month_end(t.month), t.members
      FROM pg_temp.chibo_unit_target_months t JOIN @extschema@.units u ON u.id = t.unit_id
     WHERE u.kind = 'cell' AND u.valid_from <= @extschema@.month_end(t.month)
       AND (u.valid_to IS NULL OR u.valid_to > t.month);
    -- Without a row to keep them from, the member figures are recomputed.
    UPDATE pg_temp.chibo_target_months t SET members = true
     WHERE NOT t.members AND NOT EXISTS (SELECT FROM pg_temp.chibo_month_deltas o
                                          WHERE o.unit_id = t.unit_id AND o.month = t.month);
    ANALYZE pg_temp.chibo_target_months;

    -- The year windows touched: the calendar years of those months cut to
    -- the range.  (A change to December's grades may fall after the range.)
    INSERT INTO pg_temp.chibo_unit_target_years
    SELECT y.unit_id, y.year,
           GREATEST(new_first, pg_catalog.make_date(y.year, 1, 1)),
           LEAST(new_last, pg_catalog.make_date(y.year, 12, 1)),
           pg_catalog.bool_or(y.members)
      FROM (SELECT t.unit_id, pg_catalog.date_part('year', t.month)::integer AS year, t.members
              FROM pg_temp.chibo_unit_target_months t
            UNION ALL
            SELECT c.unit_id, pg_catalog.date_part('year', c.first_month)::integer, c.members
              FROM pg_temp.chibo_changes c
             WHERE NOT rebuild AND c.first_month > new_last
               AND pg_catalog.date_part('year', c.first_month) = pg_catalog.date_part('year', new_last)) y
     GROUP BY y.unit_id, y.year;
    IF NOT rebuild THEN
        WITH gone AS (DELETE FROM @extschema@.cell_years cy USING pg_temp.chibo_unit_target_years t
                       WHERE cy.unit_id = t.unit_id AND cy.year = t.year RETURNING cy.*)
        INSERT INTO pg_temp.chibo_year_deltas SELECT gone.*, -1 FROM gone;
    END IF;
    INSERT INTO pg_temp.chibo_target_years
    SELECT t.unit_id, t.year, t.first_month, t.last_month, @extschema@.month_end(t.last_month),
           pg_catalog.make_date(t.year, 12, 31), t.members
      FROM pg_temp.chibo_unit_target_years t JOIN @extschema@.units u ON u.id = t.unit_id
     WHERE u.kind = 'cell' AND u.valid_from <= @extschema@.month_end(t.last_month)
       AND (u.valid_to IS NULL OR u.valid_to > t.first_month);
    UPDATE pg_temp.chibo_target_years t SET members = true
     WHERE NOT t.members AND NOT EXISTS (SELECT FROM pg_temp.chibo_year_deltas o
                                          WHERE o.unit_id = t.unit_id AND o.year = t.year);
    ANALYZE pg_temp.chibo_target_years;

    RAISE NOTICE 'refresh_reports: step 1 of 3: % cell-months', (SELECT pg_catalog.count(*) FROM pg_temp.chibo_target_months);
    n := @extschema@.refresh_cell_months();
    rollup := 'cell_months'; recomputed := n; RETURN NEXT;

    RAISE NOTICE 'refresh_reports: step 2 of 3: % cell-years', (SELECT pg_catalog.count(*) FROM pg_temp.chibo_target_years);
    n := @extschema@.refresh_cell_years();
    rollup := 'cell_years'; recomputed := n; RETURN NEXT;

    -- The units above the recomputed cells: all of them when the tree
    -- changed (or in a rebuild), else corrected by the cells' changes.
    IF rebuild OR tree_changed THEN
        IF NOT rebuild THEN
            DELETE FROM pg_temp.chibo_unit_target_months;
            INSERT INTO pg_temp.chibo_unit_target_months
            SELECT u.id, m.month::date, true
              FROM @extschema@.units u,
                   pg_catalog.generate_series(GREATEST(new_first, @extschema@.month_of(u.valid_from)),
                                              LEAST(new_last, @extschema@.month_of(u.valid_to - 1)),
                                              interval '1 month') AS m (month);
            DELETE FROM @extschema@.unit_months;
            DELETE FROM @extschema@.unit_years;
        END IF;
        -- every unit, and the year windows in which it existed
        DELETE FROM pg_temp.chibo_unit_target_years;
        INSERT INTO pg_temp.chibo_unit_target_years
        SELECT DISTINCT t.unit_id, pg_catalog.date_part('year', t.month)::integer,
               GREATEST(new_first, pg_catalog.make_date(pg_catalog.date_part('year', t.month)::integer, 1, 1)),
               LEAST(new_last, pg_catalog.make_date(pg_catalog.date_part('year', t.month)::integer, 12, 1)), true
          FROM pg_temp.chibo_unit_target_months t;
        ANALYZE pg_temp.chibo_unit_target_months;
        ANALYZE pg_temp.chibo_unit_target_years;
        RAISE NOTICE 'refresh_reports: step 3 of 3: % unit-months and % unit-years',
            (SELECT pg_catalog.count(*) FROM pg_temp.chibo_unit_target_months),
            (SELECT pg_catalog.count(*) FROM pg_temp.chibo_unit_target_years);
        n := @extschema@.refresh_unit_rollups(delta => false);
    ELSE
        INSERT INTO pg_temp.chibo_month_deltas
        SELECT c.*, 1 FROM @extschema@.cell_months c
          JOIN pg_temp.chibo_target_months t ON t.unit_id = c.unit_id AND t.month = c.month;
        INSERT INTO pg_temp.chibo_year_deltas
        SELECT c.*, 1 FROM @extschema@.cell_years c
          JOIN pg_temp.chibo_target_years t ON t.unit_id = c.unit_id AND t.year = c.year;
        ANALYZE pg_temp.chibo_month_deltas;
        ANALYZE pg_temp.chibo_year_deltas;
        RAISE NOTICE 'refresh_reports: step 3 of 3: the units above % cell-months and % cell-years',
            (SELECT pg_catalog.count(DISTINCT (d.unit_id, d.month)) FROM pg_temp.chibo_month_deltas d),
            (SELECT pg_catalog.count(DISTINCT (d.unit_id, d.year)) FROM pg_temp.chibo_year_deltas d);
        n := @extschema@.refresh_unit_rollups(delta => true);
    END IF;
    rollup := 'unit_months and unit_years'; recomputed := n; RETURN NEXT;

    INSERT INTO @extschema@.report_state AS s (singleton, first_month, last_month, refreshed_at, rebuilt_at)
    VALUES (true, new_first, new_last, pg_catalog.clock_timestamp(),
            CASE WHEN rebuild THEN pg_catalog.clock_timestamp() END)
    ON CONFLICT (singleton) DO UPDATE
       SET first_month = EXCLUDED.first_month, last_month = EXCLUDED.last_month,
           refreshed_at = EXCLUDED.refreshed_at, rebuilt_at = COALESCE(EXCLUDED.rebuilt_at, s.rebuilt_at);
    RAISE NOTICE 'refresh_reports: done';
END;
$$;
COMMENT ON FUNCTION @extschema@.refresh_reports(boolean) IS
    'brings the report rollups up to date: by default recomputes only the cell-months whose inputs changed since the last refresh (and the units above them); full => true rebuilds everything. Returns the rows recomputed per rollup';

CREATE OR REPLACE FUNCTION @extschema@.unit_id_of(unit_code text) RETURNS bigint
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    id bigint;
BEGIN
    IF unit_code IS NULL THEN
        RAISE EXCEPTION 'unit code must not be NULL' USING ERRCODE = '22004';
    END IF;
    SELECT u.id INTO id FROM @extschema@.units u WHERE u.code = unit_code;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'unit % does not exist', unit_code
            USING ERRCODE = '22023', HINT = 'Unit codes are in chibo.units.code, for example the district''s own code.';
    END IF;
    RETURN id;
END;
$$;
COMMENT ON FUNCTION @extschema@.unit_id_of(text) IS
    'the id of the unit with this code; an error (22023) when there is none';

CREATE OR REPLACE FUNCTION @extschema@.check_window(first_month date, last_month date, threshold numeric, policy text) RETURNS void
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF first_month IS NULL OR last_month IS NULL THEN
        RAISE EXCEPTION 'the window needs a first and a last month' USING ERRCODE = '22004';
    END IF;
    IF pg_catalog.date_trunc('month', last_month) < pg_catalog.date_trunc('month', first_month) THEN
        RAISE EXCEPTION 'the window ends (%) before it starts (%)',
            pg_catalog.to_char(last_month::timestamp, 'YYYY-MM'), pg_catalog.to_char(first_month::timestamp, 'YYYY-MM')
            USING ERRCODE = '22023';
    END IF;
    IF threshold IS NULL OR threshold < 0 OR threshold > 1 THEN
        RAISE EXCEPTION 'threshold must be between 0 and 1, not %', COALESCE(threshold::text, 'NULL')
            USING ERRCODE = '22023', HINT = 'The attendance target is 0.85 (85%).';
    END IF;
    IF policy IS NULL OR policy NOT IN ('excused_count', 'excused_excluded') THEN
        RAISE EXCEPTION 'unknown attendance policy: %', COALESCE(policy, 'NULL')
            USING ERRCODE = '22023', HINT = 'The policies are excused_count (the default) and excused_excluded.';
    END IF;
END;
$$;
COMMENT ON FUNCTION @extschema@.check_window(date, date, numeric, text) IS
    'raises a clear error for a window whose months are missing or reversed, a threshold outside 0..1 or an unknown policy';

CREATE OR REPLACE FUNCTION @extschema@.check_rollups(window_last date) RETURNS void
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    last_month date;
BEGIN
    SELECT s.last_month INTO last_month FROM @extschema@.report_state s;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'the report rollups have not been built yet'
            USING ERRCODE = '55000', HINT = 'Run SELECT * FROM chibo.refresh_reports(); once after loading data (and after a restore).';
    END IF;
    IF EXISTS (SELECT FROM @extschema@.report_changes) THEN
        RAISE NOTICE 'data changed since the last refresh_reports(): the attendance figures do not show it yet'
            USING HINT = 'Run SELECT * FROM chibo.refresh_reports(); or schedule it with chibo.schedule_refresh().';
    END IF;
    IF @extschema@.month_of(window_last) > last_month THEN
        RAISE NOTICE 'no meeting is recorded after %: every cell fails the months of the window after it',
            pg_catalog.to_char(last_month::timestamp, 'YYYY-MM')
            USING HINT = 'End the window at the last month with data to judge only those months.';
    END IF;
END;
$$;
COMMENT ON FUNCTION @extschema@.check_rollups(date) IS
    'stops (55000) when the report rollups were never built; gives a notice when data changed since the last refresh, or when a window ends after the last month with a meeting';

CREATE OR REPLACE FUNCTION @extschema@.indicators(unit_code text, first_month date, last_month date,
                                       threshold numeric DEFAULT 0.85, policy text DEFAULT 'excused_count')
RETURNS TABLE (active_members bigint, task_registered bigint, four_good bigint,
               cells_total bigint, cells_passing bigint,
               attendance_present bigint, attendance_expected bigint,
               attendance_excused bigint, end_date date,
               task_registration @extschema@.ratio, four_good_members @extschema@.ratio,
               cells_at_threshold @extschema@.ratio, attendance @extschema@.ratio,
               task_registration_text text, four_good_text text, cells_text text, attendance_text text)
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
    -- A window's subtree and months are known only at the call: plan for
    -- them every time (a generic plan guesses a tiny subtree and loops).
    SET plan_cache_mode = force_custom_plan
AS $$
#variable_conflict use_column
DECLARE
    v_unit bigint;
    w0 date;
    w1 date;
    d date;
    excluded boolean := indicators.policy = 'excused_excluded';
    mixed record;
BEGIN
    PERFORM @extschema@.check_window(indicators.first_month, indicators.last_month, indicators.threshold, indicators.policy);
    v_unit := @extschema@.unit_id_of(indicators.unit_code);
    PERFORM @extschema@.check_rollups(indicators.last_month);
    w0 := @extschema@.month_of(indicators.first_month);
    w1 := @extschema@.month_of(indicators.last_month);
    d := @extschema@.month_end(w1);

    BEGIN
        RETURN QUERY
        WITH mem AS (
            SELECT pg_catalog.count(*) AS active,
                   pg_catalog.count(*) FILTER (WHERE EXISTS (
                       SELECT FROM @extschema@.task_registrations r
                        WHERE r.member_id = a.member_id
                          AND r.year BETWEEN pg_catalog.date_part('year', w0) AND pg_catalog.date_part('year', w1))) AS registered,
                   pg_catalog.count(*) FILTER (WHERE g.status = 'achieved') AS achieved
              FROM @extschema@.active_members(v_unit, d) a
              LEFT JOIN (
                    -- four_good_status of each member over the window
                    SELECT x.member_id, @extschema@.label(@extschema@.good_status(x.criteria)) AS status
                      FROM @extschema@.assessments x
                     WHERE x.member_id IN (SELECT a2.member_id FROM @extschema@.active_members(v_unit, d) a2)
                       AND x.period_start >= w0 AND x.period_end <= d
                     GROUP BY x.member_id) g ON g.member_id = a.member_id),
        -- every month of the window in which each cell of the subtree existed
        cell_month AS (
            SELECT * FROM @extschema@.window_cell_months(v_unit, w0, w1, indicators.policy)),
        cells AS (
            SELECT pg_catalog.count(*) FILTER (WHERE judged > 0) AS total,
                   pg_catalog.count(*) FILTER (WHERE judged > 0 AND passing = judged) AS passing
              FROM (SELECT cm.cell_id,
                           pg_catalog.count(*) FILTER (WHERE @extschema@.month_passes(cm.meetings, cm.present, cm.whole,
                                                                                      indicators.threshold) IS NOT NULL) AS judged,
                           pg_catalog.count(*) FILTER (WHERE @extschema@.month_passes(cm.meetings, cm.present, cm.whole,
                                                                                      indicators.threshold)) AS passing
                      FROM cell_month cm WHERE cm.on_end GROUP BY cm.cell_id) per_cell),
        pooled AS (
            SELECT COALESCE(pg_catalog.sum(cm.present), 0)::bigint AS present,
                   COALESCE(pg_catalog.sum(cm.expected), 0)::bigint AS expected,
                   COALESCE(pg_catalog.sum(cm.excused), 0)::bigint AS excused
              FROM cell_month cm)
        SELECT m.active, m.registered, m.achieved, c.total, c.passing, p.present, p.expected, p.excused, d,
               @extschema@.ratio(m.registered, m.active), @extschema@.ratio(m.achieved, m.active),
               @extschema@.ratio(c.passing, c.total),
               @extschema@.ratio(p.present, CASE WHEN excluded THEN p.expected - p.excused ELSE p.expected END),
               @extschema@.display(@extschema@.ratio(m.registered, m.active)),
               @extschema@.display(@extschema@.ratio(m.achieved, m.active)),
               @extschema@.display(@extschema@.ratio(c.passing, c.total)),
               @extschema@.display(@extschema@.ratio(p.present, CASE WHEN excluded THEN p.expected - p.excused ELSE p.expected END))
          FROM mem m, cells c, pooled p;
    EXCEPTION WHEN invalid_parameter_value THEN
        -- four_good_status cannot combine schemes of different sizes: say
        -- which member has them.
        SELECT mb.code, pg_catalog.array_agg(DISTINCT sc.code ORDER BY sc.code) AS schemes INTO mixed
          FROM @extschema@.active_members(v_unit, d) a
          JOIN @extschema@.assessments x ON x.member_id = a.member_id AND x.period_start >= w0 AND x.period_end <= d
          JOIN @extschema@.schemes sc ON sc.id = x.scheme_id
          JOIN @extschema@.members mb ON mb.id = a.member_id
         GROUP BY mb.code
        HAVING pg_catalog.count(DISTINCT @extschema@.criteria_count(x.criteria)) > 1
         ORDER BY mb.code LIMIT 1;
        IF NOT FOUND THEN
            RAISE;
        END IF;
        RAISE EXCEPTION 'member % has assessments under schemes of different sizes (%) inside the window',
            mixed.code, pg_catalog.array_to_string(mixed.schemes, ', ')
            USING ERRCODE = '22023',
                  HINT = 'four_good_status cannot combine them: choose a window that holds one scheme''s assessments.';
    END;
END;
$$;
COMMENT ON FUNCTION @extschema@.indicators(text, date, date, numeric, text) IS
    'the headline indicators of a unit over a window of months (indicators.md): active members on the end date, task registration, four-good members, cells meeting the attendance threshold every month, pooled attendance; exact counts, ratios and display text';

CREATE OR REPLACE FUNCTION @extschema@.members_needing_attention(unit_code text, year integer)
RETURNS TABLE (member_code text, unexcused_months integer, flag text)
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
    -- A window's subtree and months are known only at the call: plan for
    -- them every time (a generic plan guesses a tiny subtree and loops).
    SET plan_cache_mode = force_custom_plan
AS $$
#variable_conflict use_column
DECLARE
    v_unit bigint;
BEGIN
    IF members_needing_attention.year IS NULL THEN
        RAISE EXCEPTION 'year must not be NULL' USING ERRCODE = '22004';
    END IF;
    v_unit := @extschema@.unit_id_of(members_needing_attention.unit_code);
    RETURN QUERY
    SELECT mb.code, x.months::integer,
           CASE WHEN x.months >= 3 THEN 'strike_off_review' ELSE 'warning' END
      FROM (SELECT u.member_id, pg_catalog.count(DISTINCT @extschema@.month_of(u.held_on)) AS months
              FROM (-- each expected member of each regular or combined
                    -- meeting of the year, not recorded present or excused
                    SELECT ms.member_id, mt.held_on
                      FROM @extschema@.subtree(v_unit) c
                      JOIN @extschema@.meetings mt
                        ON mt.unit_id = c.id AND mt.kind IN ('regular', 'combined')
                       AND mt.held_on >= pg_catalog.make_date(members_needing_attention.year, 1, 1)
                       AND mt.held_on < pg_catalog.make_date(members_needing_attention.year + 1, 1, 1)
                      JOIN @extschema@.memberships ms
                        ON ms.unit_id = mt.unit_id AND ms.period OPERATOR(pg_catalog.@>) mt.held_on
                      JOIN @extschema@.members m ON m.id = ms.member_id
                      LEFT JOIN @extschema@.attendance a ON a.meeting_id = mt.id AND a.member_id = ms.member_id
                     WHERE c.kind = 'cell'
                       AND (m.left_on IS NULL OR m.left_on >= mt.held_on)
                       AND NOT EXISTS (SELECT FROM @extschema@.exemptions e
                                        WHERE e.member_id = ms.member_id AND e.period OPERATOR(pg_catalog.@>) mt.held_on)
                       AND (a.status IS NULL OR a.status = 'absent')) u
             GROUP BY u.member_id
            HAVING pg_catalog.count(DISTINCT @extschema@.month_of(u.held_on)) >= 2) x
      JOIN @extschema@.members mb ON mb.id = x.member_id
     ORDER BY x.months DESC, mb.code;
END;
$$;
COMMENT ON FUNCTION @extschema@.members_needing_attention(text, integer) IS
    'members of a unit''s cells with 2 (warning) or 3 or more (strike_off_review) months of the year in which they were expected at a regular or combined meeting and counted absent without excuse';

CREATE OR REPLACE FUNCTION @extschema@.cells_needing_attention(unit_code text, first_month date, last_month date,
                                                    threshold numeric DEFAULT 0.85, policy text DEFAULT 'excused_count')
RETURNS TABLE (cell_code text, cell_type text,
               months_without_meeting date[], months_below_threshold date[],
               lowest_ratio @extschema@.ratio, lowest_month date,
               quarters_without_thematic text[], short_meetings date[])
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
    -- A window's subtree and months are known only at the call: plan for
    -- them every time (a generic plan guesses a tiny subtree and loops).
    SET plan_cache_mode = force_custom_plan
AS $$
#variable_conflict use_column
DECLARE
    v_unit bigint;
    w0 date;
    w1 date;
BEGIN
    PERFORM @extschema@.check_window(cells_needing_attention.first_month, cells_needing_attention.last_month,
                                     cells_needing_attention.threshold, cells_needing_attention.policy);
    v_unit := @extschema@.unit_id_of(cells_needing_attention.unit_code);
    PERFORM @extschema@.check_rollups(cells_needing_attention.last_month);
    w0 := @extschema@.month_of(cells_needing_attention.first_month);
    w1 := @extschema@.month_of(cells_needing_attention.last_month);
    RETURN QUERY
    WITH cm AS (
        -- the months of the window in which each cell existed
        SELECT w.cell_id AS id, w.month, w.meetings, w.thematic_meetings AS thematic,
               @extschema@.ratio(w.present, w.whole) AS ratio
          FROM @extschema@.window_cell_months(v_unit, w0, w1, cells_needing_attention.policy) w),
    per_cell AS (
        SELECT cm.id,
               pg_catalog.array_agg(cm.month ORDER BY cm.month) FILTER (WHERE cm.meetings = 0) AS missing,
               pg_catalog.array_agg(cm.month ORDER BY cm.month)
                   FILTER (WHERE cm.meetings > 0 AND cm.ratio OPERATOR(@extschema@.<) cells_needing_attention.threshold) AS low,
               (pg_catalog.array_agg(cm.ratio ORDER BY cm.ratio, cm.month)
                   FILTER (WHERE cm.meetings > 0 AND cm.ratio OPERATOR(@extschema@.<) cells_needing_attention.threshold))[1] AS lowest,
               (pg_catalog.array_agg(cm.month ORDER BY cm.ratio, cm.month)
                   FILTER (WHERE cm.meetings > 0 AND cm.ratio OPERATOR(@extschema@.<) cells_needing_attention.threshold))[1] AS lowest_month
          FROM cm GROUP BY cm.id),
    quarters AS (
        -- quarters wholly inside the window, in which the cell existed,
        -- without a thematic or combined meeting
        SELECT q.id, pg_catalog.array_agg(q.label ORDER BY q.label) AS missing
          FROM (SELECT cm.id, pg_catalog.to_char(cm.month::timestamp, 'YYYY-"Q"Q') AS label,
                       pg_catalog.date_trunc('quarter', cm.month)::date AS q0
                  FROM cm
                 GROUP BY cm.id, pg_catalog.to_char(cm.month::timestamp, 'YYYY-"Q"Q'), pg_catalog.date_trunc('quarter', cm.month)
                HAVING pg_catalog.sum(cm.thematic) = 0) q
         WHERE q.q0 >= w0 AND (q.q0 + interval '2 months')::date <= w1
         GROUP BY q.id),
    short AS (
        SELECT mt.unit_id AS id, pg_catalog.array_agg(mt.held_on ORDER BY mt.held_on) AS dates
          FROM @extschema@.subtree(v_unit) c
          JOIN @extschema@.meetings mt ON mt.unit_id = c.id
         WHERE c.kind = 'cell' AND mt.held_on >= w0 AND mt.held_on <= @extschema@.month_end(w1)
           AND mt.minutes < @extschema@.minimum_minutes(mt.kind, mt.held_on)
         GROUP BY mt.unit_id)
    SELECT u.code, u.cell_type, p.missing, p.low, p.lowest, p.lowest_month, q.missing, s.dates
      FROM per_cell p
      JOIN @extschema@.units u ON u.id = p.id
      LEFT JOIN quarters q ON q.id = p.id
      LEFT JOIN short s ON s.id = p.id
     WHERE p.missing IS NOT NULL OR p.low IS NOT NULL OR q.missing IS NOT NULL OR s.dates IS NOT NULL
     ORDER BY u.code;
END;
$$;
COMMENT ON FUNCTION @extschema@.cells_needing_attention(text, date, date, numeric, text) IS
    'the cells of a unit that need attention over a window: months without a regular or combined meeting, months below the threshold with the lowest ratio, whole quarters without a thematic or combined meeting, meetings shorter than the rule of their date';

CREATE OR REPLACE FUNCTION @extschema@.grading_quota(unit_code text, year integer)
RETURNS TABLE (organisation_code text, organisation_name text, excellent bigint, good bigint, over_quota boolean)
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
    -- A window's subtree and months are known only at the call: plan for
    -- them every time (a generic plan guesses a tiny subtree and loops).
    SET plan_cache_mode = force_custom_plan
AS $$
#variable_conflict use_column
DECLARE
    v_unit bigint;
    dec31 date;
BEGIN
    IF grading_quota.year IS NULL THEN
        RAISE EXCEPTION 'year must not be NULL' USING ERRCODE = '22004';
    END IF;
    v_unit := @extschema@.unit_id_of(grading_quota.unit_code);
    dec31 := pg_catalog.make_date(grading_quota.year, 12, 31);
    RETURN QUERY
    WITH orgs AS (
        SELECT o.id FROM @extschema@.subtree(v_unit) o
         WHERE o.grassroots AND o.valid_from <= dec31 AND (o.valid_to IS NULL OR o.valid_to > dec31)),
    graded AS (
        -- members belonging on 31 December, with their grade and cell
        SELECT ms.unit_id, k.grade
          FROM @extschema@.classifications k
          JOIN @extschema@.memberships ms ON ms.member_id = k.member_id AND ms.period OPERATOR(pg_catalog.@>) dec31
          JOIN @extschema@.members mb ON mb.id = k.member_id
         WHERE k.year = grading_quota.year AND k.grade IN ('excellent', 'good')
           AND (mb.left_on IS NULL OR mb.left_on >= dec31)),
    below AS (
        -- each organisation's subtree
        SELECT o.id AS org, s.id FROM orgs o, LATERAL @extschema@.subtree(o.id) s)
    SELECT u.code, u.name, x.excellent, x.good, x.excellent * 5 > x.good
      FROM (SELECT o.id,
                   pg_catalog.count(g.grade) FILTER (WHERE g.grade = 'excellent') AS excellent,
                   pg_catalog.count(g.grade) FILTER (WHERE g.grade = 'good') AS good
              FROM orgs o
              LEFT JOIN (below b JOIN graded g ON g.unit_id = b.id) ON b.org = o.id
             GROUP BY o.id) x
      JOIN @extschema@.units u ON u.id = x.id
     ORDER BY u.code;
END;
$$;
COMMENT ON FUNCTION @extschema@.grading_quota(text, integer) IS
    'per grassroots organisation of a unit''s subtree existing on 31 December: members graded excellent and good for the year (members belonging then to a cell below it), and over_quota when excellent exceeds 20% of good';

CREATE OR REPLACE FUNCTION @extschema@.cron_settings(OUT database_name text, OUT socket_directory text, OUT port text)
    LANGUAGE sql STABLE PARALLEL SAFE
    SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT pg_catalog.current_setting('cron.database_name', true),
           pg_catalog.btrim(pg_catalog.split_part(pg_catalog.current_setting('unix_socket_directories'), ',', 1)),
           pg_catalog.current_setting('port');
END;
COMMENT ON FUNCTION @extschema@.cron_settings() IS
    'pg_cron''s database (cron.database_name), the server''s first socket directory and its port, readable by chibo_admin';

CREATE OR REPLACE FUNCTION @extschema@.conninfo_quote(value text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN '''' || pg_catalog.replace(pg_catalog.replace(value, '\', '\\'), '''', '\''') || '''';
COMMENT ON FUNCTION @extschema@.conninfo_quote(text) IS
    'a value quoted for a libpq connection string (single quotes; backslash and quote escaped by a backslash)';

CREATE OR REPLACE FUNCTION @extschema@.cron_call(statement text) RETURNS text
    LANGUAGE plpgsql PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    settings record := @extschema@.cron_settings();
    cron_db text := settings.database_name;
    dblink_schema name;
    conn text;
    result text;
BEGIN
    IF EXISTS (SELECT FROM pg_catalog.pg_extension WHERE extname = 'pg_cron') THEN
        EXECUTE statement INTO result;
        RETURN result;
    END IF;
    IF cron_db = pg_catalog.current_database() THEN
        RAISE EXCEPTION 'pg_cron is loaded but its extension is not created in this database'
            USING ERRCODE = '55000', HINT = 'Run CREATE EXTENSION pg_cron here (as a superuser).';
    END IF;
    IF cron_db IS NULL OR cron_db = '' THEN
        RAISE EXCEPTION 'pg_cron is not installed'
            USING ERRCODE = '55000',
                  HINT = 'Add pg_cron to shared_preload_libraries, restart the server and run CREATE EXTENSION pg_cron in the database named by cron.database_name.';
    END IF;
    SELECT n.nspname INTO dblink_schema
      FROM pg_catalog.pg_extension e JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace
     WHERE e.extname = 'dblink';
    IF NOT FOUND THEN
        RAISE EXCEPTION 'pg_cron lives in database "%", not in this one (%)', cron_db, pg_catalog.current_database()
            USING ERRCODE = '55000',
                  HINT = pg_catalog.format('Run CREATE EXTENSION dblink here and call this function again, or run in database %s: %s',
                                           cron_db, statement);
    END IF;
    -- The server's own socket and port, as the current user.
    conn := pg_catalog.format('dbname=%s host=%s port=%s user=%s',
                              @extschema@.conninfo_quote(cron_db),
                              @extschema@.conninfo_quote(settings.socket_directory),
                              @extschema@.conninfo_quote(settings.port),
                              @extschema@.conninfo_quote(current_user));
    EXECUTE pg_catalog.format('SELECT r FROM %I.dblink($1, $2) AS t(r text)', dblink_schema)
       INTO result USING conn, statement;
    RETURN result;
END;
$$;
COMMENT ON FUNCTION @extschema@.cron_call(text) IS
    'runs a statement in the database that holds pg_cron (here, or there through dblink) and returns its text result; explains the error when pg_cron is missing';

CREATE OR REPLACE FUNCTION @extschema@.schedule_refresh(schedule text DEFAULT '*/15 * * * *') RETURNS bigint
    LANGUAGE plpgsql PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF schedule IS NULL OR pg_catalog.btrim(schedule) = '' THEN
        RAISE EXCEPTION 'schedule must be a cron schedule such as ''*/15 * * * *'''
            USING ERRCODE = '22023';
    END IF;
    -- schedule_in_database replaces a job of the same name: calling again
    -- changes the schedule.
    RETURN @extschema@.cron_call(pg_catalog.format(
        'SELECT cron.schedule_in_database(%L, %L, %L, %L)::text',
        @extschema@.refresh_job_name(), schedule,
        pg_catalog.format('SELECT * FROM %I.refresh_reports()', '@extschema@'),
        pg_catalog.current_database()))::bigint;
END;
$$;
COMMENT ON FUNCTION @extschema@.schedule_refresh(text) IS
    'schedules refresh_reports() in this database with pg_cron (default every 15 minutes) as the job chibo_refresh_reports:<database>; calling it again changes the schedule; returns the job id';

CREATE OR REPLACE FUNCTION @extschema@.unschedule_refresh() RETURNS boolean
    LANGUAGE plpgsql PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    -- true when a job was removed, false when there was none
    RETURN @extschema@.cron_call(pg_catalog.format(
        'SELECT (SELECT cron.unschedule(j.jobid) FROM cron.job j WHERE j.jobname = %L AND j.username = current_user)'
        '       IS NOT NULL',
        @extschema@.refresh_job_name()))::boolean;
END;
$$;
COMMENT ON FUNCTION @extschema@.unschedule_refresh() IS
    'removes this database''s pg_cron refresh job; true when there was one';

-- 2. Tables and views that change -----------------------------------------

-- unit_paths filled (from now on its trigger keeps it).
INSERT INTO @extschema@.unit_paths (unit_id, parent_code, top_code, level)
SELECT u.id, p.code, t.code, a.depth
  FROM @extschema@.units u
  LEFT JOIN @extschema@.units p ON p.id = u.parent_id
  JOIN @extschema@.unit_ancestors a ON a.unit_id = u.id
  JOIN @extschema@.units t ON t.id = a.ancestor_id AND t.parent_id IS NULL;

-- The unit's codes as the views show them: its parent and its top-level
-- committee (from unit_paths, so that a login granted part of the tree
-- sees them too).
CREATE OR REPLACE VIEW chibo_report.units WITH (security_invoker = true) AS
SELECT u.id AS unit_id, u.code AS unit_code, u.name AS unit_name, u.kind AS unit_kind, u.grassroots,
       u.cell_type, p.parent_code, p.top_code, p.level,
       u.valid_from, u.valid_to
  FROM @extschema@.units u
  LEFT JOIN @extschema@.unit_paths p ON p.unit_id = u.id;
COMMENT ON VIEW chibo_report.units IS
    'the units (đảng bộ, chi bộ) with their parent and top-level committee, for filters and joins';

-- 3. The security layer ---------------------------------------------------

-- chibo: who may see and do what.
--
-- Three group roles (NOLOGIN), shared by every database of the cluster:
--   chibo_reader  reads the report views of chibo_report, all units;
--   chibo_editor  enters and corrects data of the units granted to it (or
--                 to a role it belongs to) with grant_unit(), and sees the
--                 reports of those units only;
--   chibo_admin   everything: every row, the import, refreshes, grants.
-- Logins get these by membership (GRANT chibo_reader TO metabase).  Rows
-- are filtered by row-level security (policies.sql); personal data (names,
-- birth dates, gender) stays in chibo.members, which readers cannot read.

DO $$
DECLARE
    r record;
BEGIN
    FOR r IN SELECT * FROM (VALUES
        ('chibo_reader', 'chibo: reads the report views of chibo_report (no personal data)'),
        ('chibo_editor', 'chibo: enters and corrects data of the units granted with chibo.grant_unit()'),
        ('chibo_admin',  'chibo: administers chibo: every row, imports, refreshes, grants')) AS v (name, note)
    LOOP
        IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = r.name) THEN
            EXECUTE pg_catalog.format('CREATE ROLE %I NOLOGIN', r.name);
        END IF;
        EXECUTE pg_catalog.format('COMMENT ON ROLE %I IS %L', r.name, r.note);
    END LOOP;
END;
$$;

-- Units granted to roles: a role sees the subtree of each of its units.
CREATE TABLE @extschema@.unit_grants (
    role_name  name NOT NULL,
    unit_id    bigint NOT NULL REFERENCES @extschema@.units (id) ON DELETE CASCADE,
    granted_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
    granted_by name NOT NULL DEFAULT SESSION_USER,
    PRIMARY KEY (role_name, unit_id)
);
COMMENT ON TABLE @extschema@.unit_grants IS
    'units granted to roles with grant_unit(): the role sees and changes the rows of each unit''s subtree';
COMMENT ON COLUMN @extschema@.unit_grants.role_name IS 'the role (a login or a group) the unit is granted to';
COMMENT ON COLUMN @extschema@.unit_grants.unit_id IS 'the granted unit; its whole subtree is granted';
COMMENT ON COLUMN @extschema@.unit_grants.granted_at IS 'when the grant was made';
COMMENT ON COLUMN @extschema@.unit_grants.granted_by IS 'the session user who made the grant';
CREATE INDEX unit_grants_unit_id ON @extschema@.unit_grants (unit_id);
SELECT pg_catalog.pg_extension_config_dump('@extschema@.unit_grants', '');

-- The units of a unit's subtree, read as the owner (unit_ancestors has
-- row-level security, and the policies themselves need the subtree).
CREATE FUNCTION @extschema@.subtree_ids(unit_id bigint) RETURNS SETOF bigint
    LANGUAGE sql STABLE PARALLEL SAFE
    SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT a.unit_id FROM @extschema@.unit_ancestors a WHERE a.ancestor_id = subtree_ids.unit_id;
END;
COMMENT ON FUNCTION @extschema@.subtree_ids(bigint) IS
    'the ids of the units of a unit''s subtree, the unit itself included';

-- The units whose rows the current role may see as an editor: the subtrees
-- of the units granted to any role whose privileges it has.  Read by the
-- row-level security policies, once per query.
CREATE FUNCTION @extschema@.granted_units() RETURNS SETOF bigint
    LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT s.id
      FROM @extschema@.unit_grants g
      JOIN pg_catalog.pg_roles r ON r.rolname = g.role_name
      CROSS JOIN LATERAL @extschema@.subtree_ids(g.unit_id) AS s (id)
     WHERE pg_catalog.pg_has_role(r.oid, 'USAGE');
END;
COMMENT ON FUNCTION @extschema@.granted_units() IS
    'the units of the subtrees granted to the current role (directly or through a role it belongs to)';

-- The members the current role may see as an editor: those with a
-- membership, at any time, in a unit it may see.
CREATE FUNCTION @extschema@.granted_members() RETURNS SETOF bigint
    LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT DISTINCT ms.member_id
      FROM @extschema@.memberships ms
     WHERE ms.unit_id IN (SELECT @extschema@.granted_units());
END;
COMMENT ON FUNCTION @extschema@.granted_members() IS
    'the members with a membership, at any time, in a unit granted to the current role';

-- The members placed in a cell at some time: those with a membership.  A
-- member who is not (just entered) is visible to every editor, so that it
-- can enter the membership that makes the member its own.  (Runs as the
-- owner: an editor cannot tell by itself whether a member has memberships
-- in units it does not see.)
CREATE FUNCTION @extschema@.placed_members() RETURNS SETOF bigint
    LANGUAGE sql STABLE PARALLEL SAFE
    SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT DISTINCT ms.member_id FROM @extschema@.memberships ms;
END;
COMMENT ON FUNCTION @extschema@.placed_members() IS
    'the members with a membership at some time; the others (just entered) are visible to every editor, to place them in a cell';

-- Checks a role name given to grant_unit() or revoke_unit().
CREATE FUNCTION @extschema@.check_grantee(role_name name) RETURNS void
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF role_name IS NULL THEN
        RAISE EXCEPTION 'role name must not be NULL' USING ERRCODE = '22004';
    END IF;
    IF role_name IN ('chibo_reader', 'chibo_editor', 'chibo_admin') THEN
        RAISE EXCEPTION 'units are granted to logins or committee groups, not to %', role_name
            USING ERRCODE = '22023',
                  HINT = 'Create a role for the committee (CREATE ROLE ... LOGIN) and grant the unit to it.';
    END IF;
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles r WHERE r.rolname = role_name) THEN
        RAISE EXCEPTION 'role "%" does not exist', role_name
            USING ERRCODE = '42704', HINT = 'Create it first: CREATE ROLE ... LOGIN.';
    END IF;
END;
$$;
COMMENT ON FUNCTION @extschema@.check_grantee(name) IS
    'checks that a role exists and is not one of chibo''s own group roles; an error otherwise';

-- Grants a unit's subtree to a role, making the role an editor.
CREATE FUNCTION @extschema@.grant_unit(role_name name, unit_code text) RETURNS void
    LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
    SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    unit bigint;
BEGIN
    PERFORM @extschema@.check_grantee(role_name);
    unit := @extschema@.unit_id_of(unit_code);
    INSERT INTO @extschema@.unit_grants (role_name, unit_id)
    VALUES (grant_unit.role_name, unit)
    ON CONFLICT DO NOTHING;
    IF NOT pg_catalog.pg_has_role(role_name, 'chibo_editor', 'MEMBER') THEN
        EXECUTE pg_catalog.format('GRANT chibo_editor TO %I', role_name);
    END IF;
END;
$$;
COMMENT ON FUNCTION @extschema@.grant_unit(name, text) IS
    'grants a unit''s subtree to a role: it sees and changes only the rows of its granted subtrees, and becomes a member of chibo_editor';

-- Takes a unit back from a role; a role left without units stops being an
-- editor.
CREATE FUNCTION @extschema@.revoke_unit(role_name name, unit_code text) RETURNS void
    LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
    SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    unit bigint;
BEGIN
    PERFORM @extschema@.check_grantee(role_name);
    unit := @extschema@.unit_id_of(unit_code);
    DELETE FROM @extschema@.unit_grants g WHERE g.role_name = revoke_unit.role_name AND g.unit_id = unit;
    IF NOT FOUND THEN
        RAISE NOTICE 'unit % was not granted to %', unit_code, role_name;
    END IF;
    IF NOT EXISTS (SELECT FROM @extschema@.unit_grants g WHERE g.role_name = revoke_unit.role_name)
       AND EXISTS (SELECT FROM pg_catalog.pg_auth_members m
                     JOIN pg_catalog.pg_roles g ON g.oid = m.roleid AND g.rolname = 'chibo_editor'
                     JOIN pg_catalog.pg_roles r ON r.oid = m.member AND r.rolname = revoke_unit.role_name) THEN
        EXECUTE pg_catalog.format('REVOKE chibo_editor FROM %I', role_name);
    END IF;
END;
$$;
COMMENT ON FUNCTION @extschema@.revoke_unit(name, text) IS
    'takes a unit''s subtree back from a role; a role left without granted units stops being a member of chibo_editor';

-- chibo: the audit trail.
--
-- Every insert, update and delete on attendance, memberships, exemptions,
-- meetings, assessments and classifications appends one row per changed row
-- to audit_log: who (the session's login and the role it had set), when,
-- which table, the row's id, and its old and new values.  An update that
-- leaves a row as it was records nothing, so a re-import of the same files
-- records nothing.  Nobody but the extension's owner can write to the log,
-- and even the owner cannot update, delete or truncate it while its guard
-- triggers are enabled.

CREATE TABLE @extschema@.audit_log (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at          timestamptz NOT NULL DEFAULT pg_catalog.now(),
    actor       name NOT NULL,
    acting_role name,
    xact        bigint NOT NULL,
    table_name  name NOT NULL,
    operation   text NOT NULL CHECK (operation IN ('INSERT', 'UPDATE', 'DELETE', 'TRUNCATE')),
    row_id      bigint CHECK ((row_id IS NULL) = (operation = 'TRUNCATE')),
    old_values  jsonb CHECK ((old_values IS NULL) = (operation IN ('INSERT', 'TRUNCATE'))),
    new_values  jsonb CHECK ((new_values IS NULL) = (operation IN ('DELETE', 'TRUNCATE')))
);
COMMENT ON TABLE @extschema@.audit_log IS
    'append-only audit trail: one row per row inserted, changed or deleted in attendance, memberships, exemptions, meetings, assessments and classifications';
COMMENT ON COLUMN @extschema@.audit_log.id IS 'the order in which changes were recorded';
COMMENT ON COLUMN @extschema@.audit_log.at IS 'when the changing transaction started';
COMMENT ON COLUMN @extschema@.audit_log.actor IS 'the login (session user) that made the change';
COMMENT ON COLUMN @extschema@.audit_log.acting_role IS 'the role the session had taken with SET ROLE, if any';
COMMENT ON COLUMN @extschema@.audit_log.xact IS 'the id of the changing transaction (changes with the same xact were made together)';
COMMENT ON COLUMN @extschema@.audit_log.table_name IS 'the changed table, in schema chibo';
COMMENT ON COLUMN @extschema@.audit_log.operation IS 'INSERT, UPDATE, DELETE, or TRUNCATE (the whole table emptied; no row values)';
COMMENT ON COLUMN @extschema@.audit_log.row_id IS 'the id of the changed row in its table';
COMMENT ON COLUMN @extschema@.audit_log.old_values IS 'the row before the change (updates and deletes), as JSON';
COMMENT ON COLUMN @extschema@.audit_log.new_values IS 'the row after the change (inserts and updates), as JSON';
CREATE INDEX audit_log_table_row ON @extschema@.audit_log (table_name, row_id);
SELECT pg_catalog.pg_extension_config_dump('@extschema@.audit_log', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.audit_log_id_seq', '');

-- Trigger (after each statement): appends the statement's changed rows.
-- Runs as the extension's owner, so that editors need no right on the log.
-- A restore by a superuser's pg_restore copies the log itself and is not
-- recorded again.
CREATE FUNCTION @extschema@.audit_changes() RETURNS trigger
    LANGUAGE plpgsql PARALLEL UNSAFE
    SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    who name := SESSION_USER;
    acting name := NULLIF(pg_catalog.current_setting('role'), 'none');
    xact bigint := pg_catalog.txid_current();
BEGIN
    IF @extschema@.restoring() THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'INSERT' THEN
        INSERT INTO @extschema@.audit_log (actor, acting_role, xact, table_name, operation, row_id, new_values)
        SELECT who, acting, xact, TG_TABLE_NAME, TG_OP, (n.r ->> 'id')::bigint, n.r
          FROM (SELECT pg_catalog.to_jsonb(t) AS r FROM new_rows t) n;
    ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO @extschema@.audit_log (actor, acting_role, xact, table_name, operation, row_id, old_values, new_values)
        SELECT who, acting, xact, TG_TABLE_NAME, TG_OP, o.id, o.r, n.r
          FROM (SELECT t.id, pg_catalog.to_jsonb(t) AS r FROM old_rows t) o
          JOIN (SELECT t.id, pg_catalog.to_jsonb(t) AS r FROM new_rows t) n ON n.id = o.id
         WHERE n.r <> o.r;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO @extschema@.audit_log (actor, acting_role, xact, table_name, operation, row_id, old_values)
        SELECT who, acting, xact, TG_TABLE_NAME, TG_OP, (o.r ->> 'id')::bigint, o.r
          FROM (SELECT pg_catalog.to_jsonb(t) AS r FROM old_rows t) o;
    ELSE
        INSERT INTO @extschema@.audit_log (actor, acting_role, xact, table_name, operation)
        VALUES (who, acting, xact, TG_TABLE_NAME, TG_OP);
    END IF;
    RETURN NULL;
END;
$$;
COMMENT ON FUNCTION @extschema@.audit_changes() IS
    'trigger (after each statement): appends the changed rows of an audited table to audit_log; an update that changes nothing is not recorded';

-- Trigger: the log only grows.
CREATE FUNCTION @extschema@.audit_log_append_only() RETURNS trigger
    LANGUAGE plpgsql PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RAISE EXCEPTION 'chibo.audit_log is append-only: it cannot be changed (%)', pg_catalog.lower(TG_OP)
        USING ERRCODE = '42501',
              HINT = 'The audit trail keeps every change for good; only the extension''s owner can disable this guard.';
END;
$$;
COMMENT ON FUNCTION @extschema@.audit_log_append_only() IS
    'trigger: refuses every update, delete and truncate of audit_log';
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON @extschema@.audit_log
    FOR EACH ROW EXECUTE FUNCTION @extschema@.audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON @extschema@.audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.audit_log_append_only();

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['attendance', 'memberships', 'exemptions', 'meetings', 'assessments', 'classifications'] LOOP
        EXECUTE pg_catalog.format($t$
            CREATE TRIGGER %1$I AFTER INSERT ON @extschema@.%5$I
                REFERENCING NEW TABLE AS new_rows
                FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.audit_changes();
            CREATE TRIGGER %2$I AFTER UPDATE ON @extschema@.%5$I
                REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
                FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.audit_changes();
            CREATE TRIGGER %3$I AFTER DELETE ON @extschema@.%5$I
                REFERENCING OLD TABLE AS old_rows
                FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.audit_changes();
            CREATE TRIGGER %4$I AFTER TRUNCATE ON @extschema@.%5$I
                FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.audit_changes();$t$,
            t || '_audit_insert', t || '_audit_update', t || '_audit_delete', t || '_audit_truncate', t);
    END LOOP;
END;
$$;

-- chibo: privileges and row-level security.
--
-- chibo_admin: every table, every row.  chibo_editor: the data tables, rows
-- of the granted subtrees only (granted_units(); members through their
-- memberships, granted_members()).  chibo_reader: the report views and
-- what they read (units, the tree and the rollups), every unit, and nothing
-- that holds personal data.  The extension's owner and superusers are not
-- subject to row-level security.

GRANT USAGE ON SCHEMA @extschema@, chibo_report TO chibo_reader, chibo_editor, chibo_admin;
GRANT USAGE ON SCHEMA chibo_import TO chibo_admin;

-- Functions: everyone may call the read-only ones; the ones that write,
-- import, refresh, schedule or grant are the administrators'.
DO $$
DECLARE
    f regprocedure;
BEGIN
    FOR f IN SELECT p.oid FROM pg_catalog.pg_proc p
              WHERE p.pronamespace = '@extschema@'::regnamespace
                AND p.proname IN ('import_staged', 'refresh_reports', 'refresh_cell_months', 'refresh_cell_years',
                                  'refresh_member_figures', 'refresh_unit_rollups', 'schedule_refresh',
                                  'unschedule_refresh', 'cron_call', 'cron_settings', 'grant_unit', 'revoke_unit')
    LOOP
        EXECUTE pg_catalog.format('REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC', f);
        EXECUTE pg_catalog.format('GRANT EXECUTE ON FUNCTION %s TO chibo_admin', f);
    END LOOP;
    FOR f IN SELECT p.oid FROM pg_catalog.pg_proc p WHERE p.pronamespace = 'chibo_import'::regnamespace LOOP
        EXECUTE pg_catalog.format('REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC', f);
        EXECUTE pg_catalog.format('GRANT EXECUTE ON FUNCTION %s TO chibo_admin', f);
    END LOOP;
    -- Trigger functions: nobody attaches them to a table of their own
    -- (several run as the owner).  They still fire for everyone on
    -- chibo's tables: PostgreSQL checks EXECUTE when a trigger is created.
    FOR f IN SELECT p.oid FROM pg_catalog.pg_proc p
              WHERE p.pronamespace = '@extschema@'::regnamespace AND p.prorettype = 'pg_catalog.trigger'::pg_catalog.regtype
    LOOP
        EXECUTE pg_catalog.format('REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC', f);
    END LOOP;
END;
$$;

-- Administrators: everything.
GRANT ALL ON ALL TABLES IN SCHEMA @extschema@, chibo_import, chibo_report TO chibo_admin;
GRANT ALL ON ALL SEQUENCES IN SCHEMA @extschema@, chibo_import TO chibo_admin;
REVOKE ALL ON @extschema@.audit_log FROM chibo_admin;
GRANT SELECT ON @extschema@.audit_log TO chibo_admin;

-- Readers: the views and the tables they read.
GRANT SELECT ON ALL TABLES IN SCHEMA chibo_report TO chibo_reader, chibo_editor;
GRANT SELECT ON @extschema@.units, @extschema@.unit_ancestors, @extschema@.unit_paths, @extschema@.cell_months, @extschema@.cell_years,
                @extschema@.unit_months, @extschema@.unit_years, @extschema@.report_state,
                @extschema@.report_changes, @extschema@.schemes
    TO chibo_reader, chibo_editor;

-- Everyone reads the grants of the roles whose privileges it has (the
-- headline finds the tops of the caller's tree among them).
GRANT SELECT ON @extschema@.unit_grants TO chibo_reader, chibo_editor;

-- Editors: enter and correct the data of their units.  A unit's place in
-- the tree (parent, kind, grassroots) is the administrators' to change.
GRANT INSERT, DELETE ON @extschema@.units TO chibo_editor;
GRANT UPDATE (code, name, cell_type, valid_from, valid_to) ON @extschema@.units TO chibo_editor;
GRANT SELECT, INSERT, UPDATE, DELETE ON @extschema@.members, @extschema@.memberships, @extschema@.exemptions,
                                        @extschema@.meetings, @extschema@.attendance, @extschema@.task_registrations,
                                        @extschema@.assessments, @extschema@.classifications
    TO chibo_editor;

-- Row-level security.  Policies for a table combine with OR: a role that
-- is both a reader and an editor sees every unit.
ALTER TABLE @extschema@.unit_grants ENABLE ROW LEVEL SECURITY;
CREATE POLICY admin_all ON @extschema@.unit_grants TO chibo_admin USING (true) WITH CHECK (true);
CREATE POLICY own_grants ON @extschema@.unit_grants FOR SELECT TO chibo_reader, chibo_editor
    USING (role_name IN (SELECT r.rolname FROM pg_catalog.pg_roles r WHERE pg_catalog.pg_has_role(r.oid, 'USAGE')));

DO $$
DECLARE
    t text;
BEGIN
    -- Tables whose rows belong to a unit (units themselves by their id).
    FOREACH t IN ARRAY ARRAY['units', 'memberships', 'meetings', 'attendance',
                             'cell_months', 'cell_years', 'unit_months', 'unit_years',
                             'unit_ancestors', 'unit_paths', 'report_changes'] LOOP
        EXECUTE pg_catalog.format('ALTER TABLE @extschema@.%I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE pg_catalog.format('CREATE POLICY admin_all ON @extschema@.%I TO chibo_admin USING (true) WITH CHECK (true)', t);
        IF t NOT IN ('memberships', 'meetings', 'attendance') THEN
            EXECUTE pg_catalog.format('CREATE POLICY reader_all ON @extschema@.%I FOR SELECT TO chibo_reader USING (true)', t);
        END IF;
        IF t IN ('cell_months', 'cell_years', 'unit_months', 'unit_years', 'unit_ancestors', 'unit_paths') THEN
            EXECUTE pg_catalog.format('CREATE POLICY editor_units ON @extschema@.%I FOR SELECT TO chibo_editor
                                         USING (unit_id IN (SELECT @extschema@.granted_units()))', t);
        END IF;
    END LOOP;
    -- Pending changes: those of the granted subtrees, and the requests for
    -- a full rebuild (no unit).
    CREATE POLICY editor_units ON @extschema@.report_changes FOR SELECT TO chibo_editor
        USING (unit_id IS NULL OR unit_id IN (SELECT @extschema@.granted_units()));
    -- Tables whose rows belong to a member.
    FOREACH t IN ARRAY ARRAY['members', 'exemptions', 'task_registrations', 'assessments', 'classifications'] LOOP
        EXECUTE pg_catalog.format('ALTER TABLE @extschema@.%I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE pg_catalog.format('CREATE POLICY admin_all ON @extschema@.%I TO chibo_admin USING (true) WITH CHECK (true)', t);
    END LOOP;
END;
$$;

-- A unit: visible in the granted subtrees; a new unit must hang below one.
CREATE POLICY editor_units ON @extschema@.units TO chibo_editor
    USING (id IN (SELECT @extschema@.granted_units()))
    WITH CHECK (id IN (SELECT @extschema@.granted_units()) OR parent_id IN (SELECT @extschema@.granted_units()));
-- A membership: in a granted subtree, of a member who is already the
-- editor's or not yet placed anywhere (a transfer from another committee's
-- cell is the admins' to enter).
CREATE POLICY editor_units ON @extschema@.memberships TO chibo_editor
    USING (unit_id IN (SELECT @extschema@.granted_units()))
    WITH CHECK (unit_id IN (SELECT @extschema@.granted_units())
                AND (member_id IN (SELECT @extschema@.granted_members())
                     OR member_id NOT IN (SELECT @extschema@.placed_members())));
CREATE POLICY editor_units ON @extschema@.meetings TO chibo_editor
    USING (unit_id IN (SELECT @extschema@.granted_units()))
    WITH CHECK (unit_id IN (SELECT @extschema@.granted_units()));
CREATE POLICY editor_units ON @extschema@.attendance TO chibo_editor
    USING (unit_id IN (SELECT @extschema@.granted_units()))
    WITH CHECK (unit_id IN (SELECT @extschema@.granted_units()));

-- A member: visible with a membership in a granted subtree.  Editors may
-- insert members; a member with no membership yet is visible to every
-- editor, so that its membership can be entered.
CREATE POLICY editor_read ON @extschema@.members FOR SELECT TO chibo_editor
    USING (id IN (SELECT @extschema@.granted_members()) OR id NOT IN (SELECT @extschema@.placed_members()));
CREATE POLICY editor_insert ON @extschema@.members FOR INSERT TO chibo_editor
    WITH CHECK (true);
CREATE POLICY editor_update ON @extschema@.members FOR UPDATE TO chibo_editor
    USING (id IN (SELECT @extschema@.granted_members()))
    WITH CHECK (id IN (SELECT @extschema@.granted_members()));
CREATE POLICY editor_delete ON @extschema@.members FOR DELETE TO chibo_editor
    USING (id IN (SELECT @extschema@.granted_members()));
CREATE POLICY editor_members ON @extschema@.exemptions TO chibo_editor
    USING (member_id IN (SELECT @extschema@.granted_members()))
    WITH CHECK (member_id IN (SELECT @extschema@.granted_members()));
CREATE POLICY editor_members ON @extschema@.task_registrations TO chibo_editor
    USING (member_id IN (SELECT @extschema@.granted_members()))
    WITH CHECK (member_id IN (SELECT @extschema@.granted_members()));
-- Assessments and classifications: of a member, or of a cell.
CREATE POLICY editor_subjects ON @extschema@.assessments TO chibo_editor
    USING (unit_id IN (SELECT @extschema@.granted_units()) OR member_id IN (SELECT @extschema@.granted_members()))
    WITH CHECK (unit_id IN (SELECT @extschema@.granted_units()) OR member_id IN (SELECT @extschema@.granted_members()));
CREATE POLICY editor_subjects ON @extschema@.classifications TO chibo_editor
    USING (unit_id IN (SELECT @extschema@.granted_units()) OR member_id IN (SELECT @extschema@.granted_members()))
    WITH CHECK (unit_id IN (SELECT @extschema@.granted_units()) OR member_id IN (SELECT @extschema@.granted_members()));

DO $$
DECLARE
    p record;
BEGIN
    FOR p IN SELECT pol.polname, c.relname
               FROM pg_catalog.pg_policy pol JOIN pg_catalog.pg_class c ON c.oid = pol.polrelid
              WHERE c.relnamespace = '@extschema@'::regnamespace LOOP
        EXECUTE pg_catalog.format('COMMENT ON POLICY %I ON @extschema@.%I IS %L', p.polname, p.relname,
            CASE p.polname
                WHEN 'admin_all' THEN 'chibo_admin sees and changes every row'
                WHEN 'reader_all' THEN 'chibo_reader reads every row (the report views read this table)'
                WHEN 'editor_units' THEN 'chibo_editor: the rows of units in the subtrees granted to the role'
                WHEN 'editor_members' THEN 'chibo_editor: the rows of members with a membership in a granted subtree'
                WHEN 'editor_subjects' THEN 'chibo_editor: the rows of cells in a granted subtree and of their members'
                WHEN 'editor_read' THEN 'chibo_editor reads members with a membership in a granted subtree, and members with no membership yet'
                WHEN 'editor_insert' THEN 'chibo_editor may enter a new member (visible once a membership in a granted unit is entered)'
                WHEN 'editor_update' THEN 'chibo_editor corrects members with a membership in a granted subtree'
                WHEN 'editor_delete' THEN 'chibo_editor deletes members with a membership in a granted subtree'
                WHEN 'own_grants' THEN 'chibo_reader and chibo_editor see the grants of the roles whose privileges they have'
            END);
    END LOOP;
END;
$$;

-- 4. Views that read the grants -------------------------------------------

-- The headline finds the tops of the caller's tree among its grants.
CREATE OR REPLACE VIEW chibo_report.headline WITH (security_invoker = true) AS
SELECT y.unit_code, y.unit_name, y.year, y.first_month, y.last_month, y.end_date,
       y.active_members,
       y.task_registered, y.task_registration_text, y.task_registration_percent,
       y.four_good, y.four_good_text, y.four_good_percent,
       y.cells_total, y.cells_passing,
       y.cells_passing_text, y.cells_passing_percent,
       y.attendance_present, y.attendance_expected, y.attendance_text, y.attendance_percent
  FROM chibo_report.unit_year y
 -- The tops of the tree the caller sees: the units it sees without a
 -- parent, or whose parent it does not see.  A unit whose parent is hidden
 -- can only be one granted to the caller (a grant gives a whole subtree),
 -- so only the units without a parent and the caller's granted units are
 -- tried, through indexes, instead of every unit.
 WHERE y.unit_code IN (
        SELECT u.code FROM @extschema@.units u
         WHERE u.id IN (SELECT r.id FROM @extschema@.units r WHERE r.parent_id IS NULL
                        UNION ALL
                        SELECT g.unit_id FROM @extschema@.unit_grants g
                          JOIN pg_catalog.pg_roles o ON o.rolname = g.role_name
                         WHERE pg_catalog.pg_has_role(o.oid, 'USAGE'))
           AND (u.parent_id IS NULL
                OR NOT EXISTS (SELECT FROM @extschema@.units v WHERE v.id = u.parent_id)));
COMMENT ON VIEW chibo_report.headline IS
    'the published figures per top-level committee (for a login granted part of the tree: per granted committee) and year (Báo cáo): members registered for a new or difficult task, "Đảng viên 4 tốt", cells at or above 85% attendance every month, pooled attendance';
