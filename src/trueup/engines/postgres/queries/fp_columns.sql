-- Fingerprint rows of columns.sql, read from the catalog as stored rather than deparsed: the
-- same facts, far cheaper. OIDs appear only below 10000 (fixed by the server's version),
-- everything else by name; the row's own schema is written $ so equal tenants hash equal.
SELECT 'columns' AS src,
       n.nspname AS nsp,
       ROW(c.relname, a.attname, a.attnum,
           CASE WHEN a.atttypid < 10000 THEN a.atttypid::text
                ELSE (SELECT :own(tn.nspname) || '.' || quote_ident(t.typname)
                      FROM pg_type t JOIN pg_namespace tn ON tn.oid = t.typnamespace WHERE t.oid = a.atttypid)
           END,
           a.atttypmod, a.attnotnull, a.attidentity, a.attgenerated,
           CASE WHEN a.attcollation < 10000 THEN a.attcollation::text
                ELSE (SELECT :own(cn.nspname) || '.' || quote_ident(co.collname)
                      FROM pg_collation co JOIN pg_namespace cn ON cn.oid = co.collnamespace
                      WHERE co.oid = a.attcollation)
           END,
           a.attislocal, a.attstorage, a.attstattarget,
           :since(140000, a.attcompression::text, to_jsonb(a) ->> 'attcompression'),
           CASE WHEN d.adbin IS NOT NULL THEN
             :unqualify(pg_get_expr(d.adbin, CASE WHEN strpos(d.adbin::text, '{VAR ') > 0 THEN d.adrelid ELSE 0 END))
           END,
           ds.description,
           CASE WHEN a.attacl IS NOT NULL THEN :acl(a.attacl, 'c', c.relowner) END,
           CASE WHEN a.attidentity <> '' THEN
             (SELECT ROW(s.seqtypid, s.seqstart, s.seqincrement, s.seqmin, s.seqmax, s.seqcycle, s.seqcache,
                         :own(sn.nspname), sc.relname)
              FROM pg_depend dd JOIN pg_sequence s ON s.seqrelid = dd.objid
              JOIN pg_class sc ON sc.oid = s.seqrelid JOIN pg_namespace sn ON sn.oid = sc.relnamespace
              WHERE dd.classid = 'pg_class'::regclass AND dd.refclassid = 'pg_class'::regclass
                AND dd.refobjid = a.attrelid AND dd.refobjsubid = a.attnum AND dd.deptype = 'i'
              LIMIT 1)
           END,
           CASE WHEN NOT a.attislocal AND c.relkind IN ('r', 'p') THEN
             (SELECT ROW(:own(pn.nspname), pc.relname, :unqualify(pg_get_expr(pd.adbin, pd.adrelid)), pa.attnotnull)
              FROM pg_inherits i
              JOIN pg_class pc ON pc.oid = i.inhparent
              JOIN pg_namespace pn ON pn.oid = pc.relnamespace
              JOIN pg_attribute pa ON pa.attrelid = i.inhparent AND pa.attname = a.attname
              LEFT JOIN pg_attrdef pd ON pd.adrelid = pa.attrelid AND pd.adnum = pa.attnum
              WHERE i.inhrelid = a.attrelid
              ORDER BY i.inhseqno LIMIT 1)
           END)::text AS row
:include(column_rows)
