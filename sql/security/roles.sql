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
