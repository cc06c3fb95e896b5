"""Identity options changed in an order the server accepts (the round trips of part C show
the orders that work); a sequence that has already gone past a new bound is never moved back."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import psycopg

from trueup.api import diff_models
from trueup.config import ApplySettings
from trueup.engines.postgres import ENGINE
from trueup.fleet.apply import apply_target
from trueup.fleet.targets import Target


def _position(url: str) -> tuple[int, bool]:
    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT last_value, is_called FROM t_id_seq").fetchone()
    assert row is not None
    return int(row[0]), bool(row[1])


def test_a_sequence_past_the_new_bound_fails_and_is_left_as_it_was(make_db: Callable[..., str]) -> None:
    old = make_db("CREATE TABLE t (id int GENERATED ALWAYS AS IDENTITY);"
                  " INSERT INTO t SELECT FROM generate_series(1, 5)")
    new = make_db("CREATE TABLE t (id int GENERATED ALWAYS AS IDENTITY (MINVALUE 2 MAXVALUE 3 START WITH 2))")
    with ThreadPoolExecutor(2) as pool:
        before, after = pool.map(ENGINE.inspect, (old, new))
    plan = diff_models(before, after)
    sql = [s.sql for s in plan.all_statements()]
    assert sql == [
        "ALTER TABLE public.t ALTER COLUMN id SET START WITH 2",
        "SELECT setval('public.t_id_seq', 2, false) FROM public.t_id_seq WHERE last_value < 2 OR "
        "NOT is_called AND last_value = 1 AND (last_value < 2 OR last_value > 3)",
        "ALTER TABLE public.t ALTER COLUMN id SET MINVALUE 2 SET MAXVALUE 3",
    ]
    assert "gone past the new bounds" in plan.all_statements()[-1].notes[0]
    out = apply_target(Target("t", "t", old), plan.statements(True), settings=ApplySettings(), allow_destructive=True)
    assert out.status == "failed" and "cannot be greater than MAXVALUE (3)" in (out.error or "")
    assert _position(old) == (5, True)  # values 1 to 5 were issued: it is not moved back to issue them again


def test_behind_the_new_bounds_it_moves_forward_and_a_rollback_undoes_it(make_db: Callable[..., str]) -> None:
    old = make_db("CREATE TABLE t (id int GENERATED ALWAYS AS IDENTITY); INSERT INTO t DEFAULT VALUES")
    new = make_db("CREATE TABLE t (id int GENERATED ALWAYS AS IDENTITY (MINVALUE 100 START WITH 100))")
    with ThreadPoolExecutor(2) as pool:
        before, after = pool.map(ENGINE.inspect, (old, new))
    plan = diff_models(before, after)
    statements = plan.statements(True)
    with psycopg.connect(old) as conn:  # the whole plan, then a failure: everything rolls back
        for s in statements:
            conn.execute(s.sql)  # type: ignore[arg-type]
        assert conn.execute("SELECT last_value, is_called FROM t_id_seq").fetchone() == (100, False)
        conn.rollback()
    assert _position(old) == (1, True)
    out = apply_target(Target("t", "t", old), statements, settings=ApplySettings(), allow_destructive=True)
    assert out.status == "applied", out.error
    with psycopg.connect(old, autocommit=True) as conn:
        assert conn.execute("INSERT INTO t DEFAULT VALUES RETURNING id").fetchone() == (100,)
