-- What drivers send where a summary is expected: JDBC's setString is a varchar parameter,
-- node-postgres (and JDBC with stringtype=unspecified) sends every parameter untyped, and a
-- text column is text. Each snippet of issue 18 that failed on 0.2.0, with each of the three.
-- Two summaries by hand: a = 1 detractor, 1 passive, 3 promoters (NPS 40); b = 2 detractors,
-- 2 promoters (NPS 0); a + b = 3 detractors, 1 passive, 5 promoters (NPS 100 * 2 / 9 = 22.2).
CREATE TABLE stored (id int, summary nps_summary);
-- stored into an nps_summary column (0.2.0: 42804)
PREPARE insert_varchar(int, varchar) AS INSERT INTO stored VALUES ($1, $2);
PREPARE insert_text(int, text) AS INSERT INTO stored VALUES ($1, $2);
PREPARE insert_untyped(int, unknown) AS INSERT INTO stored VALUES ($1, $2);
EXECUTE insert_varchar(1, 'v1:0,0,0,1,0,0,0,1,0,2,1');
EXECUTE insert_text(2, 'v1:0,0,2,0,0,0,0,0,0,0,2');
EXECUTE insert_untyped(3, 'v1:0,0,0,1,0,0,0,1,0,2,1');
SELECT id, summary, nps(summary) FROM stored ORDER BY id;
-- nps($1) (0.2.0: 42883 with varchar and text, 42725 "not unique" untyped)
PREPARE nps_varchar(varchar) AS SELECT nps($1);
PREPARE nps_text(text) AS SELECT nps($1);
PREPARE nps_untyped(unknown) AS SELECT nps($1);
EXECUTE nps_varchar('v1:0,0,0,1,0,0,0,1,0,2,1');
EXECUTE nps_text('v1:0,0,0,1,0,0,0,1,0,2,1');
EXECUTE nps_untyped('v1:0,0,0,1,0,0,0,1,0,2,1');
-- rollup over VALUES of parameters (0.2.0: 42883 rollup(text) or rollup(character varying))
PREPARE rollup_varchar(varchar, varchar) AS SELECT rollup(s), nps(rollup(s)) FROM (VALUES ($1), ($2)) t(s);
PREPARE rollup_text(text, text) AS SELECT rollup(s), nps(rollup(s)) FROM (VALUES ($1), ($2)) t(s);
PREPARE rollup_untyped(unknown, unknown) AS SELECT rollup(s), nps(rollup(s)) FROM (VALUES ($1), ($2)) t(s);
EXECUTE rollup_varchar('v1:0,0,0,1,0,0,0,1,0,2,1', 'v1:0,0,2,0,0,0,0,0,0,0,2');
EXECUTE rollup_text('v1:0,0,0,1,0,0,0,1,0,2,1', 'v1:0,0,2,0,0,0,0,0,0,0,2');
EXECUTE rollup_untyped('v1:0,0,0,1,0,0,0,1,0,2,1', 'v1:0,0,2,0,0,0,0,0,0,0,2');
-- nps_test($1, $2) (0.2.0: 42883 with varchar): the difference is 40 - 0 = 40
PREPARE test_varchar(varchar, varchar) AS SELECT difference, round(p_value::numeric, 4) AS p FROM nps_test($1, $2);
PREPARE test_untyped(unknown, unknown) AS SELECT difference, round(p_value::numeric, 4) AS p FROM nps_test($1, $2);
EXECUTE test_varchar('v1:0,0,0,1,0,0,0,1,0,2,1', 'v1:0,0,2,0,0,0,0,0,0,0,2');
EXECUTE test_untyped('v1:0,0,0,1,0,0,0,1,0,2,1', 'v1:0,0,2,0,0,0,0,0,0,0,2');
-- nps_margin($1, $2) with a summary string and a confidence (JDBC setString and setDouble;
-- 0.2.0: 42883). Wald margin of a: 1.959964 * 100 * sqrt((0.6 + 0.2 - 0.4^2) / 5) = 70.1218
PREPARE margin_varchar(varchar, double precision) AS SELECT round(nps_margin($1, $2)::numeric, 4);
PREPARE margin_untyped(unknown, unknown) AS SELECT round(nps_margin($1, $2)::numeric, 4);
EXECUTE margin_varchar('v1:0,0,0,1,0,0,0,1,0,2,1', 0.95);
EXECUTE margin_untyped('v1:0,0,0,1,0,0,0,1,0,2,1', '0.95');
-- a summary in a text column, and text operands of summary operators
CREATE TABLE exported (day date, summary text);
INSERT INTO exported VALUES ('2026-03-01', 'v1:0,0,0,1,0,0,0,1,0,2,1'), ('2026-03-02', 'v1:0,0,2,0,0,0,0,0,0,0,2');
SELECT rollup(summary), nps(rollup(summary)), min(summary::nps_summary) AS lowest FROM exported;
SELECT nps(summary) FROM exported ORDER BY day;
SELECT 'v1:0,0,0,1,0,0,0,1,0,2,1'::nps_summary + 'v1:0,0,2,0,0,0,0,0,0,0,2'::varchar AS merged;
-- what PostgreSQL infers for the untyped parameters: the summary everywhere, and for nps($1)
-- the one text overload, nps(text)
SELECT name, parameter_types FROM pg_prepared_statements WHERE name LIKE '%untyped' ORDER BY name;
DEALLOCATE ALL;
-- Answers stored as text are not summaries. nps(text) reads a summary and says so; an aggregate
-- over scores takes no text (a cast from text to a number is the caller's to write); and
-- nps_category(text) is a cast by PostgreSQL's rule for a one-argument call of a function
-- named like a type: a label reads, a number is an error of the enum's input.
SELECT error_of($$SELECT nps(score) FROM (VALUES ('9'::text)) t(score)$$);
SELECT error_of($$SELECT nps('9'::varchar)$$);
SELECT error_of($$SELECT nps_agg(score) FROM (VALUES ('9'::text)) t(score)$$);
SELECT nps_category('promoter'::text) AS label, nps_category('passive'::varchar) AS varchar_label;
SELECT error_of($$SELECT nps_category('9'::text)$$);
SELECT error_of($$SELECT nps_category('9')$$);
-- written out: 2 promoters, 1 detractor
SELECT nps_category('9'::text::numeric) AS text_score,
       (SELECT nps(score::numeric) FROM (VALUES ('9'::text), ('10'), ('3')) t(score)) AS text_scores;
-- An untyped score parameter (node-postgres) is a double precision, the preferred numeric type;
-- 0.2.0 found nps_category($1) and nps_agg($1) "not unique".
PREPARE category_untyped(unknown) AS SELECT nps_category($1);
PREPARE agg_untyped(unknown) AS SELECT nps_agg($1);
EXECUTE category_untyped('9');
EXECUTE agg_untyped('10');
SELECT error_of($$EXECUTE category_untyped('9.5')$$);
SELECT name, parameter_types FROM pg_prepared_statements ORDER BY name;
DEALLOCATE ALL;
-- The category's index still serves a comparison with a label (no cross-type operator is added
-- for nps_category), in an expression index and a partial index.
CREATE TABLE survey (id int, score int);
INSERT INTO survey SELECT g, g % 11 FROM generate_series(1, 2000) g;
ANALYZE survey;
SET enable_seqscan = off;
CREATE INDEX survey_category ON survey (nps_category(score));
EXPLAIN (COSTS OFF) SELECT count(*) FROM survey WHERE nps_category(score) = 'promoter';
DROP INDEX survey_category;
CREATE INDEX survey_promoters ON survey (id) WHERE nps_category(score) = 'promoter';
EXPLAIN (COSTS OFF) SELECT id FROM survey WHERE nps_category(score) = 'promoter' AND id < 30;
SELECT id FROM survey WHERE nps_category(score) = 'promoter' AND id < 30 ORDER BY id;
RESET enable_seqscan;
-- a category compared with a string parameter: type it (?::nps_category) or send it untyped
-- (JDBC stringtype=unspecified); a varchar parameter has no operator
PREPARE by_label(varchar) AS SELECT count(*) FROM survey WHERE nps_category(score) = $1::nps_category;
PREPARE by_untyped(unknown) AS SELECT count(*) FROM survey WHERE nps_category(score) = $1;
EXECUTE by_label('promoter');
EXECUTE by_untyped('promoter');
SELECT error_of($$PREPARE by_varchar(varchar) AS SELECT count(*) FROM survey WHERE nps_category(score) = $1$$);
DEALLOCATE ALL;
DROP TABLE stored, exported, survey;
