#!/usr/bin/env python3
"""Read a server log written with log_line_prefix = '%m [%p] %e %u@%d %a: ' and report what a
hostile workload must never cause: a backend terminated by a signal (a crash), a PANIC, an
internal error (SQLSTATE XX000, which is also how pgrx reports a Rust panic) or a Rust panic
message. Also counts the errors by SQLSTATE, so a run shows what it provoked.

    check_server_log.py LOG [--from-byte N] [--name NAME]
Prints "NAME: N passed, M failed" over the three checks; exits 1 on any failure.
"""
import argparse, collections, re, sys

CRASH = re.compile(r"server process \(PID [0-9]+\) was terminated by signal|PANIC:")
INTERNAL = re.compile(r"\] XX000 .*ERROR:")
RUST_PANIC = re.compile(r"panicked at|RUST_BACKTRACE|called `(Option|Result)::unwrap\(\)`")
# internal errors core PostgreSQL raises for what sqlsmith sends it, not ours: untyped literals,
# and core's float8 aggregate support functions (float8_regr_sxx, ...) called with a made-up array
KNOWN = [re.compile(r"failed to find conversion function from unknown to text"),
         re.compile(r"ERROR:  float8_\w+: expected \d+-element float8 array")]
ERROR = re.compile(r"\] ([0-9A-Z]{5}) \S* ?\S*: ?ERROR:")

ap = argparse.ArgumentParser()
ap.add_argument("log")
ap.add_argument("--from-byte", type=int, default=0)
ap.add_argument("--name", default="server log")
args = ap.parse_args()
with open(args.log, errors="replace") as f:
    f.seek(args.from_byte)
    lines = f.read().splitlines()

crashes = [l for l in lines if CRASH.search(l)]
internal = [l for l in lines if INTERNAL.search(l) and not any(k.search(l) for k in KNOWN)]
known = [l for l in lines if INTERNAL.search(l) and any(k.search(l) for k in KNOWN)]
panics = [l for l in lines if RUST_PANIC.search(l)]
codes = collections.Counter(m.group(1) for l in lines for m in [re.search(r"\] ([0-9A-Z]{5}) ", l)]
                            if m and "ERROR:" in l)
print("errors by SQLSTATE: " + (", ".join(f"{c} {n}" for c, n in codes.most_common()) or "none"))
if known:
    print(f"known core internal errors, not nps_ext's: {len(known)}")
failed = 0
for name, found in [("backends terminated by a signal / PANIC", crashes), ("internal errors XX000", internal),
                    ("Rust panics", panics)]:
    print(f"{name}: {len(found)}")
    for l in found[:5]:
        print("    " + l[:400])
    failed += bool(found)
print(f"{args.name}: {3 - failed} passed, {failed} failed")
sys.exit(1 if failed else 0)
