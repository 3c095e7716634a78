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

-- The rules of meeting rows, as one set-based query over SOURCE (the
-- columns of meetings and KEY); see members_rule.
CREATE FUNCTION @extschema@.meetings_rule(source text, key text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN pg_catalog.format($q$
        SELECT s.%2$I AS key,
               CASE WHEN u.id IS NULL
                    THEN pg_catalog.format('23503 meeting: unit id %%s does not exist', s.unit_id)
                    WHEN s.held_on IS NULL THEN pg_catalog.format('23502 meeting of %%s: held_on is empty', u.code)
                    WHEN s.kind IS NULL OR s.kind NOT IN ('regular', 'thematic', 'combined', 'extraordinary')
                    THEN pg_catalog.format('23514 meeting of %%s on %%s: kind %%s is not regular, thematic, combined or extraordinary',
                                           u.code, @extschema@.date_text(s.held_on),
                                           COALESCE(pg_catalog.quote_literal(s.kind), '(empty)'))
                    WHEN u.kind <> 'cell'
                    THEN pg_catalog.format('23514 meeting of %%s on %%s: %%s is a committee; meetings belong to cells',
                                           u.code, @extschema@.date_text(s.held_on), u.code)
                    WHEN s.held_on < u.valid_from OR s.held_on >= u.valid_to
                    THEN pg_catalog.format('23503 meeting of %%s on %%s: cell %%s does not exist on that date (it exists %%s)',
                                           u.code, @extschema@.date_text(s.held_on), u.code,
                                           @extschema@.period_text(u.valid_from, u.valid_to))
                    WHEN s.held_on > CURRENT_DATE
                    THEN pg_catalog.format('23514 meeting of %%s on %%s: the date is in the future',
                                           u.code, @extschema@.date_text(s.held_on))
                    WHEN s.minutes <= 0
                    THEN pg_catalog.format('23514 meeting of %%s on %%s: minutes %%s is not a positive number',
                                           u.code, @extschema@.date_text(s.held_on), s.minutes)
               END AS problem
          FROM %1$s s
          LEFT JOIN @extschema@.units u ON u.id = s.unit_id$q$,
        source, key);
COMMENT ON FUNCTION @extschema@.meetings_rule(text, text) IS
    'the text of the query that checks meeting rows of a relation against the meeting rules, giving (key, ''SQLSTATE message'') per row';

CREATE TRIGGER meetings_check AFTER INSERT ON @extschema@.meetings
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.check_rows('meetings_rule');
CREATE TRIGGER meetings_check_update AFTER UPDATE ON @extschema@.meetings
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.check_rows('meetings_rule');


CREATE TABLE @extschema@.attendance (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    meeting_id  bigint NOT NULL,
    unit_id     bigint NOT NULL,
    held_on     date NOT NULL,
    member_id   bigint NOT NULL,
    membership_id bigint,
    status      @extschema@.attendance_status NOT NULL,
    CONSTRAINT attendance_natural_key UNIQUE (meeting_id, member_id),
    CONSTRAINT attendance_meeting_fkey FOREIGN KEY (meeting_id, unit_id, held_on)
        REFERENCES @extschema@.meetings (id, unit_id, held_on) ON UPDATE CASCADE,
    CONSTRAINT attendance_membership_fkey FOREIGN KEY (membership_id, member_id, unit_id)
        REFERENCES @extschema@.memberships (id, member_id, unit_id)
);
SELECT pg_catalog.pg_extension_config_dump('@extschema@.attendance', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.attendance_id_seq', '');
CREATE INDEX attendance_unit_idx ON @extschema@.attendance (unit_id, held_on);
CREATE INDEX attendance_membership_idx ON @extschema@.attendance (membership_id);

COMMENT ON TABLE @extschema@.attendance IS
    'who attended a meeting: present (có mặt), excused (vắng có lý do) or absent (vắng không lý do); no row also counts as absent';
COMMENT ON COLUMN @extschema@.attendance.id IS 'surrogate key';
COMMENT ON COLUMN @extschema@.attendance.meeting_id IS 'the meeting';
COMMENT ON COLUMN @extschema@.attendance.unit_id IS 'the meeting''s cell (copied from the meeting, kept equal by the foreign key)';
COMMENT ON COLUMN @extschema@.attendance.held_on IS 'the meeting''s date (copied from the meeting, kept equal by the foreign key)';
COMMENT ON COLUMN @extschema@.attendance.member_id IS 'the member, belonging to the cell on the meeting''s date';
COMMENT ON COLUMN @extschema@.attendance.membership_id IS 'the membership that puts the member in the cell on the meeting''s date (filled in by a trigger when not given)';
COMMENT ON COLUMN @extschema@.attendance.status IS 'present, excused or absent';

-- The rules of attendance rows, as one set-based query: attendance comes
-- by the million, so its rules are checked a statement (or an import) at a
-- time.  attendance_rule(source, key, stored) is the text of a query over
-- SOURCE (a relation or subquery with columns meeting_id, member_id,
-- membership_id, status and KEY) that returns (key, problem) for each row
-- breaking a rule.  Stored rows (stored => true) must name the membership
-- that covers the meeting's date; rows still to be written need not.  The
-- statement trigger and chibo.import_staged() run this same query.
CREATE FUNCTION @extschema@.attendance_rule(source text, key text, stored boolean DEFAULT true) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN pg_catalog.format($q$
        SELECT s.%2$I AS key,
               CASE WHEN mt.id IS NULL
                    THEN pg_catalog.format('23503 attendance: meeting id %%s does not exist', s.meeting_id)
                    WHEN m.id IS NULL
                    THEN pg_catalog.format('23503 attendance at the meeting of %%s on %%s: member id %%s does not exist',
                                           u.code, @extschema@.date_text(mt.held_on), s.member_id)
                    WHEN s.status IS NULL
                    THEN pg_catalog.format('23502 attendance of member %%s at the meeting of %%s on %%s: status is empty',
                                           m.code, u.code, @extschema@.date_text(mt.held_on))
                    WHEN ms.id IS NULL OR m.left_on < mt.held_on
                         OR %3$L::boolean AND s.membership_id IS DISTINCT FROM ms.id
                    THEN pg_catalog.format('23503 member %%s does not belong to cell %%s on %%s',
                                           m.code, u.code, @extschema@.date_text(mt.held_on))
               END AS problem
          FROM %1$s s
          LEFT JOIN @extschema@.meetings mt ON mt.id = s.meeting_id
          LEFT JOIN @extschema@.units u ON u.id = mt.unit_id
          LEFT JOIN @extschema@.members m ON m.id = s.member_id
          LEFT JOIN @extschema@.memberships ms
                 ON ms.member_id = s.member_id AND ms.unit_id = mt.unit_id AND ms.period @> mt.held_on$q$,
        source, key, stored);
COMMENT ON FUNCTION @extschema@.attendance_rule(text, text, boolean) IS
    'the text of the query that checks attendance rows of a relation against the attendance rules, giving (key, ''SQLSTATE message'') per row';

-- Rows entered without their meeting's cell and date or their membership
-- get them here (the import supplies them itself).
CREATE FUNCTION @extschema@.attendance_fill() RETURNS trigger
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
CREATE TRIGGER attendance_fill BEFORE INSERT ON @extschema@.attendance
    FOR EACH ROW WHEN (NEW.unit_id IS NULL OR NEW.held_on IS NULL OR NEW.membership_id IS NULL)
    EXECUTE FUNCTION @extschema@.attendance_fill();
CREATE TRIGGER attendance_refill BEFORE UPDATE ON @extschema@.attendance
    FOR EACH ROW EXECUTE FUNCTION @extschema@.attendance_fill();

CREATE TRIGGER attendance_check AFTER INSERT ON @extschema@.attendance
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.check_rows('attendance_rule');
CREATE TRIGGER attendance_check_update AFTER UPDATE ON @extschema@.attendance
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.check_rows('attendance_rule');
