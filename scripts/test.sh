#!/usr/bin/env bash
# Every test layer on every supported PostgreSQL major (or those in NPS_PG_MAJORS, e.g. "15 17"),
# then the layers that need one major or several servers. Installs what it needs; safe to run
# again. Each layer reports "N passed, M failed"; a layer that fails without saying how many
# counts as one failure. The last line is the total: "N passed, M failed".
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
export NPS_PG_MAJORS=${NPS_PG_MAJORS:-"14 15 16 17 18"}
source scripts/setup.sh
set +e
STATE=$(scripts/state_dir.sh)
# ports: test clusters at base + major, the layers with servers of their own from base + 50
export NPS_PORT_BASE=${NPS_PORT_BASE:-28900}
LOGS="$STATE/test-logs"
rm -rf "$LOGS" && mkdir -p "$LOGS"

total_passed=0 total_failed=0 summary=()
# layer NAME COMMAND...: run it, show its output, count what it reports
layer() {
  local name=$1; shift
  local log="$LOGS/$(echo "$name" | tr -c 'A-Za-z0-9_.-' '_').log" started=$SECONDS
  echo "== $name"
  "$@" 2>&1 | tee "$log"
  local status=${PIPESTATUS[0]}
  local counts passed failed
  counts=$(python3 "$ROOT/scripts/count_results.py" "$log")
  read -r passed failed <<< "$counts"
  if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
  total_passed=$((total_passed + passed)) total_failed=$((total_failed + failed))
  summary+=("$(printf '%-58s %5s passed %4s failed %5s s' "$name" "$passed" "$failed" $((SECONDS - started)))")
  return "$status"
}

for major in $NPS_PG_MAJORS; do
  export PG_CONFIG NPS_CLUSTER=test-pg$major NPS_TEST_PORT=$((NPS_PORT_BASE + major))
  PG_CONFIG=$(pg_config_for "$major")
  host="$STATE/$NPS_CLUSTER"
  # The release build runs beside the unit tests: it spends most of its minute on one core (fat
  # LTO, one codegen unit), and cargo locks target/debug and target/release apart. `cargo pgrx
  # package` (flags as in install.sh) installs nothing, while the unit tests install their debug
  # build into this PostgreSQL; install.sh --release then finds it built (a failed build fails
  # there again, and says why).
  PGRX_PG_CONFIG_PATH="$PG_CONFIG" cargo pgrx package --pg-config "$PG_CONFIG" \
    --no-default-features --features "pg$major" > "$LOGS/release-build-pg$major.log" 2>&1 &
  release_build=$!
  layer "PostgreSQL $major: unit tests and #[pg_test]" \
    cargo pgrx test "pg$major" --runas postgres --pgdata "$STATE/pgrx-test-$major"
  wait "$release_build"
  if ! layer "PostgreSQL $major: install (release)" scripts/install.sh --release; then continue; fi
  scripts/cluster.sh start "$NPS_CLUSTER" "$NPS_TEST_PORT"
  layer "PostgreSQL $major: pg_regress" scripts/regress.sh
  layer "PostgreSQL $major: pg_dump / pg_restore" tests/dump_restore.sh "$host" "$NPS_TEST_PORT"
  layer "PostgreSQL $major: docs examples" python3 tests/docs/check_docs.py --host "$host" --port "$NPS_TEST_PORT"
  layer "PostgreSQL $major: upgrade from earlier releases" tests/upgrade/upgrade.sh "$host" "$NPS_TEST_PORT"
  layer "PostgreSQL $major: which function every call resolves to, before and after" \
    python3 tests/resolution/resolution.py --host "$host" --port "$NPS_TEST_PORT"
  layer "PostgreSQL $major: every error leaves the session usable" \
    python3 tests/hostile/errors_recover.py --host "$host" --port "$NPS_TEST_PORT"
  # real clients (psycopg, SQLAlchemy, pandas, dbt; JDBC, node-postgres, asyncpg, ODBC) once,
  # on the last major of the list
  if [ "$major" = "$(echo $NPS_PG_MAJORS | awk '{print $NF}')" ]; then
    layer "PostgreSQL $major: clients (psycopg, dbt, JDBC, node-postgres, asyncpg, ODBC)" tests/clients/run.sh "$host" "$NPS_TEST_PORT"
  fi
  layer "PostgreSQL $major: live summaries: concurrent writers and readers, crash, dump/restore" \
    tests/live/concurrency.sh "$host" "$NPS_TEST_PORT"
  layer "PostgreSQL $major: live summaries on a logical-replication subscriber" \
    tests/live/replication.sh $((NPS_PORT_BASE + 30 + major))
  scripts/cluster.sh stop "$NPS_CLUSTER"
  # The Debian package, installed for real into Debian's PostgreSQL 15 and removed again (the
  # nps_ext files installed there are put back), while the release build for 15 is fresh
  if [ "$major" = 15 ]; then
    layer "PostgreSQL 15: Debian package build" scripts/package.sh 15 &&
      layer "PostgreSQL 15: Debian package (dpkg -i, CREATE EXTENSION, UPDATE, dpkg -r)" tests/package.sh 15
  fi
done

# Hostile input and load, once, on one major (17 when tested, else the last one), with the
# release build the loop installed; each on a throwaway cluster of its own, one after another
# (a crash under sqlsmith would end every session of its cluster). Full versions: bench/README.md.
one_major=${NPS_PG_MAJORS##* }
[[ " $NPS_PG_MAJORS " == *" 17 "* ]] && one_major=17
layer "fuzz: every decoder, 60,000 cases each" env NPS_FUZZ_MAJOR="$one_major" scripts/fuzz.sh 60000
# (a fixed seed, so that a run is repeatable; scripts/sqlsmith.sh alone draws a new one each time)
layer "PostgreSQL $one_major: sqlsmith 60 s + focused SQL fuzzing" \
  env PG_CONFIG="$(pg_config_for "$one_major")" NPS_SKIP_INSTALL=1 NPS_SQLSMITH_SEED=${NPS_SQLSMITH_SEED:-20261125} \
  scripts/sqlsmith.sh 60 3000
layer "PostgreSQL $one_major: load, 32 clients for 45 s, summaries exact" \
  env PG_CONFIG="$(pg_config_for "$one_major")" NPS_SKIP_INSTALL=1 bench/load.sh 45

# pg_upgrade from 15 to 17: from the fetched tree of 15 (see pg_trees.sh for why not Debian's),
# with the release library and scripts the loop installed into Debian's 15 copied into it (a
# major's library serves all its minor releases; building it again for the tree takes a minute)
if [[ " $NPS_PG_MAJORS " == *" 15 "* && " $NPS_PG_MAJORS " == *" 17 "* ]]; then
  scripts/pg_trees.sh 15
  debian=$(pg_config_for 15) tree=$STATE/trees/pg15/bin/pg_config
  cp "$("$debian" --pkglibdir)/nps_ext.so" "$("$tree" --pkglibdir)/" &&
    cp "$("$debian" --sharedir)"/extension/nps_ext{.control,--*.sql} "$("$tree" --sharedir)/extension/" &&
    layer "pg_upgrade 15 -> 17" tests/pg_upgrade.sh "$tree" "$(pg_config_for 17)"
fi

# Beyond one server: a coordinator and two shards with postgres_fdw, on the last major listed
# (the newest, by default)
read -r -a majors <<< "$NPS_PG_MAJORS"
shards_major=${majors[-1]}
PG_CONFIG=$(pg_config_for "$shards_major") \
  layer "PostgreSQL $shards_major: postgres_fdw shards" tests/shards.sh
layer "PGXN META.json" tests/pgxn/meta.sh

echo "== summary (logs in $LOGS)"
printf '   %s\n' "${summary[@]}"
echo "$total_passed passed, $total_failed failed"
[ "$total_failed" -eq 0 ]
