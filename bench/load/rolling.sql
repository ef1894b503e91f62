-- Rolling 28-day NPS per plan over the daily summaries, and a 7-day rolling nps() over answers.
\set plan random(1, 4)
\set day random(7, 364)
SELECT count(x) FROM (
    SELECT nps(rollup(s) OVER w) AS x FROM daily WHERE plan = :plan
    WINDOW w AS (ORDER BY day RANGE BETWEEN '27 days' PRECEDING AND CURRENT ROW)) r;
SELECT count(x) FROM (
    SELECT nps(score) OVER w AS x FROM answers
    WHERE plan = :plan AND day BETWEEN date '2026-01-01' + :day - 7 AND date '2026-01-01' + :day
    WINDOW w AS (ORDER BY day RANGE BETWEEN '6 days' PRECEDING AND CURRENT ROW)) a;
