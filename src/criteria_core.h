/*
 * criteria_core.h
 *	  Backend-free parsing and formatting of chibo's criteria and
 *	  good_status values.
 *
 * A criteria value holds n flags (1 <= n <= 16); flag i (from 0) tells
 * whether criterion i + 1 was met.  A good_status value sums up a set of
 * assessments of one subject: how many criteria, how many assessments, and
 * which criteria were met in every one of them.
 */
#ifndef CHIBO_CRITERIA_CORE_H
#define CHIBO_CRITERIA_CORE_H

#include "ratio_core.h"

#define CRITERIA_MAX 16

/* "1111111111111111" plus NUL */
#define CRITERIA_TEXT_BUFSIZE 20

/* "not_achieved:1111111111111111:8796093022207" plus NUL */
#define GOOD_STATUS_TEXT_BUFSIZE 64

/* Largest assessment count a good_status holds: 2^43 - 1. */
#define GOOD_STATUS_MAX_COUNT ((UINT64_C(1) << 43) - 1)

typedef struct CriteriaValue
{
	uint8_t		n;				/* number of criteria, 1..16 */
	uint16_t	flags;			/* bit i set: criterion i + 1 met */
} CriteriaValue;

typedef struct GoodStatusValue
{
	uint8_t		n;				/* 0 when not assessed, else 1..16 */
	uint16_t	met_always;		/* bit i set: criterion i + 1 met every time */
	uint64_t	count;			/* assessments seen, 0 when n == 0 */
} GoodStatusValue;

typedef enum GoodStatusLabel
{
	GOOD_NOT_ASSESSED,
	GOOD_ACHIEVED,
	GOOD_NOT_ACHIEVED
} GoodStatusLabel;

/* Result of adding to a good_status. */
typedef enum GoodStatusResult
{
	GOOD_OK = 0,
	GOOD_MIXED_COUNTS,			/* different numbers of criteria */
	GOOD_OVERFLOW				/* more than GOOD_STATUS_MAX_COUNT */
} GoodStatusResult;

extern uint16_t criteria_all_flags(int n);
extern bool criteria_valid(CriteriaValue c);
extern ChiboParseResult criteria_parse(const char *str, size_t len,
									   CriteriaValue *result);
extern size_t criteria_format(CriteriaValue c, char *buf);
extern int	criteria_cmp(CriteriaValue a, CriteriaValue b);
extern int	criteria_met(CriteriaValue c);

extern bool good_status_valid(GoodStatusValue g);
extern GoodStatusLabel good_status_label(GoodStatusValue g);
extern const char *good_status_label_name(GoodStatusLabel label);
extern GoodStatusResult good_status_add(GoodStatusValue *g, CriteriaValue c);
extern GoodStatusResult good_status_combine(GoodStatusValue *a,
											GoodStatusValue b);
extern ChiboParseResult good_status_parse(const char *str, size_t len,
										  GoodStatusValue *result);
extern size_t good_status_format(GoodStatusValue g, char *buf);

/*
 * Binary forms: criteria is n (int2) and flags (int4); good_status is n
 * (int2), the criteria met every time (int4) and the count (int8).
 */
#define CRITERIA_WIRE_SIZE 6
#define GOOD_STATUS_WIRE_SIZE 14

extern ChiboParseResult criteria_decode(const unsigned char *buf, size_t len,
										CriteriaValue *result);
extern size_t criteria_encode(CriteriaValue c, unsigned char *buf);
extern ChiboParseResult good_status_decode(const unsigned char *buf,
										   size_t len,
										   GoodStatusValue *result);
extern size_t good_status_encode(GoodStatusValue g, unsigned char *buf);

#endif							/* CHIBO_CRITERIA_CORE_H */
