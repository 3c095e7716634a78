#!/usr/bin/env bash
# Run some stages of check.sh alone, on a cluster of their own (as root):
#
#   bash test/cluster/run_stages.sh STAGE_FILE:FUNCTION...
#   e.g. bash test/cluster/run_stages.sh test/cluster/restore_stage.sh:run_restore
#
# Builds and installs the extension (unless CHIBO_NO_BUILD=1), starts the
# cluster in CHIBO_STAGE_DIR (default /tmp/chibo-stages; kept, and reused
# if already running) on the first free port from CHIBO_STAGE_PORT
# (default 56300), sources each STAGE_FILE and runs FUNCTION as check.sh's
# `stage` would: counters, one summary line per stage, the time it took.
# Stops the cluster at the end unless CHIBO_KEEP_CLUSTER=1.  Exit status 1
# if anything failed.
set -euo pipefail
exec 2>&1
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
# shellcheck source=test/cluster/lib.sh
source test/cluster/lib.sh

TEST_DIR=${CHIBO_STAGE_DIR:-/tmp/chibo-stages}
STAGE_PASSED=0 STAGE_FAILED=0 STAGE_SKIPPED=0
TOTAL_FAILED=0
started=0

stop() {
    if (( started )) && [[ ${CHIBO_KEEP_CLUSTER:-0} != 1 ]]; then
        chibo_stop_cluster "$TEST_DIR"
    fi
}
trap stop EXIT

(( $# > 0 )) || { echo "usage: $0 STAGE_FILE:FUNCTION..."; exit 2; }
mkdir -p "$CHIBO_LOG_DIR"
if [[ ${CHIBO_NO_BUILD:-0} != 1 ]]; then   # no `make clean`: others may share the checkout
    { make PG_CONFIG="$PG_CONFIG" && make install PG_CONFIG="$PG_CONFIG"; } >"$CHIBO_LOG_DIR/build.log" 2>&1 ||
        { echo "build failed; last lines of $CHIBO_LOG_DIR/build.log:"; tail -n 20 "$CHIBO_LOG_DIR/build.log"; exit 1; }
    echo "build: ok, installed (log: $CHIBO_LOG_DIR/build.log)"
fi
mkdir -p "$TEST_DIR" && chown postgres:postgres "$TEST_DIR"
if chibo_cluster_running "$TEST_DIR"; then
    port=$(sed -n 's/^port = //p' "$TEST_DIR/data/postgresql.conf" | tail -n 1)
    export PGHOST=$TEST_DIR/sock PGPORT=$port PGUSER=postgres PGDATABASE=postgres
    echo "cluster: already running on port $port"
else
    port=$(chibo_free_port "${CHIBO_STAGE_PORT:-56300}")
    chibo_start_cluster "$TEST_DIR" "$port"
    started=1
fi

for spec in "$@"; do
    file=${spec%%:*} fn=${spec##*:}
    # shellcheck source=/dev/null
    source "$file"
    STAGE_PASSED=0 STAGE_FAILED=0 STAGE_SKIPPED=0
    echo
    echo "=== $fn ($file)"
    begin=$SECONDS rc=0
    set +e
    "$fn" || rc=$?
    set -e
    if (( rc != 0 && STAGE_FAILED == 0 )); then
        echo "$fn: exited with status $rc without a counted failure: counting 1 failure"
        STAGE_FAILED=1
    fi
    echo "$fn: $STAGE_PASSED passed, $STAGE_FAILED failed, $STAGE_SKIPPED skipped, $((SECONDS - begin)) s"
    TOTAL_FAILED=$((TOTAL_FAILED + STAGE_FAILED))
done
(( TOTAL_FAILED == 0 ))
