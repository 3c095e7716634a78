-- chibo: reading, checking and applying each file of the data contract.
--
-- For each file F: chibo_import.load_F() types the staged rows and resolves
-- codes to ids (format problems become reasons here); the checks and the
-- writes of most files are generic (chibo_import.files() lists their
-- tables, columns and rule functions, chibo_import.check_rule() and
-- apply_rows() run them); units, memberships and attendance have their own
-- check_F(step), and attendance its own apply_attendance(step, line).
-- Rows equal to what is stored are accepted and not written again, so a
-- re-import changes nothing.
--
-- line numbers the staged rows in the order a sequential scan returns them,
-- which is the order they were staged (import_staged() turns off parallel
-- and synchronised scans for this); src is the staged row's ctid, from which
-- a rejected row is read back as loaded.  The typed values are computed
-- once (typed AS MATERIALIZED), not again in every join condition that uses
-- them.

-- units.csv --------------------------------------------------------------

CREATE FUNCTION chibo_import.load_units() RETURNS void
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

-- Step n: the units whose parent is not waiting in this batch (parents
-- first, so a parent may be listed after its children).  Returns how many
-- units the step holds.
CREATE FUNCTION chibo_import.check_units(p_step integer) RETURNS bigint
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

-- The changes to stored units that waited for the memberships and meetings
-- of the batch: tried again, deepest units first (a cell closes before its
-- committee); what still breaks a rule is rejected.
CREATE FUNCTION chibo_import.retry_units() RETURNS void
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


-- members.csv ------------------------------------------------------------

CREATE FUNCTION chibo_import.load_members() RETURNS void
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

-- memberships.csv --------------------------------------------------------
-- Step 1 changes stored memberships (a transfer closes one), step 2 adds
-- new ones, so a closed membership and the next one may come together.

CREATE FUNCTION chibo_import.load_memberships() RETURNS void
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

CREATE FUNCTION chibo_import.check_memberships(p_step integer) RETURNS void
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

-- exemptions.csv ---------------------------------------------------------

CREATE FUNCTION chibo_import.load_exemptions() RETURNS void
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

-- meetings.csv -----------------------------------------------------------

CREATE FUNCTION chibo_import.load_meetings() RETURNS void
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

-- attendance.csv ---------------------------------------------------------

CREATE FUNCTION chibo_import.load_attendance() RETURNS void
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

CREATE FUNCTION chibo_import.check_attendance(p_step integer) RETURNS void
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

CREATE FUNCTION chibo_import.apply_attendance(p_step integer, p_line bigint) RETURNS void
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

-- task_registrations.csv -------------------------------------------------

CREATE FUNCTION chibo_import.load_task_registrations() RETURNS void
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

-- assessments.csv and classifications.csv: the subject is a member or a cell.

-- The member or cell a staged subject names, and why it cannot be used.
-- (Declared as returning a set of one row, so that the planner inlines it
-- into the import's query instead of calling it row by row.)
CREATE FUNCTION chibo_import.subject(p_kind text, p_code text)
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

CREATE FUNCTION chibo_import.load_assessments() RETURNS void
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

CREATE FUNCTION chibo_import.load_classifications() RETURNS void
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

