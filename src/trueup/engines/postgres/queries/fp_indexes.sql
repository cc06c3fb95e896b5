-- Fingerprint rows of indexes.sql from pg_index as stored (see fp_columns.sql): pg_get_indexdef
-- is the single most costly call of a probe. Expressions and predicates are deparsed by
-- pg_get_expr, which costs half what pg_get_indexdef does on a new connection.
-- (An OID list names only built-in objects when none of its numbers has five digits.)
SELECT 'indexes' AS src,
       n.nspname AS nsp,
       ROW(ic.relname, tc.relname, cb.backed, ic.relispartition, i.indisclustered, i.indisreplident,
           ds.description,
           CASE WHEN NOT cb.backed AND NOT ic.relispartition THEN
             ROW(CASE WHEN ic.relam < 10000 THEN ic.relam::text
                      ELSE (SELECT amname FROM pg_am WHERE oid = ic.relam) END,
                 i.indisunique, :since(150000, i.indnullsnotdistinct, false), i.indnkeyatts, i.indkey,
                 i.indoption, ic.reloptions,
                 CASE WHEN i.indclass::text !~ '[0-9]{5}'
                      THEN i.indclass::text
                      ELSE (SELECT string_agg(CASE WHEN o < 10000 THEN o::text ELSE
                                (SELECT :own(on_.nspname) || '.' || quote_ident(oc.opcname)
                                 FROM pg_opclass oc JOIN pg_namespace on_ on on_.oid = oc.opcnamespace
                                 WHERE oc.oid = o) END, ' ' ORDER BY k)
                            FROM unnest(i.indclass::oid[]) WITH ORDINALITY u(o, k)) END,
                 CASE WHEN i.indcollation::text !~ '[0-9]{5}'
                      THEN i.indcollation::text
                      ELSE (SELECT string_agg(CASE WHEN o < 10000 THEN o::text ELSE
                                (SELECT :own(cn.nspname) || '.' || quote_ident(co.collname)
                                 FROM pg_collation co JOIN pg_namespace cn ON cn.oid = co.collnamespace
                                 WHERE co.oid = o) END, ' ' ORDER BY k)
                            FROM unnest(i.indcollation::oid[]) WITH ORDINALITY u(o, k)) END,
                 CASE WHEN i.indexprs IS NOT NULL THEN :unqualify(pg_get_expr(i.indexprs, i.indrelid)) END,
                 CASE WHEN i.indpred IS NOT NULL THEN :unqualify(pg_get_expr(i.indpred, i.indrelid)) END)
           END)::text AS row
FROM pg_index i
CROSS JOIN LATERAL (SELECT EXISTS (SELECT 1 FROM pg_constraint co
                                   WHERE co.conindid = i.indexrelid AND co.conrelid = i.indrelid
                                     AND co.contype IN ('p', 'u', 'x')) AS backed) cb
JOIN pg_class ic ON ic.oid = i.indexrelid
JOIN pg_class tc ON tc.oid = i.indrelid
JOIN pg_namespace n ON n.oid = ic.relnamespace
LEFT JOIN pg_description ds ON ds.objoid = i.indexrelid AND ds.classoid = 'pg_catalog.pg_class'::regclass
                           AND ds.objsubid = 0
WHERE tc.relkind IN ('r', 'p', 'm')
  AND :scope(n)
  AND :not_ext(pg_class, tc.oid)
