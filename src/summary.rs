//! The `nps_summary` type: stored per-answer counts you can keep, merge and query later.
//! I/O (text, binary), the `nps_agg`/`rollup` aggregates, operators and accessors.

use crate::aggregates::{nps_numeric, nps_numeric_of_float, state_arg, state_mut};
use crate::encoding::{self, FormatError};
use crate::tally::{Tally, TallyError};
use crate::weights::Summary;
use pgrx::callconv::{Arg, ArgAbi, BoxRet, FcInfo};
use pgrx::datum::Datum;
use pgrx::nullable::Nullable;
use pgrx::prelude::*;
use pgrx::{AnyNumeric, FromDatum, Internal, IntoDatum, PgSqlErrorCode};
use std::ffi::{CStr, CString};

/// A summary as SQL sees it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct NpsSummary(pub Summary);

pgrx::impl_sql_translatable!(NpsSummary, "nps_summary");

fn invalid(e: FormatError, code: PgSqlErrorCode) -> ! {
    ereport!(ERROR, code, format!("invalid nps_summary: {e}"));
}

impl FromDatum for NpsSummary {
    unsafe fn from_polymorphic_datum(
        datum: pg_sys::Datum,
        is_null: bool,
        _: pg_sys::Oid,
    ) -> Option<Self> {
        if is_null {
            return None;
        }
        unsafe {
            let bytes = crate::varlena::bytes_of(datum);
            // stored values: the structural checks of every release, so whatever 0.1.0 stored reads
            // back identical; the consistency rules apply where values come in (text, receive)
            match encoding::decode(bytes) {
                Ok(tally) => Some(NpsSummary(tally)),
                Err(e) => invalid(e, PgSqlErrorCode::ERRCODE_DATA_CORRUPTED),
            }
        }
    }
}

impl IntoDatum for NpsSummary {
    fn into_datum(self) -> Option<pg_sys::Datum> {
        let bytes = encoding::encode(&self.0);
        Some(pg_sys::Datum::from(
            pgrx::rust_byte_slice_to_bytea(&bytes).into_pg(),
        ))
    }

    /// The type in the extension's own schema, whatever the caller's search_path (pgrx needs
    /// it for arrays and SPI arguments of this type; no hot path asks).
    fn type_oid() -> pg_sys::Oid {
        Spi::get_one::<pg_sys::Oid>(
            "SELECT t.oid FROM pg_catalog.pg_type t
             JOIN pg_catalog.pg_extension e ON e.extnamespace = t.typnamespace
             WHERE e.extname = 'nps_ext' AND t.typname = 'nps_summary'",
        )
        .ok()
        .flatten()
        .unwrap_or_else(|| error!("type nps_summary of extension nps_ext not found"))
    }
}

unsafe impl<'fcx> ArgAbi<'fcx> for NpsSummary {
    unsafe fn unbox_arg_unchecked(arg: Arg<'_, 'fcx>) -> Self {
        let index = arg.index();
        unsafe { arg.unbox_arg_using_from_datum() }
            .unwrap_or_else(|| panic!("argument {index} must not be null"))
    }

    unsafe fn unbox_nullable_arg(arg: Arg<'_, 'fcx>) -> Nullable<Self> {
        unsafe { arg.unbox_arg_using_from_datum().into() }
    }
}

unsafe impl BoxRet for NpsSummary {
    unsafe fn box_into<'fcx>(self, fcinfo: &mut FcInfo<'fcx>) -> Datum<'fcx> {
        match self.into_datum() {
            Some(datum) => unsafe { fcinfo.return_raw_datum(datum) },
            None => fcinfo.return_null(),
        }
    }
}

extension_sql!(
    r#"
CREATE TYPE nps_summary;
CREATE FUNCTION nps_summary_in(cstring) RETURNS nps_summary
    IMMUTABLE STRICT PARALLEL SAFE LANGUAGE c AS 'MODULE_PATHNAME', 'nps_summary_in_wrapper';
CREATE FUNCTION nps_summary_out(nps_summary) RETURNS cstring
    IMMUTABLE STRICT PARALLEL SAFE LANGUAGE c AS 'MODULE_PATHNAME', 'nps_summary_out_wrapper';
CREATE FUNCTION nps_summary_recv(internal) RETURNS nps_summary
    IMMUTABLE STRICT PARALLEL SAFE LANGUAGE c AS 'MODULE_PATHNAME', 'nps_summary_recv_wrapper';
CREATE FUNCTION nps_summary_send(nps_summary) RETURNS bytea
    IMMUTABLE STRICT PARALLEL SAFE LANGUAGE c AS 'MODULE_PATHNAME', 'nps_summary_send_wrapper';
CREATE TYPE nps_summary (
    INPUT = nps_summary_in, OUTPUT = nps_summary_out,
    RECEIVE = nps_summary_recv, SEND = nps_summary_send,
    INTERNALLENGTH = VARIABLE, STORAGE = extended
);
COMMENT ON TYPE nps_summary IS 'NPS answers summarized as counts per answer 0..10; text form v1:c0,...,c10';
"#,
    name = "nps_summary_type",
    bootstrap
);

#[pg_extern(sql = false)]
fn nps_summary_in(input: &CStr) -> NpsSummary {
    let text = input.to_str().unwrap_or_else(|_| {
        invalid(
            FormatError::NotANumber("(not UTF-8)".into()),
            PgSqlErrorCode::ERRCODE_INVALID_TEXT_REPRESENTATION,
        )
    });
    NpsSummary(parse_summary_text(text))
}

/// A summary's text form, or an ERROR (22P02). Text that is a number is an answer given where a
/// summary is expected (since 0.3.0 a text or varchar argument of `nps()` and of every
/// function taking a summary is read as one): the error says so.
pub(crate) fn parse_summary_text(text: &str) -> Summary {
    encoding::parse_text(text).unwrap_or_else(|e| {
        if text.trim().parse::<f64>().is_err() {
            invalid(e, PgSqlErrorCode::ERRCODE_INVALID_TEXT_REPRESENTATION);
        }
        ereport!(
            ERROR,
            PgSqlErrorCode::ERRCODE_INVALID_TEXT_REPRESENTATION,
            format!(
                "invalid nps_summary: \"{}\" is a number, not a summary",
                encoding::shorten(text.trim())
            ),
            "Text given where an nps_summary is expected is read as its text form v1:c0,...,c10 \
             (the counts of answers 0 to 10). Give answers as numbers: nps(score::numeric)."
        );
    })
}

#[pg_extern(sql = false)]
fn nps_summary_out(summary: NpsSummary) -> CString {
    CString::new(encoding::to_text(&summary.0)).expect("the text form has no NUL")
}

#[pg_extern(sql = false)]
fn nps_summary_recv(buf: Internal) -> NpsSummary {
    unsafe {
        let buf = buf
            .unwrap()
            .expect("receive gets a buffer")
            .cast_mut_ptr::<pg_sys::StringInfoData>();
        let start = (*buf).cursor as usize;
        let end = (*buf).len as usize;
        let bytes = std::slice::from_raw_parts(((*buf).data as *const u8).add(start), end - start);
        let decoded = encoding::decode_received(bytes);
        (*buf).cursor = (*buf).len;
        match decoded {
            Ok(tally) => NpsSummary(tally),
            Err(e) => invalid(e, PgSqlErrorCode::ERRCODE_INVALID_BINARY_REPRESENTATION),
        }
    }
}

#[pg_extern(sql = false)]
fn nps_summary_send(summary: NpsSummary) -> Vec<u8> {
    encoding::encode(&summary.0)
}

// ---- operators ----------------------------------------------------------------------------

/// Raise a failed merge or removal as an ERROR (class 22).
pub(crate) fn combine_error(e: TallyError) -> ! {
    if let TallyError::WeightedWithUnweighted { .. } = e {
        pgrx::pg_sys::panic::ErrorReport::new(
            PgSqlErrorCode::ERRCODE_INVALID_PARAMETER_VALUE,
            crate::weights::MIXED_KINDS,
            pgrx::function_name!(),
        )
        .set_detail(crate::weights::MIXED_KINDS_DETAIL)
        .set_hint(crate::weights::MIXED_KINDS_HINT)
        .report(pgrx::PgLogLevel::ERROR);
        unreachable!("an ERROR does not return");
    }
    const PART: &str = "The subtracted summary must be part of the summary it is subtracted from.";
    let (code, message, detail) = match e {
        TallyError::Overflow => (
            PgSqlErrorCode::ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE,
            "nps_summary count out of range for bigint".to_string(),
            "A count cannot exceed 9223372036854775807.",
        ),
        TallyError::RemovesMissing {
            answer,
            have,
            remove,
        } => (
            PgSqlErrorCode::ERRCODE_INVALID_PARAMETER_VALUE,
            format!("cannot remove {remove} of answer {answer}: the summary holds {have}"),
            PART,
        ),
        TallyError::RemovesMissingWeight {
            answer,
            have,
            remove,
        } => (
            PgSqlErrorCode::ERRCODE_INVALID_PARAMETER_VALUE,
            format!("cannot remove weight {remove} of answer {answer}: the summary holds {have}"),
            PART,
        ),
        TallyError::WeightOverflow => (
            PgSqlErrorCode::ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE,
            "nps_summary weight sums out of range for double precision".to_string(),
            "The weights, or their squares, add up to more than 1.7e308.",
        ),
        TallyError::WeightedWithUnweighted { .. } => unreachable!("reported above"),
    };
    ereport!(ERROR, code, message, detail);
}

/// `a + b`: the summary of both sets of answers.
#[pg_extern(immutable, strict, parallel_safe)]
fn nps_summary_merge(a: NpsSummary, b: NpsSummary) -> NpsSummary {
    let mut merged = a.0;
    merged.merge(&b.0).unwrap_or_else(|e| combine_error(e));
    NpsSummary(merged)
}

/// `a - b`: the summary of `a` without the part `b` (e.g. everyone except one segment).
#[pg_extern(immutable, strict, parallel_safe)]
fn nps_summary_subtract(a: NpsSummary, b: NpsSummary) -> NpsSummary {
    let mut rest = a.0;
    rest.subtract(&b.0).unwrap_or_else(|e| combine_error(e));
    NpsSummary(rest)
}

#[pg_extern(immutable, strict, parallel_safe)]
fn nps_summary_eq(a: NpsSummary, b: NpsSummary) -> bool {
    a == b
}

#[pg_extern(immutable, strict, parallel_safe)]
fn nps_summary_ne(a: NpsSummary, b: NpsSummary) -> bool {
    a != b
}

/// Hash of the canonical encoding, so summaries work in GROUP BY, DISTINCT and hash joins.
#[pg_extern(immutable, strict, parallel_safe)]
fn nps_summary_hash(summary: NpsSummary) -> i32 {
    // FNV-1a: stable across platforms and releases, as hash indexes require
    let hash = encoding::encode(&summary.0)
        .iter()
        .fold(0x811c_9dc5_u32, |h, &b| {
            (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
        });
    hash as i32
}

extension_sql!(
    r#"
CREATE OPERATOR + (LEFTARG = nps_summary, RIGHTARG = nps_summary, FUNCTION = nps_summary_merge,
                   COMMUTATOR = +);
CREATE OPERATOR - (LEFTARG = nps_summary, RIGHTARG = nps_summary, FUNCTION = nps_summary_subtract);
CREATE OPERATOR = (LEFTARG = nps_summary, RIGHTARG = nps_summary, FUNCTION = nps_summary_eq,
                   COMMUTATOR = =, NEGATOR = <>, RESTRICT = pg_catalog.eqsel, JOIN = pg_catalog.eqjoinsel, HASHES);
CREATE OPERATOR <> (LEFTARG = nps_summary, RIGHTARG = nps_summary, FUNCTION = nps_summary_ne,
                    COMMUTATOR = <>, NEGATOR = =, RESTRICT = pg_catalog.neqsel, JOIN = pg_catalog.neqjoinsel);
CREATE OPERATOR CLASS nps_summary_hash_ops DEFAULT FOR TYPE nps_summary USING hash AS
    OPERATOR 1 = (nps_summary, nps_summary),
    FUNCTION 1 nps_summary_hash(nps_summary);
"#,
    name = "nps_summary_operators",
    requires = [
        nps_summary_merge,
        nps_summary_subtract,
        nps_summary_eq,
        nps_summary_ne
    ]
);

// ---- accessors ----------------------------------------------------------------------------

/// NPS of the summarized answers, numeric like `nps(score)` with its scale (weighted when
/// the summary is); NULL without responses.
#[pg_extern(immutable, strict, parallel_safe, name = "nps")]
pub(crate) fn nps_of_summary(summary: NpsSummary) -> Option<AnyNumeric> {
    match summary.0.weights {
        None => unsafe { AnyNumeric::from_datum(nps_numeric(&summary.0.tally)?, false) },
        Some(_) => Some(nps_numeric_of_float(summary.0.sample()?.nps())),
    }
}

/// A count as bigint; a sum of counts can exceed it (each count is at most 2^63 - 1).
fn bigint(count: i128, what: &str) -> i64 {
    i64::try_from(count).unwrap_or_else(|_| {
        ereport!(
            ERROR,
            PgSqlErrorCode::ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE,
            format!("number of {what} {count} is out of range for bigint")
        );
    })
}

#[pg_extern(immutable, strict, parallel_safe)]
fn nps_responses(summary: NpsSummary) -> i64 {
    bigint(summary.0.tally.responses(), "responses")
}

#[pg_extern(immutable, strict, parallel_safe)]
fn nps_promoters(summary: NpsSummary) -> i64 {
    bigint(summary.0.tally.promoters(), "promoters")
}

#[pg_extern(immutable, strict, parallel_safe)]
fn nps_passives(summary: NpsSummary) -> i64 {
    bigint(summary.0.tally.passives(), "passives")
}

#[pg_extern(immutable, strict, parallel_safe)]
fn nps_detractors(summary: NpsSummary) -> i64 {
    bigint(summary.0.tally.detractors(), "detractors")
}

/// The 11 counts; element 1 is answer 0 (SQL arrays start at 1).
#[pg_extern(immutable, strict, parallel_safe)]
fn nps_histogram(summary: NpsSummary) -> Vec<i64> {
    summary.0.tally.counts().to_vec()
}

/// One block per answer 0..10, height by count relative to the most frequent answer.
#[pg_extern(immutable, strict, parallel_safe)]
fn nps_sparkline(summary: NpsSummary) -> String {
    crate::tally::sparkline(summary.0.tally.counts())
}

// ---- aggregates ----------------------------------------------------------------------------

/// Final function of the unweighted `nps_agg`: its tally as a summary (NULL when no row came).
#[pg_extern(immutable, parallel_safe)]
fn nps_agg_final(state: Internal) -> Option<NpsSummary> {
    unsafe { state.get::<Tally>() }.map(|t| NpsSummary(Summary::unweighted(*t)))
}

// `rollup` and the weighted aggregates keep a whole `Summary` (counts and weight sums).

/// Final function over a `Summary` state.
#[pg_extern(immutable, parallel_safe)]
fn nps_summary_final(state: Internal) -> Option<NpsSummary> {
    unsafe { state.get::<Summary>() }.map(|s| NpsSummary(*s))
}

#[pg_extern(immutable, parallel_safe)]
fn nps_summary_combine(
    mut state: Internal,
    other: Internal,
    fcinfo: pg_sys::FunctionCallInfo,
) -> Internal {
    if let Some(other) = unsafe { other.get::<Summary>() } {
        let summary = unsafe { state_mut::<Summary>(&mut state, fcinfo) };
        summary.merge(other).unwrap_or_else(|e| combine_error(e));
    }
    state
}

#[pg_extern(immutable, parallel_safe, strict)]
fn nps_summary_serialize(state: Internal) -> Vec<u8> {
    encoding::encode(
        &unsafe { state.get::<Summary>() }
            .copied()
            .unwrap_or_default(),
    )
}

#[pg_extern(immutable, parallel_safe, strict)]
fn nps_summary_deserialize(
    bytes: &[u8],
    _unused: Internal,
    fcinfo: pg_sys::FunctionCallInfo,
) -> Internal {
    let decoded = encoding::decode_received(bytes)
        .unwrap_or_else(|e| invalid(e, PgSqlErrorCode::ERRCODE_INVALID_BINARY_REPRESENTATION));
    let mut state = Internal::default();
    *unsafe { state_mut::<Summary>(&mut state, fcinfo) } = decoded;
    state
}

/// rollup's transition, per row: merge one stored summary into the state (created on the first
/// row); NULL summaries are skipped. A plain V1 function (see `v1.rs`): the summary is decoded
/// on the stack and merged into the state in place.
///
/// # Safety
/// `fcinfo` must be an aggregate call with (internal, nps_summary) arguments.
unsafe fn rollup_trans(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    unsafe {
        let args = (*fcinfo).args.as_slice(2);
        let merged = state_arg::<Summary>(fcinfo);
        if let Some(summary) = NpsSummary::from_datum(args[1].value, args[1].isnull) {
            (*merged)
                .merge(&summary.0)
                .unwrap_or_else(|e| combine_error(e));
        }
        pg_sys::Datum::from(merged)
    }
}

/// rollup's inverse: take a summary that leaves the window frame back out. Counts subtract
/// exactly; float weight sums would drift, so with weights it returns NULL and PostgreSQL
/// recomputes the frame.
///
/// # Safety
/// As for [`rollup_trans`].
unsafe fn rollup_inverse(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    unsafe {
        let args = (*fcinfo).args.as_slice(2);
        let merged = state_arg::<Summary>(fcinfo);
        if let Some(summary) = NpsSummary::from_datum(args[1].value, args[1].isnull) {
            if (*merged).weights.is_some() || summary.0.weights.is_some() {
                return crate::v1::return_null(fcinfo);
            }
            (*merged)
                .subtract(&summary.0)
                .unwrap_or_else(|e| combine_error(e));
        }
        pg_sys::Datum::from(merged)
    }
}

// The C symbols pgrx generated for these in 0.1.0, which that release's SQL names.
v1_function!(
    nps_rollup_trans_wrapper,
    pg_finfo_nps_rollup_trans_wrapper,
    rollup_trans
);
v1_function!(
    nps_rollup_inverse_wrapper,
    pg_finfo_nps_rollup_inverse_wrapper,
    rollup_inverse
);

// nps_agg(type) is created with the other per-type aggregates in aggregates.rs.
extension_sql!(
    r#"
CREATE FUNCTION nps_rollup_trans(state internal, summary nps_summary) RETURNS internal
    IMMUTABLE PARALLEL SAFE LANGUAGE c AS 'MODULE_PATHNAME', 'nps_rollup_trans_wrapper';
CREATE FUNCTION nps_rollup_inverse(state internal, summary nps_summary) RETURNS internal
    IMMUTABLE PARALLEL SAFE LANGUAGE c AS 'MODULE_PATHNAME', 'nps_rollup_inverse_wrapper';
CREATE AGGREGATE rollup(nps_summary) (
    SFUNC = nps_rollup_trans, STYPE = internal, SSPACE = 192, FINALFUNC = nps_summary_final,
    COMBINEFUNC = nps_summary_combine, SERIALFUNC = nps_summary_serialize,
    DESERIALFUNC = nps_summary_deserialize,
    MSFUNC = nps_rollup_trans, MINVFUNC = nps_rollup_inverse, MSTYPE = internal, MSSPACE = 192,
    MFINALFUNC = nps_summary_final, PARALLEL = SAFE
);
COMMENT ON AGGREGATE rollup(nps_summary) IS 'Merge nps_summary values into one';
"#,
    name = "nps_summary_aggregates",
    requires = [
        "nps_summary_type",
        nps_summary_final,
        nps_summary_combine,
        nps_summary_serialize,
        nps_summary_deserialize
    ]
);
