#!/usr/bin/env python3
"""A focused SQL fuzzer for nps_ext: calls every function, aggregate, operator and cast of the
extension (read from the catalog, so new ones are covered without editing this file) with
random and edge inputs: NULLs, extremes, malformed and random summary text, random and mutated
bytes through binary COPY (nps_summary_recv), random confidence and method values, GROUP BY,
window frames, FILTER and forced parallel plans.

It only drives the server; the verdict comes from the server log (check_server_log.py): no
backend terminated by a signal, no internal error (XX000, which is also how a Rust panic
surfaces), and the errors it provoked, by SQLSTATE.

    fuzz_sql.py --host DIR --port P --dbname D --user U [--statements N] [--seed S]
"""
import argparse, os, random, shutil, struct, subprocess, tempfile

PG_CONFIG = os.environ.get("PG_CONFIG", "/usr/lib/postgresql/15/bin/pg_config")
BINDIR = subprocess.run([PG_CONFIG, "--bindir"], capture_output=True, text=True, check=True).stdout.strip()

INTS = ["NULL", "0", "1", "6", "7", "8", "9", "10", "11", "-1", "2147483647", "-2147483648", "32767", "-32768",
        "9223372036854775807", "-9223372036854775808", "(random() * 12)::int - 1"]
NUMERICS = ["NULL", "9.0", "9.5", "10.000", "-0", "0.5e1", "1e-1000", "1e100", "'NaN'", "'Infinity'", "'-Infinity'",
            "6.999999999999999999999", "10.0000000000000000001", "(random() * 10)::numeric(3,1)"]
FLOATS = ["NULL", "0", "1", "0.5", "0.95", "0.99", "1e-300", "5e-324", "1e308", "-1", "-0", "2", "'NaN'",
          "'Infinity'", "'-Infinity'", "1e154", "1e155", "0.999999999999", "1e-17", "random()"]
TEXTS = ["NULL", "'wald'", "'adjusted_wald'", "''", "'WALD'", "'wilson'", "' wald'", "'adjusted_wald\u00a0'",
         "repeat('x', 10000)", "E'\\t'", "'ß'"]
SUMMARY_TEXTS = [
    "v1:0,0,0,0,0,0,0,0,0,0,0", "v1:1,2,3,4,5,6,7,8,9,10,11", "v1:0,0,0,0,0,0,0,0,0,0,9223372036854775807",
    "v1:9223372036854775807,0,0,0,0,0,0,0,0,0,1", "v1:4611686018427387904,0,0,0,0,0,0,0,0,0,4611686018427387903",
    "v1:0,0,0,0,0,0,0,0,0,1,0;weights=0,0,0,0,0,0,0,0,0,2,0;squares=4",
    "v1:0,0,0,0,0,0,0,0,0,1,0;weights=0,0,0,0,0,0,0,0,0,2,0;squares=1",
    "v1:0,0,0,0,0,0,0,0,0,2,0;weights=0,0,0,0,0,0,0,0,0,3,0;squares=4.5",
    "v1:3,0,0,0,0,0,0,0,0,0,0;weights=1e-300,0,0,0,0,0,0,0,0,0,0;squares=0",
    "v1:1,0,0,0,0,0,0,0,0,0,0;weights=1e154,0,0,0,0,0,0,0,0,0,0;squares=1e308",
    "v1:1,0,0,0,0,0,0,0,0,0,0;weights=0,0,0,0,0,0,0,0,0,0,0;squares=0",
    "v1:0,0,0,0,0,0,0,0,0,0,0;weights=0,0,0,0,0,0,0,0,0,0,0;squares=0",
    "v1:0,0,0,0,0,0,0,0,0,0,0;weights=0,0,0,0,0,0,0,0,0,0,0;squares=1",
    "v2:0,0,0,0,0,0,0,0,0,0,0", "v1:", "", " ", "v1:1,2,3", "v1:0,0,0,0,0,0,0,0,0,0,-1", "v1:0,0,0,0,0,0,0,0,0,0,1e3",
    "v1:0,0,0,0,0,0,0,0,0,0,0;weights=NaN,0,0,0,0,0,0,0,0,0,0;squares=0", "v1:\u0661,0,0,0,0,0,0,0,0,0,0",
]


def lit(s):
    return "'" + s.replace("'", "''") + "'"


def mutate_text(rng, s):
    s = list(s)
    for _ in range(rng.randint(1, 3)):
        op = rng.randrange(5)
        at = rng.randint(0, len(s))
        if op == 0 and s:
            del s[min(at, len(s) - 1)]
        elif op == 1:
            s.insert(at, rng.choice([",", ";", ":", "=", " ", "\t", "-", "9", "e", "\u00a0", "\u3000", "x", "9" * 30]))
        elif op == 2:
            s = s[:at]
        elif op == 3 and s:
            i = min(at, len(s) - 1)
            s[i] = chr(rng.randrange(32, 0x2fff))
        else:
            s.insert(at, rng.choice(["weights=", "squares=", "v1:", ";"]))
    return "".join(s)


def varint(v):
    out = bytearray()
    while True:
        b = v & 0x7F
        v >>= 7
        if v == 0:
            out.append(b)
            return bytes(out)
        out.append(b | 0x80)


def random_summary_bytes(rng):
    weighted = rng.random() < 0.5
    counts = [rng.choice([0, 0, 1, 5, 127, 128, 300, 2 ** 62, 2 ** 63 - 1]) for _ in range(11)]
    out = bytes([1, 1 if weighted else 0]) + b"".join(varint(c) for c in counts)
    if weighted:
        sums = [0.0 if c == 0 else c * rng.choice([0.5, 1.0, 2.0]) for c in counts]
        squares = sum(s * s / c for s, c in zip(sums, counts) if c) * rng.choice([1.0, 1.0, 0.5, 2.0])
        out += b"".join(struct.pack("<d", x) for x in sums + [squares])
    return out


def mutate_bytes(rng, b):
    b = bytearray(b)
    for _ in range(rng.randint(0, 3)):
        op = rng.randrange(6)
        if op == 0 and b:
            b[rng.randrange(len(b))] ^= 1 << rng.randrange(8)
        elif op == 1:
            del b[rng.randint(0, len(b)):]
        elif op == 2:
            b[rng.randint(0, len(b)):rng.randint(0, len(b))] = bytes(rng.randrange(256) for _ in range(rng.randrange(10)))
        elif op == 3 and len(b) > 2:
            at = rng.randrange(2, len(b))
            b[at:at] = rng.choice([b"\x80\x00", b"\xff" * 10, b"\x80" * 9 + b"\x01", varint(2 ** 64 - 1)])
        elif op == 4 and len(b) >= 8:
            at = rng.randrange(len(b) - 7)
            b[at:at + 8] = struct.pack("<d", rng.choice([float("nan"), float("inf"), -0.0, -1.0, 5e-324, 1.7e308]))
        elif op == 5 and b:
            b[rng.randrange(min(2, len(b)))] = rng.randrange(256)
    return bytes(b)


def copy_file(rows):
    """A binary COPY file with one bytea-like field per row (the raw bytes of a summary)."""
    out = bytearray(b"PGCOPY\n\xff\r\n\x00" + struct.pack(">ii", 0, 0))
    for r in rows:
        out += struct.pack(">hi", 1, len(r)) + r
    out += struct.pack(">h", -1)
    return bytes(out)


class Generator:
    def __init__(self, rng, functions, schema):
        self.rng, self.functions, self.schema = rng, functions, schema

    def summary_expr(self):
        r = self.rng.random()
        if r < 0.25:
            return "(SELECT s FROM daily ORDER BY random() LIMIT 1)"
        if r < 0.4:
            return "(SELECT w FROM daily ORDER BY random() LIMIT 1)"
        if r < 0.75:
            return lit(self.rng.choice(SUMMARY_TEXTS)) + "::nps_summary"
        if r < 0.9:
            return lit(mutate_text(self.rng, self.rng.choice(SUMMARY_TEXTS))) + "::nps_summary"
        return "NULL::nps_summary"

    def value(self, typ):
        rng = self.rng
        if typ in ("smallint", "integer", "bigint"):
            return f"({rng.choice(INTS)})::{typ}"
        if typ == "numeric":
            return f"({rng.choice(NUMERICS + INTS)})::numeric"
        if typ == "double precision":
            return f"({rng.choice(FLOATS)})::double precision"
        if typ == "text":
            return rng.choice(TEXTS)
        if typ == "nps_summary":
            return self.summary_expr()
        if typ == "nps_summary[]":
            return f"ARRAY[{self.summary_expr()}, {self.summary_expr()}]"
        if typ == "double precision[]":
            return f"ARRAY[{rng.choice(FLOATS)}, {rng.choice(FLOATS)}]::double precision[]"
        return f"NULL::{typ}"

    def column(self, typ):
        """An answers/daily column (or expression) of the type, for aggregates."""
        rng = self.rng
        cols = {
            "smallint": ["score_small", "(score % 12)::smallint", "NULL::smallint"],
            "integer": ["score", "score + (random() < 0.01)::int * 5", "NULL::int"],
            "bigint": ["score::bigint", "id % 11"],
            "numeric": ["score_num", "score / 1.0", "score + 0.5 * (id % 500 = 0)::int"],
            "double precision": ["weight", "weight * 1e150", "1.0", "-weight", "weight / 0.0 * 0"],
            "nps_summary": ["s", "w", "CASE WHEN day_n % 2 = 0 THEN s ELSE w END"],
        }
        if typ in cols and rng.random() < 0.85:
            return rng.choice(cols[typ])
        return self.value(typ)

    def call(self, fn):
        rng = self.rng
        name, types, ndefaults, kind = fn
        n = len(types) - rng.randint(0, ndefaults)
        q = f"{self.schema}.{name}"
        if kind == "a":
            args = ", ".join(self.column(t) for t in types[:n])
            table = "daily" if "nps_summary" in types else "answers"
            form = rng.randrange(4)
            if form == 0:
                return f"SELECT {q}({args}) FROM {table}"
            if form == 1:
                return f"SELECT plan, {q}({args}) FROM {table} GROUP BY plan"
            if form == 2:
                frame = rng.choice(["ROWS 3 PRECEDING", "ROWS BETWEEN 2 PRECEDING AND 1 FOLLOWING",
                                    "RANGE BETWEEN '6 days' PRECEDING AND CURRENT ROW", ""])
                return (f"SELECT count(x::text) FROM (SELECT {q}({args}) OVER (PARTITION BY plan ORDER BY day "
                        f"{frame}) AS x FROM {table}) t")
            return f"SELECT {q}({args}) FILTER (WHERE id % 3 = 0) FROM {table} WHERE id % 7 <> 0"
        if kind == "w":  # window functions (nps_adjust_p): over a partition of answers
            args = ", ".join(self.value(t) if rng.random() < 0.5 else self.column(t) for t in types[:n])
            order = rng.choice(["", "ORDER BY day", "ORDER BY day ROWS 2 PRECEDING"])
            return f"SELECT count(x::text) FROM (SELECT {q}({args}) OVER (PARTITION BY plan {order}) AS x FROM answers) t"
        args = ", ".join(self.value(t) for t in types[:n])
        return f"SELECT {q}({args})"

    def operator(self):
        a, b = self.summary_expr(), self.summary_expr()
        op = self.rng.choice(["+", "-", "=", "<>"])
        return f"SELECT {a} OPERATOR({self.schema}.{op}) {b}"

    def statement(self):
        rng = self.rng
        r = rng.random()
        if r < 0.7:
            return self.call(rng.choice(self.functions))
        if r < 0.85:
            return self.operator()
        if r < 0.9:
            return f"SELECT {lit(mutate_text(rng, rng.choice(SUMMARY_TEXTS)))}::nps_summary::text"
        if r < 0.95:
            return "SELECT (SELECT rollup(s) FROM daily) - s FROM daily ORDER BY random() LIMIT 5"
        return ("INSERT INTO daily (day, plan, s, w, day_n) SELECT day, plan || 'x', nps_agg(score), "
                "nps_agg(score, weight), 0 FROM answers WHERE id % 97 = 0 GROUP BY day, plan ON CONFLICT DO NOTHING")


def psql(args, sql, capture=True):
    cmd = [f"{BINDIR}/psql", "-X", "-q", "-h", args.host, "-p", str(args.port), "-U", args.user, "-d", args.dbname,
           "-v", "ON_ERROR_STOP=0"]
    return subprocess.run(cmd, input=sql, capture_output=capture, text=True)


def catalog(args):
    query = """
SELECT p.proname, pg_catalog.array_to_string(ARRAY(SELECT pg_catalog.format_type(t, NULL)
           FROM pg_catalog.unnest(p.proargtypes) t), '|'), p.pronargdefaults, p.prokind, n.nspname
FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
JOIN pg_catalog.pg_extension e ON e.oid = d.refobjid AND e.extname = 'nps_ext'
ORDER BY 1, 2"""
    out = psql(args, f"\\pset format unaligned\n\\pset tuples_only on\n\\pset fieldsep '\\t'\n{query};\n")
    functions, schema = [], "public"
    for line in out.stdout.splitlines():
        name, types, ndefaults, kind, schema = line.split("\t")
        types = types.split("|") if types else []
        if any(t in ("internal", "cstring") for t in types):
            continue  # support and I/O functions: not callable with SQL values
        functions.append((name, types, int(ndefaults), kind))
    return functions, schema


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", required=True)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--dbname", required=True)
    ap.add_argument("--user", required=True)
    ap.add_argument("--statements", type=int, default=20000)
    ap.add_argument("--seed", type=int, default=None)
    args = ap.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    rng = random.Random(seed)
    functions, schema = catalog(args)
    if not functions:
        raise SystemExit("no nps_ext functions found")
    gen = Generator(rng, functions, schema)
    tmp = tempfile.mkdtemp(prefix="nps_fuzz_sql_")
    batches, done = [], 0
    while done < args.statements:
        lines = ["SET statement_timeout = '5s';"]
        for i in range(min(500, args.statements - done)):
            if rng.random() < 0.05:
                lines.append(rng.choice([
                    "SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0; "
                    "SET max_parallel_workers_per_gather = 2;",
                    "RESET parallel_setup_cost; RESET parallel_tuple_cost; RESET min_parallel_table_scan_size;",
                    "SET work_mem = '64kB';", "RESET work_mem;", "SET enable_hashagg = off;", "RESET enable_hashagg;"]))
            if rng.random() < 0.02:
                # random and mutated bytes through binary receive
                rows = [mutate_bytes(rng, random_summary_bytes(rng)) for _ in range(1)]
                path = os.path.join(tmp, f"copy{done}_{i}.bin")
                with open(path, "wb") as f:
                    f.write(copy_file(rows))
                lines.append(f"\\copy received FROM '{path}' (FORMAT binary)")
            lines.append(gen.statement() + ";")
        done += min(500, args.statements - done)
        batches.append("\n".join(lines) + "\n")
    errors = 0
    for sql in batches:
        out = psql(args, sql)
        errors += out.stderr.count("ERROR:")
        if "server closed the connection" in out.stderr or "connection to server" in out.stderr:
            print(out.stderr[-2000:])
            print(f"fuzz_sql: the server went away (seed {seed})")
            break
    shutil.rmtree(tmp, ignore_errors=True)
    print(f"fuzz_sql: {args.statements} statements over {len(functions)} functions (seed {seed}), "
          f"{errors} errors raised")


if __name__ == "__main__":
    main()
