//! The `nps(score)` aggregate: transition, inverse, combine, serialize, deserialize and final
//! functions over an `internal` state that is a [`Tally`] in the aggregate memory context.
//!
//! The transition function touches one counter and allocates nothing after the first row; the
//! inverse makes any window frame O(rows); combine/serialize/deserialize make it parallel.

use crate::score::{Answer, ScoreDatum};
use crate::tally::{Tally, NPS_SCALE};
use pgrx::prelude::*;
use pgrx::{AnyNumeric, Internal, PgSqlErrorCode};

/// The `T` behind an aggregate's `internal` state, created as `T::default()` in the aggregate
/// memory context (which lives as long as the group) on first use.
///
/// # Safety
/// `state` must be NULL or a `T` created here, and `fcinfo` an aggregate call.
pub unsafe fn state_mut<'a, T: Default>(
    state: &mut Internal,
    fcinfo: pg_sys::FunctionCallInfo,
) -> &'a mut T {
    unsafe {
        if let Some(existing) = state.get_mut::<T>() {
            return &mut *(existing as *mut T);
        }
        let created = new_state::<T>(fcinfo);
        *state = Internal::from(Some(pg_sys::Datum::from(created)));
        &mut *created
    }
}

unsafe fn new_state<T: Default>(fcinfo: pg_sys::FunctionCallInfo) -> *mut T {
    unsafe {
        let mut aggregate_context = std::ptr::null_mut();
        if pg_sys::AggCheckCallContext(fcinfo, &mut aggregate_context) == 0 {
            error!("nps aggregate support function called outside an aggregate");
        }
        let created: *mut T =
            pg_sys::MemoryContextAlloc(aggregate_context, std::mem::size_of::<T>()).cast();
        created.write(T::default());
        created
    }
}

/// The state in argument 0 of a V1 transition function, created on the first row.
///
/// # Safety
/// `fcinfo` must be an aggregate call whose argument 0 is NULL or a `T` created here.
#[inline(always)]
pub(crate) unsafe fn state_arg<T: Default>(fcinfo: pg_sys::FunctionCallInfo) -> *mut T {
    unsafe {
        let state = (*fcinfo).args.as_slice(1)[0];
        if state.isnull {
            new_state::<T>(fcinfo)
        } else {
            state.value.cast_mut_ptr::<T>()
        }
    }
}

/// One step of the (inverse) transition: `apply` the checked answer in argument 1 to the tally
/// in argument 0, creating the tally on the first row. A NULL answer is no response.
///
/// Per-row, so a plain V1 function (see `v1.rs`).
///
/// # Safety
/// `fcinfo` must be an aggregate call with (internal, T) arguments.
#[inline(always)]
unsafe fn step<T: ScoreDatum>(
    fcinfo: pg_sys::FunctionCallInfo,
    apply: fn(&mut Tally, Answer),
) -> pg_sys::Datum {
    unsafe {
        let args = (*fcinfo).args.as_slice(2);
        let tally = state_arg::<Tally>(fcinfo);
        if !args[1].isnull {
            apply(&mut *tally, T::checked_answer_of(args[1].value));
        }
        pg_sys::Datum::from(tally)
    }
}

unsafe fn trans<T: ScoreDatum>(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    unsafe { step::<T>(fcinfo, Tally::add) }
}

/// Always returns a state: a NULL would make PostgreSQL recompute the frame.
unsafe fn inverse<T: ScoreDatum>(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    unsafe { step::<T>(fcinfo, Tally::remove) }
}

v1_function!(nps_trans_int2, pg_finfo_nps_trans_int2, trans::<i16>);
v1_function!(nps_trans_int4, pg_finfo_nps_trans_int4, trans::<i32>);
v1_function!(nps_trans_int8, pg_finfo_nps_trans_int8, trans::<i64>);
v1_function!(
    nps_trans_numeric,
    pg_finfo_nps_trans_numeric,
    trans::<AnyNumeric>
);
v1_function!(nps_trans_float4, pg_finfo_nps_trans_float4, trans::<f32>);
v1_function!(nps_trans_float8, pg_finfo_nps_trans_float8, trans::<f64>);
v1_function!(nps_inverse_int2, pg_finfo_nps_inverse_int2, inverse::<i16>);
v1_function!(nps_inverse_int4, pg_finfo_nps_inverse_int4, inverse::<i32>);
v1_function!(nps_inverse_int8, pg_finfo_nps_inverse_int8, inverse::<i64>);
v1_function!(
    nps_inverse_numeric,
    pg_finfo_nps_inverse_numeric,
    inverse::<AnyNumeric>
);
v1_function!(
    nps_inverse_float4,
    pg_finfo_nps_inverse_float4,
    inverse::<f32>
);
v1_function!(
    nps_inverse_float8,
    pg_finfo_nps_inverse_float8,
    inverse::<f64>
);

/// Merge two partial states (parallel aggregation).
#[pg_extern(immutable, parallel_safe)]
fn nps_combine(mut state: Internal, other: Internal, fcinfo: pg_sys::FunctionCallInfo) -> Internal {
    let Some(other) = (unsafe { other.get::<Tally>() }) else {
        return state;
    };
    let tally = unsafe { state_mut::<Tally>(&mut state, fcinfo) };
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
    let decoded = crate::encoding::decode_state(bytes).unwrap_or_else(|e| {
        ereport!(
            ERROR,
            PgSqlErrorCode::ERRCODE_INVALID_BINARY_REPRESENTATION,
            format!("invalid NPS aggregate state: {e}")
        );
    });
    let mut state = Internal::default();
    *unsafe { state_mut::<Tally>(&mut state, fcinfo) } = decoded;
    state
}

/// 100 * (promoters - detractors) / responses as a numeric Datum with [`NPS_SCALE`] decimal
/// places, rounded as numeric division rounds; `None` without responses.
pub fn nps_numeric(tally: &Tally) -> Option<pg_sys::Datum> {
    let digits = tally.nps_scaled()?;
    Some(pg_sys::Datum::from(unsafe {
        pg_sys::int64_div_fast_to_numeric(digits, NPS_SCALE as i32)
    }))
}

/// A figure computed in double precision as `nps()` shows it: the numeric that `value::numeric`
/// gives (15 significant digits), with [`NPS_SCALE`] decimal places.
pub fn nps_numeric_of_float(value: f64) -> AnyNumeric {
    let numeric = AnyNumeric::try_from(value).expect("a finite NPS");
    unsafe {
        pgrx::direct_function_call::<AnyNumeric>(
            pg_sys::numeric_round,
            &[numeric.into_datum(), (NPS_SCALE as i32).into_datum()],
        )
        .expect("round gives a numeric")
    }
}

/// The final function, called once per output row (in a window, once per input row).
unsafe fn final_nps(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    unsafe {
        let state = (*fcinfo).args.as_slice(1)[0];
        let tally = (!state.isnull).then(|| &*state.value.cast_mut_ptr::<Tally>());
        match tally.and_then(nps_numeric) {
            Some(nps) => nps,
            None => crate::v1::return_null(fcinfo),
        }
    }
}
v1_function!(nps_final, pg_finfo_nps_final, final_nps);

// Every aggregate that takes an answer, for each of the six input types, from one template:
// nps(type) and nps_agg(type) share the per-answer transition functions (and differ in their
// final function); the weighted nps(type, double precision) and nps_agg(type, double precision)
// share the weighted transition functions (see weighted.rs; their C symbols and argument names
// are those pgrx gave them in 0.1.0), keep a whole Summary and have no inverse, since float
// weight sums cannot be taken back out exactly.
extension_sql!(
    r#"
CREATE FUNCTION nps_final(internal) RETURNS numeric
    IMMUTABLE PARALLEL SAFE LANGUAGE c AS 'MODULE_PATHNAME', 'nps_final';
DO $do$
DECLARE t record;
BEGIN
    FOR t IN SELECT * FROM (VALUES ('int2', 'smallint'), ('int4', 'integer'), ('int8', 'bigint'), ('numeric', 'numeric'),
                               ('float4', 'real'), ('float8', 'double precision')) AS v(name, type) LOOP
        EXECUTE pg_catalog.format($sql$
            CREATE FUNCTION nps_trans_%1$s(internal, %2$s) RETURNS internal
                IMMUTABLE PARALLEL SAFE LANGUAGE c AS 'MODULE_PATHNAME', 'nps_trans_%1$s';
            CREATE FUNCTION nps_inverse_%1$s(internal, %2$s) RETURNS internal
                IMMUTABLE PARALLEL SAFE LANGUAGE c AS 'MODULE_PATHNAME', 'nps_inverse_%1$s';
            CREATE FUNCTION nps_weighted_trans_%1$s(state internal, score %2$s, weight double precision)
                RETURNS internal
                IMMUTABLE PARALLEL SAFE LANGUAGE c AS 'MODULE_PATHNAME', 'nps_weighted_trans_%1$s_wrapper';
            CREATE AGGREGATE nps(%2$s) (
                SFUNC = nps_trans_%1$s, STYPE = internal, SSPACE = 88, FINALFUNC = nps_final,
                COMBINEFUNC = nps_combine, SERIALFUNC = nps_serialize, DESERIALFUNC = nps_deserialize,
                MSFUNC = nps_trans_%1$s, MINVFUNC = nps_inverse_%1$s, MSTYPE = internal, MSSPACE = 88,
                MFINALFUNC = nps_final, PARALLEL = SAFE
            );
            CREATE AGGREGATE nps_agg(%2$s) (
                SFUNC = nps_trans_%1$s, STYPE = internal, SSPACE = 88, FINALFUNC = nps_agg_final,
                COMBINEFUNC = nps_combine, SERIALFUNC = nps_serialize, DESERIALFUNC = nps_deserialize,
                MSFUNC = nps_trans_%1$s, MINVFUNC = nps_inverse_%1$s, MSTYPE = internal, MSSPACE = 88,
                MFINALFUNC = nps_agg_final, PARALLEL = SAFE
            );
            CREATE AGGREGATE nps(%2$s, double precision) (
                SFUNC = nps_weighted_trans_%1$s, STYPE = internal, SSPACE = 192,
                FINALFUNC = nps_weighted_final, COMBINEFUNC = nps_summary_combine,
                SERIALFUNC = nps_summary_serialize, DESERIALFUNC = nps_summary_deserialize,
                PARALLEL = SAFE
            );
            CREATE AGGREGATE nps_agg(%2$s, double precision) (
                SFUNC = nps_weighted_trans_%1$s, STYPE = internal, SSPACE = 192,
                FINALFUNC = nps_summary_final, COMBINEFUNC = nps_summary_combine,
                SERIALFUNC = nps_summary_serialize, DESERIALFUNC = nps_summary_deserialize,
                PARALLEL = SAFE
            );
        $sql$, t.name, t.type);
    END LOOP;
END $do$;
COMMENT ON AGGREGATE nps(integer) IS 'Net Promoter Score: 100 * (promoters - detractors) / responses';
COMMENT ON AGGREGATE nps_agg(integer) IS 'Summarize NPS answers into an nps_summary';
COMMENT ON AGGREGATE nps(integer, double precision) IS 'Weighted Net Promoter Score for survey weights';
"#,
    name = "nps_aggregates",
    requires = [
        nps_combine,
        nps_serialize,
        nps_deserialize,
        "nps_summary_type",
        summary::nps_agg_final,
        summary::nps_summary_final,
        summary::nps_summary_combine,
        summary::nps_summary_serialize,
        summary::nps_summary_deserialize,
        weighted::nps_weighted_final
    ]
);
