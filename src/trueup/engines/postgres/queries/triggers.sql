-- User triggers (constraint triggers included); clones on partitions only where their enabled
-- state differs from their parent's (ALTER TABLE partition DISABLE TRIGGER), as pg_dump does.
SELECT t.oid,
       t.tgrelid,
       t.tgname AS name,
       CASE WHEN t.tgparentid = 0 THEN pg_get_triggerdef(t.oid) END AS def,
       t.tgenabled AS enabled,
       pt.tgenabled AS parent_enabled,
       root.root_table,
       ds.description AS comment
FROM pg_trigger t
LEFT JOIN pg_trigger pt ON pt.oid = t.tgparentid
-- a clone's root: the user trigger of that name on an ancestor (clones are internal before PG 15)
LEFT JOIN LATERAL (
  SELECT json_build_array(rn.nspname, rc.relname) AS root_table
  FROM pg_trigger rt
  JOIN pg_class rc ON rc.oid = rt.tgrelid
  JOIN pg_namespace rn ON rn.oid = rc.relnamespace
  WHERE t.tgparentid <> 0 AND rt.tgparentid = 0 AND NOT rt.tgisinternal AND rt.tgname = t.tgname
    AND rt.tgrelid IN (SELECT relid FROM pg_partition_ancestors(t.tgrelid))
) root ON true
JOIN pg_class c ON c.oid = t.tgrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_description ds ON ds.objoid = t.oid AND ds.classoid = 'pg_catalog.pg_trigger'::regclass
                           AND ds.objsubid = 0
WHERE ((NOT t.tgisinternal AND t.tgparentid = 0)
       OR (t.tgenabled <> pt.tgenabled AND root.root_table IS NOT NULL))
  AND :scope(n)
  AND :not_ext(pg_class, c.oid)
