-- Many segments at once (0.3.0): nps_adjust_p, nps_shrink, nps_shrink_interval,
-- nps_prior_strength, nps_detectable_change. Expected values are worked by hand or written out
-- in SQL from the definitions (R's p.adjust, the issue's formulas), not taken from the extension.

-- ---- nps_adjust_p: a window function, the family is the partition ----
-- p = (.01, .04, .03, .005), n = 4, by hand:
--   bonferroni .04 .16 .12 .02; holm (ascending .005 .01 .03 .04 times 4 3 2 1, running max)
--   .03 .06 .06 .02; bh (descending times 4/4 4/3 4/2 4/1, running min) .02 .04 .04 .02;
--   by = bh * (1 + 1/2 + 1/3 + 1/4) = bh * 25/12. The NULL is not in the family.
CREATE TABLE ms_family AS SELECT * FROM (VALUES (1, 0.01::float8), (2, 0.04), (3, 0.03), (4, 0.005), (5, NULL)) v(g, p);
SELECT g, p, nps_adjust_p(p, 'bonferroni') OVER () AS bonferroni, nps_adjust_p(p) OVER () AS holm,
       round(nps_adjust_p(p, 'bh') OVER ()::numeric, 15) AS bh, round((nps_adjust_p(p, 'by') OVER () * 12 / 25)::numeric, 15) AS by_over_25_12
FROM ms_family ORDER BY g;
-- the frame does not matter, nor the window's order
SELECT bool_and(a IS NOT DISTINCT FROM b) AS frame_irrelevant FROM (
  SELECT nps_adjust_p(p, 'bh') OVER () AS a,
         nps_adjust_p(p, 'bh') OVER (ORDER BY g DESC ROWS BETWEEN CURRENT ROW AND CURRENT ROW) AS b FROM ms_family) t;
-- each partition is a family of its own: {.01, .03} and {.04, .005} (NULL left out)
SELECT g, nps_adjust_p(p, 'bonferroni') OVER (PARTITION BY g % 2) AS bonferroni FROM ms_family ORDER BY g;
-- a family of one keeps its p-value; a family of NULLs gives NULLs
SELECT nps_adjust_p(0.3) OVER () AS single, (SELECT nps_adjust_p(NULL) OVER () FROM (VALUES (1)) v) AS null_only;

-- Against the definitions written out in SQL, on 300 p-values in 3 partitions with ties:
-- holm = min(1, running max of (n - i + 1) p over ascending p), bh = min(1, running min of
-- n / i * p over descending p), by = min(1, bh's running min times sum 1/i).
CREATE TABLE ms_pvalues AS
SELECT g % 3 AS part, g, CASE WHEN g % 17 = 0 THEN NULL ELSE round(((abs(hashint4(g)) % 100000) / 100000.0) ^ 3, 4)::float8 END AS p
FROM generate_series(1, 300) g;
WITH ranked AS (
  SELECT part, g, p, count(p) OVER (PARTITION BY part) AS n,
         row_number() OVER (PARTITION BY part ORDER BY p, g) AS i
  FROM ms_pvalues WHERE p IS NOT NULL
), q AS (SELECT part, sum(1.0 / k) AS q FROM (SELECT part, generate_series(1, count(*)::int) AS k FROM ms_pvalues WHERE p IS NOT NULL GROUP BY part) s GROUP BY part),
reference AS (
  SELECT r.part, g, least(1, n * p) AS bonferroni,
         least(1, max((n - i + 1) * p) OVER (PARTITION BY r.part ORDER BY i ROWS UNBOUNDED PRECEDING)) AS holm,
         least(1, min(n::float8 / i * p) OVER (PARTITION BY r.part ORDER BY i DESC ROWS UNBOUNDED PRECEDING)) AS bh,
         least(1, min(q.q * n / i * p) OVER (PARTITION BY r.part ORDER BY i DESC ROWS UNBOUNDED PRECEDING)) AS by
  FROM ranked r JOIN q USING (part)
), ours AS (
  SELECT part, g, p, nps_adjust_p(p, 'bonferroni') OVER w AS bonferroni, nps_adjust_p(p, 'holm') OVER w AS holm,
         nps_adjust_p(p, 'bh') OVER w AS bh, nps_adjust_p(p, 'by') OVER w AS by
  FROM ms_pvalues WINDOW w AS (PARTITION BY part)
)
SELECT count(*) AS rows, count(r.g) AS in_family,
       count(*) FILTER (WHERE o.p IS NULL AND o.holm IS NULL) AS null_stays_null,
       max(abs(o.bonferroni - r.bonferroni) / greatest(r.bonferroni, 1e-300)) < 1e-12 AS bonferroni_matches,
       max(abs(o.holm - r.holm) / greatest(r.holm, 1e-300)) < 1e-12 AS holm_matches,
       max(abs(o.bh - r.bh) / greatest(r.bh, 1e-300)) < 1e-12 AS bh_matches,
       max(abs(o.by - r.by) / greatest(r.by, 1e-300)) < 1e-12 AS by_matches,
       count(*) FILTER (WHERE o.bh < 0.05) AS bh_discoveries
FROM ours o LEFT JOIN reference r USING (part, g);

-- the usage the docs show: window calls can't nest, so the tests come from a subquery
CREATE TABLE ms_monthly AS
SELECT (ARRAY['north', 'south', 'east', 'west'])[1 + g % 4] AS region, date '2026-01-01' + (g % 3) * interval '1 month' AS month,
       nps_agg(CASE WHEN g % 4 = 0 AND g % 3 = 2 THEN (g * 7) % 7 ELSE (g * 7) % 11 END) AS s
FROM generate_series(1, 1200) g GROUP BY 1, 2;
SELECT to_char(month, 'YYYY-MM') AS month, region, round(p::numeric, 6) AS p,
       round(nps_adjust_p(p, 'bh') OVER (PARTITION BY month)::numeric, 6) AS bh
FROM (SELECT month, region, (nps_test(s, lag(s) OVER (PARTITION BY region ORDER BY month))).p_value AS p FROM ms_monthly) t
ORDER BY month, region;

-- bad input: class 22, naming the value and the rule
SELECT error_of($$SELECT nps_adjust_p(p, 'fdr') OVER () FROM ms_family$$);
SELECT error_of($$SELECT nps_adjust_p(p + 1) OVER () FROM ms_family$$);
SELECT error_of($$SELECT nps_adjust_p(-0.5) OVER ()$$);
SELECT error_of($$SELECT nps_adjust_p('NaN') OVER ()$$);
SELECT error_of($$SELECT nps_adjust_p(p, NULL) OVER () FROM ms_family$$);
SELECT error_of($$SELECT nps_adjust_p(p, CASE WHEN g < 3 THEN 'holm' ELSE 'bh' END) OVER () FROM ms_family$$);
-- a method that is the same in every row of a partition may come from a column
SELECT g, nps_adjust_p(p, m) OVER (PARTITION BY m) FROM (SELECT g, p, CASE WHEN g < 3 THEN 'holm' ELSE 'bh' END AS m FROM ms_family) t ORDER BY g;
SELECT error_of($$SELECT nps_adjust_p(0.1)$$);

-- ---- nps_shrink: 100 * ((P + k pP) - (D + k pD)) / (n + k) ----
-- segment: 6 answers, 5 promoters (4 tens, one 9), 1 detractor: NPS 66.67;
-- population 1000 answers: 450 promoters, 350 passives, 200 detractors: NPS 25
CREATE TABLE ms_pair AS SELECT 'v1:1,0,0,0,0,0,0,0,0,1,4'::nps_summary AS seg,
                           'v1:200,0,0,0,0,0,0,350,0,450,0'::nps_summary AS pop;
-- k = 6: 100 * ((5 + 2.7) - (1 + 1.2)) / 12 = 45.8333...
SELECT nps_shrink(seg, pop, 6) AS k6, 100 * ((5 + 6 * 0.45) - (1 + 6 * 0.2)) / 12 AS by_hand,
       nps_shrink(seg, pop, 0) = round(nps(seg), 13) AS k0_is_raw, nps_shrink(seg, pop, 'Infinity') AS k_infinite,
       nps_shrink('v1:0,0,0,0,0,0,0,0,0,0,0', pop, 0) AS n_and_k_zero, nps_shrink('v1:0,0,0,0,0,0,0,0,0,0,0', pop, 6) AS no_answers,
       nps_shrink(seg, 'v1:0,0,0,0,0,0,0,0,0,0,0', 6) AS empty_population,
       pg_typeof(nps_shrink(seg, pop, 6)) AS type
FROM ms_pair;
SELECT error_of($$SELECT nps_shrink(seg, pop, -1) FROM ms_pair$$);
SELECT error_of($$SELECT nps_shrink(seg, pop, 'NaN') FROM ms_pair$$);
SELECT error_of($$SELECT nps_shrink(seg, pop, '-Infinity') FROM ms_pair$$);

-- the shift toward the population is exactly k / (n + k) of the distance, for every segment
CREATE TABLE ms_stores AS
SELECT 'store ' || (g % 60) AS store, least(10, greatest(0, abs(hashint4(g)) % 11 + (g % 60) % 5 - 2)) AS score
FROM generate_series(1, 1500) g
WHERE abs(hashint4(g * 3)) % 100 < 20 + (g % 60);
CREATE TABLE ms_store_summaries AS SELECT store, nps_agg(score) AS s FROM ms_stores GROUP BY store;
WITH pop AS (SELECT rollup(s) AS p FROM ms_store_summaries), k(k) AS (VALUES (0.5), (7), (40))
SELECT k, count(*) AS segments,
       count(*) FILTER (WHERE abs((nps_shrink(s, p, k) - nps(s))
                                  - k / (nps_responses(s) + k) * (nps(p) - nps(s))) < 1e-9) AS identity_holds
FROM ms_store_summaries, pop, k GROUP BY k ORDER BY k;
-- weighted summaries count with Kish's effective size: weights 1, 1, 2 on promoter, detractor,
-- promoter give W = 4, sum w^2 = 6, n_eff = 8/3, shares 3/4 and 1/4: with k = 1 and the
-- population above, 100 * ((3/4 * 8/3 + .45) - (1/4 * 8/3 + .2)) / (8/3 + 1)
SELECT round(nps_shrink(nps_agg(score, w), (SELECT pop FROM ms_pair), 1), 10) AS weighted,
       round(100 * ((2 + 0.45) - (2.0 / 3 + 0.2)) / (8.0 / 3 + 1), 10) AS by_hand
FROM (VALUES (10, 1.0), (0, 1.0), (9, 2.0)) v(score, w);

-- ---- nps_shrink_interval: 100 * ((mP - mD) -/+ z sqrt((mP + mD - (mP - mD)^2) / (n + k + 1))) ----
WITH m AS (SELECT 7.7 / 12 AS p, 2.2 / 12 AS d)
SELECT abs(i.low - 100 * ((p - d) - 1.959963984540054 * sqrt((p + d - (p - d) ^ 2) / 13))) < 1e-9 AS low_matches,
       abs(i.high - 100 * ((p - d) + 1.959963984540054 * sqrt((p + d - (p - d) ^ 2) / 13))) < 1e-9 AS high_matches,
       round(i.low, 4) AS low, round(i.high, 4) AS high, pg_typeof(i) AS type
FROM ms_pair, m, nps_shrink_interval(seg, pop, 6) i;
SELECT (nps_shrink_interval(seg, pop, 6, 0.8)).low > (nps_shrink_interval(seg, pop, 6)).low AS narrower_at_80,
       nps_shrink_interval(seg, pop, 'Infinity') AS infinite, nps_shrink_interval(seg, pop, 0) AS raw,
       nps_shrink_interval('v1:0,0,0,0,0,0,0,0,0,0,0', pop, 0) AS nothing
FROM ms_pair;
SELECT error_of($$SELECT nps_shrink_interval(seg, pop, 6, 1) FROM ms_pair$$);
SELECT error_of($$SELECT nps_shrink_interval(seg, pop, -6) FROM ms_pair$$);

-- ---- nps_prior_strength: the ANOVA estimate of k ----
-- by hand: segments (n, P, D) = (4, 4, 0), (4, 0, 4), (4, 2, 2): SSB = 8, SSW = 4, MSB = 4,
-- MSW = 4/9, n0 = 4: k = 4 * (4/9) / (4 - 4/9) = 0.5. NULLs and empty summaries add nothing.
SELECT nps_prior_strength(s) FROM (VALUES ('v1:0,0,0,0,0,0,0,0,0,0,4'::nps_summary), ('v1:4,0,0,0,0,0,0,0,0,0,0'),
                                          ('v1:2,0,0,0,0,0,0,0,0,0,2'), (NULL), ('v1:0,0,0,0,0,0,0,0,0,0,0')) v(s);
-- the same from the definitions in SQL over the store summaries
WITH seg AS (SELECT nps_responses(s)::float8 AS n, (nps_promoters(s) - nps_detractors(s))::float8 AS net,
                    (nps_promoters(s) + nps_detractors(s))::float8 AS decided FROM ms_store_summaries),
     sums AS (SELECT count(*)::float8 AS m, sum(n) AS n, sum(n * n) AS n2, sum(net) AS net,
                     sum(net * net / n) AS net2, sum(decided) AS decided FROM seg),
     anova AS (SELECT (net2 - net * net / n) / (m - 1) AS msb, (decided - net2) / (n - m) AS msw,
                      (n - n2 / n) / (m - 1) AS n0, n FROM sums)
SELECT round((SELECT nps_prior_strength(s) FROM ms_store_summaries)::numeric, 9) AS estimate,
       round(least(n0 * msw / (msb - msw), n)::numeric, 9) AS by_definition, msb > msw AS varies_beyond_chance
FROM anova;
-- segments that vary no more than chance: the cap, N (here 3 x 10 answers); one segment: NULL
SELECT nps_prior_strength(s) AS cap FROM (VALUES ('v1:2,0,0,0,0,0,0,3,0,5,0'::nps_summary), ('v1:2,0,0,0,0,0,0,3,0,5,0'), ('v1:2,0,0,0,0,0,0,3,0,5,0')) v(s);
SELECT nps_prior_strength(s) AS one_segment FROM (VALUES ('v1:2,0,0,0,0,0,0,3,0,5,0'::nps_summary)) v(s);
SELECT nps_prior_strength(s) AS no_rows FROM ms_store_summaries WHERE false;
-- the leaderboard: raw and shrunk side by side, with the estimated strength
WITH pop AS (SELECT rollup(s) AS p, nps_prior_strength(s) AS k FROM ms_store_summaries)
SELECT store, nps_responses(s) AS n, round(nps(s), 1) AS raw, round(nps_shrink(s, p, k), 1) AS shrunk,
       round((nps_shrink_interval(s, p, k)).low, 1) AS low, round((nps_shrink_interval(s, p, k)).high, 1) AS high
FROM ms_store_summaries, pop ORDER BY nps(s) DESC, store LIMIT 5;

-- ---- nps_detectable_change: (z_c + z_power) * 100 * sqrt(v (1/n_a + 1/n_b)) ----
SELECT round(nps_detectable_change(400, 400), 10) AS worst_case,
       round((1.959963984540054 + 0.8416212335729143) * 100 * sqrt(2.0 / 400), 10) AS by_hand,
       round(nps_detectable_change(100, 300, 0.45, 0.2), 10) AS with_shares,
       round((1.959963984540054 + 0.8416212335729143) * 100 * sqrt((0.65 - 0.0625) * (1.0 / 100 + 1.0 / 300)), 10) AS by_hand_shares,
       round(nps_detectable_change(1000, 1000, confidence => 0.9, power => 0.9), 10) AS at_90_90,
       round((1.6448536269514722 + 1.2815515655446004) * 100 * sqrt(2.0 / 1000), 10) AS by_hand_90_90,
       pg_typeof(nps_detectable_change(400, 400)) AS type;
-- NULL in, NULL out; shares come in pairs
SELECT nps_detectable_change(NULL, 400) AS no_n, nps_detectable_change(400, 400, confidence => NULL) AS no_confidence;
SELECT error_of($$SELECT nps_detectable_change(0, 400)$$);
SELECT error_of($$SELECT nps_detectable_change(400, -3)$$);
SELECT error_of($$SELECT nps_detectable_change(400, 400, power => 1)$$);
SELECT error_of($$SELECT nps_detectable_change(400, 400, power => 0.01)$$);
SELECT error_of($$SELECT nps_detectable_change(400, 400, confidence => 0)$$);
SELECT error_of($$SELECT nps_detectable_change(400, 400, 0.45)$$);
SELECT error_of($$SELECT nps_detectable_change(400, 400, 0.8, 0.3)$$);
-- fed from two summaries' pooled shares
WITH two AS (SELECT 'v1:20,0,0,0,0,0,0,35,0,45,0'::nps_summary AS a, 'v1:30,0,0,0,0,0,0,30,0,40,0'::nps_summary AS b)
SELECT round(nps_detectable_change(nps_responses(a), nps_responses(b),
                                   nps_promoters(a + b)::float8 / nps_responses(a + b),
                                   nps_detractors(a + b)::float8 / nps_responses(a + b)), 4) AS detectable
FROM two;
