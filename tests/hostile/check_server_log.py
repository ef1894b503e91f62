#!/usr/bin/env python3
"""Read a server log written with log_line_prefix = '%m [%p] %e %u@%d %a: ' (and
log_error_verbosity = verbose, for the LOCATION of errors) and report what a
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
# Internal errors core PostgreSQL raises for what sqlsmith sends it (untyped literals, core's
# float8 aggregate support functions on a float8[] of the wrong length, amvalidate(0), interval
# typmods, object type abbreviations, ...), not ours. An error's LOCATION line (the server logs
# with log_error_verbosity = verbose) names the source file that raised it: core's are C files,
# nps_ext's (its ereports and caught Rust panics) Rust files. Without a LOCATION, known core
# messages decide, and anything else counts as ours.
CORE = [re.compile(r"failed to find conversion function from unknown to text"),
        re.compile(r"ERROR:  float8_\w+: expected \d+-element float8 array")]
CORE_LOCATION = re.compile(r"LOCATION:  \S+, [\w.-]+\.c:\d+")
ERROR = re.compile(r"\] ([0-9A-Z]{5}) \S* ?\S*: ?ERROR:")

ap = argparse.ArgumentParser()
ap.add_argument("log")
ap.add_argument("--from-byte", type=int, default=0)
ap.add_argument("--name", default="server log")
args = ap.parse_args()
with open(args.log, errors="replace") as f:
    f.seek(args.from_byte)
    lines = f.read().splitlines()
ENTRY = re.compile(r"^\d{4}-\d\d-\d\d \S+ \S+ \[(\d+)\]")


def location_of(i):
    """The LOCATION line logged right after the error on line i by the same process."""
    pid = ENTRY.match(lines[i]).group(1) if ENTRY.match(lines[i]) else None
    for j in range(i + 1, min(i + 5, len(lines))):
        m = ENTRY.match(lines[j])
        if m and m.group(1) == pid and "LOCATION:" in lines[j]:
            return lines[j]
    return ""


def is_core(i):
    location = location_of(i)
    if location:
        return bool(CORE_LOCATION.search(location))
    return any(k.search(lines[i]) for k in CORE)


crashes = [l for l in lines if CRASH.search(l)]
internal = [l for i, l in enumerate(lines) if INTERNAL.search(l) and not is_core(i)]
known = [l for i, l in enumerate(lines) if INTERNAL.search(l) and is_core(i)]
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
