/*
 * attendance.c
 *	  The attendance_ratio aggregates and their attendance_tally state.
 *
 * attendance_ratio(status) and attendance_ratio(boolean) keep a ratio as
 * their state (present / inputs).  attendance_ratio(status, policy) needs
 * the excused count too, so it keeps an attendance_tally and turns it into
 * a ratio at the end under the policy.
 */
#include "chibo.h"

#include "access/htup_details.h"
#include "catalog/pg_enum.h"
#include "catalog/pg_type.h"
#include "libpq/pqformat.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

PG_FUNCTION_INFO_V1(attendance_status_accum);
PG_FUNCTION_INFO_V1(attendance_bool_accum);
PG_FUNCTION_INFO_V1(attendance_policy_accum);
PG_FUNCTION_INFO_V1(attendance_tally_merge);
PG_FUNCTION_INFO_V1(attendance_tally_final);
PG_FUNCTION_INFO_V1(attendance_tally_in);
PG_FUNCTION_INFO_V1(attendance_tally_out);
PG_FUNCTION_INFO_V1(attendance_tally_recv);
PG_FUNCTION_INFO_V1(attendance_tally_send);

/* The OIDs of the labels of chibo.attendance_status, kept in fn_extra. */
typedef struct StatusOids
{
	Oid			present;
	Oid			excused;
} StatusOids;

static Oid
enum_label_oid(Oid typid, const char *label)
{
	HeapTuple	tup = SearchSysCache2(ENUMTYPOIDNAME, ObjectIdGetDatum(typid),
									  CStringGetDatum(label));
	Oid			oid;

	if (!HeapTupleIsValid(tup))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("type %s has no label \"%s\"",
						format_type_be(typid), label)));
	oid = ((Form_pg_enum) GETSTRUCT(tup))->oid;
	ReleaseSysCache(tup);
	return oid;
}

/*
 * The labels of the status argument (argument 1): its type comes from the
 * call expression, or else is attendance_status in the function's schema.
 */
static StatusOids *
status_oids(FunctionCallInfo fcinfo)
{
	StatusOids *oids = (StatusOids *) fcinfo->flinfo->fn_extra;
	Oid			typid;

	if (oids != NULL)
		return oids;

	typid = get_fn_expr_argtype(fcinfo->flinfo, 1);
	if (!OidIsValid(typid))
		typid = GetSysCacheOid2(TYPENAMENSP, Anum_pg_type_oid,
								CStringGetDatum("attendance_status"),
								ObjectIdGetDatum(get_func_namespace(fcinfo->flinfo->fn_oid)));
	if (!OidIsValid(typid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("type attendance_status not found")));

	oids = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, sizeof(StatusOids));
	oids->present = enum_label_oid(typid, "present");
	oids->excused = enum_label_oid(typid, "excused");
	fcinfo->flinfo->fn_extra = oids;
	return oids;
}

/* attendance_ratio(attendance_status) transition. */
Datum
attendance_status_accum(PG_FUNCTION_ARGS)
{
	StatusOids *oids = status_oids(fcinfo);

	return chibo_ratio_count_one(PG_GETARG_RATIO(0),
						   PG_GETARG_OID(1) == oids->present);
}

/* attendance_ratio(boolean) transition. */
Datum
attendance_bool_accum(PG_FUNCTION_ARGS)
{
	return chibo_ratio_count_one(PG_GETARG_RATIO(0), PG_GETARG_BOOL(1));
}

/* The tally to update: in place inside an aggregate, else a copy. */
static TallyValue *
tally_for_update(FunctionCallInfo fcinfo)
{
	TallyValue *state = PG_GETARG_TALLY_P(0);
	TallyValue *copy;

	if (AggCheckCallContext(fcinfo, NULL))
		return state;
	copy = palloc(sizeof(TallyValue));
	*copy = *state;
	return copy;
}

/* Raises the error of a failed tally_combine. */
static void
tally_error(TallyResult code, const TallyValue *a, const TallyValue *b)
{
	if (code == TALLY_MIXED_POLICIES)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot mix attendance policies %s and %s in one attendance_ratio",
						policy_name((AttendancePolicy) a->policy),
						policy_name((AttendancePolicy) b->policy)),
				 errhint("Pass the same policy for every row of a group.")));
	ereport(ERROR,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 errmsg("attendance_tally out of range"),
			 errdetail("A count exceeds " INT64_FORMAT ".", PG_INT64_MAX)));
}

/*
 * attendance_ratio(attendance_status, policy) transition.  Not strict: a
 * NULL status is passed over, but a NULL policy is an error, not a row
 * silently left out.
 */
Datum
attendance_policy_accum(PG_FUNCTION_ARGS)
{
	StatusOids *oids;
	Oid			status;
	text	   *policy_text;
	TallyValue	one;
	AttendancePolicy policy;
	TallyValue *state;
	TallyResult code;

	chibo_require_arg(fcinfo, 0, "attendance_tally state", NULL);
	chibo_require_arg(fcinfo, 2, "attendance policy",
					  "Use 'excused_count' or 'excused_excluded'.");
	if (PG_ARGISNULL(1))
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));

	oids = status_oids(fcinfo);
	status = PG_GETARG_OID(1);
	policy_text = PG_GETARG_TEXT_PP(2);
	if (!policy_parse(VARDATA_ANY(policy_text),
					  VARSIZE_ANY_EXHDR(policy_text), &policy))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown attendance policy \"%s\"",
						text_to_cstring(policy_text)),
				 errhint("Use 'excused_count' (excused absences count as absences) or 'excused_excluded' (excused absences are left out of the whole).")));

	memset(&one, 0, sizeof(one));
	one.policy = policy;
	if (status == oids->present)
		one.present = 1;
	else if (status == oids->excused)
		one.excused = 1;
	else
		one.absent = 1;

	state = tally_for_update(fcinfo);
	code = tally_combine(state, &one);
	if (code != TALLY_OK)
		tally_error(code, state, &one);
	PG_RETURN_TALLY_P(state);
}

/* Combine function: merges two partial tallies. */
Datum
attendance_tally_merge(PG_FUNCTION_ARGS)
{
	TallyValue *state = tally_for_update(fcinfo);
	TallyValue *other = PG_GETARG_TALLY_P(1);
	TallyResult code = tally_combine(state, other);

	if (code != TALLY_OK)
		tally_error(code, state, other);
	PG_RETURN_TALLY_P(state);
}

/* Final function: the ratio under the tally's policy. */
Datum
attendance_tally_final(PG_FUNCTION_ARGS)
{
	TallyValue *t = PG_GETARG_TALLY_P(0);
	RatioValue	r;

	if (tally_ratio(t, &r) != CHIBO_PARSE_OK)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("attendance_ratio out of range"),
				 errdetail("The counts exceed %u, the largest count of a ratio.",
						   (unsigned) RATIO_MAX_COUNT)));
	PG_RETURN_RATIO(r);
}

/* Text input: "present=3 excused=1 absent=2 policy=excused_count". */
Datum
attendance_tally_in(PG_FUNCTION_ARGS)
{
	char	   *str = PG_GETARG_CSTRING(0);
	TallyValue *t = palloc(sizeof(TallyValue));
	ChiboParseResult code = tally_parse(str, strlen(str), t);

	if (code == CHIBO_PARSE_TOO_LARGE)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("value \"%s\" is out of range for type attendance_tally", str),
				 errdetail("Counts cannot exceed " INT64_FORMAT ".", PG_INT64_MAX)));
	if (code != CHIBO_PARSE_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid input syntax for type attendance_tally: \"%s\"", str),
				 errhint("Write present=N excused=N absent=N followed by policy=excused_count or policy=excused_excluded; only a tally of zeros has no policy.")));
	PG_RETURN_TALLY_P(t);
}

/* Text output. */
Datum
attendance_tally_out(PG_FUNCTION_ARGS)
{
	char	   *buf = palloc(TALLY_TEXT_BUFSIZE);

	tally_format(PG_GETARG_TALLY_P(0), buf);
	PG_RETURN_CSTRING(buf);
}

/* Binary input: present, excused, absent (int8 each), policy (int4). */
Datum
attendance_tally_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	const unsigned char *bytes = (const unsigned char *) pq_getmsgbytes(buf, TALLY_WIRE_SIZE);
	TallyValue *t = palloc0(sizeof(TallyValue));

	if (tally_decode(bytes, TALLY_WIRE_SIZE, t) != CHIBO_PARSE_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid external attendance_tally value")));
	PG_RETURN_TALLY_P(t);
}

/* Binary output. */
Datum
attendance_tally_send(PG_FUNCTION_ARGS)
{
	TallyValue *t = PG_GETARG_TALLY_P(0);
	unsigned char bytes[TALLY_WIRE_SIZE];
	StringInfoData buf;

	tally_encode(t, bytes);
	pq_begintypsend(&buf);
	pq_sendbytes(&buf, (const char *) bytes, TALLY_WIRE_SIZE);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}
