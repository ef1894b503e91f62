"""Run the examples of docs/clients.md that are not SQL and compare what they print.

The page's ```sql blocks are checked by tests/docs/check_docs.py; here they only set up the
data, in a database of this test's own (nps_clients_docs). Then, each with what the ```output
block under it shows (a block without one must print nothing):
- every ```python block runs, in order and in one namespace, with PGDATABASE pointing there and
  examples/psycopg on sys.path (psycopg, SQLAlchemy, pandas, asyncpg, pyodbc);
- the ```java blocks run in order as the body of one main method (JDBC; compiled once), the
  page's localhost:5432/analytics standing for the test cluster (over TCP, forward.py);
- the ```javascript blocks run in order in one async function (node-postgres, NODE_PATH);
- every ```grafana block (a panel's query, with from=... to=... for the dashboard's range) is
  expanded as Grafana's PostgreSQL data source expands its macros (macros.go) and must equal
  the next ```sql block, which check_docs.py runs.
--accept rewrites the output blocks (review the diff). Last line: "docs-clients: N passed, M
failed".
"""
import contextlib
import io
import os
import re
import subprocess
import sys
import tempfile
import traceback
from datetime import datetime, timezone
from pathlib import Path

import psycopg

import forward
import javac

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "clients.md"
DB = "nps_clients_docs"
FENCE = re.compile(r"^```(sql|python|javascript|java|grafana|output)([^\n]*)\n(.*?)^```\n", re.S | re.M)
MARK = "@@block"


def run_python(blocks, namespace):
    outputs = []
    for body, line in blocks:
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            try:
                exec(compile(body, f"{PAGE.name}:{line}", "exec"), namespace)
            except Exception:
                traceback.print_exc(file=out)
        outputs.append(out.getvalue())
    return outputs


def split(text, n):
    """The output of n blocks run one after another, each announced by a marker line."""
    parts = re.split(rf"^{MARK} (\d+)\n", text, flags=re.M)
    outputs = [""] * n
    outputs[0] = parts[0]  # anything before the first marker (a compile error)
    for i in range(1, len(parts) - 1, 2):
        outputs[int(parts[i])] += parts[i + 1]
    return outputs


def run_java(blocks):
    if not blocks:
        return []
    port = forward.listen(os.environ["PGHOST"], os.environ["PGPORT"])
    # the page's URL names localhost:5432/analytics: here it is read from the environment, so
    # the program's text (and its compiled classes, kept) does not change with the port
    body = "".join(f'System.out.println("{MARK} {i}");\n{b}\n' for i, (b, _) in enumerate(blocks))
    body = body.replace("localhost:5432/analytics", '" + System.getenv("NPS_DOCS_JDBC_TARGET") + "')
    source = ("import java.math.*;\nimport java.sql.*;\nimport java.util.*;\nimport org.postgresql.util.PGobject;\n"
              "public class DocsJava {\n    public static void main(String[] args) throws Exception {\n"
              f"{body}    }}\n}}\n")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "DocsJava.java"
        path.write_text(source)
        try:
            classes = javac.compiled([path], "docs")
        except subprocess.CalledProcessError as e:
            return [f"javac failed: {e}"] * len(blocks)
    os.environ["NPS_DOCS_JDBC_TARGET"] = f"127.0.0.1:{port}/{DB}"
    run = javac.run(classes, "DocsJava")
    outputs = split(run.stdout, len(blocks))
    if run.returncode:
        outputs[-1] += run.stderr
    return outputs


def run_javascript(blocks):
    if not blocks:
        return []
    body = "".join(f"console.log('{MARK} {i}');\n{b}\n" for i, (b, _) in enumerate(blocks))
    source = f"(async () => {{\n{body}}})().catch((e) => {{ console.log(e.stack || String(e)); process.exit(1); }});\n"
    run = subprocess.run(["node", "-e", source], capture_output=True, text=True)
    return split(run.stdout + run.stderr, len(blocks))


# ---- Grafana's macros, as its PostgreSQL data source expands them ----------------------------
MACRO = re.compile(r"\$([_a-zA-Z0-9]+)\(([^\)]*)\)")
UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def seconds(interval):
    m = re.fullmatch(r"(\d+)([smhdw])", interval.strip("'"))
    value = int(m.group(1)) * UNITS[m.group(2)]
    return str(value)  # Go's %v of a whole float64


def rfc3339(moment):
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def expand(sql, start, end):
    def replace(m):
        name, args = m.group(1), [a.strip(" ") for a in m.group(2).split(",")]
        # $__timeGroup right before a comma is the column form (Grafana's pre-5.3 compatibility)
        at = sql.find(m.group(0)) + len(m.group(0))
        if name == "__timeGroup" and at < len(sql) and sql[at] == ",":
            name = "__timeGroupAlias"
        if name in ("__timeGroup", "__timeGroupAlias"):
            secs = seconds(args[1])
            group = f"floor(extract(epoch from {args[0]})/{secs})*{secs}"
            return group + (' AS "time"' if name == "__timeGroupAlias" else "")
        if name == "__timeFilter":
            return f"{args[0]} BETWEEN '{rfc3339(start)}' AND '{rfc3339(end)}'"
        if name == "__timeFrom":
            return f"'{rfc3339(start)}'"
        if name == "__timeTo":
            return f"'{rfc3339(end)}'"
        raise ValueError(f"macro {name} is not expanded by this test")
    return MACRO.sub(replace, sql)


def main():
    accept = "--accept" in sys.argv
    page = PAGE.read_text()
    blocks = [(m.group(1), m.group(2), m.group(3), m.start(), m.end()) for m in FENCE.finditer(page)]
    with psycopg.connect(dbname="postgres", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {DB}")
    with psycopg.connect(dbname=DB, autocommit=True) as conn:
        for kind, _, body, _, _ in blocks:
            if kind == "sql":
                try:
                    conn.execute(body)
                except psycopg.Error:
                    pass  # the page shows some errors on purpose; check_docs.py checks them
    os.environ["PGDATABASE"] = DB
    sys.path.insert(0, str(ROOT / "examples" / "psycopg"))

    line_of = {start: page[:start].count("\n") + 2 for _, _, _, start, _ in blocks}
    by_kind = {k: [(i, body, line_of[start]) for i, (kind, _, body, start, _) in enumerate(blocks) if kind == k]
               for k in ("python", "java", "javascript")}
    namespace = {"__name__": "__docs__"}
    actual = {}
    for kind, runner in (("python", lambda b: run_python(b, namespace)), ("java", run_java), ("javascript", run_javascript)):
        outputs = runner([(body, line) for _, body, line in by_kind[kind]])
        for (i, _, _), out in zip(by_kind[kind], outputs):
            actual[i] = out.rstrip("\n")

    passed, failed, edits = 0, 0, []
    for i, (kind, info, body, start, end) in enumerate(blocks):
        line = page[:start].count("\n") + 1
        if kind == "grafana":
            options = dict(o.split("=", 1) for o in info.split())
            start_at, end_at = (datetime.fromisoformat(options[k].replace("Z", "+00:00")) for k in ("from", "to"))
            nxt = next((b for b in blocks[i + 1:] if b[0] == "sql"), None)
            want = " ".join(expand(body, start_at, end_at).split())
            shown = " ".join(nxt[2].strip().rstrip(";").split()) if nxt else ""
            if want == shown:
                passed += 1
            else:
                failed += 1
                print(f"FAILED: {PAGE.name}:{line}: Grafana expands the panel's query to\n{want}\nbut the page shows\n{shown}")
            continue
        if i not in actual:
            continue
        nxt = blocks[i + 1] if i + 1 < len(blocks) and blocks[i + 1][0] == "output" else None
        shown = nxt[2].rstrip("\n") if nxt else ""
        if actual[i] == shown:
            passed += 1
        else:
            failed += 1
            print(f"FAILED: {PAGE.name}:{line}: printed\n{actual[i]}\nbut the page shows\n{shown}")
            edits.append((nxt, end, actual[i]))
    if accept:
        for nxt, end, out in sorted(edits, key=lambda e: -e[1]):
            if nxt:
                page = page[:nxt[3]] + (f"```output\n{out}\n```\n" if out else "") + page[nxt[4]:]
            elif out:
                page = page[:end] + f"\n```output\n{out}\n```\n" + page[end:]
        PAGE.write_text(page)
    for closing in [v for v in namespace.values() if isinstance(v, psycopg.Connection)]:
        closing.close()
    with psycopg.connect(dbname="postgres", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE {DB} WITH (FORCE)")
    print(f"docs-clients: {passed} passed, {failed} failed")
    return 1 if failed and not accept else 0


if __name__ == "__main__":
    sys.exit(main())
