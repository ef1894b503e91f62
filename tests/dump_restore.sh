#!/usr/bin/env bash
# pg_dump a database holding nps_summary values (a table and materialized views, one over
# nps_ci and nps_test, indexed), restore it into a fresh database, and check every summary
# reads back identical and every materialized view is populated again.
#   tests/dump_restore.sh HOST_DIR PORT     (a running cluster with nps_ext installed)
set -euo pipefail
host=$1 port=$2
bin=$("${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}" --bindir)
psql() { PGOPTIONS="-c client_min_messages=warning" "$bin/psql" -X -q -h "$host" -p "$port" -U postgres -v ON_ERROR_STOP=1 "$@"; }
dump=$(mktemp)
trap 'rm -f "$dump"' EXIT

psql -c "DROP DATABASE IF EXISTS nps_dump_source" -c "DROP DATABASE IF EXISTS nps_dump_target" \
     -c "CREATE DATABASE nps_dump_source" -c "CREATE DATABASE nps_dump_target"
psql -d nps_dump_source <<'SQL'
CREATE EXTENSION nps_ext;
CREATE TABLE answers AS
SELECT (ARRAY['free', 'pro', 'team'])[1 + g % 3] AS plan, date '2026-01-01' + g % 90 AS day,
       CASE WHEN g % 19 = 0 THEN NULL ELSE (g * 7) % 11 END AS score
FROM generate_series(1, 20000) g;
CREATE MATERIALIZED VIEW daily AS SELECT plan, day, nps_agg(score) AS summary FROM answers GROUP BY plan, day;
-- a materialized view is recomputed on restore; a table's summaries travel as COPY data
CREATE TABLE daily_stored AS SELECT * FROM daily;
-- statistics in a materialized view: pg_restore refreshes it with a restricted search_path
CREATE MATERIALIZED VIEW plan_stats AS
SELECT plan, (nps_ci(rollup(summary))).low AS low, (nps_test(rollup(summary), (SELECT rollup(summary) FROM daily))).p_value AS p_value
FROM daily GROUP BY plan;
CREATE UNIQUE INDEX ON plan_stats (plan);
CREATE INDEX ON daily_stored (((nps_ci(summary)).high));
CREATE TABLE kept (id int, summary nps_summary);
INSERT INTO kept VALUES (1, 'v1:0,0,0,0,0,0,0,0,0,0,0'), (2, 'v1:9223372036854775806,0,0,0,0,0,0,0,0,0,1'), (3, NULL);
SQL
fingerprint="SELECT md5(string_agg(plan || day || summary::text, ';' ORDER BY plan, day)) FROM daily
              UNION ALL SELECT md5(string_agg(plan || day || summary::text, ';' ORDER BY plan, day)) FROM daily_stored
              UNION ALL SELECT md5(string_agg(id || ':' || coalesce(summary::text, 'NULL'), ';' ORDER BY id)) FROM kept
              UNION ALL SELECT md5(string_agg(plan || low || p_value, ';' ORDER BY plan)) FROM plan_stats
              UNION ALL SELECT count(*)::text FROM plan_stats
              UNION ALL SELECT rollup(summary)::text FROM daily"
before=$(psql -At -d nps_dump_source -c "$fingerprint")
"$bin/pg_dump" -h "$host" -p "$port" -U postgres -Fc -f "$dump" nps_dump_source
"$bin/pg_restore" -h "$host" -p "$port" -U postgres -d nps_dump_target --exit-on-error "$dump"
after=$(psql -At -d nps_dump_target -c "$fingerprint")
direct=$(psql -At -d nps_dump_target -c "SELECT nps_agg(score)::text FROM answers")
psql -c "DROP DATABASE nps_dump_source" -c "DROP DATABASE nps_dump_target"

if [ "$before" = "$after" ] && [ "$(echo "$after" | tail -1)" = "$direct" ]; then
  echo "dump/restore: 1 passed, 0 failed"
else
  printf 'before:\n%s\nafter:\n%s\ndirect: %s\n' "$before" "$after" "$direct" >&2
  echo "dump/restore: 0 passed, 1 failed"
  exit 1
fi
