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
	sql/security/roles.sql \
	sql/reports/views.sql \
	sql/security/audit.sql \
	sql/security/policies.sql

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

# ---------------------------------------------------------------------------
# fuzz: the libFuzzer targets of the backend-free core (test/fuzz/*.c), built
# with clang-14 and ASan/UBSan into test/fuzz/build/, each run for FUZZ_RUNS
# executions (FUZZ_MAX_TIME seconds at most) from its seeds in
# test/fuzz/corpus/NAME/.  Fails on a crash, a violated property, or fewer
# executions than FUZZ_RUNS.  Logs: test/fuzz/build/fuzz_NAME.log.
#
#   make fuzz [-j2] [FUZZ_RUNS=1000000] [FUZZ_MAX_TIME=120] [FUZZ_MAX_LEN=256]

FUZZ_CC ?= clang-14
FUZZ_RUNS ?= 1000000
FUZZ_MAX_TIME ?= 120
FUZZ_MAX_LEN ?= 256
FUZZ_DIR = test/fuzz
FUZZ_BUILD = $(FUZZ_DIR)/build
FUZZ_TARGETS = $(sort $(patsubst $(FUZZ_DIR)/%.c,%,$(wildcard $(FUZZ_DIR)/fuzz_*.c)))
FUZZ_CORE = src/ratio_core.c src/criteria_core.c src/attendance_core.c
FUZZ_CFLAGS = -std=gnu99 -g -O1 -Wall -Wextra -I src \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all

.PHONY: fuzz fuzz-build
fuzz: $(addprefix fuzz-run-,$(FUZZ_TARGETS))
	@echo "fuzz: $(words $(FUZZ_TARGETS)) targets, each at least $(FUZZ_RUNS) runs, no crash"

fuzz-build: $(addprefix $(FUZZ_BUILD)/,$(FUZZ_TARGETS))

$(FUZZ_BUILD)/fuzz_%: $(FUZZ_DIR)/fuzz_%.c $(FUZZ_DIR)/fuzz_common.h $(FUZZ_CORE) $(wildcard src/*_core.h)
	@mkdir -p $(FUZZ_BUILD)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_CORE) $< -o $@

fuzz-run-fuzz_%: $(FUZZ_BUILD)/fuzz_%
	@mkdir -p $(FUZZ_BUILD)/corpus/$* $(FUZZ_BUILD)/artifacts
	@echo "fuzz: fuzz_$* ($(FUZZ_RUNS) runs, at most $(FUZZ_MAX_TIME) s)"
	@./$< -runs=$(FUZZ_RUNS) -max_total_time=$(FUZZ_MAX_TIME) -max_len=$(FUZZ_MAX_LEN) -timeout=10 \
		-print_final_stats=1 -artifact_prefix=$(FUZZ_BUILD)/artifacts/fuzz_$*- \
		$(FUZZ_BUILD)/corpus/$* $(FUZZ_DIR)/corpus/$* >$(FUZZ_BUILD)/fuzz_$*.log 2>&1 || \
		{ echo "fuzz: fuzz_$* FAILED, last lines of $(FUZZ_BUILD)/fuzz_$*.log:"; \
		  tail -n 40 $(FUZZ_BUILD)/fuzz_$*.log; exit 1; }
	@runs=$$(sed -n 's/^stat::number_of_executed_units: *//p' $(FUZZ_BUILD)/fuzz_$*.log); \
		secs=$$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' $(FUZZ_BUILD)/fuzz_$*.log); \
		test "$${runs:-0}" -ge $(FUZZ_RUNS) || \
		{ echo "fuzz: fuzz_$* FAILED, ran $${runs:-0} of $(FUZZ_RUNS) runs in $$secs s (FUZZ_MAX_TIME)"; exit 1; }; \
		echo "fuzz: fuzz_$* ok, $$runs runs in $$secs s, no crash"

# ---------------------------------------------------------------------------
# Benchmarks (docs/benchmarks.md): `make bench BENCH_ARGS='--scale city'`
# runs test/bench/run.sh (its own throwaway cluster; not part of the tests).
.PHONY: bench
bench:
	bash test/bench/run.sh $(BENCH_ARGS)
