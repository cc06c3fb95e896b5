-- Dependencies between user objects, with rules resolved to their view and column
-- defaults resolved to their column, so both ends name a catalog row we model.
-- With schemas in scope, only the dependencies of objects in those schemas are read, each
-- through an index (pg_depend's, and those of the catalogs keyed by table): the others name no
-- modelled object, and a database of many tenant schemas has millions of them. (OFFSET 0 keeps
-- each lookup a lookup: joined, the planner would rather hash whole catalogs.)
WITH nsp AS (
  SELECT n.oid FROM pg_namespace n WHERE :schemas::text[] IS NOT NULL AND :scope(n)
), rels AS MATERIALIZED (  -- pg_class has no index on the namespace: read it once
  SELECT c.oid FROM pg_class c WHERE c.relnamespace IN (SELECT oid FROM nsp)
), scoped AS (
  SELECT 'pg_class'::regclass AS classid, oid AS objid FROM rels
  UNION ALL
  SELECT 'pg_type'::regclass, t.oid FROM pg_type t WHERE t.typnamespace IN (SELECT oid FROM nsp)
  UNION ALL
  SELECT 'pg_proc'::regclass, p.oid FROM pg_proc p WHERE p.pronamespace IN (SELECT oid FROM nsp)
  UNION ALL  -- the constraints modelled are those of tables in scope
  SELECT 'pg_constraint'::regclass, x.oid
  FROM rels CROSS JOIN LATERAL (SELECT co.oid FROM pg_constraint co WHERE co.conrelid = rels.oid OFFSET 0) x
  UNION ALL
  SELECT 'pg_trigger'::regclass, x.oid
  FROM rels CROSS JOIN LATERAL (SELECT tg.oid FROM pg_trigger tg WHERE tg.tgrelid = rels.oid OFFSET 0) x
  UNION ALL
  SELECT 'pg_policy'::regclass, x.oid
  FROM rels CROSS JOIN LATERAL (SELECT pol.oid FROM pg_policy pol WHERE pol.polrelid = rels.oid OFFSET 0) x
  UNION ALL
  SELECT 'pg_attrdef'::regclass, x.oid
  FROM rels CROSS JOIN LATERAL (SELECT ad.oid FROM pg_attrdef ad WHERE ad.adrelid = rels.oid OFFSET 0) x
  UNION ALL
  SELECT 'pg_rewrite'::regclass, x.oid
  FROM rels CROSS JOIN LATERAL (SELECT r.oid FROM pg_rewrite r WHERE r.ev_class = rels.oid OFFSET 0) x
  UNION ALL
  SELECT 'pg_statistic_ext'::regclass, x.oid
  FROM rels CROSS JOIN LATERAL (SELECT s.oid FROM pg_statistic_ext s WHERE s.stxrelid = rels.oid OFFSET 0) x
  UNION ALL
  SELECT 'pg_collation'::regclass, co.oid FROM pg_collation co WHERE co.collnamespace IN (SELECT oid FROM nsp)
  UNION ALL
  SELECT 'pg_namespace'::regclass, oid FROM nsp
  UNION ALL
  SELECT 'pg_extension'::regclass, e.oid FROM pg_extension e
), every AS (  -- no schema given: all dependencies between user objects, read in one pass
  SELECT classid, objid, objsubid, refclassid, refobjid, refobjsubid, deptype
  FROM pg_depend
  WHERE :schemas::text[] IS NULL
    -- (cast, so that the planner does not take the range for empty, as a new database's
    -- statistics, copied from its template, say: it then picks a nested loop per row below)
    AND deptype IN ('n', 'a') AND objid::int8 >= 16384 AND refobjid::int8 >= 16384
), within AS (  -- schemas given: those of the objects in scope, each through pg_depend's index
  SELECT pd.classid, pd.objid, pd.objsubid, pd.refclassid, pd.refobjid, pd.refobjsubid, pd.deptype
  FROM scoped s
  CROSS JOIN LATERAL (SELECT * FROM pg_depend pd
                      WHERE pd.classid = s.classid AND pd.objid = s.objid
                        AND pd.deptype IN ('n', 'a') AND pd.objid >= 16384 AND pd.refobjid >= 16384
                      OFFSET 0) pd
  WHERE :schemas::text[] IS NOT NULL
)
-- A view's _RETURN rule is resolved to its view (other rules are objects of their own),
-- column defaults to their column and a table's row type
-- (or an array of it) to the table (r, ad, rt: at most one row each). Either part is empty
-- (the server drops it when planning): all rows by hash joins over the user rows of
-- pg_rewrite, pg_attrdef and pg_type, or the few rows of a scope by index lookups.
:include(depend_resolved)
FROM every d
LEFT JOIN pg_rewrite r ON d.classid = 'pg_rewrite'::regclass AND r.oid = d.objid AND r.rulename = '_RETURN'
LEFT JOIN pg_attrdef ad ON d.classid = 'pg_attrdef'::regclass AND ad.oid = d.objid
LEFT JOIN (SELECT t.oid,
                  CASE WHEN t.typrelid <> 0 AND c.relkind <> 'c' THEN t.typrelid END AS rel,
                  CASE WHEN t.typcategory = 'A' AND t.typelem <> 0 THEN t.typelem END AS elem
           FROM pg_type t
           LEFT JOIN pg_class c ON c.oid = t.typrelid
           WHERE t.oid::int8 >= 16384) rt ON d.refclassid = 'pg_type'::regclass AND rt.oid = d.refobjid
UNION ALL
:include(depend_resolved)
FROM within d
LEFT JOIN LATERAL (SELECT r.ev_class FROM pg_rewrite r
                   WHERE d.classid = 'pg_rewrite'::regclass AND r.oid = d.objid AND r.rulename = '_RETURN'
                   OFFSET 0) r ON true
LEFT JOIN LATERAL (SELECT ad.adrelid, ad.adnum FROM pg_attrdef ad
                   WHERE d.classid = 'pg_attrdef'::regclass AND ad.oid = d.objid OFFSET 0) ad ON true
LEFT JOIN LATERAL (SELECT CASE WHEN t.typrelid <> 0
                                    AND (SELECT c.relkind FROM pg_class c WHERE c.oid = t.typrelid) <> 'c'
                               THEN t.typrelid END AS rel,
                          CASE WHEN t.typcategory = 'A' AND t.typelem <> 0 THEN t.typelem END AS elem
                   FROM pg_type t
                   WHERE d.refclassid = 'pg_type'::regclass AND t.oid = d.refobjid OFFSET 0) rt ON true
-- (a rule or a default can give the same pair twice: the reader keeps a set)
