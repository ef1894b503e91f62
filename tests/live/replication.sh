#!/usr/bin/env bash
# A live summary on a logical-replication subscriber (the usual analytics copy of an
# application's database): rows applied by the subscription are summarized, the initial table
# copy included, for inserts, updates, deletes and TRUNCATE, with nothing counted twice. The
# apply worker fires only row triggers enabled REPLICA or ALWAYS, never statement triggers; a
# live summary has both kinds, and each acts only where the other does not.
#
# A cluster of its own with wal_level = logical (scripts/cluster.sh), a publisher and a
# subscriber database in it, the slot made beforehand (CREATE SUBSCRIPTION cannot make one in
# the same cluster without waiting for itself).
#   tests/live/replication.sh PORT      (PG_CONFIG: the PostgreSQL to use)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
port=$1
export PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
major=$("$PG_CONFIG" --version | sed -E 's/^PostgreSQL ([0-9]+).*/\1/')
name=replication-pg$major
host="$("$root/scripts/state_dir.sh")/$name"
bin=$("$PG_CONFIG" --bindir)
"$root/scripts/cluster.sh" start "$name" "$port" "-c wal_level=logical -c max_replication_slots=10 -c max_wal_senders=10"
work_err=$(mktemp)
trap '"$root/scripts/cluster.sh" stop "$name"; rm -f "$work_err"' EXIT
psql() { PGOPTIONS="-c client_min_messages=warning" "$bin/psql" -X -q -h "$host" -p "$port" -U postgres -v ON_ERROR_STOP=1 "$@"; }
passed=0 failed=0
check() {  # check NAME EXPECTED ACTUAL
  if [ "$2" = "$3" ]; then passed=$((passed + 1)); echo "ok: $1"
  else failed=$((failed + 1)); echo "FAILED: $1: expected '$2', got '$3'" >&2; fi
}
# wait_for DB SQL EXPECTED: poll until the query gives what is expected (replication is async)
wait_for() {
  local got
  for _ in $(seq 200); do
    got=$(psql -d "$1" -At -c "$2")
    [ "$got" = "$3" ] && break
    sleep 0.1
  done
  echo "$got"
}

psql -d postgres -c "DROP SUBSCRIPTION IF EXISTS answers_sub" 2>/dev/null || true
psql -c "DROP DATABASE IF EXISTS nps_subscriber" -c "DROP DATABASE IF EXISTS nps_publisher"
psql -c "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = 'nps_answers'" >/dev/null
psql -c "CREATE DATABASE nps_publisher" -c "CREATE DATABASE nps_subscriber"
# The application's database: no extension there.
psql -d nps_publisher <<'SQL'
CREATE TABLE answers (id bigint PRIMARY KEY, region text, answered_at timestamptz, score smallint);
INSERT INTO answers SELECT g, (ARRAY['eu', 'us', NULL])[1 + g % 3], timestamptz '2026-01-01' + g * interval '1 hour',
                           CASE WHEN g % 17 = 0 THEN NULL ELSE g % 11 END
FROM generate_series(1, 1000) g;
CREATE PUBLICATION answers_pub FOR TABLE answers;
SELECT pg_create_logical_replication_slot('nps_answers', 'pgoutput') \g /dev/null
SQL
# The analytics copy: the table, two live summaries (days by region, and months; empty until
# the copy arrives), the subscription. The checks compare both with their recomputations.
psql -d nps_subscriber <<SQL
SET TimeZone = 'UTC';
CREATE EXTENSION nps_ext;
CREATE TABLE answers (id bigint PRIMARY KEY, region text, answered_at timestamptz, score smallint);
SELECT nps_live_summary('answers', 'score', 'answered_at', '1 day', '{region}') \g /dev/null
SELECT nps_live_summary('answers', 'score', 'answered_at', '1 month', target => 'answers_monthly') \g /dev/null
CREATE SUBSCRIPTION answers_sub CONNECTION 'host=$host port=$port dbname=nps_publisher user=postgres'
    PUBLICATION answers_pub WITH (create_slot = false, slot_name = 'nps_answers');
SQL
RESPONSES="SELECT coalesce(sum(nps_responses(summary)), 0) FROM answers_nps_live"
DIFF="SELECT (SELECT count(*) FROM nps_live_summary_check('answers_nps_live')) + (SELECT count(*) FROM nps_live_summary_check('answers_monthly'))"
check "the initial copy of 1,000 rows (942 responses: 58 of them have no score) is summarized once" "942" \
  "$(wait_for nps_subscriber "$RESPONSES" 942)"
check "after the initial copy, the live summary equals its recomputation" "0" "$(psql -d nps_subscriber -At -c "$DIFF")"

psql -d nps_publisher <<'SQL'
INSERT INTO answers SELECT g, 'eu', timestamptz '2026-03-01' + g * interval '1 minute', g % 11 FROM generate_series(2001, 2500) g;
UPDATE answers SET score = (score + 5) % 11 WHERE id % 7 = 0;           -- scores change
UPDATE answers SET region = 'us' WHERE region IS NULL AND id < 300;    -- segments change
UPDATE answers SET answered_at = answered_at + interval '3 days' WHERE id % 11 = 0;  -- buckets change
UPDATE answers SET score = NULL WHERE id BETWEEN 400 AND 420;          -- responses become none
DELETE FROM answers WHERE id BETWEEN 500 AND 599;
SQL
expected=$(psql -d nps_publisher -At -c "SELECT count(score) FROM answers")
check "inserts, updates and deletes applied by the subscription are summarized" "$expected" \
  "$(wait_for nps_subscriber "$RESPONSES" "$expected")"
check "after every kind of change, the live summary equals its recomputation" "0" "$(psql -d nps_subscriber -At -c "$DIFF")"
check "the subscriber's rows are the publisher's" \
  "$(psql -d nps_publisher -At -c "SELECT md5(string_agg(a::text, ';' ORDER BY id)) FROM answers a")" \
  "$(psql -d nps_subscriber -At -c "SELECT md5(string_agg(a::text, ';' ORDER BY id)) FROM answers a")"

# An ordinary session on the subscriber still writes through the statement triggers, once.
psql -d nps_subscriber -c "INSERT INTO answers VALUES (-1, 'local', '2026-05-01', 10)"
check "a local write on the subscriber is summarized once" "0 1" \
  "$(psql -d nps_subscriber -At -F' ' -c "SELECT ($DIFF), (SELECT nps_responses(summary) FROM answers_nps_live WHERE region = 'local')")"
psql -d nps_subscriber -c "DELETE FROM answers WHERE id = -1"

psql -d nps_publisher -c "TRUNCATE answers"
check "TRUNCATE applied by the subscription empties the live summary" "0" "$(wait_for nps_subscriber "$RESPONSES" 0)"
psql -d nps_publisher -c "INSERT INTO answers VALUES (1, 'eu', '2026-06-01', 9)"
check "and it fills again" "1" "$(wait_for nps_subscriber "$RESPONSES" 1)"
check "at the end, the live summary equals its recomputation" "0" "$(psql -d nps_subscriber -At -c "$DIFF")"
check "the months' live summary counts what the days' does" "1" \
  "$(psql -d nps_subscriber -At -c "SELECT sum(nps_responses(summary)) FROM answers_monthly")"

psql -d nps_subscriber -c "DROP SUBSCRIPTION answers_sub"
psql -c "DROP DATABASE nps_subscriber" -c "DROP DATABASE nps_publisher"

# A live summary on a publisher whose publication takes every table, the summary's own too
# (FOR ALL TABLES, as change-data-capture tools such as Debezium make by default): a table
# without a replica identity refuses UPDATE and DELETE there, so the summary's tables have
# whole rows as theirs. Creating, writing, folding and refresh work, and warn of nothing.
psql -c "DROP DATABASE IF EXISTS nps_cdc" -c "CREATE DATABASE nps_cdc"
psql -d nps_cdc <<'SQL'
CREATE EXTENSION nps_ext;
CREATE PUBLICATION everything FOR ALL TABLES;
CREATE TABLE answers (id bigint PRIMARY KEY, region text, answered_at timestamptz, score smallint);
INSERT INTO answers SELECT g, (ARRAY['eu', 'us'])[1 + g % 2], timestamptz '2026-01-01' + g * interval '1 hour', g % 11
FROM generate_series(1, 100) g;
SQL
cdc_status=0
{ psql -d nps_cdc -c "SELECT nps_live_summary('answers', 'score', 'answered_at', '1 day', '{region}')" &&
  psql -d nps_cdc -c "INSERT INTO answers VALUES (101, 'eu', '2026-01-02', 10)" &&
  psql -d nps_cdc -c "UPDATE answers SET score = 0 WHERE id = 1" &&
  psql -d nps_cdc -c "DELETE FROM answers WHERE id = 2" &&
  psql -d nps_cdc -c "SELECT nps_live_summary_fold('answers')" -c "SELECT nps_live_summary_refresh('answers')"
} > /dev/null 2> "$work_err" || cdc_status=$?
check "with a publication of every table: the summary is made, written, folded and refreshed, with no error or warning" "0 0" \
  "$cdc_status $(grep -c . "$work_err" || true)"
check "with a publication of every table: nothing pending, and the live summary equals its recomputation" "0 0" \
  "$(psql -d nps_cdc -At -F' ' -c "SELECT (SELECT count(*) FROM answers_nps_live_delta), (SELECT count(*) FROM nps_live_summary_check('answers'))")"
psql -c "DROP DATABASE nps_cdc"

# A subscriber of such a publication receives the publisher's live summary with the answers.
# Made from the publisher's schema (pg_dump --schema-only), it would summarize the answers a
# second time: docs/live.md says to drop the live summary there before subscribing, which
# keeps its tables and view; the view then shows the publisher's summary. A live summary made
# there anyway: nps_live_summary_check says what is wrong.
psql -d postgres -c "DROP SUBSCRIPTION IF EXISTS all_sub" 2>/dev/null || true
psql -c "DROP DATABASE IF EXISTS nps_all_subscriber" -c "DROP DATABASE IF EXISTS nps_all_publisher"
psql -c "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = 'nps_all'" >/dev/null
psql -c "CREATE DATABASE nps_all_publisher" -c "CREATE DATABASE nps_all_subscriber"
psql -d nps_all_publisher <<'SQL'
CREATE EXTENSION nps_ext;
CREATE TABLE answers (id bigint PRIMARY KEY, region text, answered_at timestamptz, score smallint);
INSERT INTO answers SELECT g, (ARRAY['eu', 'us', NULL])[1 + g % 3], timestamptz '2026-01-01' + g * interval '1 hour', g % 11
FROM generate_series(1, 1000) g;
SELECT nps_live_summary('answers', 'score', 'answered_at', '1 day', '{region}') \g /dev/null
CREATE PUBLICATION everything FOR ALL TABLES;
SELECT pg_create_logical_replication_slot('nps_all', 'pgoutput') \g /dev/null
SQL
"$bin/pg_dump" -h "$host" -p "$port" -U postgres --schema-only nps_all_publisher | psql -d nps_all_subscriber > /dev/null
psql -d nps_all_subscriber -c "SELECT nps_live_summary_drop('answers')" > /dev/null
psql -d nps_all_subscriber -c "CREATE SUBSCRIPTION all_sub CONNECTION 'host=$host port=$port dbname=nps_all_publisher user=postgres'
    PUBLICATION everything WITH (create_slot = false, slot_name = 'nps_all')"
check "a subscription of every table copies the answers and the live summary's three tables" "4" \
  "$(wait_for nps_all_subscriber "SELECT count(*) FROM pg_subscription_rel WHERE srsubstate = 'r'" 4)"
psql -d nps_all_publisher -c "INSERT INTO answers SELECT g, 'eu', timestamptz '2026-03-01' + g * interval '1 minute', g % 11 FROM generate_series(2001, 2100) g"
psql -d nps_all_publisher -c "UPDATE answers SET score = (score + 5) % 11 WHERE id % 7 = 0"
psql -d nps_all_publisher -c "DELETE FROM answers WHERE id BETWEEN 500 AND 599"
psql -d nps_all_publisher -c "SELECT nps_live_summary_fold('answers')" > /dev/null
psql -d nps_all_publisher -c "INSERT INTO answers VALUES (5000, 'us', '2026-01-02', 10)"
view_md5="SELECT md5(string_agg(l::text, ';' ORDER BY l::text)) FROM answers_nps_live l"
expected=$(psql -d nps_all_publisher -At -c "$view_md5")
check "the subscriber's live view shows the publisher's, row for row" "$expected" \
  "$(wait_for nps_all_subscriber "$view_md5" "$expected")"
check "which equals the publisher's recomputation, and the subscriber has the same answers" "0 t" \
  "$(psql -d nps_all_publisher -At -c "SELECT count(*) FROM nps_live_summary_check('answers')") \
$([ "$(psql -d nps_all_publisher -At -c "SELECT md5(string_agg(a::text, ';' ORDER BY id)) FROM answers a")" = \
    "$(psql -d nps_all_subscriber -At -c "SELECT md5(string_agg(a::text, ';' ORDER BY id)) FROM answers a")" ] && echo t || echo f)"
# a live summary made again there would summarize the applied answers a second time: check says so
psql -d nps_all_subscriber -c "SELECT nps_live_summary('answers', 'score', 'answered_at', '1 day', '{region}')" > /dev/null
check "a live summary made again on that subscriber: check reports that its data comes from the subscription" "1" \
  "$(psql -d nps_all_subscriber -At -c "SELECT count(*) FROM nps_live_summary_check('answers')
                                        WHERE key->>'problem' LIKE 'comes from a subscription%'")"
psql -d nps_all_subscriber -c "DROP SUBSCRIPTION all_sub"
psql -c "DROP DATABASE nps_all_subscriber" -c "DROP DATABASE nps_all_publisher"
echo "live replication: $passed passed, $failed failed"
[ "$failed" = 0 ]
