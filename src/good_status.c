/*
 * good_status.c
 *	  The good_status type and the good_status / four_good_status
 *	  aggregates: whether a subject met every criterion in every assessment.
 *
 * good_status is both the aggregates' state and their result; its text
 * form ("not_achieved:1101:3") reads back exactly, so partial states can be
 * combined after travelling as text.
 */
#include "chibo.h"

#include "libpq/pqformat.h"
#include "utils/builtins.h"

PG_FUNCTION_INFO_V1(good_status_in);
PG_FUNCTION_INFO_V1(good_status_out);
PG_FUNCTION_INFO_V1(good_status_recv);
PG_FUNCTION_INFO_V1(good_status_send);
PG_FUNCTION_INFO_V1(good_status_accum);
PG_FUNCTION_INFO_V1(four_good_status_accum);
PG_FUNCTION_INFO_V1(good_status_merge);
PG_FUNCTION_INFO_V1(good_status_label_text);
PG_FUNCTION_INFO_V1(good_status_failed);
PG_FUNCTION_INFO_V1(good_status_assessments);

/* Text input: "not_assessed", "achieved:1111:3", "not_achieved:1101:3". */
Datum
good_status_in(PG_FUNCTION_ARGS)
{
	char	   *str = PG_GETARG_CSTRING(0);
	GoodStatusValue g;
	ChiboParseResult code = good_status_parse(str, strlen(str), &g);

	if (code == CHIBO_PARSE_TOO_LARGE)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("value \"%s\" is out of range for type good_status", str),
				 errdetail("An assessment count cannot exceed " UINT64_FORMAT ".",
						   (uint64) GOOD_STATUS_MAX_COUNT)));
	if (code != CHIBO_PARSE_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid input syntax for type good_status: \"%s\"", str),
				 errhint("Write not_assessed, or achieved or not_achieved followed by the criteria met every time and the number of assessments, such as not_achieved:1101:3.")));
	PG_RETURN_GOOD_STATUS(g);
}

/* Text output. */
Datum
good_status_out(PG_FUNCTION_ARGS)
{
	char	   *buf = palloc(GOOD_STATUS_TEXT_BUFSIZE);

	good_status_format(PG_GETARG_GOOD_STATUS(0), buf);
	PG_RETURN_CSTRING(buf);
}

/* Binary input: n (int2), criteria met every time (int4), count (int8). */
Datum
good_status_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	const unsigned char *bytes = (const unsigned char *) pq_getmsgbytes(buf, GOOD_STATUS_WIRE_SIZE);
	GoodStatusValue g;

	if (good_status_decode(bytes, GOOD_STATUS_WIRE_SIZE, &g) != CHIBO_PARSE_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid external good_status value: %d criteria, flags " INT64_FORMAT ", " INT64_FORMAT " assessments",
						(int) (int16) wire_get_u16(bytes),
						(int64) (int32) wire_get_u32(bytes + 2),
						(int64) wire_get_u64(bytes + 6))));
	PG_RETURN_GOOD_STATUS(g);
}

/* Binary output. */
Datum
good_status_send(PG_FUNCTION_ARGS)
{
	GoodStatusValue g = PG_GETARG_GOOD_STATUS(0);
	unsigned char bytes[GOOD_STATUS_WIRE_SIZE];
	StringInfoData buf;

	good_status_encode(g, bytes);
	pq_begintypsend(&buf);
	pq_sendbytes(&buf, (const char *) bytes, GOOD_STATUS_WIRE_SIZE);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* Raises the error of a failed good_status_add or good_status_combine. */
static void
good_status_error(GoodStatusResult code, int n1, int n2)
{
	if (code == GOOD_MIXED_COUNTS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot combine assessments of %d and %d criteria", n1, n2),
				 errhint("Group the assessments by scheme, so that each group has one number of criteria.")));
	ereport(ERROR,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 errmsg("good_status out of range"),
			 errdetail("More than " UINT64_FORMAT " assessments.",
					   (uint64) GOOD_STATUS_MAX_COUNT)));
}

/* Adds one assessment to the state, or raises the error. */
static GoodStatusValue
accumulate(GoodStatusValue state, CriteriaValue c)
{
	GoodStatusResult code = good_status_add(&state, c);

	if (code != GOOD_OK)
		good_status_error(code, state.n, c.n);
	return state;
}

/* good_status(criteria) transition: any number of criteria. */
Datum
good_status_accum(PG_FUNCTION_ARGS)
{
	PG_RETURN_GOOD_STATUS(accumulate(PG_GETARG_GOOD_STATUS(0),
									 PG_GETARG_CRITERIA(1)));
}

/* four_good_status(criteria) transition: exactly 4 criteria. */
Datum
four_good_status_accum(PG_FUNCTION_ARGS)
{
	CriteriaValue c = PG_GETARG_CRITERIA(1);

	if (c.n != 4)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("four_good_status expects assessments of 4 criteria, not %d", c.n),
				 errhint("Use chibo.good_status() for schemes with another number of criteria.")));
	PG_RETURN_GOOD_STATUS(accumulate(PG_GETARG_GOOD_STATUS(0), c));
}

/* Combine function: merges two partial states. */
Datum
good_status_merge(PG_FUNCTION_ARGS)
{
	GoodStatusValue a = PG_GETARG_GOOD_STATUS(0);
	GoodStatusValue b = PG_GETARG_GOOD_STATUS(1);
	GoodStatusResult code = good_status_combine(&a, b);

	if (code != GOOD_OK)
		good_status_error(code, a.n, b.n);
	PG_RETURN_GOOD_STATUS(a);
}

/* label(good_status): achieved, not_achieved or not_assessed. */
Datum
good_status_label_text(PG_FUNCTION_ARGS)
{
	GoodStatusValue g = PG_GETARG_GOOD_STATUS(0);

	PG_RETURN_TEXT_P(cstring_to_text(good_status_label_name(good_status_label(g))));
}

/* failed_criteria(good_status): criteria unmet at least once, ascending. */
Datum
good_status_failed(PG_FUNCTION_ARGS)
{
	GoodStatusValue g = PG_GETARG_GOOD_STATUS(0);

	PG_RETURN_ARRAYTYPE_P(criteria_numbers_not_in(g.n, g.met_always));
}

/* assessment_count(good_status): how many assessments were combined. */
Datum
good_status_assessments(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64((int64) PG_GETARG_GOOD_STATUS(0).count);
}
