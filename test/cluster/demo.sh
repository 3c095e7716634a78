#!/usr/bin/env bash
# chibo demo:  bash test/cluster/demo.sh   (as root)
#
# Installs missing packages, builds and installs chibo, (re)starts a
# persistent PostgreSQL 15 cluster in /tmp/chibo-demo, creates a fresh
# database chibo_demo with the extension, generates the demo district and
# imports it through the CSV contract, and runs test/demo/demo.sql: it
# refreshes the report rollups and prints the district's published report
# (December 2021 to May 2024) and the lists of cells and members needing
# attention.
# The cluster keeps running afterwards; the end of the output says how to
# connect and how to stop it.
#
#   CHIBO_DEMO_PORT   TCP port (default 55433)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
# shellcheck source=test/cluster/lib.sh
source test/cluster/lib.sh

DEMO_DIR=/tmp/chibo-demo
PORT=${CHIBO_DEMO_PORT:-55433}
DB=chibo_demo

hints() {
    echo
    echo "Connect:  psql -h $DEMO_DIR/sock -p $PORT -U postgres $DB"
    echo "Stop:     runuser -u postgres -- $CHIBO_PG_BIN/pg_ctl -D $DEMO_DIR/data stop"
    echo "Logs:     $DEMO_DIR/log (server), $CHIBO_LOG_DIR/build.log (build)"
}

fail() {
    echo "demo: $1" >&2
    exit 1
}

[[ $EUID -eq 0 ]] || fail "must run as root (the server itself runs as user postgres)"
chibo_install_deps || fail "could not install the Debian packages"
chibo_build_install "" || fail "build failed"

# Restart a demo cluster left running by a previous run; keep its data dir.
if chibo_cluster_running "$DEMO_DIR"; then
    echo "demo: stopping the demo cluster already running in $DEMO_DIR"
    chibo_stop_cluster "$DEMO_DIR"
fi
if chibo_port_busy "$PORT"; then
    fail "port $PORT is in use; pick another with CHIBO_DEMO_PORT=..."
fi
chibo_start_cluster "$DEMO_DIR" "$PORT" || fail "the demo cluster did not start"

# Fresh database with the extension.
PGOPTIONS="-c client_min_messages=warning" dropdb --if-exists --force "$DB" || { hints; fail "could not drop database $DB"; }
createdb "$DB" || { hints; fail "could not create database $DB"; }
psql -X -q -v ON_ERROR_STOP=1 -d "$DB" -c 'CREATE EXTENSION chibo' ||
    { hints; fail "CREATE EXTENSION chibo failed"; }
echo "demo: database $DB created with extension chibo"

# The demo district: generated (test/generator, seed 1) and loaded through
# the import contract, as a committee's staff would load their files.
echo "demo: generating the Tây Hồ district (docs/generator.md) in $DEMO_DIR/district"
python3 test/generator/chibo_gen.py --scale district --quiet --out "$DEMO_DIR/district" ||
    { hints; fail "the generator failed"; }
echo "demo: importing it with the contract's \\copy lines and chibo.import_staged()"
chibo_import_dir "$DB" "$DEMO_DIR/district" || { hints; fail "the import failed"; }

rc=0
if [[ -f test/demo/demo.sql ]]; then
    echo "demo: running test/demo/demo.sql"
    psql -X -v ON_ERROR_STOP=1 -d "$DB" -f test/demo/demo.sql || rc=$?
    (( rc == 0 )) || echo "demo: test/demo/demo.sql FAILED (psql exit status $rc)" >&2
else
    echo "demo: test/demo/demo.sql not found, skipped"
fi

hints
exit "$rc"
