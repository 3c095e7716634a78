/*
 * core_test.c
 *	  Unit tests of the backend-free core (the src/..._core.c files), built without
 *	  any PostgreSQL header: that the parsers and formatters need no backend
 *	  is part of what this proves.  Prints TAP.
 *
 *	  cc -I src src/ratio_core.c src/criteria_core.c src/attendance_core.c \
 *	     test/unit/core_test.c -o core_test && ./core_test
 */
#include "attendance_core.h"
#include "criteria_core.h"
#include "ratio_core.h"

#include <stdio.h>
#include <string.h>

static int	test_number = 0;
static int	failures = 0;

static void
check(bool ok, const char *what)
{
	test_number++;
	if (!ok)
		failures++;
	printf("%s %d - %s\n", ok ? "ok" : "not ok", test_number, what);
}

/* xorshift64: a fixed sequence, so every run tests the same values. */
static uint64_t rng_state = 0x9E3779B97F4A7C15ULL;

static uint64_t
next_random(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* A count biased towards the edges: 0, small, and near 2^32. */
static uint32_t
random_count(void)
{
	uint64_t	r = next_random();

	switch (r % 4)
	{
		case 0:
			return (uint32_t) (r >> 32) % 10;
		case 1:
			return (uint32_t) (r >> 32) % 10000;
		case 2:
			return UINT32_MAX - (uint32_t) ((r >> 32) % 10);
		default:
			return (uint32_t) (r >> 32);
	}
}

static RatioValue
random_ratio(void)
{
	uint32_t	a = random_count();
	uint32_t	b = random_count();
	RatioValue	r;

	r.part = a < b ? a : b;
	r.whole = a < b ? b : a;
	return r;
}

static void
test_ratio_text(void)
{
	char		buf[RATIO_TEXT_BUFSIZE];
	RatioValue	r,
				back;
	int			i;
	bool		ok = true;

	for (i = 0; i < 200000 && ok; i++)
	{
		r = random_ratio();
		ratio_format(r, buf);
		ok = ratio_parse(buf, strlen(buf), &back) == CHIBO_PARSE_OK &&
			back.part == r.part && back.whole == r.whole;
	}
	check(ok, "ratio: 200000 values round trip through text");

	check(ratio_parse("7126/7560", 9, &r) == CHIBO_PARSE_OK && r.part == 7126 && r.whole == 7560,
		  "ratio: 7126/7560 parses");
	check(ratio_parse("7126/7560", 5, &r) == CHIBO_PARSE_SYNTAX,
		  "ratio: the parser reads only len bytes");
	check(ratio_parse("4294967296/4294967296", 21, &r) == CHIBO_PARSE_TOO_LARGE,
		  "ratio: 2^32 is too large");
	check(ratio_parse("-1/2", 4, &r) == CHIBO_PARSE_NEGATIVE, "ratio: -1/2 is negative");
	check(ratio_parse("3/2", 3, &r) == CHIBO_PARSE_PART_EXCEEDS, "ratio: 3/2 has part > whole");
	check(ratio_parse("1/2\0", 4, &r) == CHIBO_PARSE_SYNTAX, "ratio: an embedded NUL is a syntax error");
	check(ratio_check(INT64_MIN, 0, &r) == CHIBO_PARSE_NEGATIVE &&
		  ratio_check(0, INT64_MAX, &r) == CHIBO_PARSE_TOO_LARGE,
		  "ratio: ratio_check rejects the int64 extremes");
}

/* Equal iff the lowest terms are equal: a reference independent of ratio_cmp. */
static bool
same_value(RatioValue a, RatioValue b)
{
	uint32_t	ap,
				aw,
				bp,
				bw;

	ratio_reduce(a, &ap, &aw);
	ratio_reduce(b, &bp, &bw);
	return ap == bp && aw == bw;
}

static void
test_ratio_order(void)
{
	int			i;
	bool		equal_ok = true,
				order_ok = true;

	for (i = 0; i < 200000; i++)
	{
		RatioValue	a = random_ratio(),
					b = random_ratio(),
					c = random_ratio();
		int			ab = ratio_cmp(a, b),
					bc = ratio_cmp(b, c),
					ac = ratio_cmp(a, c);

		if ((ab == 0) != same_value(a, b) || ratio_cmp(b, a) != -ab)
			equal_ok = false;
		if (ab <= 0 && bc <= 0 && ac > 0)
			order_ok = false;
	}
	check(equal_ok, "ratio_cmp: equal exactly when the lowest terms are equal; antisymmetric");
	check(order_ok, "ratio_cmp: transitive");

	{
		RatioValue	a = {4294967294U, 4294967295U},
					b = {4294967293U, 4294967294U},
					e = {0, 0},
					z = {0, 9};

		check(ratio_cmp(a, b) > 0 && (double) a.part / a.whole == (double) b.part / b.whole,
			  "ratio_cmp: exact where double precision cannot tell");
		check(ratio_cmp(e, z) < 0 && ratio_cmp(e, e) == 0, "ratio_cmp: 0/0 sorts first");
	}
}

static void
test_ratio_decimal(void)
{
	int			i;
	bool		ok = true;
	DecimalValue d;

	/* a threshold t/10^k that fits a ratio compares as that ratio does */
	for (i = 0; i < 100000 && ok; i++)
	{
		RatioValue	r = random_ratio();
		int			k = (int) (next_random() % 6);
		uint32_t	denom = 1;
		uint32_t	t;
		char		text[32];
		RatioValue	as_ratio;
		int			j;

		if (r.whole == 0)
			continue;
		for (j = 0; j < k; j++)
			denom *= 10;
		t = (uint32_t) (next_random() % (denom + 1));
		if (k == 0)
			snprintf(text, sizeof(text), "%u", t);
		else
			snprintf(text, sizeof(text), "%u.%0*u", t / denom, k, t % denom);
		as_ratio.part = t;
		as_ratio.whole = denom;
		if (!decimal_parse(text, strlen(text), &d) ||
			ratio_cmp_decimal(r, &d) != ratio_cmp(r, as_ratio))
			ok = false;
	}
	check(ok, "ratio_cmp_decimal agrees with ratio_cmp on 100000 decimal thresholds");

	check(decimal_parse("0.850", 5, &d) && d.mantissa == 85 && d.scale == 2,
		  "decimal_parse: trailing zeros dropped");
	check(!decimal_parse("NaN", 3, &d) && !decimal_parse("1e5", 3, &d) &&
		  !decimal_parse("", 0, &d) && !decimal_parse(".", 1, &d) && !decimal_parse("-", 1, &d),
		  "decimal_parse: refuses what is not a plain decimal");
	check(decimal_parse("0.0000000000000000000000000001", 30, &d) &&
		  !decimal_parse("0.00000000000000000000000000001", 31, &d),
		  "decimal_parse: 28 decimals at most");
	check(decimal_parse("9999999999999999999999999999", 28, &d) &&
		  !decimal_parse("99999999999999999999999999999", 29, &d),
		  "decimal_parse: 28 significant digits at most");
	check(decimal_parse("-0.5", 4, &d) && d.negative && decimal_parse("-0", 2, &d) && !d.negative,
		  "decimal_parse: signs, and -0 is not negative");
}

static void
test_percent(void)
{
	int			i;
	bool		ok = true;
	char		buf[SCALED_TEXT_BUFSIZE];
	chibo_uint128 q;

	/* q rounds 100 * 10^d * part / whole half away from zero: */
	/* 2*num - w < 2*q*w <= 2*num + w */
	for (i = 0; i < 100000 && ok; i++)
	{
		RatioValue	r = random_ratio();
		int			digits = (int) (next_random() % (RATIO_MAX_PERCENT_DIGITS + 1));
		chibo_uint128 num = r.part,
					twice_qw;
		int			j;

		if (r.whole == 0)
			continue;
		for (j = 0; j < digits + 2; j++)
			num *= 10;
		if (!ratio_percent_scaled(r, digits, &q))
		{
			ok = false;
			break;
		}
		twice_qw = 2 * q * r.whole;
		ok = twice_qw + r.whole > 2 * num && twice_qw <= 2 * num + r.whole;
	}
	check(ok, "percent: rounds half away from zero on 100000 values");

	{
		RatioValue	eighth = {1, 8},
					empty = {0, 0};

		check(ratio_percent_scaled(eighth, 0, &q) && q == 13, "percent: 1/8 is 13%");
		check(ratio_percent_scaled(eighth, 1, &q) && q == 125, "percent: 1/8 is 12.5%");
		check(!ratio_percent_scaled(empty, 0, &q), "percent: none for 0/0");
		check(!ratio_percent_scaled(eighth, -1, &q) && !ratio_percent_scaled(eighth, 21, &q),
			  "percent: digits 0 to 20 only");
	}
	format_scaled(9426, 2, buf);
	check(strcmp(buf, "94.26") == 0, "format_scaled: 94.26");
	format_scaled(5, 3, buf);
	check(strcmp(buf, "0.005") == 0, "format_scaled: 0.005");
}

static void
test_display(void)
{
	char		buf[RATIO_DISPLAY_BUFSIZE];
	RatioValue	r = {7126, 7560},
				top = {UINT32_MAX, UINT32_MAX},
				empty = {0, 0};

	ratio_format_display(r, true, buf);
	check(strcmp(buf, "7.126/7.560 (94%)") == 0, "display: 7.126/7.560 (94%)");
	ratio_format_display(r, false, buf);
	check(strcmp(buf, "7126/7560 (94%)") == 0, "display: 7126/7560 (94%)");
	ratio_format_display(top, true, buf);
	check(strcmp(buf, "4.294.967.295/4.294.967.295 (100%)") == 0, "display: the largest ratio fits");
	ratio_format_display(empty, true, buf);
	check(strcmp(buf, "0/0") == 0, "display: 0/0 has no percentage");
}

static void
test_pool(void)
{
	RatioValue	a = {1, 2},
				b = {3, 4},
				full = {0, UINT32_MAX},
				one = {0, 1},
				sum;

	check(ratio_pool(a, b, &sum) && sum.part == 4 && sum.whole == 6, "pool: 1/2 + 3/4 = 4/6");
	check(!ratio_pool(full, one, &sum), "pool: overflow is reported, not wrapped");
}

static void
test_criteria(void)
{
	char		buf[CRITERIA_TEXT_BUFSIZE];
	int			n;
	bool		ok = true;

	/* every value of every length: 131070 of them */
	for (n = 1; n <= CRITERIA_MAX && ok; n++)
	{
		uint32_t	flags;

		for (flags = 0; flags <= criteria_all_flags(n) && ok; flags++)
		{
			CriteriaValue c = {(uint8_t) n, (uint16_t) flags},
						back;

			criteria_format(c, buf);
			ok = criteria_parse(buf, strlen(buf), &back) == CHIBO_PARSE_OK &&
				back.n == c.n && back.flags == c.flags && criteria_valid(back) &&
				criteria_cmp(c, back) == 0;
		}
	}
	check(ok, "criteria: every value of 1 to 16 flags round trips");

	{
		CriteriaValue c;

		check(criteria_parse("1101", 4, &c) == CHIBO_PARSE_OK && c.flags == 0xB &&
			  criteria_met(c) == 3, "criteria: 1101 is criteria 1, 2, 4");
		check(criteria_parse("", 0, &c) == CHIBO_PARSE_SYNTAX &&
			  criteria_parse("11111111111111111", 17, &c) == CHIBO_PARSE_SYNTAX &&
			  criteria_parse("12", 2, &c) == CHIBO_PARSE_SYNTAX,
			  "criteria: empty, 17 flags and other digits are refused");
	}
}

static void
test_good_status(void)
{
	char		buf[GOOD_STATUS_TEXT_BUFSIZE];
	int			i;
	bool		ok = true;
	GoodStatusValue g,
				back;

	for (i = 0; i < 100000 && ok; i++)
	{
		uint64_t	r = next_random();

		g.n = (uint8_t) (r % (CRITERIA_MAX + 1));
		g.met_always = g.n ? (uint16_t) ((r >> 8) & criteria_all_flags(g.n)) : 0;
		g.count = g.n ? 1 + (r >> 21) % GOOD_STATUS_MAX_COUNT : 0;
		good_status_format(g, buf);
		ok = good_status_valid(g) &&
			good_status_parse(buf, strlen(buf), &back) == CHIBO_PARSE_OK &&
			back.n == g.n && back.met_always == g.met_always && back.count == g.count;
	}
	check(ok, "good_status: 100000 values round trip through text");

	{
		GoodStatusValue a = {0, 0, 0};
		CriteriaValue all = {4, 0xF},
					some = {4, 0xB},
					five = {5, 0x1F};

		check(good_status_add(&a, all) == GOOD_OK && good_status_label(a) == GOOD_ACHIEVED,
			  "good_status: one full assessment is achieved");
		check(good_status_add(&a, some) == GOOD_OK && good_status_label(a) == GOOD_NOT_ACHIEVED &&
			  a.met_always == 0xB && a.count == 2, "good_status: a miss is remembered");
		check(good_status_add(&a, five) == GOOD_MIXED_COUNTS && a.count == 2,
			  "good_status: mixed criteria counts refused, state unchanged");
		a.count = GOOD_STATUS_MAX_COUNT;
		check(good_status_add(&a, all) == GOOD_OVERFLOW, "good_status: overflow reported");
	}
}

static void
test_tally(void)
{
	char		buf[TALLY_TEXT_BUFSIZE];
	int			i;
	bool		ok = true;
	TallyValue	t,
				back;
	RatioValue	r;

	for (i = 0; i < 100000 && ok; i++)
	{
		memset(&t, 0, sizeof(t));
		t.policy = (int32_t) (next_random() % 3);
		if (t.policy != POLICY_UNSET)
		{
			t.present = next_random() >> 1;
			t.excused = next_random() % 1000;
			t.absent = next_random() >> 40;
		}
		tally_format(&t, buf);
		ok = tally_valid(&t) && tally_parse(buf, strlen(buf), &back) == CHIBO_PARSE_OK &&
			memcmp(&t, &back, sizeof(t)) == 0;
	}
	check(ok, "attendance_tally: 100000 values round trip through text");

	memset(&t, 0, sizeof(t));
	t.present = 3;
	t.excused = 1;
	t.absent = 1;
	t.policy = POLICY_EXCUSED_EXCLUDED;
	check(tally_ratio(&t, &r) == CHIBO_PARSE_OK && r.part == 3 && r.whole == 4,
		  "attendance_tally: excused_excluded is present / (all - excused)");
	t.policy = POLICY_EXCUSED_COUNT;
	check(tally_ratio(&t, &r) == CHIBO_PARSE_OK && r.part == 3 && r.whole == 5,
		  "attendance_tally: excused_count is present / all");
	t.present = t.excused = t.absent = TALLY_MAX_COUNT;
	check(tally_ratio(&t, &r) == CHIBO_PARSE_TOO_LARGE,
		  "attendance_tally: counts beyond a ratio are reported, not wrapped");
}

/* Big-endian bytes of v, n bytes long, at p: the test's own encoder. */
static void
put_be(unsigned char *p, int n, uint64_t v)
{
	int			i;

	for (i = n - 1; i >= 0; i--)
	{
		p[i] = (unsigned char) (v & 0xFF);
		v >>= 8;
	}
}

/* The binary forms of recv/send: what they accept, and exact round trips. */
static void
test_binary(void)
{
	unsigned char b[TALLY_WIRE_SIZE],
				again[TALLY_WIRE_SIZE];
	RatioValue	r;
	CriteriaValue c;
	GoodStatusValue g;
	TallyValue	t,
				untouched;
	int			i;
	bool		ok = true;

	put_be(b, 8, 7126);
	put_be(b + 8, 8, 7560);
	check(ratio_decode(b, RATIO_WIRE_SIZE, &r) == CHIBO_PARSE_OK &&
		  r.part == 7126 && r.whole == 7560, "binary ratio: 7126/7560 decoded");
	check(ratio_decode(b, RATIO_WIRE_SIZE - 1, &r) == CHIBO_PARSE_SYNTAX &&
		  ratio_decode(b, RATIO_WIRE_SIZE + 1, &r) == CHIBO_PARSE_SYNTAX,
		  "binary ratio: another length is rejected");
	put_be(b, 8, 3);
	put_be(b + 8, 8, 2);
	check(ratio_decode(b, RATIO_WIRE_SIZE, &r) == CHIBO_PARSE_PART_EXCEEDS,
		  "binary ratio: part above whole rejected as text input rejects it");
	put_be(b, 8, UINT64_MAX);
	check(ratio_decode(b, RATIO_WIRE_SIZE, &r) == CHIBO_PARSE_NEGATIVE,
		  "binary ratio: a negative int8 is a negative count");
	put_be(b, 8, 1);
	put_be(b + 8, 8, UINT64_C(1) << 32);
	check(ratio_decode(b, RATIO_WIRE_SIZE, &r) == CHIBO_PARSE_TOO_LARGE,
		  "binary ratio: 2^32 is too large");
	for (i = 0; i < 100000 && ok; i++)
	{
		RatioValue	v = random_ratio();

		ratio_encode(v, b);
		ok = ratio_decode(b, RATIO_WIRE_SIZE, &r) == CHIBO_PARSE_OK &&
			r.part == v.part && r.whole == v.whole &&
			ratio_encode(r, again) == RATIO_WIRE_SIZE &&
			memcmp(b, again, RATIO_WIRE_SIZE) == 0;
	}
	check(ok, "binary ratio: 100000 values round trip through send and receive");

	put_be(b, 2, 4);
	put_be(b + 2, 4, 11);
	check(criteria_decode(b, CRITERIA_WIRE_SIZE, &c) == CHIBO_PARSE_OK &&
		  c.n == 4 && c.flags == 11, "binary criteria: 4 criteria, flags 1101");
	criteria_encode(c, again);
	check(memcmp(b, again, CRITERIA_WIRE_SIZE) == 0,
		  "binary criteria: encoded as received");
	put_be(b, 2, 0);
	ok = criteria_decode(b, CRITERIA_WIRE_SIZE, &c) == CHIBO_PARSE_SYNTAX;
	put_be(b, 2, 17);
	ok = ok && criteria_decode(b, CRITERIA_WIRE_SIZE, &c) == CHIBO_PARSE_SYNTAX;
	put_be(b, 2, 4);
	put_be(b + 2, 4, 16);
	ok = ok && criteria_decode(b, CRITERIA_WIRE_SIZE, &c) == CHIBO_PARSE_SYNTAX;
	put_be(b + 2, 4, UINT32_MAX);
	ok = ok && criteria_decode(b, CRITERIA_WIRE_SIZE, &c) == CHIBO_PARSE_SYNTAX;
	put_be(b, 2, 0xFFFF);
	put_be(b + 2, 4, 0);
	ok = ok && criteria_decode(b, CRITERIA_WIRE_SIZE, &c) == CHIBO_PARSE_SYNTAX;
	check(ok, "binary criteria: 0, 17 or -1 criteria, a flag beyond n, negative flags rejected");

	put_be(b, 2, 4);
	put_be(b + 2, 4, 11);
	put_be(b + 6, 8, 3);
	check(good_status_decode(b, GOOD_STATUS_WIRE_SIZE, &g) == CHIBO_PARSE_OK &&
		  g.n == 4 && g.met_always == 11 && g.count == 3,
		  "binary good_status: not_achieved:1101:3 decoded");
	good_status_encode(g, again);
	check(memcmp(b, again, GOOD_STATUS_WIRE_SIZE) == 0,
		  "binary good_status: encoded as received");
	put_be(b + 6, 8, 0);
	ok = good_status_decode(b, GOOD_STATUS_WIRE_SIZE, &g) == CHIBO_PARSE_SYNTAX;
	put_be(b + 6, 8, GOOD_STATUS_MAX_COUNT + 1);
	ok = ok && good_status_decode(b, GOOD_STATUS_WIRE_SIZE, &g) == CHIBO_PARSE_SYNTAX;
	put_be(b + 6, 8, UINT64_MAX);
	ok = ok && good_status_decode(b, GOOD_STATUS_WIRE_SIZE, &g) == CHIBO_PARSE_SYNTAX;
	put_be(b, 2, 0);
	put_be(b + 2, 4, 1);
	put_be(b + 6, 8, 0);
	ok = ok && good_status_decode(b, GOOD_STATUS_WIRE_SIZE, &g) == CHIBO_PARSE_SYNTAX;
	put_be(b + 2, 4, 0);
	ok = ok && good_status_decode(b, GOOD_STATUS_WIRE_SIZE, &g) == CHIBO_PARSE_OK &&
		g.n == 0 && g.count == 0;
	check(ok, "binary good_status: zero, too large or negative counts and flags without criteria rejected; not_assessed accepted");

	put_be(b, 8, 3);
	put_be(b + 8, 8, 1);
	put_be(b + 16, 8, 2);
	put_be(b + 24, 4, POLICY_EXCUSED_EXCLUDED);
	check(tally_decode(b, TALLY_WIRE_SIZE, &t) == CHIBO_PARSE_OK &&
		  t.present == 3 && t.excused == 1 && t.absent == 2 &&
		  t.policy == POLICY_EXCUSED_EXCLUDED && t.padding == 0,
		  "binary attendance_tally: decoded");
	tally_encode(&t, again);
	check(memcmp(b, again, TALLY_WIRE_SIZE) == 0,
		  "binary attendance_tally: encoded as received");
	memset(&untouched, 0x5A, sizeof(untouched));
	t = untouched;
	put_be(b + 24, 4, 3);
	ok = tally_decode(b, TALLY_WIRE_SIZE, &t) == CHIBO_PARSE_SYNTAX;
	put_be(b + 24, 4, POLICY_UNSET);
	ok = ok && tally_decode(b, TALLY_WIRE_SIZE, &t) == CHIBO_PARSE_SYNTAX;
	put_be(b + 24, 4, POLICY_EXCUSED_COUNT);
	put_be(b + 8, 8, UINT64_MAX);
	ok = ok && tally_decode(b, TALLY_WIRE_SIZE, &t) == CHIBO_PARSE_SYNTAX;
	ok = ok && tally_decode(b, TALLY_WIRE_SIZE - 1, &t) == CHIBO_PARSE_SYNTAX;
	check(ok && memcmp(&t, &untouched, sizeof(t)) == 0,
		  "binary attendance_tally: unknown policy, counts without policy, negative count rejected, result untouched");
}

int
main(void)
{
	test_ratio_text();
	test_ratio_order();
	test_ratio_decimal();
	test_percent();
	test_display();
	test_pool();
	test_criteria();
	test_good_status();
	test_tally();
	test_binary();
	printf("1..%d\n", test_number);
	return failures == 0 ? 0 : 1;
}
