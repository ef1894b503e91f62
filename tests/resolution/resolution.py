#!/usr/bin/env python3
"""Which function or operator PostgreSQL picks, before and after: a test generated from the
catalogs that nothing resolving on the earlier release resolves differently on this one.

Two databases of one cluster: one with the previous release (CREATE EXTENSION nps_ext VERSION
'<previous>', its install script frozen in sql/), one with the current release. The names probed
are every function, aggregate and operator name of nps_ext in either (so the functions other
releases add are covered as they come), and `round`; every candidate of those names counts,
PostgreSQL's own included (min, max, =, <, +, -, round). For each name and arity, calls with
NULLs of every input type (typed, and untyped literals) and with untyped parameters (what
node-postgres and JDBC with stringtype=unspecified send) are resolved in both databases:

- typed and untyped literals: a view over the call; its resolution is the functions and operators
  the view depends on and its result type (a coercion, such as nps_category('...'), has none);
- untyped parameters: PREPARE with parameters of type unknown; the resolution is the types
  PostgreSQL infers for them (the chosen candidate's, or an error).

Checks: every call that resolved before resolves identically after, but for the reviewed changes
listed with their reason in changed_resolutions.txt (per name: any other outcome fails); the
changes are exactly those; and the calls of names that existed before (nps_ext's or
PostgreSQL's) that newly resolve equal the reviewed list in new_resolutions.txt. --accept
rewrites both lists (keeping their comments). Calls of names new in this release are counted.
Last line: "resolution: N passed, M failed".

    resolution.py --host DIR --port P [--accept]
"""
import argparse
import os
import pathlib
import subprocess
import sys
import tempfile

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[1]
PINNED = HERE / "new_resolutions.txt"
CHANGED = HERE / "changed_resolutions.txt"
PG_CONFIG = os.environ.get("PG_CONFIG", "/usr/lib/postgresql/15/bin/pg_config")
BIN = subprocess.run([PG_CONFIG, "--bindir"], capture_output=True, text=True, check=True).stdout.strip()
# the input types every call is tried with; more come from the candidates' own argument types
SMALL = ["unknown", "text", "character varying", "character", "name", "smallint", "integer", "bigint",
         "numeric", "real", "double precision", "boolean", "jsonb", "bytea", "date",
         "timestamp with time zone", "interval", "nps_summary", "nps_category", "nps_interval"]
# where one argument is varied over every type, the others are these
PARTNERS = ["unknown", "text", "character varying", "nps_summary"]

# Resolution of an expression through a view (typed NULLs and untyped literals), and of
# untyped parameters through PREPARE; 'ERROR <sqlstate>' when PostgreSQL refuses the call.
FUNCTIONS = r"""
CREATE FUNCTION pg_temp.resolve(expr text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    r text;
BEGIN
    EXECUTE 'CREATE TEMP VIEW probe AS SELECT ' || expr || ' AS x';
    -- the view's query tree names what was chosen, in the order it appears: functions,
    -- aggregates, operators, the coercions applied and the types constants were given
    SELECT coalesce(string_agg(CASE WHEN t.raw[3] IS NOT NULL THEN lower(t.raw[3])
                                    WHEN t.raw[1] = 'opno' THEN 'operator ' || t.raw[2]::oid::regoperator::text
                                    WHEN t.raw[1] = 'consttype' THEN 'const ' || t.raw[2]::oid::regtype::text
                                    ELSE t.raw[2]::oid::regprocedure::text END, ' ' ORDER BY t.n), '')
           || ' -> ' || (SELECT pg_catalog.format_type(a.atttypid, a.atttypmod) FROM pg_catalog.pg_attribute a
                         WHERE a.attrelid = 'probe'::regclass AND a.attnum = 1)
      INTO r
      FROM pg_catalog.pg_rewrite w,
           regexp_matches(w.ev_action::text, ':(funcid|opno|aggfnoid|winfnoid|consttype) (\d+)|\{(COERCEVIAIO|RELABELTYPE) ', 'g')
             WITH ORDINALITY AS t(raw, n)
     WHERE w.ev_class = 'probe'::regclass;
    DROP VIEW probe;
    RETURN r;
EXCEPTION WHEN others THEN
    RETURN 'ERROR ' || SQLSTATE;
END $$;
CREATE FUNCTION pg_temp.resolve_parameters(types text, expr text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    r text;
BEGIN
    EXECUTE format('PREPARE probe_statement(%s) AS SELECT %s', types, expr);
    SELECT 'parameters ' || parameter_types::text INTO r
    FROM pg_catalog.pg_prepared_statements WHERE name = 'probe_statement';
    DEALLOCATE probe_statement;
    RETURN r;
EXCEPTION WHEN others THEN
    RETURN 'ERROR ' || SQLSTATE;
END $$;
"""

# The names probed: every function, aggregate and operator name of nps_ext, and round.
NAMES = r"""
SELECT p.proname FROM pg_catalog.pg_proc p
JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
JOIN pg_catalog.pg_extension e ON e.oid = d.refobjid AND e.extname = 'nps_ext'
UNION
SELECT o.oprname FROM pg_catalog.pg_operator o
JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_operator'::regclass AND d.objid = o.oid AND d.deptype = 'e'
JOIN pg_catalog.pg_extension e ON e.oid = d.refobjid AND e.extname = 'nps_ext'
UNION SELECT 'round'
"""
# Every candidate of the names in names(name): kind (f function, a aggregate, w window,
# o operator), name, number of arguments, number with defaults, variadic, argument types.
CANDIDATES = r"""
SELECT p.prokind, p.proname, p.pronargs, p.pronargdefaults, p.provariadic <> 0,
       coalesce((SELECT string_agg(pg_catalog.format_type(t, NULL), ';' ORDER BY i)
                 FROM unnest(p.proargtypes::oid[]) WITH ORDINALITY u(t, i)), '')
FROM pg_catalog.pg_proc p WHERE p.proname IN (SELECT name FROM names) AND p.prokind IN ('f', 'a', 'w')
UNION ALL
SELECT 'o', o.oprname, CASE WHEN o.oprleft = 0 THEN 1 ELSE 2 END, 0, false,
       concat_ws(';', CASE WHEN o.oprleft <> 0 THEN pg_catalog.format_type(o.oprleft, NULL) END,
                 pg_catalog.format_type(o.oprright, NULL))
FROM pg_catalog.pg_operator o WHERE o.oprname IN (SELECT name FROM names)
"""
CONCRETE = "SELECT pg_catalog.format_type(oid, NULL) FROM pg_catalog.pg_type WHERE typtype <> 'p' AND typisdefined"


def psql(args, db, sql, *opts):
    out = subprocess.run([f"{BIN}/psql", "-X", "-q", "-h", args.host, "-p", str(args.port), "-U", "postgres",
                          "-d", db, "-v", "ON_ERROR_STOP=1", *opts], input=sql, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"psql failed on {db}: {out.stderr}")
    return out.stdout


def rows(args, db, sql):
    return [line.split("\t") for line in psql(args, db, sql, "-At", "-F", "\t").splitlines() if line]


def pinned_lines(path):
    return [line for line in (path.read_text().splitlines() if path.exists() else [])
            if line and not line.startswith("#")]


def literal(t):
    return "NULL" if t == "unknown" else f"NULL::{t}"


def probes_for(candidates, concrete):
    """The calls to resolve: (key, kind, expression or (parameter types, expression), name)."""
    names = {}
    for kind, name, nargs, ndefaults, variadic, argtypes in candidates:
        types = argtypes.split(";") if argtypes else []
        names.setdefault((name, kind == "o"), []).append((int(nargs), int(ndefaults), variadic == "t", types))
    every = sorted({t for c in candidates for t in (c[5].split(";") if c[5] else []) if t in concrete} | set(SMALL))
    small = [t for t in SMALL]
    calls = set()  # (name, is_operator, tuple of argument types)
    for (name, is_op), cands in names.items():
        arities = set()
        for nargs, ndefaults, variadic, types in cands:
            arities.update(range(nargs - ndefaults, nargs + 1))
        for arity in sorted(arities):
            if arity == 0:
                calls.add((name, is_op, ()))
            elif arity == 1:
                calls.update((name, is_op, (t,)) for t in every)
            elif arity == 2:
                calls.update((name, is_op, (a, b)) for a in small for b in small)
                for t in every:
                    for x in PARTNERS:
                        calls.update({(name, is_op, (t, x)), (name, is_op, (x, t)), (name, is_op, (t, t))})
            else:
                calls.add((name, is_op, ("unknown",) * arity))
            if arity >= 2:
                # each candidate's own signature, one position varied over every type
                for nargs, _, variadic, types in cands:
                    if nargs < arity or variadic:
                        continue
                    own = [t if t in concrete else "unknown" for t in types[:arity]]
                    for i in range(arity):
                        for t in (every if arity == 2 else small):
                            calls.add((name, is_op, tuple(own[:i] + [t] + own[i + 1:])))
    probes = []
    for name, is_op, types in sorted(calls):
        args = [literal(t) for t in types]
        if is_op:
            expr = f"{args[0]} {name} {args[1]}" if len(args) == 2 else f"{name} {args[0]}"
        else:
            expr = f"{name}({', '.join(args)})"
        probes.append((expr, "view", expr, name))
    # untyped parameters: all of them, and one at a time beside typed NULLs of a candidate's types
    params = set()
    for (name, is_op), cands in names.items():
        for nargs, ndefaults, variadic, types in cands:
            for arity in range(max(nargs - ndefaults, 1), nargs + 1):
                own = [t if t in concrete else "unknown" for t in types[:arity]]
                params.add((name, is_op, ("unknown",) * arity))
                for i in range(arity):
                    params.add((name, is_op, tuple(own[:i] + ["unknown"] + own[i + 1:])))
    for name, is_op, types in sorted(params):
        refs = [f"${i + 1}" for i in range(len(types))]
        if is_op:
            expr = f"{refs[0]} {name} {refs[1]}" if len(refs) == 2 else f"{name} {refs[0]}"
        else:
            expr = f"{name}({', '.join(refs)})"
        declared = ", ".join(types)
        probes.append((f"PREPARE ({declared}) {expr}", "parameters", (declared, expr), name))
    return probes


def resolve(args, db, probes, work):
    path = pathlib.Path(work) / f"{db}.tsv"
    with open(path, "w") as f:
        for key, kind, what, _ in probes:
            if kind == "view":
                f.write(f"{key}\tview\t\t{what}\n")
            else:
                f.write(f"{key}\tparameters\t{what[0]}\t{what[1]}\n")
    os.chmod(work, 0o755)
    os.chmod(path, 0o644)
    out = psql(args, db, FUNCTIONS + f"""
CREATE TEMP TABLE probes (key text, kind text, types text, expr text);
\\copy probes FROM '{path}' WITH (FORMAT text)
SET client_min_messages = error;
SELECT key, CASE kind WHEN 'view' THEN pg_temp.resolve(expr) ELSE pg_temp.resolve_parameters(types, expr) END
FROM probes;
""", "-At", "-F", "\t")
    return dict(line.split("\t", 1) for line in out.splitlines() if "\t" in line)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--accept", action="store_true")
    args = parser.parse_args()
    current = rows(args, "postgres", "SELECT default_version FROM pg_available_extensions WHERE name = 'nps_ext'")[0][0]
    releases = sorted(p.name[len("nps_ext--"):-len(".sql")] for p in (ROOT / "sql").glob("nps_ext--*.sql")
                      if "--" not in p.name[len("nps_ext--"):])
    previous = max((r for r in releases if r != current), key=lambda v: tuple(map(int, v.split("."))))
    before, after = "nps_resolution_before", "nps_resolution_after"
    for db, version in ((before, previous), (after, current)):
        psql(args, "postgres", f"DROP DATABASE IF EXISTS {db};\nCREATE DATABASE {db};")
        psql(args, db, f"CREATE EXTENSION nps_ext VERSION '{version}';")
    concrete = {r[0] for r in rows(args, after, CONCRETE)}
    names = sorted({r[0] for db in (before, after) for r in rows(args, db, NAMES)})
    listed = "CREATE TEMP TABLE names AS SELECT unnest(ARRAY[%s]::name[]) AS name;\n" % ", ".join(
        "'" + n.replace("'", "''") + "'" for n in names)
    old_candidates = rows(args, before, listed + CANDIDATES)
    candidates = {tuple(r) for r in old_candidates} | {tuple(r) for r in rows(args, after, listed + CANDIDATES)}
    probes = probes_for(sorted(candidates), concrete)
    old_names = {r[1] for r in old_candidates}  # names with a candidate before, PostgreSQL's included
    with tempfile.TemporaryDirectory(prefix="nps_resolution_") as work:
        was = resolve(args, before, probes, work)
        now = resolve(args, after, probes, work)
    for db in (before, after):
        psql(args, "postgres", f"DROP DATABASE {db};")

    # one check per name: every call of it that resolved before resolves identically, or as
    # changed_resolutions.txt says (each change there reviewed, with its reason)
    allowed = pinned_lines(CHANGED)
    changes, new_old_names, new_names = [], [], 0
    differing = set()
    for key, _, _, name in probes:
        b, a = was.get(key, "ERROR missing"), now.get(key, "ERROR missing")
        if not b.startswith("ERROR"):
            if a != b:
                changes.append(f"{key}\t{b}\t{a}")
                if changes[-1] not in allowed:
                    differing.add(name)
                    print(f"FAILED: resolves differently: {key}\n    {previous}: {b}\n    {current}: {a}")
        elif not a.startswith("ERROR"):
            if name in old_names:
                new_old_names.append(f"{key}\t{a}")
            else:
                new_names += 1
    probed = {p[3] for p in probes}
    passed, failed = len(probed - differing), len(differing)
    for path, lines, what in ((CHANGED, changes, f"calls that resolve differently in {current} than in {previous}"),
                              (PINNED, new_old_names, f"calls of names that existed in {previous} (nps_ext's and "
                                                      f"PostgreSQL's) that resolve in {current} and did not before")):
        pinned = pinned_lines(path)
        if sorted(lines) == sorted(pinned):
            passed += 1
        elif args.accept:
            comments = [line for line in (path.read_text().splitlines() if path.exists() else []) if line.startswith("#")]
            header = comments or [f"# The {what}, with what they resolve to", "# (resolution.py --accept writes this "
                                  "file; review every line)."]
            path.write_text("\n".join(header + sorted(lines)) + "\n")
            print(f"accepted {len(lines)} lines into {path}")
        else:
            failed += 1
            print(f"FAILED: the {what} differ from {path.name}:")
            for line in sorted(set(pinned) - set(lines))[:40]:
                print(f"  - {line}")
            for line in sorted(set(lines) - set(pinned))[:40]:
                print(f"  + {line}")
    print(f"{len(probes)} calls over {len(probed)} names, {previous} -> {current}: "
          f"{sum(not v.startswith('ERROR') for v in was.values())} resolved before, {len(changes)} of them differently "
          f"now ({CHANGED.name}); {len(new_old_names)} calls of existing names ({PINNED.name}) and {new_names} "
          f"of new names resolve now that did not")
    print(f"resolution: {passed} passed, {failed} failed")
    sys.exit(1 if failed and not args.accept else 0)


if __name__ == "__main__":
    main()
