/*
 * ratio_core.h
 *	  Backend-free parsing, formatting and arithmetic of chibo's ratio.
 *
 * Nothing here includes a PostgreSQL header or allocates memory, so the
 * functions can be compiled alone into a fuzzer.  The backend wrappers in
 * ratio.c turn the result codes into ereport() calls.
 */
#ifndef CHIBO_RATIO_CORE_H
#define CHIBO_RATIO_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The largest count a ratio holds: 4,294,967,295. */
#define RATIO_MAX_COUNT UINT32_MAX

/* Longest text form: "4294967295/4294967295" plus NUL. */
#define RATIO_TEXT_BUFSIZE 24

/* Longest display: "4.294.967.295/4.294.967.295 (100%)" plus NUL. */
#define RATIO_DISPLAY_BUFSIZE 48

/* Most digits percent() rounds to. */
#define RATIO_MAX_PERCENT_DIGITS 20

/* Longest formatted scaled integer: 40 digits, a point and a NUL. */
#define SCALED_TEXT_BUFSIZE 48

/*
 * 128-bit arithmetic for exact products.  Aligned to 8 like PostgreSQL's
 * int128: palloc'd memory is only 8-aligned, and a 16-aligned type stored
 * there would fault.
 */
typedef unsigned __int128 chibo_uint128 __attribute__((aligned(8)));

typedef struct RatioValue
{
	uint32_t	part;
	uint32_t	whole;
} RatioValue;

/* Result codes shared by every parser of chibo's types. */
typedef enum ChiboParseResult
{
	CHIBO_PARSE_OK = 0,
	CHIBO_PARSE_SYNTAX,			/* not the type's text form */
	CHIBO_PARSE_NEGATIVE,		/* a count with a minus sign */
	CHIBO_PARSE_TOO_LARGE,		/* a count beyond the type's range */
	CHIBO_PARSE_PART_EXCEEDS	/* part greater than whole */
} ChiboParseResult;

/* An exact decimal number m / 10^scale, as PostgreSQL's numeric prints it. */
typedef struct DecimalValue
{
	bool		negative;
	chibo_uint128 mantissa;		/* below 10^DECIMAL_MAX_DIGITS */
	int			scale;			/* 0 .. DECIMAL_MAX_DIGITS */
} DecimalValue;

#define DECIMAL_MAX_DIGITS 28

/* Digit reading and writing shared by every type's parser and formatter. */
extern bool read_digits(const char *str, size_t len, size_t *pos,
						uint64_t max, uint64_t *value, bool *too_large);
extern size_t format_uint(uint64_t value, char sep, char *buf);

extern ChiboParseResult ratio_parse(const char *str, size_t len,
									RatioValue *result);
extern ChiboParseResult ratio_check(int64_t part, int64_t whole,
									RatioValue *result);
extern size_t ratio_format(RatioValue r, char *buf);
extern size_t ratio_format_display(RatioValue r, bool grouped, char *buf);

extern bool ratio_is_empty(RatioValue r);
extern int	ratio_cmp(RatioValue a, RatioValue b);
extern bool ratio_pool(RatioValue a, RatioValue b, RatioValue *result);
extern bool ratio_count_one(RatioValue *r, bool counted);
extern void ratio_reduce(RatioValue r, uint32_t *part, uint32_t *whole);

extern bool ratio_percent_scaled(RatioValue r, int digits,
								 chibo_uint128 *result);
extern size_t format_scaled(chibo_uint128 value, int digits, char *buf);

extern bool decimal_parse(const char *str, size_t len, DecimalValue *result);
extern int	ratio_cmp_decimal(RatioValue r, const DecimalValue *d);

/*
 * Binary (send/receive) forms: fixed-size, big-endian, as PostgreSQL's
 * pq_sendintN writes them.  A ratio is part and whole as int8.
 */
#define RATIO_WIRE_SIZE 16

extern uint16_t wire_get_u16(const unsigned char *p);
extern uint32_t wire_get_u32(const unsigned char *p);
extern uint64_t wire_get_u64(const unsigned char *p);
extern void wire_put_u16(unsigned char *p, uint16_t v);
extern void wire_put_u32(unsigned char *p, uint32_t v);
extern void wire_put_u64(unsigned char *p, uint64_t v);

extern ChiboParseResult ratio_decode(const unsigned char *buf, size_t len,
									 RatioValue *result);
extern size_t ratio_encode(RatioValue r, unsigned char *buf);

#endif							/* CHIBO_RATIO_CORE_H */
