-- Table constraints declared on the table itself (not inherited, not NOT NULL, not triggers).
SELECT co.oid,
       co.conrelid,
       co.conname AS name,
       co.contype,
       pg_get_constraintdef(co.oid) AS def,
       co.convalidated,
       co.conindid,
       obj_description(co.oid, 'pg_constraint') AS comment
FROM pg_constraint co
JOIN pg_class c ON c.oid = co.conrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE co.contype IN ('p', 'u', 'c', 'f', 'x')
  AND co.conislocal
  AND co.conparentid = 0
  AND :scope(n)
  AND :not_ext(pg_class, c.oid)
