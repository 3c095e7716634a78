# shellcheck shell=bash
# Helpers shared by the restore and upgrade stages of check.sh
# (test/cluster/restore_stage.sh, test/cluster/upgrade_stage.sh), which
# source this file: checksums of every table, sequence, report view and
# report function of a database, and their comparison between two
# databases, one counted check per object.
#
# Uses check.sh's counters (STAGE_PASSED, STAGE_FAILED) and the cluster's
# PGHOST/PGPORT/PGUSER.

# The report functions compared, on the generated district (Tây Hồ, Dec
# 2021 to May 2024): what the published report and the attention lists read.
CHIBO_REPORT_CALLS=(
    "chibo.indicators('TH', '2021-12-01', '2024-05-31')"
    "chibo.members_needing_attention('TH', 2023)"
    "chibo.cells_needing_attention('TH', '2021-12-01', '2024-05-31')"
    "chibo.grading_quota('TH', 2023)"
)

# Column types whose values say when or where a row was written rather than
# what it holds: compared as NULL or not NULL where rows are legitimately
# written at another time (see chibo_data_sums).
CHIBO_VOLATILE_TYPES="timestamptz,timestamp,time,timetz,interval,xid,xid8,pg_lsn,inet,cidr"
# ... and columns named like time stamps, whatever their type (the view
# chibo_report.report_state shows refreshed_at as text): a regex.
CHIBO_VOLATILE_NAMES='(^|_)at$'

# chibo_data_sums DB MASK [SKIP]
#
# Prints one line per object, "KEY<tab>VALUE", sorted by KEY:
#   table S.T       rows and an md5 of the rows' md5s in order, for every
#                   table of schemas chibo and chibo_import (from the
#                   catalogue: tables added later are included);
#   sequence S.Q    last_value and is_called, for every sequence there;
#   view S.V        as tables, for every view of chibo_report;
#   function F(...) as tables, for each call of CHIBO_REPORT_CALLS.
# MASK says where columns of the CHIBO_VOLATILE_TYPES (or named as in
# CHIBO_VOLATILE_NAMES) are reduced to
# "IS NULL": "derived" in views and in the tables pg_dump leaves out (they
# are rebuilt, e.g. report_state.refreshed_at: a dump keeps the others as
# they were), "all" everywhere (two databases loaded apart).  The VALUE
# names the masked columns.  SKIP: comma-separated S.T names left out.
chibo_data_sums() {
    local db=$1 mask=$2 skip=${3:-} call out
    out=$({
        cat <<'EOF'
\set ON_ERROR_STOP 1
SET search_path = pg_catalog;
WITH ext AS (
    SELECT coalesce(extconfig, '{}') AS extconfig FROM pg_extension WHERE extname = 'chibo'
), rel AS (
    SELECT c.oid, c.relkind, n.nspname, c.relname,
           CASE c.relkind WHEN 'S' THEN 'sequence' WHEN 'v' THEN 'view' WHEN 'm' THEN 'view' ELSE 'table' END
           || ' ' || quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS key,
           :'mask' = 'all' OR c.relkind IN ('v', 'm') OR NOT c.oid = ANY (ext.extconfig) AS mask
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace, ext
     WHERE (n.nspname IN ('chibo', 'chibo_import') AND c.relkind IN ('r', 'p', 'S')
            OR n.nspname = 'chibo_report' AND c.relkind IN ('v', 'm'))
       AND NOT quote_ident(n.nspname) || '.' || quote_ident(c.relname) = ANY (string_to_array(:'skip', ','))
), col AS (
    SELECT r.oid,
           string_agg(CASE WHEN m THEN format('t.%I IS NULL', a.attname) ELSE format('t.%I', a.attname) END,
                      ', ' ORDER BY a.attnum) AS cols,
           string_agg(a.attname, ',' ORDER BY a.attnum) FILTER (WHERE m) AS masked,
           string_agg(CASE WHEN m THEN format('t.%I IS NULL', a.attname) ELSE format('t.%I', a.attname) END,
                      ', ' ORDER BY a.attnum) FILTER (WHERE NOT own_id) AS cols_noid
      FROM rel r JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped,
           LATERAL (SELECT r.mask AND (t.typname::text = ANY (string_to_array(:'volatile', ','))
                                       OR a.attname ~ :'volatile_names'),
                           a.attidentity <> '' OR EXISTS (
                               SELECT FROM pg_attrdef d WHERE d.adrelid = a.attrelid AND d.adnum = a.attnum
                                  AND pg_get_expr(d.adbin, d.adrelid) LIKE 'nextval(%')
                      FROM pg_type t WHERE t.oid = a.atttypid) AS x(m, own_id)
     GROUP BY r.oid
)
SELECT CASE WHEN r.relkind = 'S' THEN
           format($q$SELECT %L || E'\t' || last_value || ' ' || is_called FROM %I.%I$q$, r.key, r.nspname, r.relname)
       ELSE
           format($q$SELECT %L || E'\t' || count(*) || ' ' || coalesce(md5(string_agg(h, '' ORDER BY h)), '-') || %L
                            || ' without ids ' || coalesce(md5(string_agg(g, '' ORDER BY g)), '-')
                       FROM (SELECT md5(ROW(%s)::text) AS h, md5(ROW(%s)::text) AS g FROM %I.%I t) s$q$,
                  r.key, coalesce(' (' || c.masked || ': set or NULL)', ''), c.cols,
                  coalesce(c.cols_noid, c.cols), r.nspname, r.relname)
       END
  FROM rel r LEFT JOIN col c ON c.oid = r.oid
 ORDER BY r.key
\gexec
EOF
        for call in "${CHIBO_REPORT_CALLS[@]}"; do
            printf "SELECT %s || E'\\\\t' || count(*) || ' ' || coalesce(md5(string_agg(h, '' ORDER BY h)), '-') FROM (SELECT md5(f::text) AS h FROM %s f) s;\n" \
                "$(sed "s/'/''/g; s/.*/'function &'/" <<<"$call")" "$call"
        done
    } | psql -X -At -q -v mask="$mask" -v skip="$skip" -v volatile="$CHIBO_VOLATILE_TYPES" \
            -v volatile_names="$CHIBO_VOLATILE_NAMES" -d "$db") || return 1
    LC_ALL=C sort -t $'\t' -k 1,1 <<<"$out"
}

# chibo_compare_sums NAME_A FILE_A NAME_B FILE_B [IDS]: one counted check
# per KEY of either file (see chibo_data_sums): equal values pass; a value
# that differs, or a KEY found in one file only, fails.  With IDS=any, a
# table whose rows are the same but for the values of its own id column
# (identity or serial: ids given in another order) passes, saying so.
chibo_compare_sums() {
    local name_a=$1 file_a=$2 name_b=$3 file_b=$4 ids=${5:-same} key a b
    while IFS=$'\t' read -r key a b; do
        if [[ $a == "$b" && $a != MISSING ]]; then
            echo "ok - $key: $name_a and $name_b identical (${a% without ids *})"
            STAGE_PASSED=$((STAGE_PASSED + 1))
        elif [[ $ids == any && $a == *" without ids "* && ${a%% *} == "${b%% *}" && ${a##* without ids } == "${b##* without ids }" ]]; then
            echo "ok - $key: $name_a and $name_b hold the same ${a%% *} rows, but for their ids (given in another order)"
            STAGE_PASSED=$((STAGE_PASSED + 1))
        elif [[ $a == MISSING ]]; then
            echo "not ok - $key: only in $name_b ($b)"
            STAGE_FAILED=$((STAGE_FAILED + 1))
        elif [[ $b == MISSING ]]; then
            echo "not ok - $key: only in $name_a ($a)"
            STAGE_FAILED=$((STAGE_FAILED + 1))
        else
            echo "not ok - $key differs: '${a% without ids *}' in $name_a, '${b% without ids *}' in $name_b"
            STAGE_FAILED=$((STAGE_FAILED + 1))
        fi
    done < <(LC_ALL=C join -t $'\t' -a 1 -a 2 -e MISSING -o 0,1.2,2.2 "$file_a" "$file_b")
}

# chibo_expect_objects FILE MIN_TABLES KNOWN...: one counted check that FILE
# (of chibo_data_sums) holds at least MIN_TABLES tables and every KNOWN key
# (a floor: a table or sequence dropped or renamed by mistake must not
# shrink the comparison unseen).
chibo_expect_objects() {
    local file=$1 min=$2 tables missing=() key
    shift 2
    tables=$(grep -c '^table ' "$file" || true)
    for key in "$@"; do
        grep -q -F -- "$key"$'\t' "$file" || missing+=("$key")
    done
    if (( tables >= min && ${#missing[@]} == 0 )); then
        echo "ok - $tables tables compared (at least $min), every known table and sequence among them"
        STAGE_PASSED=$((STAGE_PASSED + 1))
    else
        echo "not ok - $tables tables compared (expected at least $min); missing: ${missing[*]:-none}"
        STAGE_FAILED=$((STAGE_FAILED + 1))
    fi
}

# The tables and sequences of 0.1.0: every later version has them too.
# shellcheck disable=SC2034  # used by the stages that source this file
CHIBO_KNOWN_RELATIONS=(
    "table chibo.units" "table chibo.members" "table chibo.memberships" "table chibo.exemptions"
    "table chibo.meetings" "table chibo.attendance" "table chibo.task_registrations"
    "table chibo.schemes" "table chibo.assessments" "table chibo.classifications"
    "table chibo.report_state" "table chibo.report_changes" "table chibo.unit_ancestors"
    "table chibo.cell_months" "table chibo.cell_years" "table chibo.unit_months" "table chibo.unit_years"
    "table chibo_import.units" "table chibo_import.members" "table chibo_import.memberships"
    "table chibo_import.exemptions" "table chibo_import.meetings" "table chibo_import.attendance"
    "table chibo_import.task_registrations" "table chibo_import.assessments"
    "table chibo_import.classifications" "table chibo_import.rejects"
    "sequence chibo.units_id_seq" "sequence chibo.members_id_seq" "sequence chibo.memberships_id_seq"
    "sequence chibo.exemptions_id_seq" "sequence chibo.meetings_id_seq" "sequence chibo.attendance_id_seq"
    "sequence chibo.task_registrations_id_seq" "sequence chibo.schemes_id_seq"
    "sequence chibo.assessments_id_seq" "sequence chibo.classifications_id_seq"
    "sequence chibo_import.batch_seq" "sequence chibo_import.rejects_id_seq"
    "view chibo_report.units" "view chibo_report.unit_month" "view chibo_report.unit_year"
    "view chibo_report.headline" "view chibo_report.cell_type_year"
    "view chibo_report.cells_needing_attention" "view chibo_report.grading_quota"
    "view chibo_report.report_state"
)
# shellcheck disable=SC2034
CHIBO_KNOWN_TABLES=27   # the tables among them
