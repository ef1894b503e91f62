-- Every object of the installed nps_ext, one line each, with everything that defines it and
-- no OIDs, sorted: two databases whose listings are equal hold the same extension. Used by
-- tests/upgrade/upgrade.sh to compare an upgraded extension with a fresh install.
WITH member AS (
    SELECT d.classid, d.objid
    FROM pg_catalog.pg_depend d
    JOIN pg_catalog.pg_extension e ON e.oid = d.refobjid
    WHERE d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass
      AND d.deptype = 'e' AND e.extname = 'nps_ext'
), listing AS (
    -- functions: the whole definition (language, labels, body or C symbol, defaults)
    SELECT 'function ' || p.oid::pg_catalog.regprocedure::text || E'\n'
           || pg_catalog.pg_get_functiondef(p.oid) || 'acl: ' || coalesce(p.proacl::text, '-') AS line
    FROM member m JOIN pg_catalog.pg_proc p ON m.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass AND p.oid = m.objid
    WHERE p.prokind <> 'a'
    UNION ALL
    SELECT pg_catalog.format('aggregate %s kind %s direct %s trans %s state %s space %s final %s modify %s '
                             'combine %s serial %s deserial %s mtrans %s minv %s mstate %s mspace %s '
                             'mfinal %s initcond %s parallel %s acl %s',
               p.oid::pg_catalog.regprocedure, a.aggkind, a.aggnumdirectargs, a.aggtransfn::pg_catalog.regprocedure,
               a.aggtranstype::pg_catalog.regtype, a.aggtransspace, a.aggfinalfn, a.aggfinalmodify, a.aggcombinefn,
               a.aggserialfn, a.aggdeserialfn, a.aggmtransfn, a.aggminvtransfn, a.aggmtranstype::pg_catalog.regtype,
               a.aggmtransspace, a.aggmfinalfn, a.agginitval, p.proparallel, coalesce(p.proacl::text, '-'))
    FROM member m JOIN pg_catalog.pg_proc p ON m.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass AND p.oid = m.objid
    JOIN pg_catalog.pg_aggregate a ON a.aggfnoid = p.oid
    UNION ALL
    SELECT pg_catalog.format('type %s kind %s len %s byval %s align %s storage %s in %s out %s recv %s send %s '
                             'category %s preferred %s labels %s',
               t.oid::pg_catalog.regtype, t.typtype, t.typlen, t.typbyval, t.typalign, t.typstorage,
               t.typinput, t.typoutput, t.typreceive, t.typsend, t.typcategory, t.typispreferred,
               (SELECT pg_catalog.string_agg(l.enumlabel, ',' ORDER BY l.enumsortorder)
                FROM pg_catalog.pg_enum l WHERE l.enumtypid = t.oid))
    FROM member m JOIN pg_catalog.pg_type t ON m.classid = 'pg_catalog.pg_type'::pg_catalog.regclass AND t.oid = m.objid
    UNION ALL
    SELECT pg_catalog.format('operator %s returns %s function %s commutator %s negator %s restrict %s join %s '
                             'hashes %s merges %s',
               o.oid::pg_catalog.regoperator, o.oprresult::pg_catalog.regtype, o.oprcode, o.oprcom::pg_catalog.regoperator,
               o.oprnegate::pg_catalog.regoperator, o.oprrest, o.oprjoin, o.oprcanhash, o.oprcanmerge)
    FROM member m JOIN pg_catalog.pg_operator o ON m.classid = 'pg_catalog.pg_operator'::pg_catalog.regclass AND o.oid = m.objid
    UNION ALL
    SELECT pg_catalog.format('operator class %s using %s for %s default %s: %s',
               c.opcname, am.amname, c.opcintype::pg_catalog.regtype, c.opcdefault,
               (SELECT pg_catalog.string_agg(x, '; ' ORDER BY x) FROM (
                    SELECT pg_catalog.format('operator %s %s', ao.amopstrategy, ao.amopopr::pg_catalog.regoperator) AS x
                    FROM pg_catalog.pg_amop ao WHERE ao.amopfamily = c.opcfamily
                    UNION ALL
                    SELECT pg_catalog.format('function %s %s', ap.amprocnum, ap.amproc::pg_catalog.regprocedure)
                    FROM pg_catalog.pg_amproc ap WHERE ap.amprocfamily = c.opcfamily) f))
    FROM member m JOIN pg_catalog.pg_opclass c ON m.classid = 'pg_catalog.pg_opclass'::pg_catalog.regclass AND c.oid = m.objid
    JOIN pg_catalog.pg_am am ON am.oid = c.opcmethod
    UNION ALL
    SELECT pg_catalog.format('cast (%s AS %s) function %s context %s method %s',
               c.castsource::pg_catalog.regtype, c.casttarget::pg_catalog.regtype,
               c.castfunc::pg_catalog.regprocedure, c.castcontext, c.castmethod)
    FROM member m JOIN pg_catalog.pg_cast c ON m.classid = 'pg_catalog.pg_cast'::pg_catalog.regclass AND c.oid = m.objid
    UNION ALL
    -- anything else (operator families, tables, ...) by its description
    SELECT 'object ' || pg_catalog.pg_describe_object(m.classid, m.objid, 0)
    FROM member m
    WHERE m.classid NOT IN ('pg_catalog.pg_proc'::pg_catalog.regclass, 'pg_catalog.pg_type'::pg_catalog.regclass,
                            'pg_catalog.pg_operator'::pg_catalog.regclass, 'pg_catalog.pg_opclass'::pg_catalog.regclass,
                            'pg_catalog.pg_cast'::pg_catalog.regclass)
    UNION ALL
    -- comments on every member
    SELECT 'comment on ' || pg_catalog.pg_describe_object(m.classid, m.objid, 0) || ': '
           || pg_catalog.obj_description(m.objid, c.relname)
    FROM member m JOIN pg_catalog.pg_class c ON c.oid = m.classid
    WHERE pg_catalog.obj_description(m.objid, c.relname) IS NOT NULL
)
SELECT line FROM listing ORDER BY line;
