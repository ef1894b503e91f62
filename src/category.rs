//! The `nps_category` enum type and the classifier `nps_category(score)`.

use crate::score::{Answer, ScoreDatum, ScoreInput};
use pgrx::prelude::*;
use pgrx::AnyNumeric;
use std::ffi::CString;

/// Where an answer falls, in the enum's sort order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Category {
    Detractor = 0,
    Passive = 1,
    Promoter = 2,
}

impl Category {
    /// The enum labels, indexed by `Category as usize`.
    pub const LABELS: [&'static str; 3] = ["detractor", "passive", "promoter"];

    /// 0..=6 detract, 7..=8 are passive, 9..=10 promote.
    pub fn of(answer: Answer) -> Category {
        match answer.index() {
            0..=6 => Category::Detractor,
            7 | 8 => Category::Passive,
            _ => Category::Promoter,
        }
    }
}

extension_sql!(
    r#"
CREATE TYPE nps_category AS ENUM ('detractor', 'passive', 'promoter');
COMMENT ON TYPE nps_category IS 'NPS category of an answer: detractor (0-6) < passive (7-8) < promoter (9-10)';

CREATE FUNCTION nps_category(score smallint) RETURNS nps_category
    IMMUTABLE STRICT PARALLEL SAFE LANGUAGE c AS 'MODULE_PATHNAME', 'nps_category_int2_wrapper';
CREATE FUNCTION nps_category(score integer) RETURNS nps_category
    IMMUTABLE STRICT PARALLEL SAFE LANGUAGE c AS 'MODULE_PATHNAME', 'nps_category_int4_wrapper';
CREATE FUNCTION nps_category(score bigint) RETURNS nps_category
    IMMUTABLE STRICT PARALLEL SAFE LANGUAGE c AS 'MODULE_PATHNAME', 'nps_category_int8_wrapper';
CREATE FUNCTION nps_category(score numeric) RETURNS nps_category
    IMMUTABLE STRICT PARALLEL SAFE LANGUAGE c AS 'MODULE_PATHNAME', 'nps_category_numeric_wrapper';
CREATE FUNCTION nps_category(score real) RETURNS nps_category
    IMMUTABLE STRICT PARALLEL SAFE LANGUAGE c AS 'MODULE_PATHNAME', 'nps_category_float4';
CREATE FUNCTION nps_category(score double precision) RETURNS nps_category
    IMMUTABLE STRICT PARALLEL SAFE LANGUAGE c AS 'MODULE_PATHNAME', 'nps_category_float8';
COMMENT ON FUNCTION nps_category(integer) IS 'NPS category of an answer 0..10; other values are an error';
"#,
    name = "nps_category"
);

/// The enum value (a pg_enum row OID) for `category`.
///
/// The three label OIDs are looked up once per call site and kept in `fn_extra`, so a
/// classifier used in a 10-million-row FILTER does no catalog work per row.
unsafe fn category_datum(fcinfo: pg_sys::FunctionCallInfo, category: Category) -> pg_sys::Oid {
    unsafe {
        let flinfo = (*fcinfo).flinfo;
        if (*flinfo).fn_extra.is_null() {
            let enum_type = pg_sys::get_func_rettype((*flinfo).fn_oid);
            let labels = pg_sys::MemoryContextAlloc(
                (*flinfo).fn_mcxt,
                std::mem::size_of::<[pg_sys::Oid; 3]>(),
            ) as *mut [pg_sys::Oid; 3];
            for (slot, label) in (*labels).iter_mut().zip(Category::LABELS) {
                let label = CString::new(label).expect("labels have no NUL");
                *slot = pgrx::direct_function_call::<pg_sys::Oid>(
                    pg_sys::enum_in,
                    &[label.as_c_str().into_datum(), enum_type.into_datum()],
                )
                .expect("enum_in returns a value");
            }
            (*flinfo).fn_extra = labels.cast();
        }
        (*((*flinfo).fn_extra as *const [pg_sys::Oid; 3]))[category as usize]
    }
}

// The SQL for these is written above (they return the enum, which pgrx cannot spell).
#[pg_extern(sql = false)]
fn nps_category_int2(score: i16, fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Oid {
    unsafe { category_datum(fcinfo, Category::of(score.checked_answer())) }
}

#[pg_extern(sql = false)]
fn nps_category_int4(score: i32, fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Oid {
    unsafe { category_datum(fcinfo, Category::of(score.checked_answer())) }
}

#[pg_extern(sql = false)]
fn nps_category_int8(score: i64, fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Oid {
    unsafe { category_datum(fcinfo, Category::of(score.checked_answer())) }
}

/// Answers read straight from the Datum, as the aggregates read them: numeric takes their fast
/// path (see score.rs; under the C symbol 0.1.0's SQL names), and real and double precision
/// (0.3.0) count when whole.
unsafe fn category_of<T: ScoreDatum>(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    unsafe {
        // STRICT: the argument is never NULL
        let score = (*fcinfo).args.as_slice(1)[0].value;
        pg_sys::Datum::from(category_datum(
            fcinfo,
            Category::of(T::checked_answer_of(score)),
        ))
    }
}
v1_function!(
    nps_category_numeric_wrapper,
    pg_finfo_nps_category_numeric_wrapper,
    category_of::<AnyNumeric>
);
v1_function!(
    nps_category_float4,
    pg_finfo_nps_category_float4,
    category_of::<f32>
);
v1_function!(
    nps_category_float8,
    pg_finfo_nps_category_float8,
    category_of::<f64>
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn categories_by_hand() {
        let expected = [
            (0, Category::Detractor),
            (6, Category::Detractor),
            (7, Category::Passive),
            (8, Category::Passive),
            (9, Category::Promoter),
            (10, Category::Promoter),
        ];
        for (v, c) in expected {
            assert_eq!(Category::of(Answer::from_int(v).unwrap()), c, "answer {v}");
        }
        assert!(Category::Detractor < Category::Passive && Category::Passive < Category::Promoter);
    }
}
