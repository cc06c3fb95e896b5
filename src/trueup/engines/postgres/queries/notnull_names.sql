-- The names of NOT NULL constraints (PostgreSQL 18; none before): not compared, but a partition
-- detached or attached keeps the names it had, which its new state may name otherwise.
SELECT n.nspname AS schema,
       c.relname AS table_name,
       a.attname AS column_name,
       co.conname AS name
FROM pg_constraint co
JOIN pg_class c ON c.oid = co.conrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_attribute a ON a.attrelid = co.conrelid AND a.attnum = co.conkey[1]
WHERE co.contype = 'n'
  AND c.relkind IN ('r', 'p')
  AND :scope(n)
