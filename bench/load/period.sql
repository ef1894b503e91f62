-- Month over month: nps_test of each month against the one before, per plan.
\set plan random(1, 4)
SELECT month, (nps_test(s, lag(s) OVER (ORDER BY month))).*
FROM (SELECT date_trunc('month', day) AS month, rollup(s) AS s FROM daily WHERE plan = :plan GROUP BY 1) m;
