/*
 * chibo.c
 *	  The module's magic block.  Each type and aggregate lives in its own
 *	  file; see ratio.c, criteria.c, good_status.c and attendance.c.
 */
#include "postgres.h"
#include "fmgr.h"

PG_MODULE_MAGIC;
