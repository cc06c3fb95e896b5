-- Foreign-data wrappers not created by an extension. Database-wide: read only when no schema is given.
SELECT w.oid,
       w.fdwname AS name,
       CASE WHEN w.fdwhandler <> 0 THEN w.fdwhandler::regproc::text END AS handler,
       CASE WHEN w.fdwvalidator <> 0 THEN w.fdwvalidator::regproc::text END AS validator,
       (SELECT array_agg(o ORDER BY o) FROM unnest(w.fdwoptions) o) AS options,
       obj_description(w.oid, 'pg_foreign_data_wrapper') AS comment,
       :acl(w.fdwacl, 'F', w.fdwowner) AS acl
FROM pg_foreign_data_wrapper w
WHERE :schemas::text[] IS NULL
  AND :not_ext(pg_foreign_data_wrapper, w.oid)
