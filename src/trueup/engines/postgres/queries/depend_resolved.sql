-- The select list of both parts of depend.sql: a dependency row ``d`` with its view's
-- ``_RETURN`` rule ``r`` resolved to the view, its column default ``ad`` to the column and its
-- row type ``rt`` (or an array of it) to the table.
SELECT CASE WHEN r.ev_class IS NOT NULL OR ad.adrelid IS NOT NULL THEN 'pg_class'
            ELSE d.classid::regclass::text END AS classid,
       coalesce(r.ev_class, ad.adrelid, d.objid) AS objid,
       CASE WHEN r.ev_class IS NOT NULL THEN 0 WHEN ad.adrelid IS NOT NULL THEN ad.adnum
            ELSE d.objsubid END AS objsubid,
       CASE WHEN rt.rel IS NOT NULL THEN 'pg_class' ELSE d.refclassid::regclass::text END AS refclassid,
       coalesce(rt.rel, rt.elem, d.refobjid) AS refobjid,
       d.refobjsubid,
       d.deptype
