//! The order of `nps_summary` values (its btree operator class, `ORDER BY`, `min`/`max`):
//!
//! 1. summaries without an NPS (no responses, or no weight) first;
//! 2. then by NPS, ascending: exactly between unweighted summaries, in double precision where a
//!    weighted one is compared (the weighted NPS is a double); at equal NPS unweighted
//!    summaries before weighted ones;
//! 3. then by responses, fewer first;
//! 4. then by the counts of answers 0, 1, ..., 10;
//! 5. then (weighted summaries) by their weight sums of answers 0..10, then the sum of squared
//!    weights; an empty unweighted summary before an empty weighted one.
//!
//! Every part of a summary is in the key, so two summaries are equal in this order exactly
//! when `=` says they are (same counts, same weights or both unweighted). Pure Rust.

use crate::weights::Summary;
use std::cmp::Ordering;

/// The documented order of two summaries: lexicographic over the key of the module comment,
/// so a total order whatever the values.
pub fn compare(a: &Summary, b: &Summary) -> Ordering {
    // NPS as a double: for an unweighted summary its exact value correctly rounded (one
    // division of integers exact in a double), which keeps the exact order; then, where the
    // doubles tie, the exact value of unweighted summaries, which come before weighted ones
    let double = |s: &Summary| match s.weights {
        None => s.tally.nps(),
        Some(_) => s.sample().map(|sample| sample.nps()),
    };
    let exact = |s: &Summary| {
        s.weights
            .is_none()
            .then(|| s.tally.nps_fraction())
            .flatten()
    };
    let by_double = match (double(a), double(b)) {
        (Some(x), Some(y)) => x.partial_cmp(&y).expect("an NPS is never NaN"),
        (x, y) => x.is_some().cmp(&y.is_some()),
    };
    by_double
        .then_with(|| match (exact(a), exact(b)) {
            (Some((p, n)), Some((q, m))) => compare_fractions(p, n, q, m),
            (x, y) => y.is_some().cmp(&x.is_some()),
        })
        .then_with(|| a.tally.responses().cmp(&b.tally.responses()))
        .then_with(|| a.tally.counts().cmp(b.tally.counts()))
        .then_with(|| match (&a.weights, &b.weights) {
            (Some(x), Some(y)) => {
                let xs = x.sums.iter().chain([&x.squares]);
                let ys = y.sums.iter().chain([&y.squares]);
                xs.zip(ys)
                    .map(|(p, q)| p.partial_cmp(q).expect("weights are never NaN"))
                    .find(|o| o.is_ne())
                    .unwrap_or(Ordering::Equal)
            }
            (x, y) => x.is_some().cmp(&y.is_some()),
        })
}

/// a/b against c/d for b, d > 0, exactly, without multiplying (which could overflow even i128
/// for the counts a stored summary may hold): whole parts first, then the remainders, whose
/// order is that of the inverted fractions d/rc and b/ra (Euclid's steps, so it ends).
fn compare_fractions(mut a: i128, mut b: i128, mut c: i128, mut d: i128) -> Ordering {
    loop {
        let (qa, ra) = (a.div_euclid(b), a.rem_euclid(b));
        let (qc, rc) = (c.div_euclid(d), c.rem_euclid(d));
        if qa != qc {
            return qa.cmp(&qc);
        }
        if ra == 0 || rc == 0 {
            return (ra != 0).cmp(&(rc != 0));
        }
        // ra/b < rc/d exactly when d/rc < b/ra
        (a, b, c, d) = (d, rc, b, ra);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encoding::parse_text;

    fn s(text: &str) -> Summary {
        parse_text(text).unwrap()
    }

    #[test]
    fn by_nps_then_responses_then_counts() {
        // in the documented order, each placed by hand
        let ordered = [
            s("v1:0,0,0,0,0,0,0,0,0,0,0"), // no NPS
            s("v1:0,0,0,0,0,0,0,0,0,0,0;weights=0,0,0,0,0,0,0,0,0,0,0;squares=0"), // weighted after
            s("v1:1,0,0,0,0,0,0,0,0,0,0"), // -100
            s("v1:1,0,0,0,0,0,0,0,0,0,1;weights=3,0,0,0,0,0,0,0,0,0,1;squares=10"), // -50
            s("v1:0,0,0,0,0,0,0,1,0,0,0"), // 0 with 1 response
            s("v1:0,0,0,0,0,0,1,0,0,0,1"), // 0 with 2: counts [0, ...] before [1, ...]
            s("v1:1,0,0,0,0,0,0,0,0,1,0"), // 0 with 2
            s("v1:0,0,0,0,0,0,1,0,0,0,1;weights=0,0,0,0,0,0,1,0,0,0,1;squares=2"), // 0, weighted
            s("v1:0,0,0,0,0,0,1,0,0,0,1;weights=0,0,0,0,0,0,2,0,0,0,2;squares=8"), // heavier
            s("v1:0,0,0,0,0,0,0,1,0,0,1"), // 50
            s("v1:0,0,0,0,0,0,0,0,0,0,1"), // 100
            s("v1:0,0,0,0,0,0,0,0,0,0,2"), // 100 with 2 responses
        ];
        for (i, x) in ordered.iter().enumerate() {
            for (j, y) in ordered.iter().enumerate() {
                assert_eq!(compare(x, y), i.cmp(&j), "{i} vs {j}");
            }
        }
    }

    #[test]
    fn fractions_compare_exactly() {
        use Ordering::*;
        assert_eq!(compare_fractions(-600, 9, -800, 12), Equal);
        assert_eq!(compare_fractions(1, 3, 333_333, 1_000_000), Greater);
        assert_eq!(compare_fractions(-1, 3, -333_333, 1_000_000), Less);
        assert_eq!(compare_fractions(0, 5, 0, 7), Equal);
        assert_eq!(compare_fractions(0, 5, -1, 7), Greater);
        assert_eq!(compare_fractions(5, 4, 6, 5), Greater); // 1.25 > 1.2
                                                            // beyond what i128 products hold: 100 * (2^63 - 1) / (2^64 + 1) against a neighbour
        let (n, m) = (i128::from(i64::MAX), (1i128 << 64) + 1);
        assert_eq!(compare_fractions(100 * n, m, 100 * n + 1, m), Less);
        assert_eq!(compare_fractions(100 * n, m, 100 * n, m + 1), Greater);
        assert_eq!(compare_fractions(100 * n * 3, m * 3, 100 * n, m), Equal);
        // against a product computed in f64 order for small values
        for (a, b, c, d) in [
            (7, 3, 9, 4),
            (-7, 3, -9, 4),
            (2, 5, 4, 10),
            (-100, 7, -99, 7),
        ] {
            let want = (a as f64 / b as f64)
                .partial_cmp(&(c as f64 / d as f64))
                .unwrap();
            assert_eq!(compare_fractions(a, b, c, d), want, "{a}/{b} vs {c}/{d}");
        }
    }

    #[test]
    fn equal_nps_in_other_counts_is_equal_nps() {
        // 6 of 9 detractors, and 7 detractors and a promoter of 9: both -600/9 points, so the
        // counts decide, although the statistics' double (through the shares) tells them apart
        let nine = s("v1:0,0,0,3,0,3,0,3,0,0,0");
        let other = s("v1:2,0,2,2,0,1,0,1,0,1,0");
        assert_ne!(nine.sample().unwrap().nps(), other.sample().unwrap().nps());
        assert_eq!(compare(&nine, &other), Ordering::Less);
        assert_eq!(compare(&other, &nine), Ordering::Greater);
    }

    #[test]
    fn equal_in_the_order_exactly_when_equal() {
        let texts = [
            "v1:0,0,0,0,0,0,1,0,0,0,1",
            "v1:0,0,0,0,0,1,0,0,0,0,1",
            "v1:0,0,0,0,0,0,1,0,0,0,1;weights=0,0,0,0,0,0,1,0,0,0,1;squares=2",
            "v1:0,0,0,0,0,0,1,0,0,0,1;weights=0,0,0,0,0,0,2,0,0,0,2;squares=8",
            "v1:0,0,0,0,0,0,0,0,0,0,0",
        ];
        for a in texts {
            for b in texts {
                let (x, y) = (s(a), s(b));
                assert_eq!(compare(&x, &y).is_eq(), x == y, "{a} vs {b}");
                assert_eq!(compare(&x, &y), compare(&y, &x).reverse());
            }
        }
    }

    #[test]
    fn a_total_order_over_many_summaries() {
        // every summary of up to two answers, plus weighted ones: sorting agrees with every pair
        let mut all: Vec<Summary> = Vec::new();
        for a in 0..11 {
            for b in a..11 {
                let mut counts = [0i64; 11];
                counts[a] += 1;
                counts[b] += 1;
                let text = counts.map(|c| c.to_string()).join(",");
                all.push(s(&format!("v1:{text}")));
                let sums = counts.map(|c| (c as f64 * 1.5).to_string()).join(",");
                let squares: f64 = counts.iter().map(|&c| c as f64 * 2.25).sum();
                all.push(s(&format!("v1:{text};weights={sums};squares={squares}")));
            }
        }
        all.sort_by(compare);
        for w in all.windows(2) {
            assert_eq!(compare(&w[0], &w[1]), Ordering::Less);
        }
        for (i, x) in all.iter().enumerate() {
            for (j, y) in all.iter().enumerate() {
                assert_eq!(compare(x, y), i.cmp(&j));
            }
        }
    }
}
