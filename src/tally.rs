//! The per-answer counts behind every NPS figure: how many responses gave each answer 0..=10.
//!
//! Pure Rust, no Postgres: the aggregates, the summary type and the statistics all work on a
//! `Tally`, so its arithmetic is tested here once.

use crate::score::Answer;

/// Number of distinct answers (0..=10).
pub const ANSWERS: usize = 11;

/// Decimal places of `nps()`'s numeric, whatever the value: 0.2.0 took numeric division's
/// choice, 16 for most values but 20 between -1 and 1 (so 0 printed as twenty zeros, `0E-20`
/// in JDBC), which a dashboard cannot format as one column.
pub const NPS_SCALE: u32 = 16;

/// Counts of responses per answer; index `i` holds the number of answers equal to `i`.
///
/// `repr(C)` and plain integers: the aggregate state is this struct, allocated zeroed in the
/// aggregate memory context, so the all-zero bit pattern must be the empty tally.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    counts: [i64; ANSWERS],
}

/// Why two tallies could not be combined.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum TallyError {
    /// A count would exceed `i64::MAX`.
    Overflow,
    /// Removing a part that holds more answers of `answer` than the whole.
    RemovesMissing {
        answer: usize,
        have: i64,
        remove: i64,
    },
    /// Removing more weight than there is (answer 11 stands for the sum of squared weights).
    RemovesMissingWeight {
        answer: usize,
        have: f64,
        remove: f64,
    },
    /// Merging (or removing) a weighted summary with an unweighted one that has responses:
    /// counts are not weights, so any result would mislead. `weighted_first`: which side was.
    WeightedWithUnweighted { weighted_first: bool },
    /// A weight sum or the sum of squared weights would exceed double precision.
    WeightOverflow,
}

impl Tally {
    /// A tally from explicit counts; `None` if any count is negative.
    pub fn from_counts(counts: [i64; ANSWERS]) -> Option<Tally> {
        counts.iter().all(|&c| c >= 0).then_some(Tally { counts })
    }

    pub fn counts(&self) -> &[i64; ANSWERS] {
        &self.counts
    }

    /// Count one answer. Cannot overflow in practice: 2^63 rows are out of reach.
    #[inline(always)]
    pub fn add(&mut self, answer: Answer) {
        self.counts[answer.index()] += 1;
    }

    /// Take back one answer previously added (the inverse transition of a moving window).
    #[inline(always)]
    pub fn remove(&mut self, answer: Answer) {
        debug_assert!(
            self.counts[answer.index()] > 0,
            "removing an answer never added"
        );
        self.counts[answer.index()] -= 1;
    }

    /// Add every count of `other` to this tally. The responses (the sum of the counts) must
    /// stay within bigint too, as `nps_responses` returns them.
    pub fn merge(&mut self, other: &Tally) -> Result<(), TallyError> {
        let mut merged = self.counts;
        for (m, o) in merged.iter_mut().zip(other.counts) {
            *m = m.checked_add(o).ok_or(TallyError::Overflow)?;
        }
        let merged = Tally { counts: merged };
        merged.checked_responses().ok_or(TallyError::Overflow)?;
        *self = merged;
        Ok(())
    }

    /// The number of responses, or `None` when it exceeds bigint (no sequence of answers
    /// gets there; only typed-in or corrupted counts do).
    pub fn checked_responses(&self) -> Option<i64> {
        self.counts
            .iter()
            .try_fold(0i64, |sum, &c| sum.checked_add(c))
    }

    /// Remove a part of this tally (every count of `part` must be present).
    pub fn subtract(&mut self, part: &Tally) -> Result<(), TallyError> {
        for (answer, (&have, &remove)) in self.counts.iter().zip(&part.counts).enumerate() {
            if remove > have {
                return Err(TallyError::RemovesMissing {
                    answer,
                    have,
                    remove,
                });
            }
        }
        for (c, p) in self.counts.iter_mut().zip(part.counts) {
            *c -= p;
        }
        Ok(())
    }

    // The sums below are i128: every count fits in a bigint, but their sum may not (a summary
    // can hold 2^63 - 1 answers of 0 and one more of 10), and it must never wrap.

    /// Number of responses (NULL answers are never counted).
    pub fn responses(&self) -> i128 {
        self.counts.iter().map(|&c| i128::from(c)).sum()
    }

    /// Answers 9 and 10.
    pub fn promoters(&self) -> i128 {
        i128::from(self.counts[9]) + i128::from(self.counts[10])
    }

    /// Answers 7 and 8.
    pub fn passives(&self) -> i128 {
        i128::from(self.counts[7]) + i128::from(self.counts[8])
    }

    /// Answers 0 through 6.
    pub fn detractors(&self) -> i128 {
        self.counts[..=6].iter().map(|&c| i128::from(c)).sum()
    }

    /// NPS as an exact fraction `(100 * (promoters - detractors), responses)`, or `None` when
    /// there are no responses (an empty group has no NPS).
    pub fn nps_fraction(&self) -> Option<(i128, i128)> {
        let n = self.responses();
        (n > 0).then(|| (100 * (self.promoters() - self.detractors()), n))
    }

    /// NPS times 10^[`NPS_SCALE`], rounded half away from zero (as numeric division rounds),
    /// or `None` without responses: the digits of `nps()`. Exact for every tally: the integer
    /// part is at most 100 and the remainder is less than the responses.
    pub fn nps_scaled(&self) -> Option<i64> {
        let (points, n) = self.nps_fraction()?;
        let unit = 10i128.pow(NPS_SCALE);
        let (whole, rest) = (points.abs() / n, points.abs() % n);
        let (fraction, left) = (rest * unit / n, rest * unit % n);
        let magnitude = whole * unit + fraction + i128::from(2 * left >= n);
        let magnitude = i64::try_from(magnitude).expect("|NPS| <= 100 fits in 10^18");
        Some(if points < 0 { -magnitude } else { magnitude })
    }

    /// NPS as a float, for statistics and display; `None` without responses.
    pub fn nps(&self) -> Option<f64> {
        self.nps_fraction()
            .map(|(points, n)| points as f64 / n as f64)
    }

    /// Fixed little-endian image used between parallel workers (88 bytes).
    pub fn to_le_bytes(&self) -> [u8; ANSWERS * 8] {
        let mut out = [0u8; ANSWERS * 8];
        for (chunk, c) in out.chunks_exact_mut(8).zip(self.counts) {
            chunk.copy_from_slice(&c.to_le_bytes());
        }
        out
    }

    /// Inverse of [`Tally::to_le_bytes`]; `None` for a wrong length or a negative count.
    pub fn from_le_bytes(bytes: &[u8]) -> Option<Tally> {
        if bytes.len() != ANSWERS * 8 {
            return None;
        }
        let mut counts = [0i64; ANSWERS];
        for (c, chunk) in counts.iter_mut().zip(bytes.chunks_exact(8)) {
            *c = i64::from_le_bytes(chunk.try_into().ok()?);
        }
        Tally::from_counts(counts)
    }
}

/// A one-line picture of a series (an NPS trend): one block per value, heights scaled from the
/// smallest to the largest value; a space for a missing value; mid-height when all are equal.
pub fn trend_sparkline(values: &[Option<f64>]) -> String {
    const BLOCKS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let present = values.iter().flatten().copied();
    let (lo, hi) = present.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    values
        .iter()
        .map(|v| match v {
            None => ' ',
            Some(_) if hi <= lo => BLOCKS[3],
            Some(v) => BLOCKS[(((v - lo) / (hi - lo)) * 7.0).round() as usize],
        })
        .collect()
}

/// A one-line picture of the distribution: one block per answer 0..=10, its height the count
/// relative to the largest (eighths, rounded up, so any answer shows); a space for none.
pub fn sparkline(counts: &[i64; ANSWERS]) -> String {
    const BLOCKS: [char; 9] = [' ', '▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let max = counts.iter().copied().max().unwrap_or(0);
    counts
        .iter()
        .map(|&c| {
            if max == 0 {
                BLOCKS[0]
            } else {
                // ceil(8 * c / max) in i128: no overflow for any count
                let eighths = (8 * i128::from(c) + i128::from(max) - 1) / i128::from(max);
                BLOCKS[eighths as usize]
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(v: i64) -> Answer {
        Answer::from_int(v).unwrap()
    }

    fn tally_of(answers: &[i64]) -> Tally {
        let mut t = Tally::default();
        for &a in answers {
            t.add(answer(a));
        }
        t
    }

    /// The seed example: 200 answers, 110 promoters, 60 passives, 30 detractors -> NPS 40.
    #[test]
    fn seed_example_is_forty() {
        let mut t = Tally::default();
        for _ in 0..110 {
            t.add(answer(9));
        }
        for _ in 0..60 {
            t.add(answer(7));
        }
        for _ in 0..30 {
            t.add(answer(3));
        }
        assert_eq!(t.responses(), 200);
        assert_eq!((t.promoters(), t.passives(), t.detractors()), (110, 60, 30));
        assert_eq!(t.nps_fraction(), Some((8000, 200)));
        assert_eq!(t.nps(), Some(40.0));
    }

    #[test]
    fn boundaries_fall_in_the_right_bucket() {
        // 6 is a detractor, 7 and 8 passives, 9 a promoter.
        let t = tally_of(&[6, 7, 8, 9]);
        assert_eq!((t.promoters(), t.passives(), t.detractors()), (1, 2, 1));
        assert_eq!(t.nps(), Some(0.0));
        assert_eq!(tally_of(&[0]).nps(), Some(-100.0));
        assert_eq!(tally_of(&[10]).nps(), Some(100.0));
        // 2 promoters, 1 detractor of 3 responses: 100/3 points, kept as an exact fraction.
        assert_eq!(tally_of(&[10, 9, 0]).nps_fraction(), Some((100, 3)));
    }

    #[test]
    fn nps_digits_are_rounded_half_away_from_zero_at_16_places() {
        let unit = 10i64.pow(NPS_SCALE);
        assert_eq!(
            tally_of(&[10, 9, 0]).nps_scaled(),
            Some(33_3333333333333333)
        );
        // -100/3 = -33.33..., 200/3 = 66.66...7 (rounded up), -200/3 rounded away from zero
        assert_eq!(
            tally_of(&[10, 0, 0]).nps_scaled(),
            Some(-33_3333333333333333)
        );
        assert_eq!(
            tally_of(&[10, 10, 0]).nps_scaled(),
            Some(33_3333333333333333)
        );
        assert_eq!(
            tally_of(&[10, 10, 7]).nps_scaled(),
            Some(66_6666666666666667)
        );
        assert_eq!(
            tally_of(&[0, 0, 7]).nps_scaled(),
            Some(-66_6666666666666667)
        );
        assert_eq!(tally_of(&[6, 9]).nps_scaled(), Some(0));
        assert_eq!(tally_of(&[10]).nps_scaled(), Some(100 * unit));
        assert_eq!(tally_of(&[0]).nps_scaled(), Some(-100 * unit));
        // 1 promoter of 300: 1/3 point, where 0.2.0 gave 20 places
        let mut t = tally_of(&[9]);
        t.merge(&Tally::from_counts([0, 0, 0, 0, 0, 0, 0, 299, 0, 0, 0]).unwrap())
            .unwrap();
        assert_eq!(t.nps_scaled(), Some(3333333333333333));
        // exactly half a unit in the last place: 100 points / (2 * 10^18) = 0.5 * 10^-16
        let half = Tally::from_counts([0, 0, 0, 0, 0, 0, 0, 200 * unit - 1, 0, 0, 1]).unwrap();
        assert_eq!(half.nps_scaled(), Some(1));
        let half = Tally::from_counts([1, 0, 0, 0, 0, 0, 0, 200 * unit - 1, 0, 0, 0]).unwrap();
        assert_eq!(half.nps_scaled(), Some(-1));
        assert_eq!(Tally::default().nps_scaled(), None);
        // the largest stored counts: no overflow anywhere
        let max = Tally::from_counts([i64::MAX, 0, 0, 0, 0, 0, 0, 0, 0, i64::MAX, 1]).unwrap();
        assert_eq!(max.nps_scaled(), Some(0)); // 100 / (2^64 - 1) points
    }

    #[test]
    fn empty_tally_has_no_nps() {
        assert_eq!(Tally::default().nps(), None);
        assert_eq!(Tally::default().nps_fraction(), None);
    }

    #[test]
    fn remove_undoes_add() {
        let mut t = tally_of(&[1, 9, 9, 10]);
        t.remove(answer(9));
        assert_eq!(t, tally_of(&[1, 9, 10]));
    }

    #[test]
    fn merge_and_subtract() {
        let a = tally_of(&[0, 5, 9]);
        let b = tally_of(&[5, 10]);
        let mut m = a;
        m.merge(&b).unwrap();
        assert_eq!(m, tally_of(&[0, 5, 5, 9, 10]));
        m.subtract(&b).unwrap();
        assert_eq!(m, a);
        // a holds no 10, so it cannot give one up; the failed subtraction changes nothing.
        let err = m.subtract(&b).unwrap_err();
        assert_eq!(
            err,
            TallyError::RemovesMissing {
                answer: 10,
                have: 0,
                remove: 1
            }
        );
        assert_eq!(m, a);
    }

    #[test]
    fn merge_overflow_is_an_error_and_leaves_the_tally_unchanged() {
        let mut big = Tally::from_counts([i64::MAX, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]).unwrap();
        let before = big;
        assert_eq!(big.merge(&tally_of(&[10, 0])), Err(TallyError::Overflow));
        assert_eq!(big, before);
        // every count fits, but their sum (the responses) would not
        let mut half =
            Tally::from_counts([i64::MAX / 2 + 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]).unwrap();
        let other = Tally::from_counts([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, i64::MAX / 2 + 1]).unwrap();
        assert_eq!(half.checked_responses(), Some(i64::MAX / 2 + 1));
        assert_eq!(half.merge(&other), Err(TallyError::Overflow));
        assert_eq!(half.counts()[10], 0, "a failed merge changes nothing");
        let mut fits = half;
        fits.merge(&Tally::from_counts([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, i64::MAX / 2]).unwrap())
            .unwrap();
        assert_eq!(fits.responses(), i128::from(i64::MAX));
    }

    #[test]
    fn sums_beyond_bigint_do_not_wrap() {
        let t = Tally::from_counts([i64::MAX, 0, 0, 0, 0, 0, 0, 0, 0, i64::MAX, 1]).unwrap();
        let max = i128::from(i64::MAX);
        assert_eq!(t.responses(), 2 * max + 1);
        assert_eq!(t.promoters(), max + 1);
        assert_eq!(t.detractors(), max);
        // 100 * (2^63 - (2^63 - 1)) / (2^64 - 1): a hundredth of a billionth of a billionth of a point
        assert_eq!(t.nps_fraction(), Some((100, 2 * max + 1)));
    }

    #[test]
    fn sparkline_by_hand() {
        // largest count 8: each height is the count itself
        assert_eq!(sparkline(&[0, 1, 2, 3, 4, 5, 6, 7, 8, 0, 0]), " ▁▂▃▄▅▆▇█  ");
        // 1 of 16 is 1/2 eighth, rounded up so the answer stays visible
        assert_eq!(
            sparkline(&[1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 16]),
            format!("▁{}█", " ".repeat(9))
        );
        assert_eq!(sparkline(&[0; ANSWERS]), " ".repeat(11));
        // huge counts do not overflow: MAX/2 of MAX is just under 4 eighths -> 4
        let huge = [i64::MAX, 0, 0, 0, 0, 0, 0, 0, 0, 0, i64::MAX / 2];
        assert_eq!(sparkline(&huge), format!("█{}▄", " ".repeat(9)));
    }

    #[test]
    fn trend_sparkline_by_hand() {
        // 10..80 in steps of 10: 0/7, 1/7, ... of the range -> every block once
        let rising: Vec<Option<f64>> = (1..=8).map(|i| Some(10.0 * i as f64)).collect();
        assert_eq!(trend_sparkline(&rising), "▁▂▃▄▅▆▇█");
        assert_eq!(
            trend_sparkline(&[Some(-20.0), None, Some(40.0), Some(10.0)]),
            "▁ █▅"
        );
        assert_eq!(trend_sparkline(&[Some(5.0), Some(5.0)]), "▄▄");
        assert_eq!(trend_sparkline(&[None, None]), "  ");
        assert_eq!(trend_sparkline(&[]), "");
    }

    #[test]
    fn negative_counts_are_rejected() {
        let mut counts = [0i64; ANSWERS];
        counts[4] = -1;
        assert_eq!(Tally::from_counts(counts), None);
    }

    #[test]
    fn byte_image_round_trips_and_rejects_bad_input() {
        let t = tally_of(&[0, 3, 3, 7, 10, 10, 10]);
        let bytes = t.to_le_bytes();
        assert_eq!(
            bytes[3 * 8],
            2,
            "count of answer 3 is little-endian at offset 24"
        );
        assert_eq!(Tally::from_le_bytes(&bytes), Some(t));
        assert_eq!(Tally::from_le_bytes(&bytes[1..]), None);
        let mut negative = bytes;
        negative[7] = 0x80;
        assert_eq!(Tally::from_le_bytes(&negative), None);
    }
}
