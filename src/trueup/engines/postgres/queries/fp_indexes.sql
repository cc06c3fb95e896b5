-- Fingerprint rows of indexes.sql from pg_index as stored (see fp_columns.sql): pg_get_indexdef
-- is the single most costly call of a probe. Expressions and predicates are deparsed by
-- pg_get_expr, which costs half what pg_get_indexdef does on a new connection.
SELECT 'indexes' AS src,
       n.nspname AS nsp,
       ROW(ic.relname, tc.relname, cb.backed, ic.relispartition, i.indisclustered, i.indisreplident,
           i.indisvalid OR tc.relkind <> 'p',
           CASE WHEN ic.relispartition THEN (SELECT h.inhparent::regclass::text FROM pg_inherits h
                                             WHERE h.inhrelid = i.indexrelid) END,
           ds.description,
           CASE WHEN NOT cb.backed AND NOT ic.relispartition THEN
             ROW(CASE WHEN ic.relam < 10000 THEN ic.relam::text
                      ELSE (SELECT amname FROM pg_am WHERE oid = ic.relam) END,
                 i.indisunique, :since(150000, i.indnullsnotdistinct, false), i.indnkeyatts, i.indkey,
                 i.indoption, ic.reloptions,
                 :oid_names(i.indclass, pg_opclass, opcname, opcnamespace),
                 :oid_names(i.indcollation, pg_collation, collname, collnamespace),
                 CASE WHEN i.indexprs IS NOT NULL THEN :unqualify(pg_get_expr(i.indexprs, i.indrelid)) END,
                 CASE WHEN i.indpred IS NOT NULL THEN :unqualify(pg_get_expr(i.indpred, i.indrelid)) END)
           END)::text AS row
:include(index_rows)
