#!/usr/bin/env bash
# Build a Debian package of nps_ext for one PostgreSQL major:
#   target/debian/postgresql-MAJOR-nps-ext_VERSION_ARCH.deb       (ARCH: amd64 here)
# from `cargo pgrx package` output (release build against that major's pg_config: Debian's for
# 15, the fetched tree for others), laid out as Debian's PostgreSQL packages expect:
# /usr/lib/postgresql/MAJOR/lib/nps_ext.so and /usr/share/postgresql/MAJOR/extension/, with the
# frozen install scripts of earlier releases and the upgrade scripts of sql/, so that
# CREATE EXTENSION nps_ext VERSION '0.1.0' and ALTER EXTENSION nps_ext UPDATE work too.
# Install with `dpkg -i` (or `apt install ./FILE.deb`); `dpkg -r postgresql-MAJOR-nps-ext` removes
# exactly these files. Nothing is installed by building.
#   scripts/package.sh MAJOR
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
NPS_PG_MAJORS=${1:?usage: scripts/package.sh MAJOR} source scripts/setup.sh
major=$1  # (after setup.sh, which uses the name)
pg_config=$(pg_config_for "$major")
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -1)
name=postgresql-$major-nps-ext arch=$(dpkg --print-architecture)
deb="$ROOT/target/debian/${name}_${version}_$arch.deb"

echo "== cargo pgrx package for PostgreSQL $major ($pg_config)"
# (PGRX_PG_CONFIG_PATH as in scripts/install.sh: bindings from this pg_config alone, and the same
# build as install.sh --release)
PGRX_PG_CONFIG_PATH="$pg_config" \
  cargo pgrx package --pg-config "$pg_config" --no-default-features --features "pg$major" >/dev/null
# cargo pgrx package lays files out under target/release/nps_ext-pgMAJOR/ as that pg_config's
# own paths; take them from there into Debian's paths.
built="target/release/nps_ext-pg$major"
stage="target/debian/${name}_${version}_$arch"
lib="usr/lib/postgresql/$major/lib" ext="usr/share/postgresql/$major/extension"
rm -rf "$stage" && mkdir -p "$stage/DEBIAN" "$stage/$lib" "$stage/$ext"
install -m 755 "$built$("$pg_config" --pkglibdir)/nps_ext.so" "$stage/$lib/"
install -m 644 "$built$("$pg_config" --sharedir)/extension/nps_ext"{.control,--"$version".sql} "$stage/$ext/"
install -m 644 sql/nps_ext--*.sql "$stage/$ext/"  # earlier releases' install scripts and upgrades

cat > "$stage/DEBIAN/control" <<EOF
Package: $name
Version: $version
Architecture: $arch
Maintainer: nps_ext maintainers <maintainers@users.noreply.h-seed-801901bc.example>
Depends: postgresql-$major
Section: database
Priority: optional
Installed-Size: $(du -sk --exclude=DEBIAN "$stage" | cut -f1)
Description: Net Promoter Score analysis inside PostgreSQL $major
 nps_ext puts Net Promoter Score analysis into SQL: nps(score) as a parallel and
 window-capable aggregate, the nps_category type, nps_summary values to store, merge
 and roll up, margins of error, confidence intervals, significance tests, sample
 sizes, weighted NPS and segment helpers. CREATE EXTENSION nps_ext in a database.
EOF
(cd "$stage" && find usr -type f | sort | xargs md5sum > DEBIAN/md5sums)
dpkg-deb --root-owner-group --build "$stage" "$deb" >/dev/null
echo "$deb"
