//! `nps_summary`'s btree operator class in SQL: `<`, `<=`, `>=`, `>` and the comparison
//! support function over the documented order of `order.rs` (with 0.1.0's `=`), so summaries
//! work in ORDER BY, DISTINCT, count(DISTINCT ...), UNIQUE and btree indexes; and the `min` and
//! `max` aggregates.

use crate::order::compare;
use crate::summary::NpsSummary;
use pgrx::prelude::*;
use std::cmp::Ordering;

#[pg_extern(immutable, strict, parallel_safe)]
fn nps_summary_cmp(a: NpsSummary, b: NpsSummary) -> i32 {
    compare(&a.0, &b.0) as i32
}

#[pg_extern(immutable, strict, parallel_safe)]
fn nps_summary_lt(a: NpsSummary, b: NpsSummary) -> bool {
    compare(&a.0, &b.0) == Ordering::Less
}

#[pg_extern(immutable, strict, parallel_safe)]
fn nps_summary_le(a: NpsSummary, b: NpsSummary) -> bool {
    compare(&a.0, &b.0) != Ordering::Greater
}

#[pg_extern(immutable, strict, parallel_safe)]
fn nps_summary_ge(a: NpsSummary, b: NpsSummary) -> bool {
    compare(&a.0, &b.0) != Ordering::Less
}

#[pg_extern(immutable, strict, parallel_safe)]
fn nps_summary_gt(a: NpsSummary, b: NpsSummary) -> bool {
    compare(&a.0, &b.0) == Ordering::Greater
}

/// Transition and combine function of `min(nps_summary)`.
#[pg_extern(immutable, strict, parallel_safe)]
fn nps_summary_smaller(a: NpsSummary, b: NpsSummary) -> NpsSummary {
    if compare(&b.0, &a.0) == Ordering::Less {
        b
    } else {
        a
    }
}

/// Transition and combine function of `max(nps_summary)`.
#[pg_extern(immutable, strict, parallel_safe)]
fn nps_summary_larger(a: NpsSummary, b: NpsSummary) -> NpsSummary {
    if compare(&b.0, &a.0) == Ordering::Greater {
        b
    } else {
        a
    }
}

extension_sql!(
    r#"
CREATE OPERATOR < (LEFTARG = nps_summary, RIGHTARG = nps_summary, FUNCTION = nps_summary_lt,
                   COMMUTATOR = >, NEGATOR = >=, RESTRICT = pg_catalog.scalarltsel, JOIN = pg_catalog.scalarltjoinsel);
CREATE OPERATOR <= (LEFTARG = nps_summary, RIGHTARG = nps_summary, FUNCTION = nps_summary_le,
                    COMMUTATOR = >=, NEGATOR = >, RESTRICT = pg_catalog.scalarlesel, JOIN = pg_catalog.scalarlejoinsel);
CREATE OPERATOR >= (LEFTARG = nps_summary, RIGHTARG = nps_summary, FUNCTION = nps_summary_ge,
                    COMMUTATOR = <=, NEGATOR = <, RESTRICT = pg_catalog.scalargesel, JOIN = pg_catalog.scalargejoinsel);
CREATE OPERATOR > (LEFTARG = nps_summary, RIGHTARG = nps_summary, FUNCTION = nps_summary_gt,
                   COMMUTATOR = <, NEGATOR = <=, RESTRICT = pg_catalog.scalargtsel, JOIN = pg_catalog.scalargtjoinsel);
CREATE OPERATOR CLASS nps_summary_btree_ops DEFAULT FOR TYPE nps_summary USING btree AS
    OPERATOR 1 < (nps_summary, nps_summary),
    OPERATOR 2 <= (nps_summary, nps_summary),
    OPERATOR 3 = (nps_summary, nps_summary),
    OPERATOR 4 >= (nps_summary, nps_summary),
    OPERATOR 5 > (nps_summary, nps_summary),
    FUNCTION 1 nps_summary_cmp(nps_summary, nps_summary);
CREATE AGGREGATE min(nps_summary) (
    SFUNC = nps_summary_smaller, STYPE = nps_summary, COMBINEFUNC = nps_summary_smaller,
    SORTOP = <, PARALLEL = SAFE
);
CREATE AGGREGATE max(nps_summary) (
    SFUNC = nps_summary_larger, STYPE = nps_summary, COMBINEFUNC = nps_summary_larger,
    SORTOP = >, PARALLEL = SAFE
);
COMMENT ON OPERATOR CLASS nps_summary_btree_ops USING btree IS
    'Summaries without an NPS first, then by NPS (unweighted before weighted at equal NPS), responses, the counts of answers 0..10, then weight sums';
"#,
    name = "nps_summary_order",
    requires = [
        "nps_summary_operators",
        nps_summary_cmp,
        nps_summary_lt,
        nps_summary_le,
        nps_summary_ge,
        nps_summary_gt,
        nps_summary_smaller,
        nps_summary_larger
    ]
);
