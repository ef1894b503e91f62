#!/usr/bin/env bash
# The main job: install nps_ext into Debian's PostgreSQL 15, start a throwaway cluster of the
# project's own (.pg/demo), load a generated sample of survey answers and print the reports.
# Safe to run again.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
source scripts/setup.sh

PORT=${NPS_DEMO_PORT:-28815}
echo "== building and installing nps_ext (release)"
cargo pgrx install --release --pg-config "$PG_CONFIG" >/dev/null

scripts/cluster.sh start demo "$PORT"
trap 'scripts/cluster.sh stop demo' EXIT
psql() { PGOPTIONS="-c client_min_messages=warning" scripts/cluster.sh psql demo "$PORT" -v ON_ERROR_STOP=1 "$@"; }
psql -q -c "DROP DATABASE IF EXISTS nps_demo" -c "CREATE DATABASE nps_demo"
psql -q -d nps_demo -c "CREATE EXTENSION nps_ext"
echo "== loading the sample (demo/sample.sql)"
psql -q -d nps_demo -f demo/sample.sql
psql -d nps_demo -f demo/reports.sql
