#!/usr/bin/env bash
# The Debian package of scripts/package.sh, installed for real into Debian's PostgreSQL MAJOR:
# its contents and control fields, `dpkg -i`, CREATE EXTENSION and a query in a throwaway
# cluster, CREATE EXTENSION VERSION '0.1.0' and ALTER EXTENSION UPDATE, then `dpkg -r`, which must
# remove exactly the package's files. Leaves the system as it found it: nps_ext files already
# there (from scripts/install.sh) are moved aside first and put back at the end, whatever happens.
# Needs root and Debian's postgresql-MAJOR.
#   tests/package.sh MAJOR      (after scripts/package.sh MAJOR; cluster port NPS_PORT_BASE + 75)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
major=$1
name=postgresql-$major-nps-ext
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' "$ROOT/Cargo.toml" | head -1)
arch=$(dpkg --print-architecture)
deb="$ROOT/target/debian/${name}_${version}_$arch.deb"
export PG_CONFIG=/usr/lib/postgresql/$major/bin/pg_config
lib=/usr/lib/postgresql/$major/lib ext=/usr/share/postgresql/$major/extension
state=$("$ROOT/scripts/state_dir.sh")
cluster=package-test-pg$major port=$((${NPS_PORT_BASE:-28900} + 75))
backup="$state/package-test-backup"
psql() { PGOPTIONS="-c client_min_messages=warning" "$ROOT/scripts/cluster.sh" psql $cluster $port -v ON_ERROR_STOP=1 -q -At "$@"; }
quietly() { local out; out=$("$@" 2>&1) || { echo "$out" >&2; return 1; }; }  # dpkg's triggers talk
listing() { (cd / && find "${lib#/}" "${ext#/}" -type f | sort | xargs md5sum); }
passed=0 failed=0
check() {  # check NAME EXPECTED ACTUAL
  if [ "$2" = "$3" ]; then passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAILED: $1" >&2
    diff <(echo "$2") <(echo "$3") | head -20 >&2 || true
  fi
}

# What the package holds: the library, the control file, this version's install script and
# every script of sql/ (earlier releases' install scripts, upgrades), nothing else.
expected_files=$( { echo "$lib/nps_ext.so"; echo "$ext/nps_ext.control"; echo "$ext/nps_ext--$version.sql"
                    for f in "$ROOT"/sql/nps_ext--*.sql; do echo "$ext/$(basename "$f")"; done; } | sort)
check "package files" "$expected_files" "$(dpkg-deb -c "$deb" | awk '$1 !~ /^d/ {print substr($NF, 2)}' | sort)"
check "control fields" "$name $version $arch postgresql-$major" \
  "$(dpkg-deb -f "$deb" Package Version Architecture Depends | cut -d' ' -f2 | xargs)"

# Move nps_ext files that are already installed aside; from here on, always end with dpkg -r
# and put them back.
rm -rf "$backup" && mkdir -p "$backup"
find "$lib" "$ext" -maxdepth 1 -name 'nps_ext*' -exec mv -t "$backup" {} +
before=$(listing)
finish() {
  "$ROOT/scripts/cluster.sh" stop $cluster
  if dpkg-query -W -f='${Status}' $name 2>/dev/null | grep -q "install ok installed"; then quietly dpkg -r $name; fi
  for f in "$backup"/*.so; do [ -e "$f" ] && mv "$f" "$lib/"; done
  for f in "$backup"/nps_ext*; do [ -e "$f" ] && mv "$f" "$ext/"; done
  rmdir "$backup"
}
trap finish EXIT

quietly dpkg -i "$deb"
check "dpkg -i: installed" "install ok installed $version" "$(dpkg-query -W -f='${Status} ${Version}' $name)"
check "dpkg -i: the package's files are in Debian's directories, as dpkg lists them" \
  "$expected_files" "$(dpkg -L $name | grep -E '\.(so|control|sql)$' | sort)"
check "dpkg -V: files as packaged" "" "$(dpkg -V $name)"

# A throwaway cluster of Debian's PostgreSQL: install, a query with a result computed by hand,
# and an upgrade from 0.1.0 with a stored summary.
"$ROOT/scripts/cluster.sh" stop $cluster
rm -rf "${state:?}/$cluster"
"$ROOT/scripts/cluster.sh" start $cluster $port
psql -c "CREATE DATABASE nps_package" -c "CREATE DATABASE nps_package_upgrade"
# answers 10, 9, 8, 3, NULL: 2 promoters, 1 passive, 1 detractor -> 100 * (2 - 1) / 4 = 25
check "CREATE EXTENSION and a query" "$version|25.0000000000000000|v1:0,0,0,1,0,0,0,0,1,1,1" \
  "$(psql -d nps_package -c "CREATE EXTENSION nps_ext" \
       -c "SELECT extversion, nps(s), nps_agg(s) FROM pg_extension, (VALUES (10), (9), (8), (3), (NULL)) v(s)
           WHERE extname = 'nps_ext' GROUP BY extversion")"
psql -d nps_package_upgrade -c "CREATE EXTENSION nps_ext VERSION '0.1.0'" \
  -c "CREATE TABLE kept AS SELECT nps_agg(s) AS summary FROM (VALUES (10), (9), (9), (8), (7), (6)) v(s)"
# 3 promoters, 2 passives, 1 detractor: Wald 100 * (1/3 -/+ 1.959964 * sqrt((3/6 + 1/6 - (1/3)^2) / 6))
# = 33.33 -/+ 59.64 -> -26.3, 93.0
check "ALTER EXTENSION UPDATE from 0.1.0, nps_ci with an empty search_path" \
  "0.1.0 $version|v1:0,0,0,0,0,0,1,1,1,2,1|-26.3|93.0" \
  "$(psql -d nps_package_upgrade -c "SELECT extversion FROM pg_extension WHERE extname = 'nps_ext'" \
       -c "ALTER EXTENSION nps_ext UPDATE" -c "SET search_path = ''" \
       -c "SELECT e.extversion, k.summary, round(c.low::numeric, 1), round(c.high::numeric, 1)
           FROM public.kept k, pg_catalog.pg_extension e, public.nps_ci(k.summary, 0.95, 'wald') c
           WHERE e.extname = 'nps_ext'" | xargs)"
"$ROOT/scripts/cluster.sh" stop $cluster

quietly dpkg -r $name
check "dpkg -r: removed exactly the package's files" "$before" "$(listing)"
check "dpkg -r: not installed" "" "$(dpkg-query -W -f='${Status}' $name 2>/dev/null | grep 'install ok installed' || true)"

echo "package: $passed passed, $failed failed"
[ "$failed" = 0 ]
