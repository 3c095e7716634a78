/*
 * fuzz_policy_parse.c
 *	  policy_parse: accepts exactly the two policy names, and policy_name
 *	  of the result is the input itself.
 */
#include "attendance_core.h"
#include "fuzz_common.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	   *in = fuzz_copy(data, size);
	AttendancePolicy p = POLICY_UNSET;
	int			is_name = (size == 13 && memcmp(in, "excused_count", 13) == 0) ||
		(size == 16 && memcmp(in, "excused_excluded", 16) == 0);

	FUZZ_ASSERT(policy_parse(in, size, &p) == (bool) is_name);
	if (is_name)
	{
		const char *name = policy_name(p);

		FUZZ_ASSERT(p == POLICY_EXCUSED_COUNT || p == POLICY_EXCUSED_EXCLUDED);
		FUZZ_ASSERT(strlen(name) == size && memcmp(name, in, size) == 0);
	}
	else
		FUZZ_ASSERT(p == POLICY_UNSET);	/* untouched when rejected */
	free(in);
	return 0;
}
