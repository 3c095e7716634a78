/*
 * chibo.h
 *	  Datum conventions and error helpers shared by chibo's C files.
 *
 * ratio (8 bytes), criteria (4 bytes) and good_status (8 bytes) are
 * fixed-size and passed by value; attendance_tally (32 bytes) by reference.
 */
#ifndef CHIBO_H
#define CHIBO_H

#include "postgres.h"
#include "fmgr.h"
#include "utils/array.h"
#include "utils/numeric.h"

#include "attendance_core.h"
#include "criteria_core.h"
#include "ratio_core.h"

#if SIZEOF_DATUM < 8
#error "chibo needs 64-bit Datums: ratio and good_status are 8-byte pass-by-value types"
#endif

/* ratio: whole in the high 32 bits, part in the low 32 bits */
static inline Datum
RatioGetDatum(RatioValue r)
{
	return (Datum) (((uint64) r.whole << 32) | (uint64) r.part);
}

static inline RatioValue
DatumGetRatio(Datum d)
{
	RatioValue	r;

	r.part = (uint32) ((uint64) d & 0xFFFFFFFF);
	r.whole = (uint32) ((uint64) d >> 32);
	return r;
}

#define PG_GETARG_RATIO(n)	DatumGetRatio(PG_GETARG_DATUM(n))
#define PG_RETURN_RATIO(r)	return RatioGetDatum(r)

/* criteria: number of criteria in bits 16..20, flags in bits 0..15 */
static inline Datum
CriteriaGetDatum(CriteriaValue c)
{
	return (Datum) (((uint32) c.n << 16) | (uint32) c.flags);
}

static inline CriteriaValue
DatumGetCriteria(Datum d)
{
	CriteriaValue c;

	c.flags = (uint16) ((uint64) d & 0xFFFF);
	c.n = (uint8) (((uint64) d >> 16) & 0x1F);
	return c;
}

#define PG_GETARG_CRITERIA(n)	DatumGetCriteria(PG_GETARG_DATUM(n))
#define PG_RETURN_CRITERIA(c)	return CriteriaGetDatum(c)

/* good_status: count in bits 21..63, n in bits 16..20, flags in 0..15 */
static inline Datum
GoodStatusGetDatum(GoodStatusValue g)
{
	return (Datum) ((g.count << 21) | ((uint64) g.n << 16) |
					(uint64) g.met_always);
}

static inline GoodStatusValue
DatumGetGoodStatus(Datum d)
{
	GoodStatusValue g;

	g.met_always = (uint16) ((uint64) d & 0xFFFF);
	g.n = (uint8) (((uint64) d >> 16) & 0x1F);
	g.count = (uint64) d >> 21;
	return g;
}

#define PG_GETARG_GOOD_STATUS(n)	DatumGetGoodStatus(PG_GETARG_DATUM(n))
#define PG_RETURN_GOOD_STATUS(g)	return GoodStatusGetDatum(g)

#define PG_GETARG_TALLY_P(n)	((TallyValue *) PG_GETARG_POINTER(n))
#define PG_RETURN_TALLY_P(t)	PG_RETURN_POINTER(t)

/* Raises the error for a failed ratio parse or check. */
extern void chibo_ratio_error(ChiboParseResult code, const char *input) pg_attribute_noreturn();
extern void chibo_ratio_overflow(RatioValue a, RatioValue b) pg_attribute_noreturn();

/* The step of a counting aggregate: one more input, one more part if counted. */
extern Datum chibo_ratio_count_one(RatioValue state, bool counted);

/*
 * In a function that is not strict, raises 22023 when argument argno is
 * NULL: "<what> must not be NULL", with the hint if one is given.
 */
static inline void
chibo_require_arg(FunctionCallInfo fcinfo, int argno, const char *what,
				  const char *hint)
{
	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must not be NULL", what),
				 hint ? errhint("%s", hint) : 0));
}

/* Compares the value of r (whole > 0) with a numeric, exactly. */
extern int	ratio_numeric_compare(FmgrInfo *flinfo, RatioValue r, Numeric num);

/* Criterion numbers (from 1) of the n whose flag is clear, as int[]. */
extern ArrayType *criteria_numbers_not_in(int n, uint16 flags);

#endif							/* CHIBO_H */
