/*
 * criteria_core.c
 *	  Backend-free parsing and formatting of criteria and good_status.
 */
#include "criteria_core.h"

#include <string.h>

/* The flags value with all of n criteria met. */
uint16_t
criteria_all_flags(int n)
{
	return (uint16_t) ((1U << n) - 1);
}

bool
criteria_valid(CriteriaValue c)
{
	return c.n >= 1 && c.n <= CRITERIA_MAX &&
		(c.flags & ~criteria_all_flags(c.n)) == 0;
}

/* Parses "1101": one to 16 characters, each '1' (met) or '0' (not met). */
ChiboParseResult
criteria_parse(const char *str, size_t len, CriteriaValue *result)
{
	uint16_t	flags = 0;
	size_t		i;

	if (len < 1 || len > CRITERIA_MAX)
		return CHIBO_PARSE_SYNTAX;
	for (i = 0; i < len; i++)
	{
		if (str[i] == '1')
			flags |= (uint16_t) (1U << i);
		else if (str[i] != '0')
			return CHIBO_PARSE_SYNTAX;
	}
	result->n = (uint8_t) len;
	result->flags = flags;
	return CHIBO_PARSE_OK;
}

/* Writes the flags, criterion 1 first (CRITERIA_TEXT_BUFSIZE bytes). */
size_t
criteria_format(CriteriaValue c, char *buf)
{
	int			i;

	for (i = 0; i < c.n; i++)
		buf[i] = (c.flags & (1U << i)) ? '1' : '0';
	buf[c.n] = '\0';
	return c.n;
}

/*
 * Orders by number of criteria, then as the text forms compare: the first
 * criterion that differs decides, met after not met.
 */
int
criteria_cmp(CriteriaValue a, CriteriaValue b)
{
	uint16_t	diff;
	uint16_t	lowest;

	if (a.n != b.n)
		return a.n < b.n ? -1 : 1;
	diff = a.flags ^ b.flags;
	if (diff == 0)
		return 0;
	lowest = (uint16_t) (diff & (~diff + 1));
	return (a.flags & lowest) ? 1 : -1;
}

/* How many criteria are met. */
int
criteria_met(CriteriaValue c)
{
	int			count = 0;
	uint16_t	f = c.flags;

	while (f)
	{
		count += f & 1;
		f >>= 1;
	}
	return count;
}

bool
good_status_valid(GoodStatusValue g)
{
	if (g.n == 0)
		return g.met_always == 0 && g.count == 0;
	return g.n <= CRITERIA_MAX &&
		(g.met_always & ~criteria_all_flags(g.n)) == 0 &&
		g.count >= 1 && g.count <= GOOD_STATUS_MAX_COUNT;
}

GoodStatusLabel
good_status_label(GoodStatusValue g)
{
	if (g.n == 0)
		return GOOD_NOT_ASSESSED;
	if (g.met_always == criteria_all_flags(g.n))
		return GOOD_ACHIEVED;
	return GOOD_NOT_ACHIEVED;
}

const char *
good_status_label_name(GoodStatusLabel label)
{
	switch (label)
	{
		case GOOD_ACHIEVED:
			return "achieved";
		case GOOD_NOT_ACHIEVED:
			return "not_achieved";
		case GOOD_NOT_ASSESSED:
			break;
	}
	return "not_assessed";
}

/* Adds one assessment. */
GoodStatusResult
good_status_add(GoodStatusValue *g, CriteriaValue c)
{
	GoodStatusValue one;

	one.n = c.n;
	one.met_always = c.flags;
	one.count = 1;
	return good_status_combine(g, one);
}

/* Merges b into *a; *a is unchanged when an error is returned. */
GoodStatusResult
good_status_combine(GoodStatusValue *a, GoodStatusValue b)
{
	if (b.n == 0)
		return GOOD_OK;
	if (a->n == 0)
	{
		*a = b;
		return GOOD_OK;
	}
	if (a->n != b.n)
		return GOOD_MIXED_COUNTS;
	if (b.count > GOOD_STATUS_MAX_COUNT - a->count)
		return GOOD_OVERFLOW;
	a->met_always &= b.met_always;
	a->count += b.count;
	return GOOD_OK;
}

/*
 * Parses "not_assessed", "achieved:1111:3" or "not_achieved:1101:3": the
 * label, the criteria met in every assessment, and the number of
 * assessments.  The label must agree with the flags.
 */
ChiboParseResult
good_status_parse(const char *str, size_t len, GoodStatusValue *result)
{
	static const char not_assessed[] = "not_assessed";
	static const char achieved[] = "achieved:";
	static const char not_achieved[] = "not_achieved:";
	GoodStatusLabel label;
	CriteriaValue c;
	size_t		pos,
				flags_start;
	uint64_t	count = 0;
	bool		big;

	if (len == sizeof(not_assessed) - 1 &&
		memcmp(str, not_assessed, len) == 0)
	{
		result->n = 0;
		result->met_always = 0;
		result->count = 0;
		return CHIBO_PARSE_OK;
	}
	if (len > sizeof(achieved) - 1 &&
		memcmp(str, achieved, sizeof(achieved) - 1) == 0)
	{
		label = GOOD_ACHIEVED;
		pos = sizeof(achieved) - 1;
	}
	else if (len > sizeof(not_achieved) - 1 &&
			 memcmp(str, not_achieved, sizeof(not_achieved) - 1) == 0)
	{
		label = GOOD_NOT_ACHIEVED;
		pos = sizeof(not_achieved) - 1;
	}
	else
		return CHIBO_PARSE_SYNTAX;

	flags_start = pos;
	while (pos < len && str[pos] != ':')
		pos++;
	if (pos >= len ||
		criteria_parse(str + flags_start, pos - flags_start, &c) != CHIBO_PARSE_OK)
		return CHIBO_PARSE_SYNTAX;
	pos++;
	if (!read_digits(str, len, &pos, GOOD_STATUS_MAX_COUNT, &count, &big) ||
		pos != len)
		return CHIBO_PARSE_SYNTAX;
	if (big)
		return CHIBO_PARSE_TOO_LARGE;
	if (count == 0)
		return CHIBO_PARSE_SYNTAX;

	result->n = c.n;
	result->met_always = c.flags;
	result->count = count;
	if (good_status_label(*result) != label)
		return CHIBO_PARSE_SYNTAX;
	return CHIBO_PARSE_OK;
}

/* Writes the text form (GOOD_STATUS_TEXT_BUFSIZE bytes). */
size_t
good_status_format(GoodStatusValue g, char *buf)
{
	const char *label = good_status_label_name(good_status_label(g));
	size_t		n = strlen(label);
	CriteriaValue c;

	memcpy(buf, label, n);
	if (g.n == 0)
	{
		buf[n] = '\0';
		return n;
	}
	buf[n++] = ':';
	c.n = g.n;
	c.flags = g.met_always;
	n += criteria_format(c, buf + n);
	buf[n++] = ':';
	n += format_uint(g.count, 0, buf + n);
	return n;
}

/*
 * Decodes the binary form of criteria (CRITERIA_WIRE_SIZE bytes): n as a
 * signed int2 in 1..CRITERIA_MAX and flags as a signed int4 with no bit
 * beyond the n criteria.  CHIBO_PARSE_SYNTAX for anything else.
 */
ChiboParseResult
criteria_decode(const unsigned char *buf, size_t len, CriteriaValue *result)
{
	int			n;
	int64_t		flags;

	if (len != CRITERIA_WIRE_SIZE)
		return CHIBO_PARSE_SYNTAX;
	n = (int16_t) wire_get_u16(buf);
	flags = (int32_t) wire_get_u32(buf + 2);
	if (n < 1 || n > CRITERIA_MAX || flags < 0 ||
		flags > (int64_t) criteria_all_flags(n))
		return CHIBO_PARSE_SYNTAX;
	result->n = (uint8_t) n;
	result->flags = (uint16_t) flags;
	return CHIBO_PARSE_OK;
}

/* Writes the binary form of c into buf (CRITERIA_WIRE_SIZE bytes). */
size_t
criteria_encode(CriteriaValue c, unsigned char *buf)
{
	wire_put_u16(buf, c.n);
	wire_put_u32(buf + 2, c.flags);
	return CRITERIA_WIRE_SIZE;
}

/*
 * Decodes the binary form of good_status (GOOD_STATUS_WIRE_SIZE bytes) and
 * validates it with good_status_valid.  CHIBO_PARSE_SYNTAX when invalid.
 */
ChiboParseResult
good_status_decode(const unsigned char *buf, size_t len,
				   GoodStatusValue *result)
{
	int			n;
	int64_t		flags;
	int64_t		count;
	GoodStatusValue g;

	if (len != GOOD_STATUS_WIRE_SIZE)
		return CHIBO_PARSE_SYNTAX;
	n = (int16_t) wire_get_u16(buf);
	flags = (int32_t) wire_get_u32(buf + 2);
	count = (int64_t) wire_get_u64(buf + 6);
	if (n < 0 || n > CRITERIA_MAX || flags < 0 || flags > 0xFFFF || count < 0)
		return CHIBO_PARSE_SYNTAX;
	g.n = (uint8_t) n;
	g.met_always = (uint16_t) flags;
	g.count = (uint64_t) count;
	if (!good_status_valid(g))
		return CHIBO_PARSE_SYNTAX;
	*result = g;
	return CHIBO_PARSE_OK;
}

/* Writes the binary form of g into buf (GOOD_STATUS_WIRE_SIZE bytes). */
size_t
good_status_encode(GoodStatusValue g, unsigned char *buf)
{
	wire_put_u16(buf, g.n);
	wire_put_u32(buf + 2, g.met_always);
	wire_put_u64(buf + 6, g.count);
	return GOOD_STATUS_WIRE_SIZE;
}
