//! Named composite types that figures come back in: a driver reads their fields by name
//! (psycopg and asyncpg resolve named composites; an anonymous `record` arrives as text), and
//! postgres_fdw can ship a whole call to a shard. New functions return these beside 0.2.0's
//! functions with OUT parameters, whose return type views already depend on.

use pgrx::prelude::*;

extension_sql!(
    r#"
CREATE TYPE nps_interval AS (low numeric, high numeric);
COMMENT ON TYPE nps_interval IS 'An interval of NPS points: its low and high ends';
"#,
    name = "nps_interval_type"
);

extension_sql!(
    r#"
CREATE TYPE nps_comparison AS (difference numeric, z numeric, p_value numeric, ci_low numeric, ci_high numeric);
COMMENT ON TYPE nps_comparison IS 'Two summaries compared (nps_compare): difference a - b in points, z, two-sided p-value, interval of the difference';
"#,
    name = "nps_comparison_type"
);
