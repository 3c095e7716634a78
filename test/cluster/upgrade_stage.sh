# shellcheck shell=bash
# The upgrade stage of check.sh (sourced by it): a released version brought
# to the current one by ALTER EXTENSION ... UPDATE is the same extension,
# holding the same data, as the current version installed fresh.
#
#   1. Versions: the server's default version is the checkout's
#      (chibo.control); every frozen release (sql/releases/) is installable;
#      pg_extension_update_paths() leads from every older version to the
#      default.  One check each.
#   2. Data: database A gets the oldest version, database B the default;
#      both load the generated district through the CSV contract (at the
#      same time) and refresh the reports.  A is updated (ALTER EXTENSION
#      chibo UPDATE, the whole chain) and refreshed again; then both import
#      the small test batch (next month's data: updates, rejects, audit
#      rows) and refresh.  Compared, one check each: every table of chibo
#      and chibo_import (found in the catalogue; rows and a checksum, ids
#      included: the same load order gives the same ids; columns of time
#      stamp types as set or NULL; a table equal but for its own ids passes,
#      saying so: the import numbers a batch's rows in the order of its
#      plan), every sequence, every view of chibo_report, the report
#      functions on the district.  The audit log cannot hold in A what
#      happened before the update: it is compared on the rows the small
#      batch wrote after it (all but id, time, transaction id and the ids
#      of the changed rows), as a set.
#   3. The extension itself, object by object: test/cluster/extension_
#      objects.sql describes every object of the extension without OIDs
#      (definitions, columns, constraints, indexes, triggers, policies,
#      privileges, comments, ...); the descriptions of A and B are written
#      sorted to files and compared.  One failure per object that differs
#      (its diff printed, up to UPGRADE_SHOWN objects; all of them in
#      $CHIBO_LOG_DIR/upgrade_objects.diff) and per object found in one
#      only.  The description is checked first against itself: a fresh
#      install without data describes exactly as B.  Every other older
#      version is updated in a database without data and compared too.
#   4. Roles: in a throwaway cluster of its own (roles are shared by the
#      databases of a cluster, so B's would hide A's), each older version
#      updated creates the same roles (attributes, memberships, comments) as
#      a fresh install.
#
# Uses check.sh's counters (STAGE_PASSED, STAGE_FAILED), TEST_DIR,
# CHIBO_LOG_DIR, CHIBO_PG_BIN and the cluster's PGHOST/PGPORT/PGUSER.
# UPGRADE_KEEP_DATABASES=1 keeps A, B and C for a look after the stage.
#
#   stage upgrade run_upgrade

# shellcheck source=test/cluster/compare.sh
source "$(dirname "${BASH_SOURCE[0]}")/compare.sh"

UPGRADE_LOG=""
UPGRADE_TIMES="" UPGRADE_LAP=0

upgrade_lap() {   # upgrade_lap WHAT: the time since the last lap, for the summary line
    UPGRADE_TIMES+="${UPGRADE_TIMES:+, }$1 $((SECONDS - UPGRADE_LAP)) s"
    UPGRADE_LAP=$SECONDS
}
UPGRADE_SHOWN=${UPGRADE_SHOWN:-15}   # objects whose diff is printed (the others are named)
UPGRADE_NAMED=${UPGRADE_NAMED:-40}   # objects named by a "not ok" line (the others are counted)
UPGRADE_DIFF_LINES=40                # lines of diff printed per object
# Tables of history: in a database updated from a version without them they
# cannot hold what happened before the update (compared on later rows).
UPGRADE_HISTORY_TABLE=chibo.audit_log
UPGRADE_HISTORY_SKIP="chibo.audit_log,chibo.audit_log_id_seq"
UPGRADE_OBJECTS_SQL="$(dirname "${BASH_SOURCE[0]}")/extension_objects.sql"

upgrade_sql() {   # upgrade_sql DB SQL: the value(s), errors to the log
    psql -X -At -v ON_ERROR_STOP=1 -d "$1" -c "$2" 2>>"$UPGRADE_LOG"
}
upgrade_step() {   # upgrade_step WHAT CMD...: run CMD, output to the log; say what failed
    local what=$1
    shift
    if ! "$@" >>"$UPGRADE_LOG" 2>&1; then
        echo "upgrade: $what failed; last lines of $UPGRADE_LOG:"
        tail -n 20 "$UPGRADE_LOG"
        return 1
    fi
}

# upgrade_load DB VERSION DIR: CREATE EXTENSION (VERSION, or the default if
# empty), the district of DIR through the contract, refresh_reports().
upgrade_load() {
    local db=$1 version=$2 dir=$3 create="CREATE EXTENSION chibo"
    [[ -z $version ]] || create+=" VERSION '$version'"
    psql -X -q -v ON_ERROR_STOP=1 -d "$db" -c "$create" &&
        chibo_import_dir "$db" "$dir" &&
        psql -X -q -v ON_ERROR_STOP=1 -d "$db" -c 'SELECT * FROM chibo.refresh_reports()'
}

# upgrade_batch DB: next month's data (the small test batch), refresh.
upgrade_batch() {
    chibo_import_dir "$1" test/data/import/small &&
        psql -X -q -v ON_ERROR_STOP=1 -d "$1" -c 'SELECT * FROM chibo.refresh_reports()'
}

# upgrade_describe DB FILE [ROLES]: the description of the extension in DB
# (extension_objects.sql, roles=referenced unless ROLES) into FILE.
upgrade_describe() {
    psql -X -At -q -v ON_ERROR_STOP=1 -v ext=chibo -v roles="${3:-referenced}" \
        -f "$UPGRADE_OBJECTS_SQL" -d "$1" >"$2" 2>>"$UPGRADE_LOG"
}

# upgrade_compare_objects NAME_A FILE_A NAME_B FILE_B: object by object.
# One failure per object whose lines differ (its diff printed, for the
# first UPGRADE_SHOWN of them) and per object found in one file only; one
# pass for all the objects found identical.  Every diff goes to
# $CHIBO_LOG_DIR/upgrade_objects.diff too.
upgrade_compare_objects() {
    local name_a=$1 file_a=$2 name_b=$3 file_b=$4 shown=0 same ident diff
    local full=$CHIBO_LOG_DIR/upgrade_objects.diff
    local -a only_a only_b differ
    mapfile -t only_a < <(LC_ALL=C comm -23 <(cut -f 1 "$file_a" | LC_ALL=C sort -u) <(cut -f 1 "$file_b" | LC_ALL=C sort -u))
    mapfile -t only_b < <(LC_ALL=C comm -13 <(cut -f 1 "$file_a" | LC_ALL=C sort -u) <(cut -f 1 "$file_b" | LC_ALL=C sort -u))
    # objects in both whose lines differ: the identities on changed lines
    mapfile -t differ < <(LC_ALL=C comm -12 \
        <(diff "$file_a" "$file_b" | sed -n 's/^[<>] \([^\t]*\)\t.*/\1/p' | LC_ALL=C sort -u) \
        <(LC_ALL=C comm -12 <(cut -f 1 "$file_a" | LC_ALL=C sort -u) <(cut -f 1 "$file_b" | LC_ALL=C sort -u)))
    same=$(( $(LC_ALL=C comm -12 <(cut -f 1 "$file_a" | LC_ALL=C sort -u) <(cut -f 1 "$file_b" | LC_ALL=C sort -u) | wc -l) - ${#differ[@]} ))
    {
        echo "=== $name_a ($file_a) against $name_b ($file_b)"
        diff -u "$file_a" "$file_b" || true
    } >>"$full"
    if (( same > 0 )); then
        chibo_ok "$same objects described identically in $name_a and $name_b"
    fi
    for ident in "${differ[@]}"; do
        if (( shown < UPGRADE_NAMED )); then
            chibo_not_ok "$ident differs between $name_a and $name_b"
        else   # counted, named in the log only
            STAGE_FAILED=$((STAGE_FAILED + 1))
        fi
        if (( shown < UPGRADE_SHOWN )); then
            diff=$(diff -U 2 --label "$name_a" --label "$name_b" \
                       <(awk -F '\t' -v id="$ident" '$1 == id { sub(/^[^\t]*\t/, ""); print }' "$file_a") \
                       <(awk -F '\t' -v id="$ident" '$1 == id { sub(/^[^\t]*\t/, ""); print }' "$file_b") || true)
            head -n "$UPGRADE_DIFF_LINES" <<<"$diff" | sed 's/^/    /'
            (( $(wc -l <<<"$diff") <= UPGRADE_DIFF_LINES )) ||
                echo "    ... ($(wc -l <<<"$diff") lines in all: $full)"
        fi
        shown=$((shown + 1))
    done
    (( shown <= UPGRADE_SHOWN )) || echo "    (diffs of $((shown - UPGRADE_SHOWN)) more objects not shown: $full)"
    if (( shown > UPGRADE_NAMED )); then
        echo "not ok - $((shown - UPGRADE_NAMED)) more objects differ between $name_a and $name_b (counted; all named in $full)"
        printf '%s\n' "--- every object that differs between $name_a and $name_b:" "${differ[@]}" >>"$full"
    fi
    for ident in "${only_a[@]}"; do
        chibo_not_ok "$ident: only in $name_a"
    done
    for ident in "${only_b[@]}"; do
        chibo_not_ok "$ident: only in $name_b"
    done
}

# The audit log on the rows recorded after MARK (the largest id before the
# small batch): everything but id, time, transaction id and the ids of the
# changed rows (see the ids of chibo_compare_sums), as a set.
upgrade_history_sum() {   # upgrade_history_sum DB MARK
    upgrade_sql "$1" "SELECT count(*) || ' ' || coalesce(md5(string_agg(h, '' ORDER BY h)), '-')
                        FROM (SELECT md5(((pg_catalog.to_jsonb(t) - '{id,at,xact,row_id,old_values,new_values}'::text[])
                                          || pg_catalog.jsonb_build_object('old', t.old_values - 'id', 'new', t.new_values - 'id'))::text) AS h
                                FROM $UPGRADE_HISTORY_TABLE t WHERE t.id > $2) s"
}
upgrade_history_mark() {   # upgrade_history_mark DB: the largest id of the log, 0 if empty or none
    local mark
    mark=$(psql -X -At -d "$1" -c "SELECT coalesce(max(id), 0) FROM $UPGRADE_HISTORY_TABLE" 2>/dev/null) || mark=0
    echo "${mark:-0}"
}

# Roles, in a cluster of their own.
upgrade_roles() {
    local default=$1 dir=$TEST_DIR/upgrade_roles port v role
    local -a older=("${@:2}")
    port=$(chibo_free_port $((PGPORT + 1))) || return 1
    rm -rf "$dir"
    install -d -o postgres -g postgres -m 0700 "$dir" "$dir/sock"
    if ! (cd / && runuser -u postgres -- "$CHIBO_PG_BIN/initdb" -D "$dir/data" -A trust -U postgres \
              -E UTF8 --locale=C.UTF-8 >>"$UPGRADE_LOG" 2>&1 &&
          runuser -u postgres -- "$CHIBO_PG_BIN/pg_ctl" -D "$dir/data" -w -l "$dir/log" \
              -o "-p $port -k $dir/sock -c listen_addresses='' -c fsync=off" start >>"$UPGRADE_LOG" 2>&1); then
        chibo_not_ok "roles: a throwaway cluster did not start (see $UPGRADE_LOG)"
        return 1
    fi
    (
        export PGHOST=$dir/sock PGPORT=$port
        for v in "${older[@]}" ""; do
            upgrade_step "roles: database of $v" psql -X -q -v ON_ERROR_STOP=1 -d postgres -c 'CREATE DATABASE chibo_roles' || exit 1
            if [[ -n $v ]]; then
                upgrade_step "roles: $v updated" psql -X -q -v ON_ERROR_STOP=1 -d chibo_roles \
                    -c "CREATE EXTENSION chibo VERSION '$v'" -c 'ALTER EXTENSION chibo UPDATE' || exit 1
            else
                upgrade_step "roles: fresh $default" psql -X -q -v ON_ERROR_STOP=1 -d chibo_roles -c 'CREATE EXTENSION chibo' || exit 1
            fi
            upgrade_describe chibo_roles "$dir/all.objects" all || exit 1
            grep '^role ' "$dir/all.objects" >"$dir/roles.${v:-fresh}" || true
            # back to a cluster without the extension's roles
            psql -X -q -d postgres -c 'DROP DATABASE chibo_roles' >>"$UPGRADE_LOG" 2>&1 || exit 1
            for role in $(psql -X -At -d postgres -c "SELECT quote_ident(rolname) FROM pg_roles WHERE rolname !~ '^pg_' AND oid <> 10"); do
                psql -X -q -d postgres -c "DROP ROLE $role" >>"$UPGRADE_LOG" 2>&1 || exit 1
            done
        done
    ) || chibo_not_ok "roles: the throwaway cluster's steps failed (see $UPGRADE_LOG)"
    for v in "${older[@]}"; do
        [[ -f $dir/roles.$v && -f $dir/roles.fresh ]] || continue
        if [[ ! -s $dir/roles.fresh && ! -s $dir/roles.$v ]]; then
            chibo_ok "roles: neither $v updated nor a fresh $default creates a role"
        else
            upgrade_compare_objects "$v updated (own cluster)" "$dir/roles.$v" "fresh $default (own cluster)" "$dir/roles.fresh"
        fi
    done
    (cd / && runuser -u postgres -- "$CHIBO_PG_BIN/pg_ctl" -D "$dir/data" -m fast -w stop >>"$UPGRADE_LOG" 2>&1)
    rm -rf "$dir"
}

run_upgrade() {
    local a=chibo_upgrade_old b=chibo_upgrade_new c=chibo_upgrade_bare dir
    local default control versions oldest v path rc_a=0 rc_b=0 pid_a mark_a mark_b
    local -a older=()
    UPGRADE_LOG=$CHIBO_LOG_DIR/upgrade.log UPGRADE_TIMES="" UPGRADE_LAP=$SECONDS
    mkdir -p "$CHIBO_LOG_DIR" && : >"$UPGRADE_LOG" && : >"$CHIBO_LOG_DIR/upgrade_objects.diff"

    # 1. Versions.
    default=$(upgrade_sql postgres "SELECT default_version FROM pg_available_extensions WHERE name = 'chibo'")
    control=$(sed -n "s/^default_version *= *'\(.*\)'/\1/p" chibo.control)
    chibo_check "the server's default version of chibo is the checkout's (chibo.control)" "$control" "$default"
    [[ -n $default ]] || return 1
    versions=$(upgrade_sql postgres "SELECT version FROM pg_available_extension_versions WHERE name = 'chibo'" | sort -V)
    for f in sql/releases/chibo--*.sql; do
        [[ -e $f ]] || continue
        v=${f#sql/releases/chibo--}
        v=${v%.sql}
        chibo_check "frozen release $v is installable" "$v" "$(grep -x -F -- "$v" <<<"$versions" || true)"
    done
    for v in $versions; do
        [[ $v != "$default" ]] || continue
        older+=("$v")
        path=$(upgrade_sql postgres "SELECT path FROM pg_extension_update_paths('chibo')
                                      WHERE source = '$v' AND target = '$default'")
        if [[ -n $path ]]; then
            chibo_ok "an update path leads from $v to $default: $path"
        else
            chibo_not_ok "no update path from $v to $default (pg_extension_update_paths)"
        fi
    done
    if (( ${#older[@]} == 0 )); then
        echo "upgrade: no version older than $default is installable: nothing to update"
        return 0
    fi
    oldest=${older[0]}
    echo "upgrade: versions $(tr '\n' ' ' <<<"$versions")(default $default); A: $oldest updated, B: $default fresh"

    # 2. Data: A and B loaded at the same time.
    # B is the run's district database (chibo_district_db of lib.sh: the
    # same files through the contract, refreshed), A loads those files.
    upgrade_step "creating the databases" \
        psql -X -q -v ON_ERROR_STOP=1 -d postgres -c 'SET client_min_messages = warning' \
            -c "DROP DATABASE IF EXISTS $a" -c "DROP DATABASE IF EXISTS $c" \
            -c "CREATE DATABASE $a" -c "CREATE DATABASE $c" || return 1
    upgrade_lap generating
    chibo_district_db "$b" >"$CHIBO_LOG_DIR/upgrade_load_b.log" 2>&1 || rc_b=$?
    dir=$CHIBO_DISTRICT_DIR
    upgrade_load "$a" "$oldest" "$dir" >"$CHIBO_LOG_DIR/upgrade_load_a.log" 2>&1 || rc_a=$?
    if (( rc_a != 0 || rc_b != 0 )); then
        echo "upgrade: loading the district failed; see $CHIBO_LOG_DIR/upgrade_load_a.log and upgrade_load_b.log:"
        tail -n 10 "$CHIBO_LOG_DIR/upgrade_load_a.log" "$CHIBO_LOG_DIR/upgrade_load_b.log"
        return 1
    fi
    upgrade_lap "loading A and B"
    if upgrade_step "ALTER EXTENSION chibo UPDATE in $a" \
           psql -X -q -v ON_ERROR_STOP=1 -d "$a" -c 'ALTER EXTENSION chibo UPDATE'; then
        chibo_check "ALTER EXTENSION chibo UPDATE brings $a from $oldest to $default" "$default" \
            "$(upgrade_sql "$a" "SELECT extversion FROM pg_extension WHERE extname = 'chibo'")"
    else
        chibo_not_ok "ALTER EXTENSION chibo UPDATE in $a failed (see $UPGRADE_LOG)"
    fi
    if upgrade_step "refresh_reports() in $a after the update" \
           psql -X -q -v ON_ERROR_STOP=1 -d "$a" -c 'SELECT * FROM chibo.refresh_reports()'; then
        chibo_ok "refresh_reports() runs in $a after the update"
    else
        chibo_not_ok "refresh_reports() fails in $a after the update (see $UPGRADE_LOG)"
    fi
    upgrade_lap "update and refresh"
    # Next month's batch, into both: the updated extension imports as the new one.
    mark_a=$(upgrade_history_mark "$a")
    mark_b=$(upgrade_history_mark "$b")
    upgrade_step "the small batch and refresh_reports() in $a" upgrade_batch "$a" &   # both at once
    pid_a=$!
    upgrade_step "the small batch and refresh_reports() in $b" upgrade_batch "$b" ||
        chibo_not_ok "the small batch and refresh_reports() fail in $b (see $UPGRADE_LOG)"
    wait "$pid_a" || chibo_not_ok "the small batch and refresh_reports() fail in $a (see $UPGRADE_LOG)"
    upgrade_lap "small batch"
    chibo_data_sums "$a" all "$UPGRADE_HISTORY_SKIP" >"$CHIBO_LOG_DIR/upgrade_updated.sums" 2>>"$UPGRADE_LOG" &   # both at once
    pid_a=$!
    chibo_data_sums "$b" all "$UPGRADE_HISTORY_SKIP" >"$CHIBO_LOG_DIR/upgrade_fresh.sums" 2>>"$UPGRADE_LOG" ||
        chibo_not_ok "checksums of $b failed (see $UPGRADE_LOG)"
    wait "$pid_a" || chibo_not_ok "checksums of $a failed (see $UPGRADE_LOG)"
    # ids: the import inserts a batch's rows in the order of its plan, which
    # the statistics of the moment choose, so two loads of the same files
    # may number them differently; a table equal but for its own ids passes.
    chibo_compare_sums "$oldest updated" "$CHIBO_LOG_DIR/upgrade_updated.sums" "$default fresh" "$CHIBO_LOG_DIR/upgrade_fresh.sums" any
    chibo_expect_objects "$CHIBO_LOG_DIR/upgrade_fresh.sums" "$CHIBO_KNOWN_TABLES" "${CHIBO_KNOWN_RELATIONS[@]}"
    chibo_check "$UPGRADE_HISTORY_TABLE: the rows recorded by the small batch after the update are those of a fresh install" \
        "$(upgrade_history_sum "$b" "$mark_b")" "$(upgrade_history_sum "$a" "$mark_a")"

    upgrade_lap "data compared"

    # 3. The extension, object by object.
    if ! { upgrade_step "CREATE EXTENSION in $c" psql -X -q -v ON_ERROR_STOP=1 -d "$c" -c 'CREATE EXTENSION chibo' &&
           upgrade_describe "$a" "$CHIBO_LOG_DIR/upgrade_updated.objects" &&
           upgrade_describe "$b" "$CHIBO_LOG_DIR/upgrade_fresh.objects" &&
           upgrade_describe "$c" "$CHIBO_LOG_DIR/upgrade_bare.objects"; }; then
        chibo_not_ok "describing the extension failed (see $UPGRADE_LOG)"
        return 1
    fi
    if cmp -s "$CHIBO_LOG_DIR/upgrade_fresh.objects" "$CHIBO_LOG_DIR/upgrade_bare.objects"; then
        chibo_ok "the description depends on neither OIDs nor data: $default fresh with the district and without describe alike ($(cut -f 1 "$CHIBO_LOG_DIR/upgrade_fresh.objects" | sort -u | wc -l) objects)"
    else
        chibo_not_ok "two fresh installs of $default describe differently: the comparison below is not to be trusted"
        diff "$CHIBO_LOG_DIR/upgrade_fresh.objects" "$CHIBO_LOG_DIR/upgrade_bare.objects" | head -n 20 | sed 's/^/    /'
    fi
    upgrade_compare_objects "$oldest updated" "$CHIBO_LOG_DIR/upgrade_updated.objects" "$default fresh" "$CHIBO_LOG_DIR/upgrade_fresh.objects"
    for v in "${older[@]:1}"; do   # the other older versions, without data
        if ! { upgrade_step "$v updated in $c" \
                   psql -X -q -v ON_ERROR_STOP=1 -d "$c" -c 'DROP EXTENSION chibo CASCADE' -c 'DROP SCHEMA chibo CASCADE' \
                       -c "CREATE EXTENSION chibo VERSION '$v'" -c 'ALTER EXTENSION chibo UPDATE' &&
               upgrade_describe "$c" "$CHIBO_LOG_DIR/upgrade_$v.objects"; }; then
            chibo_not_ok "$v: install and update failed (see $UPGRADE_LOG)"
            continue
        fi
        upgrade_compare_objects "$v updated" "$CHIBO_LOG_DIR/upgrade_$v.objects" "$default fresh" "$CHIBO_LOG_DIR/upgrade_fresh.objects"
    done

    upgrade_lap "objects compared"

    # 4. Roles.
    upgrade_roles "$default" "${older[@]}"
    upgrade_lap "roles"
    echo "upgrade: times: $UPGRADE_TIMES (log: $UPGRADE_LOG)"

    if [[ ${UPGRADE_KEEP_DATABASES:-0} == 1 ]]; then
        echo "upgrade: databases $a, $b and $c kept (UPGRADE_KEEP_DATABASES=1)"
    else
        psql -X -q -d postgres -c "DROP DATABASE $a" -c "DROP DATABASE $b" -c "DROP DATABASE $c" >>"$UPGRADE_LOG" 2>&1
    fi
    return 0   # (the district's files are the run's, kept for other stages)
}
