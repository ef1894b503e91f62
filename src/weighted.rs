//! Weighted answers: `nps(score, weight)` -> double precision and `nps_agg(score, weight)` ->
//! nps_summary. The state is a [`Summary`] with weight sums; statistics on it use Kish's
//! effective sample size. The aggregates themselves are created from the per-type template in
//! aggregates.rs.
//!
//! No inverse transition: float weight sums cannot be taken back out exactly, so as a window
//! aggregate PostgreSQL recomputes each frame (correct, O(rows x frame)). Unweighted `nps`,
//! `nps_agg` and `rollup` of unweighted summaries stay O(rows).

use crate::aggregates::state_mut;
use crate::score::ScoreInput;
use crate::weights::{check_weight, Summary};
use pgrx::prelude::*;
use pgrx::{AnyNumeric, Internal, PgSqlErrorCode};

/// Count `score` with `weight`; a NULL on either side skips the row, but whatever is given is
/// checked, so a bad answer or weight is never silently dropped.
fn add(summary: &mut Summary, score: Option<&dyn ScoreInput>, weight: Option<f64>) {
    let answer = score.map(|s| s.checked_answer());
    let weight = weight.map(|w| {
        check_weight(w).unwrap_or_else(|e| {
            ereport!(
                ERROR,
                PgSqlErrorCode::ERRCODE_INVALID_PARAMETER_VALUE,
                e.to_string(),
                "A survey weight is a finite number, at least 0."
            );
        })
    });
    if let (Some(answer), Some(weight)) = (answer, weight) {
        summary
            .add_weighted(answer, weight)
            .unwrap_or_else(|e| crate::summary::combine_error(e));
    }
}

macro_rules! weighted_transition {
    ($name:ident, $ty:ty) => {
        #[pg_extern(immutable, parallel_safe)]
        fn $name(
            mut state: Internal,
            score: Option<$ty>,
            weight: Option<f64>,
            fcinfo: pg_sys::FunctionCallInfo,
        ) -> Internal {
            let summary = unsafe { state_mut::<Summary>(&mut state, fcinfo) };
            add(
                summary,
                score.as_ref().map(|s| s as &dyn ScoreInput),
                weight,
            );
            state
        }
    };
}

weighted_transition!(nps_weighted_trans_int2, i16);
weighted_transition!(nps_weighted_trans_int4, i32);
weighted_transition!(nps_weighted_trans_int8, i64);
weighted_transition!(nps_weighted_trans_numeric, AnyNumeric);

/// Weighted NPS in points: 100 * (promoter weight - detractor weight) / total weight.
#[pg_extern(immutable, parallel_safe)]
fn nps_weighted_final(state: Internal) -> Option<f64> {
    Some(unsafe { state.get::<Summary>() }?.sample()?.nps())
}
