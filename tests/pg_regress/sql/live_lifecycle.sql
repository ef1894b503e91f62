-- Live summaries over a table's life: an ETL job dropping and creating it again, renames,
-- loads with triggers disabled, partitions created, attached, truncated and dropped. Each step
-- is compared with nps_live_summary_check (a recomputation in the same snapshot) and, where
-- it matters, with a recomputation written by hand.

SET DateStyle = 'ISO, YMD';
SET TimeZone = 'UTC';
CREATE ROLE nps_lifecycle_reader;

-- An ETL job drops the table with CASCADE and makes it again. What the live summary left is
-- recognised by its configuration (not by name alone) and reused: the view keeps its grants
-- and the views built on it.
CREATE TABLE answers (id int, plan text, day date, score int);
INSERT INTO answers VALUES (1, 'free', '2026-01-05', 9), (2, 'pro', '2026-01-05', 3);
SELECT nps_live_summary('answers', 'score', 'day', '1 day', '{plan}');
GRANT SELECT ON answers_nps_live TO nps_lifecycle_reader;
CREATE VIEW weekly AS SELECT date_trunc('week', bucket)::date AS week, plan, rollup(summary) AS summary
                      FROM answers_nps_live GROUP BY 1, 2;
DROP TABLE answers CASCADE;
SELECT count(*) AS triggers_left FROM pg_trigger WHERE tgname LIKE 'nps_live%' AND tgrelid::regclass::text = 'answers';
CREATE TABLE answers (id int, plan text, day date, score int);
INSERT INTO answers VALUES (1, 'free', '2026-01-06', 10), (2, 'free', '2026-01-06', 10), (3, 'team', '2026-01-06', 0);
SELECT nps_live_summary('answers', 'score', 'day', '1 day', '{plan}');
-- the new answers only; the grant and the view on it are still there
SELECT * FROM weekly ORDER BY plan;
SELECT has_table_privilege('nps_lifecycle_reader', 'answers_nps_live', 'SELECT') AS reader_keeps_select;
SELECT source_name, (SELECT source FROM answers_nps_live_config) = 'answers'::regclass AS follows_the_new_table
FROM answers_nps_live_config;
-- dropped without CASCADE too, and its live view dropped by hand: made again
DROP TABLE answers;
DROP VIEW weekly;
DROP VIEW answers_nps_live;
CREATE TABLE answers (id int, plan text, day date, score int);
INSERT INTO answers VALUES (1, 'pro', '2026-01-07', 8);
SELECT nps_live_summary('answers', 'score', 'day', '1 day', '{plan}');
SELECT bucket, plan, summary FROM answers_nps_live;
-- the same name with another shape (a new segment): made anew, unless views depend on it
CREATE VIEW latest AS SELECT max(bucket) FROM answers_nps_live;
DROP TABLE answers CASCADE;
CREATE TABLE answers (id int, plan text, region text, day date, score int);
SELECT error_of($$SELECT nps_live_summary('answers', 'score', 'day', '1 day', '{plan,region}')$$);
DROP VIEW latest;
SELECT nps_live_summary('answers', 'score', 'day', '1 day', '{plan,region}');
SELECT attname FROM pg_attribute WHERE attrelid = 'answers_nps_live'::regclass AND attnum > 0 ORDER BY attnum;
-- a leftover whose source is gone is dropped by naming its view
DROP TABLE answers;
SELECT nps_live_summary_drop('answers_nps_live', true);
SELECT count(*) FROM pg_class WHERE relname LIKE 'answers\_nps\_live%';

-- An ETL job that builds the new table beside the old one and swaps it in by renames, dropping
-- the old one last, as dbt's table models do. Until it is dropped, the old table keeps the
-- live summary (its triggers follow it); asked for the new table meanwhile (a dbt post-hook
-- inside the transaction), nps_live_summary names the table that holds it; after, it reuses it.
CREATE TABLE answers (id int, plan text, day date, score int);
INSERT INTO answers VALUES (1, 'free', '2026-01-05', 9);
SELECT nps_live_summary('answers', 'score', 'day', '1 day', '{plan}');
GRANT SELECT ON answers_nps_live TO nps_lifecycle_reader;
BEGIN;
CREATE TABLE answers__dbt_tmp (id int, plan text, day date, score int);
INSERT INTO answers__dbt_tmp VALUES (1, 'free', '2026-01-05', 9), (2, 'pro', '2026-01-06', 10);
ALTER TABLE answers RENAME TO answers__dbt_backup;
ALTER TABLE answers__dbt_tmp RENAME TO answers;
SAVEPOINT post_hook;
SELECT nps_live_summary('answers', 'score', 'day', '1 day', '{plan}');
ROLLBACK TO post_hook;
INSERT INTO answers__dbt_backup VALUES (3, 'team', '2026-01-07', 0);
COMMIT;
SELECT bucket, plan, summary FROM answers_nps_live ORDER BY bucket, plan;
DROP TABLE answers__dbt_backup CASCADE;
SELECT nps_live_summary('answers', 'score', 'day', '1 day', '{plan}');
SELECT bucket, plan, summary FROM answers_nps_live ORDER BY bucket, plan;
SELECT has_table_privilege('nps_lifecycle_reader', 'answers_nps_live', 'SELECT') AS reader_keeps_select;
SELECT nps_live_summary_drop('answers', true);
DROP TABLE answers;

-- Renaming the source or a summarized column never makes a write fail: the triggers follow
-- the table, and columns are found by name, or by number once renamed; the next fold writes
-- the new names into the configuration (so that a dump carries them).
CREATE TABLE answers (id int, plan text, day date, score int);
INSERT INTO answers VALUES (1, 'free', '2026-01-05', 9);
SELECT nps_live_summary('answers', 'score', 'day', '1 day', '{plan}');
ALTER TABLE answers RENAME TO responses;
ALTER TABLE responses RENAME COLUMN score TO rating;
ALTER TABLE responses RENAME COLUMN plan TO tier;
ALTER TABLE responses RENAME COLUMN day TO answered_on;
INSERT INTO responses VALUES (2, 'free', '2026-01-05', 10), (3, 'pro', '2026-01-06', 0);
UPDATE responses SET tier = 'pro' WHERE id = 1;
SELECT bucket, plan, summary FROM answers_nps_live ORDER BY bucket, plan;
SELECT * FROM nps_live_summary_check('responses');
SELECT nps_live_summary_refresh('responses');
SELECT source_name, score_column, time_column, segments FROM answers_nps_live_config;
SELECT nps_live_summary_drop('responses', true);
DROP TABLE responses;
-- Renaming the schema: the triggers name the configuration by its old schema; it is found in
-- the source's schema by its own name, and the next refresh names it anew.
CREATE SCHEMA survey;
CREATE TABLE survey.answers (id int, plan text, day date, score int);
INSERT INTO survey.answers VALUES (1, 'free', '2026-01-05', 9);
SELECT nps_live_summary('survey.answers', 'score', 'day', '1 day', '{plan}');
ALTER SCHEMA survey RENAME TO feedback;
INSERT INTO feedback.answers VALUES (2, 'pro', '2026-01-05', 10);
SELECT bucket, plan, summary FROM feedback.answers_nps_live ORDER BY bucket, plan;
SELECT * FROM nps_live_summary_check('feedback.answers');
SELECT nps_live_summary_refresh('feedback.answers') AS corrected;
SELECT DISTINCT encode(tgargs, 'escape') AS configuration FROM pg_trigger WHERE tgrelid = 'feedback.answers'::regclass;
SELECT source_name FROM feedback.answers_nps_live_config;
SELECT nps_live_summary_drop('feedback.answers', true);
DROP SCHEMA feedback CASCADE;

-- Loads made with triggers disabled, and rows changed behind the summary's back: check shows
-- each key that differs (and that the triggers are off); refresh puts it right, for a range of
-- buckets or all of them, and returns how many keys it corrected.
CREATE TABLE answers (id int, plan text, day date, score int);
INSERT INTO answers SELECT g, (ARRAY['free', 'pro'])[1 + g % 2], date '2026-01-01' + g % 10, g % 11 FROM generate_series(1, 200) g;
SELECT nps_live_summary('answers', 'score', 'day', '1 day', '{plan}');
ALTER TABLE answers DISABLE TRIGGER USER;
INSERT INTO answers VALUES (1000, 'free', '2026-01-02', 10), (1001, 'pro', '2026-01-09', 0);
-- (ENABLE TRIGGER USER enables every trigger for ordinary sessions only: the replication and
-- TRUNCATE triggers lose their settings, which check reports and refresh restores)
DELETE FROM answers WHERE id = 3;  -- 2026-01-04, pro, a 3
ALTER TABLE answers ENABLE TRIGGER USER;
-- a delete of a row the summary never had leaves nothing below zero (the first write the
-- summary sees in a session folds as it commits, so the insert after it counts)
DELETE FROM answers WHERE id = 1000;
INSERT INTO answers VALUES (1000, 'free', '2026-01-02', 10);
SELECT * FROM nps_live_summary_check('answers');
SELECT * FROM nps_live_summary_check('answers', '2026-01-03', '2026-01-05');
SELECT nps_live_summary_refresh('answers', '2026-01-03', '2026-01-05') AS corrected;
SELECT * FROM nps_live_summary_check('answers');
SELECT nps_live_summary_refresh('answers') AS corrected;
SELECT count(*) AS differences FROM nps_live_summary_check('answers');
SELECT (SELECT count(*) FROM ((TABLE answers_nps_live EXCEPT ALL
                               SELECT day, plan, nps_agg(score) FROM answers GROUP BY 1, 2)
                              UNION ALL (SELECT day, plan, nps_agg(score) FROM answers GROUP BY 1, 2
                                         EXCEPT ALL TABLE answers_nps_live)) x) AS mismatches;
ALTER TABLE answers DISABLE TRIGGER nps_live_update;
SELECT * FROM nps_live_summary_check('answers');
ALTER TABLE answers ENABLE TRIGGER nps_live_update;
SELECT nps_live_summary_drop('answers', true);
DROP TABLE answers;

-- Partitioned by range of time, with a partition partitioned again: statements addressed to
-- the parent and to partitions directly are summarized, rows moving between partitions too.
CREATE TABLE answers (id int, region text, at timestamptz, score int) PARTITION BY RANGE (at);
CREATE TABLE answers_2025 PARTITION OF answers FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE TABLE answers_2026 PARTITION OF answers FOR VALUES FROM ('2026-01-01') TO ('2027-01-01') PARTITION BY LIST (region);
CREATE TABLE answers_2026_eu PARTITION OF answers_2026 FOR VALUES IN ('eu');
CREATE TABLE answers_2026_other PARTITION OF answers_2026 DEFAULT;
INSERT INTO answers SELECT g, (ARRAY['eu', 'us', NULL])[1 + g % 3], timestamptz '2025-10-01' + g * interval '1 day', g % 11
FROM generate_series(1, 200) g;
SELECT nps_live_summary('answers', 'score', 'at', '1 month', '{region}');
-- every relation of the tree has the statement triggers; the parent's row triggers (for
-- replication) are on every partition, enabled for replication only
SELECT tgrelid::regclass AS relation, string_agg(tgname || ':' || tgenabled::text, ' ' ORDER BY tgname) AS triggers
FROM pg_trigger WHERE tgname LIKE 'nps_live%' GROUP BY 1 ORDER BY 1;
INSERT INTO answers VALUES (1000, 'eu', '2026-03-05', 10);                 -- to the parent
INSERT INTO answers_2026_eu VALUES (1001, 'eu', '2026-03-06', 0);           -- to a leaf
INSERT INTO answers_2026 VALUES (1002, 'us', '2026-03-06', 9);              -- to the partition between
UPDATE answers SET at = at + interval '6 months' WHERE id BETWEEN 60 AND 70; -- rows move from 2025 to 2026
UPDATE answers_2026_other SET score = 3 WHERE id = 150;
DELETE FROM answers_2026_eu WHERE id = 1001;
SELECT * FROM nps_live_summary_check('answers');
-- TRUNCATE of one partition takes its answers out; of the parent, everything
SELECT nps_responses(rollup(summary)) AS before FROM answers_nps_live WHERE bucket < '2026-01-01';
TRUNCATE answers_2025;
SELECT nps_responses(rollup(summary)) AS after FROM answers_nps_live WHERE bucket < '2026-01-01';
SELECT * FROM nps_live_summary_check('answers');
-- a partition created later: rows sent through the parent count at once, rows written to it
-- directly once nps_live_summary_refresh has given it the triggers (check says so meanwhile)
CREATE TABLE answers_2027 PARTITION OF answers FOR VALUES FROM ('2027-01-01') TO ('2028-01-01');
INSERT INTO answers VALUES (2000, 'eu', '2027-02-01', 10);
INSERT INTO answers_2027 VALUES (2001, 'eu', '2027-02-01', 6);
SELECT * FROM nps_live_summary_check('answers');
SELECT nps_live_summary_refresh('answers') AS corrected;
INSERT INTO answers_2027 VALUES (2002, 'eu', '2027-02-01', 7);
SELECT * FROM nps_live_summary_check('answers');
-- a table attached with its rows: refresh counts them
CREATE TABLE answers_2028 (id int, region text, at timestamptz, score int);
INSERT INTO answers_2028 VALUES (3000, 'us', '2028-05-01', 9), (3001, 'us', '2028-05-02', 10);
ALTER TABLE answers ATTACH PARTITION answers_2028 FOR VALUES FROM ('2028-01-01') TO ('2029-01-01');
SELECT nps_live_summary_refresh('answers') AS corrected;
SELECT bucket, region, summary FROM answers_nps_live WHERE bucket >= '2028-01-01';
-- Retention: dropping (or detaching) an old partition removes no answer from the summary,
-- which keeps that history, as TimescaleDB's continuous aggregates do. Check and refresh over
-- the buckets the table still holds see no difference; over all, check shows the history kept,
-- and refresh of all buckets would give it up.
INSERT INTO answers VALUES (4000, 'eu', '2025-06-01', 10);
DROP TABLE answers_2025;
SELECT bucket, region, summary FROM answers_nps_live WHERE bucket < '2026-01-01';
SELECT count(*) AS differences_since_2026 FROM nps_live_summary_check('answers', '2026-01-01', NULL);
SELECT key, live, expected FROM nps_live_summary_check('answers') ORDER BY key::text;
TRUNCATE answers;
SELECT count(*) FROM answers_nps_live;
SELECT nps_live_summary_drop('answers', true);
SELECT count(*) AS triggers_left FROM pg_trigger WHERE tgname LIKE 'nps_live%' AND NOT tgisinternal;
-- Two live summaries of the partitioned table, months by region and years: the triggers of
-- every member keep both, a partition created later gets triggers keeping both from the
-- refresh of either, and dropping one leaves the other kept.
SELECT nps_live_summary('answers', 'score', 'at', '1 month', '{region}');
SELECT nps_live_summary('answers', 'score', 'at', '1 year', target => 'answers_yearly');
CREATE TABLE answers_2029 PARTITION OF answers FOR VALUES FROM ('2029-01-01') TO ('2030-01-01');
SELECT nps_live_summary_refresh('answers_yearly') AS corrected;
SELECT tgrelid::regclass AS relation, count(*) AS triggers, count(*) FILTER (WHERE tgnargs = 2) AS keeping_both
FROM pg_trigger WHERE tgname LIKE 'nps_live%' GROUP BY 1 ORDER BY 1;
INSERT INTO answers VALUES (5000, 'eu', '2026-02-01', 10), (5001, 'us', '2027-03-01', 2);
INSERT INTO answers_2029 VALUES (5002, 'eu', '2029-01-05', 9);
UPDATE answers SET at = '2028-07-01' WHERE id = 5000;
-- years: 2027 a 2, 2028 the 10 moved from 2026, 2029 a 9 written to the new partition
SELECT bucket, summary FROM answers_yearly ORDER BY bucket;
SELECT (SELECT count(*) FROM nps_live_summary_check('answers_nps_live')) AS months_differing,
       (SELECT count(*) FROM nps_live_summary_check('answers_yearly')) AS years_differing;
SELECT nps_live_summary_drop('answers_yearly', true);
SELECT tgrelid::regclass AS relation, count(*) AS triggers, count(*) FILTER (WHERE tgnargs = 1) AS keeping_one
FROM pg_trigger WHERE tgname LIKE 'nps_live%' GROUP BY 1 ORDER BY 1;
INSERT INTO answers_2029 VALUES (5003, 'eu', '2029-01-06', 0);
SELECT count(*) AS months_differing FROM nps_live_summary_check('answers');
SELECT nps_live_summary_drop('answers', true);
DROP TABLE answers;
DROP ROLE nps_lifecycle_reader;
