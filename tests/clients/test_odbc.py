"""nps_ext through ODBC, as Excel and Tableau on Windows reach PostgreSQL: Debian's psqlODBC
(odbc-postgresql) under unixODBC, driven by pyodbc. With the driver's defaults (server-side
prepare, which sends string parameters untyped; types it does not know reported as varchar of
255 characters) and the recommended settings (UnknownsAsLongVarchar=1, so a weighted summary's
text, often longer, is reported as long varchar). Every binding runs 6 times on one cursor (one
prepared statement); expected values are computed here from the raw answers. The database is set
up with psycopg. Connection from PGHOST (a socket directory), PGPORT, PGUSER. Last line: "odbc:
N passed, M failed".
"""
import math
import os
import sys
import traceback
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import psycopg
import pyodbc
from expected import adjusted_wald, check, close, counts, exact, nps16, results, same, text, wald_margin

HERE = Path(__file__).resolve().parent
DB = "nps_clients_odbc"
TIMES = 6


def group(name, body):
    try:
        body()
    except Exception:
        results["failed"] += 1
        print(f"FAILED: {name} raised")
        traceback.print_exc(file=sys.stdout)


def sqlstate(cursor, sql, *params):
    try:
        cursor.execute(sql, *params)
        cursor.fetchall()
        return "no error"
    except pyodbc.Error as e:
        return e.args[0]


def parsed(s):
    return tuple(int(x) for x in s[3:].split(";")[0].split(","))


def repeated(cursor, name, sql, params, verify):
    for i in range(TIMES):
        cursor.execute(sql, *params)
        verify(cursor.fetchone(), f"{name} ({i + 1})")


def suite(cursor, cfg, recommended, rows):
    free = counts(s for p, s in rows if p == "free")
    pro = counts(s for p, s in rows if p == "pro")
    everything = counts(s for _, s in rows)
    merged = tuple(a + b for a, b in zip(free, pro))

    def strings():
        cursor.execute("TRUNCATE stored")
        for i in range(TIMES):
            cursor.execute("INSERT INTO stored VALUES (?, ?)", i, text(free))
        cursor.execute("SELECT summary FROM stored ORDER BY id")
        same(f"{cfg}: summaries stored and read back", [text(free)] * TIMES, [r[0] for r in cursor.fetchall()])
        repeated(cursor, f"{cfg}: nps(?)", "SELECT nps(?)", [text(free)], lambda r, n: same(n, nps16(free), r[0]))
        repeated(cursor, f"{cfg}: rollup over VALUES of parameters", "SELECT rollup(s), nps(rollup(s)) FROM (VALUES (?), (?)) t(s)",
                 [text(free), text(pro)], lambda r, n: same(n, (text(merged), nps16(merged)), (r[0], r[1])))
        repeated(cursor, f"{cfg}: nps_test(?, ?)", "SELECT difference FROM nps_test(?, ?)", [text(pro), text(free)],
                 lambda r, n: check(n, close(exact(pro) - exact(free), r[0]), r[0]))
        repeated(cursor, f"{cfg}: nps_margin(?, ?)", "SELECT nps_margin(?, ?)", [text(free), 0.95],
                 lambda r, n: check(n, close(wald_margin(free), r[0]), r[0]))
    group(f"{cfg}: summaries as parameters", strings)

    def floats():
        names = ["detractor"] * 7 + ["passive"] * 2 + ["promoter"] * 2
        for v in range(11):
            repeated(cursor, f"{cfg}: nps_category({v}.0)", "SELECT nps_category(?)", [float(v)],
                     lambda r, n, v=v: same(n, names[v], r[0]))
        same(f"{cfg}: nps_category(9.5) is 22023", "22023", sqlstate(cursor, "SELECT nps_category(?)", 9.5))
        repeated(cursor, f"{cfg}: nps over a double precision column", "SELECT nps(fscore), nps_agg(fscore) FROM answers WHERE id > ?", [0],
                 lambda r, n: same(n, (nps16(everything), text(everything)), (r[0], r[1])))
        repeated(cursor, f"{cfg}: a category compared with a string", "SELECT count(*) FROM answers WHERE nps_category(score) = ?",
                 ["promoter"], lambda r, n: same(n, everything[9] + everything[10], r[0]))
        # psqlODBC sends every parameter untyped, numbers too: in VALUES they become text, which
        # nps() reads as a summary and refuses, naming the rule; a cast makes them answers
        same(f"{cfg}: untyped numbers in VALUES are text", "22P02",
             sqlstate(cursor, "SELECT nps(x) FROM (VALUES (?), (?)) t(x)", 10.0, 9.0))
        cursor.execute("SELECT nps(NULLIF(x, 'NaN')) FROM (VALUES (?::float8), (?::float8), (?::float8), (?::float8)) t(x)",
                       10.0, math.nan, 9.0, 3.0)
        same(f"{cfg}: NULLIF(score, 'NaN')", nps16(counts([10, 9, 3])), cursor.fetchone()[0])
    group(f"{cfg}: answers as doubles", floats)

    def figures():
        cursor.execute("SELECT nps(s) FROM (VALUES (10), (0)) t(s)")
        zero = cursor.fetchone()[0]
        same(f"{cfg}: nps() of 0", (-16, "0E-16"), (zero.as_tuple().exponent, str(zero)))
        cursor.execute("SELECT round(nps_margin(?::nps_summary)::numeric, 1)", text(free))
        same(f"{cfg}: round(margin::numeric, 1)", Decimal(str(wald_margin(free))).quantize(Decimal("0.1"), ROUND_HALF_UP),
             cursor.fetchone()[0])
    group(f"{cfg}: figures", figures)

    def records():
        low, high = adjusted_wald(free)

        def verify(r, n):
            same(f"{n}: the whole record is its text", f"({r.low},{r.high})", r.whole)
            check(f"{n}: low", close(low, r.low), r.low)
            check(f"{n}: high", close(high, r.high), r.high)
        repeated(cursor, f"{cfg}: nps_confidence_interval through LATERAL",
                 "SELECT nps_confidence_interval(s) AS whole, ci.low, ci.high FROM (SELECT ?::nps_summary AS s) t, "
                 "LATERAL nps_confidence_interval(s) ci", [text(free)], verify)
        cursor.execute("SELECT c.* FROM nps_compare(?, ?) c", text(pro), text(free))
        row = cursor.fetchone()
        same(f"{cfg}: nps_compare's columns", ["difference", "z", "p_value", "ci_low", "ci_high"], [d[0] for d in cursor.description])
        check(f"{cfg}: nps_compare difference", close(exact(pro) - exact(free), row.difference), row.difference)
    group(f"{cfg}: named composites", records)

    def order():
        cursor.execute("TRUNCATE stored")
        cursor.execute("INSERT INTO stored SELECT row_number() OVER (ORDER BY plan, day), s FROM "
                       "(SELECT plan, answered_at::date AS day, nps_agg(score) AS s FROM answers GROUP BY 1, 2) t")
        cursor.execute("SELECT id, summary FROM stored")
        stored = {r[0]: parsed(r[1]) for r in cursor.fetchall()}
        want = sorted(stored, key=lambda i: (exact(stored[i]), sum(stored[i]), stored[i], i))
        for i in range(TIMES):
            cursor.execute("SELECT id FROM stored WHERE id > ? ORDER BY summary, id", 0)
            same(f"{cfg}: ORDER BY summary ({i + 1})", want, [r[0] for r in cursor.fetchall()])
        cursor.execute("SELECT min(summary), max(summary) FROM stored")
        same(f"{cfg}: min and max", (stored[want[0]], stored[want[-1]]), tuple(parsed(s) for s in cursor.fetchone()))
    group(f"{cfg}: summaries sort", order)

    def metadata():
        # a weighted summary's text is longer than 255 characters
        cursor.execute("SELECT nps_agg(score, weight * pi() + id * 1e-7) AS weighted, nps_agg(score) AS summary, nps_category(9) AS category, "
                       "nps(score) AS nps, nps_margin(nps_agg(score)) AS margin FROM answers")
        row = cursor.fetchone()
        check(f"{cfg}: the weighted summary arrives whole", len(row.weighted) > 255 and ";squares=" in row.weighted,
              len(row.weighted))
        same(f"{cfg}: weighted counts", everything, parsed(row.weighted))
        same(f"{cfg}: Python types", [str, str, str, Decimal, float], [d[1] for d in cursor.description])
        size = 8190 if recommended else 255
        same(f"{cfg}: reported size of the summary and category columns", [size, size], [d[3] for d in cursor.description[1:3]])
    group(f"{cfg}: metadata", metadata)


def main():
    with psycopg.connect(dbname="postgres", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {DB}")
    with psycopg.connect(dbname=DB, autocommit=True) as setup:
        setup.execute((HERE / "drivers.sql").read_text())
        rows = setup.execute("SELECT plan, score FROM answers ORDER BY id").fetchall()
    base = (f"DRIVER={{PostgreSQL Unicode}};Servername={os.environ['PGHOST']};Port={os.environ['PGPORT']};"
            f"Database={DB};UID={os.environ.get('PGUSER', 'postgres')}")
    for recommended in (False, True):
        settings = ";UnknownsAsLongVarchar=1" if recommended else ""
        with pyodbc.connect(base + settings, autocommit=True) as conn:
            suite(conn.cursor(), "recommended" if recommended else "default", recommended, rows)
    print(f"odbc: {results['passed']} passed, {results['failed']} failed")
    return 1 if results["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
