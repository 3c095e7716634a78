/*
 * criteria.c
 *	  The criteria type: which of 1 to 16 criteria an assessment met.
 */
#include "chibo.h"

#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "libpq/pqformat.h"
#include "utils/array.h"
#include "utils/builtins.h"

PG_FUNCTION_INFO_V1(criteria_in);
PG_FUNCTION_INFO_V1(criteria_out);
PG_FUNCTION_INFO_V1(criteria_recv);
PG_FUNCTION_INFO_V1(criteria_send);
PG_FUNCTION_INFO_V1(criteria_btree_cmp);
PG_FUNCTION_INFO_V1(criteria_hash);
PG_FUNCTION_INFO_V1(criteria_hash_extended);
PG_FUNCTION_INFO_V1(criteria_count);
PG_FUNCTION_INFO_V1(criteria_met_count);
PG_FUNCTION_INFO_V1(criteria_all_met);
PG_FUNCTION_INFO_V1(criteria_unmet);

/* Text input: "1101", one flag per criterion, criterion 1 first. */
Datum
criteria_in(PG_FUNCTION_ARGS)
{
	char	   *str = PG_GETARG_CSTRING(0);
	CriteriaValue c;

	if (criteria_parse(str, strlen(str), &c) != CHIBO_PARSE_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid input syntax for type criteria: \"%s\"", str),
				 errhint("Write one flag per criterion, 1 for met and 0 for not met, 1 to %d flags such as 1101.",
						 CRITERIA_MAX)));
	PG_RETURN_CRITERIA(c);
}

/* Text output. */
Datum
criteria_out(PG_FUNCTION_ARGS)
{
	char	   *buf = palloc(CRITERIA_TEXT_BUFSIZE);

	criteria_format(PG_GETARG_CRITERIA(0), buf);
	PG_RETURN_CSTRING(buf);
}

/* Binary input: number of criteria (int2) and flags (int4), validated. */
Datum
criteria_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	const unsigned char *bytes = (const unsigned char *) pq_getmsgbytes(buf, CRITERIA_WIRE_SIZE);
	CriteriaValue c;

	if (criteria_decode(bytes, CRITERIA_WIRE_SIZE, &c) != CHIBO_PARSE_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid external criteria value: %d criteria with flags " INT64_FORMAT,
						(int) (int16) wire_get_u16(bytes),
						(int64) (int32) wire_get_u32(bytes + 2))));
	PG_RETURN_CRITERIA(c);
}

/* Binary output. */
Datum
criteria_send(PG_FUNCTION_ARGS)
{
	CriteriaValue c = PG_GETARG_CRITERIA(0);
	unsigned char bytes[CRITERIA_WIRE_SIZE];
	StringInfoData buf;

	criteria_encode(c, bytes);
	pq_begintypsend(&buf);
	pq_sendbytes(&buf, (const char *) bytes, CRITERIA_WIRE_SIZE);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

#define CRITERIA_CMP_FUNCTION(name, test) \
PG_FUNCTION_INFO_V1(name); \
Datum \
name(PG_FUNCTION_ARGS) \
{ \
	int			c = criteria_cmp(PG_GETARG_CRITERIA(0), PG_GETARG_CRITERIA(1)); \
	PG_RETURN_BOOL(test); \
}

CRITERIA_CMP_FUNCTION(criteria_eq, c == 0)
CRITERIA_CMP_FUNCTION(criteria_ne, c != 0)
CRITERIA_CMP_FUNCTION(criteria_lt, c < 0)
CRITERIA_CMP_FUNCTION(criteria_le, c <= 0)
CRITERIA_CMP_FUNCTION(criteria_gt, c > 0)
CRITERIA_CMP_FUNCTION(criteria_ge, c >= 0)

/* btree support */
Datum
criteria_btree_cmp(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32(criteria_cmp(PG_GETARG_CRITERIA(0), PG_GETARG_CRITERIA(1)));
}

/* hash support */
Datum
criteria_hash(PG_FUNCTION_ARGS)
{
	return hash_uint32((uint32) CriteriaGetDatum(PG_GETARG_CRITERIA(0)));
}

/* extended hash support */
Datum
criteria_hash_extended(PG_FUNCTION_ARGS)
{
	return hash_uint32_extended((uint32) CriteriaGetDatum(PG_GETARG_CRITERIA(0)),
								PG_GETARG_INT64(1));
}

/* criteria_count(criteria): how many criteria the value has. */
Datum
criteria_count(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32(PG_GETARG_CRITERIA(0).n);
}

/* met_count(criteria): how many criteria were met. */
Datum
criteria_met_count(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32(criteria_met(PG_GETARG_CRITERIA(0)));
}

/* all_met(criteria): every criterion met. */
Datum
criteria_all_met(PG_FUNCTION_ARGS)
{
	CriteriaValue c = PG_GETARG_CRITERIA(0);

	PG_RETURN_BOOL(c.flags == criteria_all_flags(c.n));
}

/* The criterion numbers (from 1) whose bit in flags is clear, ascending. */
ArrayType *
criteria_numbers_not_in(int n, uint16 flags)
{
	Datum		numbers[CRITERIA_MAX];
	int			count = 0;
	int			i;

	for (i = 0; i < n; i++)
		if ((flags & (1U << i)) == 0)
			numbers[count++] = Int32GetDatum(i + 1);
	return construct_array(numbers, count, INT4OID, sizeof(int32), true,
						   TYPALIGN_INT);
}

/* unmet_criteria(criteria): numbers of the criteria not met, ascending. */
Datum
criteria_unmet(PG_FUNCTION_ARGS)
{
	CriteriaValue c = PG_GETARG_CRITERIA(0);

	PG_RETURN_ARRAYTYPE_P(criteria_numbers_not_in(c.n, c.flags));
}
