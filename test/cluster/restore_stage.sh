# shellcheck shell=bash
# The restore stage of check.sh (sourced by it): pg_dump and pg_restore
# lose nothing.
#
# A database is loaded as a user's would be: the generated district (Tây
# Hồ, 7,560 members) through the CSV contract, a criteria scheme of the
# user's, the small test batch on top (its units clash with the district's
# and are rejected: rejects are kept), a batch with a bad row, the root
# unit renamed (its row then lies after its children's: COPY restores rows
# in physical order), and refresh_reports().  It is dumped with pg_dump -Fc
# as the superuser (row-level security does not hide rows from it),
# restored into a fresh database, and refresh_reports() rebuilds there the
# rollups pg_dump leaves out.  Then, one check each:
#   - every table of schemas chibo and chibo_import, found in the
#     catalogue (so tables added later are compared too): row count and a
#     checksum of the rows; in the tables pg_dump leaves out (rollups,
#     report_state, ...), columns of time stamp types are compared as set
#     or NULL, everywhere else every column must be equal;
#   - every sequence there: last_value and is_called;
#   - every view of chibo_report, and indicators(), members_needing_
#     attention(), cells_needing_attention() and grading_quota() on the
#     district: the same rows;
#   - at least the tables and sequences of 0.1.0 were compared.
#
# Uses check.sh's counters (STAGE_PASSED, STAGE_FAILED), TEST_DIR,
# CHIBO_LOG_DIR and the cluster's PGHOST/PGPORT/PGUSER.
#
#   stage restore run_restore

# shellcheck source=test/cluster/compare.sh
source "$(dirname "${BASH_SOURCE[0]}")/compare.sh"

RESTORE_LOG=""
RESTORE_STATEMENT_TIMEOUT=${RESTORE_STATEMENT_TIMEOUT:-10min}

RESTORE_TIMES=""

restore_step() {   # restore_step WHAT CMD...: run CMD, output to the log; say what failed
    local what=$1 begin=$SECONDS
    shift
    echo "--- $what" >>"$RESTORE_LOG"
    if ! "$@" >>"$RESTORE_LOG" 2>&1; then
        echo "restore: $what failed; last lines of $RESTORE_LOG:"
        tail -n 20 "$RESTORE_LOG"
        return 1
    fi
    RESTORE_TIMES+="${RESTORE_TIMES:+, }${what%% *} $((SECONDS - begin)) s"
}

restore_load() {   # restore_load DB: the source database's data, on the district
    local db=$1
    chibo_district_db "$db" || return 1
    psql -X -q -v ON_ERROR_STOP=1 -d "$db" \
        -c "INSERT INTO chibo.schemes (code, name, subject_kind, criteria_names)
            VALUES ('CB3', 'Chi bộ 3 tiêu chí', 'cell', '{a,b,c}')" || return 1
    chibo_import_dir "$db" test/data/import/small || return 1
    psql -X -q -v ON_ERROR_STOP=1 -d "$db" \
        -c "INSERT INTO chibo_import.members VALUES ('TH-9', '', NULL, NULL, '2020-01-01', NULL, NULL, NULL)" \
        -c "SELECT * FROM chibo.import_staged()" \
        -c "UPDATE chibo.units SET name = name || ' (khóa mới)' WHERE parent_id IS NULL" \
        -c "SELECT * FROM chibo.refresh_reports()" || return 1
    # the load must have left rejects and the user's scheme, or the stage
    # would not show that they survive
    [[ $(psql -X -At -d "$db" -c "SELECT (SELECT count(*) > 0 FROM chibo_import.rejects)
                                         AND (SELECT count(*) = 1 FROM chibo.schemes WHERE code = 'CB3')") == t ]]
}

run_restore() {
    local src=chibo_restore_src dst=chibo_restore_dst dump=$TEST_DIR/chibo_restore.dump
    local sums_src=$CHIBO_LOG_DIR/restore_src.sums sums_dst=$CHIBO_LOG_DIR/restore_dst.sums
    local pid rc=0 begin
    RESTORE_LOG=$CHIBO_LOG_DIR/restore.log RESTORE_TIMES=""
    mkdir -p "$CHIBO_LOG_DIR" && : >"$RESTORE_LOG"
    restore_step "creating the database $dst" \
        psql -X -q -v ON_ERROR_STOP=1 -d postgres -c 'SET client_min_messages = warning' \
            -c "DROP DATABASE IF EXISTS $dst" -c "CREATE DATABASE $dst" || return 1
    restore_step "loading $src (district, scheme, small batch, rejects, refresh)" restore_load "$src" || return 1
    # pg_dump warns that units refers to itself; the rows come back anyway.
    restore_step "pg_dump -Fc $src" pg_dump -U postgres -Fc -f "$dump" "$src" || return 1
    # A statement of the restore running longer than RESTORE_STATEMENT_TIMEOUT
    # (a trigger's plan gone wrong) fails the stage instead of hanging it.
    restore_step "pg_restore into $dst" env PGOPTIONS="${PGOPTIONS:-} -c statement_timeout=$RESTORE_STATEMENT_TIMEOUT" \
        pg_restore -U postgres -d "$dst" "$dump" || return 1
    restore_step "refresh_reports() in $dst" \
        psql -X -q -v ON_ERROR_STOP=1 -d "$dst" -c 'SELECT * FROM chibo.refresh_reports()' || return 1
    # both databases at once (two cores)
    begin=$SECONDS
    chibo_data_sums "$src" derived >"$sums_src" 2>>"$RESTORE_LOG" &
    pid=$!
    chibo_data_sums "$dst" derived >"$sums_dst" 2>>"$RESTORE_LOG" || rc=$?
    wait "$pid" || rc=$?
    (( rc == 0 )) || { echo "restore: checksums failed (see $RESTORE_LOG)"; return 1; }
    RESTORE_TIMES+=", checksums $((SECONDS - begin)) s"
    echo "restore: $src loaded, dumped ($(du -h "$dump" | cut -f1)), restored into $dst and refreshed (log: $RESTORE_LOG)"
    echo "restore: times: $RESTORE_TIMES"
    chibo_compare_sums "$src" "$sums_src" "$dst (restored)" "$sums_dst"
    chibo_expect_objects "$sums_src" "$CHIBO_KNOWN_TABLES" "${CHIBO_KNOWN_RELATIONS[@]}"
    psql -X -q -d postgres -c "DROP DATABASE $src" -c "DROP DATABASE $dst" >>"$RESTORE_LOG" 2>&1
    rm -f "$dump"
    return 0
}
