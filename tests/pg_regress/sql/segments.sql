-- Segment helpers, checked by hand. Segments:
--   a: 3 promoters, 1 passive, 1 detractor (N 5, NPS 40)
--   b: 1 promoter, 1 passive, 2 detractors (N 4, NPS -25)
--   c: 1 passive (N 1, NPS 0)
-- total: N 10, P 4, D 3 -> NPS 10
CREATE TABLE seg AS
SELECT * FROM (VALUES ('a', 'v1:0,0,0,0,0,0,1,0,1,2,1'::nps_summary),
                      ('b', 'v1:2,0,0,0,0,0,0,1,0,0,1'),
                      ('c', 'v1:0,0,0,0,0,0,0,1,0,0,0')) v(segment, s);
-- contribution = 100 * (P_s - D_s) / N_total: a 20, b -10, c 0, adding up to 10
-- impact = nps(total) - nps(rest): a 10 - (-20) = 30, b 10 - 33.33 = -23.33, c 10 - 11.11 = -1.11
-- lift = nps(segment) - nps(rest): a 40 - (-20) = 60, b -25 - 33.33 = -58.33, c 0 - 11.11 = -11.11
SELECT segment, nps(s), nps_contribution(s, total) AS contribution,
       round(nps_impact(s, total)::numeric, 2) AS impact, round(nps_lift(s, total)::numeric, 2) AS lift
FROM seg, (SELECT rollup(s) AS total FROM seg) t ORDER BY segment;
SELECT sum(nps_contribution(s, total)) AS contributions, nps(total) AS total_nps
FROM seg, (SELECT rollup(s) AS total FROM seg) t GROUP BY total;
-- the total as a window over the segments, no self-join needed
SELECT segment, nps_contribution(s, rollup(s) OVER ()) AS contribution FROM seg ORDER BY segment;
-- nothing left without the segment: no impact, no lift
SELECT nps_impact(s, s) IS NULL AS impact_null, nps_lift(s, s) IS NULL AS lift_null FROM seg WHERE segment = 'a';
SELECT nps_contribution(s, 'v1:0,0,0,0,0,0,0,0,0,0,0') IS NULL AS empty_total FROM seg WHERE segment = 'a';
SELECT error_of($$SELECT nps_impact('v1:0,0,0,0,0,0,0,0,0,0,5', 'v1:0,0,0,0,0,0,0,0,0,0,1')$$);
-- weighted: contributions still add up to the weighted total
SELECT round(sum(nps_contribution(s, total))::numeric, 10) AS contributions, round(nps(total), 10) AS total_nps
FROM (SELECT g % 4 AS k, nps_agg(g % 11, 1 + g % 3) AS s FROM generate_series(1, 1000) g GROUP BY 1) x,
     (SELECT nps_agg(g % 11, 1 + g % 3) AS total FROM generate_series(1, 1000) g) t GROUP BY total;

-- contributions add up for any partition: 12 segments of 5,000 answers
CREATE TABLE answers AS
SELECT g, (ARRAY['free', 'pro', 'team'])[1 + g % 3] AS plan, date '2026-01-01' + (g * 7) % 200 AS day,
       CASE WHEN g % 29 = 0 THEN NULL ELSE abs(hashint4(g)) % 11 END AS score
FROM generate_series(1, 5000) g;
SELECT abs(sum(c) - max(total_nps)) < 1e-9 AS adds_up, count(*) AS segments
FROM (SELECT nps_contribution(nps_agg(score), (SELECT nps_agg(score) FROM answers)) AS c,
             (SELECT nps(score) FROM answers) AS total_nps
      FROM answers GROUP BY plan, g % 4) x;

-- rolling 90-day NPS per plan, row by row against recomputation
SELECT count(*) AS rows_checked, count(*) FILTER (WHERE rolling IS DISTINCT FROM recomputed) AS mismatches
FROM (SELECT a.plan, a.day,
             nps(score) OVER (PARTITION BY plan ORDER BY day RANGE BETWEEN '89 days' PRECEDING AND CURRENT ROW) AS rolling,
             (SELECT nps(score) FROM answers b WHERE b.plan = a.plan AND b.day BETWEEN a.day - 89 AND a.day) AS recomputed
      FROM answers a) w;
-- the same from daily summaries, and cumulative
CREATE TABLE daily AS SELECT plan, day, nps_agg(score) AS s FROM answers GROUP BY plan, day;
SELECT count(*) AS rows_checked,
       count(*) FILTER (WHERE rolling IS DISTINCT FROM recomputed) AS rolling_mismatches,
       count(*) FILTER (WHERE cumulative IS DISTINCT FROM recomputed_cumulative) AS cumulative_mismatches
FROM (SELECT d.plan, d.day,
             nps(rollup(s) OVER (PARTITION BY plan ORDER BY day RANGE BETWEEN '89 days' PRECEDING AND CURRENT ROW)) AS rolling,
             (SELECT nps(score) FROM answers b WHERE b.plan = d.plan AND b.day BETWEEN d.day - 89 AND d.day) AS recomputed,
             nps(rollup(s) OVER (PARTITION BY plan ORDER BY day ROWS UNBOUNDED PRECEDING)) AS cumulative,
             (SELECT nps(score) FROM answers b WHERE b.plan = d.plan AND b.day <= d.day) AS recomputed_cumulative
      FROM daily d) w;
-- rolling margins per plan
SELECT plan, day, round(nps(r), 1) AS nps_90d, round(nps_margin(r)::numeric, 1) AS margin
FROM (SELECT plan, day, rollup(s) OVER (PARTITION BY plan ORDER BY day RANGE BETWEEN '89 days' PRECEDING AND CURRENT ROW) AS r
      FROM daily) w
WHERE day = '2026-07-19' ORDER BY plan;
SELECT plan, round(nps(score), 1) AS nps_90d, round(nps_margin(nps_agg(score))::numeric, 1) AS margin
FROM answers WHERE day BETWEEN date '2026-07-19' - 89 AND '2026-07-19' GROUP BY plan ORDER BY plan;

-- trend sparkline: one block per period, scaled from the lowest to the highest
SELECT nps_trend_sparkline(s ORDER BY k)
FROM (VALUES (1, 'v1:1,0,0,0,0,0,0,0,0,0,0'::nps_summary), (2, 'v1:0,0,0,0,0,0,0,1,0,0,0'),
             (3, NULL), (4, 'v1:0,0,0,0,0,0,0,0,0,0,1'), (5, 'v1:1,0,0,0,0,0,0,0,0,0,3')) v(k, s);
SELECT plan, nps_trend_sparkline(s ORDER BY month) AS monthly, string_agg(round(nps(s))::text, ' ' ORDER BY month) AS values
FROM (SELECT plan, date_trunc('month', day) AS month, rollup(s) AS s FROM daily GROUP BY 1, 2) m
GROUP BY plan ORDER BY plan;
DROP TABLE seg, answers, daily;
