-- Every function of the extension with the labels that make it safe and fast: volatility
-- (i immutable, s stable, v volatile), strictness, parallel label (s safe, r restricted,
-- u unsafe), SECURITY DEFINER, leakproof, settings and language. A changed label is a
-- reviewed change of this file, never an accident.
SELECT p.oid::regprocedure AS function, p.prokind AS kind, l.lanname AS language, p.provolatile AS volatile,
       p.proisstrict AS strict, p.proparallel AS parallel, p.prosecdef AS security_definer,
       p.proleakproof AS leakproof, p.proconfig AS settings
FROM pg_proc p
JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'nps_ext'
JOIN pg_language l ON l.oid = p.prolang
ORDER BY p.oid::regprocedure::text;
-- what a trusted extension must not have: SECURITY DEFINER (0), settings (0: the live-summary
-- functions pin their search_path in C, around their own work only), languages beyond c, sql
-- and plpgsql (0), SQL bodies resolved at call time (0)
SELECT count(*) FILTER (WHERE p.prosecdef) AS security_definer, count(*) FILTER (WHERE p.proconfig IS NOT NULL) AS with_settings,
       count(*) FILTER (WHERE l.lanname NOT IN ('c', 'sql', 'plpgsql', 'internal')) AS other_languages,
       count(*) FILTER (WHERE l.lanname = 'sql' AND p.prosqlbody IS NULL) AS sql_bodies_bound_at_call
FROM pg_proc p
JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'nps_ext'
JOIN pg_language l ON l.oid = p.prolang;
-- the other objects (array types, members only on some majors, left out)
SELECT pg_describe_object(d.classid, d.objid, 0) AS object
FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'nps_ext'
WHERE d.deptype = 'e' AND d.classid <> 'pg_proc'::regclass
  AND NOT EXISTS (SELECT FROM pg_type t WHERE d.classid = 'pg_type'::regclass AND t.oid = d.objid AND t.typcategory = 'A')
ORDER BY 1;
SELECT extname, extrelocatable, (SELECT trusted FROM pg_available_extension_versions v WHERE v.name = extname AND v.version = extversion) AS trusted
FROM pg_extension WHERE extname = 'nps_ext';
