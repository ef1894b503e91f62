#!/usr/bin/env bash
# A throwaway PostgreSQL cluster of the project's own: data and socket under .pg/<name> (see
# state_dir.sh), owned
# by the postgres user (initdb refuses root), listening only on its Unix socket. The binaries are
# those of $PG_CONFIG (default: Debian's PostgreSQL 15).
#   cluster.sh start NAME PORT [SERVER_OPTIONS] | stop NAME | psql NAME PORT [psql args...]
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PGBIN=$("${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}" --bindir)
# The fetched trees' modules were linked for /opt/postgresql (their RUNPATH): without this, the
# server's postgres_fdw and dblink would load Debian's older libpq instead of the tree's own.
PGLIB=$("${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}" --libdir)
cmd=$1 name=$2
dir="$("$ROOT/scripts/state_dir.sh")/$name"

as_postgres() { sudo -u postgres "$@"; }

case "$cmd" in
  start)
    port=$3
    if [ ! -s "$dir/data/PG_VERSION" ]; then
      mkdir -p "$dir"
      chown postgres: "$dir"
      as_postgres "$PGBIN/initdb" -D "$dir/data" -U postgres --auth=trust --no-sync -E UTF8 \
        --locale=C.UTF-8 >/dev/null
    fi
    if ! as_postgres "$PGBIN/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
      as_postgres env LD_LIBRARY_PATH="$PGLIB" "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -s \
        -o "-p $port -k $dir -c listen_addresses='' ${4:-}" start
    fi
    ;;
  stop)
    [ -d "$dir/data" ] && as_postgres "$PGBIN/pg_ctl" -D "$dir/data" -m fast -w -s stop 2>/dev/null || true
    ;;
  psql)
    port=$3; shift 3
    exec "$PGBIN/psql" -X -h "$dir" -p "$port" -U postgres "$@"
    ;;
  *) echo "usage: cluster.sh start NAME PORT | stop NAME | psql NAME PORT [args]" >&2; exit 2 ;;
esac
