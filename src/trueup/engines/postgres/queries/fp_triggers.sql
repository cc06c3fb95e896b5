-- Fingerprint rows of triggers.sql (see fp_columns.sql): the same triggers, as ROW text.
SELECT 'triggers' AS src,
       n.nspname AS nsp,
       ROW(c.relname, t.tgname, CASE WHEN t.tgparentid = 0 THEN :unqualify(pg_get_triggerdef(t.oid)) END,
           t.tgenabled, pt.tgenabled,
           CASE WHEN root.root_table IS NOT NULL THEN ROW(:own(root.root_schema), root.root_table) END,
           ds.description)::text AS row
:include(trigger_rows)
