#!/usr/bin/env bash
# Live summaries under concurrent writers and readers, a crash, and pg_dump/pg_restore.
#
#  1. pgbench writers insert, update (score, time, segments, an unrelated column), delete, roll
#     back and roll back to savepoints, in READ COMMITTED, REPEATABLE READ and SERIALIZABLE, on
#     three sources: answers by day in a time zone with segments of three types (NULLs among
#     them), a weighted panel by week, and a table partitioned by month written through the
#     parent and straight into partitions. Meanwhile readers compare each live view with the
#     raw answers in one REPEATABLE READ snapshot, while changes wait to be folded and writers'
#     transactions are open, and refresh runs now and then. Every comparison must be equal;
#     no transaction may fail; no deadlock.
#  2. A crash (pg_ctl stop -m immediate) while writers, folds and refresh run: after restart
#     every live summary equals its recomputation.
#  3. pg_dump/pg_restore, with owners and with --no-owner: the live summaries come back live.
#   tests/live/concurrency.sh HOST_DIR PORT [SECONDS [CLIENTS [MIN_COMPARISONS]]]
#   (default: rounds of 20 s, at most 5, until 1000 comparisons were made while changes were pending
#   and writers open; 8 clients)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
host=$1 port=$2 seconds=${3:-20} clients=${4:-8} min_comparisons=${5:-1000}
cluster=$(basename "$host")
bin=$("${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}" --bindir)
psql() { PGOPTIONS="-c client_min_messages=warning" "$bin/psql" -X -q -h "$host" -p "$port" -U postgres -v ON_ERROR_STOP=1 "$@"; }
work=$(mktemp -d)
chmod 755 "$work"
trap 'rm -rf "$work"' EXIT
db=nps_live_concurrency restored=nps_live_restored
passed=0 failed=0
check() {  # check NAME EXPECTED ACTUAL
  if [ "$2" = "$3" ]; then passed=$((passed + 1)); echo "ok: $1"
  else failed=$((failed + 1)); echo "FAILED: $1: expected '$2', got '$3'" >&2; fi
}
major=$(psql -At -c "SHOW server_version_num" | cut -c1-2)

psql -c "DROP DATABASE IF EXISTS $db" -c "DROP DATABASE IF EXISTS $restored" -c "CREATE DATABASE $db"
psql -c "DROP ROLE IF EXISTS nps_live_app" -c "CREATE ROLE nps_live_app"
psql -d $db <<'SQL'
CREATE EXTENSION nps_ext;
GRANT CREATE ON SCHEMA public TO nps_live_app;
CREATE TYPE tier AS ENUM ('free', 'pro', 'team');
CREATE TABLE answers (id bigserial PRIMARY KEY, tier tier, region text COLLATE "C", seats int,
                      answered_at timestamptz, score smallint, note text);
INSERT INTO answers (tier, region, seats, answered_at, score)
SELECT (enum_range(NULL::tier))[1 + g % 3], (ARRAY['eu', 'us', 'apac', NULL])[1 + g % 4], 1 + g % 3,
       CASE WHEN g % 101 = 0 THEN NULL ELSE timestamptz '2026-03-01 00:00+00' + (g * 7919 % 60000) * interval '1 minute' * 1.44 END,
       CASE WHEN g % 29 = 0 THEN NULL ELSE (g * 7) % 11 END
FROM generate_series(1, 20000) g;
-- weighted, by week, numeric answers; weights are multiples of 1/4, so weight sums are exact
-- in any order and the weighted live summary must equal a recomputation bit for bit
CREATE TABLE panel (id bigserial PRIMARY KEY, country text, day date, score numeric, weight float8);
INSERT INTO panel (country, day, score, weight)
SELECT (ARRAY['de', 'fr', 'us'])[1 + g % 3], date '2026-03-01' + g % 60, (g * 5) % 11,
       CASE WHEN g % 31 = 0 THEN NULL ELSE 0.25 * (1 + g % 16) END
FROM generate_series(1, 5000) g;
-- partitioned by month
CREATE TABLE parted (id bigint, region text, at timestamp, score int) PARTITION BY RANGE (at);
CREATE TABLE parted_03 PARTITION OF parted FOR VALUES FROM ('2026-03-01') TO ('2026-04-01');
CREATE TABLE parted_04 PARTITION OF parted FOR VALUES FROM ('2026-04-01') TO ('2026-05-01');
CREATE TABLE parted_rest PARTITION OF parted DEFAULT;
INSERT INTO parted SELECT g, (ARRAY['eu', 'us', NULL])[1 + g % 3], timestamp '2026-03-01' + g * interval '17 minutes', g % 11
FROM generate_series(1, 8000) g;
-- the tables belong to an application's owner role, and so does what their live summaries make
ALTER TABLE answers OWNER TO nps_live_app;
ALTER TABLE panel OWNER TO nps_live_app;
ALTER TABLE parted OWNER TO nps_live_app;
ALTER TABLE parted_03 OWNER TO nps_live_app;
ALTER TABLE parted_04 OWNER TO nps_live_app;
ALTER TABLE parted_rest OWNER TO nps_live_app;
-- buckets are days in New York, whatever the time zone of the sessions that write later
SET TimeZone = 'America/New_York';
SELECT nps_live_summary('answers', 'score', 'answered_at', '1 day', '{tier,region,seats}') \g /dev/null
SELECT nps_live_summary('panel', 'score', 'day', '7 days', '{country}', 'weight') \g /dev/null
SELECT nps_live_summary('parted', 'score', 'at', '1 hour', '{region}') \g /dev/null
-- what readers record: was each comparison equal, and were changes pending and writers open
CREATE TABLE comparisons (source text, equal boolean, pending bigint, open_writers int);
SQL

# PostgreSQL 18's virtual generated columns have no value in a trigger's rows: refused clearly
# as segments (a stored generated column works, on every major).
psql -d $db -c "CREATE TABLE generated (plan text, day date, score int, plan_upper text GENERATED ALWAYS AS (upper(plan)) STORED)" \
            -c "INSERT INTO generated VALUES ('pro', '2026-03-01', 9)"
check "a stored generated column is a segment (the 9 there before, the 10 written after)" "PRO v1:0,0,0,0,0,0,0,0,0,1,1" \
  "$(psql -d $db -At -F' ' -c "SELECT nps_live_summary('generated', 'score', 'day', '1 day', '{plan_upper}')" >/dev/null \
     && psql -d $db -At -F' ' -c "INSERT INTO generated (plan, day, score) VALUES ('pro', '2026-03-01', 10)" \
                                -c "SELECT plan_upper, summary FROM generated_nps_live" | tail -1)"
psql -d $db -c "SELECT nps_live_summary_drop('generated', true)" >/dev/null
if [ "$major" -ge 18 ]; then
  psql -d $db -c "ALTER TABLE generated ADD COLUMN plan_lower text GENERATED ALWAYS AS (lower(plan)) VIRTUAL"
  check "PostgreSQL $major: a virtual generated column is refused as a segment" \
    "0A000 column \"plan_lower\" of relation generated is a virtual generated column" \
    "$(psql -d $db -At -c "DO \$\$ BEGIN PERFORM nps_live_summary('generated', 'score', 'day', '1 day', '{plan_lower}');
             EXCEPTION WHEN others THEN RAISE WARNING '% %', SQLSTATE, SQLERRM; END \$\$" 2>&1 | sed -nE 's/^.*WARNING:  //p')"
fi

# What each live view must equal, computed from the answers another way (date_trunc).
EXPECTED_ANSWERS="SELECT date_trunc('day', answered_at AT TIME ZONE 'America/New_York') AT TIME ZONE 'America/New_York' AS bucket,
       tier, region, seats, nps_agg(score) AS summary FROM answers WHERE score IS NOT NULL GROUP BY 1, 2, 3, 4"
EXPECTED_PANEL="SELECT date_trunc('week', day)::date AS bucket, country, nps_agg(score, weight) AS summary
       FROM panel WHERE score IS NOT NULL AND weight IS NOT NULL GROUP BY 1, 2"
EXPECTED_PARTED="SELECT date_trunc('hour', at) AS bucket, region, nps_agg(score) AS summary FROM parted WHERE score IS NOT NULL GROUP BY 1, 2"
differences() {  # the rows in one and not the other, both ways (0 when equal)
  echo "(SELECT count(*) FROM ((TABLE $1 EXCEPT ALL ($2)) UNION ALL (($2) EXCEPT ALL TABLE $1)) x)"
}
DIFF="SELECT $(differences answers_nps_live "$EXPECTED_ANSWERS") || ' ' || $(differences panel_nps_live "$EXPECTED_PANEL")
          || ' ' || $(differences parted_nps_live "$EXPECTED_PARTED")"
check "live views equal their recomputation after creation" "0 0 0" "$(psql -d $db -At -c "$DIFF")"

# Writers. Each statement touches several buckets in random order; some transactions stay open
# a moment (so readers meet open writers), roll back, or roll back to a savepoint.
cat > "$work/insert.sql" <<'SQL'
\set n random(1, 30)
BEGIN;
INSERT INTO answers (tier, region, seats, answered_at, score)
SELECT (enum_range(NULL::tier))[1 + floor(random() * 3)::int], (ARRAY['eu', 'us', 'apac', NULL])[1 + floor(random() * 4)::int],
       1 + floor(random() * 3)::int, timestamptz '2026-03-01 00:00+00' + random() * interval '60 days',
       CASE WHEN random() < 0.05 THEN NULL ELSE floor(random() * 11)::int END
FROM generate_series(1, :n);
SELECT pg_sleep(0.005);
COMMIT;
SQL
cat > "$work/score.sql" <<'SQL'
\set id random(1, 26000)
UPDATE answers SET score = CASE WHEN score IS NULL THEN 7 WHEN score = 4 THEN NULL ELSE (score + 3) % 11 END
WHERE id BETWEEN :id AND :id + 4;
SQL
cat > "$work/time.sql" <<'SQL'
\set id random(1, 26000)
\set hours random(-40, 40)
UPDATE answers SET answered_at = CASE WHEN id % 13 = 0 THEN NULL ELSE coalesce(answered_at, now()) + :hours * interval '1 hour' END
WHERE id BETWEEN :id AND :id + 4;
SQL
cat > "$work/segment.sql" <<'SQL'
\set id random(1, 26000)
UPDATE answers SET tier = (enum_range(NULL::tier))[1 + (id + :id) % 3], region = CASE WHEN region IS NULL THEN 'eu' WHEN region = 'us' THEN NULL ELSE upper(region) END,
                   seats = seats + 1
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
cat > "$work/rollback.sql" <<'SQL'
\set id random(1, 26000)
BEGIN;
DELETE FROM answers WHERE id BETWEEN :id AND :id + 50;
INSERT INTO answers (tier, region, seats, answered_at, score) VALUES ('pro', 'eu', 9, now(), 10);
ROLLBACK;
BEGIN;
INSERT INTO answers (tier, region, seats, answered_at, score) VALUES ('team', 'us', 9, now(), 9);
SAVEPOINT s;
UPDATE answers SET score = 0 WHERE id BETWEEN :id AND :id + 50;
ROLLBACK TO SAVEPOINT s;
COMMIT;
SQL
# REPEATABLE READ and SERIALIZABLE writers: only their own new rows, so any serialization
# failure would be the summary's
cat > "$work/repeatable.sql" <<'SQL'
BEGIN ISOLATION LEVEL REPEATABLE READ;
INSERT INTO answers (tier, region, seats, answered_at, score)
SELECT 'free', 'apac', 2, timestamptz '2026-03-01 00:00+00' + random() * interval '60 days', floor(random() * 11)::int FROM generate_series(1, 5);
INSERT INTO parted SELECT 100000 + floor(random() * 1e6)::int, 'us', timestamp '2026-03-01' + random() * interval '50 days', floor(random() * 11)::int;
COMMIT;
SQL
cat > "$work/serializable.sql" <<'SQL'
BEGIN ISOLATION LEVEL SERIALIZABLE;
INSERT INTO panel (country, day, score, weight) SELECT 'us', date '2026-03-01' + floor(random() * 60)::int, floor(random() * 11)::int, 0.5 FROM generate_series(1, 3);
INSERT INTO answers (tier, region, seats, answered_at, score) VALUES ('team', NULL, 3, timestamptz '2026-03-15 12:00+00', floor(random() * 11)::int);
COMMIT;
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
# Each client changes only the rows whose id is its number modulo the clients: an UPDATE or
# DELETE that meets a row another transaction has just moved to another partition fails with
# 40001 ("already moved to another partition"), the table's own behaviour, summary or not.
cat > "$work/parted.sql" <<'SQL'
\set id random(1, 9000)
INSERT INTO parted SELECT 10000 + :id, (ARRAY['eu', 'us', NULL])[1 + :id % 3], timestamp '2026-03-01' + random() * interval '70 days', :id % 11;
INSERT INTO parted_04 SELECT 20000 + :id, 'eu', timestamp '2026-04-01' + random() * interval '29 days', (:id + 1) % 11;
UPDATE parted SET at = at + interval '20 days' WHERE id BETWEEN :id AND :id + 4 * :clients AND id % :clients = :client_id;
UPDATE parted_03 SET score = (score + 1) % 11 WHERE id BETWEEN :id AND :id + 6 * :clients AND id % :clients = :client_id;
DELETE FROM parted_rest WHERE id BETWEEN :id AND :id + 3 * :clients AND id % :clients = :client_id;
SQL
# Readers: one REPEATABLE READ snapshot per comparison of a live view with the raw answers,
# recording the changes pending and the writers' transactions open meanwhile.
reader() {  # reader NAME LIVE EXPECTED
  cat > "$work/reader_$1.sql" <<SQL
BEGIN ISOLATION LEVEL REPEATABLE READ;
INSERT INTO comparisons
SELECT '$1', $(differences "$2" "$3" | tr '\n' ' ') = 0, (SELECT count(*) FROM $1_nps_live_delta),
       (SELECT count(*) FROM pg_stat_activity WHERE backend_xid IS NOT NULL AND pid <> pg_backend_pid() AND datname = current_database());
COMMIT;
SQL
}
reader answers answers_nps_live "$EXPECTED_ANSWERS"
reader panel panel_nps_live "$EXPECTED_PANEL"
reader parted parted_nps_live "$EXPECTED_PARTED"
cat > "$work/refresh.sql" <<'SQL'
SELECT pg_sleep(0.5);
SELECT nps_live_summary_refresh('answers', now() - interval '300 days', now() + interval '300 days');
SELECT nps_live_summary_refresh('parted');
SQL
merge=""
if [ "$major" -ge 15 ]; then
  cat > "$work/merge.sql" <<'SQL'
\set id random(1, 26000)
MERGE INTO answers a USING (SELECT g AS id FROM generate_series(:id, :id + 5) g) s ON a.id = s.id
WHEN MATCHED AND a.score = 10 THEN DELETE
WHEN MATCHED THEN UPDATE SET score = (coalesce(a.score, 0) + 1) % 11
WHEN NOT MATCHED THEN INSERT (tier, region, seats, answered_at, score) VALUES ('pro', 'eu', 1, now(), 8);
SQL
  merge="-f $work/merge.sql@2"
fi
deadlocks_before=$(psql -d $db -At -c "SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()")
# Rounds of $seconds until the readers have made $min_comparisons comparisons while changes were
# pending and writers open (a slow machine needs more of them), at most 5.
busy_comparisons() {
  psql -d $db -At -c "SELECT count(*) FILTER (WHERE pending > 0 AND open_writers > 0) FROM comparisons"
}
status=0 rounds=0 failed_tx=0
set +e
while [ "$rounds" -lt 5 ] && [ "$status" = 0 ] && [ "$(busy_comparisons)" -lt "$min_comparisons" ]; do
  rounds=$((rounds + 1))
  # shellcheck disable=SC2086
  PGOPTIONS="-c TimeZone=UTC" "$bin/pgbench" -n -h "$host" -p "$port" -U postgres -c "$clients" -j 2 -T "$seconds" -D clients="$clients" \
    -f "$work/insert.sql@6" -f "$work/score.sql@2" -f "$work/time.sql@2" -f "$work/segment.sql@2" -f "$work/note.sql@1" \
    -f "$work/delete.sql@2" -f "$work/rollback.sql@1" -f "$work/repeatable.sql@2" -f "$work/serializable.sql@2" \
    -f "$work/panel.sql@2" -f "$work/parted.sql@3" -f "$work/reader_answers.sql@8" -f "$work/reader_panel.sql@8" \
    -f "$work/reader_parted.sql@8" -f "$work/refresh.sql@1" $merge $db > "$work/pgbench.out" 2>&1
  status=$?
  failed_tx=$(sed -nE 's/^number of failed transactions: ([0-9]+).*/\1/p' "$work/pgbench.out" | grep . || echo 0)
  [ "$failed_tx" = 0 ] || status=1
done
set -e
seconds=$((seconds * rounds))
grep -E "^(number of (transactions actually processed|failed transactions)|tps)" "$work/pgbench.out" || true
check "pgbench: $clients clients, $rounds rounds, $seconds s in all, every client to the end, no failed transaction" "0" "$status"
# what failed: pgbench's own words, and the server's last errors (pgbench 15+ counts failed
# transactions without saying why)
[ "$status" = 0 ] || { grep -iE "error|abort" "$work/pgbench.out" | head -5; grep -A1 " ERROR: " "$host/server.log" | tail -10; } >&2 || true
check "no failed transaction (no serialization failure, no deadlock)" "0" "$failed_tx"
sleep 1  # the clients' backends report their statistics as they exit
check "no deadlock" "$deadlocks_before" \
  "$(psql -d $db -At -c "SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()")"
read -r comparisons unequal busy <<< "$(psql -d $db -At -F' ' -c "SELECT count(*), count(*) FILTER (WHERE NOT equal),
    count(*) FILTER (WHERE pending > 0 AND open_writers > 0) FROM comparisons")"
echo "   $comparisons comparisons in one snapshot each, $busy of them while changes were pending and writers open"
check "every comparison of a live view with the raw answers, in one snapshot, is equal" "0" "$unequal"
check "comparisons made while changes were pending and writers open (at least $min_comparisons)" "t" \
  "$([ "$busy" -ge "$min_comparisons" ] && echo t || echo "f ($busy)")"
# writers fold by themselves, every 25 ms or more: pending changes stay few
check "writers folded while they wrote, and kept the pending changes few (under 1000 rows)" "t t t" \
  "$(psql -d $db -At -F' ' -c "SELECT (SELECT fold_due > now() - interval '1 minute' FROM answers_nps_live_config),
                                     (SELECT fold_due > now() - interval '1 minute' FROM parted_nps_live_config),
                                     (SELECT max(pending) < 1000 FROM comparisons)")"
check "live views equal their recomputation after the concurrent writes" "0 0 0" "$(psql -d $db -At -c "$DIFF")"
check "nps_live_summary_check finds nothing" "0" \
  "$(psql -d $db -At -c "SELECT (SELECT count(*) FROM nps_live_summary_check('answers')) + (SELECT count(*) FROM nps_live_summary_check('panel'))
                                + (SELECT count(*) FROM nps_live_summary_check('parted'))")"
check "the writes changed every kind of bucket" "t" \
  "$(psql -d $db -At -c "SELECT (SELECT count(*) > 1000 FROM answers_nps_live) AND (SELECT count(*) > 20 FROM panel_nps_live)
                                AND (SELECT count(*) > 500 FROM parted_nps_live) AND (SELECT count(*) > 0 FROM answers_nps_live WHERE bucket IS NULL OR region IS NULL)")"

# Folds and the writer's transaction. A writer folds as its transaction commits, not in the
# statement that found a fold due: what a fold locks stays locked until the transaction ends,
# and no one else folds meanwhile, so a long transaction (a load, a session idle in
# transaction) would stop every other writer's folds while the pending changes piled up.
# A writer's fold waits for no lock: one someone took on the live data makes it give up, the
# write stands. A cancel of a fold cancels its statement, as it would without a summary.
psql -d $db > /dev/null <<'SQL'
CREATE TABLE slow (at timestamptz, score int);
INSERT INTO slow SELECT timestamptz '2026-03-01 00:00+00' + g * interval '1 hour', g % 11 FROM generate_series(1, 100) g;
SELECT nps_live_summary('slow', 'score', 'at', '1 day');
SQL
fold_now="UPDATE slow_nps_live_config SET fold_due = '-infinity'"
pending_and_differences="SELECT (SELECT count(*) FROM slow_nps_live_delta), (SELECT count(*) FROM nps_live_summary_check('slow'))"
waiting_in() {  # waiting_in APPLICATION QUERY: once that session runs the query (30 s at most), its pid
  for _ in $(seq 300); do
    pid=$(psql -d $db -At -c "SELECT pid FROM pg_stat_activity WHERE application_name = '$1' AND query = \$q\$$2\$q\$ AND state = 'active'")
    [ -n "$pid" ] && { echo "$pid"; return; }
    sleep 0.1
  done
}
cancel() {  # cancel APPLICATION: cancel what that session runs
  psql -d $db -At -c "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE application_name = '$1'" > /dev/null
}
psql -d $db -c "$fold_now"
# a session that writes once and ends (a job, a client without a pool) looks for a fold: with
# only such writers, nothing would fold otherwise
psql -d $db -c "INSERT INTO slow VALUES ('2026-03-02 08:30+00', 8)" > /dev/null
check "a session's only write folds, when a fold is due (nothing pending)" "0 0" \
  "$(psql -d $db -At -F' ' -c "$pending_and_differences")"
psql -d $db -c "$fold_now"
( PGAPPNAME=long psql -d $db -c "BEGIN" -c "INSERT INTO slow VALUES ('2026-03-02 09:30+00', 9)" \
    -c "SELECT pg_sleep(60)" -c "COMMIT" > /dev/null 2>&1 || true ) &
long=$!
waiting_in long "SELECT pg_sleep(60)" > /dev/null
psql -d $db -c "INSERT INTO slow VALUES ('2026-03-03 09:30+00', 3)" > /dev/null
check "while a writer that found a fold due keeps its transaction open, another writer folds (nothing pending)" "0 0" \
  "$(psql -d $db -At -F' ' -c "$pending_and_differences")"
cancel long
wait $long || true
( PGAPPNAME=holder psql -d $db -c "BEGIN" -c "SELECT count(*) FROM (SELECT FROM slow_nps_live_data FOR UPDATE) l" \
    -c "SELECT pg_sleep(60)" -c "COMMIT" > /dev/null 2>&1 || true ) &
holder=$!
waiting_in holder "SELECT pg_sleep(60)" > /dev/null
psql -d $db -c "$fold_now"
writer_status=0
psql -d $db -c "INSERT INTO slow VALUES ('2026-03-01 10:30+00', 10)" > /dev/null 2> "$work/lock.err" || writer_status=$?
check "a writer's fold gives up on a lock someone holds on the live data, with a warning; the write stands" "0 1 1" \
  "$writer_status $(grep -c 'could not fold the changes of public.slow_nps_live: canceling statement due to lock timeout' "$work/lock.err") \
$(psql -d $db -At -c "SELECT count(*) FROM slow WHERE at = '2026-03-01 10:30+00'")"
check "its changes wait to be folded, and the live view is exact meanwhile" "t 0" \
  "$(psql -d $db -At -F' ' -c "$pending_and_differences" | awk '{ print ($1 > 0 ? "t" : "f"), $2 }')"
# an explicit fold waits (for a running fold, here for the lock): a cancel cancels it
( PGAPPNAME=folder psql -d $db -c "SELECT nps_live_summary_fold('slow')" > /dev/null 2> "$work/cancel.err" ) &
folder=$!
waiting_in folder "SELECT nps_live_summary_fold('slow')" > /dev/null
sleep 0.5
cancel folder
fold_status=0
wait $folder || fold_status=$?
check "a cancel of a fold that waits cancels it: an error, no warning" "t 1 0" \
  "$([ "$fold_status" != 0 ] && echo t || echo f) $(grep -c 'canceling statement due to user request' "$work/cancel.err") $(grep -c 'could not fold' "$work/cancel.err")"
cancel holder
wait $holder || true
check "once the lock is gone, a fold takes every pending change, and the live view is exact" "t 0 0" \
  "$(psql -d $db -At -F' ' -c "SELECT nps_live_summary_fold('slow')" \
        -c "$pending_and_differences" | paste -sd' ')"
psql -d $db -c "SELECT nps_live_summary_drop('slow', true)" -c "DROP TABLE slow" > /dev/null

# A crash while writers, folds and refresh run, then a restart.
( PGOPTIONS="-c TimeZone=UTC" "$bin/pgbench" -n -h "$host" -p "$port" -U postgres -c 4 -j 2 -T 30 -D clients=4 \
    -f "$work/insert.sql@6" -f "$work/score.sql@2" -f "$work/delete.sql@2" -f "$work/panel.sql@2" -f "$work/parted.sql@2" \
    -f "$work/refresh.sql@1" $db > "$work/crash.out" 2>&1 || true ) &
writers=$!
sleep 4
sudo -u postgres "$bin/pg_ctl" -D "$host/data" stop -m immediate -s
wait $writers || true
PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config} "$root/scripts/cluster.sh" start "$cluster" "$port"
check "after a crash and restart, every live summary equals its recomputation" "0 0 0" "$(psql -d $db -At -c "$DIFF")"
check "after a crash, nps_live_summary_check finds nothing" "0" \
  "$(psql -d $db -At -c "SELECT (SELECT count(*) FROM nps_live_summary_check('answers')) + (SELECT count(*) FROM nps_live_summary_check('panel'))
                                + (SELECT count(*) FROM nps_live_summary_check('parted'))")"

# pg_dump / pg_restore: the live views, their data, configuration and triggers come back, and
# the triggers keep them exact; with --no-owner everything belongs to the restoring role. The
# answers have a second live summary, of months, kept by the same triggers.
psql -d $db -c "SELECT nps_live_summary('answers', 'score', 'answered_at', '1 month', '{tier}', target => 'answers_monthly')" > /dev/null
"$bin/pg_dump" -h "$host" -p "$port" -U postgres -Fc -f "$work/dump" $db
for mode in owners no-owner; do
  psql -c "DROP DATABASE IF EXISTS $restored" -c "CREATE DATABASE $restored"
  options=(--exit-on-error); [ $mode = no-owner ] && options+=(--no-owner)
  "$bin/pg_restore" -h "$host" -p "$port" -U postgres -d $restored "${options[@]}" "$work/dump"
  check "$mode: the restored live summary belongs to the source's owner" \
    "$([ $mode = owners ] && echo nps_live_app || echo postgres) t" \
    "$(psql -d $restored -At -F' ' -c "SELECT pg_get_userbyid(relowner), relowner = (SELECT relowner FROM pg_class WHERE relname = 'answers')
                                        FROM pg_class WHERE relname = 'answers_nps_live_delta'")"
  check "$mode: restored live views equal the originals" \
    "$(psql -d $db -At -c "SELECT md5(string_agg(t::text, ';' ORDER BY t::text)) FROM answers_nps_live t")" \
    "$(psql -d $restored -At -c "SELECT md5(string_agg(t::text, ';' ORDER BY t::text)) FROM answers_nps_live t")"
  psql -d $restored <<'SQL'
UPDATE answers SET score = 10 - score WHERE id % 10 = 3;
DELETE FROM answers WHERE id % 10 = 4;
UPDATE panel SET weight = 0.5 WHERE id % 7 = 0;
DELETE FROM panel WHERE id % 7 = 1;
INSERT INTO parted VALUES (99999, 'eu', '2026-04-02 10:00', 10);
-- two answers on one New York day, 2026-03-01, and two UTC days
INSERT INTO answers (tier, region, seats, answered_at, score) VALUES ('pro', 'eu', 1000, '2026-03-02 04:00+00', 10), ('pro', 'eu', 1000, '2026-03-01 06:00+00', 0);
SQL
  check "$mode: restored triggers keep the live views exact" "0 0 0" "$(psql -d $restored -At -c "$DIFF")"
  check "$mode: and the second live summary of the answers" "0" \
    "$(psql -d $restored -At -c "SELECT count(*) FROM nps_live_summary_check('answers_monthly')")"
  check "$mode: restored: a new bucket, one New York day" "2026-03-01 05:00:00+00 v1:1,0,0,0,0,0,0,0,0,0,1" \
    "$(psql -d $restored -At -c "SET TimeZone = UTC" -c "SELECT bucket || ' ' || summary FROM answers_nps_live WHERE seats = 1000")"
done
psql -d $restored -c "SELECT nps_live_summary_drop('answers_nps_live', true)" -c "SELECT nps_live_summary_drop('answers_monthly', true)" \
     -c "SELECT nps_live_summary_drop('panel')" \
     -c "SELECT nps_live_summary_drop('parted', true)" >/dev/null
check "restored: nps_live_summary_drop removes the triggers; the kept view stays" "0 1" \
  "$(psql -d $restored -At -c "SELECT (SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'nps_live_%') || ' ' ||
                                     (SELECT count(*) FROM pg_class WHERE relname LIKE '%\_nps\_live' AND relkind = 'v')")"
psql -c "DROP DATABASE $db" -c "DROP DATABASE $restored" -c "DROP ROLE nps_live_app"
echo "live concurrency: $passed passed, $failed failed"
[ "$failed" = 0 ]
