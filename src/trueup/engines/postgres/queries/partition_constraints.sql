-- The partitions' copies of their parent's primary key, unique, foreign key and exclusion
-- constraints (not modelled: the parent's constraint stands for them), with the parent
-- constraint each is attached to. A detached partition keeps them as its own.
SELECT n.nspname AS schema,
       c.relname AS table_name,
       co.conname AS name,
       pn.nspname AS parent_schema,
       pc.relname AS parent_table,
       pco.conname AS parent_name
FROM pg_constraint co
JOIN pg_class c ON c.oid = co.conrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_constraint pco ON pco.oid = co.conparentid
JOIN pg_class pc ON pc.oid = pco.conrelid
JOIN pg_namespace pn ON pn.oid = pc.relnamespace
WHERE co.conparentid <> 0
  AND co.contype IN ('p', 'u', 'f', 'x')
  AND co.conrelid <> pco.conrelid
  AND :scope(n)
