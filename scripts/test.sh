#!/usr/bin/env bash
# Every test layer on every supported PostgreSQL major (or those in NPS_PG_MAJORS, e.g. "15 17"):
# Rust unit tests and #[pg_test] (cargo pgrx test), the SQL surface (tests/pg_regress), pg_dump
# and restore of stored summaries, and the examples in docs/. Installs what it needs; safe to
# run again.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
export NPS_PG_MAJORS=${NPS_PG_MAJORS:-"14 15 16 17 18"}
source scripts/setup.sh
STATE=$(scripts/state_dir.sh)

timings=()
for major in $NPS_PG_MAJORS; do
  started=$SECONDS
  export PG_CONFIG
  PG_CONFIG=$(pg_config_for "$major")
  export NPS_CLUSTER=test-pg$major NPS_TEST_PORT=$((28900 + major))
  echo "== PostgreSQL $major: unit tests and #[pg_test] (cargo pgrx test)"
  cargo pgrx test "pg$major" --runas postgres --pgdata "$STATE/pgrx-test-$major"

  echo "== PostgreSQL $major: installing nps_ext (release) for the SQL-level tests"
  cargo pgrx install --release --pg-config "$PG_CONFIG" --no-default-features --features "pg$major" >/dev/null
  scripts/cluster.sh start "$NPS_CLUSTER" "$NPS_TEST_PORT"
  trap 'scripts/cluster.sh stop "$NPS_CLUSTER"' EXIT

  echo "== PostgreSQL $major: pg_regress (tests/pg_regress)"
  scripts/regress.sh
  echo "== PostgreSQL $major: pg_dump / pg_restore of stored summaries"
  tests/dump_restore.sh "$STATE/$NPS_CLUSTER" "$NPS_TEST_PORT"
  echo "== PostgreSQL $major: docs examples (docs/*.md)"
  python3 tests/docs/check_docs.py --host "$STATE/$NPS_CLUSTER" --port "$NPS_TEST_PORT"

  scripts/cluster.sh stop "$NPS_CLUSTER"
  trap - EXIT
  timings+=("PostgreSQL $major: $((SECONDS - started)) s")
done
echo "== all test layers passed on PostgreSQL $NPS_PG_MAJORS"
printf '   %s\n' "${timings[@]}"
