#!/usr/bin/env bash
# Install what building and testing nps_ext needs on Debian 12; safe to run again (each step
# is skipped when already done). Sourced by demo.sh, test.sh and bench/run.sh.
#   NPS_PG_MAJORS: the PostgreSQL majors to prepare (default 15; test.sh defaults to all five).
#   Defines pg_config_for MAJOR and sets PG_CONFIG to Debian's PostgreSQL 15.
#   NPS_ONE_MAJOR: set by the scripts that run one server (benchmarks, fuzzers): PG_CONFIG is
#   then the caller's, if given, else that major's, and NPS_PG_MAJORS defaults to it.
set -euo pipefail

PGRX_VERSION=0.18.1
SETUP_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SETUP_CALLER_PG_CONFIG=${PG_CONFIG:-}
PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config
export PATH="$HOME/.cargo/bin:$PATH"

# Where each major's pg_config is: Debian's for 15, the fetched trees (pg_trees.sh) for others.
pg_config_for() {
  if [ "$1" = 15 ]; then echo /usr/lib/postgresql/15/bin/pg_config
  else echo "$("$SETUP_ROOT/scripts/state_dir.sh")/trees/pg$1/bin/pg_config"; fi
}

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

packages=(postgresql-15 postgresql-server-dev-15 libclang-dev clang sudo build-essential
          pkg-config libssl-dev python3 python3-pip python3-venv)
"$SETUP_ROOT/scripts/debs.sh" "${packages[@]}"

# A debug build of cargo-pgrx: it only drives cargo and copies files (0.1 s more per call than
# an optimized one), and builds in 160 s instead of 305 on 2 cores.
if ! cargo pgrx --version 2>/dev/null | grep -q " $PGRX_VERSION\$"; then
  echo "== installing cargo-pgrx $PGRX_VERSION (about 3 minutes)"
  cargo install cargo-pgrx --version "$PGRX_VERSION" --locked --debug --quiet
fi

# Other majors' trees (15 is Debian's), then register with pgrx every major whose pg_config is
# present (cargo pgrx test refuses a config naming a missing one). The config is written directly
# (what `cargo pgrx init` writes for existing pg_configs), and only when it changes: pgrx-pg-sys
# rebuilds whenever it does. PGRX_HOME gives a checkout a pgrx config
# of its own, and NPS_PGRX_TEST_PORT_BASE the base of the ports `cargo pgrx test` uses.
read -r -a SETUP_MAJORS <<< "${NPS_PG_MAJORS:-${NPS_ONE_MAJOR:-15}}"
trees=()
for major in "${SETUP_MAJORS[@]}"; do [ "$major" = 15 ] || trees+=("$major"); done
"$SETUP_ROOT/scripts/pg_trees.sh" "${trees[@]}"
export PGRX_HOME=${PGRX_HOME:-$HOME/.pgrx}
wanted="base_testing_port = ${NPS_PGRX_TEST_PORT_BASE:-32200}"$'\n[configs]'
registered=()
for major in 14 15 16 17 18; do
  [ -x "$(pg_config_for "$major")" ] || continue
  registered+=("$major")
  wanted+=$'\n'"pg$major = \"$(pg_config_for "$major")\""
done
if [ "$(cat "$PGRX_HOME/config.toml" 2>/dev/null)" != "$wanted" ]; then
  echo "== registering PostgreSQL ${registered[*]} with pgrx ($PGRX_HOME/config.toml)"
  mkdir -p "$PGRX_HOME"
  echo "$wanted" > "$PGRX_HOME/config.toml"
fi

if [ -n "${NPS_ONE_MAJOR:-}" ]; then
  PG_CONFIG=${SETUP_CALLER_PG_CONFIG:-$(pg_config_for "$NPS_ONE_MAJOR")}
  export PG_CONFIG
fi
