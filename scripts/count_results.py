#!/usr/bin/env python3
"""Print "PASSED FAILED" for a test layer's log: the sum of cargo's per-binary "test result"
lines, pg_regress's verdict, or the layer's own last "N passed, M failed" line."""
import re, sys

text = open(sys.argv[1], errors="replace").read()
cargo = re.findall(r"^test result: \w+\. (\d+) passed; (\d+) failed", text, re.M)
regress_ok = re.findall(r"All (\d+) tests passed", text)
regress_bad = re.findall(r"(\d+) of (\d+) tests failed", text)
own = re.findall(r"(\d+) passed, (\d+) failed\s*$", text, re.M)
if cargo:
    print(sum(int(p) for p, _ in cargo), sum(int(f) for _, f in cargo))
elif regress_bad:
    failed, total = map(int, regress_bad[-1])
    print(total - failed, failed)
elif regress_ok:
    print(regress_ok[-1], 0)
elif own:
    print(*own[-1])
else:
    print(0, 0)
