//! Segment helpers that compose with GROUP BY and window functions: how many points a segment
//! contributes to the total, how far the total moves without it, how it compares with the rest,
//! and a one-line picture of a trend.

use crate::summary::{combine_error, NpsSummary};
use crate::tally::TallyError;
use crate::weights::Summary;
use pgrx::prelude::*;

/// NPS of `total` without the part `segment`; `None` when nothing (or no weight) is left.
fn nps_of_rest(segment: &Summary, total: &Summary) -> Option<f64> {
    let mut rest = *total;
    let removed = rest.subtract(segment);
    if let Err(e @ TallyError::WeightedWithUnweighted { .. }) = removed {
        combine_error(e);
    }
    if removed.is_err() {
        ereport!(
            ERROR,
            PgSqlErrorCode::ERRCODE_INVALID_PARAMETER_VALUE,
            "the segment is not part of the total",
            "Pass the segment's summary and a total that contains it, e.g. rollup() over all segments."
        );
    }
    Some(rest.sample()?.nps())
}

/// Points the segment contributes to the total: 100 * (P_s - D_s) / N_total. The
/// contributions of segments that partition the total add up to the total's NPS.
#[pg_extern(immutable, strict, parallel_safe)]
fn nps_contribution(segment: NpsSummary, total: NpsSummary) -> Option<f64> {
    // counts over a total weight (or weights over counts) would be a number of no meaning
    segment
        .0
        .check_same_kind(&total.0)
        .unwrap_or_else(|e| combine_error(e));
    let base = total.0.base();
    (base > 0.0).then(|| 100.0 * segment.0.net_promoters() / base)
}

/// How far the total's NPS moves because of the segment: nps(total) - nps(total - segment).
/// Negative when the segment drags the total down; NULL when nothing is left without it.
#[pg_extern(immutable, strict, parallel_safe)]
fn nps_impact(segment: NpsSummary, total: NpsSummary) -> Option<f64> {
    let rest = nps_of_rest(&segment.0, &total.0)?;
    Some(total.0.sample()?.nps() - rest)
}

/// The segment against everyone else: nps(segment) - nps(total - segment).
#[pg_extern(immutable, strict, parallel_safe)]
fn nps_lift(segment: NpsSummary, total: NpsSummary) -> Option<f64> {
    let rest = nps_of_rest(&segment.0, &total.0)?;
    Some(segment.0.sample()?.nps() - rest)
}

/// Transition of `nps_trend_sparkline`: the NPS of each period, in aggregate order.
#[pg_extern(immutable, parallel_safe)]
fn nps_trend_append(
    trend: Option<Vec<Option<f64>>>,
    period: Option<NpsSummary>,
) -> Vec<Option<f64>> {
    let mut trend = trend.unwrap_or_default();
    trend.push(period.and_then(|s| s.0.sample()).map(|s| s.nps()));
    trend
}

/// Draws a trend of NPS values: one block per period, scaled from its lowest to its highest.
#[pg_extern(immutable, strict, parallel_safe)]
fn nps_trend_draw(trend: Vec<Option<f64>>) -> String {
    crate::tally::trend_sparkline(&trend)
}

extension_sql!(
    r#"
CREATE AGGREGATE nps_trend_sparkline(nps_summary) (
    SFUNC = nps_trend_append, STYPE = double precision[], INITCOND = '{}',
    FINALFUNC = nps_trend_draw, PARALLEL = SAFE
);
COMMENT ON AGGREGATE nps_trend_sparkline(nps_summary) IS
    'One block per period, in the aggregate''s ORDER BY: nps_trend_sparkline(s ORDER BY month)';
"#,
    name = "nps_trend_sparkline",
    requires = [nps_trend_append, nps_trend_draw]
);
