# chibo: PGXS build.
#
#   make              build the module and assemble chibo--VERSION.sql
#   make install      install both into the server found by pg_config
#   make installcheck run test/sql/*.sql and test/specs/*.spec against expected/*.out
#
# CHIBO_CFLAGS adds compiler flags (the test command passes -Werror).

EXTENSION  = chibo
EXTVERSION = $(shell sed -n "s/^default_version *= *'\(.*\)'/\1/p" $(EXTENSION).control)

MODULE_big = chibo
OBJS = \
	src/chibo.o \
	src/ratio_core.o \
	src/criteria_core.o \
	src/attendance_core.o \
	src/ratio.o \
	src/ratio_ops.o \
	src/ratio_agg.o \
	src/criteria.o \
	src/good_status.o \
	src/attendance.o

# The extension script, assembled from its pieces in this order.
# (Pieces live in sub-folders: PG15's pg_regress would take a top-level
# sql/NAME.sql for the test NAME.)
SQL_PIECES = \
	sql/types/ratio.sql \
	sql/types/criteria.sql \
	sql/types/good_status.sql \
	sql/types/attendance.sql \
	sql/aggregates/ratio.sql \
	sql/aggregates/good_status.sql \
	sql/aggregates/attendance.sql \
	sql/tables/units.sql \
	sql/tables/members.sql \
	sql/tables/memberships.sql \
	sql/tables/meetings.sql \
	sql/tables/assessments.sql \
	sql/import/staging.sql \
	sql/import/driver.sql \
	sql/import/files.sql \
	sql/import/import_staged.sql \
	sql/reports/rollups.sql \
	sql/reports/tracking.sql \
	sql/reports/refresh.sql \
	sql/reports/indicators.sql \
	sql/reports/schedule.sql \
	sql/reports/views.sql

# The current version is built from the pieces; released versions are
# frozen in sql/releases/ (full scripts) and sql/upgrades/ (A--B steps), so
# that any released version can be installed and updated to this one.
DATA_built = $(EXTENSION)--$(EXTVERSION).sql
DATA = $(wildcard sql/releases/$(EXTENSION)--*.sql) $(wildcard sql/upgrades/$(EXTENSION)--*--*.sql)

# setup (extension, helpers) runs first; the others in name order.
REGRESS = setup $(sort $(filter-out setup,$(patsubst test/sql/%.sql,%,$(wildcard test/sql/*.sql))))
REGRESS_OPTS = --inputdir=test
# Isolation tests (two sessions at once): test/specs/*.spec.
ISOLATION = $(patsubst test/specs/%.spec,%,$(wildcard test/specs/*.spec))
ISOLATION_OPTS = --inputdir=test --outputdir=.

PG_CFLAGS = -Wall -Wextra $(CHIBO_CFLAGS)

EXTRA_CLEAN = results regression.diffs regression.out

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)

# The server's headers are system headers: -Wextra judges chibo's code only.
PG_CPPFLAGS = -isystem $(shell $(PG_CONFIG) --includedir-server)
include $(PGXS)

# PostgreSQL 16 looks for expected files beside the inputs unless told.
ifeq ($(shell test $(MAJORVERSION) -ge 16 && echo yes),yes)
REGRESS_OPTS += --expecteddir=.
ISOLATION_OPTS += --expecteddir=.
endif

# PGXS does not track headers: rebuild every object when one changes.
$(OBJS): $(wildcard src/*.h)

$(EXTENSION)--$(EXTVERSION).sql: $(SQL_PIECES) $(EXTENSION).control
	cat $(SQL_PIECES) > $@
