"""What the driver suites expect, computed here from the raw answers they read back, never by
the extension; and their check counters. Used by test_asyncpg.py and test_odbc.py."""
import math
from collections import Counter
from decimal import Decimal
from fractions import Fraction

Z95 = 1.959963984540054
results = {"passed": 0, "failed": 0}


def check(name, ok, detail=""):
    if ok:
        results["passed"] += 1
    else:
        results["failed"] += 1
        print(f"FAILED: {name} {detail}")


def same(name, want, got):
    check(name, want == got, f"want {want!r} got {got!r}")


def close(a, b):
    return abs(float(a) - float(b)) <= 1e-9 * max(1.0, abs(float(a)))


def counts(answers):
    """The 11 counts of answers 0..10 (None is no answer)."""
    c = Counter(a for a in answers if a is not None)
    return tuple(c[a] for a in range(11))


def exact(c):
    """100 * (P - D) / N as an exact fraction."""
    return Fraction(100 * (c[9] + c[10] - sum(c[:7])), sum(c))


def nps16(c):
    """nps(): 16 decimal places, rounded half away from zero, from the exact fraction."""
    f = abs(exact(c)) * 10 ** 16
    digits = f.numerator // f.denominator + (f - f.numerator // f.denominator >= Fraction(1, 2))
    return (-1 if exact(c) < 0 else 1) * Decimal(digits).scaleb(-16)


def wald_margin(c, z=Z95):
    """z * 100 * sqrt((p + d - (p - d)^2) / n)."""
    n = sum(c)
    p, d = (c[9] + c[10]) / n, sum(c[:7]) / n
    return z * 100 * math.sqrt((p + d - (p - d) ** 2) / n)


def adjusted_wald(c, z=Z95):
    """Rocks (2016): 3/4 promoter and detractor, 3/2 passive added; clipped to -100..100."""
    n = sum(c) + 3
    p, d = (c[9] + c[10] + 0.75) / n, (sum(c[:7]) + 0.75) / n
    center, half = 100 * (p - d), z * 100 * math.sqrt((p + d - (p - d) ** 2) / n)
    return max(-100, center - half), min(100, center + half)


def text(c):
    return "v1:" + ",".join(map(str, c))
