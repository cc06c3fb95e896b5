-- Row level security policies.
SELECT pol.oid,
       pol.polrelid,
       pol.polname AS name,
       pol.polpermissive AS permissive,
       pol.polcmd AS cmd,
       (SELECT json_agg(CASE WHEN r = 0 THEN 'PUBLIC' ELSE r::regrole::text END ORDER BY 1)
        FROM unnest(pol.polroles) AS r) AS roles,
       pg_get_expr(pol.polqual, pol.polrelid) AS using_expr,
       pg_get_expr(pol.polwithcheck, pol.polrelid) AS check_expr,
       ds.description AS comment
:include(policy_rows)
