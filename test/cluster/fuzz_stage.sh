# shellcheck shell=bash
# The fuzz stage of check.sh (sourced by it): the libFuzzer targets of the
# backend-free core (test/fuzz/fuzz_*.c, see docs/hardening.md), built with
# clang-14, AddressSanitizer and UBSan by `make fuzz`, each run for at least
# CHIBO_FUZZ_RUNS executions (default 1,000,000), CHIBO_FUZZ_MAX_TIME
# seconds at most (default 120), as many at once as there are cores.
#
# One counted check per target: it was built, it ran at least
# CHIBO_FUZZ_RUNS executions, and it found no crash (no sanitizer report,
# no violated property, no crash file).  Needs the Debian packages clang-14
# and libclang-rt-14-dev; needs no cluster.  Logs: $CHIBO_LOG_DIR/fuzz.log
# and test/fuzz/build/fuzz_NAME.log (copied to $CHIBO_LOG_DIR/fuzz/).
#
# Uses check.sh's counters (STAGE_PASSED, STAGE_FAILED) and lib.sh's
# CHIBO_LOG_DIR and PG_CONFIG.

run_fuzz() {
    local runs_wanted=${CHIBO_FUZZ_RUNS:-1000000} max_time=${CHIBO_FUZZ_MAX_TIME:-120}
    local build=test/fuzz/build log=$CHIBO_LOG_DIR/fuzz.log begin=$SECONDS rc=0
    local f t tlog runs secs problem jobs
    local -a targets=()

    for f in test/fuzz/fuzz_*.c; do
        [[ -e $f ]] && targets+=("$(basename "$f" .c)")
    done
    if (( ${#targets[@]} == 0 )); then
        echo "fuzz: no fuzz targets (test/fuzz/fuzz_*.c)"
        return 1
    fi
    mkdir -p "$CHIBO_LOG_DIR/fuzz" "$build/artifacts" || return 1
    if ! command -v clang-14 >/dev/null; then
        for t in "${targets[@]}"; do
            echo "not ok - $t: not built, clang-14 is not installed (packages clang-14 libclang-rt-14-dev)"
            STAGE_FAILED=$((STAGE_FAILED + 1))
        done
        return 1
    fi

    # Fresh logs and crash files, so that nothing of an earlier run counts.
    rm -f "$build"/fuzz_*.log "$build"/artifacts/* "$CHIBO_LOG_DIR"/fuzz/*
    jobs=$(nproc 2>/dev/null || echo 2)
    echo "fuzz: ${#targets[@]} targets, $runs_wanted runs each (at most $max_time s each), $jobs at a time"
    make -k -j"$jobs" fuzz PG_CONFIG="$PG_CONFIG" FUZZ_RUNS="$runs_wanted" \
        FUZZ_MAX_TIME="$max_time" >"$log" 2>&1 || rc=$?

    for t in "${targets[@]}"; do
        tlog=$build/$t.log
        problem=""
        if [[ ! -x $build/$t ]] || grep -q "\[$build/$t\] Error" "$log"; then
            problem="not built (see $log)"
        elif [[ ! -s $tlog ]]; then
            problem="did not run (see $log)"
        else
            cp "$tlog" "$CHIBO_LOG_DIR/fuzz/" 2>/dev/null
            runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$tlog" | tail -n 1)
            secs=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$tlog" | tail -n 1)
            if grep -qE '^==[0-9]+==ERROR|runtime error:|property violated|deadly signal|libFuzzer: (timeout|out-of-memory)' "$tlog" ||
               compgen -G "$build/artifacts/$t-*" >/dev/null; then
                problem="crashed: $(grep -m 1 -E 'ERROR|runtime error:|property violated|deadly signal' "$tlog"); crash input in $build/artifacts/"
            elif [[ -z $runs ]] || (( runs < runs_wanted )); then
                problem="ran ${runs:-0} of $runs_wanted executions in ${secs:-?} s"
            fi
        fi
        if [[ -z $problem ]]; then
            echo "ok - $t: $runs executions in $secs s, no crash"
            STAGE_PASSED=$((STAGE_PASSED + 1))
        else
            echo "not ok - $t: $problem"
            STAGE_FAILED=$((STAGE_FAILED + 1))
        fi
    done
    echo "fuzz: stage took $((SECONDS - begin)) s (make exit status $rc, log $log)"
    (( STAGE_FAILED == 0 && rc == 0 ))
}
