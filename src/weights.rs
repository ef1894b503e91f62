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
    /// Unweighted answers weigh 1.
    fn of_counts(tally: &Tally) -> Weights {
        Weights {
            sums: tally.counts().map(|c| c as f64),
            squares: tally.responses() as f64,
        }
    }

    pub fn total(&self) -> f64 {
        self.sums.iter().sum()
    }
}

/// The contents of an `nps_summary`.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Summary {
    pub tally: Tally,
    /// `Some` when any merged answer carried a weight.
    pub weights: Option<Weights>,
}

/// Why a weight is not a survey weight.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct WeightError(pub f64);

impl std::fmt::Display for WeightError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // spelled the way PostgreSQL prints a double precision
        let shown = match self.0 {
            w if w.is_nan() => "NaN".to_string(),
            w if w == f64::INFINITY => "Infinity".to_string(),
            w if w == f64::NEG_INFINITY => "-Infinity".to_string(),
            w => w.to_string(),
        };
        write!(
            f,
            "NPS weight {shown} is invalid: weights must be finite and at least 0"
        )
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

    /// Count a weighted answer (the weight already checked).
    pub fn add_weighted(&mut self, answer: Answer, weight: f64) {
        self.tally.add(answer);
        let w = self.weights.get_or_insert_with(Weights::default);
        w.sums[answer.index()] += weight;
        w.squares += weight * weight;
    }

    /// Weights, with unweighted answers weighing 1.
    fn weights_or_counts(&self) -> Weights {
        self.weights
            .unwrap_or_else(|| Weights::of_counts(&self.tally))
    }

    /// Add `other`; the result is weighted if either side is.
    pub fn merge(&mut self, other: &Summary) -> Result<(), TallyError> {
        let weights = (self.weights.is_some() || other.weights.is_some()).then(|| {
            let (a, b) = (self.weights_or_counts(), other.weights_or_counts());
            Weights {
                sums: std::array::from_fn(|i| a.sums[i] + b.sums[i]),
                squares: a.squares + b.squares,
            }
        });
        self.tally.merge(&other.tally)?;
        self.weights = weights;
        Ok(())
    }

    /// Remove the part `part`. Weight sums are floats: a difference within rounding of zero is
    /// zero, and a clearly negative one means `part` was not part of this summary.
    pub fn subtract(&mut self, part: &Summary) -> Result<(), TallyError> {
        let mut tally = self.tally;
        tally.subtract(&part.tally)?;
        let weights = if self.weights.is_some() || part.weights.is_some() {
            let (a, b) = (self.weights_or_counts(), part.weights_or_counts());
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
            Some(Weights { sums, squares })
        } else {
            None
        };
        *self = Summary { tally, weights };
        Ok(())
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
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(v: i64) -> Answer {
        Answer::from_int(v).unwrap()
    }

    #[test]
    fn weighted_nps_by_hand() {
        // promoter weight 2, detractor weight 1, passive weight 1: 100 * (2 - 1) / 4 = 25
        let mut s = Summary::default();
        s.add_weighted(answer(10), 2.0);
        s.add_weighted(answer(3), 1.0);
        s.add_weighted(answer(7), 1.0);
        let sample = s.sample().unwrap();
        assert_eq!(sample.nps(), 25.0);
        // n_eff = 4^2 / (4 + 1 + 1) = 16 / 6
        assert_eq!(sample.n, 16.0 / 6.0);
        assert_eq!(s.tally.responses(), 3);
    }

    #[test]
    fn unweighted_answers_weigh_one_when_merged() {
        let mut plain = Tally::default();
        plain.add(answer(9));
        plain.add(answer(0));
        let mut weighted = Summary::default();
        weighted.add_weighted(answer(9), 3.0);
        let mut merged = Summary::unweighted(plain);
        merged.merge(&weighted).unwrap();
        let w = merged.weights.unwrap();
        assert_eq!(w.sums[9], 4.0);
        assert_eq!(w.sums[0], 1.0);
        assert_eq!(w.squares, 1.0 + 1.0 + 9.0);
        // (4 - 1) / 5 promoters minus detractors, in points
        assert!((merged.sample().unwrap().nps() - 60.0).abs() < 1e-12);
        // removing the weighted part gives the plain answers back, weighing 1
        merged.subtract(&weighted).unwrap();
        assert_eq!(merged.tally, plain);
        assert_eq!(
            merged.sample().unwrap().nps(),
            Summary::unweighted(plain).sample().unwrap().nps()
        );
    }

    #[test]
    fn removing_weight_that_is_not_there_is_an_error() {
        let mut a = Summary::default();
        a.add_weighted(answer(9), 1.0);
        let mut b = Summary::default();
        b.add_weighted(answer(9), 5.0);
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
        let mut s = Summary::default();
        s.add_weighted(answer(9), 0.0);
        assert_eq!(s.tally.responses(), 1);
        assert!(s.sample().is_none());
    }
}
