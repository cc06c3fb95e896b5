"""Plans for range types, collations, extended statistics and rules: what changes in place stays
in place, the values of columns whose collation or range type is recreated are kept, and a
collation-only column change is not taken for a data-losing retype."""

from __future__ import annotations

from collections.abc import Callable

import psycopg

from trueup.api import diff_models
from trueup.config import ApplySettings
from trueup.engines.interface.sql import Hazard
from trueup.engines.postgres import ENGINE
from trueup.fleet.apply import apply_target
from trueup.fleet.targets import Target
from trueup.plan.script import Plan

CC = "CREATE COLLATION cc (provider = libc, locale = 'C');\n"
CP = "CREATE COLLATION cc (provider = libc, locale = 'POSIX');\n"


def _plan(make_db: Callable[..., str], old: str, new: str) -> tuple[str, Plan]:
    old_url = make_db(old)
    return old_url, diff_models(ENGINE.inspect(old_url), ENGINE.inspect(make_db(new)))


def _apply(url: str, plan: Plan) -> None:
    outcome = apply_target(Target("kinds", "a", url), plan.preamble_statements() + plan.statements(True),
                           settings=ApplySettings(), allow_destructive=True)
    assert outcome.status == "applied", (outcome.error, plan.to_sql(True))


def test_a_collation_only_change_keeps_the_data_and_says_so(make_db: Callable[..., str]) -> None:
    _, plan = _plan(make_db, CC + "CREATE TABLE u (id int, name text);",
                    CC + "CREATE TABLE u (id int, name text COLLATE cc);")
    [st] = plan.statements(True)
    assert st.sql == "ALTER TABLE public.u ALTER COLUMN name TYPE text COLLATE public.cc USING name::text"
    assert st.hazards == (Hazard.BLOCKS_WRITES,) and not plan.destructive


def test_a_nondeterministic_collation_may_fail_a_unique_index(make_db: Callable[..., str]) -> None:
    ci = "CREATE COLLATION ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false);\n"
    try:
        _, plan = _plan(make_db, ci + "CREATE TABLE u (email text UNIQUE);",
                        ci + "CREATE TABLE u (email text COLLATE ci UNIQUE);")
    except psycopg.errors.FeatureNotSupported:  # a server built without ICU
        return
    [st] = plan.statements(True)
    assert set(st.hazards) == {Hazard.BLOCKS_WRITES, Hazard.MAY_FAIL} and not plan.destructive


def test_values_stay_while_their_collation_and_range_type_are_recreated(make_db: Callable[..., str]) -> None:
    fr = "CREATE TYPE floatrange AS RANGE (subtype = float8, subtype_diff = fdiff);\n"
    fdiff = "CREATE FUNCTION fdiff(float8, float8) RETURNS float8 LANGUAGE sql IMMUTABLE AS 'SELECT $1 - $2';\n"
    table = ("CREATE TYPE coderange AS RANGE (subtype = text, collation = cc);\n"
             "CREATE DOMAIN code AS text COLLATE cc CHECK (VALUE <> '');\n"
             "CREATE TYPE pair AS (k text COLLATE cc, v int);\n"
             "CREATE TABLE u (id int PRIMARY KEY, name text COLLATE cc, codes codemultirange, span floatrange,"
             " c code, p pair);\n")
    url, plan = _plan(make_db, CC + fdiff + "CREATE TYPE floatrange AS RANGE (subtype = float8);\n" + table
                      + "INSERT INTO u VALUES (1, 'b', '{[a,c)}', '[1.5,2)', 'x', ROW('k', 2));",
                      CP + fdiff + fr + table)
    sql = plan.to_sql(True)
    assert "DROP COLLATION public.cc" in sql and "DROP TYPE public.floatrange" in sql
    assert "DROP DOMAIN public.code" in sql and "DROP TYPE public.pair" in sql
    assert "DROP COLUMN" not in sql and "DROP TABLE" not in sql
    _apply(url, plan)
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT id, name, codes::text, span::text, c, p::text FROM u").fetchall() == [
            (1, "b", "{[a,c)}", "[1.5,2)", "x", "(k,2)")]
        assert conn.execute("SELECT collcollate FROM pg_collation WHERE collname = 'cc'").fetchone() == ("POSIX",)


def test_rules_and_statistics_targets_change_in_place(make_db: Callable[..., str]) -> None:
    base = "CREATE TABLE t (id int, a int, b int);\nCREATE STATISTICS t_ab ON a, b FROM t;\n"
    url, plan = _plan(make_db, base + "CREATE RULE t_no AS ON INSERT TO t WHERE NEW.a < 0 DO INSTEAD NOTHING;",
                      base + "ALTER STATISTICS t_ab SET STATISTICS 250;\n"
                      "CREATE RULE t_no AS ON INSERT TO t WHERE NEW.a < 10 DO INSTEAD NOTHING;\n"
                      "ALTER TABLE t DISABLE RULE t_no;")
    sql = [s.sql for s in plan.statements(True)]
    assert "ALTER STATISTICS public.t_ab SET STATISTICS 250" in sql
    assert any(s.startswith("CREATE OR REPLACE RULE t_no AS") for s in sql)
    assert "ALTER TABLE public.t DISABLE RULE t_no" in sql
    assert not any(s.startswith("DROP") for s in sql), sql
    _apply(url, plan)
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT ev_enabled FROM pg_rewrite WHERE rulename = 't_no'").fetchone() == ("D",)
        conn.execute("ALTER TABLE t ENABLE RULE t_no")
        conn.execute("INSERT INTO t VALUES (1, 5, 0)")  # under 10 now: the rule swallows it
        assert conn.execute("SELECT count(*) FROM t").fetchone() == (0,)
        target = conn.execute("SELECT stxstattarget FROM pg_statistic_ext WHERE stxname = 't_ab'").fetchone()
        assert target == (250,)
