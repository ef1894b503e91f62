"""psycopg 3, SQLAlchemy 2 and pandas against nps_ext, as an application would use them.

Expected values are computed here in Python from the answers this script inserts, never taken
from the extension. Connection from the environment (PGHOST, PGPORT, PGUSER); works in its own
database, nps_clients. Last line: "psycopg: N passed, M failed".
"""
import math
import os
import random
import sys
import traceback
from collections import Counter
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from statistics import NormalDist

import psycopg
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "examples" / "psycopg"))
from nps_psycopg import NpsCategory, NpsSummary, register  # noqa: E402

DB = "nps_clients"
results = {"passed": 0, "failed": 0}


def check(name, condition, detail=""):
    if condition:
        results["passed"] += 1
    else:
        results["failed"] += 1
        print(f"FAILED: {name} {detail}")


def case(fn):
    """Run one group of checks; an exception is one failure, and the others still run."""
    try:
        fn()
    except Exception:
        results["failed"] += 1
        print(f"FAILED: {fn.__name__} raised")
        traceback.print_exc(file=sys.stdout)
    return fn


# ---- the answers, and what they should give (computed here) ------------------------------------
rng = random.Random(12)
ANSWERS = []
for i in range(600):
    plan = ("free", "pro")[i % 2]
    score = None if i % 37 == 0 else min(10, rng.choice([0, 3, 5, 6, 7, 7, 8, 8, 9, 9, 10]) + (plan == "pro"))
    weight = round(0.5 + rng.random() * 1.5, 3)
    ANSWERS.append((plan, score, weight))


def expected_counts(plan):
    c = Counter(s for p, s, _ in ANSWERS if p == plan and s is not None)
    return tuple(c[a] for a in range(11))


def exact_nps(plan):
    scores = [s for p, s, _ in ANSWERS if p == plan and s is not None]
    return Fraction(100 * (sum(s >= 9 for s in scores) - sum(s <= 6 for s in scores)), len(scores))


def weighted(plan):
    rows = [(s, w) for p, s, w in ANSWERS if p == plan and s is not None]
    sums = [math.fsum(w for s, w in rows if s == a) for a in range(11)]
    return sums, math.fsum(w * w for _, w in rows)


def adjusted_wald(counts):
    """Rocks (2016) by hand: add 3/4 promoter, 3/4 detractor, 3/2 passive; shares and variance."""
    n = sum(counts) + 3
    p = (counts[9] + counts[10] + 0.75) / n
    d = (sum(counts[:7]) + 0.75) / n
    return p - d, p + d - (p - d) ** 2, n


admin = psycopg.connect(dbname="postgres", autocommit=True)
admin.execute(f"DROP DATABASE IF EXISTS {DB}")
admin.execute(f"CREATE DATABASE {DB}")
conn = psycopg.connect(dbname=DB, autocommit=True)
conn.execute("CREATE EXTENSION nps_ext")
conn.execute("CREATE TABLE answers (plan text, score smallint, weight double precision)")
with conn.cursor().copy("COPY answers FROM STDIN") as copy:
    for row in ANSWERS:
        copy.write_row(row)
register(conn)


@case
def nps_is_a_decimal():
    rows = conn.execute("SELECT plan, nps(score) FROM answers GROUP BY plan ORDER BY plan").fetchall()
    for plan, nps in rows:
        check(f"nps({plan}) is a Decimal", isinstance(nps, Decimal), type(nps))
        check(f"nps({plan}) value", abs(Fraction(nps) - exact_nps(plan)) < Fraction(1, 10**15), (nps, float(exact_nps(plan))))
    (w,) = conn.execute("SELECT nps(score, weight) FROM answers WHERE plan = 'pro'").fetchone()
    sums, _ = weighted("pro")
    by_hand = 100 * (sums[9] + sums[10] - math.fsum(sums[:7])) / math.fsum(sums)
    check("weighted nps is a float", isinstance(w, float) and math.isclose(w, by_hand, rel_tol=1e-12), (w, by_hand))


@case
def nps_category_is_an_enum():
    (c,) = conn.execute("SELECT nps_category(7)").fetchone()
    check("nps_category(7) loads as NpsCategory.passive", c is NpsCategory.passive, c)
    (c,) = conn.execute("SELECT nps_category(10)", binary=True).fetchone()
    check("binary nps_category", c is NpsCategory.promoter, c)
    (arr,) = conn.execute("SELECT array_agg(nps_category(s) ORDER BY s) FROM unnest('{0,6,7,8,9,10}'::int[]) s").fetchone()
    check("nps_category[] loads as a list of enums", arr == [NpsCategory.detractor] * 2 + [NpsCategory.passive] * 2 + [NpsCategory.promoter] * 2, arr)
    (ok, ordered) = conn.execute("SELECT nps_category(9) = %s, %s < %s",
                                 [NpsCategory.promoter, NpsCategory.detractor, NpsCategory.passive]).fetchone()
    check("enum parameters", ok is True and ordered is True, (ok, ordered))
    counts = dict(conn.execute("SELECT nps_category(score), count(*) FROM answers WHERE score IS NOT NULL GROUP BY 1").fetchall())
    free, pro = expected_counts("free"), expected_counts("pro")
    check("GROUP BY nps_category", counts[NpsCategory.promoter] == free[9] + free[10] + pro[9] + pro[10], counts)


@case
def summaries_in_text_and_binary_results():
    q = "SELECT plan, nps_agg(score) FROM answers GROUP BY plan ORDER BY plan"
    text = conn.execute(q).fetchall()
    binary = conn.execute(q, binary=True).fetchall()
    for (plan, s), (_, b) in zip(text, binary):
        check(f"text result {plan}", isinstance(s, NpsSummary) and s.counts == expected_counts(plan), s)
        check(f"binary result {plan}", b == s, (b, s))
        check(f"summary nps {plan}", s.nps == float(exact_nps(plan)), (s.nps, float(exact_nps(plan))))
    q = "SELECT nps_agg(score, weight) FROM answers WHERE plan = 'free'"
    (s,) = conn.execute(q).fetchone()
    (b,) = conn.execute(q, binary=True).fetchone()
    sums, squares = weighted("free")
    check("weighted: text and binary load the same doubles", s == b, (s, b))
    check("weighted counts", b.counts == expected_counts("free"), b.counts)
    check("weighted sums", all(math.isclose(x, y, rel_tol=1e-12) for x, y in zip(b.weights, sums)), (b.weights, sums))
    check("weighted squares", math.isclose(b.squares, squares, rel_tol=1e-12), (b.squares, squares))


@case
def binary_format_by_hand():
    # the worked example of docs/summaries.md: 300 -> ac 02, 16384 -> 80 80 01
    by_hand = bytes([1, 0, 0xAC, 0x02] + [0] * 9 + [0x80, 0x80, 0x01])
    s = NpsSummary.from_bytes(by_hand)
    check("hand-made bytes decode", s.counts == (300,) + (0,) * 9 + (16384,), s)
    (sent,) = conn.execute("SELECT nps_summary_send('v1:300,0,0,0,0,0,0,0,0,0,16384')").fetchone()
    check("the server sends the same bytes", sent == by_hand, sent.hex())
    # weighted: one 10 of weight 2.5 -> flag 01, doubles 2.5 and 6.25 little-endian
    (sent,) = conn.execute("SELECT nps_summary_send(nps_agg(10, 2.5))").fetchone()
    check("weighted bytes", sent[:2] == b"\x01\x01" and sent[-16:] == bytes.fromhex("0000000000000440" "0000000000001940"), sent.hex())


@case
def byte_for_byte_round_trips():
    for q in ["SELECT nps_summary_send(nps_agg(score)) FROM answers",
              "SELECT nps_summary_send(nps_agg(score, weight)) FROM answers",
              # the largest counts a summary from a client may hold: 2^63 - 1 responses in all
              "SELECT nps_summary_send('v1:4611686018427387904,0,0,0,0,0,0,0,0,0,4611686018427387903')"]:
        (raw,) = conn.execute(q).fetchone()
        s = NpsSummary.from_bytes(raw)
        check("decode then encode gives the bytes back", s.to_bytes() == raw, raw.hex())
        (back,) = conn.execute("SELECT nps_summary_send(%b)", [s]).fetchone()
        check("the server reads our bytes and sends them back unchanged", back == raw, (back.hex(), raw.hex()))
        (text_back,) = conn.execute("SELECT nps_summary_send(%t)", [s]).fetchone()
        check("the same through the text form", text_back == raw, text_back.hex())


@case
def summaries_as_parameters():
    pro = NpsSummary(expected_counts("pro"))
    for fmt in ("%s", "%t", "%b"):
        equal, responses = conn.execute(
            f"SELECT {fmt} = nps_agg(score), nps_responses({fmt}) FROM answers WHERE plan = 'pro'", [pro, pro]).fetchone()
        check(f"{fmt} parameter equals the aggregate", equal is True and responses == sum(pro.counts), (equal, responses))
    huge = NpsSummary((2**63 - 2,) + (0,) * 9 + (1,))
    (text,) = conn.execute("SELECT %b::text", [huge]).fetchone()
    check("extreme counts as a binary parameter", text == "v1:9223372036854775806,0,0,0,0,0,0,0,0,0,1", text)
    sums, squares = weighted("free")
    w = NpsSummary(expected_counts("free"), tuple(sums), squares)
    (same,) = conn.execute("SELECT %b::nps_summary = %t::nps_summary", [w, w]).fetchone()
    check("weighted binary and text parameters agree", same is True)
    # summaries in a table, written and read back by the driver
    conn.execute("CREATE TABLE stored (id int, s nps_summary)")
    with conn.cursor() as cur:
        cur.executemany("INSERT INTO stored VALUES (%s, %b)", [(1, pro), (2, w), (3, huge)])
    back = dict(conn.execute("SELECT id, s FROM stored", binary=True).fetchall())
    check("stored and read back", back == {1: pro, 2: w, 3: huge}, back)


@case
def bad_bytes_are_refused_by_the_server():
    class Broken(NpsSummary):
        def to_bytes(self):
            return b"\x02" + super().to_bytes()[1:]  # an unknown format version
    try:
        conn.execute("SELECT %b::text", [Broken((0,) * 11)])
        check("version 2 is refused", False, "no error")
    except psycopg.Error as e:
        check("version 2 is refused with 22P03", e.sqlstate == "22P03", (e.sqlstate, str(e)))
    (one,) = conn.execute("SELECT 1").fetchone()
    check("the connection is usable after the error", one == 1)


@case
def nps_test_fields():
    q = """SELECT (nps_test(a, b)).*, nps(a) - nps(b) AS nps_difference
           FROM (SELECT nps_agg(score) FILTER (WHERE plan = 'pro') AS a,
                        nps_agg(score) FILTER (WHERE plan = 'free') AS b FROM answers) t"""
    with conn.cursor(row_factory=dict_row) as cur:
        r = cur.execute(q).fetchone()
    check("nps_test columns", list(r)[:5] == ["difference", "z", "p_value", "ci_low", "ci_high"], list(r))
    diff = float(exact_nps("pro") - exact_nps("free"))
    check("difference", math.isclose(r["difference"], diff, rel_tol=1e-12), (r["difference"], diff))
    ca, va, na = adjusted_wald(expected_counts("pro"))
    cb, vb, nb = adjusted_wald(expected_counts("free"))
    se = math.sqrt(va / na + vb / nb)
    z = (ca - cb) / se
    zc = NormalDist().inv_cdf(0.975)
    check("z", math.isclose(r["z"], z, rel_tol=1e-9), (r["z"], z))
    check("p-value", math.isclose(r["p_value"], math.erfc(abs(z) / math.sqrt(2)), rel_tol=1e-9), r["p_value"])
    check("interval", math.isclose(r["ci_low"], 100 * (ca - cb - zc * se), rel_tol=1e-9)
          and math.isclose(r["ci_high"], 100 * (ca - cb + zc * se), rel_tol=1e-9), (r["ci_low"], r["ci_high"]))


@case
def json_forms():
    (report,) = conn.execute("SELECT nps_report(nps_agg(score)) FROM answers WHERE plan = 'pro'").fetchone()
    counts = expected_counts("pro")
    check("nps_report loads as a dict", isinstance(report, dict), type(report))
    check("report nps and counts", math.isclose(report["nps"], float(exact_nps("pro")), rel_tol=1e-15)
          and report["responses"] == sum(counts) and report["promoters"] == counts[9] + counts[10], report)
    check("report shares", math.isclose(report["shares"]["detractors"], sum(counts[:7]) / sum(counts), rel_tol=1e-12), report["shares"])
    (doc,) = conn.execute("SELECT nps_agg(score)::jsonb FROM answers WHERE plan = 'pro'").fetchone()
    check("summary as JSON", doc == {"counts": {str(a): counts[a] for a in range(11)}}, doc)
    (s,) = conn.execute("SELECT %s::jsonb::nps_summary", [Jsonb(doc)]).fetchone()
    check("JSON back to a summary", s == NpsSummary(counts), s)


@case
def untyped_strings_reach_summaries():
    # a str parameter has no type; since 0.3.0 nps(text) decides what 0.2.0 found ambiguous
    # between summaries and (as an aggregate) numbers
    (nps,) = conn.execute("SELECT nps(%s)", ["v1:0,0,0,0,0,0,0,0,0,0,1"]).fetchone()
    check("nps(untyped string)", nps == 100, nps)
    (nps,) = conn.execute("SELECT nps(%s::nps_summary)", ["v1:0,0,0,0,0,0,0,0,0,0,1"]).fetchone()
    check("with ::nps_summary too", nps == 100, nps)
    (merged,) = conn.execute("SELECT rollup(s) FROM (VALUES (%s), (%s)) t(s)",
                             ["v1:0,0,0,0,0,0,0,0,0,0,1", "v1:1,0,0,0,0,0,0,0,0,0,0"]).fetchone()
    check("rollup over VALUES of untyped strings", merged == NpsSummary((1,) + (0,) * 9 + (1,)), merged)


@case
def named_composites_read_by_field():
    # psycopg reads a named composite type once it is registered: fields by name, numeric as Decimal
    from psycopg.types.composite import CompositeInfo, register_composite

    for name in ("nps_interval", "nps_comparison"):
        register_composite(CompositeInfo.fetch(conn, name), conn)
    center, variance, n = adjusted_wald(expected_counts("pro"))
    half = NormalDist().inv_cdf(0.975) * math.sqrt(variance / n)
    for binary in (False, True):
        (ci,) = conn.execute("SELECT nps_confidence_interval(nps_agg(score)) FROM answers WHERE plan = 'pro'",
                             binary=binary).fetchone()
        check(f"nps_interval fields (binary={binary})", type(ci).__name__ == "nps_interval" and isinstance(ci.low, Decimal), ci)
        check(f"nps_interval low (binary={binary})", abs(float(ci.low) - 100 * (center - half)) < 1e-9, ci.low)
        check(f"nps_interval high (binary={binary})", abs(float(ci.high) - min(100, 100 * (center + half))) < 1e-9, ci.high)
    (test,) = conn.execute("SELECT nps_compare(nps_agg(score) FILTER (WHERE plan = 'pro'), "
                           "nps_agg(score) FILTER (WHERE plan = 'free')) FROM answers").fetchone()
    check("nps_comparison difference", abs(Fraction(test.difference) - (exact_nps("pro") - exact_nps("free"))) < Fraction(1, 10**9),
          test.difference)


@case
def sqlalchemy_and_pandas():
    import pandas as pd
    import sqlalchemy as sa
    from sqlalchemy.dialects.postgresql import JSONB

    url = sa.engine.URL.create("postgresql+psycopg", username=os.environ.get("PGUSER", "postgres"), database=DB,
                               query={"host": os.environ["PGHOST"], "port": os.environ["PGPORT"]})
    engine = sa.create_engine(url)
    # the same adapters on every connection the engine opens
    sa.event.listen(engine, "connect", lambda dbapi_connection, _: register(dbapi_connection))
    answers = sa.table("answers", sa.column("plan"), sa.column("score"), sa.column("weight"))
    query = (sa.select(answers.c.plan, sa.func.nps(answers.c.score).label("nps"),
                       sa.func.nps_agg(answers.c.score).label("summary"),
                       sa.func.nps_report(sa.func.nps_agg(answers.c.score), 0.9, type_=JSONB).label("report"))
             .group_by(answers.c.plan).order_by(answers.c.plan))
    with engine.connect() as c:
        rows = c.execute(query).all()
    for plan, nps, summary, report in rows:
        check(f"SQLAlchemy func.nps {plan}", isinstance(nps, Decimal)
              and abs(Fraction(nps) - exact_nps(plan)) < Fraction(1, 10**15), nps)
        check(f"SQLAlchemy summary {plan}", summary == NpsSummary(expected_counts(plan)), summary)
        check(f"SQLAlchemy nps_report {plan}", report["interval"]["confidence"] == 0.9
              and report["responses"] == sum(expected_counts(plan)), report)

    df = pd.read_sql(sa.text("SELECT plan, nps(score) AS nps, nps_agg(score) AS summary FROM answers "
                             "WHERE plan = :plan GROUP BY plan"), engine, params={"plan": "free"})
    check("pandas: numeric nps arrives as float64", str(df["nps"].dtype) == "float64", df.dtypes.to_dict())
    check("pandas: value", math.isclose(df["nps"][0], float(exact_nps("free")), rel_tol=1e-15), df["nps"][0])
    check("pandas: summaries are NpsSummary objects", df["summary"][0] == NpsSummary(expected_counts("free")), df["summary"][0])
    engine.dispose()


conn.close()
admin.execute(f"DROP DATABASE {DB} WITH (FORCE)")
admin.close()
print(f"psycopg: {results['passed']} passed, {results['failed']} failed")
sys.exit(1 if results["failed"] else 0)
