//! Weighted answers: `nps(score, weight)` -> double precision and `nps_agg(score, weight)` ->
//! nps_summary. The state is a [`Summary`] with weight sums; statistics on it use Kish's
//! effective sample size. The aggregates and the SQL of their transition functions are created
//! from the per-type template in aggregates.rs.
//!
//! No inverse transition: float weight sums cannot be taken back out exactly, so as a window
//! aggregate PostgreSQL recomputes each frame (correct, O(rows x frame)). Unweighted `nps`,
//! `nps_agg` and `rollup` of unweighted summaries stay O(rows).

use crate::aggregates::state_arg;
use crate::score::{Answer, ScoreDatum};
use crate::weights::{check_weight, Summary, WeightError};
use pgrx::prelude::*;
use pgrx::{AnyNumeric, FromDatum, Internal, PgSqlErrorCode};

/// The checked weight in a float8 Datum, or an ERROR.
#[inline(always)]
unsafe fn checked_weight_of(datum: pg_sys::Datum) -> f64 {
    let w = unsafe { f64::from_datum(datum, false) }.expect("not NULL");
    check_weight(w).unwrap_or_else(|e| report_weight_error(e))
}

/// Raise the error for a weight that is no survey weight; does not return.
pub fn report_weight_error(e: WeightError) -> ! {
    ereport!(
        ERROR,
        PgSqlErrorCode::ERRCODE_INVALID_PARAMETER_VALUE,
        e.to_string(),
        "A survey weight is a finite number, at least 0."
    );
}

/// The transition of both weighted aggregates: count `score` with `weight` into the Summary in
/// argument 0, created on the first row. A NULL on either side skips the row, but whatever is
/// given is checked (the answer first), so a bad answer or weight is never silently dropped.
///
/// Per-row, so a plain V1 function (see `v1.rs`): the Summary is touched in place.
///
/// # Safety
/// `fcinfo` must be an aggregate call with (internal, T, double precision) arguments.
#[inline(always)]
unsafe fn weighted_trans<T: ScoreDatum>(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    unsafe {
        let args = (*fcinfo).args.as_slice(3);
        let summary = state_arg::<Summary>(fcinfo);
        let answer: Option<Answer> = (!args[1].isnull).then(|| T::checked_answer_of(args[1].value));
        let weight = (!args[2].isnull).then(|| checked_weight_of(args[2].value));
        if let (Some(answer), Some(weight)) = (answer, weight) {
            (*summary)
                .add_weighted(answer, weight)
                .unwrap_or_else(|e| crate::summary::combine_error(e));
        }
        pg_sys::Datum::from(summary)
    }
}

// The C symbols pgrx generated for these in 0.1.0, which that release's SQL names.
v1_function!(
    nps_weighted_trans_int2_wrapper,
    pg_finfo_nps_weighted_trans_int2_wrapper,
    weighted_trans::<i16>
);
v1_function!(
    nps_weighted_trans_int4_wrapper,
    pg_finfo_nps_weighted_trans_int4_wrapper,
    weighted_trans::<i32>
);
v1_function!(
    nps_weighted_trans_int8_wrapper,
    pg_finfo_nps_weighted_trans_int8_wrapper,
    weighted_trans::<i64>
);
v1_function!(
    nps_weighted_trans_numeric_wrapper,
    pg_finfo_nps_weighted_trans_numeric_wrapper,
    weighted_trans::<AnyNumeric>
);
// 0.3.0: real and double precision answers
v1_function!(
    nps_weighted_trans_float4_wrapper,
    pg_finfo_nps_weighted_trans_float4_wrapper,
    weighted_trans::<f32>
);
v1_function!(
    nps_weighted_trans_float8_wrapper,
    pg_finfo_nps_weighted_trans_float8_wrapper,
    weighted_trans::<f64>
);

/// Weighted NPS in points: 100 * (promoter weight - detractor weight) / total weight.
#[pg_extern(immutable, parallel_safe)]
fn nps_weighted_final(state: Internal) -> Option<f64> {
    Some(unsafe { state.get::<Summary>() }?.sample()?.nps())
}
