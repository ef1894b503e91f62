#!/usr/bin/env bash
# Memory: peak backend memory (VmHWM of the backend, read by the backend itself from
# /proc/self/status right after the query, in the same session; serial plans) on a throwaway
# cluster (.pg/memory):
#   1. nps(score) over ROWS answers against count(score) over the same rows (target: within 10%);
#   2. GROUPS groups with work_mem = 1MB: the hash aggregate spills to disk (EXPLAIN ANALYZE
#      shows its batches and disk use) and gives results identical to enable_hashagg = off, for
#      nps, nps_agg and the weighted forms;
#   3. rollup over SUMMARIES stored summaries in one group (unweighted and weighted): flat, i.e.
#      within 10% of count() over the same rows, and the same for a tenth of them.
#   bench/memory.sh [ROWS] [GROUPS] [SUMMARIES]   defaults 50000000 1000000 10000000
# Environment: PG_CONFIG (default: the fetched 17), NPS_BENCH_PORT (+1 is used),
# NPS_SKIP_INSTALL=1 to use the library already installed. Prints "memory: N passed, M failed".
# The full run needs about 5 GB of disk and several minutes; run it on a quiet machine.
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
ROWS=${1:-50000000}
NGROUPS=${2:-1000000}
SUMMARIES=${3:-10000000}
NPS_ONE_MAJOR=17
source scripts/setup.sh
set +e
PORT=$((${NPS_BENCH_PORT:-28817} + 1))
[ "${NPS_SKIP_INSTALL:-}" = 1 ] || scripts/install.sh --release || exit 1
DIR="$(scripts/state_dir.sh)/memory"
scripts/cluster.sh stop memory
rm -rf "$DIR"
scripts/cluster.sh start memory "$PORT" "-c jit=off -c max_parallel_workers_per_gather=0 -c shared_buffers=128MB" || exit 1
trap 'scripts/cluster.sh stop memory' EXIT
psql() { PGOPTIONS="-c client_min_messages=warning" scripts/cluster.sh psql memory "$PORT" -v ON_ERROR_STOP=1 -q "$@"; }
psql -c "CREATE DATABASE mem" && psql -d mem -c "CREATE EXTENSION nps_ext" || exit 1

passed=0 failed=0
check() { if [ "$2" = ok ]; then passed=$((passed + 1)); echo "ok: $1"; else failed=$((failed + 1)); echo "FAILED: $1"; fi; }
# peak KB of a fresh backend that runs SETTINGS then QUERY (its result is discarded); every
# backend loads the library first, so its fixed size is in every figure alike
peak_kb() {
  psql -d mem -At -c "SELECT nps_responses('v1:0,0,0,0,0,0,0,0,0,0,0')" -o /dev/null -c "$1" -c "$2" -c "\\o" \
    -c "SELECT substring(pg_read_file('/proc/self/status') FROM 'VmHWM:\\s*(\\d+)')"
}
within() {  # within A B PERCENT: |A - B| <= PERCENT% of B
  python3 -c "import sys; a, b, p = map(float, sys.argv[1:]); sys.exit(0 if abs(a - b) <= p / 100 * b else 1)" "$@"
}

echo "== 1. nps(score) vs count(score) over $ROWS answers"
psql -d mem -c "CREATE TABLE answers AS SELECT CASE WHEN g % 50 = 0 THEN NULL ELSE (g * 7) % 11 END::smallint AS score
                FROM generate_series(1, $ROWS) g" -c "VACUUM ANALYZE answers"
for q in "SELECT count(score) FROM answers" "SELECT nps(score) FROM answers" "SELECT nps_agg(score) FROM answers"; do
  peak_kb "SET work_mem = '4MB'" "$q" > "$DIR/kb"; kb=$(cat "$DIR/kb")
  printf '   %-45s VmHWM %8s kB\n' "$q" "$kb"
  case "$q" in *count*) count_kb=$kb ;; *"nps(score)"*) nps_kb=$kb ;; *) agg_kb=$kb ;; esac
done
within "$nps_kb" "$count_kb" 10 && check "nps(score) peak within 10% of count(score) ($nps_kb vs $count_kb kB)" ok \
  || check "nps(score) peak $nps_kb kB vs count(score) $count_kb kB" no
within "$agg_kb" "$count_kb" 10 && check "nps_agg(score) peak within 10% of count(score) ($agg_kb kB)" ok \
  || check "nps_agg(score) peak $agg_kb kB vs count(score) $count_kb kB" no
psql -d mem -c "DROP TABLE answers"

echo "== 2. $NGROUPS groups at work_mem = 1MB: spilling hash aggregate vs sort"
psql -d mem -c "CREATE TABLE grouped AS SELECT (g::bigint * 7919) % $NGROUPS AS grp,
                  CASE WHEN g % 31 = 0 THEN NULL ELSE (g * 13 + g / $NGROUPS) % 11 END AS score,
                  CASE WHEN g % 37 = 0 THEN NULL ELSE 0.25 + (g % 7) * 0.5 END AS w
                FROM generate_series(1, 5 * $NGROUPS) g" -c "VACUUM ANALYZE grouped"
Q="SELECT grp, nps(score) AS n, nps_agg(score) AS a, nps(score, w) AS nw, nps_agg(score, w) AS aw FROM grouped GROUP BY grp"
psql -d mem -At -c "SET work_mem = '1MB'" -c "SET enable_sort = off" \
  -c "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) $Q" > "$DIR/plan"
grep -E 'HashAggregate|Batches|Disk' "$DIR/plan" | sed 's/^/   /'
grep -q 'HashAggregate' "$DIR/plan" && grep -q 'Disk Usage' "$DIR/plan" && check "the hash aggregate spilled to disk" ok \
  || check "the hash aggregate did not spill" no
hash_kb=$(peak_kb "SET work_mem = '1MB'; SET enable_sort = off" "CREATE TABLE hashed AS $Q")
sort_kb=$(peak_kb "SET work_mem = '1MB'; SET enable_hashagg = off" "CREATE TABLE sorted AS $Q")
echo "   peak: hash aggregate $hash_kb kB, sort $sort_kb kB"
read -r groups identical < <(psql -d mem -At -F ' ' -c "
  SELECT count(*), count(*) FILTER (WHERE h.n IS NOT DISTINCT FROM s.n AND h.a = s.a
                                      AND h.nw IS NOT DISTINCT FROM s.nw AND h.aw = s.aw)
  FROM hashed h FULL JOIN sorted s USING (grp)")
[ "$groups" = "$NGROUPS" ] && [ "$identical" = "$NGROUPS" ] && check "$identical of $groups groups identical (nps, nps_agg, weighted)" ok \
  || check "only $identical of $groups groups identical" no
psql -d mem -c "DROP TABLE grouped, hashed, sorted"

echo "== 3. rollup over $SUMMARIES stored summaries in one group"
psql -d mem -c "CREATE TABLE stored AS
  SELECT format('v1:%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s', c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8], c[9], c[10], c[11])::nps_summary AS s,
         format('v1:%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s;weights=%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s;squares=%s',
                c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8], c[9], c[10], c[11],
                c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8], c[9], c[10], c[11], c[12])::nps_summary AS w
  FROM (SELECT ARRAY[g % 3, g % 2, g % 5, g % 4, g % 3, g % 7, g % 6, g % 9, g % 11, g % 13, g % 8,
                     g % 3 + g % 2 + g % 5 + g % 4 + g % 3 + g % 7 + g % 6 + g % 9 + g % 11 + g % 13 + g % 8] AS c
        FROM generate_series(1, $SUMMARIES) g) x" -c "VACUUM ANALYZE stored"
tenth=$((SUMMARIES / 10))
for q in "SELECT count(s) FROM stored" "SELECT rollup(s) FROM stored" "SELECT rollup(w) FROM stored" \
         "SELECT count(s) FROM (SELECT s FROM stored LIMIT $tenth) t" "SELECT rollup(s) FROM (SELECT s FROM stored LIMIT $tenth) t"; do
  kb=$(peak_kb "SET work_mem = '4MB'" "$q")
  printf '   %-60s VmHWM %8s kB\n' "$q" "$kb"
  case "$q" in
    "SELECT count(s) FROM stored") c_kb=$kb ;; "SELECT rollup(s) FROM stored") r_kb=$kb ;;
    "SELECT rollup(w) FROM stored") w_kb=$kb ;; *count*) c10_kb=$kb ;; *) r10_kb=$kb ;;
  esac
done
within "$r_kb" "$c_kb" 10 && check "rollup(s) over $SUMMARIES within 10% of count ($r_kb vs $c_kb kB)" ok \
  || check "rollup(s) peak $r_kb kB vs count $c_kb kB" no
within "$w_kb" "$c_kb" 10 && check "weighted rollup(w) within 10% of count ($w_kb kB)" ok || check "rollup(w) peak $w_kb kB" no
# flat: what rollup needs beyond count's scan is the same for all rows as for a tenth of them
# (the scan itself touches more shared buffers for more rows, for count alike)
extra=$((r_kb - c_kb)) extra10=$((r10_kb - c10_kb))
within "$((extra + c_kb))" "$((extra10 + c_kb))" 5 && check "rollup flat: $extra kB beyond count over $SUMMARIES, $extra10 kB over $tenth" ok \
  || check "rollup grows: $extra kB beyond count over $SUMMARIES vs $extra10 kB over $tenth" no
rolled=$(psql -d mem -At -c "SELECT nps_responses(rollup(s)) = sum(nps_responses(s)) FROM stored")
[ "$rolled" = t ] && check "rollup counts every stored response" ok || check "rollup lost responses" no
echo "memory: $passed passed, $failed failed"
[ "$failed" = 0 ]
