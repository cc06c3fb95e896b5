-- Fingerprint rows of constraints.sql from pg_constraint as stored (see fp_columns.sql). Column
-- numbers are enough for tables of the row's own schema (its columns rows name them); a foreign
-- key's referenced columns in another schema are named, as that schema may lie outside the scope.
SELECT 'constraints' AS src,
       n.nspname AS nsp,
       ROW(c.relname, co.conname, co.contype, co.condeferrable, co.condeferred, co.convalidated, co.conkey,
           co.connoinherit,
           CASE co.contype
             WHEN 'f' THEN
               ROW(co.confupdtype, co.confdeltype, co.confmatchtype,
                   :since(150000, co.confdelsetcols, NULL::int2[]),
                   (SELECT ROW(:own(fn.nspname), fc.relname,
                               CASE WHEN fn.nspname = n.nspname THEN co.confkey::text
                                    ELSE (SELECT array_agg(fa.attname ORDER BY k)
                                          FROM unnest(co.confkey) WITH ORDINALITY u(num, k)
                                          JOIN pg_attribute fa ON fa.attrelid = co.confrelid AND fa.attnum = u.num)::text
                               END)
                    FROM pg_class fc JOIN pg_namespace fn ON fn.oid = fc.relnamespace
                    WHERE fc.oid = co.confrelid))::text
             -- checks: pg_get_constraintdef reads the catalog caches only, pg_get_expr would open the table
             WHEN 'c' THEN :unqualify(pg_get_constraintdef(co.oid))
             WHEN 'x' THEN :unqualify(pg_get_constraintdef(co.oid))
             -- primary key, unique: what the backing index adds (INCLUDE, WITH, tablespace)
             ELSE ROW(ix.indkey, ix.indnkeyatts, :since(150000, ix.indnullsnotdistinct, false), ic.reloptions,
                      (SELECT spcname FROM pg_tablespace WHERE oid = ic.reltablespace))::text
           END,
           :since(180000, ROW(co.conenforced, co.conperiod)::text, NULL),
           ix.indisclustered, ix.indisreplident, ds.description)::text AS row
:include(constraint_rows)
