-- The triggers in scope: user triggers (constraint triggers included), and clones on partitions
-- only where their enabled state differs from their parent's (ALTER TABLE partition DISABLE
-- TRIGGER), as pg_dump does; ``root`` is a clone's root, the user trigger of that name on an
-- ancestor (clones are internal before PG 15). The rows both triggers.sql and fp_triggers.sql read.
FROM pg_trigger t
LEFT JOIN pg_trigger pt ON pt.oid = t.tgparentid
LEFT JOIN LATERAL (
  SELECT rn.nspname AS root_schema, rc.relname AS root_table
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
