#!/usr/bin/env bash
# Load: 32 pgbench clients for SECONDS (default 600) on a throwaway local cluster (.pg/load):
# inserts of new answers with upserts into daily summaries (s = t.s + excluded.s), segment
# reports over answers, monthly rollups, rolling windows and month-over-month nps_test.
# Afterwards the daily summaries must equal a recomputation from the answers exactly, pgbench
# must report 0 failed transactions, and the server log 0 crashes and 0 internal errors.
#   bench/load.sh [SECONDS] [CLIENTS]      defaults 600 and 32; NPS_LOAD_ROWS seed answers (300000)
# Environment: PG_CONFIG (default: the fetched 17), NPS_BENCH_PORT (default 28817),
# NPS_SKIP_INSTALL=1 to use the library already installed. Prints "load: N passed, M failed".
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
SECS=${1:-600}
CLIENTS=${2:-32}
ROWS=${NPS_LOAD_ROWS:-300000}
NPS_ONE_MAJOR=17
source scripts/setup.sh
set +e
PORT=${NPS_BENCH_PORT:-28817}
BIN=$("$PG_CONFIG" --bindir)
[ "${NPS_SKIP_INSTALL:-}" = 1 ] || scripts/install.sh --release || exit 1
DIR="$(scripts/state_dir.sh)/load"
scripts/cluster.sh stop load
rm -rf "$DIR"
scripts/cluster.sh start load "$PORT" "-c max_connections=100 -c shared_buffers=256MB -c jit=off" || exit 1
trap 'scripts/cluster.sh stop load' EXIT
psql() { scripts/cluster.sh psql load "$PORT" -v ON_ERROR_STOP=1 -q "$@"; }
psql -c "ALTER SYSTEM SET log_line_prefix = '%m [%p] %e %u@%d %a: '" \
     -c "ALTER SYSTEM SET log_min_messages = error" -c "ALTER SYSTEM SET log_min_error_statement = error" \
     -c "ALTER SYSTEM SET log_error_verbosity = verbose" -c "ALTER SYSTEM SET restart_after_crash = off" \
     -c "SELECT pg_reload_conf()" >/dev/null
psql -c "CREATE DATABASE load" && psql -d load -v rows="$ROWS" -f bench/load/schema.sql >/dev/null || exit 1
log="$DIR/server.log"
start=$(stat -c %s "$log")

passed=0 failed=0
check() { if [ "$2" = ok ]; then passed=$((passed + 1)); echo "ok: $1"; else failed=$((failed + 1)); echo "FAILED: $1"; fi; }

echo "== pgbench: $CLIENTS clients for $SECS s over $ROWS seed answers ($(basename "$(dirname "$BIN")"))"
out="$DIR/pgbench.out"
"$BIN/pgbench" -n -h "$DIR" -p "$PORT" -U postgres -c "$CLIENTS" -j 4 -T "$SECS" -P 60 \
  --max-tries=10 --failures-detailed \
  -f bench/load/insert.sql@5 -f bench/load/segments.sql@2 -f bench/load/rollup.sql@1 \
  -f bench/load/rolling.sql@1 -f bench/load/period.sql@1 load > "$out" 2>&1
pgbench_status=$?
grep -E '^(number of (transactions actually processed|failed transactions)|latency average|tps = .*without)' "$out"
tps=$(sed -nE 's/^tps = ([0-9.]+) \(without initial connection time\)/\1/p' "$out")
failures=$(sed -nE 's/^number of failed transactions: ([0-9]+).*/\1/p' "$out")
[ "$pgbench_status" = 0 ] && check "pgbench exit 0 (no client aborted)" ok || { tail -20 "$out"; check "pgbench exit $pgbench_status" no; }
[ "${failures:-x}" = 0 ] && check "0 failed transactions" ok || check "failed transactions: ${failures:-unknown}" no
echo "tps: ${tps:-unknown}"

# Exactness: every daily summary equals the summary recomputed from the answers
read -r days mismatches responses < <(psql -d load -At -F ' ' -c "
  SELECT count(*), count(*) FILTER (WHERE r.s IS DISTINCT FROM d.s OR r.w IS DISTINCT FROM d.w),
         sum(nps_responses(d.s))
  FROM (SELECT day, plan, nps_agg(score) AS s, nps_agg(score, weight) AS w FROM answers GROUP BY day, plan) r
  FULL JOIN daily d USING (day, plan)")
answers=$(psql -d load -At -c "SELECT count(score) FROM answers")
echo "daily summaries: $days, responses in them: $responses, answers with a score: $answers"
[ "${mismatches:-x}" = 0 ] && [ "$responses" = "$answers" ] && check "daily summaries equal the recomputation exactly" ok \
  || check "daily summaries differ from the recomputation: ${mismatches:-?} of ${days:-?}" no

alive=0
sudo -u postgres "$BIN/pg_ctl" -D "$DIR/data" status >/dev/null 2>&1 && alive=1
[ $alive = 1 ] && check "server still running" ok || check "server stopped" no
python3 tests/hostile/check_server_log.py "$log" --from-byte "$start" --name server-log | sed '$d'
[ "${PIPESTATUS[0]}" = 0 ] && check "server log: no crash, no internal error, no panic" ok || check "server log" no
echo "load: $passed passed, $failed failed"
[ "$failed" = 0 ]
