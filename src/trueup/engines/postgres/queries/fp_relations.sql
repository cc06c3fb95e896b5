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
           :unqualify(pk.types),
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
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_sequence s ON s.seqrelid = c.oid
LEFT JOIN pg_description ds ON ds.objoid = c.oid AND ds.classoid = 'pg_catalog.pg_class'::regclass
                           AND ds.objsubid = 0
-- the partition key's types (an expression's operator class), which its text does not show
LEFT JOIN LATERAL (
  SELECT string_agg(CASE WHEN k.attnum <> 0 THEN format_type(a.atttypid, a.atttypmod) ELSE opc.opcname END,
                    ',' ORDER BY k.i) AS types
  FROM pg_partitioned_table pt
  CROSS JOIN LATERAL unnest(pt.partattrs::int2[], pt.partclass::oid[]) WITH ORDINALITY AS k(attnum, opclass, i)
  LEFT JOIN pg_attribute a ON a.attrelid = pt.partrelid AND a.attnum = k.attnum
  LEFT JOIN pg_opclass opc ON opc.oid = k.opclass
  WHERE c.relkind = 'p' AND pt.partrelid = c.oid
) pk ON true
WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S')
  AND :scope(n)
  AND :not_ext(pg_class, c.oid)
