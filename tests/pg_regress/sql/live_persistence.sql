-- A live summary is as logged as its source, so that a crash empties both or neither. After the
-- source's ALTER TABLE ... SET LOGGED (or UNLOGGED), check names the summary's tables that a
-- crash would treat otherwise, and refresh alters them; a table dropped and created again with
-- the other persistence gets its summary back as logged as it is. Some servers refuse to alter
-- the data table, whose row type the pending table's columns have (PostgreSQL 14.23, 16.15,
-- 17.11 and 18.6 here; not Debian's 15.20): refresh and nps_live_summary then warn and leave
-- the tables as they are, and check keeps saying what to do (expected/live_persistence_1.out).
CREATE UNLOGGED TABLE kept (id int, region text, day date, score int);
INSERT INTO kept SELECT g, (ARRAY['eu', 'us', NULL])[1 + g % 3], date '2026-01-01' + g % 20, g % 11
FROM generate_series(1, 600) g;
SELECT nps_live_summary('kept', 'score', 'day', '7 days', '{region}');
CREATE VIEW kept_expected AS
SELECT date_trunc('week', day)::date, region, nps_agg(score) FROM kept GROUP BY 1, 2;
CREATE FUNCTION kept_mismatches() RETURNS bigint LANGUAGE sql AS $$
  SELECT count(*) FROM ((TABLE kept_nps_live EXCEPT ALL TABLE kept_expected)
                        UNION ALL (TABLE kept_expected EXCEPT ALL TABLE kept_nps_live)) d
$$;
CREATE VIEW kept_persistence AS
SELECT relname, relpersistence FROM pg_class WHERE relname LIKE 'kept\_nps\_live\_d%' ORDER BY 1;
TABLE kept_persistence;
SELECT count(*) AS problems FROM nps_live_summary_check('kept');
ALTER TABLE kept SET LOGGED;
SELECT key->>'relation' AS relation, key->>'problem' AS problem FROM nps_live_summary_check('kept');
SELECT nps_live_summary_refresh('kept') AS corrected;
TABLE kept_persistence;
DELETE FROM kept WHERE id % 19 = 0;
UPDATE kept SET region = 'ap' WHERE id % 23 = 0;
SELECT count(*) AS problems FROM nps_live_summary_check('kept');
SELECT kept_mismatches() AS after_set_logged;
-- What the warning says to do where the server refuses (the same on every server).
SELECT nps_live_summary_drop('kept', true);
SELECT nps_live_summary('kept', 'score', 'day', '7 days', '{region}');
TABLE kept_persistence;
SELECT count(*) AS problems FROM nps_live_summary_check('kept');
SELECT kept_mismatches() AS after_making_it_again;
-- An ETL job drops the table and creates it again, unlogged, as a grant and a view on the live
-- view wait for it.
CREATE ROLE kept_reader;
GRANT SELECT ON kept_nps_live TO kept_reader;
CREATE VIEW kept_weekly AS SELECT day, count(*) FROM (SELECT bucket AS day FROM kept_nps_live) w GROUP BY 1;
DROP VIEW kept_expected;
DROP TABLE kept;
CREATE UNLOGGED TABLE kept (id int, region text, day date, score int);
INSERT INTO kept SELECT g, (ARRAY['eu', 'us'])[1 + g % 2], date '2026-01-01' + g % 9, g % 11
FROM generate_series(1, 300) g;
SELECT nps_live_summary('kept', 'score', 'day', '7 days', '{region}');
TABLE kept_persistence;
CREATE VIEW kept_expected AS
SELECT date_trunc('week', day)::date, region, nps_agg(score) FROM kept GROUP BY 1, 2;
SELECT count(*) AS problems FROM nps_live_summary_check('kept');
SELECT kept_mismatches() AS after_reuse, has_table_privilege('kept_reader', 'kept_nps_live', 'SELECT') AS reader_kept;
DROP VIEW kept_weekly;
SELECT nps_live_summary_drop('kept', true);
DROP VIEW kept_expected, kept_persistence;
DROP FUNCTION kept_mismatches();
DROP TABLE kept;
DROP ROLE kept_reader;
