//! Shrinking small segments toward the population (empirical Bayes). Pure Rust; `shrinkage.rs`
//! is the SQL layer.
//!
//! Model: a segment's true shares of promoters, passives and detractors are drawn from a
//! Dirichlet of strength k around the population's shares (pP, pPassive, pD), i.e. k
//! pseudo-answers shaped like the population; its n answers are then a multinomial draw. The
//! posterior is again a Dirichlet, with the segment's counts added to the pseudo-answers, so
//! the posterior mean shares are mP = (P + k pP) / (n + k), mD = (D + k pD) / (n + k).

use crate::stats::{self, Sample, StatsError};
use std::fmt;

#[derive(Clone, Debug, PartialEq)]
pub enum ShrinkError {
    /// k must be >= 0 (infinity allowed), not NaN.
    Strength(f64),
    Stats(StatsError),
}

impl fmt::Display for ShrinkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ShrinkError::Strength(k) => write!(
                f,
                "strength {} is out of range: it must be at least 0 (pseudo-answers; Infinity gives the population's NPS)",
                crate::weights::spelled(*k)
            ),
            ShrinkError::Stats(e) => e.fmt(f),
        }
    }
}

/// The posterior mean shares (mP, mD) and the posterior's total size n + k, of a segment
/// (`None`: no responses) under a prior of strength `k` shaped like `population` (`None`: no
/// responses). `None` when there is nothing to estimate from: n = k = 0, or k > 0 and an empty
/// population.
pub fn posterior(
    segment: Option<Sample>,
    population: Option<Sample>,
    k: f64,
) -> Result<Option<(f64, f64, f64)>, ShrinkError> {
    if !(k >= 0.0) {
        return Err(ShrinkError::Strength(k));
    }
    if k == 0.0 {
        return Ok(segment.map(|s| (s.p, s.d, s.n)));
    }
    let Some(pop) = population else {
        return Ok(None);
    };
    let Some(s) = segment else {
        return Ok(Some((pop.p, pop.d, k))); // no answers: the prior itself
    };
    if k == f64::INFINITY {
        return Ok(Some((pop.p, pop.d, k)));
    }
    let total = s.n + k;
    Ok(Some((
        (s.p * s.n + k * pop.p) / total,
        (s.d * s.n + k * pop.d) / total,
        total,
    )))
}

/// The shrunk NPS in points: 100 * ((P + k pP) - (D + k pD)) / (n + k).
pub fn shrunk_nps(
    segment: Option<Sample>,
    population: Option<Sample>,
    k: f64,
) -> Result<Option<f64>, ShrinkError> {
    Ok(posterior(segment, population, k)?.map(|(p, d, _)| 100.0 * (p - d)))
}

/// The normal-approximation interval of the posterior, in points, clipped to [-100, 100]:
/// 100 * ((mP - mD) -/+ z sqrt((mP + mD - (mP - mD)^2) / (n + k + 1))). The variance is the
/// Dirichlet posterior's variance of the NPS (shares of a Dirichlet of total a have covariance
/// (m_i delta_ij - m_i m_j) / (a + 1)).
pub fn shrunk_interval(
    segment: Option<Sample>,
    population: Option<Sample>,
    k: f64,
    confidence: f64,
) -> Result<Option<(f64, f64)>, ShrinkError> {
    let z = stats::z_for(confidence).map_err(ShrinkError::Stats)?;
    let Some((p, d, total)) = posterior(segment, population, k)? else {
        return Ok(None);
    };
    let centre = p - d;
    let half = z * ((p + d - centre * centre).max(0.0) / (total + 1.0)).sqrt();
    let clip = |x: f64| (100.0 * x).clamp(-100.0, 100.0);
    Ok(Some((clip(centre - half), clip(centre + half))))
}

/// What the prior-strength estimate needs from a set of segments: sums over the segments of a
/// one-way analysis of variance of the answers scored +1 (promoter), 0 (passive), -1
/// (detractor). Combining two sets adds the sums, so the aggregate is parallel.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Spread {
    /// m, the segments with responses
    pub segments: f64,
    /// N = sum n_i
    pub responses: f64,
    /// sum n_i^2
    pub squared_sizes: f64,
    /// sum (P_i - D_i)
    pub net: f64,
    /// sum (P_i - D_i)^2 / n_i
    pub net_squares: f64,
    /// sum (P_i + D_i), the sum of the squared scores
    pub decided: f64,
}

impl Spread {
    /// Add a segment (weighted ones with Kish's effective size); empty ones add nothing.
    pub fn add(&mut self, segment: Option<Sample>) {
        let Some(s) = segment else { return };
        let (p, d) = (s.p * s.n, s.d * s.n);
        self.segments += 1.0;
        self.responses += s.n;
        self.squared_sizes += s.n * s.n;
        self.net += p - d;
        self.net_squares += (p - d) * (p - d) / s.n;
        self.decided += p + d;
    }

    pub fn merge(&mut self, other: &Spread) {
        self.segments += other.segments;
        self.responses += other.responses;
        self.squared_sizes += other.squared_sizes;
        self.net += other.net;
        self.net_squares += other.net_squares;
        self.decided += other.decided;
    }

    pub fn to_le_bytes(&self) -> [u8; 48] {
        let mut out = [0u8; 48];
        for (i, v) in self.fields().iter().enumerate() {
            out[8 * i..8 * i + 8].copy_from_slice(&v.to_le_bytes());
        }
        out
    }

    /// From [`Spread::to_le_bytes`]; `None` for anything else (wrong length, sums that no set
    /// of segments gives).
    pub fn from_le_bytes(bytes: &[u8]) -> Option<Spread> {
        if bytes.len() != 48 {
            return None;
        }
        let f: Vec<f64> = bytes
            .chunks_exact(8)
            .map(|c| f64::from_le_bytes(c.try_into().expect("8 bytes")))
            .collect();
        let s = Spread {
            segments: f[0],
            responses: f[1],
            squared_sizes: f[2],
            net: f[3],
            net_squares: f[4],
            decided: f[5],
        };
        let finite = s.fields().iter().all(|v| v.is_finite());
        let signs = [
            s.segments,
            s.responses,
            s.squared_sizes,
            s.net_squares,
            s.decided,
        ]
        .iter()
        .all(|&v| v >= 0.0);
        (finite && signs).then_some(s)
    }

    fn fields(&self) -> [f64; 6] {
        [
            self.segments,
            self.responses,
            self.squared_sizes,
            self.net,
            self.net_squares,
            self.decided,
        ]
    }

    /// The empirical Bayes prior strength k: the ANOVA (method of moments) estimate of the
    /// intraclass correlation rho of the scores, k = 1 / rho - 1 = n0 MSW / (MSB - MSW).
    ///
    /// Under the Dirichlet-multinomial model the segments' true NPS (as a share) vary with
    /// variance sigma^2 / (k + 1), where sigma^2 = pP + pD - (pP - pD)^2 is one answer's
    /// variance, and answers within a segment with sigma^2 k / (k + 1): within over between is
    /// exactly k. MSB and MSW are the between- and within-segment mean squares and
    /// n0 = (N - sum n_i^2 / N) / (m - 1) the mean segment size that unequal sizes call for
    /// (Searle, Casella and McCulloch 1992, ch. 3): each is unbiased, in closed form from sums.
    ///
    /// `None` with fewer than two segments, or no more responses than segments (nothing to
    /// measure within). When the segments vary no more than sampling explains (MSB <= MSW), and
    /// whenever the estimate exceeds it, the cap N: pseudo-answers as many as all the answers,
    /// so every segment is (almost) the population.
    pub fn prior_strength(&self) -> Option<f64> {
        let (m, n) = (self.segments, self.responses);
        if m < 2.0 || n - m <= 0.0 {
            return None;
        }
        let between = self.net_squares - self.net * self.net / n;
        let within = self.decided - self.net_squares;
        let msb = between / (m - 1.0);
        let msw = within.max(0.0) / (n - m);
        let n0 = (n - self.squared_sizes / n) / (m - 1.0);
        if !(msb > msw) {
            return Some(n);
        }
        Some((n0 * msw / (msb - msw)).min(n))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::simulate::Rng;

    fn s(n: f64, p: f64, d: f64) -> Option<Sample> {
        Sample::from_counts(n, p, d)
    }

    #[test]
    fn formula_by_hand() {
        // segment 6 answers: 4 promoters, 1 detractor (NPS 50); population 45% / 20% (NPS 25)
        let pop = s(1000.0, 450.0, 200.0);
        // k = 6: 100 * ((4 + 2.7) - (1 + 1.2)) / 12 = 37.5
        let got = shrunk_nps(s(6.0, 4.0, 1.0), pop, 6.0).unwrap().unwrap();
        assert!((got - 37.5).abs() < 1e-12, "{got}");
        assert_eq!(shrunk_nps(s(6.0, 4.0, 1.0), pop, 0.0).unwrap(), Some(50.0));
        assert_eq!(
            shrunk_nps(s(6.0, 4.0, 1.0), pop, f64::INFINITY).unwrap(),
            Some(25.0)
        );
        assert_eq!(shrunk_nps(None, pop, 0.0).unwrap(), None);
        assert_eq!(shrunk_nps(None, pop, 3.0).unwrap(), Some(25.0));
        assert_eq!(shrunk_nps(s(6.0, 4.0, 1.0), None, 3.0).unwrap(), None);
        assert_eq!(shrunk_nps(s(6.0, 4.0, 1.0), None, 0.0).unwrap(), Some(50.0));
        assert_eq!(
            shrunk_nps(s(6.0, 4.0, 1.0), pop, -1.0),
            Err(ShrinkError::Strength(-1.0))
        );
        assert!(shrunk_nps(s(6.0, 4.0, 1.0), pop, f64::NAN).is_err());
    }

    /// The shift toward the population is exactly k / (n + k) of the distance.
    #[test]
    fn shift_is_k_over_n_plus_k_of_the_distance() {
        let pop = s(5000.0, 2250.0, 1000.0).unwrap();
        let mut rng = Rng::new(19);
        for _ in 0..1000 {
            let n = 1.0 + (rng.uniform() * 60.0).floor();
            let p = (rng.uniform() * (n + 1.0)).floor().min(n);
            let d = (rng.uniform() * (n - p + 1.0)).floor().min(n - p);
            let k = rng.uniform() * 100.0;
            let seg = s(n, p, d).unwrap();
            let shrunk = shrunk_nps(Some(seg), Some(pop), k).unwrap().unwrap();
            let expected = seg.nps() + k / (n + k) * (pop.nps() - seg.nps());
            assert!((shrunk - expected).abs() < 1e-10, "{n} {p} {d} {k}");
        }
    }

    #[test]
    fn interval_by_hand() {
        let pop = s(1000.0, 450.0, 200.0);
        // k = 6 as above: mP = 6.7/12, mD = 2.2/12, n + k + 1 = 13
        let (p, d) = (6.7 / 12.0, 2.2 / 12.0);
        let half = 1.959963984540054 * ((p + d - (p - d) * (p - d)) / 13.0f64).sqrt();
        let (lo, hi) = shrunk_interval(s(6.0, 4.0, 1.0), pop, 6.0, 0.95)
            .unwrap()
            .unwrap();
        assert!((lo - 100.0 * (p - d - half)).abs() < 1e-12);
        assert!((hi - 100.0 * (p - d + half)).abs() < 1e-12);
        // infinite strength: the population's NPS, no width
        assert_eq!(
            shrunk_interval(s(6.0, 4.0, 1.0), pop, f64::INFINITY, 0.95).unwrap(),
            Some((25.0, 25.0))
        );
        assert!(shrunk_interval(s(6.0, 4.0, 1.0), pop, 6.0, 1.0).is_err());
    }

    /// The ANOVA estimate from a hand-worked set: segments (n, P, D) = (4, 4, 0), (4, 0, 4),
    /// (4, 2, 2): scores +1 x4 | -1 x4 | +1 x2, -1 x2. N = 12, m = 3, sum n^2 = 48.
    /// net = 4 - 4 + 0 = 0; sum net^2 / n = 4 + 4 + 0 = 8 = SSB; SSW = 12 - 8 = 4.
    /// MSB = 4, MSW = 4 / 9, n0 = (12 - 4) / 2 = 4: k = 4 * (4/9) / (4 - 4/9) = 0.5.
    #[test]
    fn prior_strength_by_hand() {
        let mut spread = Spread::default();
        for (n, p, d) in [(4.0, 4.0, 0.0), (4.0, 0.0, 4.0), (4.0, 2.0, 2.0)] {
            spread.add(s(n, p, d));
        }
        spread.add(None);
        assert!((spread.prior_strength().unwrap() - 0.5).abs() < 1e-12);
        // identical segments vary less than chance: the cap, N
        let mut same = Spread::default();
        for _ in 0..5 {
            same.add(s(10.0, 5.0, 2.0));
        }
        assert_eq!(same.prior_strength(), Some(50.0));
        // one segment, or one answer each: nothing to estimate
        let mut one = Spread::default();
        one.add(s(10.0, 5.0, 2.0));
        assert_eq!(one.prior_strength(), None);
        let mut singles = Spread::default();
        singles.add(s(1.0, 1.0, 0.0));
        singles.add(s(1.0, 0.0, 1.0));
        assert_eq!(singles.prior_strength(), None);
        // everyone answers alike everywhere: no spread at all, the cap
        let mut flat = Spread::default();
        flat.add(s(3.0, 3.0, 0.0));
        flat.add(s(2.0, 2.0, 0.0));
        assert_eq!(flat.prior_strength(), Some(5.0));
        // merging halves gives the whole; bytes round-trip
        let (mut a, mut b) = (Spread::default(), Spread::default());
        a.add(s(4.0, 4.0, 0.0));
        b.add(s(4.0, 0.0, 4.0));
        b.add(s(4.0, 2.0, 2.0));
        a.merge(&b);
        assert_eq!(a, spread);
        assert_eq!(Spread::from_le_bytes(&a.to_le_bytes()), Some(a));
        assert_eq!(Spread::from_le_bytes(&[0; 47]), None);
    }
}

/// Validation by simulation, with the pinned generator. `cargo test --lib shrinkage_sim
/// -- --nocapture` prints the figures that docs/statistics.md quotes.
#[cfg(test)]
mod simulation {
    use super::*;
    use crate::simulate::Rng;

    const POPULATION: [f64; 3] = [0.45, 0.35, 0.20]; // promoters, passives, detractors
    const SEGMENTS: usize = 200;
    const RUNS: usize = 60;
    const SIZE_BINS: [(usize, usize); 4] = [(5, 10), (11, 20), (21, 30), (31, 40)];

    /// How a segment's true shares are drawn around the population.
    #[derive(Clone, Copy, Debug)]
    enum Truth {
        /// Dirichlet of strength 20 (the model the estimator assumes)
        Dirichlet,
        /// softmax(ln pi + 0.45 z), z standard normal per share: misspecified, heavier tails
        LogitNormal,
    }

    #[derive(Default, Debug)]
    struct Figures {
        se_raw: f64,
        se_estimated: f64,
        se_known: f64,
        segments: f64,
        covered: f64,
        by_size: [(f64, f64); 4],
        outer: (f64, f64),
        reductions: Vec<f64>,
        strengths: Vec<f64>,
    }

    impl Figures {
        fn reduction(&self) -> f64 {
            1.0 - self.se_estimated / self.se_raw
        }
        fn known_reduction(&self) -> f64 {
            1.0 - self.se_known / self.se_raw
        }
        fn coverage(&self) -> f64 {
            self.covered / self.segments
        }
    }

    fn simulate(truth: Truth, seed: u64) -> Figures {
        let mut rng = Rng::new(seed);
        let mut f = Figures::default();
        for _ in 0..RUNS {
            // (size, true NPS, sample)
            let mut segments = Vec::with_capacity(SEGMENTS);
            for _ in 0..SEGMENTS {
                let n = 5 + (rng.uniform() * 36.0) as usize;
                let shares = match truth {
                    Truth::Dirichlet => rng.dirichlet(POPULATION.map(|x| 20.0 * x)),
                    Truth::LogitNormal => {
                        let e = POPULATION.map(|x| (x.ln() + 0.45 * rng.normal()).exp());
                        let total: f64 = e.iter().sum();
                        e.map(|x| x / total)
                    }
                };
                let (p, d) = rng.answers(n, shares[0], shares[2]);
                let sample = Sample::from_counts(n as f64, p, d).unwrap();
                segments.push((n, 100.0 * (shares[0] - shares[2]), sample));
            }
            // the population is every segment's answers (the rollup)
            let (mut n, mut p, mut d, mut spread) = (0.0, 0.0, 0.0, Spread::default());
            for (_, _, s) in &segments {
                n += s.n;
                p += s.p * s.n;
                d += s.d * s.n;
                spread.add(Some(*s));
            }
            let population = Sample::from_counts(n, p, d);
            let k = spread.prior_strength().unwrap();
            f.strengths.push(k);
            let (mut run_raw, mut run_shrunk) = (0.0, 0.0);
            let true_centre = 100.0 * (POPULATION[0] - POPULATION[2]);
            let mut distance: Vec<(f64, bool)> = Vec::new();
            for (size, truth, s) in &segments {
                let sq = |x: f64| (x - truth) * (x - truth);
                let shrunk = shrunk_nps(Some(*s), population, k).unwrap().unwrap();
                let known = shrunk_nps(Some(*s), population, 20.0).unwrap().unwrap();
                run_raw += sq(s.nps());
                run_shrunk += sq(shrunk);
                f.se_known += sq(known);
                let (lo, hi) = shrunk_interval(Some(*s), population, k, 0.95)
                    .unwrap()
                    .unwrap();
                let covered = (lo <= *truth && *truth <= hi) as u8 as f64;
                f.covered += covered;
                f.segments += 1.0;
                let bin = SIZE_BINS
                    .iter()
                    .position(|(a, b)| (a..=b).contains(&size))
                    .unwrap();
                f.by_size[bin].0 += covered;
                f.by_size[bin].1 += 1.0;
                distance.push(((truth - true_centre).abs(), covered > 0.0));
            }
            distance.sort_by(|a, b| b.0.total_cmp(&a.0));
            for (_, covered) in distance.iter().take(SEGMENTS / 10) {
                f.outer.0 += *covered as u8 as f64;
                f.outer.1 += 1.0;
            }
            f.se_raw += run_raw;
            f.se_estimated += run_shrunk;
            f.reductions.push(1.0 - run_shrunk / run_raw);
        }
        f
    }

    fn median_range(v: &[f64]) -> (f64, f64, f64) {
        let mut v = v.to_vec();
        v.sort_by(f64::total_cmp);
        (v[v.len() / 2], v[0], v[v.len() - 1])
    }

    fn report(truth: Truth, f: &Figures) {
        let (med, lo, hi) = median_range(&f.reductions);
        let (kmed, klo, khi) = median_range(&f.strengths);
        eprintln!(
            "{truth:?}, {RUNS} runs x {SEGMENTS} segments: MSE reduction {:.1}% (per run median {:.1}%, range {:.1}..{:.1}%), with k = 20 known {:.1}%; estimated k median {kmed:.1} (range {klo:.1}..{khi:.1})",
            100.0 * f.reduction(),
            100.0 * med,
            100.0 * lo,
            100.0 * hi,
            100.0 * f.known_reduction()
        );
        let bins: Vec<String> = SIZE_BINS
            .iter()
            .zip(f.by_size)
            .map(|((a, b), (c, n))| format!("{a}-{b}: {:.1}%", 100.0 * c / n))
            .collect();
        eprintln!(
            "  95% interval coverage {:.1}%; by size {}; outermost tenth {:.1}%",
            100.0 * f.coverage(),
            bins.join(", "),
            100.0 * f.outer.0 / f.outer.1
        );
    }

    #[test]
    fn shrinkage_sim_dirichlet_generator() {
        let f = simulate(Truth::Dirichlet, 0x19_2026);
        report(Truth::Dirichlet, &f);
        assert!(f.reduction() >= 0.40, "MSE reduction {}", f.reduction());
        // the setup itself: with k known, about 59% (the figure)
        assert!((0.55..0.63).contains(&f.known_reduction()));
        assert!((0.93..=0.97).contains(&f.coverage()), "{}", f.coverage());
        for (covered, n) in f.by_size {
            assert!((0.92..=0.98).contains(&(covered / n)), "{:?}", f.by_size);
        }
        // shrinkage pulls the most extreme segments in: they are covered less often
        assert!(f.outer.0 / f.outer.1 < f.coverage());
    }

    #[test]
    fn shrinkage_sim_logit_normal_generator() {
        let f = simulate(Truth::LogitNormal, 0x19_2027);
        report(Truth::LogitNormal, &f);
        assert!(f.reduction() >= 0.30, "MSE reduction {}", f.reduction());
        assert!((0.90..=0.98).contains(&f.coverage()), "{}", f.coverage());
    }
}
