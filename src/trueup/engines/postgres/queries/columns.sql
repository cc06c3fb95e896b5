-- Columns of tables, views and materialized views (views: for comments and privileges).
SELECT a.attrelid,
       a.attname AS name,
       a.attnum,
       format_type(a.atttypid, a.atttypmod) AS type,
       a.attnotnull AS notnull,
       -- given a table, pg_get_expr opens it (slow on a new connection): only an expression that
       -- names a column (a Var node) needs it
       pg_get_expr(d.adbin, CASE WHEN strpos(d.adbin::text, '{VAR ') > 0 THEN d.adrelid ELSE 0 END)
         AS default_expr,
       a.attidentity AS identity,
       a.attgenerated AS generated,
       CASE WHEN a.attcollation <> t.typcollation
            THEN (SELECT quote_ident(cn.nspname) || '.' || quote_ident(co.collname)
                  FROM pg_collation co JOIN pg_namespace cn ON cn.oid = co.collnamespace
                  WHERE co.oid = a.attcollation)
       END AS collation,
       a.attislocal AS islocal,
       CASE WHEN a.attstorage <> t.typstorage THEN json_build_array(a.attstorage, t.typstorage) END AS storage,
       CASE WHEN a.attstattarget >= 0 THEN a.attstattarget END AS statistics,
       -- attcompression is new in PostgreSQL 14: to_jsonb(a) reads it on any version, but slowly
       :since(140000, NULLIF(a.attcompression::text, ''), NULLIF(to_jsonb(a) ->> 'attcompression', ''))
         AS compression,
       ds.description AS comment,
       -- the default ACL of a column is empty: only an explicit one holds grants
       CASE WHEN a.attacl IS NOT NULL THEN :acl(a.attacl, 'c', c.relowner) END AS acl,
       CASE WHEN a.attidentity <> '' THEN
         (SELECT json_build_array(format_type(s.seqtypid, NULL), s.seqstart, s.seqincrement, s.seqmin,
                                  s.seqmax, s.seqcycle, s.seqcache, sn.nspname, sc.relname)
          FROM pg_depend dd JOIN pg_sequence s ON s.seqrelid = dd.objid
          JOIN pg_class sc ON sc.oid = s.seqrelid JOIN pg_namespace sn ON sn.oid = sc.relnamespace
          WHERE dd.classid = 'pg_class'::regclass AND dd.refclassid = 'pg_class'::regclass
            AND dd.refobjid = a.attrelid AND dd.refobjsubid = a.attnum AND dd.deptype = 'i'
          LIMIT 1)
       END AS identity_seq,
       -- an inherited column (of a partition or inheritance child): its first parent's column
       CASE WHEN NOT a.attislocal AND c.relkind IN ('r', 'p') THEN
         (SELECT json_build_array(pn.nspname, pc.relname, pg_get_expr(pd.adbin, pd.adrelid), pa.attnotnull)
          FROM pg_inherits i
          JOIN pg_class pc ON pc.oid = i.inhparent
          JOIN pg_namespace pn ON pn.oid = pc.relnamespace
          JOIN pg_attribute pa ON pa.attrelid = i.inhparent AND pa.attname = a.attname
          LEFT JOIN pg_attrdef pd ON pd.adrelid = pa.attrelid AND pd.adnum = pa.attnum
          WHERE i.inhrelid = a.attrelid
          ORDER BY i.inhseqno LIMIT 1)
       END AS parent_column
:include(column_rows)
ORDER BY a.attrelid, a.attnum
