/*
 * fuzz_ratio_decode.c
 *	  ratio_decode (ratio_recv): accepts exactly RATIO_WIRE_SIZE bytes
 *	  holding two big-endian int8 with 0 <= part <= whole <= 2^32 - 1 (read
 *	  here independently, byte by byte); ratio_encode of the value gives
 *	  back the very bytes; the value's text form reads back to it.
 */
#include "ratio_core.h"
#include "fuzz_common.h"

static int64_t
ref_int8(const uint8_t *p)
{
	uint64_t	v = 0;

	for (int i = 0; i < 8; i++)
		v = (v << 8) | p[i];
	return (int64_t) v;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char *in = (unsigned char *) fuzz_copy(data, size);
	RatioValue	r = {0, 0};
	ChiboParseResult code = ratio_decode(in, size, &r);
	int			ok = 0;

	if (size == RATIO_WIRE_SIZE)
	{
		int64_t		part = ref_int8(data),
					whole = ref_int8(data + 8);

		ok = part >= 0 && whole >= 0 && part <= whole && whole <= UINT32_MAX;
		/* the codes are ratio_check's, so recv's errors are text input's */
		if (!ok)
		{
			RatioValue	unused;

			FUZZ_ASSERT(code == ratio_check(part, whole, &unused));
		}
	}
	else
		FUZZ_ASSERT(code == CHIBO_PARSE_SYNTAX);
	FUZZ_ASSERT((code == CHIBO_PARSE_OK) == ok);
	if (ok)
	{
		unsigned char wire[RATIO_WIRE_SIZE];
		char	   *text = malloc(RATIO_TEXT_BUFSIZE);
		RatioValue	back;
		size_t		n;

		FUZZ_ASSERT(r.part <= r.whole);
		FUZZ_ASSERT(ratio_encode(r, wire) == RATIO_WIRE_SIZE);
		FUZZ_ASSERT(memcmp(wire, data, RATIO_WIRE_SIZE) == 0);
		FUZZ_ASSERT(ratio_decode(wire, sizeof(wire), &back) == CHIBO_PARSE_OK);
		FUZZ_ASSERT(back.part == r.part && back.whole == r.whole);

		n = ratio_format(r, text);
		fuzz_check_formatted(text, n, RATIO_TEXT_BUFSIZE);
		FUZZ_ASSERT(ratio_parse(text, n, &back) == CHIBO_PARSE_OK);
		FUZZ_ASSERT(back.part == r.part && back.whole == r.whole);
		free(text);
	}
	free(in);
	return 0;
}
