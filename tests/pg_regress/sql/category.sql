-- nps_category: every boundary, every input type, and uses that need IMMUTABLE.
SELECT s, nps_category(s) FROM generate_series(0, 10) s;
SELECT nps_category(6::smallint), nps_category(7::bigint), nps_category(9.000);
SELECT nps_category(NULL::int) IS NULL AS null_in_null_out;
-- ordered: detractor < passive < promoter
SELECT enum_range(NULL::nps_category);
SELECT nps_category(6) < nps_category(7) AS ordered;
-- volatility and parallel labels as \df+ would show them
SELECT p.oid::regprocedure::text AS function, p.provolatile, p.proisstrict, p.proparallel
FROM pg_proc p WHERE p.proname = 'nps_category' ORDER BY 1;
-- an index, a generated column, GROUP BY and FILTER
CREATE TABLE survey (id int, score int, category nps_category GENERATED ALWAYS AS (nps_category(score)) STORED);
CREATE INDEX survey_category ON survey (nps_category(score));
INSERT INTO survey (id, score) VALUES (1, 10), (2, 9), (3, 8), (4, 6), (5, 0), (6, NULL);
SELECT id, score, category FROM survey ORDER BY id;
SELECT category, count(*) FROM survey GROUP BY category ORDER BY category;
SELECT count(*) FILTER (WHERE nps_category(score) = 'promoter') AS promoters FROM survey;
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT id FROM survey WHERE nps_category(score) = 'detractor';
SELECT id FROM survey WHERE nps_category(score) = 'detractor' ORDER BY id;
RESET enable_seqscan;
-- a bad answer cannot get into the table
SELECT error_of($$INSERT INTO survey (id, score) VALUES (7, 11)$$);
SELECT count(*) FROM survey;
DROP TABLE survey;
