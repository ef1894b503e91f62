#!/usr/bin/env bash
# Three throwaway clusters of one major (that of $PG_CONFIG, default Debian's 15), wired as
# docs/scale-out.md describes: two shards that each hold a plain table of answers, and a
# coordinator whose table `answers` is partitioned by region into foreign tables on the shards
# (postgres_fdw, server option extensions 'nps_ext'). Every node gets a fresh database nps_shards
# with nps_ext installed (scripts/install.sh must have installed it into that major). Used by
# tests/shards.sh and bench/shards.sh.
#   shards.sh start PREFIX PORT [SERVER_OPTIONS]
#                                  clusters PREFIX-coordinator, PREFIX-shard1, PREFIX-shard2 on
#                                  PORT, PORT+1, PORT+2 (their sockets are under .pg/PREFIX-*)
#   shards.sh stop PREFIX
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cmd=$1 prefix=$2
nodes=(coordinator shard1 shard2)
state=$("$ROOT/scripts/state_dir.sh")
psql_on() {  # psql_on NODE PORT args...
  PGOPTIONS="-c client_min_messages=warning" "$ROOT/scripts/cluster.sh" psql "$prefix-$1" "$2" \
    -v ON_ERROR_STOP=1 -q "${@:3}"
}

case "$cmd" in
  start)
    port=$3
    for i in 0 1 2; do
      "$ROOT/scripts/cluster.sh" start "$prefix-${nodes[$i]}" $((port + i)) "${4:-}"
      psql_on "${nodes[$i]}" $((port + i)) -c "DROP DATABASE IF EXISTS nps_shards" -c "CREATE DATABASE nps_shards"
      psql_on "${nodes[$i]}" $((port + i)) -d nps_shards -c "CREATE EXTENSION nps_ext"
    done
    for i in 1 2; do
      psql_on "${nodes[$i]}" $((port + i)) -d nps_shards \
        -c "CREATE TABLE answers (region text, plan text, day date, score smallint, weight double precision)"
    done
    # The coordinator: one foreign server per shard. extensions 'nps_ext' tells postgres_fdw
    # that nps_ext's functions, aggregates, operators and types mean the same on the shard, so
    # it may send them there; async_capable lets one query scan both shards at the same time.
    psql_on coordinator "$port" -d nps_shards <<SQL
CREATE EXTENSION postgres_fdw;
CREATE SERVER shard1 FOREIGN DATA WRAPPER postgres_fdw
    OPTIONS (host '$state/$prefix-shard1', port '$((port + 1))', dbname 'nps_shards',
             extensions 'nps_ext', async_capable 'true');
CREATE SERVER shard2 FOREIGN DATA WRAPPER postgres_fdw
    OPTIONS (host '$state/$prefix-shard2', port '$((port + 2))', dbname 'nps_shards',
             extensions 'nps_ext', async_capable 'true');
CREATE USER MAPPING FOR CURRENT_USER SERVER shard1 OPTIONS (user 'postgres');
CREATE USER MAPPING FOR CURRENT_USER SERVER shard2 OPTIONS (user 'postgres');
CREATE TABLE answers (region text, plan text, day date, score smallint, weight double precision)
    PARTITION BY LIST (region);
CREATE FOREIGN TABLE answers_shard1 PARTITION OF answers FOR VALUES IN ('eu', 'apac')
    SERVER shard1 OPTIONS (table_name 'answers', batch_size '1000');
CREATE FOREIGN TABLE answers_shard2 PARTITION OF answers FOR VALUES IN ('us')
    SERVER shard2 OPTIONS (table_name 'answers', batch_size '1000');
SQL
    ;;
  stop)
    for node in "${nodes[@]}"; do "$ROOT/scripts/cluster.sh" stop "$prefix-$node"; done
    ;;
  *) echo "usage: shards.sh start PREFIX PORT | stop PREFIX" >&2; exit 2 ;;
esac
