//! `nps_summary` <-> `jsonb` casts and `nps_report`, the JSON face of summaries for web
//! dashboards, PostgREST and BI tools. The JSON form is `json.rs`, the report `report.rs`.
//!
//! Both casts are explicit (`s::jsonb`, `doc::nps_summary`), like hstore's and PostGIS's: the
//! JSON form is a different representation with rules of its own, and a conversion that can
//! fail should be visible where it is written. Assignment casts would add nothing a reader of
//! an INSERT could see.

use crate::json;
use crate::report;
use crate::summary::NpsSummary;
use pgrx::callconv::{Arg, ArgAbi};
use pgrx::nullable::Nullable;
use pgrx::prelude::*;
use pgrx::{FromDatum, JsonB, PgSqlErrorCode};
use std::ffi::CStr;

/// A jsonb argument as the text `jsonb_out` prints. (pgrx's `JsonB` would panic on numbers
/// that serde_json cannot hold, such as 1e400; here they are a class-22 error like any other.)
struct JsonbText(String);

pgrx::impl_sql_translatable!(JsonbText, "jsonb");

impl FromDatum for JsonbText {
    unsafe fn from_polymorphic_datum(
        datum: pg_sys::Datum,
        is_null: bool,
        _: pg_sys::Oid,
    ) -> Option<Self> {
        if is_null {
            return None;
        }
        unsafe {
            let text = pgrx::direct_function_call::<&CStr>(pg_sys::jsonb_out, &[Some(datum)])
                .expect("jsonb_out returns text");
            Some(JsonbText(text.to_string_lossy().into_owned()))
        }
    }
}

unsafe impl<'fcx> ArgAbi<'fcx> for JsonbText {
    unsafe fn unbox_arg_unchecked(arg: Arg<'_, 'fcx>) -> Self {
        let index = arg.index();
        unsafe { arg.unbox_arg_using_from_datum() }
            .unwrap_or_else(|| panic!("argument {index} must not be null"))
    }

    unsafe fn unbox_nullable_arg(arg: Arg<'_, 'fcx>) -> Nullable<Self> {
        unsafe { arg.unbox_arg_using_from_datum().into() }
    }
}

/// The JSON form of a summary: {"counts": {"0": c0, ..., "10": c10}} and, when weighted,
/// "weights" (11 sums) and "squares".
#[pg_extern(immutable, strict, parallel_safe)]
fn nps_summary_to_jsonb(summary: NpsSummary) -> JsonB {
    JsonB(json::to_json(&summary.0))
}

/// A summary from its JSON form; anything else is an error naming the field and the rule.
#[pg_extern(immutable, strict, parallel_safe)]
fn nps_summary_from_jsonb(doc: JsonbText) -> NpsSummary {
    match json::parse_json(&doc.0) {
        Ok(summary) => NpsSummary(summary),
        Err(e) => {
            ereport!(
                ERROR,
                PgSqlErrorCode::ERRCODE_INVALID_TEXT_REPRESENTATION,
                format!("invalid nps_summary JSON: {e}"),
                "The JSON form is {\"counts\": {\"0\": count, ..., \"10\": count}}, plus \"weights\" and \"squares\" when weighted."
            );
        }
    }
}

/// Everything a dashboard shows about a summary, as one jsonb object: nps, responses,
/// promoters, passives, detractors, shares, stderr, margin, interval, weighted,
/// effective_responses.
#[pg_extern(immutable, strict, parallel_safe)]
fn nps_report(
    summary: NpsSummary,
    confidence: default!(f64, 0.95),
    method: default!(&str, "'adjusted_wald'"),
) -> JsonB {
    match report::report(&summary.0, confidence, method) {
        Ok(value) => JsonB(value),
        Err(e) => {
            let code = match e {
                report::ReportError::Parameter(_) => {
                    PgSqlErrorCode::ERRCODE_INVALID_PARAMETER_VALUE
                }
                report::ReportError::TooManyResponses => {
                    PgSqlErrorCode::ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE
                }
            };
            ereport!(ERROR, code, e.to_string());
        }
    }
}

extension_sql!(
    r#"
CREATE CAST (nps_summary AS jsonb) WITH FUNCTION nps_summary_to_jsonb(nps_summary);
CREATE CAST (jsonb AS nps_summary) WITH FUNCTION nps_summary_from_jsonb(jsonb);
COMMENT ON FUNCTION nps_report(nps_summary, double precision, text) IS
    'The NPS, counts, shares, margin and confidence interval of a summary as one jsonb object';
"#,
    name = "nps_summary_jsonb_casts",
    requires = [nps_summary_to_jsonb, nps_summary_from_jsonb, nps_report]
);
