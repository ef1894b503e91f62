//! The `nps(score)` aggregate: transition, inverse, combine, serialize, deserialize and final
//! functions over an `internal` state that is a [`Tally`] in the aggregate memory context.
//!
//! The transition function touches one counter and allocates nothing after the first row; the
//! inverse makes any window frame O(rows); combine/serialize/deserialize make it parallel.

use crate::score::ScoreInput;
use crate::tally::Tally;
use pgrx::prelude::*;
use pgrx::{AnyNumeric, Internal, PgSqlErrorCode};

/// The tally behind `state`, allocated zeroed in the aggregate memory context on first use.
///
/// # Safety
/// `state` must be NULL or a state created by this module, and `fcinfo` an aggregate call.
unsafe fn tally_mut<'a>(state: &mut Internal, fcinfo: pg_sys::FunctionCallInfo) -> &'a mut Tally {
    unsafe {
        if let Some(tally) = state.get_mut::<Tally>() {
            return &mut *(tally as *mut Tally);
        }
        let tally = new_tally(fcinfo);
        *state = Internal::from(Some(pg_sys::Datum::from(tally)));
        &mut *tally
    }
}

/// A zeroed (empty) tally in the aggregate memory context, which lives as long as the group.
unsafe fn new_tally(fcinfo: pg_sys::FunctionCallInfo) -> *mut Tally {
    unsafe {
        let mut aggregate_context = std::ptr::null_mut();
        if pg_sys::AggCheckCallContext(fcinfo, &mut aggregate_context) == 0 {
            error!("nps aggregate support function called outside an aggregate");
        }
        pg_sys::MemoryContextAllocZero(aggregate_context, std::mem::size_of::<Tally>()).cast()
    }
}

/// One transition and one inverse transition per input type; each checks the answer.
macro_rules! transitions {
    ($trans:ident, $inverse:ident, $ty:ty) => {
        #[pg_extern(immutable, parallel_safe)]
        fn $trans(
            mut state: Internal,
            score: Option<$ty>,
            fcinfo: pg_sys::FunctionCallInfo,
        ) -> Internal {
            let tally = unsafe { tally_mut(&mut state, fcinfo) };
            if let Some(score) = score {
                tally.add(score.checked_answer());
            }
            state
        }

        #[pg_extern(immutable, parallel_safe)]
        fn $inverse(
            mut state: Internal,
            score: Option<$ty>,
            fcinfo: pg_sys::FunctionCallInfo,
        ) -> Internal {
            // Always hand back a state: a NULL here would make PostgreSQL recompute the frame.
            let tally = unsafe { tally_mut(&mut state, fcinfo) };
            if let Some(score) = score {
                tally.remove(score.checked_answer());
            }
            state
        }
    };
}

transitions!(nps_trans_int2, nps_inverse_int2, i16);
transitions!(nps_trans_int4, nps_inverse_int4, i32);
transitions!(nps_trans_int8, nps_inverse_int8, i64);
transitions!(nps_trans_numeric, nps_inverse_numeric, AnyNumeric);
/// Merge two partial states (parallel aggregation).
#[pg_extern(immutable, parallel_safe)]
fn nps_combine(mut state: Internal, other: Internal, fcinfo: pg_sys::FunctionCallInfo) -> Internal {
    let Some(other) = (unsafe { other.get::<Tally>() }) else {
        return state;
    };
    let tally = unsafe { tally_mut(&mut state, fcinfo) };
    if tally.merge(other).is_err() {
        ereport!(
            ERROR,
            PgSqlErrorCode::ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE,
            "NPS response count out of range"
        );
    }
    state
}

/// The state as bytes, to pass between parallel workers.
#[pg_extern(immutable, parallel_safe, strict)]
fn nps_serialize(state: Internal) -> Vec<u8> {
    let tally = unsafe { state.get::<Tally>() }.copied().unwrap_or_default();
    tally.to_le_bytes().to_vec()
}

/// Bytes from [`nps_serialize`] back into a state.
#[pg_extern(immutable, parallel_safe, strict)]
fn nps_deserialize(bytes: &[u8], _unused: Internal, fcinfo: pg_sys::FunctionCallInfo) -> Internal {
    let Some(decoded) = Tally::from_le_bytes(bytes) else {
        ereport!(
            ERROR,
            PgSqlErrorCode::ERRCODE_INVALID_BINARY_REPRESENTATION,
            "invalid NPS aggregate state"
        );
    };
    let mut state = Internal::default();
    *unsafe { tally_mut(&mut state, fcinfo) } = decoded;
    state
}

/// 100 * (promoters - detractors) / responses as numeric, divided the way `avg(int)` divides;
/// NULL without responses.
pub fn nps_numeric(tally: &Tally) -> Option<AnyNumeric> {
    let (points, responses) = tally.nps_fraction()?;
    let points = AnyNumeric::try_from(points).expect("an i128 is a numeric");
    let responses = AnyNumeric::try_from(responses).expect("an i128 is a numeric");
    Some(points / responses)
}

#[pg_extern(immutable, parallel_safe)]
fn nps_final(state: Internal) -> Option<AnyNumeric> {
    nps_numeric(unsafe { state.get::<Tally>() }?)
}

extension_sql!(
    r#"
CREATE AGGREGATE nps(smallint) (
    SFUNC = nps_trans_int2, STYPE = internal, SSPACE = 88, FINALFUNC = nps_final,
    COMBINEFUNC = nps_combine, SERIALFUNC = nps_serialize, DESERIALFUNC = nps_deserialize,
    MSFUNC = nps_trans_int2, MINVFUNC = nps_inverse_int2, MSTYPE = internal, MSSPACE = 88,
    MFINALFUNC = nps_final, PARALLEL = SAFE
);
CREATE AGGREGATE nps(integer) (
    SFUNC = nps_trans_int4, STYPE = internal, SSPACE = 88, FINALFUNC = nps_final,
    COMBINEFUNC = nps_combine, SERIALFUNC = nps_serialize, DESERIALFUNC = nps_deserialize,
    MSFUNC = nps_trans_int4, MINVFUNC = nps_inverse_int4, MSTYPE = internal, MSSPACE = 88,
    MFINALFUNC = nps_final, PARALLEL = SAFE
);
CREATE AGGREGATE nps(bigint) (
    SFUNC = nps_trans_int8, STYPE = internal, SSPACE = 88, FINALFUNC = nps_final,
    COMBINEFUNC = nps_combine, SERIALFUNC = nps_serialize, DESERIALFUNC = nps_deserialize,
    MSFUNC = nps_trans_int8, MINVFUNC = nps_inverse_int8, MSTYPE = internal, MSSPACE = 88,
    MFINALFUNC = nps_final, PARALLEL = SAFE
);
CREATE AGGREGATE nps(numeric) (
    SFUNC = nps_trans_numeric, STYPE = internal, SSPACE = 88, FINALFUNC = nps_final,
    COMBINEFUNC = nps_combine, SERIALFUNC = nps_serialize, DESERIALFUNC = nps_deserialize,
    MSFUNC = nps_trans_numeric, MINVFUNC = nps_inverse_numeric, MSTYPE = internal, MSSPACE = 88,
    MFINALFUNC = nps_final, PARALLEL = SAFE
);
COMMENT ON AGGREGATE nps(integer) IS 'Net Promoter Score: 100 * (promoters - detractors) / responses';
"#,
    name = "nps_aggregates",
    requires = [
        nps_trans_int2,
        nps_inverse_int2,
        nps_trans_int4,
        nps_inverse_int4,
        nps_trans_int8,
        nps_inverse_int8,
        nps_trans_numeric,
        nps_inverse_numeric,
        nps_combine,
        nps_serialize,
        nps_deserialize,
        nps_final
    ]
);
