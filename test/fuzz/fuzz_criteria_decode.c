/*
 * fuzz_criteria_decode.c
 *	  criteria_decode (criteria_recv): accepts exactly CRITERIA_WIRE_SIZE
 *	  bytes, n (int2) in 1..16 and flags (int4) with no bit beyond n (read
 *	  here independently); the value is criteria_valid; criteria_encode
 *	  gives back the very bytes; the text form reads back to the value.
 */
#include "criteria_core.h"
#include "fuzz_common.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char *in = (unsigned char *) fuzz_copy(data, size);
	CriteriaValue c = {0, 0};
	ChiboParseResult code = criteria_decode(in, size, &c);
	int			ok = 0;

	if (size == CRITERIA_WIRE_SIZE)
	{
		/* n as int2: the high byte 0 and the low byte 1..16 */
		int			n_ok = data[0] == 0 && data[1] >= 1 && data[1] <= 16;
		/* flags: a 32-bit value below 2^n */
		uint32_t	flags = ((uint32_t) data[2] << 24) | ((uint32_t) data[3] << 16) |
			((uint32_t) data[4] << 8) | data[5];

		ok = n_ok && (flags >> data[1]) == 0;
	}
	FUZZ_ASSERT(code == CHIBO_PARSE_OK || code == CHIBO_PARSE_SYNTAX);
	FUZZ_ASSERT((code == CHIBO_PARSE_OK) == ok);
	if (ok)
	{
		unsigned char wire[CRITERIA_WIRE_SIZE];
		char	   *text = malloc(CRITERIA_TEXT_BUFSIZE);
		CriteriaValue back;
		size_t		n;

		FUZZ_ASSERT(criteria_valid(c));
		FUZZ_ASSERT(criteria_encode(c, wire) == CRITERIA_WIRE_SIZE);
		FUZZ_ASSERT(memcmp(wire, data, CRITERIA_WIRE_SIZE) == 0);

		n = criteria_format(c, text);
		fuzz_check_formatted(text, n, CRITERIA_TEXT_BUFSIZE);
		FUZZ_ASSERT(criteria_parse(text, n, &back) == CHIBO_PARSE_OK);
		FUZZ_ASSERT(back.n == c.n && back.flags == c.flags);
		free(text);
	}
	free(in);
	return 0;
}
