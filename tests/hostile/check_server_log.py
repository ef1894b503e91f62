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
# Internal errors core PostgreSQL raises for what sqlsmith sends it, not ours. Messages that name
# the core function raising them: untyped literals, and core's float8 aggregate support functions
# (float8_regr_sxx, float8_stddev_samp, ...) called on any float8[] of the wrong length, one of
# nps_trend_append's results included, as `SELECT float8_regr_sxx('{1}')` shows without nps_ext.
CORE = [re.compile(r"failed to find conversion function from unknown to text"),
        re.compile(r"ERROR:  float8_\w+: expected \d+-element float8 array")]
# Generic ones from core functions called with raw arguments (amvalidate(0), interval(i, 7),
# intervaltypmodout(1)): core's only when the statement names nothing of nps_ext.
CORE_IF_NOT_OURS = [re.compile(r"ERROR:  cache lookup failed for operator class 0"),
                    re.compile(r"ERROR:  (unrecognized interval typmod|invalid INTERVAL typmod)")]
OURS = re.compile(r"nps|rollup")
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


def statement_of(i):
    """The STATEMENT logged after the error on line i by the same process, with its lines."""
    pid = ENTRY.match(lines[i]).group(1) if ENTRY.match(lines[i]) else None
    for j in range(i + 1, min(i + 50, len(lines))):
        m = ENTRY.match(lines[j])
        if m and m.group(1) == pid and "STATEMENT:" in lines[j]:
            body = [lines[j]]
            for k in range(j + 1, len(lines)):
                if ENTRY.match(lines[k]):
                    break
                body.append(lines[k])
            return "\n".join(body)
    return ""


def is_core(i):
    if any(k.search(lines[i]) for k in CORE):
        return True
    return any(k.search(lines[i]) for k in CORE_IF_NOT_OURS) and not OURS.search(statement_of(i))


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
