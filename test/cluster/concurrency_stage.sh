# shellcheck shell=bash
# The concurrency stage of check.sh (sourced by it): writers, readers and
# the refresh at the same time on the generated district, with pgbench
# (scripts in test/cluster/pgbench/), for CHIBO_CONCURRENCY_SECONDS
# (default 60) seconds:
#
#   - writers (4 clients, one pgbench run): enter_meeting.sql (a new
#     meeting with its attendance rows in one transaction) and
#     correct_status.sql (one attendance status corrected), 1:2; each
#     committed transaction leaves a marker row in schema bench;
#   - readers (2 clients, each keeping its connection):
#     read_reports.sql (chibo_report.headline, chibo.indicators(),
#     chibo_report.unit_month, and a probe that the rollups it reads are
#     never half a refresh);
#   - the refresh (1 client): refresh.sql, chibo.refresh_reports() in a
#     loop.
#
# Checks: every run ends without an error (pgbench retries serialization
# failures and deadlocks, 40001 and 40P01, up to 10 times; retries are
# reported with their messages, failures count); every committed write is
# stored (markers = meetings and corrected rows found in chibo's tables,
# each meeting with the attendance of every member belonging to its cell
# that day; per client, markers = the transactions pgbench logged as done,
# plus at most one: pgbench -T stops a client where it is when the time
# runs out, so a COMMIT already sent may commit uncounted); after a last
# refresh_reports() the rollups count every new meeting and equal a full
# rebuild.
#
# Uses check.sh's counters (STAGE_PASSED, STAGE_FAILED), TEST_DIR and the
# cluster's PGHOST/PGPORT/PGUSER.  Logs in CHIBO_LOG_DIR/concurrency*.

CONC_LOG=""
CONC_DB=chibo_concurrency
CONC_DIR=""
CONC_SCRIPTS=test/cluster/pgbench

conc_sql() {   # conc_sql SQL: the value(s), errors to the log
    psql -X -q -At -v ON_ERROR_STOP=1 -d "$CONC_DB" -c "$1" 2>>"$CONC_LOG"
}

# The rollup tables and the tree: name, row count, md5 of the ordered rows.
conc_rollups() {
    local t
    for t in cell_months cell_years unit_months unit_years unit_ancestors; do
        conc_sql "SELECT '$t ' || count(*) || ' ' || md5(coalesce(string_agg(t::text, E'\n' ORDER BY t::text), ''))
                    FROM chibo.$t t"
    done
}

# Schema bench: free (cell, day) slots for new meetings, stored attendance
# rows to correct (each once), and the marker tables.
conc_bench_schema() {
    conc_sql "
        CREATE SCHEMA bench;
        CREATE TABLE bench.slots AS
        SELECT row_number() OVER (ORDER BY md5(c.unit_id || ' ' || c.held_on)) AS slot, c.unit_id, c.held_on
          FROM (SELECT u.id AS unit_id, d::date AS held_on
                  FROM chibo.units u, chibo.report_state r,
                       generate_series(r.first_month, chibo.month_end(r.last_month), interval '1 day') AS d
                 WHERE u.kind = 'cell' AND u.valid_from <= d AND (u.valid_to IS NULL OR u.valid_to > d)
                   AND NOT EXISTS (SELECT FROM chibo.meetings mt
                                    WHERE mt.unit_id = u.id AND mt.held_on = d::date AND mt.kind = 'extraordinary')) AS c
         ORDER BY 1 LIMIT 100000;
        ALTER TABLE bench.slots ADD PRIMARY KEY (slot);
        CREATE SEQUENCE bench.slot_seq;
        CREATE TABLE bench.entered (slot bigint PRIMARY KEY, meeting_id bigint NOT NULL UNIQUE, client integer,
                                    members bigint);
        CREATE TABLE bench.targets AS
        SELECT row_number() OVER (ORDER BY md5(id::text)) AS n, id AS attendance_id
          FROM chibo.attendance ORDER BY 1 LIMIT 100000;
        ALTER TABLE bench.targets ADD PRIMARY KEY (n);
        CREATE SEQUENCE bench.target_seq;
        CREATE TABLE bench.corrected (n bigint PRIMARY KEY, attendance_id bigint NOT NULL UNIQUE,
                                      status chibo.attendance_status, client integer);
        ANALYZE bench.slots, bench.targets;"
}

# The district through the contract, refreshed and analyzed, and the
# bench schema.
conc_setup() {
    chibo_district_db "$CONC_DB" >>"$CONC_LOG" 2>&1 || return 1
    conc_bench_schema || return 1
    # Statistics for the readers, as autovacuum would gather them a minute
    # after the import (without them indicators() plans badly: minutes).
    conc_sql 'ANALYZE' || return 1
}

# conc_field FILE PATTERN: the first number after PATTERN in a pgbench report.
conc_field() {
    sed -n "s/^$2 *\([0-9][0-9]*\).*/\1/p" "$1" | head -n 1
}

# conc_script_count FILE SCRIPT: transactions pgbench reports for one script
# of a run with several (its "SQL script N: PATH" section).
conc_script_count() {
    awk -v s="$2" '
        /^SQL script [0-9]+: / { cur = ($4 ~ s "$") }
        cur && /^ - [0-9]+ transactions/ { print $2; exit }' "$1"
}

# conc_in_flight SCRIPT_NO TABLE: compares, per writer client, the marker
# rows of TABLE with the transactions of script SCRIPT_NO (0-based) that
# pgbench's per-transaction logs ($CONC_DIR/writers*) record as done.
# Prints "LOGGED MARKERS LATE BAD": LATE clients have one marker more
# than logged (their last COMMIT was in flight when -T ran out), BAD
# clients differ otherwise.
conc_in_flight() {
    local values
    values=$(awk -v s="$1" '$4 == s && $3 ~ /^[0-9]+$/ { n[$1]++ }
                 END { for (c in n) printf "%s(%d,%d)", (k++ ? "," : ""), c, n[c] }' "$CONC_DIR"/writers*)
    conc_sql "WITH logged(client, n) AS (VALUES ${values:-(0,0)}),
                   marks AS (SELECT client, count(*) AS n FROM $2 GROUP BY client),
                   d AS (SELECT coalesce(m.n, 0) - coalesce(l.n, 0) AS late, l.n AS logged, m.n AS marked
                           FROM logged l FULL JOIN marks m USING (client))
              SELECT concat_ws(' ', coalesce(sum(logged), 0), coalesce(sum(marked), 0),
                               count(*) FILTER (WHERE late = 1), count(*) FILTER (WHERE late NOT IN (0, 1)))
                FROM d" | tr '|' ' '
}

# conc_run_ok WHAT FILE RC: one check per pgbench run: exit status 0, no
# client aborted, no failed transaction; names the retried errors.
conc_run_ok() {
    local what=$1 file=$2 rc=$3 n failed retried errors
    n=$(conc_field "$file" 'number of transactions actually processed:')
    failed=$(conc_field "$file" 'number of failed transactions:')
    retried=$(conc_field "$file" 'number of transactions retried:')
    errors=$(grep -oE '(ERROR|FATAL): .*' "$file" | sed 's/[0-9][0-9]*/N/g' | sort | uniq -c | sed 's/^ */#   /')
    if (( rc == 0 )) && [[ -n $n && ${failed:-0} == 0 ]] && ! grep -q 'aborted' "$file"; then
        chibo_ok "$what: $n transactions, 0 failed, ${retried:-0} retried (pgbench exit 0)"
    else
        chibo_not_ok "$what: pgbench exit $rc, ${n:-?} transactions, ${failed:-?} failed (see $file)"
    fi
    [[ -z $errors ]] || { echo "# $what: errors seen (retried or not):"; echo "$errors"; }
}

run_concurrency() {
    local secs=${CHIBO_CONCURRENCY_SECONDS:-60} t0 side_before w r f rcw=0 rcr=0 rcf=0 entered corrected lm mm late_m bad_m lc mc late_c bad_c
    local pw pr pf rollups full
    CONC_LOG=$CHIBO_LOG_DIR/concurrency.log
    CONC_DIR=$TEST_DIR/concurrency
    mkdir -p "$CHIBO_LOG_DIR" && : >"$CONC_LOG"
    rm -rf "$CONC_DIR" && mkdir -p "$CONC_DIR" || return 1
    w=$CHIBO_LOG_DIR/concurrency_writers.log
    r=$CHIBO_LOG_DIR/concurrency_readers.log
    f=$CHIBO_LOG_DIR/concurrency_refresh.log
    t0=$SECONDS
    if conc_setup; then
        chibo_ok "the district imported and refreshed, bench slots ready ($((SECONDS - t0)) s)"
    else
        chibo_not_ok "the district imported and refreshed, bench slots ready (see $CONC_LOG)"
        return 1
    fi
    side_before=$(conc_sql 'SELECT sum(side_meetings) FROM chibo.cell_months')

    echo "# pgbench: 4 writers, 2 readers, 1 refresh loop, $secs s"
    t0=$SECONDS
    PGOPTIONS='-c client_min_messages=warning' pgbench -n -r -T "$secs" -c 4 -j 2 --max-tries=10 --verbose-errors \
        --failures-detailed -l --log-prefix="$CONC_DIR/writers" -f "$CONC_SCRIPTS/enter_meeting.sql@1" -f "$CONC_SCRIPTS/correct_status.sql@2" \
        "$CONC_DB" >"$w" 2>&1 &
    pw=$!
    # Readers keep their connections, as a BI tool or a pool does: the
    # report functions plan every call afresh (a generic plan from the sixth
    # call of a session took minutes; docs/durability.md, section 4).
    PGOPTIONS='-c client_min_messages=warning' pgbench -n -r -T "$secs" -c 2 -j 2 --max-tries=10 --verbose-errors \
        --failures-detailed -f "$CONC_SCRIPTS/read_reports.sql" "$CONC_DB" >"$r" 2>&1 &
    pr=$!
    PGOPTIONS='-c client_min_messages=warning' pgbench -n -r -T "$secs" -c 1 -j 1 --max-tries=10 --verbose-errors \
        --failures-detailed -f "$CONC_SCRIPTS/refresh.sql" "$CONC_DB" >"$f" 2>&1 &
    pf=$!
    wait "$pw" || rcw=$?
    wait "$pr" || rcr=$?
    wait "$pf" || rcf=$?
    echo "# pgbench runs ended after $((SECONDS - t0)) s"
    conc_run_ok "writers (enter_meeting.sql, correct_status.sql)" "$w" "$rcw"
    conc_run_ok "readers (read_reports.sql)" "$r" "$rcr"
    conc_run_ok "refresh loop (refresh.sql)" "$f" "$rcf"
    if (( $(conc_field "$f" 'number of transactions actually processed:') + 0 >= 2 &&
          $(conc_field "$r" 'number of transactions actually processed:') + 0 >= 2 &&
          $(conc_script_count "$w" enter_meeting.sql) + 0 >= 2 &&
          $(conc_script_count "$w" correct_status.sql) + 0 >= 2 )); then
        chibo_ok "every script ran at least twice while the others ran"
    else
        chibo_not_ok "every script ran at least twice while the others ran"
    fi

    entered=$(conc_script_count "$w" enter_meeting.sql)
    corrected=$(conc_script_count "$w" correct_status.sql)
    read -r lm mm late_m bad_m <<<"$(conc_in_flight 0 bench.entered)"
    read -r lc mc late_c bad_c <<<"$(conc_in_flight 1 bench.corrected)"
    chibo_check "the per-transaction log agrees with pgbench's report (enter_meeting.sql, correct_status.sql)" \
        "$entered $corrected" "${lm:-?} ${lc:-?}"
    chibo_check "every committed meeting is stored: markers = meetings entered = transactions logged per client, +1 for a client whose COMMIT was in flight at the end ($late_m such)" \
        "$((lm + late_m)) $((lm + late_m)) 0" \
        "$(conc_sql "SELECT count(*) FROM bench.entered") $(conc_sql "SELECT count(*) FROM chibo.meetings WHERE topic LIKE 'pgbench slot %'") $bad_m"
    chibo_check "each entered meeting has the attendance of every member of its cell that day, none elsewhere" "0 0" \
        "$(conc_sql "SELECT count(*) FROM bench.entered e JOIN chibo.meetings mt ON mt.id = e.meeting_id
                      WHERE (SELECT count(*) FROM chibo.attendance a WHERE a.meeting_id = e.meeting_id)
                         <> (SELECT count(*) FROM chibo.memberships ms JOIN chibo.members m ON m.id = ms.member_id
                              WHERE ms.unit_id = mt.unit_id AND ms.period @> mt.held_on
                                AND (m.left_on IS NULL OR m.left_on >= mt.held_on))") $(conc_sql "
             SELECT count(*) FROM chibo.attendance a JOIN chibo.meetings mt ON mt.id = a.meeting_id
              WHERE mt.topic LIKE 'pgbench slot %' AND NOT EXISTS (SELECT FROM bench.entered e WHERE e.meeting_id = mt.id)")"
    chibo_check "every committed correction is stored: markers = rows with the recorded status = transactions logged per client, +1 for a client whose COMMIT was in flight at the end ($late_c such)" \
        "$((lc + late_c)) $((lc + late_c)) 0" \
        "$(conc_sql "SELECT count(*) FROM bench.corrected") $(conc_sql "SELECT count(*) FROM bench.corrected c
                                                                           JOIN chibo.attendance a ON a.id = c.attendance_id AND a.status = c.status") $bad_c"

    t0=$SECONDS
    if conc_sql 'SET client_min_messages = warning; SELECT * FROM chibo.refresh_reports()' >>"$CONC_LOG"; then
        chibo_ok "a last refresh_reports() after the runs ($((SECONDS - t0)) s)"
    else
        chibo_not_ok "a last refresh_reports() after the runs (see $CONC_LOG)"
    fi
    chibo_check "the rollups count every entered meeting (cell_months.side_meetings grew by the meetings entered)" \
        "$mm" "$(conc_sql "SELECT sum(side_meetings) - $side_before FROM chibo.cell_months")"
    rollups=$(conc_rollups)
    t0=$SECONDS
    full=$(conc_sql 'SET client_min_messages = warning; SELECT * FROM chibo.refresh_reports(full => true)' >>"$CONC_LOG" &&
           conc_rollups)
    if [[ -n $rollups && $rollups == "$full" ]]; then
        chibo_ok "the rollups equal a full rebuild (cell_months, cell_years, unit_months, unit_years, unit_ancestors; rebuild $((SECONDS - t0)) s)"
    else
        chibo_not_ok "the rollups equal a full rebuild: tables that differ:"
        diff <(echo "$rollups") <(echo "$full") | sed -n 's/^[<>] /#   /p'
    fi
    echo "# pgbench reports: $w, $r, $f"
    psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $CONC_DB" >>"$CONC_LOG" 2>&1
    rm -rf "$CONC_DIR"
    return 0
}
