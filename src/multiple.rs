//! Adjusting p-values for many comparisons at once: Bonferroni, Holm, Benjamini–Hochberg and
//! Benjamini–Yekutieli, as R's `p.adjust` defines them (its source, stats/R/p.adjust.R). Pure Rust;
//! `adjust_p.rs` is the window function over it.

use std::fmt;

/// How the family is adjusted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Adjustment {
    /// min(1, n p): the family-wise error rate, for any dependence.
    Bonferroni,
    /// Holm's step-down: the family-wise error rate, for any dependence, never above Bonferroni.
    Holm,
    /// Benjamini–Hochberg: the false discovery rate, for independent (or positively dependent) tests.
    Bh,
    /// Benjamini–Yekutieli: the false discovery rate under any dependence (BH times sum 1/i).
    By,
}

#[derive(Clone, Debug, PartialEq)]
pub enum AdjustError {
    Method(String),
    /// A p-value outside [0, 1], or NaN.
    PValue(f64),
}

impl fmt::Display for AdjustError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AdjustError::Method(m) => write!(
                f,
                "unknown p-value adjustment \"{}\": use 'bonferroni', 'holm', 'bh' or 'by'",
                crate::encoding::shorten(m)
            ),
            AdjustError::PValue(p) => write!(
                f,
                "p-value {} is out of range: it must be between 0 and 1",
                crate::weights::spelled(*p)
            ),
        }
    }
}

impl Adjustment {
    pub fn parse(name: &str) -> Result<Adjustment, AdjustError> {
        match name {
            "bonferroni" => Ok(Adjustment::Bonferroni),
            "holm" => Ok(Adjustment::Holm),
            "bh" => Ok(Adjustment::Bh),
            "by" => Ok(Adjustment::By),
            other => Err(AdjustError::Method(other.to_string())),
        }
    }
}

/// A p-value, checked: within [0, 1] (NaN is not).
pub fn check_p(p: f64) -> Result<f64, AdjustError> {
    if (0.0..=1.0).contains(&p) {
        Ok(p)
    } else {
        Err(AdjustError::PValue(p))
    }
}

/// The adjusted p-values of a family, in the order given; every p must be checked.
/// O(n log n): one sort, then a running maximum (Holm) or minimum (BH, BY).
pub fn adjust(p: &[f64], method: Adjustment) -> Vec<f64> {
    let n = p.len();
    let nf = n as f64;
    if method == Adjustment::Bonferroni {
        return p.iter().map(|&x| (nf * x).min(1.0)).collect();
    }
    // positions in ascending order of p (stable, like R's order(); ties end up equal anyway)
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| p[a].total_cmp(&p[b]));
    let mut adjusted = vec![0.0; n];
    match method {
        Adjustment::Bonferroni => unreachable!("returned above"),
        Adjustment::Holm => {
            // pmin(1, cummax((n - i + 1) * p[o])), i = 1..n over ascending p
            let mut running = 0.0f64;
            for (i, &at) in order.iter().enumerate() {
                running = running.max((nf - i as f64) * p[at]);
                adjusted[at] = running.min(1.0);
            }
        }
        Adjustment::Bh | Adjustment::By => {
            // pmin(1, cummin(q * n / i * p[o])), i = n..1 over descending p; q = 1 (BH) or sum 1/i (BY)
            let q = match method {
                Adjustment::By => (1..=n).map(|i| 1.0 / i as f64).sum::<f64>(),
                _ => 1.0,
            };
            let mut running = f64::INFINITY;
            for (i, &at) in order.iter().enumerate().rev() {
                // R evaluates q * n / i * p left to right
                running = running.min(q * nf / (i + 1) as f64 * p[at]);
                adjusted[at] = running.min(1.0);
            }
        }
    }
    adjusted
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-12 * b.abs() || a == b
    }

    /// Worked by hand from the definitions: p = (.01, .04, .03, .005), n = 4.
    #[test]
    fn small_family_by_hand() {
        let p = [0.01, 0.04, 0.03, 0.005];
        assert_eq!(
            adjust(&p, Adjustment::Bonferroni),
            vec![0.04, 0.16, 0.12, 0.02]
        );
        // ascending .005 .01 .03 .04 times 4 3 2 1 = .02 .03 .06 .04, running max .02 .03 .06 .06
        let holm = adjust(&p, Adjustment::Holm);
        for (got, want) in holm.iter().zip([0.03, 0.06, 0.06, 0.02]) {
            assert!(close(*got, want), "holm {holm:?}");
        }
        // descending .04 .03 .01 .005 times 4/4 4/3 4/2 4/1 = .04 .04 .02 .02, running min the same
        let bh = adjust(&p, Adjustment::Bh);
        for (got, want) in bh.iter().zip([0.02, 0.04, 0.04, 0.02]) {
            assert!(close(*got, want), "bh {bh:?}");
        }
        // BY: BH times 1 + 1/2 + 1/3 + 1/4 = 25/12
        let by = adjust(&p, Adjustment::By);
        for (got, want) in by.iter().zip([0.02, 0.04, 0.04, 0.02]) {
            assert!(close(*got, want * 25.0 / 12.0), "by {by:?}");
        }
    }

    #[test]
    fn never_above_one_and_one_p_is_itself() {
        for m in [
            Adjustment::Bonferroni,
            Adjustment::Holm,
            Adjustment::Bh,
            Adjustment::By,
        ] {
            assert_eq!(adjust(&[0.3], m), vec![0.3]);
            assert_eq!(adjust(&[], m), Vec::<f64>::new());
            assert!(adjust(&[0.9, 0.8, 0.5], m).iter().all(|&x| x <= 1.0));
            assert_eq!(adjust(&[0.0, 1.0], m)[0], 0.0);
        }
    }

    #[test]
    fn bad_input() {
        assert_eq!(check_p(1.5), Err(AdjustError::PValue(1.5)));
        assert!(check_p(f64::NAN).is_err());
        assert_eq!(check_p(-0.0), Ok(-0.0));
        assert_eq!(
            AdjustError::PValue(f64::NAN).to_string(),
            "p-value NaN is out of range: it must be between 0 and 1"
        );
        assert_eq!(
            Adjustment::parse("fdr"),
            Err(AdjustError::Method("fdr".into()))
        );
        // untrusted text is shortened in messages
        let long = AdjustError::Method("x".repeat(10_000)).to_string();
        assert!(
            long.contains(&format!("\"{}...\"", "x".repeat(40))),
            "{long}"
        );
    }

    /// Reference values from statsmodels' multipletests (an independent implementation of the
    /// same definitions), generated by tests/data/p_adjust.py and committed as data.
    #[test]
    fn equal_to_statsmodels_reference_values() {
        let (families, values) = reference();
        assert!(families >= 6 && values >= 400, "{families} {values}");
    }

    /// Checks every family of tests/data/p_adjust.csv; returns (families, values checked).
    pub(crate) fn reference() -> (usize, usize) {
        let data = include_str!("../tests/data/p_adjust.csv");
        let mut rows: Vec<(String, f64, [f64; 4])> = Vec::new();
        for line in data.lines().skip(1) {
            let f: Vec<&str> = line.split(',').collect();
            let num = |i: usize| f[i].parse::<f64>().unwrap();
            rows.push((f[0].to_string(), num(2), [num(3), num(4), num(5), num(6)]));
        }
        let mut families: Vec<String> = rows.iter().map(|r| r.0.clone()).collect();
        families.dedup();
        let mut checked = 0;
        for family in &families {
            let of: Vec<_> = rows.iter().filter(|r| &r.0 == family).collect();
            let p: Vec<f64> = of.iter().map(|r| r.1).collect();
            for (k, m) in [
                Adjustment::Bonferroni,
                Adjustment::Holm,
                Adjustment::Bh,
                Adjustment::By,
            ]
            .into_iter()
            .enumerate()
            {
                let got = adjust(&p, m);
                for (g, r) in got.iter().zip(&of) {
                    assert!(close(*g, r.2[k]), "{family} {m:?}: {g} vs {}", r.2[k]);
                    checked += 1;
                }
            }
        }
        (families.len(), checked)
    }
}

/// How well Benjamini–Hochberg controls the false discovery rate on nps_test's adjusted-Wald
/// p-values, which are not uniform under the null at small n. `cargo test --lib fdr_sim --
/// --nocapture` prints the table that docs/statistics.md quotes.
#[cfg(test)]
mod simulation {
    use super::*;
    use crate::simulate::{Rng, Trinomial};
    use crate::stats::{compare, Method, Sample};

    const SEGMENTS: usize = 50;
    const RUNS: usize = 4000;
    const Q: f64 = 0.05;

    /// Month over month for 50 segments of n answers a month, shares 45/35/20 in both months
    /// except in `changed` segments, where a share `shift` of the answers moves from detractors
    /// to promoters. Returns the false discovery rate (the mean of V / max(R, 1)) of BH and of BY
    /// at 0.05, BH's mean number of discoveries, and the share of unadjusted null p-values at or
    /// below 0.05 (one test's type I error rate).
    fn fdr(n: u32, changed: usize, shift: f64, seed: u64) -> [f64; 4] {
        let mut rng = Rng::new(seed);
        let before = Trinomial::new(n, 0.45, 0.20);
        let after = Trinomial::new(n, 0.45 + shift, 0.20 - shift);
        let (mut fdp_bh, mut fdp_by, mut found, mut nulls, mut null_hits) =
            (0.0, 0.0, 0.0, 0.0, 0.0);
        for _ in 0..RUNS {
            let mut p = Vec::with_capacity(SEGMENTS);
            let mut null = Vec::with_capacity(SEGMENTS);
            for segment in 0..SEGMENTS {
                let moved = segment < changed;
                let (ap, ad) = if moved {
                    after.draw(&mut rng)
                } else {
                    before.draw(&mut rng)
                };
                let (bp, bd) = before.draw(&mut rng);
                let a = Sample::from_counts(n as f64, ap, ad).unwrap();
                let b = Sample::from_counts(n as f64, bp, bd).unwrap();
                let pv = compare(&a, &b, 0.95, Method::AdjustedWald).unwrap().p_value;
                // adjusted Wald always has variation, so always a p-value
                let pv = pv.expect("an adjusted-Wald p-value");
                p.push(pv);
                null.push(!moved);
                if !moved {
                    nulls += 1.0;
                    null_hits += (pv <= Q) as u8 as f64;
                }
            }
            for (method, fdp) in [(Adjustment::Bh, &mut fdp_bh), (Adjustment::By, &mut fdp_by)] {
                let adjusted = adjust(&p, method);
                let rejected = adjusted.iter().filter(|&&x| x <= Q).count();
                let false_ones = adjusted
                    .iter()
                    .zip(&null)
                    .filter(|(&x, &is_null)| x <= Q && is_null)
                    .count();
                *fdp += false_ones as f64 / rejected.max(1) as f64;
                if method == Adjustment::Bh {
                    found += rejected as f64;
                }
            }
        }
        let runs = RUNS as f64;
        [
            fdp_bh / runs,
            fdp_by / runs,
            found / runs,
            null_hits / nulls,
        ]
    }

    #[test]
    fn fdr_sim_benjamini_hochberg_on_adjusted_wald() {
        eprintln!("n a month | changed | BH FDR | BY FDR | BH discoveries | one test's type I error ({RUNS} runs x {SEGMENTS} segments)");
        // one standard error of an FDR near 0.05 over RUNS runs is about 0.0035
        for n in [5u32, 10, 20, 40, 100, 400] {
            for (changed, shift) in [(0usize, 0.0), (10, 0.15)] {
                let [bh, by, found, alpha] = fdr(n, changed, shift, 0x19_fd00 + n as u64);
                eprintln!("{n:>9} | {changed:>7} | {bh:.4} | {by:.4} | {found:>14.2} | {alpha:.4}");
                // BY keeps its promise everywhere; BH at most 1.4 times the nominal rate at any n
                assert!(by <= Q, "BY FDR {by} at n = {n}");
                assert!(bh <= 1.4 * Q, "BH FDR {bh} at n = {n}");
                if n >= 100 {
                    // large n: the p-values are uniform enough for BH's own bound pi0 * q
                    let pi0 = (SEGMENTS - changed) as f64 / SEGMENTS as f64;
                    assert!(bh <= pi0 * Q + 0.011, "BH FDR {bh} at n = {n}");
                }
                if n <= 5 {
                    // tiny n: adjusted Wald's p-values are conservative, BH rarely finds anything
                    assert!(bh < 0.02 && alpha < 0.03, "n = {n}: {bh} {alpha}");
                }
            }
        }
    }
}
