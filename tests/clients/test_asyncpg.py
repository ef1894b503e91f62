"""nps_ext through asyncpg, which speaks the binary protocol: with its default settings (types it
has no codec for, nps_summary, travel as text) and with the recommended one (a binary codec for
nps_summary: the server's nps_summary_send and nps_summary_recv, whose bytes are those of
docs/summaries.md, decoded here by examples/psycopg's NpsSummary). The named composites
nps_interval and nps_comparison arrive in their binary form, as records with named fields.
Every binding runs 6 times on a prepared statement; expected values are computed here from the
raw answers read back. Connection from PGHOST, PGPORT, PGUSER. Last line: "asyncpg: N passed,
M failed".
"""
import asyncio
import math
import sys
import traceback
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import asyncpg
from expected import adjusted_wald, check, close, counts, exact, nps16, results, same, text, wald_margin

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "examples" / "psycopg"))
from nps_psycopg import NpsSummary  # noqa: E402

HERE = Path(__file__).resolve().parent
DB = "nps_clients_asyncpg"
TIMES = 6


async def group(name, body):
    try:
        await body()
    except Exception:
        results["failed"] += 1
        print(f"FAILED: {name} raised")
        traceback.print_exc(file=sys.stdout)


async def sqlstate(awaitable):
    try:
        await awaitable
        return "no error"
    except asyncpg.PostgresError as e:
        return e.sqlstate


async def repeated(conn, name, sql, args, verify):
    statement = await conn.prepare(sql)
    for i in range(TIMES):
        verify(await statement.fetchrow(*args), f"{name} ({i + 1})")
    return statement


async def suite(conn, cfg, recommended, rows):
    plans = {p: counts(s for q, s in rows if q == p) for p in ("free", "pro", "team")}
    free, pro, everything = plans["free"], plans["pro"], counts(s for _, s in rows)
    merged = tuple(a + b for a, b in zip(free, pro))
    # what a summary parameter is: the text form by default, an NpsSummary with the binary codec
    summary = (lambda c: NpsSummary(c)) if recommended else text
    read = (lambda s: s.counts) if recommended else (lambda s: tuple(int(x) for x in s[3:].split(",")))

    async def strings():
        await conn.execute("TRUNCATE stored")
        insert = await conn.prepare("INSERT INTO stored VALUES ($1, $2)")
        for i in range(TIMES):
            await insert.fetch(i, summary(free))
        same(f"{cfg}: summaries stored and read back", [free] * TIMES,
             [read(r["summary"]) for r in await conn.fetch("SELECT summary FROM stored ORDER BY id")])
        # nps($1) is nps(text): a string in both settings
        await repeated(conn, f"{cfg}: nps($1)", "SELECT nps($1)", [text(free)],
                       lambda r, n: same(n, nps16(free), r[0]))
        await repeated(conn, f"{cfg}: rollup over VALUES of parameters", "SELECT rollup(s), nps(rollup(s)) FROM (VALUES ($1), ($2)) t(s)",
                       [text(free), text(pro)], lambda r, n: same(n, (merged, nps16(merged)), (read(r[0]), r[1])))
        await repeated(conn, f"{cfg}: nps_test($1, $2)", "SELECT difference FROM nps_test($1, $2)", [summary(pro), summary(free)],
                       lambda r, n: check(n, close(exact(pro) - exact(free), r[0]), r[0]))
        await repeated(conn, f"{cfg}: nps_margin($1, $2)", "SELECT nps_margin($1, $2)", [summary(free), 0.95],
                       lambda r, n: check(n, close(wald_margin(free), r[0]), r[0]))
    await group(f"{cfg}: summaries as parameters", strings)

    async def binary():
        # the bytes of the server's nps_summary_send are the documented form
        weighted = NpsSummary((1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2), weights=(0.5,) + (0.0,) * 9 + (3.0,), squares=0.25 + 4.5)
        await conn.set_type_codec("nps_summary", schema="public", encoder=bytes, decoder=bytes, format="binary")
        try:
            for s in (NpsSummary(free), NpsSummary((0,) * 11), weighted):
                same(f"{cfg}: nps_summary_send bytes of {s.to_text()}", s.to_bytes(),
                     await conn.fetchval("SELECT $1::text::nps_summary", s.to_text()))
                same(f"{cfg}: nps_summary_recv of {s.to_text()}", s,
                     NpsSummary.from_text(await conn.fetchval("SELECT $1::nps_summary::text", s.to_bytes())))
            same(f"{cfg}: a malformed binary summary is 22P03", "22P03",
                 await sqlstate(conn.fetchval("SELECT $1::nps_summary", b"\x02" + NpsSummary(free).to_bytes()[1:])))
        finally:
            await register(conn, recommended)
    await group(f"{cfg}: binary send and receive", binary)

    async def floats():
        names = ["detractor"] * 7 + ["passive"] * 2 + ["promoter"] * 2
        for v in range(11):
            await repeated(conn, f"{cfg}: nps_category({v}.0)", "SELECT nps_category($1)", [float(v)],
                           lambda r, n, v=v: same(n, names[v], r[0]))
        same(f"{cfg}: nps_category(9.5) is 22023", "22023", await sqlstate(conn.fetchval("SELECT nps_category($1)", 9.5)))
        await repeated(conn, f"{cfg}: nps over a double precision column", "SELECT nps(fscore), nps_agg(fscore) FROM answers WHERE id > $1", [0],
                       lambda r, n: same(n, (nps16(everything), everything), (r[0], read(r[1]))))
        same(f"{cfg}: NaN is 22023", "22023", await sqlstate(conn.fetchval("SELECT nps(x) FROM (VALUES ($1::float8)) t(x)", math.nan)))
        await repeated(conn, f"{cfg}: a category compared with a string", "SELECT count(*) FROM answers WHERE nps_category(score) = $1",
                       ["promoter"], lambda r, n: same(n, everything[9] + everything[10], r[0]))
    await group(f"{cfg}: answers as doubles", floats)

    async def figures():
        zero = await conn.fetchval("SELECT nps(s) FROM (VALUES (10), (0)) t(s)")
        same(f"{cfg}: nps() of 0", (Decimal, -16, "0E-16"), (type(zero), zero.as_tuple().exponent, str(zero)))
        r = await conn.fetchrow("SELECT nps($1::nps_summary) AS nps, nps_margin($1::nps_summary) AS margin, "
                                "round(nps_margin($1::nps_summary)::numeric, 1) AS rounded", summary(free))
        same(f"{cfg}: types of nps, margin and round(margin::numeric, 1)", (Decimal, float, Decimal),
             (type(r["nps"]), type(r["margin"]), type(r["rounded"])))
        same(f"{cfg}: round(margin::numeric, 1)", Decimal(str(wald_margin(free))).quantize(Decimal("0.1"), ROUND_HALF_UP), r["rounded"])
    await group(f"{cfg}: figures", figures)

    async def records():
        low, high = adjusted_wald(free)

        def verify(r, n):
            ci = r[0]
            same(f"{n}: fields by name", ["low", "high"], list(ci.keys()))
            check(f"{n}: low", close(low, ci["low"]), ci["low"])
            check(f"{n}: high", close(high, ci["high"]), ci["high"])
            same(f"{n}: numeric fields", (Decimal, Decimal), (type(ci["low"]), type(ci["high"])))
        await repeated(conn, f"{cfg}: nps_confidence_interval (binary composite)", "SELECT nps_confidence_interval($1)",
                       [summary(free)], verify)
        test = await conn.fetchval("SELECT nps_compare($1, $2)", summary(pro), summary(free))
        same(f"{cfg}: nps_compare's fields", ["difference", "z", "p_value", "ci_low", "ci_high"], list(test.keys()))
        check(f"{cfg}: nps_compare difference", close(exact(pro) - exact(free), test["difference"]), test["difference"])
        lateral = await conn.fetchrow("SELECT ci.* FROM nps_confidence_interval($1) ci", summary(free))
        same(f"{cfg}: the same through LATERAL", (lateral["low"], lateral["high"]), (
            (await conn.fetchval("SELECT nps_confidence_interval($1)", summary(free)))["low"],
            (await conn.fetchval("SELECT nps_confidence_interval($1)", summary(free)))["high"]))
    await group(f"{cfg}: named composites", records)

    async def order():
        await conn.execute("TRUNCATE stored")
        await conn.execute("INSERT INTO stored SELECT row_number() OVER (ORDER BY plan, day), s FROM "
                           "(SELECT plan, answered_at::date AS day, nps_agg(score) AS s FROM answers GROUP BY 1, 2) t")
        stored = [(r["id"], read(r["summary"])) for r in await conn.fetch("SELECT id, summary FROM stored")]
        want = [i for i, _ in sorted(stored, key=lambda x: (exact(x[1]), sum(x[1]), x[1], x[0]))]
        await repeated(conn, f"{cfg}: ORDER BY summary", "SELECT array_agg(id ORDER BY summary, id) FROM stored WHERE id > $1", [0],
                       lambda r, n: same(n, want, list(r[0])))
        ends = await conn.fetchrow("SELECT min(summary), max(summary) FROM stored")
        same(f"{cfg}: min and max", (dict(stored)[want[0]], dict(stored)[want[-1]]), (read(ends[0]), read(ends[1])))
    await group(f"{cfg}: summaries sort", order)

    async def metadata():
        statement = await conn.prepare("SELECT nps(score) AS nps, nps_agg(score) AS summary, nps_category(9) AS category, "
                                       "nps_confidence_interval(nps_agg(score)) AS ci FROM answers WHERE plan = $1")
        same(f"{cfg}: attribute types", ["numeric", "nps_summary", "nps_category", "nps_interval"],
             [a.type.name for a in statement.get_attributes()])
        same(f"{cfg}: kinds", ["scalar", "scalar", "scalar", "composite"], [a.type.kind for a in statement.get_attributes()])
        same(f"{cfg}: parameter types of nps_test($1, $2)", ["nps_summary", "nps_summary"],
             [t.name for t in (await conn.prepare("SELECT nps_test($1, $2)")).get_parameters()])
    await group(f"{cfg}: metadata", metadata)


async def register(conn, recommended):
    """The recommended setting: nps_summary in its binary form, as NpsSummary objects."""
    if recommended:
        await conn.set_type_codec("nps_summary", schema="public", encoder=NpsSummary.to_bytes,
                                  decoder=NpsSummary.from_bytes, format="binary")
    else:
        await conn.reset_type_codec("nps_summary", schema="public")


async def main():
    admin = await asyncpg.connect(database="postgres")
    await admin.execute(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
    await admin.execute(f"CREATE DATABASE {DB}")
    await admin.close()
    conn = await asyncpg.connect(database=DB)
    await conn.execute((HERE / "drivers.sql").read_text())
    rows = [(r["plan"], r["score"]) for r in await conn.fetch("SELECT plan, score FROM answers ORDER BY id")]
    await conn.close()
    for recommended in (False, True):
        conn = await asyncpg.connect(database=DB)
        try:
            await register(conn, recommended)
            await suite(conn, "recommended" if recommended else "default", recommended, rows)
        finally:
            await conn.close()
    print(f"asyncpg: {results['passed']} passed, {results['failed']} failed")
    return 1 if results["failed"] else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
