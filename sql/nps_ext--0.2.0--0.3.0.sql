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
-- 0.2.0's live summaries ran PL/pgSQL generated per source with the writer's privileges and
-- updated one row per bucket and segments in place: writers without rights on the live table
-- lost their writes, and writers of the same buckets took turns. Now one C trigger function,
-- shared like PostgreSQL's foreign-key triggers, works as the source's owner, appends one row
-- per statement, and folds those rows into the live data now and then; the live summary is a
-- view that is exact at every moment. Live summaries made on 0.2.0 keep working as they are
-- (their generated functions call nps_agg, +, - and nps_responses, all kept) until their owner
-- calls nps_live_summary() again with the same arguments, which moves each into this design
-- with its data, grants and dependent views (docs/live.md, "From 0.2.0").
CREATE FUNCTION @extschema@.nps_live_bucket("time" date, bucket interval) RETURNS date
    IMMUTABLE STRICT PARALLEL SAFE LANGUAGE c AS 'MODULE_PATHNAME', 'nps_live_bucket_date';
CREATE FUNCTION @extschema@.nps_live_bucket("time" timestamp, bucket interval) RETURNS timestamp
    IMMUTABLE STRICT PARALLEL SAFE LANGUAGE c AS 'MODULE_PATHNAME', 'nps_live_bucket_timestamp';
CREATE FUNCTION @extschema@.nps_live_bucket("time" timestamptz, bucket interval, time_zone text) RETURNS timestamptz
    IMMUTABLE STRICT PARALLEL SAFE LANGUAGE c AS 'MODULE_PATHNAME', 'nps_live_bucket_timestamptz';
COMMENT ON FUNCTION @extschema@.nps_live_bucket(date, interval) IS
    'The bucket a live summary files this date under: fixed lengths from Monday 2000-01-03, whole months in blocks from January 2000';
COMMENT ON FUNCTION @extschema@.nps_live_bucket(timestamp, interval) IS
    'The bucket a live summary files this time under: fixed lengths from Monday 2000-01-03 00:00, whole months in blocks from January 2000';
COMMENT ON FUNCTION @extschema@.nps_live_bucket(timestamptz, interval, text) IS
    'The bucket a live summary files this instant under, on the wall clock of the time zone';

CREATE FUNCTION @extschema@.nps_live_maintain() RETURNS trigger
    VOLATILE PARALLEL UNSAFE LANGUAGE c AS 'MODULE_PATHNAME', 'nps_live_maintain';
COMMENT ON FUNCTION @extschema@.nps_live_maintain() IS
    'The trigger of live summaries: adds what a statement changed to the live summary its argument names, as the table''s owner';

CREATE FUNCTION @extschema@.nps_live_apply("current" @extschema@.nps_summary, plus @extschema@.nps_summary,
                                           minus @extschema@.nps_summary) RETURNS @extschema@.nps_summary
    IMMUTABLE PARALLEL SAFE LANGUAGE c AS 'MODULE_PATHNAME', 'nps_live_apply_wrapper';
CREATE FUNCTION @extschema@.nps_live_same(a @extschema@.nps_summary, b @extschema@.nps_summary) RETURNS boolean
    IMMUTABLE STRICT PARALLEL SAFE LANGUAGE c AS 'MODULE_PATHNAME', 'nps_live_same_wrapper';

-- Same arguments and return types as 0.2.0's, so calls and views keep working.
CREATE OR REPLACE FUNCTION @extschema@.nps_live_summary(source regclass, score_column name, time_column name, bucket interval,
                                 segments name[] DEFAULT '{}', weight_column name DEFAULT NULL,
                                 target name DEFAULT NULL)
    RETURNS regclass VOLATILE PARALLEL UNSAFE LANGUAGE c AS 'MODULE_PATHNAME', 'nps_live_summary_v3';
COMMENT ON FUNCTION @extschema@.nps_live_summary(regclass, name, name, interval, name[], name, name) IS
    'Keep a view of NPS summaries per time bucket and segment of a table of answers, exact at every moment';
CREATE OR REPLACE FUNCTION @extschema@.nps_live_summary_drop(source regclass, drop_table boolean DEFAULT false)
    RETURNS void VOLATILE PARALLEL UNSAFE LANGUAGE c AS 'MODULE_PATHNAME', 'nps_live_summary_drop_v3';
COMMENT ON FUNCTION @extschema@.nps_live_summary_drop(regclass, boolean) IS
    'Remove the live NPS summary of a table (or named by its view): its triggers, and with drop_table its view and tables';
CREATE FUNCTION @extschema@.nps_live_summary_check(source regclass, from_bucket timestamptz DEFAULT NULL, to_bucket timestamptz DEFAULT NULL)
    RETURNS TABLE (key jsonb, live @extschema@.nps_summary, expected @extschema@.nps_summary)
    VOLATILE PARALLEL UNSAFE LANGUAGE c AS 'MODULE_PATHNAME', 'nps_live_summary_check_wrapper';
COMMENT ON FUNCTION @extschema@.nps_live_summary_check(regclass, timestamptz, timestamptz) IS
    'Where a live summary differs from a recomputation of its source in the same snapshot (one row per key; none when exact), and what keeps it from staying exact';
CREATE FUNCTION @extschema@.nps_live_summary_refresh(source regclass, from_bucket timestamptz DEFAULT NULL, to_bucket timestamptz DEFAULT NULL)
    RETURNS bigint VOLATILE PARALLEL UNSAFE LANGUAGE c AS 'MODULE_PATHNAME', 'nps_live_summary_refresh_wrapper';
COMMENT ON FUNCTION @extschema@.nps_live_summary_refresh(regclass, timestamptz, timestamptz) IS
    'Make a live summary equal its source again, for all buckets or those from from_bucket to before to_bucket; returns how many keys changed';
CREATE FUNCTION @extschema@.nps_live_summary_fold(source regclass) RETURNS boolean
    VOLATILE PARALLEL UNSAFE LANGUAGE c AS 'MODULE_PATHNAME', 'nps_live_summary_fold_wrapper';
COMMENT ON FUNCTION @extschema@.nps_live_summary_fold(regclass) IS
    'Fold the changes of a live summary that wait to be folded (writers fold by themselves, except in SERIALIZABLE)';

-- ==== issue 18: every BI tool and driver ====
-- What BI tools and drivers send, and what they read back (docs/clients.md).
--
-- Summaries given as strings. JDBC's setString is a varchar parameter, so is a text column:
-- implicit casts from both (PostgreSQL does not chain casts), through the type's input
-- function. They move no call that resolved before: where a function also takes text, text is
-- the preferred type of the string category and wins (tests/resolution). node-postgres sends
-- parameters untyped, which no cast serves: only nps() has candidates of several type categories
-- (summaries, and numbers as an aggregate), so nps($1) was "not unique"; nps(text) decides it.
CREATE CAST (text AS @extschema@.nps_summary) WITH INOUT AS IMPLICIT;
CREATE CAST (character varying AS @extschema@.nps_summary) WITH INOUT AS IMPLICIT;
CREATE FUNCTION @extschema@.nps(summary text) RETURNS numeric
    IMMUTABLE STRICT PARALLEL SAFE LANGUAGE c AS 'MODULE_PATHNAME', 'nps_of_text_wrapper';
COMMENT ON FUNCTION @extschema@.nps(text) IS 'NPS of a summary in its text form (string and untyped parameters)';

-- Answers in real and double precision columns (pandas and CSV loaders write them): whole values
-- count, anything else is the error numeric gives. The same template as the other input types.
CREATE FUNCTION @extschema@.nps_category(score real) RETURNS @extschema@.nps_category
    IMMUTABLE STRICT PARALLEL SAFE LANGUAGE c AS 'MODULE_PATHNAME', 'nps_category_float4';
CREATE FUNCTION @extschema@.nps_category(score double precision) RETURNS @extschema@.nps_category
    IMMUTABLE STRICT PARALLEL SAFE LANGUAGE c AS 'MODULE_PATHNAME', 'nps_category_float8';
DO $do$
DECLARE t record;
BEGIN
    FOR t IN SELECT * FROM (VALUES ('float4', 'real'), ('float8', 'double precision')) AS v(name, type) LOOP
        EXECUTE pg_catalog.format($sql$
            CREATE FUNCTION @extschema@.nps_trans_%1$s(internal, %2$s) RETURNS internal
                IMMUTABLE PARALLEL SAFE LANGUAGE c AS 'MODULE_PATHNAME', 'nps_trans_%1$s';
            CREATE FUNCTION @extschema@.nps_inverse_%1$s(internal, %2$s) RETURNS internal
                IMMUTABLE PARALLEL SAFE LANGUAGE c AS 'MODULE_PATHNAME', 'nps_inverse_%1$s';
            CREATE FUNCTION @extschema@.nps_weighted_trans_%1$s(state internal, score %2$s, weight double precision)
                RETURNS internal
                IMMUTABLE PARALLEL SAFE LANGUAGE c AS 'MODULE_PATHNAME', 'nps_weighted_trans_%1$s_wrapper';
            CREATE AGGREGATE @extschema@.nps(%2$s) (
                SFUNC = @extschema@.nps_trans_%1$s, STYPE = internal, SSPACE = 88,
                FINALFUNC = @extschema@.nps_final, COMBINEFUNC = @extschema@.nps_combine,
                SERIALFUNC = @extschema@.nps_serialize, DESERIALFUNC = @extschema@.nps_deserialize,
                MSFUNC = @extschema@.nps_trans_%1$s, MINVFUNC = @extschema@.nps_inverse_%1$s,
                MSTYPE = internal, MSSPACE = 88, MFINALFUNC = @extschema@.nps_final, PARALLEL = SAFE
            );
            CREATE AGGREGATE @extschema@.nps_agg(%2$s) (
                SFUNC = @extschema@.nps_trans_%1$s, STYPE = internal, SSPACE = 88,
                FINALFUNC = @extschema@.nps_agg_final, COMBINEFUNC = @extschema@.nps_combine,
                SERIALFUNC = @extschema@.nps_serialize, DESERIALFUNC = @extschema@.nps_deserialize,
                MSFUNC = @extschema@.nps_trans_%1$s, MINVFUNC = @extschema@.nps_inverse_%1$s,
                MSTYPE = internal, MSSPACE = 88, MFINALFUNC = @extschema@.nps_agg_final, PARALLEL = SAFE
            );
            CREATE AGGREGATE @extschema@.nps(%2$s, double precision) (
                SFUNC = @extschema@.nps_weighted_trans_%1$s, STYPE = internal, SSPACE = 192,
                FINALFUNC = @extschema@.nps_weighted_final, COMBINEFUNC = @extschema@.nps_summary_combine,
                SERIALFUNC = @extschema@.nps_summary_serialize, DESERIALFUNC = @extschema@.nps_summary_deserialize,
                PARALLEL = SAFE
            );
            CREATE AGGREGATE @extschema@.nps_agg(%2$s, double precision) (
                SFUNC = @extschema@.nps_weighted_trans_%1$s, STYPE = internal, SSPACE = 192,
                FINALFUNC = @extschema@.nps_summary_final, COMBINEFUNC = @extschema@.nps_summary_combine,
                SERIALFUNC = @extschema@.nps_summary_serialize, DESERIALFUNC = @extschema@.nps_summary_deserialize,
                PARALLEL = SAFE
            );
        $sql$, t.name, t.type);
    END LOOP;
END $do$;

-- Records that read: named composite results beside nps_ci and nps_test, whose OUT parameters
-- (an anonymous record of double precision) views made with 0.2.0 depend on, and which CREATE OR
-- REPLACE cannot change. Every figure numeric.
CREATE TYPE @extschema@.nps_comparison AS (difference numeric, z numeric, p_value numeric, ci_low numeric, ci_high numeric);
COMMENT ON TYPE @extschema@.nps_comparison IS 'Two summaries compared (nps_compare): difference a - b in points, z, two-sided p-value, interval of the difference';
CREATE FUNCTION @extschema@.nps_confidence_interval(summary @extschema@.nps_summary,
                                                    confidence double precision DEFAULT 0.95,
                                                    method text DEFAULT 'adjusted_wald')
    RETURNS @extschema@.nps_interval
    IMMUTABLE STRICT PARALLEL SAFE LANGUAGE c AS 'MODULE_PATHNAME', 'nps_confidence_interval_record';
COMMENT ON FUNCTION @extschema@.nps_confidence_interval(@extschema@.nps_summary, double precision, text) IS
    'Confidence interval of the NPS in points, as the named composite nps_interval (low, high)';
CREATE FUNCTION @extschema@.nps_compare(a @extschema@.nps_summary, b @extschema@.nps_summary,
                                        confidence double precision DEFAULT 0.95,
                                        method text DEFAULT 'adjusted_wald')
    RETURNS @extschema@.nps_comparison
    IMMUTABLE STRICT PARALLEL SAFE LANGUAGE c AS 'MODULE_PATHNAME', 'nps_compare_record';
COMMENT ON FUNCTION @extschema@.nps_compare(@extschema@.nps_summary, @extschema@.nps_summary, double precision, text) IS
    'nps_test as the named composite nps_comparison (difference, z, p_value, ci_low, ci_high), in numeric';

-- Summaries that sort: a btree operator class over the documented order (src/order.rs), with
-- 0.1.0's =, and min/max.
CREATE FUNCTION @extschema@.nps_summary_cmp(a @extschema@.nps_summary, b @extschema@.nps_summary) RETURNS integer
    IMMUTABLE STRICT PARALLEL SAFE LANGUAGE c AS 'MODULE_PATHNAME', 'nps_summary_cmp_wrapper';
CREATE FUNCTION @extschema@.nps_summary_lt(a @extschema@.nps_summary, b @extschema@.nps_summary) RETURNS boolean
    IMMUTABLE STRICT PARALLEL SAFE LANGUAGE c AS 'MODULE_PATHNAME', 'nps_summary_lt_wrapper';
CREATE FUNCTION @extschema@.nps_summary_le(a @extschema@.nps_summary, b @extschema@.nps_summary) RETURNS boolean
    IMMUTABLE STRICT PARALLEL SAFE LANGUAGE c AS 'MODULE_PATHNAME', 'nps_summary_le_wrapper';
CREATE FUNCTION @extschema@.nps_summary_ge(a @extschema@.nps_summary, b @extschema@.nps_summary) RETURNS boolean
    IMMUTABLE STRICT PARALLEL SAFE LANGUAGE c AS 'MODULE_PATHNAME', 'nps_summary_ge_wrapper';
CREATE FUNCTION @extschema@.nps_summary_gt(a @extschema@.nps_summary, b @extschema@.nps_summary) RETURNS boolean
    IMMUTABLE STRICT PARALLEL SAFE LANGUAGE c AS 'MODULE_PATHNAME', 'nps_summary_gt_wrapper';
CREATE FUNCTION @extschema@.nps_summary_smaller(a @extschema@.nps_summary, b @extschema@.nps_summary)
    RETURNS @extschema@.nps_summary
    IMMUTABLE STRICT PARALLEL SAFE LANGUAGE c AS 'MODULE_PATHNAME', 'nps_summary_smaller_wrapper';
CREATE FUNCTION @extschema@.nps_summary_larger(a @extschema@.nps_summary, b @extschema@.nps_summary)
    RETURNS @extschema@.nps_summary
    IMMUTABLE STRICT PARALLEL SAFE LANGUAGE c AS 'MODULE_PATHNAME', 'nps_summary_larger_wrapper';
CREATE OPERATOR @extschema@.< (LEFTARG = @extschema@.nps_summary, RIGHTARG = @extschema@.nps_summary,
    FUNCTION = @extschema@.nps_summary_lt, COMMUTATOR = OPERATOR(@extschema@.>), NEGATOR = OPERATOR(@extschema@.>=),
    RESTRICT = pg_catalog.scalarltsel, JOIN = pg_catalog.scalarltjoinsel);
CREATE OPERATOR @extschema@.<= (LEFTARG = @extschema@.nps_summary, RIGHTARG = @extschema@.nps_summary,
    FUNCTION = @extschema@.nps_summary_le, COMMUTATOR = OPERATOR(@extschema@.>=), NEGATOR = OPERATOR(@extschema@.>),
    RESTRICT = pg_catalog.scalarlesel, JOIN = pg_catalog.scalarlejoinsel);
CREATE OPERATOR @extschema@.>= (LEFTARG = @extschema@.nps_summary, RIGHTARG = @extschema@.nps_summary,
    FUNCTION = @extschema@.nps_summary_ge, COMMUTATOR = OPERATOR(@extschema@.<=), NEGATOR = OPERATOR(@extschema@.<),
    RESTRICT = pg_catalog.scalargesel, JOIN = pg_catalog.scalargejoinsel);
CREATE OPERATOR @extschema@.> (LEFTARG = @extschema@.nps_summary, RIGHTARG = @extschema@.nps_summary,
    FUNCTION = @extschema@.nps_summary_gt, COMMUTATOR = OPERATOR(@extschema@.<), NEGATOR = OPERATOR(@extschema@.<=),
    RESTRICT = pg_catalog.scalargtsel, JOIN = pg_catalog.scalargtjoinsel);
CREATE OPERATOR CLASS @extschema@.nps_summary_btree_ops DEFAULT FOR TYPE @extschema@.nps_summary USING btree AS
    OPERATOR 1 @extschema@.< (@extschema@.nps_summary, @extschema@.nps_summary),
    OPERATOR 2 @extschema@.<= (@extschema@.nps_summary, @extschema@.nps_summary),
    OPERATOR 3 @extschema@.= (@extschema@.nps_summary, @extschema@.nps_summary),
    OPERATOR 4 @extschema@.>= (@extschema@.nps_summary, @extschema@.nps_summary),
    OPERATOR 5 @extschema@.> (@extschema@.nps_summary, @extschema@.nps_summary),
    FUNCTION 1 @extschema@.nps_summary_cmp(@extschema@.nps_summary, @extschema@.nps_summary);
CREATE AGGREGATE @extschema@.min(@extschema@.nps_summary) (
    SFUNC = @extschema@.nps_summary_smaller, STYPE = @extschema@.nps_summary,
    COMBINEFUNC = @extschema@.nps_summary_smaller, SORTOP = OPERATOR(@extschema@.<), PARALLEL = SAFE
);
CREATE AGGREGATE @extschema@.max(@extschema@.nps_summary) (
    SFUNC = @extschema@.nps_summary_larger, STYPE = @extschema@.nps_summary,
    COMBINEFUNC = @extschema@.nps_summary_larger, SORTOP = OPERATOR(@extschema@.>), PARALLEL = SAFE
);
COMMENT ON OPERATOR CLASS @extschema@.nps_summary_btree_ops USING btree IS
    'Summaries without an NPS first, then by NPS (unweighted before weighted at equal NPS), responses, the counts of answers 0..10, then weight sums';


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
