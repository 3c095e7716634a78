# shellcheck shell=bash
# The crash stage of check.sh (sourced by it): kill -9 in the middle of
# chibo.import_staged() and of chibo.refresh_reports(), let PostgreSQL
# recover, and check that nothing was half-applied and nothing was lost.
#
#   - the generated district (test/generator) is imported through the
#     contract into a fresh database chibo_crash and refreshed;
#   - a batch that changes a known set of rows is staged (the district's
#     files again, with every non-present attendance of April 2024 made
#     present and an extraordinary meeting, with its attendance, added
#     next to each regular meeting of May 2024);
#   - import_staged() is killed twice: once its backend (kill -9, so the
#     postmaster takes the whole server through crash recovery) a second
#     or so into the run, once the whole server (postmaster and every
#     process, kill -9, then pg_ctl start) while the import, half-way,
#     waits for a lock on chibo.attendance that another session holds.
#     After each: every table of the chibo schemas (data, staging, rejects,
#     rollups, change records) equals its state before the call (count and
#     md5 of the ordered rows), so the staged rows still wait, as
#     docs/import.md promises; the rerun then accepts every row and leaves
#     exactly the designed changes;
#   - refresh_reports(full => true) is killed the same way (backend, a
#     second in), and an incremental refresh_reports() is killed with the
#     whole server while it waits for a lock on chibo.unit_months held by
#     another session (after steps 1 and 2).  After each: every table as
#     before (rollups unchanged, the change records still in
#     chibo.report_changes); the rerun completes and its rollups equal a
#     full rebuild.
#
# A kill that did not land mid-run (the call returned first) is said so and
# retried with new changes; only when every try missed does it count as a
# failure.  The server log of each crash must show the crash and the
# recovery.
#
# Uses check.sh's counters (STAGE_PASSED, STAGE_FAILED), TEST_DIR (the
# cluster directory: TEST_DIR/data, TEST_DIR/log) and the cluster's
# PGHOST/PGPORT/PGUSER; the helpers of lib.sh restart the server.  Logs in
# CHIBO_LOG_DIR/crash.log.

CRASH_LOG=""
CRASH_DB=chibo_crash
CRASH_DIR=""
CRASH_TRIES=3
CRASH_RESULT=""     # landed | finished | failed, set by crash_kill_run
CRASH_NOTE=""       # what crash_kill_run saw
CRASH_BATCH_SIZES=""   # "flipped new_meetings new_attendance" of the batch

crash_sql() {   # crash_sql SQL: the value(s), errors to the log
    psql -X -q -At -v ON_ERROR_STOP=1 -d "$CRASH_DB" -c "$1" 2>>"$CRASH_LOG"
}

# One line per table of the schemas chibo*: name, row count and the md5 of
# its rows in order.  Row contents only (not xmin): a crash that rolled a
# transaction back leaves exactly the same contents.
crash_checksums() {
    psql -X -At -v ON_ERROR_STOP=1 -d "$CRASH_DB" 2>>"$CRASH_LOG" <<'SQL'
SELECT pg_catalog.format($q$SELECT %L || ' ' || count(*) || ' ' || md5(coalesce(string_agg(t::text, E'\n' ORDER BY t::text), '')) FROM %I.%I t$q$,
                         n.nspname || '.' || c.relname, n.nspname, c.relname)
  FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname LIKE 'chibo%' AND c.relkind IN ('r', 'p')
 ORDER BY n.nspname, c.relname
\gexec
SQL
}

# The four rollup tables of the reports and the tree, the same way.
crash_rollups() {
    local t
    for t in cell_months cell_years unit_months unit_years unit_ancestors; do
        crash_sql "SELECT '$t ' || count(*) || ' ' || md5(coalesce(string_agg(t::text, E'\n' ORDER BY t::text), ''))
                     FROM chibo.$t t"
    done
}

# crash_same WHAT BEFORE AFTER: one check, naming the tables that differ.
crash_same() {
    local n
    n=$(grep -c . <<<"$2")
    if [[ -n $2 && $2 == "$3" ]]; then
        chibo_ok "$1 ($n tables)"
    else
        chibo_not_ok "$1: tables that differ:"
        diff <(echo "$2") <(echo "$3") | sed -n 's/^[<>] /#   /p'
    fi
}

# Wait until the server accepts connections and is out of recovery.
crash_wait_ready() {
    local i
    for ((i = 0; i < 240; i++)); do
        [[ $(psql -X -At -d postgres -c 'SELECT NOT pg_is_in_recovery()' 2>/dev/null) == t ]] && return 0
        sleep 0.5
    done
    return 1
}

# Kill -9 the postmaster and every process it started, at once (as a power
# cut of the machine would stop them, minus the page cache), then start the
# server again with lib.sh.
crash_kill_server() {
    local pm kids pid i
    pm=$(head -n 1 "$TEST_DIR/data/postmaster.pid") || return 1
    mapfile -t kids < <(ps -o pid= --ppid "$pm")
    kill -9 "$pm" "${kids[@]}" 2>/dev/null
    for pid in "$pm" "${kids[@]}"; do
        for ((i = 0; i < 100; i++)); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
    done
    chibo_start_cluster "$TEST_DIR" "$PGPORT" >>"$CRASH_LOG" 2>&1
}

# crash_kill_run SQL HOW PIN DELAY
#   Runs SQL in the background in database CRASH_DB and kill -9s it:
#   HOW = backend: the backend running it (the postmaster then resets every
#         process and recovers from the WAL by itself);
#   HOW = server:  the postmaster and all its processes, then pg_ctl start.
#   PIN = empty: kill once the call has run DELAY seconds (pg_stat_activity);
#   PIN = a statement such as LOCK TABLE ...: another session holds it in
#         an open transaction first, and the kill comes once SQL waits for
#         that lock (pg_stat_activity.wait_event_type = 'Lock').
#   Sets CRASH_RESULT: landed (killed while running: the client lost its
#   connection), finished (the call returned before the kill), failed.
crash_kill_run() {
    local sql=$1 how=$2 pin=$3 delay=$4 out=$CRASH_DIR/victim.out holder="" victim row pid="" state
    local logpos i rc=0 waited wrote
    CRASH_RESULT=failed CRASH_NOTE=""
    if [[ -n $pin ]]; then
        PGAPPNAME=chibo_crash_holder psql -X -q -d "$CRASH_DB" -c 'BEGIN' -c "$pin" \
            -c 'SELECT pg_sleep(600)' >>"$CRASH_LOG" 2>&1 &
        holder=$!
        for ((i = 0; i < 300; i++)); do
            [[ $(crash_sql "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'chibo_crash_holder'
                              AND state = 'active' AND query LIKE 'SELECT pg_sleep%'") == 1 ]] && break
            sleep 0.1
        done
    fi
    logpos=$(stat -c %s "$TEST_DIR/log")
    PGAPPNAME=chibo_crash_victim psql -X -At -v ON_ERROR_STOP=1 -d "$CRASH_DB" -c "$sql" >"$out" 2>&1 &
    victim=$!
    # Poll pg_stat_activity every 0.1 s (at most 120 s).
    for ((i = 0; i < 1200; i++)); do
        kill -0 "$victim" 2>/dev/null || break
        row=$(crash_sql "SELECT pid, coalesce(wait_event_type || ':' || wait_event, 'running'),
                                round(extract(epoch FROM clock_timestamp() - query_start)::numeric, 1),
                                backend_xid IS NOT NULL
                           FROM pg_stat_activity
                          WHERE application_name = 'chibo_crash_victim' AND state = 'active'")
        if [[ -n $row ]]; then
            IFS='|' read -r pid state waited wrote <<<"$row"
            if [[ -n $pin && $state == Lock:* ]] ||
               [[ -z $pin && $(awk -v w="$waited" -v d="$delay" 'BEGIN { print (w >= d) }') == 1 ]]; then
                CRASH_NOTE="${waited} s into the call, backend $pid $state"
                [[ $wrote == t ]] && CRASH_NOTE+=", its transaction had written"
                if [[ $how == backend ]]; then
                    kill -9 "$pid"
                else
                    crash_kill_server
                fi
                break
            fi
        fi
        sleep 0.1
    done
    if [[ -z $CRASH_NOTE ]] && kill -0 "$victim" 2>/dev/null; then
        CRASH_NOTE="the call never reached the point to kill it (see $CRASH_LOG)"
        kill "$victim" 2>/dev/null
        crash_sql "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                    WHERE application_name IN ('chibo_crash_victim', 'chibo_crash_holder')" >/dev/null
    fi
    wait "$victim" || rc=$?
    cat "$out" >>"$CRASH_LOG"
    if [[ -n $holder ]]; then
        for ((i = 0; i < 100; i++)); do
            kill -0 "$holder" 2>/dev/null || break
            sleep 0.1
        done
        kill "$holder" 2>/dev/null
        wait "$holder" 2>/dev/null
    fi
    if [[ -z $CRASH_NOTE ]]; then
        if (( rc == 0 )); then
            CRASH_RESULT=finished CRASH_NOTE="the call returned before the kill"
        else
            CRASH_NOTE="the call failed before the kill: $(tail -n 3 "$out" | tr '\n' ' ')"
        fi
        return 0
    fi
    if ! crash_wait_ready; then
        CRASH_NOTE+="; the server did not come back (see $TEST_DIR/log)"
        return 0
    fi
    echo "--- server log of the crash" >>"$CRASH_LOG"
    tail -c +"$((logpos + 1))" "$TEST_DIR/log" >>"$CRASH_LOG"
    if (( rc == 0 )); then
        # The kill came as the call returned: it committed.
        CRASH_RESULT=finished CRASH_NOTE+="; but the call had already returned"
    elif tail -c +"$((logpos + 1))" "$TEST_DIR/log" |
            grep -qE 'automatic recovery in progress|database system was interrupted'; then
        CRASH_RESULT=landed
    else
        CRASH_NOTE+="; the server log shows no crash recovery"
    fi
}

# crash_try WHAT SQL HOW PIN DELAY PREPARE: crash_kill_run up to
# CRASH_TRIES times; before each try run the function PREPARE (which makes
# the changes the call is to apply and takes the "before" snapshot).
# One counted check: the kill landed mid-run.
crash_try() {
    local what=$1 sql=$2 how=$3 pin=$4 delay=$5 prepare=$6 try
    for ((try = 1; try <= CRASH_TRIES; try++)); do
        "$prepare" "$try" || { chibo_not_ok "$what: preparing try $try failed (see $CRASH_LOG)"; return 1; }
        crash_kill_run "$sql" "$how" "$pin" "$delay"
        case $CRASH_RESULT in
            landed)
                chibo_ok "$what: kill -9 landed mid-run (try $try: $CRASH_NOTE) and the server recovered"
                return 0 ;;
            finished)
                echo "# $what: try $try missed: $CRASH_NOTE; retrying earlier"
                delay=$(awk -v d="$delay" 'BEGIN { print d / 2 }') ;;
            *)
                chibo_not_ok "$what: $CRASH_NOTE"
                return 1 ;;
        esac
    done
    chibo_not_ok "$what: the kill did not land mid-run in $CRASH_TRIES tries"
    return 1
}

# crash_stage_files DIR: the contract's \copy lines into staging, no import.
crash_stage_files() {
    local dir=$1 f script=""
    for f in units members memberships exemptions meetings attendance \
             task_registrations assessments classifications; do
        script+="\\copy chibo_import.$f FROM '$f.csv' CSV HEADER"$'\n'
    done
    (cd "$dir" && psql -X -q -v ON_ERROR_STOP=1 -d "$CRASH_DB" <<<"$script") >>"$CRASH_LOG" 2>&1
}

# crash_import_counts DIR OUT: each file of DIR accepted in full, none
# rejected, by the import_staged() result in OUT.
crash_import_counts() {
    local dir=$1 out=$2 f acc rej n=0 bad=""
    while IFS='|' read -r f acc rej; do
        [[ $f == *.csv ]] || continue
        n=$((n + 1))
        (( acc == $(wc -l <"$dir/$f") - 1 && rej == 0 )) || bad+=" $f:$acc/$rej"
    done <"$out"
    [[ $n -eq 9 && -z $bad ]] || { echo "# files: $n, wrong counts:$bad"; return 1; }
}

# crash_make_batch SRC DST: the district's files with a known set of
# changes; sets CRASH_BATCH_SIZES.
crash_make_batch() {
    local src=$1 dst=$2 sizes
    mkdir -p "$dst" && cp "$src"/*.csv "$dst"/ || return 1
    # an extraordinary meeting next to each regular one of May 2024
    # (unless the cell already held one that day)
    awk -F, -v OFS=, '
        NR == FNR { if ($2 ~ /^2024-05/ && $3 == "extraordinary") x[$1 FS $2] = 1; next }
        { print }
        FNR > 1 && $2 ~ /^2024-05/ && $3 == "regular" && !(($1 FS $2) in x) {
            print $1, $2, "extraordinary", "Họp bất thường (crash test)", 60 }' \
        "$src/meetings.csv" "$src/meetings.csv" >"$dst/meetings.csv" || return 1
    # its attendance: those present at the regular meeting, present;
    # April 2024: every excused or absent member made present
    sizes=$(awk -F, -v OFS=, -v out="$dst/attendance.csv" '
        NR == FNR { if (FNR > 1 && $3 == "extraordinary" && $4 == "Họp bất thường (crash test)") x[$1 FS $2] = 1; next }
        FNR > 1 && $2 ~ /^2024-04/ && $5 != "present" { $5 = "present"; flipped++ }
        { print > out }
        FNR > 1 && $3 == "regular" && (($1 FS $2) in x) { print $1, $2, "extraordinary", $4, "present" > out; added++ }
        END { print (flipped + 0) " " length(x) " " (added + 0) }' \
        "$dst/meetings.csv" "$src/attendance.csv") || return 1
    CRASH_BATCH_SIZES=$sizes
}

# What the staged batch will change, computed from the staging tables and
# the stored rows (an oracle independent of import_staged()), kept in
# schema chibo_check with a copy of the staged attendance and the stored
# statuses.  Prints "changed new_meetings new_attendance".
crash_expect() {
    crash_sql "
        DROP SCHEMA IF EXISTS chibo_check CASCADE;
        CREATE SCHEMA chibo_check;
        CREATE TABLE chibo_check.staged AS
        SELECT s.*, a.id AS attendance_id, a.status::text AS stored_status
          FROM (SELECT DISTINCT * FROM chibo_import.attendance) s
          JOIN chibo.units u ON u.code = s.unit_code
          JOIN chibo.members m ON m.code = s.member_code
          LEFT JOIN chibo.meetings mt ON mt.unit_id = u.id AND mt.held_on = s.held_on::date AND mt.kind = s.meeting_kind
          LEFT JOIN chibo.attendance a ON a.meeting_id = mt.id AND a.member_id = m.id;
        CREATE TABLE chibo_check.status_before AS SELECT id, status FROM chibo.attendance;
        CREATE TABLE chibo_check.counts_before AS
        SELECT (SELECT count(*) FROM chibo.meetings) AS meetings, (SELECT count(*) FROM chibo.attendance) AS attendance;
        SELECT (SELECT count(*) FROM chibo_check.staged WHERE stored_status <> status) || ' ' ||
               (SELECT count(*) FROM (SELECT DISTINCT unit_code, held_on, kind FROM chibo_import.meetings) s
                  JOIN chibo.units u ON u.code = s.unit_code
                 WHERE NOT EXISTS (SELECT FROM chibo.meetings mt
                                    WHERE mt.unit_id = u.id AND mt.held_on = s.held_on::date AND mt.kind = s.kind)) || ' ' ||
               (SELECT count(*) FROM chibo_check.staged WHERE attendance_id IS NULL)"
}

# --- import_staged() ----------------------------------------------------------

CRASH_IMPORT_DIR=""
CRASH_IMPORT_EXPECT=""
CRASH_BEFORE=""

# Prepare try N: stage a batch (try 1: the changed batch; a later try,
# after a call that returned before the kill: the other of the district's
# files and the changed batch, so that it changes rows again) and take the
# snapshot.
crash_prepare_import() {
    local try=$1
    if (( try == 1 )) || [[ $CRASH_IMPORT_DIR == "$CRASH_DIR/district" ]]; then
        CRASH_IMPORT_DIR=$CRASH_DIR/batch
    else
        CRASH_IMPORT_DIR=$CRASH_DIR/district
    fi
    (( try == 1 )) || crash_sql "TRUNCATE chibo_import.units, chibo_import.members, chibo_import.memberships,
                                 chibo_import.exemptions, chibo_import.meetings, chibo_import.attendance,
                                 chibo_import.task_registrations, chibo_import.assessments,
                                 chibo_import.classifications" >/dev/null || return 1
    crash_stage_files "$CRASH_IMPORT_DIR" || return 1
    CRASH_IMPORT_EXPECT=$(crash_expect) || return 1
    CRASH_BEFORE=$(crash_checksums) || return 1
}

# The second kill reuses the batch still staged.
crash_prepare_import_again() {
    (( $1 == 1 )) || crash_prepare_import "$1"
}

crash_import() {
    local staged before after out=$CRASH_DIR/import.out changed newm newa
    local sql='SELECT * FROM chibo.import_staged()'
    echo "# import: staging the district again with a known set of changes"
    crash_try "import_staged(), backend killed a second in" "$sql" backend "" 1.5 crash_prepare_import || return 0
    after=$(crash_checksums)
    crash_same "after the crash of import_staged(): every chibo table as before the call (nothing half-applied, rejects unchanged, staged rows still staged)" \
        "$CRASH_BEFORE" "$after"

    crash_try "import_staged(), whole server killed while the import, half-way, waits for chibo.attendance" "$sql" server \
        'LOCK TABLE chibo.attendance IN SHARE MODE' 0 crash_prepare_import_again || return 0
    after=$(crash_checksums)
    crash_same "after the crash of the server: every chibo table as before the call" "$CRASH_BEFORE" "$after"
    staged=$(crash_sql "SELECT (SELECT count(*) FROM chibo_import.units) + (SELECT count(*) FROM chibo_import.members)
        + (SELECT count(*) FROM chibo_import.memberships) + (SELECT count(*) FROM chibo_import.exemptions)
        + (SELECT count(*) FROM chibo_import.meetings) + (SELECT count(*) FROM chibo_import.attendance)
        + (SELECT count(*) FROM chibo_import.task_registrations) + (SELECT count(*) FROM chibo_import.assessments)
        + (SELECT count(*) FROM chibo_import.classifications)")
    chibo_check "the staged rows wait for the next call (docs/import.md, section 2)" \
        "$(($(cat "$CRASH_IMPORT_DIR"/*.csv | wc -l) - 9))" "$staged"

    read -r changed newm newa <<<"$CRASH_IMPORT_EXPECT"
    if [[ $CRASH_IMPORT_DIR == "$CRASH_DIR/batch" ]]; then
        chibo_check "the batch changes what it was made to: statuses changed, new meetings, new attendance rows" \
            "$CRASH_BATCH_SIZES" "$changed $newm $newa"
    fi
    before=$(crash_sql 'SELECT count(*) FROM chibo.report_changes')
    if crash_sql "$sql" >"$out"; then
        chibo_ok "the import runs again to completion after the crashes"
    else
        chibo_not_ok "the import runs again to completion after the crashes (see $CRASH_LOG)"
    fi
    cat "$out" >>"$CRASH_LOG"
    if crash_import_counts "$CRASH_IMPORT_DIR" "$out"; then
        chibo_ok "... and accepts every row of the nine files, rejects none"
    else
        chibo_not_ok "... and accepts every row of the nine files, rejects none"
    fi
    chibo_check "... adds exactly the new meetings and attendance rows" \
        "$newm $newa" "$(crash_sql "SELECT (SELECT count(*) FROM chibo.meetings) - meetings, (SELECT count(*) FROM chibo.attendance) - attendance
                                      FROM chibo_check.counts_before" | tr '|' ' ')"
    chibo_check "... changes exactly the statuses it should" "$changed" \
        "$(crash_sql 'SELECT count(*) FROM chibo.attendance a JOIN chibo_check.status_before b USING (id) WHERE a.status <> b.status')"
    chibo_check "... every staged attendance row is stored with its staged status" 0 \
        "$(crash_sql "SELECT count(*) FROM chibo_check.staged s
                        JOIN chibo.units u ON u.code = s.unit_code
                        JOIN chibo.members m ON m.code = s.member_code
                        LEFT JOIN chibo.meetings mt ON mt.unit_id = u.id AND mt.held_on = s.held_on::date AND mt.kind = s.meeting_kind
                        LEFT JOIN chibo.attendance a ON a.meeting_id = mt.id AND a.member_id = m.id
                       WHERE a.status::text IS DISTINCT FROM s.status")"
    chibo_check "... empties staging and records its changes for the next refresh" "0 t" \
        "$(crash_sql "SELECT count(*) FROM chibo_import.attendance") $(crash_sql "SELECT count(*) > $before FROM chibo.report_changes")"
}

# --- refresh_reports() --------------------------------------------------------

# Changes for a refresh to apply (try N): statuses of attendance rows of a
# month of 2023 turned around, on top of what is pending already.
crash_change() {
    crash_sql "UPDATE chibo.attendance SET status = CASE status WHEN 'present' THEN 'absent' ELSE 'present' END::chibo.attendance_status
                WHERE held_on >= make_date(2023, $1, 1) AND held_on < make_date(2023, $1, 1) + interval '1 month'
                  AND id % 3 = 0" >/dev/null
}

crash_prepare_refresh() {
    crash_change "$1" || return 1
    CRASH_BEFORE=$(crash_checksums)
}

crash_prepare_refresh_again() {
    (( $1 == 1 )) || crash_prepare_refresh "$1"
}

crash_refresh() {
    local after pending rollups full out
    crash_try "refresh_reports(full => true), backend killed a second in" \
        'SELECT * FROM chibo.refresh_reports(full => true)' backend "" 1 crash_prepare_refresh || return 0
    after=$(crash_checksums)
    crash_same "after the crash of the full refresh: every chibo table as before (rollups unchanged, change records kept)" \
        "$CRASH_BEFORE" "$after"

    crash_try "incremental refresh_reports(), whole server killed after steps 1 and 2, waiting for chibo.unit_months" \
        'SELECT * FROM chibo.refresh_reports()' server 'LOCK TABLE chibo.unit_months IN SHARE MODE' 0 \
        crash_prepare_refresh_again || return 0
    after=$(crash_checksums)
    crash_same "after the crash of the incremental refresh: every chibo table as before" "$CRASH_BEFORE" "$after"
    pending=$(crash_sql 'SELECT count(*) FROM chibo.report_changes')
    if (( pending > 0 )); then
        chibo_ok "the pending changes are still recorded in chibo.report_changes ($pending rows)"
    else
        chibo_not_ok "the pending changes are still recorded in chibo.report_changes: none left"
    fi

    out=$(crash_sql 'SET client_min_messages = warning; SELECT * FROM chibo.refresh_reports()')
    echo "$out" >>"$CRASH_LOG"
    chibo_check "the incremental refresh runs again to completion and takes every change record" \
        "3 0" "$(grep -c . <<<"$out") $(crash_sql 'SELECT count(*) FROM chibo.report_changes')"
    rollups=$(crash_rollups)
    full=$(crash_sql 'SET client_min_messages = warning; SELECT * FROM chibo.refresh_reports(full => true)' >>"$CRASH_LOG" && crash_rollups)
    crash_same "the rollups after the rerun equal a full rebuild (cell_months, cell_years, unit_months, unit_years, unit_ancestors)" \
        "$rollups" "$full"
}

run_crash() {
    local t0
    CRASH_LOG=$CHIBO_LOG_DIR/crash.log
    CRASH_DIR=$TEST_DIR/crash
    mkdir -p "$CHIBO_LOG_DIR" && : >"$CRASH_LOG"
    rm -rf "$CRASH_DIR" && mkdir -p "$CRASH_DIR" || return 1
    t0=$SECONDS
    if ! chibo_district_db "$CRASH_DB" >>"$CRASH_LOG" 2>&1; then
        chibo_not_ok "the district imported and refreshed (see $CRASH_LOG)"
        return 1
    fi
    chibo_ok "the district imported (every row accepted), refreshed and analysed ($((SECONDS - t0)) s)"
    cp -r "$CHIBO_DISTRICT_DIR" "$CRASH_DIR/district" || return 1
    crash_make_batch "$CRASH_DIR/district" "$CRASH_DIR/batch" ||
        { echo "crash: making the batch failed"; return 1; }
    t0=$SECONDS
    crash_import
    echo "# import crashes and rerun: $((SECONDS - t0)) s"
    t0=$SECONDS
    crash_refresh
    echo "# refresh crashes and rerun: $((SECONDS - t0)) s"
    psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $CRASH_DB" >>"$CRASH_LOG" 2>&1
    rm -rf "$CRASH_DIR"
    return 0
}
