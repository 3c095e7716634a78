#!/usr/bin/env bash
# Run chibo's regression suite against a PostgreSQL 15 server under
# valgrind (memcheck), then summarise the errors: those whose stack has a
# frame in chibo.so, and the others.   Usage (as root, from anywhere):
#
#   bash test/valgrind/run.sh
#
# It installs the checkout (make install), starts its own throwaway cluster
# in $VG_DIR (default /tmp/chibo-valgrind) as user postgres with the
# postmaster under valgrind (every backend is a fork of it, so every backend
# runs under valgrind too), runs pg_regress over test/sql/*.sql and the
# isolation tests of test/specs, stops the server and prints the summary.
# Exit status 1 if an error has a chibo.so frame, or if the server did not
# start.  A failing regression test is reported but does not by itself fail
# the run (timing under valgrind can change plans and waits).
#
#   VG_DIR        cluster and logs (default /tmp/chibo-valgrind)
#   VG_PORT       first port to try (default 56150)
#   VG_TIMEOUT    seconds allowed for each pg_regress run (default 5400)
#   VG_TESTS      the tests of test/sql to run, in this order (default:
#                 setup, then every other test/sql/*.sql in name order)
#   VG_SKIP_ISOLATION=1   run only test/sql
#   VG_NO_BUILD=1         do not build and install the checkout first
#
# Under valgrind the suite is 30 to 50 times slower than without it; two
# runs with different VG_DIR and VG_TESTS can share the work.
#
# Debian's server is not built with USE_VALGRIND: palloc'd memory is not
# marked undefined, so memcheck sees less than it would with a USE_VALGRIND
# build; what it still catches is reads and writes outside malloc'd blocks,
# shared memory and stack, and uses of never-written bytes of malloc'd
# blocks.  test/valgrind/postgres.supp silences PostgreSQL's own known
# reports (padding bytes written to WAL and sockets, and the like); it names
# no chibo function.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
# shellcheck source=test/cluster/lib.sh
source test/cluster/lib.sh

VG_DIR=${VG_DIR:-/tmp/chibo-valgrind}
VG_TIMEOUT=${VG_TIMEOUT:-5400}
SUPP=$ROOT/test/valgrind/postgres.supp
LOGS=$VG_DIR/valgrind
OUT=$VG_DIR/regress
BIN=$CHIBO_PG_BIN

[[ $EUID -eq 0 ]] || { echo "valgrind: run as root (the server runs as user postgres)"; exit 1; }
command -v valgrind >/dev/null || { echo "valgrind: not installed (apt-get install valgrind)"; exit 1; }
[[ $VG_DIR == /tmp/* ]] || { echo "valgrind: VG_DIR must be under /tmp"; exit 1; }

started=$(date +%s)
port=$(chibo_free_port "${VG_PORT:-56150}")
echo "valgrind: $(valgrind --version), cluster $VG_DIR, port $port"

rm -rf -- "$VG_DIR"
install -d -o postgres -g postgres -m 0755 "$VG_DIR" "$LOGS"
install -d -m 0755 "$OUT"
ln -s "$ROOT/expected" "$OUT/expected"

if [[ ${VG_NO_BUILD:-0} != 1 ]]; then
    if ! { make -s PG_CONFIG="$PG_CONFIG" && make -s install PG_CONFIG="$PG_CONFIG"; } \
            >"$VG_DIR/build.log" 2>&1; then
        echo "valgrind: build failed, see $VG_DIR/build.log"
        exit 1
    fi
fi

# initdb and our settings through the shared helper, then stop: the server
# is started again below, by hand, under valgrind.
chibo_start_cluster "$VG_DIR" "$port" >/dev/null
chibo_stop_cluster "$VG_DIR"
cat >>"$VG_DIR/data/postgresql.conf" <<CONF
# valgrind run (test/valgrind/run.sh): no preloaded library, no JIT, no
# autovacuum noise; generous timeouts.
shared_preload_libraries = ''
jit = off
autovacuum = off
huge_pages = off
max_worker_processes = 8
CONF

VG_OPTS=(
    --tool=memcheck --trace-children=yes --child-silent-after-fork=no
    --track-origins=yes --read-var-info=no --num-callers=40 --fullpath-after=
    --leak-check=no --error-limit=no --gen-suppressions=all
    --suppressions="$SUPP"
    --log-file="$LOGS/%p.log"
)

stop_server() {
    [[ -f $VG_DIR/data/postmaster.pid ]] || return 0
    _chibo_as_postgres "$BIN/pg_ctl" -D "$VG_DIR/data" -m fast -w -t 600 stop >/dev/null 2>&1 ||
        _chibo_as_postgres "$BIN/pg_ctl" -D "$VG_DIR/data" -m immediate -w -t 120 stop >/dev/null 2>&1 || true
}
trap stop_server EXIT

# The postmaster, under valgrind, as postgres, in the background.
(cd / && runuser -u postgres -- valgrind "${VG_OPTS[@]}" "$BIN/postgres" -D "$VG_DIR/data" \
    >"$VG_DIR/log" 2>&1 &)
export PGHOST=$VG_DIR/sock PGPORT=$port PGUSER=postgres PGDATABASE=postgres
for _ in $(seq 1 300); do
    "$BIN/pg_isready" -q && break
    sleep 1
done
"$BIN/pg_isready" -q || { echo "valgrind: the server did not start; see $VG_DIR/log"; tail -n 20 "$VG_DIR/log"; exit 1; }
echo "valgrind: server up after $(( $(date +%s) - started )) s"

regress_rc=0
if [[ -n ${VG_TESTS:-} ]]; then
    read -r -a tests <<<"$VG_TESTS"
else
    tests=(setup)
    for f in test/sql/*.sql; do
        t=$(basename "$f" .sql)
        [[ $t == setup ]] || tests+=("$t")
    done
fi
pg_regress=$(dirname "$("$PG_CONFIG" --pgxs)")/../test/regress/pg_regress
t0=$(date +%s)
timeout "$VG_TIMEOUT" "$pg_regress" --inputdir=test --outputdir="$OUT" --bindir="$BIN" \
    --dbname=chibo_valgrind "${tests[@]}" >"$OUT/pg_regress.log" 2>&1 || regress_rc=$?
cat "$OUT/pg_regress.log"
echo "valgrind: pg_regress took $(( $(date +%s) - t0 )) s (exit status $regress_rc)"

iso_rc=0
if [[ ${VG_SKIP_ISOLATION:-0} != 1 ]] && compgen -G 'test/specs/*.spec' >/dev/null; then
    iso=$(dirname "$pg_regress")/../isolation/pg_isolation_regress
    specs=()
    for f in test/specs/*.spec; do specs+=("$(basename "$f" .spec)"); done
    install -d -m 0755 "$OUT/iso"
    ln -s "$ROOT/expected" "$OUT/iso/expected"
    t0=$(date +%s)
    timeout "$VG_TIMEOUT" "$iso" --inputdir=test --outputdir="$OUT/iso" --bindir="$BIN" \
        --dbname=chibo_valgrind_iso "${specs[@]}" >"$OUT/isolation.log" 2>&1 || iso_rc=$?
    cat "$OUT/isolation.log"
    echo "valgrind: isolation tests took $(( $(date +%s) - t0 )) s (exit status $iso_rc)"
fi

stop_server
trap - EXIT
echo "valgrind: whole run $(( $(date +%s) - started )) s; logs in $LOGS, regression output in $OUT"

# Summary: every error block of every process's log, classified as chibo's
# when a frame of its stack, or of the stack that allocated the uninitialised
# memory, is in chibo.so or in one of chibo's source files (src/*.c).
python3 - "$LOGS" "$ROOT"/src/*.c <<'PY'
import collections, glob, os, re, sys
logs, sources = sys.argv[1], [os.path.basename(p) for p in sys.argv[2:]]
chibo_frame = re.compile(r'chibo\.so|/src/(%s):\d+' % '|'.join(map(re.escape, sources)))
frame = re.compile(r'(?:at|by) 0x[0-9A-F]+: (.+?) \((.*)\)$')
noise_fn = re.compile(r'^(\?\?\?|_IO_|__?memcpy|memmove|write|pwrite|send|fwrite|new_do_write|'
                      r'malloc|calloc|realloc|__libc|AllocSet|palloc|repalloc|MemoryContext|__GI_)')
chibo, other = collections.Counter(), collections.Counter()
examples = []
files = 0

def first_fn(lines):
    for line in lines:
        m = frame.search(line)
        if m and 'chibo.so' in m.group(2):
            return m.group(1) + ' in chibo.so'
        if m and not noise_fn.match(m.group(1)):
            return m.group(1)
    return '?'

def flush(block, path):
    if not block:
        return
    kind = re.sub(r'^==\d+== ', '', block[0]).strip()
    kind = re.sub(r'\(0x[0-9a-f]+, 0x[0-9a-f]+, \d+\)', '', kind)
    origin_at = next((i for i, l in enumerate(block) if 'was created by' in l), None)
    main = block[1:origin_at] if origin_at else block[1:]
    where = first_fn(main)
    origin = first_fn(block[origin_at + 1:]) if origin_at else None
    key = (kind, where, origin)
    if any(chibo_frame.search(l) for l in block):
        chibo[key] += 1
        if len(examples) < 5:
            examples.append(os.path.basename(path) + ':\n' + ''.join(block))
    else:
        other[key] += 1

for path in sorted(glob.glob(os.path.join(logs, '*.log'))):
    files += 1
    block = None
    for line in open(path, errors='replace'):
        if re.match(r'^==\d+== (Invalid |Conditional jump|Use of uninitialised|Syscall param'
                    r'|Source and destination overlap|Mismatched free|Argument )', line):
            flush(block, path)
            block = [line]
        elif block is not None:
            if re.match(r'^==\d+== ?$', line) or not line.startswith('=='):
                flush(block, path)
                block = None
            else:
                block.append(line)
    flush(block, path)

def show(counter):
    for (kind, where, origin), n in counter.most_common():
        print(f'    {n:5d}  {kind}  in {where}' + (f'  (uninitialised bytes from {origin})' if origin else ''))

print(f'valgrind summary: {files} process logs')
print(f'  errors in chibo code (a chibo frame in the stack or the origin): {sum(chibo.values())}')
show(chibo)
print(f'  other errors (PostgreSQL only, not suppressed): {sum(other.values())}')
show(other)
for e in examples:
    print('--- chibo error in ' + e)
sys.exit(1 if chibo else 0)
PY
