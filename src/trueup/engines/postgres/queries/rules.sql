-- Rules (CREATE RULE) on tables and views; never a view's own ``_RETURN`` rule (the view).
SELECT r.oid,
       n.nspname AS schema,
       c.relname AS table_name,
       r.ev_class,
       r.rulename AS name,
       pg_get_ruledef(r.oid) AS def,
       r.ev_enabled AS enabled,
       obj_description(r.oid, 'pg_rewrite') AS comment
FROM pg_rewrite r
JOIN pg_class c ON c.oid = r.ev_class
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE r.rulename <> '_RETURN'
  AND :scope(n)
  AND :not_ext(pg_class, c.oid)
