//! The statistics as SQL functions over summaries: standard error, margin, confidence interval,
//! the two-sample test and survey size. The arithmetic is in `stats.rs`.

use crate::stats::{self, Method, Sample, StatsError};
use crate::summary::NpsSummary;
use pgrx::prelude::*;
use pgrx::PgSqlErrorCode;

fn checked<T>(result: Result<T, StatsError>) -> T {
    result.unwrap_or_else(|e| {
        ereport!(
            ERROR,
            PgSqlErrorCode::ERRCODE_INVALID_PARAMETER_VALUE,
            e.to_string()
        );
    })
}

fn method(name: &str) -> Method {
    checked(Method::parse(name))
}

fn sample(s: &NpsSummary) -> Option<Sample> {
    s.0.sample()
}

/// Standard error of the NPS in points (Wald): 100 * sqrt((p + d - (p - d)^2) / N).
#[pg_extern(immutable, strict, parallel_safe)]
fn nps_stderr(summary: NpsSummary) -> Option<f64> {
    Some(sample(&summary)?.stderr())
}

/// Margin of error in points: z * standard error.
#[pg_extern(immutable, strict, parallel_safe)]
fn nps_margin(summary: NpsSummary, confidence: default!(f64, 0.95)) -> Option<f64> {
    let z = checked(stats::z_for(confidence));
    Some(z * sample(&summary)?.stderr())
}

fn interval(summary: &NpsSummary, confidence: f64, method_name: &str) -> Option<(f64, f64)> {
    // parameters are checked even when the summary has no responses
    let m = method(method_name);
    checked(stats::z_for(confidence));
    Some(checked(sample(summary)?.interval(confidence, m)))
}

/// Lower end of the confidence interval in points (clipped to -100).
#[pg_extern(immutable, strict, parallel_safe)]
fn nps_ci_low(
    summary: NpsSummary,
    confidence: default!(f64, 0.95),
    method: default!(&str, "'adjusted_wald'"),
) -> Option<f64> {
    interval(&summary, confidence, method).map(|i| i.0)
}

/// Upper end of the confidence interval in points (clipped to 100).
#[pg_extern(immutable, strict, parallel_safe)]
fn nps_ci_high(
    summary: NpsSummary,
    confidence: default!(f64, 0.95),
    method: default!(&str, "'adjusted_wald'"),
) -> Option<f64> {
    interval(&summary, confidence, method).map(|i| i.1)
}

/// {difference, z, p_value, ci_low, ci_high} of a - b, for the SQL function nps_test.
#[pg_extern(immutable, strict, parallel_safe)]
fn nps_test_values(
    a: NpsSummary,
    b: NpsSummary,
    confidence: f64,
    method: &str,
) -> Vec<Option<f64>> {
    let m = self::method(method);
    checked(stats::z_for(confidence));
    let (Some(sa), Some(sb)) = (sample(&a), sample(&b)) else {
        return vec![None; 5];
    };
    let c = checked(stats::compare(&sa, &sb, confidence, m));
    vec![
        Some(c.difference),
        c.z,
        c.p_value,
        Some(c.ci_low),
        Some(c.ci_high),
    ]
}

/// The smallest number of responses whose margin of error is at most `margin` points.
#[pg_extern(immutable, parallel_safe)]
fn nps_sample_size(
    margin: Option<f64>,
    confidence: default!(Option<f64>, 0.95),
    promoters: default!(Option<f64>, "NULL"),
    detractors: default!(Option<f64>, "NULL"),
) -> Option<i64> {
    let (margin, confidence) = (margin?, confidence?);
    let shares = match (promoters, detractors) {
        (None, None) => None,
        (Some(p), Some(d)) => Some((p, d)),
        _ => {
            ereport!(
                ERROR,
                PgSqlErrorCode::ERRCODE_INVALID_PARAMETER_VALUE,
                "give both expected shares (promoters and detractors) or neither"
            );
        }
    };
    Some(checked(stats::sample_size(margin, confidence, shares)) as i64)
}

// SQL-language functions as BEGIN ATOMIC bodies: their calls are bound when the function is
// created, so no search_path (a restore's, a shard's, PostgreSQL 17's maintenance path, or a
// hostile one) can change what they call.
extension_sql!(
    r#"
CREATE FUNCTION nps_ci(summary nps_summary, confidence double precision DEFAULT 0.95,
                       method text DEFAULT 'adjusted_wald',
                       OUT low double precision, OUT high double precision)
    IMMUTABLE STRICT PARALLEL SAFE LANGUAGE sql
BEGIN ATOMIC
    SELECT @extschema@.nps_ci_low(summary, confidence, method),
           @extschema@.nps_ci_high(summary, confidence, method);
END;
COMMENT ON FUNCTION nps_ci(nps_summary, double precision, text) IS 'Confidence interval of the NPS in points';

CREATE FUNCTION nps_test(a nps_summary, b nps_summary, confidence double precision DEFAULT 0.95,
                         method text DEFAULT 'adjusted_wald',
                         OUT difference double precision, OUT z double precision,
                         OUT p_value double precision, OUT ci_low double precision,
                         OUT ci_high double precision)
    IMMUTABLE STRICT PARALLEL SAFE LANGUAGE sql
BEGIN ATOMIC
    SELECT v[1], v[2], v[3], v[4], v[5] FROM @extschema@.nps_test_values(a, b, confidence, method) AS v;
END;
COMMENT ON FUNCTION nps_test(nps_summary, nps_summary, double precision, text) IS
    'Two-sample test of nps(a) - nps(b): difference, z, two-sided p-value, interval of the difference';
"#,
    name = "nps_significance",
    requires = [nps_ci_low, nps_ci_high, nps_test_values]
);
