/*
 * attendance_core.h
 *	  Backend-free form of attendance_tally, the state of the
 *	  attendance_ratio(status, policy) aggregate.
 *
 * A tally counts present, excused and absent inputs and remembers the
 * policy that turns them into a ratio.  Its text form reads back exactly,
 * so partial tallies can travel between processes or nodes as text.
 */
#ifndef CHIBO_ATTENDANCE_CORE_H
#define CHIBO_ATTENDANCE_CORE_H

#include "ratio_core.h"

/* Counts in a tally stay below 2^63 so that they travel as int8. */
#define TALLY_MAX_COUNT ((uint64_t) INT64_MAX)

/* "present=N excused=N absent=N policy=excused_excluded" plus NUL */
#define TALLY_TEXT_BUFSIZE 128

typedef enum AttendancePolicy
{
	POLICY_UNSET = 0,			/* no input yet */
	POLICY_EXCUSED_COUNT = 1,	/* present / all */
	POLICY_EXCUSED_EXCLUDED = 2 /* present / (all - excused) */
} AttendancePolicy;

typedef struct TallyValue
{
	uint64_t	present;
	uint64_t	excused;
	uint64_t	absent;
	int32_t		policy;			/* an AttendancePolicy */
	int32_t		padding;		/* always 0 */
} TallyValue;

typedef enum TallyResult
{
	TALLY_OK = 0,
	TALLY_MIXED_POLICIES,
	TALLY_OVERFLOW
} TallyResult;

extern bool policy_parse(const char *str, size_t len, AttendancePolicy *result);
extern const char *policy_name(AttendancePolicy policy);
extern bool tally_valid(const TallyValue *t);
extern TallyResult tally_combine(TallyValue *a, const TallyValue *b);
extern ChiboParseResult tally_ratio(const TallyValue *t, RatioValue *result);
extern ChiboParseResult tally_parse(const char *str, size_t len,
									TallyValue *result);
extern size_t tally_format(const TallyValue *t, char *buf);

/* Binary form: present, excused, absent (int8 each) and policy (int4). */
#define TALLY_WIRE_SIZE 28

extern ChiboParseResult tally_decode(const unsigned char *buf, size_t len,
									 TallyValue *result);
extern size_t tally_encode(const TallyValue *t, unsigned char *buf);

#endif							/* CHIBO_ATTENDANCE_CORE_H */
