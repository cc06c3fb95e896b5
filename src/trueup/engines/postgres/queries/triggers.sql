-- User triggers (constraint triggers included), not clones on partitions.
SELECT t.oid,
       t.tgrelid,
       t.tgname AS name,
       pg_get_triggerdef(t.oid) AS def,
       t.tgenabled AS enabled,
       obj_description(t.oid, 'pg_trigger') AS comment
FROM pg_trigger t
JOIN pg_class c ON c.oid = t.tgrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE NOT t.tgisinternal
  AND t.tgparentid = 0
  AND :scope(n)
  AND :not_ext(pg_class, c.oid)
