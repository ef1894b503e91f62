//! nps_ext: Net Promoter Score analysis inside PostgreSQL.
//!
//! Pure arithmetic lives in `tally` (and later `stats`); the other modules are the thin
//! PostgreSQL layer over it.

#[macro_use]
mod v1;

pub mod aggregates;
pub mod category;
pub mod encoding;
pub mod score;
pub mod segments;
pub mod significance;
pub mod stats;
pub mod summary;
pub mod tally;
pub mod weighted;
pub mod weights;

#[cfg(any(test, feature = "pg_test"))]
mod pg_tests;

::pgrx::pg_module_magic!(name, version);

/// Required by `cargo pgrx test`.
#[cfg(test)]
pub mod pg_test {
    pub fn setup(_options: Vec<&str>) {}

    #[must_use]
    pub fn postgresql_conf_options() -> Vec<&'static str> {
        vec![]
    }
}
