#!/usr/bin/env bash
# NPS by plan over 2 shards x ROWS answers (docs/scale-out.md), measured in one run on three local
# clusters (scripts/shards.sh): the recipe (nps_agg per shard pushed down, rollup on the
# coordinator) against the plain query that pulls every answer to the coordinator, and against
# one server holding all 2 x ROWS answers (serial, and with 2 parallel workers). The queries run
# round-robin, RUNS times each, so a busy machine slows them alike; it prints each one's median
# with its range and the ratios of medians (lower is better), and checks that all four agree.
#   bench/shards.sh [ROWS]     default 1,000,000 answers per shard; RUNS (default 7);
#                              NPS_PG_MAJOR (default 15, Debian's; others from the fetched trees)
#                              ports NPS_BENCH_PORT + 1..3 (default 28818..28820)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
NPS_PG_MAJORS=${NPS_PG_MAJOR:-15} source scripts/setup.sh
ROWS=${1:-1000000}
RUNS=${RUNS:-7}
PORT=$((${NPS_BENCH_PORT:-28817} + 1))
PG_CONFIG=$(pg_config_for "${NPS_PG_MAJOR:-15}")
export PG_CONFIG

scripts/install.sh --release
# one core per node and query (no parallel workers), except where the query says otherwise
scripts/shards.sh start bench-shards "$PORT" \
  "-c shared_buffers=512MB -c work_mem=64MB -c jit=off -c max_parallel_workers_per_gather=0"
trap 'scripts/shards.sh stop bench-shards' EXIT
node() {  # node NAME PORT_OFFSET [psql args]
  PGOPTIONS="-c client_min_messages=warning" scripts/cluster.sh psql "bench-shards-$1" $((PORT + $2)) \
    -d nps_shards -v ON_ERROR_STOP=1 -q "${@:3}"
}

echo "== loading 2 x $ROWS answers into the shards, and all of them into one table on the coordinator"
# the answers of shard S: regions eu/apac on shard 1, us on shard 2; scores differ by plan
GENERATE="SELECT CASE WHEN :shard = 2 THEN 'us' WHEN g % 2 = 0 THEN 'eu' ELSE 'apac' END AS region,
       (ARRAY['free', 'starter', 'pro', 'enterprise'])[1 + g % 4] AS plan, date '2025-11-01' + g % 365 AS day,
       CASE WHEN g % 50 = 0 THEN NULL ELSE least(10, abs(hashint4(g + 1000000 * :shard)) % 11 + g % 4 / 2) END::smallint AS score,
       0.5 + (g % 4) * 0.25 AS weight
FROM generate_series(1, $ROWS) g"
loads=()
for shard in 1 2; do
  node shard$shard $shard -c "INSERT INTO answers ${GENERATE//:shard/$shard}" -c "VACUUM ANALYZE answers" &
  loads+=($!)
done
node coordinator 0 -c "CREATE TABLE one_server AS ${GENERATE//:shard/1}" &
loads+=($!)
for load in "${loads[@]}"; do wait "$load"; done
node coordinator 0 -c "INSERT INTO one_server ${GENERATE//:shard/2}" -c "VACUUM ANALYZE one_server" -c "ANALYZE answers"

# name|settings|query
QUERIES=(
  "pushed_down|SET enable_partitionwise_aggregate = on; SET max_parallel_workers_per_gather = 0|SELECT plan, nps(rollup(s)) FROM (SELECT region, plan, nps_agg(score) AS s FROM answers GROUP BY region, plan) per_shard GROUP BY plan"
  "raw_rows|SET enable_partitionwise_aggregate = off; SET max_parallel_workers_per_gather = 0|SELECT plan, nps(score) FROM answers GROUP BY plan"
  "one_server|SET max_parallel_workers_per_gather = 0|SELECT plan, nps(score) FROM one_server GROUP BY plan"
  "one_server_2w|SET max_parallel_workers_per_gather = 2; SET min_parallel_table_scan_size = 0|SELECT plan, nps(score) FROM one_server GROUP BY plan"
)
sql="CREATE TEMP TABLE timings (run int, what text, ms float8);"
same="SELECT count(DISTINCT r) FROM ("
for q in "${QUERIES[@]}"; do
  IFS='|' read -r what settings query <<< "$q"
  sql+="CREATE FUNCTION pg_temp.run_$what() RETURNS float8 LANGUAGE plpgsql AS \$f\$
DECLARE t0 timestamptz;
BEGIN $settings; t0 := clock_timestamp(); EXECUTE \$q\$$query\$q\$;
RETURN extract(epoch FROM clock_timestamp() - t0) * 1000; END \$f\$;"
  same+="SELECT string_agg(plan || '=' || nps, ',' ORDER BY plan) AS r FROM ($query) q UNION ALL "
done
sql+="DO \$\$ BEGIN FOR i IN 0..$RUNS LOOP"  # run 0: warm-up, not kept
for q in "${QUERIES[@]}"; do
  what=${q%%|*}
  sql+=" INSERT INTO timings VALUES (i, '$what', pg_temp.run_$what());"
done
sql+=" END LOOP; END \$\$;
SELECT what, percentile_cont(0.5) WITHIN GROUP (ORDER BY ms), min(ms), max(ms) FROM timings WHERE run > 0 GROUP BY what;"

echo "== NPS by plan, $RUNS runs each, round-robin (PostgreSQL $("$PG_CONFIG" --version | cut -d' ' -f2), load: $(cut -d' ' -f1-3 /proc/loadavg))"
node coordinator 0 -At -F ' ' -c "SET enable_partitionwise_aggregate = on" \
  -c "$sql" > /tmp/nps_bench_shards_$$.txt
agree=$(node coordinator 0 -At -c "SET enable_partitionwise_aggregate = on" -c "${same% UNION ALL }) all_results")
python3 - /tmp/nps_bench_shards_$$.txt "$agree" <<'PY'
import sys
rows = {w: tuple(map(float, v)) for w, *v in (line.split() for line in open(sys.argv[1]) if line.strip())}
for w, (median, lo, hi) in rows.items():
    print(f"   {w:<14} {median:9.1f} ms   (runs {lo:.1f} .. {hi:.1f})")
m = {w: v[0] for w, v in rows.items()}
print(f"   pushed_down/raw_rows        {m['pushed_down'] / m['raw_rows']:6.2f}")
print(f"   pushed_down/one_server      {m['pushed_down'] / m['one_server']:6.2f}")
print(f"   pushed_down/one_server_2w   {m['pushed_down'] / m['one_server_2w']:6.2f}")
print(f"   raw_rows/one_server         {m['raw_rows'] / m['one_server']:6.2f}")
print(f"   same result from all four: {'yes' if sys.argv[2] == '1' else 'NO'}")
PY
rm -f /tmp/nps_bench_shards_$$.txt
