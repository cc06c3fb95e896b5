-- The relations in scope (tables, partitioned tables, views, materialized views, sequences)
-- with their sequence options, comment and ``pk.types``, a partitioned table's key types (an
-- expression's operator class), which the key's text does not show: the rows both relations.sql
-- and fp_relations.sql read.
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_sequence s ON s.seqrelid = c.oid
LEFT JOIN pg_description ds ON ds.objoid = c.oid AND ds.classoid = 'pg_catalog.pg_class'::regclass
                           AND ds.objsubid = 0
LEFT JOIN LATERAL (
  SELECT array_agg(CASE WHEN k.attnum <> 0 THEN format_type(a.atttypid, a.atttypmod) ELSE opc.opcname END
                   ORDER BY k.i) AS types
  FROM pg_partitioned_table pt
  CROSS JOIN LATERAL unnest(pt.partattrs::int2[], pt.partclass::oid[]) WITH ORDINALITY AS k(attnum, opclass, i)
  LEFT JOIN pg_attribute a ON a.attrelid = pt.partrelid AND a.attnum = k.attnum
  LEFT JOIN pg_opclass opc ON opc.oid = k.opclass
  WHERE c.relkind = 'p' AND pt.partrelid = c.oid
) pk ON true
WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S')
  AND :scope(n)
  AND :not_ext(pg_class, c.oid)
