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
