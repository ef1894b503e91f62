#!/usr/bin/env bash
# Fuzz every decoder of untrusted input (text in, binary receive, both parallel-state
# deserializers, the JSON form) with seeded random and mutated inputs: 0 panics, every
# rejection a typed error, every accepted input round-trips (src/fuzz.rs says what is checked).
#   fuzz.sh [CASES]   cases per decoder (default 1000000); NPS_FUZZ_SEED picks another sequence
# Runs the ignored test fuzz::fuzz_decoders of the library's unit tests (built like `cargo pgrx
# test` builds them, for NPS_FUZZ_MAJOR, default 17, so the build is shared), then prints
# "fuzz: N passed, M failed" (one per decoder).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
export NPS_PG_MAJORS=${NPS_FUZZ_MAJOR:-17}
source scripts/setup.sh
export NPS_FUZZ_CASES=${1:-1000000}
export PGRX_PG_CONFIG_PATH
PGRX_PG_CONFIG_PATH=$(pg_config_for "$NPS_PG_MAJORS")
log=$(mktemp)
status=0
cargo test --lib --no-default-features --features "pg$NPS_PG_MAJORS pg_test" \
  fuzz::fuzz_decoders -- --ignored --nocapture 2>&1 | tee "$log" | grep -v '^test result' || status=$?
passed=$(grep -cE 'panics 0  broken 0 ' "$log" || true)
failed=$(grep -cE '^[a-z].* cases .*(panics [1-9]|broken [1-9])' "$log" || true)
rm -f "$log"
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
