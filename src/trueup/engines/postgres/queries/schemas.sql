-- Schemas in scope, with comment and privileges.
SELECT n.oid,
       n.nspname AS name,
       obj_description(n.oid, 'pg_namespace') AS comment,
       :acl(n.nspacl, 'n', n.nspowner) AS acl
FROM pg_namespace n
WHERE :scope(n)
  AND :not_ext(pg_namespace, n.oid)
