-- Live summaries as a deployment has them: an owner role that manages the schema, an
-- application role that writes answers, a reporting role that reads the live data, and a
-- stranger holding only the TRIGGER privilege. Each does what it may and nothing else; the
-- writer needs no privilege on anything the live summary made.

SET DateStyle = 'ISO, YMD';
CREATE ROLE nps_owner;
CREATE ROLE nps_writer;
CREATE ROLE nps_reader;
CREATE ROLE nps_stranger;
CREATE ROLE nps_member IN ROLE nps_owner;
GRANT CREATE ON SCHEMA public TO nps_owner, nps_stranger, nps_member;
-- the writer may plant look-alikes (as anyone could in public on 14)
GRANT CREATE ON SCHEMA public TO nps_writer;

SET ROLE nps_owner;
CREATE TABLE answers (id serial PRIMARY KEY, region text, at timestamptz, score smallint, note text);
INSERT INTO answers (region, at, score) VALUES ('eu', '2026-03-01 10:00+00', 9), ('us', '2026-03-01 11:00+00', 3);
GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON answers TO nps_writer;
GRANT USAGE ON SEQUENCE answers_id_seq TO nps_writer;
GRANT TRIGGER ON answers TO nps_stranger;
RESET ROLE;

-- Only the owner (or a role with its privileges) creates one: TRIGGER is not enough.
SET ROLE nps_stranger;
SELECT error_of($$SELECT nps_live_summary('answers', 'score', 'at', '1 day', '{region}')$$);
RESET ROLE;
SET ROLE nps_writer;
SELECT error_of($$SELECT nps_live_summary('answers', 'score', 'at', '1 day', '{region}')$$);
RESET ROLE;
-- made by a superuser (or a member of the owning role), everything belongs to the owner
SET TimeZone = 'UTC';
SELECT nps_live_summary('answers', 'score', 'at', '1 day', '{region}');
SELECT c.relname, pg_get_userbyid(c.relowner) AS owner FROM pg_class c
WHERE c.relname LIKE 'answers\_nps\_live%' AND c.relkind IN ('r', 'v') ORDER BY 1;
SET ROLE nps_owner;
GRANT SELECT ON answers_nps_live TO nps_reader;
RESET ROLE;

-- The writer writes every way it may; each write is summarized, and the writer can read none
-- of the live summary's relations.
SET ROLE nps_writer;
INSERT INTO answers (region, at, score) VALUES ('eu', '2026-03-01 12:00+00', 10), (NULL, '2026-03-02 09:00+00', 0);
UPDATE answers SET score = 7 WHERE score = 3;
UPDATE answers SET region = 'eu' WHERE region IS NULL AND score = 0;
DELETE FROM answers WHERE score = 9;
INSERT INTO answers (id, region, at, score) VALUES (1, 'us', '2026-03-03 10:00+00', 8)
ON CONFLICT (id) DO UPDATE SET score = excluded.score;
INSERT INTO answers (id, region, at, score) VALUES (1, 'us', '2026-03-03 10:00+00', 6)
ON CONFLICT (id) DO UPDATE SET score = excluded.score, region = excluded.region, at = excluded.at;
COPY answers (region, at, score) FROM stdin;
us	2026-03-04 08:00+00	9
\.
SELECT error_of($$SELECT * FROM answers_nps_live$$);
SELECT error_of($$SELECT * FROM answers_nps_live_data$$);
SELECT error_of($$SELECT * FROM answers_nps_live_delta$$);
SELECT error_of($$INSERT INTO answers_nps_live_delta (nps_live_plus, nps_live_minus, nps_live_writer) VALUES ('{}', '{}', 0)$$);
SELECT error_of($$SELECT nps_live_summary_refresh('answers')$$);
SELECT error_of($$SELECT nps_live_summary_drop('answers')$$);
-- a writer that plants look-alikes of what the live summary's SQL uses (array and text
-- equality), first on its path, changes nothing: the maintenance runs with a pinned
-- search_path and names every operator (more look-alikes below, with the extension in a
-- schema of its own)
CREATE FUNCTION public.bad_array_eq(anyarray, anyarray) RETURNS boolean LANGUAGE sql AS 'SELECT true';
CREATE FUNCTION public.bad_text_eq(text, text) RETURNS boolean LANGUAGE sql AS 'SELECT true';
CREATE OPERATOR public.= (LEFTARG = anyarray, RIGHTARG = anyarray, FUNCTION = public.bad_array_eq);
CREATE OPERATOR public.= (LEFTARG = text, RIGHTARG = text, FUNCTION = public.bad_text_eq);
SET search_path = public, pg_catalog;
SELECT ARRAY[1] = ARRAY[2] AS planted_array_eq, 'eu'::text = 'us'::text AS planted_text_eq;
INSERT INTO answers (region, at, score) SELECT 'eu', '2026-03-05 10:00+00', g % 11 FROM generate_series(1, 300) g;
INSERT INTO answers (region, at, score) SELECT 'us', '2026-03-05 10:00+00', g % 11 FROM generate_series(1, 300) g;
RESET search_path;
RESET ROLE;
-- the reader reads the live view, and nothing else of it
SET ROLE nps_reader;
SELECT bucket, region, summary FROM answers_nps_live WHERE bucket < '2026-03-05' ORDER BY bucket, region;
SELECT error_of($$SELECT * FROM answers_nps_live_data$$);
SELECT error_of($$SELECT * FROM answers$$);
RESET ROLE;
-- by hand: 03-01 eu: 10 (the 9 deleted); 03-01 us: 7; 03-02 eu: 0; 03-03 us: 6 (the upsert
-- moved the answer of id 1, the 9 deleted, to the 3rd, then changed it); 03-04 us: 9
SELECT * FROM nps_live_summary_check('answers');

-- The stranger, with TRIGGER on the table and a table of its own, cannot forge answers.
SET ROLE nps_stranger;
CREATE TABLE mine (id int, region text, at timestamptz, score smallint, note text);
-- the maintenance on its own table, pointed at the owner's live summary: it works as the
-- stranger, who may not read that configuration; the stranger's own write goes through
CREATE TRIGGER nps_live_insert AFTER INSERT ON mine REFERENCING NEW TABLE AS nps_new
    FOR EACH STATEMENT EXECUTE FUNCTION nps_live_maintain('public.answers_nps_live_config');
INSERT INTO mine VALUES (1, 'eu', '2026-03-01 10:00+00', 0);
-- a second trigger on the owner's table: not one of a live summary's, so it does nothing
CREATE TRIGGER nps_live_forged AFTER INSERT ON answers REFERENCING NEW TABLE AS nps_new
    FOR EACH STATEMENT EXECUTE FUNCTION nps_live_maintain('public.answers_nps_live_config');
-- a live summary's own trigger names are taken
SELECT error_of($$CREATE TRIGGER nps_live_insert AFTER INSERT ON answers REFERENCING NEW TABLE AS nps_new
                  FOR EACH STATEMENT EXECUTE FUNCTION nps_live_maintain('public.answers_nps_live_config')$$);
SELECT error_of($$SELECT nps_live_summary_drop('answers')$$);
SELECT error_of($$SELECT nps_live_summary_refresh('answers')$$);
SELECT error_of($$SELECT * FROM nps_live_summary_check('answers')$$);
RESET ROLE;
SET ROLE nps_writer;
INSERT INTO answers (region, at, score) VALUES ('us', '2026-03-04 09:00+00', 10);
RESET ROLE;
SELECT bucket, region, summary FROM answers_nps_live WHERE bucket = '2026-03-04';
SELECT * FROM nps_live_summary_check('answers');
DROP TRIGGER nps_live_forged ON answers;
-- TRUNCATE by the writer empties it
SET ROLE nps_writer;
TRUNCATE answers;
RESET ROLE;
SELECT count(*) FROM answers_nps_live;

-- A member of the owning role drops and makes it again: still the owner's.
SET ROLE nps_member;
SELECT nps_live_summary_drop('answers', true);
SELECT nps_live_summary('answers', 'score', 'at', '1 day', '{region}');
-- and a second one, of months: the writer's writes reach both, with no privilege on either
SELECT nps_live_summary('answers', 'score', 'at', '1 month', target => 'answers_monthly');
RESET ROLE;
SELECT c.relname, pg_get_userbyid(c.relowner) AS owner FROM pg_class c
WHERE (c.relname LIKE 'answers\_nps\_live%' OR c.relname LIKE 'answers\_monthly%') AND c.relkind IN ('r', 'v') ORDER BY 1;
SET ROLE nps_writer;
INSERT INTO answers (region, at, score) VALUES ('eu', '2026-03-05 09:00+00', 9), ('us', '2026-04-01 09:00+00', 3);
UPDATE answers SET score = 10 WHERE score = 3;
RESET ROLE;
-- March: a 9; April: the 3 made a 10
SELECT bucket, summary FROM answers_monthly ORDER BY bucket;
SELECT (SELECT count(*) FROM nps_live_summary_check('answers_nps_live'))
       + (SELECT count(*) FROM nps_live_summary_check('answers_monthly')) AS differing;
SELECT nps_live_summary_drop('answers_monthly', true);
SELECT nps_live_summary_drop('answers', true);
DROP FUNCTION public.bad_array_eq(anyarray, anyarray), public.bad_text_eq(text, text) CASCADE;
DROP TABLE answers, mine;
REVOKE CREATE ON SCHEMA public FROM nps_owner, nps_stranger, nps_member, nps_writer;
DROP ROLE nps_owner, nps_writer, nps_reader, nps_stranger, nps_member;

-- The extension in a schema of its own, hostile look-alikes in public first on the path of the
-- sessions that create the live summary and write answers.
CREATE DATABASE nps_live_security;
\c nps_live_security
SET DateStyle = 'ISO, YMD';
CREATE SCHEMA analytics;
CREATE EXTENSION nps_ext SCHEMA analytics;
GRANT CREATE ON SCHEMA public TO PUBLIC;
GRANT USAGE ON SCHEMA analytics TO PUBLIC;
CREATE ROLE nps_live_hostile;
SET ROLE nps_live_hostile;
CREATE FUNCTION public.hostile_summary(analytics.nps_summary, analytics.nps_summary) RETURNS analytics.nps_summary
    LANGUAGE sql AS $$SELECT 'v1:999,0,0,0,0,0,0,0,0,0,0'::analytics.nps_summary$$;
CREATE FUNCTION public.hostile_eq(analytics.nps_summary, analytics.nps_summary) RETURNS boolean LANGUAGE sql AS 'SELECT true';
CREATE OPERATOR public.+ (LEFTARG = analytics.nps_summary, RIGHTARG = analytics.nps_summary, FUNCTION = public.hostile_summary);
CREATE OPERATOR public.- (LEFTARG = analytics.nps_summary, RIGHTARG = analytics.nps_summary, FUNCTION = public.hostile_summary);
CREATE OPERATOR public.= (LEFTARG = analytics.nps_summary, RIGHTARG = analytics.nps_summary, FUNCTION = public.hostile_eq);
CREATE FUNCTION public.nps_live_apply(analytics.nps_summary, analytics.nps_summary, analytics.nps_summary)
    RETURNS analytics.nps_summary LANGUAGE sql AS $$SELECT 'v1:999,0,0,0,0,0,0,0,0,0,0'::analytics.nps_summary$$;
CREATE FUNCTION public.nps_agg(integer) RETURNS analytics.nps_summary LANGUAGE sql
    AS $$SELECT 'v1:999,0,0,0,0,0,0,0,0,0,0'::analytics.nps_summary$$;
CREATE FUNCTION public.nps_responses(analytics.nps_summary) RETURNS bigint LANGUAGE sql AS 'SELECT 0::bigint';
CREATE FUNCTION public.rollup(analytics.nps_summary) RETURNS analytics.nps_summary LANGUAGE sql
    AS $$SELECT 'v1:999,0,0,0,0,0,0,0,0,0,0'::analytics.nps_summary$$;
CREATE FUNCTION public.hostile_text_eq(text, text) RETURNS boolean LANGUAGE sql AS 'SELECT true';
CREATE OPERATOR public.= (LEFTARG = text, RIGHTARG = text, FUNCTION = public.hostile_text_eq);
RESET ROLE;
SET search_path = public, analytics, pg_catalog;
SELECT nps_agg(9) AS planted_agg, 'a'::text = 'b'::text AS planted_eq;
CREATE TABLE answers (plan text, day date, score int);
INSERT INTO answers VALUES ('free', '2026-01-05', 9), ('free', '2026-01-05', 3), ('pro', '2026-01-05', 10), ('pro', '2026-01-06', 7);
SELECT analytics.nps_live_summary('answers', 'score', 'day', '1 day', '{plan}');
-- the hostile role writes, with its look-alikes first on the path
GRANT SELECT, INSERT, UPDATE, DELETE ON answers TO nps_live_hostile;
SET ROLE nps_live_hostile;
SET search_path = public, analytics, pg_catalog;
INSERT INTO answers VALUES ('free', '2026-01-05', 10), ('pro', '2026-01-06', 8);
UPDATE answers SET score = 0 WHERE score = 3;
UPDATE answers SET day = '2026-01-07' WHERE plan = 'pro' AND day = '2026-01-06';
DELETE FROM answers WHERE score = 10;
RESET ROLE;
-- free 2026-01-05: 0 and 9; pro 2026-01-07: 7 and 8; pro 2026-01-05 lost its only answer
SELECT bucket, plan, summary FROM answers_nps_live ORDER BY bucket, plan;
SELECT analytics.nps_live_summary_refresh('answers') AS corrected;
SET search_path = '';
INSERT INTO public.answers VALUES ('pro', '2026-01-07', 10);
SELECT bucket, plan, summary FROM public.answers_nps_live ORDER BY bucket, plan;
SELECT * FROM analytics.nps_live_summary_check('public.answers');
SELECT analytics.nps_live_summary_drop('public.answers', true);
\c nps_regress
DROP DATABASE nps_live_security;
DROP ROLE nps_live_hostile;

-- A database owner who is not a superuser installs the extension and keeps a live summary of a
-- table of their own. Row-level security does not hide answers from the summary, forced or not:
-- it counts every answer of the table (as any aggregate the owner computes over all rows).
CREATE ROLE nps_live_owner LOGIN;
CREATE DATABASE nps_live_owned OWNER nps_live_owner;
\c nps_live_owned nps_live_owner
SET DateStyle = 'ISO, YMD';
CREATE EXTENSION nps_ext;
CREATE TABLE answers (plan text, day date, score int);
INSERT INTO answers VALUES ('free', '2026-01-05', 9), ('pro', '2026-01-05', 3);
ALTER TABLE answers ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY only_free ON answers USING (plan = 'free') WITH CHECK (true);
SELECT nps_live_summary('answers', 'score', 'day', '1 month', '{plan}');
INSERT INTO answers VALUES ('free', '2026-01-20', 10), ('pro', '2026-01-21', 6);
SELECT count(*) AS rows_the_owner_sees FROM answers;
SELECT bucket, plan, summary FROM answers_nps_live ORDER BY bucket, plan;
SELECT nps_live_summary_drop('answers', true);
\c nps_regress postgres
DROP DATABASE nps_live_owned;
DROP ROLE nps_live_owner;
