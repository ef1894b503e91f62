#!/usr/bin/env bash
# pg_upgrade from one major to another with nps_ext in use: stored summaries (plain and
# weighted), an expression index on nps(summary), a materialized view over nps_ci with a unique
# index. After the upgrade every value reads back identical and the indexes and view work.
# nps_ext must be installed in both trees (scripts/install.sh).
#   tests/pg_upgrade.sh OLD_PG_CONFIG NEW_PG_CONFIG
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
old_config=$1 new_config=$2
old_major=$("$old_config" --version | sed -E 's/^PostgreSQL ([0-9]+).*/\1/')
new_major=$("$new_config" --version | sed -E 's/^PostgreSQL ([0-9]+).*/\1/')
state=$("$ROOT/scripts/state_dir.sh")
old=pg_upgrade-from-$old_major new=pg_upgrade-to-$new_major
old_port=$((${NPS_PORT_BASE:-28900} + 60)) new_port=$((${NPS_PORT_BASE:-28900} + 61))
cluster() { PG_CONFIG=$1 "$ROOT/scripts/cluster.sh" "${@:2}"; }
psql_on() {  # psql_on PG_CONFIG NAME PORT args...
  PGOPTIONS="-c client_min_messages=warning" cluster "$1" psql "$2" "$3" -v ON_ERROR_STOP=1 -q "${@:4}"
}
cleanup() {
  cluster "$old_config" stop $old; cluster "$new_config" stop $new
  rm -rf "${state:?}/$old" "${state:?}/$new"
}
cleanup
trap cleanup EXIT

cluster "$old_config" start $old $old_port
psql_on "$old_config" $old $old_port -c "CREATE DATABASE nps_kept"
psql_on "$old_config" $old $old_port -d nps_kept <<'SQL'
CREATE EXTENSION nps_ext;
CREATE TABLE answers AS
SELECT (ARRAY['free', 'pro', 'team'])[1 + g % 3] AS plan, date '2026-01-01' + g % 45 AS day,
       CASE WHEN g % 13 = 0 THEN NULL ELSE (g * 7) % 11 END AS score, 1 + (g % 5) * 0.5 AS weight
FROM generate_series(1, 9000) g;
CREATE TABLE daily AS
SELECT plan, day, nps_agg(score) AS summary, nps_agg(score, weight) AS weighted FROM answers GROUP BY plan, day;
ALTER TABLE daily ADD PRIMARY KEY (plan, day);
CREATE INDEX daily_nps ON daily (nps(summary));
CREATE MATERIALIZED VIEW plan_ci AS
SELECT plan, rollup(summary) AS summary, (nps_ci(rollup(summary))).low AS low, (nps_ci(rollup(summary))).high AS high
FROM daily GROUP BY plan;
CREATE UNIQUE INDEX ON plan_ci (plan);
SQL
fingerprint="SET enable_seqscan = off;
SELECT md5(string_agg(plan || day || nps_summary_send(summary)::text || summary::text || weighted::text, ';' ORDER BY plan, day)) FROM daily;
SELECT string_agg(plan || ' ' || day, ',' ORDER BY plan, day) FROM daily WHERE nps(summary) > 45;
SELECT string_agg(plan || ' ' || summary::text || ' ' || low || ' ' || high, ';' ORDER BY plan) FROM plan_ci;
SELECT extversion FROM pg_extension WHERE extname = 'nps_ext';"
before=$(psql_on "$old_config" $old $old_port -d nps_kept -At -c "$fingerprint")
cluster "$old_config" stop $old

# the new cluster: same initdb options (cluster.sh), then pg_upgrade as postgres in a directory
# it can write its logs to
cluster "$new_config" start $new $new_port
cluster "$new_config" stop $new
work="$state/$new/work"
mkdir -p "$work" && chown postgres: "$work"
status=0
(cd "$work" && sudo -u postgres "$("$new_config" --bindir)/pg_upgrade" \
   -b "$("$old_config" --bindir)" -B "$("$new_config" --bindir)" \
   -d "$state/$old/data" -D "$state/$new/data" -p $old_port -P $new_port -s "$work" -U postgres) \
   > "$work/pg_upgrade.out" 2>&1 || status=$?
if [ $status -ne 0 ]; then
  cat "$work/pg_upgrade.out" >&2
  grep -h -B2 -A8 -E "ERROR|FATAL" "$state/$new"/data/pg_upgrade_output.d/*/log/*.log >&2 || true
  echo "pg_upgrade $old_major -> $new_major: 0 passed, 1 failed"
  trap - EXIT  # keep the clusters and logs to look at
  exit 1
fi
cluster "$new_config" start $new $new_port
after=$(psql_on "$new_config" $new $new_port -d nps_kept -At -c "$fingerprint")
psql_on "$new_config" $new $new_port -d nps_kept -c "REINDEX TABLE daily" -c "REFRESH MATERIALIZED VIEW CONCURRENTLY plan_ci"
refreshed=$(psql_on "$new_config" $new $new_port -d nps_kept -At -c "$fingerprint")
server=$(psql_on "$new_config" $new $new_port -d nps_kept -At -c "SHOW server_version_num")

passed=0 failed=0
for result in "$after" "$refreshed"; do
  if [ "$before" = "$result" ]; then passed=$((passed + 1)); else
    failed=$((failed + 1)); printf 'before:\n%s\nafter:\n%s\n' "$before" "$result" >&2; fi
done
if [ "${server:0:2}" = "$new_major" ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
echo "pg_upgrade $old_major -> $new_major: $passed passed, $failed failed"
[ "$failed" = 0 ]
