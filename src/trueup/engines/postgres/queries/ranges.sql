-- Range types, each with its multirange type (created with the range, modelled as part of it).
-- The subtype's operator class and the collation only where they are not the subtype's defaults.
SELECT t.oid,
       n.nspname AS schema,
       t.typname AS name,
       format_type(r.rngsubtype, NULL) AS subtype,
       CASE WHEN NOT opc.opcdefault OR opc.opcintype <> r.rngsubtype
            THEN quote_ident(opcn.nspname) || '.' || quote_ident(opc.opcname) END AS subtype_opclass,
       CASE WHEN r.rngcollation <> 0 AND r.rngcollation <> st.typcollation
            THEN (SELECT quote_ident(cn.nspname) || '.' || quote_ident(co.collname)
                  FROM pg_collation co JOIN pg_namespace cn ON cn.oid = co.collnamespace
                  WHERE co.oid = r.rngcollation)
       END AS collation,
       CASE WHEN r.rngcanonical <> 0 THEN r.rngcanonical::regproc::text END AS canonical,
       CASE WHEN r.rngsubdiff <> 0 THEN r.rngsubdiff::regproc::text END AS subtype_diff,
       r.rngmultitypid AS multirange_oid,
       quote_ident(mn.nspname) || '.' || quote_ident(m.typname) AS multirange,
       obj_description(t.oid, 'pg_type') AS comment
FROM pg_range r
JOIN pg_type t ON t.oid = r.rngtypid
JOIN pg_namespace n ON n.oid = t.typnamespace
JOIN pg_type st ON st.oid = r.rngsubtype
JOIN pg_opclass opc ON opc.oid = r.rngsubopc
JOIN pg_namespace opcn ON opcn.oid = opc.opcnamespace
JOIN pg_type m ON m.oid = r.rngmultitypid
JOIN pg_namespace mn ON mn.oid = m.typnamespace
WHERE :scope(n)
  AND :not_ext(pg_type, t.oid)
