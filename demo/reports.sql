-- The reports an analyst asks for first. Run by scripts/demo.sh against the sample.
\pset footer off
\echo '== Overall NPS'
SELECT count(*) AS answers, count(score) AS responses,
       count(*) FILTER (WHERE nps_category(score) = 'promoter') AS promoters,
       count(*) FILTER (WHERE nps_category(score) = 'passive') AS passives,
       count(*) FILTER (WHERE nps_category(score) = 'detractor') AS detractors,
       round(nps(score), 1) AS nps
FROM responses;

\echo '== NPS by plan, with the 95% margin of error and each plan\'s contribution to the total'
SELECT plan, nps_responses(s) AS responses, nps_promoters(s) AS promoters,
       nps_passives(s) AS passives, nps_detractors(s) AS detractors, round(nps(s), 1) AS nps,
       round(nps_margin(s)::numeric, 1) AS margin,
       round(nps_contribution(s, rollup(s) OVER ())::numeric, 1) AS contribution
FROM (SELECT plan, nps_agg(score) AS s FROM responses GROUP BY plan) p ORDER BY nps DESC;

\echo '== NPS by region'
SELECT region, count(score) AS responses,
       count(*) FILTER (WHERE nps_category(score) = 'promoter') AS promoters,
       count(*) FILTER (WHERE nps_category(score) = 'passive') AS passives,
       count(*) FILTER (WHERE nps_category(score) = 'detractor') AS detractors,
       round(nps(score), 1) AS nps
FROM responses GROUP BY region ORDER BY nps DESC;

\echo '== Monthly trend, overall and by plan'
SELECT to_char(date_trunc('month', answered_on), 'YYYY-MM') AS month, count(score) AS responses,
       round(nps(score), 1) AS nps,
       round(nps(score) FILTER (WHERE plan = 'free'), 1) AS free,
       round(nps(score) FILTER (WHERE plan = 'starter'), 1) AS starter,
       round(nps(score) FILTER (WHERE plan = 'pro'), 1) AS pro,
       round(nps(score) FILTER (WHERE plan = 'enterprise'), 1) AS enterprise
FROM responses GROUP BY 1 ORDER BY 1;

\echo '== Month over month by plan: the trend at a glance, and is the last change real?'
WITH monthly AS (
    SELECT plan, date_trunc('month', answered_on) AS month, nps_agg(score) AS s FROM responses GROUP BY 1, 2
),
last_change AS (
    SELECT DISTINCT ON (plan) plan, nps_test(s, lag(s) OVER (PARTITION BY plan ORDER BY month)) AS t
    FROM monthly ORDER BY plan, month DESC
)
SELECT plan, nps_trend_sparkline(s ORDER BY month) AS trend_by_month,
       round((t).difference::numeric, 1) AS last_change, round((t).p_value::numeric, 3) AS p_value
FROM monthly JOIN last_change USING (plan) GROUP BY plan, t ORDER BY plan;

\echo '== 90-day rolling NPS of the pro plan, at each month end'
SELECT DISTINCT ON (date_trunc('month', answered_on))
       answered_on AS as_of, round(rolling_90d, 1) AS rolling_90d_nps
FROM (SELECT answered_on,
             nps(score) OVER (ORDER BY answered_on RANGE BETWEEN '89 days' PRECEDING AND CURRENT ROW) AS rolling_90d
      FROM responses WHERE plan = 'pro') r
ORDER BY date_trunc('month', answered_on), answered_on DESC;

\echo '== A live summary: daily summaries by plan, kept exact by triggers as answers arrive'
SELECT nps_live_summary('responses', score_column => 'score', time_column => 'answered_on',
                        bucket => '1 day', segments => '{plan}') AS live_view \gset
SELECT count(*) AS daily_rows, (SELECT count(score) FROM responses) AS responses,
       sum(nps_responses(summary)) AS responses_in_live_view FROM responses_nps_live;
\echo 'a batch of 40 new answers arrives for the last day, and one customer''s answers are corrected to 0'
\set QUIET on
INSERT INTO responses (customer_id, plan, region, answered_on, score)
SELECT g, 'pro', 'europe', (SELECT max(answered_on) FROM responses), 10 FROM generate_series(1, 40) g;
UPDATE responses SET score = 0 WHERE customer_id = 1 AND score IS NOT NULL;
\set QUIET off
\echo 'the last 14 days of the pro plan from the live view, as a dashboard reads them:'
SELECT to_char(bucket, 'YYYY-MM-DD') AS day, nps_responses(summary) AS responses, round(nps(summary), 1) AS nps,
       round(nps(rollup(summary) OVER (ORDER BY bucket ROWS 6 PRECEDING)), 1) AS rolling_7_days
FROM responses_nps_live WHERE plan = 'pro' ORDER BY bucket DESC LIMIT 14;
SELECT (SELECT rollup(summary) FROM responses_nps_live) = (SELECT nps_agg(score) FROM responses) AS live_view_is_exact;

\echo '== The last 30 days of two plans as JSON, for a web dashboard or PostgREST (nps_report)'
SELECT plan, jsonb_pretty(nps_report(rollup(summary)) - 'interval' - 'shares' - 'stderr') AS report
FROM responses_nps_live
WHERE bucket > (SELECT max(bucket) FROM responses_nps_live) - 30 AND plan IN ('free', 'enterprise')
GROUP BY plan ORDER BY plan;

\echo '== Which of the 20 plan x region segments really moved in June 2026? Month over month, adjusted for 20 tests'
SELECT segment, round(change::numeric, 1) AS change, round(p::numeric, 4) AS p_value,
       round(nps_adjust_p(p, 'bh') OVER ()::numeric, 4) AS bh_adjusted,
       nps_adjust_p(p, 'bh') OVER () < 0.05 AS really_moved
FROM (SELECT plan || ' / ' || region AS segment, month, (t).difference AS change, (t).p_value AS p
      FROM (SELECT plan, region, month, nps_test(s, lag(s) OVER (PARTITION BY plan, region ORDER BY month)) AS t
            FROM (SELECT plan, region, date_trunc('month', answered_on) AS month, nps_agg(score) AS s
                  FROM responses GROUP BY 1, 2, 3) m) x
      WHERE month = date '2026-06-01') y
ORDER BY p LIMIT 8;

\echo '== Small segments (plan x signup cohort, last 30 days, 6 to 63 answers each): the raw leaders, and where shrinkage puts them'
WITH seg AS (
    SELECT customers.plan || ' / ' || to_char(signup_cohort, 'YYYY-MM') AS segment, nps_agg(score) AS s
    FROM responses JOIN customers ON customers.id = responses.customer_id
    WHERE answered_on > date '2026-10-31' - 30 GROUP BY 1
), pop AS (SELECT rollup(s) AS p, nps_prior_strength(s) AS k FROM seg)
SELECT segment, nps_responses(s) AS n, round(nps(s), 1) AS raw, round(nps_shrink(s, p, k), 1) AS shrunk,
       raw_rank, shrunk_rank, round(k::numeric, 1) AS strength
FROM (SELECT seg.*, pop.*, rank() OVER (ORDER BY nps(s) DESC) AS raw_rank,
             rank() OVER (ORDER BY nps_shrink(s, p, k) DESC) AS shrunk_rank FROM seg, pop) r
ORDER BY raw_rank LIMIT 8;

\echo '== Revenue at risk: what customers whose latest answer is a detractor pay each month, per plan, and the revenue-weighted NPS'
SELECT plan, count(*) FILTER (WHERE nps_category(score) = 'detractor') AS detractors,
       sum(monthly_revenue) FILTER (WHERE nps_category(score) = 'detractor') AS revenue_at_risk,
       round(100 * sum(monthly_revenue) FILTER (WHERE nps_category(score) = 'detractor')
             / nullif(sum(monthly_revenue) FILTER (WHERE score IS NOT NULL), 0), 1) AS pct_of_revenue,
       round(nps(score), 1) AS nps, round(nps(score, monthly_revenue::float8)::numeric, 1) AS revenue_weighted_nps
FROM (SELECT DISTINCT ON (customer_id) customer_id, score FROM responses
      ORDER BY customer_id, answered_on DESC) latest
JOIN customers ON customers.id = latest.customer_id
GROUP BY plan ORDER BY revenue_at_risk DESC;
