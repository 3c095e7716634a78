/*
 * attendance_core.c
 *	  Backend-free parsing, formatting and arithmetic of attendance_tally.
 */
#include "attendance_core.h"

#include <string.h>

static const char excused_count_name[] = "excused_count";
static const char excused_excluded_name[] = "excused_excluded";

/* Recognises a policy name. */
bool
policy_parse(const char *str, size_t len, AttendancePolicy *result)
{
	if (len == sizeof(excused_count_name) - 1 &&
		memcmp(str, excused_count_name, len) == 0)
		*result = POLICY_EXCUSED_COUNT;
	else if (len == sizeof(excused_excluded_name) - 1 &&
			 memcmp(str, excused_excluded_name, len) == 0)
		*result = POLICY_EXCUSED_EXCLUDED;
	else
		return false;
	return true;
}

const char *
policy_name(AttendancePolicy policy)
{
	switch (policy)
	{
		case POLICY_EXCUSED_COUNT:
			return excused_count_name;
		case POLICY_EXCUSED_EXCLUDED:
			return excused_excluded_name;
		case POLICY_UNSET:
			break;
	}
	return "unset";
}

/* A tally with no policy has no counts; every count fits in int8. */
bool
tally_valid(const TallyValue *t)
{
	if (t->policy < POLICY_UNSET || t->policy > POLICY_EXCUSED_EXCLUDED ||
		t->padding != 0)
		return false;
	if (t->present > TALLY_MAX_COUNT || t->excused > TALLY_MAX_COUNT ||
		t->absent > TALLY_MAX_COUNT)
		return false;
	if (t->policy == POLICY_UNSET)
		return t->present == 0 && t->excused == 0 && t->absent == 0;
	return true;
}

static bool
add_count(uint64_t *a, uint64_t b)
{
	if (b > TALLY_MAX_COUNT - *a)
		return false;
	*a += b;
	return true;
}

/* Merges b into *a; *a is unchanged when an error is returned. */
TallyResult
tally_combine(TallyValue *a, const TallyValue *b)
{
	TallyValue	sum = *a;

	if (b->policy == POLICY_UNSET)
		return TALLY_OK;
	if (sum.policy == POLICY_UNSET)
		sum.policy = b->policy;
	else if (sum.policy != b->policy)
		return TALLY_MIXED_POLICIES;
	if (!add_count(&sum.present, b->present) ||
		!add_count(&sum.excused, b->excused) ||
		!add_count(&sum.absent, b->absent))
		return TALLY_OVERFLOW;
	*a = sum;
	return TALLY_OK;
}

/*
 * The ratio under the tally's policy: present / all, or present / (all -
 * excused).  CHIBO_PARSE_TOO_LARGE when a count exceeds a ratio's range.
 */
ChiboParseResult
tally_ratio(const TallyValue *t, RatioValue *result)
{
	uint64_t	whole;

	/* each count below 2^32 first, so that the sum cannot wrap */
	if (t->present > RATIO_MAX_COUNT || t->excused > RATIO_MAX_COUNT ||
		t->absent > RATIO_MAX_COUNT)
		return CHIBO_PARSE_TOO_LARGE;
	whole = t->present + t->absent;
	if (t->policy != POLICY_EXCUSED_EXCLUDED)
		whole += t->excused;
	if (whole > RATIO_MAX_COUNT)
		return CHIBO_PARSE_TOO_LARGE;
	result->part = (uint32_t) t->present;
	result->whole = (uint32_t) whole;
	return CHIBO_PARSE_OK;
}

/* Reads "key=digits" at s[*pos]. */
static ChiboParseResult
read_field(const char *s, size_t len, size_t *pos, const char *key,
		   uint64_t *value)
{
	size_t		klen = strlen(key);
	size_t		i = *pos;
	bool		big;

	if (len - i < klen + 1 || memcmp(s + i, key, klen) != 0 ||
		s[i + klen] != '=')
		return CHIBO_PARSE_SYNTAX;
	i += klen + 1;
	if (!read_digits(s, len, &i, TALLY_MAX_COUNT, value, &big))
		return CHIBO_PARSE_SYNTAX;
	*pos = i;
	return big ? CHIBO_PARSE_TOO_LARGE : CHIBO_PARSE_OK;
}

/*
 * Parses "present=3 excused=1 absent=2 policy=excused_count"; a tally with
 * no input yet is "present=0 excused=0 absent=0" with no policy.
 */
ChiboParseResult
tally_parse(const char *str, size_t len, TallyValue *result)
{
	static const char *const keys[3] = {"present", "excused", "absent"};
	static const char policy_key[] = " policy=";
	uint64_t	counts[3];
	size_t		pos = 0;
	ChiboParseResult range = CHIBO_PARSE_OK;
	AttendancePolicy policy = POLICY_UNSET;
	TallyValue	t;
	int			k;

	for (k = 0; k < 3; k++)
	{
		ChiboParseResult r;

		if (k > 0)
		{
			if (pos >= len || str[pos] != ' ')
				return CHIBO_PARSE_SYNTAX;
			pos++;
		}
		r = read_field(str, len, &pos, keys[k], &counts[k]);
		if (r == CHIBO_PARSE_SYNTAX)
			return r;
		if (r != CHIBO_PARSE_OK)
			range = r;
	}
	if (pos < len)
	{
		size_t		plen = sizeof(policy_key) - 1;

		if (len - pos <= plen || memcmp(str + pos, policy_key, plen) != 0 ||
			!policy_parse(str + pos + plen, len - pos - plen, &policy))
			return CHIBO_PARSE_SYNTAX;
	}
	if (range != CHIBO_PARSE_OK)
		return range;

	memset(&t, 0, sizeof(t));
	t.present = counts[0];
	t.excused = counts[1];
	t.absent = counts[2];
	t.policy = policy;
	if (!tally_valid(&t))
		return CHIBO_PARSE_SYNTAX;
	*result = t;
	return CHIBO_PARSE_OK;
}

/* Writes the text form (TALLY_TEXT_BUFSIZE bytes). */
size_t
tally_format(const TallyValue *t, char *buf)
{
	size_t		n = 0;

	memcpy(buf + n, "present=", 8);
	n += 8;
	n += format_uint(t->present, 0, buf + n);
	memcpy(buf + n, " excused=", 9);
	n += 9;
	n += format_uint(t->excused, 0, buf + n);
	memcpy(buf + n, " absent=", 8);
	n += 8;
	n += format_uint(t->absent, 0, buf + n);
	if (t->policy != POLICY_UNSET)
	{
		const char *name = policy_name((AttendancePolicy) t->policy);
		size_t		len = strlen(name);

		memcpy(buf + n, " policy=", 8);
		n += 8;
		memcpy(buf + n, name, len);
		n += len;
	}
	buf[n] = '\0';
	return n;
}

/*
 * Decodes the binary form of a tally (TALLY_WIRE_SIZE bytes): three
 * non-negative int8 counts and an int4 policy, validated with tally_valid.
 * CHIBO_PARSE_SYNTAX when invalid; *result is written only on success.
 */
ChiboParseResult
tally_decode(const unsigned char *buf, size_t len, TallyValue *result)
{
	TallyValue	t;

	if (len != TALLY_WIRE_SIZE)
		return CHIBO_PARSE_SYNTAX;
	memset(&t, 0, sizeof(t));
	t.present = wire_get_u64(buf);
	t.excused = wire_get_u64(buf + 8);
	t.absent = wire_get_u64(buf + 16);
	t.policy = (int32_t) wire_get_u32(buf + 24);
	/* a negative int8 reads as a count above TALLY_MAX_COUNT */
	if (!tally_valid(&t))
		return CHIBO_PARSE_SYNTAX;
	*result = t;
	return CHIBO_PARSE_OK;
}

/* Writes the binary form of *t into buf (TALLY_WIRE_SIZE bytes). */
size_t
tally_encode(const TallyValue *t, unsigned char *buf)
{
	wire_put_u64(buf, t->present);
	wire_put_u64(buf + 8, t->excused);
	wire_put_u64(buf + 16, t->absent);
	wire_put_u32(buf + 24, (uint32_t) t->policy);
	return TALLY_WIRE_SIZE;
}
