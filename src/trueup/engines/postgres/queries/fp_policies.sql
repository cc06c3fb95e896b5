-- Fingerprint rows of policies.sql (see fp_columns.sql), as a plain row per policy.
SELECT 'policies' AS src,
       n.nspname AS nsp,
       ROW(c.relname, pol.polname, pol.polpermissive, pol.polcmd,
           (SELECT string_agg(CASE WHEN r = 0 THEN 'PUBLIC' ELSE r::regrole::text END, ',')
            FROM unnest(pol.polroles) AS r),
           :unqualify(pg_get_expr(pol.polqual, pol.polrelid)),
           :unqualify(pg_get_expr(pol.polwithcheck, pol.polrelid)),
           ds.description)::text AS row
FROM pg_policy pol
JOIN pg_class c ON c.oid = pol.polrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_description ds ON ds.objoid = pol.oid AND ds.classoid = 'pg_catalog.pg_policy'::regclass
                           AND ds.objsubid = 0
WHERE :scope(n)
