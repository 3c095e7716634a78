/*
 * ratio.c
 *	  The ratio type: an exact part/whole pair of counts, never reduced.
 */
#include "chibo.h"

#include "common/hashfn.h"
#include "libpq/pqformat.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/numeric.h"

PG_FUNCTION_INFO_V1(ratio_in);
PG_FUNCTION_INFO_V1(ratio_out);
PG_FUNCTION_INFO_V1(ratio_recv);
PG_FUNCTION_INFO_V1(ratio_send);
PG_FUNCTION_INFO_V1(ratio_make);
PG_FUNCTION_INFO_V1(ratio_part);
PG_FUNCTION_INFO_V1(ratio_whole);
PG_FUNCTION_INFO_V1(ratio_percent);
PG_FUNCTION_INFO_V1(ratio_to_numeric);
PG_FUNCTION_INFO_V1(ratio_to_float8);
PG_FUNCTION_INFO_V1(ratio_display);
PG_FUNCTION_INFO_V1(ratio_add);

/* Raises the error for a failed ratio parse or check. */
void
chibo_ratio_error(ChiboParseResult code, const char *input)
{
	switch (code)
	{
		case CHIBO_PARSE_NEGATIVE:
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("value \"%s\" is out of range for type ratio", input),
					 errdetail("Counts cannot be negative.")));
			break;
		case CHIBO_PARSE_TOO_LARGE:
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("value \"%s\" is out of range for type ratio", input),
					 errdetail("Counts cannot exceed %u.", (unsigned) RATIO_MAX_COUNT)));
			break;
		case CHIBO_PARSE_PART_EXCEEDS:
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("value \"%s\" is out of range for type ratio", input),
					 errdetail("The part cannot exceed the whole.")));
			break;
		default:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
					 errmsg("invalid input syntax for type ratio: \"%s\"", input),
					 errhint("Write a ratio as part/whole, two whole numbers such as 7126/7560.")));
	}
	pg_unreachable();
}

/* Raises the overflow error of pooling a and b. */
void
chibo_ratio_overflow(RatioValue a, RatioValue b)
{
	ereport(ERROR,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 errmsg("ratio out of range"),
			 errdetail("Pooling %u/%u and %u/%u gives a count above %u.",
					   a.part, a.whole, b.part, b.whole,
					   (unsigned) RATIO_MAX_COUNT)));
	pg_unreachable();
}

/* Counts one more input (and part); 22003 instead of wrapping. */
Datum
chibo_ratio_count_one(RatioValue state, bool counted)
{
	RatioValue	before = state;

	if (!ratio_count_one(&state, counted))
	{
		RatioValue	one = {counted ? 1 : 0, 1};

		chibo_ratio_overflow(before, one);
	}
	PG_RETURN_RATIO(state);
}

/* Text input: "part/whole". */
Datum
ratio_in(PG_FUNCTION_ARGS)
{
	char	   *str = PG_GETARG_CSTRING(0);
	RatioValue	r;
	ChiboParseResult code = ratio_parse(str, strlen(str), &r);

	if (code != CHIBO_PARSE_OK)
		chibo_ratio_error(code, str);
	PG_RETURN_RATIO(r);
}

/* Text output: "part/whole". */
Datum
ratio_out(PG_FUNCTION_ARGS)
{
	char	   *buf = palloc(RATIO_TEXT_BUFSIZE);

	ratio_format(PG_GETARG_RATIO(0), buf);
	PG_RETURN_CSTRING(buf);
}

/* The ratio part/whole, or the error of ratio_check naming both counts. */
static RatioValue
ratio_from_counts(int64 part, int64 whole)
{
	RatioValue	r;
	ChiboParseResult code = ratio_check(part, whole, &r);

	if (code != CHIBO_PARSE_OK)
		chibo_ratio_error(code, psprintf(INT64_FORMAT "/" INT64_FORMAT,
										 part, whole));
	return r;
}

/* Binary input: part and whole as int8, validated like text input. */
Datum
ratio_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	const unsigned char *bytes = (const unsigned char *) pq_getmsgbytes(buf, RATIO_WIRE_SIZE);
	RatioValue	r;
	ChiboParseResult code = ratio_decode(bytes, RATIO_WIRE_SIZE, &r);

	if (code != CHIBO_PARSE_OK)
		chibo_ratio_error(code, psprintf(INT64_FORMAT "/" INT64_FORMAT,
										 (int64) wire_get_u64(bytes),
										 (int64) wire_get_u64(bytes + 8)));
	PG_RETURN_RATIO(r);
}

/* Binary output: part and whole as int8. */
Datum
ratio_send(PG_FUNCTION_ARGS)
{
	RatioValue	r = PG_GETARG_RATIO(0);
	unsigned char bytes[RATIO_WIRE_SIZE];
	StringInfoData buf;

	ratio_encode(r, bytes);
	pq_begintypsend(&buf);
	pq_sendbytes(&buf, (const char *) bytes, RATIO_WIRE_SIZE);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* ratio(part bigint, whole bigint) */
Datum
ratio_make(PG_FUNCTION_ARGS)
{
	PG_RETURN_RATIO(ratio_from_counts(PG_GETARG_INT64(0), PG_GETARG_INT64(1)));
}

/* part(ratio) */
Datum
ratio_part(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64((int64) PG_GETARG_RATIO(0).part);
}

/* whole(ratio) */
Datum
ratio_whole(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64((int64) PG_GETARG_RATIO(0).whole);
}

/* Builds a numeric from its decimal text. */
static Datum
numeric_from_cstring(const char *str)
{
	return DirectFunctionCall3(numeric_in, CStringGetDatum(str),
							   ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1));
}

/* percent(ratio, digits): 100 * part / whole, rounded half away from zero. */
Datum
ratio_percent(PG_FUNCTION_ARGS)
{
	RatioValue	r = PG_GETARG_RATIO(0);
	int32		digits = PG_GETARG_INT32(1);
	chibo_uint128 scaled;
	char		buf[SCALED_TEXT_BUFSIZE];

	if (digits < 0 || digits > RATIO_MAX_PERCENT_DIGITS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("percent digits must be between 0 and %d, not %d",
						RATIO_MAX_PERCENT_DIGITS, digits)));
	if (!ratio_percent_scaled(r, digits, &scaled))
		PG_RETURN_NULL();
	format_scaled(scaled, digits, buf);
	PG_RETURN_DATUM(numeric_from_cstring(buf));
}

/* Cast to numeric: part / whole; NULL for 0/0. */
Datum
ratio_to_numeric(PG_FUNCTION_ARGS)
{
	RatioValue	r = PG_GETARG_RATIO(0);

	if (ratio_is_empty(r))
		PG_RETURN_NULL();
	PG_RETURN_DATUM(DirectFunctionCall2(numeric_div,
										NumericGetDatum(int64_to_numeric(r.part)),
										NumericGetDatum(int64_to_numeric(r.whole))));
}

/* Cast to double precision: part / whole; NULL for 0/0. */
Datum
ratio_to_float8(PG_FUNCTION_ARGS)
{
	RatioValue	r = PG_GETARG_RATIO(0);

	if (ratio_is_empty(r))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8((float8) r.part / (float8) r.whole);
}

/* display(ratio, style): "7.126/7.560 (94%)" ('vi') or "7126/7560 (94%)". */
Datum
ratio_display(PG_FUNCTION_ARGS)
{
	RatioValue	r = PG_GETARG_RATIO(0);
	char	   *style = text_to_cstring(PG_GETARG_TEXT_PP(1));
	char		buf[RATIO_DISPLAY_BUFSIZE];
	bool		grouped;

	if (strcmp(style, "vi") == 0)
		grouped = true;
	else if (strcmp(style, "plain") == 0)
		grouped = false;
	else
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown display style \"%s\"", style),
				 errhint("Use 'vi' (7.126/7.560 (94%%)) or 'plain' (7126/7560 (94%%)).")));
	ratio_format_display(r, grouped, buf);
	PG_RETURN_TEXT_P(cstring_to_text(buf));
}

/* ratio + ratio: pools two ratios, parts add and wholes add. */
Datum
ratio_add(PG_FUNCTION_ARGS)
{
	RatioValue	a = PG_GETARG_RATIO(0);
	RatioValue	b = PG_GETARG_RATIO(1);
	RatioValue	sum;

	if (!ratio_pool(a, b, &sum))
		chibo_ratio_overflow(a, b);
	PG_RETURN_RATIO(sum);
}
