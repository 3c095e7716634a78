# shellcheck shell=bash
# Shared helpers for chibo's test and demo scripts.  Source it, don't run it:
#
#   source test/cluster/lib.sh
#   chibo_install_deps              install the Debian packages that are missing
#   chibo_build_install [CFLAGS]    make clean; make CHIBO_CFLAGS=...; make install
#   chibo_free_port START           print the first free port >= START
#   chibo_start_cluster DIR PORT    initdb (if needed) DIR/data and start it;
#                                   exports PGHOST PGPORT PGUSER PGDATABASE
#   chibo_cluster_running DIR       true if the cluster in DIR/data is up
#   chibo_stop_cluster DIR          fast shutdown; idempotent and silent
#
# Layout of a cluster directory DIR (owned by postgres, outside the checkout):
#   DIR/data  PGDATA        DIR/sock  unix socket        DIR/log  server log
#
# Run as root: only the server runs as user postgres (PostgreSQL refuses root).
# make, pg_regress, pg_prove and psql run as root and connect as user postgres.

set -euo pipefail

CHIBO_PG_BIN=${CHIBO_PG_BIN:-/usr/lib/postgresql/15/bin}
export PG_CONFIG=$CHIBO_PG_BIN/pg_config
export PATH=$CHIBO_PG_BIN:$PATH

# Build, apt and test logs (kept after the run, overwritten by the next one).
CHIBO_LOG_DIR=${CHIBO_LOG_DIR:-/tmp/chibo-logs}

CHIBO_DEPS=(
    postgresql-15 postgresql-server-dev-15
    postgresql-15-pgtap libtap-parser-sourcehandler-pgtap-perl
    postgresql-15-cron libpostgresql-jdbc-java openjdk-17-jdk-headless
    make gcc python3 clang-14 libclang-rt-14-dev
)

# Run a command as user postgres, from a directory postgres can read.
_chibo_as_postgres() {
    (cd / && runuser -u postgres -- "$@")
}

_chibo_log_dir() {
    mkdir -p "$CHIBO_LOG_DIR"
}

# One counted check of a test stage, TAP style, on the caller's counters
# STAGE_PASSED and STAGE_FAILED (check.sh's stage() and run_stages.sh).
chibo_ok() {   # chibo_ok WHAT
    echo "ok - $1"
    STAGE_PASSED=$((STAGE_PASSED + 1))
}
chibo_not_ok() {   # chibo_not_ok WHAT
    echo "not ok - $1"
    STAGE_FAILED=$((STAGE_FAILED + 1))
}
chibo_check() {   # chibo_check WHAT EXPECTED ACTUAL: passes when they are equal
    if [[ $2 == "$3" ]]; then
        chibo_ok "$1"
    else
        chibo_not_ok "$1: expected '$2', got '$3'"
    fi
}

# Install only the packages that are missing; apt output goes to a log file.
chibo_install_deps() {
    local pkg missing=() log=$CHIBO_LOG_DIR/apt.log
    for pkg in "${CHIBO_DEPS[@]}"; do
        [[ $(dpkg -s "$pkg" 2>/dev/null) == *"Status: install ok installed"* ]] \
            || missing+=("$pkg")
    done
    if (( ${#missing[@]} == 0 )); then
        echo "deps: all ${#CHIBO_DEPS[@]} packages already installed"
        return 0
    fi
    _chibo_log_dir || return 1
    printf 'deps: installing %s ... ' "${missing[*]}"
    if { apt-get update -q &&
         DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
             --no-install-recommends "${missing[@]}"; } >"$log" 2>&1; then
        echo "done (log: $log)"
    else
        echo "FAILED (log: $log)"
        tail -n 20 "$log" >&2
        return 1
    fi
}

# Build and install the extension from the current directory (repo root).
# $1 = extra compiler flags, passed as CHIBO_CFLAGS (the Makefile appends it
# to PG_CFLAGS), e.g. -Werror.  Build output goes to $CHIBO_LOG_DIR/build.log.
chibo_build_install() {
    local cflags=${1:-} log=$CHIBO_LOG_DIR/build.log warnings
    _chibo_log_dir || return 1
    make clean PG_CONFIG="$PG_CONFIG" >/dev/null 2>&1 || true
    if ! { make PG_CONFIG="$PG_CONFIG" CHIBO_CFLAGS="$cflags" &&
           make install PG_CONFIG="$PG_CONFIG" CHIBO_CFLAGS="$cflags"; } >"$log" 2>&1; then
        echo "build: FAILED (CHIBO_CFLAGS='$cflags'); last lines of $log:" >&2
        tail -n 40 "$log" >&2
        return 1
    fi
    warnings=$(grep -c 'warning:' "$log" || true)
    echo "build: ok, installed (CHIBO_CFLAGS='$cflags', $warnings compiler warnings, log: $log)"
}

# True if something already uses PORT: a PostgreSQL socket file in a usual
# place, or anything accepting TCP connections on 127.0.0.1:PORT.
chibo_port_busy() {
    local port=$1 f rc=0
    for f in /tmp/.s.PGSQL."$port" /tmp/.s.PGSQL."$port".lock \
             /var/run/postgresql/.s.PGSQL."$port" \
             /var/run/postgresql/.s.PGSQL."$port".lock \
             /tmp/chibo-*/sock/.s.PGSQL."$port"; do
        [[ -e $f ]] && return 0
    done
    timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$port" 2>/dev/null || rc=$?
    # 0 = connected (someone listens), 124 = hung (treat as busy too)
    [[ $rc -eq 0 || $rc -eq 124 ]]
}

# Print the first free port >= START.
chibo_free_port() {
    local port=${1:?usage: chibo_free_port START}
    while (( port <= 65535 )); do
        if ! chibo_port_busy "$port"; then
            echo "$port"
            return 0
        fi
        port=$((port + 1))
    done
    echo "no free TCP port >= $1" >&2
    return 1
}

chibo_cluster_running() {
    local data=${1:-}/data
    [[ -n ${1:-} && -f $data/postmaster.pid ]] || return 1
    _chibo_as_postgres "$CHIBO_PG_BIN/pg_ctl" -D "$data" status >/dev/null 2>&1
}

# initdb DIR/data unless it already holds a cluster, (re)write our settings
# into postgresql.conf, start the server and export the libpq variables.
chibo_start_cluster() {
    local dir=${1:?usage: chibo_start_cluster DIR PORT} port=${2:?usage: chibo_start_cluster DIR PORT}
    local data=$dir/data conf=$dir/data/postgresql.conf
    local begin='# BEGIN chibo test settings' end='# END chibo test settings'

    install -d -o postgres -g postgres -m 0700 "$dir" "$dir/sock" || return 1

    if [[ ! -f $data/PG_VERSION ]]; then
        if [[ -e $data ]] && [[ -n $(ls -A "$data") ]]; then
            echo "cluster: $data exists but is not a PostgreSQL data directory; remove it" >&2
            return 1
        fi
        if ! _chibo_as_postgres "$CHIBO_PG_BIN/initdb" -D "$data" -A trust -U postgres \
                 -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1; then
            echo "cluster: initdb failed; last lines of $dir/initdb.log:" >&2
            tail -n 20 "$dir/initdb.log" >&2
            return 1
        fi
    fi

    # Replace our block of settings (the last value of a setting wins).
    sed -i "/^$begin/,/^$end/d" "$conf" || return 1
    cat >>"$conf" <<EOF || return 1
$begin (written by test/cluster/lib.sh)
port = $port
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir/sock'
shared_preload_libraries = 'pg_cron'
cron.database_name = 'postgres'
cron.use_background_workers = on
max_worker_processes = 16
fsync = off
logging_collector = off
$end
EOF
    chown postgres:postgres "$conf" || return 1

    if ! _chibo_as_postgres "$CHIBO_PG_BIN/pg_ctl" -D "$data" -w -t 60 -l "$dir/log" \
             start >"$dir/pg_ctl.log" 2>&1; then
        echo "cluster: failed to start on port $port ($data)" >&2
        cat "$dir/pg_ctl.log" >&2
        echo "cluster: last lines of the server log $dir/log:" >&2
        tail -n 30 "$dir/log" >&2 2>/dev/null || true
        return 1
    fi
    export PGHOST=$dir/sock PGPORT=$port PGUSER=postgres PGDATABASE=postgres
    echo "cluster: running on port $port (socket $dir/sock, log $dir/log)"
}

# Fast shutdown if running.  Idempotent, never fails, prints nothing,
# so it is safe in an EXIT trap.
chibo_stop_cluster() {
    local dir=${1:-}
    chibo_cluster_running "$dir" || return 0
    _chibo_as_postgres "$CHIBO_PG_BIN/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >/dev/null 2>&1 ||
        _chibo_as_postgres "$CHIBO_PG_BIN/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 ||
        true
    return 0
}

# chibo_import_dir DB DIR: load the contract's nine CSV files of DIR into
# database DB with the contract's own lines (\copy ... CSV HEADER, then
# chibo.import_staged()), printing import_staged()'s result.  A file that
# DIR lacks is skipped.
chibo_import_dir() {
    local db=$1 dir=$2 f script=""
    for f in units members memberships exemptions meetings attendance \
             task_registrations assessments classifications; do
        [[ -e $dir/$f.csv ]] && script+="\\copy chibo_import.$f FROM '$f.csv' CSV HEADER"$'\n'
    done
    script+="SELECT * FROM chibo.import_staged();"
    (cd "$dir" && psql -X -q -v ON_ERROR_STOP=1 -d "$db" <<<"$script")
}

# chibo_district_db DB: creates database DB holding the generated district
# (test/generator/chibo_gen.py --scale district) imported through the
# contract with every row accepted, refreshed and analysed.  The first call
# of a run does that work once into the template database
# chibo_district_template, keeping the CSV files in $CHIBO_DISTRICT_DIR
# (default $TEST_DIR/district); later calls copy the template, which takes
# about a second instead of a minute.
chibo_district_db() {
    local db=$1 tpl=chibo_district_template out
    CHIBO_DISTRICT_DIR=${CHIBO_DISTRICT_DIR:-$TEST_DIR/district}
    if [[ $(psql -X -At -d postgres -c "SELECT count(*) FROM pg_database WHERE datname = '$tpl'") != 1 ||
          ! -s $CHIBO_DISTRICT_DIR/attendance.csv ]]; then
        rm -rf "$CHIBO_DISTRICT_DIR"
        python3 test/generator/chibo_gen.py --scale district --quiet --out "$CHIBO_DISTRICT_DIR" || return 1
        psql -X -q -v ON_ERROR_STOP=1 -d postgres -c 'SET client_min_messages = warning' \
            -c "DROP DATABASE IF EXISTS $tpl" -c "CREATE DATABASE $tpl" || return 1
        if ! { psql -X -q -v ON_ERROR_STOP=1 -d "$tpl" -c 'CREATE EXTENSION chibo' &&
               out=$(chibo_import_dir "$tpl" "$CHIBO_DISTRICT_DIR" 2>&1) &&
               [[ $(grep -cE '\.csv *\| *[0-9]+ *\| *0$' <<<"$out") == 9 ]] &&
               psql -X -q -v ON_ERROR_STOP=1 -d "$tpl" -c 'SET client_min_messages = warning' \
                   -c 'SELECT count(*) FROM chibo.refresh_reports()' -c 'ANALYZE' >/dev/null; }; then
            echo "chibo_district_db: loading the district failed: $out" >&2
            psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $tpl"
            return 1
        fi
    fi
    psql -X -q -v ON_ERROR_STOP=1 -d postgres -c 'SET client_min_messages = warning' \
        -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db TEMPLATE $tpl"
}
