#!/usr/bin/env bash
# SQL-level fuzzing against a throwaway cluster (.pg/sqlsmith): sqlsmith for SECONDS as the
# unprivileged role smith, then tests/hostile/fuzz_sql.py, which calls every nps_ext function,
# aggregate, operator and cast with random and edge inputs (sqlsmith picks functions uniformly
# from all of pg_proc, so ours are called rarely). Then the server log must show 0 backends
# terminated by a signal, 0 internal errors (XX000) and 0 Rust panics.
#   sqlsmith.sh [SECONDS] [STATEMENTS]   defaults 300 and 20000; NPS_SQLSMITH_SEED fixes the seeds
# Environment: PG_CONFIG (default: the fetched 17), NPS_PORT_BASE (port base + 60).
# A crash ends every session, so never run this beside other tests on the same cluster.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
SECONDS_TO_RUN=${1:-300}
STATEMENTS=${2:-20000}
NPS_ONE_MAJOR=17
source scripts/setup.sh
set +e
PORT=$((${NPS_PORT_BASE:-28900} + 60))
SEED=${NPS_SQLSMITH_SEED:-$RANDOM}
if ! command -v sqlsmith >/dev/null; then
  as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq sqlsmith >/dev/null
fi
[ "${NPS_SKIP_INSTALL:-}" = 1 ] || scripts/install.sh --release || exit 1
STATE=$(scripts/state_dir.sh)
DIR="$STATE/sqlsmith"
scripts/cluster.sh stop sqlsmith
rm -rf "$DIR"
scripts/cluster.sh start sqlsmith "$PORT" || exit 1
trap 'scripts/cluster.sh stop sqlsmith' EXIT
psql() { scripts/cluster.sh psql sqlsmith "$PORT" -v ON_ERROR_STOP=1 -q "$@"; }
psql -c "ALTER SYSTEM SET log_line_prefix = '%m [%p] %e %u@%d %a: '" \
     -c "ALTER SYSTEM SET log_min_messages = error" -c "ALTER SYSTEM SET log_min_error_statement = error" \
     -c "ALTER SYSTEM SET log_error_verbosity = verbose" -c "ALTER SYSTEM SET restart_after_crash = off" -c "SELECT pg_reload_conf()" >/dev/null
psql -c "CREATE DATABASE smith" && psql -d smith -f tests/hostile/schema.sql >/dev/null || exit 1
log="$DIR/server.log"
start=$(stat -c %s "$log")

if [ "$SECONDS_TO_RUN" -gt 0 ]; then
  echo "== sqlsmith for $SECONDS_TO_RUN s as role smith (seed $SEED)"
  # sqlsmith has no time limit; on SIGINT it prints its final report (queries, error rate)
  timeout -s INT "$SECONDS_TO_RUN" sqlsmith --target="host=$DIR port=$PORT dbname=smith user=smith" \
    --seed="$SEED" --exclude-catalog --verbose > "$DIR/sqlsmith.out" 2>&1
  tr '\r' '\n' < "$DIR/sqlsmith.out" | grep -E '^(queries|error rate):' | tail -2
fi

echo "== focused: $STATEMENTS statements on every nps_ext function (fuzz_sql.py)"
python3 tests/hostile/fuzz_sql.py --host "$DIR" --port "$PORT" --dbname smith --user postgres \
  --statements "$STATEMENTS" --seed "$SEED"

alive=0
sudo -u postgres "$("$PG_CONFIG" --bindir)/pg_ctl" -D "$DIR/data" status >/dev/null 2>&1 && alive=1
echo "server still running: $([ $alive = 1 ] && echo yes || echo NO)"
python3 tests/hostile/check_server_log.py "$log" --from-byte "$start" --name sqlsmith-log
status=$?
[ $alive = 1 ] || { echo "sqlsmith: 0 passed, 1 failed"; exit 1; }
exit $status
