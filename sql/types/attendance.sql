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
