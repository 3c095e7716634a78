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
