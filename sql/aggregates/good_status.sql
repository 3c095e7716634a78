-- chibo: the "4 tốt" aggregates over criteria, with good_status as state
-- and result.  The state's text form reads back exactly, so partial results
-- can be combined after travelling as text (parallel query, Citus).

CREATE FUNCTION @extschema@.good_status_accum(@extschema@.good_status, @extschema@.criteria)
    RETURNS @extschema@.good_status
    AS 'MODULE_PATHNAME', 'good_status_accum'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.good_status_accum(@extschema@.good_status, @extschema@.criteria) IS
    'transition of good_status(criteria): adds one assessment';

CREATE FUNCTION @extschema@.four_good_status_accum(@extschema@.good_status, @extschema@.criteria)
    RETURNS @extschema@.good_status
    AS 'MODULE_PATHNAME', 'four_good_status_accum'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.four_good_status_accum(@extschema@.good_status, @extschema@.criteria) IS
    'transition of four_good_status(criteria): adds one assessment of 4 criteria';

CREATE FUNCTION @extschema@.good_status_combine(@extschema@.good_status, @extschema@.good_status)
    RETURNS @extschema@.good_status
    AS 'MODULE_PATHNAME', 'good_status_merge'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.good_status_combine(@extschema@.good_status, @extschema@.good_status) IS
    'combine function of the good_status aggregates: merges two partial results';

CREATE AGGREGATE @extschema@.good_status(@extschema@.criteria) (
    SFUNC = @extschema@.good_status_accum,
    STYPE = @extschema@.good_status,
    COMBINEFUNC = @extschema@.good_status_combine,
    INITCOND = 'not_assessed',
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.good_status(@extschema@.criteria) IS
    'achieved when every criterion is met in every assessment; any number of criteria, the same in the whole group';

CREATE AGGREGATE @extschema@.four_good_status(@extschema@.criteria) (
    SFUNC = @extschema@.four_good_status_accum,
    STYPE = @extschema@.good_status,
    COMBINEFUNC = @extschema@.good_status_combine,
    INITCOND = 'not_assessed',
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.four_good_status(@extschema@.criteria) IS
    '"4 tốt": achieved when all 4 criteria are met in every assessment; assessments must have 4 criteria';
