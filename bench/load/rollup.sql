-- Monthly rollups of the stored summaries, with intervals, unweighted and weighted.
SELECT plan, date_trunc('month', day) AS month, nps(rollup(s)), nps_ci_low(rollup(s)), nps_ci_high(rollup(s)),
       nps_margin(rollup(w))
FROM daily GROUP BY plan, month;
