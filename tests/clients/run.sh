#!/usr/bin/env bash
# Real clients against a running cluster with nps_ext installed: psycopg 3 (text and binary
# formats, a Dumper/Loader for nps_summary, the enum), SQLAlchemy 2, pandas and dbt-postgres
# (examples/dbt, built twice with new and late answers). The clients are the pinned packages of
# requirements.txt, installed into a virtualenv under the project's state directory, again only
# when requirements.txt changes.
#   tests/clients/run.sh HOST_DIR PORT
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
host=$1 port=$2
venv="$("$root/scripts/state_dir.sh")/clients-venv"
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
for test in test_psycopg.py test_docs.py test_dbt.py; do
  log=$(mktemp)
  status=0
  "$venv/bin/python" "$here/$test" 2>&1 | tee "$log" || status=$?
  read -r p f <<< "$(sed -nE 's/^[a-z-]+: ([0-9]+) passed, ([0-9]+) failed$/\1 \2/p' "$log" | tail -1)"
  rm -f "$log"
  # a script that dies before its count is one failure
  if [ -z "${p:-}" ]; then p=0 f=1; elif [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
  passed=$((passed + p)) failed=$((failed + f))
  unset p f
done
echo "clients: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
