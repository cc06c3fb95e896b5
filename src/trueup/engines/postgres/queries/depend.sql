-- Dependencies between user objects, with rules resolved to their view and column
-- defaults resolved to their column, so both ends name a catalog row we model.
-- With schemas in scope, only the dependencies of objects in those schemas are read (through
-- pg_depend's index): the others name no modelled object, and a database of many tenant
-- schemas has millions of them.
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
  SELECT 'pg_constraint'::regclass, co.oid FROM rels JOIN pg_constraint co ON co.conrelid = rels.oid
  UNION ALL
  SELECT 'pg_trigger'::regclass, tg.oid FROM rels JOIN pg_trigger tg ON tg.tgrelid = rels.oid
  UNION ALL
  SELECT 'pg_policy'::regclass, pol.oid FROM rels JOIN pg_policy pol ON pol.polrelid = rels.oid
  UNION ALL
  SELECT 'pg_attrdef'::regclass, ad.oid FROM rels JOIN pg_attrdef ad ON ad.adrelid = rels.oid
  UNION ALL
  SELECT 'pg_rewrite'::regclass, r.oid FROM rels JOIN pg_rewrite r ON r.ev_class = rels.oid
  UNION ALL
  SELECT 'pg_namespace'::regclass, oid FROM nsp
  UNION ALL
  SELECT 'pg_extension'::regclass, e.oid FROM pg_extension e
), d AS (
  SELECT classid, objid, objsubid, refclassid, refobjid, refobjsubid, deptype
  FROM pg_depend
  WHERE :schemas::text[] IS NULL
    -- (cast, so that the planner does not take the range for empty, as a new database's
    -- statistics, copied from its template, say: it then picks a nested loop per row below)
    AND deptype IN ('n', 'a') AND objid::int8 >= 16384 AND refobjid::int8 >= 16384
  UNION ALL
  SELECT pd.classid, pd.objid, pd.objsubid, pd.refclassid, pd.refobjid, pd.refobjsubid, pd.deptype
  FROM scoped s
  JOIN pg_depend pd ON pd.classid = s.classid AND pd.objid = s.objid
  WHERE :schemas::text[] IS NOT NULL
    AND pd.deptype IN ('n', 'a') AND pd.objid >= 16384 AND pd.refobjid >= 16384
)
-- rules are resolved to their view, column defaults to their column and a table's row type
-- (or an array of it) to the table: hash joins over the few user rows of each catalog
SELECT CASE WHEN r.ev_class IS NOT NULL OR ad.adrelid IS NOT NULL THEN 'pg_class'
            ELSE d.classid::regclass::text END AS classid,
       coalesce(r.ev_class, ad.adrelid, d.objid) AS objid,
       CASE WHEN r.ev_class IS NOT NULL THEN 0 WHEN ad.adrelid IS NOT NULL THEN ad.adnum
            ELSE d.objsubid END AS objsubid,
       CASE WHEN rt.rel IS NOT NULL THEN 'pg_class' ELSE d.refclassid::regclass::text END AS refclassid,
       coalesce(rt.rel, rt.elem, d.refobjid) AS refobjid,
       d.refobjsubid,
       d.deptype
FROM d
LEFT JOIN pg_rewrite r ON d.classid = 'pg_rewrite'::regclass AND r.oid = d.objid
LEFT JOIN pg_attrdef ad ON d.classid = 'pg_attrdef'::regclass AND ad.oid = d.objid
LEFT JOIN (SELECT t.oid,
                  CASE WHEN t.typrelid <> 0 AND c.relkind <> 'c' THEN t.typrelid END AS rel,
                  CASE WHEN t.typcategory = 'A' AND t.typelem <> 0 THEN t.typelem END AS elem
           FROM pg_type t
           LEFT JOIN pg_class c ON c.oid = t.typrelid
           WHERE t.oid::int8 >= 16384) rt ON d.refclassid = 'pg_type'::regclass AND rt.oid = d.refobjid
-- (a rule or a default can give the same pair twice: the reader keeps a set)
