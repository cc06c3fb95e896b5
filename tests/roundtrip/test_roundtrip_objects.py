"""Round trips, part B: views, materialized views, functions, triggers, RLS, policies, grants, comments.

Each case is a real (old DDL, new DDL) pair; the harness migrates OLD with trueup's plan and
compares ``pg_dump --schema-only`` with NEW. The roles used are the ``trueup_test_*`` roles
that the session ``pg_url`` fixture creates.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.roundtrip import harness
from tests.roundtrip.harness import Case, case_params, run_case
from trueup.api import diff_models
from trueup.engines.interface.generators import DiffOptions
from trueup.model import Schema
from trueup.plan.script import Plan

READER, WRITER, ADMIN = "trueup_test_reader", "trueup_test_writer", "trueup_test_admin"

T = "CREATE TABLE t (id int PRIMARY KEY, name text, qty int NOT NULL DEFAULT 0);\n"
ITEMS = "CREATE TABLE items (id int PRIMARY KEY, label text, price numeric(10,2));\n"

# -- views ------------------------------------------------------------------------------------
VIEWS = [
    Case("view_create", T, T + "CREATE VIEW v AS SELECT id, name FROM t WHERE qty > 0;"),
    Case("view_drop", T + "CREATE VIEW v AS SELECT id, name FROM t;", T),
    Case("view_change_where",
         T + "CREATE VIEW v AS SELECT id, name FROM t WHERE qty > 0;",
         T + "CREATE VIEW v AS SELECT id, name FROM t WHERE qty > 10;"),
    Case("view_remove_output_column",
         T + "CREATE VIEW v AS SELECT id, name, qty FROM t;",
         T + "CREATE VIEW v AS SELECT id, qty FROM t;"),
    Case("view_security_invoker_added",
         T + "CREATE VIEW v AS SELECT id FROM t;",
         T + "CREATE VIEW v WITH (security_invoker = true) AS SELECT id FROM t;", min_pg=15),
    Case("view_security_invoker_removed",
         T + "CREATE VIEW v WITH (security_invoker = true) AS SELECT id FROM t;",
         T + "CREATE VIEW v AS SELECT id FROM t;", min_pg=15),
    Case("view_security_barrier_added",
         T + "CREATE VIEW v AS SELECT id FROM t WHERE qty > 0;",
         T + "CREATE VIEW v WITH (security_barrier) AS SELECT id FROM t WHERE qty > 0;"),
    Case("view_check_option_local_to_cascaded",
         T + "CREATE VIEW v AS SELECT id, qty FROM t WHERE qty >= 0 WITH LOCAL CHECK OPTION;",
         T + "CREATE VIEW v AS SELECT id, qty FROM t WHERE qty >= 0 WITH CASCADED CHECK OPTION;"),
    Case("view_check_option_removed",
         T + "CREATE VIEW v AS SELECT id, qty FROM t WHERE qty >= 0 WITH CHECK OPTION;",
         T + "CREATE VIEW v AS SELECT id, qty FROM t WHERE qty >= 0;"),
    Case("view_on_view_create",
         T + "CREATE VIEW v1 AS SELECT id, name FROM t;",
         T + "CREATE VIEW v1 AS SELECT id, name FROM t;\nCREATE VIEW v2 AS SELECT name FROM v1 WHERE id <"
             " 5;"),
    Case("view_on_view_inner_changes",
         T + "CREATE VIEW v1 AS SELECT id, name FROM t;\nCREATE VIEW v2 AS SELECT name FROM v1 WHERE id < 5;",
         T + "CREATE VIEW v1 AS SELECT id, name, qty FROM t WHERE qty > 0;\n"
             "CREATE VIEW v2 AS SELECT name FROM v1 WHERE id < 5;"),
    Case("view_recursive_change",
         "CREATE RECURSIVE VIEW nums (n) AS VALUES (1) UNION ALL SELECT n + 1 FROM nums WHERE n < 10;",
         "CREATE RECURSIVE VIEW nums (n) AS VALUES (1) UNION ALL SELECT n + 2 FROM nums WHERE n < 20;"),
    Case("view_column_retyped_under_view",
         T + "CREATE VIEW v AS SELECT id, qty FROM t WHERE qty > 0;",
         "CREATE TABLE t (id int PRIMARY KEY, name text, qty bigint NOT NULL DEFAULT 0);\n"
         "CREATE VIEW v AS SELECT id, qty FROM t WHERE qty > 0;"),
    Case("view_column_retyped_under_view_of_view",
         T + "CREATE VIEW v1 AS SELECT id, qty FROM t;\nCREATE VIEW v2 AS SELECT qty FROM v1 WHERE id > 1;",
         "CREATE TABLE t (id int PRIMARY KEY, name text, qty numeric NOT NULL DEFAULT 0);\n"
         "CREATE VIEW v1 AS SELECT id, qty FROM t;\nCREATE VIEW v2 AS SELECT qty FROM v1 WHERE id > 1;"),
    Case("view_column_dropped_under_view",
         T + "CREATE VIEW v AS SELECT id, name, qty FROM t;",
         "CREATE TABLE t (id int PRIMARY KEY, qty int NOT NULL DEFAULT 0);\n"
         "CREATE VIEW v AS SELECT id, qty FROM t;"),
    Case("view_table_replaced_by_view",
         ITEMS + "CREATE VIEW cheap AS SELECT id, label FROM items WHERE price < 10;",
         "CREATE TABLE items_data (id int PRIMARY KEY, label text, price numeric(10,2));\n"
         "CREATE VIEW items AS SELECT id, label, price FROM items_data;\n"
         "CREATE VIEW cheap AS SELECT id, label FROM items WHERE price < 10;"),
    Case("view_uses_function_that_changes_return_type",
         T + "CREATE FUNCTION twice(x int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT x * 2';\n"
             "CREATE VIEW v AS SELECT id, twice(qty) AS q2 FROM t;",
         T + "CREATE FUNCTION twice(x int) RETURNS bigint LANGUAGE sql IMMUTABLE AS 'SELECT x::bigint * 2';\n"
             "CREATE VIEW v AS SELECT id, twice(qty) AS q2 FROM t;"),
    Case("view_uses_function_param_renamed",
         T + "CREATE FUNCTION twice(x int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT x * 2';\n"
             "CREATE VIEW v AS SELECT id, twice(qty) AS q2 FROM t;",
         T + "CREATE FUNCTION twice(n int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT n * 2';\n"
             "CREATE VIEW v AS SELECT id, twice(qty) AS q2 FROM t;"),
    Case("view_view_replaced_by_table",
         "CREATE TABLE items_data (id int PRIMARY KEY, label text);\n"
         "CREATE VIEW items AS SELECT id, label FROM items_data;\n"
         "CREATE VIEW labels AS SELECT label FROM items;",
         "CREATE TABLE items (id int PRIMARY KEY, label text);\n"
         "CREATE VIEW labels AS SELECT label FROM items;"),
    Case("view_retyped_column_with_grant_and_comment",
         T + f"CREATE VIEW v AS SELECT id, qty FROM t;\nGRANT SELECT ON v TO {READER};\n"
             "COMMENT ON VIEW v IS 'v';\nCOMMENT ON COLUMN v.qty IS 'q';",
         "CREATE TABLE t (id int PRIMARY KEY, name text, qty bigint NOT NULL DEFAULT 0);\n"
         f"CREATE VIEW v AS SELECT id, qty FROM t;\nGRANT SELECT ON v TO {READER};\n"
         "COMMENT ON VIEW v IS 'v';\nCOMMENT ON COLUMN v.qty IS 'q';"),
]

# -- materialized views ------------------------------------------------------------------------
MATVIEWS = [
    Case("matview_create", T, T + "CREATE MATERIALIZED VIEW mv AS SELECT id, qty FROM t;"),
    Case("matview_drop", T + "CREATE MATERIALIZED VIEW mv AS SELECT id, qty FROM t;", T),
    Case("matview_change",
         T + "CREATE MATERIALIZED VIEW mv AS SELECT id, qty FROM t;",
         T + "CREATE MATERIALIZED VIEW mv AS SELECT id, qty * 2 AS qty2 FROM t;"),
    Case("matview_index_added",
         T + "CREATE MATERIALIZED VIEW mv AS SELECT id, qty FROM t;",
         T + "CREATE MATERIALIZED VIEW mv AS SELECT id, qty FROM t;\nCREATE INDEX mv_qty ON mv (qty);"),
    Case("matview_change_keeps_index",
         T + "CREATE MATERIALIZED VIEW mv AS SELECT id, qty FROM t;\nCREATE UNIQUE INDEX mv_id ON mv (id);",
         T + "CREATE MATERIALIZED VIEW mv AS SELECT id, qty, name FROM t;\nCREATE UNIQUE INDEX mv_id ON mv"
             " (id);"),
    Case("matview_create_with_no_data",
         T, T + "CREATE MATERIALIZED VIEW mv AS SELECT id FROM t WITH NO DATA;"),
    Case("matview_no_data_to_populated",
         T + "CREATE MATERIALIZED VIEW mv AS SELECT id FROM t WITH NO DATA;",
         T + "CREATE MATERIALIZED VIEW mv AS SELECT id FROM t;"),
    Case("matview_column_retyped_underneath",
         T + "CREATE MATERIALIZED VIEW mv AS SELECT id, qty FROM t;\nCREATE INDEX mv_qty ON mv (qty);",
         "CREATE TABLE t (id int PRIMARY KEY, name text, qty bigint NOT NULL DEFAULT 0);\n"
         "CREATE MATERIALIZED VIEW mv AS SELECT id, qty FROM t;\nCREATE INDEX mv_qty ON mv (qty);"),
    Case("matview_populated_to_no_data",
         T + "CREATE MATERIALIZED VIEW mv AS SELECT id FROM t;",
         T + "CREATE MATERIALIZED VIEW mv AS SELECT id FROM t WITH NO DATA;"),
    Case("matview_uses_function_return_type_changed",
         T + "CREATE FUNCTION dbl(x int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT 2 * x';\n"
             "CREATE MATERIALIZED VIEW mv AS SELECT id, dbl(qty) AS d FROM t;\nCREATE INDEX mv_d ON mv (d);",
         T + "CREATE FUNCTION dbl(x int) RETURNS numeric LANGUAGE sql IMMUTABLE AS 'SELECT 2.0 * x';\n"
             "CREATE MATERIALIZED VIEW mv AS SELECT id, dbl(qty) AS d FROM t;\nCREATE INDEX mv_d ON mv (d);"),
    Case("matview_expression_index_function_changes",
         T + "CREATE FUNCTION norm(x text) RETURNS text LANGUAGE sql IMMUTABLE AS 'SELECT lower(x)';\n"
             "CREATE MATERIALIZED VIEW mv AS SELECT id, name FROM t;\nCREATE INDEX mv_norm ON mv"
             " (norm(name));",
         T + "CREATE FUNCTION norm(s text) RETURNS text LANGUAGE sql IMMUTABLE AS 'SELECT lower(s)';\n"
             "CREATE MATERIALIZED VIEW mv AS SELECT id, name FROM t;\nCREATE INDEX mv_norm ON mv"
             " (norm(name));"),
]

# -- functions, procedures, aggregates ---------------------------------------------------------
F_SQL = "CREATE FUNCTION add1(x int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT x + 1';\n"
F_PLPG = ("CREATE FUNCTION clamp(x int) RETURNS int LANGUAGE plpgsql AS $$\n"
          "BEGIN\n  IF x < 0 THEN RETURN 0; END IF;\n  RETURN x;\nEND\n$$;\n")
AGG = ("CREATE FUNCTION sum_sq_step(acc bigint, x int) RETURNS bigint LANGUAGE sql IMMUTABLE"
       " AS 'SELECT acc + x * x';\n")

FUNCTIONS = [
    Case("function_create_sql", "", F_SQL),
    Case("function_change_body_plpgsql", F_PLPG,
         "CREATE FUNCTION clamp(x int) RETURNS int LANGUAGE plpgsql AS $$\n"
         "BEGIN\n  RETURN greatest(x, 0);\nEND\n$$;"),
    Case("function_overload_added", "CREATE FUNCTION f(x int) RETURNS text LANGUAGE sql AS 'SELECT x::text';",
         "CREATE FUNCTION f(x int) RETURNS text LANGUAGE sql AS 'SELECT x::text';\n"
         "CREATE FUNCTION f(x text) RETURNS text LANGUAGE sql AS 'SELECT upper(x)';"),
    Case("function_overload_removed",
         "CREATE FUNCTION f(x int) RETURNS text LANGUAGE sql AS 'SELECT x::text';\n"
         "CREATE FUNCTION f(x text) RETURNS text LANGUAGE sql AS 'SELECT upper(x)';",
         "CREATE FUNCTION f(x text) RETURNS text LANGUAGE sql AS 'SELECT upper(x)';"),
    Case("function_volatility_immutable_to_stable", F_SQL,
         "CREATE FUNCTION add1(x int) RETURNS int LANGUAGE sql STABLE AS 'SELECT x + 1';"),
    Case("function_security_definer_added", F_SQL,
         "CREATE FUNCTION add1(x int) RETURNS int LANGUAGE sql IMMUTABLE SECURITY DEFINER"
         " AS 'SELECT x + 1';"),
    Case("function_set_search_path_added", F_PLPG,
         F_PLPG.replace("LANGUAGE plpgsql",
                        "LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public")),
    Case("function_return_type_changed", F_SQL,
         "CREATE FUNCTION add1(x int) RETURNS bigint LANGUAGE sql IMMUTABLE AS 'SELECT x + 1';"),
    Case("function_parameter_renamed", F_SQL,
         "CREATE FUNCTION add1(y int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT y + 1';"),
    Case("function_default_argument_changed",
         "CREATE FUNCTION greet(who text, punct text DEFAULT '!') RETURNS text LANGUAGE sql"
         " AS 'SELECT who || punct';",
         "CREATE FUNCTION greet(who text, punct text DEFAULT '?') RETURNS text LANGUAGE sql"
         " AS 'SELECT who || punct';"),
    Case("function_returns_table_columns_changed",
         T + "CREATE FUNCTION big(min_qty int) RETURNS TABLE (id int, name text) LANGUAGE sql STABLE"
             " AS 'SELECT id, name FROM t WHERE qty >= min_qty';",
         T + "CREATE FUNCTION big(min_qty int) RETURNS TABLE (id int, name text, qty int) LANGUAGE sql STABLE"
             " AS 'SELECT id, name, qty FROM t WHERE qty >= min_qty';"),
    Case("procedure_create", T,
         T + "CREATE PROCEDURE add_row(p_id int, p_name text) LANGUAGE sql"
             " AS 'INSERT INTO t (id, name) VALUES (p_id, p_name)';"),
    Case("procedure_change_body",
         T + "CREATE PROCEDURE bump(p_id int) LANGUAGE plpgsql AS $$BEGIN"
             " UPDATE t SET qty = qty + 1 WHERE id = p_id; END$$;",
         T + "CREATE PROCEDURE bump(p_id int) LANGUAGE plpgsql AS $$BEGIN"
             " UPDATE t SET qty = qty + 10 WHERE id = p_id; COMMIT; END$$;"),
    Case("aggregate_create", "",
         AGG + "CREATE AGGREGATE sum_sq(int) (SFUNC = sum_sq_step, STYPE = bigint, INITCOND = '0');"),
    Case("aggregate_initcond_changed",
         AGG + "CREATE AGGREGATE sum_sq(int) (SFUNC = sum_sq_step, STYPE = bigint, INITCOND = '0');",
         AGG + "CREATE AGGREGATE sum_sq(int) (SFUNC = sum_sq_step, STYPE = bigint, INITCOND = '100');"),
    Case("aggregate_parallel_combinefunc_create", AGG,
         AGG + "CREATE FUNCTION sum_sq_comb(a bigint, b bigint) RETURNS bigint LANGUAGE sql IMMUTABLE"
               " AS 'SELECT a + b';\n"
               "CREATE AGGREGATE sum_sq(int) (SFUNC = sum_sq_step, STYPE = bigint, COMBINEFUNC = sum_sq_comb,"
               " INITCOND = '0', PARALLEL = SAFE);"),
    Case("aggregate_sfunc_param_renamed",
         AGG + "CREATE AGGREGATE sum_sq(int) (SFUNC = sum_sq_step, STYPE = bigint, INITCOND = '0');",
         AGG.replace("acc bigint", "state bigint").replace("acc +", "state +")
         + "CREATE AGGREGATE sum_sq(int) (SFUNC = sum_sq_step, STYPE = bigint, INITCOND = '0');"),
    Case("aggregate_moving_and_serial_create", "",
         "CREATE FUNCTION ms_add(acc bigint, x int) RETURNS bigint LANGUAGE sql IMMUTABLE"
         " AS 'SELECT acc + x';\n"
         "CREATE FUNCTION ms_sub(acc bigint, x int) RETURNS bigint LANGUAGE sql IMMUTABLE"
         " AS 'SELECT acc - x';\n"
         "CREATE AGGREGATE msum(int) (SFUNC = ms_add, STYPE = bigint, INITCOND = '0',"
         " MSFUNC = ms_add, MINVFUNC = ms_sub, MSTYPE = bigint, MINITCOND = '0', PARALLEL = RESTRICTED);"),
    Case("aggregate_ordered_set_create", "",
         "CREATE FUNCTION os_step(acc float8[], x float8) RETURNS float8[] LANGUAGE sql IMMUTABLE"
         " AS 'SELECT acc || x';\n"
         "CREATE FUNCTION os_final(acc float8[], p float8, x float8) RETURNS float8 LANGUAGE sql IMMUTABLE"
         " AS 'SELECT acc[1]';\n"
         "CREATE AGGREGATE first_of(float8 ORDER BY float8) (SFUNC = os_step, STYPE = float8[],"
         " FINALFUNC = os_final, FINALFUNC_EXTRA, INITCOND = '{}');"),
    Case("function_out_parameters_and_variadic", "",
         "CREATE FUNCTION split2(IN s text, OUT head text, OUT tail text) LANGUAGE sql"
         " AS $$SELECT split_part(s, ',', 1), split_part(s, ',', 2)$$;\n"
         "CREATE FUNCTION total(VARIADIC xs int[]) RETURNS bigint LANGUAGE sql"
         " AS 'SELECT sum(x) FROM unnest(xs) x';"),
    Case("function_argument_enum_replaced",
         "CREATE TYPE color AS ENUM ('red', 'green', 'blue');\n"
         "CREATE FUNCTION is_red(c color) RETURNS boolean LANGUAGE sql AS $$SELECT c = 'red'$$;",
         "CREATE TYPE color AS ENUM ('red', 'blue');\n"
         "CREATE FUNCTION is_red(c color) RETURNS boolean LANGUAGE sql AS $$SELECT c = 'red'$$;"),
    Case("function_to_procedure_same_name",
         T + "CREATE FUNCTION reset_qty(p_id int) RETURNS void LANGUAGE sql"
             " AS 'UPDATE t SET qty = 0 WHERE id = p_id';",
         T + "CREATE PROCEDURE reset_qty(p_id int) LANGUAGE sql AS 'UPDATE t SET qty = 0 WHERE id = p_id';"),
    Case("function_returns_table_used_by_view_changes",
         T + "CREATE FUNCTION big(min_qty int) RETURNS TABLE (id int, name text) LANGUAGE sql STABLE"
             " AS 'SELECT id, name FROM t WHERE qty >= min_qty';\n"
             "CREATE VIEW big_ones AS SELECT * FROM big(10);",
         T + "CREATE FUNCTION big(min_qty int) RETURNS TABLE (id int, name text, qty int) LANGUAGE sql STABLE"
             " AS 'SELECT id, name, qty FROM t WHERE qty >= min_qty';\n"
             "CREATE VIEW big_ones AS SELECT * FROM big(10);"),
    Case("function_default_of_column_changes_return_type",
         "CREATE SEQUENCE code_seq;\n"
         "CREATE FUNCTION next_code() RETURNS int LANGUAGE sql AS $$SELECT nextval('code_seq')::int$$;\n"
         "CREATE TABLE tickets (id int PRIMARY KEY, code bigint DEFAULT next_code());",
         "CREATE SEQUENCE code_seq;\n"
         "CREATE FUNCTION next_code() RETURNS bigint LANGUAGE sql AS $$SELECT nextval('code_seq')$$;\n"
         "CREATE TABLE tickets (id int PRIMARY KEY, code bigint DEFAULT next_code());"),
    Case("function_default_of_column_param_renamed",
         "CREATE FUNCTION mk(n int DEFAULT 3) RETURNS text LANGUAGE sql AS $$SELECT repeat('x', n)$$;\n"
         "CREATE TABLE tags (id int PRIMARY KEY, tag text DEFAULT mk());",
         "CREATE FUNCTION mk(len int DEFAULT 3) RETURNS text LANGUAGE sql AS $$SELECT repeat('x', len)$$;\n"
         "CREATE TABLE tags (id int PRIMARY KEY, tag text DEFAULT mk());"),
    Case("function_used_by_index_expression_return_type_changed",
         "CREATE FUNCTION norm(x text) RETURNS text LANGUAGE sql IMMUTABLE AS 'SELECT lower(x)';\n"
         "CREATE TABLE u (email text);\nCREATE INDEX u_norm ON u (norm(email));",
         "CREATE FUNCTION norm(x text) RETURNS varchar LANGUAGE sql IMMUTABLE AS 'SELECT lower(x)';\n"
         "CREATE TABLE u (email text);\nCREATE INDEX u_norm ON u (norm(email));"),
    Case("function_used_by_check_constraint_param_renamed",
         "CREATE FUNCTION ok(x int) RETURNS boolean LANGUAGE sql IMMUTABLE AS 'SELECT x > 0';\n"
         "CREATE TABLE c (x int CONSTRAINT c_ok CHECK (ok(x)));",
         "CREATE FUNCTION ok(v int) RETURNS boolean LANGUAGE sql IMMUTABLE AS 'SELECT v > 0';\n"
         "CREATE TABLE c (x int CONSTRAINT c_ok CHECK (ok(x)));"),
    Case("function_used_by_domain_check_with_comment_param_renamed",
         "CREATE FUNCTION ok(x int) RETURNS boolean LANGUAGE sql IMMUTABLE AS 'SELECT x > 0';\n"
         "CREATE DOMAIN posint AS int CONSTRAINT pos CHECK (ok(VALUE)) DEFAULT 1;\n"
         "COMMENT ON CONSTRAINT pos ON DOMAIN posint IS 'positive';\nCREATE TABLE c (x posint);",
         "CREATE FUNCTION ok(v int) RETURNS boolean LANGUAGE sql IMMUTABLE AS 'SELECT v > 0';\n"
         "CREATE DOMAIN posint AS int CONSTRAINT pos CHECK (ok(VALUE)) DEFAULT 1;\n"
         "COMMENT ON CONSTRAINT pos ON DOMAIN posint IS 'positive';\nCREATE TABLE c (x posint);"),
    Case("function_sql_standard_body_column_retyped",
         T + "CREATE FUNCTION total_qty() RETURNS bigint LANGUAGE sql STABLE BEGIN ATOMIC"
             " SELECT sum(qty) FROM t; END;",
         "CREATE TABLE t (id int PRIMARY KEY, name text, qty bigint NOT NULL DEFAULT 0);\n"
         "CREATE FUNCTION total_qty() RETURNS bigint LANGUAGE sql STABLE BEGIN ATOMIC"
         " SELECT sum(qty) FROM t; END;", min_pg=14),
    Case("function_sql_standard_body_stops_using_dropped_column",
         T + "CREATE FUNCTION first_name() RETURNS text LANGUAGE sql STABLE BEGIN ATOMIC"
             " SELECT name FROM t ORDER BY id LIMIT 1; END;",
         "CREATE TABLE t (id int PRIMARY KEY, qty int NOT NULL DEFAULT 0);\n"
         "CREATE FUNCTION first_name() RETURNS text LANGUAGE sql STABLE BEGIN ATOMIC"
         " SELECT id::text FROM t ORDER BY id LIMIT 1; END;", min_pg=14),
    Case("function_returns_setof_view_view_changes",
         T + "CREATE VIEW v AS SELECT id, name FROM t;\n"
             "CREATE FUNCTION all_v() RETURNS SETOF v LANGUAGE sql STABLE AS 'SELECT * FROM v';",
         T + "CREATE VIEW v AS SELECT id, name, qty FROM t;\n"
             "CREATE FUNCTION all_v() RETURNS SETOF v LANGUAGE sql STABLE AS 'SELECT * FROM v';"),
    Case("procedure_with_out_parameter", T,
         T + "CREATE PROCEDURE count_t(OUT n bigint) LANGUAGE sql AS 'SELECT count(*) FROM t';\n"
             f"REVOKE ALL ON PROCEDURE count_t(OUT bigint) FROM PUBLIC;\n"
             f"GRANT EXECUTE ON PROCEDURE count_t(OUT bigint) TO {READER};\n"
             "COMMENT ON PROCEDURE count_t(OUT bigint) IS 'counts';", min_pg=14),
]

# -- triggers -------------------------------------------------------------------------------------
TRG_FN = ("CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN NEW.qty := NEW.qty + 1;"
          " RETURN NEW; END$$;\n")
TRG_FN2 = ("CREATE FUNCTION audit() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RAISE NOTICE 'changed %',"
           " TG_OP;"
           " RETURN NULL; END$$;\n")
TRG_BASE = T + TRG_FN + TRG_FN2
BEFORE_ROW = "CREATE TRIGGER t_touch BEFORE INSERT OR UPDATE ON t FOR EACH ROW EXECUTE FUNCTION touch();\n"

PART_TRG = (TRG_FN + "CREATE TABLE m (id int, qty int) PARTITION BY RANGE (id);\n"
            "CREATE TABLE m1 PARTITION OF m FOR VALUES FROM (0) TO (100);\n"
            "CREATE TABLE m2 PARTITION OF m FOR VALUES FROM (100) TO (200);\n"
            "CREATE TRIGGER m_touch BEFORE INSERT ON m FOR EACH ROW EXECUTE FUNCTION touch();\n")

TRIGGERS = [
    Case("trigger_create_before_row", TRG_BASE, TRG_BASE + BEFORE_ROW),
    Case("trigger_with_function_dropped_together", TRG_BASE + BEFORE_ROW, T + TRG_FN2),
    Case("trigger_row_to_statement",
         TRG_BASE + "CREATE TRIGGER t_audit AFTER UPDATE ON t FOR EACH ROW EXECUTE FUNCTION audit();",
         TRG_BASE + "CREATE TRIGGER t_audit AFTER UPDATE ON t FOR EACH STATEMENT EXECUTE FUNCTION audit();"),
    Case("trigger_when_clause_added", TRG_BASE + BEFORE_ROW,
         TRG_BASE + "CREATE TRIGGER t_touch BEFORE INSERT OR UPDATE ON t FOR EACH ROW"
                    " WHEN (NEW.qty IS NOT NULL) EXECUTE FUNCTION touch();"),
    Case("trigger_update_of_columns", TRG_BASE,
         TRG_BASE + "CREATE TRIGGER t_audit AFTER UPDATE OF name, qty ON t FOR EACH ROW"
                    " WHEN (OLD.qty IS DISTINCT FROM NEW.qty) EXECUTE FUNCTION audit();"),
    Case("trigger_constraint_deferrable", TRG_BASE,
         TRG_BASE + "CREATE CONSTRAINT TRIGGER t_check AFTER INSERT OR UPDATE ON t DEFERRABLE INITIALLY"
                    " DEFERRED"
                    " FOR EACH ROW EXECUTE FUNCTION audit();"),
    Case("trigger_constraint_deferred_to_immediate",
         TRG_BASE + "CREATE CONSTRAINT TRIGGER t_check AFTER INSERT ON t DEFERRABLE INITIALLY DEFERRED"
                    " FOR EACH ROW EXECUTE FUNCTION audit();",
         TRG_BASE + "CREATE CONSTRAINT TRIGGER t_check AFTER INSERT ON t NOT DEFERRABLE"
                    " FOR EACH ROW EXECUTE FUNCTION audit();"),
    Case("trigger_disabled", TRG_BASE + BEFORE_ROW,
         TRG_BASE + BEFORE_ROW + "ALTER TABLE t DISABLE TRIGGER t_touch;"),
    Case("trigger_function_body_changed", TRG_BASE + BEFORE_ROW,
         T + TRG_FN.replace("NEW.qty + 1", "NEW.qty + 2") + TRG_FN2 + BEFORE_ROW),
    Case("trigger_switches_function_old_dropped",
         T + TRG_FN + BEFORE_ROW,
         T + "CREATE FUNCTION touch2() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN NEW.qty := 0; RETURN"
             " NEW; END$$;\n"
             "CREATE TRIGGER t_touch BEFORE INSERT OR UPDATE ON t FOR EACH ROW EXECUTE FUNCTION touch2();"),
    Case("trigger_on_partitioned_table_create",
         TRG_FN + "CREATE TABLE m (id int, qty int) PARTITION BY RANGE (id);\n"
                  "CREATE TABLE m1 PARTITION OF m FOR VALUES FROM (0) TO (100);",
         TRG_FN + "CREATE TABLE m (id int, qty int) PARTITION BY RANGE (id);\n"
                  "CREATE TABLE m1 PARTITION OF m FOR VALUES FROM (0) TO (100);\n"
                  "CREATE TRIGGER m_touch BEFORE INSERT ON m FOR EACH ROW EXECUTE FUNCTION touch();"),
    Case("trigger_on_partitioned_table_changed",
         TRG_FN + "CREATE TABLE m (id int, qty int) PARTITION BY RANGE (id);\n"
                  "CREATE TABLE m1 PARTITION OF m FOR VALUES FROM (0) TO (100);\n"
                  "CREATE TRIGGER m_touch BEFORE INSERT ON m FOR EACH ROW EXECUTE FUNCTION touch();",
         TRG_FN + "CREATE TABLE m (id int, qty int) PARTITION BY RANGE (id);\n"
                  "CREATE TABLE m1 PARTITION OF m FOR VALUES FROM (0) TO (100);\n"
                  "CREATE TRIGGER m_touch BEFORE INSERT OR UPDATE ON m FOR EACH ROW EXECUTE FUNCTION"
                  " touch();"),
    Case("trigger_transition_table", TRG_BASE,
         TRG_BASE + "CREATE TRIGGER t_audit AFTER UPDATE ON t REFERENCING OLD TABLE AS before NEW TABLE AS"
                    " after"
                    " FOR EACH STATEMENT EXECUTE FUNCTION audit();"),
    Case("trigger_truncate_and_replica", TRG_BASE,
         TRG_BASE + "CREATE TRIGGER t_trunc AFTER TRUNCATE ON t FOR EACH STATEMENT EXECUTE FUNCTION"
                    " audit();\n"
                    "ALTER TABLE t ENABLE REPLICA TRIGGER t_trunc;"),
    Case("trigger_update_of_column_dropped",
         TRG_BASE + "CREATE TRIGGER t_audit AFTER UPDATE OF name ON t FOR EACH ROW EXECUTE FUNCTION audit();",
         "CREATE TABLE t (id int PRIMARY KEY, qty int NOT NULL DEFAULT 0);\n" + TRG_FN + TRG_FN2
         + "CREATE TRIGGER t_audit AFTER UPDATE OF qty ON t FOR EACH ROW EXECUTE FUNCTION audit();"),
    Case("trigger_replaced_keeps_comment_and_disabled",
         TRG_BASE + BEFORE_ROW + "COMMENT ON TRIGGER t_touch ON t IS 'touch';\nALTER TABLE t DISABLE"
                                 " TRIGGER t_touch;",
         TRG_BASE + BEFORE_ROW.replace("INSERT OR UPDATE", "INSERT")
         + "COMMENT ON TRIGGER t_touch ON t IS 'touch';\nALTER TABLE t DISABLE TRIGGER t_touch;"),
    Case("trigger_clone_disabled_on_one_partition",
         TRG_FN + "CREATE TABLE m (id int, qty int) PARTITION BY RANGE (id);\n"
                  "CREATE TABLE m1 PARTITION OF m FOR VALUES FROM (0) TO (100);\n"
                  "CREATE TRIGGER m_touch BEFORE INSERT ON m FOR EACH ROW EXECUTE FUNCTION touch();",
         TRG_FN + "CREATE TABLE m (id int, qty int) PARTITION BY RANGE (id);\n"
                  "CREATE TABLE m1 PARTITION OF m FOR VALUES FROM (0) TO (100);\n"
                  "CREATE TRIGGER m_touch BEFORE INSERT ON m FOR EACH ROW EXECUTE FUNCTION touch();\n"
                  "ALTER TABLE m1 DISABLE TRIGGER m_touch;"),
    Case("trigger_clone_keeps_state_when_parent_changes",
         PART_TRG + "ALTER TABLE m1 DISABLE TRIGGER m_touch;",
         PART_TRG + "ALTER TABLE m ENABLE REPLICA TRIGGER m_touch;\nALTER TABLE m1 DISABLE TRIGGER m_touch;"),
    Case("trigger_clone_follows_parent_again",
         PART_TRG + "ALTER TABLE m1 DISABLE TRIGGER m_touch;", PART_TRG),
    Case("trigger_with_disabled_clone_replaced", PART_TRG + "ALTER TABLE m1 DISABLE TRIGGER m_touch;",
         PART_TRG.replace("BEFORE INSERT", "BEFORE INSERT OR UPDATE")
         + "ALTER TABLE m1 DISABLE TRIGGER m_touch;"),
    Case("trigger_on_view_instead_of", T + "CREATE VIEW v AS SELECT id, name FROM t;",
         T + "CREATE VIEW v AS SELECT id, name FROM t;\n"
             "CREATE FUNCTION v_ins() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN"
             " INSERT INTO t (id, name) VALUES (NEW.id, NEW.name); RETURN NEW; END$$;\n"
             "CREATE TRIGGER v_ins INSTEAD OF INSERT ON v FOR EACH ROW EXECUTE FUNCTION v_ins();"),
    Case("trigger_column_retyped_under_when",
         TRG_BASE + "CREATE TRIGGER t_audit AFTER UPDATE ON t FOR EACH ROW"
                    " WHEN (OLD.qty IS DISTINCT FROM NEW.qty) EXECUTE FUNCTION audit();",
         "CREATE TABLE t (id int PRIMARY KEY, name text, qty bigint NOT NULL DEFAULT 0);\n" + TRG_FN + TRG_FN2
         + "CREATE TRIGGER t_audit AFTER UPDATE ON t FOR EACH ROW"
           " WHEN (OLD.qty IS DISTINCT FROM NEW.qty) EXECUTE FUNCTION audit();"),
]

# -- row level security and policies --------------------------------------------------------------
RLS = "ALTER TABLE t ENABLE ROW LEVEL SECURITY;\n"
OWNER_FN = ("CREATE FUNCTION is_mine(owner_id int) RETURNS boolean LANGUAGE sql STABLE"
            " AS 'SELECT owner_id > 0';\n")

POLICIES = [
    Case("rls_enable", T, T + RLS),
    Case("rls_force", T + RLS, T + RLS + "ALTER TABLE t FORCE ROW LEVEL SECURITY;"),
    Case("rls_disable", T + RLS + "ALTER TABLE t FORCE ROW LEVEL SECURITY;", T),
    Case("policy_create_select_to_role", T + RLS,
         T + RLS + f"CREATE POLICY p_read ON t FOR SELECT TO {READER} USING (qty > 0);"),
    Case("policy_create_restrictive", T + RLS,
         T + RLS + f"CREATE POLICY p_limit ON t AS RESTRICTIVE FOR ALL TO {READER}, {WRITER} USING (id <"
                   " 1000);"),
    Case("policy_create_insert_check", T,
         T + RLS + f"CREATE POLICY p_ins ON t FOR INSERT TO {WRITER} WITH CHECK (qty >= 0);"),
    Case("policy_create_update_using_and_check", T + RLS,
         T + RLS + f"CREATE POLICY p_upd ON t FOR UPDATE TO {WRITER} USING (qty > 0) WITH CHECK (qty <"
                   " 100);"),
    Case("policy_create_delete", T + RLS,
         T + RLS + f"CREATE POLICY p_del ON t FOR DELETE TO {ADMIN} USING (true);"),
    Case("policy_drop", T + RLS + "CREATE POLICY p_all ON t USING (id > 0);", T + RLS),
    Case("policy_using_changed", T + RLS + "CREATE POLICY p_all ON t FOR ALL USING (id > 0);",
         T + RLS + "CREATE POLICY p_all ON t FOR ALL USING (id > 10);"),
    Case("policy_check_added", T + RLS + "CREATE POLICY p_all ON t FOR ALL USING (id > 0);",
         T + RLS + "CREATE POLICY p_all ON t FOR ALL USING (id > 0) WITH CHECK (qty >= 0);"),
    Case("policy_check_removed", T + RLS + "CREATE POLICY p_all ON t FOR ALL USING (id > 0) WITH CHECK"
                                           " (qty >= 0);",
         T + RLS + "CREATE POLICY p_all ON t FOR ALL USING (id > 0);"),
    Case("policy_roles_changed",
         T + RLS + f"CREATE POLICY p_read ON t FOR SELECT TO {READER} USING (true);",
         T + RLS + f"CREATE POLICY p_read ON t FOR SELECT TO {READER}, {ADMIN} USING (true);"),
    Case("policy_permissive_to_restrictive",
         T + RLS + "CREATE POLICY p_all ON t USING (id > 0);",
         T + RLS + "CREATE POLICY p_all ON t AS RESTRICTIVE USING (id > 0);"),
    Case("policy_function_body_changes",
         T + RLS + OWNER_FN + f"CREATE POLICY p_mine ON t FOR SELECT TO {READER} USING (is_mine(id));",
         T + RLS + OWNER_FN.replace("owner_id > 0", "owner_id > 5")
         + f"CREATE POLICY p_mine ON t FOR SELECT TO {READER} USING (is_mine(id));"),
    Case("policy_function_signature_changes",
         T + RLS + OWNER_FN + f"CREATE POLICY p_mine ON t FOR SELECT TO {READER} USING (is_mine(id));",
         T + RLS + "CREATE FUNCTION is_mine(owner_id bigint) RETURNS boolean LANGUAGE sql STABLE"
                   " AS 'SELECT owner_id > 0';\n"
         + f"CREATE POLICY p_mine ON t FOR SELECT TO {READER} USING (is_mine(id));"),
    Case("policy_column_dropped",
         T + RLS + "CREATE POLICY p_all ON t USING (qty > 0 AND name IS NOT NULL);",
         "CREATE TABLE t (id int PRIMARY KEY, qty int NOT NULL DEFAULT 0);\n"
         + RLS + "CREATE POLICY p_all ON t USING (qty > 0);"),
    Case("policy_subquery_on_dropped_table",
         T + ITEMS + RLS + "CREATE POLICY p_items ON t USING (id IN (SELECT id FROM items));",
         T + RLS + "CREATE POLICY p_items ON t USING (id > 0);"),
    Case("policy_on_new_table_with_rls", "",
         T + RLS + "ALTER TABLE t FORCE ROW LEVEL SECURITY;\n"
         + f"CREATE POLICY p_read ON t FOR SELECT TO {READER} USING (qty > 0);"),
    Case("policy_stops_using_dropped_function",
         T + RLS + OWNER_FN + "CREATE POLICY p_mine ON t USING (is_mine(id));",
         T + RLS + "CREATE POLICY p_mine ON t USING (id > 0);"),
    Case("policy_subquery_other_table_column_retyped",
         T + ITEMS + RLS + "CREATE POLICY p ON t USING (qty < (SELECT max(price) FROM items));",
         T + "CREATE TABLE items (id int PRIMARY KEY, label text, price numeric(12,2));\n"
         + RLS + "CREATE POLICY p ON t USING (qty < (SELECT max(price) FROM items));"),
    Case("policy_column_retyped_underneath",
         T + RLS + "CREATE POLICY p_all ON t USING (qty > 0);",
         "CREATE TABLE t (id int PRIMARY KEY, name text, qty bigint NOT NULL DEFAULT 0);\n"
         + RLS + "CREATE POLICY p_all ON t USING (qty > 0);"),
]

# -- grants ------------------------------------------------------------------------------------------
SEQ = "CREATE SEQUENCE s;\n"
GRANTS = [
    Case("grant_table_select", T, T + f"GRANT SELECT ON t TO {READER};"),
    Case("grant_table_revoked", T + f"GRANT SELECT, INSERT ON t TO {WRITER};", T + "GRANT SELECT ON t TO"
                                                                                   f" {WRITER};"),
    Case("grant_table_with_grant_option_added", T + f"GRANT SELECT ON t TO {ADMIN};",
         T + f"GRANT SELECT ON t TO {ADMIN} WITH GRANT OPTION;"),
    Case("grant_table_with_grant_option_removed", T + f"GRANT SELECT ON t TO {ADMIN} WITH GRANT OPTION;",
         T + f"GRANT SELECT ON t TO {ADMIN};"),
    Case("grant_column_select", T, T + f"GRANT SELECT (id, name) ON t TO {READER};"),
    Case("grant_column_update_changed", T + f"GRANT UPDATE (name) ON t TO {WRITER};",
         T + f"GRANT UPDATE (qty) ON t TO {WRITER};"),
    Case("grant_column_kept_when_column_retyped",
         T + f"GRANT SELECT (qty) ON t TO {READER};",
         "CREATE TABLE t (id int PRIMARY KEY, name text, qty bigint NOT NULL DEFAULT 0);\n"
         f"GRANT SELECT (qty) ON t TO {READER};"),
    Case("grant_sequence_usage", SEQ, SEQ + f"GRANT USAGE, SELECT ON SEQUENCE s TO {WRITER};"),
    Case("grant_schema_usage_create", "CREATE SCHEMA app;",
         f"CREATE SCHEMA app;\nGRANT USAGE ON SCHEMA app TO {READER};\nGRANT USAGE, CREATE ON SCHEMA app"
         f" TO {ADMIN};"),
    Case("grant_function_revoke_execute_from_public", F_SQL,
         F_SQL + "REVOKE EXECUTE ON FUNCTION add1(int) FROM PUBLIC;"),
    Case("grant_function_create_without_public_execute", "",
         F_SQL + f"REVOKE EXECUTE ON FUNCTION add1(int) FROM PUBLIC;\n"
                 f"GRANT EXECUTE ON FUNCTION add1(int) TO {READER};"),
    Case("grant_function_public_execute_restored", F_SQL + "REVOKE ALL ON FUNCTION add1(int) FROM"
                                                           " PUBLIC;", F_SQL),
    Case("grant_function_replaced_keeps_revoke",
         F_SQL + "REVOKE ALL ON FUNCTION add1(int) FROM PUBLIC;\nGRANT EXECUTE ON FUNCTION add1(int) TO"
                 f" {WRITER};",
         "CREATE FUNCTION add1(x int) RETURNS bigint LANGUAGE sql IMMUTABLE AS 'SELECT x + 1';\n"
         f"REVOKE ALL ON FUNCTION add1(int) FROM PUBLIC;\nGRANT EXECUTE ON FUNCTION add1(int) TO {WRITER};"),
    Case("grant_procedure_execute",
         T + "CREATE PROCEDURE bump(p_id int) LANGUAGE sql AS 'UPDATE t SET qty = qty + 1 WHERE id = p_id';",
         T + "CREATE PROCEDURE bump(p_id int) LANGUAGE sql AS 'UPDATE t SET qty = qty + 1 WHERE id = p_id';\n"
             "REVOKE EXECUTE ON PROCEDURE bump(int) FROM PUBLIC;\nGRANT EXECUTE ON PROCEDURE bump(int) TO"
             f" {WRITER};"),
    Case("grant_view_and_matview", T + "CREATE VIEW v AS SELECT id FROM t;\nCREATE MATERIALIZED VIEW mv AS"
                                       " SELECT id FROM t;",
         T + "CREATE VIEW v AS SELECT id FROM t;\nCREATE MATERIALIZED VIEW mv AS SELECT id FROM t;\n"
             f"GRANT SELECT ON v TO {READER};\nGRANT SELECT ON mv TO {READER}, {WRITER};"),
    Case("grant_view_column", T + "CREATE VIEW v AS SELECT id, name FROM t;",
         T + f"CREATE VIEW v AS SELECT id, name FROM t;\nGRANT SELECT (id) ON v TO {READER};"),
    Case("grant_matview_column_revoked",
         T + f"CREATE MATERIALIZED VIEW mv AS SELECT id, qty FROM t;\nGRANT SELECT (qty) ON mv TO {READER};",
         T + "CREATE MATERIALIZED VIEW mv AS SELECT id, qty FROM t;"),
    Case("grant_column_dropped_with_column",
         "CREATE TABLE t (id int PRIMARY KEY, name text, qty int NOT NULL DEFAULT 0, note text);\n"
         f"GRANT SELECT (note) ON t TO {READER};", T),
    Case("grant_schema_and_function_in_new_schema", "",
         f"CREATE SCHEMA api;\nGRANT USAGE ON SCHEMA api TO {READER};\n"
         "CREATE FUNCTION api.ping() RETURNS text LANGUAGE sql AS $$SELECT 'pong'$$;\n"
         "REVOKE ALL ON FUNCTION api.ping() FROM PUBLIC;\nGRANT EXECUTE ON FUNCTION api.ping() TO"
         f" {READER};"),
    Case("grant_ordered_set_aggregate_revoked_from_public", "",
         "CREATE FUNCTION os_step(acc float8[], x float8) RETURNS float8[] LANGUAGE sql IMMUTABLE"
         " AS 'SELECT acc || x';\n"
         "CREATE FUNCTION os_final(acc float8[], p float8, x float8) RETURNS float8 LANGUAGE sql IMMUTABLE"
         " AS 'SELECT acc[1]';\n"
         "CREATE AGGREGATE first_of(float8 ORDER BY float8) (SFUNC = os_step, STYPE = float8[],"
         " FINALFUNC = os_final, FINALFUNC_EXTRA, INITCOND = '{}');\n"
         "REVOKE ALL ON FUNCTION first_of(float8, float8) FROM PUBLIC;\n"
         f"GRANT EXECUTE ON FUNCTION first_of(float8, float8) TO {READER};\n"
         "COMMENT ON AGGREGATE first_of(float8 ORDER BY float8) IS 'first';"),
    Case("grant_public_schema_changed", "",
         "REVOKE CREATE ON SCHEMA public FROM PUBLIC;\nREVOKE USAGE ON SCHEMA public FROM PUBLIC;\n"
         f"GRANT USAGE, CREATE ON SCHEMA public TO {WRITER};\nGRANT USAGE ON SCHEMA public TO {READER};"),
    Case("grant_on_new_table", "", T + f"GRANT SELECT, INSERT, UPDATE ON t TO {WRITER};\n"
                                   f"GRANT SELECT (id) ON t TO {READER};"),
]

# -- comments ----------------------------------------------------------------------------------------
COMMENT_BASE = (
    "CREATE SCHEMA app;\n"
    "CREATE TYPE mood AS ENUM ('sad', 'ok');\n"
    "CREATE TYPE pair AS (a int, b int);\n"
    "CREATE DOMAIN posint AS int CHECK (VALUE > 0);\n"
    "CREATE SEQUENCE s;\n"
    "CREATE TABLE t (id int CONSTRAINT t_pk PRIMARY KEY, name text, qty int CONSTRAINT qty_ok CHECK (qty"
    " >= 0));\n"
    "CREATE INDEX t_name ON t (name);\n"
    "CREATE VIEW v AS SELECT id, name FROM t;\n"
    "CREATE MATERIALIZED VIEW mv AS SELECT id FROM t;\n"
    + F_SQL + TRG_FN +
    "CREATE TRIGGER t_touch BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION touch();\n"
    "ALTER TABLE t ENABLE ROW LEVEL SECURITY;\n"
    "CREATE POLICY p ON t USING (id > 0);\n"
)
COMMENT_TARGETS = {
    "schema": "SCHEMA app",
    "table": "TABLE t",
    "column": "COLUMN t.name",
    "view": "VIEW v",
    "view_column": "COLUMN v.name",
    "matview": "MATERIALIZED VIEW mv",
    "function": "FUNCTION add1(int)",
    "enum": "TYPE mood",
    "composite": "TYPE pair",
    "domain": "DOMAIN posint",
    "sequence": "SEQUENCE s",
    "index": "INDEX t_name",
    "constraint": "CONSTRAINT qty_ok ON t",
    "pk_constraint": "CONSTRAINT t_pk ON t",
    "trigger": "TRIGGER t_touch ON t",
    "policy": "POLICY p ON t",
}


def _comments(text: str | None, only: str | None = None) -> str:
    if text is None:
        return ""
    return "".join(f"COMMENT ON {target} IS '{text} {name}';\n" for name, target in COMMENT_TARGETS.items()
                   if only is None or name == only)


COMMENTS = [
    Case("comments_all_added", COMMENT_BASE, COMMENT_BASE + _comments("about")),
    Case("comments_all_changed", COMMENT_BASE + _comments("about"), COMMENT_BASE + _comments("it''s now")),
    Case("comments_all_removed", COMMENT_BASE + _comments("about"), COMMENT_BASE),
    Case("comments_created_with_objects", "", COMMENT_BASE + _comments("fresh")),
    Case("comment_on_public_schema_changed", "", "COMMENT ON SCHEMA public IS 'app objects';"),
    Case("comment_special_characters", T,
         T + "COMMENT ON TABLE t IS E'line one\\nline two: \\\\ back, ''quoted'', \\u00e9t\\u00e9';"),
    Case("comment_on_aggregate_and_procedure",
         T + AGG + "CREATE AGGREGATE sum_sq(int) (SFUNC = sum_sq_step, STYPE = bigint, INITCOND = '0');\n"
         "CREATE PROCEDURE bump(p_id int) LANGUAGE sql AS 'UPDATE t SET qty = qty + 1 WHERE id = p_id';",
         T + AGG + "CREATE AGGREGATE sum_sq(int) (SFUNC = sum_sq_step, STYPE = bigint, INITCOND = '0');\n"
         "CREATE PROCEDURE bump(p_id int) LANGUAGE sql AS 'UPDATE t SET qty = qty + 1 WHERE id = p_id';\n"
         "COMMENT ON AGGREGATE sum_sq(int) IS 'squares';\nCOMMENT ON PROCEDURE bump(int) IS 'bumps';"),
    Case("comment_on_domain_constraint",
         "CREATE DOMAIN posint AS int CONSTRAINT positive CHECK (VALUE > 0);",
         "CREATE DOMAIN posint AS int CONSTRAINT positive CHECK (VALUE > 0);\n"
         "COMMENT ON CONSTRAINT positive ON DOMAIN posint IS 'must be positive';"),
    Case("comment_on_domain_constraint_kept_when_check_changes",
         "CREATE DOMAIN posint AS int CONSTRAINT positive CHECK (VALUE > 0);\n"
         "COMMENT ON CONSTRAINT positive ON DOMAIN posint IS 'must be positive';",
         "CREATE DOMAIN posint AS int CONSTRAINT positive CHECK (VALUE >= 1);\n"
         "COMMENT ON CONSTRAINT positive ON DOMAIN posint IS 'must be positive';"),
    Case("comment_on_domain_constraint_dropped_with_it",
         "CREATE DOMAIN posint AS int CONSTRAINT positive CHECK (VALUE > 0);\n"
         "COMMENT ON CONSTRAINT positive ON DOMAIN posint IS 'must be positive';",
         "CREATE DOMAIN posint AS int;"),
    Case("comment_on_composite_attribute_dropped_with_it",
         "CREATE TYPE pair AS (a int, b int);\nCOMMENT ON COLUMN pair.b IS 'second';",
         "CREATE TYPE pair AS (a int);"),
    Case("comment_on_composite_attribute",
         "CREATE TYPE pair AS (a int, b int);",
         "CREATE TYPE pair AS (a int, b int);\nCOMMENT ON COLUMN pair.a IS 'first';"),
    Case("comment_on_matview_column_and_index",
         T + "CREATE MATERIALIZED VIEW mv AS SELECT id, qty FROM t;\nCREATE INDEX mv_qty ON mv (qty);",
         T + "CREATE MATERIALIZED VIEW mv AS SELECT id, qty FROM t;\nCREATE INDEX mv_qty ON mv (qty);\n"
             "COMMENT ON COLUMN mv.qty IS 'q';\nCOMMENT ON INDEX mv_qty IS 'by q';"),
    Case("comment_kept_on_retyped_column",
         T + "COMMENT ON COLUMN t.qty IS 'how many';",
         "CREATE TABLE t (id int PRIMARY KEY, name text, qty bigint NOT NULL DEFAULT 0);\n"
         "COMMENT ON COLUMN t.qty IS 'how many';"),
]

# -- names that need quoting ---------------------------------------------------------------------------
QUOTED_BASE = ('CREATE SCHEMA "Sales Dept";\n'
               'CREATE TABLE "Sales Dept"."Order" ("Id" int PRIMARY KEY, "select" text, "Qty Col" int);\n')
QUOTED = [
    Case("quoted_view_function_trigger_policy", QUOTED_BASE,
         QUOTED_BASE
         + 'CREATE VIEW "Sales Dept"."Big Orders" AS SELECT "Id", "select" FROM "Sales Dept"."Order"'
           ' WHERE "Qty Col" > 10;\n'
           'CREATE FUNCTION "Sales Dept"."Touch It"() RETURNS trigger LANGUAGE plpgsql'
           ' AS $$BEGIN NEW."Qty Col" := 1; RETURN NEW; END$$;\n'
           'CREATE TRIGGER "Touch Trigger" BEFORE INSERT ON "Sales Dept"."Order" FOR EACH ROW'
           ' EXECUTE FUNCTION "Sales Dept"."Touch It"();\n'
           'ALTER TABLE "Sales Dept"."Order" DISABLE TRIGGER "Touch Trigger";\n'
           'ALTER TABLE "Sales Dept"."Order" ENABLE ROW LEVEL SECURITY;\n'
           f'CREATE POLICY "Read Policy" ON "Sales Dept"."Order" FOR SELECT TO {READER}'
           ' USING ("Qty Col" > 0);\n'
           f'GRANT USAGE ON SCHEMA "Sales Dept" TO {READER};\n'
           f'GRANT SELECT ("select", "Qty Col") ON "Sales Dept"."Order" TO {READER};\n'
           f'GRANT SELECT ON "Sales Dept"."Big Orders" TO {READER};\n'
           'REVOKE ALL ON FUNCTION "Sales Dept"."Touch It"() FROM PUBLIC;\n'
           'COMMENT ON COLUMN "Sales Dept"."Order"."select" IS \'reserved word\';\n'
           'COMMENT ON TRIGGER "Touch Trigger" ON "Sales Dept"."Order" IS \'t\';\n'
           'COMMENT ON POLICY "Read Policy" ON "Sales Dept"."Order" IS \'p\';\n'
           'COMMENT ON VIEW "Sales Dept"."Big Orders" IS \'v\';'),
    Case("quoted_materialized_view_and_aggregate", QUOTED_BASE,
         QUOTED_BASE
         + 'CREATE MATERIALIZED VIEW "Sales Dept"."Order Totals" AS SELECT sum("Qty Col") AS "Total Qty"'
           ' FROM "Sales Dept"."Order";\n'
           'CREATE INDEX "Totals Idx" ON "Sales Dept"."Order Totals" ("Total Qty");\n'
           'CREATE FUNCTION "Sales Dept"."Add Sq"("Acc" bigint, "X" int) RETURNS bigint LANGUAGE sql'
           ' AS \'SELECT $1 + $2 * $2\';\n'
           'CREATE AGGREGATE "Sales Dept"."Sum Sq"(int) (SFUNC = "Sales Dept"."Add Sq", STYPE = bigint,'
           ' INITCOND = \'0\');\n'
           'COMMENT ON AGGREGATE "Sales Dept"."Sum Sq"(int) IS \'a\';\n'
           f'GRANT SELECT ("Total Qty") ON "Sales Dept"."Order Totals" TO {READER};'),
]

#: cases whose NEW schema really drops stored data (a table, a column, a type in use) or converts it lossily
DESTROYS_DATA = frozenset({
    "view_column_retyped_under_view_of_view", "view_column_dropped_under_view", "view_table_replaced_by_view",
    "view_view_replaced_by_table", "function_argument_enum_replaced",
    "function_sql_standard_body_stops_using_dropped_column", "trigger_update_of_column_dropped",
    "policy_column_dropped", "policy_subquery_on_dropped_table", "grant_column_dropped_with_column",
    "comment_on_composite_attribute_dropped_with_it",
})

CASES = VIEWS + MATVIEWS + FUNCTIONS + TRIGGERS + POLICIES + GRANTS + COMMENTS + QUOTED


assert DESTROYS_DATA.issubset(c.id for c in CASES)


@pytest.mark.parametrize(("case", "server"), case_params(CASES))
def test_roundtrip_objects(db_on: Callable[..., str], servers: dict[str, tuple[str, int]], case: Case, server: str,
                           monkeypatch: pytest.MonkeyPatch) -> None:
    plans: list[Plan] = []
    diff = diff_models

    def capture(old: Schema, new: Schema, options: DiffOptions | None = None) -> Plan:
        plans.append(diff(old, new, options))
        return plans[-1]

    monkeypatch.setattr(harness, "diff_models", capture)
    run_case(db_on, servers, case, server)
    # only cases that really remove data may carry a data-loss hazard, and those must carry it
    assert plans[0].destructive == (case.id in DESTROYS_DATA), plans[0].to_sql(allow_destructive=True)
