/*
 * fuzz_decimal_parse.c
 *	  decimal_parse (the exact reading of a numeric that ratio >= 0.85 and
 *	  share_at_least use): accepts exactly [+-]digits[.digits] with at
 *	  least one digit and at most DECIMAL_MAX_DIGITS significant digits and
 *	  decimals; the value has the input's significant digits (checked as
 *	  text through format_scaled, which fits SCALED_TEXT_BUFSIZE) and reads
 *	  back the same; ratio_cmp_decimal is exact against m/10^scale and its
 *	  neighbours whenever they are ratios.
 */
#include "ratio_core.h"
#include "fuzz_common.h"

/* The reference: shape, then significant digits as text. */
static int
ref_decimal(const char *s, size_t len, char *digits, int *scale)
{
	size_t		pos = 0, int_start, int_end, frac_start = 0, frac_end = 0;
	int			nd = 0;

	if (pos < len && (s[pos] == '-' || s[pos] == '+'))
		pos++;
	int_start = pos;
	while (pos < len && s[pos] >= '0' && s[pos] <= '9')
		pos++;
	int_end = pos;
	if (pos < len && s[pos] == '.')
	{
		frac_start = ++pos;
		while (pos < len && s[pos] >= '0' && s[pos] <= '9')
			pos++;
		frac_end = pos;
	}
	if (pos != len || (int_end == int_start && frac_end == frac_start))
		return 0;
	while (frac_end > frac_start && s[frac_end - 1] == '0')
		frac_end--;
	*scale = (int) (frac_end - frac_start);
	for (size_t i = int_start; i < int_end; i++)
		if (nd > 0 || s[i] != '0')
			digits[nd++] = s[i];
	for (size_t i = frac_start; i < frac_end; i++)
		if (nd > 0 || s[i] != '0')
		{
			if (nd >= DECIMAL_MAX_DIGITS + 1)
				return 0;
			digits[nd++] = s[i];
		}
	digits[nd] = '\0';
	if (nd > DECIMAL_MAX_DIGITS || *scale > DECIMAL_MAX_DIGITS)
		return 0;
	return 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	   *in = fuzz_copy(data, size);
	char		digits[4096];
	int			ref_scale = 0;
	int			ref_ok;
	DecimalValue d;

	/* the reference keeps at most the integer digits of the input */
	if (size >= sizeof(digits) - 1)
	{
		free(in);
		return 0;
	}
	ref_ok = ref_decimal(in, size, digits, &ref_scale);
	memset(&d, 0, sizeof(d));
	FUZZ_ASSERT(decimal_parse(in, size, &d) == (bool) ref_ok);
	if (ref_ok)
	{
		char	   *text = malloc(SCALED_TEXT_BUFSIZE);
		char		sig[SCALED_TEXT_BUFSIZE];
		size_t		n, k = 0;
		DecimalValue back;

		FUZZ_ASSERT(d.scale == ref_scale);
		FUZZ_ASSERT(d.scale >= 0 && d.scale <= DECIMAL_MAX_DIGITS);
		FUZZ_ASSERT(!d.negative || d.mantissa != 0);
		FUZZ_ASSERT(d.negative == (in[0] == '-' && digits[0] != '\0'));

		n = format_scaled(d.mantissa, d.scale, text);
		fuzz_check_formatted(text, n, SCALED_TEXT_BUFSIZE);
		/* the formatted digits without the point and leading zeros */
		for (size_t i = 0; i < n; i++)
			if (text[i] != '.' && (k > 0 || text[i] != '0'))
				sig[k++] = text[i];
		sig[k] = '\0';
		FUZZ_ASSERT(strcmp(sig, digits) == 0);
		FUZZ_ASSERT(decimal_parse(text, n, &back) == true);
		FUZZ_ASSERT(back.mantissa == d.mantissa && back.scale == d.scale &&
					!back.negative);

		/* exact comparisons with m / 10^scale when both fit in a ratio */
		if (!d.negative && d.scale <= 9 && d.mantissa <= RATIO_MAX_COUNT)
		{
			uint32_t	whole = 1;
			uint32_t	m = (uint32_t) d.mantissa;
			RatioValue	r;

			for (int i = 0; i < d.scale; i++)
				whole *= 10;
			r.whole = whole;
			r.part = m;
			FUZZ_ASSERT(ratio_cmp_decimal(r, &d) == 0);
			if (m < RATIO_MAX_COUNT)
			{
				r.part = m + 1;
				FUZZ_ASSERT(ratio_cmp_decimal(r, &d) > 0);
			}
			if (m > 0)
			{
				r.part = m - 1;
				FUZZ_ASSERT(ratio_cmp_decimal(r, &d) < 0);
			}
		}
		if (d.negative)
		{
			RatioValue	zero = {0, 1};

			FUZZ_ASSERT(ratio_cmp_decimal(zero, &d) > 0);
		}
		free(text);
	}
	free(in);
	return 0;
}
