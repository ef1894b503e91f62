#!/usr/bin/env bash
# Prints the directory that holds the project's PostgreSQL state (clusters, test data, fetched
# trees), creating it owned by the postgres user, which initdb and the servers run as. It is .pg
# under the checkout, unless postgres cannot reach the checkout (say, under /root): then a
# directory under /tmp named after the checkout's path.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
if sudo -u postgres test -x "$ROOT"; then
  dir="$ROOT/.pg"
else
  dir="/tmp/nps_ext-$(printf '%s' "$ROOT" | md5sum | cut -c1-12)"
fi
mkdir -p "$dir"
chown postgres: "$dir"
echo "$dir"
