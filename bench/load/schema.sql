-- The load test's database: answers (with NULL scores and weights, survey weights that are
-- exact in binary so sums of them are exact in any order) and the daily summaries kept by
-- upserts. :rows answers over 365 days and 4 plans.
CREATE EXTENSION nps_ext;
CREATE TABLE answers (
    id bigserial PRIMARY KEY, plan int NOT NULL, day date NOT NULL, score smallint, weight float8
);
INSERT INTO answers (plan, day, score, weight)
SELECT 1 + g % 4, date '2026-01-01' + ((g::bigint * 7919) % 365)::int,
       CASE WHEN g % 19 = 0 THEN NULL ELSE (g * 31 + g / 365) % 11 END,
       CASE WHEN g % 23 = 0 THEN NULL ELSE 0.5 * (1 + g % 4) END
FROM generate_series(1, :rows) g;
CREATE INDEX ON answers (day);
CREATE TABLE daily (
    day date, plan int, s nps_summary NOT NULL, w nps_summary NOT NULL, PRIMARY KEY (day, plan)
);
INSERT INTO daily SELECT day, plan, nps_agg(score), nps_agg(score, weight) FROM answers GROUP BY day, plan;
VACUUM ANALYZE answers, daily;
