-- Fingerprint rows of triggers.sql (see fp_columns.sql): the same triggers, as ROW text.
SELECT 'triggers' AS src,
       n.nspname AS nsp,
       ROW(c.relname, t.tgname, CASE WHEN t.tgparentid = 0 THEN :unqualify(pg_get_triggerdef(t.oid)) END,
           t.tgenabled, pt.tgenabled, root.root_table, ds.description)::text AS row
FROM pg_trigger t
JOIN pg_class c ON c.oid = t.tgrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_trigger pt ON pt.oid = t.tgparentid
LEFT JOIN LATERAL (
  SELECT ROW(:own(rn.nspname), rc.relname) AS root_table
  FROM pg_trigger rt
  JOIN pg_class rc ON rc.oid = rt.tgrelid
  JOIN pg_namespace rn ON rn.oid = rc.relnamespace
  WHERE t.tgparentid <> 0 AND rt.tgparentid = 0 AND NOT rt.tgisinternal AND rt.tgname = t.tgname
    AND rt.tgrelid IN (SELECT relid FROM pg_partition_ancestors(t.tgrelid))
) root ON true
LEFT JOIN pg_description ds ON ds.objoid = t.oid AND ds.classoid = 'pg_catalog.pg_trigger'::regclass
                           AND ds.objsubid = 0
WHERE ((NOT t.tgisinternal AND t.tgparentid = 0)
       OR (t.tgenabled <> pt.tgenabled AND root.root_table IS NOT NULL))
  AND :scope(n)
  AND :not_ext(pg_class, c.oid)
