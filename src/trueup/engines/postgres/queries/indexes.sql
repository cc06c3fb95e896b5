-- Indexes that are not created by a constraint nor attached to a partitioned parent index.
SELECT i.indexrelid AS oid,
       i.indrelid,
       n.nspname AS schema,
       ic.relname AS name,
       pg_get_indexdef(i.indexrelid) AS def,
       EXISTS (SELECT 1 FROM pg_constraint co
               WHERE co.conindid = i.indexrelid AND co.conrelid = i.indrelid
                 AND co.contype IN ('p', 'u', 'x')) AS constraint_backed,
       ic.relispartition AS attached,
       obj_description(i.indexrelid, 'pg_class') AS comment
FROM pg_index i
JOIN pg_class ic ON ic.oid = i.indexrelid
JOIN pg_class tc ON tc.oid = i.indrelid
JOIN pg_namespace n ON n.oid = ic.relnamespace
WHERE tc.relkind IN ('r', 'p', 'm')
  AND :scope(n)
  AND :not_ext(pg_class, tc.oid)
