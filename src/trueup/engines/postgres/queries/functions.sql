-- Functions, procedures and aggregates.
SELECT p.oid,
       n.nspname AS schema,
       p.proname AS name,
       pg_get_function_identity_arguments(p.oid) AS args,
       pg_get_function_arguments(p.oid) AS signature,
       pg_get_function_result(p.oid) AS result,
       p.prokind,
       CASE WHEN p.prokind IN ('f', 'p', 'w') THEN pg_get_functiondef(p.oid) END AS def,
       CASE WHEN p.prokind = 'a' THEN
         json_build_object(
           'sfunc', ag.aggtransfn::regproc::text,
           'stype', format_type(ag.aggtranstype, NULL),
           'finalfunc', CASE WHEN ag.aggfinalfn <> 0 THEN ag.aggfinalfn::regproc::text END,
           'combinefunc', CASE WHEN ag.aggcombinefn <> 0 THEN ag.aggcombinefn::regproc::text END,
           'initcond', ag.agginitval,
           'sortop', CASE WHEN ag.aggsortop <> 0 THEN ag.aggsortop::regoperator::text END,
           'parallel', CASE p.proparallel WHEN 's' THEN 'SAFE' WHEN 'r' THEN 'RESTRICTED' END,
           'serialfunc', CASE WHEN ag.aggserialfn <> 0 THEN ag.aggserialfn::regproc::text END,
           'deserialfunc', CASE WHEN ag.aggdeserialfn <> 0 THEN ag.aggdeserialfn::regproc::text END,
           'finalfunc_extra', ag.aggfinalextra,
           'msfunc', CASE WHEN ag.aggmtransfn <> 0 THEN ag.aggmtransfn::regproc::text END,
           'minvfunc', CASE WHEN ag.aggminvtransfn <> 0 THEN ag.aggminvtransfn::regproc::text END,
           'mstype', CASE WHEN ag.aggmtranstype <> 0 THEN format_type(ag.aggmtranstype, NULL) END,
           'mfinalfunc', CASE WHEN ag.aggmfinalfn <> 0 THEN ag.aggmfinalfn::regproc::text END,
           'minitcond', ag.aggminitval)
       END AS aggregate,
       obj_description(p.oid, 'pg_proc') AS comment,
       :acl(p.proacl, 'f', p.proowner) AS acl
FROM pg_proc p
JOIN pg_namespace n ON n.oid = p.pronamespace
LEFT JOIN pg_aggregate ag ON ag.aggfnoid = p.oid
WHERE :scope(n)
  AND :not_ext(pg_proc, p.oid)
  -- a range type's constructor functions are the type's (created and dropped with it)
  AND NOT (p.prolang = 12 AND EXISTS (SELECT 1 FROM pg_depend rd WHERE rd.classid = 'pg_catalog.pg_proc'::regclass
                                      AND rd.objid = p.oid AND rd.refclassid = 'pg_catalog.pg_type'::regclass
                                      AND rd.deptype = 'i'))
