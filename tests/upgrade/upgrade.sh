#!/usr/bin/env bash
# ALTER EXTENSION nps_ext UPDATE from every earlier release kept in sql/ (nps_ext--A.sql, frozen
# as it shipped) to the current version, with the current library:
#   (a) every stored nps_summary (table, materialized view, expression index) reads back
#       identical, bytes and text, and indexes and materialized views keep working;
#   (b) the upgraded extension equals a fresh install, object for object (catalog.sql);
#   (c) pg_dump of the upgraded database restores cleanly with the same values.
# Also in a non-public schema. A forgotten or wrong upgrade script fails here.
#   tests/upgrade/upgrade.sh HOST_DIR PORT     (a running cluster with nps_ext installed)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
host=$1 port=$2
bin=$("${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}" --bindir)
psql() { PGOPTIONS="-c client_min_messages=warning" "$bin/psql" -X -q -h "$host" -p "$port" -U postgres -v ON_ERROR_STOP=1 "$@"; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0 failed=0
check() {  # check NAME EXPECTED ACTUAL
  if [ "$2" = "$3" ]; then passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAILED: $1" >&2
    diff <(echo "$2") <(echo "$3") | head -40 >&2 || true
  fi
}

current=$(psql -At -c "SELECT default_version FROM pg_available_extensions WHERE name = 'nps_ext'")
olds=$(cd "$here/../../sql" && ls nps_ext--*.sql | sed -nE 's/^nps_ext--([^-]+)\.sql$/\1/p' | grep -vx "$current" || true)
[ -n "$olds" ] || { echo "no earlier release in sql/" >&2; exit 1; }

# Answers and summaries of every kind a release may have stored.
SETUP=$(cat <<'SQL'
CREATE TABLE answers AS
SELECT (ARRAY['free', 'pro', 'team'])[1 + g % 3] AS plan, date '2026-01-01' + g % 60 AS day,
       CASE WHEN g % 17 = 0 THEN NULL ELSE (g * 7) % 11 END AS score, 0.5 + (g % 4) * 0.25 AS weight
FROM generate_series(1, 6000) g;
CREATE TABLE stored (id int PRIMARY KEY, summary nps_summary);
INSERT INTO stored SELECT row_number() OVER (ORDER BY plan, day), nps_agg(score) FROM answers GROUP BY plan, day;
INSERT INTO stored SELECT 1000 + row_number() OVER (ORDER BY plan), nps_agg(score, weight) FROM answers GROUP BY plan;
INSERT INTO stored VALUES (2001, 'v1:0,0,0,0,0,0,0,0,0,0,0'), (2002, 'v1:9223372036854775806,0,0,0,0,0,0,0,0,0,1'),
                          (2003, 'v1:1,0,0,0,0,0,0,0,0,0,0;weights=2.5,0,0,0,0,0,0,0,0,0,0;squares=6.25'), (2004, NULL);
CREATE INDEX stored_nps ON stored (nps(summary));
CREATE MATERIALIZED VIEW daily AS
SELECT plan, day, nps_agg(score) AS summary, nps_agg(score, weight) AS weighted FROM answers GROUP BY plan, day;
CREATE UNIQUE INDEX daily_key ON daily (plan, day);
-- a view over the statistics made before the update: the update must fix it in place
CREATE VIEW plan_ci AS SELECT plan, (nps_ci(rollup(summary), 0.95, 'wald')).low FROM daily GROUP BY plan;
-- and one over all their columns (0.3.0 adds named composites beside them, changing neither)
CREATE VIEW plan_records AS SELECT plan, (nps_ci(s)).*, (nps_test(s, w)).*
FROM (SELECT plan, rollup(summary) AS s, rollup(weighted) AS w FROM daily GROUP BY plan) d;
SQL
)
# What must read back identical: bytes (the binary form is the stored form), text, numbers.
FINGERPRINT=$(cat <<'SQL'
SET enable_seqscan = off;
SELECT md5(string_agg(id || ':' || coalesce(nps_summary_send(summary)::text || ' ' || summary::text, 'NULL'), ';' ORDER BY id)) FROM stored;
SELECT md5(string_agg(plan || day || nps_summary_send(summary)::text || nps_summary_send(weighted)::text || summary::text || weighted::text, ';' ORDER BY plan, day)) FROM daily;
SELECT string_agg(id::text, ',' ORDER BY id) FROM stored WHERE nps(summary) > 20;
SELECT plan, nps(rollup(summary)), round(nps(rollup(weighted)), 9), nps_responses(rollup(summary)),
       round(nps_margin(rollup(summary))::numeric, 9) FROM daily GROUP BY plan ORDER BY plan;
SQL
)

# A live summary of a release that has them, made as the source's owner role, read by a
# reporting role, with a view built on its table.
LIVE_SETUP=$(cat <<'SQL'
SET ROLE nps_upgrade_owner;
CREATE TABLE live_answers (id serial PRIMARY KEY, plan text NOT NULL, day date NOT NULL, score int);
INSERT INTO live_answers (plan, day, score) SELECT (ARRAY['free', 'pro', 'team'])[1 + g % 3], date '2026-01-01' + g % 30, g % 11
FROM generate_series(1, 600) g;
SELECT nps_live_summary('live_answers', 'score', 'day', '1 day', '{plan}');
GRANT SELECT ON live_answers_nps_live TO nps_upgrade_reader;
CREATE VIEW live_monthly AS SELECT date_trunc('month', bucket) AS month, plan, rollup(summary) AS summary
                            FROM live_answers_nps_live GROUP BY 1, 2;
GRANT SELECT ON live_monthly TO nps_upgrade_reader;
RESET ROLE;
SQL
)
LIVE_DIFF="SELECT count(*) FROM ((TABLE live_answers_nps_live EXCEPT ALL SELECT day, plan, nps_agg(score) FROM live_answers WHERE score IS NOT NULL GROUP BY 1, 2)
                                 UNION ALL (SELECT day, plan, nps_agg(score) FROM live_answers WHERE score IS NOT NULL GROUP BY 1, 2
                                            EXCEPT ALL TABLE live_answers_nps_live)) x"
for role in nps_upgrade_owner nps_upgrade_reader; do
  psql -c "DROP ROLE IF EXISTS $role" -c "CREATE ROLE $role"
done

for old in $olds; do
  db=nps_upgrade fresh=nps_upgrade_fresh restored=nps_upgrade_restored
  for d in $db $fresh $restored; do psql -c "DROP DATABASE IF EXISTS $d" -c "CREATE DATABASE $d"; done
  psql -d $db -c "GRANT CREATE ON SCHEMA public TO nps_upgrade_owner"
  psql -d $db -c "CREATE EXTENSION nps_ext VERSION '$old'" -c "$SETUP"
  check "$old: installed version" "$old" "$(psql -d $db -At -c "SELECT extversion FROM pg_extension WHERE extname = 'nps_ext'")"
  before=$(psql -d $db -At -c "$FINGERPRINT")
  # a release with live summaries: one made by it, read by a reporting role and a view
  live_before=$(psql -d $db -At -c "SELECT to_regproc('nps_live_summary') IS NOT NULL")
  [ "$live_before" = t ] && psql -d $db -c "$LIVE_SETUP" >/dev/null

  records=$(psql -d $db -At -c "SELECT * FROM plan_records ORDER BY plan")
  psql -d $db -c "ALTER EXTENSION nps_ext UPDATE"
  check "$old -> $current: version after ALTER EXTENSION UPDATE" "$current" \
    "$(psql -d $db -At -c "SELECT extversion FROM pg_extension WHERE extname = 'nps_ext'")"
  if [ "$live_before" = t ]; then
    # it keeps working unchanged, with the old design's triggers
    psql -d $db -c "INSERT INTO live_answers (plan, day, score) VALUES ('pro', '2026-02-01', 10), ('free', '2026-02-01', 0)" \
                -c "UPDATE live_answers SET score = 9 WHERE id = 3" -c "DELETE FROM live_answers WHERE id = 4"
    check "$old -> $current: a live summary of $old keeps working unchanged" "0 t" \
      "$(psql -d $db -At -F' ' -c "SELECT ($LIVE_DIFF), (SELECT relkind = 'r' FROM pg_class WHERE relname = 'live_answers_nps_live')")"
    # the one documented call, by the source's owner, moves it to the new design
    old_table=$(psql -d $db -At -c "SELECT 'live_answers_nps_live'::regclass::oid")
    psql -d $db -c "SET ROLE nps_upgrade_owner" \
                -c "SELECT nps_live_summary('live_answers', 'score', 'day', '1 day', '{plan}')" >/dev/null
    check "$old -> $current: moved by calling nps_live_summary again: the live view takes the name, the old table (its OID, its rows) is the live data" \
      "v t 0" "$(psql -d $db -At -F' ' -c "SELECT (SELECT relkind FROM pg_class WHERE relname = 'live_answers_nps_live'),
                                                   'live_answers_nps_live_data'::regclass::oid = $old_table,
                                                   ($(echo "$LIVE_DIFF" | sed 's/TABLE live_answers_nps_live\b/TABLE live_answers_nps_live_data/g'))")"
    psql -d $db -c "INSERT INTO live_answers (plan, day, score) VALUES ('pro', '2026-02-02', 8)" -c "UPDATE live_answers SET plan = 'team' WHERE id = 5"
    check "$old -> $current: after the move, the live view is exact and check finds nothing" "0 0" \
      "$(psql -d $db -At -F' ' -c "SELECT ($LIVE_DIFF), (SELECT count(*) FROM nps_live_summary_check('live_answers'))")"
    check "$old -> $current: the reporting role still reads it by name; the view built on the old table still works" "t t" \
      "$(psql -d $db -At -F' ' -c "SET ROLE nps_upgrade_reader" -c "SELECT (SELECT count(*) > 0 FROM live_answers_nps_live), (SELECT count(*) > 0 FROM live_monthly)")"
    check "$old -> $current: everything the live summary has belongs to the source's owner" "nps_upgrade_owner" \
      "$(psql -d $db -At -c "SELECT string_agg(DISTINCT pg_get_userbyid(relowner), ',') FROM pg_class WHERE relname LIKE 'live\_answers\_nps\_live%'")"
    psql -d $db -c "DROP VIEW live_monthly" -c "SELECT nps_live_summary_drop('live_answers', true)" >/dev/null
  fi
  check "$old -> $current: stored values read back identical" "$before" "$(psql -d $db -At -c "$FINGERPRINT")"
  psql -d $db -c "REINDEX TABLE stored" -c "REFRESH MATERIALIZED VIEW CONCURRENTLY daily"
  check "$old -> $current: identical after REINDEX and REFRESH CONCURRENTLY" "$before" "$(psql -d $db -At -c "$FINGERPRINT")"
  # what the upgrade fixed: statistics in materialized views and indexes under any search_path
  psql -d $db -c "CREATE MATERIALIZED VIEW intervals AS SELECT plan, (nps_ci(rollup(summary))).low AS low,
                                 (nps_test(rollup(summary), rollup(weighted))).p_value AS p FROM daily GROUP BY plan" \
              -c "CREATE INDEX intervals_low ON intervals (low)" -c "REFRESH MATERIALIZED VIEW intervals"
  check "$old -> $current: materialized view over nps_ci and nps_test" "3" "$(psql -d $db -At -c "SELECT count(low) FROM intervals")"
  check "$old -> $current: a view made before the update works with an empty search_path" \
    "$(psql -d $db -At -c "SELECT string_agg(plan || round(low::numeric, 6), ',' ORDER BY plan) FROM plan_ci")" \
    "$(psql -d $db -At -c "SET search_path = ''" -c "SELECT pg_catalog.string_agg(plan || pg_catalog.round(low::numeric, 6), ',' ORDER BY plan) FROM public.plan_ci")"

  check "$old -> $current: a view over every column of nps_ci and nps_test reads the same" "$records" \
    "$(psql -d $db -At -c "SELECT * FROM plan_records ORDER BY plan")"
  check "$old -> $current: the named composites give the view's figures (in numeric)" "t" \
    "$(psql -d $db -At -c "SELECT bool_and(v.low::numeric = i.low AND v.high::numeric = i.high
                                         AND v.p_value::numeric = c.p_value AND v.difference::numeric = c.difference)
                           FROM plan_records v JOIN (SELECT plan, rollup(summary) AS s, rollup(weighted) AS w FROM daily GROUP BY plan) d USING (plan),
                                LATERAL nps_confidence_interval(d.s) i, LATERAL nps_compare(d.s, d.w) c")"
  psql -d $fresh -c "CREATE EXTENSION nps_ext"
  psql -d $db -At -f "$here/catalog.sql" > "$work/upgraded.txt"
  psql -d $fresh -At -f "$here/catalog.sql" > "$work/fresh.txt"
  check "$old -> $current: upgraded objects equal a fresh install ($(grep -c '' "$work/fresh.txt") lines)" \
    "$(cat "$work/fresh.txt")" "$(cat "$work/upgraded.txt")"

  "$bin/pg_dump" -h "$host" -p "$port" -U postgres -Fc -f "$work/dump" $db
  "$bin/pg_restore" -h "$host" -p "$port" -U postgres -d $restored --exit-on-error "$work/dump"
  check "$old -> $current: pg_dump of the upgraded database restores the same values" "$before" \
    "$(psql -d $restored -At -c "$FINGERPRINT")"
  check "$old -> $current: restored materialized view is populated" "3" "$(psql -d $restored -At -c "SELECT count(low) FROM intervals")"

  # the same upgrade in a schema of its own, called with an empty search_path
  psql -d $fresh -c "DROP EXTENSION nps_ext" -c "CREATE SCHEMA analytics" -c "CREATE EXTENSION nps_ext SCHEMA analytics"
  psql -d $db -c "DROP DATABASE IF EXISTS nps_upgrade_schema" -c "CREATE DATABASE nps_upgrade_schema"
  psql -d nps_upgrade_schema -c "CREATE SCHEMA analytics" -c "CREATE EXTENSION nps_ext SCHEMA analytics VERSION '$old'" \
       -c "ALTER EXTENSION nps_ext UPDATE"
  psql -d $fresh -At -f "$here/catalog.sql" > "$work/fresh.txt"
  psql -d nps_upgrade_schema -At -f "$here/catalog.sql" > "$work/upgraded.txt"
  check "$old -> $current in schema analytics: upgraded objects equal a fresh install" \
    "$(cat "$work/fresh.txt")" "$(cat "$work/upgraded.txt")"
  # 3 promoters, 1 passive, 1 detractor: Wald 100 * (0.4 -/+ 1.959964 * sqrt(0.64 / 5)) = -30.12, 110.12 -> 100
  check "$old -> $current in schema analytics: nps_ci with an empty search_path" "-30.1,100.0" \
    "$(psql -d nps_upgrade_schema -At -c "SET search_path = ''" \
         -c "SELECT round(low::numeric, 1), round(high::numeric, 1) FROM analytics.nps_ci('v1:0,0,0,0,0,0,1,1,0,2,1'::analytics.nps_summary, 0.95, 'wald')" | tr '|' ',')"
  for d in $db $fresh $restored nps_upgrade_schema; do psql -c "DROP DATABASE $d"; done
done

psql -c "DROP ROLE nps_upgrade_owner" -c "DROP ROLE nps_upgrade_reader"
echo "upgrade: $passed passed, $failed failed"
[ "$failed" = 0 ]
