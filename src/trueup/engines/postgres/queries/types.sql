-- Enums, domains and stand-alone composite types, with comments on domain checks and type attributes.
SELECT t.oid,
       n.nspname AS schema,
       t.typname AS name,
       t.typtype AS typtype,
       t.typrelid,
       CASE WHEN t.typtype = 'e' THEN
         (SELECT json_agg(e.enumlabel ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = t.oid)
       END AS labels,
       CASE WHEN t.typtype = 'd' THEN format_type(t.typbasetype, t.typtypmod) END AS base_type,
       t.typnotnull AS notnull,
       pg_get_expr(t.typdefaultbin, 0) AS default_expr,
       CASE WHEN t.typtype = 'd' AND t.typcollation <> 0 AND t.typcollation <> bt.typcollation
            THEN (SELECT quote_ident(cn.nspname) || '.' || quote_ident(co.collname)
                  FROM pg_collation co JOIN pg_namespace cn ON cn.oid = co.collnamespace
                  WHERE co.oid = t.typcollation)
       END AS collation,
       CASE WHEN t.typtype = 'd' THEN
         (SELECT json_agg(json_build_array(c.conname, pg_get_constraintdef(c.oid), c.convalidated)
                          ORDER BY c.conname)
          FROM pg_constraint c WHERE c.contypid = t.oid AND c.contype = 'c')
       END AS checks,
       CASE WHEN t.typtype = 'd' THEN
         (SELECT array_agg(c.oid) FROM pg_constraint c WHERE c.contypid = t.oid)
       END AS constraint_oids,
       CASE WHEN t.typtype = 'c' THEN
         (SELECT json_agg(json_build_array(a.attname, format_type(a.atttypid, a.atttypmod),
                   CASE WHEN a.attcollation <> at.typcollation
                        THEN (SELECT quote_ident(cn.nspname) || '.' || quote_ident(co.collname)
                              FROM pg_collation co JOIN pg_namespace cn ON cn.oid = co.collnamespace
                              WHERE co.oid = a.attcollation) END) ORDER BY a.attnum)
          FROM pg_attribute a JOIN pg_type at ON at.oid = a.atttypid
          WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped)
       END AS attributes,
       (SELECT json_object_agg(x.name, x.comment) FROM (
          SELECT dc.conname AS name, obj_description(dc.oid, 'pg_constraint') AS comment
          FROM pg_constraint dc WHERE t.typtype = 'd' AND dc.contypid = t.oid AND dc.contype = 'c'
          UNION ALL
          SELECT ca.attname, col_description(ca.attrelid, ca.attnum)
          FROM pg_attribute ca
          WHERE t.typtype = 'c' AND ca.attrelid = t.typrelid AND ca.attnum > 0 AND NOT ca.attisdropped
        ) x WHERE x.comment IS NOT NULL) AS part_comments,
       obj_description(t.oid, 'pg_type') AS comment
FROM pg_type t
JOIN pg_namespace n ON n.oid = t.typnamespace
LEFT JOIN pg_type bt ON bt.oid = t.typbasetype
LEFT JOIN pg_class c ON c.oid = t.typrelid
WHERE (t.typtype IN ('e', 'd') OR (t.typtype = 'c' AND c.relkind = 'c'))
  AND :scope(n)
  AND :not_ext(pg_type, t.oid)
