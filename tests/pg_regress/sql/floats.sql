-- Answers in real and double precision columns (pandas writes a score column with missing
-- values as float64, and so do many CSV loaders): whole values count, exactly as integers.
-- The seed: 200 answers, 55% promoters, 30% passives, 15% detractors -> 40, plus a NULL.
CREATE TABLE float_seed AS
SELECT g, s::double precision AS d, s::real AS r, s, (g % 4) * 0.5::float8 AS w
FROM (SELECT g, CASE WHEN g <= 110 THEN 9 + g % 2 WHEN g <= 170 THEN 7 + g % 2 ELSE g % 7 END AS s
      FROM generate_series(1, 200) g) t;
INSERT INTO float_seed VALUES (201, NULL, NULL, NULL, 1);
SELECT nps(d) AS double, nps(r) AS real, nps(s) AS integer,
       100.0 * (count(*) FILTER (WHERE d >= 9) - count(*) FILTER (WHERE d <= 6)) / count(d) AS recipe
FROM float_seed;
SELECT nps_agg(d) AS double, nps_agg(r) = nps_agg(s) AS real_same, nps_agg(d) = nps_agg(s) AS double_same FROM float_seed;
-- weighted, as for integers and against the weighted recipe
SELECT round(nps(d, w)::numeric, 10) AS double, round(nps(r, w)::numeric, 10) AS real,
       round(nps(s, w)::numeric, 10) AS integer,
       round((100 * (sum(w) FILTER (WHERE d >= 9) - sum(w) FILTER (WHERE d <= 6))
              / sum(w) FILTER (WHERE d IS NOT NULL))::numeric, 10) AS recipe,
       nps_agg(d, w) = nps_agg(s, w) AS summaries_same
FROM float_seed;
-- categories at every boundary, and whole values in other spellings
SELECT v, nps_category(v::double precision) AS double, nps_category(v::real) AS real
FROM generate_series(0, 10) v;
SELECT nps_category('-0'::float8) AS minus_zero, nps_category('1e1'::real) AS ten, nps_category(8.0e0) AS eight;
-- a rolling window (the inverse transition), against the window recipe
SELECT g, d, round(nps(d) OVER w, 2) AS rolling,
       round(100.0 * (count(*) FILTER (WHERE d >= 9) OVER w - count(*) FILTER (WHERE d <= 6) OVER w)
             / nullif(count(d) OVER w, 0), 2) AS recipe
FROM float_seed WHERE g BETWEEN 165 AND 176 WINDOW w AS (ORDER BY g ROWS 3 PRECEDING) ORDER BY g;
-- Anything else is a class-22 error naming the value as PostgreSQL prints it (v::text), the
-- same on every path; NaN too.
SELECT v AS value, v::float8::text AS shown, error_of(format('SELECT nps(%L::float8)', v)) AS double,
       error_of(format('SELECT nps_agg(%L::float8, 1)', v)) = error_of(format('SELECT nps(%L::float8)', v)) AS weighted_same,
       error_of(format('SELECT nps_category(%L::float8)', v)) = error_of(format('SELECT nps(%L::float8)', v)) AS category_same,
       error_of(format('SELECT nps(s) OVER (ORDER BY g ROWS 1 PRECEDING) FROM (VALUES (1, 9::float8), (2, %L)) x(g, s)', v))
           = error_of(format('SELECT nps(%L::float8)', v)) AS window_same
FROM unnest('{9.5, -0.5, 11, -1, 1e100, 1e-300, 10.000000000000002, Infinity, -Infinity, NaN}'::text[]) v;
SELECT v AS value, v::real::text AS shown, error_of(format('SELECT nps(%L::real)', v)) AS real,
       error_of(format('SELECT nps_category(%L::real)', v)) = error_of(format('SELECT nps(%L::real)', v)) AS category_same,
       error_of(format('SELECT nps_agg(%L::real, 2)', v)) = error_of(format('SELECT nps(%L::real)', v)) AS weighted_same
FROM unnest('{9.5, 11, 1e30, 3e-5, 10.000001, Infinity, NaN}'::text[]) v;
-- loaders that write NaN for a missing answer: NULLIF turns it into no response
CREATE TABLE loaded (score double precision);
INSERT INTO loaded VALUES (10), ('NaN'), (9), (3), ('NaN');
SELECT error_of('SELECT nps(score) FROM loaded');
SELECT nps(NULLIF(score, 'NaN')), nps_responses(nps_agg(NULLIF(score, 'NaN'))) FROM loaded;
DROP TABLE float_seed, loaded;
