-- chibo: meetings (buổi sinh hoạt chi bộ) and who attended them.
--
-- Attendance rows carry their meeting's cell and date (unit_id, held_on),
-- kept equal to the meeting's by a foreign key that cascades: a cell's
-- monthly rollup then reads one cell's rows only, and on Citus those rows
-- share the distribution key unit_id (docs/data-model.md).

CREATE TABLE @extschema@.meetings (
    id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    unit_id  bigint NOT NULL REFERENCES @extschema@.units (id),
    held_on  date NOT NULL,
    kind     text NOT NULL,
    topic    text,
    minutes  integer,
    CONSTRAINT meetings_natural_key UNIQUE (unit_id, held_on, kind),
    CONSTRAINT meetings_id_unit_date_key UNIQUE (id, unit_id, held_on)
);
SELECT pg_catalog.pg_extension_config_dump('@extschema@.meetings', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.meetings_id_seq', '');

COMMENT ON TABLE @extschema@.meetings IS
    'cell meetings: regular (định kỳ), thematic (chuyên đề), combined (both together), extraordinary';
COMMENT ON COLUMN @extschema@.meetings.id IS 'surrogate key';
COMMENT ON COLUMN @extschema@.meetings.unit_id IS 'the cell that met, existing on held_on';
COMMENT ON COLUMN @extschema@.meetings.held_on IS 'the date of the meeting, not in the future';
COMMENT ON COLUMN @extschema@.meetings.kind IS 'regular, thematic, combined or extraordinary';
COMMENT ON COLUMN @extschema@.meetings.topic IS 'topic, free text';
COMMENT ON COLUMN @extschema@.meetings.minutes IS 'duration in minutes, positive; NULL when not recorded';

-- The rules of one meeting row; NULL when it breaks none.
CREATE FUNCTION @extschema@.meeting_problem(
    p_unit_id bigint, p_held_on date, p_kind text, p_minutes integer)
RETURNS text
    LANGUAGE plpgsql STABLE PARALLEL SAFE
AS $$
DECLARE
    cell record;
    label text;
BEGIN
    SELECT u.code, u.kind, u.valid_from, u.valid_to INTO cell
      FROM @extschema@.units u WHERE u.id = p_unit_id;
    IF NOT FOUND THEN
        RETURN pg_catalog.format('23503 meeting: unit id %s does not exist', p_unit_id);
    END IF;
    label := pg_catalog.format('meeting of %s on %s', cell.code, @extschema@.date_text(p_held_on));
    IF p_held_on IS NULL THEN
        RETURN pg_catalog.format('23502 meeting of %s: held_on is empty', cell.code);
    ELSIF p_kind IS NULL OR p_kind NOT IN ('regular', 'thematic', 'combined', 'extraordinary') THEN
        RETURN pg_catalog.format('23514 %s: kind %s is not regular, thematic, combined or extraordinary', label,
                                 COALESCE(pg_catalog.quote_literal(p_kind), '(empty)'));
    ELSIF cell.kind <> 'cell' THEN
        RETURN pg_catalog.format('23514 %s: %s is a committee; meetings belong to cells', label, cell.code);
    ELSIF p_held_on < cell.valid_from OR p_held_on >= cell.valid_to THEN
        RETURN pg_catalog.format('23503 %s: cell %s does not exist on that date (it exists %s)',
                                 label, cell.code,
                                 @extschema@.period_text(cell.valid_from, cell.valid_to));
    ELSIF p_held_on > CURRENT_DATE THEN
        RETURN pg_catalog.format('23514 %s: the date is in the future', label);
    ELSIF p_minutes <= 0 THEN
        RETURN pg_catalog.format('23514 %s: minutes %s is not a positive number', label, p_minutes);
    END IF;
    RETURN NULL;
END;
$$;
COMMENT ON FUNCTION @extschema@.meeting_problem(bigint, date, text, integer) IS
    'the first rule a meeting row breaks, as ''SQLSTATE message'', or NULL';

CREATE FUNCTION @extschema@.meetings_check() RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    PERFORM @extschema@.raise_problem(@extschema@.meeting_problem(
        NEW.unit_id, NEW.held_on, NEW.kind, NEW.minutes));
    RETURN NEW;
END;
$$;
COMMENT ON FUNCTION @extschema@.meetings_check() IS
    'trigger: rejects a meeting row that breaks a rule of meeting_problem()';
CREATE TRIGGER meetings_check BEFORE INSERT OR UPDATE ON @extschema@.meetings
    FOR EACH ROW EXECUTE FUNCTION @extschema@.meetings_check();


CREATE TABLE @extschema@.attendance (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    meeting_id  bigint NOT NULL,
    unit_id     bigint NOT NULL,
    held_on     date NOT NULL,
    member_id   bigint NOT NULL REFERENCES @extschema@.members (id),
    membership_id bigint NOT NULL,
    status      @extschema@.attendance_status NOT NULL,
    CONSTRAINT attendance_natural_key UNIQUE (meeting_id, member_id),
    CONSTRAINT attendance_meeting_fkey FOREIGN KEY (meeting_id, unit_id, held_on)
        REFERENCES @extschema@.meetings (id, unit_id, held_on) ON UPDATE CASCADE,
    CONSTRAINT attendance_membership_fkey FOREIGN KEY (membership_id, member_id, unit_id)
        REFERENCES @extschema@.memberships (id, member_id, unit_id)
);
SELECT pg_catalog.pg_extension_config_dump('@extschema@.attendance', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.attendance_id_seq', '');
CREATE INDEX attendance_member_idx ON @extschema@.attendance (member_id, held_on);
CREATE INDEX attendance_unit_idx ON @extschema@.attendance (unit_id, held_on);
CREATE INDEX attendance_membership_idx ON @extschema@.attendance (membership_id);

COMMENT ON TABLE @extschema@.attendance IS
    'who attended a meeting: present (có mặt), excused (vắng có lý do) or absent (vắng không lý do); no row also counts as absent';
COMMENT ON COLUMN @extschema@.attendance.id IS 'surrogate key';
COMMENT ON COLUMN @extschema@.attendance.meeting_id IS 'the meeting';
COMMENT ON COLUMN @extschema@.attendance.unit_id IS 'the meeting''s cell (copied from the meeting, kept equal by the foreign key)';
COMMENT ON COLUMN @extschema@.attendance.held_on IS 'the meeting''s date (copied from the meeting, kept equal by the foreign key)';
COMMENT ON COLUMN @extschema@.attendance.member_id IS 'the member, belonging to the cell on the meeting''s date';
COMMENT ON COLUMN @extschema@.attendance.membership_id IS 'the membership that puts the member in the cell on the meeting''s date (filled in by the trigger)';
COMMENT ON COLUMN @extschema@.attendance.status IS 'present, excused or absent';

-- The rules of one attendance row; NULL when it breaks none.
CREATE FUNCTION @extschema@.attendance_problem(
    p_meeting_id bigint, p_member_id bigint, p_status @extschema@.attendance_status)
RETURNS text
    LANGUAGE plpgsql STABLE PARALLEL SAFE
AS $$
DECLARE
    mt record;
    member record;
BEGIN
    SELECT u.code, m.held_on, m.unit_id INTO mt
      FROM @extschema@.meetings m JOIN @extschema@.units u ON u.id = m.unit_id
     WHERE m.id = p_meeting_id;
    IF NOT FOUND THEN
        RETURN pg_catalog.format('23503 attendance: meeting id %s does not exist', p_meeting_id);
    END IF;
    SELECT m.code, m.left_on INTO member FROM @extschema@.members m WHERE m.id = p_member_id;
    IF NOT FOUND THEN
        RETURN pg_catalog.format('23503 attendance at the meeting of %s on %s: member id %s does not exist',
                                 mt.code, @extschema@.date_text(mt.held_on), p_member_id);
    ELSIF p_status IS NULL THEN
        RETURN pg_catalog.format('23502 attendance of member %s at the meeting of %s on %s: status is empty',
                                 member.code, mt.code, @extschema@.date_text(mt.held_on));
    ELSIF member.left_on < mt.held_on
          OR NOT EXISTS (SELECT FROM @extschema@.memberships ms
                          WHERE ms.member_id = p_member_id AND ms.unit_id = mt.unit_id
                            AND ms.period @> mt.held_on) THEN
        RETURN pg_catalog.format('23503 member %s does not belong to cell %s on %s',
                                 member.code, mt.code, @extschema@.date_text(mt.held_on));
    END IF;
    RETURN NULL;
END;
$$;
COMMENT ON FUNCTION @extschema@.attendance_problem(bigint, bigint, @extschema@.attendance_status) IS
    'the first rule an attendance row breaks, as ''SQLSTATE message'', or NULL';

-- Copies the meeting's cell and date into the row and finds the membership
-- that covers that date, then checks the row.
CREATE FUNCTION @extschema@.attendance_check() RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    SELECT m.unit_id, m.held_on INTO NEW.unit_id, NEW.held_on
      FROM @extschema@.meetings m WHERE m.id = NEW.meeting_id;
    SELECT ms.id INTO NEW.membership_id
      FROM @extschema@.memberships ms
     WHERE ms.member_id = NEW.member_id AND ms.unit_id = NEW.unit_id AND ms.period @> NEW.held_on;
    PERFORM @extschema@.raise_problem(@extschema@.attendance_problem(
        NEW.meeting_id, NEW.member_id, NEW.status));
    RETURN NEW;
END;
$$;
COMMENT ON FUNCTION @extschema@.attendance_check() IS
    'trigger: fills in the meeting''s cell and date and the covering membership, then rejects an attendance row that breaks a rule of attendance_problem()';
CREATE TRIGGER attendance_check BEFORE INSERT OR UPDATE ON @extschema@.attendance
    FOR EACH ROW EXECUTE FUNCTION @extschema@.attendance_check();
