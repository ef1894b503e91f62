#!/usr/bin/env bash
# Benchmark nps() against the hand-written SQL FILTER recipe and the count(score) floor,
# measured in one run on a throwaway cluster (.pg/bench). Reports ratios (lower is better).
#   bench/run.sh [ROWS]      default 10,000,000 answers; window benchmarks use ROWS/10 rows
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
source scripts/setup.sh
ROWS=${1:-10000000}
WINDOW_ROWS=$((ROWS / 10))
PORT=${NPS_BENCH_PORT:-28817}
RUNS=${RUNS:-5}

cargo pgrx install --release --pg-config "$PG_CONFIG" >/dev/null
scripts/cluster.sh start bench "$PORT" "-c shared_buffers=1GB -c work_mem=256MB -c jit=off"
trap 'scripts/cluster.sh stop bench' EXIT
psql() { PGOPTIONS="-c client_min_messages=warning" scripts/cluster.sh psql bench "$PORT" -v ON_ERROR_STOP=1 -q "$@"; }
psql -c "DROP DATABASE IF EXISTS nps_bench" -c "CREATE DATABASE nps_bench"
psql -d nps_bench -c "CREATE EXTENSION nps_ext"

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
# Window queries end in count(x): a sink that reads every value at almost no cost of its own.
window_recipe() {  # $1 = window definition
  echo "SELECT count(x) FROM (SELECT 100.0 * (count(*) FILTER (WHERE score >= 9) OVER w - count(*) FILTER (WHERE score <= 6) OVER w) / nullif(count(score) OVER w, 0) AS x FROM window_answers WINDOW w AS ($1)) s"
}
window_nps() {
  echo "SELECT count(x) FROM (SELECT nps(score) OVER w AS x FROM window_answers WINDOW w AS ($1)) s"
}

report() {  # $1 = label, $2 = settings, then name=query pairs; prints median ms and ratios
  local label=$1 settings=$2; shift 2
  local sql="" names=()
  for pair in "$@"; do
    names+=("${pair%%=*}")
    sql+="SELECT '${pair%%=*}' AS what, pg_temp.median_ms(\$q\$${pair#*=}\$q\$, $RUNS) AS ms UNION ALL "
  done
  sql=${sql% UNION ALL }
  echo "== $label"
  psql -d nps_bench -f bench/bench.sql -c "$settings" -At -F ' ' -c "$sql" > /tmp/nps_bench_$$.txt
  python3 - "$label" /tmp/nps_bench_$$.txt <<'PY'
import sys
label, path = sys.argv[1], sys.argv[2]
ms = dict((w, float(v)) for w, v in (line.split() for line in open(path) if line.strip()))
for w, v in ms.items():
    print(f"   {w:<14} {v:10.1f} ms")
n = ms["nps"]
for other in [w for w in ms if w != "nps"]:
    print(f"   nps/{other:<10} {n / ms[other]:10.2f}")
PY
  rm -f /tmp/nps_bench_$$.txt
}

SERIAL="SET max_parallel_workers_per_gather = 0"
PARALLEL="SET max_parallel_workers_per_gather = 2; SET parallel_leader_participation = on; SET min_parallel_table_scan_size = 0"
report "serial, $ROWS answers" "$SERIAL" \
  "nps=SELECT nps(score) FROM answers" "recipe=SELECT $RECIPE FROM answers" "count=SELECT count(score) FROM answers"
report "2 parallel workers, $ROWS answers" "$PARALLEL" \
  "nps=SELECT nps(score) FROM answers" "recipe=SELECT $RECIPE FROM answers" "count=SELECT count(score) FROM answers"
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
