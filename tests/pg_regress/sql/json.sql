-- nps_summary <-> jsonb and nps_report, with values computed by hand.
-- 70 answers: promoters 17 + 12 = 29, passives 10 + 14 = 24, detractors 3+1+0+2+1+4+6 = 17
SELECT 'v1:3,1,0,2,1,4,6,10,14,17,12'::nps_summary::jsonb AS doc;
SELECT '{"counts": {"0": 3, "1": 1, "2": 0, "3": 2, "4": 1, "5": 4, "6": 6, "7": 10, "8": 14, "9": 17, "10": 12}}'::jsonb::nps_summary AS s;
-- weighted: one 10 of weight 2.5 and two 3s of weights 0.5 and 1 -> sums 1.5 and 2.5, squares 0.25 + 1 + 6.25 = 7.5
SELECT nps_agg(score, weight)::jsonb AS doc FROM (VALUES (10, 2.5), (3, 0.5), (3, 1.0)) v(score, weight);
SELECT ('{"counts": {"0": 0, "1": 0, "2": 0, "3": 2, "4": 0, "5": 0, "6": 0, "7": 0, "8": 0, "9": 0, "10": 1},'
        ' "weights": {"0": 0, "1": 0, "2": 0, "3": 1.5, "4": 0, "5": 0, "6": 0, "7": 0, "8": 0, "9": 0, "10": 2.5},'
        ' "squares": 7.5}')::jsonb::nps_summary AS s;
-- a JSON document built in SQL, e.g. from a dashboard's payload
SELECT jsonb_build_object('counts', jsonb_object_agg(answer::text, n))::nps_summary AS s
FROM (SELECT answer, (answer % 3) AS n FROM generate_series(0, 10) answer) a;
-- round trips: summary -> jsonb -> summary gives the same value and the same bytes, for
-- unweighted, weighted (weights with long decimals) and extreme counts
CREATE TABLE json_summaries AS
SELECT g % 7 AS segment, nps_agg(g % 11) AS plain, nps_agg(g % 11, (g % 13) / 7.0 + 1e-9 * g) AS weighted
FROM generate_series(1, 5000) g GROUP BY g % 7;
INSERT INTO json_summaries VALUES
    (100, 'v1:4611686018427387904,0,0,0,0,0,0,0,0,0,4611686018427387903', 'v1:0,0,0,0,0,0,0,0,0,0,0'),
    (101, 'v1:0,0,0,0,0,0,0,0,0,0,0', 'v1:1,0,0,0,0,0,0,0,0,0,2;weights=0.1,0,0,0,0,0,0,0,0,0,1e-300;squares=0.010000000000000002');
SELECT count(*) AS summaries,
       count(*) FILTER (WHERE plain::jsonb::nps_summary = plain
                          AND nps_summary_send(plain::jsonb::nps_summary) = nps_summary_send(plain)) AS plain_equal,
       count(*) FILTER (WHERE weighted::jsonb::nps_summary = weighted
                          AND nps_summary_send(weighted::jsonb::nps_summary) = nps_summary_send(weighted)) AS weighted_equal,
       count(*) FILTER (WHERE (weighted::jsonb::text)::jsonb::nps_summary = weighted) AS through_text_equal
FROM json_summaries;
SELECT plain::jsonb FROM json_summaries WHERE segment = 100;
SELECT weighted::jsonb FROM json_summaries WHERE segment = 101;
-- to_jsonb() and row_to_json() use a cast to json, which there is not: they give the text form
SELECT to_jsonb('v1:0,0,0,0,0,0,0,0,0,0,1'::nps_summary) AS text_form;
-- the casts are explicit
SELECT error_of($$SELECT nps_responses('{"counts": {}}'::jsonb)$$);
CREATE TEMP TABLE json_target (doc jsonb);
SELECT error_of($$INSERT INTO json_target VALUES ('v1:0,0,0,0,0,0,0,0,0,0,1'::nps_summary)$$);
-- bad documents: class 22, naming the field and the rule
SELECT error_of($$SELECT '{}'::jsonb::nps_summary$$);
SELECT error_of($$SELECT '"v1:0,0,0,0,0,0,0,0,0,0,1"'::jsonb::nps_summary$$);
SELECT error_of($$SELECT '{"counts": [0,0,0,0,0,0,0,0,0,0,0]}'::jsonb::nps_summary$$);
SELECT error_of($$SELECT '{"counts": {"0": 1}}'::jsonb::nps_summary$$);
SELECT error_of($$SELECT '{"counts": {"0": 0, "1": 0, "2": 0, "3": 0, "4": 0, "5": 0, "6": 0, "7": 0, "8": 0, "9": 0, "10": 0, "11": 0}}'::jsonb::nps_summary$$);
SELECT error_of($$SELECT '{"counts": {"0": 0, "1": 0, "2": 0, "3": 0, "4": 0, "5": 0, "6": 0, "7": 0, "8": 0, "9": 0, "10": 0}, "nps": 0}'::jsonb::nps_summary$$);
SELECT error_of($$SELECT '{"counts": {"0": 0, "1": 0, "2": 0, "3": 0, "4": 0, "5": -1, "6": 0, "7": 0, "8": 0, "9": 0, "10": 0}}'::jsonb::nps_summary$$);
SELECT error_of($$SELECT '{"counts": {"0": 0, "1": 0, "2": 0, "3": 0, "4": 0, "5": 1.5, "6": 0, "7": 0, "8": 0, "9": 0, "10": 0}}'::jsonb::nps_summary$$);
SELECT error_of($$SELECT '{"counts": {"0": 0, "1": 0, "2": 0, "3": 0, "4": 0, "5": 3.0, "6": 0, "7": 0, "8": 0, "9": 0, "10": 0}}'::jsonb::nps_summary$$);
SELECT error_of($$SELECT '{"counts": {"0": 0, "1": 0, "2": 0, "3": 0, "4": 0, "5": "3", "6": 0, "7": 0, "8": 0, "9": 0, "10": 0}}'::jsonb::nps_summary$$);
SELECT error_of($$SELECT '{"counts": {"0": 0, "1": 0, "2": 0, "3": 0, "4": 0, "5": 0, "6": 0, "7": 0, "8": 0, "9": 0, "10": 9223372036854775808}}'::jsonb::nps_summary$$);
SELECT error_of($$SELECT '{"counts": {"0": 0, "1": 0, "2": 0, "3": 0, "4": 0, "5": 0, "6": 0, "7": 0, "8": 0, "9": 0, "10": 1e400}}'::jsonb::nps_summary$$);
SELECT error_of($$SELECT '{"counts": {"0": 0, "1": 0, "2": 0, "3": 0, "4": 0, "5": 0, "6": 0, "7": 0, "8": 0, "9": 0, "10": 1},
                          "weights": {"0": 0, "1": 0, "2": 0, "3": 0, "4": 0, "5": 0, "6": 0, "7": 0, "8": 0, "9": 0, "10": 1}}'::jsonb::nps_summary$$);
SELECT error_of($$SELECT '{"counts": {"0": 0, "1": 0, "2": 0, "3": 0, "4": 0, "5": 0, "6": 0, "7": 0, "8": 0, "9": 0, "10": 1},
                          "weights": {"0": 0, "1": 0, "2": 0, "3": 0, "4": 0, "5": 0, "6": 0, "7": 0, "8": 0, "9": 0, "10": -1}, "squares": 1}'::jsonb::nps_summary$$);
SELECT error_of($$SELECT '{"counts": {"0": 0, "1": 0, "2": 0, "3": 0, "4": 0, "5": 0, "6": 0, "7": 0, "8": 0, "9": 0, "10": 1},
                          "weights": {"0": 0, "1": 0, "2": 0, "3": 0, "4": 2, "5": 0, "6": 0, "7": 0, "8": 0, "9": 0, "10": 1}, "squares": 5}'::jsonb::nps_summary$$);
-- the session goes on after every error
SELECT 'v1:0,0,0,0,0,0,0,0,0,0,1'::nps_summary::jsonb::nps_summary AS still_fine;

-- nps_report: one jsonb object a dashboard reads without knowing the type.
-- Hand values for the 70 answers above: nps 100 * 12 / 70 = 17.142857; shares 29/70 = 0.414286,
-- 24/70 = 0.342857, 17/70 = 0.242857; var = 46/70 - (12/70)^2 = 0.627755, stderr 100 sqrt(var / 70)
-- = 9.469916, margin 1.959964 * 9.469916 = 18.560693; Wald interval 17.142857 -/+ 18.560693.
SELECT jsonb_pretty(nps_report('v1:3,1,0,2,1,4,6,10,14,17,12', 0.95, 'wald'));
-- the default is the adjusted-Wald interval at 95%. 3 promoters, 1 passive, 1 detractor:
-- p = 3.75 / 8, d = 1.75 / 8, centre 0.25, var 0.6875 - 0.0625 = 0.625, half-width
-- 1.959964 * sqrt(0.625 / 8) = 0.547827 -> -29.78 .. 79.78
SELECT r->'interval' AS interval, round((r->>'nps')::numeric, 2) AS nps
FROM nps_report('v1:0,0,0,0,0,0,1,1,0,2,1') r;
-- weighted: promoter weight 2, passive 1, detractor 1 -> nps 25, shares 0.5 / 0.25 / 0.25,
-- n_eff = 4^2 / 6 = 2.666667, stderr 100 sqrt(0.6875 / n_eff) = 50.775240
SELECT jsonb_pretty(nps_report(nps_agg(score, weight), 0.90, 'wald'))
FROM (VALUES (10, 2.0), (7, 1.0), (3, 1.0)) v(score, weight);
-- nothing to report: every key, the statistics null
SELECT nps_report('v1:0,0,0,0,0,0,0,0,0,0,0');
-- the figures agree with the SQL functions
SELECT count(*) AS summaries,
       count(*) FILTER (WHERE round((r->>'nps')::numeric, 10) = round(nps(plain), 10)
                          AND (r->>'responses')::bigint = nps_responses(plain)
                          AND (r->>'margin')::float8 = nps_margin(plain)
                          AND (r->>'stderr')::float8 = nps_stderr(plain)
                          AND (r->'interval'->>'low')::float8 = nps_ci_low(plain)
                          AND (r->'interval'->>'high')::float8 = nps_ci_high(plain)) AS agree
FROM (SELECT plain FROM json_summaries WHERE segment < 100) j, nps_report(plain) r;
-- counts up to a bigint in total: 9223372036854775807 promoters is NPS 100; one more answer is
-- more responses than bigint holds, refused where the summary comes in
SELECT r->'responses' AS responses, r->'nps' AS nps FROM nps_report('v1:0,0,0,0,0,0,0,0,0,0,9223372036854775807') r;
SELECT error_of($$SELECT nps_report('v1:1,0,0,0,0,0,0,0,0,0,9223372036854775807')$$);
-- a dashboard's whole payload in one query
SELECT jsonb_object_agg(segment, nps_report(plain)->'nps' ORDER BY segment) AS nps_by_segment
FROM json_summaries WHERE segment < 3;
-- bad parameters are errors, as in nps_ci
SELECT error_of($$SELECT nps_report('v1:0,0,0,0,0,0,0,0,0,0,1', 1.5)$$);
SELECT error_of($$SELECT nps_report('v1:0,0,0,0,0,0,0,0,0,0,0', 0.95, 'exact')$$);
DROP TABLE json_summaries;
