//! Plain PostgreSQL V1 functions for the per-row hot paths.
//!
//! `#[pg_extern]` converts each argument and the result through pgrx's calling-convention
//! layer; measured on a 1M-row `nps(score)`, that cost more than the counting itself
//! (nps/count 1.66 instead of 1.07). Functions called once per row are therefore declared with
//! `v1_function!`, which reads `fcinfo` directly and keeps pgrx's panic/error guard.

/// `v1_function!(name, pg_finfo_name, body)` declares the C symbol `name`, calling
/// `body: unsafe fn(FunctionCallInfo) -> Datum`, and its `pg_finfo_name` record; its SQL is
/// written by hand with `AS 'MODULE_PATHNAME', 'name'`.
macro_rules! v1_function {
    ($name:ident, $finfo:ident, $body:expr) => {
        #[unsafe(no_mangle)]
        #[doc(hidden)]
        pub extern "C" fn $finfo() -> &'static pgrx::pg_sys::Pg_finfo_record {
            const V1_API: pgrx::pg_sys::Pg_finfo_record =
                pgrx::pg_sys::Pg_finfo_record { api_version: 1 };
            &V1_API
        }

        /// # Safety
        /// Called by PostgreSQL, with the `fcinfo` of a call of the SQL function declared for it.
        #[pgrx::pg_guard]
        #[unsafe(no_mangle)]
        pub unsafe extern "C-unwind" fn $name(
            fcinfo: pgrx::pg_sys::FunctionCallInfo,
        ) -> pgrx::pg_sys::Datum {
            unsafe { ($body)(fcinfo) }
        }
    };
}

/// Return SQL NULL from a V1 function.
///
/// # Safety
/// `fcinfo` must be the current call's.
pub unsafe fn return_null(fcinfo: pgrx::pg_sys::FunctionCallInfo) -> pgrx::pg_sys::Datum {
    unsafe { (*fcinfo).isnull = true };
    pgrx::pg_sys::Datum::from(0)
}
