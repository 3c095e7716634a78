/*
 * fuzz_ratio_parse.c
 *	  ratio_parse: against an independent reference parser (same accepted
 *	  texts, same result codes, same values); an accepted value is valid
 *	  (ratio_check accepts it); ratio_format and ratio_format_display fit
 *	  their buffers and read back to the same value; the reduced form
 *	  compares equal.
 */
#include "ratio_core.h"
#include "fuzz_common.h"

/* White space as the core skips it (isspace in the C locale). */
static int
ref_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
		c == '\v';
}

/*
 * Reads [-]digits; the count as a string of digits without leading zeros,
 * compared as text with "4294967295", so no arithmetic can wrap.
 */
static int
ref_count(const char *s, size_t len, size_t *pos, int *negative,
		  int *too_large, uint32_t *value)
{
	size_t		i = *pos,
				start,
				first;
	int			minus = 0,
				big;
	uint64_t	v = 0;

	if (i < len && s[i] == '-')
	{
		minus = 1;
		i++;
	}
	start = i;
	while (i < len && s[i] >= '0' && s[i] <= '9')
		i++;
	if (i == start)
		return 0;
	first = start;
	while (first < i - 1 && s[first] == '0')
		first++;
	big = (i - first > 10) ||
		(i - first == 10 && memcmp(s + first, "4294967295", 10) > 0);
	if (!big)
		for (size_t k = first; k < i; k++)
			v = v * 10 + (uint64_t) (s[k] - '0');
	*too_large = big;
	*negative = minus && (big || v != 0);
	*value = (uint32_t) v;
	*pos = i;
	return 1;
}

static ChiboParseResult
ref_parse(const char *s, size_t len, RatioValue *r)
{
	size_t		pos = 0;
	int			n1, n2, b1, b2;
	uint32_t	p, w;

	while (pos < len && ref_space(s[pos]))
		pos++;
	if (!ref_count(s, len, &pos, &n1, &b1, &p))
		return CHIBO_PARSE_SYNTAX;
	if (pos >= len || s[pos] != '/')
		return CHIBO_PARSE_SYNTAX;
	pos++;
	if (!ref_count(s, len, &pos, &n2, &b2, &w))
		return CHIBO_PARSE_SYNTAX;
	while (pos < len && ref_space(s[pos]))
		pos++;
	if (pos != len)
		return CHIBO_PARSE_SYNTAX;
	if (n1 || n2)
		return CHIBO_PARSE_NEGATIVE;
	if (b1 || b2)
		return CHIBO_PARSE_TOO_LARGE;
	if (p > w)
		return CHIBO_PARSE_PART_EXCEEDS;
	r->part = p;
	r->whole = w;
	return CHIBO_PARSE_OK;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	   *in = fuzz_copy(data, size);
	RatioValue	r = {0, 0},
				ref = {0, 0},
				back,
				checked;
	ChiboParseResult code = ratio_parse(in, size, &r);
	ChiboParseResult ref_code = ref_parse(in, size, &ref);

	FUZZ_ASSERT(code == ref_code);
	if (code == CHIBO_PARSE_OK)
	{
		char	   *text = malloc(RATIO_TEXT_BUFSIZE);
		char	   *display = malloc(RATIO_DISPLAY_BUFSIZE);
		size_t		n;
		uint32_t	rp, rw;

		FUZZ_ASSERT(r.part == ref.part && r.whole == ref.whole);
		FUZZ_ASSERT(r.part <= r.whole);
		FUZZ_ASSERT(ratio_check(r.part, r.whole, &checked) == CHIBO_PARSE_OK);
		FUZZ_ASSERT(checked.part == r.part && checked.whole == r.whole);

		n = ratio_format(r, text);
		fuzz_check_formatted(text, n, RATIO_TEXT_BUFSIZE);
		FUZZ_ASSERT(ratio_parse(text, n, &back) == CHIBO_PARSE_OK);
		FUZZ_ASSERT(back.part == r.part && back.whole == r.whole);

		n = ratio_format_display(r, true, display);
		fuzz_check_formatted(display, n, RATIO_DISPLAY_BUFSIZE);
		n = ratio_format_display(r, false, display);
		fuzz_check_formatted(display, n, RATIO_DISPLAY_BUFSIZE);
		/* the ungrouped display starts with the text form */
		FUZZ_ASSERT(strncmp(display, text, strlen(text)) == 0);

		ratio_reduce(r, &rp, &rw);
		back.part = rp;
		back.whole = rw;
		FUZZ_ASSERT(ratio_cmp(r, back) == 0 && ratio_cmp(back, r) == 0);
		FUZZ_ASSERT(rp <= r.part && rw <= r.whole);
		free(text);
		free(display);
	}
	free(in);
	return 0;
}
