#!/usr/bin/env python3
"""Execute every SQL example in docs/*.md and compare its output with the text shown under it.

A page is a sequence of ```sql blocks, each optionally followed by a ```text block holding
exactly what psql prints for it (aligned format, no command tags). A sql block without a text
block must print nothing. Each page runs in a fresh database (the page creates the extension).

    check_docs.py --port P --host DIR [--accept] [pages...]
--accept rewrites the text blocks with the actual output (review the diff before committing).
"""
import argparse, difflib, os, pathlib, re, subprocess, sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
FENCE = re.compile(r"^```(sql|text)\n(.*?)^```\n", re.S | re.M)
PG_CONFIG = os.environ.get("PG_CONFIG", "/usr/lib/postgresql/15/bin/pg_config")
PSQL = subprocess.run([PG_CONFIG, "--bindir"], capture_output=True, text=True, check=True).stdout.strip() + "/psql"


def blocks(page):
    """[(kind, body, start, end)] of the fenced sql/text blocks in page order."""
    return [(m.group(1), m.group(2), m.start(), m.end()) for m in FENCE.finditer(page)]


def psql(args, db, sql):
    cmd = [PSQL, "-X", "-q", "-h", args.host, "-p", str(args.port), "-U", "postgres", "-d", db,
           "-v", "VERBOSITY=default"]
    out = subprocess.run(cmd, input=sql, capture_output=True, text=True)
    text = out.stdout + out.stderr
    text = re.sub(r"^psql:<stdin>:\d+: ", "", text, flags=re.M)
    return "\n".join(line.rstrip() for line in text.splitlines()).strip("\n")


def check_page(args, path):
    page = path.read_text()
    db = "docs_" + re.sub(r"\W", "_", path.stem)
    psql(args, "postgres", f"DROP DATABASE IF EXISTS {db};")
    # roles a page makes (and drops at its end) are cluster-wide: gone before it runs again
    for role in re.findall(r"^CREATE ROLE (\w+)", page, re.M):
        psql(args, "postgres", f"DROP ROLE IF EXISTS {role};")
    psql(args, "postgres", f"CREATE DATABASE {db};")
    found = blocks(page)
    failures, edits = [], []
    for i, (kind, body, start, end) in enumerate(found):
        if kind != "sql":
            continue
        actual = psql(args, db, body)
        nxt = found[i + 1] if i + 1 < len(found) else None
        shown = nxt[1].strip("\n") if nxt and nxt[0] == "text" else None
        if (shown or "") != actual:
            line = page[:start].count("\n") + 1
            diff = "\n".join(difflib.unified_diff((shown or "").splitlines(), actual.splitlines(),
                                                  "shown", "actual", lineterm=""))
            failures.append(f"{path.name}:{line}: output differs\n{diff}")
            edits.append((nxt if shown is not None else None, end, actual))
    if args.accept:
        for nxt, end, actual in reversed(edits):
            if nxt is not None:
                page = page[:nxt[2]] + (f"```text\n{actual}\n```\n" if actual else "") + page[nxt[3]:]
            elif actual:
                page = page[:end] + f"\n```text\n{actual}\n```\n" + page[end:]
        path.write_text(page)
    psql(args, "postgres", f"DROP DATABASE IF EXISTS {db};")
    return failures, page


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--accept", action="store_true")
    parser.add_argument("pages", nargs="*")
    args = parser.parse_args()
    pages = [pathlib.Path(p) for p in args.pages] or sorted((ROOT / "docs").glob("*.md"))
    failures, examples = [], 0
    for path in pages:
        examples += sum(1 for b in blocks(path.read_text()) if b[0] == "sql")
        failures += check_page(args, path)[0]
    for f in failures:
        print(f, file=sys.stderr)
    print(f"docs: {examples - len(failures)} passed, {len(failures)} failed")
    sys.exit(1 if failures and not args.accept else 0)


if __name__ == "__main__":
    main()
