-- chibo: the ratio type.
--
-- A ratio is an exact part/whole pair of counts (7126/7560), never reduced:
-- 2/4 stays 2/4.  It compares by exact value (1/2 = 2/4), pools with +
-- (parts add, wholes add) and prints as 7.126/7.560 (94%) with display().
-- Counts run from 0 to 4294967295 and 0 <= part <= whole.  0/0 has no
-- value: as a number it is NULL, and among ratios it sorts first.

\echo Use "CREATE EXTENSION chibo" to load this file. \quit

CREATE TYPE @extschema@.ratio;

CREATE FUNCTION @extschema@.ratio_in(cstring) RETURNS @extschema@.ratio
    AS 'MODULE_PATHNAME', 'ratio_in'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.ratio_in(cstring) IS
    'text input of ratio: part/whole, such as 7126/7560';

CREATE FUNCTION @extschema@.ratio_out(@extschema@.ratio) RETURNS cstring
    AS 'MODULE_PATHNAME', 'ratio_out'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.ratio_out(@extschema@.ratio) IS
    'text output of ratio: part/whole';

CREATE FUNCTION @extschema@.ratio_recv(internal) RETURNS @extschema@.ratio
    AS 'MODULE_PATHNAME', 'ratio_recv'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.ratio_recv(internal) IS
    'binary input of ratio: part and whole as int8, validated as text input is';

CREATE FUNCTION @extschema@.ratio_send(@extschema@.ratio) RETURNS bytea
    AS 'MODULE_PATHNAME', 'ratio_send'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.ratio_send(@extschema@.ratio) IS
    'binary output of ratio: part and whole as int8';

CREATE TYPE @extschema@.ratio (
    INPUT = @extschema@.ratio_in,
    OUTPUT = @extschema@.ratio_out,
    RECEIVE = @extschema@.ratio_recv,
    SEND = @extschema@.ratio_send,
    INTERNALLENGTH = 8,
    PASSEDBYVALUE,
    ALIGNMENT = double,
    STORAGE = plain
);
COMMENT ON TYPE @extschema@.ratio IS
    'exact part/whole pair of counts (tỷ lệ), such as 7126/7560; never reduced, compared by exact value';

CREATE FUNCTION @extschema@.ratio(part bigint, whole bigint) RETURNS @extschema@.ratio
    AS 'MODULE_PATHNAME', 'ratio_make'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.ratio(bigint, bigint) IS
    'the ratio part/whole; counts from 0 to 4294967295 with part <= whole';

CREATE FUNCTION @extschema@.part(@extschema@.ratio) RETURNS bigint
    AS 'MODULE_PATHNAME', 'ratio_part'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.part(@extschema@.ratio) IS
    'the part (numerator) of a ratio';

CREATE FUNCTION @extschema@.whole(@extschema@.ratio) RETURNS bigint
    AS 'MODULE_PATHNAME', 'ratio_whole'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.whole(@extschema@.ratio) IS
    'the whole (denominator) of a ratio';

CREATE FUNCTION @extschema@.percent(@extschema@.ratio, digits integer DEFAULT 0) RETURNS numeric
    AS 'MODULE_PATHNAME', 'ratio_percent'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.percent(@extschema@.ratio, integer) IS
    '100 * part / whole rounded half away from zero to digits decimals (0 to 20); NULL for 0/0';

CREATE FUNCTION @extschema@.ratio_to_numeric(@extschema@.ratio) RETURNS numeric
    AS 'MODULE_PATHNAME', 'ratio_to_numeric'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.ratio_to_numeric(@extschema@.ratio) IS
    'the value part / whole as numeric; NULL for 0/0 (cast ratio AS numeric)';

CREATE FUNCTION @extschema@.ratio_to_float8(@extschema@.ratio) RETURNS double precision
    AS 'MODULE_PATHNAME', 'ratio_to_float8'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.ratio_to_float8(@extschema@.ratio) IS
    'the value part / whole as double precision; NULL for 0/0 (cast ratio AS double precision)';

CREATE CAST (@extschema@.ratio AS numeric)
    WITH FUNCTION @extschema@.ratio_to_numeric(@extschema@.ratio);
COMMENT ON CAST (@extschema@.ratio AS numeric) IS
    'the value part / whole; NULL for 0/0';

CREATE CAST (@extschema@.ratio AS double precision)
    WITH FUNCTION @extschema@.ratio_to_float8(@extschema@.ratio);
COMMENT ON CAST (@extschema@.ratio AS double precision) IS
    'the value part / whole; NULL for 0/0';

CREATE CAST (@extschema@.ratio AS text) WITH INOUT AS ASSIGNMENT;
COMMENT ON CAST (@extschema@.ratio AS text) IS
    'the text form part/whole, as the type''s output function writes it';

CREATE FUNCTION @extschema@.display(@extschema@.ratio, style text DEFAULT 'vi') RETURNS text
    AS 'MODULE_PATHNAME', 'ratio_display'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.display(@extschema@.ratio, text) IS
    'ratio for reading: 7.126/7.560 (94%) in style vi (the default), 7126/7560 (94%) in style plain; 0/0 prints as 0/0';

-- Pooling: parts add, wholes add.

CREATE FUNCTION @extschema@.ratio_add(@extschema@.ratio, @extschema@.ratio) RETURNS @extschema@.ratio
    AS 'MODULE_PATHNAME', 'ratio_add'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.ratio_add(@extschema@.ratio, @extschema@.ratio) IS
    'pools two ratios: parts add, wholes add (operator +)';

CREATE OPERATOR @extschema@.+ (
    LEFTARG = @extschema@.ratio,
    RIGHTARG = @extschema@.ratio,
    FUNCTION = @extschema@.ratio_add,
    COMMUTATOR = OPERATOR(@extschema@.+)
);
COMMENT ON OPERATOR @extschema@.+ (@extschema@.ratio, @extschema@.ratio) IS
    'pools two ratios: 1/2 + 3/4 = 4/6';

-- Comparison of two ratios by exact value.

CREATE FUNCTION @extschema@.ratio_eq(@extschema@.ratio, @extschema@.ratio) RETURNS boolean
    AS 'MODULE_PATHNAME', 'ratio_eq' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.ratio_ne(@extschema@.ratio, @extschema@.ratio) RETURNS boolean
    AS 'MODULE_PATHNAME', 'ratio_ne' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.ratio_lt(@extschema@.ratio, @extschema@.ratio) RETURNS boolean
    AS 'MODULE_PATHNAME', 'ratio_lt' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.ratio_le(@extschema@.ratio, @extschema@.ratio) RETURNS boolean
    AS 'MODULE_PATHNAME', 'ratio_le' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.ratio_gt(@extschema@.ratio, @extschema@.ratio) RETURNS boolean
    AS 'MODULE_PATHNAME', 'ratio_gt' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.ratio_ge(@extschema@.ratio, @extschema@.ratio) RETURNS boolean
    AS 'MODULE_PATHNAME', 'ratio_ge' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.ratio_cmp(@extschema@.ratio, @extschema@.ratio) RETURNS integer
    AS 'MODULE_PATHNAME', 'ratio_btree_cmp' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.ratio_hash(@extschema@.ratio) RETURNS integer
    AS 'MODULE_PATHNAME', 'ratio_hash' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.ratio_hash_extended(@extschema@.ratio, bigint) RETURNS bigint
    AS 'MODULE_PATHNAME', 'ratio_hash_extended' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.ratio_eq(@extschema@.ratio, @extschema@.ratio) IS 'equal in value (operator =)';
COMMENT ON FUNCTION @extschema@.ratio_ne(@extschema@.ratio, @extschema@.ratio) IS 'different in value (operator <>)';
COMMENT ON FUNCTION @extschema@.ratio_lt(@extschema@.ratio, @extschema@.ratio) IS 'smaller in value (operator <)';
COMMENT ON FUNCTION @extschema@.ratio_le(@extschema@.ratio, @extschema@.ratio) IS 'smaller or equal in value (operator <=)';
COMMENT ON FUNCTION @extschema@.ratio_gt(@extschema@.ratio, @extschema@.ratio) IS 'greater in value (operator >)';
COMMENT ON FUNCTION @extschema@.ratio_ge(@extschema@.ratio, @extschema@.ratio) IS 'greater or equal in value (operator >=)';
COMMENT ON FUNCTION @extschema@.ratio_cmp(@extschema@.ratio, @extschema@.ratio) IS 'btree support: -1, 0 or 1 by exact value, 0/0 first';
COMMENT ON FUNCTION @extschema@.ratio_hash(@extschema@.ratio) IS 'hash support: equal values hash alike';
COMMENT ON FUNCTION @extschema@.ratio_hash_extended(@extschema@.ratio, bigint) IS 'hash support with a seed';

CREATE OPERATOR @extschema@.= (
    LEFTARG = @extschema@.ratio, RIGHTARG = @extschema@.ratio,
    FUNCTION = @extschema@.ratio_eq,
    COMMUTATOR = OPERATOR(@extschema@.=), NEGATOR = OPERATOR(@extschema@.<>),
    RESTRICT = pg_catalog.eqsel, JOIN = pg_catalog.eqjoinsel,
    HASHES, MERGES
);
CREATE OPERATOR @extschema@.<> (
    LEFTARG = @extschema@.ratio, RIGHTARG = @extschema@.ratio,
    FUNCTION = @extschema@.ratio_ne,
    COMMUTATOR = OPERATOR(@extschema@.<>), NEGATOR = OPERATOR(@extschema@.=),
    RESTRICT = pg_catalog.neqsel, JOIN = pg_catalog.neqjoinsel
);
CREATE OPERATOR @extschema@.< (
    LEFTARG = @extschema@.ratio, RIGHTARG = @extschema@.ratio,
    FUNCTION = @extschema@.ratio_lt,
    COMMUTATOR = OPERATOR(@extschema@.>), NEGATOR = OPERATOR(@extschema@.>=),
    RESTRICT = pg_catalog.scalarltsel, JOIN = pg_catalog.scalarltjoinsel
);
CREATE OPERATOR @extschema@.<= (
    LEFTARG = @extschema@.ratio, RIGHTARG = @extschema@.ratio,
    FUNCTION = @extschema@.ratio_le,
    COMMUTATOR = OPERATOR(@extschema@.>=), NEGATOR = OPERATOR(@extschema@.>),
    RESTRICT = pg_catalog.scalarlesel, JOIN = pg_catalog.scalarlejoinsel
);
CREATE OPERATOR @extschema@.> (
    LEFTARG = @extschema@.ratio, RIGHTARG = @extschema@.ratio,
    FUNCTION = @extschema@.ratio_gt,
    COMMUTATOR = OPERATOR(@extschema@.<), NEGATOR = OPERATOR(@extschema@.<=),
    RESTRICT = pg_catalog.scalargtsel, JOIN = pg_catalog.scalargtjoinsel
);
CREATE OPERATOR @extschema@.>= (
    LEFTARG = @extschema@.ratio, RIGHTARG = @extschema@.ratio,
    FUNCTION = @extschema@.ratio_ge,
    COMMUTATOR = OPERATOR(@extschema@.<=), NEGATOR = OPERATOR(@extschema@.<),
    RESTRICT = pg_catalog.scalargesel, JOIN = pg_catalog.scalargejoinsel
);

COMMENT ON OPERATOR @extschema@.= (@extschema@.ratio, @extschema@.ratio) IS 'equal in value: 1/2 = 2/4';
COMMENT ON OPERATOR @extschema@.<> (@extschema@.ratio, @extschema@.ratio) IS 'different in value';
COMMENT ON OPERATOR @extschema@.< (@extschema@.ratio, @extschema@.ratio) IS 'smaller in value; 0/0 sorts first';
COMMENT ON OPERATOR @extschema@.<= (@extschema@.ratio, @extschema@.ratio) IS 'smaller or equal in value; 0/0 sorts first';
COMMENT ON OPERATOR @extschema@.> (@extschema@.ratio, @extschema@.ratio) IS 'greater in value; 0/0 sorts first';
COMMENT ON OPERATOR @extschema@.>= (@extschema@.ratio, @extschema@.ratio) IS 'greater or equal in value; 0/0 sorts first';

CREATE OPERATOR CLASS @extschema@.ratio_ops
    DEFAULT FOR TYPE @extschema@.ratio USING btree AS
        OPERATOR 1 @extschema@.<,
        OPERATOR 2 @extschema@.<=,
        OPERATOR 3 @extschema@.=,
        OPERATOR 4 @extschema@.>=,
        OPERATOR 5 @extschema@.>,
        FUNCTION 1 @extschema@.ratio_cmp(@extschema@.ratio, @extschema@.ratio);
COMMENT ON OPERATOR CLASS @extschema@.ratio_ops USING btree IS
    'orders ratios by exact value, 0/0 first: ORDER BY, indexes, DISTINCT';

CREATE OPERATOR CLASS @extschema@.ratio_hash_ops
    DEFAULT FOR TYPE @extschema@.ratio USING hash AS
        OPERATOR 1 @extschema@.=,
        FUNCTION 1 @extschema@.ratio_hash(@extschema@.ratio),
        FUNCTION 2 @extschema@.ratio_hash_extended(@extschema@.ratio, bigint);
COMMENT ON OPERATOR CLASS @extschema@.ratio_hash_ops USING hash IS
    'hashes ratios by value (1/2 and 2/4 alike): hash joins, GROUP BY';

-- Comparison of a ratio's value with a number: r >= 0.85.  Exact (no
-- floating point); NULL when the ratio is 0/0.

CREATE FUNCTION @extschema@.ratio_numeric_eq(@extschema@.ratio, numeric) RETURNS boolean
    AS 'MODULE_PATHNAME', 'ratio_numeric_eq' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.ratio_numeric_ne(@extschema@.ratio, numeric) RETURNS boolean
    AS 'MODULE_PATHNAME', 'ratio_numeric_ne' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.ratio_numeric_lt(@extschema@.ratio, numeric) RETURNS boolean
    AS 'MODULE_PATHNAME', 'ratio_numeric_lt' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.ratio_numeric_le(@extschema@.ratio, numeric) RETURNS boolean
    AS 'MODULE_PATHNAME', 'ratio_numeric_le' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.ratio_numeric_gt(@extschema@.ratio, numeric) RETURNS boolean
    AS 'MODULE_PATHNAME', 'ratio_numeric_gt' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.ratio_numeric_ge(@extschema@.ratio, numeric) RETURNS boolean
    AS 'MODULE_PATHNAME', 'ratio_numeric_ge' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.numeric_ratio_eq(numeric, @extschema@.ratio) RETURNS boolean
    AS 'MODULE_PATHNAME', 'numeric_ratio_eq' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.numeric_ratio_ne(numeric, @extschema@.ratio) RETURNS boolean
    AS 'MODULE_PATHNAME', 'numeric_ratio_ne' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.numeric_ratio_lt(numeric, @extschema@.ratio) RETURNS boolean
    AS 'MODULE_PATHNAME', 'numeric_ratio_lt' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.numeric_ratio_le(numeric, @extschema@.ratio) RETURNS boolean
    AS 'MODULE_PATHNAME', 'numeric_ratio_le' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.numeric_ratio_gt(numeric, @extschema@.ratio) RETURNS boolean
    AS 'MODULE_PATHNAME', 'numeric_ratio_gt' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.numeric_ratio_ge(numeric, @extschema@.ratio) RETURNS boolean
    AS 'MODULE_PATHNAME', 'numeric_ratio_ge' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.ratio_numeric_eq(@extschema@.ratio, numeric) IS 'value equals the number (operator =); NULL for 0/0';
COMMENT ON FUNCTION @extschema@.ratio_numeric_ne(@extschema@.ratio, numeric) IS 'value differs from the number (operator <>); NULL for 0/0';
COMMENT ON FUNCTION @extschema@.ratio_numeric_lt(@extschema@.ratio, numeric) IS 'value below the number (operator <); NULL for 0/0';
COMMENT ON FUNCTION @extschema@.ratio_numeric_le(@extschema@.ratio, numeric) IS 'value at most the number (operator <=); NULL for 0/0';
COMMENT ON FUNCTION @extschema@.ratio_numeric_gt(@extschema@.ratio, numeric) IS 'value above the number (operator >); NULL for 0/0';
COMMENT ON FUNCTION @extschema@.ratio_numeric_ge(@extschema@.ratio, numeric) IS 'value at least the number (operator >=), as in r >= 0.85; NULL for 0/0';
COMMENT ON FUNCTION @extschema@.numeric_ratio_eq(numeric, @extschema@.ratio) IS 'number equals the value (operator =); NULL for 0/0';
COMMENT ON FUNCTION @extschema@.numeric_ratio_ne(numeric, @extschema@.ratio) IS 'number differs from the value (operator <>); NULL for 0/0';
COMMENT ON FUNCTION @extschema@.numeric_ratio_lt(numeric, @extschema@.ratio) IS 'number below the value (operator <); NULL for 0/0';
COMMENT ON FUNCTION @extschema@.numeric_ratio_le(numeric, @extschema@.ratio) IS 'number at most the value (operator <=); NULL for 0/0';
COMMENT ON FUNCTION @extschema@.numeric_ratio_gt(numeric, @extschema@.ratio) IS 'number above the value (operator >); NULL for 0/0';
COMMENT ON FUNCTION @extschema@.numeric_ratio_ge(numeric, @extschema@.ratio) IS 'number at least the value (operator >=); NULL for 0/0';

CREATE OPERATOR @extschema@.= (
    LEFTARG = @extschema@.ratio, RIGHTARG = numeric, FUNCTION = @extschema@.ratio_numeric_eq,
    COMMUTATOR = OPERATOR(@extschema@.=), NEGATOR = OPERATOR(@extschema@.<>),
    RESTRICT = pg_catalog.eqsel, JOIN = pg_catalog.eqjoinsel
);
CREATE OPERATOR @extschema@.<> (
    LEFTARG = @extschema@.ratio, RIGHTARG = numeric, FUNCTION = @extschema@.ratio_numeric_ne,
    COMMUTATOR = OPERATOR(@extschema@.<>), NEGATOR = OPERATOR(@extschema@.=),
    RESTRICT = pg_catalog.neqsel, JOIN = pg_catalog.neqjoinsel
);
CREATE OPERATOR @extschema@.< (
    LEFTARG = @extschema@.ratio, RIGHTARG = numeric, FUNCTION = @extschema@.ratio_numeric_lt,
    COMMUTATOR = OPERATOR(@extschema@.>), NEGATOR = OPERATOR(@extschema@.>=),
    RESTRICT = pg_catalog.scalarltsel, JOIN = pg_catalog.scalarltjoinsel
);
CREATE OPERATOR @extschema@.<= (
    LEFTARG = @extschema@.ratio, RIGHTARG = numeric, FUNCTION = @extschema@.ratio_numeric_le,
    COMMUTATOR = OPERATOR(@extschema@.>=), NEGATOR = OPERATOR(@extschema@.>),
    RESTRICT = pg_catalog.scalarlesel, JOIN = pg_catalog.scalarlejoinsel
);
CREATE OPERATOR @extschema@.> (
    LEFTARG = @extschema@.ratio, RIGHTARG = numeric, FUNCTION = @extschema@.ratio_numeric_gt,
    COMMUTATOR = OPERATOR(@extschema@.<), NEGATOR = OPERATOR(@extschema@.<=),
    RESTRICT = pg_catalog.scalargtsel, JOIN = pg_catalog.scalargtjoinsel
);
CREATE OPERATOR @extschema@.>= (
    LEFTARG = @extschema@.ratio, RIGHTARG = numeric, FUNCTION = @extschema@.ratio_numeric_ge,
    COMMUTATOR = OPERATOR(@extschema@.<=), NEGATOR = OPERATOR(@extschema@.<),
    RESTRICT = pg_catalog.scalargesel, JOIN = pg_catalog.scalargejoinsel
);
CREATE OPERATOR @extschema@.= (
    LEFTARG = numeric, RIGHTARG = @extschema@.ratio, FUNCTION = @extschema@.numeric_ratio_eq,
    COMMUTATOR = OPERATOR(@extschema@.=), NEGATOR = OPERATOR(@extschema@.<>),
    RESTRICT = pg_catalog.eqsel, JOIN = pg_catalog.eqjoinsel
);
CREATE OPERATOR @extschema@.<> (
    LEFTARG = numeric, RIGHTARG = @extschema@.ratio, FUNCTION = @extschema@.numeric_ratio_ne,
    COMMUTATOR = OPERATOR(@extschema@.<>), NEGATOR = OPERATOR(@extschema@.=),
    RESTRICT = pg_catalog.neqsel, JOIN = pg_catalog.neqjoinsel
);
CREATE OPERATOR @extschema@.< (
    LEFTARG = numeric, RIGHTARG = @extschema@.ratio, FUNCTION = @extschema@.numeric_ratio_lt,
    COMMUTATOR = OPERATOR(@extschema@.>), NEGATOR = OPERATOR(@extschema@.>=),
    RESTRICT = pg_catalog.scalarltsel, JOIN = pg_catalog.scalarltjoinsel
);
CREATE OPERATOR @extschema@.<= (
    LEFTARG = numeric, RIGHTARG = @extschema@.ratio, FUNCTION = @extschema@.numeric_ratio_le,
    COMMUTATOR = OPERATOR(@extschema@.>=), NEGATOR = OPERATOR(@extschema@.>),
    RESTRICT = pg_catalog.scalarlesel, JOIN = pg_catalog.scalarlejoinsel
);
CREATE OPERATOR @extschema@.> (
    LEFTARG = numeric, RIGHTARG = @extschema@.ratio, FUNCTION = @extschema@.numeric_ratio_gt,
    COMMUTATOR = OPERATOR(@extschema@.<), NEGATOR = OPERATOR(@extschema@.<=),
    RESTRICT = pg_catalog.scalargtsel, JOIN = pg_catalog.scalargtjoinsel
);
CREATE OPERATOR @extschema@.>= (
    LEFTARG = numeric, RIGHTARG = @extschema@.ratio, FUNCTION = @extschema@.numeric_ratio_ge,
    COMMUTATOR = OPERATOR(@extschema@.<=), NEGATOR = OPERATOR(@extschema@.<),
    RESTRICT = pg_catalog.scalargesel, JOIN = pg_catalog.scalargejoinsel
);

COMMENT ON OPERATOR @extschema@.= (@extschema@.ratio, numeric) IS 'value equals the number; NULL for 0/0';
COMMENT ON OPERATOR @extschema@.<> (@extschema@.ratio, numeric) IS 'value differs from the number; NULL for 0/0';
COMMENT ON OPERATOR @extschema@.< (@extschema@.ratio, numeric) IS 'value below the number; NULL for 0/0';
COMMENT ON OPERATOR @extschema@.<= (@extschema@.ratio, numeric) IS 'value at most the number; NULL for 0/0';
COMMENT ON OPERATOR @extschema@.> (@extschema@.ratio, numeric) IS 'value above the number; NULL for 0/0';
COMMENT ON OPERATOR @extschema@.>= (@extschema@.ratio, numeric) IS 'value at least the number, as in r >= 0.85; NULL for 0/0';
COMMENT ON OPERATOR @extschema@.= (numeric, @extschema@.ratio) IS 'number equals the value; NULL for 0/0';
COMMENT ON OPERATOR @extschema@.<> (numeric, @extschema@.ratio) IS 'number differs from the value; NULL for 0/0';
COMMENT ON OPERATOR @extschema@.< (numeric, @extschema@.ratio) IS 'number below the value; NULL for 0/0';
COMMENT ON OPERATOR @extschema@.<= (numeric, @extschema@.ratio) IS 'number at most the value; NULL for 0/0';
COMMENT ON OPERATOR @extschema@.> (numeric, @extschema@.ratio) IS 'number above the value; NULL for 0/0';
COMMENT ON OPERATOR @extschema@.>= (numeric, @extschema@.ratio) IS 'number at least the value; NULL for 0/0';
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
-- chibo: good_status and the "4 tốt" aggregates.
--
-- good_status sums up the assessments of one subject (member or cell):
-- not_assessed (none), achieved (every criterion met in every assessment)
-- or not_achieved, with the criteria met every time and the number of
-- assessments: not_achieved:1101:3.  It is the aggregates' state and their
-- result, and its text form reads back exactly.

CREATE TYPE @extschema@.good_status;

CREATE FUNCTION @extschema@.good_status_in(cstring) RETURNS @extschema@.good_status
    AS 'MODULE_PATHNAME', 'good_status_in'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.good_status_in(cstring) IS
    'text input of good_status: not_assessed, achieved:1111:3 or not_achieved:1101:3';

CREATE FUNCTION @extschema@.good_status_out(@extschema@.good_status) RETURNS cstring
    AS 'MODULE_PATHNAME', 'good_status_out'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.good_status_out(@extschema@.good_status) IS
    'text output of good_status';

CREATE FUNCTION @extschema@.good_status_recv(internal) RETURNS @extschema@.good_status
    AS 'MODULE_PATHNAME', 'good_status_recv'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.good_status_recv(internal) IS
    'binary input of good_status: criteria count (int2), criteria met every time (int4), assessments (int8), validated';

CREATE FUNCTION @extschema@.good_status_send(@extschema@.good_status) RETURNS bytea
    AS 'MODULE_PATHNAME', 'good_status_send'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.good_status_send(@extschema@.good_status) IS
    'binary output of good_status';

CREATE TYPE @extschema@.good_status (
    INPUT = @extschema@.good_status_in,
    OUTPUT = @extschema@.good_status_out,
    RECEIVE = @extschema@.good_status_recv,
    SEND = @extschema@.good_status_send,
    INTERNALLENGTH = 8,
    PASSEDBYVALUE,
    ALIGNMENT = double,
    STORAGE = plain
);
COMMENT ON TYPE @extschema@.good_status IS
    'result of a subject''s assessments ("4 tốt"): not_assessed, achieved:1111:3 or not_achieved:1101:3 (criteria met every time, number of assessments)';

CREATE FUNCTION @extschema@.label(@extschema@.good_status) RETURNS text
    AS 'MODULE_PATHNAME', 'good_status_label_text'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.label(@extschema@.good_status) IS
    'achieved, not_achieved or not_assessed';

CREATE FUNCTION @extschema@.failed_criteria(@extschema@.good_status) RETURNS integer[]
    AS 'MODULE_PATHNAME', 'good_status_failed'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.failed_criteria(@extschema@.good_status) IS
    'numbers of the criteria unmet in at least one assessment, ascending; {} when achieved or not assessed';

CREATE FUNCTION @extschema@.assessment_count(@extschema@.good_status) RETURNS bigint
    AS 'MODULE_PATHNAME', 'good_status_assessments'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.assessment_count(@extschema@.good_status) IS
    'how many assessments the status sums up; 0 when not assessed';
-- chibo: attendance_status and attendance_tally.
--
-- attendance_status is what a meeting's attendance list records for a
-- member.  attendance_tally is the state of attendance_ratio(status,
-- policy): present, excused and absent counts and the policy that turns
-- them into a ratio; its text form reads back exactly.

CREATE TYPE @extschema@.attendance_status AS ENUM ('present', 'excused', 'absent');
COMMENT ON TYPE @extschema@.attendance_status IS
    'a member''s attendance at a meeting: present (có mặt), excused (vắng có lý do), absent (vắng không lý do)';

CREATE TYPE @extschema@.attendance_tally;

CREATE FUNCTION @extschema@.attendance_tally_in(cstring) RETURNS @extschema@.attendance_tally
    AS 'MODULE_PATHNAME', 'attendance_tally_in'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.attendance_tally_in(cstring) IS
    'text input of attendance_tally: present=N excused=N absent=N policy=excused_count';

CREATE FUNCTION @extschema@.attendance_tally_out(@extschema@.attendance_tally) RETURNS cstring
    AS 'MODULE_PATHNAME', 'attendance_tally_out'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.attendance_tally_out(@extschema@.attendance_tally) IS
    'text output of attendance_tally';

CREATE FUNCTION @extschema@.attendance_tally_recv(internal) RETURNS @extschema@.attendance_tally
    AS 'MODULE_PATHNAME', 'attendance_tally_recv'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.attendance_tally_recv(internal) IS
    'binary input of attendance_tally: present, excused, absent (int8 each) and policy (int4), validated';

CREATE FUNCTION @extschema@.attendance_tally_send(@extschema@.attendance_tally) RETURNS bytea
    AS 'MODULE_PATHNAME', 'attendance_tally_send'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.attendance_tally_send(@extschema@.attendance_tally) IS
    'binary output of attendance_tally';

CREATE TYPE @extschema@.attendance_tally (
    INPUT = @extschema@.attendance_tally_in,
    OUTPUT = @extschema@.attendance_tally_out,
    RECEIVE = @extschema@.attendance_tally_recv,
    SEND = @extschema@.attendance_tally_send,
    INTERNALLENGTH = 32,
    ALIGNMENT = double,
    STORAGE = plain
);
COMMENT ON TYPE @extschema@.attendance_tally IS
    'state of attendance_ratio(status, policy): present=3 excused=1 absent=2 policy=excused_count';
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
-- chibo: units, the party organisation tree with history.
--
-- A unit is a committee (đảng bộ) or a cell (chi bộ).  The tree changes over
-- time, so a unit carries the dates it existed ([valid_from, valid_to), an
-- empty valid_to meaning it still exists) and its parent must exist for the
-- whole of that time.  A restructure closes units and opens new ones; it
-- never rewrites a unit's parent after the fact.
--
-- The rules of each table live in one function: unit_problem() for a unit
-- row (units, memberships and schemes are checked a row at a time), or a
-- rule function such as members_rule() that writes one set-based query
-- checking many rows at once (the big tables).  The tables' triggers run
-- them on every direct INSERT or UPDATE, and chibo.import_staged() runs the
-- same functions to give each rejected CSV row its reason.  A problem is
-- 'SQLSTATE message' (NULL: no problem); the triggers raise it with that
-- SQLSTATE.

CREATE SCHEMA chibo_import;
COMMENT ON SCHEMA chibo_import IS
    'chibo CSV import: one staging table per file of the data contract, and the rejects of every import';

-- Raise a problem string 'SQLSTATE message' as an error (no-op for NULL).
CREATE FUNCTION @extschema@.raise_problem(problem text) RETURNS void
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $$
BEGIN
    IF problem IS NOT NULL THEN
        RAISE EXCEPTION USING ERRCODE = pg_catalog.left(problem, 5),
                              MESSAGE = pg_catalog.substr(problem, 7);
    END IF;
END;
$$;
COMMENT ON FUNCTION @extschema@.raise_problem(text) IS
    'raises a rule problem ''SQLSTATE message'' as an error with that SQLSTATE; does nothing for NULL';

-- The rows a statement wrote, checked all at once: TG_ARGV[0] names the
-- table's rule function, which writes the query that finds the rows
-- breaking a rule (see members_rule).  The first problem is raised.
CREATE FUNCTION @extschema@.check_rows() RETURNS trigger
    LANGUAGE plpgsql PARALLEL UNSAFE
AS $$
DECLARE
    rule text;
    problem text;
BEGIN
    EXECUTE pg_catalog.format('SELECT @extschema@.%I($1, $2)', TG_ARGV[0]) INTO rule USING 'new_rows', 'id';
    -- (ORDER BY, not a bare LIMIT: the planner then joins by hash over all
    -- the rows instead of probing row by row for an early problem)
    EXECUTE 'SELECT p.problem FROM (' || rule || ') p WHERE p.problem IS NOT NULL ORDER BY p.key LIMIT 1' INTO problem;
    PERFORM @extschema@.raise_problem(problem);
    RETURN NULL;
END;
$$;
COMMENT ON FUNCTION @extschema@.check_rows() IS
    'trigger (after each statement): rejects the statement when a row it wrote breaks a rule of the table''s rule function, named by the trigger''s argument';

-- A date as the contract writes it, YYYY-MM-DD ('open' for NULL: no end).
CREATE FUNCTION @extschema@.date_text(d date) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN COALESCE(pg_catalog.to_char(d::timestamp, 'YYYY-MM-DD'), 'open');
COMMENT ON FUNCTION @extschema@.date_text(date) IS
    'a date as YYYY-MM-DD whatever the DateStyle; ''open'' for NULL (a period with no end)';

-- A period [from, to) as messages write it: from 2021-01-01 to 2024-01-01,
-- or from 2021-01-01 on when it has no end.
CREATE FUNCTION @extschema@.period_text(from_date date, to_date date) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN 'from ' || @extschema@.date_text(from_date)
           || CASE WHEN to_date IS NULL THEN ' on' ELSE ' to ' || @extschema@.date_text(to_date) END;
COMMENT ON FUNCTION @extschema@.period_text(date, date) IS
    'a period [from, to) as messages write it: from 2021-01-01 to 2024-01-01, or from 2021-01-01 on';

CREATE TABLE @extschema@.units (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code        text NOT NULL,
    parent_id   bigint REFERENCES @extschema@.units (id),
    name        text NOT NULL,
    kind        text NOT NULL,
    grassroots  boolean NOT NULL,
    cell_type   text,
    valid_from  date NOT NULL,
    valid_to    date,
    CONSTRAINT units_code_key UNIQUE (code)
);
SELECT pg_catalog.pg_extension_config_dump('@extschema@.units', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.units_id_seq', '');
CREATE INDEX units_parent_idx ON @extschema@.units (parent_id);

COMMENT ON TABLE @extschema@.units IS
    'party units (đảng bộ, chi bộ) with the dates they existed; the tree as it stood on any date';
COMMENT ON COLUMN @extschema@.units.id IS 'surrogate key';
COMMENT ON COLUMN @extschema@.units.code IS 'natural key (units.csv code), such as TH.BUOI.07';
COMMENT ON COLUMN @extschema@.units.parent_id IS 'the parent committee, which exists for the whole of this unit''s validity; NULL for a root';
COMMENT ON COLUMN @extschema@.units.name IS 'name, such as Chi bộ tổ dân phố số 3';
COMMENT ON COLUMN @extschema@.units.kind IS 'committee (đảng bộ, has child units) or cell (chi bộ, has members and meetings)';
COMMENT ON COLUMN @extschema@.units.grassroots IS 'true for a grassroots organisation (tổ chức cơ sở đảng): a đảng bộ cơ sở or a chi bộ cơ sở';
COMMENT ON COLUMN @extschema@.units.cell_type IS 'cell type (loại hình chi bộ) of a cell; NULL for a committee';
COMMENT ON COLUMN @extschema@.units.valid_from IS 'first day the unit existed';
COMMENT ON COLUMN @extschema@.units.valid_to IS 'first day the unit no longer existed; NULL while it exists';

-- The cell types of the contract.
CREATE FUNCTION @extschema@.cell_types() RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN '{party_agency,administrative,public_service,armed_forces,school,enterprise,residential,other}'::text[];
COMMENT ON FUNCTION @extschema@.cell_types() IS
    'the cell types (loại hình chi bộ) a cell may have';

-- The rules of one unit row; NULL when it breaks none.
CREATE FUNCTION @extschema@.unit_problem(
    p_id bigint, p_code text, p_parent_id bigint, p_name text, p_kind text,
    p_grassroots boolean, p_cell_type text, p_valid_from date, p_valid_to date,
    p_parent_may_follow boolean DEFAULT false, p_check_below boolean DEFAULT true)
RETURNS text
    LANGUAGE plpgsql STABLE PARALLEL SAFE
AS $$
DECLARE
    parent record;
    child record;
    ancestor bigint;
    depth integer := 0;
    label text := 'unit ' || COALESCE(p_code, '(no code)');
BEGIN
    IF p_code IS NULL OR p_code = '' THEN
        RETURN '23502 a unit needs a code';
    ELSIF p_name IS NULL OR pg_catalog.btrim(p_name) = '' THEN
        RETURN '23502 ' || label || ': name is empty';
    ELSIF p_kind IS NULL OR p_kind NOT IN ('committee', 'cell') THEN
        RETURN pg_catalog.format('23514 %s: kind %s is not committee or cell',
                                 label, COALESCE(pg_catalog.quote_literal(p_kind), 'is empty and'));
    ELSIF p_grassroots IS NULL THEN
        RETURN '23502 ' || label || ': grassroots must be true or false';
    ELSIF p_kind = 'cell' AND p_cell_type IS NULL THEN
        RETURN '23502 ' || label || ': a cell needs a cell_type ('
               || pg_catalog.array_to_string(@extschema@.cell_types(), ', ') || ')';
    ELSIF p_kind = 'cell' AND NOT p_cell_type = ANY (@extschema@.cell_types()) THEN
        RETURN pg_catalog.format('23514 %s: cell_type %L is not one of %s', label, p_cell_type,
                                 pg_catalog.array_to_string(@extschema@.cell_types(), ', '));
    ELSIF p_kind = 'committee' AND p_cell_type IS NOT NULL THEN
        RETURN pg_catalog.format('23514 %s: a committee has no cell_type (got %L)', label, p_cell_type);
    ELSIF p_valid_from IS NULL THEN
        RETURN '23502 ' || label || ': valid_from is empty';
    ELSIF p_valid_to <= p_valid_from THEN
        RETURN pg_catalog.format('23514 %s: valid_to %s is not after valid_from %s', label,
                                 @extschema@.date_text(p_valid_to), @extschema@.date_text(p_valid_from));
    END IF;

    IF p_parent_id IS NOT NULL THEN
        SELECT u.code, u.kind, u.valid_from, u.valid_to INTO parent
          FROM @extschema@.units u WHERE u.id = p_parent_id;
        IF NOT FOUND AND p_parent_may_follow THEN
            NULL;   -- checked again at the end of the statement
        ELSIF NOT FOUND THEN
            RETURN pg_catalog.format('23503 %s: parent unit id %s does not exist', label, p_parent_id);
        ELSIF parent.kind <> 'committee' THEN
            RETURN pg_catalog.format('23514 %s: parent %s is a cell, and a cell has no child units',
                                     label, parent.code);
        ELSIF NOT pg_catalog.daterange(parent.valid_from, parent.valid_to)
                  @> pg_catalog.daterange(p_valid_from, p_valid_to) THEN
            RETURN pg_catalog.format('23503 %s (%s) does not fit inside the lifetime of its parent %s (%s)',
                                     label, @extschema@.period_text(p_valid_from, p_valid_to),
                                     parent.code, @extschema@.period_text(parent.valid_from, parent.valid_to));
        END IF;
        -- A changed parent must not lead back to the unit: walk up.
        ancestor := p_parent_id;
        WHILE p_id IS NOT NULL AND ancestor IS NOT NULL AND depth < 1000 LOOP
            IF ancestor = p_id THEN
                RETURN pg_catalog.format('23514 %s: its parent chain through %s leads back to itself',
                                         label, parent.code);
            END IF;
            SELECT u.parent_id INTO ancestor FROM @extschema@.units u WHERE u.id = ancestor;
            depth := depth + 1;
        END LOOP;
    END IF;

    -- What hangs below an existing unit must still fit it.
    IF p_id IS NOT NULL AND p_check_below THEN
        IF p_kind = 'cell' THEN
            SELECT c.code INTO child FROM @extschema@.units c WHERE c.parent_id = p_id LIMIT 1;
            IF FOUND THEN
                RETURN pg_catalog.format('23514 %s cannot become a cell: it has the child unit %s, and a cell has no child units',
                                         label, child.code);
            END IF;
        END IF;
        SELECT c.code, c.valid_from, c.valid_to INTO child
          FROM @extschema@.units c
         WHERE c.parent_id = p_id
           AND NOT pg_catalog.daterange(p_valid_from, p_valid_to) @> pg_catalog.daterange(c.valid_from, c.valid_to)
         LIMIT 1;
        IF FOUND THEN
            RETURN pg_catalog.format('23503 %s: its child unit %s (existing %s) would no longer fit inside it',
                                     label, child.code,
                                     @extschema@.period_text(child.valid_from, child.valid_to));
        END IF;
        SELECT m.code, ms.from_date, ms.to_date INTO child
          FROM @extschema@.memberships ms JOIN @extschema@.members m ON m.id = ms.member_id
         WHERE ms.unit_id = p_id
           AND (p_kind <> 'cell' OR NOT pg_catalog.daterange(p_valid_from, p_valid_to) @> ms.period)
         LIMIT 1;
        IF FOUND THEN
            RETURN pg_catalog.format('23503 %s: the membership of member %s (%s) would no longer fit inside it',
                                     label, child.code,
                                     @extschema@.period_text(child.from_date, child.to_date));
        END IF;
        SELECT mt.held_on, mt.kind INTO child
          FROM @extschema@.meetings mt
         WHERE mt.unit_id = p_id
           AND (p_kind <> 'cell' OR NOT pg_catalog.daterange(p_valid_from, p_valid_to) @> mt.held_on)
         LIMIT 1;
        IF FOUND THEN
            RETURN pg_catalog.format('23503 %s: its %s meeting of %s would no longer fall inside its validity',
                                     label, child.kind, @extschema@.date_text(child.held_on));
        END IF;
        IF p_kind <> 'cell' AND (
               EXISTS (SELECT FROM @extschema@.assessments a WHERE a.unit_id = p_id)
            OR EXISTS (SELECT FROM @extschema@.classifications c WHERE c.unit_id = p_id)) THEN
            RETURN '23514 ' || label || ': it has cell assessments or classifications, so it must stay a cell';
        END IF;
    END IF;
    RETURN NULL;
END;
$$;
COMMENT ON FUNCTION @extschema@.unit_problem(bigint, text, bigint, text, text, boolean, text, date, date, boolean, boolean) IS
    'the first rule a unit row breaks, as ''SQLSTATE message'', or NULL (with p_parent_may_follow, a parent not yet stored is no problem; without p_check_below, what hangs below a stored unit is not checked); used by the units triggers and by the import';

-- units_check checks each row as it is written.  A parent written later in
-- the same statement (a restore's COPY writes rows in physical order) is
-- checked by units_check_tree when the statement ends.
CREATE FUNCTION @extschema@.units_check() RETURNS trigger
    LANGUAGE plpgsql PARALLEL UNSAFE
AS $$
BEGIN
    -- Before a row is written, a new unit has nothing below it to check;
    -- at the end of the statement it is checked as a stored unit.
    PERFORM @extschema@.raise_problem(@extschema@.unit_problem(
        CASE WHEN TG_OP = 'UPDATE' OR TG_WHEN = 'AFTER' THEN NEW.id END,
        NEW.code, NEW.parent_id, NEW.name, NEW.kind, NEW.grassroots,
        NEW.cell_type, NEW.valid_from, NEW.valid_to, TG_WHEN = 'BEFORE'));
    RETURN NEW;
END;
$$;
COMMENT ON FUNCTION @extschema@.units_check() IS
    'trigger: rejects a unit row that breaks a rule of unit_problem()';
CREATE TRIGGER units_check BEFORE INSERT OR UPDATE ON @extschema@.units
    FOR EACH ROW EXECUTE FUNCTION @extschema@.units_check();
CREATE CONSTRAINT TRIGGER units_check_tree AFTER INSERT OR UPDATE OF parent_id ON @extschema@.units
    DEFERRABLE INITIALLY IMMEDIATE
    FOR EACH ROW EXECUTE FUNCTION @extschema@.units_check();
-- chibo: members (đảng viên).  A member is admitted (kết nạp), is
-- probationary until full_member_on, and may leave the party (left_on).
-- Which cell a member belongs to is in memberships, with history.

CREATE TABLE @extschema@.members (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code            text NOT NULL,
    full_name       text NOT NULL,
    gender          text,
    birth_date      date,
    admitted_on     date NOT NULL,
    full_member_on  date,
    left_on         date,
    left_reason     text,
    CONSTRAINT members_code_key UNIQUE (code)
);
SELECT pg_catalog.pg_extension_config_dump('@extschema@.members', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.members_id_seq', '');

COMMENT ON TABLE @extschema@.members IS
    'party members (đảng viên): admission, full membership, departure; holds personal data (name, gender, birth date)';
COMMENT ON COLUMN @extschema@.members.id IS 'surrogate key';
COMMENT ON COLUMN @extschema@.members.code IS 'natural key: the member record number (members.csv code)';
COMMENT ON COLUMN @extschema@.members.full_name IS 'full name (personal data)';
COMMENT ON COLUMN @extschema@.members.gender IS 'male, female or NULL (personal data)';
COMMENT ON COLUMN @extschema@.members.birth_date IS 'date of birth or NULL (personal data)';
COMMENT ON COLUMN @extschema@.members.admitted_on IS 'date of admission (ngày kết nạp)';
COMMENT ON COLUMN @extschema@.members.full_member_on IS 'date of becoming a full member (đảng viên chính thức); NULL while probationary';
COMMENT ON COLUMN @extschema@.members.left_on IS 'date the member left the party; NULL while a member';
COMMENT ON COLUMN @extschema@.members.left_reason IS 'died, expelled, struck_off, resigned or other; set exactly when left_on is';

-- The rules of member rows, as one set-based query (members come by the
-- hundred thousand): members_rule(source, key) is the text of a query over
-- SOURCE (a relation or subquery with the columns of members, id NULL for
-- rows not yet stored, and KEY) returning (key, problem) for each row, the
-- problem being NULL or 'SQLSTATE message'.  The statement triggers and
-- chibo.import_staged() run this same query.
CREATE FUNCTION @extschema@.members_rule(source text, key text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN pg_catalog.format($q$
        SELECT s.%2$I AS key,
               CASE WHEN s.code IS NULL OR s.code = '' THEN '23502 a member needs a code'
                    WHEN s.full_name IS NULL OR pg_catalog.btrim(s.full_name) = ''
                    THEN '23502 member ' || s.code || ': full_name is empty'
                    WHEN s.gender NOT IN ('male', 'female')
                    THEN pg_catalog.format('23514 member %%s: gender %%L is not male, female or empty', s.code, s.gender)
                    WHEN s.admitted_on IS NULL THEN '23502 member ' || s.code || ': admitted_on is empty'
                    WHEN s.full_member_on < s.admitted_on
                    THEN pg_catalog.format('23514 member %%s: full_member_on %%s is before admitted_on %%s', s.code,
                                           @extschema@.date_text(s.full_member_on), @extschema@.date_text(s.admitted_on))
                    WHEN s.left_on < s.admitted_on
                    THEN pg_catalog.format('23514 member %%s: left_on %%s is before admitted_on %%s', s.code,
                                           @extschema@.date_text(s.left_on), @extschema@.date_text(s.admitted_on))
                    WHEN s.left_on IS NOT NULL AND s.left_reason IS NULL
                    THEN '23502 member ' || s.code || ': left_on is set, so left_reason is required (died, expelled, struck_off, resigned, other)'
                    WHEN s.left_reason NOT IN ('died', 'expelled', 'struck_off', 'resigned', 'other')
                    THEN pg_catalog.format('23514 member %%s: left_reason %%L is not died, expelled, struck_off, resigned or other',
                                           s.code, s.left_reason)
                    WHEN late.held_on IS NOT NULL
                    THEN pg_catalog.format('23503 member %%s: left_on %%s is before the meeting of cell %%s on %%s where attendance is recorded',
                                           s.code, @extschema@.date_text(s.left_on), late.code, @extschema@.date_text(late.held_on))
               END AS problem
          FROM %1$s s
          -- A departure may not precede attendance recorded for the member.
          LEFT JOIN LATERAL (
                SELECT u.code, a.held_on
                  FROM @extschema@.memberships ms
                  JOIN @extschema@.attendance a ON a.membership_id = ms.id
                  JOIN @extschema@.units u ON u.id = a.unit_id
                 WHERE s.id IS NOT NULL AND s.left_on IS NOT NULL
                   AND ms.member_id = s.id AND a.held_on > s.left_on
                 ORDER BY a.held_on, u.code
                 LIMIT 1) late ON true$q$,
        source, key);
COMMENT ON FUNCTION @extschema@.members_rule(text, text) IS
    'the text of the query that checks member rows of a relation against the member rules, giving (key, ''SQLSTATE message'') per row';

CREATE TRIGGER members_check AFTER INSERT ON @extschema@.members
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.check_rows('members_rule');
CREATE TRIGGER members_check_update AFTER UPDATE ON @extschema@.members
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.check_rows('members_rule');
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
AS $$
BEGIN
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
-- chibo: task registrations, criteria schemes, assessments and annual
-- classifications.

CREATE TABLE @extschema@.task_registrations (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    member_id  bigint NOT NULL REFERENCES @extschema@.members (id),
    year       integer NOT NULL,
    kind       text NOT NULL,
    title      text NOT NULL,
    outcome    text NOT NULL DEFAULT 'pending',
    CONSTRAINT task_registrations_natural_key UNIQUE (member_id, year, kind, title)
);
SELECT pg_catalog.pg_extension_config_dump('@extschema@.task_registrations', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.task_registrations_id_seq', '');

COMMENT ON TABLE @extschema@.task_registrations IS
    'a member''s registration of a new or difficult task for a year (đăng ký nhiệm vụ mới, nhiệm vụ khó)';
COMMENT ON COLUMN @extschema@.task_registrations.id IS 'surrogate key';
COMMENT ON COLUMN @extschema@.task_registrations.member_id IS 'the member who registered';
COMMENT ON COLUMN @extschema@.task_registrations.year IS 'the year of the task';
COMMENT ON COLUMN @extschema@.task_registrations.kind IS 'new (nhiệm vụ mới) or difficult (nhiệm vụ khó)';
COMMENT ON COLUMN @extschema@.task_registrations.title IS 'what the task is';
COMMENT ON COLUMN @extschema@.task_registrations.outcome IS 'pending, completed or not_completed';

-- The rules of task registration rows, as one set-based query over SOURCE
-- (the columns of task_registrations and KEY); see members_rule.
CREATE FUNCTION @extschema@.task_registrations_rule(source text, key text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN pg_catalog.format($q$
        SELECT s.%2$I AS key,
               CASE WHEN m.id IS NULL
                    THEN pg_catalog.format('23503 task registration: member id %%s does not exist', s.member_id)
                    WHEN s.year IS NULL OR s.year NOT BETWEEN 1000 AND 9999
                    THEN pg_catalog.format('23514 task registration of member %%s: year %%s is not a four-digit year',
                                           m.code, COALESCE(s.year::text, '(empty)'))
                    WHEN s.kind IS NULL OR s.kind NOT IN ('new', 'difficult')
                    THEN pg_catalog.format('23514 task registration of member %%s: kind %%s is not new or difficult',
                                           m.code, COALESCE(pg_catalog.quote_literal(s.kind), '(empty)'))
                    WHEN s.title IS NULL OR pg_catalog.btrim(s.title) = ''
                    THEN '23502 task registration of member ' || m.code || ': title is empty'
                    WHEN s.outcome IS NULL OR s.outcome NOT IN ('pending', 'completed', 'not_completed')
                    THEN pg_catalog.format('23514 task registration of member %%s: outcome %%s is not pending, completed or not_completed',
                                           m.code, COALESCE(pg_catalog.quote_literal(s.outcome), '(empty)'))
               END AS problem
          FROM %1$s s
          LEFT JOIN @extschema@.members m ON m.id = s.member_id$q$,
        source, key);
COMMENT ON FUNCTION @extschema@.task_registrations_rule(text, text) IS
    'the text of the query that checks task registration rows of a relation against their rules, giving (key, ''SQLSTATE message'') per row';

CREATE TRIGGER task_registrations_check AFTER INSERT ON @extschema@.task_registrations
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.check_rows('task_registrations_rule');
CREATE TRIGGER task_registrations_check_update AFTER UPDATE ON @extschema@.task_registrations
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.check_rows('task_registrations_rule');


CREATE TABLE @extschema@.schemes (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code            text NOT NULL,
    name            text NOT NULL,
    subject_kind    text NOT NULL,
    criteria_names  text[] NOT NULL,
    shipped         boolean NOT NULL DEFAULT false,
    CONSTRAINT schemes_code_key UNIQUE (code)
);
-- The shipped schemes come back with CREATE EXTENSION; dump the user's own.
SELECT pg_catalog.pg_extension_config_dump('@extschema@.schemes', 'WHERE NOT shipped');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.schemes_id_seq', '');

COMMENT ON TABLE @extschema@.schemes IS
    'criteria schemes (bộ tiêu chí) such as Đảng viên 4 tốt: who they assess and their criteria, in order';
COMMENT ON COLUMN @extschema@.schemes.id IS 'surrogate key';
COMMENT ON COLUMN @extschema@.schemes.code IS 'natural key, such as DV4T';
COMMENT ON COLUMN @extschema@.schemes.name IS 'name, such as Đảng viên 4 tốt';
COMMENT ON COLUMN @extschema@.schemes.subject_kind IS 'member or cell: what the scheme assesses';
COMMENT ON COLUMN @extschema@.schemes.criteria_names IS 'the criteria, in the order of an assessment''s flags (1 to 16 of them)';
COMMENT ON COLUMN @extschema@.schemes.shipped IS 'true for the schemes chibo ships (DV4T, CB4T, DV5T)';

-- The rules of one scheme row; NULL when it breaks none.
CREATE FUNCTION @extschema@.scheme_problem(
    p_id bigint, p_code text, p_name text, p_subject_kind text, p_criteria_names text[])
RETURNS text
    LANGUAGE plpgsql STABLE PARALLEL SAFE
AS $$
DECLARE
    n integer := pg_catalog.cardinality(p_criteria_names);
    label text := 'scheme ' || COALESCE(p_code, '(no code)');
BEGIN
    IF p_code IS NULL OR p_code = '' THEN
        RETURN '23502 a scheme needs a code';
    ELSIF p_name IS NULL OR pg_catalog.btrim(p_name) = '' THEN
        RETURN '23502 ' || label || ': name is empty';
    ELSIF p_subject_kind IS NULL OR p_subject_kind NOT IN ('member', 'cell') THEN
        RETURN pg_catalog.format('23514 %s: subject_kind %s is not member or cell', label,
                                 COALESCE(pg_catalog.quote_literal(p_subject_kind), '(empty)'));
    ELSIF n IS NULL OR n NOT BETWEEN 1 AND 16 OR pg_catalog.array_ndims(p_criteria_names) <> 1
          OR pg_catalog.array_position(p_criteria_names, NULL) IS NOT NULL THEN
        RETURN '23514 ' || label || ': criteria_names must list 1 to 16 criteria';
    ELSIF p_id IS NOT NULL AND EXISTS (
            SELECT FROM @extschema@.assessments a
             WHERE a.scheme_id = p_id
               AND (a.subject_kind <> p_subject_kind
                    OR @extschema@.criteria_count(a.criteria) <> n)) THEN
        RETURN '23503 ' || label || ': assessments under it need its present subject kind and number of criteria';
    END IF;
    RETURN NULL;
END;
$$;
COMMENT ON FUNCTION @extschema@.scheme_problem(bigint, text, text, text, text[]) IS
    'the first rule a scheme row breaks, as ''SQLSTATE message'', or NULL';

CREATE FUNCTION @extschema@.schemes_check() RETURNS trigger
    LANGUAGE plpgsql PARALLEL UNSAFE
AS $$
BEGIN
    PERFORM @extschema@.raise_problem(@extschema@.scheme_problem(
        NEW.id, NEW.code, NEW.name, NEW.subject_kind, NEW.criteria_names));
    RETURN NEW;
END;
$$;
COMMENT ON FUNCTION @extschema@.schemes_check() IS
    'trigger: rejects a scheme row that breaks a rule of scheme_problem()';
CREATE TRIGGER schemes_check BEFORE INSERT OR UPDATE ON @extschema@.schemes
    FOR EACH ROW EXECUTE FUNCTION @extschema@.schemes_check();

-- The subject of an assessment or a classification is a member or a cell.
-- subject_rule(what) writes the WHEN clauses that check it, for the rule
-- queries below (which join members m and units u on the row's ids).
CREATE FUNCTION @extschema@.subject_rule(what text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN pg_catalog.format($q$
                    WHEN s.subject_kind IS NULL OR s.subject_kind NOT IN ('member', 'cell')
                    THEN pg_catalog.format('23514 %1$s: subject_kind %%s is not member or cell',
                                           COALESCE(pg_catalog.quote_literal(s.subject_kind), '(empty)'))
                    WHEN s.subject_kind = 'member' AND (s.unit_id IS NOT NULL OR s.member_id IS NULL)
                    THEN '23514 %1$s: a member subject sets member_id and leaves unit_id empty'
                    WHEN s.subject_kind = 'cell' AND (s.member_id IS NOT NULL OR s.unit_id IS NULL)
                    THEN '23514 %1$s: a cell subject sets unit_id and leaves member_id empty'
                    WHEN s.subject_kind = 'member' AND m.id IS NULL
                    THEN pg_catalog.format('23503 %1$s: member id %%s does not exist', s.member_id)
                    WHEN s.subject_kind = 'cell' AND u.id IS NULL
                    THEN pg_catalog.format('23503 %1$s: unit id %%s does not exist', s.unit_id)
                    WHEN s.subject_kind = 'cell' AND u.kind <> 'cell'
                    THEN pg_catalog.format('23514 %1$s of %%s: the subject is a committee, not a cell', u.code)$q$,
        what);
COMMENT ON FUNCTION @extschema@.subject_rule(text) IS
    'the WHEN clauses that check the subject (a member, or a cell) of an assessment or classification row, for the rule queries';

CREATE TABLE @extschema@.assessments (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    subject_kind  text NOT NULL,
    member_id     bigint REFERENCES @extschema@.members (id),
    unit_id       bigint REFERENCES @extschema@.units (id),
    scheme_id     bigint NOT NULL REFERENCES @extschema@.schemes (id),
    period_start  date NOT NULL,
    period_end    date NOT NULL,
    criteria      @extschema@.criteria NOT NULL
);
SELECT pg_catalog.pg_extension_config_dump('@extschema@.assessments', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.assessments_id_seq', '');
CREATE UNIQUE INDEX assessments_member_key ON @extschema@.assessments (member_id, scheme_id, period_start)
    WHERE member_id IS NOT NULL;
CREATE UNIQUE INDEX assessments_cell_key ON @extschema@.assessments (unit_id, scheme_id, period_start)
    WHERE unit_id IS NOT NULL;

COMMENT ON TABLE @extschema@.assessments IS
    'assessments of a member or a cell under a criteria scheme over a period (đánh giá 4 tốt): which criteria were met';
COMMENT ON COLUMN @extschema@.assessments.id IS 'surrogate key';
COMMENT ON COLUMN @extschema@.assessments.subject_kind IS 'member or cell';
COMMENT ON COLUMN @extschema@.assessments.member_id IS 'the assessed member (subject_kind member)';
COMMENT ON COLUMN @extschema@.assessments.unit_id IS 'the assessed cell (subject_kind cell)';
COMMENT ON COLUMN @extschema@.assessments.scheme_id IS 'the criteria scheme, whose subject kind matches';
COMMENT ON COLUMN @extschema@.assessments.period_start IS 'first day of the assessed period';
COMMENT ON COLUMN @extschema@.assessments.period_end IS 'last day of the assessed period';
COMMENT ON COLUMN @extschema@.assessments.criteria IS 'one flag per criterion of the scheme, in order: 1101 = criterion 3 not met';

-- The rules of assessment rows, as one set-based query over SOURCE (the
-- columns of assessments and KEY); see members_rule.
CREATE FUNCTION @extschema@.assessments_rule(source text, key text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN pg_catalog.format($q$
        SELECT s.%2$I AS key,
               CASE %3$s
                    WHEN sc.id IS NULL
                    THEN pg_catalog.format('23503 assessment of %%s: scheme id %%s does not exist', x.subject, s.scheme_id)
                    WHEN sc.subject_kind <> s.subject_kind
                    THEN pg_catalog.format('23514 assessment of %%s: scheme %%s assesses a %%s, not a %%s',
                                           x.subject, sc.code, sc.subject_kind, s.subject_kind)
                    WHEN s.period_start IS NULL OR s.period_end IS NULL
                    THEN '23502 assessment of ' || x.subject || ': period_start and period_end are required'
                    WHEN s.period_end < s.period_start
                    THEN pg_catalog.format('23514 assessment of %%s: period_end %%s is before period_start %%s', x.subject,
                                           @extschema@.date_text(s.period_end), @extschema@.date_text(s.period_start))
                    WHEN s.criteria IS NULL THEN '23502 assessment of ' || x.subject || ': criteria is empty'
                    WHEN @extschema@.criteria_count(s.criteria) <> pg_catalog.cardinality(sc.criteria_names)
                    THEN pg_catalog.format('23514 assessment of %%s: criteria %%s has %%s flags, but scheme %%s has %%s criteria',
                                           x.subject, s.criteria, @extschema@.criteria_count(s.criteria), sc.code,
                                           pg_catalog.cardinality(sc.criteria_names))
               END AS problem
          FROM %1$s s
          LEFT JOIN @extschema@.members m ON m.id = s.member_id
          LEFT JOIN @extschema@.units u ON u.id = s.unit_id
          LEFT JOIN @extschema@.schemes sc ON sc.id = s.scheme_id
          CROSS JOIN LATERAL (SELECT CASE WHEN s.member_id IS NOT NULL THEN 'member ' || m.code
                                          ELSE 'cell ' || u.code END AS subject) x$q$,
        source, key, @extschema@.subject_rule('assessment'));
COMMENT ON FUNCTION @extschema@.assessments_rule(text, text) IS
    'the text of the query that checks assessment rows of a relation against the assessment rules, giving (key, ''SQLSTATE message'') per row';

CREATE TRIGGER assessments_check AFTER INSERT ON @extschema@.assessments
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.check_rows('assessments_rule');
CREATE TRIGGER assessments_check_update AFTER UPDATE ON @extschema@.assessments
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.check_rows('assessments_rule');


CREATE TABLE @extschema@.classifications (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    subject_kind  text NOT NULL,
    member_id     bigint REFERENCES @extschema@.members (id),
    unit_id       bigint REFERENCES @extschema@.units (id),
    year          integer NOT NULL,
    grade         text NOT NULL,
    score         numeric
);
SELECT pg_catalog.pg_extension_config_dump('@extschema@.classifications', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.classifications_id_seq', '');
CREATE UNIQUE INDEX classifications_member_key ON @extschema@.classifications (member_id, year)
    WHERE member_id IS NOT NULL;
CREATE UNIQUE INDEX classifications_cell_key ON @extschema@.classifications (unit_id, year)
    WHERE unit_id IS NOT NULL;

COMMENT ON TABLE @extschema@.classifications IS
    'annual quality grading of a member or a cell (xếp loại chất lượng)';
COMMENT ON COLUMN @extschema@.classifications.id IS 'surrogate key';
COMMENT ON COLUMN @extschema@.classifications.subject_kind IS 'member or cell';
COMMENT ON COLUMN @extschema@.classifications.member_id IS 'the graded member (subject_kind member)';
COMMENT ON COLUMN @extschema@.classifications.unit_id IS 'the graded cell (subject_kind cell)';
COMMENT ON COLUMN @extschema@.classifications.year IS 'the graded year';
COMMENT ON COLUMN @extschema@.classifications.grade IS 'excellent (hoàn thành xuất sắc), good (tốt), completed (hoàn thành) or not_completed (không hoàn thành)';
COMMENT ON COLUMN @extschema@.classifications.score IS 'score from 0 to 100 with up to two decimals; NULL when not scored';

-- The rules of classification rows, as one set-based query over SOURCE
-- (the columns of classifications and KEY); see members_rule.
CREATE FUNCTION @extschema@.classifications_rule(source text, key text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN pg_catalog.format($q$
        SELECT s.%2$I AS key,
               CASE %3$s
                    WHEN s.year IS NULL OR s.year NOT BETWEEN 1000 AND 9999
                    THEN pg_catalog.format('23514 classification of %%s: year %%s is not a four-digit year',
                                           x.subject, COALESCE(s.year::text, '(empty)'))
                    WHEN s.grade IS NULL OR s.grade NOT IN ('excellent', 'good', 'completed', 'not_completed')
                    THEN pg_catalog.format('23514 classification of %%s for %%s: grade %%s is not excellent, good, completed or not_completed',
                                           x.subject, s.year, COALESCE(pg_catalog.quote_literal(s.grade), '(empty)'))
                    WHEN s.score NOT BETWEEN 0 AND 100 OR s.score <> pg_catalog.round(s.score, 2)
                    THEN pg_catalog.format('23514 classification of %%s for %%s: score %%s is not between 0 and 100 with up to two decimals',
                                           x.subject, s.year, s.score)
               END AS problem
          FROM %1$s s
          LEFT JOIN @extschema@.members m ON m.id = s.member_id
          LEFT JOIN @extschema@.units u ON u.id = s.unit_id
          CROSS JOIN LATERAL (SELECT CASE WHEN s.member_id IS NOT NULL THEN 'member ' || m.code
                                          ELSE 'cell ' || u.code END AS subject) x$q$,
        source, key, @extschema@.subject_rule('classification'));
COMMENT ON FUNCTION @extschema@.classifications_rule(text, text) IS
    'the text of the query that checks classification rows of a relation against their rules, giving (key, ''SQLSTATE message'') per row';

CREATE TRIGGER classifications_check AFTER INSERT ON @extschema@.classifications
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.check_rows('classifications_rule');
CREATE TRIGGER classifications_check_update AFTER UPDATE ON @extschema@.classifications
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.check_rows('classifications_rule');


-- The shipped schemes (after assessments exists: the schemes trigger reads it).
INSERT INTO @extschema@.schemes (code, name, subject_kind, criteria_names, shipped) VALUES
    ('DV4T', 'Đảng viên 4 tốt', 'member',
     ARRAY['Tư tưởng chính trị tốt', 'Phẩm chất đạo đức, lối sống tốt',
           'Thực hiện nhiệm vụ được giao tốt', 'Ý thức tổ chức kỷ luật tốt'], true),
    ('CB4T', 'Chi bộ 4 tốt', 'cell',
     ARRAY['Lãnh đạo thực hiện tốt nhiệm vụ chính trị', 'Chất lượng sinh hoạt chi bộ tốt',
           'Đoàn kết, kỷ luật tốt', 'Đội ngũ cán bộ, đảng viên tốt'], true),
    ('DV5T', 'Đảng viên 5 tốt', 'member',
     ARRAY['Tư tưởng chính trị tốt', 'Phẩm chất đạo đức, lối sống tốt',
           'Thực hiện nhiệm vụ được giao tốt', 'Ý thức tổ chức kỷ luật tốt',
           'Gương mẫu nơi cư trú tốt'], true);
-- chibo: staging tables of the CSV import (docs/import.md).
--
-- One table per file of the data contract, with exactly the file's columns
-- in the file's order, all text, so that the contract's \copy lines load
-- any file and validation happens in one place: chibo.import_staged().
-- A row's line number is its position in the order it was staged; staging
-- is emptied by import_staged() (TRUNCATE), so rows are read back in the
-- physical order \copy wrote them.

CREATE TABLE chibo_import.units (
    code text, parent_code text, name text, kind text, grassroots text,
    cell_type text, valid_from text, valid_to text);
CREATE TABLE chibo_import.members (
    code text, full_name text, gender text, birth_date text, admitted_on text,
    full_member_on text, left_on text, left_reason text);
CREATE TABLE chibo_import.memberships (
    member_code text, unit_code text, from_date text, to_date text);
CREATE TABLE chibo_import.exemptions (
    member_code text, from_date text, to_date text, reason text);
CREATE TABLE chibo_import.meetings (
    unit_code text, held_on text, kind text, topic text, minutes text);
CREATE TABLE chibo_import.attendance (
    unit_code text, held_on text, meeting_kind text, member_code text, status text);
CREATE TABLE chibo_import.task_registrations (
    member_code text, year text, kind text, title text, outcome text);
CREATE TABLE chibo_import.assessments (
    subject_kind text, subject_code text, scheme text, period_start text,
    period_end text, criteria text);
CREATE TABLE chibo_import.classifications (
    subject_kind text, subject_code text, year text, grade text, score text);

COMMENT ON TABLE chibo_import.units IS 'staging for units.csv: \copy chibo_import.units FROM ''units.csv'' CSV HEADER';
COMMENT ON TABLE chibo_import.members IS 'staging for members.csv: \copy chibo_import.members FROM ''members.csv'' CSV HEADER';
COMMENT ON TABLE chibo_import.memberships IS 'staging for memberships.csv: \copy chibo_import.memberships FROM ''memberships.csv'' CSV HEADER';
COMMENT ON TABLE chibo_import.exemptions IS 'staging for exemptions.csv: \copy chibo_import.exemptions FROM ''exemptions.csv'' CSV HEADER';
COMMENT ON TABLE chibo_import.meetings IS 'staging for meetings.csv: \copy chibo_import.meetings FROM ''meetings.csv'' CSV HEADER';
COMMENT ON TABLE chibo_import.attendance IS 'staging for attendance.csv: \copy chibo_import.attendance FROM ''attendance.csv'' CSV HEADER';
COMMENT ON TABLE chibo_import.task_registrations IS 'staging for task_registrations.csv: \copy chibo_import.task_registrations FROM ''task_registrations.csv'' CSV HEADER';
COMMENT ON TABLE chibo_import.assessments IS 'staging for assessments.csv: \copy chibo_import.assessments FROM ''assessments.csv'' CSV HEADER';
COMMENT ON TABLE chibo_import.classifications IS 'staging for classifications.csv: \copy chibo_import.classifications FROM ''classifications.csv'' CSV HEADER';

CREATE SEQUENCE chibo_import.batch_seq;
SELECT pg_catalog.pg_extension_config_dump('chibo_import.batch_seq', '');
COMMENT ON SEQUENCE chibo_import.batch_seq IS 'numbers the batches of chibo.import_staged()';

CREATE TABLE chibo_import.rejects (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    batch        bigint NOT NULL,
    rejected_at  timestamptz NOT NULL DEFAULT pg_catalog.now(),
    file         text NOT NULL,
    line         bigint NOT NULL,
    "row"        jsonb NOT NULL,
    reason       text NOT NULL
);
SELECT pg_catalog.pg_extension_config_dump('chibo_import.rejects', '');
SELECT pg_catalog.pg_extension_config_dump('chibo_import.rejects_id_seq', '');
CREATE INDEX rejects_batch_idx ON chibo_import.rejects (batch, file, line);

COMMENT ON TABLE chibo_import.rejects IS
    'every row chibo.import_staged() rejected: its batch, file, line, the row as loaded and the reason';
COMMENT ON COLUMN chibo_import.rejects.id IS 'surrogate key';
COMMENT ON COLUMN chibo_import.rejects.batch IS 'the import batch (one call of chibo.import_staged())';
COMMENT ON COLUMN chibo_import.rejects.rejected_at IS 'when the batch ran';
COMMENT ON COLUMN chibo_import.rejects.file IS 'the contract file, such as attendance.csv';
COMMENT ON COLUMN chibo_import.rejects.line IS 'the row''s position in the order it was staged, 1 = first data row';
COMMENT ON COLUMN chibo_import.rejects."row" IS 'the row as loaded: column name to text, as in the staging table';
COMMENT ON COLUMN chibo_import.rejects.reason IS 'why the row was rejected, such as: member TH-0042 does not belong to cell TH.BT.03 on 2024-03-12';

-- Text to date when it is a real YYYY-MM-DD date, else NULL.  Written
-- with immutable parts only (no text-to-date cast, which depends on
-- DateStyle), so that the planner inlines it into the import's queries.
CREATE FUNCTION chibo_import.parse_date(t text) RETURNS date
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE WHEN t ~ '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$' AND pg_catalog.substr(t, 1, 4) <> '0000' THEN
               CASE WHEN pg_catalog.substr(t, 9, 2)::int <=
                         pg_catalog.date_part('day', pg_catalog.make_date(pg_catalog.substr(t, 1, 4)::int,
                                                                          pg_catalog.substr(t, 6, 2)::int, 1)
                                                     + interval '1 month - 1 day')
                    THEN pg_catalog.make_date(pg_catalog.substr(t, 1, 4)::int, pg_catalog.substr(t, 6, 2)::int,
                                              pg_catalog.substr(t, 9, 2)::int) END END;
COMMENT ON FUNCTION chibo_import.parse_date(text) IS
    'a YYYY-MM-DD text as a date, NULL when it is not one (such as 2024-02-30)';

-- The reason a date field is unreadable, or NULL (NULL and real dates).
CREATE FUNCTION chibo_import.date_problem(field text, t text) RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN CASE WHEN t IS NOT NULL AND chibo_import.parse_date(t) IS NULL
                THEN pg_catalog.format('%s %L is not a date (YYYY-MM-DD)', field, t) END;
COMMENT ON FUNCTION chibo_import.date_problem(text, text) IS
    'why a staged date field is not a YYYY-MM-DD date, or NULL';
-- chibo: the parts of chibo.import_staged() that every file shares.
--
-- Each file F is read into a temporary table pg_temp.chibo_import_F (one
-- row per staged row): line, src (the staged row's ctid), key (its natural key),
-- the typed and resolved values, reason (NULL while the row is good), dup
-- (an identical copy of an earlier line, accepted but not applied twice)
-- and step (units are applied parents first, one step per tree level).
-- chibo_import.apply_F(step, line) writes the good rows of a step (or one
-- line) into the table through its triggers, which hold the same rules as
-- the import's checks.

-- Reject rows sharing a natural key with different values; mark identical
-- copies after the first as dup.
CREATE FUNCTION chibo_import.mark_duplicates(p_file text) RETURNS void
    LANGUAGE plpgsql PARALLEL UNSAFE
AS $$
DECLARE
    tmp text := 'chibo_import_' || pg_catalog.split_part(p_file, '.', 1);
BEGIN
    -- Keys staged more than once (usually none), then among those the
    -- keys whose copies differ.
    EXECUTE pg_catalog.format($q$
        CREATE TEMP TABLE chibo_import_repeats ON COMMIT DROP AS
        SELECT t.key, pg_catalog.min(t.line) AS first, pg_catalog.count(DISTINCT pg_catalog.to_jsonb(s)) > 1 AS differ,
               pg_catalog.min(t.label) AS label, pg_catalog.string_agg(t.line::text, ', ' ORDER BY t.line) AS lines
          FROM pg_temp.%1$I t JOIN chibo_import.%2$I s ON s.ctid = t.src
         WHERE t.reason IS NULL
           AND t.key IN (SELECT key FROM pg_temp.%1$I WHERE reason IS NULL GROUP BY key HAVING pg_catalog.count(*) > 1)
         GROUP BY t.key$q$, tmp, pg_catalog.split_part(p_file, '.', 1));
    EXECUTE pg_catalog.format($q$
        UPDATE pg_temp.%1$I t
           SET reason = CASE WHEN d.differ
                             THEN pg_catalog.format('%%s appears on lines %%s with different values; keep one of them',
                                                    d.label, d.lines) END,
               dup = NOT d.differ AND t.line > d.first
          FROM pg_temp.chibo_import_repeats d
         WHERE t.key = d.key AND t.reason IS NULL$q$, tmp);
    DROP TABLE pg_temp.chibo_import_repeats;
END;
$$;
COMMENT ON FUNCTION chibo_import.mark_duplicates(text) IS
    'import step: rejects staged rows that repeat a natural key with other values, marks identical repeats';

-- The contract's files in the order their rows depend on each other, with
-- the table each fills, its rule function (NULL: the file has its own
-- check_F), and the table's columns with the temporary table's columns
-- that feed them.
CREATE FUNCTION chibo_import.files()
RETURNS TABLE (file text, tbl text, rule text, columns text[], staged text[])
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    VALUES
    ('units.csv', 'units', NULL,
     '{code,parent_id,name,kind,grassroots,cell_type,valid_from,valid_to}'::text[], NULL::text[]),
    ('members.csv', 'members', 'members_rule',
     '{code,full_name,gender,birth_date,admitted_on,full_member_on,left_on,left_reason}', NULL),
    ('memberships.csv', 'memberships', NULL, '{member_id,unit_id,from_date,to_date}', NULL),
    ('exemptions.csv', 'exemptions', 'exemptions_rule',
     '{member_id,from_date,to_date,reason}', '{member_id,from_date,to_date,why}'),
    ('meetings.csv', 'meetings', 'meetings_rule', '{unit_id,held_on,kind,topic,minutes}', NULL),
    ('attendance.csv', 'attendance', NULL, NULL, NULL),
    ('task_registrations.csv', 'task_registrations', 'task_registrations_rule',
     '{member_id,year,kind,title,outcome}', NULL),
    ('assessments.csv', 'assessments', 'assessments_rule',
     '{subject_kind,member_id,unit_id,scheme_id,period_start,period_end,criteria}', NULL),
    ('classifications.csv', 'classifications', 'classifications_rule',
     '{subject_kind,member_id,unit_id,year,grade,score}', NULL)
$$;
COMMENT ON FUNCTION chibo_import.files() IS
    'the contract''s files in dependency order, with their tables, rule functions and columns';

-- Write the good rows of a step of a file (or the one row of p_line):
-- update the stored rows that differ, insert the new ones.
CREATE FUNCTION chibo_import.apply_rows(p_file text, p_step integer, p_line bigint) RETURNS void
    LANGUAGE plpgsql PARALLEL UNSAFE
AS $$
DECLARE
    spec record;
    tmp text := 'chibo_import_' || pg_catalog.split_part(p_file, '.', 1);
    cols text;
    vals text;
    chosen text;
BEGIN
    IF p_file = 'attendance.csv' THEN
        PERFORM chibo_import.apply_attendance(p_step, p_line);
        RETURN;
    END IF;
    SELECT * INTO STRICT spec FROM chibo_import.files() f WHERE f.file = p_file;
    SELECT pg_catalog.string_agg(pg_catalog.quote_ident(c), ', '),
           pg_catalog.string_agg('t.' || pg_catalog.quote_ident(COALESCE(spec.staged[i], c)), ', ')
      INTO cols, vals
      FROM pg_catalog.unnest(spec.columns) WITH ORDINALITY AS x(c, i);
    chosen := pg_catalog.format('t.step = %s AND t.reason IS NULL AND NOT t.dup', p_step)
              || CASE WHEN p_line IS NULL THEN '' ELSE ' AND t.line = ' || p_line END;
    EXECUTE pg_catalog.format('UPDATE @extschema@.%I x SET (%s) = ROW(%s) FROM pg_temp.%I t
                                WHERE x.id = t.existing_id AND NOT t.stored AND %s',
                              spec.tbl, cols, vals, tmp, chosen);
    EXECUTE pg_catalog.format('INSERT INTO @extschema@.%I (%s) SELECT %s FROM pg_temp.%I t
                                WHERE t.existing_id IS NULL AND %s ORDER BY t.line',
                              spec.tbl, cols, vals, tmp, chosen);
END;
$$;
COMMENT ON FUNCTION chibo_import.apply_rows(text, integer, bigint) IS
    'import step: writes the good staged rows of a step of a file (or of one line) into its table';

-- Check the rows of a step of a file: with the table's rule function, or
-- with the file's own check_F(step).
CREATE FUNCTION chibo_import.check(p_file text, p_step integer) RETURNS void
    LANGUAGE plpgsql PARALLEL UNSAFE
AS $$
DECLARE
    spec record;
BEGIN
    SELECT * INTO STRICT spec FROM chibo_import.files() f WHERE f.file = p_file;
    IF spec.rule IS NULL THEN
        EXECUTE pg_catalog.format('SELECT chibo_import.%I($1)', 'check_' || spec.tbl) USING p_step;
    ELSE
        PERFORM chibo_import.check_rule(p_file, spec.rule,
            (SELECT 'existing_id AS id, ' || pg_catalog.string_agg(
                        pg_catalog.quote_ident(COALESCE(spec.staged[i], c)) || ' AS ' || pg_catalog.quote_ident(c), ', ')
               FROM pg_catalog.unnest(spec.columns) WITH ORDINALITY AS x(c, i)),
            p_step);
    END IF;
END;
$$;
COMMENT ON FUNCTION chibo_import.check(text, integer) IS
    'import step: checks the staged rows of a step of a file against the rules of its table';

-- Apply the good rows of one step of a file.  If the set fails on a rule
-- the checks did not foresee (a change that breaks rows already stored),
-- apply the rows one by one and reject each failing row with the rule's
-- message.
CREATE FUNCTION chibo_import.apply(p_file text, p_step integer) RETURNS void
    LANGUAGE plpgsql PARALLEL UNSAFE
AS $$
DECLARE
    tmp text := 'chibo_import_' || pg_catalog.split_part(p_file, '.', 1);
    one bigint;
BEGIN
    BEGIN
        PERFORM chibo_import.apply_rows(p_file, p_step, NULL);
        RETURN;
    EXCEPTION WHEN integrity_constraint_violation OR data_exception THEN
        RAISE NOTICE 'import %: a rule failed while applying; applying the rows one by one', p_file;
    END;
    FOR one IN EXECUTE pg_catalog.format(
            'SELECT line FROM pg_temp.%I WHERE reason IS NULL AND NOT dup AND step = $1 ORDER BY line', tmp)
            USING p_step LOOP
        BEGIN
            PERFORM chibo_import.apply_rows(p_file, p_step, one);
        EXCEPTION WHEN integrity_constraint_violation OR data_exception THEN
            EXECUTE pg_catalog.format('UPDATE pg_temp.%I SET reason = $1 WHERE line = $2', tmp)
                USING SQLERRM, one;
        END;
    END LOOP;
END;
$$;
COMMENT ON FUNCTION chibo_import.apply(text, integer) IS
    'import step: writes a file''s good rows into its table, falling back to one row at a time when a rule fails';

-- Check the rows of a step that would change something with the table's
-- rule function (p_rule, such as members_rule): p_columns lists the
-- temporary table's columns under the table's names.
CREATE FUNCTION chibo_import.check_rule(p_file text, p_rule text, p_columns text, p_step integer) RETURNS void
    LANGUAGE plpgsql PARALLEL UNSAFE
AS $$
DECLARE
    tmp text := 'chibo_import_' || pg_catalog.split_part(p_file, '.', 1);
    query text;
BEGIN
    EXECUTE pg_catalog.format('SELECT @extschema@.%I($1, $2)', p_rule) INTO query
        USING pg_catalog.format('(SELECT line, %s FROM pg_temp.%I WHERE reason IS NULL AND NOT dup AND NOT stored AND step = %s)',
                                p_columns, tmp, p_step),
              'line';
    EXECUTE pg_catalog.format('UPDATE pg_temp.%I t SET reason = chibo_import.reason(p.problem) FROM (%s) p
                                WHERE p.problem IS NOT NULL AND t.line = p.key', tmp, query);
END;
$$;
COMMENT ON FUNCTION chibo_import.check_rule(text, text, text, integer) IS
    'import step: checks a file''s staged rows with the table''s rule function, the same query its trigger runs';

-- Record the file's rejects and return its counts.
CREATE FUNCTION chibo_import.finish(p_batch bigint, p_file text, OUT accepted bigint, OUT rejected bigint)
    LANGUAGE plpgsql PARALLEL UNSAFE
AS $$
DECLARE
    tmp text := 'chibo_import_' || pg_catalog.split_part(p_file, '.', 1);
BEGIN
    -- A copy of a rejected row shares its fate.
    EXECUTE pg_catalog.format(
        'UPDATE pg_temp.%1$I d SET reason = f.reason, dup = false FROM pg_temp.%1$I f
          WHERE d.dup AND f.key = d.key AND NOT f.dup AND f.reason IS NOT NULL', tmp);
    EXECUTE pg_catalog.format(
        'INSERT INTO chibo_import.rejects (batch, file, line, "row", reason)
         SELECT $1, $2, t.line, pg_catalog.to_jsonb(s), t.reason
           FROM pg_temp.%I t JOIN chibo_import.%I s ON s.ctid = t.src
          WHERE t.reason IS NOT NULL ORDER BY t.line', tmp, pg_catalog.split_part(p_file, '.', 1))
        USING p_batch, p_file;
    GET DIAGNOSTICS rejected = ROW_COUNT;
    EXECUTE pg_catalog.format('SELECT pg_catalog.count(*) - $1 FROM pg_temp.%I', tmp)
        INTO accepted USING rejected;
    EXECUTE pg_catalog.format('DROP TABLE pg_temp.%I', tmp);
END;
$$;
COMMENT ON FUNCTION chibo_import.finish(bigint, text) IS
    'import step: keeps a file''s rejected rows in chibo_import.rejects and counts accepted and rejected rows';

-- The text of a rule problem without its SQLSTATE.
CREATE FUNCTION chibo_import.reason(problem text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN pg_catalog.substr(problem, 7);
COMMENT ON FUNCTION chibo_import.reason(text) IS
    'the message of a rule problem ''SQLSTATE message'', as a reject reason';
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
AS $$
BEGIN
    EXECUTE 'UPDATE pg_temp.chibo_import_attendance t SET reason = chibo_import.reason(p.problem) FROM ('
         || @extschema@.attendance_rule(pg_catalog.format(
                '(SELECT line, meeting_id, member_id, NULL::bigint AS membership_id, status
                    FROM pg_temp.chibo_import_attendance
                   WHERE reason IS NULL AND NOT dup AND NOT stored AND step = %s)', p_step), 'line', false)
         || ') p WHERE p.problem IS NOT NULL AND t.line = p.key';
END;
$$;
COMMENT ON FUNCTION chibo_import.check_attendance(integer) IS 'import step: checks staged attendance against the attendance rules';

CREATE FUNCTION chibo_import.apply_attendance(p_step integer, p_line bigint) RETURNS void
    LANGUAGE plpgsql PARALLEL UNSAFE
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
       AND (p_line IS NULL OR t.line = p_line);
END;
$$;
COMMENT ON FUNCTION chibo_import.apply_attendance(integer, bigint) IS
    'import step: writes good staged attendance with its meeting''s cell and date and its membership';

-- task_registrations.csv -------------------------------------------------

CREATE FUNCTION chibo_import.load_task_registrations() RETURNS void
    LANGUAGE plpgsql PARALLEL UNSAFE
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
AS $$
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
      LEFT JOIN @extschema@.units u ON p_kind = 'cell' AND u.code = p_code
$$;
COMMENT ON FUNCTION chibo_import.subject(text, text) IS
    'import step: resolves a staged subject_kind and subject_code to a member or a cell, with the reason when it cannot';

CREATE FUNCTION chibo_import.load_assessments() RETURNS void
    LANGUAGE plpgsql PARALLEL UNSAFE
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

-- chibo.import_staged(): validate and apply one staged batch.

CREATE FUNCTION @extschema@.import_staged()
RETURNS TABLE (file text, accepted bigint, rejected bigint)
    LANGUAGE plpgsql PARALLEL UNSAFE
    -- Memory for the sorts and hashes of a city's year (default 4MB).
    SET work_mem = '128MB'
    -- Staged rows are numbered in the order a plain sequential scan reads
    -- them, the order they were staged (see sql/import/files.sql).
    SET max_parallel_workers_per_gather = 0
    SET synchronize_seqscans = off
AS $$
DECLARE
    batch bigint;
    f text;
    step integer;
    g text;
    counts record;
    done text[] := '{}';
    finished text[] := '{}';
    accepted_counts bigint[] := '{}';
    rejected_counts bigint[] := '{}';
BEGIN
    -- One batch at a time: no rows may be staged while this one is read.
    LOCK TABLE chibo_import.units, chibo_import.members, chibo_import.memberships,
               chibo_import.exemptions, chibo_import.meetings, chibo_import.attendance,
               chibo_import.task_registrations, chibo_import.assessments,
               chibo_import.classifications IN EXCLUSIVE MODE;
    batch := pg_catalog.nextval('chibo_import.batch_seq');

    -- Files in the order their rows depend on each other.
    FOR f IN SELECT x.file FROM chibo_import.files() x LOOP
        EXECUTE pg_catalog.format('SELECT chibo_import.%I()', 'load_' || pg_catalog.split_part(f, '.', 1));
        -- Statistics, so that the checks below join by hash, not by loops.
        EXECUTE pg_catalog.format('ANALYZE pg_temp.%I', 'chibo_import_' || pg_catalog.split_part(f, '.', 1));
        PERFORM chibo_import.mark_duplicates(f);
        IF f = 'units.csv' THEN
            -- One step per tree level, parents first.
            step := 1;
            WHILE chibo_import.check_units(step) > 0 LOOP
                PERFORM chibo_import.apply(f, step);
                step := step + 1;
            END LOOP;
            -- Units never reached wait on each other: a loop of parents.
            UPDATE pg_temp.chibo_import_units t
               SET reason = pg_catalog.format('unit %s: its parent chain through %s leads back to itself',
                                              t.code, t.parent_code)
             WHERE t.reason IS NULL AND NOT t.dup AND t.step IS NULL;
        ELSE
            -- Two steps: memberships apply changes to stored rows first
            -- (a transfer closes one), then new rows; the others use step 1.
            FOR step IN 1..2 LOOP
                PERFORM chibo_import.check(f, step);
                PERFORM chibo_import.apply(f, step);
            END LOOP;
        END IF;
        -- Units may close with the memberships and meetings of this batch:
        -- their waiting changes are applied now, and units.csv is done.
        IF f = 'meetings.csv' THEN
            PERFORM chibo_import.retry_units();
            done := done || 'units.csv'::text;
        END IF;
        IF f <> 'units.csv' THEN
            done := done || f;
        END IF;
        -- Keep the rejects of the files that are done, and count.
        FOREACH g IN ARRAY done LOOP
            SELECT * INTO counts FROM chibo_import.finish(batch, g);
            finished := finished || g;
            accepted_counts := accepted_counts || counts.accepted;
            rejected_counts := rejected_counts || counts.rejected;
            IF counts.accepted + counts.rejected >= 100000 THEN
                RAISE NOTICE 'import %: % accepted, % rejected', g, counts.accepted, counts.rejected;
            END IF;
        END LOOP;
        done := '{}';
    END LOOP;

    TRUNCATE chibo_import.units, chibo_import.members, chibo_import.memberships,
             chibo_import.exemptions, chibo_import.meetings, chibo_import.attendance,
             chibo_import.task_registrations, chibo_import.assessments,
             chibo_import.classifications;

    -- One row per file, in the contract's order.
    RETURN QUERY
        SELECT x.file, c.accepted, c.rejected
          FROM chibo_import.files() WITH ORDINALITY AS x(file, tbl, rule, columns, staged, ord)
          JOIN ROWS FROM (pg_catalog.unnest(finished), pg_catalog.unnest(accepted_counts),
                          pg_catalog.unnest(rejected_counts)) AS c(file, accepted, rejected)
            ON c.file = x.file
         ORDER BY x.ord;
END;
$$;
COMMENT ON FUNCTION @extschema@.import_staged() IS
    'validates the rows staged in chibo_import.*, applies the valid ones, keeps the others in chibo_import.rejects, empties staging; one row per file: accepted, rejected';
-- chibo: the rollups the reports are built from.
--
-- Per cell and month (cell_months) and per cell and year (cell_years): the
-- counts every indicator of indicators.md is made of.  Per unit (committee
-- or cell) and month or year (unit_months, unit_years): the same counts
-- summed over the unit's subtree, which is what the report views read.
-- chibo.refresh_reports() keeps them; triggers on the tables that feed them
-- record what changed (report_changes), so that a refresh recomputes only
-- the cell-months whose inputs changed.  The rollups are derived data:
-- pg_dump leaves them out and a refresh after a restore rebuilds them.
--
-- The reporting range is the months from the first to the last month in
-- which any meeting was held (report_state).  A month window is one month
-- of it; a year window is a calendar year cut to the range, so that a year
-- in progress covers the months that have data.

CREATE TABLE @extschema@.report_state (
    singleton    boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    first_month  date,
    last_month   date,
    refreshed_at timestamptz,
    rebuilt_at   timestamptz
);
COMMENT ON TABLE @extschema@.report_state IS
    'the state of the rollups: the reporting range they cover and when they were last refreshed and last rebuilt (one row)';
COMMENT ON COLUMN @extschema@.report_state.singleton IS 'always true: the table has at most one row';
COMMENT ON COLUMN @extschema@.report_state.first_month IS 'first day of the first month with a meeting, at the last refresh';
COMMENT ON COLUMN @extschema@.report_state.last_month IS 'first day of the last month with a meeting, at the last refresh';
COMMENT ON COLUMN @extschema@.report_state.refreshed_at IS 'when refresh_reports() last finished';
COMMENT ON COLUMN @extschema@.report_state.rebuilt_at IS 'when the rollups were last rebuilt in full';

-- What changed since the last refresh: a span of months of one unit.
-- Writers only append (no unique key, no ON CONFLICT), so a change that a
-- refresh cannot see yet stays for the next refresh.
CREATE TABLE @extschema@.report_changes (
    unit_id      bigint,
    first_month  date,
    last_month   date,
    members      boolean NOT NULL DEFAULT true
);
CREATE INDEX report_changes_unit_idx ON @extschema@.report_changes (unit_id);
COMMENT ON TABLE @extschema@.report_changes IS
    'months of a unit whose rollups must be recomputed, recorded by triggers on the tables the rollups read; emptied by refresh_reports()';
COMMENT ON COLUMN @extschema@.report_changes.unit_id IS 'the unit (a cell, or any unit when the tree changed); NULL: everything (after a TRUNCATE)';
COMMENT ON COLUMN @extschema@.report_changes.first_month IS 'first month of the span; NULL: from the start of the reporting range';
COMMENT ON COLUMN @extschema@.report_changes.last_month IS 'last month of the span; NULL: to the end of the reporting range';
COMMENT ON COLUMN @extschema@.report_changes.members IS 'the member figures may have changed too (false for attendance and meetings, which change only the attendance figures)';

-- The tree as ancestor/descendant pairs (a unit is its own ancestor at
-- depth 0).  A unit keeps its parent for life, so the pairs hold on every
-- date both units exist.
CREATE TABLE @extschema@.unit_ancestors (
    unit_id      bigint NOT NULL,
    ancestor_id  bigint NOT NULL,
    depth        integer NOT NULL,
    PRIMARY KEY (unit_id, ancestor_id)
);
CREATE INDEX unit_ancestors_ancestor_idx ON @extschema@.unit_ancestors (ancestor_id);
COMMENT ON TABLE @extschema@.unit_ancestors IS
    'the units tree as (unit, ancestor, depth) pairs, the unit itself at depth 0; kept by a trigger on units';
COMMENT ON COLUMN @extschema@.unit_ancestors.unit_id IS 'a unit';
COMMENT ON COLUMN @extschema@.unit_ancestors.ancestor_id IS 'the unit itself or a committee above it';
COMMENT ON COLUMN @extschema@.unit_ancestors.depth IS 'levels between them: 0 for the unit itself, 1 for its parent';

-- Rebuilds unit_ancestors after every statement that changes units (they
-- change rarely; a city has some 17,000).  The lock queues two writers of
-- units, not the readers.
CREATE FUNCTION @extschema@.units_ancestors() RETURNS trigger
    LANGUAGE plpgsql PARALLEL UNSAFE
AS $$
BEGIN
    LOCK TABLE @extschema@.unit_ancestors IN SHARE ROW EXCLUSIVE MODE;
    DELETE FROM @extschema@.unit_ancestors;
    INSERT INTO @extschema@.unit_ancestors (unit_id, ancestor_id, depth)
    WITH RECURSIVE up (unit_id, ancestor_id, depth) AS (
        SELECT u.id, u.id, 0 FROM @extschema@.units u
        UNION ALL
        SELECT up.unit_id, p.parent_id, up.depth + 1
          FROM up JOIN @extschema@.units p ON p.id = up.ancestor_id
         WHERE p.parent_id IS NOT NULL AND up.depth < 100)
    SELECT up.unit_id, up.ancestor_id, pg_catalog.min(up.depth) FROM up GROUP BY up.unit_id, up.ancestor_id;
    RETURN NULL;
END;
$$;
COMMENT ON FUNCTION @extschema@.units_ancestors() IS
    'trigger (after each statement on units): rebuilds unit_ancestors, the tree as ancestor/descendant pairs';
CREATE TRIGGER units_ancestors AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON @extschema@.units
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.units_ancestors();

CREATE TABLE @extschema@.cell_months (
    unit_id            bigint NOT NULL,
    month              date NOT NULL,
    exists_on_end      boolean NOT NULL,
    meetings           integer NOT NULL,
    present            bigint NOT NULL,
    excused            bigint NOT NULL,
    expected           bigint NOT NULL,
    thematic_meetings  integer NOT NULL,
    side_meetings      integer NOT NULL,
    side_present       bigint NOT NULL,
    side_excused       bigint NOT NULL,
    side_expected      bigint NOT NULL,
    short_meetings     integer NOT NULL,
    active_members     bigint NOT NULL,
    task_registered    bigint NOT NULL,
    four_good          bigint NOT NULL,
    four_good_mixed    bigint NOT NULL,
    PRIMARY KEY (unit_id, month)
);
CREATE INDEX cell_months_month_idx ON @extschema@.cell_months (month);
COMMENT ON TABLE @extschema@.cell_months IS
    'rollup per cell and month of the reporting range in which the cell existed: meetings and attendance counts, and the member figures of the month as a window';
COMMENT ON COLUMN @extschema@.cell_months.unit_id IS 'the cell';
COMMENT ON COLUMN @extschema@.cell_months.month IS 'first day of the month';
COMMENT ON COLUMN @extschema@.cell_months.exists_on_end IS 'the cell exists on the last day of the month';
COMMENT ON COLUMN @extschema@.cell_months.meetings IS 'regular and combined meetings held in the month';
COMMENT ON COLUMN @extschema@.cell_months.present IS 'expected members recorded present, summed over those meetings';
COMMENT ON COLUMN @extschema@.cell_months.excused IS 'expected members recorded excused, summed over those meetings';
COMMENT ON COLUMN @extschema@.cell_months.expected IS 'members belonging to the cell and not exempt on each meeting''s date, summed over those meetings';
COMMENT ON COLUMN @extschema@.cell_months.thematic_meetings IS 'thematic and combined meetings held in the month';
COMMENT ON COLUMN @extschema@.cell_months.side_meetings IS 'thematic and extraordinary meetings held in the month (reported apart from the monthly attendance)';
COMMENT ON COLUMN @extschema@.cell_months.side_present IS 'present at the thematic and extraordinary meetings, summed';
COMMENT ON COLUMN @extschema@.cell_months.side_excused IS 'excused at the thematic and extraordinary meetings, summed';
COMMENT ON COLUMN @extschema@.cell_months.side_expected IS 'expected at the thematic and extraordinary meetings, summed';
COMMENT ON COLUMN @extschema@.cell_months.short_meetings IS 'meetings on or after 2025-10-28 with a recorded duration under 90 minutes (120 combined)';
COMMENT ON COLUMN @extschema@.cell_months.active_members IS 'members belonging to the cell on the last day of the month';
COMMENT ON COLUMN @extschema@.cell_months.task_registered IS 'of them, members with a task registration for the month''s year';
COMMENT ON COLUMN @extschema@.cell_months.four_good IS 'of them, members whose assessments lying inside the month are all achieved (four_good_status achieved)';
COMMENT ON COLUMN @extschema@.cell_months.four_good_mixed IS 'of them, members whose assessments inside the month mix schemes of different sizes (not counted as four-good)';

CREATE TABLE @extschema@.cell_years (
    unit_id                 bigint NOT NULL,
    year                    integer NOT NULL,
    first_month             date NOT NULL,
    last_month              date NOT NULL,
    exists_on_end           boolean NOT NULL,
    months_judged           integer NOT NULL,
    months_passing          integer NOT NULL,
    months_without_meeting  integer NOT NULL,
    meetings                integer NOT NULL,
    present                 bigint NOT NULL,
    excused                 bigint NOT NULL,
    expected                bigint NOT NULL,
    thematic_meetings       integer NOT NULL,
    side_meetings           integer NOT NULL,
    side_present            bigint NOT NULL,
    side_excused            bigint NOT NULL,
    side_expected           bigint NOT NULL,
    short_meetings          integer NOT NULL,
    active_members          bigint NOT NULL,
    task_registered         bigint NOT NULL,
    four_good               bigint NOT NULL,
    four_good_mixed         bigint NOT NULL,
    graded_excellent        bigint NOT NULL,
    graded_good             bigint NOT NULL,
    PRIMARY KEY (unit_id, year)
);
COMMENT ON TABLE @extschema@.cell_years IS
    'rollup per cell and year of the reporting range: the year window''s monthly judgement at the default threshold (0.85, excused_count), attendance sums and member figures';
COMMENT ON COLUMN @extschema@.cell_years.unit_id IS 'the cell';
COMMENT ON COLUMN @extschema@.cell_years.year IS 'the calendar year';
COMMENT ON COLUMN @extschema@.cell_years.first_month IS 'first month of the window: January, or the first month of the reporting range';
COMMENT ON COLUMN @extschema@.cell_years.last_month IS 'last month of the window: December, or the last month of the reporting range';
COMMENT ON COLUMN @extschema@.cell_years.exists_on_end IS 'the cell exists on the window''s end date';
COMMENT ON COLUMN @extschema@.cell_years.months_judged IS 'months of the window in which the cell existed and which could be judged (no meeting, or a ratio that is not 0/0)';
COMMENT ON COLUMN @extschema@.cell_years.months_passing IS 'judged months with a regular or combined meeting and a pooled ratio of at least 85%';
COMMENT ON COLUMN @extschema@.cell_years.months_without_meeting IS 'months in which the cell existed but held no regular or combined meeting';
COMMENT ON COLUMN @extschema@.cell_years.meetings IS 'regular and combined meetings held in the window';
COMMENT ON COLUMN @extschema@.cell_years.present IS 'present at those meetings, summed';
COMMENT ON COLUMN @extschema@.cell_years.excused IS 'excused at those meetings, summed';
COMMENT ON COLUMN @extschema@.cell_years.expected IS 'expected at those meetings, summed';
COMMENT ON COLUMN @extschema@.cell_years.thematic_meetings IS 'thematic and combined meetings held in the window';
COMMENT ON COLUMN @extschema@.cell_years.side_meetings IS 'thematic and extraordinary meetings held in the window';
COMMENT ON COLUMN @extschema@.cell_years.side_present IS 'present at them, summed';
COMMENT ON COLUMN @extschema@.cell_years.side_excused IS 'excused at them, summed';
COMMENT ON COLUMN @extschema@.cell_years.side_expected IS 'expected at them, summed';
COMMENT ON COLUMN @extschema@.cell_years.short_meetings IS 'meetings shorter than the rule of their date';
COMMENT ON COLUMN @extschema@.cell_years.active_members IS 'members belonging to the cell on the window''s end date';
COMMENT ON COLUMN @extschema@.cell_years.task_registered IS 'of them, members with a task registration for the year';
COMMENT ON COLUMN @extschema@.cell_years.four_good IS 'of them, members whose member assessments lying inside the window are all achieved';
COMMENT ON COLUMN @extschema@.cell_years.four_good_mixed IS 'of them, members whose assessments inside the window mix schemes of different sizes (not counted as four-good)';
COMMENT ON COLUMN @extschema@.cell_years.graded_excellent IS 'members belonging to the cell on 31 December graded excellent for the year';
COMMENT ON COLUMN @extschema@.cell_years.graded_good IS 'members belonging to the cell on 31 December graded good for the year';

-- The unit-level rollups: one row per unit (committee or cell) and month
-- or year in which the unit existed; the counts of its subtree's cells.
CREATE TABLE @extschema@.unit_months (
    unit_id             bigint NOT NULL,
    month               date NOT NULL,
    active_members      bigint NOT NULL,
    task_registered     bigint NOT NULL,
    four_good           bigint NOT NULL,
    four_good_mixed     bigint NOT NULL,
    cells_existing      bigint NOT NULL,
    cells_total         bigint NOT NULL,
    cells_passing       bigint NOT NULL,
    cells_without_meeting bigint NOT NULL,
    meetings            bigint NOT NULL,
    present             bigint NOT NULL,
    excused             bigint NOT NULL,
    expected            bigint NOT NULL,
    side_meetings       bigint NOT NULL,
    side_present        bigint NOT NULL,
    side_excused        bigint NOT NULL,
    side_expected       bigint NOT NULL,
    short_meetings      bigint NOT NULL,
    PRIMARY KEY (unit_id, month)
);
COMMENT ON TABLE @extschema@.unit_months IS
    'rollup per unit and month: the headline indicators of the month as a window (indicators(unit, month, month)), summed over the unit''s subtree';

CREATE TABLE @extschema@.unit_years (
    unit_id             bigint NOT NULL,
    year                integer NOT NULL,
    first_month         date NOT NULL,
    last_month          date NOT NULL,
    active_members      bigint NOT NULL,
    task_registered     bigint NOT NULL,
    four_good           bigint NOT NULL,
    four_good_mixed     bigint NOT NULL,
    cells_existing      bigint NOT NULL,
    cells_total         bigint NOT NULL,
    cells_passing       bigint NOT NULL,
    cells_without_meeting bigint NOT NULL,
    meetings            bigint NOT NULL,
    present             bigint NOT NULL,
    excused             bigint NOT NULL,
    expected            bigint NOT NULL,
    side_meetings       bigint NOT NULL,
    side_present        bigint NOT NULL,
    side_excused        bigint NOT NULL,
    side_expected       bigint NOT NULL,
    short_meetings      bigint NOT NULL,
    graded_excellent    bigint NOT NULL,
    graded_good         bigint NOT NULL,
    PRIMARY KEY (unit_id, year)
);
COMMENT ON TABLE @extschema@.unit_years IS
    'rollup per unit and year: the headline indicators of the year window (indicators(unit, first_month, last_month)), summed over the unit''s subtree';

DO $$
DECLARE
    t text;
BEGIN
    -- The unit-level tables share their columns' meanings.
    FOREACH t IN ARRAY ARRAY['unit_months', 'unit_years'] LOOP
        EXECUTE pg_catalog.format($c$
            COMMENT ON COLUMN @extschema@.%1$I.unit_id IS 'the unit (committee or cell)';
            COMMENT ON COLUMN @extschema@.%1$I.active_members IS 'members belonging on the window''s end date to a cell of the subtree';
            COMMENT ON COLUMN @extschema@.%1$I.task_registered IS 'of them, members with a task registration for a year of the window';
            COMMENT ON COLUMN @extschema@.%1$I.four_good IS 'of them, members whose member assessments inside the window are all achieved';
            COMMENT ON COLUMN @extschema@.%1$I.four_good_mixed IS 'of them, members whose assessments inside the window mix schemes of different sizes';
            COMMENT ON COLUMN @extschema@.%1$I.cells_existing IS 'cells of the subtree existing on the window''s end date';
            COMMENT ON COLUMN @extschema@.%1$I.cells_total IS 'of them, cells with at least one month that could be judged (threshold 0.85, excused_count)';
            COMMENT ON COLUMN @extschema@.%1$I.cells_passing IS 'of them, cells whose every judged month passed';
            COMMENT ON COLUMN @extschema@.%1$I.cells_without_meeting IS 'of them, cells with a month without a regular or combined meeting';
            COMMENT ON COLUMN @extschema@.%1$I.meetings IS 'regular and combined meetings held in the window by cells of the subtree';
            COMMENT ON COLUMN @extschema@.%1$I.present IS 'present at those meetings, summed';
            COMMENT ON COLUMN @extschema@.%1$I.excused IS 'excused at those meetings, summed';
            COMMENT ON COLUMN @extschema@.%1$I.expected IS 'expected at those meetings, summed';
            COMMENT ON COLUMN @extschema@.%1$I.side_meetings IS 'thematic and extraordinary meetings held in the window';
            COMMENT ON COLUMN @extschema@.%1$I.side_present IS 'present at them, summed';
            COMMENT ON COLUMN @extschema@.%1$I.side_excused IS 'excused at them, summed';
            COMMENT ON COLUMN @extschema@.%1$I.side_expected IS 'expected at them, summed';
            COMMENT ON COLUMN @extschema@.%1$I.short_meetings IS 'meetings shorter than the rule of their date';$c$, t);
    END LOOP;
END;
$$;
COMMENT ON COLUMN @extschema@.unit_months.month IS 'first day of the month (the window)';
COMMENT ON COLUMN @extschema@.unit_years.year IS 'the calendar year';
COMMENT ON COLUMN @extschema@.unit_years.first_month IS 'first month of the window: January, or the first month of the reporting range';
COMMENT ON COLUMN @extschema@.unit_years.last_month IS 'last month of the window: December, or the last month of the reporting range';
COMMENT ON COLUMN @extschema@.unit_years.graded_excellent IS 'members belonging on 31 December to a cell of the subtree, graded excellent for the year';
COMMENT ON COLUMN @extschema@.unit_years.graded_good IS 'members belonging on 31 December to a cell of the subtree, graded good for the year';

-- The month that a date falls in, as its first day.
CREATE FUNCTION @extschema@.month_of(d date) RETURNS date
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN pg_catalog.date_trunc('month', d)::date;
COMMENT ON FUNCTION @extschema@.month_of(date) IS
    'the month a date falls in, as the month''s first day';

-- The last day of the month that a date falls in.
CREATE FUNCTION @extschema@.month_end(d date) RETURNS date
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN (pg_catalog.date_trunc('month', d) + interval '1 month - 1 day')::date;
COMMENT ON FUNCTION @extschema@.month_end(date) IS
    'the last day of the month a date falls in';

-- The shortest a meeting held on a date may last (Hướng dẫn 42-HD/BTCTW,
-- from 2025-10-28), in minutes; NULL before the rule.
CREATE FUNCTION @extschema@.minimum_minutes(kind text, held_on date) RETURNS integer
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN CASE WHEN held_on < DATE '2025-10-28' THEN NULL
                WHEN kind = 'combined' THEN 120 ELSE 90 END;
COMMENT ON FUNCTION @extschema@.minimum_minutes(text, date) IS
    'the shortest duration allowed for a meeting of a kind on a date: 90 minutes (120 combined) from 2025-10-28 on, NULL before';

-- The judgement of one month of a cell (indicators.md, indicator 3): false
-- when the cell held no regular or combined meeting in it; NULL, not
-- judged, when the pooled ratio of those meetings is 0/0; else whether
-- present / whole is at least the threshold.  WHOLE is the expected
-- members, less the excused ones under the policy excused_excluded.
CREATE FUNCTION @extschema@.month_passes(meetings bigint, present bigint, whole bigint, threshold numeric)
RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE WHEN meetings = 0 THEN false
                WHEN whole = 0 THEN NULL
                ELSE @extschema@.ratio(present, whole) OPERATOR(@extschema@.>=) threshold END;
COMMENT ON FUNCTION @extschema@.month_passes(bigint, bigint, bigint, numeric) IS
    'whether a month of a cell passes the attendance threshold: false without a regular or combined meeting, NULL (not judged) when the ratio is 0/0';
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
AS $$
DECLARE
    rel text;
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        -- Everything may have changed: a NULL unit asks for a full rebuild.
        INSERT INTO @extschema@.report_changes (unit_id, first_month, last_month, members) VALUES (NULL, NULL, NULL, true);
        RETURN NULL;
    END IF;
    FOREACH rel IN ARRAY CASE TG_OP WHEN 'INSERT' THEN ARRAY['new_rows']
                                     WHEN 'DELETE' THEN ARRAY['old_rows']
                                     ELSE ARRAY['old_rows', 'new_rows'] END LOOP
        EXECUTE 'INSERT INTO @extschema@.report_changes (unit_id, first_month, last_month, members) SELECT DISTINCT * FROM ('
                || @extschema@.report_spans(TG_ARGV[0], rel) || ') s';
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
-- chibo: refresh_reports(), which keeps the rollups.
--
-- By default it recomputes only what report_changes names: the changed
-- cell-months, the cell-years they fall in, and the months and years of
-- the units above those cells.  full => true rebuilds everything; so does
-- a refresh that finds the reporting range moved (a first meeting in a new
-- month), the rollups never built, or a TRUNCATE of a table they read.
--
-- It runs as one transaction and writes with DELETE and INSERT only:
-- readers of the reports keep reading (never an ACCESS EXCLUSIVE lock) and
-- see the rollups before or after, never half-way.  Two refreshes at once
-- queue on an advisory lock.

-- Drops a temporary table of this session if it exists (a refresh run
-- twice in one transaction finds its tables), without a notice if not.
CREATE FUNCTION @extschema@.drop_temp_table(name text) RETURNS void
    LANGUAGE plpgsql PARALLEL UNSAFE
AS $$
BEGIN
    IF pg_catalog.to_regclass('pg_temp.' || pg_catalog.quote_ident(name)) IS NOT NULL THEN
        EXECUTE pg_catalog.format('DROP TABLE pg_temp.%I', name);
    END IF;
END;
$$;
COMMENT ON FUNCTION @extschema@.drop_temp_table(text) IS
    'drops a temporary table of the session if it exists (used by refresh_reports())';

-- The member figures of the cell windows in pg_temp.chibo_windows
-- (unit_id, starts, ends: a cell and a window of months, from the first
-- day of its first month to its end date, within one calendar year), into
-- pg_temp.chibo_member_figures (unit_id, starts, active, registered,
-- achieved, mixed): the members belonging to the cell on the end date;
-- those of them with a task registration for the window's year; those
-- whose member assessments lying inside the window all meet every
-- criterion (four_good_status achieved); and those whose assessments there
-- mix schemes of different sizes, who are not counted as achieved.
CREATE FUNCTION @extschema@.refresh_member_figures() RETURNS void
    LANGUAGE plpgsql PARALLEL UNSAFE
AS $$
BEGIN
    PERFORM @extschema@.drop_temp_table(t)
       FROM pg_catalog.unnest(ARRAY['chibo_window_members', 'chibo_member_figures']) AS t;
    CREATE TEMP TABLE chibo_window_members ON COMMIT DROP AS
    SELECT w.unit_id, w.starts, ms.member_id
      FROM pg_temp.chibo_windows w
      JOIN @extschema@.memberships ms
        ON ms.unit_id = w.unit_id AND ms.from_date <= w.ends AND (ms.to_date IS NULL OR ms.to_date > w.ends)
      JOIN @extschema@.members mb ON mb.id = ms.member_id
     WHERE mb.left_on IS NULL OR mb.left_on >= w.ends;
    ANALYZE pg_temp.chibo_window_members;

    CREATE TEMP TABLE chibo_member_figures ON COMMIT DROP AS
    SELECT a.unit_id, a.starts, pg_catalog.count(*) AS active,
           pg_catalog.count(r.member_id) AS registered,
           pg_catalog.count(*) FILTER (WHERE g.all_met AND NOT g.mixed) AS achieved,
           pg_catalog.count(*) FILTER (WHERE g.mixed) AS mixed
      FROM pg_temp.chibo_window_members a
      -- (the registration years of these members only: a semi-join against
      -- the whole table would first make all of it unique)
      LEFT JOIN (SELECT DISTINCT r.member_id, r.year FROM @extschema@.task_registrations r
                  WHERE r.member_id IN (SELECT a2.member_id FROM pg_temp.chibo_window_members a2)) r
        ON r.member_id = a.member_id AND r.year = pg_catalog.date_part('year', a.starts)::integer
      LEFT JOIN (SELECT x.member_id, w.starts,
                        pg_catalog.bool_and(@extschema@.all_met(x.criteria)) AS all_met,
                        pg_catalog.min(@extschema@.criteria_count(x.criteria))
                          <> pg_catalog.max(@extschema@.criteria_count(x.criteria)) AS mixed
                   FROM @extschema@.assessments x
                   JOIN (SELECT DISTINCT w2.starts, w2.ends FROM pg_temp.chibo_windows w2) w
                     ON x.period_start >= w.starts AND x.period_end <= w.ends
                  WHERE x.member_id IN (SELECT a3.member_id FROM pg_temp.chibo_window_members a3)
                  GROUP BY x.member_id, w.starts) g
        ON g.member_id = a.member_id AND g.starts = a.starts
     GROUP BY a.unit_id, a.starts;
END;
$$;
COMMENT ON FUNCTION @extschema@.refresh_member_figures() IS
    'step of refresh_reports(): the active, task-registered, four-good and mixed-scheme member counts of the cell windows in pg_temp.chibo_windows';

-- The counts of the cell-months in pg_temp.chibo_target_months.
CREATE FUNCTION @extschema@.refresh_cell_months() RETURNS bigint
    LANGUAGE plpgsql PARALLEL UNSAFE
AS $$
DECLARE
    n bigint;
BEGIN
    -- The meetings of those months.
    PERFORM @extschema@.drop_temp_table('chibo_target_meetings');
    CREATE TEMP TABLE chibo_target_meetings ON COMMIT DROP AS
    SELECT mt.id, mt.unit_id, t.month, mt.held_on, mt.kind, mt.minutes
      FROM pg_temp.chibo_target_months t
      JOIN @extschema@.meetings mt
        ON mt.unit_id = t.unit_id AND mt.held_on >= t.month AND mt.held_on <= t.month_end;
    ANALYZE pg_temp.chibo_target_meetings;

    -- Each meeting's expected members: belonging to the cell (a membership
    -- covers the day and they had not left the party before it), not
    -- exempt that day.  (Bounds are compared one by one rather than with
    -- range operators: the planner estimates those, and joins by hash.)
    PERFORM @extschema@.drop_temp_table('chibo_meeting_counts');
    CREATE TEMP TABLE chibo_meeting_counts ON COMMIT DROP AS
    SELECT m.id, pg_catalog.count(*) AS expected
      FROM pg_temp.chibo_target_meetings m
      JOIN @extschema@.memberships ms
        ON ms.unit_id = m.unit_id AND ms.from_date <= m.held_on AND (ms.to_date IS NULL OR ms.to_date > m.held_on)
      JOIN @extschema@.members mb ON mb.id = ms.member_id
     WHERE (mb.left_on IS NULL OR mb.left_on >= m.held_on)
       AND NOT EXISTS (SELECT FROM @extschema@.exemptions e
                        WHERE e.member_id = ms.member_id AND e.from_date <= m.held_on
                          AND (e.to_date IS NULL OR e.to_date > m.held_on))
     GROUP BY m.id;

    -- Those of them recorded present or excused.  An attendance row names
    -- a member belonging to the cell that day (the attendance rules hold
    -- it so), so only exemptions are left to take out.  (Meeting by
    -- meeting through the index on attendance: a refresh of a few
    -- cell-months reads their rows, not the whole table.)
    PERFORM @extschema@.drop_temp_table('chibo_meeting_marks');
    CREATE TEMP TABLE chibo_meeting_marks ON COMMIT DROP AS
    SELECT m.id, k.present, k.excused
      FROM pg_temp.chibo_target_meetings m
      CROSS JOIN LATERAL (
            SELECT pg_catalog.count(*) FILTER (WHERE a.status = 'present') AS present,
                   pg_catalog.count(*) FILTER (WHERE a.status = 'excused') AS excused
              FROM @extschema@.attendance a
             WHERE a.meeting_id = m.id AND a.status IN ('present', 'excused')
               AND NOT EXISTS (SELECT FROM @extschema@.exemptions e
                                WHERE e.member_id = a.member_id AND e.from_date <= m.held_on
                                  AND (e.to_date IS NULL OR e.to_date > m.held_on))) k;

    -- The member figures of the months whose members may have changed.
    PERFORM @extschema@.drop_temp_table('chibo_windows');
    CREATE TEMP TABLE chibo_windows ON COMMIT DROP AS
    SELECT t.unit_id, t.month AS starts, t.month_end AS ends FROM pg_temp.chibo_target_months t WHERE t.members;
    ANALYZE pg_temp.chibo_windows;
    PERFORM @extschema@.refresh_member_figures();

    INSERT INTO @extschema@.cell_months
    SELECT t.unit_id, t.month,
           u.valid_from <= t.month_end AND (u.valid_to IS NULL OR u.valid_to > t.month_end),
           COALESCE(mt.meetings, 0), COALESCE(mt.present, 0), COALESCE(mt.excused, 0), COALESCE(mt.expected, 0),
           COALESCE(mt.thematic_meetings, 0),
           COALESCE(mt.side_meetings, 0), COALESCE(mt.side_present, 0), COALESCE(mt.side_excused, 0),
           COALESCE(mt.side_expected, 0), COALESCE(mt.short_meetings, 0),
           -- the member figures: recomputed, or kept from the row replaced
           CASE WHEN t.members THEN COALESCE(f.active, 0) ELSE o.active_members END,
           CASE WHEN t.members THEN COALESCE(f.registered, 0) ELSE o.task_registered END,
           CASE WHEN t.members THEN COALESCE(f.achieved, 0) ELSE o.four_good END,
           CASE WHEN t.members THEN COALESCE(f.mixed, 0) ELSE o.four_good_mixed END
      FROM pg_temp.chibo_target_months t
      JOIN @extschema@.units u ON u.id = t.unit_id
      LEFT JOIN pg_temp.chibo_month_deltas o ON o.unit_id = t.unit_id AND o.month = t.month AND o.sign = -1
      LEFT JOIN (
            SELECT m.unit_id, m.month,
                   pg_catalog.count(*) FILTER (WHERE m.kind IN ('regular', 'combined')) AS meetings,
                   pg_catalog.sum(k.present) FILTER (WHERE m.kind IN ('regular', 'combined')) AS present,
                   pg_catalog.sum(k.excused) FILTER (WHERE m.kind IN ('regular', 'combined')) AS excused,
                   pg_catalog.sum(c.expected) FILTER (WHERE m.kind IN ('regular', 'combined')) AS expected,
                   pg_catalog.count(*) FILTER (WHERE m.kind IN ('thematic', 'combined')) AS thematic_meetings,
                   pg_catalog.count(*) FILTER (WHERE m.kind IN ('thematic', 'extraordinary')) AS side_meetings,
                   pg_catalog.sum(k.present) FILTER (WHERE m.kind IN ('thematic', 'extraordinary')) AS side_present,
                   pg_catalog.sum(k.excused) FILTER (WHERE m.kind IN ('thematic', 'extraordinary')) AS side_excused,
                   pg_catalog.sum(c.expected) FILTER (WHERE m.kind IN ('thematic', 'extraordinary')) AS side_expected,
                   pg_catalog.count(*) FILTER (WHERE m.minutes < @extschema@.minimum_minutes(m.kind, m.held_on)) AS short_meetings
              FROM pg_temp.chibo_target_meetings m
              LEFT JOIN pg_temp.chibo_meeting_counts c ON c.id = m.id
              LEFT JOIN pg_temp.chibo_meeting_marks k ON k.id = m.id
             GROUP BY m.unit_id, m.month) mt
        ON mt.unit_id = t.unit_id AND mt.month = t.month
      LEFT JOIN pg_temp.chibo_member_figures f ON f.unit_id = t.unit_id AND f.starts = t.month;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END;
$$;
COMMENT ON FUNCTION @extschema@.refresh_cell_months() IS
    'step of refresh_reports(): computes the cell_months rows named in pg_temp.chibo_target_months from the tables';

-- The cell_years rows of pg_temp.chibo_target_years (unit_id, year,
-- first_month, last_month), from cell_months and the member tables.
CREATE FUNCTION @extschema@.refresh_cell_years() RETURNS bigint
    LANGUAGE plpgsql PARALLEL UNSAFE
AS $$
DECLARE
    n bigint;
BEGIN
    PERFORM @extschema@.drop_temp_table('chibo_windows');
    CREATE TEMP TABLE chibo_windows ON COMMIT DROP AS
    SELECT t.unit_id, t.first_month AS starts, t.end_date AS ends FROM pg_temp.chibo_target_years t WHERE t.members;
    ANALYZE pg_temp.chibo_windows;
    PERFORM @extschema@.refresh_member_figures();

    INSERT INTO @extschema@.cell_years
    SELECT t.unit_id, t.year, t.first_month, t.last_month,
           u.valid_from <= t.end_date AND (u.valid_to IS NULL OR u.valid_to > t.end_date),
           COALESCE(cm.months_judged, 0), COALESCE(cm.months_passing, 0), COALESCE(cm.months_without_meeting, 0),
           COALESCE(cm.meetings, 0), COALESCE(cm.present, 0), COALESCE(cm.excused, 0), COALESCE(cm.expected, 0),
           COALESCE(cm.thematic_meetings, 0), COALESCE(cm.side_meetings, 0), COALESCE(cm.side_present, 0),
           COALESCE(cm.side_excused, 0), COALESCE(cm.side_expected, 0), COALESCE(cm.short_meetings, 0),
           -- the member figures: recomputed, or kept from the row replaced
           CASE WHEN t.members THEN COALESCE(f.active, 0) ELSE o.active_members END,
           CASE WHEN t.members THEN COALESCE(f.registered, 0) ELSE o.task_registered END,
           CASE WHEN t.members THEN COALESCE(f.achieved, 0) ELSE o.four_good END,
           CASE WHEN t.members THEN COALESCE(f.mixed, 0) ELSE o.four_good_mixed END,
           CASE WHEN t.members THEN COALESCE(gr.excellent, 0) ELSE o.graded_excellent END,
           CASE WHEN t.members THEN COALESCE(gr.good, 0) ELSE o.graded_good END
      FROM pg_temp.chibo_target_years t
      JOIN @extschema@.units u ON u.id = t.unit_id
      LEFT JOIN pg_temp.chibo_year_deltas o ON o.unit_id = t.unit_id AND o.year = t.year AND o.sign = -1
      LEFT JOIN (
            SELECT c.unit_id, t2.year,
                   pg_catalog.count(*) FILTER (WHERE @extschema@.month_passes(c.meetings, c.present, c.expected, 0.85)
                                                   IS NOT NULL) AS months_judged,
                   pg_catalog.count(*) FILTER (WHERE @extschema@.month_passes(c.meetings, c.present, c.expected, 0.85))
                       AS months_passing,
                   pg_catalog.count(*) FILTER (WHERE c.meetings = 0) AS months_without_meeting,
                   pg_catalog.sum(c.meetings) AS meetings, pg_catalog.sum(c.present) AS present,
                   pg_catalog.sum(c.excused) AS excused, pg_catalog.sum(c.expected) AS expected,
                   pg_catalog.sum(c.thematic_meetings) AS thematic_meetings,
                   pg_catalog.sum(c.side_meetings) AS side_meetings, pg_catalog.sum(c.side_present) AS side_present,
                   pg_catalog.sum(c.side_excused) AS side_excused, pg_catalog.sum(c.side_expected) AS side_expected,
                   pg_catalog.sum(c.short_meetings) AS short_meetings
              FROM pg_temp.chibo_target_years t2
              JOIN @extschema@.cell_months c
                ON c.unit_id = t2.unit_id AND c.month >= t2.first_month AND c.month <= t2.last_month
             GROUP BY c.unit_id, t2.year) cm
        ON cm.unit_id = t.unit_id AND cm.year = t.year
      LEFT JOIN pg_temp.chibo_member_figures f ON f.unit_id = t.unit_id AND f.starts = t.first_month
      LEFT JOIN (
            -- members belonging to the cell on 31 December, by grade
            SELECT t4.unit_id, t4.year,
                   pg_catalog.count(*) FILTER (WHERE k.grade = 'excellent') AS excellent,
                   pg_catalog.count(*) FILTER (WHERE k.grade = 'good') AS good
              FROM pg_temp.chibo_target_years t4
              JOIN @extschema@.memberships ms
                ON ms.unit_id = t4.unit_id AND ms.from_date <= t4.dec31 AND (ms.to_date IS NULL OR ms.to_date > t4.dec31)
              JOIN @extschema@.members mb ON mb.id = ms.member_id
              JOIN @extschema@.classifications k ON k.member_id = ms.member_id AND k.year = t4.year
             WHERE t4.members AND (mb.left_on IS NULL OR mb.left_on >= t4.dec31)
               AND k.grade IN ('excellent', 'good')
             GROUP BY t4.unit_id, t4.year) gr
        ON gr.unit_id = t.unit_id AND gr.year = t.year;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END;
$$;
COMMENT ON FUNCTION @extschema@.refresh_cell_years() IS
    'step of refresh_reports(): computes the cell_years rows named in pg_temp.chibo_target_years from cell_months and the member tables';

-- The text of a query summing signed cell rows over the units above them:
-- SOURCE has the columns of cell_months (PERIOD 'month') or cell_years
-- (PERIOD 'year') and a column sign, +1 to add a row, -1 to take it away;
-- the result has a row per unit and month or year, with the value columns
-- of unit_months or unit_years.  A cell counts in cells_total when it
-- exists on the window's end date and has a month that could be judged,
-- in cells_passing when every such month passed (threshold 0.85,
-- excused_count).
CREATE FUNCTION @extschema@.unit_sums(period text, source text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN pg_catalog.format($q$
        SELECT ua.ancestor_id AS unit_id, c.%1$I,
               pg_catalog.sum(c.sign * c.active_members)::bigint AS active_members,
               pg_catalog.sum(c.sign * c.task_registered)::bigint AS task_registered,
               pg_catalog.sum(c.sign * c.four_good)::bigint AS four_good,
               pg_catalog.sum(c.sign * c.four_good_mixed)::bigint AS four_good_mixed,
               pg_catalog.sum(c.sign * CASE WHEN c.exists_on_end THEN 1 ELSE 0 END)::bigint AS cells_existing,
               pg_catalog.sum(c.sign * CASE WHEN c.exists_on_end AND %3$s THEN 1 ELSE 0 END)::bigint AS cells_total,
               pg_catalog.sum(c.sign * CASE WHEN c.exists_on_end AND %4$s THEN 1 ELSE 0 END)::bigint AS cells_passing,
               pg_catalog.sum(c.sign * CASE WHEN c.exists_on_end AND %5$s THEN 1 ELSE 0 END)::bigint AS cells_without_meeting,
               pg_catalog.sum(c.sign * c.meetings)::bigint AS meetings,
               pg_catalog.sum(c.sign * c.present)::bigint AS present,
               pg_catalog.sum(c.sign * c.excused)::bigint AS excused,
               pg_catalog.sum(c.sign * c.expected)::bigint AS expected,
               pg_catalog.sum(c.sign * c.side_meetings)::bigint AS side_meetings,
               pg_catalog.sum(c.sign * c.side_present)::bigint AS side_present,
               pg_catalog.sum(c.sign * c.side_excused)::bigint AS side_excused,
               pg_catalog.sum(c.sign * c.side_expected)::bigint AS side_expected,
               pg_catalog.sum(c.sign * c.short_meetings)::bigint AS short_meetings%6$s
          FROM %2$s c JOIN @extschema@.unit_ancestors ua ON ua.unit_id = c.unit_id
         GROUP BY ua.ancestor_id, c.%1$I$q$,
        period, source,
        CASE period WHEN 'month' THEN '@extschema@.month_passes(c.meetings, c.present, c.expected, 0.85) IS NOT NULL'
                    ELSE 'c.months_judged > 0' END,
        CASE period WHEN 'month' THEN '@extschema@.month_passes(c.meetings, c.present, c.expected, 0.85)'
                    ELSE 'c.months_judged > 0 AND c.months_passing = c.months_judged' END,
        CASE period WHEN 'month' THEN 'c.meetings = 0' ELSE 'c.months_without_meeting > 0' END,
        CASE period WHEN 'month' THEN ''
             ELSE ',
               pg_catalog.sum(c.sign * c.graded_excellent)::bigint AS graded_excellent,
               pg_catalog.sum(c.sign * c.graded_good)::bigint AS graded_good' END);
COMMENT ON FUNCTION @extschema@.unit_sums(text, text) IS
    'the text of the query that sums signed cell_months or cell_years rows (a column sign, +1 or -1) into the value columns of unit_months or unit_years, per unit above the cells';

-- The value columns of a unit rollup (all but its key and window), for SQL
-- written from the catalogue: FORMAT is applied to each column's name.
CREATE FUNCTION @extschema@.unit_rollup_columns(rollup regclass, format text) RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN (SELECT pg_catalog.string_agg(pg_catalog.format(format, a.attname), ', ' ORDER BY a.attnum)
              FROM pg_catalog.pg_attribute a
             WHERE a.attrelid = rollup AND a.attnum > 0 AND NOT a.attisdropped
               AND a.attname NOT IN ('unit_id', 'month', 'year', 'first_month', 'last_month'));
COMMENT ON FUNCTION @extschema@.unit_rollup_columns(regclass, text) IS
    'the value columns of unit_months or unit_years (all but the key and window), each written with a format such as COALESCE(s.%I, 0)';

-- The unit_months and unit_years rows.  Without DELTA: computed in full for
-- the units and windows of pg_temp.chibo_unit_target_months and _years,
-- from every cell row.  With DELTA: the stored rows are corrected by the
-- signed cell rows of pg_temp.chibo_month_deltas and chibo_year_deltas
-- (old rows -1, new rows +1): every column is a sum over cells, so the
-- units above a changed cell change by exactly its change.
CREATE FUNCTION @extschema@.refresh_unit_rollups(delta boolean) RETURNS bigint
    LANGUAGE plpgsql PARALLEL UNSAFE
AS $$
DECLARE
    n bigint;
    m bigint;
    corrections bigint;
BEGIN
    IF NOT delta THEN
        EXECUTE pg_catalog.format(
            'INSERT INTO @extschema@.unit_months SELECT t.unit_id, t.month, %s
               FROM pg_temp.chibo_unit_target_months t
               LEFT JOIN (%s) s ON s.unit_id = t.unit_id AND s.month = t.month',
            @extschema@.unit_rollup_columns('@extschema@.unit_months', 'COALESCE(s.%I, 0)'),
            @extschema@.unit_sums('month', '(SELECT c.*, 1 AS sign FROM @extschema@.cell_months c)'));
        GET DIAGNOSTICS n = ROW_COUNT;
        EXECUTE pg_catalog.format(
            'INSERT INTO @extschema@.unit_years SELECT t.unit_id, t.year, t.first_month, t.last_month, %s
               FROM pg_temp.chibo_unit_target_years t
               LEFT JOIN (%s) s ON s.unit_id = t.unit_id AND s.year = t.year',
            @extschema@.unit_rollup_columns('@extschema@.unit_years', 'COALESCE(s.%I, 0)'),
            @extschema@.unit_sums('year', '(SELECT c.*, 1 AS sign FROM @extschema@.cell_years c)'));
        GET DIAGNOSTICS m = ROW_COUNT;
        RETURN n + m;
    END IF;

    -- The units above a cell exist whenever it does, so their rows are
    -- there to correct (a change of the tree takes the path above).
    PERFORM @extschema@.drop_temp_table(t)
       FROM pg_catalog.unnest(ARRAY['chibo_unit_month_deltas', 'chibo_unit_year_deltas']) AS t;
    EXECUTE 'CREATE TEMP TABLE chibo_unit_month_deltas ON COMMIT DROP AS '
            || @extschema@.unit_sums('month', 'pg_temp.chibo_month_deltas');
    EXECUTE 'CREATE TEMP TABLE chibo_unit_year_deltas ON COMMIT DROP AS '
            || @extschema@.unit_sums('year', 'pg_temp.chibo_year_deltas');
    EXECUTE pg_catalog.format(
        'UPDATE @extschema@.unit_months u SET %s FROM pg_temp.chibo_unit_month_deltas s
          WHERE u.unit_id = s.unit_id AND u.month = s.month',
        @extschema@.unit_rollup_columns('@extschema@.unit_months', '%1$I = u.%1$I + s.%1$I'));
    GET DIAGNOSTICS n = ROW_COUNT;
    EXECUTE pg_catalog.format(
        'UPDATE @extschema@.unit_years u SET %s FROM pg_temp.chibo_unit_year_deltas s
          WHERE u.unit_id = s.unit_id AND u.year = s.year',
        @extschema@.unit_rollup_columns('@extschema@.unit_years', '%1$I = u.%1$I + s.%1$I'));
    GET DIAGNOSTICS m = ROW_COUNT;
    corrections := (SELECT pg_catalog.count(*) FROM pg_temp.chibo_unit_month_deltas)
                   + (SELECT pg_catalog.count(*) FROM pg_temp.chibo_unit_year_deltas);
    IF n + m <> corrections THEN
        -- cannot happen while the rollups agree with the tree; stop rather
        -- than leave a unit without its change
        RAISE EXCEPTION 'refresh_reports: % unit rows to correct are missing', corrections - n - m
            USING ERRCODE = 'XX000', HINT = 'Run SELECT * FROM chibo.refresh_reports(full => true);';
    END IF;
    RETURN n + m;
END;
$$;
COMMENT ON FUNCTION @extschema@.refresh_unit_rollups(boolean) IS
    'step of refresh_reports(): computes the unit_months and unit_years rows named in pg_temp.chibo_unit_target_months and _years, or (delta) corrects the stored ones by the changed cell rows';

CREATE FUNCTION @extschema@.refresh_reports(full boolean DEFAULT false)
RETURNS TABLE (rollup text, recomputed bigint)
    LANGUAGE plpgsql PARALLEL UNSAFE
    SET work_mem = '64MB'
AS $$
DECLARE
    rebuild boolean := $1;
    tree_changed boolean;
    old_first date;
    old_last date;
    new_first date;
    new_last date;
    n_changes bigint;
    n bigint;
BEGIN
    IF rebuild IS NULL THEN
        RAISE EXCEPTION 'refresh_reports: full must be true or false, not NULL' USING ERRCODE = '22004';
    END IF;
    -- One refresh at a time; readers are never blocked.
    PERFORM pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('chibo.refresh_reports'));

    SELECT @extschema@.month_of(pg_catalog.min(held_on)), @extschema@.month_of(pg_catalog.max(held_on))
      INTO new_first, new_last FROM @extschema@.meetings;
    SELECT s.first_month, s.last_month INTO old_first, old_last FROM @extschema@.report_state s;
    IF NOT FOUND THEN
        rebuild := true;
    ELSIF old_first IS DISTINCT FROM new_first OR old_last IS DISTINCT FROM new_last THEN
        IF NOT rebuild THEN
            RAISE NOTICE 'refresh_reports: the reporting range is now % to %: rebuilding in full',
                COALESCE(@extschema@.date_text(new_first), 'empty'), COALESCE(@extschema@.date_text(new_last), 'empty');
        END IF;
        rebuild := true;
    END IF;

    -- Take the recorded changes (those committed by now; later ones stay).
    PERFORM @extschema@.drop_temp_table('chibo_changes');
    CREATE TEMP TABLE chibo_changes ON COMMIT DROP AS
    WITH taken AS (DELETE FROM @extschema@.report_changes RETURNING unit_id, first_month, last_month, members)
    SELECT DISTINCT unit_id, first_month, last_month, members FROM taken;
    GET DIAGNOSTICS n_changes = ROW_COUNT;
    IF EXISTS (SELECT FROM pg_temp.chibo_changes WHERE unit_id IS NULL) THEN
        rebuild := true;
    END IF;
    tree_changed := rebuild OR EXISTS (SELECT FROM pg_temp.chibo_changes WHERE first_month IS NULL);


    PERFORM @extschema@.drop_temp_table(t)
       FROM pg_catalog.unnest(ARRAY['chibo_target_months', 'chibo_target_years',
                                    'chibo_unit_target_months', 'chibo_unit_target_years']) AS t;
    -- (members: whether the member figures are recomputed too, or only
    -- the attendance figures)
    CREATE TEMP TABLE chibo_target_months (unit_id bigint, month date, month_end date, members boolean) ON COMMIT DROP;
    CREATE TEMP TABLE chibo_target_years (unit_id bigint, year integer, first_month date, last_month date,
                                          end_date date, dec31 date, members boolean) ON COMMIT DROP;
    CREATE TEMP TABLE chibo_unit_target_months (unit_id bigint, month date, members boolean) ON COMMIT DROP;
    CREATE TEMP TABLE chibo_unit_target_years (unit_id bigint, year integer, first_month date, last_month date,
                                               members boolean) ON COMMIT DROP;
    -- cell rows replaced (-1) and their new values (+1)
    PERFORM @extschema@.drop_temp_table(t)
       FROM pg_catalog.unnest(ARRAY['chibo_month_deltas', 'chibo_year_deltas']) AS t;
    CREATE TEMP TABLE chibo_month_deltas ON COMMIT DROP AS
    SELECT c.*, 0 AS sign FROM @extschema@.cell_months c WHERE false;
    CREATE TEMP TABLE chibo_year_deltas ON COMMIT DROP AS
    SELECT c.*, 0 AS sign FROM @extschema@.cell_years c WHERE false;

    IF rebuild THEN
        RAISE NOTICE 'refresh_reports: rebuilding every rollup (months % to %)',
            COALESCE(@extschema@.date_text(new_first), 'none'), COALESCE(@extschema@.date_text(new_last), 'none');
        DELETE FROM @extschema@.cell_months;
        DELETE FROM @extschema@.cell_years;
        DELETE FROM @extschema@.unit_months;
        DELETE FROM @extschema@.unit_years;
        -- every unit, every month and year of the range in which it existed
        INSERT INTO pg_temp.chibo_unit_target_months
        SELECT u.id, m.month::date, true
          FROM @extschema@.units u,
               pg_catalog.generate_series(GREATEST(new_first, @extschema@.month_of(u.valid_from)),
                                          LEAST(new_last, @extschema@.month_of(u.valid_to - 1)),
                                          interval '1 month') AS m (month);
    ELSE
        RAISE NOTICE 'refresh_reports: changes recorded since the last refresh: %', n_changes;
        -- the changed spans, cut to the range
        INSERT INTO pg_temp.chibo_unit_target_months
        SELECT c.unit_id, m.month::date, pg_catalog.bool_or(c.members)
          FROM pg_temp.chibo_changes c,
               pg_catalog.generate_series(GREATEST(new_first, c.first_month), LEAST(new_last, c.last_month),
                                          interval '1 month') AS m (month)
         GROUP BY c.unit_id, m.month;
        ANALYZE pg_temp.chibo_unit_target_months;
        -- the rows replaced, kept to correct the units above them
        WITH gone AS (DELETE FROM @extschema@.cell_months cm USING pg_temp.chibo_unit_target_months t
                       WHERE cm.unit_id = t.unit_id AND cm.month = t.month RETURNING cm.*)
        INSERT INTO pg_temp.chibo_month_deltas SELECT gone.*, -1 FROM gone;
    END IF;
    -- The cells' months among them that exist (a cell deleted or shrunk
    -- keeps only its deleted rows).
    INSERT INTO pg_temp.chibo_target_months
    SELECT t.unit_id, t.month, @extschema@.month_end(t.month), t.members
      FROM pg_temp.chibo_unit_target_months t JOIN @extschema@.units u ON u.id = t.unit_id
     WHERE u.kind = 'cell' AND u.valid_from <= @extschema@.month_end(t.month)
       AND (u.valid_to IS NULL OR u.valid_to > t.month);
    -- Without a row to keep them from, the member figures are recomputed.
    UPDATE pg_temp.chibo_target_months t SET members = true
     WHERE NOT t.members AND NOT EXISTS (SELECT FROM pg_temp.chibo_month_deltas o
                                          WHERE o.unit_id = t.unit_id AND o.month = t.month);
    ANALYZE pg_temp.chibo_target_months;

    -- The year windows touched: the calendar years of those months cut to
    -- the range.  (A change to December's grades may fall after the range.)
    INSERT INTO pg_temp.chibo_unit_target_years
    SELECT y.unit_id, y.year,
           GREATEST(new_first, pg_catalog.make_date(y.year, 1, 1)),
           LEAST(new_last, pg_catalog.make_date(y.year, 12, 1)),
           pg_catalog.bool_or(y.members)
      FROM (SELECT t.unit_id, pg_catalog.date_part('year', t.month)::integer AS year, t.members
              FROM pg_temp.chibo_unit_target_months t
            UNION ALL
            SELECT c.unit_id, pg_catalog.date_part('year', c.first_month)::integer, c.members
              FROM pg_temp.chibo_changes c
             WHERE NOT rebuild AND c.first_month > new_last
               AND pg_catalog.date_part('year', c.first_month) = pg_catalog.date_part('year', new_last)) y
     GROUP BY y.unit_id, y.year;
    IF NOT rebuild THEN
        WITH gone AS (DELETE FROM @extschema@.cell_years cy USING pg_temp.chibo_unit_target_years t
                       WHERE cy.unit_id = t.unit_id AND cy.year = t.year RETURNING cy.*)
        INSERT INTO pg_temp.chibo_year_deltas SELECT gone.*, -1 FROM gone;
    END IF;
    INSERT INTO pg_temp.chibo_target_years
    SELECT t.unit_id, t.year, t.first_month, t.last_month, @extschema@.month_end(t.last_month),
           pg_catalog.make_date(t.year, 12, 31), t.members
      FROM pg_temp.chibo_unit_target_years t JOIN @extschema@.units u ON u.id = t.unit_id
     WHERE u.kind = 'cell' AND u.valid_from <= @extschema@.month_end(t.last_month)
       AND (u.valid_to IS NULL OR u.valid_to > t.first_month);
    UPDATE pg_temp.chibo_target_years t SET members = true
     WHERE NOT t.members AND NOT EXISTS (SELECT FROM pg_temp.chibo_year_deltas o
                                          WHERE o.unit_id = t.unit_id AND o.year = t.year);
    ANALYZE pg_temp.chibo_target_years;

    RAISE NOTICE 'refresh_reports: step 1 of 3: % cell-months', (SELECT pg_catalog.count(*) FROM pg_temp.chibo_target_months);
    n := @extschema@.refresh_cell_months();
    rollup := 'cell_months'; recomputed := n; RETURN NEXT;

    RAISE NOTICE 'refresh_reports: step 2 of 3: % cell-years', (SELECT pg_catalog.count(*) FROM pg_temp.chibo_target_years);
    n := @extschema@.refresh_cell_years();
    rollup := 'cell_years'; recomputed := n; RETURN NEXT;

    -- The units above the recomputed cells: all of them when the tree
    -- changed (or in a rebuild), else corrected by the cells' changes.
    IF rebuild OR tree_changed THEN
        IF NOT rebuild THEN
            DELETE FROM pg_temp.chibo_unit_target_months;
            INSERT INTO pg_temp.chibo_unit_target_months
            SELECT u.id, m.month::date, true
              FROM @extschema@.units u,
                   pg_catalog.generate_series(GREATEST(new_first, @extschema@.month_of(u.valid_from)),
                                              LEAST(new_last, @extschema@.month_of(u.valid_to - 1)),
                                              interval '1 month') AS m (month);
            DELETE FROM @extschema@.unit_months;
            DELETE FROM @extschema@.unit_years;
        END IF;
        -- every unit, and the year windows in which it existed
        DELETE FROM pg_temp.chibo_unit_target_years;
        INSERT INTO pg_temp.chibo_unit_target_years
        SELECT DISTINCT t.unit_id, pg_catalog.date_part('year', t.month)::integer,
               GREATEST(new_first, pg_catalog.make_date(pg_catalog.date_part('year', t.month)::integer, 1, 1)),
               LEAST(new_last, pg_catalog.make_date(pg_catalog.date_part('year', t.month)::integer, 12, 1)), true
          FROM pg_temp.chibo_unit_target_months t;
        ANALYZE pg_temp.chibo_unit_target_months;
        ANALYZE pg_temp.chibo_unit_target_years;
        RAISE NOTICE 'refresh_reports: step 3 of 3: % unit-months and % unit-years',
            (SELECT pg_catalog.count(*) FROM pg_temp.chibo_unit_target_months),
            (SELECT pg_catalog.count(*) FROM pg_temp.chibo_unit_target_years);
        n := @extschema@.refresh_unit_rollups(delta => false);
    ELSE
        INSERT INTO pg_temp.chibo_month_deltas
        SELECT c.*, 1 FROM @extschema@.cell_months c
          JOIN pg_temp.chibo_target_months t ON t.unit_id = c.unit_id AND t.month = c.month;
        INSERT INTO pg_temp.chibo_year_deltas
        SELECT c.*, 1 FROM @extschema@.cell_years c
          JOIN pg_temp.chibo_target_years t ON t.unit_id = c.unit_id AND t.year = c.year;
        ANALYZE pg_temp.chibo_month_deltas;
        ANALYZE pg_temp.chibo_year_deltas;
        RAISE NOTICE 'refresh_reports: step 3 of 3: the units above % cell-months and % cell-years',
            (SELECT pg_catalog.count(DISTINCT (d.unit_id, d.month)) FROM pg_temp.chibo_month_deltas d),
            (SELECT pg_catalog.count(DISTINCT (d.unit_id, d.year)) FROM pg_temp.chibo_year_deltas d);
        n := @extschema@.refresh_unit_rollups(delta => true);
    END IF;
    rollup := 'unit_months and unit_years'; recomputed := n; RETURN NEXT;

    INSERT INTO @extschema@.report_state AS s (singleton, first_month, last_month, refreshed_at, rebuilt_at)
    VALUES (true, new_first, new_last, pg_catalog.clock_timestamp(),
            CASE WHEN rebuild THEN pg_catalog.clock_timestamp() END)
    ON CONFLICT (singleton) DO UPDATE
       SET first_month = EXCLUDED.first_month, last_month = EXCLUDED.last_month,
           refreshed_at = EXCLUDED.refreshed_at, rebuilt_at = COALESCE(EXCLUDED.rebuilt_at, s.rebuilt_at);
    RAISE NOTICE 'refresh_reports: done';
END;
$$;
COMMENT ON FUNCTION @extschema@.refresh_reports(boolean) IS
    'brings the report rollups up to date: by default recomputes only the cell-months whose inputs changed since the last refresh (and the units above them); full => true rebuilds everything. Returns the rows recomputed per rollup';
-- chibo: the indicator functions of indicators.md.
--
-- Attendance figures come from the cell_months rollup (as of the last
-- refresh_reports()); member figures and the tree are read from the tables
-- through their indexes.

-- The id of the unit with code UNIT_CODE; an error for an unknown code.
CREATE FUNCTION @extschema@.unit_id_of(unit_code text) RETURNS bigint
    LANGUAGE plpgsql STABLE PARALLEL SAFE
AS $$
DECLARE
    id bigint;
BEGIN
    IF unit_code IS NULL THEN
        RAISE EXCEPTION 'unit code must not be NULL' USING ERRCODE = '22004';
    END IF;
    SELECT u.id INTO id FROM @extschema@.units u WHERE u.code = unit_code;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'unit % does not exist', unit_code
            USING ERRCODE = '22023', HINT = 'Unit codes are in chibo.units.code, for example the district''s own code.';
    END IF;
    RETURN id;
END;
$$;
COMMENT ON FUNCTION @extschema@.unit_id_of(text) IS
    'the id of the unit with this code; an error (22023) when there is none';

-- The units of a unit's subtree (the unit itself included), as the tree
-- stands: a unit keeps its parent for life, so the subtree on a date is
-- these units that exist on that date.
CREATE FUNCTION @extschema@.subtree(unit_id bigint)
RETURNS TABLE (id bigint, kind text, grassroots boolean, cell_type text, valid_from date, valid_to date)
    LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT u.id, u.kind, u.grassroots, u.cell_type, u.valid_from, u.valid_to
      FROM @extschema@.unit_ancestors a JOIN @extschema@.units u ON u.id = a.unit_id
     WHERE a.ancestor_id = subtree.unit_id;
END;
COMMENT ON FUNCTION @extschema@.subtree(bigint) IS
    'the units of a unit''s subtree, the unit itself included, with their kind, cell type and validity';

-- The active members of a unit on a date: members belonging on that date
-- to a cell of its subtree (a membership covers the date and they had not
-- left the party before it).  Exempt and probationary members included.
CREATE FUNCTION @extschema@.active_members(unit_id bigint, on_date date)
RETURNS TABLE (member_id bigint, cell_id bigint)
    LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT ms.member_id, ms.unit_id
      FROM @extschema@.subtree(active_members.unit_id) c
      JOIN @extschema@.memberships ms
        ON ms.unit_id = c.id AND ms.period OPERATOR(pg_catalog.@>) active_members.on_date
      JOIN @extschema@.members mb ON mb.id = ms.member_id
     WHERE c.kind = 'cell' AND (mb.left_on IS NULL OR mb.left_on >= active_members.on_date);
END;
COMMENT ON FUNCTION @extschema@.active_members(bigint, date) IS
    'the members belonging on a date to a cell of a unit''s subtree, with that cell (a member belongs to one cell at a time)';

-- Checks a window and a policy as the indicator functions take them.
CREATE FUNCTION @extschema@.check_window(first_month date, last_month date, threshold numeric, policy text) RETURNS void
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $$
BEGIN
    IF first_month IS NULL OR last_month IS NULL THEN
        RAISE EXCEPTION 'the window needs a first and a last month' USING ERRCODE = '22004';
    END IF;
    IF pg_catalog.date_trunc('month', last_month) < pg_catalog.date_trunc('month', first_month) THEN
        RAISE EXCEPTION 'the window ends (%) before it starts (%)',
            pg_catalog.to_char(last_month::timestamp, 'YYYY-MM'), pg_catalog.to_char(first_month::timestamp, 'YYYY-MM')
            USING ERRCODE = '22023';
    END IF;
    IF threshold IS NULL OR threshold < 0 OR threshold > 1 THEN
        RAISE EXCEPTION 'threshold must be between 0 and 1, not %', COALESCE(threshold::text, 'NULL')
            USING ERRCODE = '22023', HINT = 'The attendance target is 0.85 (85%).';
    END IF;
    IF policy IS NULL OR policy NOT IN ('excused_count', 'excused_excluded') THEN
        RAISE EXCEPTION 'unknown attendance policy: %', COALESCE(policy, 'NULL')
            USING ERRCODE = '22023', HINT = 'The policies are excused_count (the default) and excused_excluded.';
    END IF;
END;
$$;
COMMENT ON FUNCTION @extschema@.check_window(date, date, numeric, text) IS
    'raises a clear error for a window whose months are missing or reversed, a threshold outside 0..1 or an unknown policy';

-- Warns when the rollups lag behind the tables or the window runs past
-- the last month with a meeting, and stops when they were never built.
CREATE FUNCTION @extschema@.check_rollups(window_last date) RETURNS void
    LANGUAGE plpgsql STABLE PARALLEL SAFE
AS $$
DECLARE
    last_month date;
BEGIN
    SELECT s.last_month INTO last_month FROM @extschema@.report_state s;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'the report rollups have not been built yet'
            USING ERRCODE = '55000', HINT = 'Run SELECT * FROM chibo.refresh_reports(); once after loading data (and after a restore).';
    END IF;
    IF EXISTS (SELECT FROM @extschema@.report_changes) THEN
        RAISE NOTICE 'data changed since the last refresh_reports(): the attendance figures do not show it yet'
            USING HINT = 'Run SELECT * FROM chibo.refresh_reports(); or schedule it with chibo.schedule_refresh().';
    END IF;
    IF @extschema@.month_of(window_last) > last_month THEN
        RAISE NOTICE 'no meeting is recorded after %: every cell fails the months of the window after it',
            pg_catalog.to_char(last_month::timestamp, 'YYYY-MM')
            USING HINT = 'End the window at the last month with data to judge only those months.';
    END IF;
END;
$$;
COMMENT ON FUNCTION @extschema@.check_rollups(date) IS
    'stops (55000) when the report rollups were never built; gives a notice when data changed since the last refresh, or when a window ends after the last month with a meeting';

-- The months of a window in which each cell of a unit's subtree existed
-- (any day of the month), with the cell's rollup of the month: a month
-- without a row had no meeting.  WHOLE is the denominator of the monthly
-- ratio under the policy: expected, or expected less excused.
CREATE FUNCTION @extschema@.window_cell_months(unit_id bigint, first_month date, last_month date, policy text)
RETURNS TABLE (cell_id bigint, month date, on_end boolean, meetings integer, thematic_meetings integer,
               present bigint, excused bigint, expected bigint, whole bigint)
    LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT c.id, m.month::date,
           c.valid_from <= @extschema@.month_end(window_cell_months.last_month)
               AND (c.valid_to IS NULL OR c.valid_to > @extschema@.month_end(window_cell_months.last_month)),
           COALESCE(r.meetings, 0), COALESCE(r.thematic_meetings, 0),
           COALESCE(r.present, 0), COALESCE(r.excused, 0), COALESCE(r.expected, 0),
           COALESCE(CASE WHEN window_cell_months.policy = 'excused_excluded' THEN r.expected - r.excused
                         ELSE r.expected END, 0)
      FROM @extschema@.subtree(window_cell_months.unit_id) c
     CROSS JOIN LATERAL pg_catalog.generate_series(
               GREATEST(window_cell_months.first_month, @extschema@.month_of(c.valid_from)),
               LEAST(window_cell_months.last_month, @extschema@.month_of(c.valid_to - 1)), interval '1 month') AS m (month)
      LEFT JOIN @extschema@.cell_months r ON r.unit_id = c.id AND r.month = m.month::date
     WHERE c.kind = 'cell';
END;
COMMENT ON FUNCTION @extschema@.window_cell_months(bigint, date, date, text) IS
    'the months of a window (first days) in which each cell of a unit''s subtree existed, with its rollup of the month (zeros when no meeting) and the whole of its monthly ratio under the policy';

CREATE FUNCTION @extschema@.indicators(unit_code text, first_month date, last_month date,
                                       threshold numeric DEFAULT 0.85, policy text DEFAULT 'excused_count')
RETURNS TABLE (active_members bigint, task_registered bigint, four_good bigint,
               cells_total bigint, cells_passing bigint,
               attendance_present bigint, attendance_expected bigint,
               attendance_excused bigint, end_date date,
               task_registration @extschema@.ratio, four_good_members @extschema@.ratio,
               cells_at_threshold @extschema@.ratio, attendance @extschema@.ratio,
               task_registration_text text, four_good_text text, cells_text text, attendance_text text)
    LANGUAGE plpgsql STABLE PARALLEL SAFE
AS $$
#variable_conflict use_column
DECLARE
    v_unit bigint;
    w0 date;
    w1 date;
    d date;
    excluded boolean := indicators.policy = 'excused_excluded';
    mixed record;
BEGIN
    PERFORM @extschema@.check_window(indicators.first_month, indicators.last_month, indicators.threshold, indicators.policy);
    v_unit := @extschema@.unit_id_of(indicators.unit_code);
    PERFORM @extschema@.check_rollups(indicators.last_month);
    w0 := @extschema@.month_of(indicators.first_month);
    w1 := @extschema@.month_of(indicators.last_month);
    d := @extschema@.month_end(w1);

    BEGIN
        RETURN QUERY
        WITH mem AS (
            SELECT pg_catalog.count(*) AS active,
                   pg_catalog.count(*) FILTER (WHERE EXISTS (
                       SELECT FROM @extschema@.task_registrations r
                        WHERE r.member_id = a.member_id
                          AND r.year BETWEEN pg_catalog.date_part('year', w0) AND pg_catalog.date_part('year', w1))) AS registered,
                   pg_catalog.count(*) FILTER (WHERE g.status = 'achieved') AS achieved
              FROM @extschema@.active_members(v_unit, d) a
              LEFT JOIN (
                    -- four_good_status of each member over the window
                    SELECT x.member_id, @extschema@.label(@extschema@.good_status(x.criteria)) AS status
                      FROM @extschema@.assessments x
                     WHERE x.member_id IN (SELECT a2.member_id FROM @extschema@.active_members(v_unit, d) a2)
                       AND x.period_start >= w0 AND x.period_end <= d
                     GROUP BY x.member_id) g ON g.member_id = a.member_id),
        -- every month of the window in which each cell of the subtree existed
        cell_month AS (
            SELECT * FROM @extschema@.window_cell_months(v_unit, w0, w1, indicators.policy)),
        cells AS (
            SELECT pg_catalog.count(*) FILTER (WHERE judged > 0) AS total,
                   pg_catalog.count(*) FILTER (WHERE judged > 0 AND passing = judged) AS passing
              FROM (SELECT cm.cell_id,
                           pg_catalog.count(*) FILTER (WHERE @extschema@.month_passes(cm.meetings, cm.present, cm.whole,
                                                                                      indicators.threshold) IS NOT NULL) AS judged,
                           pg_catalog.count(*) FILTER (WHERE @extschema@.month_passes(cm.meetings, cm.present, cm.whole,
                                                                                      indicators.threshold)) AS passing
                      FROM cell_month cm WHERE cm.on_end GROUP BY cm.cell_id) per_cell),
        pooled AS (
            SELECT COALESCE(pg_catalog.sum(cm.present), 0)::bigint AS present,
                   COALESCE(pg_catalog.sum(cm.expected), 0)::bigint AS expected,
                   COALESCE(pg_catalog.sum(cm.excused), 0)::bigint AS excused
              FROM cell_month cm)
        SELECT m.active, m.registered, m.achieved, c.total, c.passing, p.present, p.expected, p.excused, d,
               @extschema@.ratio(m.registered, m.active), @extschema@.ratio(m.achieved, m.active),
               @extschema@.ratio(c.passing, c.total),
               @extschema@.ratio(p.present, CASE WHEN excluded THEN p.expected - p.excused ELSE p.expected END),
               @extschema@.display(@extschema@.ratio(m.registered, m.active)),
               @extschema@.display(@extschema@.ratio(m.achieved, m.active)),
               @extschema@.display(@extschema@.ratio(c.passing, c.total)),
               @extschema@.display(@extschema@.ratio(p.present, CASE WHEN excluded THEN p.expected - p.excused ELSE p.expected END))
          FROM mem m, cells c, pooled p;
    EXCEPTION WHEN invalid_parameter_value THEN
        -- four_good_status cannot combine schemes of different sizes: say
        -- which member has them.
        SELECT mb.code, pg_catalog.array_agg(DISTINCT sc.code ORDER BY sc.code) AS schemes INTO mixed
          FROM @extschema@.active_members(v_unit, d) a
          JOIN @extschema@.assessments x ON x.member_id = a.member_id AND x.period_start >= w0 AND x.period_end <= d
          JOIN @extschema@.schemes sc ON sc.id = x.scheme_id
          JOIN @extschema@.members mb ON mb.id = a.member_id
         GROUP BY mb.code
        HAVING pg_catalog.count(DISTINCT @extschema@.criteria_count(x.criteria)) > 1
         ORDER BY mb.code LIMIT 1;
        IF NOT FOUND THEN
            RAISE;
        END IF;
        RAISE EXCEPTION 'member % has assessments under schemes of different sizes (%) inside the window',
            mixed.code, pg_catalog.array_to_string(mixed.schemes, ', ')
            USING ERRCODE = '22023',
                  HINT = 'four_good_status cannot combine them: choose a window that holds one scheme''s assessments.';
    END;
END;
$$;
COMMENT ON FUNCTION @extschema@.indicators(text, date, date, numeric, text) IS
    'the headline indicators of a unit over a window of months (indicators.md): active members on the end date, task registration, four-good members, cells meeting the attendance threshold every month, pooled attendance; exact counts, ratios and display text';

CREATE FUNCTION @extschema@.members_needing_attention(unit_code text, year integer)
RETURNS TABLE (member_code text, unexcused_months integer, flag text)
    LANGUAGE plpgsql STABLE PARALLEL SAFE
AS $$
#variable_conflict use_column
DECLARE
    v_unit bigint;
BEGIN
    IF members_needing_attention.year IS NULL THEN
        RAISE EXCEPTION 'year must not be NULL' USING ERRCODE = '22004';
    END IF;
    v_unit := @extschema@.unit_id_of(members_needing_attention.unit_code);
    RETURN QUERY
    SELECT mb.code, x.months::integer,
           CASE WHEN x.months >= 3 THEN 'strike_off_review' ELSE 'warning' END
      FROM (SELECT u.member_id, pg_catalog.count(DISTINCT @extschema@.month_of(u.held_on)) AS months
              FROM (-- each expected member of each regular or combined
                    -- meeting of the year, not recorded present or excused
                    SELECT ms.member_id, mt.held_on
                      FROM @extschema@.subtree(v_unit) c
                      JOIN @extschema@.meetings mt
                        ON mt.unit_id = c.id AND mt.kind IN ('regular', 'combined')
                       AND mt.held_on >= pg_catalog.make_date(members_needing_attention.year, 1, 1)
                       AND mt.held_on < pg_catalog.make_date(members_needing_attention.year + 1, 1, 1)
                      JOIN @extschema@.memberships ms
                        ON ms.unit_id = mt.unit_id AND ms.period OPERATOR(pg_catalog.@>) mt.held_on
                      JOIN @extschema@.members m ON m.id = ms.member_id
                      LEFT JOIN @extschema@.attendance a ON a.meeting_id = mt.id AND a.member_id = ms.member_id
                     WHERE c.kind = 'cell'
                       AND (m.left_on IS NULL OR m.left_on >= mt.held_on)
                       AND NOT EXISTS (SELECT FROM @extschema@.exemptions e
                                        WHERE e.member_id = ms.member_id AND e.period OPERATOR(pg_catalog.@>) mt.held_on)
                       AND (a.status IS NULL OR a.status = 'absent')) u
             GROUP BY u.member_id
            HAVING pg_catalog.count(DISTINCT @extschema@.month_of(u.held_on)) >= 2) x
      JOIN @extschema@.members mb ON mb.id = x.member_id
     ORDER BY x.months DESC, mb.code;
END;
$$;
COMMENT ON FUNCTION @extschema@.members_needing_attention(text, integer) IS
    'members of a unit''s cells with 2 (warning) or 3 or more (strike_off_review) months of the year in which they were expected at a regular or combined meeting and counted absent without excuse';

CREATE FUNCTION @extschema@.cells_needing_attention(unit_code text, first_month date, last_month date,
                                                    threshold numeric DEFAULT 0.85, policy text DEFAULT 'excused_count')
RETURNS TABLE (cell_code text, cell_type text,
               months_without_meeting date[], months_below_threshold date[],
               lowest_ratio @extschema@.ratio, lowest_month date,
               quarters_without_thematic text[], short_meetings date[])
    LANGUAGE plpgsql STABLE PARALLEL SAFE
AS $$
#variable_conflict use_column
DECLARE
    v_unit bigint;
    w0 date;
    w1 date;
BEGIN
    PERFORM @extschema@.check_window(cells_needing_attention.first_month, cells_needing_attention.last_month,
                                     cells_needing_attention.threshold, cells_needing_attention.policy);
    v_unit := @extschema@.unit_id_of(cells_needing_attention.unit_code);
    PERFORM @extschema@.check_rollups(cells_needing_attention.last_month);
    w0 := @extschema@.month_of(cells_needing_attention.first_month);
    w1 := @extschema@.month_of(cells_needing_attention.last_month);
    RETURN QUERY
    WITH cm AS (
        -- the months of the window in which each cell existed
        SELECT w.cell_id AS id, w.month, w.meetings, w.thematic_meetings AS thematic,
               @extschema@.ratio(w.present, w.whole) AS ratio
          FROM @extschema@.window_cell_months(v_unit, w0, w1, cells_needing_attention.policy) w),
    per_cell AS (
        SELECT cm.id,
               pg_catalog.array_agg(cm.month ORDER BY cm.month) FILTER (WHERE cm.meetings = 0) AS missing,
               pg_catalog.array_agg(cm.month ORDER BY cm.month)
                   FILTER (WHERE cm.meetings > 0 AND cm.ratio OPERATOR(@extschema@.<) cells_needing_attention.threshold) AS low,
               (pg_catalog.array_agg(cm.ratio ORDER BY cm.ratio, cm.month)
                   FILTER (WHERE cm.meetings > 0 AND cm.ratio OPERATOR(@extschema@.<) cells_needing_attention.threshold))[1] AS lowest,
               (pg_catalog.array_agg(cm.month ORDER BY cm.ratio, cm.month)
                   FILTER (WHERE cm.meetings > 0 AND cm.ratio OPERATOR(@extschema@.<) cells_needing_attention.threshold))[1] AS lowest_month
          FROM cm GROUP BY cm.id),
    quarters AS (
        -- quarters wholly inside the window, in which the cell existed,
        -- without a thematic or combined meeting
        SELECT q.id, pg_catalog.array_agg(q.label ORDER BY q.label) AS missing
          FROM (SELECT cm.id, pg_catalog.to_char(cm.month::timestamp, 'YYYY-"Q"Q') AS label,
                       pg_catalog.date_trunc('quarter', cm.month)::date AS q0
                  FROM cm
                 GROUP BY cm.id, pg_catalog.to_char(cm.month::timestamp, 'YYYY-"Q"Q'), pg_catalog.date_trunc('quarter', cm.month)
                HAVING pg_catalog.sum(cm.thematic) = 0) q
         WHERE q.q0 >= w0 AND (q.q0 + interval '2 months')::date <= w1
         GROUP BY q.id),
    short AS (
        SELECT mt.unit_id AS id, pg_catalog.array_agg(mt.held_on ORDER BY mt.held_on) AS dates
          FROM @extschema@.subtree(v_unit) c
          JOIN @extschema@.meetings mt ON mt.unit_id = c.id
         WHERE c.kind = 'cell' AND mt.held_on >= w0 AND mt.held_on <= @extschema@.month_end(w1)
           AND mt.minutes < @extschema@.minimum_minutes(mt.kind, mt.held_on)
         GROUP BY mt.unit_id)
    SELECT u.code, u.cell_type, p.missing, p.low, p.lowest, p.lowest_month, q.missing, s.dates
      FROM per_cell p
      JOIN @extschema@.units u ON u.id = p.id
      LEFT JOIN quarters q ON q.id = p.id
      LEFT JOIN short s ON s.id = p.id
     WHERE p.missing IS NOT NULL OR p.low IS NOT NULL OR q.missing IS NOT NULL OR s.dates IS NOT NULL
     ORDER BY u.code;
END;
$$;
COMMENT ON FUNCTION @extschema@.cells_needing_attention(text, date, date, numeric, text) IS
    'the cells of a unit that need attention over a window: months without a regular or combined meeting, months below the threshold with the lowest ratio, whole quarters without a thematic or combined meeting, meetings shorter than the rule of their date';

CREATE FUNCTION @extschema@.grading_quota(unit_code text, year integer)
RETURNS TABLE (organisation_code text, organisation_name text, excellent bigint, good bigint, over_quota boolean)
    LANGUAGE plpgsql STABLE PARALLEL SAFE
AS $$
#variable_conflict use_column
DECLARE
    v_unit bigint;
    dec31 date;
BEGIN
    IF grading_quota.year IS NULL THEN
        RAISE EXCEPTION 'year must not be NULL' USING ERRCODE = '22004';
    END IF;
    v_unit := @extschema@.unit_id_of(grading_quota.unit_code);
    dec31 := pg_catalog.make_date(grading_quota.year, 12, 31);
    RETURN QUERY
    WITH orgs AS (
        SELECT o.id FROM @extschema@.subtree(v_unit) o
         WHERE o.grassroots AND o.valid_from <= dec31 AND (o.valid_to IS NULL OR o.valid_to > dec31)),
    graded AS (
        -- members belonging on 31 December, with their grade and cell
        SELECT ms.unit_id, k.grade
          FROM @extschema@.classifications k
          JOIN @extschema@.memberships ms ON ms.member_id = k.member_id AND ms.period OPERATOR(pg_catalog.@>) dec31
          JOIN @extschema@.members mb ON mb.id = k.member_id
         WHERE k.year = grading_quota.year AND k.grade IN ('excellent', 'good')
           AND (mb.left_on IS NULL OR mb.left_on >= dec31)),
    below AS (
        -- each organisation's subtree
        SELECT o.id AS org, s.id FROM orgs o, LATERAL @extschema@.subtree(o.id) s)
    SELECT u.code, u.name, x.excellent, x.good, x.excellent * 5 > x.good
      FROM (SELECT o.id,
                   pg_catalog.count(g.grade) FILTER (WHERE g.grade = 'excellent') AS excellent,
                   pg_catalog.count(g.grade) FILTER (WHERE g.grade = 'good') AS good
              FROM orgs o
              LEFT JOIN (below b JOIN graded g ON g.unit_id = b.id) ON b.org = o.id
             GROUP BY o.id) x
      JOIN @extschema@.units u ON u.id = x.id
     ORDER BY u.code;
END;
$$;
COMMENT ON FUNCTION @extschema@.grading_quota(text, integer) IS
    'per grassroots organisation of a unit''s subtree existing on 31 December: members graded excellent and good for the year (members belonging then to a cell below it), and over_quota when excellent exceeds 20% of good';
-- chibo: a pg_cron schedule for refresh_reports().
--
-- The job is named chibo_refresh_reports:<database> and runs
-- SELECT * FROM chibo.refresh_reports() in this database.  pg_cron keeps
-- its jobs in the one database named by cron.database_name; when that is
-- another database, the job is written there through dblink (when the
-- dblink extension is installed here), else the error says what to run
-- there.

-- The name of this database's refresh job.
CREATE FUNCTION @extschema@.refresh_job_name() RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN 'chibo_refresh_reports:' || pg_catalog.current_database();
COMMENT ON FUNCTION @extschema@.refresh_job_name() IS
    'the name of the pg_cron job that refreshes this database''s reports: chibo_refresh_reports:<database>';

-- Runs a statement in the database that holds pg_cron and returns its
-- one text result: here when pg_cron is installed here, else through
-- dblink.  Explains what is missing when neither works.
CREATE FUNCTION @extschema@.cron_call(statement text) RETURNS text
    LANGUAGE plpgsql PARALLEL UNSAFE
AS $$
DECLARE
    cron_db text := pg_catalog.current_setting('cron.database_name', true);
    dblink_schema name;
    conn text;
    result text;
BEGIN
    IF EXISTS (SELECT FROM pg_catalog.pg_extension WHERE extname = 'pg_cron') THEN
        EXECUTE statement INTO result;
        RETURN result;
    END IF;
    IF cron_db = pg_catalog.current_database() THEN
        RAISE EXCEPTION 'pg_cron is loaded but its extension is not created in this database'
            USING ERRCODE = '55000', HINT = 'Run CREATE EXTENSION pg_cron here (as a superuser).';
    END IF;
    IF cron_db IS NULL OR cron_db = '' THEN
        RAISE EXCEPTION 'pg_cron is not installed'
            USING ERRCODE = '55000',
                  HINT = 'Add pg_cron to shared_preload_libraries, restart the server and run CREATE EXTENSION pg_cron in the database named by cron.database_name.';
    END IF;
    SELECT n.nspname INTO dblink_schema
      FROM pg_catalog.pg_extension e JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace
     WHERE e.extname = 'dblink';
    IF NOT FOUND THEN
        RAISE EXCEPTION 'pg_cron lives in database "%", not in this one (%)', cron_db, pg_catalog.current_database()
            USING ERRCODE = '55000',
                  HINT = pg_catalog.format('Run CREATE EXTENSION dblink here and call this function again, or run in database %s: %s',
                                           cron_db, statement);
    END IF;
    -- The server's own socket and port, as the current user.
    conn := pg_catalog.format('dbname=%s host=%s port=%s user=%s',
                              pg_catalog.quote_literal(cron_db),
                              pg_catalog.quote_literal(pg_catalog.btrim(pg_catalog.split_part(
                                  pg_catalog.current_setting('unix_socket_directories'), ',', 1))),
                              pg_catalog.current_setting('port'),
                              pg_catalog.quote_literal(current_user));
    EXECUTE pg_catalog.format('SELECT r FROM %I.dblink($1, $2) AS t(r text)', dblink_schema)
       INTO result USING conn, statement;
    RETURN result;
END;
$$;
COMMENT ON FUNCTION @extschema@.cron_call(text) IS
    'runs a statement in the database that holds pg_cron (here, or there through dblink) and returns its text result; explains the error when pg_cron is missing';

CREATE FUNCTION @extschema@.schedule_refresh(schedule text DEFAULT '*/15 * * * *') RETURNS bigint
    LANGUAGE plpgsql PARALLEL UNSAFE
AS $$
BEGIN
    IF schedule IS NULL OR pg_catalog.btrim(schedule) = '' THEN
        RAISE EXCEPTION 'schedule must be a cron schedule such as ''*/15 * * * *'''
            USING ERRCODE = '22023';
    END IF;
    -- schedule_in_database replaces a job of the same name: calling again
    -- changes the schedule.
    RETURN @extschema@.cron_call(pg_catalog.format(
        'SELECT cron.schedule_in_database(%L, %L, %L, %L)::text',
        @extschema@.refresh_job_name(), schedule,
        pg_catalog.format('SELECT * FROM %I.refresh_reports()', '@extschema@'),
        pg_catalog.current_database()))::bigint;
END;
$$;
COMMENT ON FUNCTION @extschema@.schedule_refresh(text) IS
    'schedules refresh_reports() in this database with pg_cron (default every 15 minutes) as the job chibo_refresh_reports:<database>; calling it again changes the schedule; returns the job id';

CREATE FUNCTION @extschema@.unschedule_refresh() RETURNS boolean
    LANGUAGE plpgsql PARALLEL UNSAFE
AS $$
BEGIN
    -- true when a job was removed, false when there was none
    RETURN @extschema@.cron_call(pg_catalog.format(
        'SELECT (SELECT cron.unschedule(j.jobid) FROM cron.job j WHERE j.jobname = %L AND j.username = current_user)'
        '       IS NOT NULL',
        @extschema@.refresh_job_name()))::boolean;
END;
$$;
COMMENT ON FUNCTION @extschema@.unschedule_refresh() IS
    'removes this database''s pg_cron refresh job; true when there was one';
-- chibo: the report views for SQL users and BI tools (schema chibo_report).
--
-- Built on the rollups (as of the last refresh_reports()).  Only base types
-- in their columns: exact figures as bigint counts, a percentage as numeric,
-- the figure as a person reads it as text ('7.126/7.560 (94%)').  They run
-- with the caller's rights (security_invoker) and hold no personal data.

CREATE SCHEMA chibo_report;
COMMENT ON SCHEMA chibo_report IS
    'chibo reports for SQL users and BI tools (Metabase): views of the indicators per unit, month and year; base types only, no personal data';

-- The unit's codes as the views show them: its parent and its top-level
-- committee.
CREATE VIEW chibo_report.units WITH (security_invoker = true) AS
SELECT u.id AS unit_id, u.code AS unit_code, u.name AS unit_name, u.kind AS unit_kind, u.grassroots,
       u.cell_type, p.code AS parent_code, top.code AS top_code, depth.depth AS level,
       u.valid_from, u.valid_to
  FROM @extschema@.units u
  LEFT JOIN @extschema@.units p ON p.id = u.parent_id
  LEFT JOIN LATERAL (
        SELECT t.code FROM @extschema@.unit_ancestors a JOIN @extschema@.units t ON t.id = a.ancestor_id
         WHERE a.unit_id = u.id AND t.parent_id IS NULL) top ON true
  LEFT JOIN LATERAL (
        SELECT pg_catalog.max(a.depth)::integer AS depth FROM @extschema@.unit_ancestors a WHERE a.unit_id = u.id) depth ON true;
COMMENT ON VIEW chibo_report.units IS
    'the units (đảng bộ, chi bộ) with their parent and top-level committee, for filters and joins';

CREATE VIEW chibo_report.unit_month WITH (security_invoker = true) AS
SELECT u.unit_code, u.unit_name, u.unit_kind, u.grassroots, u.parent_code, u.top_code, u.level,
       r.month, @extschema@.month_end(r.month) AS end_date,
       r.active_members, r.task_registered, r.four_good, r.four_good_mixed,
       r.cells_total, r.cells_passing,
       r.present AS attendance_present, r.expected AS attendance_expected, r.excused AS attendance_excused,
       r.meetings, r.cells_existing, r.cells_without_meeting,
       r.side_meetings, r.side_present, r.side_excused, r.side_expected, r.short_meetings,
       @extschema@.percent(@extschema@.ratio(r.task_registered, r.active_members), 1) AS task_registration_percent,
       @extschema@.percent(@extschema@.ratio(r.four_good, r.active_members), 1) AS four_good_percent,
       @extschema@.percent(@extschema@.ratio(r.cells_passing, r.cells_total), 1) AS cells_passing_percent,
       @extschema@.percent(@extschema@.ratio(r.present, r.expected), 1) AS attendance_percent,
       @extschema@.display(@extschema@.ratio(r.task_registered, r.active_members)) AS task_registration_text,
       @extschema@.display(@extschema@.ratio(r.four_good, r.active_members)) AS four_good_text,
       @extschema@.display(@extschema@.ratio(r.cells_passing, r.cells_total)) AS cells_passing_text,
       @extschema@.display(@extschema@.ratio(r.present, r.expected)) AS attendance_text
  FROM @extschema@.unit_months r
  JOIN chibo_report.units u ON u.unit_id = r.unit_id;
COMMENT ON VIEW chibo_report.unit_month IS
    'the headline indicators of every unit (committee and cell) for every month of the reporting range, the month being the window (as chibo.indicators(unit, month, month) gives them)';

CREATE VIEW chibo_report.unit_year WITH (security_invoker = true) AS
SELECT u.unit_code, u.unit_name, u.unit_kind, u.grassroots, u.parent_code, u.top_code, u.level,
       r.year, r.first_month, r.last_month, @extschema@.month_end(r.last_month) AS end_date,
       r.active_members, r.task_registered, r.four_good, r.four_good_mixed,
       r.cells_total, r.cells_passing,
       r.present AS attendance_present, r.expected AS attendance_expected, r.excused AS attendance_excused,
       r.meetings, r.cells_existing, r.cells_without_meeting,
       r.side_meetings, r.side_present, r.side_excused, r.side_expected, r.short_meetings,
       r.graded_excellent, r.graded_good,
       @extschema@.percent(@extschema@.ratio(r.task_registered, r.active_members), 1) AS task_registration_percent,
       @extschema@.percent(@extschema@.ratio(r.four_good, r.active_members), 1) AS four_good_percent,
       @extschema@.percent(@extschema@.ratio(r.cells_passing, r.cells_total), 1) AS cells_passing_percent,
       @extschema@.percent(@extschema@.ratio(r.present, r.expected), 1) AS attendance_percent,
       @extschema@.display(@extschema@.ratio(r.task_registered, r.active_members)) AS task_registration_text,
       @extschema@.display(@extschema@.ratio(r.four_good, r.active_members)) AS four_good_text,
       @extschema@.display(@extschema@.ratio(r.cells_passing, r.cells_total)) AS cells_passing_text,
       @extschema@.display(@extschema@.ratio(r.present, r.expected)) AS attendance_text
  FROM @extschema@.unit_years r
  JOIN chibo_report.units u ON u.unit_id = r.unit_id;
COMMENT ON VIEW chibo_report.unit_year IS
    'the headline indicators of every unit (committee and cell) for every year of the reporting range; the window is the calendar year cut to the months with data (first_month..last_month), as chibo.indicators(unit, first_month, last_month) gives them';

CREATE VIEW chibo_report.headline WITH (security_invoker = true) AS
SELECT y.unit_code, y.unit_name, y.year, y.first_month, y.last_month, y.end_date,
       y.active_members,
       y.task_registered, y.task_registration_text, y.task_registration_percent,
       y.four_good, y.four_good_text, y.four_good_percent,
       y.cells_total, y.cells_passing,
       y.cells_passing_text, y.cells_passing_percent,
       y.attendance_present, y.attendance_expected, y.attendance_text, y.attendance_percent
  FROM chibo_report.unit_year y
 WHERE y.parent_code IS NULL;
COMMENT ON VIEW chibo_report.headline IS
    'the published figures per top-level committee and year (Báo cáo): members registered for a new or difficult task, "Đảng viên 4 tốt", cells at or above 85% attendance every month, pooled attendance';

CREATE VIEW chibo_report.cell_type_year WITH (security_invoker = true) AS
SELECT u.unit_code, u.unit_name, c.cell_type, y.year, pg_catalog.min(y.first_month) AS first_month,
       pg_catalog.max(y.last_month) AS last_month,
       pg_catalog.count(*) FILTER (WHERE y.exists_on_end) AS cells_existing,
       pg_catalog.count(*) FILTER (WHERE y.exists_on_end AND y.months_judged > 0) AS cells_total,
       pg_catalog.count(*) FILTER (WHERE y.exists_on_end AND y.months_judged > 0
                                     AND y.months_passing = y.months_judged) AS cells_passing,
       pg_catalog.sum(y.meetings)::bigint AS meetings,
       pg_catalog.sum(y.present)::bigint AS attendance_present,
       pg_catalog.sum(y.expected)::bigint AS attendance_expected,
       pg_catalog.sum(y.excused)::bigint AS attendance_excused,
       @extschema@.percent(@extschema@.ratio(pg_catalog.sum(y.present)::bigint, pg_catalog.sum(y.expected)::bigint), 1)
           AS attendance_percent,
       @extschema@.display(@extschema@.ratio(pg_catalog.sum(y.present)::bigint, pg_catalog.sum(y.expected)::bigint))
           AS attendance_text,
       @extschema@.ratio(pg_catalog.sum(y.present)::bigint, pg_catalog.sum(y.expected)::bigint)
           OPERATOR(@extschema@.>) 0.9 AS attendance_above_90
  FROM @extschema@.cell_years y
  JOIN @extschema@.units c ON c.id = y.unit_id
  JOIN @extschema@.unit_ancestors a ON a.unit_id = y.unit_id
  JOIN chibo_report.units u ON u.unit_id = a.ancestor_id
 WHERE u.unit_kind = 'committee'
 GROUP BY u.unit_code, u.unit_name, c.cell_type, y.year;
COMMENT ON VIEW chibo_report.cell_type_year IS
    'per committee, cell type (loại hình chi bộ) and year: the cells and their pooled attendance, e.g. administrative agencies, armed forces and schools above 90%';

CREATE VIEW chibo_report.cells_needing_attention WITH (security_invoker = true) AS
WITH months AS (
    SELECT m.unit_id, y.year, m.month, m.meetings, m.thematic_meetings, m.short_meetings,
           @extschema@.ratio(m.present, m.expected) AS ratio,
           pg_catalog.date_trunc('quarter', m.month)::date AS quarter,
           pg_catalog.date_trunc('quarter', m.month)::date >= y.first_month
             AND (pg_catalog.date_trunc('quarter', m.month) + interval '2 months')::date <= y.last_month AS whole_quarter
      FROM @extschema@.cell_years y
      JOIN @extschema@.cell_months m
        ON m.unit_id = y.unit_id AND m.month >= y.first_month AND m.month <= y.last_month),
per_cell AS (
    SELECT m.unit_id, m.year,
           pg_catalog.count(*) FILTER (WHERE m.meetings = 0) AS months_without_meeting,
           pg_catalog.string_agg(pg_catalog.to_char(m.month::timestamp, 'YYYY-MM'), ', ' ORDER BY m.month)
               FILTER (WHERE m.meetings = 0) AS months_without_meeting_list,
           pg_catalog.count(*) FILTER (WHERE m.meetings > 0 AND m.ratio OPERATOR(@extschema@.<) 0.85) AS months_below_threshold,
           pg_catalog.string_agg(pg_catalog.to_char(m.month::timestamp, 'YYYY-MM'), ', ' ORDER BY m.month)
               FILTER (WHERE m.meetings > 0 AND m.ratio OPERATOR(@extschema@.<) 0.85) AS months_below_threshold_list,
           (pg_catalog.array_agg(m.ratio ORDER BY m.ratio, m.month)
               FILTER (WHERE m.meetings > 0 AND m.ratio OPERATOR(@extschema@.<) 0.85))[1] AS lowest,
           (pg_catalog.array_agg(m.month ORDER BY m.ratio, m.month)
               FILTER (WHERE m.meetings > 0 AND m.ratio OPERATOR(@extschema@.<) 0.85))[1] AS lowest_month,
           pg_catalog.sum(m.short_meetings)::bigint AS short_meetings
      FROM months m GROUP BY m.unit_id, m.year),
quarters AS (
    SELECT q.unit_id, q.year, pg_catalog.count(*) AS missing,
           pg_catalog.string_agg(pg_catalog.to_char(q.quarter::timestamp, 'YYYY-"Q"Q'), ', ' ORDER BY q.quarter) AS list
      FROM (SELECT m.unit_id, m.year, m.quarter FROM months m WHERE m.whole_quarter
             GROUP BY m.unit_id, m.year, m.quarter HAVING pg_catalog.sum(m.thematic_meetings) = 0) q
     GROUP BY q.unit_id, q.year)
SELECT u.unit_code AS cell_code, u.unit_name AS cell_name, u.cell_type, u.parent_code, u.top_code, p.year,
       p.months_without_meeting, p.months_without_meeting_list,
       p.months_below_threshold, p.months_below_threshold_list,
       p.lowest_month, @extschema@.display(p.lowest) AS lowest_attendance_text,
       @extschema@.percent(p.lowest, 1) AS lowest_attendance_percent,
       COALESCE(q.missing, 0) AS quarters_without_thematic, q.list AS quarters_without_thematic_list,
       p.short_meetings
  FROM per_cell p
  JOIN chibo_report.units u ON u.unit_id = p.unit_id
  LEFT JOIN quarters q ON q.unit_id = p.unit_id AND q.year = p.year
 WHERE p.months_without_meeting > 0 OR p.months_below_threshold > 0 OR q.missing > 0 OR p.short_meetings > 0;
COMMENT ON VIEW chibo_report.cells_needing_attention IS
    'cells needing attention per year: months without a regular or combined meeting, months below 85% with the lowest, whole quarters without a thematic or combined meeting, meetings shorter than the rule (as chibo.cells_needing_attention() over the year window)';

CREATE VIEW chibo_report.grading_quota WITH (security_invoker = true) AS
SELECT y.unit_code, y.unit_name, y.top_code, y.year, y.graded_excellent AS excellent, y.graded_good AS good,
       y.graded_good / 5 AS excellent_allowed, y.graded_excellent * 5 > y.graded_good AS over_quota
  FROM chibo_report.unit_year y
 WHERE y.grassroots
   AND EXISTS (SELECT FROM @extschema@.units o
                WHERE o.code = y.unit_code AND o.valid_from <= pg_catalog.make_date(y.year, 12, 31)
                  AND (o.valid_to IS NULL OR o.valid_to > pg_catalog.make_date(y.year, 12, 31)));
COMMENT ON VIEW chibo_report.grading_quota IS
    'per grassroots organisation (tổ chức cơ sở đảng) and year: members graded excellent and good, and over_quota when excellent exceeds 20% of good (Quy định 124-QĐ/TW, 366-QĐ/TW)';

CREATE VIEW chibo_report.report_state WITH (security_invoker = true) AS
SELECT s.first_month, s.last_month,
       pg_catalog.to_char(s.refreshed_at, 'YYYY-MM-DD HH24:MI:SS TZ') AS refreshed_at,
       pg_catalog.to_char(s.rebuilt_at, 'YYYY-MM-DD HH24:MI:SS TZ') AS rebuilt_at,
       EXISTS (SELECT FROM @extschema@.report_changes) AS changes_pending
  FROM @extschema@.report_state s;
COMMENT ON VIEW chibo_report.report_state IS
    'how fresh the reports are: the months they cover and when refresh_reports() last ran (a dashboard''s "as of" card)';

-- The columns' comments: one meaning per name, for every view that has it.
DO $$
DECLARE
    statement text;
BEGIN
    FOR statement IN
        SELECT pg_catalog.format('COMMENT ON COLUMN %I.%I.%I IS %L', n.nspname, c.relname, a.attname, cc.comment)
          FROM pg_catalog.pg_class c
          JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
          JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
          LEFT JOIN (VALUES
        ('unit_id', 'internal id of the unit (join key)'),
        ('unit_code', 'code of the unit (mã đơn vị), e.g. TH or TH.BUOI'),
        ('unit_name', 'name of the unit, e.g. Đảng bộ phường Bưởi'),
        ('unit_kind', 'committee (đảng bộ) or cell (chi bộ)'),
        ('grassroots', 'true for a grassroots organisation (tổ chức cơ sở đảng: đảng bộ cơ sở or chi bộ cơ sở)'),
        ('cell_type', 'type of cell (loại hình chi bộ): party_agency, administrative, public_service, armed_forces, school, enterprise, residential, other'),
        ('parent_code', 'code of the parent committee (NULL for a top-level committee)'),
        ('four_good_mixed', 'of the active members, those whose assessments inside the window mix schemes of different sizes (such as DV4T and DV5T): not counted as four-good; chibo.indicators() stops with an error for them'),
        ('side_excused', 'members excused at the thematic and extraordinary meetings, summed'),
        ('refreshed_at', 'when chibo.refresh_reports() last finished (YYYY-MM-DD HH24:MI:SS and time zone)'),
        ('rebuilt_at', 'when the reports were last rebuilt in full'),
        ('changes_pending', 'true when data changed since the last refresh: the figures do not show it yet'),
        ('top_code', 'code of the top-level committee above the unit (the unit itself at the top)'),
        ('level', 'depth in the tree: 0 for a top-level committee'),
        ('valid_from', 'first day the unit existed'),
        ('valid_to', 'first day the unit no longer existed; NULL while it exists'),
        ('cell_code', 'code of the cell (chi bộ)'),
        ('cell_name', 'name of the cell'),
        ('month', 'the month (first day): the report''s window'),
        ('year', 'the calendar year'),
        ('first_month', 'first month of the window, or of the months the reports cover (first day)'),
        ('last_month', 'last month of the window, or of the months the reports cover (first day)'),
        ('end_date', 'the window''s end date, on which active members are counted'),
        ('active_members', 'active members (đảng viên đang sinh hoạt) on the end date: belonging to a cell of the unit'),
        ('task_registered', 'of them, members who registered a new or difficult task for a year of the window (đăng ký nhiệm vụ mới, khó)'),
        ('task_registration_percent', 'task registration as a percentage of active members, one decimal; NULL without active members'),
        ('task_registration_text', 'task registration as published: part/whole and percentage, e.g. 7.126/7.560 (94%)'),
        ('four_good', 'of them, members achieving "Đảng viên 4 tốt": every criterion met in every assessment inside the window'),
        ('four_good_percent', 'four-good members as a percentage of active members, one decimal; NULL without active members'),
        ('four_good_text', 'four-good members as published, e.g. 6.804/7.560 (90%)'),
        ('cells_existing', 'cells of the unit existing on the end date'),
        ('cells_total', 'of them, cells with a month that could be judged (the whole of the attendance indicator)'),
        ('cells_passing', 'of the cells judged, those whose every judged month had a regular or combined meeting with pooled attendance of at least 85%'),
        ('cells_passing_percent', 'cells passing as a percentage of cells judged, one decimal; NULL when no cell was judged'),
        ('cells_passing_text', 'cells passing out of cells judged, with the percentage, e.g. 230/269 (86%)'),
        ('cells_without_meeting', 'cells with a month without a regular or combined meeting'),
        ('attendance_present', 'members present at the regular and combined meetings of the window, summed over meetings'),
        ('attendance_expected', 'members expected at those meetings (belonging, not exempt), summed over meetings'),
        ('attendance_excused', 'members excused (vắng có lý do) at those meetings, summed over meetings'),
        ('attendance_percent', 'pooled attendance (present / expected) as a percentage, one decimal; NULL when no member was expected (0/0)'),
        ('attendance_text', 'pooled attendance as part/whole and percentage, e.g. 204.653/221.184 (93%)'),
        ('attendance_above_90', 'true when pooled attendance is above 90%'),
        ('meetings', 'regular and combined meetings held (sinh hoạt định kỳ)'),
        ('side_meetings', 'thematic and extraordinary meetings held (sinh hoạt chuyên đề, bất thường), reported apart'),
        ('side_present', 'members present at the thematic and extraordinary meetings, summed'),
        ('side_expected', 'members expected at the thematic and extraordinary meetings, summed'),
        ('short_meetings', 'meetings shorter than the rule of their date (90 minutes, 120 combined, from 2025-10-28)'),
        ('graded_excellent', 'members graded excellent (hoàn thành xuất sắc) for the year, belonging on 31 December'),
        ('graded_good', 'members graded good (hoàn thành tốt) for the year, belonging on 31 December'),
        ('excellent', 'members graded excellent (hoàn thành xuất sắc nhiệm vụ) for the year, belonging on 31 December'),
        ('good', 'members graded good (hoàn thành tốt nhiệm vụ) for the year, not counting excellent'),
        ('excellent_allowed', 'the most members that may be graded excellent: 20% of those graded good, rounded down'),
        ('over_quota', 'true when excellent exceeds 20% of good'),
        ('months_without_meeting', 'months of the window in which the cell existed but held no regular or combined meeting'),
        ('months_without_meeting_list', 'those months, as YYYY-MM'),
        ('months_below_threshold', 'months whose pooled attendance fell below 85%'),
        ('months_below_threshold_list', 'those months, as YYYY-MM'),
        ('lowest_month', 'the month with the lowest attendance below 85% (first day)'),
        ('lowest_attendance_text', 'that month''s attendance as part/whole and percentage'),
        ('lowest_attendance_percent', 'that month''s attendance as a percentage, one decimal; NULL when no month was below 85%'),
        ('quarters_without_thematic', 'whole quarters of the window without a thematic or combined meeting'),
        ('quarters_without_thematic_list', 'those quarters, as YYYY-Qn')
          ) AS cc (name, comment) ON cc.name = a.attname
         WHERE n.nspname = 'chibo_report'
    LOOP
        -- A column without a meaning above stops the installation.
        IF statement IS NULL THEN
            RAISE EXCEPTION 'chibo: a column of schema chibo_report has no comment';
        END IF;
        EXECUTE statement;
    END LOOP;
END;
$$;
