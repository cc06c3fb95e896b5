-- Default privileges (pg_default_acl): per role, schema (NULL: the whole database) and kind of
-- object, the privileges as stored and, for a whole database's entry, the server's built-in
-- defaults it replaces (a schema's entry only adds to them). The whole database's entries are
-- read only when no schema is given.
SELECT d.oid,
       d.defaclrole::regrole::text AS role,
       n.nspname AS schema,
       d.defaclobjtype AS objtype,
       (SELECT json_agg(json_build_array(CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE a.grantee::regrole::text END,
                                         a.privilege_type, a.is_grantable))
        FROM aclexplode(d.defaclacl) a) AS acl,
       CASE WHEN d.defaclnamespace = 0 THEN
         (SELECT json_agg(json_build_array(CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE a.grantee::regrole::text END,
                                           a.privilege_type, a.is_grantable))
          FROM aclexplode(acldefault(CASE WHEN d.defaclobjtype = 'S' THEN 's' ELSE d.defaclobjtype END::"char",
                                     d.defaclrole)) a) END AS builtin
FROM pg_default_acl d
LEFT JOIN pg_namespace n ON n.oid = d.defaclnamespace
WHERE (d.defaclnamespace = 0 AND :schemas::text[] IS NULL)
   OR (d.defaclnamespace <> 0 AND :scope(n))
