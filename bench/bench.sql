-- Helpers for the benchmarks, measured inside the server so client transfer is not counted.

-- The median wall time of a query over several runs, after a warm-up.
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

-- The wall time of every run of several queries, interleaved: after one warm-up of each, run r
-- runs each query once, starting with a different one each round, so that load from elsewhere
-- on the machine falls on all of them alike and ratios can be taken within a round.
CREATE OR REPLACE FUNCTION pg_temp.interleaved_ms(names text[], queries text[], runs int DEFAULT 5)
RETURNS TABLE (run int, what text, ms float8)
LANGUAGE plpgsql AS $$
DECLARE
    n int := array_length(queries, 1);
    q int;
    t0 timestamptz;
BEGIN
    FOR i IN 1..n LOOP
        EXECUTE queries[i];
    END LOOP;
    FOR r IN 1..runs LOOP
        FOR i IN 1..n LOOP
            q := 1 + (i + r - 2) % n;
            t0 := clock_timestamp();
            EXECUTE queries[q];
            run := r;
            what := names[q];
            ms := extract(epoch FROM clock_timestamp() - t0) * 1000;
            RETURN NEXT;
        END LOOP;
    END LOOP;
END $$;
