-- chibo: units, the party organisation tree with history.
--
-- A unit is a committee (đảng bộ) or a cell (chi bộ).  The tree changes over
-- time, so a unit carries the dates it existed ([valid_from, valid_to), an
-- empty valid_to meaning it still exists) and its parent must exist for the
-- whole of that time.  A restructure closes units and opens new ones; it
-- never rewrites a unit's parent after the fact.
--
-- The rules of each table live in one function: unit_problem() for a unit
-- row (units, memberships and schemes are checked a row at a time), or a
-- rule function such as members_rule() that writes one set-based query
-- checking many rows at once (the big tables).  The tables' triggers run
-- them on every direct INSERT or UPDATE, and chibo.import_staged() runs the
-- same functions to give each rejected CSV row its reason.  A problem is
-- 'SQLSTATE message' (NULL: no problem); the triggers raise it with that
-- SQLSTATE.

CREATE SCHEMA chibo_import;
COMMENT ON SCHEMA chibo_import IS
    'chibo CSV import: one staging table per file of the data contract, and the rejects of every import';

-- Raise a problem string 'SQLSTATE message' as an error (no-op for NULL).
CREATE FUNCTION @extschema@.raise_problem(problem text) RETURNS void
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

-- Whether this session is a superuser's pg_restore.  Its rows come from a
-- dump of a database that held them, checked: the triggers that check
-- rules, record changes for the refresh and audit them let them through
-- (a superuser could disable those triggers anyway), so that a restore
-- neither re-checks millions of rows against tables without statistics
-- yet nor records the restored rows as new changes.
CREATE FUNCTION @extschema@.restoring() RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT pg_catalog.current_setting('application_name') = 'pg_restore'
           AND COALESCE((SELECT r.rolsuper FROM pg_catalog.pg_roles r WHERE r.rolname = SESSION_USER), false);
END;
COMMENT ON FUNCTION @extschema@.restoring() IS
    'whether this session is a superuser''s pg_restore: the checking, tracking and audit triggers let its rows through';

-- The rows a statement wrote, checked all at once: TG_ARGV[0] names the
-- table's rule function, which writes the query that finds the rows
-- breaking a rule (see members_rule).  The first problem is raised.
CREATE FUNCTION @extschema@.check_rows() RETURNS trigger
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

-- A date as the contract writes it, YYYY-MM-DD ('open' for NULL: no end).
CREATE FUNCTION @extschema@.date_text(d date) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN COALESCE(pg_catalog.to_char(d::timestamp, 'YYYY-MM-DD'), 'open');
COMMENT ON FUNCTION @extschema@.date_text(date) IS
    'a date as YYYY-MM-DD whatever the DateStyle; ''open'' for NULL (a period with no end)';

-- A period [from, to) as messages write it: from 2021-01-01 to 2024-01-01,
-- or from 2021-01-01 on when it has no end.
CREATE FUNCTION @extschema@.period_text(from_date date, to_date date) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN 'from ' || @extschema@.date_text(from_date)
           || CASE WHEN to_date IS NULL THEN ' on' ELSE ' to ' || @extschema@.date_text(to_date) END;
COMMENT ON FUNCTION @extschema@.period_text(date, date) IS
    'a period [from, to) as messages write it: from 2021-01-01 to 2024-01-01, or from 2021-01-01 on';

CREATE TABLE @extschema@.units (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code        text NOT NULL,
    parent_id   bigint REFERENCES @extschema@.units (id),
    name        text NOT NULL,
    kind        text NOT NULL,
    grassroots  boolean NOT NULL,
    cell_type   text,
    valid_from  date NOT NULL,
    valid_to    date,
    CONSTRAINT units_code_key UNIQUE (code)
);
SELECT pg_catalog.pg_extension_config_dump('@extschema@.units', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.units_id_seq', '');
CREATE INDEX units_parent_idx ON @extschema@.units (parent_id);

COMMENT ON TABLE @extschema@.units IS
    'party units (đảng bộ, chi bộ) with the dates they existed; the tree as it stood on any date';
COMMENT ON COLUMN @extschema@.units.id IS 'surrogate key';
COMMENT ON COLUMN @extschema@.units.code IS 'natural key (units.csv code), such as TH.BUOI.07';
COMMENT ON COLUMN @extschema@.units.parent_id IS 'the parent committee, which exists for the whole of this unit''s validity; NULL for a root';
COMMENT ON COLUMN @extschema@.units.name IS 'name, such as Chi bộ tổ dân phố số 3';
COMMENT ON COLUMN @extschema@.units.kind IS 'committee (đảng bộ, has child units) or cell (chi bộ, has members and meetings)';
COMMENT ON COLUMN @extschema@.units.grassroots IS 'true for a grassroots organisation (tổ chức cơ sở đảng): a đảng bộ cơ sở or a chi bộ cơ sở';
COMMENT ON COLUMN @extschema@.units.cell_type IS 'cell type (loại hình chi bộ) of a cell; NULL for a committee';
COMMENT ON COLUMN @extschema@.units.valid_from IS 'first day the unit existed';
COMMENT ON COLUMN @extschema@.units.valid_to IS 'first day the unit no longer existed; NULL while it exists';

-- The cell types of the contract.
CREATE FUNCTION @extschema@.cell_types() RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN '{party_agency,administrative,public_service,armed_forces,school,enterprise,residential,other}'::text[];
COMMENT ON FUNCTION @extschema@.cell_types() IS
    'the cell types (loại hình chi bộ) a cell may have';

-- The rules of one unit row; NULL when it breaks none.
CREATE FUNCTION @extschema@.unit_problem(
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

-- units_check checks each row as it is written.  A parent written later in
-- the same statement (a restore's COPY writes rows in physical order) is
-- checked by units_check_tree when the statement ends.
CREATE FUNCTION @extschema@.units_check() RETURNS trigger
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
CREATE TRIGGER units_check BEFORE INSERT OR UPDATE ON @extschema@.units
    FOR EACH ROW EXECUTE FUNCTION @extschema@.units_check();
CREATE CONSTRAINT TRIGGER units_check_tree AFTER INSERT OR UPDATE OF parent_id ON @extschema@.units
    DEFERRABLE INITIALLY IMMEDIATE
    FOR EACH ROW EXECUTE FUNCTION @extschema@.units_check();
