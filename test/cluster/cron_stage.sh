# shellcheck shell=bash
# The pg_cron stage of check.sh (sourced by it): schedule_refresh() and
# unschedule_refresh() against the real pg_cron of the test cluster
# (preloaded, cron.database_name = postgres, background workers).
#
#   - chibo in the database that holds pg_cron (postgres): the job is made
#     with cron.schedule_in_database, scheduling again changes it;
#   - chibo in another database, with dblink: the job is written in
#     postgres and runs in that database;
#   - chibo in another database without dblink: a clear error saying what
#     to run where;
#   - both jobs run within about 70 seconds and succeed
#     (cron.job_run_details), and the reports they refreshed answer;
#   - unschedule_refresh() removes the job;
#   - a server without pg_cron: a clear error.
#
# Uses check.sh's counters (STAGE_PASSED, STAGE_FAILED), TEST_DIR and the
# cluster's PGHOST/PGPORT.

CRON_LOG=""

cron_sql() {   # cron_sql DB SQL: one value, errors to the log
    psql -X -At -v ON_ERROR_STOP=1 -d "$1" -c "$2" 2>>"$CRON_LOG"
}

# The last run of a job: status, or empty while it has not run.
cron_last_status() {
    cron_sql postgres "SELECT d.status FROM cron.job_run_details d JOIN cron.job j ON j.jobid = d.jobid
                        WHERE j.jobname = '$1' ORDER BY d.runid DESC LIMIT 1"
}

run_cron() {
    local other=chibo_cron nodblink=chibo_cron_nodblink job_here job_other id1 id2 s1 s2 waited out
    CRON_LOG=$CHIBO_LOG_DIR/cron.log
    : >"$CRON_LOG"
    psql -X -q -v ON_ERROR_STOP=1 -d postgres -c 'SET client_min_messages = warning' \
        -c 'CREATE EXTENSION IF NOT EXISTS pg_cron' -c 'DROP EXTENSION IF EXISTS chibo CASCADE' \
        -c "DROP DATABASE IF EXISTS $other" -c "DROP DATABASE IF EXISTS $nodblink" \
        -c "CREATE DATABASE $other" -c "CREATE DATABASE $nodblink" -c 'CREATE EXTENSION chibo' \
        >>"$CRON_LOG" 2>&1 || { echo "cron: setup failed (see $CRON_LOG)"; return 1; }
    cron_sql "$other" 'CREATE EXTENSION chibo; CREATE EXTENSION dblink' >/dev/null || return 1
    cron_sql "$nodblink" 'CREATE EXTENSION chibo' >/dev/null || return 1
    # Data for the job to refresh: the small test batch.
    chibo_import_dir "$other" test/data/import/small >>"$CRON_LOG" 2>&1 || return 1
    chibo_import_dir postgres test/data/import/small >>"$CRON_LOG" 2>&1 || return 1

    job_here='chibo_refresh_reports:postgres'
    job_other="chibo_refresh_reports:$other"
    # pg_cron in this database.
    id1=$(cron_sql postgres "SELECT chibo.schedule_refresh('*/5 * * * *')")
    id2=$(cron_sql postgres "SELECT chibo.schedule_refresh('* * * * *')")
    chibo_check "schedule_refresh() in the database of pg_cron returns the job id" \
        "$id1" "$(cron_sql postgres "SELECT jobid FROM cron.job WHERE jobname = '$job_here'")"
    chibo_check "scheduling again changes the schedule of the same job" "$id1 * * * * *" "$id2 $(cron_sql postgres \
        "SELECT schedule FROM cron.job WHERE jobname = '$job_here'")"
    chibo_check "the job runs refresh_reports() in this database" \
        "postgres|SELECT * FROM chibo.refresh_reports()" \
        "$(cron_sql postgres "SELECT database || '|' || command FROM cron.job WHERE jobname = '$job_here'")"
    # pg_cron in another database, reached through dblink.
    id1=$(cron_sql "$other" "SELECT chibo.schedule_refresh('* * * * *')")
    chibo_check "schedule_refresh() from another database writes the job where pg_cron lives" \
        "$id1|$other" "$(cron_sql postgres "SELECT jobid || '|' || database FROM cron.job WHERE jobname = '$job_other'")"
    # ... and without dblink: the error says what to do.
    out=$(psql -X -At -d "$nodblink" -v VERBOSITY=verbose -c "SELECT chibo.schedule_refresh()" 2>&1 || true)
    chibo_check "without dblink: error 55000 naming the database of pg_cron" "55000 postgres" \
        "$(grep -o '55000' <<<"$out" | head -n 1) $(grep -o 'pg_cron lives in database "postgres"' <<<"$out" | grep -o postgres | head -n 1)"
    chibo_check "without dblink: the hint gives the statement to run there" "1" \
        "$(grep -c "cron.schedule_in_database('chibo_refresh_reports:$nodblink'" <<<"$out")"

    # Both jobs run by the minute: wait up to about 130 seconds.
    echo "cron: waiting for pg_cron to run the jobs (up to about 70 seconds) ..."
    waited=0
    while :; do
        s1=$(cron_last_status "$job_here")
        s2=$(cron_last_status "$job_other")
        [[ $s1 == succeeded || $s1 == failed ]] && [[ $s2 == succeeded || $s2 == failed ]] && break
        (( waited >= 130 )) && break
        sleep 5
        waited=$((waited + 5))
    done
    chibo_check "the job in the database of pg_cron ran and succeeded (cron.job_run_details, after ${waited}s)" succeeded "$s1"
    chibo_check "the job of the other database ran there and succeeded" succeeded "$s2"
    chibo_check "the job refreshed the reports (report_state written)" t \
        "$(cron_sql "$other" "SELECT refreshed_at IS NOT NULL FROM chibo.report_state")"
    chibo_check "the refreshed reports answer" "4" \
        "$(cron_sql "$other" "SELECT active_members FROM chibo.indicators('TH', '2023-07-01', '2023-12-31')")"

    chibo_check "unschedule_refresh() removes the job" "t|0" \
        "$(cron_sql "$other" "SELECT chibo.unschedule_refresh()")|$(cron_sql postgres \
            "SELECT count(*) FROM cron.job WHERE jobname = '$job_other'")"
    chibo_check "unschedule_refresh() without a job says so" f "$(cron_sql "$other" "SELECT chibo.unschedule_refresh()")"
    chibo_check "unschedule_refresh() in the database of pg_cron" "t|0" \
        "$(cron_sql postgres "SELECT chibo.unschedule_refresh()")|$(cron_sql postgres \
            "SELECT count(*) FROM cron.job WHERE jobname LIKE 'chibo_refresh_reports:%'")"

    cron_without_pg_cron

    psql -X -q -d postgres -c 'SET client_min_messages = warning' -c 'DROP EXTENSION chibo CASCADE' \
        -c "DROP DATABASE $other" -c "DROP DATABASE $nodblink" >>"$CRON_LOG" 2>&1
    return 0
}

# A throwaway server without pg_cron preloaded: schedule_refresh() says
# pg_cron is not installed.
cron_without_pg_cron() {
    local dir=$TEST_DIR/nocron port out
    port=$(chibo_free_port $((PGPORT + 1))) || return 1
    install -d -o postgres -g postgres -m 0700 "$dir" "$dir/sock"
    if ! (cd / && runuser -u postgres -- "$CHIBO_PG_BIN/initdb" -D "$dir/data" -A trust -U postgres >>"$CRON_LOG" 2>&1 &&
          runuser -u postgres -- "$CHIBO_PG_BIN/pg_ctl" -D "$dir/data" -w -l "$dir/log" \
              -o "-p $port -k $dir/sock -c listen_addresses=''" start >>"$CRON_LOG" 2>&1); then
        echo "not ok - a server without pg_cron did not start (see $CRON_LOG)"
        STAGE_FAILED=$((STAGE_FAILED + 1))
        return 1
    fi
    out=$(psql -X -At -h "$dir/sock" -p "$port" -d postgres -v VERBOSITY=verbose \
              -c 'CREATE EXTENSION chibo' -c 'SELECT chibo.schedule_refresh()' 2>&1 || true)
    chibo_check "a server without pg_cron: error 55000, pg_cron is not installed" "55000 pg_cron is not installed" \
        "$(grep -o '55000' <<<"$out" | head -n 1) $(grep -o 'pg_cron is not installed' <<<"$out" | head -n 1)"
    (cd / && runuser -u postgres -- "$CHIBO_PG_BIN/pg_ctl" -D "$dir/data" -m fast -w stop >>"$CRON_LOG" 2>&1)
    rm -rf "$dir"
}
