#!/usr/bin/env bash
# Real clients against a running cluster with nps_ext installed: psycopg 3 (text and binary
# formats, a Dumper/Loader for nps_summary, the enum), SQLAlchemy 2, pandas and dbt-postgres
# (examples/dbt, built twice with new and late answers); and the drivers BI tools use, each with
# its default and its recommended settings: JDBC (Debian's PostgreSQL JDBC driver, a Java
# program), node-postgres, asyncpg (binary protocol) and ODBC (Debian's psqlODBC through
# unixODBC, driven by pyodbc). The Python clients are the pinned packages of requirements.txt,
# installed into a virtualenv under the project's state directory, again only when
# requirements.txt changes; node-postgres is pinned with its dependencies by
# node/package-lock.json, installed there the same way; the Debian packages are installed once.
#   tests/clients/run.sh HOST_DIR PORT
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
host=$1 port=$2
state=$("$root/scripts/state_dir.sh")
venv="$state/clients-venv"

debs=(libpostgresql-jdbc-java openjdk-17-jdk-headless odbc-postgresql unixodbc unixodbc-dev)
command -v node >/dev/null || debs+=(nodejs)
command -v npm >/dev/null || debs+=(npm)
"$root/scripts/debs.sh" "${debs[@]}"
node_dir="$state/clients-node"
node_wanted=$(cat "$here/node/package.json" "$here/node/package-lock.json" | sha256sum | cut -d' ' -f1)
if [ "$(cat "$node_dir/lock.sha256" 2>/dev/null)" != "$node_wanted" ]; then
  echo "== installing node-postgres from node/package-lock.json into $node_dir"
  rm -rf "$node_dir" && mkdir -p "$node_dir"
  cp "$here/node/package.json" "$here/node/package-lock.json" "$node_dir/"
  (cd "$node_dir" && npm ci --silent --no-audit --no-fund >/dev/null)
  echo "$node_wanted" > "$node_dir/lock.sha256"
fi
export NODE_PATH="$node_dir/node_modules"
wanted=$(sha256sum "$here/requirements.txt" | cut -d' ' -f1)
if [ "$(cat "$venv/requirements.sha256" 2>/dev/null)" != "$wanted" ]; then
  echo "== installing the pinned clients into $venv (about 30 s)"
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$here/requirements.txt"
  echo "$wanted" > "$venv/requirements.sha256"
fi

export PGHOST=$host PGPORT=$port PGUSER=postgres
passed=0 failed=0
for test in test_psycopg.py test_docs.py test_dbt.py test_jdbc.py test_node.js test_asyncpg.py test_odbc.py; do
  log=$(mktemp)
  status=0
  case "$test" in
    *.js) command=(node "$here/$test") ;;
    *) command=("$venv/bin/python" "$here/$test") ;;
  esac
  "${command[@]}" 2>&1 | tee "$log" || status=$?
  read -r p f <<< "$(sed -nE 's/^[a-z-]+: ([0-9]+) passed, ([0-9]+) failed$/\1 \2/p' "$log" | tail -1)"
  rm -f "$log"
  # a script that dies before its count is one failure
  if [ -z "${p:-}" ]; then p=0 f=1; elif [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
  passed=$((passed + p)) failed=$((failed + f))
  unset p f
done
echo "clients: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
