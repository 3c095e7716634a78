#!/usr/bin/env bash
# chibo test suite:  bash test/cluster/check.sh   (as root)
#
# Installs missing packages, builds chibo with -Werror and installs it, starts
# a throwaway PostgreSQL 15 cluster (in /tmp/chibo-test.XXXXXX, removed at
# exit), runs every test stage and prints "N passed, M failed" as the very
# last line.  Exit status is 1 if anything failed.
#
# Stages: unit (the C core under ASan/UBSan), pg_regress (test/sql and the
# isolation tests of test/specs), pgTAP (test/pgtap: catalogue, roles and
# row-level security, audit), restore (pg_dump and pg_restore keep every
# table and report), upgrade (0.1.0 updated equals a fresh install),
# generated_import (a generated district through the CSV contract, twice),
# JDBC (the report views as a BI login sees them through the PostgreSQL
# JDBC driver, test/bi), pg_cron (scheduled refreshes run by the real
# pg_cron), crash (kill -9 during import and refresh), concurrency
# (pgbench: writers, readers, refreshes) and fuzz (libFuzzer on the C
# core's parsers).
#
#   CHIBO_TEST_PORT   first TCP port to try (default 55432)
#   CHIBO_LOG_DIR     where logs are kept (default /tmp/chibo-logs)
#
# pg_regress leaves results/ and regression.diffs in the checkout.
# shellcheck disable=SC2317  # functions are called indirectly (trap, stage)
set -euo pipefail

exec 2>&1   # one ordered stream: the totals line is always the last line
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
# shellcheck source=test/cluster/lib.sh
source test/cluster/lib.sh

EXTENSION=${CHIBO_EXTENSION:-chibo}   # override only to test this harness

TOTAL_PASSED=0 TOTAL_FAILED=0 TOTAL_SKIPPED=0
STAGE_PASSED=0 STAGE_FAILED=0 STAGE_SKIPPED=0
SUMMARY=()          # one "stage: X passed, Y failed" line per stage
TEST_DIR=""         # throwaway cluster directory
FINAL_PRINTED=0

# Print the totals as the very last line.
final_line() {
    FINAL_PRINTED=1
    echo "$TOTAL_PASSED passed, $TOTAL_FAILED failed"
}

# A step before the tests failed: say why, count one failure, stop.
setup_failed() {
    echo "check: $1"
    chibo_stop_cluster "$TEST_DIR"
    TOTAL_FAILED=$((TOTAL_FAILED + 1))
    final_line
    exit 1
}

# EXIT trap: stop the cluster and remove its directory, silently.  Only if
# the script died before printing the totals (error, Ctrl-C) does it print
# a reason and a totals line with one extra failure, so that the last line
# is always "N passed, M failed".
cleanup() {
    local rc=$?
    set +e
    trap - EXIT INT TERM
    if [[ -n $TEST_DIR ]]; then
        chibo_stop_cluster "$TEST_DIR"
        mkdir -p "$CHIBO_LOG_DIR" && cp "$TEST_DIR/log" "$CHIBO_LOG_DIR/server.log" 2>/dev/null
        [[ $TEST_DIR == /tmp/chibo-test.* ]] && rm -rf -- "$TEST_DIR"
    fi
    if (( ! FINAL_PRINTED )); then
        echo "check: aborted (exit status $rc)"
        echo "$TOTAL_PASSED passed, $((TOTAL_FAILED + 1)) failed"
        (( rc != 0 )) || rc=1
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------------------
# stage NAME CMD [ARGS...]
#
# Runs CMD (a shell function) in this shell.  CMD reports its counts by
# setting STAGE_PASSED, STAGE_FAILED and STAGE_SKIPPED (all reset to 0
# first).  If CMD returns non-zero but counted no failure, that counts as
# one failure.  Note: `set -e` is off inside CMD, check exit codes yourself.
stage() {
    local name=$1 rc=0 line begin=$SECONDS
    shift
    STAGE_PASSED=0 STAGE_FAILED=0 STAGE_SKIPPED=0
    echo
    echo "=== $name"
    "$@" || rc=$?
    if (( rc != 0 && STAGE_FAILED == 0 )); then
        echo "$name: exited with status $rc without a counted failure: counting 1 failure"
        STAGE_FAILED=1
    fi
    line="$name: $STAGE_PASSED passed, $STAGE_FAILED failed"
    (( STAGE_SKIPPED == 0 )) || line+=", $STAGE_SKIPPED skipped"
    line+=" ($((SECONDS - begin)) s)"
    echo "$line"
    SUMMARY+=("$line")
    TOTAL_PASSED=$((TOTAL_PASSED + STAGE_PASSED))
    TOTAL_FAILED=$((TOTAL_FAILED + STAGE_FAILED))
    TOTAL_SKIPPED=$((TOTAL_SKIPPED + STAGE_SKIPPED))
}

# a) pg_regress through PGXS: test/sql/*.sql against expected/*.out.
#    Counts "... ok" lines as passed, "... FAILED"/"... failed" as failed.
run_pg_regress() {
    local log=$CHIBO_LOG_DIR/pg_regress.log rc=0 diffs
    make installcheck PG_CONFIG="$PG_CONFIG" 2>&1 | tee "$log" || rc=$?
    STAGE_PASSED=$(grep -c -- '\.\.\. ok' "$log" || true)
    STAGE_FAILED=$(grep -cE -- '\.\.\. (FAILED|failed)' "$log" || true)
    if (( rc != 0 )); then
        # pg_regress names the diffs file in its output; default ./regression.diffs
        diffs=$(grep -o 'file "[^"]*regression\.diffs"' "$log" | tail -n 1 | cut -d'"' -f2 || true)
        [[ -n $diffs ]] || diffs=regression.diffs
        if [[ -s $diffs ]]; then
            echo "--- $diffs (first 200 lines)"
            head -n 200 "$diffs"
        fi
    fi
    return "$rc"
}

# b) pgTAP: every test/pgtap/*.sql, in a fresh database chibo_tap.
#    "ok" = passed, "not ok" = failed; "# TODO" counts as passed and
#    "ok ... # SKIP" as skipped.
run_pgtap() {
    local log=$CHIBO_LOG_DIR/pgtap.log rc=0 counts
    psql -X -q -v ON_ERROR_STOP=1 -d postgres -c 'SET client_min_messages = warning' \
        -c 'DROP DATABASE IF EXISTS chibo_tap' -c 'CREATE DATABASE chibo_tap' || return 1
    if ! psql -X -q -v ON_ERROR_STOP=1 -d chibo_tap \
            -c 'CREATE EXTENSION pgtap' -c "CREATE EXTENSION $EXTENSION"; then
        echo "pgTAP: could not create the extensions pgtap and $EXTENSION"
        return 1
    fi
    pg_prove --verbose -d chibo_tap test/pgtap/*.sql 2>&1 | tee "$log" || rc=$?
    counts=$(awk '
        { l = tolower($0) }
        /^ok /     { if (l ~ /(^|[^\\])#[ \t]*skip/) s++; else p++ }
        /^not ok / { if (l ~ /(^|[^\\])#[ \t]*todo/) p++; else f++ }
        END        { print p + 0, f + 0, s + 0 }' "$log")
    read -r STAGE_PASSED STAGE_FAILED STAGE_SKIPPED <<<"$counts"
    echo "pg_prove summary: $(grep -E '^(Files=|Result:)' "$log" | tr '\n' ' ')"
    return "$rc"   # non-zero with no "not ok": a file died or the plan was wrong
}

# c) Unit tests of the backend-free core, built without PostgreSQL headers
#    and with AddressSanitizer and UBSan: TAP, counted like pgTAP.
run_unit() {
    local log=$CHIBO_LOG_DIR/unit.log bin=$CHIBO_LOG_DIR/core_test rc=0 counts
    if ! cc -std=gnu99 -Wall -Wextra -Werror -O1 -g -fsanitize=address,undefined \
            -fno-sanitize-recover=all -I src src/ratio_core.c src/criteria_core.c \
            src/attendance_core.c test/unit/core_test.c -o "$bin"; then
        echo "unit: the core tests did not compile"
        return 1
    fi
    "$bin" >"$log" 2>&1 || rc=$?
    grep -v '^ok ' "$log" || true     # show only what is not ok
    counts=$(awk '/^ok / { p++ } /^not ok / { f++ } END { print p + 0, f + 0 }' "$log")
    read -r STAGE_PASSED STAGE_FAILED <<<"$counts"
    return "$rc"
}

# d) (Dump and restore: test/cluster/restore_stage.sh, below.)

# e) A generated district through the contract: the generator's own checks
#    (contract self-test, the published figures, same seed same bytes),
#    then the contract's \copy lines and import_staged() into a fresh
#    database: every row accepted, none rejected; a second import of the
#    same files accepts every row again and rewrites none.
GEN_CHECK_LOG=""
gen_check() {   # gen_check WHAT CMD...: one counted check; output to the log
    local what=$1
    shift
    if "$@" >>"$GEN_CHECK_LOG" 2>&1; then
        echo "ok - $what"
        STAGE_PASSED=$((STAGE_PASSED + 1))
    else
        echo "not ok - $what (see $GEN_CHECK_LOG)"
        STAGE_FAILED=$((STAGE_FAILED + 1))
    fi
}
import_counts_ok() {   # import_counts_ok DB DIR: each file's rows all accepted
    local db=$1 dir=$2 out f lines acc rej bad=0
    out=$(chibo_import_dir "$db" "$dir" | sed -n 's/^ *\([a-z_]*\.csv\) *| *\([0-9]*\) *| *\([0-9]*\)$/\1 \2 \3/p')
    echo "$out"
    while read -r f acc rej; do
        lines=$(($(wc -l <"$dir/$f") - 1))
        if (( acc != lines || rej != 0 )); then
            echo "$f: $lines rows, $acc accepted, $rej rejected"
            bad=1
        fi
    done <<<"$out"
    [[ $(wc -l <<<"$out") -eq 9 ]] && (( bad == 0 ))
}
table_versions() {   # table_versions DB: a hash of every chibo table's rows and row versions
    local t
    for t in units members memberships exemptions meetings attendance task_registrations assessments classifications; do
        psql -X -At -d "$1" -c "SELECT '$t ' || md5(string_agg(x::text || ' ' || x.xmin::text, ',' ORDER BY x.id)) FROM chibo.$t x"
    done
}
run_generated_import() {
    local gen=test/generator/chibo_gen.py dir=$TEST_DIR/district db=chibo_generated before after
    local window=(--unit TH --first-month 2021-12 --last-month 2024-05)
    GEN_CHECK_LOG=$CHIBO_LOG_DIR/generated_import.log
    : >"$GEN_CHECK_LOG"
    python3 "$gen" --scale district --quiet --out "$dir" >>"$GEN_CHECK_LOG" 2>&1 || { echo "generator failed"; return 1; }
    gen_check "generated district passes the contract self-test" python3 "$gen" --self-test "$dir"
    gen_check "generated district gives the published figures (generator's own report)" \
        python3 "$gen" --report "$dir" "${window[@]}" --expect-published
    python3 "$gen" --scale district --quiet --out "$dir.again" >>"$GEN_CHECK_LOG" 2>&1
    gen_check "same seed, same bytes" diff -r "$dir" "$dir.again"
    psql -X -q -v ON_ERROR_STOP=1 -d postgres -c 'SET client_min_messages = warning' \
        -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" || return 1
    psql -X -q -v ON_ERROR_STOP=1 -d "$db" -c "CREATE EXTENSION $EXTENSION" || return 1
    gen_check "district imported through the contract: every row accepted" import_counts_ok "$db" "$dir"
    before=$(table_versions "$db")
    gen_check "the same files imported again: every row accepted again" import_counts_ok "$db" "$dir"
    after=$(table_versions "$db")
    gen_check "the second import rewrote no row (contents and row versions unchanged)" test -n "$before" -a "$before" = "$after"
    psql -X -q -d "$db" -c 'SET client_min_messages = warning' -c 'SELECT count(*) FROM chibo.refresh_reports()' >>"$GEN_CHECK_LOG" 2>&1
    gen_check "chibo.indicators() gives the published figures: 7.126/7.560 (94%), 6.804/7.560 (90%), 230/269" \
        test "$(psql -X -At -d "$db" -c "SELECT concat_ws(' ', active_members, task_registration_text, four_good_text,
                                                       cells_passing || '/' || cells_total)
                                         FROM chibo.indicators('TH', '2021-12-01', '2024-05-31')")" \
             = "7560 7.126/7.560 (94%) 6.804/7.560 (90%) 230/269"
    psql -X -q -d postgres -c "DROP DATABASE $db"
    rm -rf "$dir" "$dir.again"
}

# f) A BI tool's view of the reports: the generated district through the
#    contract and refresh_reports() (chibo_district_db of lib.sh), then
#    test/bi/BiCheck.java over JDBC (Debian's PostgreSQL driver, the one
#    Metabase bundles) syncs schema chibo_report as Metabase does, reads
#    every value of every view and compares headline with indicators(),
#    logged in as a member of chibo_reader (which may not read members).
#    TAP, counted like pgTAP.
run_jdbc() {
    local log=$CHIBO_LOG_DIR/jdbc.log load=$CHIBO_LOG_DIR/jdbc_load.log
    local db=chibo_bi dir=$TEST_DIR/bi jar=/usr/share/java/postgresql.jar rc=0 counts
    mkdir -p "$dir/classes" || return 1
    javac -d "$dir/classes" test/bi/BiCheck.java || { echo "JDBC: test/bi/BiCheck.java did not compile"; return 1; }
    if ! chibo_district_db "$db" >"$load" 2>&1; then
        echo "JDBC: loading the district into $db failed; last lines of $load:"
        tail -n 20 "$load"
        return 1
    fi
    echo "JDBC: district loaded into $db and reports refreshed (log: $load)"
    # The BI tool logs in as a member of chibo_reader, as docs/bi.md says;
    # the headline is compared with indicators() as an admin (postgres).
    psql -X -q -d postgres -c 'DROP ROLE IF EXISTS chibo_bi_check' -c 'CREATE ROLE chibo_bi_check LOGIN IN ROLE chibo_reader' || return 1
    java -cp "$dir/classes:$jar" BiCheck 127.0.0.1 "$PGPORT" "$db" chibo_bi_check postgres 2>&1 | tee "$log" || rc=$?
    counts=$(awk '/^ok / { p++ } /^not ok / { f++ } END { print p + 0, f + 0 }' "$log")
    read -r STAGE_PASSED STAGE_FAILED <<<"$counts"
    psql -X -q -d postgres -c "DROP DATABASE $db" -c 'DROP ROLE chibo_bi_check'
    rm -rf "$dir"
    return "$rc"   # non-zero with no "not ok": the program died
}

# g) pg_cron: schedule_refresh() and unschedule_refresh() with the real
#    pg_cron of the cluster; the jobs run and succeed (waits up to about
#    70 seconds).  In test/cluster/cron_stage.sh.
# shellcheck source=test/cluster/cron_stage.sh
source test/cluster/cron_stage.sh

# h) Dump and restore keep every table and report; ALTER EXTENSION UPDATE
#    from the oldest release equals a fresh install (docs/upgrades.md).
# shellcheck source=test/cluster/restore_stage.sh
source test/cluster/restore_stage.sh
# shellcheck source=test/cluster/upgrade_stage.sh
source test/cluster/upgrade_stage.sh
# i) Crashes: kill -9 during import_staged() and refresh_reports(); nothing
#    half-applied or lost (docs/durability.md).
# shellcheck source=test/cluster/crash_stage.sh
source test/cluster/crash_stage.sh
# j) Writers, readers and the refresh loop at once (pgbench,
#    test/cluster/pgbench/; docs/durability.md).
# shellcheck source=test/cluster/concurrency_stage.sh
source test/cluster/concurrency_stage.sh
# k) libFuzzer on the text parsers and binary receive of the C core
#    (docs/hardening.md).
# shellcheck source=test/cluster/fuzz_stage.sh
source test/cluster/fuzz_stage.sh

# More stages: write a run_xxx function that sets STAGE_* and add a
# `stage` line below.

# ---------------------------------------------------------------------------
echo "chibo check in $ROOT (logs in $CHIBO_LOG_DIR)"
[[ $EUID -eq 0 ]] || setup_failed "must run as root (the server itself runs as user postgres)"
chibo_install_deps || setup_failed "could not install the Debian packages"
chibo_build_install -Werror || setup_failed "build failed (with -Werror)"

TEST_DIR=$(mktemp -d /tmp/chibo-test.XXXXXX) || setup_failed "mktemp failed"
chown postgres:postgres "$TEST_DIR" || setup_failed "cannot chown $TEST_DIR to postgres"
port=$(chibo_free_port "${CHIBO_TEST_PORT:-55432}") || setup_failed "no free TCP port"
chibo_start_cluster "$TEST_DIR" "$port" || setup_failed "the test cluster did not start"

stage unit run_unit
stage pg_regress run_pg_regress
if compgen -G 'test/pgtap/*.sql' >/dev/null; then
    stage pgTAP run_pgtap
else
    echo "pgTAP: no test/pgtap/*.sql, stage skipped"
fi
stage restore run_restore
stage upgrade run_upgrade
stage generated_import run_generated_import
stage JDBC run_jdbc
stage pg_cron run_cron
stage crash run_crash
stage concurrency run_concurrency
stage fuzz run_fuzz

chibo_stop_cluster "$TEST_DIR"
echo
echo "=== summary"
for line in "${SUMMARY[@]}"; do echo "$line"; done
(( TOTAL_SKIPPED == 0 )) || echo "($TOTAL_SKIPPED skipped)"
final_line
(( TOTAL_FAILED == 0 )) || exit 1
exit 0
