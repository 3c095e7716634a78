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
