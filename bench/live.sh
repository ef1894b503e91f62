#!/usr/bin/env bash
# Live summaries under load, pgbench on a throwaway local cluster (.pg/bench-live):
#
#  1. inserts: writers into a table with a live summary (by day and 50 segments), into the same
#     table without one (plain), and into one with a statement trigger with a transition table
#     that does nothing (the ceiling: what any such trigger costs). Statements of 100 rows of
#     today's answers, single rows, 1000 rows, and 100 rows spread over three years; with
#     synchronous_commit off (CPU-bound) and on. The three run one after the other in each
#     round, in an order that turns round by round; tables are emptied before each run. During
#     the live runs pg_stat_activity is sampled for sessions waiting on a heavyweight lock,
#     and the pending rows are counted; afterwards, serialization failures and deadlocks, and
#     the live summary must equal its recomputation.
#  2. storage: 100-row statements for STORAGE_MINUTES (10) with the live summary: the size of
#     its relations and its pending rows at 2 minutes and at the end (the table of answers takes
#     some 30 GB of disk by then).
#  3. dashboard: the dashboard query (12 months by segment, margin, month-over-month nps_test)
#     over a live summary of 3 years x 50 segments, against the same query over the raw
#     answers; p50/p95/p99 latency alone, at given rates, and at a rate while writers add
#     answers at WRITE_RATE rows per second in all: answers arriving now (the dashboard's last
#     day), then a backfill spread over the dashboard's year.
#     Then the same dashboard from a live summary of months kept beside the daily one (no GROUP
#     BY: its rows are the months), alone and while the same writers add answers.
#  4. connections: writers that connect for each single-row insert (pgbench -C, jobs and clients
#     without a pool), CONNECTING_CLIENTS of them, into plain, live and ceiling as in 1; the
#     pending rows after the live run (such writers must fold too).
#  5. several: what a second live summary (months beside days) costs writers: single rows and
#     100-row statements of today's answers into plain, live (days) and live2 (days and months),
#     synchronous_commit off, as in 1.
#
#   bench/live.sh
#   SECONDS_PER_RUN=60 ROUNDS=3 CLIENTS=32 SYNC="off on" SCENARIOS="100 today,1 today,1000 today,100 spread" \
#     PARTS="inserts storage dashboard connections several" STORAGE_MINUTES=10 RAW_ANSWERS=10000000 DASHBOARD_RATES="16 32" \
#     WRITE_RATE=2000 CONNECTING_CLIENTS=4 bench/live.sh
#   PG_CONFIG=/path/to/pg_config bench/live.sh    (default: Debian's PostgreSQL 15)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
NPS_ONE_MAJOR=15
source scripts/setup.sh
SECONDS_PER_RUN=${SECONDS_PER_RUN:-60}
ROUNDS=${ROUNDS:-3}
CLIENTS=${CLIENTS:-32}
RAW_ANSWERS=${RAW_ANSWERS:-10000000}
SYNC=${SYNC:-"off on"}
DASHBOARD_RATES=${DASHBOARD_RATES:-"16 32"}   # dashboards refreshing: queries per second from all clients
WRITE_RATE=${WRITE_RATE:-2000}                # answers per second the writers add during the dashboard's last run
SCENARIOS=${SCENARIOS:-"100 today,1 today,1000 today,100 spread"}  # rows per statement, when the answers are
PARTS=${PARTS:-"inserts storage dashboard connections several"}
CONNECTING_CLIENTS=${CONNECTING_CLIENTS:-4}  # part 4: writers that connect for each insert
STORAGE_MINUTES=${STORAGE_MINUTES:-10}
PORT=${NPS_BENCH_PORT:-28818}
BIN=$("$PG_CONFIG" --bindir)
HOST="$(scripts/state_dir.sh)/bench-live"
work=$(mktemp -d)
chmod 755 "$work"

scripts/install.sh --release
scripts/cluster.sh start bench-live "$PORT" "-c shared_buffers=1GB -c work_mem=64MB -c max_connections=100 -c max_wal_size=8GB"
trap 'scripts/cluster.sh stop bench-live; rm -rf "$work"' EXIT
psql() { PGOPTIONS="-c client_min_messages=warning" "$BIN/psql" -X -q -h "$HOST" -p "$PORT" -U postgres -v ON_ERROR_STOP=1 "$@"; }
psql -c "DROP DATABASE IF EXISTS nps_live_bench" -c "CREATE DATABASE nps_live_bench" \
     -c "ALTER DATABASE nps_live_bench SET TimeZone = 'UTC'"
psql -d nps_live_bench -c "CREATE EXTENSION nps_ext"
echo "== PostgreSQL $("$PG_CONFIG" --version | cut -d' ' -f2) (server defaults but for memory; jit $(psql -At -c "SELECT current_setting('jit') || CASE WHEN pg_jit_available() THEN ', available' ELSE ', not available' END")), $CLIENTS clients, $(nproc) cores, load average now: $(cut -d' ' -f1-3 /proc/loadavg)"

# pgbench_tps SCRIPT SECONDS [PGOPTIONS [PGBENCH-OPTIONS...]]: transactions per second of $CLIENTS clients
pgbench_tps() {
  PGOPTIONS="${3:-}" "$BIN/pgbench" -n -h "$HOST" -p "$PORT" -U postgres -c "$CLIENTS" -j 2 -T "$2" "${@:4}" \
    -f "$1" nps_live_bench > "$work/last.out" 2>&1 || { cat "$work/last.out" >&2; exit 1; }
  sed -nE 's/^tps = ([0-9.]+).*/\1/p' "$work/last.out"
}
# sample SECONDS: every 2 s, the sessions waiting on a heavyweight lock (the lock's relation and
# kind, as "relation:wait_event") and the live summary's pending rows; prints "waits_on_live
# all_lock_waits max_pending", and the waits seen, by kind, into $work/waits
sample() {
  local pending=0 p
  : > "$work/waits.now"
  for _ in $(seq $(( $1 / 2 ))); do
    sleep 2
    psql -d nps_live_bench -At -c "SELECT coalesce(l.relation::regclass::text, l.locktype) || ':' || a.wait_event
                                    FROM pg_stat_activity a JOIN pg_locks l ON l.pid = a.pid AND NOT l.granted
                                    WHERE a.wait_event_type = 'Lock'" >> "$work/waits.now"
    p=$(psql -d nps_live_bench -At -c "SELECT count(*) FROM live_nps_live_delta")
    [ "$p" -gt "$pending" ] && pending=$p
  done
  sort "$work/waits.now" | uniq -c | awk '{ printf "%s%s x%s", sep, $2, $1; sep = ", " }' >> "$work/waits"
  echo >> "$work/waits"
  echo "$(grep -c '^live_nps_live' "$work/waits.now") $(grep -c . "$work/waits.now") $pending"
}

psql -d nps_live_bench <<'SQL'
CREATE TABLE plain (id bigserial PRIMARY KEY, segment int, answered_at timestamptz NOT NULL DEFAULT now(), score smallint);
CREATE TABLE live (LIKE plain INCLUDING ALL);
CREATE TABLE ceiling (LIKE plain INCLUDING ALL);
CREATE TABLE live2 (LIKE plain INCLUDING ALL);
CREATE FUNCTION nothing() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NULL; END$$;
CREATE TRIGGER nothing AFTER INSERT ON ceiling REFERENCING NEW TABLE AS n FOR EACH STATEMENT EXECUTE FUNCTION nothing();
SELECT nps_live_summary('live', 'score', 'answered_at', '1 day', '{segment}') \g /dev/null
SELECT nps_live_summary('live2', 'score', 'answered_at', '1 day', '{segment}') \g /dev/null
SELECT nps_live_summary('live2', 'score', 'answered_at', '1 month', '{segment}', target => 'live2_monthly') \g /dev/null
SQL
# $1 = rows per statement, $2 = the time of an answer: one script per table
write_scripts() {
  local rows=$1 at=$2
  for t in plain live ceiling live2; do
    if [ "$rows" = 1 ]; then
      printf '\\set segment random(0, 49)\n\\set score random(0, 10)\nINSERT INTO %s (segment, answered_at, score) VALUES (:segment, %s, :score);\n' \
        "$t" "$at" > "$work/$t.sql"
    else
      printf 'INSERT INTO %s (segment, answered_at, score)\nSELECT floor(random() * 50)::int, %s, floor(random() * 11)::int FROM generate_series(1, %s);\n' \
        "$t" "$at" "$rows" > "$work/$t.sql"
    fi
  done
}

if [[ " $PARTS " == *" inserts "* ]]; then
echo "== 1. inserts: $CLIENTS clients, ${SECONDS_PER_RUN} s per run; rows per second of plain, live and ceiling"
printf '%-41s %-6s %-5s %12s %12s %12s %6s %6s %6s %6s %7s\n' scenario commit round plain live ceiling live/p ceil/p waits locks pending
for sync in $SYNC; do
  IFS=, read -r -a scenarios <<< "$SCENARIOS"
  for scenario in "${scenarios[@]}"; do
    read -r rows when <<< "$scenario"
    if [ "$when" = today ]; then at="now()"; else at="timestamptz '2023-01-01' + random() * interval '3 years'"; fi
    write_scripts "$rows" "$at"
    label="$rows-row statements, answers $( [ "$when" = today ] && echo "of today" || echo "over 3 years")"
    for round in $(seq "$ROUNDS"); do
      case $((round % 3)) in 1) order="plain live ceiling" ;; 2) order="live ceiling plain" ;; *) order="ceiling plain live" ;; esac
      declare -A tps=()
      for t in $order; do
        psql -d nps_live_bench -c "TRUNCATE $t" -c "CHECKPOINT"
        deadlocks=$(psql -d nps_live_bench -At -c "SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()")
        if [ $t = live ]; then
          sample "$SECONDS_PER_RUN" > "$work/sample" &
          sampler=$!
        fi
        tps[$t]=$(pgbench_tps "$work/$t.sql" "$SECONDS_PER_RUN" "-c synchronous_commit=$sync")
        failures=$(sed -nE 's/^number of failed transactions: ([0-9]+).*/\1/p' "$work/last.out" | grep . || echo 0)
        [ "$failures" = 0 ] || { echo "FAILED: $failures failed transactions in $t" >&2; exit 1; }
        if [ $t = live ]; then
          wait $sampler
          read -r waits locks pending < "$work/sample"
          sleep 1
          [ "$(psql -d nps_live_bench -At -c "SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()")" = "$deadlocks" ] \
            || { echo "FAILED: deadlocks" >&2; exit 1; }
        fi
      done
      awk -v label="$label" -v sync="$sync" -v round="$round" -v rows="$rows" -v plain="${tps[plain]}" -v live="${tps[live]}" \
          -v ceiling="${tps[ceiling]}" -v waits="$waits" -v locks="$locks" -v pending="$pending" \
        'BEGIN { printf "%-41s %-6s %-5s %12.0f %12.0f %12.0f %6.2f %6.2f %6d %6d %7d\n", label, sync, round, plain * rows, live * rows,
                 ceiling * rows, live / plain, ceiling / plain, waits, locks, pending }' | tee -a "$work/inserts.txt"
    done
  done
done
python3 - "$work/inserts.txt" <<'PY'
import sys, statistics, collections
runs = collections.defaultdict(list)
for line in open(sys.argv[1]):
    p = line.split()
    runs[(" ".join(p[:-10]), p[-10])].append((float(p[-5]), float(p[-4]), int(p[-3]), int(p[-2]), int(p[-1])))
print("   median live / plain rows per second (range over rounds); the ceiling likewise; sessions seen waiting on a")
print("   heavyweight lock on the live summary's relations (and on any lock); most pending rows:")
for (label, sync), r in runs.items():
    live, ceil = [x[0] for x in r], [x[1] for x in r]
    print(f"   {label:<41} synchronous_commit={sync:<4} live {statistics.median(live):4.2f} ({min(live):.2f} .. {max(live):.2f})"
          f"   ceiling {statistics.median(ceil):4.2f} ({min(ceil):.2f} .. {max(ceil):.2f})   lock waits {sum(x[2] for x in r)}"
          f" ({sum(x[3] for x in r)})   pending at most {max(x[4] for x in r)}")
PY
echo "   lock waits seen, by relation and kind (live runs with any: $(grep -c . "$work/waits" || true)):"
grep . "$work/waits" | sed 's/^/     /' || true
psql -d nps_live_bench -At -c "SELECT 'check: live summary equals its recomputation: ' || (SELECT count(*) = 0 FROM nps_live_summary_check('live'))"
fi

if [[ " $PARTS " == *" storage "* ]]; then
echo "== 2. storage: 100-row statements of today's answers for $STORAGE_MINUTES minutes, synchronous_commit off"
write_scripts 100 "now()"
# the other tables' rows go: ten minutes of answers at full speed take some 30 GB of disk
psql -d nps_live_bench -c "TRUNCATE live, plain, ceiling" -c "VACUUM live_nps_live_delta" -c "VACUUM live_nps_live_data"
size() {
  psql -d nps_live_bench -At -F' ' -c "SELECT pg_total_relation_size('live_nps_live_data') + pg_total_relation_size('live_nps_live_delta'),
                                              (SELECT count(*) FROM live_nps_live_delta), (SELECT count(*) FROM live_nps_live_data)"
}
( pgbench_tps "$work/live.sql" $((STORAGE_MINUTES * 60)) "-c synchronous_commit=off" > "$work/storage_tps" ) &
writers=$!
sleep 120
read -r at2 pending2 keys2 <<< "$(size)"
wait $writers
read -r at_end pending_end keys_end <<< "$(size)"
echo "   at 2 minutes: $(numfmt --to=iec "$at2") (pending rows $pending2, keys $keys2); at $STORAGE_MINUTES: $(numfmt --to=iec "$at_end") (pending rows $pending_end, keys $keys_end);" \
     "ratio $(awk -v a="$at_end" -v b="$at2" 'BEGIN { printf "%.2f", a / b }'); $(cat "$work/storage_tps") statements per second"
psql -d nps_live_bench -At -c "SELECT '   live summary equals its recomputation: ' || (SELECT count(*) = 0 FROM nps_live_summary_check('live'))"
fi

if [[ " $PARTS " == *" dashboard "* ]]; then
echo "== 3. the dashboard: $RAW_ANSWERS raw answers over 3 years x 50 segments, and their live summary"
start=$(date +%s)
psql -d nps_live_bench <<SQL
DROP TABLE IF EXISTS answers CASCADE;
CREATE TABLE answers AS
SELECT g AS id, (g % 50)::int AS segment,
       timestamptz '2023-01-01 00:00+00' + (abs(hashint8(g)) % (1096 * 86400)) * interval '1 second' AS answered_at,
       CASE WHEN g % 97 = 0 THEN NULL ELSE (abs(hashint8(-g)) % 11)::smallint END AS score
FROM generate_series(1, $RAW_ANSWERS) g;
CREATE INDEX ON answers (answered_at);
VACUUM ANALYZE answers;
SQL
echo "   raw answers loaded in $(( $(date +%s) - start )) s"
start=$(date +%s)
psql -d nps_live_bench -c "SELECT nps_live_summary('answers', 'score', 'answered_at', '1 day', '{segment}')" \
     -c "VACUUM ANALYZE answers_nps_live_data" >/dev/null
echo "   nps_live_summary() filled the live summary in $(( $(date +%s) - start )) s"
psql -d nps_live_bench -At -c "SELECT '   live summary: ' || count(*) || ' keys, ' || pg_size_pretty(pg_total_relation_size('answers_nps_live_data')) FROM answers_nps_live_data"

# The same report from either source: 12 months by segment, margins, change from the month before.
dashboard() {  # $1 = the monthly summaries
  cat <<SQL
WITH monthly AS ($1)
SELECT segment, month, nps_responses(s) AS responses, round(nps(s), 1) AS nps, round(nps_margin(s)::numeric, 1) AS margin,
       round((nps_test(s, lag(s) OVER w)).difference::numeric, 1) AS change,
       round((nps_test(s, lag(s) OVER w)).p_value::numeric, 3) AS p_value
FROM monthly WINDOW w AS (PARTITION BY segment ORDER BY month);
SQL
}
dashboard "SELECT date_trunc('month', bucket) AS month, segment, rollup(summary) AS s FROM answers_nps_live
           WHERE bucket >= '2025-01-01' AND bucket < '2026-01-01' GROUP BY 1, 2" > "$work/live_dashboard.sql"
dashboard "SELECT date_trunc('month', answered_at) AS month, segment, nps_agg(score) AS s FROM answers
           WHERE answered_at >= '2025-01-01' AND answered_at < '2026-01-01' GROUP BY 1, 2" > "$work/raw_dashboard.sql"
# same_rows A B: whether the queries of two scripts return the same rows
same_rows() {
  psql -d nps_live_bench -At -c "SELECT (SELECT md5(string_agg(x::text, ';' ORDER BY x::text)) FROM ($(sed 's/;$//' "$1")) x)
                                      = (SELECT md5(string_agg(x::text, ';' ORDER BY x::text)) FROM ($(sed 's/;$//' "$2")) x)"
}
echo "   both queries return the same 600 rows: $(same_rows "$work/live_dashboard.sql" "$work/raw_dashboard.sql")"
# writers adding answers while dashboards read them, WRITE_RATE in all, 20 a statement: answers
# arriving now (the last day of the dashboard's year), and a backfill spread over its year
writer() {  # $1 = the answers' time
  printf 'INSERT INTO answers (id, segment, answered_at, score)\nSELECT 0, floor(random() * 50)::int, %s, floor(random() * 11)::int FROM generate_series(1, 20);\n' "$1"
}
writer "timestamptz '2025-12-31' + random() * interval '1 day'" > "$work/writer_today.sql"
writer "timestamptz '2025-01-01' + random() * interval '1 year'" > "$work/writer_spread.sql"

# latencies SCRIPT CLIENTS pgbench-options...: p50 / p95 / p99 in ms from pgbench's per-transaction log
latencies() {
  local script=$1 clients=$2; shift 2
  rm -f "$work"/pgbench_log.*
  (cd "$work" && "$BIN/pgbench" -n -h "$HOST" -p "$PORT" -U postgres -c "$clients" -j 2 --log --log-prefix=pgbench_log \
     -f "$script" "$@" nps_live_bench > "$work/last.out" 2>&1) || { cat "$work/last.out" >&2; exit 1; }
  # with --rate, a query's time counts from when it was due: latency plus schedule lag
  cat "$work"/pgbench_log.* | python3 -c '
import sys
rows = [line.split() for line in sys.stdin]
lat = sorted((int(r[2]) + (int(r[6]) if len(r) > 6 else 0)) / 1000 for r in rows)
pick = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))]
print(f"{len(lat):6d} queries  p50 {pick(0.50):9.2f} ms  p95 {pick(0.95):9.2f} ms  p99 {pick(0.99):9.2f} ms")'
}
printf '   %-66s %s\n' "live view, 1 client, ${SECONDS_PER_RUN} s:" "$(latencies "$work/live_dashboard.sql" 1 -T "$SECONDS_PER_RUN")"
for rate in $DASHBOARD_RATES; do
  printf '   %-66s %s\n' "live view, $CLIENTS clients, $rate queries/s in all:" \
    "$(latencies "$work/live_dashboard.sql" "$CLIENTS" -T "$SECONDS_PER_RUN" --rate "$rate")"
done
last_rate=${DASHBOARD_RATES##* }
# under_writers SCRIPT LABEL: the dashboard at the last rate while the writers add answers of
# today, then while they add answers spread over the year
under_writers() {
  for writes in "today:answers of today" "spread:answers spread over 2025"; do
    ( PGOPTIONS="-c synchronous_commit=off" "$BIN/pgbench" -n -h "$HOST" -p "$PORT" -U postgres -c 8 -j 1 -T "$SECONDS_PER_RUN" \
        --rate $((WRITE_RATE / 20)) -f "$work/writer_${writes%%:*}.sql" nps_live_bench > "$work/writers.out" 2>&1 ) &
    writers=$!
    printf '   %-66s %s\n' "$2, $CLIENTS clients, $last_rate queries/s, writers adding ${writes#*:}:" \
      "$(latencies "$1" "$CLIENTS" -T "$SECONDS_PER_RUN" --rate "$last_rate")"
    wait $writers
    echo "   (the writers added $(sed -nE 's/^number of transactions actually processed: ([0-9]+).*/\1/p' "$work/writers.out") statements of 20 answers, $WRITE_RATE answers/s)"
  done
}
under_writers "$work/live_dashboard.sql" "live view"
psql -d nps_live_bench -At -c "SELECT '   live summary equals its recomputation: ' || (SELECT count(*) = 0 FROM nps_live_summary_check('answers'))"
printf '   %-66s %s\n' "raw answers, 1 client, 3 queries:" "$(latencies "$work/raw_dashboard.sql" 1 -t 3)"

# months beside days: a second live summary, whose rows are the dashboard's months
start=$(date +%s)
psql -d nps_live_bench -c "SELECT nps_live_summary('answers', 'score', 'answered_at', '1 month', '{segment}', target => 'answers_monthly')" \
     -c "VACUUM ANALYZE answers_monthly_data" >/dev/null
echo "   a live summary of months beside it: filled in $(( $(date +%s) - start )) s, $(psql -d nps_live_bench -At -c "SELECT count(*) || ' keys, ' || pg_size_pretty(pg_total_relation_size('answers_monthly_data')) FROM answers_monthly_data")"
dashboard "SELECT bucket AS month, segment, summary AS s FROM answers_monthly
           WHERE bucket >= '2025-01-01' AND bucket < '2026-01-01'" > "$work/monthly_dashboard.sql"
echo "   the months' dashboard returns the same 600 rows: $(same_rows "$work/monthly_dashboard.sql" "$work/raw_dashboard.sql")"
printf '   %-66s %s\n' "months' live view, 1 client, ${SECONDS_PER_RUN} s:" "$(latencies "$work/monthly_dashboard.sql" 1 -T "$SECONDS_PER_RUN")"
printf '   %-66s %s\n' "months' live view, $CLIENTS clients, $last_rate queries/s in all:" \
  "$(latencies "$work/monthly_dashboard.sql" "$CLIENTS" -T "$SECONDS_PER_RUN" --rate "$last_rate")"
under_writers "$work/monthly_dashboard.sql" "months' live view"
psql -d nps_live_bench -At -c "SELECT '   both live summaries equal their recomputations: ' || ((SELECT count(*) = 0 FROM nps_live_summary_check('answers_nps_live'))
                                                   AND (SELECT count(*) = 0 FROM nps_live_summary_check('answers_monthly')))"
fi
if [[ " $PARTS " == *" connections "* ]]; then
echo "== 4. a connection per write: $CONNECTING_CLIENTS clients connecting for each single-row insert of today's answers, ${SECONDS_PER_RUN} s per run, synchronous_commit off"
write_scripts 1 "now()"
for round in $(seq "$ROUNDS"); do
  case $((round % 3)) in 1) order="plain live ceiling" ;; 2) order="live ceiling plain" ;; *) order="ceiling plain live" ;; esac
  declare -A tps=()
  for t in $order; do
    psql -d nps_live_bench -c "TRUNCATE $t" -c "CHECKPOINT"
    tps[$t]=$(CLIENTS=$CONNECTING_CLIENTS pgbench_tps "$work/$t.sql" "$SECONDS_PER_RUN" "-c synchronous_commit=off" -C)
    [ $t = live ] && pending=$(psql -d nps_live_bench -At -c "SELECT count(*) FROM live_nps_live_delta")
  done
  awk -v round="$round" -v plain="${tps[plain]}" -v live="${tps[live]}" -v ceiling="${tps[ceiling]}" -v pending="$pending" \
    'BEGIN { printf "   round %s: rows per second plain %.0f, live %.0f, ceiling %.0f; live/plain %.2f, ceiling/plain %.2f; pending rows after live: %d\n",
             round, plain, live, ceiling, live / plain, ceiling / plain, pending }' | tee -a "$work/connections.txt"
done
python3 - "$work/connections.txt" <<'PY'
import sys, re, statistics
rows = [re.search(r"live/plain ([0-9.]+), ceiling/plain ([0-9.]+)", l).groups() for l in open(sys.argv[1])]
live, ceil = [float(r[0]) for r in rows], [float(r[1]) for r in rows]
print(f"   median live / plain {statistics.median(live):.2f} ({min(live):.2f} .. {max(live):.2f}), "
      f"ceiling {statistics.median(ceil):.2f} ({min(ceil):.2f} .. {max(ceil):.2f})")
PY
psql -d nps_live_bench -At -c "SELECT '   live summary equals its recomputation: ' || (SELECT count(*) = 0 FROM nps_live_summary_check('live'))"
fi
if [[ " $PARTS " == *" several "* ]]; then
echo "== 5. a second live summary: $CLIENTS clients, ${SECONDS_PER_RUN} s per run, synchronous_commit off; rows per second of plain, live (days) and live2 (days and months)"
for rows in 1 100; do
  write_scripts "$rows" "now()"
  for round in $(seq "$ROUNDS"); do
    case $((round % 3)) in 1) order="plain live live2" ;; 2) order="live live2 plain" ;; *) order="live2 plain live" ;; esac
    declare -A tps=()
    for t in $order; do
      psql -d nps_live_bench -c "TRUNCATE $t" -c "CHECKPOINT"
      tps[$t]=$(pgbench_tps "$work/$t.sql" "$SECONDS_PER_RUN" "-c synchronous_commit=off")
    done
    awk -v rows="$rows" -v round="$round" -v plain="${tps[plain]}" -v live="${tps[live]}" -v live2="${tps[live2]}" \
      'BEGIN { printf "   %4d-row statements, round %s: rows per second plain %.0f, live %.0f, live2 %.0f; live/plain %.2f, live2/plain %.2f\n",
               rows, round, plain * rows, live * rows, live2 * rows, live / plain, live2 / plain }' | tee -a "$work/several.txt"
  done
done
python3 - "$work/several.txt" <<'PY'
import sys, re, statistics, collections
runs = collections.defaultdict(list)
for l in open(sys.argv[1]):
    m = re.search(r"(\d+)-row statements.*live/plain ([0-9.]+), live2/plain ([0-9.]+)", l)
    runs[m.group(1)].append((float(m.group(2)), float(m.group(3))))
for rows, r in runs.items():
    one, two = [x[0] for x in r], [x[1] for x in r]
    print(f"   {rows:>4}-row statements: median live / plain {statistics.median(one):.2f} ({min(one):.2f} .. {max(one):.2f}), "
          f"live2 / plain {statistics.median(two):.2f} ({min(two):.2f} .. {max(two):.2f})")
PY
psql -d nps_live_bench -At -c "SELECT '   live2''s two live summaries equal their recomputations: ' || ((SELECT count(*) = 0 FROM nps_live_summary_check('live2_nps_live'))
                                                   AND (SELECT count(*) = 0 FROM nps_live_summary_check('live2_monthly')))"
fi
echo "== load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
