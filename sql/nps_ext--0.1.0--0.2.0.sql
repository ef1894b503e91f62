-- nps_ext 0.1.0 -> 0.2.0, written by hand and reviewed like code. Run by
-- ALTER EXTENSION nps_ext UPDATE; tests/upgrade.sh checks that the result equals a fresh 0.2.0
-- install object for object, and that every stored nps_summary reads back identical.
--
-- Everything here runs with search_path = pg_catalog, @extschema@, pg_temp; what a hostile
-- schema could shadow is qualified.
\echo Use "ALTER EXTENSION nps_ext UPDATE TO '0.2.0'" to load this file. \quit

-- nps_ci and nps_test called nps_ci_low, nps_ci_high and nps_test_values through the caller's
-- search_path (broken by pg_restore, postgres_fdw, PostgreSQL 17's maintenance search_path,
-- installing into another schema, and open to hijacking). As BEGIN ATOMIC bodies the calls are
-- bound when the function is created. CREATE OR REPLACE keeps the functions' OIDs, so views,
-- materialized views and indexes that use them keep working.
CREATE OR REPLACE FUNCTION @extschema@.nps_ci(summary @extschema@.nps_summary,
                       confidence double precision DEFAULT 0.95,
                       method text DEFAULT 'adjusted_wald',
                       OUT low double precision, OUT high double precision)
    IMMUTABLE STRICT PARALLEL SAFE LANGUAGE sql
BEGIN ATOMIC
    SELECT @extschema@.nps_ci_low(summary, confidence, method),
           @extschema@.nps_ci_high(summary, confidence, method);
END;

CREATE OR REPLACE FUNCTION @extschema@.nps_test(a @extschema@.nps_summary, b @extschema@.nps_summary,
                         confidence double precision DEFAULT 0.95,
                         method text DEFAULT 'adjusted_wald',
                         OUT difference double precision, OUT z double precision,
                         OUT p_value double precision, OUT ci_low double precision,
                         OUT ci_high double precision)
    IMMUTABLE STRICT PARALLEL SAFE LANGUAGE sql
BEGIN ATOMIC
    SELECT v[1], v[2], v[3], v[4], v[5] FROM @extschema@.nps_test_values(a, b, confidence, method) AS v;
END;

-- ==== issue 12: JSON with serde (nps_summary <-> jsonb casts, nps_report) ====
-- The JSON form of a summary ({"counts": {"0": c0, ..., "10": c10}}, plus "weights" and
-- "squares" when weighted) and one jsonb object with a summary's figures for dashboards.
-- Explicit casts, like hstore's and PostGIS's: a conversion that can fail is written out.
CREATE FUNCTION @extschema@.nps_summary_to_jsonb(summary @extschema@.nps_summary) RETURNS jsonb
    IMMUTABLE STRICT PARALLEL SAFE LANGUAGE c AS 'MODULE_PATHNAME', 'nps_summary_to_jsonb_wrapper';
CREATE FUNCTION @extschema@.nps_summary_from_jsonb(doc jsonb) RETURNS @extschema@.nps_summary
    IMMUTABLE STRICT PARALLEL SAFE LANGUAGE c AS 'MODULE_PATHNAME', 'nps_summary_from_jsonb_wrapper';
CREATE FUNCTION @extschema@.nps_report(summary @extschema@.nps_summary,
                                       confidence double precision DEFAULT 0.95,
                                       method text DEFAULT 'adjusted_wald') RETURNS jsonb
    IMMUTABLE STRICT PARALLEL SAFE LANGUAGE c AS 'MODULE_PATHNAME', 'nps_report_wrapper';
CREATE CAST (@extschema@.nps_summary AS jsonb)
    WITH FUNCTION @extschema@.nps_summary_to_jsonb(@extschema@.nps_summary);
CREATE CAST (jsonb AS @extschema@.nps_summary)
    WITH FUNCTION @extschema@.nps_summary_from_jsonb(jsonb);
COMMENT ON FUNCTION @extschema@.nps_report(@extschema@.nps_summary, double precision, text) IS
    'The NPS, counts, shares, margin and confidence interval of a summary as one jsonb object';

-- ==== issue 11: Every input path as fast as the integer path: numeric answers and weighted NPS ====
-- Nothing to change in the catalog. The weighted transitions nps_weighted_trans_{int2,int4,int8,
-- numeric} and rollup's nps_rollup_trans / nps_rollup_inverse became plain V1 functions; their
-- CREATE FUNCTION is now written by hand in the install script, with the argument names, labels
-- and C symbols (nps_..._wrapper) that 0.1.0 created, so the 0.1.0 objects stay as they are.
-- nps_category(numeric) and the numeric nps/nps_agg transitions keep their SQL and symbols.
