/*
 * ratio_core.c
 *	  Backend-free parsing, formatting and arithmetic of chibo's ratio.
 *
 * Counts are 32-bit unsigned; every product of two counts fits in 64 bits
 * and every product with a power of ten used here fits in 128 bits, so the
 * comparisons are exact and nothing wraps.
 */
#include "ratio_core.h"

static const uint64_t pow10_u64[20] = {
	1ULL, 10ULL, 100ULL, 1000ULL, 10000ULL, 100000ULL, 1000000ULL,
	10000000ULL, 100000000ULL, 1000000000ULL, 10000000000ULL,
	100000000000ULL, 1000000000000ULL, 10000000000000ULL,
	100000000000000ULL, 1000000000000000ULL, 10000000000000000ULL,
	100000000000000000ULL, 1000000000000000000ULL,
	10000000000000000000ULL
};

/* 10^n for 0 <= n <= 38, exact in 128 bits. */
static chibo_uint128
pow10_u128(int n)
{
	if (n <= 19)
		return pow10_u64[n];
	return (chibo_uint128) pow10_u64[19] * pow10_u64[n - 19];
}

static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
		c == '\f' || c == '\v';
}

/*
 * Reads one or more digits at str[*pos] and advances *pos past them.
 * Returns false when there is no digit.  A value above max sets
 * *too_large (and *value to 0) instead of wrapping.
 */
bool
read_digits(const char *str, size_t len, size_t *pos, uint64_t max,
			uint64_t *value, bool *too_large)
{
	size_t		i = *pos;
	uint64_t	v = 0;
	bool		big = false;

	while (i < len && str[i] >= '0' && str[i] <= '9')
	{
		if (!big)
		{
			v = v * 10 + (uint64_t) (str[i] - '0');
			if (v > max)
				big = true;
		}
		i++;
	}
	if (i == *pos)
		return false;
	*pos = i;
	*value = big ? 0 : v;
	*too_large = big;
	return true;
}

/*
 * Reads one count of a ratio: an optional minus sign and digits.  Notes a
 * minus sign on a non-zero count and a value beyond RATIO_MAX_COUNT.
 */
static bool
read_count(const char *s, size_t len, size_t *pos, uint32_t *value,
		   bool *negative, bool *too_large)
{
	size_t		i = *pos;
	bool		minus = false;
	uint64_t	v;

	if (i < len && s[i] == '-')
	{
		minus = true;
		i++;
	}
	if (!read_digits(s, len, &i, RATIO_MAX_COUNT, &v, too_large))
		return false;
	*pos = i;
	*value = (uint32_t) v;
	*negative = minus && (*too_large || v != 0);
	return true;
}

/*
 * Parses the text form "part/whole", surrounded by optional white space.
 * Syntax is judged before range, so "x/-1" is a syntax error and "-1/2" a
 * negative count.
 */
ChiboParseResult
ratio_parse(const char *str, size_t len, RatioValue *result)
{
	size_t		pos = 0;
	uint32_t	part = 0;
	uint32_t	whole = 0;
	bool		neg1,
				neg2,
				big1,
				big2;

	while (pos < len && is_space(str[pos]))
		pos++;
	if (!read_count(str, len, &pos, &part, &neg1, &big1))
		return CHIBO_PARSE_SYNTAX;
	if (pos >= len || str[pos] != '/')
		return CHIBO_PARSE_SYNTAX;
	pos++;
	if (!read_count(str, len, &pos, &whole, &neg2, &big2))
		return CHIBO_PARSE_SYNTAX;
	while (pos < len && is_space(str[pos]))
		pos++;
	if (pos != len)
		return CHIBO_PARSE_SYNTAX;

	if (neg1 || neg2)
		return CHIBO_PARSE_NEGATIVE;
	if (big1 || big2)
		return CHIBO_PARSE_TOO_LARGE;
	if (part > whole)
		return CHIBO_PARSE_PART_EXCEEDS;

	result->part = part;
	result->whole = whole;
	return CHIBO_PARSE_OK;
}

/* Validates a pair of counts given as integers. */
ChiboParseResult
ratio_check(int64_t part, int64_t whole, RatioValue *result)
{
	if (part < 0 || whole < 0)
		return CHIBO_PARSE_NEGATIVE;
	if (part > (int64_t) RATIO_MAX_COUNT || whole > (int64_t) RATIO_MAX_COUNT)
		return CHIBO_PARSE_TOO_LARGE;
	if (part > whole)
		return CHIBO_PARSE_PART_EXCEEDS;
	result->part = (uint32_t) part;
	result->whole = (uint32_t) whole;
	return CHIBO_PARSE_OK;
}

/*
 * Writes value in decimal, NUL-terminated, with sep between groups of three
 * digits unless sep is 0 (at most 26 characters).  Returns the length.
 */
size_t
format_uint(uint64_t value, char sep, char *buf)
{
	char		tmp[32];
	size_t		n = 0;
	size_t		digits = 0;
	size_t		i;

	do
	{
		if (sep && digits > 0 && digits % 3 == 0)
			tmp[n++] = sep;
		tmp[n++] = (char) ('0' + value % 10);
		value /= 10;
		digits++;
	} while (value > 0);

	for (i = 0; i < n; i++)
		buf[i] = tmp[n - 1 - i];
	buf[n] = '\0';
	return n;
}

/* Writes the text form "part/whole" into buf (RATIO_TEXT_BUFSIZE bytes). */
size_t
ratio_format(RatioValue r, char *buf)
{
	size_t		n = format_uint(r.part, 0, buf);

	buf[n++] = '/';
	n += format_uint(r.whole, 0, buf + n);
	return n;
}

/*
 * Writes "7.126/7.560 (94%)" (grouped) or "7126/7560 (94%)" into buf
 * (RATIO_DISPLAY_BUFSIZE bytes).  0/0 has no percentage and prints "0/0".
 */
size_t
ratio_format_display(RatioValue r, bool grouped, char *buf)
{
	char		sep = grouped ? '.' : 0;
	size_t		n = format_uint(r.part, sep, buf);
	chibo_uint128 pct;

	buf[n++] = '/';
	n += format_uint(r.whole, sep, buf + n);
	if (ratio_percent_scaled(r, 0, &pct))
	{
		buf[n++] = ' ';
		buf[n++] = '(';
		n += format_uint((uint64_t) pct, 0, buf + n);
		buf[n++] = '%';
		buf[n++] = ')';
		buf[n] = '\0';
	}
	return n;
}

/* 0/0: no value. */
bool
ratio_is_empty(RatioValue r)
{
	return r.whole == 0;
}

/*
 * Total order by exact value, by cross-multiplication in 64 bits.
 * 0/0 has no value: it equals only itself and sorts before every value.
 */
int
ratio_cmp(RatioValue a, RatioValue b)
{
	uint64_t	lhs,
				rhs;

	if (a.whole == 0 || b.whole == 0)
	{
		if (a.whole == b.whole)
			return 0;
		return a.whole == 0 ? -1 : 1;
	}
	lhs = (uint64_t) a.part * b.whole;
	rhs = (uint64_t) b.part * a.whole;
	if (lhs < rhs)
		return -1;
	return lhs > rhs ? 1 : 0;
}

/* Pools two ratios (parts add, wholes add); false when a sum overflows. */
bool
ratio_pool(RatioValue a, RatioValue b, RatioValue *result)
{
	uint64_t	part = (uint64_t) a.part + b.part;
	uint64_t	whole = (uint64_t) a.whole + b.whole;

	if (whole > RATIO_MAX_COUNT)
		return false;
	/* part <= whole holds for the sums since it holds for each term */
	result->part = (uint32_t) part;
	result->whole = (uint32_t) whole;
	return true;
}

/*
 * Counts one more input, and one more part if counted: the step of every
 * counting aggregate.  False when the whole is already RATIO_MAX_COUNT.
 */
bool
ratio_count_one(RatioValue *r, bool counted)
{
	if (r->whole == RATIO_MAX_COUNT)
		return false;
	r->whole++;
	if (counted)
		r->part++;
	return true;
}

/* The lowest terms of r: equal values reduce alike.  0/0 stays 0/0. */
void
ratio_reduce(RatioValue r, uint32_t *part, uint32_t *whole)
{
	uint32_t	a = r.part;
	uint32_t	b = r.whole;

	if (b == 0)
	{
		*part = 0;
		*whole = 0;
		return;
	}
	while (b != 0)
	{
		uint32_t	t = a % b;

		a = b;
		b = t;
	}
	/* a is now gcd(part, whole), at least 1 since whole > 0 */
	*part = r.part / a;
	*whole = r.whole / a;
}

/*
 * 100 * part / whole * 10^digits, rounded half away from zero, as an
 * integer.  False for 0/0 or digits outside 0..RATIO_MAX_PERCENT_DIGITS.
 */
bool
ratio_percent_scaled(RatioValue r, int digits, chibo_uint128 *result)
{
	chibo_uint128 num;

	if (r.whole == 0 || digits < 0 || digits > RATIO_MAX_PERCENT_DIGITS)
		return false;
	/* part < 2^32 and 10^22 < 2^74: the product is below 2^106 */
	num = (chibo_uint128) r.part * pow10_u128(digits + 2);
	*result = (2 * num + r.whole) / (2 * (chibo_uint128) r.whole);
	return true;
}

/* Writes value / 10^digits in decimal with exactly digits decimals. */
size_t
format_scaled(chibo_uint128 value, int digits, char *buf)
{
	char		tmp[SCALED_TEXT_BUFSIZE];
	size_t		n = 0;
	size_t		i;
	int			written = 0;

	do
	{
		if (written == digits && digits > 0)
			tmp[n++] = '.';
		tmp[n++] = (char) ('0' + (int) (value % 10));
		value /= 10;
		written++;
	} while (value > 0 || written <= digits);

	for (i = 0; i < n; i++)
		buf[i] = tmp[n - 1 - i];
	buf[n] = '\0';
	return n;
}

/*
 * Parses a plain decimal "[-]digits[.digits]" exactly, as numeric_out prints
 * it.  False when the text is anything else (NaN, Infinity, an exponent) or
 * needs more than DECIMAL_MAX_DIGITS significant digits or decimals; the
 * caller then compares with numeric arithmetic instead.
 */
bool
decimal_parse(const char *str, size_t len, DecimalValue *result)
{
	size_t		pos = 0;
	size_t		int_start,
				frac_start = 0,
				frac_end = 0,
				int_end;
	bool		negative = false;
	int			sig = 0;
	int			scale;
	chibo_uint128 m = 0;
	size_t		i;

	if (pos < len && (str[pos] == '-' || str[pos] == '+'))
		negative = (str[pos++] == '-');
	int_start = pos;
	while (pos < len && str[pos] >= '0' && str[pos] <= '9')
		pos++;
	int_end = pos;
	if (pos < len && str[pos] == '.')
	{
		frac_start = ++pos;
		while (pos < len && str[pos] >= '0' && str[pos] <= '9')
			pos++;
		frac_end = pos;
	}
	if (pos != len || (int_end == int_start && frac_end == frac_start))
		return false;

	/* drop trailing zeros of the fraction: 0.850 is 0.85 */
	while (frac_end > frac_start && str[frac_end - 1] == '0')
		frac_end--;
	scale = (int) (frac_end - frac_start);
	if (scale > DECIMAL_MAX_DIGITS)
		return false;

	for (i = int_start; i < int_end; i++)
	{
		if (sig == 0 && str[i] == '0')
			continue;
		if (++sig > DECIMAL_MAX_DIGITS)
			return false;
		m = m * 10 + (chibo_uint128) (str[i] - '0');
	}
	for (i = frac_start; i < frac_end; i++)
	{
		if (sig == 0 && str[i] == '0')
			continue;
		if (++sig > DECIMAL_MAX_DIGITS)
			return false;
		m = m * 10 + (chibo_uint128) (str[i] - '0');
	}

	result->negative = negative && m != 0;
	result->mantissa = m;
	result->scale = scale;
	return true;
}

/*
 * Compares the value of r (whole > 0) with d exactly: part * 10^scale
 * against mantissa * whole, both below 2^126.
 */
int
ratio_cmp_decimal(RatioValue r, const DecimalValue *d)
{
	chibo_uint128 lhs,
				rhs;

	if (d->negative)
		return 1;
	lhs = (chibo_uint128) r.part * pow10_u128(d->scale);
	rhs = d->mantissa * r.whole;
	if (lhs < rhs)
		return -1;
	return lhs > rhs ? 1 : 0;
}

/* Big-endian readers and writers of the binary forms. */
uint16_t
wire_get_u16(const unsigned char *p)
{
	return (uint16_t) (((unsigned) p[0] << 8) | p[1]);
}

uint32_t
wire_get_u32(const unsigned char *p)
{
	return ((uint32_t) p[0] << 24) | ((uint32_t) p[1] << 16) |
		((uint32_t) p[2] << 8) | (uint32_t) p[3];
}

uint64_t
wire_get_u64(const unsigned char *p)
{
	return ((uint64_t) wire_get_u32(p) << 32) | wire_get_u32(p + 4);
}

void
wire_put_u16(unsigned char *p, uint16_t v)
{
	p[0] = (unsigned char) (v >> 8);
	p[1] = (unsigned char) v;
}

void
wire_put_u32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char) (v >> 24);
	p[1] = (unsigned char) (v >> 16);
	p[2] = (unsigned char) (v >> 8);
	p[3] = (unsigned char) v;
}

void
wire_put_u64(unsigned char *p, uint64_t v)
{
	wire_put_u32(p, (uint32_t) (v >> 32));
	wire_put_u32(p + 4, (uint32_t) v);
}

/*
 * Decodes the binary form (RATIO_WIRE_SIZE bytes: part and whole as int8)
 * and validates it like ratio_check; CHIBO_PARSE_SYNTAX for another length.
 */
ChiboParseResult
ratio_decode(const unsigned char *buf, size_t len, RatioValue *result)
{
	if (len != RATIO_WIRE_SIZE)
		return CHIBO_PARSE_SYNTAX;
	return ratio_check((int64_t) wire_get_u64(buf),
					   (int64_t) wire_get_u64(buf + 8), result);
}

/* Writes the binary form into buf (RATIO_WIRE_SIZE bytes). */
size_t
ratio_encode(RatioValue r, unsigned char *buf)
{
	wire_put_u64(buf, r.part);
	wire_put_u64(buf + 8, r.whole);
	return RATIO_WIRE_SIZE;
}
