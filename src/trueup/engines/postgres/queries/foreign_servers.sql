-- Foreign servers not created by an extension. Database-wide: read only when no schema is given.
SELECT s.oid,
       s.srvname AS name,
       w.fdwname AS wrapper,
       (SELECT e.extname FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid
        WHERE d.classid = 'pg_catalog.pg_foreign_data_wrapper'::regclass AND d.objid = w.oid
          AND d.refclassid = 'pg_catalog.pg_extension'::regclass AND d.deptype = 'e') AS wrapper_extension,
       s.srvtype AS type,
       s.srvversion AS version,
       (SELECT array_agg(o ORDER BY o) FROM unnest(s.srvoptions) o) AS options,
       obj_description(s.oid, 'pg_foreign_server') AS comment,
       :acl(s.srvacl, 'S', s.srvowner) AS acl
FROM pg_foreign_server s
JOIN pg_foreign_data_wrapper w ON w.oid = s.srvfdw
WHERE :schemas::text[] IS NULL
  AND :not_ext(pg_foreign_server, s.oid)
