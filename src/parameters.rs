//! What drivers send where a summary is expected: JDBC's `setString` is a `varchar`
//! parameter, node-postgres (and JDBC with `stringtype=unspecified`) sends every parameter
//! untyped, psql users write `text` columns and casts.
//!
//! - Typed strings: implicit casts `text -> nps_summary` and `varchar -> nps_summary` (through
//!   the type's input function). PostgreSQL does not chain casts, so each string type needs its
//!   own. They make a string a candidate wherever a summary is a parameter (assignment to a
//!   column, every function, `rollup` over `VALUES` of parameters), and move no call that
//!   resolved before: where a function also takes `text`, that candidate wins, since `text`
//!   is the preferred type of the string category (tests/resolution checks every name).
//! - Untyped parameters: PostgreSQL applies no cast to an `unknown` argument; it prefers a
//!   candidate of the string category. Only `nps` has candidates of several categories
//!   (summaries, and numbers as an aggregate), so `nps($1)` was "not unique": `nps(text)` is
//!   the one overload that decides it. Every other function has a single candidate per arity
//!   and already took an untyped summary. A string category for `nps_summary` itself would do
//!   the same for `nps` but also make `$1 + $2` resolve to the summary merge and turn any type
//!   into a summary on assignment (PostgreSQL's automatic I/O casts to string types).

use crate::summary::{parse_summary_text, NpsSummary};
use pgrx::prelude::*;
use pgrx::AnyNumeric;

/// `nps(text)`: the NPS of a summary given in its text form (an untyped or string parameter).
#[pg_extern(immutable, strict, parallel_safe, name = "nps")]
fn nps_of_text(summary: &str) -> Option<AnyNumeric> {
    crate::summary::nps_of_summary(NpsSummary(parse_summary_text(summary)))
}

extension_sql!(
    r#"
CREATE CAST (text AS nps_summary) WITH INOUT AS IMPLICIT;
CREATE CAST (character varying AS nps_summary) WITH INOUT AS IMPLICIT;
COMMENT ON FUNCTION nps(text) IS 'NPS of a summary in its text form (string and untyped parameters)';
"#,
    name = "nps_string_parameters",
    requires = ["nps_summary_type", nps_of_text]
);
