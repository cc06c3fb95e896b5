-- Dependencies between user objects, with rules resolved to their view and column
-- defaults resolved to their column, so both ends name a catalog row we model.
WITH d AS (
  SELECT classid, objid, objsubid, refclassid, refobjid, refobjsubid, deptype
  FROM pg_depend
  WHERE deptype IN ('n', 'a') AND objid >= 16384 AND refobjid >= 16384
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
