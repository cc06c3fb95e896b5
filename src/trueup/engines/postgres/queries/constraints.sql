-- Table constraints declared on the table itself (not inherited, not NOT NULL, not triggers).
SELECT co.oid,
       co.conrelid,
       co.conname AS name,
       co.contype,
       pg_get_constraintdef(co.oid) AS def,
       co.convalidated,
       co.conindid,
       coalesce(ix.indisclustered, false) AS clustered,
       coalesce(ix.indisreplident, false) AS replica_identity,
       ds.description AS comment
FROM pg_constraint co
JOIN pg_class c ON c.oid = co.conrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_index ix ON ix.indexrelid = co.conindid AND co.contype IN ('p', 'u', 'x')
LEFT JOIN pg_description ds ON ds.objoid = co.oid AND ds.classoid = 'pg_catalog.pg_constraint'::regclass
                           AND ds.objsubid = 0
WHERE co.contype IN ('p', 'u', 'c', 'f', 'x')
  AND co.conislocal
  AND co.conparentid = 0
  AND :scope(n)
  AND :not_ext(pg_class, c.oid)
