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
       pk.types AS partition_key_types,
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
:include(relation_rows)
