//! How the parts of a live summary add up, as SQL functions its view and folds call:
//! `nps_live_apply(current, plus, minus)` and `nps_live_same(a, b)`. Internal to live
//! summaries (their names say so), harmless to call.

use crate::summary::{combine_error, NpsSummary};
use crate::weights::Summary;
use pgrx::prelude::*;

/// `current + plus - minus`, NULL counting as nothing; never below nothing, so that changes
/// that remove answers never added (a load with triggers disabled) cannot break every read:
/// nps_live_summary_check reports them.
#[pg_extern(immutable, parallel_safe)]
fn nps_live_apply(
    current: Option<NpsSummary>,
    plus: Option<NpsSummary>,
    minus: Option<NpsSummary>,
) -> NpsSummary {
    let mut s: Summary = current.map(|c| c.0).unwrap_or_default();
    if let Some(p) = plus {
        s.merge(&p.0).unwrap_or_else(|e| combine_error(e));
    }
    if let Some(m) = minus {
        s.saturating_subtract(&m.0);
    }
    NpsSummary(s)
}

/// The same answers, weight sums equal up to the rounding of another order of adding them.
#[pg_extern(immutable, strict, parallel_safe)]
fn nps_live_same(a: NpsSummary, b: NpsSummary) -> bool {
    a.0.same_answers(&b.0)
}
