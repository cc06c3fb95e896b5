"""Round trips, part C: column type changes and the server's casts (with the USING expressions
a user supplies where there is none), identity columns' sequence options, enum defaults."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.roundtrip.harness import Case, case_params, run_case

# -- type changes: a cast path exists (explicit, I/O, binary, element-wise, a domain's base, a
# -- user's CREATE CAST): the plan's `c::new` just works, no USING asked for -----------------
WITH_PATH = [
    Case("cast_int_to_boolean", "CREATE TABLE t (c int); INSERT INTO t VALUES (0), (1), (NULL)",
         "CREATE TABLE t (c boolean)"),
    Case("cast_boolean_to_int", "CREATE TABLE t (c boolean DEFAULT true); INSERT INTO t VALUES (false)",
         "CREATE TABLE t (c int DEFAULT 1)"),
    Case("cast_text_to_int_io", "CREATE TABLE t (c text DEFAULT '7'); INSERT INTO t VALUES ('1'), ('22')",
         "CREATE TABLE t (c int DEFAULT 7)"),
    Case("cast_jsonb_to_text", "CREATE TABLE t (c jsonb); INSERT INTO t VALUES ('{\"a\": 1}')",
         "CREATE TABLE t (c text)"),
    Case("cast_text_to_jsonb", "CREATE TABLE t (c text); INSERT INTO t VALUES ('{\"a\": 1}')",
         "CREATE TABLE t (c jsonb)"),
    Case("cast_domain_over_int_to_int",
         "CREATE DOMAIN pos AS int CHECK (VALUE > 0); CREATE TABLE t (c pos); INSERT INTO t VALUES (3)",
         "CREATE DOMAIN pos AS int CHECK (VALUE > 0); CREATE TABLE t (c int)"),
    Case("cast_int_to_domain_over_int", "CREATE TABLE t (c int); INSERT INTO t VALUES (3)",
         "CREATE DOMAIN pos AS int CHECK (VALUE > 0); CREATE TABLE t (c pos)"),
    Case("cast_domain_over_bigint_to_int",
         "CREATE DOMAIN big AS bigint; CREATE TABLE t (c big); INSERT INTO t VALUES (3)",
         "CREATE DOMAIN big AS bigint; CREATE TABLE t (c int)"),
    Case("cast_text_array_to_int_array", "CREATE TABLE t (c text[]); INSERT INTO t VALUES ('{1,2}')",
         "CREATE TABLE t (c int[])"),
    Case("cast_enum_to_text", "CREATE TYPE e AS ENUM ('a', 'b'); CREATE TABLE t (c e); INSERT INTO t VALUES ('b')",
         "CREATE TYPE e AS ENUM ('a', 'b'); CREATE TABLE t (c text)"),
    Case("cast_varchar_to_enum",
         "CREATE TYPE e AS ENUM ('a', 'b'); CREATE TABLE t (c varchar(5)); INSERT INTO t VALUES ('b')",
         "CREATE TYPE e AS ENUM ('a', 'b'); CREATE TABLE t (c e)"),
    Case("cast_timestamp_to_timestamptz", "CREATE TABLE t (c timestamp(3)); INSERT INTO t VALUES (now())",
         "CREATE TABLE t (c timestamptz)"),
    Case("cast_user_defined_makes_a_path",
         "CREATE FUNCTION public.secs_to_ts(bigint) RETURNS timestamptz LANGUAGE sql IMMUTABLE"
         " AS $$ SELECT to_timestamp($1) $$;"
         " CREATE CAST (bigint AS timestamptz) WITH FUNCTION public.secs_to_ts(bigint);"
         " CREATE TABLE t (c bigint); INSERT INTO t VALUES (1700000000)",
         "CREATE FUNCTION public.secs_to_ts(bigint) RETURNS timestamptz LANGUAGE sql IMMUTABLE"
         " AS $$ SELECT to_timestamp($1) $$;"
         " CREATE CAST (bigint AS timestamptz) WITH FUNCTION public.secs_to_ts(bigint);"
         " CREATE TABLE t (c timestamptz)"),
]

# -- no cast path: the user's USING expression (--using) converts the values ---------------
WITH_USING = [
    Case("using_bigint_to_timestamptz", "CREATE TABLE t (c bigint); INSERT INTO t VALUES (1700000000)",
         "CREATE TABLE t (c timestamptz)", using={"public.t.c": "to_timestamp(c)"}),
    Case("using_bigint_to_timestamp", "CREATE TABLE t (c bigint DEFAULT 0); INSERT INTO t VALUES (1700000000)",
         "CREATE TABLE t (c timestamp DEFAULT now())",
         using={"public.t.c": "to_timestamp(c) AT TIME ZONE 'UTC'"}),
    Case("using_timestamp_to_bigint", "CREATE TABLE t (c timestamp); INSERT INTO t VALUES (now())",
         "CREATE TABLE t (c bigint)", using={"public.t.c": "extract(epoch FROM c)::bigint"}),
    Case("using_enum_to_other_enum",
         "CREATE TYPE e1 AS ENUM ('a', 'b'); CREATE TYPE e2 AS ENUM ('a', 'b', 'c');"
         " CREATE TABLE t (c e1); INSERT INTO t VALUES ('b')",
         "CREATE TYPE e1 AS ENUM ('a', 'b'); CREATE TYPE e2 AS ENUM ('a', 'b', 'c'); CREATE TABLE t (c e2)",
         using={"public.t.c": "c::text::e2"}),
    Case("using_enum_to_other_enum_with_default",
         "CREATE TYPE e1 AS ENUM ('a', 'b'); CREATE TYPE e2 AS ENUM ('a', 'b', 'c');"
         " CREATE TABLE t (c e1 DEFAULT 'a'); INSERT INTO t VALUES ('b')",
         "CREATE TYPE e1 AS ENUM ('a', 'b'); CREATE TYPE e2 AS ENUM ('a', 'b', 'c');"
         " CREATE TABLE t (c e2 DEFAULT 'c')",
         using={"public.t.c": "c::text::e2"}),
    Case("using_enum_replaced_by_other_enum_with_default",
         "CREATE TYPE e1 AS ENUM ('a', 'b'); CREATE TABLE t (c e1 DEFAULT 'a'); INSERT INTO t VALUES ('b');"
         " CREATE VIEW v AS SELECT c FROM t",
         "CREATE TYPE e2 AS ENUM ('a', 'b'); CREATE TABLE t (c e2 DEFAULT 'a'); CREATE VIEW v AS SELECT c FROM t",
         using={"public.t.c": "c::text::e2"}),
    Case("using_enum_array_to_other_enum_array",
         "CREATE TYPE e1 AS ENUM ('a', 'b'); CREATE TYPE e2 AS ENUM ('a', 'b');"
         " CREATE TABLE t (c e1[] DEFAULT '{a}'); INSERT INTO t VALUES ('{a,b}')",
         "CREATE TYPE e1 AS ENUM ('a', 'b'); CREATE TYPE e2 AS ENUM ('a', 'b');"
         " CREATE TABLE t (c e2[] DEFAULT '{b}')",
         using={"public.t.c": "c::text[]::e2[]"}),
    Case("using_int_to_enum",
         "CREATE TABLE t (c int); INSERT INTO t VALUES (1), (2)",
         "CREATE TYPE level AS ENUM ('low', 'high'); CREATE TABLE t (c level)",
         using={"public.t.c": "CASE c WHEN 1 THEN 'low'::level ELSE 'high'::level END"}),
    Case("using_bigint_to_boolean", "CREATE TABLE t (c bigint); INSERT INTO t VALUES (0), (5)",
         "CREATE TABLE t (c boolean)", using={"public.t.c": "c <> 0"}),
    Case("using_given_where_a_path_exists", "CREATE TABLE t (c text); INSERT INTO t VALUES (''), ('4')",
         "CREATE TABLE t (c int)", using={"public.t.c": "nullif(c, '')::int"}),
    Case("using_quoted_names", 'CREATE SCHEMA "my.app"; CREATE TABLE "my.app"."T" ("At" bigint)',
         'CREATE SCHEMA "my.app"; CREATE TABLE "my.app"."T" ("At" timestamptz)',
         using={'"my.app".T.At': 'to_timestamp("At")'}),
]

# -- identity columns: several sequence options at once, in an order the server accepts ----
ROWS = "; INSERT INTO t DEFAULT VALUES; INSERT INTO t DEFAULT VALUES"
IDENTITY = [
    Case("identity_min_above_current", "CREATE TABLE t (id int GENERATED ALWAYS AS IDENTITY)" + ROWS,
         "CREATE TABLE t (id int GENERATED ALWAYS AS IDENTITY (MINVALUE 100 START WITH 100))"),
    Case("identity_min_above_unused_start", "CREATE TABLE t (id int GENERATED ALWAYS AS IDENTITY)",
         "CREATE TABLE t (id int GENERATED ALWAYS AS IDENTITY (MINVALUE 100 START WITH 150))"),
    Case("identity_descending_max_below_current",
         "CREATE TABLE t (id int GENERATED ALWAYS AS IDENTITY (INCREMENT BY -1))" + ROWS,
         "CREATE TABLE t (id int GENERATED ALWAYS AS IDENTITY (INCREMENT BY -1 MAXVALUE -100 START WITH -100))"),
    Case("identity_max_below_unused_start",
         "CREATE TABLE t (id int GENERATED BY DEFAULT AS IDENTITY (START WITH 500))",
         "CREATE TABLE t (id int GENERATED BY DEFAULT AS IDENTITY (MAXVALUE 100 START WITH 10))"),
    Case("identity_increment_sign_to_descending", "CREATE TABLE t (id int GENERATED ALWAYS AS IDENTITY)" + ROWS,
         "CREATE TABLE t (id int GENERATED ALWAYS AS IDENTITY (INCREMENT BY -1))"),
    Case("identity_increment_sign_to_ascending",
         "CREATE TABLE t (id bigint GENERATED ALWAYS AS IDENTITY (INCREMENT BY -5))" + ROWS,
         "CREATE TABLE t (id bigint GENERATED ALWAYS AS IDENTITY (INCREMENT BY 5))"),
    Case("identity_cycle_off_with_bounds",
         "CREATE TABLE t (id int GENERATED ALWAYS AS IDENTITY (MAXVALUE 10 CYCLE))" + ROWS,
         "CREATE TABLE t (id int GENERATED ALWAYS AS IDENTITY (MINVALUE 5 MAXVALUE 50 START WITH 5 NO CYCLE))"),
    Case("identity_cycle_on_with_bounds",
         "CREATE TABLE t (id smallint GENERATED BY DEFAULT AS IDENTITY)" + ROWS,
         "CREATE TABLE t (id smallint GENERATED BY DEFAULT AS IDENTITY (MINVALUE 10 MAXVALUE 20 START WITH 10"
         " CYCLE))"),
    Case("identity_bounds_moved_past_old_ones",
         "CREATE TABLE t (id int GENERATED ALWAYS AS IDENTITY (MAXVALUE 10))" + ROWS,
         "CREATE TABLE t (id int GENERATED ALWAYS AS IDENTITY (MINVALUE 100 MAXVALUE 1000 START WITH 100))"),
    Case("identity_options_and_generation_and_sequence_name",
         "CREATE TABLE t (id int GENERATED ALWAYS AS IDENTITY)" + ROWS,
         "CREATE TABLE t (id int GENERATED BY DEFAULT AS IDENTITY (SEQUENCE NAME t_ids INCREMENT BY 10"
         " MINVALUE 50 START WITH 50 CACHE 3))"),
]

# -- enum values in column defaults, around a change of the enum type ----------------------
ENUM_DEFAULTS = [
    Case("enum_default_value_removed_default_changes",
         "CREATE TYPE e AS ENUM ('a', 'b', 'c'); CREATE TABLE t (v e DEFAULT 'c')",
         "CREATE TYPE e AS ENUM ('a', 'b'); CREATE TABLE t (v e DEFAULT 'b')"),
    Case("enum_default_of_text_column_cast_from_enum",
         "CREATE TYPE e AS ENUM ('a', 'b', 'c'); CREATE TABLE t (v text DEFAULT ('a'::e)::text)",
         "CREATE TYPE e AS ENUM ('a', 'b'); CREATE TABLE t (v text DEFAULT ('a'::e)::text)"),
    Case("enum_default_of_int_column_compares_enum",
         "CREATE TYPE e AS ENUM ('a', 'b', 'c'); CREATE TABLE t (n int DEFAULT (CASE WHEN 'a'::e < 'b' THEN 1 END))",
         "CREATE TYPE e AS ENUM ('b', 'a'); CREATE TABLE t (n int DEFAULT (CASE WHEN 'a'::e < 'b' THEN 1 END))"),
    Case("enum_array_default_value_removed",
         "CREATE TYPE e AS ENUM ('a', 'b', 'c'); CREATE TABLE t (v e[] DEFAULT '{a}')",
         "CREATE TYPE e AS ENUM ('a', 'b'); CREATE TABLE t (v e[] DEFAULT '{a}')"),
    Case("enum_default_on_domain_value_removed",
         "CREATE TYPE e AS ENUM ('a', 'b', 'c'); CREATE DOMAIN d AS e DEFAULT 'a'; CREATE TABLE t (v d DEFAULT 'b')",
         "CREATE TYPE e AS ENUM ('a', 'b'); CREATE DOMAIN d AS e DEFAULT 'a'; CREATE TABLE t (v d DEFAULT 'b')"),
    Case("enum_reordered_defaults_of_two_columns",
         "CREATE TYPE e AS ENUM ('a', 'b'); CREATE TABLE t (v e DEFAULT 'a', w e DEFAULT 'b')",
         "CREATE TYPE e AS ENUM ('b', 'a'); CREATE TABLE t (v e DEFAULT 'a', w e DEFAULT 'b')"),
    Case("enum_default_in_other_schema_value_removed",
         "CREATE SCHEMA s; CREATE TYPE s.e AS ENUM ('a', 'b', 'c'); CREATE TABLE t (v s.e DEFAULT 'a')",
         "CREATE SCHEMA s; CREATE TYPE s.e AS ENUM ('a', 'b'); CREATE TABLE t (v s.e DEFAULT 'a')"),
    Case("enum_default_from_function_value_removed",
         "CREATE TYPE e AS ENUM ('a', 'b', 'c');"
         " CREATE FUNCTION f() RETURNS e LANGUAGE sql AS $$ SELECT 'a'::e $$; CREATE TABLE t (v e DEFAULT f())",
         "CREATE TYPE e AS ENUM ('a', 'b');"
         " CREATE FUNCTION f() RETURNS e LANGUAGE sql AS $$ SELECT 'a'::e $$; CREATE TABLE t (v e DEFAULT f())"),
    Case("enum_default_with_check_value_removed",
         "CREATE TYPE e AS ENUM ('a', 'b', 'c'); CREATE TABLE t (v e DEFAULT 'a' CHECK (v <> 'b'))",
         "CREATE TYPE e AS ENUM ('a', 'b'); CREATE TABLE t (v e DEFAULT 'a' CHECK (v <> 'b'))"),
    Case("enum_default_type_renamed_by_replacement",
         "CREATE TYPE e1 AS ENUM ('a', 'b'); CREATE TABLE t (v e1 DEFAULT 'b', w e1 DEFAULT 'a')",
         "CREATE TYPE e2 AS ENUM ('a', 'b'); CREATE TABLE t (v e2 DEFAULT 'b', w e2 DEFAULT 'a')",
         using={"public.t.v": "v::text::e2", "public.t.w": "w::text::e2"}),
]

CASES = WITH_PATH + WITH_USING + IDENTITY + ENUM_DEFAULTS


@pytest.mark.parametrize(("case", "server"), case_params(CASES))
def test_roundtrip(db_on: Callable[..., str], servers: dict[str, tuple[str, int]], case: Case, server: str) -> None:
    run_case(db_on, servers, case, server)
