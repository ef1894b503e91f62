#!/usr/bin/env bash
# Live summaries under load, 32 pgbench clients on a throwaway local cluster (.pg/bench-live):
#
#  1. Insert throughput into a table of answers with a live summary against the same table
#     without one, in alternating runs: batches of 100 rows and single rows, answers of today
#     (50 segments, so every writer adds to the same 50 buckets; also 1000-row statements) and
#     answers spread over three years (a backfill), with synchronous_commit on and off. Rows per
#     second and the ratio.
#  2. The dashboard query (12 months by segment, margin, month-over-month nps_test) over a live
#     table of 3 years x 50 segments of daily summaries (54,800 rows: what any number of
#     answers over 3 years and 50 segments makes) against the same query over the raw answers.
#     p50 / p95 / p99 latency: one client alone, 32 clients as fast as they can (what the
#     machine's cores allow), and 32 clients at a given total rate (dashboards refreshing).
#
#   bench/live.sh
#   SECONDS_PER_RUN=15 ROUNDS=3 CLIENTS=32 RAW_ANSWERS=10000000 SYNC="on off" DASHBOARD_RATES="16 32 64" \
#     SCENARIOS="100 today,1 today,1000 today,100 spread" PARTS="inserts dashboard" bench/live.sh
#   PG_CONFIG=/path/to/pg_config bench/live.sh    (default: Debian's PostgreSQL 15)
# Figures from a shared machine move from run to run; the rounds alternate plain and live runs
# so that both see the same noise, and every round is printed.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
NPS_ONE_MAJOR=15
source scripts/setup.sh
SECONDS_PER_RUN=${SECONDS_PER_RUN:-15}
ROUNDS=${ROUNDS:-3}
CLIENTS=${CLIENTS:-32}
RAW_ANSWERS=${RAW_ANSWERS:-10000000}
SYNC=${SYNC:-"on off"}
DASHBOARD_RATES=${DASHBOARD_RATES:-"16 32 64"}   # dashboards refreshing: queries per second from all clients
SCENARIOS=${SCENARIOS:-"100 today,1 today,1000 today,100 spread"}  # rows per statement, when the answers are
PARTS=${PARTS:-"inserts dashboard"}
PORT=${NPS_BENCH_PORT:-28818}
BIN=$("$PG_CONFIG" --bindir)
HOST="$(scripts/state_dir.sh)/bench-live"
work=$(mktemp -d)

scripts/install.sh --release
scripts/cluster.sh start bench-live "$PORT" "-c shared_buffers=1GB -c work_mem=64MB -c jit=off -c max_connections=100"
trap 'scripts/cluster.sh stop bench-live; rm -rf "$work"' EXIT
psql() { PGOPTIONS="-c client_min_messages=warning" "$BIN/psql" -X -q -h "$HOST" -p "$PORT" -U postgres -v ON_ERROR_STOP=1 "$@"; }
psql -c "DROP DATABASE IF EXISTS nps_live_bench" -c "CREATE DATABASE nps_live_bench" \
     -c "ALTER DATABASE nps_live_bench SET TimeZone = 'UTC'"
psql -d nps_live_bench -c "CREATE EXTENSION nps_ext"
echo "== PostgreSQL $("$PG_CONFIG" --version | cut -d' ' -f2), $CLIENTS clients, $(nproc) cores, load average now: $(cut -d' ' -f1-3 /proc/loadavg)"

# pgbench_tps SCRIPT [PGOPTIONS]: transactions per second of $CLIENTS clients for SECONDS_PER_RUN
pgbench_tps() {
  PGOPTIONS="${2:-}" "$BIN/pgbench" -n -h "$HOST" -p "$PORT" -U postgres -c "$CLIENTS" -j 2 -T "$SECONDS_PER_RUN" \
    -f "$1" nps_live_bench 2>&1 | tee "$work/last.out" | sed -nE 's/^tps = ([0-9.]+).*/\1/p'
}

if [[ " $PARTS " == *" inserts "* ]]; then
echo "== 1. inserts: a table with a live summary (by day and 50 segments) against the same table without"
psql -d nps_live_bench <<'SQL'
CREATE TABLE plain (id bigserial PRIMARY KEY, segment int, answered_at timestamptz NOT NULL DEFAULT now(), score smallint);
CREATE TABLE live (LIKE plain INCLUDING ALL);
SELECT nps_live_summary('live', 'score', 'answered_at', '1 day', '{segment}') \g /dev/null
SQL
# $1 = rows per statement, $2 = the time of an answer
write_scripts() {
  local rows=$1 at=$2
  for t in plain live; do
    if [ "$rows" = 1 ]; then
      printf '\\set segment random(0, 49)\n\\set score random(0, 10)\nINSERT INTO %s (segment, answered_at, score) VALUES (:segment, %s, :score);\n' \
        "$t" "$at" > "$work/$t.sql"
    else
      printf 'INSERT INTO %s (segment, answered_at, score)\nSELECT floor(random() * 50)::int, %s, floor(random() * 11)::int FROM generate_series(1, %s);\n' \
        "$t" "$at" "$rows" > "$work/$t.sql"
    fi
  done
}
printf '%-41s %-6s %-6s %12s %12s %7s\n' scenario commit round "plain rows/s" "live rows/s" ratio
for sync in $SYNC; do
  IFS=, read -r -a scenarios <<< "$SCENARIOS"
  for scenario in "${scenarios[@]}"; do
    read -r rows when <<< "$scenario"
    if [ "$when" = today ]; then at="now()"; else at="timestamptz '2023-01-01' + random() * interval '3 years'"; fi
    write_scripts "$rows" "$at"
    label="$rows-row statements, answers $( [ "$when" = today ] && echo "of today" || echo "over 3 years")"
    for round in $(seq "$ROUNDS"); do
      # plain first in odd rounds, live first in even ones
      if [ $((round % 2)) = 1 ]; then order="plain live"; else order="live plain"; fi
      declare -A tps=()
      for t in $order; do
        tps[$t]=$(pgbench_tps "$work/$t.sql" "-c synchronous_commit=$sync")
        [ -n "${tps[$t]}" ] || { cat "$work/last.out" >&2; exit 1; }
      done
      awk -v label="$label" -v sync="$sync" -v round="$round" -v rows="$rows" -v plain="${tps[plain]}" -v live="${tps[live]}" \
        'BEGIN { printf "%-41s %-6s %-6s %12.0f %12.0f %7.2f\n", label, sync, round, plain * rows, live * rows, live / plain }' \
        | tee -a "$work/inserts.txt"
    done
  done
done
python3 - "$work/inserts.txt" <<'PY'
import sys, statistics, collections
runs = collections.defaultdict(list)
for line in open(sys.argv[1]):
    parts = line.split()
    runs[(" ".join(parts[:-5]), parts[-5])].append(float(parts[-1]))
print("   median ratio (live / plain rows per second) and the range of the rounds:")
for (label, sync), ratios in runs.items():
    print(f"   {label:<41} synchronous_commit={sync:<4} {statistics.median(ratios):5.2f}  ({min(ratios):.2f} .. {max(ratios):.2f})")
PY
psql -d nps_live_bench -At -c "SELECT 'check: live table equals a recomputation: ' || (SELECT count(*) = 0 FROM (
    (TABLE live_nps_live EXCEPT ALL SELECT date_trunc('day', answered_at), segment, nps_agg(score) FROM live WHERE score IS NOT NULL GROUP BY 1, 2)
    UNION ALL
    (SELECT date_trunc('day', answered_at), segment, nps_agg(score) FROM live WHERE score IS NOT NULL GROUP BY 1, 2 EXCEPT ALL TABLE live_nps_live)) x)"
psql -d nps_live_bench -c "DROP TABLE plain, live, live_nps_live" -c "DROP FUNCTION live_nps_live()"

fi

if [[ " $PARTS " == *" dashboard "* ]]; then
echo "== 2. the dashboard: $RAW_ANSWERS raw answers over 3 years x 50 segments, and their live table"
start=$(date +%s)
psql -d nps_live_bench <<SQL
CREATE TABLE answers AS
SELECT g AS id, (g % 50)::int AS segment,
       timestamptz '2023-01-01 00:00+00' + (abs(hashint8(g)) % (1096 * 86400)) * interval '1 second' AS answered_at,
       CASE WHEN g % 97 = 0 THEN NULL ELSE (abs(hashint8(-g)) % 11)::smallint END AS score
FROM generate_series(1, $RAW_ANSWERS) g;
CREATE INDEX ON answers (answered_at);
VACUUM ANALYZE answers;
SQL
echo "   raw answers loaded in $(( $(date +%s) - start )) s"
start=$(date +%s)
psql -d nps_live_bench -c "SELECT nps_live_summary('answers', 'score', 'answered_at', '1 day', '{segment}')" -c "VACUUM ANALYZE answers_nps_live" >/dev/null
echo "   nps_live_summary() filled the live table in $(( $(date +%s) - start )) s"
psql -d nps_live_bench -At -c "SELECT '   live table: ' || count(*) || ' rows, ' || pg_size_pretty(pg_total_relation_size('answers_nps_live')) FROM answers_nps_live"

# The same report from either source: 12 months by segment, margins, change from the month before.
dashboard() {  # $1 = the monthly summaries
  cat <<SQL
WITH monthly AS ($1)
SELECT segment, month, nps_responses(s) AS responses, round(nps(s), 1) AS nps, round(nps_margin(s)::numeric, 1) AS margin,
       round((nps_test(s, lag(s) OVER w)).difference::numeric, 1) AS change,
       round((nps_test(s, lag(s) OVER w)).p_value::numeric, 3) AS p_value
FROM monthly WINDOW w AS (PARTITION BY segment ORDER BY month);
SQL
}
dashboard "SELECT date_trunc('month', bucket) AS month, segment, rollup(summary) AS s FROM answers_nps_live
           WHERE bucket >= '2025-01-01' AND bucket < '2026-01-01' GROUP BY 1, 2" > "$work/live_dashboard.sql"
dashboard "SELECT date_trunc('month', answered_at) AS month, segment, nps_agg(score) AS s FROM answers
           WHERE answered_at >= '2025-01-01' AND answered_at < '2026-01-01' GROUP BY 1, 2" > "$work/raw_dashboard.sql"
same=$(psql -d nps_live_bench -At -c "SELECT (SELECT md5(string_agg(x::text, ';' ORDER BY x::text)) FROM ($(sed 's/;$//' "$work/live_dashboard.sql")) x)
                                           = (SELECT md5(string_agg(x::text, ';' ORDER BY x::text)) FROM ($(sed 's/;$//' "$work/raw_dashboard.sql")) x)")
echo "   both queries return the same 600 rows: $same"

# latencies SCRIPT CLIENTS pgbench-options...: p50 / p95 / p99 in ms from pgbench's per-transaction log
latencies() {
  local script=$1 clients=$2; shift 2
  rm -f "$work"/pgbench_log.*
  (cd "$work" && "$BIN/pgbench" -n -h "$HOST" -p "$PORT" -U postgres -c "$clients" -j 2 --log --log-prefix=pgbench_log \
     -f "$script" "$@" nps_live_bench > "$work/last.out" 2>&1) || { cat "$work/last.out" >&2; exit 1; }
  # with --rate, a query's time counts from when it was due: latency plus schedule lag
  cat "$work"/pgbench_log.* | python3 -c '
import sys
rows = [line.split() for line in sys.stdin]
lat = sorted((int(r[2]) + (int(r[6]) if len(r) > 6 else 0)) / 1000 for r in rows)
pick = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))]
print(f"{len(lat):6d} queries  p50 {pick(0.50):9.2f} ms  p95 {pick(0.95):9.2f} ms  p99 {pick(0.99):9.2f} ms")'
}
printf '   %-58s %s\n' "live table, 1 client, ${SECONDS_PER_RUN} s:" "$(latencies "$work/live_dashboard.sql" 1 -T "$SECONDS_PER_RUN")"
printf '   %-58s %s\n' "live table, $CLIENTS clients, each as fast as it can:" "$(latencies "$work/live_dashboard.sql" "$CLIENTS" -T "$SECONDS_PER_RUN")"
for rate in $DASHBOARD_RATES; do
  printf '   %-58s %s\n' "live table, $CLIENTS clients, $rate queries/s in all:" \
    "$(latencies "$work/live_dashboard.sql" "$CLIENTS" -T "$SECONDS_PER_RUN" --rate "$rate")"
done
printf '   %-58s %s\n' "raw answers, 1 client, 3 queries:" "$(latencies "$work/raw_dashboard.sql" 1 -t 3)"
printf '   %-58s %s\n' "raw answers, $CLIENTS clients, 1 query each:" "$(latencies "$work/raw_dashboard.sql" "$CLIENTS" -t 1)"
fi
echo "== load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
