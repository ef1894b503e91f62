//! Answers as a summary holds them: the counts, and for weighted answers the weight sums per
//! answer and the sum of squared weights (for Kish's effective sample size). Pure Rust.

use crate::score::Answer;
use crate::stats::Sample;
use crate::tally::{Tally, TallyError, ANSWERS};

/// Weight sums per answer 0..=10 and the sum of squared weights.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Weights {
    pub sums: [f64; ANSWERS],
    pub squares: f64,
}

impl Weights {
    pub fn total(&self) -> f64 {
        self.sums.iter().sum()
    }

    /// The range the sum of squared weights S must lie in for these weight sums W_k over n_k
    /// answers: sum_k W_k^2 / n_k <= S <= sum_k W_k^2 (Cauchy-Schwarz within each answer: n_k
    /// weights summing to W_k have squares summing to at least W_k^2 / n_k, reached when they
    /// are equal, and at most W_k^2, reached when one weight carries it all).
    pub fn squares_bounds(&self, tally: &Tally) -> (f64, f64) {
        let (mut low, mut high) = (0.0, 0.0);
        for (&w, &n) in self.sums.iter().zip(tally.counts()) {
            if n > 0 {
                low += w * (w / n as f64); // not w * w / n, which overflows first
                high += w * w;
            }
        }
        (low, high)
    }

    /// Whether S lies in [`Weights::squares_bounds`], up to the rounding that summing the
    /// weights of `n` answers in double precision can cause. A sum of n non-negative terms,
    /// in any order, is off by at most (n - 1) u of its value (u = 2^-53, the unit roundoff);
    /// S is such a sum, each W_k too, so the computed bounds are off by at most about (2n + 12) u
    /// and S by n u. The relative tolerance is twice that, (8n + 64) u, capped at 1e-6, which
    /// it reaches at about a billion answers: that worst case needs every rounding to go the
    /// same way, while real sums drift far less (a hundred million weights of 0.1 drift by
    /// about 1e-9, see the tests), and an impossible S (say weights 2, squares 1) is off by a
    /// factor. An absolute (2n + 64) times the smallest double covers squares of tiny weights
    /// that round to subnormals.
    pub fn squares_within_bounds(&self, tally: &Tally) -> bool {
        let (low, high) = self.squares_bounds(tally);
        let n = tally.counts().iter().map(|&c| c as f64).sum::<f64>();
        let relative = ((8.0 * n + 64.0) * (f64::EPSILON / 2.0)).min(1e-6);
        let absolute = (2.0 * n + 64.0) * f64::from_bits(1);
        let s = self.squares;
        s >= low - (low * relative + absolute) && s <= high + (high * relative + absolute)
    }

    /// Move S into its bounds: after a subtraction, rounding errors of the larger operands are
    /// no longer small against what is left, and the true S is known to lie in them.
    fn settle(&mut self, tally: &Tally) {
        let (low, high) = self.squares_bounds(tally);
        self.squares = self.squares.clamp(low, high);
    }
}

/// The contents of an `nps_summary`.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Summary {
    pub tally: Tally,
    /// `Some` when any merged answer carried a weight.
    pub weights: Option<Weights>,
}

/// The error for merging or removing across kinds, with its detail and hint.
pub const MIXED_KINDS: &str =
    "cannot combine a weighted nps_summary with an unweighted nps_summary that has responses";
pub const MIXED_KINDS_DETAIL: &str = "Counts are not weights: counting each unweighted answer as weight 1 would silently mix two scales. A summary without responses combines with either kind.";
pub const MIXED_KINDS_HINT: &str = "Build both summaries with weights (e.g. nps_agg(score, 1.0) for answers that weigh 1) or both without.";

/// Why a weight is not a survey weight.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct WeightError(pub f64);

impl std::fmt::Display for WeightError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "NPS weight {} is invalid: weights must be finite and at least 0",
            spelled(self.0)
        )
    }
}

/// A double precision spelled the way PostgreSQL prints it: NaN, Infinity, -Infinity, the
/// shortest digits that read back, exponent form (1e+308, 1e-05) below 1e-4 and from 1e15.
pub fn spelled(v: f64) -> String {
    match v {
        v if v.is_nan() => "NaN".to_string(),
        v if v == f64::INFINITY => "Infinity".to_string(),
        v if v == f64::NEG_INFINITY => "-Infinity".to_string(),
        v if v != 0.0 && (v.abs() < 1e-4 || v.abs() >= 1e15) => {
            let shortest = format!("{v:e}"); // e.g. 1e308, -2.5e-7
            let (mantissa, exponent) = shortest.split_once('e').expect("an exponent");
            let exponent: i32 = exponent.parse().expect("a whole exponent");
            let sign = if exponent < 0 { '-' } else { '+' };
            format!("{mantissa}e{sign}{:02}", exponent.abs())
        }
        v => v.to_string(),
    }
}

/// Check a survey weight: finite and >= 0.
pub fn check_weight(w: f64) -> Result<f64, WeightError> {
    if w.is_finite() && w >= 0.0 {
        Ok(w + 0.0) // -0.0 becomes 0.0
    } else {
        Err(WeightError(w))
    }
}

impl Summary {
    pub fn unweighted(tally: Tally) -> Summary {
        Summary {
            tally,
            weights: None,
        }
    }

    /// Count a weighted answer (the weight already checked). An error, with nothing changed,
    /// when the sums would leave double precision (weights near 1e154 and above): such a
    /// summary could not be written out and read back.
    pub fn add_weighted(&mut self, answer: Answer, weight: f64) -> Result<(), TallyError> {
        let w = self.weights.get_or_insert_with(Weights::default);
        let sum = w.sums[answer.index()] + weight;
        let squares = w.squares + weight * weight;
        if !squares.is_finite() || !sum.is_finite() {
            return Err(TallyError::WeightOverflow);
        }
        w.sums[answer.index()] = sum;
        w.squares = squares;
        self.tally.add(answer);
        Ok(())
    }

    /// Whether any answer is summarized.
    pub fn is_empty(&self) -> bool {
        self.tally.counts().iter().all(|&c| c == 0)
    }

    /// The rule for mixing weighted and unweighted summaries: a summary without responses
    /// is the identity whatever its kind; otherwise both must be weighted or both not.
    /// Counting an unweighted answer as weight 1 would silently mix two scales.
    pub fn check_same_kind(&self, other: &Summary) -> Result<(), TallyError> {
        match (self.weights.is_some(), other.weights.is_some()) {
            (a, b) if a != b && !self.is_empty() && !other.is_empty() => {
                Err(TallyError::WeightedWithUnweighted { weighted_first: a })
            }
            _ => Ok(()),
        }
    }

    /// Add `other`. A summary without responses is the identity (two empty ones give an
    /// empty one, weighted if either is); otherwise both are of one kind.
    pub fn merge(&mut self, other: &Summary) -> Result<(), TallyError> {
        self.check_same_kind(other)?;
        if other.is_empty() {
            if self.is_empty() && self.weights.is_none() {
                self.weights = other.weights;
            }
            return Ok(());
        }
        if self.is_empty() {
            *self = *other;
            return Ok(());
        }
        let weights = match (self.weights, other.weights) {
            (Some(a), Some(b)) => {
                let merged = Weights {
                    sums: std::array::from_fn(|i| a.sums[i] + b.sums[i]),
                    squares: a.squares + b.squares,
                };
                if !merged.squares.is_finite() || !merged.total().is_finite() {
                    return Err(TallyError::WeightOverflow);
                }
                Some(merged)
            }
            _ => None, // both unweighted (check_same_kind)
        };
        self.tally.merge(&other.tally)?;
        self.weights = weights;
        Ok(())
    }

    /// Remove the part `part`. Weight sums are floats: a difference within rounding of zero is
    /// zero, and a clearly negative one means `part` was not part of this summary.
    ///
    /// The same kind rule as [`Summary::merge`]; the sum of squared weights that is left is
    /// settled into its bounds, which cancellation can push it out of.
    pub fn subtract(&mut self, part: &Summary) -> Result<(), TallyError> {
        self.check_same_kind(part)?;
        if part.is_empty() {
            return Ok(());
        }
        let mut tally = self.tally;
        tally.subtract(&part.tally)?;
        // both sides have responses now, so they are of one kind
        let weights = if let (Some(a), Some(b)) = (self.weights, part.weights) {
            let minus = |have: f64, remove: f64, answer: usize| {
                let left = have - remove;
                let tolerance = 1e-9 * have.abs().max(1.0);
                if left < -tolerance {
                    Err(TallyError::RemovesMissingWeight {
                        answer,
                        have,
                        remove,
                    })
                } else {
                    Ok(left.max(0.0))
                }
            };
            let mut sums = [0.0; ANSWERS];
            for (i, s) in sums.iter_mut().enumerate() {
                *s = if tally.counts()[i] == 0 {
                    0.0
                } else {
                    minus(a.sums[i], b.sums[i], i)?
                };
            }
            let squares = if tally.responses() == 0 {
                0.0
            } else {
                minus(a.squares, b.squares, ANSWERS)?
            };
            let mut left = Weights { sums, squares };
            left.settle(&tally);
            Some(left)
        } else {
            None
        };
        *self = Summary { tally, weights };
        Ok(())
    }

    /// What is left after removing `part`, never below nothing: each answer's count stops at
    /// 0, and its weight with it. Live summaries are read through this, so that changes which
    /// remove answers never added (written while their triggers were disabled) cannot make
    /// every read of them fail; `nps_live_summary_check` reports such keys instead.
    pub fn saturating_subtract(&mut self, part: &Summary) {
        if part.is_empty() {
            return;
        }
        let counts: [i64; ANSWERS] =
            std::array::from_fn(|i| (self.tally.counts()[i] - part.tally.counts()[i]).max(0));
        let tally = Tally::from_counts(counts).expect("counts are at least 0");
        let weights = (self.weights.is_some() || part.weights.is_some()).then(|| {
            let (mine, theirs) = (
                self.weights.unwrap_or_default(),
                part.weights.unwrap_or_default(),
            );
            let mut left = Weights {
                sums: std::array::from_fn(|i| {
                    if counts[i] == 0 {
                        0.0
                    } else {
                        (mine.sums[i] - theirs.sums[i]).max(0.0)
                    }
                }),
                squares: if tally.responses() == 0 {
                    0.0
                } else {
                    (mine.squares - theirs.squares).max(0.0)
                },
            };
            left.settle(&tally);
            left
        });
        *self = Summary { tally, weights };
    }

    /// The same answers, with weight sums equal up to the rounding of adding them in another
    /// order (relative 1e-9): how a live summary is compared with a recomputation.
    pub fn same_answers(&self, other: &Summary) -> bool {
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1e-300);
        self.tally == other.tally
            && match (self.weights, other.weights) {
                (Some(a), Some(b)) => {
                    a.sums.iter().zip(b.sums).all(|(&x, y)| close(x, y))
                        && close(a.squares, b.squares)
                }
                (None, None) => true,
                // an empty summary of either kind is the same as one of the other
                _ => self.is_empty(),
            }
    }

    /// Promoters minus detractors (their weights, for weighted answers).
    pub fn net_promoters(&self) -> f64 {
        match &self.weights {
            None => (self.tally.promoters() - self.tally.detractors()) as f64,
            Some(w) => w.sums[9] + w.sums[10] - w.sums[..=6].iter().sum::<f64>(),
        }
    }

    /// Responses (their total weight, for weighted answers): the NPS denominator.
    pub fn base(&self) -> f64 {
        match &self.weights {
            None => self.tally.responses() as f64,
            Some(w) => w.total(),
        }
    }

    /// What the statistics need; `None` without responses (or without any weight).
    pub fn sample(&self) -> Option<Sample> {
        let t = &self.tally;
        match &self.weights {
            None => Sample::from_counts(
                t.responses() as f64,
                t.promoters() as f64,
                t.detractors() as f64,
            ),
            Some(w) => Sample::from_weights(
                w.total(),
                w.sums[9] + w.sums[10],
                w.sums[..=6].iter().sum(),
                w.squares,
            )
            .map(|mut s| {
                // n_eff <= n (Cauchy-Schwarz); only rounding of subnormal squares gets above
                s.n = s.n.min(t.responses() as f64);
                s
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// As `SELECT x::float8` prints them.
    #[test]
    fn doubles_are_spelled_as_postgresql_prints_them() {
        for (v, shown) in [
            (1e308, "1e+308"),
            (1e-5, "1e-05"),
            (-2.5e-7, "-2.5e-07"),
            (1.5, "1.5"),
            (0.0001, "0.0001"),
            (123456789012345.0, "123456789012345"),
            (1234567890123456.0, "1.234567890123456e+15"),
            (0.0, "0"),
            (-1.0, "-1"),
            (f64::NAN, "NaN"),
        ] {
            assert_eq!(spelled(v), shown);
        }
    }

    fn answer(v: i64) -> Answer {
        Answer::from_int(v).unwrap()
    }

    #[test]
    fn weighted_nps_by_hand() {
        // promoter weight 2, detractor weight 1, passive weight 1: 100 * (2 - 1) / 4 = 25
        let s = weighted(&[(10, 2.0), (3, 1.0), (7, 1.0)]);
        let sample = s.sample().unwrap();
        assert_eq!(sample.nps(), 25.0);
        // n_eff = 4^2 / (4 + 1 + 1) = 16 / 6
        assert_eq!(sample.n, 16.0 / 6.0);
        assert_eq!(s.tally.responses(), 3);
    }

    fn weighted(answers: &[(i64, f64)]) -> Summary {
        let mut s = Summary::default();
        for &(a, w) in answers {
            s.add_weighted(answer(a), w).unwrap();
        }
        s
    }

    fn plain(answers: &[i64]) -> Summary {
        let mut t = Tally::default();
        for &a in answers {
            t.add(answer(a));
        }
        Summary::unweighted(t)
    }

    #[test]
    fn weighted_and_unweighted_answers_do_not_mix() {
        let w = weighted(&[(9, 3.0)]);
        let p = plain(&[9, 0]);
        let mixed = TallyError::WeightedWithUnweighted {
            weighted_first: true,
        };
        let mut m = w;
        assert_eq!(m.merge(&p), Err(mixed));
        assert_eq!(m, w, "a refused merge changes nothing");
        let mut m = p;
        assert_eq!(
            m.merge(&w),
            Err(TallyError::WeightedWithUnweighted {
                weighted_first: false
            })
        );
        let mut m = w;
        assert_eq!(m.subtract(&p), Err(mixed));
        // built with weights 1, the same answers merge, and weigh 1 because they say so
        let mut m = w;
        m.merge(&weighted(&[(9, 1.0), (0, 1.0)])).unwrap();
        assert_eq!(m.weights.unwrap().sums[9], 4.0);
        assert_eq!(m.weights.unwrap().squares, 9.0 + 1.0 + 1.0);
        // (4 - 1) / 5 of the weight, in points
        assert!((m.sample().unwrap().nps() - 60.0).abs() < 1e-12);
    }

    #[test]
    fn an_empty_summary_of_either_kind_is_the_identity() {
        let w = weighted(&[(9, 3.0), (2, 0.5)]);
        let p = plain(&[9, 0, 7]);
        let empty_plain = Summary::default();
        let mut empty_weighted = w;
        empty_weighted.subtract(&w).unwrap();
        assert!(empty_weighted.is_empty() && empty_weighted.weights.is_some());
        for x in [w, p] {
            for e in [empty_plain, empty_weighted] {
                let mut left = x;
                left.merge(&e).unwrap();
                assert_eq!(left, x);
                let mut right = e;
                right.merge(&x).unwrap();
                assert_eq!(right, x);
                let mut minus = x;
                minus.subtract(&e).unwrap();
                assert_eq!(minus, x);
            }
        }
        // two empty ones: empty, weighted if either is (either order)
        let mut a = empty_plain;
        a.merge(&empty_weighted).unwrap();
        let mut b = empty_weighted;
        b.merge(&empty_plain).unwrap();
        assert_eq!(a, b);
        assert!(a.is_empty() && a.weights.is_some());
    }

    #[test]
    fn squares_bounds_by_hand() {
        // answer 9: weights 1 and 3 (W = 4, n = 2); answer 0: weight 2 (W = 2, n = 1)
        let s = weighted(&[(9, 1.0), (9, 3.0), (0, 2.0)]);
        let w = s.weights.unwrap();
        assert_eq!(w.squares, 1.0 + 9.0 + 4.0);
        // low = 4^2 / 2 + 2^2 / 1 = 12, high = 4^2 + 2^2 = 20
        assert_eq!(w.squares_bounds(&s.tally), (12.0, 20.0));
        assert!(w.squares_within_bounds(&s.tally));
        // the example: one answer of weight 2 cannot have squares 1 (n_eff would be 4)
        let mut bad = weighted(&[(9, 2.0)]);
        bad.weights.as_mut().unwrap().squares = 1.0;
        assert!(!bad.weights.unwrap().squares_within_bounds(&bad.tally));
        // two answers of weight 1 cannot have squares 4 + a bit: at most (1 + 1)^2 = 4
        let mut bad = weighted(&[(9, 1.0), (9, 1.0)]);
        bad.weights.as_mut().unwrap().squares = 4.001;
        assert!(!bad.weights.unwrap().squares_within_bounds(&bad.tally));
        bad.weights.as_mut().unwrap().squares = 4.0;
        assert!(bad.weights.unwrap().squares_within_bounds(&bad.tally));
    }

    #[test]
    fn rounding_of_real_weights_stays_within_the_tolerance() {
        // equal weights sit exactly on the lower bound, where rounding could push S below it
        for w in [0.1, 0.3, 1.0 / 3.0, 1e-160, 7e150, 2.5e-300] {
            for n in [1usize, 2, 3, 10, 1000, 100_000] {
                let s = weighted(&vec![(8, w); n]);
                assert!(
                    s.weights.unwrap().squares_within_bounds(&s.tally),
                    "w {w} n {n}"
                );
            }
        }
        // merged in a different order than summed (as parallel workers do)
        let parts: Vec<Summary> = (0..64)
            .map(|i| weighted(&vec![(9, 0.1 + (i % 3) as f64 * 1e-17); 1 + i]))
            .collect();
        let mut total = Summary::default();
        for p in parts.iter().rev() {
            total.merge(p).unwrap();
        }
        assert!(total.weights.unwrap().squares_within_bounds(&total.tally));
    }

    #[test]
    fn a_hundred_million_weights_drift_far_less_than_the_tolerance() {
        // summed one by one, as the transition does: S = n w^2 and W = n w in exact arithmetic
        for (w, n) in [(0.1, 10_000_000u64), (0.3, 3_000_000), (1.7, 1_000_000)] {
            let (mut sum, mut squares) = (0.0f64, 0.0f64);
            for _ in 0..n {
                sum += w;
                squares += w * w;
            }
            let mut t = Tally::default();
            let mut counts = [0i64; ANSWERS];
            counts[9] = n as i64;
            t.merge(&Tally::from_counts(counts).unwrap()).unwrap();
            let mut sums = [0.0; ANSWERS];
            sums[9] = sum;
            let weights = Weights { sums, squares };
            let (low, _) = weights.squares_bounds(&t);
            let drift = (squares - low).abs() / low;
            assert!(drift < 1e-8, "w {w} n {n}: drift {drift}");
            assert!(weights.squares_within_bounds(&t));
        }
    }

    #[test]
    fn subtraction_settles_the_squares_that_cancellation_spoils() {
        // 1e8^2 swallows 0.1^2 entirely; what is left must still be a possible summary
        let big = weighted(&[(9, 1e8)]);
        let mut both = big;
        both.merge(&weighted(&[(9, 0.1)])).unwrap();
        both.subtract(&big).unwrap();
        let w = both.weights.unwrap();
        assert_eq!(both.tally.responses(), 1);
        assert!(w.squares_within_bounds(&both.tally));
        // one answer: S = W^2 exactly
        assert_eq!(w.squares, w.sums[9] * w.sums[9]);
    }

    #[test]
    fn weight_sums_beyond_double_precision_are_an_error() {
        let mut s = weighted(&[(9, 1e154)]);
        let before = s;
        assert_eq!(
            s.add_weighted(answer(9), 1e154),
            Err(TallyError::WeightOverflow)
        );
        assert_eq!(s, before, "nothing counted");
        let mut twice = before;
        assert_eq!(twice.merge(&before), Err(TallyError::WeightOverflow));
        assert_eq!(twice, before);
    }

    #[test]
    fn removing_weight_that_is_not_there_is_an_error() {
        let a = weighted(&[(9, 1.0)]);
        let b = weighted(&[(9, 5.0)]);
        let mut both = a;
        both.merge(&a).unwrap(); // two answers of weight 1
        assert!(matches!(
            both.subtract(&b),
            Err(TallyError::RemovesMissingWeight { answer: 9, .. })
        ));
    }

    #[test]
    fn weights_are_checked() {
        assert_eq!(check_weight(0.0), Ok(0.0));
        assert_eq!(check_weight(2.5), Ok(2.5));
        assert_eq!(check_weight(-1.0), Err(WeightError(-1.0)));
        assert!(check_weight(f64::NAN).is_err() && check_weight(f64::INFINITY).is_err());
        assert_eq!(
            WeightError(-1.0).to_string(),
            "NPS weight -1 is invalid: weights must be finite and at least 0"
        );
    }

    #[test]
    fn zero_total_weight_has_no_sample() {
        let s = weighted(&[(9, 0.0)]);
        assert_eq!(s.tally.responses(), 1);
        assert!(s.sample().is_none());
    }

    #[test]
    fn saturating_subtract_stops_at_nothing() {
        let s = |c: [i64; ANSWERS]| Summary::unweighted(Tally::from_counts(c).unwrap());
        let mut a = s([2, 0, 0, 0, 0, 0, 0, 1, 0, 0, 5]);
        a.saturating_subtract(&s([1, 3, 0, 0, 0, 0, 0, 1, 0, 0, 2]));
        assert_eq!(a, s([1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3]));
        // weighted: the weight of an answer whose count reaches 0 goes with it
        let mut w = Summary::default();
        w.add_weighted(Answer::from_int(10).unwrap(), 2.0).unwrap();
        w.add_weighted(Answer::from_int(10).unwrap(), 0.5).unwrap();
        w.add_weighted(Answer::from_int(3).unwrap(), 1.0).unwrap();
        let mut part = Summary::default();
        part.add_weighted(Answer::from_int(10).unwrap(), 0.5)
            .unwrap();
        part.add_weighted(Answer::from_int(3).unwrap(), 1.0)
            .unwrap();
        part.add_weighted(Answer::from_int(0).unwrap(), 4.0)
            .unwrap();
        w.saturating_subtract(&part);
        assert_eq!(w.tally.counts(), &[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
        let weights = w.weights.unwrap();
        assert_eq!(weights.sums[10], 2.0);
        assert_eq!(weights.sums[3], 0.0);
        assert_eq!(weights.squares, 4.0); // 4.25 - 1.25, and a single 2.0 squares to 4
    }

    #[test]
    fn same_answers_allows_rounding_of_another_order() {
        let mut a = Summary::default();
        let mut b = Summary::default();
        for w in [0.1, 0.2, 0.3] {
            a.add_weighted(Answer::from_int(9).unwrap(), w).unwrap();
        }
        for w in [0.3, 0.2, 0.1] {
            b.add_weighted(Answer::from_int(9).unwrap(), w).unwrap();
        }
        assert_ne!(a.weights.unwrap().sums[9], b.weights.unwrap().sums[9]);
        assert!(a.same_answers(&b));
        let mut c = Summary::default();
        for w in [0.1, 0.2, 0.300001] {
            c.add_weighted(Answer::from_int(9).unwrap(), w).unwrap();
        }
        assert!(!a.same_answers(&c));
        assert!(!a.same_answers(&Summary::unweighted(a.tally)));
        assert!(Summary::default().same_answers(&Summary {
            weights: Some(Weights::default()),
            ..Default::default()
        }));
    }
}
