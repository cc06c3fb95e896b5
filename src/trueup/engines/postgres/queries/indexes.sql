-- Indexes that are not created by a constraint nor attached to a partitioned parent index.
SELECT i.indexrelid AS oid,
       i.indrelid,
       n.nspname AS schema,
       ic.relname AS name,
       -- pg_get_indexdef is costly: skip it for the rows that are not modelled
       CASE WHEN NOT cb.backed AND NOT ic.relispartition THEN pg_get_indexdef(i.indexrelid) END AS def,
       cb.backed AS constraint_backed,
       ic.relispartition AS attached,
       i.indisclustered AS clustered,
       i.indisreplident AS replica_identity,
       ds.description AS comment
:include(index_rows)
