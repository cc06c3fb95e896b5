"""Round trips, kinds part A: range types (and their multirange types), collations, extended
statistics and rules: created, dropped, altered, in dependency order with the tables, columns,
domains, indexes and functions that use them or that they use."""

from __future__ import annotations

from collections.abc import Callable

import psycopg
import pytest

from tests.roundtrip.harness import Case, case_params, run_case

T = "CREATE TABLE t (id int PRIMARY KEY, a int, b int, name text);\n"
FDIFF = "CREATE FUNCTION fdiff(float8, float8) RETURNS float8 LANGUAGE sql IMMUTABLE AS 'SELECT $1 - $2';\n"
FR = "CREATE TYPE floatrange AS RANGE (subtype = float8);\n"
CI = "CREATE COLLATION ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false);\n"
CC = "CREATE COLLATION cc (provider = libc, locale = 'C');\n"

RANGES = [
    Case("range_create", "", FR),
    Case("range_drop", FR, ""),
    Case("range_with_new_subtype_diff_function", "", FDIFF + "CREATE TYPE floatrange AS RANGE (subtype = float8,"
         " subtype_diff = fdiff);"),
    Case("range_subtype_changes", FR, "CREATE TYPE floatrange AS RANGE (subtype = numeric);"),
    Case("range_subtype_diff_added", FDIFF + FR,
         FDIFF + "CREATE TYPE floatrange AS RANGE (subtype = float8, subtype_diff = fdiff);"),
    Case("range_multirange_name_changes", FR,
         "CREATE TYPE floatrange AS RANGE (subtype = float8, multirange_type_name = floatranges);"),
    Case("range_subtype_opclass", "",
         "CREATE TYPE textrange AS RANGE (subtype = text, subtype_opclass = text_pattern_ops);"),
    Case("range_with_new_collation", "", CC + "CREATE TYPE textrange AS RANGE (subtype = text, collation = cc);"),
    Case("range_collation_changes", CC + "CREATE TYPE textrange AS RANGE (subtype = text);",
         CC + "CREATE TYPE textrange AS RANGE (subtype = text, collation = cc);"),
    Case("range_over_new_domain", "",
         "CREATE DOMAIN posint AS int CHECK (VALUE > 0);\nCREATE TYPE posrange AS RANGE (subtype = posint);"),
    Case("range_column_with_new_range_and_table", "", FR + "CREATE TABLE r (id int, span floatrange);"),
    Case("range_multirange_column_with_new_range", "", FR + "CREATE TABLE r (id int, spans floatmultirange);"),
    Case("range_column_added_to_table", T, T + FR + "ALTER TABLE t ADD COLUMN span floatrange;"),
    Case("range_array_column_added", T, T + FR + "ALTER TABLE t ADD COLUMN spans floatrange[];"),
    Case("range_column_and_range_dropped", T + FR + "ALTER TABLE t ADD COLUMN span floatrange;", T),
    Case("range_recreated_under_its_columns", FDIFF + FR + "CREATE TABLE r (id int, span floatrange DEFAULT"
         " 'empty', spans floatmultirange);",
         FDIFF + "CREATE TYPE floatrange AS RANGE (subtype = float8, subtype_diff = fdiff);\n"
         "CREATE TABLE r (id int, span floatrange DEFAULT 'empty', spans floatmultirange);"),
    Case("range_column_retyped_to_new_range", "CREATE TABLE r (id int, span numrange);",
         FR + "CREATE TABLE r (id int, span floatrange);",
         using={"public.r.span": "floatrange(lower(span)::float8, upper(span)::float8)"}),
    Case("range_text_column_retyped_to_new_range", "CREATE TABLE r (id int, span text);",
         FR + "CREATE TABLE r (id int, span floatrange);"),
    Case("range_replaces_enum_of_its_name", "CREATE TYPE span AS ENUM ('short', 'long');",
         "CREATE TYPE span AS RANGE (subtype = int4);"),
    Case("range_comment", FR, FR + "COMMENT ON TYPE floatrange IS 'spans of floats';"),
    Case("range_in_other_schema", "", "CREATE SCHEMA geo;\nCREATE TYPE geo.span AS RANGE (subtype = float8,"
         " multirange_type_name = geo.spans);\nCREATE TABLE geo.r (s geo.span, m geo.spans);"),
]

COLLATIONS = [
    Case("collation_create_libc", "", CC),
    Case("collation_create_libc_collate_ctype", "",
         "CREATE COLLATION cp (provider = libc, lc_collate = 'C', lc_ctype = 'POSIX');"),
    Case("collation_create_icu_nondeterministic", "", CI),
    Case("collation_create_builtin", "", "CREATE COLLATION cb (provider = builtin, locale = 'C');", min_pg=17),
    Case("collation_drop", CI, ""),
    Case("collation_deterministic_changes", CI,
         "CREATE COLLATION ci (provider = icu, locale = 'und-u-ks-level2', deterministic = true);"),
    Case("collation_locale_changes", CC, "CREATE COLLATION cc (provider = libc, locale = 'POSIX');"),
    Case("collation_column_with_new_table", "", CI + "CREATE TABLE u (id int, email text COLLATE ci UNIQUE);"),
    Case("collation_column_added", T, T + CI + "ALTER TABLE t ADD COLUMN email text COLLATE ci;"),
    Case("collation_column_changes_to_custom", "CREATE TABLE u (id int, name text COLLATE \"C\");",
         CI + "CREATE TABLE u (id int, name text COLLATE ci);"),
    Case("collation_libc_column_with_new_table", "", CC + "CREATE TABLE u (id int, code text COLLATE cc UNIQUE);"),
    Case("collation_libc_column_changes", "CREATE TABLE u (id int, name text COLLATE \"POSIX\");",
         CC + "CREATE TABLE u (id int, name text COLLATE cc);"),
    Case("collation_libc_column_and_collation_dropped", CC + "CREATE TABLE u (id int, name text COLLATE cc);",
         "CREATE TABLE u (id int, name text);"),
    Case("collation_column_changes_to_default", CI + "CREATE TABLE u (id int, name text COLLATE ci);",
         CI + "CREATE TABLE u (id int, name text);"),
    Case("collation_column_and_collation_dropped", CI + "CREATE TABLE u (id int, name text COLLATE ci);",
         "CREATE TABLE u (id int, name text);"),
    Case("collation_recreated_under_its_column",
         CC + "CREATE TABLE u (id int, name varchar(20) COLLATE cc);\nCREATE INDEX u_name ON u (name);",
         "CREATE COLLATION cc (provider = libc, locale = 'POSIX');\n"
         "CREATE TABLE u (id int, name varchar(20) COLLATE cc);\nCREATE INDEX u_name ON u (name);"),
    Case("collation_icu_recreated_under_its_column", CI + "CREATE TABLE u (id int, email text COLLATE ci UNIQUE);",
         "CREATE COLLATION ci (provider = icu, locale = 'und-u-ks-level1', deterministic = false);\n"
         "CREATE TABLE u (id int, email text COLLATE ci UNIQUE);"),
    Case("collation_recreated_under_a_domain", CC + "CREATE DOMAIN code AS text COLLATE cc CHECK (VALUE <> '');\n"
         "CREATE TABLE u (id int, c code);",
         "CREATE COLLATION cc (provider = libc, locale = 'POSIX');\n"
         "CREATE DOMAIN code AS text COLLATE cc CHECK (VALUE <> '');\nCREATE TABLE u (id int, c code);"),
    Case("collation_recreated_under_a_range", CC + "CREATE TYPE coderange AS RANGE (subtype = text, collation = cc);\n"
         "CREATE TABLE u (id int, r coderange, m codemultirange);",
         "CREATE COLLATION cc (provider = libc, locale = 'POSIX');\n"
         "CREATE TYPE coderange AS RANGE (subtype = text, collation = cc);\n"
         "CREATE TABLE u (id int, r coderange, m codemultirange);"),
    Case("collation_recreated_under_a_composite", CC + "CREATE TYPE pair AS (k text COLLATE cc, v text);\n"
         "CREATE TABLE u (id int, p pair);",
         "CREATE COLLATION cc (provider = libc, locale = 'POSIX');\n"
         "CREATE TYPE pair AS (k text COLLATE cc, v text);\nCREATE TABLE u (id int, p pair);"),
    Case("collation_recreated_under_an_index", T + CC + "CREATE INDEX t_name_cc ON t (name COLLATE cc);",
         T + "CREATE COLLATION cc (provider = libc, locale = 'POSIX');\n"
         "CREATE INDEX t_name_cc ON t (name COLLATE cc);"),
    Case("collation_domain_collation_changes", "CREATE DOMAIN code AS text;\nCREATE TABLE u (id int, c code);",
         CC + "CREATE DOMAIN code AS text COLLATE cc;\nCREATE TABLE u (id int, c code);"),
    Case("collation_domain_with_new_collation", "", CI + "CREATE DOMAIN email AS text COLLATE ci;\n"
         "CREATE TABLE u (id int, e email);"),
    Case("collation_index_with_new_collation", T, T + CC + "CREATE INDEX t_name_cc ON t (name COLLATE cc);"),
    Case("collation_composite_attribute", "", CC + "CREATE TYPE pair AS (k text COLLATE cc, v text);"),
    Case("collation_comment", CC, CC + "COMMENT ON COLLATION cc IS 'bytewise';"),
]

ST = "CREATE TABLE t (id int PRIMARY KEY, a int, b int, name text);\n"
STATISTICS = [
    Case("statistics_create", ST, ST + "CREATE STATISTICS t_ab ON a, b FROM t;"),
    Case("statistics_drop", ST + "CREATE STATISTICS t_ab ON a, b FROM t;", ST),
    Case("statistics_kinds_change", ST + "CREATE STATISTICS t_ab (ndistinct) ON a, b FROM t;",
         ST + "CREATE STATISTICS t_ab (dependencies, mcv) ON a, b FROM t;"),
    Case("statistics_columns_change", ST + "CREATE STATISTICS t_ab ON a, b FROM t;",
         ST + "CREATE STATISTICS t_ab ON a, b, name FROM t;"),
    Case("statistics_target_set", ST + "CREATE STATISTICS t_ab ON a, b FROM t;",
         ST + "CREATE STATISTICS t_ab ON a, b FROM t;\nALTER STATISTICS t_ab SET STATISTICS 500;"),
    Case("statistics_target_reset",
         ST + "CREATE STATISTICS t_ab ON a, b FROM t;\nALTER STATISTICS t_ab SET STATISTICS 500;",
         ST + "CREATE STATISTICS t_ab ON a, b FROM t;"),
    Case("statistics_created_with_target", ST,
         ST + "CREATE STATISTICS t_ab ON a, b FROM t;\nALTER STATISTICS t_ab SET STATISTICS 0;"),
    Case("statistics_expressions", ST, ST + "CREATE STATISTICS t_expr ON (a + b), lower(name) FROM t;"),
    Case("statistics_with_new_table", "", ST + "CREATE STATISTICS t_ab (mcv) ON a, b FROM t;"),
    Case("statistics_on_new_columns", "CREATE TABLE t (id int PRIMARY KEY);",
         "CREATE TABLE t (id int PRIMARY KEY, a int, b int);\nCREATE STATISTICS t_ab ON a, b FROM t;"),
    Case("statistics_and_its_column_dropped", ST + "CREATE STATISTICS t_ab ON a, b FROM t;",
         "CREATE TABLE t (id int PRIMARY KEY, a int, name text);"),
    Case("statistics_column_retyped", ST + "CREATE STATISTICS t_ab ON a, b FROM t;",
         "CREATE TABLE t (id int PRIMARY KEY, a bigint, b int, name text);\nCREATE STATISTICS t_ab ON a, b FROM t;"),
    Case("statistics_in_other_schema", ST,
         ST + "CREATE SCHEMA st;\nCREATE STATISTICS st.t_ab ON a, b FROM public.t;"),
    Case("statistics_on_materialized_view", ST + "CREATE MATERIALIZED VIEW mv AS SELECT a, b FROM t;",
         ST + "CREATE MATERIALIZED VIEW mv AS SELECT a, b FROM t;\nCREATE STATISTICS mv_ab ON a, b FROM mv;"),
    Case("statistics_moves_to_other_table", ST + "CREATE TABLE t2 (a int, b int);\nCREATE STATISTICS s_ab ON a, b FROM t;",
         ST + "CREATE TABLE t2 (a int, b int);\nCREATE STATISTICS s_ab ON a, b FROM t2;"),
    Case("statistics_expression_uses_new_function", ST,
         ST + "CREATE FUNCTION half(int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT $1 / 2';\n"
         "CREATE STATISTICS t_half ON half(a), b FROM t;"),
    Case("statistics_expression_function_recreated",
         ST + "CREATE FUNCTION half(int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT $1 / 2';\n"
         "CREATE STATISTICS t_half ON half(a), b FROM t;",
         ST + "CREATE FUNCTION half(int) RETURNS numeric LANGUAGE sql IMMUTABLE AS 'SELECT $1 / 2.0';\n"
         "CREATE STATISTICS t_half ON half(a), b FROM t;"),
    Case("statistics_comment", ST + "CREATE STATISTICS t_ab ON a, b FROM t;",
         ST + "CREATE STATISTICS t_ab ON a, b FROM t;\nCOMMENT ON STATISTICS t_ab IS 'correlated';"),
]

LOG = "CREATE TABLE t_log (id int, note text);\n"
RULES = [
    Case("rule_create", T, T + "CREATE RULE t_no_neg AS ON INSERT TO t WHERE NEW.a < 0 DO INSTEAD NOTHING;"),
    Case("rule_drop", T + "CREATE RULE t_no_neg AS ON INSERT TO t WHERE NEW.a < 0 DO INSTEAD NOTHING;", T),
    Case("rule_where_changes", T + "CREATE RULE t_no_neg AS ON INSERT TO t WHERE NEW.a < 0 DO INSTEAD NOTHING;",
         T + "CREATE RULE t_no_neg AS ON INSERT TO t WHERE NEW.a < -10 DO INSTEAD NOTHING;"),
    Case("rule_event_changes", T + "CREATE RULE t_notify AS ON INSERT TO t DO ALSO NOTIFY t_changed;",
         T + "CREATE RULE t_notify AS ON UPDATE TO t DO ALSO NOTIFY t_changed;"),
    Case("rule_disabled", T + "CREATE RULE t_notify AS ON INSERT TO t DO ALSO NOTIFY t_changed;",
         T + "CREATE RULE t_notify AS ON INSERT TO t DO ALSO NOTIFY t_changed;\n"
         "ALTER TABLE t DISABLE RULE t_notify;"),
    Case("rule_enabled_always",
         T + "CREATE RULE t_notify AS ON INSERT TO t DO ALSO NOTIFY t_changed;\nALTER TABLE t DISABLE RULE t_notify;",
         T + "CREATE RULE t_notify AS ON INSERT TO t DO ALSO NOTIFY t_changed;\n"
         "ALTER TABLE t ENABLE ALWAYS RULE t_notify;"),
    Case("rule_created_disabled", T, T + "CREATE RULE t_notify AS ON INSERT TO t DO ALSO NOTIFY t_changed;\n"
         "ALTER TABLE t ENABLE REPLICA RULE t_notify;"),
    Case("rule_action_uses_new_table", T,
         T + LOG + "CREATE RULE t_audit AS ON DELETE TO t DO ALSO INSERT INTO t_log VALUES (OLD.id, OLD.name);"),
    Case("rule_with_new_table", "",
         T + LOG + "CREATE RULE t_audit AS ON DELETE TO t DO ALSO INSERT INTO t_log VALUES (OLD.id, OLD.name);"),
    Case("rule_action_uses_new_function", T,
         T + "CREATE FUNCTION note(int) RETURNS void LANGUAGE sql AS 'SELECT';\n"
         "CREATE RULE t_note AS ON UPDATE TO t DO ALSO SELECT note(NEW.id);"),
    Case("rule_function_recreated",
         T + "CREATE FUNCTION note(int) RETURNS void LANGUAGE sql AS 'SELECT';\n"
         "CREATE RULE t_note AS ON UPDATE TO t DO ALSO SELECT note(NEW.id);",
         T + "CREATE FUNCTION note(int) RETURNS int LANGUAGE sql AS 'SELECT 1';\n"
         "CREATE RULE t_note AS ON UPDATE TO t DO ALSO SELECT note(NEW.id);"),
    Case("rule_table_recreated",
         "CREATE TABLE t (id int PRIMARY KEY, name text);\n"
         "CREATE RULE t_notify AS ON INSERT TO t DO ALSO NOTIFY t_changed;",
         "CREATE TABLE t (id int PRIMARY KEY, name text) PARTITION BY RANGE (id);\n"
         "CREATE RULE t_notify AS ON INSERT TO t DO ALSO NOTIFY t_changed;"),
    Case("rule_on_view", T + "CREATE VIEW v AS SELECT id, name FROM t;",
         T + "CREATE VIEW v AS SELECT id, name FROM t;\n"
         "CREATE RULE v_ins AS ON INSERT TO v DO INSTEAD INSERT INTO t (id, name) VALUES (NEW.id, NEW.name);"),
    Case("rule_on_view_changes",
         T + "CREATE VIEW v AS SELECT id, name FROM t;\n"
         "CREATE RULE v_del AS ON DELETE TO v DO INSTEAD DELETE FROM t WHERE t.id = OLD.id;",
         T + "CREATE VIEW v AS SELECT id, name FROM t;\n"
         "CREATE RULE v_del AS ON DELETE TO v DO INSTEAD UPDATE t SET name = NULL WHERE t.id = OLD.id;"),
    Case("rule_view_recreated_under_it",
         T + "CREATE VIEW v AS SELECT id, name FROM t;\n"
         "CREATE RULE v_del AS ON DELETE TO v DO INSTEAD DELETE FROM t WHERE t.id = OLD.id;",
         T + "CREATE VIEW v AS SELECT id, a, name FROM t WHERE id > 0;\n"
         "CREATE RULE v_del AS ON DELETE TO v DO INSTEAD DELETE FROM t WHERE t.id = OLD.id;"),
    Case("rule_on_new_view", T,
         T + "CREATE VIEW v AS SELECT id, name FROM t;\n"
         "CREATE RULE v_ins AS ON INSERT TO v DO INSTEAD INSERT INTO t (id, name) VALUES (NEW.id, NEW.name);"),
    Case("rule_column_retyped",
         T + LOG + "CREATE RULE t_audit AS ON DELETE TO t DO ALSO INSERT INTO t_log VALUES (OLD.id, OLD.name);",
         "CREATE TABLE t (id int PRIMARY KEY, a int, b int, name varchar(40));\n" + LOG
         + "CREATE RULE t_audit AS ON DELETE TO t DO ALSO INSERT INTO t_log VALUES (OLD.id, OLD.name);"),
    Case("rule_and_its_log_table_dropped",
         T + LOG + "CREATE RULE t_audit AS ON DELETE TO t DO ALSO INSERT INTO t_log VALUES (OLD.id, OLD.name);", T),
    Case("rule_multiple_actions", T + LOG,
         T + LOG + "CREATE RULE t_two AS ON UPDATE TO t DO ALSO (INSERT INTO t_log VALUES (OLD.id, 'old');"
         " INSERT INTO t_log VALUES (NEW.id, 'new'));"),
    Case("rule_comment", T + "CREATE RULE t_notify AS ON INSERT TO t DO ALSO NOTIFY t_changed;",
         T + "CREATE RULE t_notify AS ON INSERT TO t DO ALSO NOTIFY t_changed;\n"
         "COMMENT ON RULE t_notify ON t IS 'tells listeners';"),
]

CASES = RANGES + COLLATIONS + STATISTICS + RULES


def _has_icu(url: str) -> bool:
    """Whether the server was built with ICU: it creates an ICU collation (rolled back)."""
    with psycopg.connect(url) as conn:
        try:
            conn.execute("CREATE COLLATION trueup_test_icu_probe (provider = icu, locale = 'und')")
        except psycopg.errors.FeatureNotSupported:
            return False
        finally:
            conn.rollback()
    return True


@pytest.mark.parametrize(("case", "server"), case_params(CASES))
def test_roundtrip_kinds_a(db_on: Callable[..., str], servers: dict[str, tuple[str, int]], case: Case,
                           server: str) -> None:
    if "provider = icu" in case.old + case.new and server in servers and not _has_icu(servers[server][0]):
        pytest.skip(f"the {server} server here is built without ICU")
    run_case(db_on, servers, case, server)
