-- nps_ext 0.2.0 -> 0.3.0, written by hand and reviewed like code. Run by
-- ALTER EXTENSION nps_ext UPDATE; tests/upgrade/upgrade.sh checks that the result equals a fresh
-- 0.3.0 install object for object, and that every stored nps_summary reads back identical.
--
-- Everything here runs with search_path = pg_catalog, @extschema@, pg_temp; what a hostile
-- schema could shadow is qualified.
\echo Use "ALTER EXTENSION nps_ext UPDATE TO '0.3.0'" to load this file. \quit

-- ==== shared by issues 18 and 19: named composite results ====
CREATE TYPE @extschema@.nps_interval AS (low numeric, high numeric);
COMMENT ON TYPE @extschema@.nps_interval IS 'An interval of NPS points: its low and high ends';

-- ==== issue 17: live summaries in production ====

-- ==== issue 18: every BI tool and driver ====

-- ==== issue 19: honest numbers for many small segments ====
-- Many segments at once: p-value adjustment within a window partition, shrinkage toward the
-- population (the empirical Bayes prior strength as an aggregate), and the smallest change a
-- comparison can detect. New figures are numeric; nps_adjust_p's p-value is double precision
-- like nps_test's.
CREATE FUNCTION @extschema@.nps_adjust_p(p_value double precision, method text DEFAULT 'holm')
    RETURNS double precision
    WINDOW IMMUTABLE PARALLEL SAFE LANGUAGE c AS 'MODULE_PATHNAME', 'nps_adjust_p_window';
COMMENT ON FUNCTION @extschema@.nps_adjust_p(double precision, text) IS
    'Window function: the p-value adjusted within its partition (bonferroni, holm, bh, by as R''s p.adjust); NULLs are not in the family';

CREATE FUNCTION @extschema@.nps_shrink(segment @extschema@.nps_summary, population @extschema@.nps_summary,
                                       strength double precision) RETURNS numeric
    IMMUTABLE STRICT PARALLEL SAFE LANGUAGE c AS 'MODULE_PATHNAME', 'nps_shrink_wrapper';
CREATE FUNCTION @extschema@.nps_shrink_interval(segment @extschema@.nps_summary, population @extschema@.nps_summary,
                                                strength double precision,
                                                confidence double precision DEFAULT 0.95)
    RETURNS @extschema@.nps_interval
    IMMUTABLE STRICT PARALLEL SAFE LANGUAGE c AS 'MODULE_PATHNAME', 'nps_shrink_interval_record';
COMMENT ON FUNCTION @extschema@.nps_shrink_interval(@extschema@.nps_summary, @extschema@.nps_summary, double precision, double precision) IS
    'Interval of the shrunk NPS: the Dirichlet posterior''s normal approximation, in points';

CREATE FUNCTION @extschema@.nps_prior_strength_trans(state internal, segment @extschema@.nps_summary) RETURNS internal
    IMMUTABLE PARALLEL SAFE LANGUAGE c AS 'MODULE_PATHNAME', 'nps_prior_strength_trans';
CREATE FUNCTION @extschema@.nps_prior_strength_combine(state internal, other internal) RETURNS internal
    IMMUTABLE PARALLEL SAFE LANGUAGE c AS 'MODULE_PATHNAME', 'nps_prior_strength_combine';
CREATE FUNCTION @extschema@.nps_prior_strength_serialize(state internal) RETURNS bytea
    IMMUTABLE STRICT PARALLEL SAFE LANGUAGE c AS 'MODULE_PATHNAME', 'nps_prior_strength_serialize_wrapper';
CREATE FUNCTION @extschema@.nps_prior_strength_deserialize(bytes bytea, _unused internal) RETURNS internal
    IMMUTABLE STRICT PARALLEL SAFE LANGUAGE c AS 'MODULE_PATHNAME', 'nps_prior_strength_deserialize_wrapper';
CREATE FUNCTION @extschema@.nps_prior_strength_final(state internal) RETURNS double precision
    IMMUTABLE PARALLEL SAFE LANGUAGE c AS 'MODULE_PATHNAME', 'nps_prior_strength_final_wrapper';
CREATE AGGREGATE @extschema@.nps_prior_strength(@extschema@.nps_summary) (
    SFUNC = @extschema@.nps_prior_strength_trans, STYPE = internal, SSPACE = 48,
    FINALFUNC = @extschema@.nps_prior_strength_final, COMBINEFUNC = @extschema@.nps_prior_strength_combine,
    SERIALFUNC = @extschema@.nps_prior_strength_serialize,
    DESERIALFUNC = @extschema@.nps_prior_strength_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.nps_prior_strength(@extschema@.nps_summary) IS
    'Empirical Bayes prior strength k for nps_shrink: how much segments vary beyond sampling';

CREATE FUNCTION @extschema@.nps_detectable_change(responses_a bigint, responses_b bigint,
                                                  promoters double precision DEFAULT NULL,
                                                  detractors double precision DEFAULT NULL,
                                                  confidence double precision DEFAULT 0.95,
                                                  power double precision DEFAULT 0.8) RETURNS numeric
    IMMUTABLE PARALLEL SAFE LANGUAGE c AS 'MODULE_PATHNAME', 'nps_detectable_change_wrapper';
