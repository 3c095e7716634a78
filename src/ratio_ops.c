/*
 * ratio_ops.c
 *	  Comparison of ratios by exact value, with each other and with numeric.
 *
 * Two ratios compare by cross-multiplication in 64 bits: 1/2 = 2/4.  0/0
 * has no value; among ratios it equals only itself and sorts first, which
 * keeps btree and hash indexes consistent.  Against a numeric, 0/0 gives
 * NULL, exactly as 0/0::numeric compared with that number would.
 */
#include "chibo.h"

#include "common/hashfn.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/numeric.h"

#define RATIO_CMP_FUNCTION(name, test) \
PG_FUNCTION_INFO_V1(name); \
Datum \
name(PG_FUNCTION_ARGS) \
{ \
	int			c = ratio_cmp(PG_GETARG_RATIO(0), PG_GETARG_RATIO(1)); \
	PG_RETURN_BOOL(test); \
}

RATIO_CMP_FUNCTION(ratio_eq, c == 0)
RATIO_CMP_FUNCTION(ratio_ne, c != 0)
RATIO_CMP_FUNCTION(ratio_lt, c < 0)
RATIO_CMP_FUNCTION(ratio_le, c <= 0)
RATIO_CMP_FUNCTION(ratio_gt, c > 0)
RATIO_CMP_FUNCTION(ratio_ge, c >= 0)

PG_FUNCTION_INFO_V1(ratio_btree_cmp);
PG_FUNCTION_INFO_V1(ratio_hash);
PG_FUNCTION_INFO_V1(ratio_hash_extended);

/* btree support: -1, 0 or 1. */
Datum
ratio_btree_cmp(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32(ratio_cmp(PG_GETARG_RATIO(0), PG_GETARG_RATIO(1)));
}

/* The lowest terms as one 64-bit key, so that equal values hash alike. */
static uint64
ratio_hash_key(RatioValue r)
{
	uint32		part,
				whole;

	ratio_reduce(r, &part, &whole);
	return ((uint64) whole << 32) | part;
}

/* hash support */
Datum
ratio_hash(PG_FUNCTION_ARGS)
{
	uint64		key = ratio_hash_key(PG_GETARG_RATIO(0));

	return hash_any((const unsigned char *) &key, sizeof(key));
}

/* extended hash support (hash partitioning) */
Datum
ratio_hash_extended(PG_FUNCTION_ARGS)
{
	uint64		key = ratio_hash_key(PG_GETARG_RATIO(0));

	return hash_any_extended((const unsigned char *) &key, sizeof(key),
							 PG_GETARG_INT64(1));
}

/*
 * The numeric a function compares with, parsed once per call site: the
 * last argument seen and its exact decimal form are kept in fn_extra.
 */
typedef struct DecimalCache
{
	Size		capacity;
	Size		len;
	bool		exact;
	DecimalValue value;
	char		bytes[FLEXIBLE_ARRAY_MEMBER];
} DecimalCache;

static bool
numeric_as_decimal(FmgrInfo *flinfo, Numeric num, DecimalValue *result)
{
	DecimalCache *cache = flinfo ? (DecimalCache *) flinfo->fn_extra : NULL;
	Size		len = VARSIZE_ANY(num);
	char	   *text;
	DecimalValue value;
	bool		exact;

	if (cache != NULL && cache->len == len &&
		memcmp(cache->bytes, num, len) == 0)
	{
		*result = cache->value;
		return cache->exact;
	}

	text = DatumGetCString(DirectFunctionCall1(numeric_out,
											   NumericGetDatum(num)));
	exact = decimal_parse(text, strlen(text), &value);
	pfree(text);

	if (flinfo != NULL)
	{
		if (cache == NULL || cache->capacity < len)
		{
			if (cache != NULL)
				pfree(cache);
			cache = MemoryContextAlloc(flinfo->fn_mcxt,
									   offsetof(DecimalCache, bytes) + len);
			cache->capacity = len;
			flinfo->fn_extra = cache;
		}
		cache->len = len;
		cache->exact = exact;
		cache->value = value;
		memcpy(cache->bytes, num, len);
	}
	*result = value;
	return exact;
}

/*
 * Compares the value of r (whole > 0) with num, exactly: in 128-bit
 * integers when num has at most 28 significant digits, else with numeric
 * arithmetic (part against num * whole), which also orders NaN and the
 * infinities as numeric does.
 */
int
ratio_numeric_compare(FmgrInfo *flinfo, RatioValue r, Numeric num)
{
	DecimalValue d;
	Datum		part,
				scaled;

	if (numeric_as_decimal(flinfo, num, &d))
		return ratio_cmp_decimal(r, &d);

	part = NumericGetDatum(int64_to_numeric(r.part));
	scaled = DirectFunctionCall2(numeric_mul, NumericGetDatum(num),
								 NumericGetDatum(int64_to_numeric(r.whole)));
	return DatumGetInt32(DirectFunctionCall2(numeric_cmp, part, scaled));
}

#define RATIO_NUMERIC_FUNCTION(name, test) \
PG_FUNCTION_INFO_V1(name); \
Datum \
name(PG_FUNCTION_ARGS) \
{ \
	RatioValue	r = PG_GETARG_RATIO(0); \
	int			c; \
	if (ratio_is_empty(r)) \
		PG_RETURN_NULL(); \
	c = ratio_numeric_compare(fcinfo->flinfo, r, PG_GETARG_NUMERIC(1)); \
	PG_RETURN_BOOL(test); \
}

#define NUMERIC_RATIO_FUNCTION(name, test) \
PG_FUNCTION_INFO_V1(name); \
Datum \
name(PG_FUNCTION_ARGS) \
{ \
	RatioValue	r = PG_GETARG_RATIO(1); \
	int			c; \
	if (ratio_is_empty(r)) \
		PG_RETURN_NULL(); \
	c = -ratio_numeric_compare(fcinfo->flinfo, r, PG_GETARG_NUMERIC(0)); \
	PG_RETURN_BOOL(test); \
}

RATIO_NUMERIC_FUNCTION(ratio_numeric_eq, c == 0)
RATIO_NUMERIC_FUNCTION(ratio_numeric_ne, c != 0)
RATIO_NUMERIC_FUNCTION(ratio_numeric_lt, c < 0)
RATIO_NUMERIC_FUNCTION(ratio_numeric_le, c <= 0)
RATIO_NUMERIC_FUNCTION(ratio_numeric_gt, c > 0)
RATIO_NUMERIC_FUNCTION(ratio_numeric_ge, c >= 0)

NUMERIC_RATIO_FUNCTION(numeric_ratio_eq, c == 0)
NUMERIC_RATIO_FUNCTION(numeric_ratio_ne, c != 0)
NUMERIC_RATIO_FUNCTION(numeric_ratio_lt, c < 0)
NUMERIC_RATIO_FUNCTION(numeric_ratio_le, c <= 0)
NUMERIC_RATIO_FUNCTION(numeric_ratio_gt, c > 0)
NUMERIC_RATIO_FUNCTION(numeric_ratio_ge, c >= 0)
