-- chibo: memberships and exemptions, the periods of a member's life in cells.
--
-- A membership says a member belonged to a cell over [from_date, to_date)
-- (an empty to_date: still there).  A transfer closes one membership and
-- opens the next; a member's memberships never overlap, so a member belongs
-- to at most one cell on any date.  An exemption (miễn sinh hoạt) takes a
-- member out of the attendance denominator over its period.

CREATE TABLE @extschema@.memberships (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    member_id  bigint NOT NULL REFERENCES @extschema@.members (id),
    unit_id    bigint NOT NULL REFERENCES @extschema@.units (id),
    from_date  date NOT NULL,
    to_date    date,
    period     daterange GENERATED ALWAYS AS (pg_catalog.daterange(from_date, to_date)) STORED,
    CONSTRAINT memberships_natural_key UNIQUE (member_id, unit_id, from_date),
    CONSTRAINT memberships_id_member_unit_key UNIQUE (id, member_id, unit_id),
    -- The trigger explains an overlap; this constraint also holds against
    -- two transactions that each add one half of an overlap.
    CONSTRAINT memberships_no_overlap EXCLUDE USING gist
        (pg_catalog.int8range(member_id, member_id, '[]') WITH =, period WITH &&)
);
SELECT pg_catalog.pg_extension_config_dump('@extschema@.memberships', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.memberships_id_seq', '');
CREATE INDEX memberships_unit_idx ON @extschema@.memberships (unit_id, from_date);

COMMENT ON TABLE @extschema@.memberships IS
    'which cell a member belonged to (sinh hoạt tại chi bộ), over which period; a member''s memberships never overlap';
COMMENT ON COLUMN @extschema@.memberships.id IS 'surrogate key';
COMMENT ON COLUMN @extschema@.memberships.member_id IS 'the member';
COMMENT ON COLUMN @extschema@.memberships.unit_id IS 'the cell (a unit of kind cell, existing for the whole period)';
COMMENT ON COLUMN @extschema@.memberships.from_date IS 'first day in the cell';
COMMENT ON COLUMN @extschema@.memberships.to_date IS 'first day no longer in the cell; NULL while open';
COMMENT ON COLUMN @extschema@.memberships.period IS 'the period [from_date, to_date) as a daterange';

-- The rules of one membership row (p_id: the row being updated or deleted,
-- NULL for a new row; p_member_id NULL: the row is being deleted).
CREATE FUNCTION @extschema@.membership_problem(
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

CREATE FUNCTION @extschema@.memberships_check() RETURNS trigger
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
CREATE TRIGGER memberships_check BEFORE INSERT OR UPDATE OR DELETE ON @extschema@.memberships
    FOR EACH ROW EXECUTE FUNCTION @extschema@.memberships_check();


CREATE TABLE @extschema@.exemptions (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    member_id  bigint NOT NULL REFERENCES @extschema@.members (id),
    from_date  date NOT NULL,
    to_date    date,
    reason     text NOT NULL,
    period     daterange GENERATED ALWAYS AS (pg_catalog.daterange(from_date, to_date)) STORED,
    CONSTRAINT exemptions_natural_key UNIQUE (member_id, from_date)
);
SELECT pg_catalog.pg_extension_config_dump('@extschema@.exemptions', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.exemptions_id_seq', '');

COMMENT ON TABLE @extschema@.exemptions IS
    'periods in which a member is exempt from meetings (miễn sinh hoạt); exempt members leave the attendance denominator';
COMMENT ON COLUMN @extschema@.exemptions.id IS 'surrogate key';
COMMENT ON COLUMN @extschema@.exemptions.member_id IS 'the exempt member';
COMMENT ON COLUMN @extschema@.exemptions.from_date IS 'first day exempt from meetings';
COMMENT ON COLUMN @extschema@.exemptions.to_date IS 'first day no longer exempt; NULL while open';
COMMENT ON COLUMN @extschema@.exemptions.reason IS 'age, health, away or other';
COMMENT ON COLUMN @extschema@.exemptions.period IS 'the period [from_date, to_date) as a daterange';

-- The rules of exemption rows, as one set-based query over SOURCE (the
-- columns of exemptions and KEY); see members_rule.
CREATE FUNCTION @extschema@.exemptions_rule(source text, key text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN pg_catalog.format($q$
        SELECT s.%2$I AS key,
               CASE WHEN m.id IS NULL
                    THEN pg_catalog.format('23503 exemption: member id %%s does not exist', s.member_id)
                    WHEN s.from_date IS NULL THEN '23502 exemption of member ' || m.code || ': from_date is empty'
                    WHEN s.to_date <= s.from_date
                    THEN pg_catalog.format('23514 exemption of member %%s: to_date %%s is not after from_date %%s', m.code,
                                           @extschema@.date_text(s.to_date), @extschema@.date_text(s.from_date))
                    WHEN s.reason IS NULL OR s.reason NOT IN ('age', 'health', 'away', 'other')
                    THEN pg_catalog.format('23514 exemption of member %%s: reason %%s is not age, health, away or other',
                                           m.code, COALESCE(pg_catalog.quote_literal(s.reason), '(empty)'))
               END AS problem
          FROM %1$s s
          LEFT JOIN @extschema@.members m ON m.id = s.member_id$q$,
        source, key);
COMMENT ON FUNCTION @extschema@.exemptions_rule(text, text) IS
    'the text of the query that checks exemption rows of a relation against the exemption rules, giving (key, ''SQLSTATE message'') per row';

CREATE TRIGGER exemptions_check AFTER INSERT ON @extschema@.exemptions
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.check_rows('exemptions_rule');
CREATE TRIGGER exemptions_check_update AFTER UPDATE ON @extschema@.exemptions
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.check_rows('exemptions_rule');
