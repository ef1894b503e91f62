-- nps_ext 0.1.0 -> 0.2.0, written by hand and reviewed like code. Run by
-- ALTER EXTENSION nps_ext UPDATE; tests/upgrade.sh checks that the result equals a fresh 0.2.0
-- install object for object, and that every stored nps_summary reads back identical.
--
-- Everything here runs with search_path = pg_catalog, @extschema@, pg_temp; what a hostile
-- schema could shadow is qualified.
\echo Use "ALTER EXTENSION nps_ext UPDATE TO '0.2.0'" to load this file. \quit

-- nps_ci and nps_test called nps_ci_low, nps_ci_high and nps_test_values through the caller's
-- search_path (broken by pg_restore, postgres_fdw, PostgreSQL 17's maintenance search_path,
-- installing into another schema, and open to hijacking). As C functions they look nothing up
-- when called, and a call costs well under a microsecond (about 3.6 as SQL functions).
-- CREATE OR REPLACE keeps the functions' OIDs, arguments and OUT parameters, so views,
-- materialized views and indexes that use them keep working.
CREATE OR REPLACE FUNCTION @extschema@.nps_ci(summary @extschema@.nps_summary,
                       confidence double precision DEFAULT 0.95,
                       method text DEFAULT 'adjusted_wald',
                       OUT low double precision, OUT high double precision)
    IMMUTABLE STRICT PARALLEL SAFE LANGUAGE c AS 'MODULE_PATHNAME', 'nps_ci_record';

CREATE OR REPLACE FUNCTION @extschema@.nps_test(a @extschema@.nps_summary, b @extschema@.nps_summary,
                         confidence double precision DEFAULT 0.95,
                         method text DEFAULT 'adjusted_wald',
                         OUT difference double precision, OUT z double precision,
                         OUT p_value double precision, OUT ci_low double precision,
                         OUT ci_high double precision)
    IMMUTABLE STRICT PARALLEL SAFE LANGUAGE c AS 'MODULE_PATHNAME', 'nps_test_record';

-- ==== issue 12: JSON with serde (nps_summary <-> jsonb casts, nps_report) ====
-- The JSON form of a summary ({"counts": {"0": c0, ..., "10": c10}}, plus "weights" and
-- "squares" when weighted) and one jsonb object with a summary's figures for dashboards.
-- Explicit casts, like hstore's and PostGIS's: a conversion that can fail is written out.
CREATE FUNCTION @extschema@.nps_summary_to_jsonb(summary @extschema@.nps_summary) RETURNS jsonb
    IMMUTABLE STRICT PARALLEL SAFE LANGUAGE c AS 'MODULE_PATHNAME', 'nps_summary_to_jsonb_wrapper';
CREATE FUNCTION @extschema@.nps_summary_from_jsonb(doc jsonb) RETURNS @extschema@.nps_summary
    IMMUTABLE STRICT PARALLEL SAFE LANGUAGE c AS 'MODULE_PATHNAME', 'nps_summary_from_jsonb_wrapper';
CREATE FUNCTION @extschema@.nps_report(summary @extschema@.nps_summary,
                                       confidence double precision DEFAULT 0.95,
                                       method text DEFAULT 'adjusted_wald') RETURNS jsonb
    IMMUTABLE STRICT PARALLEL SAFE LANGUAGE c AS 'MODULE_PATHNAME', 'nps_report_wrapper';
CREATE CAST (@extschema@.nps_summary AS jsonb)
    WITH FUNCTION @extschema@.nps_summary_to_jsonb(@extschema@.nps_summary);
CREATE CAST (jsonb AS @extschema@.nps_summary)
    WITH FUNCTION @extschema@.nps_summary_from_jsonb(jsonb);
COMMENT ON FUNCTION @extschema@.nps_report(@extschema@.nps_summary, double precision, text) IS
    'The NPS, counts, shares, margin and confidence interval of a summary as one jsonb object';

-- ==== issue 11: Every input path as fast as the integer path: numeric answers and weighted NPS ====
-- Nothing to change in the catalog. The weighted transitions nps_weighted_trans_{int2,int4,int8,
-- numeric} and rollup's nps_rollup_trans / nps_rollup_inverse became plain V1 functions; their
-- CREATE FUNCTION is now written by hand in the install script, with the argument names, labels
-- and C symbols (nps_..._wrapper) that 0.1.0 created, so the 0.1.0 objects stay as they are.
-- nps_category(numeric) and the numeric nps/nps_agg transitions keep their SQL and symbols.

-- ==== issue 13: Live summaries: nps_ext keeps a table of daily summaries exactly current ====
-- nps_live_summary() and nps_live_summary_drop(), as src/live.rs creates them in a fresh install
-- (PL/pgSQL; search_path pinned; the extension's objects called by its schema).
CREATE FUNCTION @extschema@.nps_live_summary(source regclass, score_column name, time_column name, bucket interval,
                                 segments name[] DEFAULT '{}', weight_column name DEFAULT NULL,
                                 target name DEFAULT NULL)
    RETURNS regclass VOLATILE PARALLEL UNSAFE LANGUAGE plpgsql
    -- IntervalStyle: the bucket is written into the generated code and the comment as text
    SET search_path = pg_catalog, pg_temp SET IntervalStyle = 'postgres'
AS $function$
DECLARE
    ext constant text := '@extschema@';  -- the extension's schema, as an identifier
    src record;
    col record;
    tz text := pg_catalog.current_setting('TimeZone');
    time_type text;
    months int;
    days int;
    seconds numeric;
    local text;           -- the answer's time as a wall-clock timestamp
    bucket_sql text;      -- the bucket of the answer t
    bucket_rule text;     -- the same in words
    live_name text;
    live text;
    keys text := 'bucket';           -- the live table's key columns
    d_keys text := 'd.bucket';       -- the same, of the delta d
    key_defs text := '';
    t_segments text := '';
    r_segments text := '';
    keys_given text := 'd.bucket IS NOT NULL AND pg_catalog.isfinite(d.bucket)';
    null_column text;
    same_key text := 'l.bucket OPERATOR(pg_catalog.=) d.bucket';
    answer text;          -- what nps_agg takes, from the answer t
    is_response text;
    parts text[];
    deltas text[];
    upserts text[];
    takes text[];
    problem text;
    eq_ops text[];
    body text;
    bad record;
    i int;
BEGIN
    IF source IS NULL OR score_column IS NULL OR time_column IS NULL OR bucket IS NULL OR segments IS NULL
       OR pg_catalog.array_position(segments, NULL) IS NOT NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'null_value_not_allowed',
            MESSAGE = 'nps_live_summary needs a source, score_column, time_column, bucket and segments without NULLs';
    END IF;

    -- The fill below must see every answer committed before the triggers lock the source; a
    -- transaction snapshot taken earlier would miss those committed in between.
    IF pg_catalog.current_setting('transaction_isolation') <> 'read committed' THEN
        RAISE EXCEPTION USING ERRCODE = 'active_sql_transaction',
            MESSAGE = 'nps_live_summary must run in a READ COMMITTED transaction',
            HINT = 'Its own snapshot would miss answers committed while it waits for the table.';
    END IF;

    SELECT c.relname, c.relkind, c.relpersistence, c.relispartition, n.nspname,
           EXISTS (SELECT FROM pg_catalog.pg_inherits h WHERE h.inhparent = c.oid OR h.inhrelid = c.oid) AS inherits
      INTO src
      FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
     WHERE c.oid = source;
    IF src.relkind = 'p' OR src.relispartition OR src.inherits THEN
        RAISE EXCEPTION USING ERRCODE = 'feature_not_supported',
            MESSAGE = pg_catalog.format('%s is partitioned or in an inheritance tree', source),
            HINT = 'Statement triggers on a parent miss rows written to a child directly; keep a live summary of a plain table.';
    ELSIF src.relkind <> 'r' THEN
        RAISE EXCEPTION USING ERRCODE = 'wrong_object_type', MESSAGE = pg_catalog.format('%s is not a table', source);
    ELSIF src.relpersistence = 't' THEN
        RAISE EXCEPTION USING ERRCODE = 'feature_not_supported',
            MESSAGE = pg_catalog.format('%s is a temporary table', source);
    ELSIF pg_catalog.row_security_active(source) THEN
        RAISE EXCEPTION USING ERRCODE = 'feature_not_supported',
            MESSAGE = pg_catalog.format('row-level security hides rows of %s from %s', source, current_user),
            HINT = 'Create the live summary as a role that sees every row, such as the table''s owner.';
    ELSIF EXISTS (SELECT FROM pg_catalog.pg_trigger WHERE tgrelid = source AND tgname = 'nps_live_insert') THEN
        RAISE EXCEPTION USING ERRCODE = 'duplicate_object',
            MESSAGE = pg_catalog.format('%s already has a live summary', source),
            HINT = 'Remove it first with nps_live_summary_drop().';
    END IF;

    -- Columns: each must exist; score, time and weight of a type nps_agg and the buckets take.
    FOR col IN
        SELECT u.role, u.name, u.position, a.attnum, a.atttypid, a.atttypmod, a.attcollation, a.attgenerated,
               (WITH RECURSIVE base(oid, basetype, depth) AS (
                    SELECT t.oid, t.typbasetype, 0 FROM pg_catalog.pg_type t WHERE t.oid = a.atttypid
                    UNION ALL
                    SELECT t.oid, t.typbasetype, b.depth + 1 FROM base b JOIN pg_catalog.pg_type t ON t.oid = b.basetype)
                SELECT b.oid FROM base b ORDER BY b.depth DESC LIMIT 1)::regtype::text AS base_type
          FROM (SELECT 'score' AS role, score_column AS name, 0::bigint AS position
                UNION ALL SELECT 'time', time_column, 0
                UNION ALL SELECT 'weight', weight_column, 0 WHERE weight_column IS NOT NULL
                UNION ALL SELECT 'segment', s.name, s.position
                            FROM pg_catalog.unnest(segments) WITH ORDINALITY AS s(name, position)) u
          LEFT JOIN pg_catalog.pg_attribute a
                 ON a.attrelid = source AND a.attname = u.name AND a.attnum > 0 AND NOT a.attisdropped
         ORDER BY u.role = 'segment', u.position
    LOOP
        IF col.attnum IS NULL THEN
            RAISE EXCEPTION USING ERRCODE = 'undefined_column',
                MESSAGE = pg_catalog.format('column %I of relation %s does not exist', col.name, source);
        ELSIF col.attgenerated = 'v' THEN
            RAISE EXCEPTION USING ERRCODE = 'feature_not_supported',
                MESSAGE = pg_catalog.format('column %I of relation %s is a virtual generated column', col.name, source),
                HINT = 'Make it a stored generated column.';
        ELSIF col.role = 'score' AND col.base_type NOT IN ('smallint', 'integer', 'bigint', 'numeric') THEN
            RAISE EXCEPTION USING ERRCODE = 'datatype_mismatch',
                MESSAGE = pg_catalog.format('score column %I is of type %s', col.name, col.atttypid::regtype),
                HINT = 'NPS answers are smallint, integer, bigint or numeric.';
        ELSIF col.role = 'time' AND col.base_type NOT IN ('date', 'timestamp without time zone', 'timestamp with time zone') THEN
            RAISE EXCEPTION USING ERRCODE = 'datatype_mismatch',
                MESSAGE = pg_catalog.format('time column %I is of type %s', col.name, col.atttypid::regtype),
                HINT = 'The time of an answer is a date, timestamp or timestamptz.';
        ELSIF col.role = 'weight' AND col.base_type NOT IN ('smallint', 'integer', 'bigint', 'real', 'double precision', 'numeric') THEN
            RAISE EXCEPTION USING ERRCODE = 'datatype_mismatch',
                MESSAGE = pg_catalog.format('weight column %I is of type %s', col.name, col.atttypid::regtype),
                HINT = 'A survey weight is a number.';
        ELSIF col.role = 'time' THEN
            time_type := col.base_type;
        ELSIF col.role = 'segment' THEN
            -- the generated code names its own columns and variables nps_live_*
            IF col.name IN ('bucket', 'summary') OR col.name LIKE 'nps\_live\_%'
               OR pg_catalog.array_position(segments[1:col.position - 1], col.name) IS NOT NULL THEN
                RAISE EXCEPTION USING ERRCODE = 'duplicate_column',
                    MESSAGE = pg_catalog.format('segment %I is given twice or is a column of the live table', col.name),
                    HINT = 'The live table has the columns bucket and summary, and names its own columns nps_live_*.';
            END IF;
            keys := keys || ', ' || pg_catalog.quote_ident(col.name);
            d_keys := d_keys || ', d.' || pg_catalog.quote_ident(col.name);
            -- the segment's type and collation, so the key groups answers as GROUP BY does
            key_defs := key_defs || pg_catalog.format(', %I %s%s NOT NULL', col.name,
                pg_catalog.format_type(col.atttypid, col.atttypmod),
                (SELECT pg_catalog.format(' COLLATE %I.%I', n.nspname, c.collname)
                   FROM pg_catalog.pg_collation c JOIN pg_catalog.pg_namespace n ON n.oid = c.collnamespace
                  WHERE c.oid = col.attcollation));
            t_segments := t_segments || ', t.' || pg_catalog.quote_ident(col.name);
            r_segments := r_segments || ', r.' || pg_catalog.quote_ident(col.name);
            keys_given := keys_given || pg_catalog.format(' AND d.%I IS NOT NULL', col.name);
            null_column := pg_catalog.concat(null_column, pg_catalog.format(' WHEN d.%I IS NULL THEN %L', col.name, col.name));
        END IF;
    END LOOP;

    -- The bucket. Fixed lengths: date_bin from Monday 2000-01-03 00:00, so '1 day' starts at
    -- midnight, '1 hour' on the hour, '7 days' on Mondays. Months: blocks of whole months from
    -- January 2000, so '3 months' are quarters and '12 months' years. Always on the wall-clock
    -- time; for timestamptz in the time zone of this session now, kept in the trigger.
    IF NOT pg_catalog.isfinite(bucket) THEN
        RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
            MESSAGE = pg_catalog.format('bucket %s is not a finite interval', bucket);
    END IF;
    months := pg_catalog.date_part('year', bucket)::int * 12 + pg_catalog.date_part('month', bucket)::int;
    days := pg_catalog.date_part('day', bucket)::int;
    seconds := pg_catalog.date_part('epoch', bucket - pg_catalog.make_interval(months => months, days => days))::numeric;
    IF months < 0 OR days < 0 OR seconds < 0 OR (months, days, seconds) = (0, 0, 0) THEN
        RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
            MESSAGE = pg_catalog.format('bucket %s is not a positive interval', bucket);
    ELSIF months > 0 AND (days > 0 OR seconds > 0) THEN
        RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
            MESSAGE = pg_catalog.format('bucket %s mixes months with days or time', bucket),
            HINT = 'Use whole months (''1 month'', ''3 months'', ''1 year'') or a fixed length (''1 day'', ''7 days'', ''1 hour'').';
    ELSIF time_type = 'date' AND seconds > 0 THEN
        RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
            MESSAGE = pg_catalog.format('bucket %s is not whole days or months, as the date column %I needs', bucket, time_column);
    END IF;
    local := CASE time_type
        WHEN 'date' THEN pg_catalog.format('t.%I::pg_catalog.timestamp', time_column)
        WHEN 'timestamp without time zone' THEN pg_catalog.format('t.%I', time_column)
        ELSE pg_catalog.format('pg_catalog.timezone(%L, t.%I)', tz, time_column) END;
    IF months > 0 THEN
        bucket_sql := CASE months
            WHEN 1 THEN pg_catalog.format('pg_catalog.date_trunc(''month'', %s)', local)
            WHEN 3 THEN pg_catalog.format('pg_catalog.date_trunc(''quarter'', %s)', local)
            WHEN 12 THEN pg_catalog.format('pg_catalog.date_trunc(''year'', %s)', local)
            -- the month's start, back to the last multiple of N months since January 2000
            ELSE pg_catalog.format($$(pg_catalog.date_trunc('month', %1$s) - pg_catalog.make_interval(months => ((pg_catalog.date_part('year', %1$s)::int * 12 + pg_catalog.date_part('month', %1$s)::int - 24001) %% %2$s + %2$s) %% %2$s))$$,
                                   local, months) END;
        bucket_rule := pg_catalog.format('whole months counted in blocks of %s from January 2000', months);
    ELSE
        bucket_sql := pg_catalog.format($$pg_catalog.date_bin(%L::pg_catalog.interval, %s, '2000-01-03 00:00:00'::pg_catalog.timestamp)$$,
                                        bucket, local);
        bucket_rule := 'blocks of that length from Monday 2000-01-03 00:00';
    END IF;
    bucket_sql := CASE
        WHEN time_type = 'date' AND (months, days, seconds) = (0, 1, 0) THEN pg_catalog.format('t.%I', time_column)
        WHEN time_type = 'date' THEN pg_catalog.format('(%s)::pg_catalog.date', bucket_sql)
        WHEN time_type = 'timestamp without time zone' THEN bucket_sql
        ELSE pg_catalog.format('pg_catalog.timezone(%L, %s)', tz, bucket_sql) END;
    IF time_type = 'timestamp with time zone' THEN
        bucket_rule := bucket_rule || pg_catalog.format(', in time zone %s', tz);
    END IF;

    live_name := coalesce(target::text, src.relname::text || '_nps_live');
    IF pg_catalog.octet_length(live_name) > 63 THEN
        RAISE EXCEPTION USING ERRCODE = 'name_too_long',
            MESSAGE = pg_catalog.format('the live table''s name %I is longer than 63 bytes', live_name),
            HINT = 'Name it with target.';
    END IF;
    live := pg_catalog.format('%I.%I', src.nspname, live_name);

    -- An answer counts when its score is not NULL (and its weight, as nps_agg(score, weight) counts).
    answer := pg_catalog.format('t.%I AS nps_live_score', score_column);
    is_response := pg_catalog.format('t.%I IS NOT NULL', score_column);
    IF weight_column IS NOT NULL THEN
        answer := answer || pg_catalog.format(', t.%I::pg_catalog.float8 AS nps_live_weight', weight_column);
        is_response := is_response || pg_catalog.format(' AND t.%I IS NOT NULL', weight_column);
    END IF;

    -- What a statement changes, as one aggregate by bucket and segments: plus summarizes the
    -- answers that enter a bucket (new rows), minus those that leave it (old rows).
    -- parts: 1 new rows, 2 old rows, 3 the source's rows (to fill the table)
    FOR i IN 1..3 LOOP
        parts[i] := pg_catalog.format('SELECT %s AS bucket%s, %s, %s AS nps_live_sign FROM %s t WHERE %s',
            bucket_sql, t_segments, answer, (ARRAY[1, -1, 1])[i],
            (ARRAY['nps_new', 'nps_old', 'ONLY ' || source::text])[i], is_response);
    END LOOP;
    -- deltas: 1 INSERT, 2 UPDATE, 3 DELETE, 4 fill
    FOR i IN 1..4 LOOP
        deltas[i] := pg_catalog.format($$SELECT r.bucket%1$s,
                   %2$s.nps_agg(r.nps_live_score%3$s) FILTER (WHERE r.nps_live_sign = 1) AS nps_live_plus,
                   %2$s.nps_agg(r.nps_live_score%3$s) FILTER (WHERE r.nps_live_sign = -1) AS nps_live_minus,
                   pg_catalog.count(*) AS nps_live_answers
              FROM (%4$s) r
             GROUP BY r.bucket%1$s$$,
            r_segments, ext, CASE WHEN weight_column IS NULL THEN '' ELSE ', r.nps_live_weight' END,
            (ARRAY[parts[1], parts[1] || E'\n                    UNION ALL ' || parts[2], parts[2], parts[3]])[i]);
    END LOOP;

    -- An answer without a time or a segment has no place in the table: an error (class 22),
    -- never a silently missing answer.
    -- Also how many buckets lose answers: none after an INSERT, or an UPDATE of other columns,
    -- and then there is nothing more to do.
    problem := pg_catalog.format($$SELECT p.code, p.message, p.detail, p.hint,
               (SELECT pg_catalog.count(*) FROM d WHERE d.nps_live_minus IS NOT NULL
                   AND (d.nps_live_plus IS NULL OR NOT d.nps_live_plus OPERATOR(%9$s.=) d.nps_live_minus)) AS takes
          FROM (VALUES (1)) AS one (x)
          LEFT JOIN LATERAL (
            SELECT CASE WHEN NOT pg_catalog.isfinite(d.bucket) THEN '22008' ELSE '22004' END AS code,
                   CASE WHEN NOT pg_catalog.isfinite(d.bucket) THEN %1$L || d.bucket || %2$L
                        ELSE %3$L || CASE WHEN d.bucket IS NULL THEN %4$L%5$s END || %2$L END AS message,
                   %6$L || d.nps_live_answers AS detail,
                   CASE WHEN NOT pg_catalog.isfinite(d.bucket) THEN 'Give the answer a finite time.' ELSE %8$L END AS hint
              FROM d WHERE NOT (%7$s) LIMIT 1) p ON true$$,
        pg_catalog.format('answer at %s ', time_column), ' cannot be summarized', 'answer with a NULL ',
        time_column, coalesce(null_column, ''),
        pg_catalog.format('%s counts every answer of %s (a row with a score) by its %s; answers here without one: ',
                          live, source, pg_catalog.array_to_string(time_column || segments, ', ')),
        keys_given,
        'Give the column a value (NOT NULL, a DEFAULT, or a stored generated column with coalesce()), or leave the score NULL for an answer that is not a response.',
        ext);

    -- Add the new answers to their buckets, locking every bucket touched in key order, so that
    -- concurrent writers queue in one order and never deadlock. A bucket that only loses
    -- answers is locked without a change: its row exists, since it holds those answers.
    FOR i IN 1..4 LOOP
        upserts[i] := pg_catalog.format($$WITH d AS (
            %1$s),
        upsert AS (
            INSERT INTO %2$s AS l (%3$s, summary)
            SELECT %4$s, coalesce(d.nps_live_plus, %5$L::%7$s.nps_summary)
              FROM d
             WHERE %6$s AND (d.nps_live_plus IS NULL OR d.nps_live_minus IS NULL OR NOT d.nps_live_plus OPERATOR(%7$s.=) d.nps_live_minus)
             ORDER BY %4$s
            ON CONFLICT (%3$s) DO UPDATE SET summary = l.summary OPERATOR(%7$s.+) excluded.summary
             WHERE %7$s.nps_responses(excluded.summary) > 0)
        %8$s$$,
            deltas[i], live, keys, d_keys, 'v1:0,0,0,0,0,0,0,0,0,0,0', keys_given, ext, problem);
    END LOOP;

    EXECUTE pg_catalog.format('CREATE %sTABLE %s (bucket %s NOT NULL%s, summary %s.nps_summary NOT NULL, PRIMARY KEY (%s))',
        CASE WHEN src.relpersistence = 'u' THEN 'UNLOGGED ' END, live, time_type, key_defs, ext, keys);
    EXECUTE pg_catalog.format('COMMENT ON TABLE %s IS %L', live, pg_catalog.format(
        'NPS summaries of %s, kept by its triggers nps_live_*: answers %I%s by %s of %I (%s)%s. '
        'Remove with nps_live_summary_drop(%L).',
        source, score_column,
        CASE WHEN weight_column IS NOT NULL THEN pg_catalog.format(' weighted by %I', weight_column) END,
        bucket, time_column, bucket_rule,
        CASE WHEN segments <> '{}' THEN ' and ' || pg_catalog.array_to_string(segments, ', ') END, source));

    -- Each key column's equality as the primary key defines it (its btree opclass), to match
    -- rows under any search_path.
    SELECT pg_catalog.array_agg(pg_catalog.format('OPERATOR(%I.%s)', n.nspname, o.oprname) ORDER BY k.position)
      INTO eq_ops
      FROM pg_catalog.pg_index x
     CROSS JOIN LATERAL pg_catalog.unnest(x.indclass::oid[]) WITH ORDINALITY AS k(opclass, position)
      JOIN pg_catalog.pg_opclass c ON c.oid = k.opclass
      JOIN pg_catalog.pg_amop a ON a.amopfamily = c.opcfamily AND a.amoplefttype = c.opcintype
                               AND a.amoprighttype = c.opcintype AND a.amopstrategy = 3
      JOIN pg_catalog.pg_operator o ON o.oid = a.amopopr
      JOIN pg_catalog.pg_namespace n ON n.oid = o.oprnamespace
     WHERE x.indrelid = live::regclass AND x.indisprimary;
    FOR i IN 1..pg_catalog.cardinality(segments) LOOP
        same_key := same_key || pg_catalog.format(' AND l.%1$I %2$s d.%1$I', segments[i], eq_ops[i + 1]);
    END LOOP;

    -- Take the old answers out of the buckets locked above; buckets left empty are deleted.
    FOR i IN 2..3 LOOP  -- UPDATE, DELETE
        takes[i] := pg_catalog.format($$WITH d AS (
            %1$s),
        taken AS (
            UPDATE %2$s AS l SET summary = l.summary OPERATOR(%3$s.-) d.nps_live_minus
              FROM d
             WHERE %4$s AND d.nps_live_minus IS NOT NULL AND (d.nps_live_plus IS NULL OR NOT d.nps_live_plus OPERATOR(%3$s.=) d.nps_live_minus)
            RETURNING l.ctid, l.summary)
        SELECT pg_catalog.array_agg(taken.ctid) FROM taken WHERE %3$s.nps_responses(taken.summary) = 0$$,
            deltas[i], live, ext, same_key);
    END LOOP;

    body := pg_catalog.format($body$
-- Generated by nps_live_summary(): keeps %1$s the summaries of %2$s.
#variable_conflict use_column
DECLARE
    nps_live_problem record;
    nps_live_empty pg_catalog.tid[];
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        DELETE FROM %1$s;
        RETURN NULL;
    ELSIF TG_OP = 'INSERT' THEN
        %3$s
          INTO nps_live_problem;
    ELSIF TG_OP = 'UPDATE' THEN
        %4$s
          INTO nps_live_problem;
    ELSE
        %5$s
          INTO nps_live_problem;
    END IF;
    IF nps_live_problem.code IS NOT NULL THEN
        RAISE EXCEPTION USING ERRCODE = nps_live_problem.code, MESSAGE = nps_live_problem.message, DETAIL = nps_live_problem.detail, HINT = nps_live_problem.hint;
    ELSIF nps_live_problem.takes = 0 THEN
        RETURN NULL;
    ELSIF TG_OP = 'UPDATE' THEN
        %6$s
          INTO nps_live_empty;
    ELSE
        %7$s
          INTO nps_live_empty;
    END IF;
    IF nps_live_empty IS NOT NULL THEN
        DELETE FROM %1$s WHERE ctid OPERATOR(pg_catalog.=) ANY (nps_live_empty);
    END IF;
    RETURN NULL;
END
$body$, live, source, upserts[1], upserts[2], upserts[3], takes[2], takes[3]);
    -- named after the table it keeps (functions and tables do not share names)
    EXECUTE pg_catalog.format('CREATE FUNCTION %s() RETURNS trigger VOLATILE LANGUAGE plpgsql'
                              ' SET search_path = pg_catalog, pg_temp AS %L', live, body);
    EXECUTE pg_catalog.format('COMMENT ON FUNCTION %s() IS %L', live,
        pg_catalog.format('Keeps %s the NPS summaries of %s (generated by nps_live_summary)', live, source));

    -- Creating the triggers locks the source against writers until this transaction ends, so
    -- the fill below counts every answer once.
    EXECUTE pg_catalog.format('CREATE TRIGGER nps_live_insert AFTER INSERT ON %s REFERENCING NEW TABLE AS nps_new'
                              ' FOR EACH STATEMENT EXECUTE FUNCTION %s()', source, live);
    EXECUTE pg_catalog.format('CREATE TRIGGER nps_live_update AFTER UPDATE ON %s REFERENCING OLD TABLE AS nps_old'
                              ' NEW TABLE AS nps_new FOR EACH STATEMENT EXECUTE FUNCTION %s()', source, live);
    EXECUTE pg_catalog.format('CREATE TRIGGER nps_live_delete AFTER DELETE ON %s REFERENCING OLD TABLE AS nps_old'
                              ' FOR EACH STATEMENT EXECUTE FUNCTION %s()', source, live);
    EXECUTE pg_catalog.format('CREATE TRIGGER nps_live_truncate AFTER TRUNCATE ON %s FOR EACH STATEMENT EXECUTE FUNCTION %s()',
                              source, live);
    EXECUTE upserts[4] INTO bad;
    IF bad.code IS NOT NULL THEN
        RAISE EXCEPTION USING ERRCODE = bad.code, MESSAGE = bad.message, DETAIL = bad.detail, HINT = bad.hint;
    END IF;
    RETURN live::regclass;
END
$function$;
COMMENT ON FUNCTION @extschema@.nps_live_summary(regclass, name, name, interval, name[], name, name) IS
    'Create a table of NPS summaries per time bucket and segment of a table of answers, kept exact by triggers';

CREATE FUNCTION @extschema@.nps_live_summary_drop(source regclass, drop_table boolean DEFAULT false)
    RETURNS void VOLATILE PARALLEL UNSAFE LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $function$
DECLARE
    fn regprocedure;
    live regclass;
BEGIN
    IF source IS NULL OR drop_table IS NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'null_value_not_allowed',
            MESSAGE = 'nps_live_summary_drop needs a source and drop_table';
    END IF;
    -- the trigger function is named after the live table, in its schema
    SELECT t.tgfoid::regprocedure, pg_catalog.to_regclass(pg_catalog.format('%I.%I', n.nspname, p.proname))
      INTO fn, live
      FROM pg_catalog.pg_trigger t
      JOIN pg_catalog.pg_proc p ON p.oid = t.tgfoid
      JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
     WHERE t.tgrelid = source AND t.tgname = 'nps_live_insert';
    IF fn IS NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'undefined_object', MESSAGE = pg_catalog.format('%s has no live summary', source);
    END IF;
    EXECUTE pg_catalog.format('DROP TRIGGER IF EXISTS nps_live_insert ON %1$s; DROP TRIGGER IF EXISTS nps_live_update ON %1$s;'
                              ' DROP TRIGGER IF EXISTS nps_live_delete ON %1$s; DROP TRIGGER IF EXISTS nps_live_truncate ON %1$s',
                              source);
    EXECUTE pg_catalog.format('DROP FUNCTION %s', fn);
    IF drop_table AND live IS NULL THEN
        RAISE NOTICE 'the live table of %, named like %, no longer exists', source, fn;
    ELSIF drop_table THEN
        EXECUTE pg_catalog.format('DROP TABLE %s', live);
    END IF;
END
$function$;
COMMENT ON FUNCTION @extschema@.nps_live_summary_drop(regclass, boolean) IS
    'Remove the live NPS summary of a table: its triggers and trigger function, and with drop_table its table';
