#!/usr/bin/env bash
# Benchmark nps_ext against the SQL a user would write by hand (the FILTER recipes, sums over
# count columns) and the count(score) floor, on a throwaway cluster (.pg/bench). Reports ratios
# (lower is better): the queries compared are measured in the same run, interleaved, RUNS times
# each after a warm-up; each ratio is the median of the per-round ratios, with their range.
#   bench/run.sh [ROWS [SECTION...]]
#     ROWS      answers in the main table (default 10,000,000); window benchmarks and the stored
#               summaries use ROWS/10
#     SECTION   integer windows numeric float weighted agg rollup summaries (default: all)
#   environment: RUNS (default 5); PG_CONFIG (default Debian's PostgreSQL 15); NPS_BENCH_PORT
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
NPS_ONE_MAJOR=15
source scripts/setup.sh
ROWS=${1:-10000000}
shift || true
SECTIONS=" ${*:-integer windows numeric float weighted agg rollup summaries} "
WINDOW_ROWS=$((ROWS / 10))
PORT=${NPS_BENCH_PORT:-28817}
RUNS=${RUNS:-5}
want() { [[ "$SECTIONS" == *" $1 "* ]]; }

scripts/install.sh --release
scripts/cluster.sh start bench "$PORT" "-c shared_buffers=1GB -c work_mem=256MB -c jit=off"
trap 'scripts/cluster.sh stop bench' EXIT
psql() { PGOPTIONS="-c client_min_messages=warning" scripts/cluster.sh psql bench "$PORT" -v ON_ERROR_STOP=1 -q "$@"; }
psql -c "DROP DATABASE IF EXISTS nps_bench" -c "CREATE DATABASE nps_bench"
psql -d nps_bench -c "CREATE EXTENSION nps_ext"
echo "== $("$PG_CONFIG" --version), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); RUNS=$RUNS"

echo "== building a table of $ROWS answers (smallint, 2% NULL; 4 plans, a year of days)"
psql -d nps_bench <<SQL
SELECT setseed(0.5) \g /dev/null
CREATE TABLE answers AS
SELECT id, (ARRAY['free', 'starter', 'pro', 'enterprise'])[1 + id % 4] AS plan,
       date '2025-11-01' + (id % 365)::int AS day,
       CASE WHEN r < 0.02 THEN NULL ELSE (ARRAY[0,1,2,3,4,5,6,7,7,8,8,8,9,9,9,9,10,10,10,10])[1 + (r * 1000)::int % 20] END::smallint AS score
FROM (SELECT id, random() AS r FROM generate_series(1, $ROWS) id) g;
CREATE TABLE window_answers AS SELECT * FROM answers WHERE id <= $WINDOW_ROWS;
VACUUM ANALYZE answers, window_answers;
SQL

# The recipe analysts write by hand, and the floor: one count over the same column.
RECIPE="100.0 * (count(*) FILTER (WHERE score >= 9) - count(*) FILTER (WHERE score <= 6)) / count(score)"
WEIGHTED_RECIPE="100 * (sum(w) FILTER (WHERE score >= 9) - sum(w) FILTER (WHERE score <= 6)) / sum(w) FILTER (WHERE score IS NOT NULL)"
# Window queries end in count(x): a sink that reads every value at almost no cost of its own.
window_recipe() {  # $1 = window definition
  echo "SELECT count(x) FROM (SELECT 100.0 * (count(*) FILTER (WHERE score >= 9) OVER w - count(*) FILTER (WHERE score <= 6) OVER w) / nullif(count(score) OVER w, 0) AS x FROM window_answers WINDOW w AS ($1)) s"
}
window_nps() {
  echo "SELECT count(x) FROM (SELECT nps(score) OVER w AS x FROM window_answers WINDOW w AS ($1)) s"
}

# report LABEL SETTINGS name=query...: median ms of each query, and the ratio of the first to
# each other one (the median of the per-round ratios, and their range: how noisy the run was).
report() {
  local label=$1 settings=$2; shift 2
  local names=() queries=() pair
  for pair in "$@"; do
    names+=("'${pair%%=*}'")
    queries+=("\$q\$${pair#*=}\$q\$")
  done
  echo "== $label"
  local IFS=,
  psql -d nps_bench -f bench/bench.sql -c "$settings" -At -F ' ' \
    -c "SELECT run, what, ms FROM pg_temp.interleaved_ms(ARRAY[${names[*]}], ARRAY[${queries[*]}], $RUNS)" \
    > "/tmp/nps_bench_$$.txt"
  python3 - /tmp/nps_bench_$$.txt <<'PY'
import sys
from statistics import median
runs, order = {}, []
for line in open(sys.argv[1]):
    if line.strip():
        run, what, ms = line.split()
        runs.setdefault(int(run), {})[what] = float(ms)
        order += [what] if what not in order else []
for w in order:
    times = [r[w] for r in runs.values()]
    print(f"   {w:<18} {median(times):10.1f} ms   (runs {min(times):.1f} .. {max(times):.1f})")
first = order[0]
for other in order[1:]:
    ratios = [r[first] / r[other] for r in runs.values()]
    name = f"{first}/{other}"
    print(f"   {name:<18} {median(ratios):10.2f}      (rounds {min(ratios):.2f} .. {max(ratios):.2f})")
PY
  rm -f "/tmp/nps_bench_$$.txt"
}

SERIAL="SET max_parallel_workers_per_gather = 0"
PARALLEL="SET max_parallel_workers_per_gather = 2; SET parallel_leader_participation = on; SET min_parallel_table_scan_size = 0"

if want integer; then
  report "serial, $ROWS answers" "$SERIAL" \
    "nps=SELECT nps(score) FROM answers" "recipe=SELECT $RECIPE FROM answers" "count=SELECT count(score) FROM answers"
  report "2 parallel workers, $ROWS answers" "$PARALLEL" \
    "nps=SELECT nps(score) FROM answers" "recipe=SELECT $RECIPE FROM answers" "count=SELECT count(score) FROM answers"
fi

if want windows; then
  report "rolling 1000-row window, $WINDOW_ROWS answers" "$SERIAL" \
    "nps=$(window_nps 'ORDER BY id ROWS 999 PRECEDING')" "recipe=$(window_recipe 'ORDER BY id ROWS 999 PRECEDING')" \
    "nps_100_rows=$(window_nps 'ORDER BY id ROWS 99 PRECEDING')"
  SEGMENT_90D="PARTITION BY plan ORDER BY day RANGE BETWEEN '89 days' PRECEDING AND CURRENT ROW"
  SEGMENT_CUMULATIVE="PARTITION BY plan ORDER BY day ROWS UNBOUNDED PRECEDING"
  report "rolling 90-day NPS per plan, $WINDOW_ROWS answers" "$SERIAL" \
    "nps=$(window_nps "$SEGMENT_90D")" "recipe=$(window_recipe "$SEGMENT_90D")"
  report "cumulative NPS per plan, $WINDOW_ROWS answers" "$SERIAL" \
    "nps=$(window_nps "$SEGMENT_CUMULATIVE")" "recipe=$(window_recipe "$SEGMENT_CUMULATIVE")"
  psql -d nps_bench -c "CREATE TABLE window_daily AS SELECT plan, day, nps_agg(score) AS summary FROM window_answers GROUP BY plan, day; ANALYZE window_daily"
  report "rolling 90-day NPS per plan and day: rollup over daily summaries vs the recipe over answers" "$SERIAL" \
    "nps=SELECT count(x) FROM (SELECT nps(rollup(summary) OVER w) AS x FROM window_daily WINDOW w AS ($SEGMENT_90D)) s" \
    "recipe=$(window_recipe "$SEGMENT_90D")"
fi

if want numeric; then
  # the same answers as numeric, as CSV imports and numeric(3,1) survey exports store them
  psql -d nps_bench -c "CREATE TABLE numeric_answers AS SELECT id, score::numeric AS score FROM answers" \
    -c "VACUUM ANALYZE numeric_answers"
  report "numeric answers, serial, $ROWS answers" "$SERIAL" \
    "nps=SELECT nps(score) FROM numeric_answers" "recipe=SELECT $RECIPE FROM numeric_answers" \
    "count=SELECT count(score) FROM numeric_answers"
fi

if want float; then
  # the same answers as double precision, as pandas and CSV loaders store a column with gaps
  psql -d nps_bench -c "CREATE TABLE float_answers AS SELECT id, score::double precision AS score FROM answers" \
    -c "VACUUM ANALYZE float_answers"
  echo "   recipe: SELECT $RECIPE FROM float_answers"
  report "double precision answers, serial, $ROWS answers (target nps/recipe <= 0.80)" "$SERIAL" \
    "nps=SELECT nps(score) FROM float_answers" "recipe=SELECT $RECIPE FROM float_answers" \
    "count=SELECT count(score) FROM float_answers"
fi

if want weighted; then
  psql -d nps_bench -c "CREATE TABLE weighted_answers AS SELECT id, score, 0.25 + (id % 8) * 0.25::float8 AS w FROM answers" \
    -c "VACUUM ANALYZE weighted_answers"
  report "weighted answers, serial, $ROWS answers" "$SERIAL" \
    "nps=SELECT nps(score, w) FROM weighted_answers" "recipe=SELECT $WEIGHTED_RECIPE FROM weighted_answers" \
    "count=SELECT count(score) FROM weighted_answers"
  report "weighted summaries, serial, $ROWS answers" "$SERIAL" \
    "nps_agg=SELECT nps_agg(score, w) FROM weighted_answers" "nps=SELECT nps(score, w) FROM weighted_answers"
fi

if want agg; then
  report "nps_agg vs nps, serial, $ROWS answers" "$SERIAL" \
    "nps_agg=SELECT nps_agg(score) FROM answers" "nps=SELECT nps(score) FROM answers"
  report "nps_agg vs nps by plan and day (1,460 groups), serial, $ROWS answers" "$SERIAL" \
    "nps_agg=SELECT count(s) FROM (SELECT nps_agg(score) AS s FROM answers GROUP BY plan, day) g" \
    "nps=SELECT count(s) FROM (SELECT nps(score) AS s FROM answers GROUP BY plan, day) g"
fi

if want rollup; then
  # WINDOW_ROWS stored summaries with up to 300 answers per value (some counts take two varint
  # bytes), and the same counts as 11 bigint columns: the hand-made alternative to summaries
  psql -d nps_bench <<SQL
SELECT setseed(0.25) \g /dev/null
CREATE TEMP TABLE counts AS
SELECT id, ARRAY(SELECT (random() * 300)::bigint FROM generate_series(0, 10) WHERE id > 0) AS c
FROM generate_series(1, $WINDOW_ROWS) id;
CREATE TABLE stored_summaries AS SELECT id, ('v1:' || array_to_string(c, ','))::nps_summary AS summary FROM counts;
CREATE TABLE stored_counts AS
SELECT id, c[1] AS c0, c[2] AS c1, c[3] AS c2, c[4] AS c3, c[5] AS c4, c[6] AS c5, c[7] AS c6,
       c[8] AS c7, c[9] AS c8, c[10] AS c9, c[11] AS c10 FROM counts;
VACUUM ANALYZE stored_summaries, stored_counts;
SELECT 'same counts', nps_histogram(rollup(summary)) = (SELECT ARRAY[sum(c0), sum(c1), sum(c2), sum(c3), sum(c4),
         sum(c5), sum(c6), sum(c7), sum(c8), sum(c9), sum(c10)]::bigint[] FROM stored_counts),
       'avg bytes', round(avg(pg_column_size(summary)), 1) FROM stored_summaries;
SQL
  report "rollup over $WINDOW_ROWS stored summaries vs sum over 11 bigint columns, serial" "$SERIAL" \
    "rollup=SELECT rollup(summary) FROM stored_summaries" \
    "sum11=SELECT sum(c0), sum(c1), sum(c2), sum(c3), sum(c4), sum(c5), sum(c6), sum(c7), sum(c8), sum(c9), sum(c10) FROM stored_counts"
fi

if want summaries; then
  echo "== one year of answers by plan: from daily summaries vs scanning the answers"
  cat bench/bench.sql - <<'SQL' | psql -d nps_bench -At -F ' '
SET max_parallel_workers_per_gather = 0;
\timing on
CREATE TABLE daily AS SELECT plan, day, nps_agg(score) AS summary FROM answers GROUP BY plan, day;
\timing off
ANALYZE daily;
SELECT 'summary rows', count(*), 'avg bytes', round(avg(pg_column_size(summary)), 1),
       'table', pg_size_pretty(pg_total_relation_size('daily')) FROM daily;
SELECT 'same result', (SELECT array_agg(plan || '=' || nps(rollup) ORDER BY plan) FROM (SELECT plan, rollup(summary) FROM daily GROUP BY plan) r)
                    = (SELECT array_agg(plan || '=' || nps ORDER BY plan) FROM (SELECT plan, nps(score) FROM answers GROUP BY plan) a);
WITH t AS (SELECT pg_temp.median_ms('SELECT plan, nps(score) FROM answers GROUP BY plan') AS raw,
                  pg_temp.median_ms('SELECT plan, nps(rollup(summary)) FROM daily GROUP BY plan') AS summaries)
SELECT 'raw scan ms', round(raw::numeric, 1), 'from summaries ms', round(summaries::numeric, 2),
       'speedup', round((raw / summaries)::numeric, 0) FROM t;
SQL
fi
