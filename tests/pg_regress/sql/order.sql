-- Summaries sort (a BI table view sorts by any column it shows): the btree operator class orders
-- them without an NPS first, then by NPS (unweighted before weighted at equal NPS), responses,
-- the counts of answers 0..10, then weight sums.
CREATE TABLE summaries (id int, s nps_summary);
INSERT INTO summaries VALUES
    (1, 'v1:0,0,0,0,0,0,0,0,0,0,1'),   -- 100, 1 response
    (2, 'v1:1,0,0,0,0,0,0,0,0,0,0'),   -- -100
    (3, 'v1:0,0,0,0,0,0,0,0,0,0,0'),   -- no responses: no NPS
    (4, 'v1:0,0,0,0,0,0,1,0,0,0,1'),   -- 0, 2 responses
    (5, 'v1:0,0,0,0,0,0,0,1,0,0,0'),   -- 0, 1 response
    (6, 'v1:1,0,0,0,0,0,0,0,0,1,0'),   -- 0, 2 responses, more answers 0 than id 4
    (7, 'v1:0,0,0,0,0,0,0,0,0,0,2'),   -- 100, 2 responses
    (8, 'v1:0,0,0,0,0,0,1,0,0,0,1;weights=0,0,0,0,0,0,2,0,0,0,2;squares=8'), -- 0, weighted
    (9, 'v1:0,0,0,0,0,0,1,0,0,0,1;weights=0,0,0,0,0,0,1,0,0,0,1;squares=2'), -- 0, lighter
    (10, 'v1:1,0,0,0,0,0,0,0,0,0,1;weights=3,0,0,0,0,0,0,0,0,0,1;squares=10'), -- -50 weighted
    (11, NULL),
    (12, 'v1:0,0,0,0,0,0,0,0,0,0,1');  -- equal to id 1
SELECT id, s, nps(s) FROM summaries ORDER BY s, id;
SELECT string_agg(id::text, ' ' ORDER BY s DESC, id) AS descending FROM summaries;
-- the documented order, spelled with the accessors (for unweighted summaries)
SELECT array_agg(id ORDER BY s, id) = array_agg(id ORDER BY nps(s) NULLS FIRST, nps_responses(s), nps_histogram(s), id)
       AS same_order
FROM summaries WHERE s IS NOT NULL AND NOT (s::jsonb ? 'weights');
-- DISTINCT, count(DISTINCT), min and max, comparison operators
SELECT count(DISTINCT s) AS distinct_summaries, count(s) AS summaries, min(s), max(s) FROM summaries;
SELECT DISTINCT s FROM summaries WHERE nps(s) = 100 ORDER BY s;
SELECT a.id, b.id, a.s < b.s AS lt, a.s <= b.s AS le, a.s = b.s AS eq, a.s >= b.s AS ge, a.s > b.s AS gt,
       nps_summary_cmp(a.s, b.s) AS cmp
FROM summaries a, summaries b WHERE (a.id, b.id) IN ((1, 12), (4, 6), (6, 4), (4, 9), (9, 8), (3, 2)) ORDER BY 1, 2;
-- min and max per group, and as a window
SELECT id % 2 AS odd, min(s), max(s) FROM summaries GROUP BY 1 ORDER BY 1;
SELECT id, max(s) OVER (ORDER BY id ROWS 1 PRECEDING) FROM summaries WHERE id <= 4 ORDER BY id;
-- a btree index serves ORDER BY, range conditions and min/max; UNIQUE rejects an equal summary
CREATE INDEX summaries_s ON summaries (s);
CREATE FUNCTION plan_lines(q text) RETURNS SETOF text LANGUAGE plpgsql AS $$
BEGIN RETURN QUERY EXECUTE 'EXPLAIN (COSTS OFF) ' || q; END $$;
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT id FROM summaries ORDER BY s LIMIT 3;
SELECT id FROM summaries ORDER BY s LIMIT 3;
SELECT count(*) FILTER (WHERE line LIKE '%Index Only Scan Backward using summaries_s%') AS max_from_the_index
FROM plan_lines('SELECT max(s) FROM summaries') line;
SELECT max(s) FROM summaries;
SELECT id FROM summaries WHERE s > 'v1:0,0,0,0,0,0,0,1,0,0,0' AND s < 'v1:0,0,0,0,0,0,0,0,0,0,1' ORDER BY s;
RESET enable_seqscan;
CREATE TABLE unique_summaries (s nps_summary UNIQUE);
INSERT INTO unique_summaries SELECT DISTINCT s FROM summaries WHERE s IS NOT NULL;
SELECT error_of($$INSERT INTO unique_summaries VALUES ('v1:1,0,0,0,0,0,0,0,0,0,0')$$);
-- the same NPS and responses with other counts is another summary
INSERT INTO unique_summaries VALUES ('v1:0,0,0,0,0,1,0,0,0,0,1');
SELECT count(*) FROM unique_summaries;
-- 400 summaries: every pair compares as the documented order spelled with the accessors
CREATE TABLE many AS
SELECT g, ('v1:' || array_to_string(ARRAY(SELECT abs(hashint4(g * 11 + a)) % 4 FROM generate_series(0, 10) a), ','))::nps_summary AS s
FROM generate_series(1, 400) g;
WITH ranked AS (SELECT g, s, dense_rank() OVER (ORDER BY nps(s) NULLS FIRST, nps_responses(s), nps_histogram(s)) AS r FROM many)
SELECT count(DISTINCT a.s) AS summaries,
       count(*) FILTER (WHERE (a.s < b.s) <> (a.r < b.r) OR (a.s = b.s) <> (a.r = b.r) OR (a.s >= b.s) <> (a.r >= b.r)
                              OR sign(nps_summary_cmp(a.s, b.s)) <> sign(a.r - b.r)) AS disagreements,
       count(*) AS pairs
FROM ranked a, ranked b;
DROP TABLE summaries, unique_summaries, many;
DROP FUNCTION plan_lines(text);
