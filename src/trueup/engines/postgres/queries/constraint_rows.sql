-- The table constraints in scope (declared on the table itself: not inherited, not NOT NULL,
-- not triggers), with the index of a primary key, unique or exclusion constraint: the rows both
-- constraints.sql and fp_constraints.sql read.
FROM pg_constraint co
JOIN pg_class c ON c.oid = co.conrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
-- (the index and its relation joined first: a left join of pg_class on a NULL-padded indexrelid
-- once made the server hash every foreign key and check, all NULL, into one bucket: 19 s)
LEFT JOIN (pg_index ix JOIN pg_class ic ON ic.oid = ix.indexrelid)
       ON ix.indexrelid = co.conindid AND co.contype IN ('p', 'u', 'x')
LEFT JOIN pg_description ds ON ds.objoid = co.oid AND ds.classoid = 'pg_catalog.pg_constraint'::regclass
                           AND ds.objsubid = 0
WHERE co.contype IN ('p', 'u', 'c', 'f', 'x')
  AND co.conislocal
  AND co.conparentid = 0
  AND :scope(n)
  AND :not_ext(pg_class, c.oid)
