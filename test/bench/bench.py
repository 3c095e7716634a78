#!/usr/bin/env python3
"""chibo benchmark driver (issue 6, sections 1 and 2).

Run it through test/bench/run.sh, which starts the throwaway cluster and
exports PGHOST, PGPORT and PGUSER.  Every figure is a ratio of a subject
against a baseline measured in the same run, interleaved (baseline,
subject, baseline, subject, ...), reported as median, spread (min..max of
the per-repetition ratios) and n.  Results are appended as JSON lines to
--out/results.jsonl and summarised in --out/results.md.

Measurements (--only NAME, repeatable; default all of the chosen scale):
  agg_serial     attendance_ratio over 10M rows vs count(*) FILTER
  agg_sql        the same aggregate in SQL and PL/pgSQL vs attendance_ratio
  share          share_at_least over 1M ratios vs count(*) FILTER
  parallel       attendance_ratio with 2 workers vs serial
  load           import through the contract vs raw COPY into text tables
  scan           attendance_ratio over chibo.attendance vs count(*) FILTER
  rebuild        refresh_reports(true) vs CREATE MATERIALIZED VIEW of the
                 whole of cell_months (and of its attendance counts only),
                 with the backend's peak memory; and (same repetitions)
                 refresh_reports() after 1% of cell-months change vs
                 refresh_reports(true)
  incremental    the same as rebuild (one measurement gives both rows)
  pgbench        the headline report, pgbench 8 clients, p95 latency
"""

import argparse
import datetime
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
GEN = os.path.join(ROOT, "test", "generator", "chibo_gen.py")
FILES = ["units", "members", "memberships", "exemptions", "meetings",
         "attendance", "task_registrations", "assessments", "classifications"]
SYNTH = ["agg_serial", "agg_sql", "share", "parallel"]
DATA = ["load", "scan", "rebuild", "incremental", "pgbench"]
ALL = SYNTH + DATA

OUT = None
CONTEXT = {}


def log(msg):
    """A progress line on stderr, with the wall clock."""
    sys.stderr.write("[bench %s] %s\n" % (time.strftime("%H:%M:%S"), msg))
    sys.stderr.flush()


def psql(db, script, check=True):
    """Run a psql script, return stdout."""
    p = subprocess.run(["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
                        "-d", db], input=script, capture_output=True, text=True)
    if check and p.returncode != 0:
        raise RuntimeError("psql failed (%s): %s\n--- script:\n%s"
                           % (db, p.stderr.strip(), script[:2000]))
    return p.stdout


def value(db, sql):
    return psql(db, sql + "\n").strip()


def timed(db, sql, setup="", cwd=None):
    """Milliseconds the server took for sql (psql's \\timing: the statement
    only, not the connection), after the setup statements."""
    script = "%s\n\\o /dev/null\n\\timing on\n%s\n" % (setup, sql)
    p = subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", db],
                       input=script, capture_output=True, text=True, cwd=cwd)
    if p.returncode != 0:
        raise RuntimeError("psql failed (%s): %s\n--- sql: %s" % (db, p.stderr.strip(), sql))
    times = [float(x) for x in re.findall(r"^Time: ([0-9.]+) ms", p.stdout, re.M)]
    if not times:
        raise RuntimeError("no timing in psql output: %r" % p.stdout[-500:])
    return sum(times)


def summary(values):
    values = sorted(values)
    return {"median": statistics.median(values), "min": values[0],
            "max": values[-1], "n": len(values)}


def record(name, scale, row):
    """Append a result to results.jsonl (and keep it for results.md)."""
    row = dict(row)
    row.update({"name": name, "scale": scale,
                "at": datetime.datetime.now().isoformat(timespec="seconds")})
    row.update(CONTEXT)
    with open(os.path.join(OUT, "results.jsonl"), "a") as f:
        f.write(json.dumps(row, sort_keys=True) + "\n")
    log("RESULT %s" % json.dumps(row, sort_keys=True))
    write_markdown()


def interleaved(label, reps, baseline, subjects, warmup=True):
    """Runs baseline, subject(s), baseline, subject(s), ... reps times (the
    order within a repetition alternates); returns the ratio summaries
    subject/baseline and the times."""
    if warmup:
        baseline()
        for f in subjects.values():
            f()
    base_t, sub_t = [], {k: [] for k in subjects}
    ratios = {k: [] for k in subjects}
    for i in range(reps):
        order = [("baseline", baseline)] + list(subjects.items())
        if i % 2 == 1:
            order = list(reversed(order))
        t = {}
        for k, f in order:
            t[k] = f()
        base_t.append(t["baseline"])
        for k in subjects:
            sub_t[k].append(t[k])
            ratios[k].append(t[k] / t["baseline"])
        log("%s rep %d/%d: baseline %.1f ms, %s" % (
            label, i + 1, reps, t["baseline"],
            ", ".join("%s %.1f ms (x%.3f)" % (k, t[k], t[k] / t["baseline"]) for k in subjects)))
    return ({k: summary(v) for k, v in ratios.items()}, summary(base_t),
            {k: summary(v) for k, v in sub_t.items()})


# --------------------------------------------------------------------------
# synthetic tables

def setup_synthetic(db):
    if value(db, "SELECT to_regclass('bench.att10m') IS NOT NULL") == "t":
        return
    log("creating bench.att10m (10M statuses), bench.att1m, bench.ratios1m")
    psql(db, """
CREATE SCHEMA IF NOT EXISTS bench;
-- 10M statuses in the proportions of the city's attendance rows
-- (about 92% present, 7% excused, 1% absent), in a fixed order.
CREATE TABLE bench.att10m AS
SELECT (CASE WHEN h < 92 THEN 'present' WHEN h < 99 THEN 'excused' ELSE 'absent' END)::chibo.attendance_status AS status
  FROM (SELECT (hashint4(i) & 2147483647) % 100 AS h FROM generate_series(1, 10000000) i) s;
CREATE TABLE bench.att1m AS SELECT status FROM bench.att10m LIMIT 1000000;
-- 1M monthly ratios of cells of 5..60 members, none 0/0.
CREATE TABLE bench.ratios1m AS
SELECT chibo.ratio(p, w) AS r
  FROM (SELECT w, w - (hashint4(-i) & 2147483647) % (w / 4 + 1) AS p
          FROM (SELECT i, 5 + (hashint4(i) & 2147483647) % 56 AS w
                  FROM generate_series(1, 1000000) i) a) b;
VACUUM ANALYZE bench.att10m; VACUUM ANALYZE bench.att1m; VACUUM ANALYZE bench.ratios1m;
-- The same aggregate as attendance_ratio(status), in SQL and in PL/pgSQL.
CREATE FUNCTION bench.att_accum_sql(s chibo.ratio, x chibo.attendance_status) RETURNS chibo.ratio
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN chibo.ratio(chibo.part(s) + CASE WHEN x = 'present' THEN 1 ELSE 0 END, chibo.whole(s) + 1);
CREATE AGGREGATE bench.attendance_ratio_sql(chibo.attendance_status) (
    SFUNC = bench.att_accum_sql, STYPE = chibo.ratio, INITCOND = '0/0', PARALLEL = SAFE);
CREATE FUNCTION bench.att_accum_plpgsql(s chibo.ratio, x chibo.attendance_status) RETURNS chibo.ratio
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
BEGIN
    IF x = 'present' THEN
        RETURN chibo.ratio(chibo.part(s) + 1, chibo.whole(s) + 1);
    END IF;
    RETURN chibo.ratio(chibo.part(s), chibo.whole(s) + 1);
END $$;
CREATE AGGREGATE bench.attendance_ratio_plpgsql(chibo.attendance_status) (
    SFUNC = bench.att_accum_plpgsql, STYPE = chibo.ratio, INITCOND = '0/0', PARALLEL = SAFE);
""")


SERIAL = "SET max_parallel_workers_per_gather = 0;"
PARALLEL2 = ("SET max_parallel_workers_per_gather = 2; SET parallel_setup_cost = 0; "
             "SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;")


def m_agg_serial(db, scale, reps):
    setup_synthetic(db)
    # answers must agree before timing anything
    a = value(db, "SELECT chibo.attendance_ratio(status)::text FROM bench.att10m")
    b = value(db, "SELECT count(*) FILTER (WHERE status = 'present') || '/' || count(*) FROM bench.att10m")
    assert a == b, (a, b)
    r, base, sub = interleaved("agg_serial", reps,
        lambda: timed(db, "SELECT count(*) FILTER (WHERE status = 'present'), count(*) FROM bench.att10m", SERIAL),
        {"attendance_ratio": lambda: timed(db, "SELECT chibo.attendance_ratio(status) FROM bench.att10m", SERIAL)})
    record("agg_serial", scale, {"rows": 10000000, "ratio": r["attendance_ratio"],
                                 "baseline_ms": base, "subject_ms": sub["attendance_ratio"],
                                 "goal": "<= 1.1", "pass": r["attendance_ratio"]["median"] <= 1.1})


def m_agg_sql(db, scale, reps):
    setup_synthetic(db)
    a = value(db, "SELECT chibo.attendance_ratio(status)::text FROM bench.att1m")
    for f in ("bench.attendance_ratio_sql", "bench.attendance_ratio_plpgsql"):
        assert value(db, "SELECT %s(status)::text FROM bench.att1m" % f) == a
    r, base, sub = interleaved("agg_sql", reps,
        lambda: timed(db, "SELECT chibo.attendance_ratio(status) FROM bench.att1m", SERIAL),
        {"sql": lambda: timed(db, "SELECT bench.attendance_ratio_sql(status) FROM bench.att1m", SERIAL),
         "plpgsql": lambda: timed(db, "SELECT bench.attendance_ratio_plpgsql(status) FROM bench.att1m", SERIAL)})
    record("agg_sql", scale, {"rows": 1000000, "ratio_sql": r["sql"], "ratio_plpgsql": r["plpgsql"],
                              "baseline_ms": base, "sql_ms": sub["sql"], "plpgsql_ms": sub["plpgsql"],
                              "goal": "report (expect >= 5)",
                              "pass": r["sql"]["median"] >= 5 and r["plpgsql"]["median"] >= 5})


def m_share(db, scale, reps):
    setup_synthetic(db)
    a = value(db, "SELECT chibo.share_at_least(r, 0.85)::text FROM bench.ratios1m")
    b = value(db, "SELECT count(*) FILTER (WHERE r OPERATOR(chibo.>=) 0.85) || '/' || count(*) FROM bench.ratios1m")
    assert a == b, (a, b)
    r, base, sub = interleaved("share", reps,
        lambda: timed(db, "SELECT count(*) FILTER (WHERE r OPERATOR(chibo.>=) 0.85), count(*) FROM bench.ratios1m", SERIAL),
        {"share_at_least": lambda: timed(db, "SELECT chibo.share_at_least(r, 0.85) FROM bench.ratios1m", SERIAL),
         "float_filter": lambda: timed(db, "SELECT count(*) FILTER (WHERE r::float8 >= 0.85), count(*) FROM bench.ratios1m", SERIAL)})
    record("share", scale, {"rows": 1000000, "ratio": r["share_at_least"],
                            "ratio_float_filter": r["float_filter"],
                            "baseline_ms": base, "subject_ms": sub["share_at_least"],
                            "goal": "<= 1.2", "pass": r["share_at_least"]["median"] <= 1.2})


def m_parallel(db, scale, reps):
    setup_synthetic(db)
    plan = psql(db, PARALLEL2 + "EXPLAIN SELECT chibo.attendance_ratio(status) FROM bench.att10m;")
    assert "Partial Aggregate" in plan and "Workers Planned: 2" in plan, plan
    r, base, sub = interleaved("parallel", reps,
        lambda: timed(db, "SELECT chibo.attendance_ratio(status) FROM bench.att10m", SERIAL),
        {"parallel2": lambda: timed(db, "SELECT chibo.attendance_ratio(status) FROM bench.att10m", PARALLEL2),
         "builtin_parallel2": lambda: timed(db, "SELECT count(*) FILTER (WHERE status = 'present'), count(*) FROM bench.att10m", PARALLEL2)})
    record("parallel", scale, {"rows": 10000000, "ratio": r["parallel2"],
                               "ratio_builtin_parallel2": r["builtin_parallel2"],
                               "baseline_ms": base, "subject_ms": sub["parallel2"],
                               "goal": "<= 0.6", "pass": r["parallel2"]["median"] <= 0.6})


# --------------------------------------------------------------------------
# generated data

def generate(scale, data_dir, members):
    d = os.path.join(data_dir, scale if not members else "%s-%d" % (scale, members))
    if os.path.exists(os.path.join(d, "classifications.csv")) and os.path.exists(os.path.join(d, ".complete")):
        return d
    log("generating %s into %s (chibo_gen.py)" % (scale, d))
    cmd = [sys.executable, GEN, "--scale", scale, "--out", d, "--quiet"]
    if members:
        cmd += ["--members", str(members)]
    subprocess.run(cmd, check=True)
    open(os.path.join(d, ".complete"), "w").close()
    return d


def create_db(db):
    psql("postgres", "DROP DATABASE IF EXISTS %s;\nCREATE DATABASE %s;\n" % (db, db))
    psql(db, "CREATE EXTENSION chibo CASCADE;")


def copy_script(d, schema):
    return "".join("\\copy %s.%s FROM '%s' CSV HEADER\n" % (schema, f, os.path.join(d, f + ".csv"))
                   for f in FILES if os.path.exists(os.path.join(d, f + ".csv")))


def raw_copy(db, d):
    """Raw COPY of the same files into unconstrained text tables (no key,
    no index, no trigger), in a fresh schema; returns ms."""
    psql(db, "DROP SCHEMA IF EXISTS bench_raw CASCADE; CREATE SCHEMA bench_raw;\n" +
         "".join("CREATE TABLE bench_raw.%s (LIKE chibo_import.%s);\n" % (f, f) for f in FILES))
    t = timed(db, copy_script(d, "bench_raw"))
    psql(db, "DROP SCHEMA bench_raw CASCADE;")
    return t


def contract_import(db, d):
    """The contract: \\copy into chibo_import, then import_staged()."""
    t_copy = timed(db, copy_script(d, "chibo_import"))
    t_imp = timed(db, "SELECT * FROM chibo.import_staged();", "SET client_min_messages = warning;")
    out = psql(db, "SELECT file, count(*) FROM chibo_import.rejects GROUP BY 1 ORDER BY 1;")
    return t_copy, t_imp, out


def load_db(scale, d, db, bulk):
    """Loads d into db once (kept between runs); returns the load row."""
    if value("postgres", "SELECT count(*) FROM pg_database WHERE datname = '%s'" % db) == "1" and \
            value(db, "SELECT count(*) FROM pg_tables WHERE schemaname = 'bench' AND tablename = 'loaded'") == "1":
        return json.loads(value(db, "SELECT info FROM bench.loaded"))
    create_db(db)
    n = sum(1 for _ in open(os.path.join(d, "attendance.csv"))) - 1
    log("loading %s (%d attendance rows) into %s %s; this is the long part"
        % (d, n, db, "with test/bench/bulk_load.sql (not the contract)" if bulk else "through the contract"))
    raws = [raw_copy(db, d)]
    if bulk:
        # test/bench/bulk_load.sql: not the contract (see there)
        t_copy, t_imp, rejects = 0, timed(db, "\\set dir '%s'\n\\i %s" % (d, os.path.join(HERE, "bulk_load.sql"))), ""
    else:
        t_copy, t_imp, rejects = contract_import(db, d)
    raws.append(raw_copy(db, d))
    log("loaded: \\copy %.1f s, import_staged() %.1f s; rejects: %s" % (t_copy / 1000, t_imp / 1000, rejects.strip() or "none"))
    psql(db, "VACUUM ANALYZE;")
    info = {"attendance_rows": n, "copy_ms": t_copy, "import_ms": t_imp, "bulk": bulk, "raw_copy_ms": raws,
            "rejects": rejects.strip(),
            "db_size": value(db, "SELECT pg_database_size(current_database())")}
    psql(db, "CREATE SCHEMA IF NOT EXISTS bench; CREATE TABLE bench.loaded (info jsonb);"
         "INSERT INTO bench.loaded VALUES ('%s');" % json.dumps(info))
    return info


def m_load(scale, d, reps, info, db):
    """Import through the contract vs raw COPY into text tables.  The
    contract import takes minutes (a city's: most of an hour on a busy
    2-core machine), so it is measured once, when the reports database is
    loaded, between two raw COPYs of the same files run just before and just
    after it; reps - 2 more raw COPYs are added here."""
    rows = info["attendance_rows"]
    raws = info["raw_copy_ms"] + [raw_copy(db, d) for _ in range(max(0, reps - 2))]
    base = summary(raws)
    contract = info["copy_ms"] + info["import_ms"]
    # throughput ratio = (rows / contract time) / (rows / raw time)
    tp = {"median": base["median"] / contract, "min": base["min"] / contract,
          "max": base["max"] / contract, "n": 1}
    record("load", scale, {"attendance_rows": rows, "throughput_ratio": tp, "baseline_ms": base,
                           "subject_ms": summary([contract]), "copy_ms": info["copy_ms"],
                           "import_staged_ms": info["import_ms"], "bulk": info.get("bulk", False),
                           "us_per_row": 1e3 * contract / rows,
                           "goal": ">= 0.3", "pass": tp["median"] >= 0.3})


def m_scan(db, scale, reps, info):
    rows = int(value(db, "SELECT count(*) FROM chibo.attendance"))
    r, base, sub = interleaved("scan", reps,
        lambda: timed(db, "SELECT count(*) FILTER (WHERE status = 'present'), count(*) FROM chibo.attendance", SERIAL),
        {"attendance_ratio": lambda: timed(db, "SELECT chibo.attendance_ratio(status) FROM chibo.attendance", SERIAL)})
    record("scan", scale, {"attendance_rows": rows, "ratio": r["attendance_ratio"], "baseline_ms": base,
                           "subject_ms": sub["attendance_ratio"],
                           "ns_per_row": 1e6 * sub["attendance_ratio"]["median"] / rows})


# The meetings with their month, and per meeting the expected members
# (belonging to the cell that day, not left, not exempt) and those recorded
# present or excused (not exempt): the common part of both views.
MEETING_CTES = """mt AS (
    SELECT id, unit_id, date_trunc('month', held_on)::date AS month, held_on, kind, minutes FROM chibo.meetings),
expected AS (
    SELECT m.id, count(*) AS expected
      FROM mt m
      JOIN chibo.memberships ms
        ON ms.unit_id = m.unit_id AND ms.from_date <= m.held_on AND (ms.to_date IS NULL OR ms.to_date > m.held_on)
      JOIN chibo.members mb ON mb.id = ms.member_id
     WHERE (mb.left_on IS NULL OR mb.left_on >= m.held_on)
       AND NOT EXISTS (SELECT FROM chibo.exemptions e
                        WHERE e.member_id = ms.member_id AND e.from_date <= m.held_on
                          AND (e.to_date IS NULL OR e.to_date > m.held_on))
     GROUP BY m.id),
marks AS (
    SELECT a.meeting_id AS id, count(*) FILTER (WHERE a.status = 'present') AS present,
           count(*) FILTER (WHERE a.status = 'excused') AS excused
      FROM chibo.attendance a
     WHERE a.status IN ('present', 'excused')
       AND NOT EXISTS (SELECT FROM chibo.exemptions e
                        WHERE e.member_id = a.member_id AND e.from_date <= a.held_on
                          AND (e.to_date IS NULL OR e.to_date > a.held_on))
     GROUP BY a.meeting_id)"""

MATVIEW = """
CREATE MATERIALIZED VIEW bench.cell_month_counts AS
WITH """ + MEETING_CTES + """
SELECT m.unit_id, m.month,
       count(*) FILTER (WHERE m.kind IN ('regular', 'combined')) AS meetings,
       coalesce(sum(k.present) FILTER (WHERE m.kind IN ('regular', 'combined')), 0) AS present,
       coalesce(sum(k.excused) FILTER (WHERE m.kind IN ('regular', 'combined')), 0) AS excused,
       coalesce(sum(e.expected) FILTER (WHERE m.kind IN ('regular', 'combined')), 0) AS expected,
       count(*) FILTER (WHERE m.kind IN ('thematic', 'combined')) AS thematic_meetings
  FROM mt m LEFT JOIN expected e ON e.id = m.id LEFT JOIN marks k ON k.id = m.id
 GROUP BY m.unit_id, m.month;
"""


# The whole of cell_months in one plain view: every cell and month of the
# range in which the cell existed, the counts above and the member figures
# of the month (active members on its last day, those registered for a task
# that year, four-good and mixed-scheme members over the assessments lying
# inside the month).  refresh_reports(true) computes exactly these rows
# (checked before timing), and then the cell-years and the unit rollups.
MATVIEW_ROWS = """
CREATE MATERIALIZED VIEW bench.cell_month_rows AS
WITH rng AS (
    SELECT date_trunc('month', min(held_on))::date AS first_month,
           date_trunc('month', max(held_on))::date AS last_month
      FROM chibo.meetings),
cm AS (
    SELECT u.id AS unit_id, m.month::date AS month, (m.month + interval '1 month - 1 day')::date AS month_end,
           u.valid_from, u.valid_to
      FROM chibo.units u CROSS JOIN rng
     CROSS JOIN generate_series(GREATEST(rng.first_month, date_trunc('month', u.valid_from)::date),
                                LEAST(rng.last_month, date_trunc('month', u.valid_to - 1)::date),
                                interval '1 month') AS m (month)
     WHERE u.kind = 'cell'),
""" + MEETING_CTES + """,
meeting_figures AS (
    SELECT m.unit_id, m.month,
           count(*) FILTER (WHERE m.kind IN ('regular', 'combined')) AS meetings,
           sum(k.present) FILTER (WHERE m.kind IN ('regular', 'combined')) AS present,
           sum(k.excused) FILTER (WHERE m.kind IN ('regular', 'combined')) AS excused,
           sum(e.expected) FILTER (WHERE m.kind IN ('regular', 'combined')) AS expected,
           count(*) FILTER (WHERE m.kind IN ('thematic', 'combined')) AS thematic_meetings,
           count(*) FILTER (WHERE m.kind IN ('thematic', 'extraordinary')) AS side_meetings,
           sum(k.present) FILTER (WHERE m.kind IN ('thematic', 'extraordinary')) AS side_present,
           sum(k.excused) FILTER (WHERE m.kind IN ('thematic', 'extraordinary')) AS side_excused,
           sum(e.expected) FILTER (WHERE m.kind IN ('thematic', 'extraordinary')) AS side_expected,
           count(*) FILTER (WHERE m.minutes < chibo.minimum_minutes(m.kind, m.held_on)) AS short_meetings
      FROM mt m LEFT JOIN expected e ON e.id = m.id LEFT JOIN marks k ON k.id = m.id
     GROUP BY m.unit_id, m.month),
active AS (
    SELECT c.unit_id, c.month, ms.member_id
      FROM cm c
      JOIN chibo.memberships ms
        ON ms.unit_id = c.unit_id AND ms.from_date <= c.month_end AND (ms.to_date IS NULL OR ms.to_date > c.month_end)
      JOIN chibo.members mb ON mb.id = ms.member_id
     WHERE mb.left_on IS NULL OR mb.left_on >= c.month_end),
registered AS (
    SELECT DISTINCT member_id, year FROM chibo.task_registrations),
four_good AS (
    SELECT x.member_id, date_trunc('month', x.period_start)::date AS month,
           bool_and(chibo.all_met(x.criteria)) AS all_met,
           min(chibo.criteria_count(x.criteria)) <> max(chibo.criteria_count(x.criteria)) AS mixed
      FROM chibo.assessments x
     WHERE x.member_id IS NOT NULL
       AND x.period_end <= (date_trunc('month', x.period_start) + interval '1 month - 1 day')::date
     GROUP BY 1, 2),
member_figures AS (
    SELECT a.unit_id, a.month, count(*) AS active_members, count(r.member_id) AS task_registered,
           count(*) FILTER (WHERE g.all_met AND NOT g.mixed) AS four_good,
           count(*) FILTER (WHERE g.mixed) AS four_good_mixed
      FROM active a
      LEFT JOIN registered r ON r.member_id = a.member_id AND r.year = date_part('year', a.month)::integer
      LEFT JOIN four_good g ON g.member_id = a.member_id AND g.month = a.month
     GROUP BY a.unit_id, a.month)
SELECT c.unit_id, c.month,
       c.valid_from <= c.month_end AND (c.valid_to IS NULL OR c.valid_to > c.month_end) AS exists_on_end,
       coalesce(p.meetings, 0) AS meetings, coalesce(p.present, 0) AS present,
       coalesce(p.excused, 0) AS excused, coalesce(p.expected, 0) AS expected,
       coalesce(p.thematic_meetings, 0) AS thematic_meetings, coalesce(p.side_meetings, 0) AS side_meetings,
       coalesce(p.side_present, 0) AS side_present, coalesce(p.side_excused, 0) AS side_excused,
       coalesce(p.side_expected, 0) AS side_expected, coalesce(p.short_meetings, 0) AS short_meetings,
       coalesce(f.active_members, 0) AS active_members, coalesce(f.task_registered, 0) AS task_registered,
       coalesce(f.four_good, 0) AS four_good, coalesce(f.four_good_mixed, 0) AS four_good_mixed
  FROM cm c
  LEFT JOIN meeting_figures p ON p.unit_id = c.unit_id AND p.month = c.month
  LEFT JOIN member_figures f ON f.unit_id = c.unit_id AND f.month = c.month;
"""

class PeakWatcher(threading.Thread):
    """Polls /proc/<pid>/status of the backend running a statement that
    contains `tag`: VmHWM (peak resident set, shared buffers touched
    included) at the end, and the largest RssAnon seen (private memory)."""

    def __init__(self, db, tag):
        super().__init__(daemon=True)
        self.db, self.tag, self.stop = db, tag, False
        self.pid, self.hwm_kb, self.anon_kb = None, 0, 0

    def run(self):
        while not self.stop:
            if self.pid is None:
                pid = value(self.db, "SELECT pid FROM pg_stat_activity WHERE query LIKE '%%%s%%' "
                                     "AND pid <> pg_backend_pid() LIMIT 1" % self.tag)
                self.pid = int(pid) if pid else None
            if self.pid:
                try:
                    with open("/proc/%d/status" % self.pid) as f:
                        for line in f:
                            if line.startswith("VmHWM:"):
                                self.hwm_kb = max(self.hwm_kb, int(line.split()[1]))
                            elif line.startswith("RssAnon:"):
                                self.anon_kb = max(self.anon_kb, int(line.split()[1]))
                except OSError:
                    pass
            time.sleep(0.1)


def full_rebuild(db, peaks=None):
    tag = "bench_rebuild_%d" % int(time.time() * 1000)
    w = PeakWatcher(db, tag)
    w.start()
    t = timed(db, "SELECT * FROM chibo.refresh_reports(true) /* %s */;" % tag,
              "SET client_min_messages = warning;")
    w.stop = True
    w.join()
    if peaks is not None:
        peaks.append((w.hwm_kb, w.anon_kb))
    return t


def matview(db):
    psql(db, "CREATE SCHEMA IF NOT EXISTS bench; DROP MATERIALIZED VIEW IF EXISTS bench.cell_month_counts;")
    return timed(db, MATVIEW, VIEW_SETUP)


def matview_rows(db):
    psql(db, "CREATE SCHEMA IF NOT EXISTS bench; DROP MATERIALIZED VIEW IF EXISTS bench.cell_month_rows;")
    return timed(db, MATVIEW_ROWS, VIEW_SETUP)


# The views run as refresh_reports() does: without JIT (it costs the
# refresh more than it saves; docs/benchmarks.md 3.5).
VIEW_SETUP = "SET jit = off;"


def change_one_percent(db, rep):
    """Changes one attendance row in 1% of the cell-months (status present
    <-> excused, a different sample each repetition); returns how many."""
    return int(value(db, """
WITH cm AS (SELECT unit_id, month FROM chibo.cell_months WHERE meetings > 0
             ORDER BY hashtext(unit_id::text || month::text || '%d')
             LIMIT (SELECT count(*) / 100 FROM chibo.cell_months)),
pick AS (SELECT DISTINCT ON (cm.unit_id, cm.month) a.id
           FROM cm JOIN chibo.attendance a
             ON a.unit_id = cm.unit_id AND a.held_on >= cm.month AND a.held_on < cm.month + interval '1 month'
          WHERE a.status IN ('present', 'excused')
          ORDER BY cm.unit_id, cm.month, a.id),
upd AS (UPDATE chibo.attendance a
           SET status = CASE WHEN a.status = 'present' THEN 'excused' ELSE 'present' END::chibo.attendance_status
          FROM pick WHERE a.id = pick.id RETURNING 1)
SELECT count(*) FROM upd""" % rep))


def m_rebuild(db, scale, reps, info):
    """One repetition: two materialized views (baselines of the full
    rebuild: the attendance counts per cell-month, and the whole of
    cell_months), refresh_reports(true) with its backend's peak memory,
    then 1% of the cell-months changed and refresh_reports() (incremental,
    whose baseline is the full rebuild of the same repetition).  The order
    of the three rotates from one repetition to the next."""
    rows = info["attendance_rows"]
    peaks = []
    # the refresh and the views agree on every cell-month
    log("rebuild: warm-up rebuild and views, and checking that they agree")
    full_rebuild(db)
    matview(db)
    matview_rows(db)
    diff = value(db, """SELECT count(*) FROM bench.cell_month_counts v
        FULL JOIN (SELECT * FROM chibo.cell_months WHERE meetings > 0 OR thematic_meetings > 0 OR side_meetings > 0) c
          ON c.unit_id = v.unit_id AND c.month = v.month
        WHERE (c.meetings, c.present, c.excused, c.expected, c.thematic_meetings)
              IS DISTINCT FROM (v.meetings, v.present, v.excused, v.expected, v.thematic_meetings)""")
    diff_rows = value(db, """SELECT (SELECT count(*) FROM (TABLE chibo.cell_months EXCEPT ALL TABLE bench.cell_month_rows) a)
                                  + (SELECT count(*) FROM (TABLE bench.cell_month_rows EXCEPT ALL TABLE chibo.cell_months) b)""")
    if diff != "0" or diff_rows != "0":
        log("WARNING: the views and cell_months differ: counts view in %s cell-months, rows view in %s rows"
            % (diff, diff_rows))
    cms = int(value(db, "SELECT count(*) FROM chibo.cell_months"))
    mv, mvr, full, inc, changed = [], [], [], [], []
    steps = [lambda: mv.append(matview(db)), lambda: mvr.append(matview_rows(db)),
             lambda: full.append(full_rebuild(db, peaks))]
    for i in range(reps):
        for k in range(3):
            steps[(i + k) % 3]()
        changed.append(change_one_percent(db, i + 1))
        inc.append(timed(db, "SELECT * FROM chibo.refresh_reports();", "SET client_min_messages = warning;"))
        log("rebuild rep %d/%d: views %.1f s (counts) and %.1f s (cell_months rows), full rebuild %.1f s "
            "(x%.3f, x%.3f; peak VmHWM %d MB, RssAnon %d MB), %d rows changed, incremental %.1f s (x%.4f)"
            % (i + 1, reps, mv[-1] / 1000, mvr[-1] / 1000, full[-1] / 1000, full[-1] / mv[-1],
               full[-1] / mvr[-1], peaks[-1][0] / 1024, peaks[-1][1] / 1024, changed[-1],
               inc[-1] / 1000, inc[-1] / full[-1]))
    hwm = summary([p[0] / 1024 for p in peaks])
    anon = summary([p[1] / 1024 for p in peaks])
    r_rows = summary([f / m for f, m in zip(full, mvr)])
    r_counts = summary([f / m for f, m in zip(full, mv)])
    r_inc = summary([a / f for a, f in zip(inc, full)])
    record("rebuild", scale, {"attendance_rows": rows, "ratio": r_rows, "baseline_ms": summary(mvr),
                              "ratio_counts_view": r_counts, "counts_view_ms": summary(mv),
                              "subject_ms": summary(full), "view_differs_in": int(diff),
                              "rows_view_differs_in": int(diff_rows),
                              "us_per_row": 1e3 * statistics.median(full) / rows,
                              "matview_us_per_row": 1e3 * statistics.median(mvr) / rows,
                              "peak_vmhwm_mb": hwm, "peak_rss_anon_mb": anon,
                              "work_mem": value(db, "SHOW work_mem"), "cell_months": cms,
                              "goal": "<= 1.5", "pass": r_rows["median"] <= 1.5})
    record("incremental", scale, {"cell_months": cms, "changed_rows": summary(changed), "ratio": r_inc,
                                  "baseline_ms": summary(full), "subject_ms": summary(inc),
                                  "goal": "<= 0.05", "pass": r_inc["median"] <= 0.05})


def m_pgbench(db, scale, reps, seconds=30, clients=8):
    """The headline report (chibo_report.headline, the published figures of
    the top committees), pgbench -c 8, p95 from the per-transaction log; the
    same for one random unit's year rows from unit_year; and SELECT 1, the
    floor that the machine itself sets."""
    top = value(db, "SELECT count(*) FROM chibo_report.headline")
    assert int(top) > 0, "headline is empty: refresh first"
    units = int(value(db, "SELECT count(*) FROM chibo.units"))
    scripts = {
        # the floor on this machine: the same clients running a query that does nothing
        "select1": "SELECT 1;\n",
        "headline": "SELECT * FROM chibo_report.headline;\n",
        "unit_year": "\\set u random(1, %d)\nSELECT * FROM chibo_report.unit_year WHERE unit_code = "
                     "(SELECT code FROM chibo.units WHERE id = :u);\n" % units,
    }
    res = {}
    for name, body in scripts.items():
        p95s, tps, p50s = [], [], []
        for i in range(reps):
            wd = "/tmp/bench-pgbench"
            shutil.rmtree(wd, ignore_errors=True)
            os.makedirs(wd)
            with open(os.path.join(wd, "q.sql"), "w") as f:
                f.write(body)
            p = subprocess.run(["pgbench", "-n", "-c", str(clients), "-j", "2", "-T", str(seconds),
                                "-f", "q.sql", "--log", "--log-prefix=tx", db],
                               cwd=wd, capture_output=True, text=True)
            if p.returncode != 0:
                raise RuntimeError(p.stderr)
            lat = []
            for fn in os.listdir(wd):
                if fn.startswith("tx"):
                    with open(os.path.join(wd, fn)) as f:
                        lat += [int(line.split()[2]) for line in f]
            lat.sort()
            p95s.append(lat[int(0.95 * (len(lat) - 1))] / 1000)
            p50s.append(lat[len(lat) // 2] / 1000)
            tps.append(len(lat) / seconds)
            log("pgbench %s rep %d/%d: %d tx, p50 %.2f ms, p95 %.2f ms"
                % (name, i + 1, reps, len(lat), p50s[-1], p95s[-1]))
        res[name] = {"p95_ms": summary(p95s), "p50_ms": summary(p50s), "tps": summary(tps)}
    record("pgbench", scale, {"clients": clients, "seconds": seconds, "results": res,
                              "goal": "p95 < 50 ms", "pass": res["headline"]["p95_ms"]["median"] < 50})


# --------------------------------------------------------------------------
# markdown

def fmt(s, unit=""):
    if s is None:
        return ""
    if s["n"] == 1:
        return "%.3g%s (n=1)" % (s["median"], unit)
    return "%.3g%s (%.3g..%.3g, n=%d)" % (s["median"], unit, s["min"], s["max"], s["n"])


def write_markdown():
    rows = [json.loads(l) for l in open(os.path.join(OUT, "results.jsonl"))]
    latest = {}
    for r in rows:
        latest[(r["name"], r["scale"])] = r
    lines = ["| measurement | scale | figure: median (min..max, n) | goal | verdict |", "|---|---|---|---|---|"]
    for (name, scale), r in sorted(latest.items()):
        if name == "agg_sql":
            fig = "SQL %s, PL/pgSQL %s" % (fmt(r["ratio_sql"], "x"), fmt(r["ratio_plpgsql"], "x"))
        elif name == "load":
            fig = "throughput %s" % fmt(r["throughput_ratio"], "x")
            if r.get("bulk"):
                fig += " (bulk_load.sql, not the contract)"
        elif name == "pgbench":
            fig = "p95 %s, %s tps" % (fmt(r["results"]["headline"]["p95_ms"], " ms"),
                                      fmt(r["results"]["headline"]["tps"]))
            if "select1" in r["results"]:
                fig += "; SELECT 1: p95 %s" % fmt(r["results"]["select1"]["p95_ms"], " ms")
        elif name == "rebuild":
            fig = "%s; peak VmHWM %s, RssAnon %s" % (fmt(r["ratio"], "x"), fmt(r["peak_vmhwm_mb"], " MB"),
                                                     fmt(r["peak_rss_anon_mb"], " MB"))
            if "ratio_counts_view" in r:
                fig = ("%s of the view of cell_months; %s of the view of the counts only"
                       % (fmt(r["ratio"], "x"), fmt(r["ratio_counts_view"], "x")) + fig[fig.index(";"):])
            else:
                fig += " (of the view of the counts only)"
        else:
            fig = fmt(r.get("ratio"), "x")
        verdict = "" if "pass" not in r else ("met" if r["pass"] else "missed")
        lines.append("| %s | %s | %s | %s | %s |" % (name, scale, fig, r.get("goal", ""), verdict))
    with open(os.path.join(OUT, "results.md"), "w") as f:
        f.write("\n".join(lines) + "\n")


def main():
    global OUT
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scale", choices=["district", "city", "country"], default="district")
    ap.add_argument("--members", type=int, default=0, help="generator --members (0: the scale's default)")
    ap.add_argument("--only", action="append", choices=ALL, help="run only this measurement (repeatable)")
    ap.add_argument("--reps", type=int, default=5, help="repetitions of each measurement (default 5)")
    ap.add_argument("--data", default="/tmp/bench-data", help="where generated CSV files are kept")
    ap.add_argument("--out", default=os.path.join(HERE, "results"), help="result directory")
    ap.add_argument("--bulk", action="store_true",
                    help="load with test/bench/bulk_load.sql instead of the contract (country slice)")
    args = ap.parse_args()
    OUT = args.out
    os.makedirs(OUT, exist_ok=True)
    commit = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True).stdout.strip()
    import hashlib
    installed = {}
    for f in ("/usr/share/postgresql/15/extension/chibo--0.2.0.sql", "/usr/lib/postgresql/15/lib/chibo.so"):
        if os.path.exists(f):
            installed[os.path.basename(f)] = hashlib.md5(open(f, "rb").read()).hexdigest()[:12]
    # others may `make install` while this runs: the checkout's commit and
    # the installed files' digests when the run started
    CONTEXT.update({"commit": commit, "reps": args.reps, "installed_md5": installed})
    only = args.only or ALL
    synth = [m for m in SYNTH if m in only]
    data = [m for m in DATA if m in only]
    if synth:
        db = "bench_synth"
        if value("postgres", "SELECT count(*) FROM pg_database WHERE datname = '%s'" % db) != "1":
            create_db(db)
        for m in synth:
            log("measuring %s" % m)
            globals()["m_" + m](db, "synthetic", args.reps)
    if data:
        d = generate(args.scale, args.data, args.members)
        db = "bench_%s" % args.scale
        info = load_db(args.scale, d, db, args.bulk)
        if "incremental" in data:
            data.remove("incremental")
            if "rebuild" not in data:
                data.insert(0, "rebuild")
        for m in data:
            log("measuring %s at %s scale" % (m, args.scale))
            if m == "load":
                m_load(args.scale, d, args.reps, info, db)
            elif m == "pgbench":
                full_rebuild(db)
                m_pgbench(db, args.scale, max(3, args.reps // 2))
            else:
                globals()["m_" + m](db, args.scale, args.reps, info)
    log("done: %s" % os.path.join(OUT, "results.md"))


if __name__ == "__main__":
    main()
