//! nps_ext: Net Promoter Score analysis inside PostgreSQL.
//!
//! Pure arithmetic, testable without a server, lives in `tally` (per-answer counts), `weights`
//! (a summary's contents), `encoding` (its stored and text forms), `json` (its JSON form),
//! `numeric` (answers read from a numeric's bytes), `stats` (intervals, tests, sample size)
//! and `report` (a summary's figures as one JSON object); the other modules are the thin
//! PostgreSQL layer over them.

#[macro_use]
mod v1;

pub mod acting;
pub mod adjust_p;
pub mod aggregates;
pub mod buckets;
pub mod category;
pub mod encoding;
pub mod json;
pub mod jsonb;
pub mod live_admin;
pub mod live_bucket;
pub mod live_changes;
pub mod live_config;
pub mod live_fold;
pub mod live_keys;
pub mod live_parts;
pub mod live_sql;
pub mod live_trigger;
pub mod multiple;
pub mod numeric;
pub mod order;
pub mod parameters;
pub mod records;
pub mod report;
pub mod score;
pub mod segments;
pub mod shrink;
pub mod shrinkage;
pub mod significance;
pub mod sorting;
pub mod stats;
pub mod summary;
pub mod tally;
pub mod varlena;
pub mod weighted;
pub mod weights;

#[cfg(any(test, feature = "pg_test"))]
mod pg_tests;
#[cfg(any(test, feature = "pg_test"))]
mod pg_tests_drivers;

#[cfg(test)]
mod fuzz;

#[cfg(test)]
mod simulate;

#[cfg(test)]
mod coverage;

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
