-- Bad answers are errors with a class-22 SQLSTATE, never dropped rows.
SELECT error_of($$SELECT nps(11)$$);
SELECT error_of($$SELECT nps(-1)$$);
SELECT error_of($$SELECT nps(32767::smallint)$$);
SELECT error_of($$SELECT nps(-9223372036854775808)$$);
SELECT error_of($$SELECT nps(9.5)$$);
SELECT error_of($$SELECT nps(6.5)$$);
SELECT error_of($$SELECT nps('NaN'::numeric)$$);
SELECT error_of($$SELECT nps('Infinity'::numeric)$$);
SELECT error_of($$SELECT nps(1e100)$$);
SELECT error_of($$SELECT nps_category(-1)$$);
SELECT error_of($$SELECT nps_category(9.5)$$);
SELECT error_of($$SELECT nps_category('NaN'::numeric)$$);
-- the bad row is found wherever it is, also in a window frame
SELECT error_of($$SELECT nps(s) FROM (VALUES (9), (10), (7), (42)) v(s)$$);
SELECT error_of($$SELECT nps(s) OVER (ORDER BY s ROWS 1 PRECEDING) FROM (VALUES (9), (100)) v(s)$$);
-- as psql shows it
SELECT nps(s) FROM (VALUES (10), (11)) v(s);
