//! `nps_adjust_p(p_value, method)`: a window function giving each row's p-value adjusted within
//! its window partition (the family is the partition; the frame does not matter). The
//! arithmetic is in `multiple.rs`.
//!
//! pgrx 0.18.1 has no bindings for PostgreSQL's window function API (windowapi.h), so the few
//! calls needed are declared here (the same C signatures in PostgreSQL 14 to 18), each
//! called through pgrx's FFI guard.
//! The first row of a partition reads every p-value of the partition, adjusts them once and
//! keeps the results in the partition's local memory; each row then reads its own.

use crate::encoding::shorten;
use crate::multiple::{self, Adjustment};
use crate::significance::checked;
use pgrx::pg_sys;
use pgrx::prelude::*;
use pgrx::PgSqlErrorCode;
use std::ffi::{c_int, c_void};

/// nodeWindowAgg.c's private WindowObjectData, seen only through pointers.
#[repr(C)]
pub struct WindowObjectData {
    _private: [u8; 0],
}
type WindowObject = *mut WindowObjectData;

/// windowapi.h: seek from the partition's first row.
const WINDOW_SEEK_HEAD: c_int = 1;

mod raw {
    use super::*;
    unsafe extern "C-unwind" {
        pub fn WinGetPartitionLocalMemory(winobj: WindowObject, sz: usize) -> *mut c_void;
        pub fn WinGetCurrentPosition(winobj: WindowObject) -> i64;
        pub fn WinGetPartitionRowCount(winobj: WindowObject) -> i64;
        pub fn WinSetMarkPosition(winobj: WindowObject, markpos: i64);
        pub fn WinGetFuncArgInPartition(
            winobj: WindowObject,
            argno: c_int,
            relpos: c_int,
            seektype: c_int,
            set_mark: bool,
            isnull: *mut bool,
            isout: *mut bool,
        ) -> pg_sys::Datum;
    }
}

// Each call goes through pgrx's guard, which turns an ERROR raised inside (out of memory, a
// failing argument expression) into a Rust panic that unwinds to our V1 function's guard.
use pg_sys::ffi::pg_guard_ffi_boundary as guarded;

#[allow(non_snake_case)] // the C names
unsafe fn WinGetPartitionLocalMemory(winobj: WindowObject, sz: usize) -> *mut c_void {
    unsafe { guarded(|| raw::WinGetPartitionLocalMemory(winobj, sz)) }
}
#[allow(non_snake_case)] // the C names
unsafe fn WinGetCurrentPosition(winobj: WindowObject) -> i64 {
    unsafe { guarded(|| raw::WinGetCurrentPosition(winobj)) }
}
#[allow(non_snake_case)] // the C names
unsafe fn WinGetPartitionRowCount(winobj: WindowObject) -> i64 {
    unsafe { guarded(|| raw::WinGetPartitionRowCount(winobj)) }
}
#[allow(non_snake_case)] // the C names
unsafe fn WinSetMarkPosition(winobj: WindowObject, markpos: i64) {
    unsafe { guarded(|| raw::WinSetMarkPosition(winobj, markpos)) }
}
#[allow(non_snake_case, clippy::too_many_arguments)]
unsafe fn WinGetFuncArgInPartition(
    winobj: WindowObject,
    argno: c_int,
    relpos: c_int,
    seektype: c_int,
    set_mark: bool,
    isnull: *mut bool,
    isout: *mut bool,
) -> pg_sys::Datum {
    unsafe {
        guarded(|| {
            raw::WinGetFuncArgInPartition(winobj, argno, relpos, seektype, set_mark, isnull, isout)
        })
    }
}

/// Argument `argno` of row `row` of the partition; `None` for NULL.
unsafe fn argument(winobj: WindowObject, argno: c_int, row: c_int) -> Option<pg_sys::Datum> {
    let (mut isnull, mut isout) = (false, false);
    let datum = unsafe {
        WinGetFuncArgInPartition(
            winobj,
            argno,
            row,
            WINDOW_SEEK_HEAD,
            false,
            &mut isnull,
            &mut isout,
        )
    };
    (!isnull && !isout).then_some(datum)
}

/// The method's name in row `row` (a text argument), copied: the next row read reuses the
/// slot it points into. NULL is an error.
unsafe fn method_at(winobj: WindowObject, row: c_int) -> Vec<u8> {
    match unsafe { argument(winobj, 1, row) } {
        Some(datum) => unsafe { crate::varlena::bytes_of(datum) }.to_vec(),
        None => {
            ereport!(
                ERROR,
                PgSqlErrorCode::ERRCODE_NULL_VALUE_NOT_ALLOWED,
                "the p-value adjustment method must not be NULL: use 'bonferroni', 'holm', 'bh' or 'by'"
            );
        }
    }
}

/// Read the partition's `rows` p-values, adjust them, and write each row's result into
/// `results` (NaN for a NULL p-value: NaN never comes in, so it marks "no value").
unsafe fn adjust_partition(
    fcinfo: pg_sys::FunctionCallInfo,
    winobj: WindowObject,
    rows: c_int,
    results: &mut [f64],
) {
    unsafe {
        let name = method_at(winobj, 0);
        // a constant method (the usual case) cannot vary: no need to look at every row
        let constant = pg_sys::get_fn_expr_arg_stable((*fcinfo).flinfo, 1);
        let method = checked(Adjustment::parse(&String::from_utf8_lossy(&name)));
        let mut family = Vec::with_capacity(rows as usize);
        let mut at = Vec::with_capacity(rows as usize);
        for row in 0..rows {
            if !constant && row > 0 {
                let other = method_at(winobj, row);
                if other != name {
                    ereport!(
                        ERROR,
                        PgSqlErrorCode::ERRCODE_INVALID_PARAMETER_VALUE,
                        format!(
                        "the p-value adjustment method varies within the partition: \"{}\" and \"{}\"",
                        shorten(&String::from_utf8_lossy(&name)),
                        shorten(&String::from_utf8_lossy(&other))
                    )
                    );
                }
            }
            results[row as usize] = f64::NAN;
            if let Some(datum) = argument(winobj, 0, row) {
                let p = f64::from_datum(datum, false).expect("a float8");
                family.push(checked(multiple::check_p(p)));
                at.push(row as usize);
            }
        }
        for (value, row) in multiple::adjust(&family, method).into_iter().zip(at) {
            results[row] = value;
        }
    }
}

/// The window function: this row's adjusted p-value.
unsafe fn nps_adjust_p(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    unsafe {
        let winobj = (*fcinfo).context as WindowObject;
        if winobj.is_null()
            || (*(winobj as *mut pg_sys::Node)).type_ != pg_sys::NodeTag::T_WindowObjectData
        {
            error!("nps_adjust_p must be called as a window function");
        }
        let total = WinGetPartitionRowCount(winobj);
        // the results (and a flag) must fit one allocation of at most 1 GB (MaxAllocSize)
        const MAX_FAMILY: i64 = (0x3fff_ffff - 8) / 8;
        if total > MAX_FAMILY {
            ereport!(
                ERROR,
                PgSqlErrorCode::ERRCODE_PROGRAM_LIMIT_EXCEEDED,
                format!("nps_adjust_p: a partition of {total} rows is too large: one family has at most {MAX_FAMILY} rows")
            );
        }
        let rows = total as c_int;
        let size = (rows as usize + 1) * std::mem::size_of::<f64>();
        // zeroed on the partition's first call, kept until its last: a "done" flag, then results
        let memory = WinGetPartitionLocalMemory(winobj, size).cast::<f64>();
        let results = std::slice::from_raw_parts_mut(memory.add(1), rows as usize);
        if *memory == 0.0 {
            adjust_partition(fcinfo, winobj, rows, results);
            *memory = 1.0;
        }
        let current = WinGetCurrentPosition(winobj);
        // rows before this one are not read again: the tuplestore may let them go
        WinSetMarkPosition(winobj, current);
        let value = results[current as usize];
        if value.is_nan() {
            crate::v1::return_null(fcinfo)
        } else {
            value.into_datum().expect("a float8 Datum")
        }
    }
}
v1_function!(
    nps_adjust_p_window,
    pg_finfo_nps_adjust_p_window,
    nps_adjust_p
);

extension_sql!(
    r#"
CREATE FUNCTION nps_adjust_p(p_value double precision, method text DEFAULT 'holm')
    RETURNS double precision
    WINDOW IMMUTABLE PARALLEL SAFE LANGUAGE c AS 'MODULE_PATHNAME', 'nps_adjust_p_window';
COMMENT ON FUNCTION nps_adjust_p(double precision, text) IS
    'Window function: the p-value adjusted within its partition (bonferroni, holm, bh, by as R''s p.adjust); NULLs are not in the family';
"#,
    name = "nps_adjust_p"
);
