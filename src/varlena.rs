//! The bytes of a variable-length value (a numeric, an nps_summary), read where it lies.

use pgrx::pg_sys;

/// The bytes of the varlena `datum` after its header (1 byte on disk, 4 in memory), in place:
/// only a compressed or out-of-line (TOASTed) value is detoasted, i.e. copied, first.
///
/// This is the test `pg_detoast_datum_packed` makes, done here because pgrx guards every call
/// into PostgreSQL with a setjmp, which per row cost more than reading a small numeric (perf:
/// about 10% of `nps(numeric)`).
///
/// # Safety
/// `datum` must be a non-NULL varlena; the slice is valid as long as the datum is.
#[inline(always)]
pub unsafe fn bytes_of<'a>(datum: pg_sys::Datum) -> &'a [u8] {
    unsafe {
        let mut varlena = datum.cast_mut_ptr::<pg_sys::varlena>();
        if pgrx::varatt_is_1b_e(varlena) || pgrx::varatt_is_4b_c(varlena) {
            varlena = pg_sys::pg_detoast_datum_packed(varlena);
        }
        std::slice::from_raw_parts(
            pgrx::vardata_any(varlena) as *const u8,
            pgrx::varsize_any_exhdr(varlena),
        )
    }
}
