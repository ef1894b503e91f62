"""Run the Python examples of docs/clients.md and compare what they print.

The page's ```sql blocks are checked by tests/docs/check_docs.py; here they only set up the
data, in a database of this test's own (nps_clients_docs). Then every ```python block runs, in
order and in one namespace, with PGDATABASE pointing there and examples/psycopg on sys.path, and
what it prints must equal the ```output block under it (a block without one must print
nothing). --accept rewrites the output blocks (review the diff). Last line: "docs-python: N
passed, M failed".
"""
import contextlib
import io
import os
import re
import sys
import traceback
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "clients.md"
DB = "nps_clients_docs"
FENCE = re.compile(r"^```(sql|python|output)\n(.*?)^```\n", re.S | re.M)


def main():
    accept = "--accept" in sys.argv
    page = PAGE.read_text()
    blocks = [(m.group(1), m.group(2), m.start(), m.end()) for m in FENCE.finditer(page)]
    with psycopg.connect(dbname="postgres", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {DB}")
    with psycopg.connect(dbname=DB, autocommit=True) as conn:
        for kind, body, _, _ in blocks:
            if kind == "sql":
                try:
                    conn.execute(body)
                except psycopg.Error:
                    pass  # the page shows some errors on purpose; check_docs.py checks them
    os.environ["PGDATABASE"] = DB
    sys.path.insert(0, str(ROOT / "examples" / "psycopg"))
    namespace, passed, failed, edits = {"__name__": "__docs__"}, 0, 0, []
    for i, (kind, body, start, end) in enumerate(blocks):
        if kind != "python":
            continue
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            try:
                exec(compile(body, f"{PAGE.name}:{page[:start].count(chr(10)) + 2}", "exec"), namespace)
            except Exception:
                traceback.print_exc(file=out)
        actual = out.getvalue().rstrip("\n")
        nxt = blocks[i + 1] if i + 1 < len(blocks) and blocks[i + 1][0] == "output" else None
        shown = nxt[1].rstrip("\n") if nxt else ""
        if actual == shown:
            passed += 1
        else:
            failed += 1
            line = page[:start].count("\n") + 1
            print(f"FAILED: {PAGE.name}:{line}: printed\n{actual}\nbut the page shows\n{shown}")
            edits.append((nxt, end, actual))
    if accept:
        for nxt, end, actual in reversed(edits):
            if nxt:
                page = page[:nxt[2]] + (f"```output\n{actual}\n```\n" if actual else "") + page[nxt[3]:]
            elif actual:
                page = page[:end] + f"\n```output\n{actual}\n```\n" + page[end:]
        PAGE.write_text(page)
    for closing in [v for v in namespace.values() if isinstance(v, psycopg.Connection)]:
        closing.close()
    with psycopg.connect(dbname="postgres", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE {DB} WITH (FORCE)")
    print(f"docs-python: {passed} passed, {failed} failed")
    return 1 if failed and not accept else 0


if __name__ == "__main__":
    sys.exit(main())
