//! The statistics as SQL functions over summaries: standard error, margin, confidence interval,
//! the two-sample test and survey size. The arithmetic is in `stats.rs`.

use crate::stats::{self, Method, Sample};
use crate::summary::NpsSummary;
use pgrx::prelude::*;
use pgrx::{AnyNumeric, FromDatum, PgMemoryContexts, PgSqlErrorCode};

/// The value, or its error raised as SQLSTATE 22023 (a parameter out of its range).
pub(crate) fn checked<T, E: std::fmt::Display>(result: Result<T, E>) -> T {
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

/// {difference, z, p_value, ci_low, ci_high} of a - b, as nps_test returns them.
fn test_values(a: &NpsSummary, b: &NpsSummary, confidence: f64, method: &str) -> [Option<f64>; 5] {
    let m = self::method(method);
    checked(stats::z_for(confidence));
    let (Some(sa), Some(sb)) = (sample(a), sample(b)) else {
        return [None; 5];
    };
    let c = checked(stats::compare(&sa, &sb, confidence, m));
    [
        Some(c.difference),
        c.z,
        c.p_value,
        Some(c.ci_low),
        Some(c.ci_high),
    ]
}

/// nps_test's figures as an array: what 0.1.0's nps_test called, kept for queries that use it.
#[pg_extern(immutable, strict, parallel_safe)]
fn nps_test_values(
    a: NpsSummary,
    b: NpsSummary,
    confidence: f64,
    method: &str,
) -> Vec<Option<f64>> {
    test_values(&a, &b, confidence, method).to_vec()
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
    let shares = expected_shares(promoters, detractors);
    Some(checked(stats::sample_size(margin, confidence, shares)) as i64)
}

/// Both expected shares, or neither (the worst case).
fn expected_shares(promoters: Option<f64>, detractors: Option<f64>) -> Option<(f64, f64)> {
    match (promoters, detractors) {
        (None, None) => None,
        (Some(p), Some(d)) => Some((p, d)),
        _ => {
            ereport!(
                ERROR,
                PgSqlErrorCode::ERRCODE_INVALID_PARAMETER_VALUE,
                "give both expected shares (promoters and detractors) or neither"
            );
        }
    }
}

/// The smallest change in NPS points between two periods that nps_test detects with `power`
/// at `confidence`: (z_c + z_power) * 100 * sqrt(v (1/n_a + 1/n_b)), v from the expected shares
/// (the worst case when not given). Numeric, like every figure 0.3.0 adds.
#[pg_extern(immutable, parallel_safe)]
fn nps_detectable_change(
    responses_a: Option<i64>,
    responses_b: Option<i64>,
    promoters: default!(Option<f64>, "NULL"),
    detractors: default!(Option<f64>, "NULL"),
    confidence: default!(Option<f64>, 0.95),
    power: default!(Option<f64>, 0.8),
) -> Option<AnyNumeric> {
    let (n_a, n_b) = (responses_a?, responses_b?);
    let (confidence, power) = (confidence?, power?);
    let shares = expected_shares(promoters, detractors);
    let change = checked(stats::detectable_change(
        n_a, n_b, shares, confidence, power,
    ));
    Some(numeric(change))
}

/// A figure as numeric: the 15 significant digits float8_numeric keeps (the same on every
/// major); the figures passed here are finite.
pub(crate) fn numeric(value: f64) -> AnyNumeric {
    AnyNumeric::try_from(value).unwrap_or_else(|_| error!("nps_ext: {value} has no numeric form"))
}

// nps_ci and nps_test return records (their OUT parameters): plain V1 functions that build the
// tuple themselves. 0.1.0 made them SQL-language functions calling nps_ci_low/nps_ci_high and
// nps_test_values through the caller's search_path; as C functions nothing is looked up at
// call time, and a dashboard's month-over-month test costs well under a microsecond instead of
// the SQL function executor's 3.6 us.

/// The record of the calling function (its N OUT parameters, or its composite result type)
/// with `values`, a NULL for `None`. The blessed row type is built on the first call and kept
/// with the call site; nothing else is allocated but the tuple.
///
/// # Safety
/// `fcinfo` must be the current call's, of a function whose result columns match `values`.
pub(crate) unsafe fn record<const N: usize>(
    fcinfo: pg_sys::FunctionCallInfo,
    values: [Option<pg_sys::Datum>; N],
) -> pg_sys::Datum {
    unsafe {
        let flinfo = (*fcinfo).flinfo;
        if (*flinfo).fn_extra.is_null() {
            let mut tupdesc: pg_sys::TupleDesc = std::ptr::null_mut();
            if pg_sys::get_call_result_type(fcinfo, std::ptr::null_mut(), &mut tupdesc)
                != pg_sys::TypeFuncClass::TYPEFUNC_COMPOSITE
                || (*tupdesc).natts as usize != N
            {
                error!(
                    "nps_ext: a record-returning function was declared without its OUT parameters"
                );
            }
            let kept = PgMemoryContexts::For((*flinfo).fn_mcxt)
                .switch_to(|_| pg_sys::CreateTupleDescCopy(tupdesc));
            (*flinfo).fn_extra = pg_sys::BlessTupleDesc(kept).cast();
        }
        let tupdesc: pg_sys::TupleDesc = (*flinfo).fn_extra.cast();
        let mut datums = values.map(|v| v.unwrap_or(pg_sys::Datum::from(0)));
        let mut nulls = values.map(|v| v.is_none());
        let tuple = pg_sys::heap_form_tuple(tupdesc, datums.as_mut_ptr(), nulls.as_mut_ptr());
        pg_sys::HeapTupleHeaderGetDatum((*tuple).t_data)
    }
}

/// [`record`] of double precision columns.
///
/// # Safety
/// As for [`record`].
unsafe fn float8_record<const N: usize>(
    fcinfo: pg_sys::FunctionCallInfo,
    values: [Option<f64>; N],
) -> pg_sys::Datum {
    unsafe {
        record(
            fcinfo,
            values.map(|v| v.map(|x| x.into_datum().expect("a float8 Datum"))),
        )
    }
}

/// Argument `i` of a STRICT function (never NULL).
pub(crate) unsafe fn arg<T: FromDatum>(fcinfo: pg_sys::FunctionCallInfo, i: usize) -> T {
    unsafe {
        let arg = (*fcinfo).args.as_slice(i + 1)[i];
        T::from_datum(arg.value, arg.isnull).expect("a STRICT function's argument")
    }
}

/// The interval of a call (summary, confidence, method): [low, high].
unsafe fn interval_of(fcinfo: pg_sys::FunctionCallInfo) -> [Option<f64>; 2] {
    unsafe {
        let summary: NpsSummary = arg(fcinfo, 0);
        let method: &str = arg(fcinfo, 2);
        let bounds = interval(&summary, arg(fcinfo, 1), method);
        [bounds.map(|b| b.0), bounds.map(|b| b.1)]
    }
}

/// The test of a call (a, b, confidence, method): [difference, z, p_value, ci_low, ci_high].
unsafe fn test_of(fcinfo: pg_sys::FunctionCallInfo) -> [Option<f64>; 5] {
    unsafe {
        let (a, b): (NpsSummary, NpsSummary) = (arg(fcinfo, 0), arg(fcinfo, 1));
        let method: &str = arg(fcinfo, 3);
        test_values(&a, &b, arg(fcinfo, 2), method)
    }
}

/// 0.3.0's named composites: every figure numeric (`value::numeric`: 15 significant digits),
/// which every driver and dashboard formats alike.
unsafe fn numeric_record<const N: usize>(
    fcinfo: pg_sys::FunctionCallInfo,
    values: [Option<f64>; N],
) -> pg_sys::Datum {
    let numeric = |v: f64| AnyNumeric::try_from(v).ok().and_then(|n| n.into_datum());
    unsafe { record(fcinfo, values.map(|v| v.and_then(numeric))) }
}

/// nps_ci(summary, confidence, method, OUT low, OUT high).
unsafe fn nps_ci(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    unsafe { float8_record(fcinfo, interval_of(fcinfo)) }
}
v1_function!(nps_ci_record, pg_finfo_nps_ci_record, nps_ci);

/// nps_test(a, b, confidence, method, OUT difference, OUT z, OUT p_value, OUT ci_low, OUT ci_high).
unsafe fn nps_test(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    unsafe { float8_record(fcinfo, test_of(fcinfo)) }
}
v1_function!(nps_test_record, pg_finfo_nps_test_record, nps_test);

/// nps_confidence_interval(summary, confidence, method) -> nps_interval (0.3.0).
unsafe fn nps_confidence_interval(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    unsafe { numeric_record(fcinfo, interval_of(fcinfo)) }
}
v1_function!(
    nps_confidence_interval_record,
    pg_finfo_nps_confidence_interval_record,
    nps_confidence_interval
);

/// nps_compare(a, b, confidence, method) -> nps_comparison (0.3.0): nps_test's figures.
unsafe fn nps_compare(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    unsafe { numeric_record(fcinfo, test_of(fcinfo)) }
}
v1_function!(nps_compare_record, pg_finfo_nps_compare_record, nps_compare);

extension_sql!(
    r#"
CREATE FUNCTION nps_ci(summary nps_summary, confidence double precision DEFAULT 0.95,
                       method text DEFAULT 'adjusted_wald',
                       OUT low double precision, OUT high double precision)
    IMMUTABLE STRICT PARALLEL SAFE LANGUAGE c AS 'MODULE_PATHNAME', 'nps_ci_record';
COMMENT ON FUNCTION nps_ci(nps_summary, double precision, text) IS 'Confidence interval of the NPS in points';

CREATE FUNCTION nps_test(a nps_summary, b nps_summary, confidence double precision DEFAULT 0.95,
                         method text DEFAULT 'adjusted_wald',
                         OUT difference double precision, OUT z double precision,
                         OUT p_value double precision, OUT ci_low double precision,
                         OUT ci_high double precision)
    IMMUTABLE STRICT PARALLEL SAFE LANGUAGE c AS 'MODULE_PATHNAME', 'nps_test_record';
COMMENT ON FUNCTION nps_test(nps_summary, nps_summary, double precision, text) IS
    'Two-sample test of nps(a) - nps(b): difference, z, two-sided p-value, interval of the difference';

CREATE FUNCTION nps_confidence_interval(summary nps_summary, confidence double precision DEFAULT 0.95,
                                        method text DEFAULT 'adjusted_wald')
    RETURNS nps_interval
    IMMUTABLE STRICT PARALLEL SAFE LANGUAGE c AS 'MODULE_PATHNAME', 'nps_confidence_interval_record';
COMMENT ON FUNCTION nps_confidence_interval(nps_summary, double precision, text) IS
    'Confidence interval of the NPS in points, as the named composite nps_interval (low, high)';

CREATE FUNCTION nps_compare(a nps_summary, b nps_summary, confidence double precision DEFAULT 0.95,
                            method text DEFAULT 'adjusted_wald')
    RETURNS nps_comparison
    IMMUTABLE STRICT PARALLEL SAFE LANGUAGE c AS 'MODULE_PATHNAME', 'nps_compare_record';
COMMENT ON FUNCTION nps_compare(nps_summary, nps_summary, double precision, text) IS
    'nps_test as the named composite nps_comparison (difference, z, p_value, ci_low, ci_high), in numeric';
"#,
    name = "nps_significance",
    requires = [
        "nps_summary_type",
        "nps_interval_type",
        "nps_comparison_type"
    ]
);
