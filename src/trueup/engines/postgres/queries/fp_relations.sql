-- Fingerprint rows of relations.sql (see fp_columns.sql): the same facts, as a plain row per
-- relation; building and rewriting a JSON document per relation was most of this kind's cost.
SELECT 'relations' AS src,
       n.nspname AS nsp,
       ROW(c.relname, c.relkind, c.relpersistence, c.relispartition, c.reloptions,
           CASE WHEN c.reltoastrelid <> 0 THEN
             (SELECT tc.reloptions FROM pg_class tc WHERE tc.oid = c.reltoastrelid)
           END,
           c.relreplident, c.relrowsecurity, c.relforcerowsecurity,
           CASE WHEN c.relkind = 'p' THEN :unqualify(pg_get_partkeydef(c.oid)) END,
           :unqualify(array_to_string(pk.types, ',')),
           CASE WHEN c.relispartition THEN :unqualify(pg_get_expr(c.relpartbound, c.oid)) END,
           (SELECT string_agg(ROW(:own(pn.nspname), pc.relname)::text, ',' ORDER BY i.inhseqno)
            FROM pg_inherits i
            JOIN pg_class pc ON pc.oid = i.inhparent
            JOIN pg_namespace pn ON pn.oid = pc.relnamespace
            WHERE i.inhrelid = c.oid),
           CASE WHEN c.relkind IN ('v', 'm') THEN :unqualify(pg_get_viewdef(c.oid)) END,
           c.relispopulated,
           -- a sequence's type is always a built-in integer type
           s.seqtypid, s.seqstart, s.seqincrement, s.seqmin, s.seqmax, s.seqcycle, s.seqcache,
           CASE WHEN c.relkind = 'S' THEN
             (SELECT ROW(d.deptype, :own(tn.nspname), tc.relname, a.attname)::text
              FROM pg_depend d
              JOIN pg_class tc ON tc.oid = d.refobjid
              JOIN pg_namespace tn ON tn.oid = tc.relnamespace
              JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
              WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
              LIMIT 1)
           END,
           ds.description,
           CASE WHEN c.relacl IS NOT NULL
                THEN :acl(c.relacl, CASE WHEN c.relkind = 'S' THEN 's' ELSE 'r' END, c.relowner) END
       )::text AS row
:include(relation_rows)
