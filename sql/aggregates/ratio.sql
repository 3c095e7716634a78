-- chibo: aggregates over ratios.  Each state is a ratio, whose text form
-- reads back exactly.

CREATE AGGREGATE @extschema@.sum(@extschema@.ratio) (
    SFUNC = @extschema@.ratio_add,
    STYPE = @extschema@.ratio,
    COMBINEFUNC = @extschema@.ratio_add,
    INITCOND = '0/0',
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.sum(@extschema@.ratio) IS
    'the pooled ratio: sum of parts / sum of wholes (never a mean of percentages); 0/0 for no input';

CREATE FUNCTION @extschema@.ratio_min_accum(@extschema@.ratio, @extschema@.ratio) RETURNS @extschema@.ratio
    AS 'MODULE_PATHNAME', 'ratio_min_accum'
    LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.ratio_min_accum(@extschema@.ratio, @extschema@.ratio) IS
    'transition and combine function of min(ratio): the smaller value, the larger whole on a tie; NULL and 0/0 passed over';

CREATE FUNCTION @extschema@.ratio_max_accum(@extschema@.ratio, @extschema@.ratio) RETURNS @extschema@.ratio
    AS 'MODULE_PATHNAME', 'ratio_max_accum'
    LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.ratio_max_accum(@extschema@.ratio, @extschema@.ratio) IS
    'transition and combine function of max(ratio): the larger value, the larger whole on a tie; NULL and 0/0 passed over';

CREATE AGGREGATE @extschema@.min(@extschema@.ratio) (
    SFUNC = @extschema@.ratio_min_accum,
    STYPE = @extschema@.ratio,
    COMBINEFUNC = @extschema@.ratio_min_accum,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.min(@extschema@.ratio) IS
    'the ratio of smallest value (of equal values, the one with the larger whole); 0/0 and NULL left out; NULL when no input has a value';

CREATE AGGREGATE @extschema@.max(@extschema@.ratio) (
    SFUNC = @extschema@.ratio_max_accum,
    STYPE = @extschema@.ratio,
    COMBINEFUNC = @extschema@.ratio_max_accum,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.max(@extschema@.ratio) IS
    'the ratio of largest value (of equal values, the one with the larger whole); 0/0 and NULL left out; NULL when no input has a value';

CREATE FUNCTION @extschema@.share_at_least_accum(@extschema@.ratio, @extschema@.ratio, numeric)
    RETURNS @extschema@.ratio
    AS 'MODULE_PATHNAME', 'share_at_least_accum'
    LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.share_at_least_accum(@extschema@.ratio, @extschema@.ratio, numeric) IS
    'transition of share_at_least(ratio, threshold): counts one input that has a value, and one more if its value is at least the threshold; a NULL threshold is an error';

CREATE AGGREGATE @extschema@.share_at_least(@extschema@.ratio, threshold numeric) (
    SFUNC = @extschema@.share_at_least_accum,
    STYPE = @extschema@.ratio,
    COMBINEFUNC = @extschema@.ratio_add,
    INITCOND = '0/0',
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.share_at_least(@extschema@.ratio, numeric) IS
    'inputs whose value is at least the threshold / inputs that have a value (NULL and 0/0 left out), compared exactly: 230/269 cells at or above 0.85; a NULL threshold is an error';
