//! Exact coverage of the confidence intervals: every outcome of N answers is enumerated with
//! its multinomial probability, here and independently of stats.rs (which only supplies the
//! interval under test), on a grid of share mixes. Replaces 0.2.0's sampled coverage. Test
//! builds only; `cargo test --lib exact_coverage -- --nocapture` prints the table
//! docs/statistics.md quotes.

use crate::stats::{Method, Sample};

/// Every outcome of N answers with shares p (promoters), d (detractors), 1 - p - d (passives)
/// as (P, D, probability), probability = N! / (P! D! O!) p^P d^D o^O, in logarithms (N! leaves
/// double precision past N = 170); a share of 0 gives its outcomes with a count probability 0.
fn outcomes(n: u32, p: f64, d: f64) -> Vec<(u32, u32, f64)> {
    let o = (1.0 - p - d).max(0.0);
    let ln_fact: Vec<f64> = (0..=n)
        .scan(0.0, |acc, k| {
            if k > 0 {
                *acc += f64::from(k).ln();
            }
            Some(*acc)
        })
        .collect();
    // k ln(share), with 0 ln 0 = 0 and k ln 0 = -infinity
    let term = |share: f64, k: u32| {
        if k == 0 {
            0.0
        } else {
            f64::from(k) * share.ln()
        }
    };
    let mut out = Vec::new();
    for promoters in 0..=n {
        for detractors in 0..=(n - promoters) {
            let others = n - promoters - detractors;
            let ln = ln_fact[n as usize]
                - ln_fact[promoters as usize]
                - ln_fact[detractors as usize]
                - ln_fact[others as usize]
                + term(p, promoters)
                + term(d, detractors)
                + term(o, others);
            out.push((promoters, detractors, ln.exp()));
        }
    }
    out
}

/// P(the 95% interval of `method` covers the true NPS 100 (p - d)).
fn coverage(n: u32, p: f64, d: f64, method: Method) -> f64 {
    let truth = 100.0 * (p - d);
    outcomes(n, p, d)
        .into_iter()
        .filter(|&(promoters, detractors, _)| {
            let s = Sample::from_counts(n as f64, promoters as f64, detractors as f64).unwrap();
            let (lo, hi) = s.interval(0.95, method).unwrap();
            // the truth is a grid point computed in floats: allow it a hair of rounding
            lo <= truth + 1e-9 && truth - 1e-9 <= hi
        })
        .map(|(_, _, prob)| prob)
        .sum()
}

/// The grid: shares of promoters and detractors in steps of 0.05 (passives the rest), every
/// mix from no promoters or no detractors at all to 100% of one kind: 231 mixes.
fn mixes() -> Vec<(f64, f64)> {
    let mut grid = Vec::new();
    for i in 0..=20 {
        for j in 0..=(20 - i) {
            grid.push((f64::from(i) / 20.0, f64::from(j) / 20.0));
        }
    }
    grid
}

/// Interior: each of the three shares at least 0.05 (85/5 is one; no promoters is not).
fn interior(p: f64, d: f64) -> bool {
    p >= 0.05 && d >= 0.05 && 1.0 - p - d >= 0.05 - 1e-9
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcome_probabilities_by_hand() {
        for (n, p, d) in [
            (2, 0.85, 0.05),
            (13, 0.0, 0.3),
            (30, 0.45, 0.2),
            (7, 1.0, 0.0),
        ] {
            let total: f64 = outcomes(n, p, d).iter().map(|o| o.2).sum();
            assert!((total - 1.0).abs() < 1e-12, "{n} {p} {d}: {total}");
        }
        // N = 2, shares .85 / .10 / .05: P(2 promoters) = .7225, P(1 P, 1 D) = 2 * .85 * .05
        let o = outcomes(2, 0.85, 0.05);
        let prob = |p, d| o.iter().find(|x| (x.0, x.1) == (p, d)).unwrap().2;
        assert!((prob(2, 0) - 0.7225).abs() < 1e-14);
        assert!((prob(1, 1) - 0.085).abs() < 1e-14);
        // so the adjusted Wald interval at N = 2 for 85/5 (NPS 80) covers with probability .7225:
        // only two promoters give an interval reaching 80 (40 -/+ 64.4 points, adding 3/4, 3/4
        // and 3/2); a promoter and a passive give 20 -/+ 59.5, just short
        let interval = |p, d| {
            let s = Sample::from_counts(2.0, p, d).unwrap();
            s.interval(0.95, Method::AdjustedWald).unwrap()
        };
        assert!(interval(2.0, 0.0).0 < 80.0 && interval(2.0, 0.0).1 >= 80.0);
        assert!(
            (interval(1.0, 0.0).1 - 100.0 * (0.2 + 1.959963984540054 * 0.092f64.sqrt())).abs()
                < 1e-9
        );
        assert!(interval(1.0, 0.0).1 < 80.0);
        assert!((coverage(2, 0.85, 0.05, Method::AdjustedWald) - 0.7225).abs() < 1e-12);
    }

    /// The rule: adjusted Wald's mean coverage over the grid within [94%, 96%] for every
    /// 2 <= N <= 30, its minimum over interior mixes at least 93% from N = 13.
    #[test]
    fn exact_coverage_small_n() {
        let grid = mixes();
        eprintln!("N | mean over 231 mixes | interior minimum (promoters/detractors %) | 85/5 | lowest with no promoters");
        for n in 2..=30 {
            let c: Vec<f64> = grid
                .iter()
                .map(|&(p, d)| coverage(n, p, d, Method::AdjustedWald))
                .collect();
            let mean = c.iter().sum::<f64>() / c.len() as f64;
            let (mut low, mut at) = (1.0, (0.0, 0.0));
            let mut no_promoters = 1.0f64;
            for (&(p, d), &x) in grid.iter().zip(&c) {
                if interior(p, d) && x < low {
                    (low, at) = (x, (p, d));
                }
                if p == 0.0 {
                    no_promoters = no_promoters.min(x);
                }
            }
            let top = coverage(n, 0.85, 0.05, Method::AdjustedWald);
            eprintln!(
                "{n:>2} | {mean:.4} | {low:.4} ({:.0}/{:.0}) | {top:.4} | {no_promoters:.4}",
                100.0 * at.0,
                100.0 * at.1
            );
            assert!(
                (0.94..=0.96).contains(&mean),
                "mean coverage {mean} at N = {n}"
            );
            if n >= 13 {
                assert!(low >= 0.93, "coverage {low} at N = {n}, mix {at:?}");
            }
        }
    }

    /// The cases 0.2.0 sampled, now exact: adjusted Wald stays near 95% where Wald falls short.
    #[test]
    fn exact_coverage_wald_and_adjusted() {
        for (n, p, d) in [
            (10, 0.5, 0.2),
            (30, 0.4, 0.3),
            (100, 0.6, 0.1),
            (400, 0.45, 0.25),
        ] {
            let wald = coverage(n, p, d, Method::Wald);
            let adjusted = coverage(n, p, d, Method::AdjustedWald);
            eprintln!("coverage N={n:>3} p={p} d={d}: wald {wald:.4}, adjusted_wald {adjusted:.4}");
            assert!(
                (0.935..=0.965).contains(&adjusted),
                "adjusted {adjusted} at N = {n}"
            );
            assert!(wald > 0.88, "Wald {wald} at N = {n}");
            if n <= 30 {
                assert!(adjusted > wald, "at N = {n}");
            }
        }
    }
}
