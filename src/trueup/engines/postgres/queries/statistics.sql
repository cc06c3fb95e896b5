-- Extended statistics (CREATE STATISTICS) on tables and materialized views: the definition as
-- the server prints it, the columns it names and the statistics target where one is set.
SELECT s.oid,
       n.nspname AS schema,
       s.stxname AS name,
       s.stxrelid,
       pg_get_statisticsobjdef(s.oid) AS def,
       (SELECT json_agg(a.attname ORDER BY a.attnum) FROM pg_attribute a
        WHERE a.attrelid = s.stxrelid AND a.attnum = ANY (s.stxkeys)) AS columns,
       CASE WHEN s.stxstattarget >= 0 THEN s.stxstattarget END AS target,
       obj_description(s.oid, 'pg_statistic_ext') AS comment
FROM pg_statistic_ext s
JOIN pg_namespace n ON n.oid = s.stxnamespace
JOIN pg_class c ON c.oid = s.stxrelid
WHERE :scope(n)
  AND :not_ext(pg_class, c.oid)
