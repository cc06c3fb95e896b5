"""Round trips, part D: declared renames (``--rename``) become ``ALTER ... RENAME``: tables,
columns, indexes, constraints, views, functions and sequences keep their data and what hangs
below them, names the server derived from an old name follow it, swaps go through temporary
names. Each case checks that the rows inserted in OLD are still there after the plan."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.roundtrip.harness import Case, case_params, run_case

ROWS = ((1,), (2,))

CASES = [
    # -- tables ---------------------------------------------------------------------------
    Case("rename_table", "CREATE TABLE t (id int); INSERT INTO t VALUES (1), (2)",
         "CREATE TABLE t2 (id int)", renames={"public.t": "t2"}, kept=(("SELECT id FROM t2 ORDER BY 1", ROWS),)),
    Case("rename_table_serial_pk_follows_derived_names",
         "CREATE TABLE t (id serial PRIMARY KEY, v text); INSERT INTO t (v) VALUES ('a'), ('b')",
         "CREATE TABLE t2 (id serial PRIMARY KEY, v text); SELECT setval('t2_id_seq', 2)",
         renames={"public.t": "t2"}, kept=(("SELECT id FROM t2 ORDER BY 1", ROWS),)),
    Case("rename_table_with_index_comment_grant",
         "CREATE TABLE t (id int, v text); CREATE INDEX t_v_idx ON t (v); COMMENT ON TABLE t IS 'x';"
         " COMMENT ON COLUMN t.v IS 'cv'; GRANT SELECT ON t TO PUBLIC; INSERT INTO t VALUES (1, 'a'), (2, 'b')",
         "CREATE TABLE t2 (id int, v text); CREATE INDEX t2_v_idx ON t2 (v); COMMENT ON TABLE t2 IS 'x';"
         " COMMENT ON COLUMN t2.v IS 'cv'; GRANT SELECT ON t2 TO PUBLIC",
         renames={"public.t": "t2"}, kept=(("SELECT id FROM t2 ORDER BY 1", ROWS),)),
    Case("rename_table_referenced_by_foreign_key",
         "CREATE TABLE t (id int PRIMARY KEY); CREATE TABLE u (tid int REFERENCES t (id));"
         " INSERT INTO t VALUES (1), (2); INSERT INTO u VALUES (1), (2)",
         "CREATE TABLE t2 (id int PRIMARY KEY); CREATE TABLE u (tid int CONSTRAINT u_tid_fkey REFERENCES t2 (id))",
         renames={"public.t": "t2"},
         kept=(("SELECT id FROM t2 ORDER BY 1", ROWS), ("SELECT tid FROM u ORDER BY 1", ROWS))),
    Case("rename_table_under_a_view",
         "CREATE TABLE t (id int); CREATE VIEW v AS SELECT id FROM t; INSERT INTO t VALUES (1), (2)",
         "CREATE TABLE t2 (id int); CREATE VIEW v AS SELECT id FROM t2",
         renames={"public.t": "t2"}, kept=(("SELECT id FROM v ORDER BY 1", ROWS),)),
    Case("rename_table_and_its_column",
         "CREATE TABLE t (a int NOT NULL); INSERT INTO t VALUES (1), (2)",
         "CREATE TABLE t2 (b int NOT NULL)", renames={"public.t": "t2", "public.t.a": "b"},
         kept=(("SELECT b FROM t2 ORDER BY 1", ROWS),)),
    Case("swap_tables",
         "CREATE TABLE t1 (a int); CREATE TABLE t2 (b text); INSERT INTO t1 VALUES (1), (2)",
         "CREATE TABLE t2 (a int); CREATE TABLE t1 (b text)", renames={"public.t1": "t2", "public.t2": "t1"},
         kept=(("SELECT a FROM t2 ORDER BY 1", ROWS),)),
    # -- columns --------------------------------------------------------------------------
    Case("rename_column", "CREATE TABLE t (a int DEFAULT 0 NOT NULL, z text); INSERT INTO t VALUES (1), (2)",
         "CREATE TABLE t (b int DEFAULT 0 NOT NULL, z text)", renames={"public.t.a": "b"},
         kept=(("SELECT b FROM t ORDER BY 1", ROWS),)),
    Case("rename_column_and_change_its_type", "CREATE TABLE t (a int); INSERT INTO t VALUES (1), (2)",
         "CREATE TABLE t (b bigint)", renames={"public.t.a": "b"}, kept=(("SELECT b FROM t ORDER BY 1", ROWS),)),
    Case("rename_column_with_check", "CREATE TABLE t (a int CHECK (a > 0)); INSERT INTO t VALUES (1), (2)",
         "CREATE TABLE t (b int CHECK (b > 0))", renames={"public.t.a": "b"},
         kept=(("SELECT b FROM t ORDER BY 1", ROWS),)),
    Case("rename_column_with_named_index",
         "CREATE TABLE t (a int, c int); CREATE INDEX ix ON t (a, c); INSERT INTO t VALUES (1), (2)",
         "CREATE TABLE t (b int, c int); CREATE INDEX ix ON t (b, c)", renames={"public.t.a": "b"},
         kept=(("SELECT b FROM t ORDER BY 1", ROWS),)),
    Case("rename_column_with_unique", "CREATE TABLE t (a int UNIQUE); INSERT INTO t VALUES (1), (2)",
         "CREATE TABLE t (b int UNIQUE)", renames={"public.t.a": "b"}, kept=(("SELECT b FROM t ORDER BY 1", ROWS),)),
    Case("rename_referenced_column",
         "CREATE TABLE t (id int PRIMARY KEY); CREATE TABLE u (tid int REFERENCES t (id));"
         " INSERT INTO t VALUES (1), (2); INSERT INTO u VALUES (2)",
         "CREATE TABLE t (key int CONSTRAINT t_pkey PRIMARY KEY);"
         " CREATE TABLE u (tid int CONSTRAINT u_tid_fkey REFERENCES t (key))",
         renames={"public.t.id": "key"}, kept=(("SELECT key FROM t ORDER BY 1", ROWS),)),
    Case("rename_foreign_key_column",
         "CREATE TABLE t (id int PRIMARY KEY); CREATE TABLE u (tid int REFERENCES t (id));"
         " INSERT INTO t VALUES (1), (2); INSERT INTO u VALUES (1), (2)",
         "CREATE TABLE t (id int PRIMARY KEY); CREATE TABLE u (t_id int REFERENCES t (id))",
         renames={"public.u.tid": "t_id"}, kept=(("SELECT t_id FROM u ORDER BY 1", ROWS),)),
    Case("rename_column_with_comment_and_column_grant",
         "CREATE TABLE t (a int); COMMENT ON COLUMN t.a IS 'the a'; GRANT SELECT (a) ON t TO PUBLIC;"
         " INSERT INTO t VALUES (1), (2)",
         "CREATE TABLE t (b int); COMMENT ON COLUMN t.b IS 'the a'; GRANT SELECT (b) ON t TO PUBLIC",
         renames={"public.t.a": "b"}, kept=(("SELECT b FROM t ORDER BY 1", ROWS),)),
    Case("rename_column_under_a_view",
         "CREATE TABLE t (a int); CREATE VIEW v AS SELECT a FROM t; INSERT INTO t VALUES (1), (2)",
         "CREATE TABLE t (b int); CREATE VIEW v AS SELECT b FROM t", renames={"public.t.a": "b"},
         kept=(("SELECT b FROM v ORDER BY 1", ROWS),)),
    Case("rename_column_used_by_generated_column",
         "CREATE TABLE t (a int, g int GENERATED ALWAYS AS (a * 2) STORED); INSERT INTO t (a) VALUES (1), (2)",
         "CREATE TABLE t (b int, g int GENERATED ALWAYS AS (b * 2) STORED)", renames={"public.t.a": "b"},
         kept=(("SELECT b FROM t ORDER BY 1", ROWS),)),
    Case("rename_column_under_a_policy_and_trigger",
         "CREATE TABLE t (a int); ALTER TABLE t ENABLE ROW LEVEL SECURITY;"
         " CREATE POLICY p ON t USING (a > 0);"
         " CREATE FUNCTION trg() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;"
         " CREATE TRIGGER tr BEFORE UPDATE OF a ON t FOR EACH ROW EXECUTE FUNCTION trg();"
         " INSERT INTO t VALUES (1), (2)",
         "CREATE TABLE t (b int); ALTER TABLE t ENABLE ROW LEVEL SECURITY;"
         " CREATE POLICY p ON t USING (b > 0);"
         " CREATE FUNCTION trg() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;"
         " CREATE TRIGGER tr BEFORE UPDATE OF b ON t FOR EACH ROW EXECUTE FUNCTION trg()",
         renames={"public.t.a": "b"}, kept=(("SELECT b FROM t ORDER BY 1", ROWS),)),
    Case("swap_columns", "CREATE TABLE t (a int, b int); INSERT INTO t VALUES (1, 10), (2, 20)",
         "CREATE TABLE t (b int, a int)", renames={"public.t.a": "b", "public.t.b": "a"},
         kept=(("SELECT b, a FROM t ORDER BY 1", ((1, 10), (2, 20))),)),
    Case("rename_columns_in_a_chain", "CREATE TABLE t (a int, b text); INSERT INTO t VALUES (1, 'x'), (2, 'y')",
         "CREATE TABLE t (b int, c text)", renames={"public.t.a": "b", "public.t.b": "c"},
         kept=(("SELECT b, c FROM t ORDER BY 1", ((1, "x"), (2, "y"))),)),
    # -- other objects ----------------------------------------------------------------------
    Case("rename_index", "CREATE TABLE t (a int); CREATE INDEX ix_old ON t (a); COMMENT ON INDEX ix_old IS 'i'",
         "CREATE TABLE t (a int); CREATE INDEX ix_new ON t (a); COMMENT ON INDEX ix_new IS 'i'",
         renames={"public.ix_old": "ix_new"}),
    Case("rename_constraint", "CREATE TABLE t (a int CONSTRAINT c_old CHECK (a > 0)); INSERT INTO t VALUES (1), (2)",
         "CREATE TABLE t (a int CONSTRAINT c_new CHECK (a > 0))", renames={"public.t.c_old": "c_new"},
         kept=(("SELECT a FROM t ORDER BY 1", ROWS),)),
    Case("rename_primary_key", "CREATE TABLE t (a int CONSTRAINT pk_old PRIMARY KEY); INSERT INTO t VALUES (1), (2)",
         "CREATE TABLE t (a int CONSTRAINT pk_new PRIMARY KEY)", renames={"public.t.pk_old": "pk_new"},
         kept=(("SELECT a FROM t ORDER BY 1", ROWS),)),
    Case("rename_view", "CREATE TABLE t (a int); CREATE VIEW v1 AS SELECT a FROM t; GRANT SELECT ON v1 TO PUBLIC",
         "CREATE TABLE t (a int); CREATE VIEW v2 AS SELECT a FROM t; GRANT SELECT ON v2 TO PUBLIC",
         renames={"public.v1": "v2"}),
    Case("rename_materialized_view",
         "CREATE TABLE t (a int); INSERT INTO t VALUES (1), (2); CREATE MATERIALIZED VIEW m1 AS SELECT a FROM t",
         "CREATE TABLE t (a int); CREATE MATERIALIZED VIEW m2 AS SELECT a FROM t",
         renames={"public.m1": "m2"}, kept=(("SELECT a FROM m2 ORDER BY 1", ROWS),)),
    Case("rename_function_used_by_a_default",
         "CREATE FUNCTION f1() RETURNS int LANGUAGE sql AS 'SELECT 1';"
         " CREATE TABLE t (a int DEFAULT f1()); COMMENT ON FUNCTION f1() IS 'one'",
         "CREATE FUNCTION f2() RETURNS int LANGUAGE sql AS 'SELECT 1';"
         " CREATE TABLE t (a int DEFAULT f2()); COMMENT ON FUNCTION f2() IS 'one'",
         renames={"public.f1": "f2"}),
    Case("rename_sequence_used_by_a_default",
         "CREATE SEQUENCE s1; CREATE TABLE t (a bigint DEFAULT nextval('s1')); INSERT INTO t DEFAULT VALUES",
         "CREATE SEQUENCE s2; CREATE TABLE t (a bigint DEFAULT nextval('s2')); SELECT setval('s2', 1)",
         renames={"public.s1": "s2"}, kept=(("SELECT a FROM t", ((1,),)),)),
    Case("rename_column_of_a_partitioned_table",
         "CREATE TABLE t (a int, k int) PARTITION BY RANGE (k); CREATE TABLE t1 PARTITION OF t FOR VALUES FROM (0) TO (10);"
         " INSERT INTO t VALUES (1, 1), (2, 2)",
         "CREATE TABLE t (b int, k int) PARTITION BY RANGE (k); CREATE TABLE t1 PARTITION OF t FOR VALUES FROM (0) TO (10)",
         renames={"public.t.a": "b"}, kept=(("SELECT b FROM t ORDER BY 1", ROWS),)),
    Case("rename_table_with_identity_column",
         "CREATE TABLE t (id int GENERATED ALWAYS AS IDENTITY, v text); INSERT INTO t (v) VALUES ('a'), ('b')",
         "CREATE TABLE t2 (id int GENERATED ALWAYS AS IDENTITY, v text)",
         renames={"public.t": "t2"}, kept=(("SELECT id FROM t2 ORDER BY 1", ROWS),)),
    Case("rename_identity_primary_key_column",
         "CREATE TABLE t (id int GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY); INSERT INTO t VALUES (1), (2)",
         "CREATE TABLE t (key int GENERATED BY DEFAULT AS IDENTITY CONSTRAINT t_pkey PRIMARY KEY)",
         renames={"public.t.id": "key"}, kept=(("SELECT key FROM t ORDER BY 1", ROWS),)),
    Case("rename_partitioned_table",
         "CREATE TABLE t (k int) PARTITION BY RANGE (k); CREATE TABLE t_p1 PARTITION OF t FOR VALUES FROM (0) TO (10);"
         " INSERT INTO t VALUES (1), (2)",
         "CREATE TABLE t2 (k int) PARTITION BY RANGE (k);"
         " CREATE TABLE t_p1 PARTITION OF t2 FOR VALUES FROM (0) TO (10)",
         renames={"public.t": "t2"}, kept=(("SELECT k FROM t2 ORDER BY 1", ROWS),)),
    Case("rename_view_under_a_view",
         "CREATE TABLE t (a int); CREATE VIEW v1 AS SELECT a FROM t; CREATE VIEW w AS SELECT a FROM v1",
         "CREATE TABLE t (a int); CREATE VIEW v2 AS SELECT a FROM t; CREATE VIEW w AS SELECT a FROM v2",
         renames={"public.v1": "v2"}),
]


@pytest.mark.parametrize(("case", "server"), case_params(CASES))
def test_roundtrip_renames(db_on: Callable[..., str], servers: dict[str, tuple[str, int]], case: Case,
                           server: str) -> None:
    run_case(db_on, servers, case, server)
