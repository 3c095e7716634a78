/*
 * fuzz_good_status_parse.c
 *	  good_status_parse: an accepted value is good_status_valid and its
 *	  label agrees with the text's; good_status_format fits
 *	  GOOD_STATUS_TEXT_BUFSIZE and reads back to the same value; the binary
 *	  form round-trips; combining a value with itself keeps it valid.
 */
#include "criteria_core.h"
#include "fuzz_common.h"

static int
same(GoodStatusValue a, GoodStatusValue b)
{
	return a.n == b.n && a.met_always == b.met_always && a.count == b.count;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	   *in = fuzz_copy(data, size);
	GoodStatusValue g = {0, 0, 0};
	ChiboParseResult code = good_status_parse(in, size, &g);

	FUZZ_ASSERT(code == CHIBO_PARSE_OK || code == CHIBO_PARSE_SYNTAX ||
				code == CHIBO_PARSE_TOO_LARGE);
	if (code == CHIBO_PARSE_OK)
	{
		char	   *text = malloc(GOOD_STATUS_TEXT_BUFSIZE);
		unsigned char wire[GOOD_STATUS_WIRE_SIZE];
		const char *label = good_status_label_name(good_status_label(g));
		GoodStatusValue back,
					twice;
		size_t		n;

		FUZZ_ASSERT(good_status_valid(g));
		/* the text starts with its label, "not_assessed" has nothing after */
		FUZZ_ASSERT(size >= strlen(label) &&
					memcmp(in, label, strlen(label)) == 0);
		FUZZ_ASSERT((g.n == 0) == (size == strlen(label)));

		n = good_status_format(g, text);
		fuzz_check_formatted(text, n, GOOD_STATUS_TEXT_BUFSIZE);
		FUZZ_ASSERT(good_status_parse(text, n, &back) == CHIBO_PARSE_OK);
		FUZZ_ASSERT(same(back, g));

		FUZZ_ASSERT(good_status_encode(g, wire) == GOOD_STATUS_WIRE_SIZE);
		FUZZ_ASSERT(good_status_decode(wire, sizeof(wire), &back) == CHIBO_PARSE_OK);
		FUZZ_ASSERT(same(back, g));

		twice = g;
		if (good_status_combine(&twice, g) == GOOD_OK)
		{
			FUZZ_ASSERT(good_status_valid(twice));
			FUZZ_ASSERT(twice.n == g.n && twice.met_always == g.met_always);
			FUZZ_ASSERT(twice.count == 2 * g.count);
		}
		else
			FUZZ_ASSERT(same(twice, g));	/* unchanged on error */
		free(text);
	}
	free(in);
	return 0;
}
