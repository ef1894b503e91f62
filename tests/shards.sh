#!/usr/bin/env bash
# nps_ext beyond one server, with postgres_fdw (docs/scale-out.md): a coordinator and two shards
# of one major (scripts/shards.sh), answers partitioned by region across the shards, and the same
# answers in one local table on the coordinator (one_server) to compare with. It checks
#   - which queries postgres_fdw pushes down whole (EXPLAIN VERBOSE: the Remote SQL, and no
#     aggregation left on the coordinator), and which it does not;
#   - the recipe for the others (nps_agg per shard, rollup on the coordinator) gives every figure
#     exactly as one server does, and the total equals the hand-written FILTER formula;
#   - every statistic and segment helper works on a shard, where postgres_fdw runs its queries
#     with search_path = pg_catalog, including nps_ci and nps_test in a shard's view (0.1.0
#     fails there, and works after ALTER EXTENSION UPDATE);
#   - what it needs: without the server option extensions 'nps_ext' nothing is pushed down.
# nps_ext must be installed into the major of $PG_CONFIG (scripts/install.sh).
#   tests/shards.sh        (ports NPS_PORT_BASE + 70..72)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
port=$((${NPS_PORT_BASE:-28900} + 70))
major=$("${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}" --version | sed -E 's/^PostgreSQL ([0-9]+).*/\1/')
prefix=shards-test-pg$major
cleanup() { "$ROOT/scripts/shards.sh" stop $prefix; }
trap cleanup EXIT
"$ROOT/scripts/shards.sh" start $prefix $port

node() {  # node NAME PORT_OFFSET [psql args]: psql on a node's nps_shards, unaligned
  PGOPTIONS="-c client_min_messages=warning" "$ROOT/scripts/cluster.sh" psql "$prefix-$1" $((port + $2)) \
    -d "${DB:-nps_shards}" -v ON_ERROR_STOP=1 -q -At "${@:3}"
}
coord() { node coordinator 0 -c "SET enable_partitionwise_aggregate = on" "$@"; }
passed=0 failed=0
check() {  # check NAME EXPECTED ACTUAL
  if [ "$2" = "$3" ] && [ -n "$2" ]; then passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAILED: $1" >&2
    diff <(echo "$2") <(echo "$3") | head -30 >&2 || true
  fi
}
# The Remote SQL postgres_fdw sends for a query (after an optional SET), and how many
# aggregation steps stay on the coordinator.
explain() { coord -c "${2:-SELECT}" -c "EXPLAIN (VERBOSE, COSTS OFF) $1"; }
remote_sql() { explain "$@" | sed -n 's/^ *Remote SQL: //p'; }
local_aggregates() { explain "$@" | grep -cE '^ *(-> +)?(Finalize |Partial )?(Hash|Group|Mixed)?Aggregate' || true; }
twice() { printf '%s\n' "$1" "$1"; }  # the same Remote SQL for both shards
# A query's rows over the sharded answers, and over the one-server table (sorted: the order of
# the shards' rows is not the point).
sharded() { coord -c "$1" | sort; }
one_server() { coord -c "${1//FROM answers/FROM one_server}" | sort; }

# The same 30,000 answers on the shards (inserted through the coordinator, which routes each row
# to its region's shard) and in one table. Scores differ by plan and region; weights are
# multiples of 1/4, so weight sums are exact whatever order they are added in.
node coordinator 0 <<'SQL'
CREATE VIEW generated AS
SELECT (ARRAY['eu', 'apac', 'us'])[1 + g % 3] AS region, (ARRAY['free', 'pro', 'team'])[1 + g / 3 % 3] AS plan,
       date '2026-01-01' + g % 90 AS day,
       CASE WHEN g % 17 = 0 THEN NULL ELSE least(10, (g * 7) % 11 + g / 3 % 3 + g % 3 / 2) END::smallint AS score,
       0.25 * (1 + g % 8) AS weight
FROM generate_series(1, 30000) g;
INSERT INTO answers SELECT * FROM generated;
CREATE TABLE one_server AS SELECT * FROM generated;
ANALYZE answers, one_server;
SQL
check "rows on each shard" "20000 10000" \
  "$(node shard1 1 -c "SELECT count(*) FROM answers") $(node shard2 2 -c "SELECT count(*) FROM answers")"

# 1. Pushed down whole: grouped by the partition key, with partitionwise aggregation, each shard
#    computes its groups' nps and nps_agg and sends back one row per group.
BY_REGION="SELECT region, nps(score), nps_agg(score), nps(score, weight), nps_agg(score, weight) FROM answers GROUP BY region"
check "GROUP BY the partition key: Remote SQL" \
  "$(twice "SELECT region, public.nps(score), public.nps_agg(score), public.nps(score, weight), public.nps_agg(score, weight) FROM public.answers GROUP BY 1")" \
  "$(remote_sql "$BY_REGION")"
check "GROUP BY the partition key: nothing aggregated on the coordinator" 0 "$(local_aggregates "$BY_REGION")"
check "GROUP BY the partition key: identical to one server" "$(one_server "$BY_REGION")" "$(sharded "$BY_REGION")"
check "one shard's foreign table: pushed down whole" "SELECT public.nps(score) FROM public.answers" \
  "$(remote_sql "SELECT nps(score) FROM answers_shard2")"
check "one shard's foreign table: identical to one server" \
  "$(one_server "SELECT nps(score) FROM answers WHERE region = 'us'")" "$(sharded "SELECT nps(score) FROM answers_shard2")"

# 2. Not pushed down: without partitionwise aggregation, over all shards, or grouped by another
#    column, postgres_fdw fetches the raw answers (partial aggregates are never sent to a shard).
check "without enable_partitionwise_aggregate: raw rows" \
  "$(twice "SELECT region, score FROM public.answers")" \
  "$(remote_sql "SELECT region, nps(score) FROM answers GROUP BY region" "SET enable_partitionwise_aggregate = off")"
check "nps over all shards: raw rows" "$(twice "SELECT score FROM public.answers")" \
  "$(remote_sql "SELECT nps(score) FROM answers")"
check "GROUP BY plan (not the partition key): raw rows" "$(twice "SELECT plan, score FROM public.answers")" \
  "$(remote_sql "SELECT plan, nps(score) FROM answers GROUP BY plan")"

# 3. The recipe: nps_agg per shard (grouped by the partition key, so it is pushed down), rollup
#    on the coordinator. Every figure equals one server's.
BY_PLAN_RECIPE="SELECT plan, nps(rollup(s)), rollup(s), nps_responses(rollup(s)), rollup(w), nps(rollup(w)),
       nps_margin(rollup(s)), nps_stderr(rollup(s)), (nps_ci(rollup(s))).low, (nps_ci(rollup(s), 0.9, 'wald')).high,
       nps_margin(rollup(w)), nps_histogram(rollup(s)), nps_sparkline(rollup(s))
FROM (SELECT region, plan, nps_agg(score) AS s, nps_agg(score, weight) AS w FROM answers GROUP BY region, plan) per_shard
GROUP BY plan"
BY_PLAN_ONE="SELECT plan, nps(score), nps_agg(score), nps_responses(nps_agg(score)), nps_agg(score, weight), nps(nps_agg(score, weight)),
       nps_margin(nps_agg(score)), nps_stderr(nps_agg(score)), (nps_ci(nps_agg(score))).low, (nps_ci(nps_agg(score), 0.9, 'wald')).high,
       nps_margin(nps_agg(score, weight)), nps_histogram(nps_agg(score)), nps_sparkline(nps_agg(score))
FROM answers GROUP BY plan"
check "recipe: nps_agg per shard is pushed down" \
  "$(twice "SELECT region, plan, public.nps_agg(score), public.nps_agg(score, weight) FROM public.answers GROUP BY 1, 2")" \
  "$(remote_sql "$BY_PLAN_RECIPE")"
check "recipe: by plan, every figure identical to one server" "$(one_server "$BY_PLAN_ONE")" "$(sharded "$BY_PLAN_RECIPE")"
TOTAL_RECIPE="SELECT nps(s), s, nps_margin(s), (nps_ci(s)).high FROM (SELECT rollup(s) AS s FROM
       (SELECT region, nps_agg(score) AS s FROM answers GROUP BY region) per_shard) total"
TOTAL_UNION="SELECT nps(s), s, nps_margin(s), (nps_ci(s)).high FROM (SELECT rollup(s) AS s FROM
       (SELECT nps_agg(score) AS s FROM answers_shard1 UNION ALL SELECT nps_agg(score) FROM answers_shard2) per_shard) total"
TOTAL_ONE="SELECT nps(s), s, nps_margin(s), (nps_ci(s)).high FROM (SELECT nps_agg(score) AS s FROM answers) total"
check "recipe: total identical to one server" "$(one_server "$TOTAL_ONE")" "$(sharded "$TOTAL_RECIPE")"
check "recipe over the foreign tables (UNION ALL): pushed down" \
  "$(twice "SELECT public.nps_agg(score) FROM public.answers")" "$(remote_sql "$TOTAL_UNION")"
check "recipe over the foreign tables (UNION ALL): identical to one server" "$(one_server "$TOTAL_ONE")" "$(sharded "$TOTAL_UNION")"
# independent of nps_ext: the formula an analyst writes by hand, over the one-server table
check "recipe: total NPS equals 100 * (promoters - detractors) / responses" \
  "$(one_server "SELECT round(100.0 * (count(*) FILTER (WHERE score >= 9) - count(*) FILTER (WHERE score <= 6)) / count(score), 12) FROM answers")" \
  "$(sharded "SELECT round(nps(rollup(s)), 12) FROM (SELECT region, nps_agg(score) AS s FROM answers GROUP BY region) per_shard")"
# Weights that are not multiples of a power of 2 are summed in another order on the shards than
# on one server, as in a parallel query: the sums may differ in their last bits, no more.
DECIMAL_WEIGHTS="SELECT plan, nps(rollup(w)) FROM (SELECT region, plan, nps_agg(score, weight * 0.3::float8) AS w
       FROM answers GROUP BY region, plan) per_shard GROUP BY plan"
check "recipe: weights like 0.3 give the weighted NPS of one server to 1e-9 points" \
  "$(one_server "SELECT plan, round(nps(score, weight * 0.3::float8)::numeric, 9) FROM answers GROUP BY plan")" \
  "$(sharded "SELECT plan, round(nps, 9) FROM ($DECIMAL_WEIGHTS) r")"
# segments and trends on the coordinator, from the summaries the shards sent
SEGMENTS_RECIPE="WITH by_plan AS (SELECT plan, rollup(s) AS s FROM
       (SELECT region, plan, nps_agg(score) AS s FROM answers GROUP BY region, plan) per_shard GROUP BY plan)
SELECT plan, nps_contribution(s, rollup(s) OVER ()), nps_impact(s, rollup(s) OVER ()), nps_lift(s, rollup(s) OVER ()),
       (nps_test(s, rollup(s) OVER () - s)).p_value, (nps_test(s, rollup(s) OVER () - s)).difference FROM by_plan"
SEGMENTS_ONE="${SEGMENTS_RECIPE//(SELECT region, plan, nps_agg(score) AS s FROM answers GROUP BY region, plan) per_shard/(SELECT plan, nps_agg(score) AS s FROM answers GROUP BY plan) per_plan}"
check "recipe: contribution, impact, lift and nps_test per plan identical to one server" \
  "$(one_server "$SEGMENTS_ONE")" "$(sharded "$SEGMENTS_RECIPE")"
check "recipe: contributions add up to the total NPS" \
  "$(sharded "SELECT round(nps(rollup(s)), 9) FROM (SELECT region, nps_agg(score) AS s FROM answers GROUP BY region) t")" \
  "$(sharded "SELECT round(sum(c)::numeric, 9) FROM ($SEGMENTS_RECIPE) r(plan, c)")"
TREND_RECIPE="SELECT nps_trend_sparkline(s ORDER BY month), string_agg(round(nps(s), 6)::text, ' ' ORDER BY month)
FROM (SELECT month, rollup(s) AS s FROM (SELECT region, date_trunc('month', day) AS month, nps_agg(score) AS s
      FROM answers GROUP BY region, date_trunc('month', day)) per_shard GROUP BY month) monthly"
TREND_ONE="SELECT nps_trend_sparkline(s ORDER BY month), string_agg(round(nps(s), 6)::text, ' ' ORDER BY month)
FROM (SELECT date_trunc('month', day) AS month, nps_agg(score) AS s FROM answers GROUP BY 1) monthly"
check "recipe: monthly trend identical to one server" "$(one_server "$TREND_ONE")" "$(sharded "$TREND_RECIPE")"

# 4. Statistics and segment helpers computed on the shards (pushed down whole): postgres_fdw runs
#    them with search_path = pg_catalog, and each node sends back exactly one server's figures.
STATS="SELECT region, nps_responses(nps_agg(score)), nps_margin(nps_agg(score)), nps_stderr(nps_agg(score)),
       nps_ci_low(nps_agg(score)), nps_ci_high(nps_agg(score), 0.99), nps_margin(nps_agg(score, weight)),
       nps_histogram(nps_agg(score)), nps_sparkline(nps_agg(score)),
       nps_contribution(nps_agg(score) FILTER (WHERE plan = 'pro'), nps_agg(score)),
       nps_impact(nps_agg(score) FILTER (WHERE plan = 'pro'), nps_agg(score)),
       nps_lift(nps_agg(score) FILTER (WHERE plan = 'pro'), nps_agg(score)),
       nps_agg(score) FILTER (WHERE plan = 'pro') OPERATOR(public.+) nps_agg(score) FILTER (WHERE plan = 'team')
FROM answers GROUP BY region"
check "statistics and segment helpers: pushed down whole" 0 "$(local_aggregates "$STATS")"
check "statistics and segment helpers: sent to the shards" 2 \
  "$(remote_sql "$STATS" | grep -c "public.nps_ci_high(public.nps_agg(score), 0.99::double precision, 'adjusted_wald'::text)")"
check "statistics and segment helpers on the shards: identical to one server" "$(one_server "$STATS")" "$(sharded "$STATS")"
# A text argument written in the query ('wald') carries a collation, and postgres_fdw sends no
# function call that depends on one: that call runs on the coordinator, over the pushed-down
# summary (the default method is not written in the query, so it does not count).
WALD="SELECT region, nps_ci_low(nps_agg(score), 0.9, 'wald') FROM answers GROUP BY region"
check "an explicit method: computed on the coordinator" \
  "$(twice "SELECT region, public.nps_agg(score) FROM public.answers GROUP BY 1")" "$(remote_sql "$WALD")"
check "an explicit method: identical to one server" "$(one_server "$WALD")" "$(sharded "$WALD")"
# nps_ci and nps_test return records: postgres_fdw can push one down whole but cannot read an
# anonymous record back (docs/scale-out.md); selecting their fields computes them on the
# coordinator from the pushed-down summaries.
check "nps_ci as a whole record from a shard: the documented error" \
  "ERROR:  input of anonymous composite types is not implemented" \
  "$(coord -c "SELECT region, nps_ci(nps_agg(score)) FROM answers GROUP BY region" 2>&1 | grep -o 'ERROR: .*' || true)"
# 0.3.0's named composites are read back: postgres_fdw sends the whole call, each shard computes
# its interval and test, and the coordinator reads the nps_interval and nps_comparison it gets.
WHOLE="SELECT region, nps_confidence_interval(nps_agg(score)), nps_compare(nps_agg(score) FILTER (WHERE plan = 'pro'), nps_agg(score))
FROM answers GROUP BY region"
check "nps_confidence_interval and nps_compare as whole records: sent to the shards" \
  "$(twice "SELECT region, public.nps_confidence_interval(public.nps_agg(score), 0.95::double precision, 'adjusted_wald'::text), public.nps_compare(public.nps_agg(score) FILTER (WHERE (plan = 'pro')), public.nps_agg(score), 0.95::double precision, 'adjusted_wald'::text) FROM public.answers GROUP BY 1")" \
  "$(remote_sql "$WHOLE")"
check "nps_confidence_interval and nps_compare as whole records: nothing aggregated on the coordinator" 0 \
  "$(local_aggregates "$WHOLE")"
check "nps_confidence_interval and nps_compare as whole records from the shards: identical to one server" \
  "$(one_server "$WHOLE")" "$(sharded "$WHOLE")"
check "their fields by name, through LATERAL over the shards' summaries: identical to one server" \
  "$(one_server "SELECT region, round(i.low, 9), round(i.high, 9) FROM (SELECT region, nps_agg(score) AS s FROM answers GROUP BY region) t, LATERAL nps_confidence_interval(s) i")" \
  "$(sharded "SELECT region, round(i.low, 9), round(i.high, 9) FROM (SELECT region, nps_agg(score) AS s FROM answers GROUP BY region) t, LATERAL nps_confidence_interval(s) i")"
FIELDS="SELECT region, (nps_ci(nps_agg(score))).low, (nps_test(nps_agg(score) FILTER (WHERE plan = 'pro'), nps_agg(score))).p_value FROM answers GROUP BY region"
check "fields of nps_ci and nps_test: nps_agg pushed down" \
  "$(twice "SELECT region, public.nps_agg(score), public.nps_agg(score) FILTER (WHERE (plan = 'pro')) FROM public.answers GROUP BY 1")" \
  "$(remote_sql "$FIELDS")"
check "fields of nps_ci and nps_test: identical to one server" "$(one_server "$FIELDS")" "$(sharded "$FIELDS")"

# nps_ci and nps_test run on a shard as a view behind a foreign table: the view is evaluated in
# postgres_fdw's session, search_path = pg_catalog. 0.2.0's C functions work there;
# 0.1.0's looked up nps_ci_low through the search_path and fail, until ALTER EXTENSION UPDATE.
VIEW="CREATE VIEW region_stats AS
SELECT region, nps(s) AS nps, (nps_ci(s)).low AS low, (nps_ci(s)).high AS high,
       (nps_test(pro, s - pro)).difference AS difference, (nps_test(pro, s - pro)).p_value AS p_value
FROM (SELECT region, nps_agg(score) AS s, nps_agg(score) FILTER (WHERE plan = 'pro') AS pro FROM answers GROUP BY region) t"
VIEW_COLUMNS="(region text, nps numeric, low float8, high float8, difference float8, p_value float8)"
node shard1 1 -c "$VIEW"
ONE_VIEW=${VIEW//answers/one_server}
node coordinator 0 -c "${ONE_VIEW/region_stats/region_stats_one_server}" \
  -c "CREATE FOREIGN TABLE region_stats_shard1 $VIEW_COLUMNS SERVER shard1 OPTIONS (table_name 'region_stats')"
check "nps_ci and nps_test in a shard's view, through postgres_fdw: identical to one server" \
  "$(coord -c "SELECT * FROM region_stats_one_server WHERE region <> 'us' ORDER BY region" 2>&1)" \
  "$(coord -c "SELECT * FROM region_stats_shard1 ORDER BY region" 2>&1)"
# A second database on shard 2: first without nps_ext, then with release 0.1.0.
node shard2 2 -d postgres -c "DROP DATABASE IF EXISTS nps_old" -c "CREATE DATABASE nps_old"
DB=nps_old node shard2 2 -c "CREATE TABLE answers (region text, plan text, day date, score smallint, weight double precision)"
node coordinator 0 <<SQL
CREATE SERVER shard2_old FOREIGN DATA WRAPPER postgres_fdw
    OPTIONS (host '$("$ROOT/scripts/state_dir.sh")/$prefix-shard2', port '$((port + 2))', dbname 'nps_old', extensions 'nps_ext');
CREATE USER MAPPING FOR CURRENT_USER SERVER shard2_old OPTIONS (user 'postgres');
CREATE FOREIGN TABLE answers_old (region text, plan text, day date, score smallint, weight double precision)
    SERVER shard2_old OPTIONS (table_name 'answers');
INSERT INTO answers_old SELECT * FROM generated WHERE region = 'us';
CREATE FOREIGN TABLE region_stats_old $VIEW_COLUMNS SERVER shard2_old OPTIONS (table_name 'region_stats');
SQL
check "a shard without nps_ext: the query fails, naming the function" \
  "ERROR:  function public.nps_agg(smallint) does not exist" \
  "$(coord -c "SELECT nps_agg(score) FROM answers_old" 2>&1 | grep -o '^ERROR: .*' || true)"
DB=nps_old node shard2 2 -c "CREATE EXTENSION nps_ext VERSION '0.1.0'" -c "$VIEW"
check "0.1.0 on a shard: nps_ci fails under postgres_fdw's search_path" \
  "ERROR:  function nps_ci_low(public.nps_summary, double precision, text) does not exist" \
  "$(coord -c "SELECT * FROM region_stats_old" 2>&1 | grep -o '^ERROR: .*' || true)"
DB=nps_old node shard2 2 -c "ALTER EXTENSION nps_ext UPDATE"
check "0.1.0 on a shard, after ALTER EXTENSION UPDATE: identical to one server" \
  "$(coord -c "SELECT * FROM region_stats_one_server WHERE region = 'us'" 2>&1)" \
  "$(coord -c "SELECT * FROM region_stats_old" 2>&1)"

# 5. What it needs: the same nps_ext version on every node (this is how to see them all from the
#    coordinator), and the server option extensions 'nps_ext'. Without it postgres_fdw may not
#    send nps_ext's functions to a shard, so the same query fetches every answer from it (and
#    still gives the same figures).
node coordinator 0 <<'SQL'
CREATE FOREIGN TABLE shard1_extensions (extname name, extversion text)
    SERVER shard1 OPTIONS (schema_name 'pg_catalog', table_name 'pg_extension');
CREATE FOREIGN TABLE shard2_extensions (extname name, extversion text)
    SERVER shard2 OPTIONS (schema_name 'pg_catalog', table_name 'pg_extension');
SQL
check "the same nps_ext version on every node" \
  "$(coord -c "SELECT default_version FROM pg_available_extensions, generate_series(1, 3) WHERE name = 'nps_ext'")" \
  "$(coord -c "SELECT extversion FROM pg_extension WHERE extname = 'nps_ext'
               UNION ALL SELECT extversion FROM shard1_extensions WHERE extname = 'nps_ext'
               UNION ALL SELECT extversion FROM shard2_extensions WHERE extname = 'nps_ext'")"
# without the server option: raw rows from that shard
node coordinator 0 -c "ALTER SERVER shard1 OPTIONS (DROP extensions)"
check "without extensions 'nps_ext': shard 1 sends raw rows" \
  "$(printf '%s\n' 'SELECT region, score, weight FROM public.answers' \
     'SELECT region, public.nps(score), public.nps_agg(score), public.nps(score, weight), public.nps_agg(score, weight) FROM public.answers GROUP BY 1')" \
  "$(remote_sql "$BY_REGION")"
check "without extensions 'nps_ext': identical figures" "$(one_server "$BY_REGION")" "$(sharded "$BY_REGION")"
node coordinator 0 -c "ALTER SERVER shard1 OPTIONS (ADD extensions 'nps_ext')"

echo "shards: $passed passed, $failed failed"
[ "$failed" = 0 ]
