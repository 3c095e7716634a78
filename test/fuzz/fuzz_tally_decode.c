/*
 * fuzz_tally_decode.c
 *	  tally_decode (attendance_tally_recv): accepts exactly TALLY_WIRE_SIZE
 *	  bytes, three non-negative int8 and a policy 0..2, all counts zero
 *	  when the policy is 0 (read here independently); the value is
 *	  tally_valid; tally_encode gives back the very bytes; the text form
 *	  fits its buffer and reads back to the value; nothing is written to
 *	  the result when the bytes are rejected.
 */
#include "attendance_core.h"
#include "fuzz_common.h"

static uint64_t
ref_u64(const uint8_t *p)
{
	uint64_t	v = 0;

	for (int i = 0; i < 8; i++)
		v = (v << 8) | p[i];
	return v;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char *in = (unsigned char *) fuzz_copy(data, size);
	TallyValue	t,
				before;
	ChiboParseResult code;
	int			ok = 0;

	memset(&t, 0x5A, sizeof(t));
	before = t;
	code = tally_decode(in, size, &t);
	if (size == TALLY_WIRE_SIZE)
	{
		uint64_t	p = ref_u64(data),
					e = ref_u64(data + 8),
					a = ref_u64(data + 16);
		uint32_t	policy = ((uint32_t) data[24] << 24) | ((uint32_t) data[25] << 16) |
			((uint32_t) data[26] << 8) | data[27];
		int			counts_ok = (p >> 63) == 0 && (e >> 63) == 0 && (a >> 63) == 0;

		ok = counts_ok && (policy == 1 || policy == 2 ||
						   (policy == 0 && p == 0 && e == 0 && a == 0));
	}
	FUZZ_ASSERT(code == CHIBO_PARSE_OK || code == CHIBO_PARSE_SYNTAX);
	FUZZ_ASSERT((code == CHIBO_PARSE_OK) == ok);
	if (ok)
	{
		unsigned char wire[TALLY_WIRE_SIZE];
		char	   *text = malloc(TALLY_TEXT_BUFSIZE);
		TallyValue	back;
		size_t		n;

		FUZZ_ASSERT(tally_valid(&t) && t.padding == 0);
		FUZZ_ASSERT(tally_encode(&t, wire) == TALLY_WIRE_SIZE);
		FUZZ_ASSERT(memcmp(wire, data, TALLY_WIRE_SIZE) == 0);

		n = tally_format(&t, text);
		fuzz_check_formatted(text, n, TALLY_TEXT_BUFSIZE);
		memset(&back, 0, sizeof(back));
		FUZZ_ASSERT(tally_parse(text, n, &back) == CHIBO_PARSE_OK);
		FUZZ_ASSERT(memcmp(&back, &t, sizeof(t)) == 0);
		free(text);
	}
	else
		FUZZ_ASSERT(memcmp(&t, &before, sizeof(t)) == 0);
	free(in);
	return 0;
}
