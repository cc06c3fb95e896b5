-- Installed extensions (plpgsql is always there and not listed).
SELECT e.oid,
       e.extname AS name,
       e.extversion AS version,
       n.nspname AS schema,
       obj_description(e.oid, 'pg_extension') AS comment
FROM pg_extension e
JOIN pg_namespace n ON n.oid = e.extnamespace
WHERE e.extname <> 'plpgsql'
  AND (:schemas::text[] IS NULL OR n.nspname = ANY(:schemas::text[]) OR n.nspname = 'pg_catalog')
