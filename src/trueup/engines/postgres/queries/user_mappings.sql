-- User mappings, WITHOUT their secrets: an option whose name looks like a secret (see
-- kinds/foreign.py SECRET_OPTION, the same pattern) is read by its name only, its value never
-- leaves the server. Read through pg_user_mappings (options the reader may not see are NULL).
-- Database-wide: read only when no schema is given.
SELECT m.umid AS oid,
       m.srvname AS server,
       CASE WHEN m.umuser = 0 THEN 'PUBLIC' ELSE m.umuser::regrole::text END AS "user",
       (SELECT array_agg(o ORDER BY o) FROM unnest(m.umoptions) o
        WHERE split_part(o, '=', 1) !~* '(pass|pwd|secret|token|key|credential|auth)') AS options,
       (SELECT array_agg(split_part(o, '=', 1) ORDER BY split_part(o, '=', 1)) FROM unnest(m.umoptions) o
        WHERE split_part(o, '=', 1) ~* '(pass|pwd|secret|token|key|credential|auth)') AS secret_keys,
       m.umoptions IS NULL AS hidden
FROM pg_user_mappings m
WHERE :schemas::text[] IS NULL
