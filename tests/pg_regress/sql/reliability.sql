-- Hostile input: summaries no sequence of answers could produce are rejected where values come
-- in (text 22P02, binary 22P03), naming the rule.
-- One answer 9 of weight 2 has squares 2^2 = 4; squares 1 would claim an effective sample
-- size of 2^2 / 1 = 4 from one answer (Cauchy-Schwarz: sum W_k^2/n_k <= S <= sum W_k^2).
SELECT 'v1:0,0,0,0,0,0,0,0,0,1,0;weights=0,0,0,0,0,0,0,0,0,2,0;squares=4'::nps_summary AS possible;
SELECT error_of($$SELECT 'v1:0,0,0,0,0,0,0,0,0,1,0;weights=0,0,0,0,0,0,0,0,0,2,0;squares=1'::nps_summary$$);
-- two answers 9 weighing 3 in all: squares between 3^2/2 = 4.5 and 3^2 = 9
SELECT s::nps_summary IS NOT NULL AS accepted, s FROM (VALUES
    ('v1:0,0,0,0,0,0,0,0,0,2,0;weights=0,0,0,0,0,0,0,0,0,3,0;squares=4.5'),
    ('v1:0,0,0,0,0,0,0,0,0,2,0;weights=0,0,0,0,0,0,0,0,0,3,0;squares=9')) v(s);
SELECT error_of($$SELECT 'v1:0,0,0,0,0,0,0,0,0,2,0;weights=0,0,0,0,0,0,0,0,0,3,0;squares=4.4'::nps_summary$$);
SELECT error_of($$SELECT 'v1:0,0,0,0,0,0,0,0,0,2,0;weights=0,0,0,0,0,0,0,0,0,3,0;squares=9.1'::nps_summary$$);
-- responses beyond bigint, though every count fits
SELECT error_of($$SELECT 'v1:9223372036854775807,0,0,0,0,0,0,0,0,0,1'::nps_summary$$);
SELECT 'v1:9223372036854775806,0,0,0,0,0,0,0,0,0,1'::nps_summary AS all_of_bigint;
SELECT error_of($$SELECT 'v1:9223372036854775806,0,0,0,0,0,0,0,0,0,1'::nps_summary + 'v1:0,1,0,0,0,0,0,0,0,0,0'$$);

-- whatever the extension writes reads back: here 1e8^2 swallows 0.1^2 when the two are summed,
-- so the subtraction's squares are settled into their bounds instead of being left at 0
WITH big AS (SELECT nps_agg(s, w) AS b FROM (VALUES (9, 1e8)) v(s, w)),
     total AS (SELECT nps_agg(s, w) AS t FROM (VALUES (9, 1e8), (9, 0.1)) v(s, w))
SELECT t - b AS rest, ((t - b)::text)::nps_summary = t - b AS reads_back FROM big, total;

-- the same rules in binary, through COPY (FORMAT binary) as a driver sends values
CREATE TABLE raw_bytes (b bytea);
CREATE TABLE received (s nps_summary);
CREATE FUNCTION receive_bytes(bytes bytea) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE raw_bytes, received;
    INSERT INTO raw_bytes VALUES (bytes);
    COPY raw_bytes TO '/tmp/nps_ext_reliability.bin' (FORMAT binary);
    COPY received FROM '/tmp/nps_ext_reliability.bin' (FORMAT binary);
    RETURN (SELECT s::text FROM received);
EXCEPTION WHEN others THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END $$;
-- weighted layout: version 1, flags 1, 11 varint counts, 11 weight sums and the squares as
-- little-endian doubles (2.0 = 0x4000000000000000, 4.0 = 0x4010000000000000, 1.0 = 0x3ff0...)
SELECT receive_bytes(('\x0101' || '000000000000000000' || '0100'
        || repeat('0000000000000000', 9) || '0000000000000040' || '0000000000000000'
        || '0000000000001040')::bytea) AS weight_2_squares_4;
SELECT receive_bytes(('\x0101' || '000000000000000000' || '0100'
        || repeat('0000000000000000', 9) || '0000000000000040' || '0000000000000000'
        || '000000000000f03f')::bytea) AS weight_2_squares_1;
-- non-minimal varints: 5 written as 0x85 0x00 is rejected (the encoder never writes one);
-- the minimal 128 = 0x80 0x01 is read
SELECT receive_bytes('\x0100850000000000000000000000'::bytea) AS five_in_two_bytes;
SELECT receive_bytes('\x0100800000000000000000000000'::bytea) AS zero_in_two_bytes;
SELECT receive_bytes('\x0100800100000000000000000000'::bytea) AS minimal_128;
-- counts adding up past bigint
SELECT receive_bytes('\x0100ffffffffffffffff7f01000000000000000000'::bytea) AS beyond_bigint;
DROP TABLE raw_bytes, received;
DROP FUNCTION receive_bytes;

-- A value already stored reads back whatever it holds: the new rules are for values coming in.
-- Bytes as an earlier release could have stored them (put in place here with a binary cast that
-- skips the input function): a non-minimal varint, impossible squares, responses past bigint.
CREATE CAST (bytea AS nps_summary) WITHOUT FUNCTION;
CREATE TABLE stored_before (id int, s nps_summary);
INSERT INTO stored_before VALUES
    (1, '\x0100850000000000000000000000'::bytea::nps_summary),
    (2, ('\x0101' || '000000000000000000' || '0100' || repeat('0000000000000000', 9)
         || '0000000000000040' || '0000000000000000' || '000000000000f03f')::bytea::nps_summary),
    (3, '\x0100ffffffffffffffff7f01000000000000000000'::bytea::nps_summary);
SELECT id, s::text, nps_histogram(s) FROM stored_before ORDER BY id;
-- its text form no longer loads (correct such a value before a dump is restored)
SELECT id, error_of(format('SELECT %L::nps_summary', s::text)) FROM stored_before WHERE id > 1 ORDER BY id;
DROP TABLE stored_before;
DROP CAST (bytea AS nps_summary);

-- Hash aggregation that spills to disk gives exactly what sorting gives, for nps, nps_agg,
-- the weighted forms and rollup: 40,000 groups with work_mem = 64kB.
CREATE TABLE many AS
SELECT g % 40000 AS grp, CASE WHEN g % 17 = 0 THEN NULL ELSE (g * 7 + g / 40000) % 11 END AS score,
       0.5 + (g % 5) * 0.25 AS w
FROM generate_series(1, 160000) g;
ANALYZE many;
CREATE FUNCTION spills(q text) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE line text; hashed boolean := false; disk boolean := false;
BEGIN
    FOR line IN EXECUTE 'EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) ' || q LOOP
        hashed := hashed OR line LIKE '%HashAggregate%';
        disk := disk OR line LIKE '%Disk Usage%';
    END LOOP;
    RETURN hashed AND disk;
END $$;
SET work_mem = '64kB';
SET max_parallel_workers_per_gather = 0;
SET enable_sort = off;
SELECT spills('SELECT grp, nps(score), nps_agg(score), nps(score, w), nps_agg(score, w) FROM many GROUP BY grp') AS hash_spills;
CREATE TEMP TABLE hashed AS
SELECT grp, nps(score) AS n, nps_agg(score) AS a, nps(score, w) AS nw, nps_agg(score, w) AS aw FROM many GROUP BY grp;
RESET enable_sort;
SET enable_hashagg = off;
CREATE TEMP TABLE sorted AS
SELECT grp, nps(score) AS n, nps_agg(score) AS a, nps(score, w) AS nw, nps_agg(score, w) AS aw FROM many GROUP BY grp;
RESET enable_hashagg;
SELECT count(*) AS groups,
       count(*) FILTER (WHERE h.n IS NOT DISTINCT FROM s.n AND h.a = s.a AND h.nw IS NOT DISTINCT FROM s.nw
                          AND h.aw = s.aw) AS identical
FROM hashed h FULL JOIN sorted s USING (grp);
-- rollup of the stored summaries, regrouped into 20,000 groups, spilling too
SET enable_sort = off;
SELECT spills('SELECT grp % 20000, rollup(a), rollup(aw) FROM hashed GROUP BY 1') AS rollup_spills;
CREATE TEMP TABLE rolled_hashed AS SELECT grp % 20000 AS k, rollup(a) AS a, rollup(aw) AS aw FROM hashed GROUP BY 1;
RESET enable_sort;
SET enable_hashagg = off;
CREATE TEMP TABLE rolled_sorted AS SELECT grp % 20000 AS k, rollup(a) AS a, rollup(aw) AS aw FROM hashed GROUP BY 1;
RESET enable_hashagg;
SELECT count(*) AS groups, count(*) FILTER (WHERE h.a = s.a AND h.aw = s.aw) AS identical
FROM rolled_hashed h FULL JOIN rolled_sorted s USING (k);
-- and both equal the answers counted by hand
SELECT count(*) FILTER (WHERE nps_histogram(a) = hand) AS histograms_by_hand, count(*) AS groups
FROM sorted JOIN (SELECT grp, array_agg(c ORDER BY answer) AS hand
                  FROM (SELECT grp, answer, count(*) FILTER (WHERE score = answer) AS c
                        FROM many, generate_series(0, 10) answer GROUP BY grp, answer) x GROUP BY grp) h USING (grp);
RESET work_mem;
RESET max_parallel_workers_per_gather;
DROP TABLE many;
DROP FUNCTION spills;
