/*
 * fuzz_tally_parse.c
 *	  tally_parse: an accepted value is tally_valid; tally_format fits
 *	  TALLY_TEXT_BUFSIZE and reads back to the same value; the binary form
 *	  round-trips; tally_ratio gives a valid ratio or TOO_LARGE; combining
 *	  with itself doubles the counts or leaves the value unchanged.
 */
#include "attendance_core.h"
#include "fuzz_common.h"

static int
same(const TallyValue *a, const TallyValue *b)
{
	return a->present == b->present && a->excused == b->excused &&
		a->absent == b->absent && a->policy == b->policy &&
		a->padding == b->padding;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	   *in = fuzz_copy(data, size);
	TallyValue	t;
	ChiboParseResult code;

	memset(&t, 0, sizeof(t));
	code = tally_parse(in, size, &t);
	FUZZ_ASSERT(code == CHIBO_PARSE_OK || code == CHIBO_PARSE_SYNTAX ||
				code == CHIBO_PARSE_TOO_LARGE);
	if (code == CHIBO_PARSE_OK)
	{
		char	   *text = malloc(TALLY_TEXT_BUFSIZE);
		unsigned char wire[TALLY_WIRE_SIZE];
		TallyValue	back,
					twice;
		RatioValue	r;
		ChiboParseResult rc;
		size_t		n;

		FUZZ_ASSERT(tally_valid(&t));
		n = tally_format(&t, text);
		fuzz_check_formatted(text, n, TALLY_TEXT_BUFSIZE);
		memset(&back, 0xAA, sizeof(back));
		FUZZ_ASSERT(tally_parse(text, n, &back) == CHIBO_PARSE_OK);
		FUZZ_ASSERT(same(&back, &t));

		FUZZ_ASSERT(tally_encode(&t, wire) == TALLY_WIRE_SIZE);
		memset(&back, 0xAA, sizeof(back));
		FUZZ_ASSERT(tally_decode(wire, sizeof(wire), &back) == CHIBO_PARSE_OK);
		FUZZ_ASSERT(same(&back, &t));

		rc = tally_ratio(&t, &r);
		FUZZ_ASSERT(rc == CHIBO_PARSE_OK || rc == CHIBO_PARSE_TOO_LARGE);
		if (rc == CHIBO_PARSE_OK)
		{
			FUZZ_ASSERT(r.part <= r.whole);
			FUZZ_ASSERT(r.part == t.present);
		}

		twice = t;
		if (tally_combine(&twice, &t) == TALLY_OK)
		{
			FUZZ_ASSERT(tally_valid(&twice));
			FUZZ_ASSERT(twice.policy == t.policy);
			FUZZ_ASSERT(t.policy == POLICY_UNSET ||
						(twice.present == 2 * t.present &&
						 twice.excused == 2 * t.excused &&
						 twice.absent == 2 * t.absent));
		}
		else
			FUZZ_ASSERT(same(&twice, &t));
		free(text);
	}
	free(in);
	return 0;
}
