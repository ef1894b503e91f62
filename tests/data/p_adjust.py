#!/usr/bin/env python3
"""Reference values for nps_adjust_p: statsmodels' multipletests (bonferroni, holm, fdr_bh,
fdr_by), an implementation independent of ours, on fixed families of p-values. Run once; the
output, tests/data/p_adjust.csv, is committed and read by src/multiple.rs and src/pg_tests.rs.

    python3 -m venv /tmp/sm && /tmp/sm/bin/pip install statsmodels==0.14.4 numpy==2.1.3 \
        scipy==1.14.1 pandas==2.2.3
    /tmp/sm/bin/python tests/data/p_adjust.py > tests/data/p_adjust.csv
"""
import numpy as np
from statsmodels.stats.multitest import multipletests

rng = np.random.default_rng(20261130)
families = {
    "uniform50": rng.uniform(size=50),
    # a few real effects among nulls, as a month-over-month report of 40 segments has
    "mixed40": np.concatenate([rng.uniform(0, 0.002, 6), rng.uniform(size=34)]),
    # ties, zeros and ones
    "ties12": np.array([0.01, 0.01, 0.2, 0.2, 0.2, 0.0, 1.0, 1.0, 0.04, 0.03, 0.04, 0.5]),
    "single": np.array([0.037]),
    "two": np.array([0.04, 0.02]),
    "tiny200": rng.uniform(size=200) ** 6,
    "large_p": 1 - rng.uniform(0, 0.1, 30),
}
print("family,position,p,bonferroni,holm,bh,by")
for name, p in families.items():
    cols = [multipletests(p, alpha=0.05, method=m)[1]
            for m in ("bonferroni", "holm", "fdr_bh", "fdr_by")]
    for i, row in enumerate(zip(p, *cols)):
        print(name, i + 1, *(repr(float(x)) for x in row), sep=",")
