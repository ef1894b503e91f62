-- The seed example: 200 answers, 55% promoters, 30% passives, 15% detractors -> 40.
CREATE TABLE seed AS
SELECT g, CASE WHEN g <= 110 THEN 9 + g % 2 WHEN g <= 170 THEN 7 + g % 2 ELSE g % 7 END AS score
FROM generate_series(1, 200) g;
SELECT count(*) FILTER (WHERE score >= 9) AS promoters,
       count(*) FILTER (WHERE score BETWEEN 7 AND 8) AS passives,
       count(*) FILTER (WHERE score <= 6) AS detractors FROM seed;
SELECT nps(score), round(nps(score), 1) FROM seed;
-- every input type gives the same numeric
SELECT nps(score::smallint) AS int2, nps(score::int) AS int4, nps(score::bigint) AS int8,
       nps(score::numeric) AS num, nps(score::numeric(4,2)) AS num_scaled FROM seed;
SELECT pg_typeof(nps(score)) FROM seed;
-- NULL answers are not responses: 40 stays 40 with 50 NULLs added
INSERT INTO seed SELECT g, NULL FROM generate_series(201, 250) g;
SELECT nps(score), count(*) AS rows, count(score) AS responses FROM seed;
-- the integer-division pitfall the aggregate avoids: 2 promoters of 3 answers
SELECT nps(s) AS nps, 100 * (count(*) FILTER (WHERE s >= 9) - count(*) FILTER (WHERE s <= 6)) / count(s) AS int_division
FROM (VALUES (10), (9), (7)) v(s);
-- an empty group, an all-NULL group
SELECT nps(score) IS NULL AS empty_is_null FROM seed WHERE false;
SELECT nps(NULL::int) IS NULL AS all_null_is_null;
SELECT g % 3 AS k, nps(score) FROM seed WHERE g <= 3 OR score IS NULL GROUP BY 1 ORDER BY 1;
-- each boundary on its own
SELECT s, nps(s) FROM generate_series(0, 10) s GROUP BY s ORDER BY s;
SELECT nps(s) FROM (VALUES (6), (7), (8), (9)) v(s);
-- windows: rolling and cumulative, against the window-count recipe
SELECT g, score,
       round(nps(score) OVER w, 2) AS rolling,
       round(100.0 * (count(*) FILTER (WHERE score >= 9) OVER w - count(*) FILTER (WHERE score <= 6) OVER w)
             / nullif(count(score) OVER w, 0), 2) AS recipe
FROM seed WHERE g BETWEEN 165 AND 175 WINDOW w AS (ORDER BY g ROWS 3 PRECEDING) ORDER BY g;
SELECT g, cumulative FROM (
    SELECT g, round(nps(score) OVER (ORDER BY g ROWS UNBOUNDED PRECEDING), 2) AS cumulative FROM seed) c
WHERE g IN (1, 110, 111, 170, 171, 200, 250) ORDER BY g;
-- aggregate labels
SELECT a.aggfnoid::regprocedure::text AS aggregate, a.aggcombinefn <> 0 AS combine, a.aggserialfn <> 0 AS serial,
       a.aggminvtransfn <> 0 AS inverse, p.proparallel
FROM pg_aggregate a JOIN pg_proc p ON p.oid = a.aggfnoid WHERE p.proname = 'nps' ORDER BY 1;
DROP TABLE seed;
