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
    AND deptype IN ('n', 'a') AND objid >= 16384 AND refobjid >= 16384
  UNION ALL
  SELECT pd.classid, pd.objid, pd.objsubid, pd.refclassid, pd.refobjid, pd.refobjsubid, pd.deptype
  FROM scoped s
  JOIN pg_depend pd ON pd.classid = s.classid AND pd.objid = s.objid
  WHERE :schemas::text[] IS NOT NULL
    AND pd.deptype IN ('n', 'a') AND pd.objid >= 16384 AND pd.refobjid >= 16384
), resolved AS (
  SELECT
    CASE WHEN d.classid = 'pg_rewrite'::regclass OR d.classid = 'pg_attrdef'::regclass
         THEN 'pg_class'::regclass ELSE d.classid END AS classid,
    CASE WHEN d.classid = 'pg_rewrite'::regclass THEN r.ev_class
         WHEN d.classid = 'pg_attrdef'::regclass THEN ad.adrelid
         ELSE d.objid END AS objid,
    CASE WHEN d.classid = 'pg_rewrite'::regclass THEN 0
         WHEN d.classid = 'pg_attrdef'::regclass THEN ad.adnum
         ELSE d.objsubid END AS objsubid,
    CASE WHEN d.refclassid = 'pg_type'::regclass AND rt.typrelid <> 0 AND rc.relkind <> 'c'
         THEN 'pg_class'::regclass ELSE d.refclassid END AS refclassid,
    CASE WHEN d.refclassid = 'pg_type'::regclass AND rt.typrelid <> 0 AND rc.relkind <> 'c' THEN rt.typrelid
         WHEN d.refclassid = 'pg_type'::regclass AND rt.typcategory = 'A' AND rt.typelem <> 0 THEN rt.typelem
         ELSE d.refobjid END AS refobjid,
    d.refobjsubid,
    d.deptype
  FROM d
  LEFT JOIN pg_rewrite r ON d.classid = 'pg_rewrite'::regclass AND r.oid = d.objid
  LEFT JOIN pg_attrdef ad ON d.classid = 'pg_attrdef'::regclass AND ad.oid = d.objid
  LEFT JOIN pg_type rt ON d.refclassid = 'pg_type'::regclass AND rt.oid = d.refobjid
  LEFT JOIN pg_class rc ON rc.oid = rt.typrelid
)
SELECT DISTINCT classid::regclass::text AS classid, objid, objsubid,
       refclassid::regclass::text AS refclassid, refobjid, refobjsubid, deptype
FROM resolved
