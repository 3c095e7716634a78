-- A textual description of an installed extension, object by object, that
-- does not depend on OIDs: two databases whose extensions describe alike
-- hold the same extension.  Used by the upgrade stage of the test command
-- (test/cluster/upgrade_stage.sh), which compares a fresh install with a
-- released version brought up by ALTER EXTENSION ... UPDATE.
--
--   psql -X -At -v ext=chibo -v roles=referenced -f test/cluster/extension_objects.sql DB
--
-- One row per line of description: the object's identity (the type and
-- identity of pg_identify_object, which name everything by name), a tab,
-- and one line about it; sorted.  Described:
--   - every object that belongs to the extension (pg_depend deptype 'e'),
--     the extension's own schema, and the extension itself (version,
--     schema, the tables and sequences pg_dump dumps and their conditions);
--   - functions: pg_get_functiondef, plus proconfig, prosecdef,
--     proparallel, provolatile, proleakproof, procost, prorows, prosupport;
--     aggregates: their signature and pg_aggregate row, functions by name;
--   - tables, views, sequences: kind, persistence, access method, options,
--     row-level security (enabled, forced), replica identity, columns in
--     order (type, not null, default, identity, generated, collation,
--     options, privileges, comment), constraints, indexes, triggers (and
--     whether enabled), policies, rules, view definitions, sequence
--     parameters and owning column, partitioning and inheritance;
--   - types (base, enum, domain, composite, range), operators, operator
--     classes and families (their operators and support functions), casts,
--     event triggers;
--   - for every object: owner, privileges (NULL shown as the default they
--     stand for, items sorted), initial privileges (pg_init_privs, which
--     pg_dump reads to leave the extension's own grants out of a dump),
--     comment;
--   - default privileges (pg_default_acl) of the database;
--   - roles: with roles=referenced, every role named in the privileges
--     (grantee or grantor), policies or default privileges above; with roles=all, every role of the cluster
--     but postgres and the predefined pg_* roles (for a cluster of its
--     own, where all of them came from the extension).  Attributes,
--     settings, memberships and comment.
--
-- Names are printed with search_path = pg_catalog, so that every name of
-- the extension comes out qualified by its schema.

\set ON_ERROR_STOP 1
\if :{?ext}
\else
\set ext chibo
\endif
\if :{?roles}
\else
\set roles referenced
\endif
\set QUIET on
SET search_path = pg_catalog;
SET client_min_messages = warning;

-- pg_temp helpers: gone at the end of the session, never part of the
-- extension, so describing does not change what is described.
CREATE FUNCTION pg_temp.acl_text(acl aclitem[], kind "char", owner oid) RETURNS text
    LANGUAGE sql STABLE
AS $$ SELECT coalesce(string_agg(a::text, ' ' ORDER BY a::text), '(none)')
        FROM unnest(coalesce(acl, acldefault(kind, owner))) AS a $$;
CREATE FUNCTION pg_temp.one_line(t text) RETURNS text
    LANGUAGE sql IMMUTABLE
AS $$ SELECT replace(replace(t, E'\\', E'\\\\'), E'\n', E'\\n') $$;

CREATE TEMP TABLE described (ident text, sect int, k text, line text);

-- The objects: members of the extension, its schema, the extension itself.
CREATE TEMP TABLE obj AS
WITH ext AS (
    SELECT oid, extnamespace FROM pg_extension WHERE extname = :'ext'
), m AS (
    SELECT d.classid, d.objid, d.objsubid, true AS member
      FROM pg_depend d, ext
     WHERE d.refclassid = 'pg_extension'::regclass AND d.refobjid = ext.oid AND d.deptype = 'e'
    UNION ALL
    SELECT 'pg_namespace'::regclass, extnamespace, 0, false FROM ext
    UNION ALL
    SELECT 'pg_extension'::regclass, oid, 0, false FROM ext
)
SELECT m.classid::regclass AS classid, m.objid, m.member,
       format('%s %s', i.type, i.identity) AS ident
  FROM m, pg_identify_object(m.classid, m.objid, m.objsubid) AS i;

-- Every object: membership, comment, initial privileges.
INSERT INTO described
SELECT ident, 0, '', CASE WHEN member THEN 'member of the extension' ELSE 'not a member (the extension''s schema or the extension)' END
  FROM obj;
INSERT INTO described
SELECT o.ident, 1, '', 'comment: ' || pg_temp.one_line(d.description)
  FROM obj o JOIN pg_description d ON d.classoid = o.classid AND d.objoid = o.objid AND d.objsubid = 0;
INSERT INTO described
SELECT o.ident, 2, ip.objsubid::text,
       format('initial privileges (pg_init_privs %s)%s: %s', ip.privtype,
              CASE WHEN ip.objsubid <> 0 THEN ' of column ' || quote_ident(a.attname) END,
              (SELECT string_agg(x::text, ' ' ORDER BY x::text) FROM unnest(ip.initprivs) x))
  FROM obj o JOIN pg_init_privs ip ON ip.classoid = o.classid AND ip.objoid = o.objid
  LEFT JOIN pg_attribute a ON o.classid = 'pg_class'::regclass AND a.attrelid = o.objid AND a.attnum = ip.objsubid;

-- The extension.
INSERT INTO described
SELECT o.ident, 10, '', format('version %s, schema %s, relocatable %s', e.extversion, e.extnamespace::regnamespace, e.extrelocatable)
  FROM obj o JOIN pg_extension e ON o.classid = 'pg_extension'::regclass AND e.oid = o.objid;
INSERT INTO described
SELECT o.ident, 11, c.rel::regclass::text,
       format('dumped by pg_dump: %s %s', c.rel::regclass, coalesce(nullif(c.cond, ''), '(all rows)'))
  FROM obj o JOIN pg_extension e ON o.classid = 'pg_extension'::regclass AND e.oid = o.objid,
       unnest(e.extconfig, e.extcondition) AS c(rel, cond);

-- Schemas.
INSERT INTO described
SELECT o.ident, 10, '', format('owner %s, privileges %s', n.nspowner::regrole, pg_temp.acl_text(n.nspacl, 'n', n.nspowner))
  FROM obj o JOIN pg_namespace n ON o.classid = 'pg_namespace'::regclass AND n.oid = o.objid;

-- Functions and procedures.
INSERT INTO described
SELECT o.ident, 10, '',
       format('owner %s, privileges %s, volatility %s, parallel %s, security definer %s, leakproof %s, strict %s, cost %s, rows %s, support %s, config %s',
              p.proowner::regrole, pg_temp.acl_text(p.proacl, 'f', p.proowner), p.provolatile, p.proparallel,
              p.prosecdef, p.proleakproof, p.proisstrict, p.procost, p.prorows, p.prosupport::regprocedure,
              coalesce(array_to_string(p.proconfig, ', '), '(none)'))
  FROM obj o JOIN pg_proc p ON o.classid = 'pg_proc'::regclass AND p.oid = o.objid;
INSERT INTO described
SELECT o.ident, 20, lpad(l.n::text, 6, '0'), '| ' || l.line
  FROM obj o JOIN pg_proc p ON o.classid = 'pg_proc'::regclass AND p.oid = o.objid AND p.prokind <> 'a',
       regexp_split_to_table(pg_get_functiondef(p.oid), E'\n') WITH ORDINALITY AS l(line, n);

-- Aggregates.
INSERT INTO described
SELECT o.ident, 20, '',
       format('aggregate (%s) returns %s: kind %s, direct args %s, sfunc %s, stype %s, sspace %s, finalfunc %s, finalextra %s, finalmodify %s, combinefunc %s, serialfunc %s, deserialfunc %s, initcond %s, msfunc %s, minvfunc %s, mstype %s, msspace %s, mfinalfunc %s, mfinalextra %s, mfinalmodify %s, minitcond %s, sortop %s',
              pg_get_function_arguments(p.oid), pg_get_function_result(p.oid), a.aggkind, a.aggnumdirectargs,
              a.aggtransfn::regprocedure, a.aggtranstype::regtype, a.aggtransspace,
              nullif(a.aggfinalfn, 0)::regprocedure, a.aggfinalextra, a.aggfinalmodify,
              nullif(a.aggcombinefn, 0)::regprocedure, nullif(a.aggserialfn, 0)::regprocedure,
              nullif(a.aggdeserialfn, 0)::regprocedure, coalesce(a.agginitval, '(null)'),
              nullif(a.aggmtransfn, 0)::regprocedure, nullif(a.aggminvtransfn, 0)::regprocedure,
              nullif(a.aggmtranstype, 0)::regtype, a.aggmtransspace, nullif(a.aggmfinalfn, 0)::regprocedure,
              a.aggmfinalextra, a.aggmfinalmodify, coalesce(a.aggminitval, '(null)'),
              nullif(a.aggsortop, 0)::regoperator)
  FROM obj o JOIN pg_proc p ON o.classid = 'pg_proc'::regclass AND p.oid = o.objid
  JOIN pg_aggregate a ON a.aggfnoid = p.oid;

-- Relations (tables, views, sequences, ...) and the relations of
-- composite types: what is said of the relation itself.
CREATE TEMP TABLE rel AS
SELECT o.ident, c.oid AS relid
  FROM obj o JOIN pg_class c ON o.classid = 'pg_class'::regclass AND c.oid = o.objid
UNION ALL
SELECT o.ident, t.typrelid
  FROM obj o JOIN pg_type t ON o.classid = 'pg_type'::regclass AND t.oid = o.objid AND t.typtype = 'c';

INSERT INTO described
SELECT r.ident, 10, '',
       format('kind %s, persistence %s, access method %s, options %s, row security %s, forced %s, replica identity %s, owner %s, privileges %s',
              c.relkind, c.relpersistence, coalesce(am.amname, '(none)'),
              coalesce(array_to_string(c.reloptions, ', '), '(none)'), c.relrowsecurity, c.relforcerowsecurity,
              c.relreplident, c.relowner::regrole,
              pg_temp.acl_text(c.relacl, CASE c.relkind WHEN 'S' THEN 's' ELSE 'r' END::"char", c.relowner))
  FROM rel r JOIN pg_class c ON c.oid = r.relid
  LEFT JOIN pg_am am ON am.oid = c.relam
 WHERE c.relkind <> 'c';
INSERT INTO described
SELECT r.ident, 11, '', 'partitioned by ' || pg_get_partkeydef(c.oid)
  FROM rel r JOIN pg_class c ON c.oid = r.relid WHERE c.relkind = 'p';
INSERT INTO described
SELECT r.ident, 11, i.inhseqno::text, format('inherits from %s', i.inhparent::regclass)
       || coalesce(', ' || pg_get_expr(c.relpartbound, c.oid), '')
  FROM rel r JOIN pg_inherits i ON i.inhrelid = r.relid JOIN pg_class c ON c.oid = r.relid;

-- Columns, in order (the position counts the columns not dropped).  Column
-- options named pg_* are left out: this server's build stamps every column
-- with a pg_attver=N option whose value differs from one install to the
-- next (only n_distinct and n_distinct_inherited are set by users).
INSERT INTO described
SELECT r.ident, 20, lpad(a.pos::text, 4, '0'),
       format('column %s %s %s%s%s%s%s%s%s%s%s',
              a.pos, quote_ident(a.attname), format_type(a.atttypid, a.atttypmod),
              CASE WHEN a.attnotnull THEN ' NOT NULL' END,
              ' DEFAULT ' || pg_temp.one_line(pg_get_expr(ad.adbin, ad.adrelid)),
              CASE a.attidentity WHEN 'a' THEN ' GENERATED ALWAYS AS IDENTITY'
                                 WHEN 'd' THEN ' GENERATED BY DEFAULT AS IDENTITY' END,
              CASE WHEN a.attgenerated = 's' THEN ' (stored, generated)' END,
              CASE WHEN a.attcollation <> t.typcollation THEN ' COLLATE ' || co.collnamespace::regnamespace || '.' || quote_ident(co.collname) END,
              ' options ' || (SELECT string_agg(x, ', ' ORDER BY x) FROM unnest(a.attoptions) x WHERE x !~ '^pg_'),
              ' privileges ' || (SELECT string_agg(x::text, ' ' ORDER BY x::text) FROM unnest(a.attacl) x),
              ' comment: ' || pg_temp.one_line(col_description(a.attrelid, a.attnum)))
  FROM rel r
  JOIN pg_class c ON c.oid = r.relid AND c.relkind <> 'S'
  JOIN (SELECT a.*, row_number() OVER (PARTITION BY a.attrelid ORDER BY a.attnum) AS pos
          FROM pg_attribute a WHERE a.attnum > 0 AND NOT a.attisdropped) a ON a.attrelid = r.relid
  JOIN pg_type t ON t.oid = a.atttypid
  LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
  LEFT JOIN pg_collation co ON co.oid = a.attcollation;

-- Constraints of tables and domains.
INSERT INTO described
SELECT r.ident, 30, k.conname,
       format('constraint %s %s', quote_ident(k.conname), pg_get_constraintdef(k.oid))
       || coalesce(' comment: ' || pg_temp.one_line(obj_description(k.oid, 'pg_constraint')), '')
  FROM rel r JOIN pg_constraint k ON k.conrelid = r.relid;
INSERT INTO described
SELECT o.ident, 30, k.conname,
       format('constraint %s %s', quote_ident(k.conname), pg_get_constraintdef(k.oid))
       || coalesce(' comment: ' || pg_temp.one_line(obj_description(k.oid, 'pg_constraint')), '')
  FROM obj o JOIN pg_constraint k ON o.classid = 'pg_type'::regclass AND k.contypid = o.objid;

-- Indexes.
INSERT INTO described
SELECT r.ident, 40, ic.relname,
       pg_get_indexdef(i.indexrelid)
       || CASE WHEN i.indisclustered THEN ' (clustered)' ELSE '' END
       || CASE WHEN i.indisreplident THEN ' (replica identity)' ELSE '' END
       || CASE WHEN NOT i.indisvalid THEN ' (INVALID)' ELSE '' END
       || coalesce(' comment: ' || pg_temp.one_line(obj_description(i.indexrelid, 'pg_class')), '')
  FROM rel r JOIN pg_index i ON i.indrelid = r.relid JOIN pg_class ic ON ic.oid = i.indexrelid;

-- Triggers.
INSERT INTO described
SELECT r.ident, 50, tg.tgname,
       pg_get_triggerdef(tg.oid)
       || CASE tg.tgenabled WHEN 'O' THEN '' ELSE format(' (enabled: %s)', tg.tgenabled) END
       || coalesce(' comment: ' || pg_temp.one_line(obj_description(tg.oid, 'pg_trigger')), '')
  FROM rel r JOIN pg_trigger tg ON tg.tgrelid = r.relid AND NOT tg.tgisinternal;

-- Row-level security policies.
INSERT INTO described
SELECT r.ident, 60, p.polname,
       format('policy %s %s FOR %s TO %s%s%s', quote_ident(p.polname),
              CASE WHEN p.polpermissive THEN 'PERMISSIVE' ELSE 'RESTRICTIVE' END,
              CASE p.polcmd WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT' WHEN 'w' THEN 'UPDATE'
                            WHEN 'd' THEN 'DELETE' WHEN '*' THEN 'ALL' END,
              (SELECT string_agg(CASE WHEN x = 0 THEN 'PUBLIC' ELSE x::regrole::text END, ', ' ORDER BY 1)
                 FROM unnest(p.polroles) x),
              ' USING (' || pg_temp.one_line(pg_get_expr(p.polqual, p.polrelid)) || ')',
              ' WITH CHECK (' || pg_temp.one_line(pg_get_expr(p.polwithcheck, p.polrelid)) || ')')
       || coalesce(' comment: ' || pg_temp.one_line(obj_description(p.oid, 'pg_policy')), '')
  FROM rel r JOIN pg_policy p ON p.polrelid = r.relid;

-- Rules other than a view's own.
INSERT INTO described
SELECT r.ident, 70, w.rulename, pg_temp.one_line(pg_get_ruledef(w.oid))
       || CASE w.ev_enabled WHEN 'O' THEN '' ELSE format(' (enabled: %s)', w.ev_enabled) END
  FROM rel r JOIN pg_rewrite w ON w.ev_class = r.relid AND w.rulename <> '_RETURN';

-- View definitions, line by line.
INSERT INTO described
SELECT r.ident, 80, lpad(l.n::text, 6, '0'), '| ' || l.line
  FROM rel r JOIN pg_class c ON c.oid = r.relid AND c.relkind IN ('v', 'm'),
       regexp_split_to_table(pg_get_viewdef(c.oid, true), E'\n') WITH ORDINALITY AS l(line, n);

-- Sequences: parameters and owning column.
INSERT INTO described
SELECT r.ident, 90, '',
       format('sequence as %s start %s increment %s minvalue %s maxvalue %s cache %s cycle %s',
              s.seqtypid::regtype, s.seqstart, s.seqincrement, s.seqmin, s.seqmax, s.seqcache, s.seqcycle)
  FROM rel r JOIN pg_sequence s ON s.seqrelid = r.relid;
INSERT INTO described
SELECT r.ident, 91, '',
       format('owned by %s.%s (dependency %s)', d.refobjid::regclass, quote_ident(a.attname), d.deptype)
  FROM rel r JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = r.relid
                             AND d.refclassid = 'pg_class'::regclass AND d.refobjsubid > 0 AND d.deptype IN ('a', 'i')
  JOIN pg_class c ON c.oid = r.relid AND c.relkind = 'S'
  JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid;

-- Types.
INSERT INTO described
SELECT o.ident, 10, '',
       format('type %s: owner %s, privileges %s, length %s, by value %s, align %s, storage %s, category %s, preferred %s, delimiter %s, input %s, output %s, receive %s, send %s, typmod in %s, typmod out %s, analyze %s, subscript %s, element %s, array %s, collation %s, default %s, base type %s, typmod %s, dimensions %s, not null %s',
              t.typtype, t.typowner::regrole, pg_temp.acl_text(t.typacl, 'T', t.typowner), t.typlen, t.typbyval,
              t.typalign, t.typstorage, t.typcategory, t.typispreferred, t.typdelim,
              t.typinput::regprocedure, t.typoutput::regprocedure, nullif(t.typreceive, 0)::regprocedure,
              nullif(t.typsend, 0)::regprocedure, nullif(t.typmodin, 0)::regprocedure,
              nullif(t.typmodout, 0)::regprocedure, nullif(t.typanalyze, 0)::regprocedure,
              nullif(t.typsubscript, 0)::regprocedure, nullif(t.typelem, 0)::regtype,
              nullif(t.typarray, 0)::regtype, nullif(t.typcollation, 0)::regcollation,
              coalesce(pg_temp.one_line(t.typdefault), '(none)'), nullif(t.typbasetype, 0)::regtype,
              t.typtypmod, t.typndims, t.typnotnull)
  FROM obj o JOIN pg_type t ON o.classid = 'pg_type'::regclass AND t.oid = o.objid;
INSERT INTO described
SELECT o.ident, 20, to_char(e.enumsortorder, 'FM0000000000.0000000000'),
       format('label %s', quote_literal(e.enumlabel))
  FROM obj o JOIN pg_enum e ON o.classid = 'pg_type'::regclass AND e.enumtypid = o.objid;
INSERT INTO described
SELECT o.ident, 20, '',
       format('range of %s, collation %s, opclass %s, canonical %s, subdiff %s, multirange %s',
              rg.rngsubtype::regtype, nullif(rg.rngcollation, 0)::regcollation, oc.opcname,
              nullif(rg.rngcanonical, 0)::regprocedure, nullif(rg.rngsubdiff, 0)::regprocedure,
              nullif(rg.rngmultitypid, 0)::regtype)
  FROM obj o JOIN pg_range rg ON o.classid = 'pg_type'::regclass AND rg.rngtypid = o.objid
  JOIN pg_opclass oc ON oc.oid = rg.rngsubopc;

-- Operators.
INSERT INTO described
SELECT o.ident, 10, '',
       format('operator: owner %s, kind %s, result %s, function %s, commutator %s, negator %s, restrict %s, join %s, merges %s, hashes %s',
              p.oprowner::regrole, p.oprkind, p.oprresult::regtype, p.oprcode::regprocedure,
              nullif(p.oprcom, 0)::regoperator, nullif(p.oprnegate, 0)::regoperator,
              nullif(p.oprrest, 0)::regprocedure, nullif(p.oprjoin, 0)::regprocedure,
              p.oprcanmerge, p.oprcanhash)
  FROM obj o JOIN pg_operator p ON o.classid = 'pg_operator'::regclass AND p.oid = o.objid;

-- Operator classes and families.
INSERT INTO described
SELECT o.ident, 10, '',
       format('operator class: owner %s, for type %s, default %s, family %s, storage %s',
              c.opcowner::regrole, c.opcintype::regtype, c.opcdefault,
              (SELECT format('%s.%s', f.opfnamespace::regnamespace, quote_ident(f.opfname)) FROM pg_opfamily f WHERE f.oid = c.opcfamily),
              nullif(c.opckeytype, 0)::regtype)
  FROM obj o JOIN pg_opclass c ON o.classid = 'pg_opclass'::regclass AND c.oid = o.objid;
INSERT INTO described
SELECT o.ident, 10, '', format('operator family: owner %s', f.opfowner::regrole)
  FROM obj o JOIN pg_opfamily f ON o.classid = 'pg_opfamily'::regclass AND f.oid = o.objid;
INSERT INTO described
SELECT o.ident, 20, format('%s %s %s', lpad(a.amopstrategy::text, 3, '0'), a.amoplefttype::regtype, a.amoprighttype::regtype),
       format('operator %s %s (%s, %s) purpose %s%s', a.amopstrategy, a.amopopr::regoperator,
              a.amoplefttype::regtype, a.amoprighttype::regtype, a.amoppurpose,
              ' order by family ' || nullif(a.amopsortfamily, 0)::text)
  FROM obj o JOIN pg_amop a ON o.classid = 'pg_opfamily'::regclass AND a.amopfamily = o.objid;
INSERT INTO described
SELECT o.ident, 30, format('%s %s %s', lpad(p.amprocnum::text, 3, '0'), p.amproclefttype::regtype, p.amprocrighttype::regtype),
       format('function %s (%s, %s) %s', p.amprocnum, p.amproclefttype::regtype, p.amprocrighttype::regtype,
              p.amproc::regprocedure)
  FROM obj o JOIN pg_amproc p ON o.classid = 'pg_opfamily'::regclass AND p.amprocfamily = o.objid;

-- Casts.
INSERT INTO described
SELECT o.ident, 10, '',
       format('cast: function %s, context %s, method %s', nullif(c.castfunc, 0)::regprocedure, c.castcontext, c.castmethod)
  FROM obj o JOIN pg_cast c ON o.classid = 'pg_cast'::regclass AND c.oid = o.objid;

-- Event triggers.
INSERT INTO described
SELECT o.ident, 10, '',
       format('event trigger on %s: function %s, enabled %s, tags %s, owner %s', e.evtevent,
              e.evtfoid::regprocedure, e.evtenabled, coalesce(array_to_string(e.evttags, ', '), '(all)'),
              e.evtowner::regrole)
  FROM obj o JOIN pg_event_trigger e ON o.classid = 'pg_event_trigger'::regclass AND e.oid = o.objid;

-- Default privileges of the database.
INSERT INTO described
SELECT 'default privileges', 10,
       format('%s %s %s', d.defaclrole::regrole, coalesce(d.defaclnamespace::regnamespace::text, '-'), d.defaclobjtype),
       format('for role %s in schema %s on %s: %s', d.defaclrole::regrole,
              coalesce(d.defaclnamespace::regnamespace::text, '(any)'), d.defaclobjtype,
              (SELECT string_agg(x::text, ' ' ORDER BY x::text) FROM unnest(d.defaclacl) x))
  FROM pg_default_acl d;

-- Roles.
CREATE TEMP TABLE role_ids (roleid oid);
INSERT INTO role_ids
SELECT r.oid FROM pg_roles r
 WHERE :'roles' = 'all' AND r.rolname !~ '^pg_' AND r.oid <> 10;
CREATE TEMP TABLE acls (acl aclitem[]);   -- every privilege described above
INSERT INTO acls
SELECT n.nspacl FROM obj o JOIN pg_namespace n ON o.classid = 'pg_namespace'::regclass AND n.oid = o.objid
UNION ALL SELECT p.proacl FROM obj o JOIN pg_proc p ON o.classid = 'pg_proc'::regclass AND p.oid = o.objid
UNION ALL SELECT t.typacl FROM obj o JOIN pg_type t ON o.classid = 'pg_type'::regclass AND t.oid = o.objid
UNION ALL SELECT c.relacl FROM rel r JOIN pg_class c ON c.oid = r.relid
UNION ALL SELECT a.attacl FROM rel r JOIN pg_attribute a ON a.attrelid = r.relid
UNION ALL SELECT ip.initprivs FROM obj o JOIN pg_init_privs ip ON ip.classoid = o.classid AND ip.objoid = o.objid
UNION ALL SELECT d.defaclacl FROM pg_default_acl d;
INSERT INTO role_ids
SELECT x.grantee FROM acls, aclexplode(acls.acl) x WHERE :'roles' = 'referenced'
UNION
SELECT x.grantor FROM acls, aclexplode(acls.acl) x WHERE :'roles' = 'referenced'
UNION
SELECT x FROM pg_policy p JOIN rel r ON r.relid = p.polrelid, unnest(p.polroles) x
 WHERE :'roles' = 'referenced'
UNION
SELECT d.defaclrole FROM pg_default_acl d WHERE :'roles' = 'referenced';
DELETE FROM role_ids WHERE roleid = 0 OR roleid = 10;   -- PUBLIC, the bootstrap superuser
INSERT INTO described
SELECT DISTINCT format('role %s', quote_ident(r.rolname)), 10, '',
       format('super %s, inherit %s, create role %s, create db %s, login %s, replication %s, bypass rls %s, connection limit %s, valid until %s, settings %s',
              r.rolsuper, r.rolinherit, r.rolcreaterole, r.rolcreatedb, r.rolcanlogin, r.rolreplication,
              r.rolbypassrls, r.rolconnlimit, coalesce(r.rolvaliduntil::text, '(always)'),
              coalesce(array_to_string(r.rolconfig, ', '), '(none)'))
  FROM pg_roles r JOIN (SELECT DISTINCT roleid FROM role_ids) i ON i.roleid = r.oid;
INSERT INTO described
SELECT DISTINCT format('role %s', quote_ident(r.rolname)), 20, m.roleid::regrole::text,
       format('member of %s%s', m.roleid::regrole, CASE WHEN m.admin_option THEN ' with admin option' ELSE '' END)
  FROM pg_roles r JOIN role_ids i ON i.roleid = r.oid JOIN pg_auth_members m ON m.member = r.oid;
INSERT INTO described
SELECT DISTINCT format('role %s', quote_ident(r.rolname)), 21, m.member::regrole::text,
       format('has member %s%s', m.member::regrole, CASE WHEN m.admin_option THEN ' with admin option' ELSE '' END)
  FROM pg_roles r JOIN role_ids i ON i.roleid = r.oid JOIN pg_auth_members m ON m.roleid = r.oid;
INSERT INTO described
SELECT DISTINCT format('role %s', quote_ident(r.rolname)), 30, '', 'comment: ' || pg_temp.one_line(d.description)
  FROM pg_roles r JOIN role_ids i ON i.roleid = r.oid
  JOIN pg_shdescription d ON d.classoid = 'pg_authid'::regclass AND d.objoid = r.oid;

SELECT ident || E'\t' || line FROM described ORDER BY ident, sect, k, line;
