-- The indexes in scope, with whether a constraint owns them: the rows both indexes.sql and
-- fp_indexes.sql read.
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
