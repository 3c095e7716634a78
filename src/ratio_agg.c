/*
 * ratio_agg.c
 *	  Aggregates over ratios: min and max by value, and share_at_least.
 *	  (sum is the + operator's function, ratio_add, with 0/0 to start.)
 */
#include "chibo.h"

PG_FUNCTION_INFO_V1(ratio_min_accum);
PG_FUNCTION_INFO_V1(ratio_max_accum);
PG_FUNCTION_INFO_V1(share_at_least_accum);

/*
 * Keeps the smaller (sign -1) or larger (sign 1) of the state and the
 * input.  NULL and 0/0 have no value and are passed over; between equal
 * values the one with the larger whole is kept, so that the result does
 * not depend on the order of the rows.  Serves as transition and combine
 * function alike.
 */
static Datum
ratio_pick(FunctionCallInfo fcinfo, int sign)
{
	bool		has_state = !PG_ARGISNULL(0) &&
		!ratio_is_empty(PG_GETARG_RATIO(0));
	bool		has_input = !PG_ARGISNULL(1) &&
		!ratio_is_empty(PG_GETARG_RATIO(1));
	RatioValue	state,
				input;
	int			c;

	if (!has_input)
	{
		if (has_state)
			PG_RETURN_DATUM(PG_GETARG_DATUM(0));
		PG_RETURN_NULL();
	}
	if (!has_state)
		PG_RETURN_DATUM(PG_GETARG_DATUM(1));

	state = PG_GETARG_RATIO(0);
	input = PG_GETARG_RATIO(1);
	c = ratio_cmp(input, state) * sign;
	if (c > 0 || (c == 0 && input.whole > state.whole))
		PG_RETURN_RATIO(input);
	PG_RETURN_RATIO(state);
}

/* chibo.min(ratio) transition and combine */
Datum
ratio_min_accum(PG_FUNCTION_ARGS)
{
	return ratio_pick(fcinfo, -1);
}

/* chibo.max(ratio) transition and combine */
Datum
ratio_max_accum(PG_FUNCTION_ARGS)
{
	return ratio_pick(fcinfo, 1);
}

/*
 * share_at_least(ratio, threshold) transition: the state counts, of the
 * inputs that have a value, those whose value is at least the threshold.
 * Not strict: a NULL input is passed over, but a NULL threshold is an
 * error, not a row silently left out.
 */
Datum
share_at_least_accum(PG_FUNCTION_ARGS)
{
	RatioValue	state;
	RatioValue	input;

	chibo_require_arg(fcinfo, 0, "share_at_least state", NULL);
	chibo_require_arg(fcinfo, 2, "share_at_least threshold", NULL);
	state = PG_GETARG_RATIO(0);
	if (PG_ARGISNULL(1))
		PG_RETURN_RATIO(state);
	input = PG_GETARG_RATIO(1);
	if (ratio_is_empty(input))
		PG_RETURN_RATIO(state);

	return chibo_ratio_count_one(state,
								 ratio_numeric_compare(fcinfo->flinfo, input,
													   PG_GETARG_NUMERIC(2)) >= 0);
}
