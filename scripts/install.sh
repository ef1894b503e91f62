#!/usr/bin/env bash
# Build nps_ext and install it into the PostgreSQL of $PG_CONFIG (default: Debian's 15), with
# every script of sql/: cargo pgrx install generates the current version's install script and
# copies the upgrade scripts (nps_ext--A--B.sql); the install scripts of earlier releases
# (nps_ext--A.sql, frozen as they shipped) are copied here, so `CREATE EXTENSION nps_ext
# VERSION '0.1.0'` works with the current library (the upgrade test relies on it).
#   install.sh [cargo pgrx install options, e.g. --release]
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
major=$("$PG_CONFIG" --version | sed -E 's/^PostgreSQL ([0-9]+).*/\1/')
cd "$ROOT"
# PGRX_PG_CONFIG_PATH: pgrx-pg-sys generates its bindings from this pg_config alone (otherwise it
# runs every pg_config registered in $PGRX_HOME/config.toml, and fails if one is not fetched);
# scripts/package.sh sets it the same way, so the two share one build.
PGRX_PG_CONFIG_PATH="$PG_CONFIG" \
  cargo pgrx install --pg-config "$PG_CONFIG" --no-default-features --features "pg$major" "$@" >/dev/null
extdir="$("$PG_CONFIG" --sharedir)/extension"
for script in sql/nps_ext--*.sql; do
  case "$(basename "$script")" in
    nps_ext--*--*.sql) ;;  # upgrade scripts: copied by cargo pgrx install
    *) install -m 644 "$script" "$extdir/" ;;
  esac
done
