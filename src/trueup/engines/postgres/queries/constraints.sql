-- Table constraints declared on the table itself (not inherited, not NOT NULL, not triggers).
SELECT co.oid,
       co.conrelid,
       co.conname AS name,
       co.contype,
       pg_get_constraintdef(co.oid) AS def,
       co.convalidated,
       co.conindid,
       coalesce(ix.indisclustered, false) AS clustered,
       coalesce(ix.indisreplident, false) AS replica_identity,
       ds.description AS comment
:include(constraint_rows)
