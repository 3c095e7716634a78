#!/usr/bin/env bash
# Instructions a query costs, counted by valgrind's callgrind in a
# single-user backend (repeatable, unlike times on a shared machine):
#
#   bash test/bench/callgrind.sh DATADIR 'SELECT ...' [OUTFILE]
#
# DATADIR: a stopped cluster (owned by postgres) holding the tables.  Prints
# the instructions of the query minus those of `SELECT 1` (start-up and
# shutdown), and leaves the profile in OUTFILE (callgrind_annotate reads it).
set -euo pipefail
data=$1 query=$2 out=${3:-/tmp/callgrind.out.query}
run() {
    local q=$1 o=$2
    (cd / && runuser -u postgres -- valgrind --tool=callgrind --callgrind-out-file="$o" \
        /usr/lib/postgresql/15/bin/postgres --single -D "$data" \
        -c shared_preload_libraries= -c max_parallel_workers_per_gather=0 -c jit=off \
        postgres <<<"$q" >/dev/null 2>"$o.log")
    sed -n 's/^summary: //p' "$o"
}
install -d -o postgres /tmp/bench-callgrind
base=$(run "SELECT 1;" /tmp/bench-callgrind/base.out)
total=$(run "$query" /tmp/bench-callgrind/query.out)
cp /tmp/bench-callgrind/query.out "$out"
echo "instructions: $((total - base)) (query $total, SELECT 1 $base)"
