"""dbt-postgres builds examples/dbt against nps_ext, then again after new and late answers.

A copy of the project in a temporary directory (dbt writes target/ and logs/ there, and the test
appends the second batch of answers to its seed):
  1. dbt build: the seed, daily_nps (incremental), monthly_nps and their tests;
  2. new answers and late answers for January and February days, then dbt build again: the late
     answers are merged into their days (not duplicated, not lost), untouched days are not
     rewritten, and every model equals a recomputation from the source, checked here;
  3. a column of type nps_summary added to daily_nps: on_schema_change='append_new_columns'
     works with the project's macro, and fails without it (the dbt friction it works around);
  4. live summaries under dbt's rebuilds: one on the seed (reloaded by TRUNCATE and INSERT) stays
     exact through the second build; one on a table model, which every run builds anew and swaps
     in by renames, is made again by a post-hook after_commit (keeping its view's grants and
     the views on it), while a post-hook inside the transaction fails, naming the old table.
Connection from PGHOST, PGPORT, PGUSER; works in its own database, nps_dbt. Last line:
"dbt: N passed, M failed".
"""
import os
import shutil
import subprocess
import sys
import tempfile
import traceback
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[2]
DB = "nps_dbt"
DBT = str(Path(sys.executable).parent / "dbt")
results = {"passed": 0, "failed": 0}


def check(name, condition, detail=""):
    if condition:
        results["passed"] += 1
    else:
        results["failed"] += 1
        print(f"FAILED: {name} {detail}")


def dbt(project, *args):
    env = dict(os.environ, PGDATABASE=DB, DBT_SEND_ANONYMOUS_USAGE_STATS="false", DBT_USE_COLORS="false")
    out = subprocess.run([DBT, *args, "--project-dir", str(project), "--profiles-dir", str(project)],
                         env=env, capture_output=True, text=True, timeout=600)
    return out.returncode, out.stdout + out.stderr


def one(conn, sql, params=None):
    row = conn.execute(sql, params).fetchone()
    return row[0] if row else None


def matches_source(conn, label):
    """The models against a recomputation from the source, independent of dbt's own tests."""
    wrong_days = one(conn, """
        SELECT count(*) FROM (
            SELECT answered_at::date AS day, plan, nps_agg(score) AS s FROM analytics.survey_answers GROUP BY 1, 2) src
        FULL JOIN analytics.daily_nps d USING (day, plan)
        WHERE src.s IS DISTINCT FROM d.summary""")
    check(f"{label}: every daily summary equals nps_agg over its answers", wrong_days == 0, wrong_days)
    duplicates = one(conn, "SELECT count(*) - count(DISTINCT (day, plan)) FROM analytics.daily_nps")
    check(f"{label}: one row per day and plan", duplicates == 0, duplicates)
    wrong_months = one(conn, """
        SELECT count(*) FROM (
            SELECT date_trunc('month', answered_at)::date AS month, plan, count(score) AS n,
                   round(100.0 * (count(*) FILTER (WHERE score >= 9) - count(*) FILTER (WHERE score <= 6))
                         / count(score), 2) AS nps
            FROM analytics.survey_answers GROUP BY 1, 2) src
        FULL JOIN analytics.monthly_nps m USING (month, plan)
        WHERE src.nps IS DISTINCT FROM m.nps OR src.n IS DISTINCT FROM m.responses""")
    check(f"{label}: monthly nps equals the FILTER recipe over the month's answers", wrong_months == 0, wrong_months)


def live_matches_source(conn, source, label):
    """A live summary against nps_live_summary_check and a recomputation written here."""
    differing = one(conn, "SELECT count(*) FROM nps_live_summary_check(%s::regclass)", (source,))
    check(f"{label}: the live summary equals its recomputation", differing == 0, differing)
    view = one(conn, "SELECT format('%%I.%%I', n.nspname, c.relname) FROM pg_class c JOIN pg_namespace n "
                     "ON n.oid = c.relnamespace WHERE c.oid = %s::regclass", (source,)) + "_nps_live"
    live = one(conn, f"SELECT sum(nps_responses(summary)) FROM {view}")
    answers = one(conn, f"SELECT count(score) FROM {source}")
    check(f"{label}: the live view counts every answer", live == answers, (live, answers))


# A table model: dbt builds answers_rebuilt__dbt_tmp, renames answers_rebuilt to
# answers_rebuilt__dbt_backup and the new table to answers_rebuilt, commits, then drops the
# backup. Its live summary is made again by a post-hook once the backup is gone.
REBUILT = """{{{{ config(materialized='table', post_hook={hook}) }}}}
select * from {{{{ ref('survey_answers') }}}}
"""
MAKE_LIVE = "select nps_live_summary('{{ this }}', 'score', 'answered_at', '1 day', '{plan}')"


def rebuilt(project, conn):
    model = project / "models" / "answers_rebuilt.sql"
    model.write_text(REBUILT.format(hook=f'after_commit("{MAKE_LIVE}")'))
    code, log = dbt(project, "run", "--select", "answers_rebuilt")
    check("a table model with a live summary made by a post-hook after_commit", code == 0, log[-3000:])
    live_matches_source(conn, "analytics.answers_rebuilt", "first run of the table model")
    conn.execute(f"GRANT SELECT ON analytics.answers_rebuilt_nps_live TO {READER}")
    conn.execute("CREATE VIEW analytics.rebuilt_by_plan AS SELECT plan, nps_responses(rollup(summary)) AS responses "
                 "FROM analytics.answers_rebuilt_nps_live GROUP BY plan")
    conn.execute("INSERT INTO analytics.survey_answers VALUES (1100, '2026-04-05 10:00', 'basic', 10, 1.0, '2026-04-06 02:00')")
    code, log = dbt(project, "run", "--select", "answers_rebuilt")
    check("the table model rebuilt: its live summary made again", code == 0, log[-3000:])
    live_matches_source(conn, "analytics.answers_rebuilt", "the table model rebuilt")
    check("the rebuilt model has the new answer",
          one(conn, "SELECT count(*) FROM analytics.answers_rebuilt WHERE answer_id = 1100") == 1)
    check("the live view keeps its reader's grant",
          one(conn, f"SELECT has_table_privilege('{READER}', 'analytics.answers_rebuilt_nps_live', 'SELECT')"))
    by_plan = one(conn, "SELECT sum(responses) FROM analytics.rebuilt_by_plan")
    check("a view on the live view stays and counts the rebuilt table",
          by_plan == one(conn, "SELECT count(score) FROM analytics.answers_rebuilt"), by_plan)
    # inside the transaction the old table, renamed, still has the live summary: the run fails,
    # saying so, and rolls back, leaving the old table and its live summary as they were
    model.write_text(REBUILT.format(hook=f'"{MAKE_LIVE}"'))
    code, log = dbt(project, "run", "--select", "answers_rebuilt")
    check("a post-hook inside the transaction fails, naming the renamed old table",
          code != 0 and "is the live summary of analytics.answers_rebuilt__dbt_backup" in log, log[-3000:])
    live_matches_source(conn, "analytics.answers_rebuilt", "after the failed run")
    model.unlink()


READER = "nps_dbt_reader"


def main(work):
    project = work / "dbt"
    shutil.copytree(ROOT / "examples" / "dbt", project, ignore=shutil.ignore_patterns("target", "logs"))
    admin = psycopg.connect(dbname="postgres", autocommit=True)
    admin.execute(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
    admin.execute(f"CREATE DATABASE {DB}")
    admin.execute(f"DROP ROLE IF EXISTS {READER}")
    admin.execute(f"CREATE ROLE {READER}")
    conn = psycopg.connect(dbname=DB, autocommit=True)
    conn.execute("CREATE EXTENSION nps_ext")
    try:
        # 1. the first build
        code, log = dbt(project, "build")
        check("first dbt build succeeds", code == 0 and "ERROR=0" in log, log[-3000:])
        matches_source(conn, "first build")
        # a live summary on the seed, the raw table a loader fills: dbt reloads it below
        conn.execute("SELECT nps_live_summary('analytics.survey_answers', 'score', 'answered_at', '1 day', '{plan}')")
        months = one(conn, "SELECT count(*) FROM analytics.monthly_nps WHERE p_value IS NOT NULL")
        check("month-over-month tests for February and March of both plans", months == 4, months)

        # 2. new answers (April) and late answers for days already summarized
        seed = project / "seeds" / "survey_answers.csv"
        late_day = "2026-01-10"
        before = one(conn, f"SELECT nps_responses(summary) FROM analytics.daily_nps WHERE day = '{late_day}' AND plan = 'pro'")
        untouched = one(conn, "SELECT xmin::text FROM analytics.daily_nps WHERE day = '2026-03-01' AND plan = 'basic'")
        with seed.open("a") as f:
            f.write("1001,2026-01-10 09:00,pro,3,1.0,2026-04-03 02:00\n"
                    "1002,2026-01-10 10:30,pro,10,1.0,2026-04-03 02:00\n"
                    "1003,2026-01-10 11:45,pro,,1.0,2026-04-03 02:00\n"      # no answer: not a response
                    "1004,2026-02-15 12:00,basic,9,1.0,2026-04-03 02:00\n"
                    "1005,2026-04-01 09:00,basic,6,1.0,2026-04-02 02:00\n"
                    "1006,2026-04-02 14:00,pro,9,1.0,2026-04-03 02:00\n"
                    "1007,2026-04-02 15:00,pro,10,1.0,2026-04-03 02:00\n")
        code, log = dbt(project, "build")
        check("second dbt build succeeds", code == 0 and "ERROR=0" in log, log[-3000:])
        after = one(conn, f"SELECT nps_responses(summary) FROM analytics.daily_nps WHERE day = '{late_day}' AND plan = 'pro'")
        check("two late responses merged into their day", after == before + 2, (before, after))
        check("an untouched day is not rewritten (the run was incremental)",
              one(conn, "SELECT xmin::text FROM analytics.daily_nps WHERE day = '2026-03-01' AND plan = 'basic'") == untouched)
        april = one(conn, "SELECT nps_responses(summary) FROM analytics.monthly_nps WHERE month = '2026-04-01' AND plan = 'pro'")
        check("new answers reach the monthly model", april == 2, april)
        matches_source(conn, "second build")
        live_matches_source(conn, "analytics.survey_answers", "the seed reloaded by the second build")

        # 3. a column of type nps_summary added to the incremental model later
        model = project / "models" / "daily_nps.sql"
        model.write_text(model.read_text().replace(
            "nps_agg(score) as summary,", "nps_agg(score) as summary,\n       nps_agg(score, weight) as weighted,"))
        code, log = dbt(project, "run", "--select", "daily_nps")
        check("append_new_columns adds an nps_summary column with the macro", code == 0, log[-3000:])
        udt = one(conn, "SELECT udt_name FROM information_schema.columns WHERE table_name = 'daily_nps' AND column_name = 'weighted'")
        check("the new column is an nps_summary", udt == "nps_summary", udt)
        conn.execute("ALTER TABLE analytics.daily_nps DROP COLUMN weighted")
        shutil.rmtree(project / "macros")
        code, log = dbt(project, "run", "--select", "daily_nps")
        check("without the macro dbt emits `add column ... USER-DEFINED` (the friction is real)",
              code != 0 and "USER-DEFINED" in log, log[-3000:])

        # 4. a table model rebuilt by every run, its live summary made again after each
        rebuilt(project, conn)
    finally:
        conn.close()
        admin.execute(f"DROP DATABASE {DB} WITH (FORCE)")
        admin.execute(f"DROP ROLE IF EXISTS {READER}")
        admin.close()


with tempfile.TemporaryDirectory() as tmp:
    try:
        main(Path(tmp))
    except Exception:
        results["failed"] += 1
        traceback.print_exc(file=sys.stdout)
print(f"dbt: {results['passed']} passed, {results['failed']} failed")
sys.exit(1 if results["failed"] else 0)
