#!/usr/bin/env bash
# The JSON face of summaries against the text form, measured in one run on a running cluster
# with nps_ext installed (release build): each query reads ROWS stored summaries (daily
# summaries of a few hundred answers; a third weighted) and converts every one. Reports the best
# of RUNS timings and the ratio to `s::text`, the output every driver already uses.
#   bench/json.sh HOST_DIR PORT [ROWS]     default 1,000,000 summaries
set -euo pipefail
host=$1 port=$2 rows=${3:-1000000} runs=${RUNS:-3}
bin=$("${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}" --bindir)
psql() { "$bin/psql" -X -q -h "$host" -p "$port" -U postgres -v ON_ERROR_STOP=1 "$@"; }
psql -d postgres -c "DROP DATABASE IF EXISTS nps_bench_json" -c "CREATE DATABASE nps_bench_json"
psql -d nps_bench_json <<SQL
CREATE EXTENSION nps_ext;
SELECT setseed(0.25);
CREATE TABLE summaries AS
SELECT id, CASE WHEN id % 3 = 0
                THEN ('v1:' || array_to_string(c, ',') || ';weights=' || array_to_string(c, ',') || ';squares=' || s)::nps_summary
                ELSE ('v1:' || array_to_string(c, ','))::nps_summary END AS s
FROM (SELECT id, c, (SELECT sum(x) FROM unnest(c) x) AS s
      FROM (SELECT id, ARRAY(SELECT (random() * 60)::int FROM generate_series(0, 10) WHERE id > 0) AS c
            FROM generate_series(1, $rows) id) g) h;
CREATE TABLE documents AS SELECT id, s::jsonb AS doc FROM summaries;
CREATE TABLE texts AS SELECT id, s::text AS t FROM summaries;
VACUUM ANALYZE summaries, documents, texts;
SQL

best() {  # best of $runs timings of a query, in ms
  local q=$1 t b=
  for _ in $(seq "$runs"); do
    t=$(psql -d nps_bench_json -c '\timing on' -c "$q" </dev/null | sed -nE 's/^Time: ([0-9.]+) ms.*/\1/p')
    if [ -z "$b" ] || awk "BEGIN { exit !($t < $b) }"; then b=$t; fi
  done
  echo "$b"
}
base=$(best "SELECT count(s::text) FROM summaries")
printf '%-44s %10s ms  %5s\n' "s::text (text form out, the baseline)" "$base" "1.00"
while IFS='|' read -r label q; do
  t=$(best "$q")
  printf '%-44s %10s ms  %5s\n' "$label" "$t" "$(awk "BEGIN { printf \"%.2f\", $t / $base }")"
done <<'CASES'
t::nps_summary (text form in)|SELECT count(t::nps_summary) FROM texts
s::jsonb (JSON form out)|SELECT count(s::jsonb) FROM summaries
doc::nps_summary (JSON form in)|SELECT count(doc::nps_summary) FROM documents
nps_report(s)|SELECT count(nps_report(s)) FROM summaries
nps_margin(s) (one statistic, for scale)|SELECT count(nps_margin(s)) FROM summaries
CASES
psql -d postgres -c "DROP DATABASE nps_bench_json"
