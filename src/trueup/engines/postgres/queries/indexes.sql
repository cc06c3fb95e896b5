-- Indexes that are not created by a constraint nor attached to a partitioned parent index.
SELECT i.indexrelid AS oid,
       i.indrelid,
       n.nspname AS schema,
       ic.relname AS name,
       -- pg_get_indexdef is costly: skip it for the rows that are not modelled
       CASE WHEN NOT cb.backed AND NOT ic.relispartition THEN pg_get_indexdef(i.indexrelid) END AS def,
       cb.backed AS constraint_backed,
       ic.relispartition AS attached,
       i.indisclustered AS clustered,
       i.indisreplident AS replica_identity,
       ds.description AS comment
FROM pg_index i
CROSS JOIN LATERAL (SELECT EXISTS (SELECT 1 FROM pg_constraint co
                                   WHERE co.conindid = i.indexrelid AND co.conrelid = i.indrelid
                                     AND co.contype IN ('p', 'u', 'x')) AS backed) cb
JOIN pg_class ic ON ic.oid = i.indexrelid
JOIN pg_class tc ON tc.oid = i.indrelid
JOIN pg_namespace n ON n.oid = ic.relnamespace
LEFT JOIN pg_description ds ON ds.objoid = i.indexrelid AND ds.classoid = 'pg_catalog.pg_class'::regclass
                           AND ds.objsubid = 0
WHERE tc.relkind IN ('r', 'p', 'm')
  AND :scope(n)
  AND :not_ext(pg_class, tc.oid)
