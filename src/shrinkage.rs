//! Shrinking small segments toward the population, as SQL: `nps_shrink`,
//! `nps_shrink_interval` and the `nps_prior_strength` aggregate. The arithmetic is in
//! `shrink.rs`; weighted summaries count with Kish's effective size, like every statistic.

use crate::aggregates::{state_arg, state_mut};
use crate::shrink::{self, Spread};
use crate::significance::{arg, checked, numeric, record};
use crate::summary::NpsSummary;
use pgrx::prelude::*;
use pgrx::{AnyNumeric, FromDatum, Internal, PgSqlErrorCode};

/// The segment's NPS shrunk toward the population's: 100 * ((P + k pP) - (D + k pD)) / (n + k).
#[pg_extern(immutable, strict, parallel_safe)]
fn nps_shrink(segment: NpsSummary, population: NpsSummary, strength: f64) -> Option<AnyNumeric> {
    let shrunk = shrink::shrunk_nps(segment.0.sample(), population.0.sample(), strength);
    checked(shrunk).map(numeric)
}

/// nps_shrink_interval(segment, population, strength, confidence) -> nps_interval.
unsafe fn nps_shrink_interval(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    unsafe {
        let (segment, population): (NpsSummary, NpsSummary) = (arg(fcinfo, 0), arg(fcinfo, 1));
        let bounds = checked(shrink::shrunk_interval(
            segment.0.sample(),
            population.0.sample(),
            arg(fcinfo, 2),
            arg(fcinfo, 3),
        ));
        match bounds {
            Some((low, high)) => record(fcinfo, [low, high].map(|x| numeric(x).into_datum())),
            None => crate::v1::return_null(fcinfo),
        }
    }
}
v1_function!(
    nps_shrink_interval_record,
    pg_finfo_nps_shrink_interval_record,
    nps_shrink_interval
);

// ---- nps_prior_strength(nps_summary): an aggregate over the segments' summaries ----------
// Parallel (combine, serialize, deserialize). No inverse transition: its sums of n_i^2 and
// (P_i - D_i)^2 / n_i are floats that cannot be taken back out exactly, so as a window aggregate
// PostgreSQL recomputes each frame.

/// Per row: add the segment (NULL summaries and summaries without responses add nothing).
unsafe fn prior_strength_trans(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    unsafe {
        let args = (*fcinfo).args.as_slice(2);
        let spread = state_arg::<Spread>(fcinfo);
        if let Some(segment) = NpsSummary::from_datum(args[1].value, args[1].isnull) {
            (*spread).add(segment.0.sample());
        }
        pg_sys::Datum::from(spread)
    }
}
v1_function!(
    nps_prior_strength_trans,
    pg_finfo_nps_prior_strength_trans,
    prior_strength_trans
);

/// Merge two partial states (parallel aggregation).
unsafe fn prior_strength_combine(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    unsafe {
        let args = (*fcinfo).args.as_slice(2);
        if args[1].isnull {
            return if args[0].isnull {
                crate::v1::return_null(fcinfo)
            } else {
                args[0].value
            };
        }
        let spread = state_arg::<Spread>(fcinfo);
        (*spread).merge(&*args[1].value.cast_mut_ptr::<Spread>());
        pg_sys::Datum::from(spread)
    }
}
v1_function!(
    nps_prior_strength_combine,
    pg_finfo_nps_prior_strength_combine,
    prior_strength_combine
);

#[pg_extern(immutable, parallel_safe, strict)]
fn nps_prior_strength_serialize(state: Internal) -> Vec<u8> {
    let spread = unsafe { state.get::<Spread>() }
        .copied()
        .unwrap_or_default();
    spread.to_le_bytes().to_vec()
}

#[pg_extern(immutable, parallel_safe, strict)]
fn nps_prior_strength_deserialize(
    bytes: &[u8],
    _unused: Internal,
    fcinfo: pg_sys::FunctionCallInfo,
) -> Internal {
    let decoded = Spread::from_le_bytes(bytes).unwrap_or_else(|| {
        ereport!(
            ERROR,
            PgSqlErrorCode::ERRCODE_INVALID_BINARY_REPRESENTATION,
            format!(
                "invalid nps_prior_strength state: {} bytes that are not 6 finite sums",
                bytes.len()
            )
        );
    });
    let mut state = Internal::default();
    *unsafe { state_mut::<Spread>(&mut state, fcinfo) } = decoded;
    state
}

/// The estimate (see `Spread::prior_strength`): NULL with fewer than two segments that have
/// responses, or as many segments as responses.
#[pg_extern(immutable, parallel_safe)]
fn nps_prior_strength_final(state: Internal) -> Option<f64> {
    unsafe { state.get::<Spread>() }?.prior_strength()
}

extension_sql!(
    r#"
CREATE FUNCTION nps_shrink_interval(segment nps_summary, population nps_summary,
                                    strength double precision,
                                    confidence double precision DEFAULT 0.95)
    RETURNS nps_interval
    IMMUTABLE STRICT PARALLEL SAFE LANGUAGE c AS 'MODULE_PATHNAME', 'nps_shrink_interval_record';
COMMENT ON FUNCTION nps_shrink_interval(nps_summary, nps_summary, double precision, double precision) IS
    'Interval of the shrunk NPS: the Dirichlet posterior''s normal approximation, in points';
CREATE FUNCTION nps_prior_strength_trans(state internal, segment nps_summary) RETURNS internal
    IMMUTABLE PARALLEL SAFE LANGUAGE c AS 'MODULE_PATHNAME', 'nps_prior_strength_trans';
CREATE FUNCTION nps_prior_strength_combine(state internal, other internal) RETURNS internal
    IMMUTABLE PARALLEL SAFE LANGUAGE c AS 'MODULE_PATHNAME', 'nps_prior_strength_combine';
CREATE AGGREGATE nps_prior_strength(nps_summary) (
    SFUNC = nps_prior_strength_trans, STYPE = internal, SSPACE = 48,
    FINALFUNC = nps_prior_strength_final, COMBINEFUNC = nps_prior_strength_combine,
    SERIALFUNC = nps_prior_strength_serialize, DESERIALFUNC = nps_prior_strength_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE nps_prior_strength(nps_summary) IS
    'Empirical Bayes prior strength k for nps_shrink: how much segments vary beyond sampling';
"#,
    name = "nps_shrinkage",
    requires = [
        "nps_summary_type",
        "nps_interval_type",
        nps_prior_strength_serialize,
        nps_prior_strength_deserialize,
        nps_prior_strength_final
    ]
);
