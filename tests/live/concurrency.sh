#!/usr/bin/env bash
# Live summaries under concurrent writers, then through pg_dump/pg_restore.
#
# pgbench clients insert, update (score, time, segment, weight, an unrelated column) and delete
# answers of two tables with live summaries: one by day in a time zone with segments of three
# types, one weighted by week over a date column. Afterwards each live table must equal a fresh
# recomputation written independently (date_trunc, not the generated date_bin), exactly, with
# no deadlock and no failed transaction. Then the database is dumped and restored: the restored
# live tables equal their recomputation, and their triggers keep them exact under more writes.
#   tests/live/concurrency.sh HOST_DIR PORT [SECONDS [CLIENTS]]    (default 8 s, 8 clients)
set -euo pipefail
host=$1 port=$2 seconds=${3:-8} clients=${4:-8}
bin=$("${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}" --bindir)
psql() { PGOPTIONS="-c client_min_messages=warning" "$bin/psql" -X -q -h "$host" -p "$port" -U postgres -v ON_ERROR_STOP=1 "$@"; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
db=nps_live_concurrency restored=nps_live_restored
passed=0 failed=0
check() {  # check NAME EXPECTED ACTUAL
  if [ "$2" = "$3" ]; then passed=$((passed + 1)); echo "ok: $1"
  else failed=$((failed + 1)); echo "FAILED: $1: expected '$2', got '$3'" >&2; fi
}

psql -c "DROP DATABASE IF EXISTS $db" -c "DROP DATABASE IF EXISTS $restored" -c "CREATE DATABASE $db" -c "CREATE DATABASE $restored"
psql -d $db <<'SQL'
CREATE EXTENSION nps_ext;
CREATE TYPE tier AS ENUM ('free', 'pro', 'team');
CREATE TABLE answers (id bigserial PRIMARY KEY, tier tier, region text COLLATE "C", seats int,
                      answered_at timestamptz, score smallint, note text);
INSERT INTO answers (tier, region, seats, answered_at, score)
SELECT (enum_range(NULL::tier))[1 + g % 3], (ARRAY['eu', 'us', 'apac', 'latam'])[1 + g % 4], 1 + g % 3,
       timestamptz '2026-03-01 00:00+00' + (g * 7919 % 60000) * interval '1 minute' * 1.44,
       CASE WHEN g % 29 = 0 THEN NULL ELSE (g * 7) % 11 END
FROM generate_series(1, 20000) g;
-- weighted, by week, numeric answers; weights are multiples of 1/4, so weight sums are exact
-- in any order and the weighted live table must equal a recomputation bit for bit
CREATE TABLE panel (id bigserial PRIMARY KEY, country text, day date, score numeric, weight float8);
INSERT INTO panel (country, day, score, weight)
SELECT (ARRAY['de', 'fr', 'us'])[1 + g % 3], date '2026-03-01' + g % 60, (g * 5) % 11,
       CASE WHEN g % 31 = 0 THEN NULL ELSE 0.25 * (1 + g % 16) END
FROM generate_series(1, 5000) g;
-- buckets are days in New York, whatever the time zone of the sessions that write later
SET TimeZone = 'America/New_York';
SELECT nps_live_summary('answers', 'score', 'answered_at', '1 day', '{tier,region,seats}') \g /dev/null
SELECT nps_live_summary('panel', 'score', 'day', '7 days', '{country}', 'weight') \g /dev/null
SQL

# What each live table must equal, computed from the answers another way.
DIFF=$(cat <<'SQL'
WITH answers_expected AS (
    SELECT date_trunc('day', answered_at AT TIME ZONE 'America/New_York') AT TIME ZONE 'America/New_York' AS bucket,
           tier, region, seats, nps_agg(score) AS summary
    FROM answers WHERE score IS NOT NULL GROUP BY 1, 2, 3, 4),
panel_expected AS (
    SELECT date_trunc('week', day)::date AS bucket, country, nps_agg(score, weight) AS summary
    FROM panel WHERE score IS NOT NULL AND weight IS NOT NULL GROUP BY 1, 2)
SELECT (SELECT count(*) FROM ((TABLE answers_expected EXCEPT ALL TABLE answers_nps_live)
                              UNION ALL (TABLE answers_nps_live EXCEPT ALL TABLE answers_expected)) x)
    || ' ' || (SELECT count(*) FROM ((TABLE panel_expected EXCEPT ALL TABLE panel_nps_live)
                              UNION ALL (TABLE panel_nps_live EXCEPT ALL TABLE panel_expected)) x)
SQL
)
check "live tables equal their recomputation after creation" "0 0" "$(psql -d $db -At -c "$DIFF")"

# The writers: single statements, each touching several buckets in random order.
cat > "$work/insert.sql" <<'SQL'
\set n random(1, 30)
INSERT INTO answers (tier, region, seats, answered_at, score)
SELECT (enum_range(NULL::tier))[1 + floor(random() * 3)::int], (ARRAY['eu', 'us', 'apac', 'latam'])[1 + floor(random() * 4)::int],
       1 + floor(random() * 3)::int, timestamptz '2026-03-01 00:00+00' + random() * interval '60 days',
       CASE WHEN random() < 0.05 THEN NULL ELSE floor(random() * 11)::int END
FROM generate_series(1, :n);
SQL
cat > "$work/score.sql" <<'SQL'
\set id random(1, 26000)
UPDATE answers SET score = CASE WHEN score IS NULL THEN 7 WHEN score = 4 THEN NULL ELSE (score + 3) % 11 END
WHERE id BETWEEN :id AND :id + 4;
SQL
cat > "$work/time.sql" <<'SQL'
\set id random(1, 26000)
\set hours random(-40, 40)
UPDATE answers SET answered_at = answered_at + :hours * interval '1 hour' WHERE id BETWEEN :id AND :id + 4;
SQL
cat > "$work/segment.sql" <<'SQL'
\set id random(1, 26000)
UPDATE answers SET tier = (enum_range(NULL::tier))[1 + (id + :id) % 3], region = upper(region), seats = seats + 1
WHERE id BETWEEN :id AND :id + 4;
SQL
cat > "$work/note.sql" <<'SQL'
\set id random(1, 26000)
UPDATE answers SET note = 'seen ' || :id WHERE id BETWEEN :id AND :id + 20;
SQL
cat > "$work/delete.sql" <<'SQL'
\set id random(1, 26000)
DELETE FROM answers WHERE id BETWEEN :id AND :id + 3;
SQL
cat > "$work/panel.sql" <<'SQL'
\set id random(1, 6000)
\set n random(1, 10)
INSERT INTO panel (country, day, score, weight)
SELECT (ARRAY['de', 'fr', 'us'])[1 + floor(random() * 3)::int], date '2026-03-01' + floor(random() * 60)::int,
       floor(random() * 11)::int, 0.25 * (1 + floor(random() * 16)::int)
FROM generate_series(1, :n);
UPDATE panel SET weight = CASE WHEN weight IS NULL THEN 1.5 ELSE weight * 2 END, day = day + 3 WHERE id BETWEEN :id AND :id + 3;
DELETE FROM panel WHERE id BETWEEN :id + 100 AND :id + 102;
SQL
deadlocks_before=$(psql -d $db -At -c "SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()")
set +e
PGOPTIONS="-c TimeZone=UTC" "$bin/pgbench" -n -h "$host" -p "$port" -U postgres -c "$clients" -j 2 -T "$seconds" \
  -f "$work/insert.sql@4" -f "$work/score.sql@2" -f "$work/time.sql@2" -f "$work/segment.sql@2" \
  -f "$work/note.sql@1" -f "$work/delete.sql@2" -f "$work/panel.sql@2" $db > "$work/pgbench.out" 2>&1
status=$?
set -e
grep -E "^(number of (transactions actually processed|failed transactions)|tps)" "$work/pgbench.out" || true
check "pgbench: $clients clients for $seconds s, every client to the end" "0" "$status"
[ "$status" = 0 ] || grep -iE "error|abort" "$work/pgbench.out" | head -5 >&2
# pgbench 15 and later count a deadlock as a failed transaction and go on; 14 aborts the client
check "no failed transaction" "0" \
  "$(sed -nE 's/^number of failed transactions: ([0-9]+).*/\1/p' "$work/pgbench.out" | grep . || echo 0)"
sleep 1  # the clients' backends report their statistics as they exit
check "no deadlock" "$deadlocks_before" \
  "$(psql -d $db -At -c "SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()")"
check "live tables equal their recomputation after the concurrent writes" "0 0" "$(psql -d $db -At -c "$DIFF")"
check "the writes changed every kind of bucket (rows in both live tables)" "t" \
  "$(psql -d $db -At -c "SELECT (SELECT count(*) > 1000 FROM answers_nps_live) AND (SELECT count(*) > 20 FROM panel_nps_live)")"

# pg_dump / pg_restore: the live tables, their trigger functions and triggers come back.
"$bin/pg_dump" -h "$host" -p "$port" -U postgres -Fc -f "$work/dump" $db
"$bin/pg_restore" -h "$host" -p "$port" -U postgres -d $restored --exit-on-error "$work/dump"
check "restored live tables equal the originals" \
  "$(psql -d $db -At -c "SELECT md5(string_agg(t::text, ';' ORDER BY t::text)) FROM answers_nps_live t")" \
  "$(psql -d $restored -At -c "SELECT md5(string_agg(t::text, ';' ORDER BY t::text)) FROM answers_nps_live t")"
psql -d $restored <<'SQL'
UPDATE answers SET score = 10 - score WHERE id % 10 = 3;
DELETE FROM answers WHERE id % 10 = 4;
UPDATE panel SET weight = 0.5 WHERE id % 7 = 0;
DELETE FROM panel WHERE id % 7 = 1;
-- two answers on one New York day, 2026-03-01, and two UTC days
INSERT INTO answers (tier, region, seats, answered_at, score) VALUES ('pro', 'eu', 1000, '2026-03-02 04:00+00', 10), ('pro', 'eu', 1000, '2026-03-01 06:00+00', 0);
SQL
check "restored triggers keep the live tables exact" "0 0" "$(psql -d $restored -At -c "$DIFF")"
check "restored: a new bucket, one New York day" "2026-03-01 05:00:00+00 v1:1,0,0,0,0,0,0,0,0,0,1" \
  "$(psql -d $restored -At -c "SET TimeZone = UTC" -c "SELECT bucket || ' ' || summary FROM answers_nps_live WHERE seats = 1000")"
psql -d $restored -c "SELECT nps_live_summary_drop('answers', true)" -c "SELECT nps_live_summary_drop('panel')" >/dev/null
check "restored: nps_live_summary_drop removes triggers and functions" "0 0 1" \
  "$(psql -d $restored -At -c "SELECT (SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'nps_live_%') || ' ' ||
                                     (SELECT count(*) FROM pg_proc WHERE proname LIKE '%_nps_live') || ' ' ||
                                     (SELECT count(*) FROM pg_class WHERE relname LIKE '%_nps_live')")"
psql -c "DROP DATABASE $db" -c "DROP DATABASE $restored"
echo "live concurrency: $passed passed, $failed failed"
[ "$failed" = 0 ]
