#!/usr/bin/env bash
# Run tests/pg_regress (the SQL surface as a user types it) with PostgreSQL's own pg_regress
# against a running throwaway cluster (scripts/cluster.sh) with the extension installed.
#   environment: PG_CONFIG (default Debian's 15), NPS_CLUSTER (default test), NPS_TEST_PORT
#   regress.sh [--accept]   --accept copies actual output over expected (then review the diff!)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
PORT=${NPS_TEST_PORT:-28915}
CLUSTER_NAME=${NPS_CLUSTER:-test}
CLUSTER="$ROOT/scripts/cluster.sh"
dir="$ROOT/tests/pg_regress"

tests=(setup)
for f in "$dir"/sql/*.sql; do
  name=$(basename "$f" .sql)
  [ "$name" = setup ] && continue
  tests+=("$name")
done
for name in "${tests[@]}"; do
  if [ "${1:-}" = --accept ]; then touch "$dir/expected/$name.out"
  elif [ ! -f "$dir/expected/$name.out" ]; then echo "no expected output for $name" >&2; exit 1; fi
done

"$CLUSTER" psql "$CLUSTER_NAME" "$PORT" -q -c "DROP DATABASE IF EXISTS nps_regress" -c "CREATE DATABASE nps_regress"
rm -rf "$dir/results"
mkdir -p "$dir/results"; chmod 777 "$dir/results"
status=0
PGOPTIONS="-c client_min_messages=warning" \
  "$(dirname "$("$PG_CONFIG" --pgxs)")/../test/regress/pg_regress" \
  --host="$("$ROOT/scripts/state_dir.sh")/$CLUSTER_NAME" --port="$PORT" --user=postgres --use-existing --dbname=nps_regress \
  --bindir="$("$PG_CONFIG" --bindir)" --inputdir="$dir" --outputdir="$dir" "${tests[@]}" || status=$?
if [ "${1:-}" = --accept ]; then
  cp "$dir"/results/*.out "$dir/expected/"
  echo "accepted results into expected/; review them with git diff"
elif [ $status -ne 0 ]; then
  cat "$dir/regression.diffs" >&2 || true
fi
exit $status
