-- User triggers (see trigger_rows.sql for which).
SELECT t.oid,
       t.tgrelid,
       t.tgname AS name,
       CASE WHEN t.tgparentid = 0 THEN pg_get_triggerdef(t.oid) END AS def,
       t.tgenabled AS enabled,
       pt.tgenabled AS parent_enabled,
       CASE WHEN root.root_table IS NOT NULL THEN json_build_array(root.root_schema, root.root_table) END
         AS root_table,
       ds.description AS comment
:include(trigger_rows)
