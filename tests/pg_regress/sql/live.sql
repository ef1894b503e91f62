-- Live summaries: nps_live_summary() keeps a view of per-bucket, per-segment summaries exact
-- as answers are inserted, updated, deleted and truncated. The expected summaries are counted
-- by hand from the few answers here, and every step is also compared with a recomputation
-- written independently (date_trunc, not nps_live_bucket).

SET DateStyle = 'ISO, YMD';
SET IntervalStyle = 'postgres';
-- live_mismatches(live, query): rows in the live view and not in the query's result, and the
-- other way round (0 when they are equal; EXCEPT ALL matches NULLs as GROUP BY groups them).
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
    (6, 'pro', 'us', '2026-01-07', NULL, 'no answer: not a response'),
    (7, 'pro', NULL, '2026-01-06', 8, 'region not known yet'),
    (8, NULL, NULL, NULL, 6, 'nothing known but the score');
SELECT nps_live_summary('answers', 'score', 'day', '1 day', '{plan,region}');
-- what it made, all the caller's here: the view users read, the folded data, the changes not
-- folded yet, the configuration its triggers read (which autovacuum leaves alone: its row is
-- updated at every fold, and an autovacuum of it would make every writer read it again)
SELECT c.relname, c.relkind, pg_get_userbyid(c.relowner) = current_user AS mine, c.reloptions
FROM pg_class c WHERE c.relname LIKE 'answers\_nps\_live%' ORDER BY 1;
-- the view: bucket of the time column's type, each segment its own type, the summary
SELECT attname, format_type(atttypid, atttypmod) AS type
FROM pg_attribute WHERE attrelid = 'answers_nps_live'::regclass AND attnum > 0 ORDER BY attnum;
SELECT obj_description('answers_nps_live'::regclass, 'pg_class');
-- statement triggers for ordinary sessions, row triggers for logical replication only,
-- TRUNCATE in both
SELECT tgname, tgenabled, tgtype, tgoldtable, tgnewtable, tgfoid::regprocedure FROM pg_trigger
WHERE tgrelid = 'answers'::regclass ORDER BY tgname;
-- 2026-01-05 free/eu: a 3 and a 9; pro/eu: a 10; 2026-01-06 pro/us: a 7 and a 10; pro with no
-- region: an 8; and an answer with no plan, region or day: a 6, in a group of its own. The
-- NULL answer of 2026-01-07 is no response, so that day has no row.
SELECT bucket, plan, region, summary, nps(summary) FROM answers_nps_live ORDER BY bucket, plan, region;

-- Each kind of change, with the summaries it leaves (and a recomputation to compare).
CREATE VIEW answers_expected AS
SELECT day AS bucket, plan, region, nps_agg(score) AS summary FROM answers WHERE score IS NOT NULL GROUP BY 1, 2, 3;
INSERT INTO answers VALUES (9, 'free', 'eu', '2026-01-05', 0, NULL), (10, 'free', 'us', '2026-01-07', 8, NULL);
SELECT bucket, plan, region, summary FROM answers_nps_live ORDER BY bucket, plan, region;
-- the score of 9 becomes 10; the NULL answer becomes a 6 (a response now)
UPDATE answers SET score = CASE id WHEN 1 THEN 10 WHEN 6 THEN 6 END WHERE id IN (1, 6);
SELECT bucket, plan, region, summary FROM answers_nps_live ORDER BY bucket, plan, region;
-- the 10 of 2026-01-05 pro/eu moves to 2026-01-06: the bucket it leaves is empty and goes
UPDATE answers SET day = '2026-01-06' WHERE id = 3;
-- a segment changes: 2026-01-06 pro/us keeps the 10, pro/eu gets the 7; the region becomes known
UPDATE answers SET region = 'eu' WHERE id IN (4, 7);
SELECT bucket, plan, region, summary FROM answers_nps_live ORDER BY bucket, plan, region;
-- a response becomes no response; the group without plan, region and day loses its answer
UPDATE answers SET score = NULL WHERE id IN (10, 8);
SELECT bucket, plan, region, summary FROM answers_nps_live ORDER BY bucket, plan, region;
-- an unrelated column: nothing is appended for it
SELECT count(*) AS pending_before FROM answers_nps_live_delta \gset
UPDATE answers SET note = 'read' WHERE id <= 5;
SELECT count(*) - :pending_before AS appended FROM answers_nps_live_delta;
-- deletes; 2026-01-07 loses its last response and its row
DELETE FROM answers WHERE id IN (2, 6);
SELECT bucket, plan, region, summary FROM answers_nps_live ORDER BY bucket, plan, region;
SELECT live_mismatches('answers_nps_live', 'TABLE answers_expected');
-- INSERT ... ON CONFLICT DO UPDATE fires both the insert and the update trigger
INSERT INTO answers VALUES (1, 'free', 'eu', '2026-01-05', 1, NULL), (11, 'pro', 'us', '2026-01-06', 9, NULL)
ON CONFLICT (id) DO UPDATE SET score = excluded.score;
-- a writable CTE deletes and inserts in one statement; COPY fires the insert trigger too
WITH gone AS (DELETE FROM answers WHERE id = 9 RETURNING *)
INSERT INTO answers SELECT 12, plan, region, day, 5, note FROM gone;
COPY answers (id, plan, region, day, score) FROM stdin;
13	pro	us	2026-01-08	9
14	pro	us	2026-01-08	\N
15	\N	\N	\N	4
\.
SELECT bucket, plan, region, summary FROM answers_nps_live ORDER BY bucket, plan, region;
SELECT live_mismatches('answers_nps_live', 'TABLE answers_expected');
-- a statement that changes nothing, a rolled-back one and a rolled-back savepoint leave it
UPDATE answers SET score = score WHERE id = 0;
BEGIN;
DELETE FROM answers;
SELECT count(*) FROM answers_nps_live;
ROLLBACK;
BEGIN;
INSERT INTO answers VALUES (20, 'pro', 'eu', '2026-01-09', 10, NULL);
SAVEPOINT s;
DELETE FROM answers WHERE id = 20;
INSERT INTO answers VALUES (21, 'pro', 'eu', '2026-01-09', 0, NULL);
ROLLBACK TO SAVEPOINT s;
COMMIT;
SELECT bucket, plan, region, summary FROM answers_nps_live WHERE bucket = '2026-01-09';
SELECT live_mismatches('answers_nps_live', 'TABLE answers_expected');
-- folding moves every pending change into the data, and the view reads the same
SELECT nps_live_summary_refresh('answers') AS keys_corrected;
SELECT count(*) AS pending FROM answers_nps_live_delta;
SELECT live_mismatches('answers_nps_live', 'TABLE answers_expected'),
       live_mismatches('answers_nps_live_data', 'TABLE answers_expected') AS data_mismatches;
-- a REPEATABLE READ or SERIALIZABLE writer only appends, as any writer
BEGIN ISOLATION LEVEL SERIALIZABLE;
INSERT INTO answers VALUES (22, 'free', 'us', '2026-01-09', 9, NULL);
UPDATE answers SET score = 7 WHERE id = 22;
COMMIT;
SELECT live_mismatches('answers_nps_live', 'TABLE answers_expected');
-- (serializable writers never fold; nps_live_summary_fold does it for them)
SELECT count(*) > 0 AS pending FROM answers_nps_live_delta;
SELECT nps_live_summary_fold('answers') AS folded;
SELECT count(*) AS pending FROM answers_nps_live_delta;
SELECT live_mismatches('answers_nps_live', 'TABLE answers_expected');
-- a statement's delta row holds NULL for a side without answers (an INSERT takes none out, a
-- DELETE puts none in), also when appended through the executor, as it is once someone adds
-- an index to delta
BEGIN ISOLATION LEVEL SERIALIZABLE;  -- never folds: its delta rows stay to be read
INSERT INTO answers VALUES (30, 'pro', 'us', '2026-01-09', 3, NULL);
DELETE FROM answers WHERE id = 30;
CREATE INDEX answers_delta_extra ON answers_nps_live_delta (nps_live_writer) WHERE nps_live_plus IS NOT NULL;
INSERT INTO answers VALUES (31, 'free', 'eu', '2026-01-10', 8, NULL);
UPDATE answers SET score = 9 WHERE id = 31;
SELECT nps_live_plus IS NOT NULL AS answers_in, nps_live_minus IS NOT NULL AS answers_out
FROM answers_nps_live_delta ORDER BY ctid;
-- the new index has the rows appended after it, as well as the one before
SET LOCAL enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT count(*) FROM answers_nps_live_delta WHERE nps_live_plus IS NOT NULL;
SELECT count(*) AS in_the_new_index FROM answers_nps_live_delta WHERE nps_live_plus IS NOT NULL;
COMMIT;
DROP INDEX answers_delta_extra;
SELECT live_mismatches('answers_nps_live', 'TABLE answers_expected');
-- any subset of the keys, and coarser buckets, give what the answers give, NULL groups
-- included
SELECT (SELECT count(*) FROM (
          (SELECT region, nps(rollup(summary)) FROM answers_nps_live GROUP BY region
           EXCEPT ALL SELECT region, nps(nps_agg(score)) FROM answers WHERE score IS NOT NULL GROUP BY region)
          UNION ALL
          (SELECT region, nps(nps_agg(score)) FROM answers WHERE score IS NOT NULL GROUP BY region
           EXCEPT ALL SELECT region, nps(rollup(summary)) FROM answers_nps_live GROUP BY region)) x) AS by_region,
       (SELECT count(*) FROM (
          (SELECT date_trunc('month', bucket), plan, nps_responses(rollup(summary)) FROM answers_nps_live GROUP BY 1, 2
           EXCEPT ALL SELECT date_trunc('month', day), plan, count(score) FROM answers WHERE score IS NOT NULL GROUP BY 1, 2)
          UNION ALL
          (SELECT date_trunc('month', day), plan, count(score) FROM answers WHERE score IS NOT NULL GROUP BY 1, 2
           EXCEPT ALL SELECT date_trunc('month', bucket), plan, nps_responses(rollup(summary)) FROM answers_nps_live GROUP BY 1, 2)) x) AS by_month_and_plan;
-- TRUNCATE empties it; new answers fill it again
TRUNCATE answers;
SELECT count(*) AS rows, (SELECT count(*) FROM answers_nps_live_delta) AS pending FROM answers_nps_live;
INSERT INTO answers VALUES (1, 'pro', 'eu', '2026-02-01', 9, NULL);
SELECT bucket, plan, region, summary FROM answers_nps_live;

-- The only writes a live summary refuses are answers nps_agg refuses, with its SQLSTATE and a
-- short error: message, detail, hint and context together stay under 500 characters.
CREATE FUNCTION error_size(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE m text; d text; h text; c text;
BEGIN
    EXECUTE q;
    RETURN 'no error';
EXCEPTION WHEN others THEN
    GET STACKED DIAGNOSTICS m = MESSAGE_TEXT, d = PG_EXCEPTION_DETAIL, h = PG_EXCEPTION_HINT, c = PG_EXCEPTION_CONTEXT;
    -- the context lines of this function's own EXECUTE are not the live summary's
    c := regexp_replace(c, E'^SQL statement "[^\\n]*"\\n?', '');
    c := regexp_replace(c, E'\\n?PL/pgSQL function error_size\\(text\\) line \\d+ at EXECUTE$', '');
    RETURN SQLSTATE || ': ' || m || ' | ' || coalesce(d, '') || ' | ' || coalesce(h, '') || ' | ' || coalesce(c, '')
           || ' (' || length(m) + length(coalesce(d, '')) + length(coalesce(h, '')) + length(coalesce(c, '')) || ' characters)';
END $$;
SELECT error_size($$INSERT INTO answers VALUES (30, 'pro', 'eu', '2026-02-01', 11, NULL)$$);
SELECT error_size($$INSERT INTO answers VALUES (30, 'pro', 'eu', '2026-02-01', -1, NULL)$$);
SELECT error_size($$UPDATE answers SET score = 12 WHERE id = 1$$);
SELECT error_of($$INSERT INTO answers SELECT 40 + g, 'pro', 'eu', '2026-02-01', g, NULL FROM generate_series(0, 11) g$$);
-- a row without a score is no response, whatever else it lacks; NULL times and segments are
-- groups of their own
INSERT INTO answers VALUES (31, NULL, NULL, NULL, NULL, NULL), (32, NULL, 'eu', NULL, 10, NULL), (33, 'pro', NULL, 'infinity', 0, NULL),
                           (34, 'pro', NULL, '-infinity', 9, NULL);
SELECT bucket, plan, region, summary FROM answers_nps_live ORDER BY bucket, plan, region;
SELECT live_mismatches('answers_nps_live', 'TABLE answers_expected');

-- Drop: the triggers go; the view and its tables stay unless asked, frozen.
SELECT nps_live_summary_drop('answers');
SELECT count(*) AS triggers FROM pg_trigger WHERE tgrelid = 'answers'::regclass;
INSERT INTO answers VALUES (35, 'pro', 'eu', '2026-02-01', 0, NULL);
SELECT bucket, plan, region, summary FROM answers_nps_live WHERE bucket = '2026-02-01';
SELECT error_of($$SELECT nps_live_summary_drop('answers')$$);
-- created again over what is left: the same shape is reused, and filled from the answers
SELECT nps_live_summary('answers', 'score', 'day', '1 day', '{plan,region}');
SELECT live_mismatches('answers_nps_live', 'TABLE answers_expected');
-- named by its view, dropped with its tables
SELECT nps_live_summary_drop('answers_nps_live', drop_table => true);
SELECT count(*) FROM pg_class WHERE relname LIKE 'answers\_nps\_live%';
-- Several live summaries of one table, each with its own name: days by plan and region beside
-- months by plan. One set of triggers keeps both (each names both configurations), so every
-- write reaches both; dropping one leaves the other kept.
SELECT nps_live_summary('answers', 'score', 'day', '1 day', '{plan,region}');
SELECT nps_live_summary('answers', 'score', 'day', '1 month', '{plan}', target => 'monthly');
SELECT tgname, tgenabled, encode(tgargs, 'escape') AS configurations FROM pg_trigger
WHERE tgrelid = 'answers'::regclass ORDER BY tgname;
SELECT error_of($$SELECT nps_live_summary('answers', 'score', 'day', '1 week', target => 'monthly')$$);
CREATE VIEW monthly_expected AS
SELECT date_trunc('month', day)::date AS bucket, plan, nps_agg(score) AS summary FROM answers WHERE score IS NOT NULL GROUP BY 1, 2;
-- months by plan of the answers left: pro a 9 at -infinity, a 9 (id 1) and a 0 (35) in
-- 2026-02, a 0 at infinity; without plan or day, a 10
SELECT bucket, plan, summary FROM monthly ORDER BY bucket, plan;
INSERT INTO answers VALUES (36, 'free', 'us', '2026-02-10', 10, NULL), (37, NULL, 'eu', '2026-03-01', 2, NULL);
UPDATE answers SET day = '2026-03-02' WHERE id = 36;
DELETE FROM answers WHERE id = 35;
-- 2026-02 pro keeps its 9; 2026-03: free the 10 moved from February, no plan a 2
SELECT bucket, plan, summary FROM monthly ORDER BY bucket, plan;
SELECT live_mismatches('answers_nps_live', 'TABLE answers_expected') AS days_differ,
       live_mismatches('monthly', 'TABLE monthly_expected') AS months_differ;
-- named by the table, check, refresh, fold and drop ask which one; named by its view, each works
SELECT error_of($$SELECT nps_live_summary_check('answers')$$);
SELECT error_of($$SELECT nps_live_summary_drop('answers')$$);
SELECT * FROM nps_live_summary_check('monthly');
SELECT nps_live_summary_refresh('monthly') AS corrected, nps_live_summary_fold('answers_nps_live') AS folded;
-- triggers made again by hand: without one of them, which check of that one reports; naming
-- one twice (spelled two ways), which keeps it once
BEGIN;
DROP TRIGGER nps_live_delete ON answers;
CREATE TRIGGER nps_live_delete AFTER DELETE ON answers REFERENCING OLD TABLE AS nps_old
    FOR EACH STATEMENT EXECUTE FUNCTION nps_live_maintain('public.answers_nps_live_config');
SELECT * FROM nps_live_summary_check('monthly');
DROP TRIGGER nps_live_insert ON answers;
CREATE TRIGGER nps_live_insert AFTER INSERT ON answers REFERENCING NEW TABLE AS nps_new
    FOR EACH STATEMENT EXECUTE FUNCTION nps_live_maintain('public.monthly_config', '"public"."monthly_config"');
INSERT INTO answers VALUES (39, 'free', 'eu', '2026-04-01', 10, NULL);
SELECT bucket, plan, summary FROM monthly WHERE bucket = '2026-04-01';
ROLLBACK;
-- the daily one dropped, the triggers keep the monthly one
SELECT nps_live_summary_drop('answers_nps_live', drop_table => true);
SELECT tgname, tgenabled, encode(tgargs, 'escape') AS configurations FROM pg_trigger
WHERE tgrelid = 'answers'::regclass ORDER BY tgname;
INSERT INTO answers VALUES (38, 'pro', 'eu', '2026-03-03', 9, NULL);
DELETE FROM answers WHERE id = 37;
SELECT live_mismatches('monthly', 'TABLE monthly_expected') AS months_differ;
SELECT nps_live_summary_drop('answers', drop_table => true);
SELECT count(*) AS triggers FROM pg_trigger WHERE tgrelid = 'answers'::regclass;
SELECT to_regclass('monthly');
DROP VIEW monthly_expected;

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
SELECT error_size($$INSERT INTO panel VALUES (5, 'de', '2026-01-05 10:00', 9, -1)$$);
SELECT error_size($$INSERT INTO panel VALUES (5, 'de', '2026-01-05 10:00', 9.5, 1)$$);
SELECT error_size($$INSERT INTO panel VALUES (5, 'de', '2026-01-05 10:00', 'NaN', 1)$$);
SELECT error_size($$INSERT INTO panel VALUES (5, 'de', '2026-01-05 10:00', 9, 'NaN')$$);
SELECT nps_live_summary_drop('panel', true);

-- Answer columns of real and double precision (a loader that wrote a float64 column, say):
-- whole values count; 9.5, infinities and NaN are the errors nps_agg gives.
CREATE TABLE floats (day date, score double precision, quarter real, weight real);
INSERT INTO floats VALUES ('2026-01-05', 9, 1, 1), ('2026-01-05', 10.0, 2, 0.5), ('2026-01-05', NULL, 3, 1);
SELECT nps_live_summary('floats', 'score', 'day', '1 day');
INSERT INTO floats VALUES ('2026-01-05', 0, 4, 1);
SELECT bucket, summary FROM floats_nps_live;
SELECT error_size($$INSERT INTO floats VALUES ('2026-01-05', 9.5, 1, 1)$$);
SELECT error_size($$INSERT INTO floats VALUES ('2026-01-05', 'NaN', 1, 1)$$);
SELECT error_size($$INSERT INTO floats VALUES ('2026-01-05', '-Infinity', 1, 1)$$);
SELECT nps_live_summary_drop('floats', true);
-- a real answer column, weighted: 10 weighs 0.5, 4 weighs 1: 100 * (0.5 - 1) / 1.5 = -33.33
SELECT nps_live_summary('floats', 'quarter', 'day', '1 day', weight_column => 'weight');
UPDATE floats SET quarter = 10 WHERE quarter = 2;
DELETE FROM floats WHERE quarter IN (1, 3);
SELECT bucket, summary, round(nps(summary), 2) AS nps FROM floats_nps_live;
SELECT error_size($$UPDATE floats SET quarter = 'Infinity' WHERE quarter = 4$$);
SELECT nps_live_summary_drop('floats', true);
DROP TABLE floats;

-- What a bucket is: for every time type and interval, the bucket of one answer written after
-- the live summary exists (the trigger) and of one there before (the fill), by hand:
-- fixed lengths count from Monday 2000-01-03 00:00 (days start at midnight, weeks on Monday),
-- months in blocks from January 2000 (3 months are quarters). nps_live_bucket() is the same.
CREATE FUNCTION bucket_of(t anyelement, width interval) RETURNS text LANGUAGE plpgsql AS $$
DECLARE filled text;
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
SELECT t, width, bucket, expected, bucket = expected || ' 2' AS ok, nps_live_bucket(t, width)::text = expected AS same_function
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
SELECT t, width, bucket, expected, bucket = expected || ' 2' AS ok, nps_live_bucket(t, width)::text = expected AS same_function
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
-- Extremes never make a write fail: infinities are buckets of their own, and a bucket that
-- would start before the earliest date or timestamp PostgreSQL holds (4714-11-24 BC) starts
-- there. Checked for every kind of bucket and time type, at both ends.
-- (weeks start on Mondays even at the ends of the calendar: 4714-11-24 BC, Julian day 0, is one)
SELECT t, width, bucket_of(t, width),
       CASE WHEN width = interval '7 days' THEN extract(isodow FROM nps_live_bucket(t, width)) END AS weekday
FROM (VALUES (date '-infinity'), (date 'infinity'), (date '4714-11-24 BC'), (date '4714-11-30 BC'), (date '5874897-12-31')) d(t),
     (VALUES (interval '1 day'), (interval '7 days'), (interval '1 month'), (interval '3 months'), (interval '1 year'), (interval '1000 years')) w(width)
ORDER BY t, width;
SELECT t, width, bucket_of(t, width)
FROM (VALUES (timestamp '-infinity'), (timestamp 'infinity'), (timestamp '4714-11-24 00:00:00 BC'), (timestamp '4714-11-29 12:00 BC'),
             (timestamp '294276-12-31 23:59:59.999999')) d(t),
     (VALUES (interval '1 hour'), (interval '1 day'), (interval '7 days'), (interval '1 month'), (interval '1 year'), (interval '1000 years')) w(width)
ORDER BY t, width;
-- In 4714 BC Kiritimati kept its local mean time, 10:29:20 behind Greenwich: the wall clock
-- of the first instant is before the first timestamp, so its bucket starts there.
SET TimeZone = 'Pacific/Kiritimati';
SELECT t, width, bucket_of(t, width)
FROM (VALUES (timestamptz '-infinity'), (timestamptz 'infinity'), (timestamptz '4714-11-24 00:00:00+00 BC'),
             (timestamptz '294276-12-31 23:59:59.999999+00')) d(t),
     (VALUES (interval '1 hour'), (interval '1 day'), (interval '1 month'), (interval '1 year')) w(width)
ORDER BY t, width;
RESET TimeZone;
-- Zones whose offset never changes (UTC, Etc/GMT-5 = UTC+5, Etc/GMT+11) are bucketed by plain
-- arithmetic: the same buckets as date_trunc on the zone's wall clock.
SELECT zone, count(*) AS cases,
       count(*) FILTER (WHERE nps_live_bucket(t, width, zone) = timezone(zone, date_trunc(unit, timezone(zone, t)))) AS same
FROM (VALUES ('UTC'), ('Etc/GMT-5'), ('Etc/GMT+11')) z(zone),
     (VALUES (timestamptz '2026-01-07 13:47:12+00'), ('2026-01-07 20:30+00'), ('2025-12-31 23:59:59.999999+00'),
             ('2026-03-01 04:00+00'), ('1969-07-20 20:17+00'), ('0044-03-15 12:00+00 BC')) t(t),
     (VALUES (interval '1 hour', 'hour'), ('1 day', 'day'), ('1 month', 'month'), ('1 year', 'year')) w(width, unit)
GROUP BY zone ORDER BY zone;
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
-- live view equals a recomputation after every kind of change.
CREATE DOMAIN answer AS smallint CHECK (VALUE BETWEEN 0 AND 10);
CREATE UNLOGGED TABLE survey (id int, plan plan, seats int, region text COLLATE "C", tags text[], answered_on date, score answer);
INSERT INTO survey SELECT g, (enum_range(NULL::plan))[1 + g % 2], g % 3, (ARRAY['eu', 'EU', 'us', NULL])[1 + g % 4],
                          ARRAY['t' || g % 2], date '2026-01-01' + g % 40, CASE WHEN g % 13 = 0 THEN NULL ELSE g * 7 % 11 END
FROM generate_series(1, 3000) g;
SELECT nps_live_summary('survey', 'score', 'answered_on', '7 days', '{plan,seats,region,tags}');
SELECT relname, relpersistence FROM pg_class WHERE relname LIKE 'survey\_nps\_live\_d%' ORDER BY 1;
SELECT attname, format_type(atttypid, atttypmod) AS type, collname FROM pg_attribute LEFT JOIN pg_collation c ON c.oid = attcollation
WHERE attrelid = 'survey_nps_live'::regclass AND attnum > 0 ORDER BY attnum;
CREATE VIEW survey_expected AS
SELECT date_trunc('week', answered_on)::date, plan, seats, region, tags, nps_agg(score)
FROM survey WHERE score IS NOT NULL GROUP BY 1, 2, 3, 4, 5;
SELECT live_mismatches('survey_nps_live', 'TABLE survey_expected') AS after_fill, count(*) AS rows FROM survey_nps_live;
UPDATE survey SET score = (score + 4) % 11 WHERE id % 5 = 0;
UPDATE survey SET answered_on = answered_on + 9 WHERE id % 7 = 0;
UPDATE survey SET region = CASE WHEN region IS NULL THEN 'us' END, tags = tags || 'x'::text WHERE id % 11 = 0;
DELETE FROM survey WHERE id % 17 = 0;
INSERT INTO survey SELECT id + 3000, plan, seats, region, tags, answered_on - 30, score FROM survey WHERE id % 3 = 0;
SELECT live_mismatches('survey_nps_live', 'TABLE survey_expected') AS after_changes, count(*) AS rows FROM survey_nps_live;
SELECT nps_live_summary_refresh('survey') AS corrected,
       live_mismatches('survey_nps_live', 'TABLE survey_expected') AS after_fold;
SELECT nps_live_summary_drop('survey', true);

-- Segment values equal in SQL but spelled differently (numeric 1.0 and 1.00, a float's 0 and
-- -0) are one group, as GROUP BY makes them, however the writers spell them: pending, folded
-- together, and folded into a key data has.
CREATE TABLE spelled (day date, tier numeric, x float8, score int);
SELECT nps_live_summary('spelled', 'score', 'day', '1 day', '{tier,x}');
INSERT INTO spelled VALUES ('2026-01-05', 1.0, 0, 9);
INSERT INTO spelled VALUES ('2026-01-05', 1.00, '-0', 10);
INSERT INTO spelled VALUES ('2026-01-05', 1, 0, 3), ('2026-01-05', 1.000, '-0', 7);
SELECT tier = 1 AS one, x = 0 AS zero, summary FROM spelled_nps_live;
SELECT nps_live_summary_fold('spelled');
SELECT tier = 1 AS one, x = 0 AS zero, summary FROM spelled_nps_live_data;
INSERT INTO spelled VALUES ('2026-01-05', 1.0000, '-0', 0);
SELECT nps_live_summary_fold('spelled');
SELECT tier = 1 AS one, x = 0 AS zero, summary FROM spelled_nps_live_data;
SELECT * FROM nps_live_summary_check('spelled');
SELECT nps_live_summary_drop('spelled', true);
DROP TABLE spelled;

-- A segment type whose equality is a user's operator outside pg_catalog, as citext's is (here
-- the moods 'ok' and 'fine' are equal): the view groups pending changes by that operator and
-- finds their rows of data by it (data's unique index compares one-element arrays, by the
-- element type's default operator class); NULL moods are a group.
CREATE TYPE mood AS ENUM ('sad', 'ok', 'fine', 'happy');
CREATE FUNCTION mood_rank(mood) RETURNS int IMMUTABLE STRICT LANGUAGE sql
    AS $$SELECT CASE $1::text WHEN 'sad' THEN 0 WHEN 'happy' THEN 2 ELSE 1 END$$;
CREATE FUNCTION mood_cmp(mood, mood) RETURNS int IMMUTABLE STRICT LANGUAGE sql
    AS $$SELECT pg_catalog.btint4cmp(public.mood_rank($1), public.mood_rank($2))$$;
CREATE FUNCTION mood_lt(mood, mood) RETURNS bool IMMUTABLE STRICT LANGUAGE sql AS $$SELECT public.mood_cmp($1, $2) < 0$$;
CREATE FUNCTION mood_le(mood, mood) RETURNS bool IMMUTABLE STRICT LANGUAGE sql AS $$SELECT public.mood_cmp($1, $2) <= 0$$;
CREATE FUNCTION mood_eq(mood, mood) RETURNS bool IMMUTABLE STRICT LANGUAGE sql AS $$SELECT public.mood_cmp($1, $2) = 0$$;
CREATE FUNCTION mood_ge(mood, mood) RETURNS bool IMMUTABLE STRICT LANGUAGE sql AS $$SELECT public.mood_cmp($1, $2) >= 0$$;
CREATE FUNCTION mood_gt(mood, mood) RETURNS bool IMMUTABLE STRICT LANGUAGE sql AS $$SELECT public.mood_cmp($1, $2) > 0$$;
CREATE OPERATOR public.< (LEFTARG = mood, RIGHTARG = mood, FUNCTION = mood_lt);
CREATE OPERATOR public.<= (LEFTARG = mood, RIGHTARG = mood, FUNCTION = mood_le);
CREATE OPERATOR public.= (LEFTARG = mood, RIGHTARG = mood, FUNCTION = mood_eq);
CREATE OPERATOR public.>= (LEFTARG = mood, RIGHTARG = mood, FUNCTION = mood_ge);
CREATE OPERATOR public.> (LEFTARG = mood, RIGHTARG = mood, FUNCTION = mood_gt);
CREATE OPERATOR CLASS mood_ops DEFAULT FOR TYPE mood USING btree AS
    OPERATOR 1 public.<, OPERATOR 2 public.<=, OPERATOR 3 public.=, OPERATOR 4 public.>=, OPERATOR 5 public.>,
    FUNCTION 1 mood_cmp(mood, mood);
CREATE TABLE moods (day date, mood mood, score int);
INSERT INTO moods VALUES ('2026-01-05', 'ok', 9), ('2026-01-05', 'sad', 2), ('2026-01-05', NULL, 10);
SELECT nps_live_summary('moods', 'score', 'day', '1 day', '{mood}');
SELECT EXISTS (SELECT FROM pg_depend d JOIN pg_rewrite r ON r.oid = d.objid
                WHERE r.ev_class = 'moods_nps_live'::regclass AND d.refobjid = 'public.=(mood,mood)'::regoperator)
       AS joined_by_the_types_equality;
BEGIN ISOLATION LEVEL SERIALIZABLE;  -- never folds: the changes stay pending
INSERT INTO moods VALUES ('2026-01-05', 'fine', 10), ('2026-01-05', NULL, 0), ('2026-01-06', 'happy', 7);
COMMIT;
SELECT count(*) AS pending FROM moods_nps_live_delta;
SELECT mood_rank(mood), summary FROM moods_nps_live ORDER BY 1;
CREATE VIEW moods_expected AS SELECT day, mood, nps_agg(score) FROM moods GROUP BY 1, 2;
SELECT live_mismatches('moods_nps_live', 'TABLE moods_expected') AS pending,
       nps_live_summary_fold('moods'),
       live_mismatches('moods_nps_live', 'TABLE moods_expected') AS folded;
SELECT nps_live_summary_drop('moods', true);
DROP TABLE moods CASCADE;
DROP TYPE mood CASCADE;

-- Bounded memory: a statement over more keys than it gathers at once (50,000) appends
-- several delta rows; a fold reads pending rows 1,000 at a time and merges 200,000 keys at a
-- time. Either way the same summaries.
CREATE TABLE wide (day date, k int, score int);
SELECT nps_live_summary('wide', 'score', 'day', '1 day', '{k}');
-- until autovacuum counts the pending rows, the planner guesses one a page (one was counted
-- and deleted), not dozens; and never reads them with parallel workers
SELECT c.relpages, c.reltuples, c.reloptions @> '{parallel_workers=0}' AS serial,
       (SELECT count(*) FROM wide_nps_live_delta) AS pending
FROM pg_class c WHERE c.oid = 'wide_nps_live_delta'::regclass;
-- pending changes are compressed with lz4 (every server the tests run on has it)
SELECT attname, attcompression FROM pg_attribute
WHERE attrelid = 'wide_nps_live_delta'::regclass AND attname LIKE 'nps_live_%' ORDER BY attnum;
-- no fold before the end (a test's hand on the configuration, not something to do)
UPDATE wide_nps_live_config SET fold_due = 'infinity';
INSERT INTO wide SELECT date '2026-01-05', g, g % 11 FROM generate_series(1, 210000) g;
SELECT count(*) AS delta_rows,
       bool_and(pg_column_size(nps_live_plus) < 20 * cardinality(nps_live_plus)) AS compressed
FROM wide_nps_live_delta;
DO $$BEGIN FOR i IN 1..1500 LOOP INSERT INTO wide VALUES ('2026-01-06', i % 7, i % 11); END LOOP; END$$;
SELECT count(*) AS delta_rows FROM wide_nps_live_delta;
SELECT count(*) AS keys, sum(nps_responses(summary)) AS responses FROM wide_nps_live;
SELECT nps_live_summary_fold('wide');
SELECT (SELECT count(*) FROM wide_nps_live_delta) AS pending, count(*) AS keys, sum(nps_responses(summary)) AS responses
FROM wide_nps_live_data;
SELECT count(*) AS differences FROM nps_live_summary_check('wide');
SELECT nps_live_summary_drop('wide', true);
DROP TABLE wide;

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
-- segments named like SQL keywords, and quoted names, work
CREATE TABLE odd ("new" text, "select" int, "Answered On" date, "Score!" int);
INSERT INTO odd VALUES ('a', 1, '2026-01-05', 9);
SELECT nps_live_summary('odd', 'Score!', 'Answered On', '1 day', '{new,select}');
INSERT INTO odd VALUES ('a', 1, '2026-01-05', 3), ('b', 1, '2026-01-05', 10);
UPDATE odd SET "select" = 2 WHERE "Score!" = 3;
DELETE FROM odd WHERE new = 'b';
SELECT * FROM odd_nps_live ORDER BY 1, 2, 3;
SELECT * FROM nps_live_summary_check('odd');
-- VACUUM and ANALYZE of its relations (new statistics: an invalidation every backend hears)
-- are looked at and passed over; what someone drops by hand makes the next write warn,
-- never fail
VACUUM ANALYZE odd_nps_live_delta, odd_nps_live_data;
INSERT INTO odd VALUES ('c', 1, '2026-01-06', 6);
SELECT * FROM nps_live_summary_check('odd');
DROP TABLE odd_nps_live_delta CASCADE;
INSERT INTO odd VALUES ('c', 1, '2026-01-06', 7);
SELECT count(*) AS answers_kept FROM odd;
SELECT nps_live_summary_drop('odd', true);
-- Writes the user's own machinery makes: foreign keys' cascades (the RI triggers update and
-- delete answers: ON UPDATE CASCADE changes a segment, SET NULL makes NULL ones), and a
-- procedure and a DO block that commit after every statement.
CREATE TABLE customers (id int PRIMARY KEY, country text);
CREATE TABLE bought (customer int REFERENCES customers ON UPDATE CASCADE ON DELETE CASCADE,
                     referrer int REFERENCES customers ON UPDATE SET NULL ON DELETE SET NULL, day date, score int);
INSERT INTO customers SELECT g, 'c' || g % 3 FROM generate_series(1, 50) g;
INSERT INTO bought SELECT 1 + g % 50, 1 + g % 7, date '2026-01-01' + g % 5, g % 11 FROM generate_series(1, 2000) g;
SELECT nps_live_summary('bought', 'score', 'day', '1 day', '{customer,referrer}');
CREATE VIEW bought_expected AS SELECT day, customer, referrer, nps_agg(score) FROM bought GROUP BY 1, 2, 3;
UPDATE customers SET id = id + 1000 WHERE id % 4 = 0;
DELETE FROM customers WHERE id % 5 = 0;
SELECT live_mismatches('bought_nps_live', 'TABLE bought_expected') AS after_cascades,
       count(*) FILTER (WHERE customer > 1000) AS moved, count(*) FILTER (WHERE referrer IS NULL) AS orphaned
FROM bought_nps_live;
CREATE PROCEDURE trickle(n int) LANGUAGE plpgsql AS $$
BEGIN
  FOR i IN 1..n LOOP
    INSERT INTO bought VALUES (1, 2, date '2026-01-02', i % 11);
    IF i % 3 = 0 THEN
      UPDATE bought SET score = 10 - score WHERE customer = 1 AND day = '2026-01-02' AND score = i % 11;
    END IF;
    COMMIT;
  END LOOP;
END $$;
CALL trickle(300);
DO $$ BEGIN
  FOR i IN 1..100 LOOP
    DELETE FROM bought WHERE ctid = (SELECT ctid FROM bought WHERE customer = 1 LIMIT 1);
    COMMIT;
  END LOOP;
END $$;
SELECT live_mismatches('bought_nps_live', 'TABLE bought_expected') AS after_procedures,
       count(*) FILTER (WHERE customer = 1) AS customer_1_answers FROM bought;
SELECT count(*) AS differences FROM nps_live_summary_check('bought');
SELECT nps_live_summary_drop('bought', true);
DROP VIEW bought_expected;
DROP TABLE bought, customers;
DROP PROCEDURE trickle(int);

-- Names with backslashes and a quote, in a session whose standard_conforming_strings is off
-- (an old application's): the names reach the triggers' arguments, the SQL made, and check's
-- keys as they are.
CREATE SCHEMA "back\slash";
CREATE TABLE "back\slash"."it's\odd" (day date, "seg\x" text, score int);
SET standard_conforming_strings = off;
SET escape_string_warning = off;
SELECT nps_live_summary($$"back\slash"."it's\odd"$$, 'score', 'day', '1 day', ARRAY[$$seg\x$$]::name[]);
INSERT INTO "back\slash"."it's\odd" VALUES ('2026-01-05', 'a', 9), ('2026-01-05', NULL, 3);
SELECT encode(tgargs, 'escape') AS argument FROM pg_trigger WHERE tgrelid = $$"back\slash"."it's\odd"$$::regclass AND tgname = 'nps_live_insert';
ALTER TABLE "back\slash"."it's\odd" DISABLE TRIGGER nps_live_insert;
INSERT INTO "back\slash"."it's\odd" VALUES ('2026-01-05', 'b', 10);
ALTER TABLE "back\slash"."it's\odd" ENABLE TRIGGER nps_live_insert;
SELECT key, live, expected FROM nps_live_summary_check($$"back\slash"."it's\odd"$$);
SELECT nps_live_summary_refresh($$"back\slash"."it's\odd"$$) AS corrected;
UPDATE "back\slash"."it's\odd" SET score = 0 WHERE "seg\x" = 'a';
SELECT * FROM "back\slash"."it's\odd_nps_live" ORDER BY 1, 2;
SELECT count(*) AS differences FROM nps_live_summary_check($$"back\slash"."it's\odd"$$);
RESET standard_conforming_strings;
RESET escape_string_warning;
SELECT nps_live_summary_drop($$"back\slash"."it's\odd"$$, true);
DROP SCHEMA "back\slash" CASCADE;
-- A segment value too long for an index (a btree entry holds at most some 2.7 kB): the table
-- accepts it, so the live summary does too. Such a key stays pending, one row for all of them
-- after each fold, and the others fold as ever; the view stays exact.
CREATE TABLE notes (day date, note text, lang text, score int);
INSERT INTO notes SELECT '2026-01-05', (SELECT string_agg(md5((g * 1000 + i)::text), '') FROM generate_series(1, 100) i),
                         'en', g FROM generate_series(1, 2) g;
INSERT INTO notes VALUES ('2026-01-05', 'short', 'en', 9), ('2026-01-06', NULL, 'de', 10);
SELECT nps_live_summary('notes', 'score', 'day', '1 day', '{note,lang}');
CREATE VIEW notes_expected AS SELECT day, note, lang, nps_agg(score) FROM notes GROUP BY 1, 2, 3;
SELECT length(note), lang, summary FROM notes_nps_live ORDER BY 1, 2;
SELECT count(*) AS folded_keys FROM notes_nps_live_data;
INSERT INTO notes SELECT '2026-01-05', note, 'en', 10 FROM notes WHERE length(note) > 100;
INSERT INTO notes SELECT '2026-01-05', (SELECT string_agg(md5(i::text), '') FROM generate_series(1, 60) i), 'fr', 0;
INSERT INTO notes VALUES ('2026-01-05', 'short', 'en', 3);
DELETE FROM notes WHERE score = 1;
UPDATE notes SET lang = 'EN' WHERE lang = 'en' AND score = 2;
SELECT nps_live_summary_fold('notes');
SELECT count(*) AS pending_rows FROM notes_nps_live_delta;
SELECT count(*) AS folded_keys, max(length(note)) AS longest_folded FROM notes_nps_live_data;
SELECT live_mismatches('notes_nps_live', 'TABLE notes_expected') AS after_fold,
       (SELECT count(*) FROM nps_live_summary_check('notes')) AS differences;
SELECT length(note), lang, summary FROM notes_nps_live ORDER BY 1, 2;
SELECT nps_live_summary_fold('notes');
SELECT count(*) AS pending_rows FROM notes_nps_live_delta;
SELECT nps_live_summary_refresh('notes') AS corrected, live_mismatches('notes_nps_live', 'TABLE notes_expected') AS after_refresh;
SELECT nps_live_summary_drop('notes', true);
DROP VIEW notes_expected;
DROP TABLE notes;

SELECT error_of($$SELECT nps_live_summary('answers', 'score', 'day', '1 day', target => 'answers')$$);
SELECT error_of($$SELECT nps_live_summary('answers_expected', 'score', 'bucket', '1 day')$$);
SELECT error_of($$SELECT nps_live_summary('nps_summary', 'score', 'day', '1 day')$$);
CREATE TABLE "a long name for a table of answers that people really type" (day date, score int);
SELECT error_of($$SELECT nps_live_summary('"a long name for a table of answers that people really type"', 'score', 'day', '1 day')$$);
CREATE TEMPORARY TABLE scratch (day date, score int);
SELECT error_of($$SELECT nps_live_summary('scratch', 'score', 'day', '1 day')$$);
DROP TABLE scratch;
CREATE TABLE parent_table (day date, score int);
CREATE TABLE child_table () INHERITS (parent_table);
SELECT error_of($$SELECT nps_live_summary('parent_table', 'score', 'day', '1 day')$$);
SELECT nps_live_summary('answers', 'score', 'day', '1 day');
SELECT error_of($$SELECT nps_live_summary('answers', 'score', 'day', '1 week')$$);
SELECT error_of($$SELECT nps_live_summary('odd', 'Score!', 'Answered On', '1 day', target => 'answers_nps_live')$$);
SELECT nps_live_summary_drop('answers', true);
SELECT error_of($$SELECT nps_live_summary_drop(NULL)$$);
SELECT error_of($$SELECT nps_live_summary_drop('answers', NULL)$$);
SELECT error_of($$SELECT nps_live_summary_check('answers')$$);
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT error_of($$SELECT nps_live_summary('answers', 'score', 'day', '1 day')$$);
ROLLBACK;
-- nps_live_maintain() is only a trigger
SELECT error_of($$SELECT nps_live_maintain()$$);

DROP VIEW answers_expected, survey_expected;
DROP TABLE answers, panel, zoned, survey, clash, odd, parent_table, child_table,
           "a long name for a table of answers that people really type";
DROP TYPE plan;
DROP DOMAIN answer;
DROP FUNCTION live_mismatches(regclass, text), bucket_of(anyelement, interval), error_size(text);
