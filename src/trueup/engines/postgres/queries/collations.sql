-- Collations (CREATE COLLATION): provider, locales, determinism (and ICU rules, PostgreSQL 16
-- and later). The collation's version is not read: it follows the library, not the schema.
SELECT co.oid,
       n.nspname AS schema,
       co.collname AS name,
       co.collprovider AS provider,
       co.collisdeterministic AS deterministic,
       co.collcollate AS lc_collate,
       co.collctype AS lc_ctype,
       :since(170000, co.colllocale, co.colliculocale) AS locale,
       :since(160000, co.collicurules, NULL::text) AS rules,
       obj_description(co.oid, 'pg_collation') AS comment
FROM pg_collation co
JOIN pg_namespace n ON n.oid = co.collnamespace
WHERE :scope(n)
  AND :not_ext(pg_collation, co.oid)
