-- The policies in scope, with their comments: the rows both policies.sql and fp_policies.sql
-- read (one clause, so the fingerprint covers exactly what the inspection models).
FROM pg_policy pol
JOIN pg_class c ON c.oid = pol.polrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_description ds ON ds.objoid = pol.oid AND ds.classoid = 'pg_catalog.pg_policy'::regclass
                           AND ds.objsubid = 0
WHERE :scope(n)
