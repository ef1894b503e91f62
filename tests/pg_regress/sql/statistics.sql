-- Statistics, checked against the formulas written out in SQL (not against the extension):
-- N responses, P promoters, D detractors, p = P/N, d = D/N, var = p + d - (p - d)^2.
CREATE TABLE seed AS   -- N = 200, P = 110, D = 30: NPS 40
SELECT CASE WHEN g <= 110 THEN 9 + g % 2 WHEN g <= 170 THEN 7 + g % 2 ELSE g % 7 END AS score
FROM generate_series(1, 200) g;
CREATE TABLE s AS SELECT nps_agg(score) AS seed FROM seed;

-- standard error 100 * sqrt(.54 / 200) = 5.196 points; margin = 1.959963984540054 * se
SELECT round(nps_stderr(seed)::numeric, 3) AS stderr,
       abs(nps_stderr(seed) - 100 * sqrt(0.54 / 200)) < 1e-12 AS stderr_matches,
       abs(nps_margin(seed) - 1.959963984540054 * 100 * sqrt(0.54 / 200)) < 1e-12 AS margin_95,
       abs(nps_margin(seed, 0.90) - 1.6448536269514722 * 100 * sqrt(0.54 / 200)) < 1e-12 AS margin_90
FROM s;
-- Wald interval: 40 -/+ margin
SELECT abs(nps_ci_low(seed, 0.95, 'wald') - (40 - 1.959963984540054 * 100 * sqrt(0.54 / 200))) < 1e-12 AS wald_low,
       abs(nps_ci_high(seed, 0.95, 'wald') - (40 + 1.959963984540054 * 100 * sqrt(0.54 / 200))) < 1e-12 AS wald_high
FROM s;
-- adjusted Wald (the default): n = 203, p = 110.75/203, d = 30.75/203
WITH adj AS (SELECT 110.75 / 203 AS p, 30.75 / 203 AS d)
SELECT abs(nps_ci_low(seed) - 100 * ((p - d) - 1.959963984540054 * sqrt((p + d - (p - d)^2) / 203))) < 1e-12 AS adjusted_low,
       abs(nps_ci_high(seed) - 100 * ((p - d) + 1.959963984540054 * sqrt((p + d - (p - d)^2) / 203))) < 1e-12 AS adjusted_high,
       (nps_ci(seed)).low = nps_ci_low(seed) AS composite_low
FROM s, adj;
SELECT round(low::numeric, 2) AS low, round(high::numeric, 2) AS high FROM s, nps_ci(seed);

-- small samples: N = 1 (a promoter), N = 2 (a promoter and a detractor), N = 5 (3 P, 1 passive, 1 D)
SELECT n, nps(x), nps_stderr(x) AS stderr, round(nps_ci_low(x, 0.95, 'wald')::numeric, 4) AS wald_low,
       round(nps_ci_high(x, 0.95, 'wald')::numeric, 4) AS wald_high,
       round(nps_ci_low(x)::numeric, 4) AS adjusted_low, round(nps_ci_high(x)::numeric, 4) AS adjusted_high
FROM (VALUES (1, 'v1:0,0,0,0,0,0,0,0,0,0,1'::nps_summary), (2, 'v1:1,0,0,0,0,0,0,0,0,0,1'),
             (5, 'v1:0,0,0,0,0,0,1,1,0,2,1')) v(n, x) ORDER BY n;
-- by hand: N = 5 Wald se = 100 * sqrt(.64 / 5) = 35.7771; N = 2 se = 100 * sqrt(1 / 2) = 70.7107
SELECT round(100 * sqrt(0.64 / 5), 4) AS se_5, round(100 * sqrt(1.0 / 2), 4) AS se_2;
-- no responses: no statistics
SELECT nps_stderr(x), nps_margin(x), nps_ci_low(x), (nps_test(x, x)).p_value
FROM (SELECT 'v1:0,0,0,0,0,0,0,0,0,0,0'::nps_summary AS x) e;

-- nps_test: a = seed (40), b = N 100, P 30, D 40 (-10); Wald by hand
CREATE TABLE pair AS SELECT seed AS a, 'v1:40,0,0,0,0,0,0,30,0,0,30'::nps_summary AS b FROM s;
WITH w AS (SELECT sqrt(0.54 / 200 + (0.7 - 0.01) / 100) AS se)
SELECT t.difference, abs(t.z - 0.5 / se) < 1e-12 AS z_matches,
       abs(t.ci_low - 100 * (0.5 - 1.959963984540054 * se)) < 1e-12 AS low_matches,
       abs(t.ci_high - 100 * (0.5 + 1.959963984540054 * se)) < 1e-12 AS high_matches,
       t.ci_low < t.ci_high AS ordered, t.p_value < 1e-6 AS significant
FROM pair, w, nps_test(a, b, 0.95, 'wald') t;
-- the sign follows the order of the arguments
SELECT (nps_test(a, b)).difference AS a_minus_b, (nps_test(b, a)).difference AS b_minus_a,
       (nps_test(a, b)).p_value = (nps_test(b, a)).p_value AS same_p FROM pair;
-- a known two-sided p-value: z = 2.5 gives 0.012419330651552 (normal tables)
-- (a: 25 promoters, var 0; b: 20 P and 5 D, centre .6, var .64; se = sqrt(.64 / 25) = .16)
SELECT round(z::numeric, 12) AS z, round(p_value::numeric, 15) AS p_value
FROM nps_test('v1:0,0,0,0,0,0,0,0,0,0,25', 'v1:5,0,0,0,0,0,0,0,0,0,20', 0.95, 'wald');
-- identical samples: no difference, p = 1
SELECT difference, z, p_value FROM pair, nps_test(a, a);

-- weights: Kish's effective size n_eff = (sum w)^2 / sum w^2
CREATE TABLE weighted (score int, w float8);
INSERT INTO weighted VALUES (10, 2), (9, 1), (3, 1), (7, 0.5), (5, NULL), (NULL, 3), (8, 0);
-- weighted NPS = 100 * (3 - 1) / 4.5; the NULL weight and the NULL score are skipped
SELECT nps(score, w) AS weighted_nps, 100.0 * (3 - 1) / 4.5 AS by_hand, nps(score) AS unweighted FROM weighted;
SELECT nps_agg(score, w) FROM weighted;
-- se with n_eff = 4.5^2 / 6.25 = 3.24: p = 3/4.5, d = 1/4.5
WITH k AS (SELECT 3 / 4.5 AS p, 1 / 4.5 AS d, 4.5 ^ 2 / 6.25 AS n)
SELECT abs(nps_stderr(nps_agg(score, w)) - 100 * sqrt((p + d - (p - d)^2) / n)) < 1e-12 AS kish_stderr
FROM weighted, k GROUP BY p, d, n;
-- equal weights change nothing
SELECT abs(nps_stderr(nps_agg(score, 2.5)) - nps_stderr(nps_agg(score))) < 1e-12 AS equal_weights FROM seed;
-- a weighted and an unweighted summary with responses do not combine (counts are not weights):
-- +, -, rollup and the segment helpers refuse with 22023
SELECT error_of($$SELECT nps_agg(score, w) + 'v1:0,0,0,0,0,0,0,0,0,0,1' FROM weighted$$);
SELECT error_of($$SELECT 'v1:0,0,0,0,0,0,0,0,0,0,1'::nps_summary + nps_agg(score, w) FROM weighted$$);
SELECT error_of($$SELECT nps_agg(score, w) - 'v1:0,0,0,0,0,0,0,0,0,0,1' FROM weighted$$);
SELECT error_of($$SELECT rollup(s) FROM (SELECT nps_agg(score, w) FROM weighted UNION ALL SELECT nps_agg(score) FROM weighted) v(s)$$);
SELECT error_of($$SELECT nps_impact(nps_agg(score), nps_agg(score, w)) FROM weighted$$);
SELECT error_of($$SELECT nps_contribution(nps_agg(score), nps_agg(score, w)) FROM weighted$$);
-- built with weight 1, the extra answer merges: 100 * (4 - 1) / 5.5
SELECT nps(nps_agg(score, w) + (SELECT nps_agg(10, 1.0))) AS merged_nps, 100.0 * (4 - 1) / 5.5 AS by_hand FROM weighted;
-- a summary without responses is the identity for either kind
WITH x AS (SELECT nps_agg(score, w) AS s FROM weighted)
SELECT s + 'v1:0,0,0,0,0,0,0,0,0,0,0' = s AS plus_empty, s - 'v1:0,0,0,0,0,0,0,0,0,0,0' = s AS minus_empty,
       'v1:0,0,0,0,0,0,0,0,0,0,0'::nps_summary + s = s AS empty_plus,
       (SELECT rollup(v) FROM (SELECT nps_agg(score, w) FROM weighted
                               UNION ALL SELECT nps_agg(score) FROM weighted WHERE score IS NULL) u(v)) = s AS rollup_with_empty
FROM x;
-- weighted parallel-safe labels, and no moving-aggregate inverse (float sums would drift)
SELECT a.aggfnoid::regprocedure::text AS aggregate, a.aggcombinefn <> 0 AS combine, a.aggminvtransfn <> 0 AS inverse
FROM pg_aggregate a JOIN pg_proc p ON p.oid = a.aggfnoid
WHERE p.proname IN ('nps', 'nps_agg') AND p.pronargs = 2 ORDER BY 1;

-- sample size: worst case (var 1) at 95% for 5 points: (1.959963984540054 * 100 / 5)^2 = 1536.6 -> 1537
SELECT nps_sample_size(5) AS worst_case, nps_sample_size(5, promoters => 0.55, detractors => 0.15) AS seed_shares,
       nps_sample_size(3, confidence => 0.9) AS at_90, ceil((1.959963984540054 * 100 / 5)^2) AS by_hand;
SELECT nps_sample_size(NULL) IS NULL AS null_margin;

-- bad parameters: class 22
SELECT error_of($$SELECT nps_margin(seed, 1.0) FROM s$$);
SELECT error_of($$SELECT nps_margin(seed, 0) FROM s$$);
SELECT error_of($$SELECT nps_ci_low(seed, 'NaN') FROM s$$);
SELECT error_of($$SELECT nps_ci_low(seed, 0.95, 'wilson') FROM s$$);
SELECT error_of($$SELECT nps_test(seed, seed, 2) FROM s$$);
SELECT error_of($$SELECT nps_sample_size(-1)$$);
SELECT error_of($$SELECT nps_sample_size(0)$$);
SELECT error_of($$SELECT nps_sample_size(5, promoters => 0.7, detractors => 0.4)$$);
SELECT error_of($$SELECT nps_sample_size(5, promoters => 0.5)$$);
SELECT error_of($$SELECT nps(9, -1)$$);
SELECT error_of($$SELECT nps(9, 'NaN')$$);
SELECT error_of($$SELECT nps_agg(9, 'Infinity')$$);
SELECT error_of($$SELECT nps(11, 1)$$);
SELECT error_of($$SELECT 'v1:0,0,0,0,0,0,0,0,0,0,1;weights=0,0,0,0,0,0,0,0,0,0,-1;squares=1'::nps_summary$$);
SELECT error_of($$SELECT 'v1:0,0,0,0,0,0,0,0,0,0,1;weights=1,0,0,0,0,0,0,0,0,0,1;squares=1'::nps_summary$$);
-- weight sums past double precision: an error, not a summary that cannot be read back
SELECT error_of($$SELECT nps_agg(s, 1e154) FROM (VALUES (9), (10)) v(s)$$);
SELECT error_of($$SELECT nps(s, 1e200) FROM (VALUES (9)) v(s)$$);
DROP TABLE seed, s, pair, weighted;
