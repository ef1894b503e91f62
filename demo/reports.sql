-- The reports an analyst asks for first. Run by scripts/demo.sh against the sample.
\pset footer off
\echo '== Overall NPS'
SELECT count(*) AS answers, count(score) AS responses,
       count(*) FILTER (WHERE nps_category(score) = 'promoter') AS promoters,
       count(*) FILTER (WHERE nps_category(score) = 'passive') AS passives,
       count(*) FILTER (WHERE nps_category(score) = 'detractor') AS detractors,
       round(nps(score), 1) AS nps
FROM responses;

\echo '== NPS by plan'
SELECT plan, count(score) AS responses,
       count(*) FILTER (WHERE nps_category(score) = 'promoter') AS promoters,
       count(*) FILTER (WHERE nps_category(score) = 'passive') AS passives,
       count(*) FILTER (WHERE nps_category(score) = 'detractor') AS detractors,
       round(nps(score), 1) AS nps
FROM responses GROUP BY plan ORDER BY nps DESC;

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

\echo '== 90-day rolling NPS of the pro plan, at each month end'
SELECT DISTINCT ON (date_trunc('month', answered_on))
       answered_on AS as_of, round(rolling_90d, 1) AS rolling_90d_nps
FROM (SELECT answered_on,
             nps(score) OVER (ORDER BY answered_on RANGE BETWEEN '89 days' PRECEDING AND CURRENT ROW) AS rolling_90d
      FROM responses WHERE plan = 'pro') r
ORDER BY date_trunc('month', answered_on), answered_on DESC;
