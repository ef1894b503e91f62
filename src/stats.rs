//! NPS statistics in NPS points (-100..100): standard error, margin of error, confidence
//! intervals (Wald and adjusted Wald), the two-sample test and sample size. Pure Rust.
//!
//! N responses, P promoters, D detractors, p = P/N, d = D/N; weighted samples use Kish's
//! effective size n_eff = (sum w)^2 / sum w^2 in place of N and p * n_eff, d * n_eff for P, D.

use std::fmt;

/// What the statistics need from a set of answers.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Sample {
    /// N, or the effective sample size of weighted answers.
    pub n: f64,
    /// Share of promoters.
    pub p: f64,
    /// Share of detractors.
    pub d: f64,
}

/// How an interval (and the test) treat the sample.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// centre p - d, variance p + d - (p - d)^2, over N.
    Wald,
    /// Rocks (2016): add 3/4 promoter, 3/4 detractor and 3/2 passive, then Wald over N + 3.
    AdjustedWald,
}

/// Bad parameters (reported as SQLSTATE 22023).
#[derive(Clone, Debug, PartialEq)]
pub enum StatsError {
    Confidence(f64),
    Method(String),
    Margin(f64),
    Share(&'static str, f64),
    Shares(f64, f64),
    /// A margin so small that the sample size exceeds 2^53, beyond exact counting in a double.
    SampleSizeTooLarge(f64),
    /// A period's planned responses, which must be at least 1.
    Responses(&'static str, i64),
    /// Power must lie strictly between 0 and 1.
    Power(f64),
    /// Confidence and power whose quantiles add up to 0 or less: no change is "detected".
    PowerBelowLevel(f64, f64),
}

impl fmt::Display for StatsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StatsError::Confidence(c) => {
                write!(
                    f,
                    "confidence {c} is out of range: it must be between 0 and 1, exclusive"
                )
            }
            StatsError::Method(m) => write!(
                f,
                "unknown interval method \"{m}\": use 'wald' or 'adjusted_wald'"
            ),
            StatsError::SampleSizeTooLarge(m) => write!(
                f,
                "margin {m} is too small: it needs more than 2^53 responses"
            ),
            StatsError::Margin(m) => {
                write!(
                    f,
                    "margin {m} is out of range: it must be a positive number of NPS points"
                )
            }
            StatsError::Share(what, v) => {
                write!(
                    f,
                    "expected share of {what} {v} is out of range: it must be between 0 and 1"
                )
            }
            StatsError::Responses(what, n) => write!(
                f,
                "{what} {n} is out of range: each period needs at least 1 response"
            ),
            StatsError::Power(p) => write!(
                f,
                "power {p} is out of range: it must be between 0 and 1, exclusive"
            ),
            StatsError::PowerBelowLevel(c, p) => write!(
                f,
                "power {p} is too low for confidence {c}: the test would reject that often with no change at all"
            ),
            StatsError::Shares(p, d) => {
                write!(
                    f,
                    "expected shares of promoters {p} and detractors {d} add up to more than 1"
                )
            }
        }
    }
}

impl Method {
    pub fn parse(name: &str) -> Result<Method, StatsError> {
        match name {
            "wald" => Ok(Method::Wald),
            "adjusted_wald" => Ok(Method::AdjustedWald),
            other => Err(StatsError::Method(other.to_string())),
        }
    }
}

/// z_c, the standard normal quantile at (1 + c) / 2, for a two-sided confidence level c.
pub fn z_for(confidence: f64) -> Result<f64, StatsError> {
    if confidence > 0.0 && confidence < 1.0 {
        Ok(normal_quantile((1.0 + confidence) / 2.0))
    } else {
        Err(StatsError::Confidence(confidence))
    }
}

impl Sample {
    /// From counts; `None` without responses.
    pub fn from_counts(responses: f64, promoters: f64, detractors: f64) -> Option<Sample> {
        (responses > 0.0).then(|| Sample {
            n: responses,
            p: promoters / responses,
            d: detractors / responses,
        })
    }

    /// From weighted sums: total weight, weight of promoters and detractors, sum of squared
    /// weights; `None` when no answer has weight.
    pub fn from_weights(
        total: f64,
        promoters: f64,
        detractors: f64,
        squares: f64,
    ) -> Option<Sample> {
        (total > 0.0 && squares > 0.0).then(|| Sample {
            n: total * total / squares,
            p: promoters / total,
            d: detractors / total,
        })
    }

    /// NPS in points.
    pub fn nps(&self) -> f64 {
        100.0 * (self.p - self.d)
    }

    /// (centre, variance, n) of the method, as shares (not points).
    pub fn params(&self, method: Method) -> (f64, f64, f64) {
        let (p, d, n) = match method {
            Method::Wald => (self.p, self.d, self.n),
            Method::AdjustedWald => {
                let n = self.n + 3.0;
                (
                    (self.p * self.n + 0.75) / n,
                    (self.d * self.n + 0.75) / n,
                    n,
                )
            }
        };
        let centre = p - d;
        (centre, p + d - centre * centre, n)
    }

    /// Wald standard error of the NPS, in points: 100 * sqrt(var / N).
    pub fn stderr(&self) -> f64 {
        let (_, var, n) = self.params(Method::Wald);
        100.0 * (var.max(0.0) / n).sqrt()
    }

    /// z_c times the standard error, in points.
    pub fn margin(&self, confidence: f64) -> Result<f64, StatsError> {
        Ok(z_for(confidence)? * self.stderr())
    }

    /// The confidence interval in points, clipped to [-100, 100].
    pub fn interval(&self, confidence: f64, method: Method) -> Result<(f64, f64), StatsError> {
        let z = z_for(confidence)?;
        let (centre, var, n) = self.params(method);
        let half = z * (var.max(0.0) / n).sqrt();
        Ok((clip(100.0 * (centre - half)), clip(100.0 * (centre + half))))
    }
}

fn clip(points: f64) -> f64 {
    points.clamp(-100.0, 100.0)
}

/// The two-sample comparison of `a` against `b`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Comparison {
    /// nps(a) - nps(b) in points: raw, signed.
    pub difference: f64,
    /// (centre_a - centre_b) / se; `None` when se is 0 (no variation on either side).
    pub z: Option<f64>,
    /// Two-sided p-value, 2 * (1 - Phi(|z|)).
    pub p_value: Option<f64>,
    /// Interval of the difference in points, (low, high).
    pub ci_low: f64,
    pub ci_high: f64,
}

pub fn compare(
    a: &Sample,
    b: &Sample,
    confidence: f64,
    method: Method,
) -> Result<Comparison, StatsError> {
    let zc = z_for(confidence)?;
    let (ca, va, na) = a.params(method);
    let (cb, vb, nb) = b.params(method);
    let se = (va.max(0.0) / na + vb.max(0.0) / nb).sqrt();
    let z = (se > 0.0).then(|| (ca - cb) / se);
    Ok(Comparison {
        difference: a.nps() - b.nps(),
        z,
        // 2 * (1 - Phi(|z|)) = erfc(|z| / sqrt 2), without cancellation for large |z|
        p_value: z.map(|z| libm::erfc(z.abs() / std::f64::consts::SQRT_2)),
        ci_low: 100.0 * (ca - cb - zc * se),
        ci_high: 100.0 * (ca - cb + zc * se),
    })
}

/// The smallest N whose margin of error at `confidence` is at most `margin` points, for
/// expected shares of promoters and detractors (the worst case, variance 1, when not given).
pub fn sample_size(
    margin: f64,
    confidence: f64,
    shares: Option<(f64, f64)>,
) -> Result<f64, StatsError> {
    if !(margin > 0.0 && margin.is_finite()) {
        return Err(StatsError::Margin(margin));
    }
    let z = z_for(confidence)?;
    let var = share_variance(shares)?;
    let fits = |n: f64| z * 100.0 * (var / n).sqrt() <= margin;
    let mut n = ((z * 100.0 / margin).powi(2) * var).ceil().max(1.0);
    // Beyond 2^53, n - 1 == n in a double and the steps below would never end.
    if !(n < 9_007_199_254_740_992.0) {
        return Err(StatsError::SampleSizeTooLarge(margin));
    }
    // The closed form can be one off after rounding; settle on the smallest N that fits.
    while n > 1.0 && fits(n - 1.0) {
        n -= 1.0;
    }
    while !fits(n) {
        n += 1.0;
    }
    Ok(n)
}

/// One answer's variance p + d - (p - d)^2 for expected shares of promoters and detractors;
/// 1, the largest it can be, when they are not given.
fn share_variance(shares: Option<(f64, f64)>) -> Result<f64, StatsError> {
    let Some((p, d)) = shares else {
        return Ok(1.0);
    };
    for (what, v) in [("promoters", p), ("detractors", d)] {
        if !(0.0..=1.0).contains(&v) {
            return Err(StatsError::Share(what, v));
        }
    }
    if p + d > 1.0 + 1e-12 {
        return Err(StatsError::Shares(p, d));
    }
    Ok(p + d - (p - d) * (p - d))
}

/// The smallest change in NPS points between two periods of `n_a` and `n_b` responses that a
/// two-sided test at `confidence` detects with probability `power`:
/// (z_c + z_power) * 100 * sqrt(v (1/n_a + 1/n_b)), v from the expected shares (pooled over
/// both periods; 1, the worst case, when not given). The normal approximation of the
/// difference (Chow, Shao and Wang 2008, sec. 3.2, two means).
pub fn detectable_change(
    n_a: i64,
    n_b: i64,
    shares: Option<(f64, f64)>,
    confidence: f64,
    power: f64,
) -> Result<f64, StatsError> {
    for (what, n) in [("responses_a", n_a), ("responses_b", n_b)] {
        if n < 1 {
            return Err(StatsError::Responses(what, n));
        }
    }
    let (n_a, n_b) = (n_a as f64, n_b as f64);
    let zc = z_for(confidence)?;
    if !(power > 0.0 && power < 1.0) {
        return Err(StatsError::Power(power));
    }
    let z = zc + normal_quantile(power);
    if !(z > 0.0) {
        return Err(StatsError::PowerBelowLevel(confidence, power));
    }
    let var = share_variance(shares)?;
    Ok(z * 100.0 * (var * (1.0 / n_a + 1.0 / n_b)).sqrt())
}

/// Standard normal CDF.
pub fn normal_cdf(x: f64) -> f64 {
    0.5 * libm::erfc(-x / std::f64::consts::SQRT_2)
}

/// Standard normal quantile, Wichura's AS241 (PPND16), relative accuracy about 1e-16.
pub fn normal_quantile(p: f64) -> f64 {
    if p <= 0.0 {
        return f64::NEG_INFINITY;
    }
    if p >= 1.0 {
        return f64::INFINITY;
    }
    let q = p - 0.5;
    if q.abs() <= 0.425 {
        let r = 0.180625 - q * q;
        return q * poly(&A, r) / poly(&B, r);
    }
    let r = if q < 0.0 { p } else { 1.0 - p };
    let r = (-r.ln()).sqrt();
    let x = if r <= 5.0 {
        let r = r - 1.6;
        poly(&C, r) / poly(&D, r)
    } else {
        let r = r - 5.0;
        poly(&E, r) / poly(&F, r)
    };
    if q < 0.0 {
        -x
    } else {
        x
    }
}

/// c[0] + c[1] r + ... + c[7] r^7
fn poly(c: &[f64; 8], r: f64) -> f64 {
    c.iter().rev().fold(0.0, |acc, &k| acc * r + k)
}

const A: [f64; 8] = [
    3.387_132_872_796_366_5,
    1.331_416_678_917_843_8e2,
    1.971_590_950_306_551_3e3,
    1.373_169_376_550_946e4,
    4.592_195_393_154_987e4,
    6.726_577_092_700_87e4,
    3.343_057_558_358_813e4,
    2.509_080_928_730_122_7e3,
];
const B: [f64; 8] = [
    1.0,
    4.231_333_070_160_091e1,
    6.871_870_074_920_579e2,
    5.394_196_021_424_751e3,
    2.121_379_430_158_659_7e4,
    3.930_789_580_009_271e4,
    2.872_908_573_572_194_3e4,
    5.226_495_278_852_545e3,
];
const C: [f64; 8] = [
    1.423_437_110_749_683_5,
    4.630_337_846_156_546,
    5.769_497_221_460_691,
    3.647_848_324_763_204_5,
    1.270_458_252_452_368_4,
    2.417_807_251_774_506e-1,
    2.272_384_498_926_918_4e-2,
    7.745_450_142_783_414e-4,
];
const D: [f64; 8] = [
    1.0,
    2.053_191_626_637_759,
    1.676_384_830_183_803_8,
    6.897_673_349_851e-1,
    1.481_039_764_274_800_8e-1,
    1.519_866_656_361_645_7e-2,
    5.475_938_084_995_345e-4,
    1.050_750_071_644_416_9e-9,
];
const E: [f64; 8] = [
    6.657_904_643_501_103,
    5.463_784_911_164_114,
    1.784_826_539_917_291_3,
    2.965_605_718_285_048_7e-1,
    2.653_218_952_657_612_4e-2,
    1.242_660_947_388_078_4e-3,
    2.711_555_568_743_487_6e-5,
    2.010_334_399_292_288_1e-7,
];
const F: [f64; 8] = [
    1.0,
    5.998_322_065_558_88e-1,
    1.369_298_809_227_358e-1,
    1.487_536_129_085_061_5e-2,
    7.868_691_311_456_133e-4,
    1.846_318_317_510_054_8e-5,
    1.421_511_758_316_446e-7,
    2.043_131_979_354_482_5e-15,
];

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol * b.abs().max(1.0)
    }

    /// Reference values from scipy.stats.norm (ppf and cdf), an independent implementation.
    #[test]
    fn normal_quantile_matches_reference_values() {
        let cases = [
            (0.975, 1.959963984540054),
            (0.95, 1.6448536269514722),
            (0.995, 2.5758293035489004),
            (0.9, 1.2815515655446004),
            (0.8, 0.8416212335729143),
            (0.6, 0.2533471031357997),
            (0.5, 0.0),
            (0.001, -3.090232306167813),
            (1e-10, -6.361340902404056),
        ];
        for (p, x) in cases {
            assert!(
                close(normal_quantile(p), x, 1e-12),
                "ppf({p}) = {} not {x}",
                normal_quantile(p)
            );
        }
    }

    #[test]
    fn normal_cdf_matches_reference_values() {
        let cases = [
            (1.96, 0.9750021048517795),
            (-3.0, 0.0013498980316300933),
            (1.0, 0.8413447460685429),
            (0.0, 0.5),
            (2.5, 0.9937903346742238),
            (-1.5, 0.06680720126885807),
            (-8.0, 6.22096057427174e-16),
        ];
        for (x, p) in cases {
            assert!(
                (normal_cdf(x) - p).abs() <= 1e-12 * p.max(1e-300).max(1e-4),
                "cdf({x})"
            );
            assert!(
                close(normal_cdf(x), p, 1e-12),
                "cdf({x}) = {} not {p}",
                normal_cdf(x)
            );
        }
        // the quantile inverts the CDF across the range
        for i in 1..1000 {
            let p = i as f64 / 1000.0;
            assert!(
                close(normal_cdf(normal_quantile(p)), p, 1e-13),
                "round trip at {p}"
            );
        }
    }

    /// The seed example: N = 200, P = 110, D = 30.
    fn seed() -> Sample {
        Sample::from_counts(200.0, 110.0, 30.0).unwrap()
    }

    #[test]
    fn seed_example_by_hand() {
        let s = seed();
        assert!(close(s.nps(), 40.0, 1e-15));
        // var = .55 + .15 - .4^2 = .54; se = 100 * sqrt(.54 / 200) = 5.196152422706632
        assert!(close(s.stderr(), 100.0 * (0.54f64 / 200.0).sqrt(), 1e-15));
        assert!((s.stderr() - 5.196).abs() < 5e-4);
        let margin = s.margin(0.95).unwrap();
        assert!(close(margin, 1.959963984540054 * 5.196152422706632, 1e-12));
        let (lo, hi) = s.interval(0.95, Method::Wald).unwrap();
        assert!(close(lo, 40.0 - margin, 1e-12) && close(hi, 40.0 + margin, 1e-12));
        // adjusted: n = 203, p = 110.75/203, d = 30.75/203
        let (p, d): (f64, f64) = (110.75 / 203.0, 30.75 / 203.0);
        let half = 1.959963984540054 * ((p + d - (p - d) * (p - d)) / 203.0).sqrt();
        let (lo, hi) = s.interval(0.95, Method::AdjustedWald).unwrap();
        assert!(close(lo, 100.0 * (p - d - half), 1e-12), "{lo}");
        assert!(close(hi, 100.0 * (p - d + half), 1e-12), "{hi}");
    }

    #[test]
    fn small_samples() {
        // N = 1, a promoter: Wald has no spread, adjusted Wald does (p = 1.75/4, d = .75/4).
        let one = Sample::from_counts(1.0, 1.0, 0.0).unwrap();
        assert_eq!(one.stderr(), 0.0);
        assert_eq!(one.interval(0.95, Method::Wald).unwrap(), (100.0, 100.0));
        let (p, d): (f64, f64) = (1.75 / 4.0, 0.75 / 4.0);
        let half = 1.959963984540054 * ((p + d - (p - d) * (p - d)) / 4.0).sqrt();
        let (lo, hi) = one.interval(0.95, Method::AdjustedWald).unwrap();
        assert!(
            close(lo, 100.0 * (p - d - half), 1e-12) && close(hi, 100.0 * (p - d + half), 1e-12)
        );
        // N = 2, a promoter and a detractor: var = 1 - 0 = 1, se = 100 / sqrt 2; clipped interval
        let two = Sample::from_counts(2.0, 1.0, 1.0).unwrap();
        assert!(close(two.stderr(), 100.0 / 2f64.sqrt(), 1e-15));
        assert_eq!(two.interval(0.95, Method::Wald).unwrap(), (-100.0, 100.0));
        // N = 5: 3 promoters, 1 passive, 1 detractor: p - d = .4, var = .8 - .16 = .64, se = 100 * .8 / sqrt 5
        let five = Sample::from_counts(5.0, 3.0, 1.0).unwrap();
        assert!(close(five.stderr(), 80.0 / 5f64.sqrt(), 1e-14));
        assert!(Sample::from_counts(0.0, 0.0, 0.0).is_none());
    }

    #[test]
    fn comparison_keeps_the_sign_and_the_order() {
        let a = seed(); // 40
        let b = Sample::from_counts(100.0, 30.0, 40.0).unwrap(); // -10
        let c = compare(&a, &b, 0.95, Method::Wald).unwrap();
        assert!(close(c.difference, 50.0, 1e-13));
        // se = sqrt(.54/200 + (.7 - .01)/100), z = .5 / se
        let se = (0.54f64 / 200.0 + 0.69 / 100.0).sqrt();
        assert!(close(c.z.unwrap(), 0.5 / se, 1e-12));
        assert!(close(
            c.p_value.unwrap(),
            libm::erfc(0.5 / se / 2f64.sqrt()),
            1e-12
        ));
        assert!(c.ci_low < c.ci_high, "interval is (low, high)");
        assert!(close(
            c.ci_low,
            100.0 * (0.5 - 1.959963984540054 * se),
            1e-12
        ));
        // variances are scaled by 100^2: the interval half-width is z * 100 * se, not z * 10 * se
        assert!(close(
            c.ci_high - c.ci_low,
            2.0 * 1.959963984540054 * 100.0 * se,
            1e-12
        ));
        let reversed = compare(&b, &a, 0.95, Method::Wald).unwrap();
        assert!(close(reversed.difference, -50.0, 1e-13) && reversed.z.unwrap() < 0.0);
        assert_eq!(reversed.p_value, c.p_value);
        // z = 2.5 gives the textbook two-sided p-value
        assert!(close(
            libm::erfc(2.5 / 2f64.sqrt()),
            0.012419330651552265,
            1e-12
        ));
    }

    #[test]
    fn no_variation_has_no_z() {
        let all = Sample::from_counts(10.0, 10.0, 0.0).unwrap();
        let c = compare(&all, &all, 0.95, Method::Wald).unwrap();
        assert_eq!((c.z, c.p_value), (None, None));
        assert!(compare(&all, &all, 0.95, Method::AdjustedWald)
            .unwrap()
            .z
            .is_some());
    }

    #[test]
    fn weighted_sample_uses_kish_effective_size() {
        // weights 1, 1, 2 on promoter, detractor, promoter: W = 4, sum w^2 = 6, n_eff = 16/6
        let s = Sample::from_weights(4.0, 3.0, 1.0, 6.0).unwrap();
        assert!(close(s.n, 16.0 / 6.0, 1e-15));
        assert!(close(s.nps(), 50.0, 1e-15));
        // equal weights give the unweighted answer
        let w = Sample::from_weights(200.0 * 2.5, 110.0 * 2.5, 30.0 * 2.5, 200.0 * 6.25).unwrap();
        assert!(close(w.stderr(), seed().stderr(), 1e-12));
        assert!(Sample::from_weights(0.0, 0.0, 0.0, 0.0).is_none());
    }

    #[test]
    fn sample_size_by_hand() {
        // worst case, 95%, 5 points: (1.959963984540054 * 100 / 5)^2 = 1536.5...
        assert_eq!(sample_size(5.0, 0.95, None).unwrap(), 1537.0);
        // seed shares: var .54 -> 1536.58 * .54 = 829.75 -> 830
        assert_eq!(sample_size(5.0, 0.95, Some((0.55, 0.15))).unwrap(), 830.0);
        let n = sample_size(3.0, 0.9, Some((0.4, 0.2))).unwrap();
        let var: f64 = 0.6 - 0.04;
        let z = 1.6448536269514722;
        assert!(z * 100.0 * (var / n).sqrt() <= 3.0 && z * 100.0 * (var / (n - 1.0)).sqrt() > 3.0);
        assert_eq!(sample_size(0.0, 0.95, None), Err(StatsError::Margin(0.0)));
        assert_eq!(sample_size(-1.0, 0.95, None), Err(StatsError::Margin(-1.0)));
        // found by fuzz_sql.py: a tiny margin used to loop forever (n - 1 == n past 2^53)
        assert_eq!(
            sample_size(1e-300, 0.95, None),
            Err(StatsError::SampleSizeTooLarge(1e-300))
        );
        assert!(sample_size(1e-6, 0.999999, None).is_err());
        // the largest that still fits: (1.96 * 100 / 0.000003)^2 = 4.3e15 < 2^53
        assert!(sample_size(0.000003, 0.95, None).unwrap() < 9_007_199_254_740_992.0);
        assert_eq!(
            sample_size(5.0, 1.0, None),
            Err(StatsError::Confidence(1.0))
        );
        assert_eq!(
            sample_size(5.0, 0.95, Some((0.7, 0.4))),
            Err(StatsError::Shares(0.7, 0.4))
        );
        assert_eq!(
            sample_size(5.0, 0.95, Some((1.5, 0.0))),
            Err(StatsError::Share("promoters", 1.5))
        );
    }

    #[test]
    fn parameters_are_checked() {
        assert_eq!(z_for(0.0), Err(StatsError::Confidence(0.0)));
        assert!(matches!(z_for(f64::NAN), Err(StatsError::Confidence(_))));
        assert_eq!(
            Method::parse("wilson"),
            Err(StatsError::Method("wilson".into()))
        );
        assert_eq!(Method::parse("adjusted_wald"), Ok(Method::AdjustedWald));
    }

    #[test]
    fn detectable_change_by_hand() {
        // worst case, 95%, 80%: (1.959963984540054 + 0.8416212335729143) * 100 * sqrt(2 / 400)
        let z = 1.959963984540054 + 0.8416212335729143;
        let got = detectable_change(400, 400, None, 0.95, 0.8).unwrap();
        assert!(
            close(got, z * 100.0 * (2.0f64 / 400.0).sqrt(), 1e-13),
            "{got}"
        );
        // shares .45 / .20: v = .65 - .0625 = .5875; n 100 and 300
        let got = detectable_change(100, 300, Some((0.45, 0.2)), 0.95, 0.8).unwrap();
        let want = z * 100.0 * (0.5875f64 * (0.01 + 1.0 / 300.0)).sqrt();
        assert!(close(got, want, 1e-13), "{got} {want}");
        // 90% confidence, 90% power: 1.6448536269514722 + 1.2815515655446004
        let got = detectable_change(1000, 1000, None, 0.9, 0.9).unwrap();
        let want = (1.6448536269514722 + 1.2815515655446004) * 100.0 * (0.002f64).sqrt();
        assert!(close(got, want, 1e-13));
        assert_eq!(
            detectable_change(0, 10, None, 0.95, 0.8),
            Err(StatsError::Responses("responses_a", 0))
        );
        assert_eq!(
            detectable_change(10, 10, None, 0.95, 1.0),
            Err(StatsError::Power(1.0))
        );
        assert!(detectable_change(10, 10, None, 0.95, f64::NAN).is_err());
        assert_eq!(
            detectable_change(10, 10, None, 0.95, 0.02),
            Err(StatsError::PowerBelowLevel(0.95, 0.02))
        );
        assert_eq!(
            detectable_change(10, 10, Some((0.7, 0.4)), 0.95, 0.8),
            Err(StatsError::Shares(0.7, 0.4))
        );
    }
}

/// Does nps_test find the change nps_detectable_change promises, with that power? Simulated
/// month-over-month comparisons; `cargo test --lib power_sim -- --nocapture` prints the table
/// that docs/statistics.md quotes.
#[cfg(test)]
mod power_simulation {
    use super::*;
    use crate::simulate::{Rng, Trinomial};

    const RUNS: usize = 4000;
    const BEFORE: [f64; 3] = [0.45, 0.35, 0.20]; // promoters, passives, detractors

    /// The ways answers can move, (from, to) as indices into [promoters, passives, detractors].
    const MOVES: [(&str, usize, usize); 6] = [
        ("detractors to promoters", 2, 0),
        ("passives to promoters", 1, 0),
        ("detractors to passives", 2, 1),
        ("promoters to passives", 0, 1),
        ("passives to detractors", 1, 2),
        ("promoters to detractors", 0, 2),
    ];

    /// The shares after moving answers worth `change` points from `from` to `to`; `None` when
    /// `from` has too few.
    fn after(change: f64, from: usize, to: usize) -> Option<[f64; 3]> {
        // moving between promoters and detractors moves the NPS twice as far
        let double = matches!((from, to), (0, 2) | (2, 0));
        let moved = change / 100.0 / if double { 2.0 } else { 1.0 };
        let mut shares = BEFORE;
        if shares[from] < moved {
            return None;
        }
        shares[from] -= moved;
        shares[to] += moved;
        Some(shares)
    }

    /// The planned change for n answers a period, from the shares pooled over both periods:
    /// the pooled shares depend on the change, so iterate to the fixed point.
    fn planned(n: i64, from: usize, to: usize) -> Option<(f64, [f64; 3])> {
        let mut change = detectable_change(n, n, Some((BEFORE[0], BEFORE[2])), 0.95, 0.8).unwrap();
        for _ in 0..100 {
            let a = after(change, from, to)?;
            let pooled = ((a[0] + BEFORE[0]) / 2.0, (a[2] + BEFORE[2]) / 2.0);
            change = detectable_change(n, n, Some(pooled), 0.95, 0.8).unwrap();
        }
        Some((change, after(change, from, to)?))
    }

    /// The share of RUNS comparisons in which nps_test (adjusted Wald) rejects at 0.05.
    fn achieved(n: u32, shares: [f64; 3], seed: u64) -> f64 {
        let mut rng = Rng::new(seed);
        let before = Trinomial::new(n, BEFORE[0], BEFORE[2]);
        let later = Trinomial::new(n, shares[0], shares[2]);
        let mut rejected = 0;
        for _ in 0..RUNS {
            let (ap, ad) = later.draw(&mut rng);
            let (bp, bd) = before.draw(&mut rng);
            let a = Sample::from_counts(n as f64, ap, ad).unwrap();
            let b = Sample::from_counts(n as f64, bp, bd).unwrap();
            let c = compare(&a, &b, 0.95, Method::AdjustedWald).unwrap();
            rejected += (c.p_value.unwrap() < 0.05) as usize;
        }
        rejected as f64 / RUNS as f64
    }

    #[test]
    fn power_sim_detectable_change_is_detected() {
        eprintln!("way answers move | n a period | planned change | achieved power ({RUNS} runs, 45/35/20 before)");
        for (name, from, to) in MOVES {
            for n in [100u32, 400, 1000] {
                let Some((change, shares)) = planned(n.into(), from, to) else {
                    eprintln!("{name} | {n} | (not enough {name} to move) |");
                    continue;
                };
                let power = achieved(
                    n,
                    shares,
                    0x19_0000 + n as u64 + 7 * from as u64 + to as u64,
                );
                eprintln!("{name} | {n} | {change:.1} | {power:.3}");
                assert!(
                    (0.77..=0.83).contains(&power),
                    "{name}, n = {n}: power {power}"
                );
            }
        }
    }
}
