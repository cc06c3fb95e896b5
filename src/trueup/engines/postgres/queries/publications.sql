-- Publications: what they publish, their tables (with PostgreSQL 15's column lists and row
-- filters) and schemas. Database-wide: read only when no schema is given.
SELECT p.oid,
       p.pubname AS name,
       p.puballtables AS all_tables,
       array_remove(ARRAY[CASE WHEN p.pubinsert THEN 'insert' END, CASE WHEN p.pubupdate THEN 'update' END,
                          CASE WHEN p.pubdelete THEN 'delete' END, CASE WHEN p.pubtruncate THEN 'truncate' END],
                    NULL) AS publish,
       p.pubviaroot AS via_root,
       :since(180000, p.pubgencols::text, NULL::text) AS generated_columns,
       (SELECT json_agg(json_build_array(rn.nspname, rc.relname,
                                         (SELECT array_agg(a.attname ORDER BY a.attnum) FROM pg_attribute a
                                          WHERE a.attrelid = pr.prrelid AND a.attnum = ANY(pr.attrs)),
                                         pg_get_expr(pr.qual, pr.prrelid))
                        ORDER BY rn.nspname, rc.relname)
        FROM (SELECT r.prrelid, :since(150000, r.prattrs::int2[], NULL::int2[]) AS attrs,
                     :since(150000, r.prqual, NULL::pg_node_tree) AS qual
              FROM pg_publication_rel r WHERE r.prpubid = p.oid) pr
        JOIN pg_class rc ON rc.oid = pr.prrelid
        JOIN pg_namespace rn ON rn.oid = rc.relnamespace) AS tables,
       :since(150000, (SELECT array_agg(pn.nspname ORDER BY pn.nspname) FROM pg_publication_namespace x JOIN pg_namespace pn ON pn.oid = x.pnnspid WHERE x.pnpubid = p.oid), NULL::text[]) AS schemas,
       (SELECT array_agg(r.oid) FROM pg_publication_rel r WHERE r.prpubid = p.oid) AS rel_oids,
       obj_description(p.oid, 'pg_publication') AS comment
FROM pg_publication p
WHERE :schemas::text[] IS NULL
