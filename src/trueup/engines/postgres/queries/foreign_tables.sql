-- Foreign tables in scope: server, options and columns (name, type, NOT NULL, default, options).
SELECT c.oid,
       n.nspname AS schema,
       c.relname AS name,
       s.srvname AS server,
       (SELECT array_agg(o ORDER BY o) FROM unnest(ft.ftoptions) o) AS options,
       (SELECT json_agg(json_build_array(a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
                                         pg_get_expr(ad.adbin, ad.adrelid),
                                         (SELECT array_agg(o ORDER BY o) FROM unnest(a.attfdwoptions) o))
                        ORDER BY a.attnum)
        FROM pg_attribute a
        LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
        WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped) AS columns,
       obj_description(c.oid, 'pg_class') AS comment,
       :acl(c.relacl, 'r', c.relowner) AS acl
FROM pg_foreign_table ft
JOIN pg_class c ON c.oid = ft.ftrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_foreign_server s ON s.oid = ft.ftserver
WHERE :scope(n)
  AND :not_ext(pg_class, c.oid)
