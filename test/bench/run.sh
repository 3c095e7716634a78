#!/usr/bin/env bash
# chibo benchmarks (docs/benchmarks.md).  Run as root from the repository:
#
#   bash test/bench/run.sh [--scale district|city|country] [--only NAME]... [--reps N]
#                          [--members N] [--bulk] [--keep] [--out DIR] [--data DIR]
#
# Starts its own throwaway cluster (user postgres, test/cluster/lib.sh) in
# $BENCH_DIR (default /tmp/bench-cluster) on a free port from 56500, tunes
# it (test/bench/settings.sql), generates the scale's CSV files with
# test/generator/chibo_gen.py into --data (default /tmp/bench-data; kept
# and reused), loads them through the import contract into a database
# bench_<scale> (kept while the cluster is kept), and runs the measurements
# of test/bench/bench.py (--help lists them).  The synthetic measurements
# (aggregates over 10M and 1M rows) run with every scale unless --only
# leaves them out.  Results: --out/results.jsonl (one JSON object per
# measurement) and --out/results.md (default test/bench/results/).
#
# --keep leaves the cluster (and its loaded databases) running for the next
# run; without it the cluster is stopped and its directory removed.
# The installed extension is used: run `make && make install` first.
set -euo pipefail
cd "$(dirname "$0")/../.."
source test/cluster/lib.sh

BENCH_DIR=${BENCH_DIR:-/tmp/bench-cluster}
keep=0
args=()
while (( $# )); do
    case $1 in
        --keep) keep=1 ;;
        *) args+=("$1") ;;
    esac
    shift
done

if ! chibo_cluster_running "$BENCH_DIR"; then
    port=$(chibo_free_port 56500)
    (( port <= 56599 )) || { echo "bench: no free port in 56500-56599" >&2; exit 1; }
    mkdir -p "$BENCH_DIR" && chown postgres "$BENCH_DIR"
    chibo_start_cluster "$BENCH_DIR" "$port"
    psql -X -q -d postgres -f test/bench/settings.sql
    runuser -u postgres -- pg_ctl -D "$BENCH_DIR/data" -w -l "$BENCH_DIR/log" restart >/dev/null
else
    port=$(sed -n 's/^port = \([0-9]*\)$/\1/p' "$BENCH_DIR/data/postgresql.conf" | tail -n1)
fi
export PGHOST=$BENCH_DIR/sock PGPORT=$port PGUSER=postgres PGDATABASE=postgres
echo "bench: cluster $BENCH_DIR on port $port; settings:" \
     "$(psql -XAtc "SELECT string_agg(name || '=' || current_setting(name), ' ' ORDER BY name)
                    FROM pg_settings WHERE source = 'configuration file' AND name NOT LIKE '%directories'
                      AND name NOT LIKE 'cron%' AND name NOT LIKE 'listen%' AND name <> 'port'")"

if (( !keep )); then
    trap 'chibo_stop_cluster "$BENCH_DIR"; rm -rf "$BENCH_DIR"' EXIT
fi
python3 test/bench/bench.py "${args[@]}"
