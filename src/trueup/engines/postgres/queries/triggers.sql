-- User triggers (constraint triggers included), not clones on partitions.
SELECT t.oid,
       t.tgrelid,
       t.tgname AS name,
       pg_get_triggerdef(t.oid) AS def,
       t.tgenabled AS enabled,
       ds.description AS comment
FROM pg_trigger t
JOIN pg_class c ON c.oid = t.tgrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_description ds ON ds.objoid = t.oid AND ds.classoid = 'pg_catalog.pg_trigger'::regclass
                           AND ds.objsubid = 0
WHERE NOT t.tgisinternal
  AND t.tgparentid = 0
  AND :scope(n)
  AND :not_ext(pg_class, c.oid)
