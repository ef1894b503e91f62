-- Live summaries: nps_live_summary() keeps a table of per-bucket, per-segment summaries exact
-- as answers are inserted, updated, deleted and truncated. The expected summaries are counted
-- by hand from the few answers here, and every step is also compared with a recomputation.

SET DateStyle = 'ISO, YMD';
SET IntervalStyle = 'postgres';
-- live_mismatches(live, query): rows in the live table and not in the query's result, and the
-- other way round (0 when they are equal).
CREATE FUNCTION live_mismatches(live regclass, expected text) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE n bigint;
BEGIN
    EXECUTE format('SELECT count(*) FROM ((SELECT * FROM %s EXCEPT ALL (%s)) UNION ALL ((%s) EXCEPT ALL SELECT * FROM %s)) x',
                   live, expected, expected, live) INTO n;
    RETURN n;
END $$;

CREATE TYPE plan AS ENUM ('free', 'pro');
CREATE TABLE answers (id int PRIMARY KEY, plan plan, region text, day date, score int, note text);
INSERT INTO answers VALUES
    (1, 'free', 'eu', '2026-01-05', 9, NULL),
    (2, 'free', 'eu', '2026-01-05', 3, NULL),
    (3, 'pro', 'eu', '2026-01-05', 10, NULL),
    (4, 'pro', 'us', '2026-01-06', 7, NULL),
    (5, 'pro', 'us', '2026-01-06', 10, NULL),
    (6, 'pro', 'us', '2026-01-07', NULL, 'no answer: not a response');
SELECT nps_live_summary('answers', 'score', 'day', '1 day', '{plan,region}');
-- bucket has the time column's type, each segment its own type; the key is bucket + segments
SELECT attname, format_type(atttypid, atttypmod) AS type, attnotnull AS not_null
FROM pg_attribute WHERE attrelid = 'answers_nps_live'::regclass AND attnum > 0 ORDER BY attnum;
SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'answers_nps_live'::regclass AND contype = 'p';
SELECT obj_description('answers_nps_live'::regclass, 'pg_class');
SELECT tgname, tgtype, tgoldtable, tgnewtable, tgfoid::regprocedure FROM pg_trigger
WHERE tgrelid = 'answers'::regclass ORDER BY tgname;
-- 2026-01-05 free/eu: a 3 and a 9; pro/eu: a 10; 2026-01-06 pro/us: a 7 and a 10; the NULL
-- answer of 2026-01-07 is no response, so that day has no row
SELECT bucket, plan, region, summary, nps(summary) FROM answers_nps_live ORDER BY bucket, plan, region;

-- Each kind of change, with the summaries it leaves (and a recomputation to compare).
CREATE VIEW answers_expected AS
SELECT day AS bucket, plan, region, nps_agg(score) AS summary FROM answers WHERE score IS NOT NULL GROUP BY 1, 2, 3;
INSERT INTO answers VALUES (7, 'free', 'eu', '2026-01-05', 0, NULL), (8, 'free', 'us', '2026-01-07', 8, NULL);
SELECT bucket, plan, region, summary FROM answers_nps_live ORDER BY bucket, plan, region;
-- the score of 9 becomes 10; the NULL answer becomes a 6 (a response now)
UPDATE answers SET score = CASE id WHEN 1 THEN 10 WHEN 6 THEN 6 END WHERE id IN (1, 6);
SELECT bucket, plan, region, summary FROM answers_nps_live ORDER BY bucket, plan, region;
-- the 10 of 2026-01-05 pro/eu moves to 2026-01-06: the bucket it leaves is empty and goes
UPDATE answers SET day = '2026-01-06' WHERE id = 3;
SELECT bucket, plan, region, summary FROM answers_nps_live ORDER BY bucket, plan, region;
-- a segment changes: 2026-01-06 pro/us keeps the 10, pro/eu gets the 7
UPDATE answers SET region = 'eu' WHERE id = 4;
SELECT bucket, plan, region, summary FROM answers_nps_live ORDER BY bucket, plan, region;
-- a response becomes no response
UPDATE answers SET score = NULL WHERE id = 8;
SELECT bucket, plan, region, summary FROM answers_nps_live ORDER BY bucket, plan, region;
-- an unrelated column: the live table is not written (its rows keep their xmin)
CREATE TABLE xmins AS SELECT bucket, plan, region, xmin::text AS version FROM answers_nps_live;
UPDATE answers SET note = 'read' WHERE id <= 5;
SELECT count(*) AS rows, count(*) FILTER (WHERE l.xmin::text <> x.version) AS rewritten
FROM answers_nps_live l JOIN xmins x USING (bucket, plan, region);
-- deletes; 2026-01-07 loses its last response and its row
DELETE FROM answers WHERE id IN (2, 6);
SELECT bucket, plan, region, summary FROM answers_nps_live ORDER BY bucket, plan, region;
SELECT live_mismatches('answers_nps_live', 'TABLE answers_expected');
-- INSERT ... ON CONFLICT DO UPDATE fires both the insert and the update trigger
INSERT INTO answers VALUES (1, 'free', 'eu', '2026-01-05', 1, NULL), (9, 'pro', 'us', '2026-01-06', 9, NULL)
ON CONFLICT (id) DO UPDATE SET score = excluded.score;
-- a writable CTE deletes and inserts in one statement; COPY fires the insert trigger too
WITH gone AS (DELETE FROM answers WHERE id = 7 RETURNING *)
INSERT INTO answers SELECT 10, plan, region, day, 5, note FROM gone;
COPY answers (id, plan, region, day, score) FROM stdin;
11	pro	us	2026-01-08	9
12	pro	us	2026-01-08	\N
\.
SELECT bucket, plan, region, summary FROM answers_nps_live ORDER BY bucket, plan, region;
SELECT live_mismatches('answers_nps_live', 'TABLE answers_expected');
-- a statement that changes nothing, and a rolled-back one, leave it as it is
UPDATE answers SET score = score WHERE id = 0;
BEGIN;
DELETE FROM answers;
SELECT count(*) FROM answers_nps_live;
ROLLBACK;
SELECT count(*) AS rows, sum(nps_responses(summary)) AS responses FROM answers_nps_live;
-- TRUNCATE empties it; new answers fill it again
TRUNCATE answers;
SELECT count(*) FROM answers_nps_live;
INSERT INTO answers VALUES (1, 'pro', 'eu', '2026-02-01', 9, NULL);
SELECT bucket, plan, region, summary FROM answers_nps_live;

-- An answer needs a time and every segment: an error (class 22), never a silently missing answer.
SELECT error_of($$INSERT INTO answers VALUES (20, 'pro', NULL, '2026-02-01', 9, NULL)$$);
SELECT error_of($$INSERT INTO answers VALUES (20, 'pro', 'eu', NULL, 9, NULL), (21, 'pro', 'eu', NULL, 8, NULL)$$);
SELECT error_of($$INSERT INTO answers VALUES (20, 'pro', 'eu', 'infinity', 9, NULL)$$);
SELECT error_of($$UPDATE answers SET plan = NULL$$);
-- bad answers are the usual errors of nps_agg
SELECT error_of($$INSERT INTO answers VALUES (20, 'pro', 'eu', '2026-02-01', 11, NULL)$$);
-- a row without a score is no response: its time and segments may be NULL
INSERT INTO answers VALUES (20, NULL, NULL, NULL, NULL, NULL);
-- as psql shows it
\set SHOW_CONTEXT never
INSERT INTO answers VALUES (21, 'pro', 'eu', NULL, 9, NULL);
\set SHOW_CONTEXT errors
SELECT bucket, plan, region, summary FROM answers_nps_live;

-- Drop: the triggers and the function go; the table stays unless asked.
SELECT nps_live_summary_drop('answers');
SELECT count(*) AS triggers FROM pg_trigger WHERE tgrelid = 'answers'::regclass;
SELECT to_regprocedure('answers_nps_live()') AS function, to_regclass('answers_nps_live') AS kept_table;
INSERT INTO answers VALUES (22, 'pro', 'eu', '2026-02-01', 0, NULL);
SELECT summary FROM answers_nps_live;
SELECT error_of($$SELECT nps_live_summary_drop('answers')$$);
DROP TABLE answers_nps_live;
-- created again over the existing rows (the NULL-scored row 20 is no response)
SELECT nps_live_summary('answers', 'score', 'day', '1 month', '{plan}', target => 'monthly');
SELECT bucket, plan, summary FROM monthly;
SELECT nps_live_summary_drop('answers', drop_table => true);
SELECT to_regclass('monthly');

-- Weighted: nps_agg(score, weight); an answer with a NULL weight is skipped, as nps_agg skips it.
CREATE TABLE panel (id int, country text, answered_at timestamp, score numeric, weight real);
INSERT INTO panel VALUES (1, 'de', '2026-01-05 10:00', 9, 2), (2, 'de', '2026-01-05 11:30', 3, 0.5),
                         (3, 'de', '2026-01-05 12:00', 10, NULL), (4, 'fr', '2026-01-05 10:15', 7, 1);
SELECT nps_live_summary('panel', 'score', 'answered_at', '1 hour', '{country}', 'weight');
-- 10:00 de: a 9 weighing 2; 11:00 de: a 3 weighing 0.5; 10:00 fr: a 7 weighing 1
SELECT bucket, country, summary, round(nps(summary), 2) AS nps FROM panel_nps_live ORDER BY bucket, country;
UPDATE panel SET weight = 1.5 WHERE id = 3;
UPDATE panel SET weight = 4, answered_at = '2026-01-05 10:59' WHERE id = 2;
DELETE FROM panel WHERE id = 4;
-- 10:00 de: 9 (2) and 3 (4): 100 * (2 - 4) / 6 = -33.33; 12:00 de: 10 (1.5)
SELECT bucket, country, summary, round(nps(summary), 2) AS nps FROM panel_nps_live ORDER BY bucket, country;
SELECT live_mismatches('panel_nps_live', $$SELECT date_trunc('hour', answered_at), country, nps_agg(score, weight)
                                           FROM panel WHERE score IS NOT NULL AND weight IS NOT NULL GROUP BY 1, 2$$);
SELECT error_of($$INSERT INTO panel VALUES (5, 'de', '2026-01-05 10:00', 9, -1)$$);
SELECT nps_live_summary_drop('panel', true);

-- What a bucket is: for every time type and interval, the bucket of one answer written after
-- the live summary exists (the trigger) and of one there before (the fill), by hand:
-- fixed lengths count from Monday 2000-01-03 00:00 (days start at midnight, weeks on Monday),
-- months in blocks from January 2000 (3 months are quarters).
CREATE FUNCTION bucket_of(t anyelement, width interval) RETURNS text LANGUAGE plpgsql AS $$
DECLARE filled text; written text;
BEGIN
    EXECUTE format('CREATE TABLE bucket_probe (at %s, score int)', pg_typeof(t));
    EXECUTE 'INSERT INTO bucket_probe VALUES ($1, 1)' USING t;
    PERFORM nps_live_summary('bucket_probe', 'score', 'at', width);
    EXECUTE 'INSERT INTO bucket_probe VALUES ($1, 10)' USING t;
    SELECT string_agg(bucket::text || ' ' || nps_responses(summary), ', ') INTO filled FROM bucket_probe_nps_live;
    PERFORM nps_live_summary_drop('bucket_probe', true);
    DROP TABLE bucket_probe;
    RETURN filled;
END $$;
SELECT t, width, bucket, expected, bucket = expected || ' 2' AS ok
FROM (VALUES
    (date '2026-01-07', interval '1 day', '2026-01-07'),     -- a Wednesday
    (date '2026-01-07', interval '2 days', '2026-01-06'),    -- 9501 days after 2000-01-03: 9500 is even
    (date '2026-01-07', interval '7 days', '2026-01-05'),    -- its Monday
    (date '2026-01-07', interval '1 week', '2026-01-05'),
    (date '1999-12-31', interval '7 days', '1999-12-27'),    -- before the origin, still its Monday
    (date '2026-01-07', interval '1 month', '2026-01-01'),
    (date '2026-05-20', interval '3 months', '2026-04-01'),  -- the second quarter
    (date '2026-04-15', interval '2 months', '2026-03-01'),  -- 315 months after 2000-01, 314 is even
    (date '1999-12-31', interval '18 months', '1998-07-01'), -- 18 months before 2000-01
    (date '2027-03-01', interval '2 years', '2026-01-01'),   -- 312 = 13 * 24 months after 2000-01
    (date '2026-05-20', interval '1 year', '2026-01-01')) v(t, width, expected),
LATERAL bucket_of(t, width) AS bucket;
SELECT t, width, bucket, expected, bucket = expected || ' 2' AS ok
FROM (VALUES
    (timestamp '2026-01-07 13:47:12', interval '1 hour', '2026-01-07 13:00:00'),
    (timestamp '2026-01-07 13:47:12', interval '15 minutes', '2026-01-07 13:45:00'),
    (timestamp '2026-01-07 13:47:12', interval '90 minutes', '2026-01-07 13:30:00'),  -- 16 per day from midnight
    (timestamp '2026-01-07 13:47:12', interval '1 day', '2026-01-07 00:00:00'),
    (timestamp '2026-01-08 13:47:12', interval '1 day 12 hours', '2026-01-08 12:00:00'), -- 6335 x 36 h after 2000-01-03
    (timestamp '2026-01-07 13:47:12', interval '7 days', '2026-01-05 00:00:00'),
    (timestamp '1999-12-31 23:59:59', interval '1 day', '1999-12-31 00:00:00'),
    (timestamp '2026-01-07 13:47:12', interval '1 month', '2026-01-01 00:00:00'),
    (timestamp '2026-12-31 23:59:59', interval '3 months', '2026-10-01 00:00:00')) v(t, width, expected),
LATERAL bucket_of(t, width) AS bucket;
-- timestamptz: wall-clock buckets in the time zone of the session that created the live summary,
-- whoever writes later. New York's days are 23 hours long when summer time starts (2026-03-08)
-- and 25 when it ends (2026-11-01); both 01:30s of 2026-11-01 fall in one '1 hour' bucket, whose
-- start PostgreSQL reads as the later (standard time) 01:00.
SET TimeZone = 'America/New_York';
CREATE TABLE zoned (at timestamptz, score int);
SELECT nps_live_summary('zoned', 'score', 'at', '1 day');
SET TimeZone = 'Asia/Tokyo';
INSERT INTO zoned VALUES ('2026-03-08 06:30+00', 9),   -- 01:30 EST
                         ('2026-03-09 03:30+00', 10),  -- 23:30 EDT the same day
                         ('2026-03-09 04:30+00', 0),   -- 00:30 EDT the next day
                         ('2026-11-01 06:30+00', 6),   -- 01:30 EST, the second 01:30 of 2026-11-01
                         ('2026-11-02 04:30+00', 5),   -- 23:30 EST the same day
                         ('2026-11-02 06:00+00', 8);   -- 01:00 EST the next day
SET TimeZone = 'UTC';
SELECT bucket, lead(bucket) OVER (ORDER BY bucket) - bucket AS day_length, summary FROM zoned_nps_live ORDER BY bucket;
SELECT nps_live_summary_drop('zoned', true);
SET TimeZone = 'America/New_York';
SELECT nps_live_summary('zoned', 'score', 'at', '1 hour');
INSERT INTO zoned VALUES ('2026-11-01 05:30+00', 7);   -- 01:30 EDT
SET TimeZone = 'UTC';
SELECT bucket, summary FROM zoned_nps_live WHERE bucket BETWEEN '2026-11-01 04:00+00' AND '2026-11-01 07:00+00' ORDER BY bucket;
SELECT nps_live_summary_drop('zoned', true);
SET TimeZone = 'America/New_York';
SELECT nps_live_summary('zoned', 'score', 'at', '1 month');
SET TimeZone = 'UTC';
SELECT bucket, summary FROM zoned_nps_live ORDER BY bucket;
SELECT obj_description('zoned_nps_live'::regclass, 'pg_class');
SELECT nps_live_summary_drop('zoned', true);
RESET TimeZone;

-- Segments of several types, a domain score, a collation, an unlogged source, many rows: the
-- live table equals a recomputation after every kind of change.
CREATE DOMAIN answer AS smallint CHECK (VALUE BETWEEN 0 AND 10);
CREATE UNLOGGED TABLE survey (id int, plan plan, seats int, region text COLLATE "C", tags text[], answered_on date, score answer);
INSERT INTO survey SELECT g, (enum_range(NULL::plan))[1 + g % 2], g % 3, (ARRAY['eu', 'EU', 'us'])[1 + g % 3],
                          ARRAY['t' || g % 2], date '2026-01-01' + g % 40, CASE WHEN g % 13 = 0 THEN NULL ELSE g * 7 % 11 END
FROM generate_series(1, 3000) g;
SELECT nps_live_summary('survey', 'score', 'answered_on', '7 days', '{plan,seats,region,tags}');
SELECT relpersistence FROM pg_class WHERE oid = 'survey_nps_live'::regclass;
SELECT attname, format_type(atttypid, atttypmod) AS type, collname FROM pg_attribute LEFT JOIN pg_collation c ON c.oid = attcollation
WHERE attrelid = 'survey_nps_live'::regclass AND attnum > 0 ORDER BY attnum;
CREATE VIEW survey_expected AS
SELECT date_trunc('week', answered_on)::date, plan, seats, region, tags, nps_agg(score)
FROM survey WHERE score IS NOT NULL GROUP BY 1, 2, 3, 4, 5;
SELECT live_mismatches('survey_nps_live', 'TABLE survey_expected') AS after_fill, count(*) AS rows FROM survey_nps_live;
UPDATE survey SET score = (score + 4) % 11 WHERE id % 5 = 0;
UPDATE survey SET answered_on = answered_on + 9 WHERE id % 7 = 0;
UPDATE survey SET region = 'us', tags = tags || 'x'::text WHERE id % 11 = 0;
DELETE FROM survey WHERE id % 17 = 0;
INSERT INTO survey SELECT id + 3000, plan, seats, region, tags, answered_on - 30, score FROM survey WHERE id % 3 = 0;
SELECT live_mismatches('survey_nps_live', 'TABLE survey_expected') AS after_changes, count(*) AS rows FROM survey_nps_live;
SELECT nps_live_summary_drop('survey', true);

-- Bad arguments: class 22 for values, 42 for objects, with messages that name them.
SELECT error_of($$SELECT nps_live_summary(NULL, 'score', 'day', '1 day')$$);
SELECT error_of($$SELECT nps_live_summary('answers', 'score', 'day', NULL)$$);
SELECT error_of($$SELECT nps_live_summary('answers', 'score', 'day', '1 day', '{plan,NULL}')$$);
SELECT error_of($$SELECT nps_live_summary('answers', 'score', 'day', '0 days')$$);
SELECT error_of($$SELECT nps_live_summary('answers', 'score', 'day', '-1 day')$$);
SELECT error_of($$SELECT nps_live_summary('answers', 'score', 'day', '1 month 2 days')$$);
SELECT error_of($$SELECT nps_live_summary('answers', 'score', 'day', '6 hours')$$);
SELECT error_of($$SELECT nps_live_summary('answers', 'scores', 'day', '1 day')$$);
SELECT error_of($$SELECT nps_live_summary('answers', 'score', 'day', '1 day', '{plan,ctid}')$$);
SELECT error_of($$SELECT nps_live_summary('answers', 'note', 'day', '1 day')$$);
SELECT error_of($$SELECT nps_live_summary('answers', 'score', 'id', '1 day')$$);
SELECT error_of($$SELECT nps_live_summary('answers', 'score', 'day', '1 day', weight_column => 'note')$$);
SELECT error_of($$SELECT nps_live_summary('answers', 'score', 'day', '1 day', '{plan,plan}')$$);
CREATE TABLE clash (bucket text, nps_live_plus int, day date, score int);
SELECT error_of($$SELECT nps_live_summary('clash', 'score', 'day', '1 day', '{bucket}')$$);
SELECT error_of($$SELECT nps_live_summary('clash', 'score', 'day', '1 day', '{nps_live_plus}')$$);
-- segments named like PL/pgSQL's own variables, and quoted names, work
CREATE TABLE odd ("new" text, found int, "Answered On" date, "Score!" int);
INSERT INTO odd VALUES ('a', 1, '2026-01-05', 9);
SELECT nps_live_summary('odd', 'Score!', 'Answered On', '1 day', '{new,found}');
INSERT INTO odd VALUES ('a', 1, '2026-01-05', 3), ('b', 1, '2026-01-05', 10);
UPDATE odd SET found = 2 WHERE "Score!" = 3;
DELETE FROM odd WHERE new = 'b';
SELECT * FROM odd_nps_live ORDER BY 1, 2, 3;
SELECT nps_live_summary_drop('odd', true);
SELECT error_of($$SELECT nps_live_summary('answers', 'score', 'day', '1 day', target => 'answers')$$);
SELECT error_of($$SELECT nps_live_summary('answers_expected', 'score', 'bucket', '1 day')$$);
SELECT error_of($$SELECT nps_live_summary('nps_summary', 'score', 'day', '1 day')$$);
CREATE TABLE "a very long name for a table of answers that people really type" (day date, score int);
SELECT error_of($$SELECT nps_live_summary('"a very long name for a table of answers that people really type"', 'score', 'day', '1 day')$$);
CREATE TABLE parted (day date, score int) PARTITION BY RANGE (day);
CREATE TABLE parted_2026 PARTITION OF parted FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
SELECT error_of($$SELECT nps_live_summary('parted', 'score', 'day', '1 day')$$);
SELECT error_of($$SELECT nps_live_summary('parted_2026', 'score', 'day', '1 day')$$);
CREATE TEMPORARY TABLE scratch (day date, score int);
SELECT error_of($$SELECT nps_live_summary('scratch', 'score', 'day', '1 day')$$);
DROP TABLE scratch;
SELECT nps_live_summary('answers', 'score', 'day', '1 day');
SELECT error_of($$SELECT nps_live_summary('answers', 'score', 'day', '1 week', target => 'weekly')$$);
SELECT nps_live_summary_drop('answers', true);
SELECT error_of($$SELECT nps_live_summary_drop(NULL)$$);
SELECT error_of($$SELECT nps_live_summary_drop('answers', NULL)$$);
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT error_of($$SELECT nps_live_summary('answers', 'score', 'day', '1 day')$$);
ROLLBACK;
-- existing answers without a time or segment stop the creation, and nothing is left behind
INSERT INTO answers VALUES (30, NULL, 'eu', '2026-02-01', 9, NULL);
SELECT error_of($$SELECT nps_live_summary('answers', 'score', 'day', '1 day', '{plan}')$$);
SELECT to_regclass('answers_nps_live'), count(*) AS triggers FROM pg_trigger WHERE tgrelid = 'answers'::regclass;

-- Privileges: the caller needs what the DDL needs; writers need to write the live table too
-- (the triggers run as the writer: no SECURITY DEFINER).
CREATE ROLE nps_live_reader;
GRANT SELECT ON answers TO nps_live_reader;
GRANT CREATE ON SCHEMA public TO nps_live_reader;
SET ROLE nps_live_reader;
SELECT error_of($$SELECT nps_live_summary('answers', 'score', 'day', '1 day')$$);
RESET ROLE;
DELETE FROM answers WHERE id = 30;
SELECT nps_live_summary('answers', 'score', 'day', '1 day');
CREATE ROLE nps_live_writer;
GRANT SELECT, INSERT, UPDATE, DELETE ON answers TO nps_live_writer;
SET ROLE nps_live_writer;
SELECT error_of($$INSERT INTO answers VALUES (40, 'pro', 'eu', '2026-02-01', 9, NULL)$$);
RESET ROLE;
GRANT SELECT, INSERT, UPDATE, DELETE ON answers_nps_live TO nps_live_writer;
SET ROLE nps_live_writer;
INSERT INTO answers VALUES (40, 'pro', 'eu', '2026-02-01', 9, NULL);
DELETE FROM answers WHERE id = 40;
RESET ROLE;
SELECT live_mismatches('answers_nps_live', 'SELECT day, nps_agg(score) FROM answers WHERE score IS NOT NULL GROUP BY 1');
SELECT nps_live_summary_drop('answers', true);
REVOKE CREATE ON SCHEMA public FROM nps_live_reader;
DROP OWNED BY nps_live_reader, nps_live_writer;
DROP ROLE nps_live_reader;
DROP ROLE nps_live_writer;

DROP VIEW answers_expected, survey_expected;
DROP TABLE answers, panel, zoned, survey, xmins, parted, clash, odd,
           "a very long name for a table of answers that people really type";
DROP TYPE plan;
DROP DOMAIN answer;
DROP FUNCTION live_mismatches(regclass, text), bucket_of(anyelement, interval);

-- Nothing depends on the caller's search_path: the extension in a schema of its own, hostile
-- look-alikes of nps_agg, nps_responses and the summary operators (and of text equality) in
-- public, first on the path of the sessions that create the live summary and write answers.
CREATE DATABASE nps_live_security;
\c nps_live_security
SET DateStyle = 'ISO, YMD';
CREATE SCHEMA analytics;
CREATE EXTENSION nps_ext SCHEMA analytics;
GRANT CREATE ON SCHEMA public TO PUBLIC;
GRANT USAGE ON SCHEMA analytics TO PUBLIC;
CREATE ROLE nps_live_hostile;
SET ROLE nps_live_hostile;
CREATE FUNCTION public.nps_agg(integer) RETURNS analytics.nps_summary LANGUAGE sql
    AS $$SELECT 'v1:999,0,0,0,0,0,0,0,0,0,0'::analytics.nps_summary$$;
CREATE FUNCTION public.nps_responses(analytics.nps_summary) RETURNS bigint LANGUAGE sql AS 'SELECT 0::bigint';
CREATE FUNCTION public.hostile_summary(analytics.nps_summary, analytics.nps_summary) RETURNS analytics.nps_summary
    LANGUAGE sql AS $$SELECT 'v1:999,0,0,0,0,0,0,0,0,0,0'::analytics.nps_summary$$;
CREATE FUNCTION public.hostile_eq(analytics.nps_summary, analytics.nps_summary) RETURNS boolean LANGUAGE sql AS 'SELECT true';
CREATE FUNCTION public.hostile_text_eq(text, text) RETURNS boolean LANGUAGE sql AS 'SELECT true';
CREATE OPERATOR public.+ (LEFTARG = analytics.nps_summary, RIGHTARG = analytics.nps_summary, FUNCTION = public.hostile_summary);
CREATE OPERATOR public.- (LEFTARG = analytics.nps_summary, RIGHTARG = analytics.nps_summary, FUNCTION = public.hostile_summary);
CREATE OPERATOR public.= (LEFTARG = analytics.nps_summary, RIGHTARG = analytics.nps_summary, FUNCTION = public.hostile_eq);
CREATE OPERATOR public.= (LEFTARG = text, RIGHTARG = text, FUNCTION = public.hostile_text_eq);
RESET ROLE;
SET search_path = public, analytics, pg_catalog;
-- the look-alikes are live: unqualified calls with them first on the path reach them
SELECT nps_agg(9) AS planted_agg, 'a'::text = 'b'::text AS planted_eq;
CREATE TABLE answers (plan text, day date, score int);
INSERT INTO answers VALUES ('free', '2026-01-05', 9), ('free', '2026-01-05', 3), ('pro', '2026-01-05', 10), ('pro', '2026-01-06', 7);
SELECT analytics.nps_live_summary('answers', 'score', 'day', '1 day', '{plan}');
INSERT INTO answers VALUES ('free', '2026-01-05', 10), ('pro', '2026-01-06', 8);
UPDATE answers SET score = 0 WHERE score = 3;
UPDATE answers SET day = '2026-01-07' WHERE plan = 'pro' AND day = '2026-01-06';
DELETE FROM answers WHERE score = 10;
-- free 2026-01-05: 0 and 9; pro 2026-01-07: 7 and 8; pro 2026-01-05 lost its only answer
SELECT bucket, plan, summary FROM answers_nps_live ORDER BY bucket, plan;
SET search_path = '';
INSERT INTO public.answers VALUES ('pro', '2026-01-07', 10);
SELECT bucket, plan, summary FROM public.answers_nps_live ORDER BY bucket, plan;
SELECT analytics.nps_live_summary_drop('public.answers', true);
\c nps_regress
DROP DATABASE nps_live_security;
DROP ROLE nps_live_hostile;

-- A database owner who is not a superuser keeps a live summary of a table of their own.
CREATE ROLE nps_live_owner LOGIN;
CREATE DATABASE nps_live_owned OWNER nps_live_owner;
\c nps_live_owned nps_live_owner
SET DateStyle = 'ISO, YMD';
CREATE EXTENSION nps_ext;
CREATE TABLE answers (plan text, day date, score int);
INSERT INTO answers VALUES ('free', '2026-01-05', 9), ('pro', '2026-01-05', 3);
-- row-level security that hides rows from the caller would leave them out of the fill
ALTER TABLE answers ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE FUNCTION pg_temp.error_of(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN EXECUTE q; RETURN 'no error'; EXCEPTION WHEN others THEN RETURN SQLSTATE || ': ' || SQLERRM; END $$;
SELECT pg_temp.error_of($$SELECT nps_live_summary('answers', 'score', 'day', '1 month', '{plan}')$$);
ALTER TABLE answers DISABLE ROW LEVEL SECURITY, NO FORCE ROW LEVEL SECURITY;
SELECT nps_live_summary('answers', 'score', 'day', '1 month', '{plan}');
INSERT INTO answers VALUES ('free', '2026-01-20', 10);
SELECT bucket, plan, summary FROM answers_nps_live ORDER BY bucket, plan;
SELECT nps_live_summary_drop('answers', true);
\c nps_regress postgres
DROP DATABASE nps_live_owned;
DROP ROLE nps_live_owner;
