-- Helpers for the benchmarks: the median wall time of a query over several runs, measured
-- inside the server so client transfer is not counted.
CREATE OR REPLACE FUNCTION pg_temp.median_ms(query text, runs int DEFAULT 5) RETURNS float8
LANGUAGE plpgsql AS $$
DECLARE
    times float8[] := '{}';
    t0 timestamptz;
BEGIN
    EXECUTE query;  -- warm-up: caches, plan
    FOR i IN 1..runs LOOP
        t0 := clock_timestamp();
        EXECUTE query;
        times := times || extract(epoch FROM clock_timestamp() - t0) * 1000;
    END LOOP;
    RETURN (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY t) FROM unnest(times) t);
END $$;
