-- The database the SQL fuzzers (sqlsmith, fuzz_sql.py) work on: nps_ext, answers with NULLs,
-- zero and fractional weights in every score type, stored summaries (plain and weighted), and a
-- table binary COPY writes raw summary bytes into. sqlsmith runs as the unprivileged role smith.
CREATE EXTENSION nps_ext;
CREATE TABLE answers (
    id bigint PRIMARY KEY, plan text, day date,
    score int, score_small smallint, score_num numeric, weight float8
);
INSERT INTO answers
SELECT g, (ARRAY['free', 'pro', 'team', NULL])[1 + g % 4], date '2026-01-01' + g % 90,
       s, s::smallint, s::numeric,
       CASE WHEN g % 13 = 0 THEN NULL WHEN g % 17 = 0 THEN 0 ELSE 0.5 + (g % 4) * 0.5 END
FROM (SELECT g, CASE WHEN g % 11 = 0 THEN NULL ELSE (g * 7 + g / 90) % 11 END AS s
      FROM generate_series(1, 5000) g) x;
CREATE TABLE daily (
    id bigserial, day date, plan text, s nps_summary, w nps_summary, day_n int,
    PRIMARY KEY (day, plan)
);
INSERT INTO daily (day, plan, s, w, day_n)
SELECT day, coalesce(plan, 'none'), nps_agg(score), nps_agg(score, weight), extract(doy FROM day)
FROM answers GROUP BY day, coalesce(plan, 'none');
CREATE TABLE received (s nps_summary);
CREATE INDEX ON daily USING hash (s);
ANALYZE answers, daily;
DO $$ BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'smith') THEN CREATE ROLE smith LOGIN; END IF;
END $$;
GRANT USAGE ON SCHEMA public TO smith;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO smith;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO smith;
