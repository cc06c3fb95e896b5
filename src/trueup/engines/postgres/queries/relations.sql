-- Tables, partitioned tables, views, materialized views and sequences.
SELECT c.oid,
       n.nspname AS schema,
       c.relname AS name,
       c.relkind,
       c.relpersistence,
       c.relispartition,
       c.reloptions,
       (SELECT array_agg('toast.' || o) FROM pg_class tc, unnest(tc.reloptions) o
        WHERE tc.oid = c.reltoastrelid) AS toast_options,
       c.relreplident,
       c.relrowsecurity,
       c.relforcerowsecurity,
       CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END AS partition_key,
       -- the key's types (an expression's operator class): the key's text does not show them
       CASE WHEN c.relkind = 'p' THEN
         (SELECT json_agg(CASE WHEN k.attnum <> 0 THEN format_type(a.atttypid, a.atttypmod)
                               ELSE opc.opcname END ORDER BY k.i)
          FROM pg_partitioned_table pt
          CROSS JOIN LATERAL unnest(pt.partattrs::int2[], pt.partclass::oid[])
                             WITH ORDINALITY AS k(attnum, opclass, i)
          LEFT JOIN pg_attribute a ON a.attrelid = pt.partrelid AND a.attnum = k.attnum
          LEFT JOIN pg_opclass opc ON opc.oid = k.opclass
          WHERE pt.partrelid = c.oid)
       END AS partition_key_types,
       CASE WHEN c.relispartition THEN pg_get_expr(c.relpartbound, c.oid) END AS partition_bound,
       (SELECT json_agg(json_build_array(pn.nspname, pc.relname) ORDER BY i.inhseqno)
        FROM pg_inherits i
        JOIN pg_class pc ON pc.oid = i.inhparent
        JOIN pg_namespace pn ON pn.oid = pc.relnamespace
        WHERE i.inhrelid = c.oid) AS parents,
       CASE WHEN c.relkind IN ('v', 'm') THEN pg_get_viewdef(c.oid) END AS view_def,
       c.relispopulated,
       format_type(s.seqtypid, NULL) AS seq_type,
       s.seqstart, s.seqincrement, s.seqmin, s.seqmax, s.seqcycle, s.seqcache,
       (SELECT json_build_array(d.deptype, tn.nspname, tc.relname, a.attname)
        FROM pg_depend d
        JOIN pg_class tc ON tc.oid = d.refobjid
        JOIN pg_namespace tn ON tn.oid = tc.relnamespace
        JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
        WHERE c.relkind = 'S' AND d.classid = 'pg_class'::regclass AND d.objid = c.oid
          AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
        LIMIT 1) AS owned_by,
       ds.description AS comment,
       -- the default ACL of a relation grants to its owner only: only an explicit one holds grants
       CASE WHEN c.relacl IS NOT NULL
            THEN :acl(c.relacl, CASE WHEN c.relkind = 'S' THEN 's' ELSE 'r' END, c.relowner) END AS acl
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_sequence s ON s.seqrelid = c.oid
LEFT JOIN pg_description ds ON ds.objoid = c.oid AND ds.classoid = 'pg_catalog.pg_class'::regclass
                           AND ds.objsubid = 0
WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S')
  AND :scope(n)
  AND :not_ext(pg_class, c.oid)
