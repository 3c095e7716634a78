-- chibo: change tracking for the rollups.
--
-- (Periods are compared bound by bound, not with range operators: a
-- transition table has no statistics, and range operators would lead the
-- planner to the memberships' GiST index, which is slow for a join on a
-- member; bounds let it use the member's btree index or a hash join.)
--
-- Statement triggers on every table the rollups read append to
-- report_changes the months of the cells whose figures a statement may
-- have changed (a span of months per cell; open ends mean "to the end of
-- the reporting range").  A bulk import adds one row per cell and month it
-- touched, not one per row it wrote.

-- The spans (unit_id, first_month, last_month, members) that rows of
-- TABLE_NAME, read from the relation REL (a transition table), may change;
-- members is false where only the attendance figures can change.
CREATE FUNCTION @extschema@.report_spans(table_name text, rel text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN pg_catalog.format(CASE table_name
        -- a meeting's figures: its cell and month
        WHEN 'attendance' THEN $q$
            SELECT r.unit_id, @extschema@.month_of(r.held_on) AS first_month, @extschema@.month_of(r.held_on) AS last_month,
                   false AS members
              FROM %1$I r$q$
        WHEN 'meetings' THEN $q$
            SELECT r.unit_id, @extschema@.month_of(r.held_on), @extschema@.month_of(r.held_on), false
              FROM %1$I r$q$
        -- who belongs to the cell over the membership's period
        WHEN 'memberships' THEN $q$
            SELECT r.unit_id, @extschema@.month_of(r.from_date), @extschema@.month_of(r.to_date - 1), true
              FROM %1$I r$q$
        -- who is expected, in the cells the member belonged to meanwhile
        WHEN 'exemptions' THEN $q$
            SELECT ms.unit_id, @extschema@.month_of(GREATEST(r.from_date, ms.from_date)),
                   @extschema@.month_of(LEAST(r.to_date, ms.to_date) - 1), true
              FROM %1$I r
              JOIN @extschema@.memberships ms ON ms.member_id = r.member_id
               AND (r.to_date IS NULL OR ms.from_date < r.to_date) AND (ms.to_date IS NULL OR r.from_date < ms.to_date)$q$
        -- a departure: the member's cells from the day they left on
        WHEN 'members' THEN $q$
            SELECT ms.unit_id, @extschema@.month_of(GREATEST(r.left_on, ms.from_date)), @extschema@.month_of(ms.to_date - 1), true
              FROM %1$I r
              JOIN @extschema@.memberships ms ON ms.member_id = r.id
             WHERE r.left_on IS NOT NULL AND (ms.to_date IS NULL OR ms.to_date > r.left_on)$q$
        -- a registration counts in the windows touching its year
        WHEN 'task_registrations' THEN $q$
            SELECT ms.unit_id, @extschema@.month_of(GREATEST(pg_catalog.make_date(r.year, 1, 1), ms.from_date)),
                   @extschema@.month_of(LEAST(pg_catalog.make_date(r.year + 1, 1, 1), ms.to_date) - 1), true
              FROM %1$I r
              JOIN @extschema@.memberships ms ON ms.member_id = r.member_id
               AND ms.from_date < pg_catalog.make_date(r.year + 1, 1, 1)
               AND (ms.to_date IS NULL OR ms.to_date > pg_catalog.make_date(r.year, 1, 1))$q$
        -- an assessment counts in the windows containing its period, whose
        -- end dates lie between its start and the end of its last year
        WHEN 'assessments' THEN $q$
            SELECT ms.unit_id, @extschema@.month_of(GREATEST(r.period_start, ms.from_date)),
                   @extschema@.month_of(LEAST(pg_catalog.make_date(pg_catalog.date_part('year', r.period_end)::integer + 1, 1, 1), ms.to_date) - 1),
                   true
              FROM %1$I r
              JOIN @extschema@.memberships ms ON ms.member_id = r.member_id
               AND ms.from_date < pg_catalog.make_date(pg_catalog.date_part('year', r.period_end)::integer + 1, 1, 1)
               AND (ms.to_date IS NULL OR ms.to_date > r.period_start)
             WHERE r.member_id IS NOT NULL$q$
        -- a grade counts in the cell the member belongs to on 31 December
        WHEN 'classifications' THEN $q$
            SELECT ms.unit_id, pg_catalog.make_date(r.year, 12, 1), pg_catalog.make_date(r.year, 12, 1), true
              FROM %1$I r
              JOIN @extschema@.memberships ms ON ms.member_id = r.member_id
               AND ms.from_date <= pg_catalog.make_date(r.year, 12, 31)
               AND (ms.to_date IS NULL OR ms.to_date > pg_catalog.make_date(r.year, 12, 31))
             WHERE r.member_id IS NOT NULL$q$
        -- the tree: every month of the unit (first_month NULL marks a unit)
        WHEN 'units' THEN $q$
            SELECT r.id, NULL::date, NULL::date, true FROM %1$I r$q$
        END, rel);
COMMENT ON FUNCTION @extschema@.report_spans(text, text) IS
    'the text of the query giving the (unit_id, first_month, last_month, members) spans of rollups that the rows of a table, read from a relation, feed';

-- Trigger (after each statement): records the spans the statement's old
-- and new rows feed.  TG_ARGV[0] names the table.
CREATE FUNCTION @extschema@.track_changes() RETURNS trigger
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

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['units', 'members', 'memberships', 'exemptions', 'meetings', 'attendance',
                             'task_registrations', 'assessments', 'classifications'] LOOP
        EXECUTE pg_catalog.format($t$
            CREATE TRIGGER %1$I AFTER INSERT ON @extschema@.%4$I
                REFERENCING NEW TABLE AS new_rows
                FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.track_changes(%4$L);
            CREATE TRIGGER %2$I AFTER UPDATE ON @extschema@.%4$I
                REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
                FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.track_changes(%4$L);
            CREATE TRIGGER %3$I AFTER DELETE ON @extschema@.%4$I
                REFERENCING OLD TABLE AS old_rows
                FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.track_changes(%4$L);
            CREATE TRIGGER %5$I AFTER TRUNCATE ON @extschema@.%4$I
                FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.track_changes(%4$L);$t$,
            t || '_track_insert', t || '_track_update', t || '_track_delete', t, t || '_track_truncate');
    END LOOP;
END;
$$;
