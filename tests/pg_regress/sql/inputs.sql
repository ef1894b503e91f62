-- Every input path gives the answers of the integer path: numeric answers in every spelling and
-- form, weighted answers, and rollup of stored summaries, against recipes written by hand.
-- The seed: 200 answers, 55% promoters, 30% passives, 15% detractors -> 40, as numeric(3,1).
CREATE TABLE numeric_seed AS
SELECT g, (CASE WHEN g <= 110 THEN 9 + g % 2 WHEN g <= 170 THEN 7 + g % 2 ELSE g % 7 END)::numeric(3,1) AS score,
       (g % 4) * 0.5::float8 AS w
FROM generate_series(1, 200) g;
INSERT INTO numeric_seed VALUES (201, NULL, 1), (202, 9, NULL);
-- as stored (on disk), computed in memory, with a display scale of 100 (a longer header)
SELECT nps(score) AS stored, nps(score * 1.0) AS times_one, nps(round(score, 100)) AS scale_100,
       nps(score::int) AS as_int,
       100.0 * (count(*) FILTER (WHERE score >= 9) - count(*) FILTER (WHERE score <= 6)) / count(score) AS recipe
FROM numeric_seed;
SELECT nps_agg(score) AS numeric_summary, nps_agg(score::int) = nps_agg(score) AS same_as_int FROM numeric_seed;
-- whole numbers in every spelling are answers
SELECT v::text AS spelled, nps_category(v), n.nps
FROM unnest('{10.000, -0, 0.0, 0.5e1, 7.00000000000000000000, 1e1}'::numeric[]) WITH ORDINALITY AS u(v, i),
     LATERAL (SELECT nps(x) FROM (VALUES (v)) t(x)) n
ORDER BY i;
-- anything else is the error it always was
SELECT v AS value, error_of(format('SELECT nps(%L::numeric)', v)) AS nps,
       error_of(format('SELECT nps_category(%L::numeric)', v)) = error_of(format('SELECT nps(%L::numeric)', v)) AS same_for_category,
       error_of(format('SELECT nps(%L::numeric, 1)', v)) = error_of(format('SELECT nps(%L::numeric)', v)) AS same_when_weighted
FROM unnest('{9.5, NaN, 11, 1e100, Infinity, -Infinity, -1, 1e-1000, 10.0001, 9.99999999999999999999, -0.5}'::text[]) v;
-- a rolling window over numeric answers (the inverse transition), against the window recipe
SELECT g, score, round(nps(score) OVER w, 2) AS rolling,
       round(100.0 * (count(*) FILTER (WHERE score >= 9) OVER w - count(*) FILTER (WHERE score <= 6) OVER w)
             / nullif(count(score) OVER w, 0), 2) AS recipe
FROM numeric_seed WHERE g BETWEEN 165 AND 176 WINDOW w AS (ORDER BY g ROWS 3 PRECEDING) ORDER BY g;
-- weighted: the same NPS from every input type, and the weighted recipe; rows with a NULL
-- answer or weight are no responses
SELECT round(nps(score, w)::numeric, 10) AS num, round(nps(score::smallint, w)::numeric, 10) AS int2,
       round(nps(score::int, w)::numeric, 10) AS int4, round(nps(score::bigint, w)::numeric, 10) AS int8,
       round((100 * (sum(w) FILTER (WHERE score >= 9) - sum(w) FILTER (WHERE score <= 6))
              / sum(w) FILTER (WHERE score IS NOT NULL))::numeric, 10) AS recipe
FROM numeric_seed;
SELECT nps_agg(score, w) FROM numeric_seed;
-- rollup of stored summaries equals summing the counts they were made from
CREATE TABLE numeric_daily AS
SELECT g % 10 AS day, nps_agg(score) AS s, count(*) FILTER (WHERE score >= 9) AS promoters,
       count(*) FILTER (WHERE score <= 6) AS detractors, count(score) AS responses
FROM numeric_seed GROUP BY 1;
INSERT INTO numeric_daily VALUES (10, NULL, 0, 0, 0);
SELECT nps_promoters(rollup(s)) = sum(promoters) AS promoters, nps_detractors(rollup(s)) = sum(detractors) AS detractors,
       nps_responses(rollup(s)) = sum(responses) AS responses, nps(rollup(s)) FROM numeric_daily;
DROP TABLE numeric_seed, numeric_daily;
