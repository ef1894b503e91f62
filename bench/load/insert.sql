-- New answers for one plan and day, and the daily summary upserted in the same statement (one
-- key per statement, so concurrent upserts never deadlock and never hold a key twice).
\set plan random(1, 4)
\set day random(0, 364)
\set n random(1, 20)
WITH new AS (
    INSERT INTO answers (plan, day, score, weight)
    SELECT :plan, date '2026-01-01' + :day,
           CASE WHEN random() < 0.05 THEN NULL ELSE floor(random() * 11) END,
           CASE WHEN random() < 0.05 THEN NULL ELSE 0.5 * ceil(random() * 4) END
    FROM generate_series(1, :n)
    RETURNING plan, day, score, weight
)
INSERT INTO daily AS t (day, plan, s, w)
SELECT day, plan, nps_agg(score), nps_agg(score, weight) FROM new GROUP BY day, plan
ON CONFLICT (day, plan) DO UPDATE SET s = t.s + excluded.s, w = t.w + excluded.w;
