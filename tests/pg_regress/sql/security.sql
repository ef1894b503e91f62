-- Deployable anywhere: the extension in a schema of its own, called under any search_path, with
-- hostile look-alikes of what 0.1.0's SQL functions called, in materialized views and indexes (which
-- PostgreSQL 17 and later maintain with search_path = pg_catalog, pg_temp), and installed by a
-- database owner who is not a superuser. Runs in databases of its own.
CREATE DATABASE nps_security;
\c nps_security
CREATE SCHEMA analytics;
CREATE EXTENSION nps_ext SCHEMA analytics;
SELECT extversion = default_version AS current_version, extnamespace::regnamespace AS schema
FROM pg_extension JOIN pg_available_extensions ON name = extname WHERE extname = 'nps_ext';
CREATE TABLE public.answers (plan text, score int);
INSERT INTO public.answers
SELECT (ARRAY['free', 'pro'])[1 + g % 2], (ARRAY[0, 3, 5, 6, 7, 8, 8, 9, 9, 10, 10])[1 + (g * 7) % 11 + g % 2 * (g % 3)]
FROM generate_series(1, 200) g;

-- A hostile role that may create objects in public (as anyone could before PostgreSQL 15)
-- plants look-alikes of every function 0.1.0's nps_ci and nps_test called, and of the summary operators.
GRANT CREATE ON SCHEMA public TO PUBLIC;
GRANT USAGE ON SCHEMA analytics TO PUBLIC;
CREATE ROLE nps_hostile;
SET ROLE nps_hostile;
CREATE FUNCTION public.nps_ci_low(analytics.nps_summary, double precision, text) RETURNS double precision
    LANGUAGE sql AS 'SELECT -999::double precision';
CREATE FUNCTION public.nps_ci_high(analytics.nps_summary, double precision, text) RETURNS double precision
    LANGUAGE sql AS 'SELECT -999::double precision';
CREATE FUNCTION public.nps_test_values(analytics.nps_summary, analytics.nps_summary, double precision, text)
    RETURNS double precision[] LANGUAGE sql AS 'SELECT ARRAY[-999, -999, -999, -999, -999]::double precision[]';
CREATE FUNCTION public.hostile_summary(analytics.nps_summary, analytics.nps_summary) RETURNS analytics.nps_summary
    LANGUAGE sql AS $$SELECT 'v1:999,0,0,0,0,0,0,0,0,0,0'::analytics.nps_summary$$;
CREATE OPERATOR public.+ (LEFTARG = analytics.nps_summary, RIGHTARG = analytics.nps_summary, FUNCTION = public.hostile_summary);
CREATE OPERATOR public.- (LEFTARG = analytics.nps_summary, RIGHTARG = analytics.nps_summary, FUNCTION = public.hostile_summary);
RESET ROLE;
-- and the same in this session's pg_temp
CREATE FUNCTION pg_temp.nps_ci_low(analytics.nps_summary, double precision, text) RETURNS double precision
    LANGUAGE sql AS 'SELECT -999::double precision';
CREATE FUNCTION pg_temp.nps_test_values(analytics.nps_summary, analytics.nps_summary, double precision, text)
    RETURNS double precision[] LANGUAGE sql AS 'SELECT ARRAY[-999, -999, -999, -999, -999]::double precision[]';

-- The look-alikes are live: unqualified calls with them first on the path reach them.
SET search_path = pg_temp, public, analytics;
SELECT nps_ci_low('v1:0,0,0,0,0,0,1,1,0,2,1', 0.95, 'wald') AS planted_temp, nps_ci_high('v1:0,0,0,0,0,0,1,1,0,2,1', 0.95, 'wald') AS planted_public,
       'v1:1,0,0,0,0,0,0,0,0,0,0'::nps_summary + 'v1:0,0,0,0,0,0,0,0,0,0,1' AS planted_operator;
-- With the look-alikes first on the path, every function gives its own answer.
-- s: 3 promoters, 1 passive, 1 detractor. Wald: 100 * (0.4 -/+ 1.959964 * sqrt(0.64 / 5)) = -30.12, 110.12 (clipped to 100).
SELECT round(low::numeric, 2) AS low, round(high::numeric, 2) AS high
FROM analytics.nps_ci('v1:0,0,0,0,0,0,1,1,0,2,1', 0.95, 'wald');
SELECT difference, round(ci_low::numeric, 2) AS ci_low, p_value
FROM analytics.nps_test('v1:0,0,0,0,0,0,1,1,0,2,1', 'v1:0,0,0,0,0,0,1,1,0,2,1');
SELECT analytics.nps_summary_merge('v1:1,0,0,0,0,0,0,0,0,0,0', 'v1:0,0,0,0,0,0,0,0,0,0,1') AS merged,
       'v1:1,0,0,0,0,0,0,0,0,0,1'::analytics.nps_summary OPERATOR(analytics.-) 'v1:1,0,0,0,0,0,0,0,0,0,0' AS rest;
SELECT plan, analytics.nps(score), analytics.nps_responses(analytics.nps_agg(score)) AS responses,
       round(analytics.nps_margin(analytics.nps_agg(score))::numeric, 4) AS margin,
       round((analytics.nps_ci(analytics.nps_agg(score))).low::numeric, 4) AS low
FROM public.answers GROUP BY plan ORDER BY plan;
-- the same under the narrowest paths
SET search_path = pg_catalog;
SELECT round(low::numeric, 2) AS low FROM analytics.nps_ci('v1:0,0,0,0,0,0,1,1,0,2,1', 0.95, 'wald');
SET search_path = '';
SELECT round(low::numeric, 2) AS low FROM analytics.nps_ci('v1:0,0,0,0,0,0,1,1,0,2,1', 0.95, 'wald');
SELECT (analytics.nps_test('v1:0,0,0,0,0,0,0,0,0,0,25', 'v1:5,0,0,0,0,0,0,0,0,0,20', 0.95, 'wald')).z;
SELECT analytics.nps_category(9), pg_catalog.round(analytics.nps(s), 2) FROM (VALUES (9), (10), (3)) v(s) GROUP BY 1;

-- Materialized views and expression indexes over nps_ci and nps_test: created, refreshed and
-- reindexed (on PostgreSQL 17+ under the restricted maintenance search_path).
SET search_path = public, analytics;
CREATE MATERIALIZED VIEW plan_stats AS
SELECT plan, nps_agg(score) AS summary, (nps_ci(nps_agg(score))).low AS low,
       (nps_test(nps_agg(score), (SELECT nps_agg(score) FROM answers))).p_value AS p_value
FROM answers GROUP BY plan;
CREATE UNIQUE INDEX ON plan_stats (plan);
CREATE INDEX plan_stats_low ON plan_stats (((nps_ci(summary, 0.9)).low), ((nps_test(summary, summary)).difference));
REFRESH MATERIALIZED VIEW plan_stats;
REFRESH MATERIALIZED VIEW CONCURRENTLY plan_stats;
REINDEX TABLE plan_stats;
SELECT plan, round(low::numeric, 4) AS low, round(p_value::numeric, 4) AS p_value FROM plan_stats ORDER BY plan;
\c nps_regress
DROP DATABASE nps_security;
DROP ROLE nps_hostile;

-- A database owner who is not a superuser installs the (trusted) extension, uses it, drops it.
CREATE ROLE nps_owner LOGIN;
CREATE DATABASE nps_owned OWNER nps_owner;
\c nps_owned nps_owner
SELECT rolsuper FROM pg_roles WHERE rolname = current_user;
CREATE EXTENSION nps_ext;
SELECT extowner::regrole AS extension_owner FROM pg_extension WHERE extname = 'nps_ext';
CREATE TABLE answers (plan text, day date, score int, weight float8);
INSERT INTO answers
SELECT (ARRAY['free', 'pro'])[1 + g % 2], date '2026-01-01' + g % 30,
       (ARRAY[0, 3, 5, 6, 7, 8, 8, 9, 9, 10, 10])[1 + (g * 7) % 11 + g % 2 * (g % 3)], 1 + g % 3
FROM generate_series(1, 300) g;
CREATE TABLE daily AS SELECT plan, day, nps_agg(score) AS s, nps_agg(score, weight) AS w FROM answers GROUP BY plan, day;
SELECT plan, round(nps(score), 2) AS nps, round(nps(score, weight)::numeric, 2) AS weighted,
       nps_category(min(score)) AS lowest, nps_sparkline(nps_agg(score)) AS answers
FROM answers GROUP BY plan ORDER BY plan;
SELECT plan, nps(rollup(s)), round(nps_stderr(rollup(s))::numeric, 3) AS stderr,
       round(nps_margin(rollup(w))::numeric, 3) AS weighted_margin,
       round((nps_ci(rollup(s))).low::numeric, 3) AS low, round(nps_ci_high(rollup(s), 0.9, 'wald')::numeric, 3) AS high,
       nps_promoters(rollup(s)) + nps_passives(rollup(s)) + nps_detractors(rollup(s)) = nps_responses(rollup(s)) AS counts_add_up,
       (nps_histogram(rollup(s)))[11] AS tens
FROM daily GROUP BY plan ORDER BY plan;
SELECT plan, nps_trend_sparkline(s ORDER BY day) AS trend FROM daily GROUP BY plan ORDER BY plan;
SELECT round(nps_contribution(a.s, t.s)::numeric, 3) AS contribution, round(nps_impact(a.s, t.s)::numeric, 3) AS impact,
       round(nps_lift(a.s, t.s)::numeric, 3) AS lift, round((nps_test(a.s, t.s - a.s)).p_value::numeric, 3) AS p_value,
       a.s + (t.s - a.s) = t.s AS merges, nps_sample_size(5) AS sample_size
FROM (SELECT rollup(s) AS s FROM daily WHERE plan = 'pro') a, (SELECT rollup(s) AS s FROM daily) t;
DROP EXTENSION nps_ext CASCADE;
\c nps_regress postgres
DROP DATABASE nps_owned;
DROP ROLE nps_owner;
