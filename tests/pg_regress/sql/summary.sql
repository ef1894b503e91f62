-- nps_summary: text form, accessors and operators, with values computed by hand.
SELECT 'v1:0,0,0,1,0,2,3,4,5,6,7'::nps_summary AS s;
-- 28 answers: promoters 6 + 7 = 13, passives 4 + 5 = 9, detractors 1 + 2 + 3 = 6 -> 100 * 7 / 28 = 25
SELECT nps(s), nps_responses(s), nps_promoters(s), nps_passives(s), nps_detractors(s),
       nps_histogram(s), (nps_histogram(s))[1] AS answer_0, (nps_histogram(s))[11] AS answer_10
FROM (SELECT 'v1:0,0,0,1,0,2,3,4,5,6,7'::nps_summary AS s) t;
SELECT nps_sparkline('v1:0,1,2,3,4,5,6,7,8,0,0'), nps_sparkline('v1:0,0,0,0,0,0,0,0,0,0,0');
SELECT nps('v1:0,0,0,0,0,0,0,0,0,0,0'::nps_summary) IS NULL AS empty_has_no_nps;
-- spaces are tolerated, the output is canonical
SELECT ' v1: 1, 2,3,4,5,6,7,8,9,10,11 '::nps_summary;
-- operators
SELECT 'v1:1,2,3,4,5,6,7,8,9,10,11'::nps_summary + 'v1:1,0,0,0,0,0,0,0,0,0,1' AS merged,
       'v1:1,2,3,4,5,6,7,8,9,10,11'::nps_summary - 'v1:1,0,0,0,0,0,0,0,0,0,1' AS rest,
       'v1:1,2,3,4,5,6,7,8,9,10,11'::nps_summary = 'v1:1,2,3,4,5,6,7,8,9,10,11' AS equal,
       'v1:1,2,3,4,5,6,7,8,9,10,11'::nps_summary <> 'v1:1,2,3,4,5,6,7,8,9,10,12' AS different;
-- GROUP BY and DISTINCT on summaries (hash operator class)
SELECT s, count(*) FROM (VALUES ('v1:1,0,0,0,0,0,0,0,0,0,0'::nps_summary), ('v1:0,0,0,0,0,0,0,0,0,0,1'),
                                ('v1:1,0,0,0,0,0,0,0,0,0,0')) v(s) GROUP BY s ORDER BY count(*);
-- -0 and 0 weights are the same summary
SELECT DISTINCT s FROM (VALUES ('v1:1,0,0,0,0,0,0,0,0,0,0;weights=-0,0,0,0,0,0,0,0,0,0,0;squares=0'::nps_summary),
                               ('v1:1,0,0,0,0,0,0,0,0,0,0;weights=0,0,0,0,0,0,0,0,0,0,0;squares=0')) v(s);
-- malformed text: class 22, naming the problem
SELECT error_of($$SELECT ''::nps_summary$$);
SELECT error_of($$SELECT 'v2:0,0,0,0,0,0,0,0,0,0,0'::nps_summary$$);
SELECT error_of($$SELECT '0,0,0,0,0,0,0,0,0,0,0'::nps_summary$$);
SELECT error_of($$SELECT 'v1:0,0,0'::nps_summary$$);
SELECT error_of($$SELECT 'v1:0,0,0,0,0,0,0,0,0,0,0,0'::nps_summary$$);
SELECT error_of($$SELECT 'v1:0,0,0,0,0,-1,0,0,0,0,0'::nps_summary$$);
SELECT error_of($$SELECT 'v1:0,0,0,0,0,0,0,0,0,0,9223372036854775808'::nps_summary$$);
SELECT error_of($$SELECT 'v1:0,0,0,0,0,0,0,0,0,0,1 junk'::nps_summary$$);
SELECT error_of($$SELECT 'v1:0,0,0,0,0,0,0,0,0,0,1;'::nps_summary$$);
SELECT error_of($$SELECT 'v1:0,0,0,0,0,0,0,0,0,0,1.5'::nps_summary$$);
-- removing more than is there, and merging past bigint
SELECT error_of($$SELECT 'v1:1,0,0,0,0,0,0,0,0,0,0'::nps_summary - 'v1:0,0,0,0,0,0,0,0,0,0,2'$$);
SELECT error_of($$SELECT 'v1:0,0,0,0,0,0,0,0,0,0,9223372036854775807'::nps_summary + 'v1:0,0,0,0,0,0,0,0,0,0,1'$$);

-- nps_agg and rollup: daily summaries roll up to exactly the summary of all answers.
-- 3 plans x 60 days; score is a fixed function of (plan, day, n) with some NULLs.
CREATE TABLE answers AS
SELECT plan, date '2026-01-01' + d AS day, n,
       CASE WHEN (d + n) % 17 = 0 THEN NULL ELSE (d * 7 + n * 3 + length(plan)) % 11 END AS score
FROM unnest(ARRAY['free', 'pro', 'team']) plan, generate_series(0, 59) d, generate_series(1, 1 + d % 5) n;
CREATE TABLE daily AS SELECT plan, day, nps_agg(score) AS summary FROM answers GROUP BY plan, day;
SELECT count(*) AS daily_rows, max(pg_column_size(summary)) AS max_bytes FROM daily;
-- every accessor, rolled up vs direct, per plan
SELECT d.plan, r = a AS same_summary, nps(r) = nps_direct AS same_nps, nps(r), nps_responses(r),
       nps_promoters(r), nps_passives(r), nps_detractors(r)
FROM (SELECT plan, rollup(summary) AS r FROM daily GROUP BY plan) d
JOIN (SELECT plan, nps_agg(score) AS a, nps(score) AS nps_direct FROM answers GROUP BY plan) x USING (plan)
ORDER BY plan;
-- the same counts by hand with FILTER
SELECT plan, count(score) AS responses, count(*) FILTER (WHERE score >= 9) AS promoters,
       count(*) FILTER (WHERE score BETWEEN 7 AND 8) AS passives, count(*) FILTER (WHERE score <= 6) AS detractors
FROM answers GROUP BY plan ORDER BY plan;
-- histogram by hand
SELECT (SELECT array_agg((SELECT count(*) FROM answers WHERE plan = 'pro' AND score = a) ORDER BY a)
        FROM generate_series(0, 10) a) = nps_histogram(rollup(summary)) AS histogram_matches
FROM daily WHERE plan = 'pro';
-- the rest of the company: total - segment equals the summary of the other plans
SELECT (SELECT rollup(summary) FROM daily) - (SELECT rollup(summary) FROM daily WHERE plan = 'pro')
     = (SELECT nps_agg(score) FROM answers WHERE plan <> 'pro') AS rest_matches;
-- no rows: NULL like sum(); rows without answers: an empty summary
SELECT nps_agg(score) IS NULL AS no_rows_is_null FROM answers WHERE false;
SELECT nps_agg(NULL::int) AS only_nulls;
SELECT rollup(s) FROM (VALUES (NULL::nps_summary), ('v1:0,0,0,0,0,0,0,0,0,0,1')) v(s);

-- window rollups equal recomputation, row by row: 7-day rolling and cumulative per plan
SELECT count(*) AS rows_checked,
       count(*) FILTER (WHERE rolling IS DISTINCT FROM recomputed) AS rolling_mismatches,
       count(*) FILTER (WHERE cumulative IS DISTINCT FROM recomputed_cumulative) AS cumulative_mismatches
FROM (
    SELECT plan, day,
           rollup(summary) OVER (PARTITION BY plan ORDER BY day ROWS 6 PRECEDING) AS rolling,
           (SELECT nps_agg(score) FROM answers a WHERE a.plan = d.plan AND a.day BETWEEN d.day - 6 AND d.day) AS recomputed,
           rollup(summary) OVER (PARTITION BY plan ORDER BY day) AS cumulative,
           (SELECT nps_agg(score) FROM answers a WHERE a.plan = d.plan AND a.day <= d.day) AS recomputed_cumulative
    FROM daily d) w;
-- nps_agg as a window aggregate too
SELECT count(*) FILTER (WHERE nps(w) IS DISTINCT FROM direct) AS mismatches
FROM (SELECT nps_agg(score) OVER o AS w, nps(score) OVER o AS direct
      FROM answers WINDOW o AS (PARTITION BY plan ORDER BY day, n ROWS 20 PRECEDING)) t;

-- text and binary round trips through COPY
CREATE TABLE copied_text (LIKE daily);
CREATE TABLE copied_binary (LIKE daily);
COPY daily TO '/tmp/nps_ext_daily.txt';
COPY copied_text FROM '/tmp/nps_ext_daily.txt';
COPY daily TO '/tmp/nps_ext_daily.bin' (FORMAT binary);
COPY copied_binary FROM '/tmp/nps_ext_daily.bin' (FORMAT binary);
SELECT count(*) AS rows, count(*) FILTER (WHERE t.summary = d.summary) AS text_identical,
       count(*) FILTER (WHERE b.summary = d.summary AND b.summary::text = d.summary::text) AS binary_identical
FROM daily d JOIN copied_text t USING (plan, day) JOIN copied_binary b USING (plan, day);
-- binary input is validated like text: raw bytes COPYed in as a summary
CREATE TABLE raw_bytes (b bytea);
CREATE TABLE received (s nps_summary);
CREATE FUNCTION receive_bytes(bytes bytea) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE raw_bytes, received;
    INSERT INTO raw_bytes VALUES (bytes);
    COPY raw_bytes TO '/tmp/nps_ext_raw.bin' (FORMAT binary);
    COPY received FROM '/tmp/nps_ext_raw.bin' (FORMAT binary);
    RETURN (SELECT s::text FROM received);
EXCEPTION WHEN others THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END $$;
SELECT receive_bytes('\x0100000102030405060708090a'::bytea) AS valid;
SELECT receive_bytes('\x0100800102030405060708090a0b'::bytea) AS two_byte_count;
SELECT receive_bytes(''::bytea) AS empty;
SELECT receive_bytes('\x0200000000000000000000000000'::bytea) AS version_2;
SELECT receive_bytes('\x0102000000000000000000000000'::bytea) AS unknown_flags;
SELECT receive_bytes('\x010000000000'::bytea) AS truncated;
SELECT receive_bytes('\x0100000102030405060708090aff'::bytea) AS trailing;
SELECT receive_bytes('\x010080808080808080808001000000000000000000'::bytea) AS count_2_to_the_63;
SELECT receive_bytes('\x0100808080808080808080800100000000000000000000'::bytea) AS overlong_varint;
SELECT receive_bytes('\x01'::bytea) AS version_only;
DROP TABLE answers, daily, copied_text, copied_binary, raw_bytes, received;
-- sums of counts beyond bigint: text and binary input refuse them (reliability.sql), but 0.1.0
-- could store them, and they must read back without wrapping. Bytes put in place with a binary
-- cast, as such a value lies on disk: 2^63 - 1 answers of 0 and one 10 (k = 1), or one 1 (k = 2).
-- NPS = 100 * (1 - (2^63 - 1)) / 2^63 = -100 + 200 / 2^63 = -99.99999999999999997831595655...,
-- shown to the 16 decimals numeric division picks: -100.0000000000000000
CREATE CAST (bytea AS nps_summary) WITHOUT FUNCTION;
CREATE TABLE beyond AS
SELECT k, b::nps_summary AS s FROM (VALUES (1, '\x0100ffffffffffffffff7f00000000000000000001'::bytea),
                                           (2, '\x0100ffffffffffffffff7f01000000000000000000')) v(k, b);
DROP CAST (bytea AS nps_summary);
SELECT nps(s), nps_promoters(s) AS promoters, nps_passives(s) AS passives, round(nps_stderr(s)::numeric, 6) AS stderr
FROM beyond WHERE k = 1;
SELECT error_of($$SELECT nps_responses(s) FROM beyond WHERE k = 1$$);
SELECT error_of($$SELECT nps_detractors(s) FROM beyond WHERE k = 2$$);
DROP TABLE beyond;
