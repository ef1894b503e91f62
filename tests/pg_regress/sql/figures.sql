-- Figures a dashboard can format. nps() has one scale, 16 decimal places, whatever its value
-- (0.2.0: numeric division's choice, 20 places between -1 and 1, so 0 showed 20 zeros).
SELECT n, nps(s), scale(nps(s)) AS scale,
       round((100 * (count(*) FILTER (WHERE s >= 9) - count(*) FILTER (WHERE s <= 6)))::numeric(40, 30) / count(*), 16) AS recipe
FROM (VALUES (1, 10), (1, 0), (2, 9), (2, 9), (2, 3), (3, 8), (4, 9), (4, 7), (4, 7), (5, 10), (5, 0), (5, 0),
             (6, 9), (6, 6), (6, 8)) v(n, s)
GROUP BY n ORDER BY n;
-- 1 promoter and 299 passives: 1/3 point, rounded at 16 places
SELECT nps(s), scale(nps(s)) FROM (SELECT 9 UNION ALL SELECT 7 FROM generate_series(1, 299)) v(s);
-- summaries, weighted summaries, every input type and windows: the same scale
SELECT scale(nps('v1:1,0,0,0,0,0,0,0,0,1,0'::nps_summary)) AS summary,
       scale(nps('v1:1,0,0,0,0,0,0,0,0,0,1;weights=1,0,0,0,0,0,0,0,0,0,3;squares=10'::nps_summary)) AS weighted,
       nps('v1:1,0,0,0,0,0,0,0,0,0,1;weights=1,0,0,0,0,0,0,0,0,0,3;squares=10'::nps_summary) AS weighted_nps,
       scale(nps(7::numeric)) AS numeric, scale(nps(7::real)) AS real,
       (SELECT array_agg(DISTINCT scale(x)) FROM (SELECT nps(g % 11) OVER (ORDER BY g ROWS 2 PRECEDING) AS x
                                                  FROM generate_series(1, 50) g) w) AS window_scales;
-- 0.2.0's float8 figures round as numeric: round(x::numeric, 1); there is no
-- round(double precision, integer), so round(5, 1) stays numeric
-- (2 promoters, 2 passives, 1 detractor: margin 1.959964 * 100 * sqrt((0.6 - 0.04) / 5) = 65.6)
SELECT round(nps_margin(s)::numeric, 1) AS margin, round(w::numeric, 1) AS weighted,
       pg_typeof(round(5, 1)) AS round_5_1
FROM (SELECT nps_agg(v) AS s, nps(v, 1.5) AS w FROM (VALUES (10), (9), (0), (7), (8)) t(v)) x;
SELECT error_of('SELECT round(nps_margin(''v1:0,0,0,0,0,0,0,0,0,1,1''), 1)');
-- Records that read: nps_confidence_interval returns the named composite nps_interval and
-- nps_compare returns nps_comparison, in numeric, beside nps_ci and nps_test (double precision,
-- an anonymous record: 0.2.0's views depend on it).
-- 3 promoters, 1 passive, 1 detractor, Wald: 100 * (0.4 -/+ 1.959964 * sqrt(0.64 / 5)) = -30.1218, 110.1218 -> 100
SELECT pg_typeof(nps_confidence_interval(s)) AS interval_type, (nps_confidence_interval(s, 0.95, 'wald')).*,
       pg_typeof((nps_confidence_interval(s)).low) AS field_type
FROM (SELECT 'v1:0,0,0,0,0,0,1,1,0,2,1'::nps_summary AS s) t;
-- the same figures as nps_ci and nps_test, to the 15 significant digits of float8 -> numeric
SELECT count(*) AS pairs,
       count(*) FILTER (WHERE i.low = c.low::numeric AND i.high = c.high::numeric) AS same_interval,
       count(*) FILTER (WHERE (m.difference, m.z, m.p_value, m.ci_low, m.ci_high)
                              IS NOT DISTINCT FROM (t.difference::numeric, t.z::numeric, t.p_value::numeric,
                                                    t.ci_low::numeric, t.ci_high::numeric)) AS same_test
FROM (SELECT g, ('v1:' || array_to_string(ARRAY(SELECT (g * 5 + a * a) % 6 FROM generate_series(0, 10) a), ','))::nps_summary AS a,
             ('v1:' || array_to_string(ARRAY(SELECT (g * 3 + a) % 4 FROM generate_series(0, 10) a), ','))::nps_summary AS b
      FROM generate_series(1, 60) g) s,
     LATERAL nps_confidence_interval(s.a, 0.9, 'adjusted_wald') i, LATERAL nps_ci(s.a, 0.9, 'adjusted_wald') c,
     LATERAL nps_compare(s.a, s.b) m, LATERAL nps_test(s.a, s.b) t;
-- the pattern for dashboards: LATERAL, one call per row; fields by name
SELECT plan, round(ci.low, 1) AS low, round(ci.high, 1) AS high, row_to_json(ci) AS json
FROM (VALUES ('free', 'v1:2,0,0,1,0,0,0,1,0,2,1'::nps_summary), ('pro', 'v1:0,0,0,1,0,0,0,1,0,5,4')) p(plan, s),
     LATERAL nps_confidence_interval(s) ci ORDER BY plan;
SELECT round(difference, 2) AS difference, round(z, 3) AS z, round(p_value, 4) AS p_value,
       round(ci_low, 1) AS ci_low, round(ci_high, 1) AS ci_high
FROM nps_compare('v1:0,0,0,1,0,0,0,1,0,5,4', 'v1:2,0,0,1,0,0,0,1,0,2,1');
-- no responses: NULL fields (as nps_test); a bad confidence or method: the errors of nps_ci
SELECT (nps_confidence_interval('v1:0,0,0,0,0,0,0,0,0,0,0')).low IS NULL AS no_interval,
       nps_compare('v1:0,0,0,0,0,0,0,0,0,0,0', 'v1:0,0,0,0,0,0,0,0,0,0,1') IS NULL AS no_test;
SELECT error_of($$SELECT nps_confidence_interval('v1:0,0,0,0,0,0,0,0,0,0,1', 1.5)$$) =
       error_of($$SELECT nps_ci('v1:0,0,0,0,0,0,0,0,0,0,1', 1.5)$$) AS same_confidence_error,
       error_of($$SELECT nps_compare('v1:0,0,0,0,0,0,0,0,0,0,1', 'v1:0,0,0,0,0,0,0,0,0,0,1', 0.95, 'exact')$$) AS method_error;
