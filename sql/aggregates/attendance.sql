-- chibo: attendance_ratio, the share of inputs that are present.

CREATE FUNCTION @extschema@.attendance_status_accum(@extschema@.ratio, @extschema@.attendance_status)
    RETURNS @extschema@.ratio
    AS 'MODULE_PATHNAME', 'attendance_status_accum'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.attendance_status_accum(@extschema@.ratio, @extschema@.attendance_status) IS
    'transition of attendance_ratio(attendance_status): counts one input, and one present';

CREATE FUNCTION @extschema@.attendance_bool_accum(@extschema@.ratio, boolean)
    RETURNS @extschema@.ratio
    AS 'MODULE_PATHNAME', 'attendance_bool_accum'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.attendance_bool_accum(@extschema@.ratio, boolean) IS
    'transition of attendance_ratio(boolean): counts one input, and one true';

CREATE FUNCTION @extschema@.attendance_policy_accum(@extschema@.attendance_tally, @extschema@.attendance_status, text)
    RETURNS @extschema@.attendance_tally
    AS 'MODULE_PATHNAME', 'attendance_policy_accum'
    LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.attendance_policy_accum(@extschema@.attendance_tally, @extschema@.attendance_status, text) IS
    'transition of attendance_ratio(attendance_status, policy): counts one input under the policy; a NULL status is passed over, a NULL policy is an error';

CREATE FUNCTION @extschema@.attendance_tally_combine(@extschema@.attendance_tally, @extschema@.attendance_tally)
    RETURNS @extschema@.attendance_tally
    AS 'MODULE_PATHNAME', 'attendance_tally_merge'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.attendance_tally_combine(@extschema@.attendance_tally, @extschema@.attendance_tally) IS
    'combine function of attendance_ratio(attendance_status, policy): adds two partial tallies';

CREATE FUNCTION @extschema@.attendance_tally_ratio(@extschema@.attendance_tally)
    RETURNS @extschema@.ratio
    AS 'MODULE_PATHNAME', 'attendance_tally_final'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.attendance_tally_ratio(@extschema@.attendance_tally) IS
    'final function of attendance_ratio(attendance_status, policy): present / all (excused_count) or present / (all - excused) (excused_excluded)';

CREATE AGGREGATE @extschema@.attendance_ratio(@extschema@.attendance_status) (
    SFUNC = @extschema@.attendance_status_accum,
    STYPE = @extschema@.ratio,
    COMBINEFUNC = @extschema@.ratio_add,
    INITCOND = '0/0',
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.attendance_ratio(@extschema@.attendance_status) IS
    'present / non-NULL inputs (excused absences count as absences); 0/0 for no input';

CREATE AGGREGATE @extschema@.attendance_ratio(@extschema@.attendance_status, policy text) (
    SFUNC = @extschema@.attendance_policy_accum,
    STYPE = @extschema@.attendance_tally,
    FINALFUNC = @extschema@.attendance_tally_ratio,
    COMBINEFUNC = @extschema@.attendance_tally_combine,
    INITCOND = 'present=0 excused=0 absent=0',
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.attendance_ratio(@extschema@.attendance_status, text) IS
    'present / non-NULL inputs under a policy: excused_count (present / all) or excused_excluded (present / (all - excused)); 0/0 for no input; a NULL or unknown policy is an error';

CREATE AGGREGATE @extschema@.attendance_ratio(boolean) (
    SFUNC = @extschema@.attendance_bool_accum,
    STYPE = @extschema@.ratio,
    COMBINEFUNC = @extschema@.ratio_add,
    INITCOND = '0/0',
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.attendance_ratio(boolean) IS
    'true / non-NULL inputs; 0/0 for no input';
