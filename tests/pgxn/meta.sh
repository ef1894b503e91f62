#!/usr/bin/env bash
# Validate META.json (PGXN) against the official PGXN Meta Spec v1 schemas, as shipped in the
# Rust crate pgxn_meta (pinned; cargo fetches and checks it). The checker is Python
# (tests/pgxn/check_meta.py) in a virtualenv under the state directory with the pinned packages of
# tests/pgxn/requirements.txt: building pgxn_meta's own CLI takes minutes, fetching it a second.
#   tests/pgxn/meta.sh
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
state=$("$here/../../scripts/state_dir.sh")
export PATH="$HOME/.cargo/bin:$PATH"

# the schemas: the pinned crate's source, through a scratch project that depends on it
crate_project="$state/pgxn-meta-crate"
mkdir -p "$crate_project"
cat > "$crate_project/Cargo.toml" <<'TOML'
[package]
name = "pgxn-meta-schemas"
version = "0.0.0"
edition = "2021"
publish = false
[lib]
path = "lib.rs"
[dependencies]
pgxn_meta = "=0.7.0"
TOML
touch "$crate_project/lib.rs"
(cd "$crate_project" && cargo fetch --quiet)
crate=$(cd "$crate_project" && cargo metadata --format-version 1 | python3 -c '
import json, os, sys
meta = json.load(sys.stdin)
print(next(os.path.dirname(p["manifest_path"]) for p in meta["packages"] if p["name"] == "pgxn_meta"))')

# the checker's packages, reinstalled when requirements.txt changes
venv="$state/venv-pgxn"
if ! cmp -s "$here/requirements.txt" "$venv/requirements.txt"; then
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$here/requirements.txt"
  cp "$here/requirements.txt" "$venv/requirements.txt"
fi
"$venv/bin/python" "$here/check_meta.py" "$crate"
