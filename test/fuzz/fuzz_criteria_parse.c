/*
 * fuzz_criteria_parse.c
 *	  criteria_parse: accepts exactly the texts of 1 to CRITERIA_MAX
 *	  characters '0' and '1'; an accepted value is criteria_valid, has one
 *	  criterion per character and as many met as there are '1's; the text
 *	  form is canonical, so criteria_format gives back the input itself,
 *	  within CRITERIA_TEXT_BUFSIZE; the binary form round-trips too.
 */
#include "criteria_core.h"
#include "fuzz_common.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	   *in = fuzz_copy(data, size);
	CriteriaValue c = {0, 0};
	ChiboParseResult code = criteria_parse(in, size, &c);
	int			well_formed = size >= 1 && size <= CRITERIA_MAX;
	int			ones = 0;

	for (size_t i = 0; i < size; i++)
	{
		if (in[i] == '1')
			ones++;
		else if (in[i] != '0')
			well_formed = 0;
	}
	FUZZ_ASSERT((code == CHIBO_PARSE_OK) == well_formed);
	FUZZ_ASSERT(code == CHIBO_PARSE_OK || code == CHIBO_PARSE_SYNTAX);
	if (code == CHIBO_PARSE_OK)
	{
		char	   *text = malloc(CRITERIA_TEXT_BUFSIZE);
		unsigned char wire[CRITERIA_WIRE_SIZE];
		CriteriaValue back;
		size_t		n;

		FUZZ_ASSERT(criteria_valid(c));
		FUZZ_ASSERT(c.n == size);
		FUZZ_ASSERT(criteria_met(c) == ones);
		FUZZ_ASSERT(criteria_cmp(c, c) == 0);

		n = criteria_format(c, text);
		fuzz_check_formatted(text, n, CRITERIA_TEXT_BUFSIZE);
		FUZZ_ASSERT(n == size && memcmp(text, in, size) == 0);

		FUZZ_ASSERT(criteria_encode(c, wire) == CRITERIA_WIRE_SIZE);
		FUZZ_ASSERT(criteria_decode(wire, sizeof(wire), &back) == CHIBO_PARSE_OK);
		FUZZ_ASSERT(back.n == c.n && back.flags == c.flags);
		free(text);
	}
	free(in);
	return 0;
}
