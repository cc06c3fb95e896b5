-- Fingerprint rows of policies.sql (see fp_columns.sql), as a plain row per policy.
SELECT 'policies' AS src,
       n.nspname AS nsp,
       ROW(c.relname, pol.polname, pol.polpermissive, pol.polcmd,
           (SELECT string_agg(CASE WHEN r = 0 THEN 'PUBLIC' ELSE r::regrole::text END, ',')
            FROM unnest(pol.polroles) AS r),
           :unqualify(pg_get_expr(pol.polqual, pol.polrelid)),
           :unqualify(pg_get_expr(pol.polwithcheck, pol.polrelid)),
           ds.description)::text AS row
:include(policy_rows)
