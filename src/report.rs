//! `nps_report`: everything a dashboard shows about one summary, as one JSON object, so a web
//! page, PostgREST or a BI tool's JSON source reads it without knowing the `nps_summary` type.
//! Pure Rust; the statistics come from `stats` and the weighted shares from `weights`.
//!
//! ```text
//! {"nps": 17.14..., "responses": 70, "promoters": 29, "passives": 24, "detractors": 17,
//!  "shares": {"promoters": 0.414..., "passives": 0.342..., "detractors": 0.242...},
//!  "stderr": 9.46..., "margin": 18.56...,
//!  "interval": {"low": ..., "high": ..., "confidence": 0.95, "method": "adjusted_wald"},
//!  "weighted": false, "effective_responses": 70}
//! ```
//!
//! Every key is always there, so a reader needs no special case: without responses (or without
//! any weight) the statistics are null, like the SQL functions' NULL. For weighted summaries the
//! counts are counts of answers, while `nps`, `shares` and the statistics use the weights, and
//! `effective_responses` is Kish's n_eff = (sum w)^2 / sum w^2 (equal to `responses` when
//! unweighted).

use crate::stats::{self, Method, StatsError};
use crate::weights::Summary;
use serde_json::{json, Value};
use std::fmt;

/// Why there is no report.
#[derive(Clone, Debug, PartialEq)]
pub enum ReportError {
    /// A bad confidence or method (SQLSTATE 22023).
    Parameter(StatsError),
    /// More responses than a bigint holds (each count fits, their sum does not; 22003).
    TooManyResponses,
}

impl fmt::Display for ReportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReportError::Parameter(e) => e.fmt(f),
            ReportError::TooManyResponses => {
                f.write_str("the summary holds more than 9223372036854775807 responses")
            }
        }
    }
}

impl From<StatsError> for ReportError {
    fn from(e: StatsError) -> Self {
        ReportError::Parameter(e)
    }
}

/// The report of `summary` at `confidence` (0..1, exclusive) with interval `method`.
pub fn report(summary: &Summary, confidence: f64, method: &str) -> Result<Value, ReportError> {
    // parameters are checked even when there is nothing to compute
    let parsed = Method::parse(method)?;
    let z = stats::z_for(confidence)?;
    let t = &summary.tally;
    // below this bound every total and partial sum of counts fits in a JSON integer (i64)
    if t.responses() > i128::from(i64::MAX) {
        return Err(ReportError::TooManyResponses);
    }
    let sample = summary.sample();
    let interval = sample.map(|s| s.interval(confidence, parsed)).transpose()?;
    let shares = sample.map(|s| {
        let passives = match &summary.weights {
            None => t.passives() as f64 / t.responses() as f64,
            Some(w) => (w.sums[7] + w.sums[8]) / w.total(),
        };
        (s.p, passives, s.d)
    });
    let nps = match &summary.weights {
        // the exact fraction, rounded once (what nps(summary) gives, as a double)
        None => t.nps(),
        Some(_) => sample.map(|s| s.nps()),
    };
    Ok(json!({
        "nps": nps,
        "responses": t.responses(),
        "promoters": t.promoters(),
        "passives": t.passives(),
        "detractors": t.detractors(),
        "shares": {
            "promoters": shares.map(|s| s.0),
            "passives": shares.map(|s| s.1),
            "detractors": shares.map(|s| s.2),
        },
        "stderr": sample.map(|s| s.stderr()),
        "margin": sample.map(|s| z * s.stderr()),
        "interval": {
            "low": interval.map(|i| i.0),
            "high": interval.map(|i| i.1),
            "confidence": confidence,
            "method": method,
        },
        "weighted": summary.weights.is_some(),
        "effective_responses": match &summary.weights {
            None => Some(t.responses() as f64),
            Some(_) => sample.map(|s| s.n),
        },
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tally::Tally;
    use crate::weights::Weights;

    fn close(actual: &Value, expected: f64) {
        let a = actual
            .as_f64()
            .unwrap_or_else(|| panic!("{actual} is not a number"));
        assert!((a - expected).abs() < 1e-9, "{a} != {expected}");
    }

    /// 70 answers: 29 promoters, 24 passives, 17 detractors (the example of docs/summaries.md).
    #[test]
    fn unweighted_report_by_hand() {
        let s =
            Summary::unweighted(Tally::from_counts([3, 1, 0, 2, 1, 4, 6, 10, 14, 17, 12]).unwrap());
        let r = report(&s, 0.95, "wald").unwrap();
        // 100 * (29 - 17) / 70
        close(&r["nps"], 1200.0 / 70.0);
        assert_eq!(
            (
                &r["responses"],
                &r["promoters"],
                &r["passives"],
                &r["detractors"]
            ),
            (&json!(70), &json!(29), &json!(24), &json!(17))
        );
        close(&r["shares"]["promoters"], 29.0 / 70.0);
        close(&r["shares"]["passives"], 24.0 / 70.0);
        close(&r["shares"]["detractors"], 17.0 / 70.0);
        // p + d - (p - d)^2 = 46/70 - (12/70)^2 = 0.6277551020408163; stderr = 100 sqrt(var / 70)
        // = 9.469915538, margin = 1.959963985 * stderr = 18.560693391 (by hand; z from Python's
        // statistics.NormalDist, an implementation independent of stats.rs)
        close(&r["stderr"], 9.46991553771971);
        close(&r["margin"], 18.56069339056689);
        // Wald: 17.142857 -/+ 18.560693
        close(&r["interval"]["low"], -1.4178362477097473);
        close(&r["interval"]["high"], 35.703550533424036);
        assert_eq!(r["interval"]["confidence"], json!(0.95));
        assert_eq!(r["interval"]["method"], json!("wald"));
        assert_eq!(r["weighted"], json!(false));
        assert_eq!(r["effective_responses"], json!(70.0));
    }

    #[test]
    fn adjusted_wald_interval_by_hand() {
        // 3 promoters, 1 passive, 1 detractor; Rocks: p = (3 + 0.75) / 8, d = (1 + 0.75) / 8,
        // centre 0.25, var = 5.5/8 - 0.0625 = 0.625, half = 1.959963985 * sqrt(0.625 / 8)
        // = 0.547827; low 100 * (0.25 - 0.547827) = -29.7827, high 100 * (0.25 + 0.547827) = 79.7827
        let s = Summary::unweighted(Tally::from_counts([0, 0, 0, 0, 0, 0, 1, 1, 0, 2, 1]).unwrap());
        let r = report(&s, 0.95, "adjusted_wald").unwrap();
        close(&r["interval"]["low"], -29.782658786036343);
        close(&r["interval"]["high"], 79.78265878603634);
    }

    #[test]
    fn weighted_report_by_hand() {
        // promoter weight 2, passive 1, detractor 1: total 4, squares 4 + 1 + 1 = 6
        let mut sums = [0.0; 11];
        (sums[10], sums[7], sums[3]) = (2.0, 1.0, 1.0);
        let s = Summary {
            tally: Tally::from_counts([0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 1]).unwrap(),
            weights: Some(Weights { sums, squares: 6.0 }),
        };
        let r = report(&s, 0.9, "adjusted_wald").unwrap();
        // 100 * (2 - 1) / 4 = 25; shares 0.5, 0.25, 0.25; n_eff = 16 / 6
        close(&r["nps"], 25.0);
        assert_eq!(
            (
                &r["responses"],
                &r["promoters"],
                &r["passives"],
                &r["detractors"]
            ),
            (&json!(3), &json!(1), &json!(1), &json!(1))
        );
        close(&r["shares"]["promoters"], 0.5);
        close(&r["shares"]["passives"], 0.25);
        close(&r["shares"]["detractors"], 0.25);
        assert_eq!(r["weighted"], json!(true));
        close(&r["effective_responses"], 16.0 / 6.0);
        // var = 0.75 - 0.0625 = 0.6875; stderr = 100 sqrt(0.6875 / (8/3)) = 50.77524002897476;
        // z(0.90) = 1.6448536269514715
        close(&r["stderr"], 50.77524002897476);
        close(&r["margin"], 83.51783772099067);
    }

    #[test]
    fn nothing_to_report_is_null_with_every_key() {
        let r = report(&Summary::default(), 0.95, "adjusted_wald").unwrap();
        assert_eq!(
            r,
            json!({
                "nps": null, "responses": 0, "promoters": 0, "passives": 0, "detractors": 0,
                "shares": {"promoters": null, "passives": null, "detractors": null},
                "stderr": null, "margin": null,
                "interval": {"low": null, "high": null, "confidence": 0.95, "method": "adjusted_wald"},
                "weighted": false, "effective_responses": 0.0,
            })
        );
        // weighted answers that all weigh 0 have no weighted NPS either
        let s = Summary {
            tally: Tally::from_counts([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2]).unwrap(),
            weights: Some(Weights::default()),
        };
        let r = report(&s, 0.95, "wald").unwrap();
        assert_eq!(
            (&r["nps"], &r["responses"], &r["effective_responses"]),
            (&Value::Null, &json!(2), &Value::Null)
        );
    }

    #[test]
    fn bad_parameters_are_errors_even_without_responses() {
        assert_eq!(
            report(&Summary::default(), 1.0, "wald"),
            Err(StatsError::Confidence(1.0).into())
        );
        assert_eq!(
            report(&Summary::default(), 0.95, "exact"),
            Err(StatsError::Method("exact".into()).into())
        );
    }

    #[test]
    fn counts_up_to_a_bigint_in_total() {
        let all = Summary::unweighted(
            Tally::from_counts([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, i64::MAX]).unwrap(),
        );
        let r = report(&all, 0.95, "wald").unwrap();
        assert_eq!(
            (&r["responses"], &r["nps"]),
            (&json!(i64::MAX), &json!(100.0))
        );
        // every count fits, their sum does not: an error, not a wrapped or panicking sum
        let over = Summary::unweighted(
            Tally::from_counts([1, 0, 0, 0, 0, 0, 0, 0, 0, 0, i64::MAX]).unwrap(),
        );
        assert_eq!(
            report(&over, 0.95, "wald"),
            Err(ReportError::TooManyResponses)
        );
    }
}
