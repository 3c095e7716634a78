-- chibo: the criteria type.
--
-- One assessment's flags: 1 to 16 criteria, each met (1) or not (0),
-- criterion 1 first.  '1101': criteria 1, 2 and 4 met, criterion 3 not.

CREATE TYPE @extschema@.criteria;

CREATE FUNCTION @extschema@.criteria_in(cstring) RETURNS @extschema@.criteria
    AS 'MODULE_PATHNAME', 'criteria_in'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.criteria_in(cstring) IS
    'text input of criteria: 1 to 16 flags of 1 (met) or 0 (not met), such as 1101';

CREATE FUNCTION @extschema@.criteria_out(@extschema@.criteria) RETURNS cstring
    AS 'MODULE_PATHNAME', 'criteria_out'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.criteria_out(@extschema@.criteria) IS
    'text output of criteria';

CREATE FUNCTION @extschema@.criteria_recv(internal) RETURNS @extschema@.criteria
    AS 'MODULE_PATHNAME', 'criteria_recv'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.criteria_recv(internal) IS
    'binary input of criteria: count (int2) and flags (int4), validated';

CREATE FUNCTION @extschema@.criteria_send(@extschema@.criteria) RETURNS bytea
    AS 'MODULE_PATHNAME', 'criteria_send'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.criteria_send(@extschema@.criteria) IS
    'binary output of criteria: count (int2) and flags (int4), bit 0 for criterion 1';

CREATE TYPE @extschema@.criteria (
    INPUT = @extschema@.criteria_in,
    OUTPUT = @extschema@.criteria_out,
    RECEIVE = @extschema@.criteria_recv,
    SEND = @extschema@.criteria_send,
    INTERNALLENGTH = 4,
    PASSEDBYVALUE,
    ALIGNMENT = int4,
    STORAGE = plain
);
COMMENT ON TYPE @extschema@.criteria IS
    'the criteria an assessment met (tiêu chí): 1 to 16 flags, criterion 1 first, such as 1101';

CREATE FUNCTION @extschema@.criteria_count(@extschema@.criteria) RETURNS integer
    AS 'MODULE_PATHNAME', 'criteria_count'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.criteria_count(@extschema@.criteria) IS
    'how many criteria the assessment has: 4 for 1101';

CREATE FUNCTION @extschema@.met_count(@extschema@.criteria) RETURNS integer
    AS 'MODULE_PATHNAME', 'criteria_met_count'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.met_count(@extschema@.criteria) IS
    'how many criteria were met: 3 for 1101';

CREATE FUNCTION @extschema@.all_met(@extschema@.criteria) RETURNS boolean
    AS 'MODULE_PATHNAME', 'criteria_all_met'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.all_met(@extschema@.criteria) IS
    'true when every criterion was met: 1111';

CREATE FUNCTION @extschema@.unmet_criteria(@extschema@.criteria) RETURNS integer[]
    AS 'MODULE_PATHNAME', 'criteria_unmet'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.unmet_criteria(@extschema@.criteria) IS
    'numbers of the criteria not met, ascending: {3} for 1101, {} when all were met';

CREATE FUNCTION @extschema@.criteria_eq(@extschema@.criteria, @extschema@.criteria) RETURNS boolean
    AS 'MODULE_PATHNAME', 'criteria_eq' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.criteria_ne(@extschema@.criteria, @extschema@.criteria) RETURNS boolean
    AS 'MODULE_PATHNAME', 'criteria_ne' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.criteria_lt(@extschema@.criteria, @extschema@.criteria) RETURNS boolean
    AS 'MODULE_PATHNAME', 'criteria_lt' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.criteria_le(@extschema@.criteria, @extschema@.criteria) RETURNS boolean
    AS 'MODULE_PATHNAME', 'criteria_le' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.criteria_gt(@extschema@.criteria, @extschema@.criteria) RETURNS boolean
    AS 'MODULE_PATHNAME', 'criteria_gt' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.criteria_ge(@extschema@.criteria, @extschema@.criteria) RETURNS boolean
    AS 'MODULE_PATHNAME', 'criteria_ge' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.criteria_cmp(@extschema@.criteria, @extschema@.criteria) RETURNS integer
    AS 'MODULE_PATHNAME', 'criteria_btree_cmp' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.criteria_hash(@extschema@.criteria) RETURNS integer
    AS 'MODULE_PATHNAME', 'criteria_hash' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.criteria_hash_extended(@extschema@.criteria, bigint) RETURNS bigint
    AS 'MODULE_PATHNAME', 'criteria_hash_extended' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.criteria_eq(@extschema@.criteria, @extschema@.criteria) IS 'same criteria, same flags (operator =)';
COMMENT ON FUNCTION @extschema@.criteria_ne(@extschema@.criteria, @extschema@.criteria) IS 'not the same (operator <>)';
COMMENT ON FUNCTION @extschema@.criteria_lt(@extschema@.criteria, @extschema@.criteria) IS 'sorts before (operator <)';
COMMENT ON FUNCTION @extschema@.criteria_le(@extschema@.criteria, @extschema@.criteria) IS 'sorts before or equal (operator <=)';
COMMENT ON FUNCTION @extschema@.criteria_gt(@extschema@.criteria, @extschema@.criteria) IS 'sorts after (operator >)';
COMMENT ON FUNCTION @extschema@.criteria_ge(@extschema@.criteria, @extschema@.criteria) IS 'sorts after or equal (operator >=)';
COMMENT ON FUNCTION @extschema@.criteria_cmp(@extschema@.criteria, @extschema@.criteria) IS 'btree support: by number of criteria, then as the text forms compare';
COMMENT ON FUNCTION @extschema@.criteria_hash(@extschema@.criteria) IS 'hash support';
COMMENT ON FUNCTION @extschema@.criteria_hash_extended(@extschema@.criteria, bigint) IS 'hash support with a seed';

CREATE OPERATOR @extschema@.= (
    LEFTARG = @extschema@.criteria, RIGHTARG = @extschema@.criteria,
    FUNCTION = @extschema@.criteria_eq,
    COMMUTATOR = OPERATOR(@extschema@.=), NEGATOR = OPERATOR(@extschema@.<>),
    RESTRICT = pg_catalog.eqsel, JOIN = pg_catalog.eqjoinsel,
    HASHES, MERGES
);
CREATE OPERATOR @extschema@.<> (
    LEFTARG = @extschema@.criteria, RIGHTARG = @extschema@.criteria,
    FUNCTION = @extschema@.criteria_ne,
    COMMUTATOR = OPERATOR(@extschema@.<>), NEGATOR = OPERATOR(@extschema@.=),
    RESTRICT = pg_catalog.neqsel, JOIN = pg_catalog.neqjoinsel
);
CREATE OPERATOR @extschema@.< (
    LEFTARG = @extschema@.criteria, RIGHTARG = @extschema@.criteria,
    FUNCTION = @extschema@.criteria_lt,
    COMMUTATOR = OPERATOR(@extschema@.>), NEGATOR = OPERATOR(@extschema@.>=),
    RESTRICT = pg_catalog.scalarltsel, JOIN = pg_catalog.scalarltjoinsel
);
CREATE OPERATOR @extschema@.<= (
    LEFTARG = @extschema@.criteria, RIGHTARG = @extschema@.criteria,
    FUNCTION = @extschema@.criteria_le,
    COMMUTATOR = OPERATOR(@extschema@.>=), NEGATOR = OPERATOR(@extschema@.>),
    RESTRICT = pg_catalog.scalarlesel, JOIN = pg_catalog.scalarlejoinsel
);
CREATE OPERATOR @extschema@.> (
    LEFTARG = @extschema@.criteria, RIGHTARG = @extschema@.criteria,
    FUNCTION = @extschema@.criteria_gt,
    COMMUTATOR = OPERATOR(@extschema@.<), NEGATOR = OPERATOR(@extschema@.<=),
    RESTRICT = pg_catalog.scalargtsel, JOIN = pg_catalog.scalargtjoinsel
);
CREATE OPERATOR @extschema@.>= (
    LEFTARG = @extschema@.criteria, RIGHTARG = @extschema@.criteria,
    FUNCTION = @extschema@.criteria_ge,
    COMMUTATOR = OPERATOR(@extschema@.<=), NEGATOR = OPERATOR(@extschema@.<),
    RESTRICT = pg_catalog.scalargesel, JOIN = pg_catalog.scalargejoinsel
);

COMMENT ON OPERATOR @extschema@.= (@extschema@.criteria, @extschema@.criteria) IS 'same criteria, same flags';
COMMENT ON OPERATOR @extschema@.<> (@extschema@.criteria, @extschema@.criteria) IS 'not the same';
COMMENT ON OPERATOR @extschema@.< (@extschema@.criteria, @extschema@.criteria) IS 'sorts before: fewer criteria, or the first differing criterion not met';
COMMENT ON OPERATOR @extschema@.<= (@extschema@.criteria, @extschema@.criteria) IS 'sorts before or equal';
COMMENT ON OPERATOR @extschema@.> (@extschema@.criteria, @extschema@.criteria) IS 'sorts after: more criteria, or the first differing criterion met';
COMMENT ON OPERATOR @extschema@.>= (@extschema@.criteria, @extschema@.criteria) IS 'sorts after or equal';

CREATE OPERATOR CLASS @extschema@.criteria_ops
    DEFAULT FOR TYPE @extschema@.criteria USING btree AS
        OPERATOR 1 @extschema@.<,
        OPERATOR 2 @extschema@.<=,
        OPERATOR 3 @extschema@.=,
        OPERATOR 4 @extschema@.>=,
        OPERATOR 5 @extschema@.>,
        FUNCTION 1 @extschema@.criteria_cmp(@extschema@.criteria, @extschema@.criteria);
COMMENT ON OPERATOR CLASS @extschema@.criteria_ops USING btree IS
    'orders criteria by number of criteria, then as their text forms';

CREATE OPERATOR CLASS @extschema@.criteria_hash_ops
    DEFAULT FOR TYPE @extschema@.criteria USING hash AS
        OPERATOR 1 @extschema@.=,
        FUNCTION 1 @extschema@.criteria_hash(@extschema@.criteria),
        FUNCTION 2 @extschema@.criteria_hash_extended(@extschema@.criteria, bigint);
COMMENT ON OPERATOR CLASS @extschema@.criteria_hash_ops USING hash IS
    'hashes criteria: hash joins, GROUP BY';
