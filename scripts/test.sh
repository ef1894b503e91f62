#!/usr/bin/env bash
# Every test layer: Rust unit tests and #[pg_test] (cargo pgrx test), the SQL surface
# (tests/pg_regress) and the examples in docs/. Installs what it needs; safe to run again.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
source scripts/setup.sh
PORT=${NPS_TEST_PORT:-28816}

mkdir -p .pg && chown postgres: .pg
echo "== unit tests and #[pg_test] (cargo pgrx test)"
cargo pgrx test pg15 --runas postgres --pgdata "$ROOT/.pg/pgrx-test"

echo "== installing nps_ext (release) for the SQL-level tests"
cargo pgrx install --release --pg-config "$PG_CONFIG" >/dev/null
scripts/cluster.sh start test "$PORT"
trap 'scripts/cluster.sh stop test' EXIT

echo "== pg_regress (tests/pg_regress)"
scripts/regress.sh

echo "== pg_dump / pg_restore of stored summaries"
tests/dump_restore.sh "$ROOT/.pg/test" "$PORT"

echo "== docs examples (docs/*.md)"
python3 tests/docs/check_docs.py --host "$ROOT/.pg/test" --port "$PORT"
echo "== all test layers passed"
