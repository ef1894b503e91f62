-- A realistic sample of survey answers: 20,000 customers on four plans in five regions, signed
-- up in monthly cohorts, answering 1 to 4 times over a year; about 3% skip the question (NULL).
-- Deterministic (setseed), so the reports are the same on every run.
SELECT setseed(0.2026) \g /dev/null

DROP TABLE IF EXISTS responses, customers;

CREATE TABLE customers AS
SELECT id,
       (ARRAY['free', 'starter', 'pro', 'enterprise'])[1 + (random() ^ 1.5 * 4)::int % 4] AS plan,
       (ARRAY['north america', 'europe', 'latin america', 'asia pacific', 'africa'])
           [1 + (random() * 4.6)::int % 5] AS region,
       date_trunc('month', date '2024-06-01' + (random() * 800)::int)::date AS signup_cohort
FROM generate_series(1, 20000) id;

-- Each plan has its own promoter/detractor shares, and the pro plan dips in the summer
-- (a release that annoyed users) before recovering.
CREATE TABLE responses AS
WITH answers AS (
    SELECT c.id AS customer_id, c.plan, c.region,
           date '2025-11-01' + (random() * 364)::int AS answered_on,
           random() AS u, random() AS v, random() AS skip
    FROM customers c, generate_series(1, 1 + (random() * 3 + 0 * c.id)::int) -- c.id: a draw per customer
),
shares AS (
    SELECT a.*,
           CASE plan WHEN 'free' THEN 0.38 WHEN 'starter' THEN 0.45 WHEN 'pro' THEN 0.55 ELSE 0.62 END
             - CASE WHEN plan = 'pro' AND answered_on BETWEEN '2026-06-01' AND '2026-08-15' THEN 0.20 ELSE 0 END
             + CASE region WHEN 'europe' THEN 0.03 WHEN 'asia pacific' THEN -0.04 ELSE 0 END AS p_promoter,
           CASE plan WHEN 'free' THEN 0.30 WHEN 'starter' THEN 0.22 WHEN 'pro' THEN 0.15 ELSE 0.12 END
             + CASE WHEN plan = 'pro' AND answered_on BETWEEN '2026-06-01' AND '2026-08-15' THEN 0.15 ELSE 0 END
             AS p_detractor
    FROM answers a
)
SELECT customer_id, plan, region, answered_on,
       CASE WHEN skip < 0.03 THEN NULL
            WHEN u < p_promoter THEN 9 + (v < 0.55)::int
            WHEN u < 1 - p_detractor THEN 7 + (v < 0.5)::int
            ELSE (ARRAY[0, 1, 2, 3, 4, 5, 5, 6, 6, 6])[1 + (v * 9.999)::int]
       END::smallint AS score
FROM shares;

-- What each customer pays a month, for revenue at risk: by plan and account size. No random
-- draw, so the answers above are the same as without it.
ALTER TABLE customers ADD COLUMN monthly_revenue numeric;
UPDATE customers SET monthly_revenue = CASE plan WHEN 'free' THEN 0 WHEN 'starter' THEN 29 WHEN 'pro' THEN 99 ELSE 499 END
                                       * (1 + abs(hashint4(id)) % 20);

ALTER TABLE responses ADD CONSTRAINT score_is_an_answer CHECK (nps_category(score) IS NOT NULL OR score IS NULL);
CREATE INDEX ON responses (answered_on);
ANALYZE customers, responses;
