"""Round trips, part D: foreign-data wrappers, foreign servers, user mappings (no secrets here:
see tests/test_foreign_secrets.py), foreign tables, event triggers, publications and default
privileges.

Every object here is database-wide or lives in the case's own database, which is dropped after
the case; the roles are the ``trueup_test_*`` roles the session fixtures create (and drop).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.roundtrip.harness import Case, case_params, run_case

READER, WRITER, ADMIN = "trueup_test_reader", "trueup_test_writer", "trueup_test_admin"

W = "CREATE FOREIGN DATA WRAPPER w;\n"
S = W + "CREATE SERVER s FOREIGN DATA WRAPPER w OPTIONS (host 'a.example');\n"
VALIDATOR = "CREATE FUNCTION fv(text[], oid) RETURNS void LANGUAGE plpgsql AS $$BEGIN END$$;\n"
FT = S + "CREATE FOREIGN TABLE ft (id int, name text) SERVER s OPTIONS (table_name 'remote');\n"

FOREIGN = [
    Case("fdw_create", "", W),
    Case("fdw_drop", W, ""),
    Case("fdw_options_added", W, "CREATE FOREIGN DATA WRAPPER w OPTIONS (debug 'true');"),
    Case("fdw_options_set_and_dropped", "CREATE FOREIGN DATA WRAPPER w OPTIONS (a '1', b '2');",
         "CREATE FOREIGN DATA WRAPPER w OPTIONS (a '3', c '4');"),
    Case("fdw_validator_added_with_its_function", W, VALIDATOR + "CREATE FOREIGN DATA WRAPPER w VALIDATOR fv;"),
    Case("fdw_validator_removed_and_function_dropped", VALIDATOR + "CREATE FOREIGN DATA WRAPPER w VALIDATOR fv;",
         W),
    Case("fdw_handler_from_postgres_fdw", "CREATE EXTENSION postgres_fdw;",
         "CREATE EXTENSION postgres_fdw;\n"
         "CREATE FOREIGN DATA WRAPPER w2 HANDLER postgres_fdw_handler VALIDATOR postgres_fdw_validator;"),
    Case("postgres_fdw_server_and_table_with_the_extension", "",
         "CREATE EXTENSION postgres_fdw;\n"
         "CREATE SERVER remote FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host 'db.example', dbname 'app');\n"
         f"CREATE USER MAPPING FOR {READER} SERVER remote OPTIONS (user 'bob');\n"
         "CREATE FOREIGN TABLE rt (id int) SERVER remote OPTIONS (schema_name 'public', table_name 't');"),
    Case("file_fdw_table_dropped_with_the_extension",
         "CREATE EXTENSION file_fdw;\nCREATE SERVER files FOREIGN DATA WRAPPER file_fdw;\n"
         "CREATE FOREIGN TABLE ff (line text) SERVER files OPTIONS (filename '/dev/null', format 'text');", ""),
    Case("server_create_with_wrapper", "", S),
    Case("server_drop", S, W),
    Case("server_options_changed", S,
         W + "CREATE SERVER s FOREIGN DATA WRAPPER w OPTIONS (host 'b.example', port '5433');"),
    Case("server_version_added", S,
         W + "CREATE SERVER s VERSION '2.0' FOREIGN DATA WRAPPER w OPTIONS (host 'a.example');"),
    Case("server_version_removed",
         W + "CREATE SERVER s VERSION '2.0' FOREIGN DATA WRAPPER w OPTIONS (host 'a.example');", S),
    Case("server_type_changed_recreates_mapping",
         W + "CREATE SERVER s TYPE 'pg' FOREIGN DATA WRAPPER w;\n"
             f"CREATE USER MAPPING FOR {READER} SERVER s OPTIONS (user 'bob');",
         W + "CREATE SERVER s TYPE 'oracle' FOREIGN DATA WRAPPER w;\n"
             f"CREATE USER MAPPING FOR {READER} SERVER s OPTIONS (user 'bob');"),
    Case("server_moves_to_another_wrapper", S + "CREATE FOREIGN DATA WRAPPER w2;",
         "CREATE FOREIGN DATA WRAPPER w2;\nCREATE SERVER s FOREIGN DATA WRAPPER w2 OPTIONS (host 'a.example');"),
    Case("server_usage_granted", S, S + f"GRANT USAGE ON FOREIGN SERVER s TO {READER};"),
    Case("user_mapping_create", S, S + f"CREATE USER MAPPING FOR {READER} SERVER s OPTIONS (user 'bob');"),
    Case("user_mapping_public_and_current_user", S,
         S + "CREATE USER MAPPING FOR PUBLIC SERVER s;\nCREATE USER MAPPING FOR CURRENT_USER SERVER s;"),
    Case("user_mapping_drop", S + f"CREATE USER MAPPING FOR {READER} SERVER s OPTIONS (user 'bob');", S),
    Case("user_mapping_options_changed",
         S + f"CREATE USER MAPPING FOR {READER} SERVER s OPTIONS (user 'bob', dbname 'x');",
         S + f"CREATE USER MAPPING FOR {READER} SERVER s OPTIONS (user 'carol', sslmode 'require');"),
    Case("foreign_table_create", S, FT),
    Case("foreign_table_drop", FT, S),
    Case("foreign_table_columns_added_and_dropped", FT,
         S + "CREATE FOREIGN TABLE ft (id int, extra date NOT NULL) SERVER s OPTIONS (table_name 'remote');"),
    Case("foreign_table_column_altered", FT,
         S + "CREATE FOREIGN TABLE ft (id bigint NOT NULL DEFAULT 1, name text OPTIONS (column_name 'n'))"
             " SERVER s OPTIONS (table_name 'remote');"),
    Case("foreign_table_options_changed", FT,
         S + "CREATE FOREIGN TABLE ft (id int, name text) SERVER s OPTIONS (schema_name 'x', table_name 'r2');"),
    Case("foreign_table_server_changed", FT + "CREATE SERVER s2 FOREIGN DATA WRAPPER w;",
         S + "CREATE SERVER s2 FOREIGN DATA WRAPPER w;\n"
             "CREATE FOREIGN TABLE ft (id int, name text) SERVER s2 OPTIONS (table_name 'remote');"),
    Case("foreign_table_column_order_changed", FT,
         S + "CREATE FOREIGN TABLE ft (name text, id int) SERVER s OPTIONS (table_name 'remote');"),
    Case("foreign_table_with_view_retyped",
         FT + "CREATE VIEW v AS SELECT id FROM ft;",
         S + "CREATE FOREIGN TABLE ft (id bigint, name text) SERVER s OPTIONS (table_name 'remote');\n"
             "CREATE VIEW v AS SELECT id FROM ft;"),
    Case("foreign_table_granted_and_commented", FT,
         FT + f"GRANT SELECT ON ft TO {READER};\nCOMMENT ON FOREIGN TABLE ft IS 'remote rows';"),
    Case("foreign_stack_dropped_whole", FT + f"CREATE USER MAPPING FOR {READER} SERVER s;", ""),
]

EVF = "CREATE FUNCTION evf() RETURNS event_trigger LANGUAGE plpgsql AS $$BEGIN END$$;\n"
EVG = "CREATE FUNCTION evg() RETURNS event_trigger LANGUAGE plpgsql AS $$BEGIN RETURN; END$$;\n"
ET = EVF + "CREATE EVENT TRIGGER et ON ddl_command_end EXECUTE FUNCTION evf();\n"

EVENT_TRIGGERS = [
    Case("event_trigger_create_with_its_function", "", ET),
    Case("event_trigger_drop_with_its_function", ET, ""),
    Case("event_trigger_disabled", ET, ET + "ALTER EVENT TRIGGER et DISABLE;"),
    Case("event_trigger_enable_replica", ET + "ALTER EVENT TRIGGER et DISABLE;",
         ET + "ALTER EVENT TRIGGER et ENABLE REPLICA;"),
    Case("event_trigger_enable_always", ET, ET + "ALTER EVENT TRIGGER et ENABLE ALWAYS;"),
    Case("event_trigger_tags_added", ET,
         EVF + "CREATE EVENT TRIGGER et ON ddl_command_end WHEN TAG IN ('CREATE TABLE', 'ALTER TABLE')"
               " EXECUTE FUNCTION evf();"),
    Case("event_trigger_event_changed", ET, EVF + "CREATE EVENT TRIGGER et ON sql_drop EXECUTE FUNCTION evf();"),
    Case("event_trigger_function_swapped", ET,
         EVG + "CREATE EVENT TRIGGER et ON ddl_command_end EXECUTE FUNCTION evg();"),
    Case("event_trigger_function_body_changed", ET,
         EVF.replace("BEGIN END", "BEGIN RAISE NOTICE 'ddl'; END")
         + "CREATE EVENT TRIGGER et ON ddl_command_end EXECUTE FUNCTION evf();"),
    Case("event_trigger_commented", ET, ET + "COMMENT ON EVENT TRIGGER et IS 'audit';"),
]

T = "CREATE TABLE t (id int PRIMARY KEY, a text, b int);\nCREATE TABLE u (id int PRIMARY KEY);\n"
P = T + "CREATE PUBLICATION p FOR TABLE t;\n"

PUBLICATIONS = [
    Case("publication_create_for_table", T, P),
    Case("publication_create_for_all_tables", T, T + "CREATE PUBLICATION p FOR ALL TABLES;"),
    Case("publication_empty_created", T, T + "CREATE PUBLICATION p;"),
    Case("publication_drop", P, T),
    Case("publication_table_added", P, T + "CREATE PUBLICATION p FOR TABLE t, u;"),
    Case("publication_table_removed", T + "CREATE PUBLICATION p FOR TABLE t, u;", P),
    Case("publication_created_with_new_table", "", P),
    Case("publication_table_dropped_with_it", P + "CREATE TABLE v (id int);",
         "CREATE TABLE v (id int);\nCREATE PUBLICATION p FOR TABLE v;"),
    Case("publication_options_changed", P,
         T + "CREATE PUBLICATION p FOR TABLE t WITH (publish = 'insert, update', publish_via_partition_root = true);"),
    Case("publication_all_tables_to_list", T + "CREATE PUBLICATION p FOR ALL TABLES;", P),
    Case("publication_column_list", P, T + "CREATE PUBLICATION p FOR TABLE t (id, a);", min_pg=15),
    Case("publication_column_list_changed", T + "CREATE PUBLICATION p FOR TABLE t (id, a);",
         T + "CREATE PUBLICATION p FOR TABLE t (id, b);", min_pg=15),
    Case("publication_row_filter", P, T + "CREATE PUBLICATION p FOR TABLE t WHERE (b > 10);", min_pg=15),
    Case("publication_row_filter_column_dropped",
         T + "ALTER TABLE t ADD COLUMN c int;\nCREATE PUBLICATION p FOR TABLE t WHERE (c > 0);",
         T + "CREATE PUBLICATION p FOR TABLE t WHERE (b > 0);", min_pg=15),
    Case("publication_tables_in_schema", "CREATE SCHEMA app;\n" + T,
         "CREATE SCHEMA app;\n" + T + "CREATE PUBLICATION p FOR TABLES IN SCHEMA app, TABLE t;", min_pg=15),
    Case("publication_schema_created_with_it", T,
         "CREATE SCHEMA app;\n" + T + "CREATE PUBLICATION p FOR TABLES IN SCHEMA app;", min_pg=15),
    Case("publication_generated_columns_published", P,
         T + "CREATE PUBLICATION p FOR TABLE t WITH (publish_generated_columns = stored);", min_pg=18),
    Case("publication_generated_columns_no_longer_published",
         T + "CREATE PUBLICATION p FOR TABLE t WITH (publish_generated_columns = stored);", P, min_pg=18),
    Case("publication_commented", P, P + "COMMENT ON PUBLICATION p IS 'to the warehouse';"),
]

DEFAULT_PRIVILEGES = [
    Case("default_privileges_grant_tables", T,
         T + f"ALTER DEFAULT PRIVILEGES GRANT SELECT, INSERT ON TABLES TO {READER};"),
    Case("default_privileges_revoke_execute_from_public", T,
         T + "ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;"),
    Case("default_privileges_revoke_restored", T + "ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;",
         T),
    Case("default_privileges_in_schema", "CREATE SCHEMA api;",
         "CREATE SCHEMA api;\n"
         f"ALTER DEFAULT PRIVILEGES IN SCHEMA api GRANT SELECT ON TABLES TO {READER};\n"
         f"ALTER DEFAULT PRIVILEGES IN SCHEMA api GRANT USAGE ON SEQUENCES TO {WRITER};"),
    Case("default_privileges_with_new_schema", "",
         f"CREATE SCHEMA api;\nALTER DEFAULT PRIVILEGES IN SCHEMA api GRANT EXECUTE ON FUNCTIONS TO {READER};"),
    Case("default_privileges_dropped_with_schema",
         f"CREATE SCHEMA api;\nALTER DEFAULT PRIVILEGES IN SCHEMA api GRANT SELECT ON TABLES TO {READER};", ""),
    Case("default_privileges_for_role", T,
         T + f"ALTER DEFAULT PRIVILEGES FOR ROLE {ADMIN} GRANT ALL ON TABLES TO {WRITER};\n"
             f"ALTER DEFAULT PRIVILEGES FOR ROLE {ADMIN} GRANT USAGE ON TYPES TO {READER};"),
    Case("default_privileges_grant_option",
         T + f"ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO {READER};",
         T + f"ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO {READER} WITH GRANT OPTION;"),
    Case("default_privileges_grantee_changed",
         T + f"ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO {READER};",
         T + f"ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO {WRITER};"),
    Case("default_privileges_schemas", "",
         f"ALTER DEFAULT PRIVILEGES GRANT USAGE ON SCHEMAS TO {READER};"),
]

QUOTED = [
    Case("quoted_names_of_every_kind", 'CREATE SCHEMA "Api";\nCREATE TABLE "Api"."T" (id int PRIMARY KEY);',
         'CREATE SCHEMA "Api";\nCREATE TABLE "Api"."T" (id int PRIMARY KEY);\n'
         'CREATE FOREIGN DATA WRAPPER "W-1" OPTIONS ("Opt" \'it\'\'s\');\n'
         'CREATE SERVER "My Server" FOREIGN DATA WRAPPER "W-1" OPTIONS (host \'h\');\n'
         f'CREATE USER MAPPING FOR {READER} SERVER "My Server" OPTIONS ("User" \'x\');\n'
         'CREATE FOREIGN TABLE "Api"."Ft" ("Id" int OPTIONS ("Col" \'c\')) SERVER "My Server";\n'
         'CREATE FUNCTION "Api"."Evf"() RETURNS event_trigger LANGUAGE plpgsql AS $$BEGIN END$$;\n'
         'CREATE EVENT TRIGGER "Et" ON ddl_command_end EXECUTE FUNCTION "Api"."Evf"();\n'
         'CREATE PUBLICATION "Pub" FOR TABLE "Api"."T";\n'
         f'ALTER DEFAULT PRIVILEGES IN SCHEMA "Api" GRANT SELECT ON TABLES TO {READER};'),
]

CASES = FOREIGN + EVENT_TRIGGERS + PUBLICATIONS + DEFAULT_PRIVILEGES + QUOTED


@pytest.mark.parametrize(("case", "server"), case_params(CASES))
def test_roundtrip_kinds_b(db_on: Callable[..., str], servers: dict[str, tuple[str, int]], case: Case,
                           server: str) -> None:
    run_case(db_on, servers, case, server)
