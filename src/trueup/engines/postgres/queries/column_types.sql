-- The types the columns in scope store, and what decides whether this server can convert a
-- value of one to another (ALTER COLUMN ... TYPE ... USING col::new): per type (and the element
-- and base types it reaches, arrays and domains) its category, element type, base type and the
-- types pg_cast casts it to, user-defined casts (CREATE CAST) included; per spelling of a
-- column's type with a modifier (character varying(20)) the type's own name. Types by
-- format_type, as the columns spell them.
WITH RECURSIVE used AS (
  SELECT DISTINCT a.atttypid AS oid, a.atttypmod AS typmod
:include(column_rows)
), reached(oid) AS (
  SELECT oid FROM used
  UNION
  SELECT x.oid
  FROM reached r
  JOIN pg_type t ON t.oid = r.oid
  CROSS JOIN LATERAL (VALUES (CASE WHEN t.typlen = -1 THEN t.typelem END), (t.typbasetype)) x(oid)
  WHERE x.oid <> 0
)
SELECT format_type(u.oid, u.typmod) AS spelling, format_type(u.oid, NULL) AS name,
       NULL::"char" AS category, NULL AS elem, NULL AS base, NULL::json AS casts
FROM used u
WHERE u.typmod >= 0 AND format_type(u.oid, u.typmod) <> format_type(u.oid, NULL)
UNION ALL
SELECT format_type(t.oid, NULL), format_type(t.oid, NULL), t.typcategory,
       -- an array's element type (as PostgreSQL's get_element_type: a varlena with an element)
       CASE WHEN t.typelem <> 0 AND t.typlen = -1 THEN format_type(t.typelem, NULL) END,
       CASE WHEN t.typtype = 'd' THEN format_type(t.typbasetype, NULL) END,
       (SELECT json_agg(format_type(c.casttarget, NULL) ORDER BY c.casttarget)
        FROM pg_cast c WHERE c.castsource = t.oid)
FROM reached r
JOIN pg_type t ON t.oid = r.oid
