-- The data every driver suite (JDBC, node-postgres, asyncpg, ODBC) works on, in a database of
-- its own. The suites compute what they expect from the raw answers they read back, never from
-- the extension. 300 answers over three plans and ten days; every 13th answer NULL; the same
-- answers as double precision (what pandas and CSV loaders write), with NaN where they are
-- missing in one copy.
CREATE EXTENSION nps_ext;
CREATE TABLE answers (
    id integer PRIMARY KEY,
    plan text NOT NULL,
    answered_at timestamptz NOT NULL,
    score smallint,
    fscore double precision,
    weight double precision NOT NULL
);
INSERT INTO answers
SELECT g, (ARRAY['free', 'pro', 'team'])[1 + g % 3], timestamptz '2026-03-01 00:00:00+00' + (g % 10) * interval '1 day',
       s, s::double precision, 0.5 + (g % 4) * 0.25
FROM (SELECT g, CASE WHEN g % 13 = 0 THEN NULL ELSE least(10, (g * 7) % 11 + g % 3) END AS s
      FROM generate_series(1, 300) g) t;
-- summaries the suites store, read and sort
CREATE TABLE stored (id integer PRIMARY KEY, summary nps_summary);
-- a table with a live summary, for batches of inserts
CREATE TABLE live_answers (plan text, answered_at timestamptz, score smallint);
SELECT nps_live_summary('live_answers', 'score', 'answered_at', '1 day', ARRAY['plan']) IS NOT NULL AS live;
