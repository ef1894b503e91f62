#!/usr/bin/env python3
"""Every error path leaves the connection usable: in ONE psql session, run every bad input
shown in docs/*.md (with the page's examples before it, so its tables exist) and one input of
every rejection class the fuzzers report (text, binary receive through binary COPY, answers,
weights, statistics parameters, merges), each followed by a statement that must succeed in the
same backend (same pg_backend_pid). Each bad value must fail with a class-22 SQLSTATE; an error
the docs show for a mistake in the SQL itself (an untyped literal, say) must fail, with its own
class.

    errors_recover.py --host DIR --port P
Prints "errors-recover: N passed, M failed" (one per bad input).
"""
import argparse, os, pathlib, re, shutil, struct, subprocess, sys, tempfile

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "docs"))
from check_docs import blocks  # noqa: E402  (the docs' own block parser)

PG_CONFIG = os.environ.get("PG_CONFIG", "/usr/lib/postgresql/15/bin/pg_config")
PSQL = subprocess.run([PG_CONFIG, "--bindir"], capture_output=True, text=True, check=True).stdout.strip() + "/psql"
Z = "0,0,0,0,0,0,0,0,0,0"

# one text input per FormatError kind (src/encoding.rs), as the fuzzer counts them
TEXT = {
    "Empty": "", "UnknownVersion": "v2:0,0,0,0,0,0,0,0,0,0,0", "WrongCount": "v1:1,2,3",
    "Negative": "v1:-1," + Z, "Overflow": "v1:9223372036854775808," + Z, "NotANumber": "v1:1x," + Z,
    "BadWeight": f"v1:1,{Z};weights=NaN,{Z};squares=1", "BadWeights": f"v1:1,{Z};weighs=1",
    "WeightWithoutAnswers": f"v1:0,{Z};weights=1,{Z};squares=1",
    "TooManyResponses": "v1:9223372036854775807,0,0,0,0,0,0,0,0,0,1",
    "ImpossibleSquares": f"v1:1,{Z};weights=2,{Z};squares=1",
    "NotUtf8-like odd unicode": "v1:\u0661," + Z,
}


def varints(counts):
    out = bytearray()
    for v in counts:
        while True:
            b, v = v & 0x7F, v >> 7
            out.append(b | (0x80 if v else 0))
            if not v:
                break
    return bytes(out)


ZEROS = varints([0] * 10)
WEIGHT2 = struct.pack("<11d", 2.0, *[0.0] * 10)
# one binary input per FormatError kind of the binary decoder
BINARY = {
    "Empty": b"", "UnknownVersion": b"\x02\x00" + varints([0] * 11), "UnknownFlags": b"\x01\x04" + varints([0] * 11),
    "Truncated": b"\x01\x00\x00\x00", "TrailingBytes": b"\x01\x00" + varints([0] * 11) + b"\x00",
    "Overflow": b"\x01\x00" + varints([1 << 63]) + ZEROS, "BadVarint": b"\x01\x00" + b"\xff" * 11 + ZEROS,
    "NonMinimalVarint": b"\x01\x00\x85\x00" + ZEROS,
    "TooManyResponses": b"\x01\x00" + varints([(1 << 63) - 1, 1]) + varints([0] * 9),
    "BadWeight": b"\x01\x01" + varints([1]) + ZEROS + struct.pack("<12d", float("nan"), *[0.0] * 11),
    "WeightWithoutAnswers": b"\x01\x01" + varints([0] * 11) + struct.pack("<12d", 1.0, *[0.0] * 10, 1.0),
    "ImpossibleSquares": b"\x01\x01" + varints([1]) + ZEROS + WEIGHT2 + struct.pack("<d", 1.0),
}

# the other rejection classes: answers, weights, statistics parameters, merges
OTHER = [
    "SELECT nps(11)", "SELECT nps(9.5)", "SELECT nps('NaN'::numeric)", "SELECT nps(1e100)",
    "SELECT nps_category(-1)", "SELECT nps(9, -1.0)", "SELECT nps_agg(9, 'Infinity')",
    "SELECT nps_agg(s, 1e154) FROM (VALUES (9), (10)) v(s)",
    "SELECT nps_margin('v1:1,2,3,4,5,6,7,8,9,10,11', 1.0)", "SELECT nps_ci_low('v1:1,2,3,4,5,6,7,8,9,10,11', 0.95, 'wilson')",
    "SELECT nps_sample_size(0)", "SELECT nps_sample_size(1e-300)",
    "SELECT nps_sample_size(5, promoters => 0.7, detractors => 0.4)",
    "SELECT 'v1:1,0,0,0,0,0,0,0,0,0,0'::nps_summary - 'v1:0,0,0,0,0,0,0,0,0,0,1'",
    "SELECT 'v1:0,0,0,0,0,0,0,0,0,0,9223372036854775807'::nps_summary + 'v1:0,0,0,0,0,0,0,0,0,0,1'",
    f"SELECT 'v1:1,{Z};weights=2,{Z};squares=4'::nps_summary + 'v1:1,{Z}'",
    f"SELECT rollup(s) FROM (VALUES ('v1:1,{Z};weights=2,{Z};squares=4'::nps_summary), ('v1:1,{Z}')) v(s)",
    "SELECT nps_impact('v1:0,0,0,0,0,0,0,0,0,0,5', 'v1:0,0,0,0,0,0,0,0,0,0,1')",
    # 0.3.0: many segments at once (the window function fails while its partition is read)
    "SELECT nps_adjust_p(p) OVER () FROM (VALUES (0.5), (1.5)) v(p)",
    "SELECT nps_adjust_p(p, m) OVER () FROM (VALUES (0.5, 'holm'), (0.1, 'bh')) v(p, m)",
    "SELECT nps_adjust_p(0.5, NULL) OVER ()", "SELECT nps_adjust_p(0.5, 'fdr') OVER ()",
    f"SELECT nps_shrink('v1:1,{Z}', 'v1:1,{Z}', -1)", f"SELECT nps_shrink_interval('v1:1,{Z}', 'v1:1,{Z}', 1, 1)",
    "SELECT nps_detectable_change(0, 400)", "SELECT nps_detectable_change(400, 400, power => 1)",
]


def copy_file(path, payload):
    with open(path, "wb") as f:
        f.write(b"PGCOPY\n\xff\r\n\x00" + struct.pack(">ii", 0, 0))
        f.write(struct.pack(">hi", 1, len(payload)) + payload + struct.pack(">h", -1))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", required=True)
    ap.add_argument("--port", type=int, required=True)
    args = ap.parse_args()
    base = [PSQL, "-X", "-q", "-h", args.host, "-p", str(args.port), "-U", "postgres"]
    subprocess.run(base + ["-d", "postgres", "-c", "DROP DATABASE IF EXISTS errors_recover",
                           "-c", "CREATE DATABASE errors_recover"], check=True, capture_output=True)
    tmp = tempfile.mkdtemp(prefix="nps_errors_recover_")
    os.chmod(tmp, 0o755)  # the server reads the COPY files
    script = ["\\set ON_ERROR_STOP 0", "CREATE EXTENSION nps_ext SCHEMA public;",
              "CREATE TABLE received (s nps_summary);", "SELECT pg_backend_pid() AS pid \\gset"]
    cases = []
    data_errors = set()  # the cases that must fail with a class-22 SQLSTATE

    def bad(name, statement, data=True):
        n = len(cases)
        cases.append(name)
        if data:
            data_errors.add(n)
        script.append(f"\\echo @@begin {n}")
        script.append(statement)
        script.append(f"\\echo @@case {n} :ERROR :SQLSTATE")
        script.append(f"SELECT '@@usable {n} ' || (pg_backend_pid() = :pid) || ' ' || (nps(9) = 100) AS usable;")

    for page in sorted((ROOT / "docs").glob("*.md")):
        found = blocks(page.read_text())
        schema = "page_" + re.sub(r"\W", "_", page.stem)
        script.append(f"CREATE SCHEMA {schema}; SET search_path = {schema}, public;")
        for i, (kind, body, _, _) in enumerate(found):
            if kind != "sql":
                continue
            shown = found[i + 1][1] if i + 1 < len(found) and found[i + 1][0] == "text" else ""
            if "ERROR:" in shown:
                # an error the page shows for a mistake in the SQL (e.g. 42725, an untyped
                # literal) or for the table's own constraint (23502, NOT NULL) is not nps_ext
                # judging a value: it must fail, but need not be class 22
                sql_mistake = re.search(r"ERROR:  (function|operator) .* is not unique"
                                        r"|violates (not-null|check|unique|foreign key) constraint", shown)
                bad(f"{page.name}: {body.strip().splitlines()[0][:60]}", body.strip(), data=not sql_mistake)
            else:
                script.append(f"\\o /dev/null\n{body.strip()}\n\\o")
        script.append("RESET search_path;")
    for kind, text in TEXT.items():
        literal = "'" + text.replace("'", "''") + "'"
        bad(f"text {kind}", f"SELECT {literal}::nps_summary;")
    for kind, payload in BINARY.items():
        path = os.path.join(tmp, f"{kind}.bin")
        copy_file(path, payload)
        os.chmod(path, 0o644)
        # server-side COPY: a query, so psql sets ERROR and SQLSTATE on every version
        bad(f"binary {kind}", f"COPY received FROM '{path}' (FORMAT binary);")
    for statement in OTHER:
        bad(statement[:70], statement + ";")

    out = subprocess.run(base + ["-d", "errors_recover", "-At"], input="\n".join(script) + "\n",
                         capture_output=True, text=True)
    results = {}
    for line in out.stdout.splitlines():
        m = re.match(r"@@case (\d+) (\S+) (\S*)", line)
        if m:
            results.setdefault(int(m.group(1)), {})["error"] = (m.group(2), m.group(3))
        m = re.match(r"@@usable (\d+) (\S+) (\S+)", line)
        if m:
            results.setdefault(int(m.group(1)), {})["usable"] = (m.group(2), m.group(3))
    passed = failed = 0
    for n, name in enumerate(cases):
        r = results.get(n, {})
        error, usable = r.get("error"), r.get("usable")
        ok = (error is not None and error[0] == "true"
              and (error[1].startswith("22") or n not in data_errors)
              and usable == ("true", "true"))
        if ok:
            passed += 1
        else:
            failed += 1
            print(f"FAILED {name}: error {error}, next statement {usable}")
    codes = sorted({r["error"][1] for r in results.values() if "error" in r})
    print(f"{len(cases)} bad inputs in one session (SQLSTATEs {', '.join(codes)}), each followed by a statement "
          f"in the same backend")
    subprocess.run(base + ["-d", "postgres", "-c", "DROP DATABASE IF EXISTS errors_recover"], capture_output=True)
    shutil.rmtree(tmp, ignore_errors=True)
    print(f"errors-recover: {passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
