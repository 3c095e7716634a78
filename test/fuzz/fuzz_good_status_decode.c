/*
 * fuzz_good_status_decode.c
 *	  good_status_decode (good_status_recv): accepts exactly
 *	  GOOD_STATUS_WIRE_SIZE bytes, n (int2) in 0..16, met_always (int4)
 *	  within n, count (int8) 1..2^43-1, or all zero for not_assessed (read
 *	  here independently); the value is good_status_valid;
 *	  good_status_encode gives back the very bytes; the text form fits its
 *	  buffer and reads back to the value.
 */
#include "criteria_core.h"
#include "fuzz_common.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char *in = (unsigned char *) fuzz_copy(data, size);
	GoodStatusValue g = {0, 0, 0};
	ChiboParseResult code = good_status_decode(in, size, &g);
	int			ok = 0;

	if (size == GOOD_STATUS_WIRE_SIZE)
	{
		unsigned	n = ((unsigned) data[0] << 8) | data[1];
		uint32_t	flags = ((uint32_t) data[2] << 24) | ((uint32_t) data[3] << 16) |
			((uint32_t) data[4] << 8) | data[5];
		uint64_t	count = 0;

		for (int i = 6; i < 14; i++)
			count = (count << 8) | data[i];
		if (n == 0)
			ok = flags == 0 && count == 0;
		else
			ok = n <= 16 && (flags >> n) == 0 &&
				count >= 1 && count < (UINT64_C(1) << 43);
	}
	FUZZ_ASSERT(code == CHIBO_PARSE_OK || code == CHIBO_PARSE_SYNTAX);
	FUZZ_ASSERT((code == CHIBO_PARSE_OK) == ok);
	if (ok)
	{
		unsigned char wire[GOOD_STATUS_WIRE_SIZE];
		char	   *text = malloc(GOOD_STATUS_TEXT_BUFSIZE);
		GoodStatusValue back;
		size_t		n;

		FUZZ_ASSERT(good_status_valid(g));
		FUZZ_ASSERT(good_status_encode(g, wire) == GOOD_STATUS_WIRE_SIZE);
		FUZZ_ASSERT(memcmp(wire, data, GOOD_STATUS_WIRE_SIZE) == 0);

		n = good_status_format(g, text);
		fuzz_check_formatted(text, n, GOOD_STATUS_TEXT_BUFSIZE);
		FUZZ_ASSERT(good_status_parse(text, n, &back) == CHIBO_PARSE_OK);
		FUZZ_ASSERT(back.n == g.n && back.met_always == g.met_always &&
					back.count == g.count);
		free(text);
	}
	free(in);
	return 0;
}
