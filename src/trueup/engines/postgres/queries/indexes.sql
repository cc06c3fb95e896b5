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
       -- partitioned indexes: valid once every partition has its index attached
       i.indisvalid OR tc.relkind <> 'p' AS valid,
       -- a partition's index attached to its parent's: the parent index
       CASE WHEN ic.relispartition AND NOT cb.backed THEN
         (SELECT ARRAY[pn.nspname, pc.relname] FROM pg_inherits h JOIN pg_class pc ON pc.oid = h.inhparent
          JOIN pg_namespace pn ON pn.oid = pc.relnamespace WHERE h.inhrelid = i.indexrelid) END AS parent_index,
       tc.relname AS table_name,
       ds.description AS comment
:include(index_rows)
