-- Fingerprint rows of the casts that are not built in (CREATE CAST, an extension's): they decide
-- whether a column's type change needs a USING expression (queries/column_types.sql reads them
-- into the model), so databases that differ in them must not share an inspection. Database-wide:
-- not part of a schema's fingerprint.
SELECT 'casts' AS src,
       ''::name AS nsp,
       ROW(format_type(c.castsource, NULL), format_type(c.casttarget, NULL), c.castcontext, c.castmethod,
           c.castfunc::regprocedure::text)::text AS row
FROM pg_cast c
WHERE c.oid >= 16384
