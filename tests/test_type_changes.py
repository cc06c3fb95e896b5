"""Column type changes the server has no cast for: the statement waits for a USING expression
(hazard ``needs_using``), never runs, and holds back what waits for it; ``--using`` (and
``using = {...}`` per group) supplies the expression. The cast paths come from the server the
plan runs on, user-defined casts included."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import psycopg
import pytest
from click.testing import CliRunner
from fleetdata import two_target_fleet
from test_cli import assert_one_line_error

from trueup.api import diff_models
from trueup.cli.main import cli
from trueup.config import ApplySettings, ConfigError, load_config
from trueup.engines.interface.generators import DiffOptions
from trueup.engines.interface.sql import Hazard, stmt
from trueup.engines.interface.using import UsingError, format_path, parse_using
from trueup.engines.postgres import ENGINE
from trueup.engines.postgres.fleet_ops.fingerprint import fingerprint
from trueup.fleet.apply import apply_target
from trueup.fleet.targets import Target
from trueup.model import Schema
from trueup.plan.policy import may_run
from trueup.plan.script import Plan

PLACEHOLDER = "/* trueup: needs a USING expression */"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def scalar(url: str, sql: str) -> Any:
    with psycopg.connect(url) as conn:
        row = conn.execute(sql).fetchone()  # type: ignore[arg-type]
    return row[0] if row else None


def column_type(url: str, table: str = "public.t", column: str = "c") -> str:
    return str(scalar(url, f"SELECT format_type(atttypid, atttypmod) FROM pg_attribute "
                           f"WHERE attrelid = '{table}'::regclass AND attname = '{column}'"))


def plan_of(make_db: Callable[..., str], old: str, new: str, **using: str) -> tuple[str, Plan]:
    with ThreadPoolExecutor(2) as pool:
        urls = list(pool.map(make_db, (old, new)))
        models = list(pool.map(ENGINE.inspect, urls))
    options = DiffOptions(using={tuple(k.split(".")): v for k, v in using.items()})
    return urls[0], diff_models(models[0], models[1], options)


# -- no cast path, no USING: the statement is commented out and nothing that waits for it runs --
NO_PATH = [
    ("bigint_to_timestamp", "CREATE TABLE t (c bigint DEFAULT 0); INSERT INTO t VALUES (1700000000)",
     "CREATE TABLE t (c timestamp DEFAULT now())", "bigint"),
    ("bigint_to_timestamptz", "CREATE TABLE t (c bigint); INSERT INTO t VALUES (1700000000)",
     "CREATE TABLE t (c timestamptz)", "bigint"),
    ("timestamp_to_bigint", "CREATE TABLE t (c timestamp); INSERT INTO t VALUES (now())",
     "CREATE TABLE t (c bigint)", "timestamp without time zone"),
    ("bigint_to_boolean", "CREATE TABLE t (c bigint); INSERT INTO t VALUES (1)",
     "CREATE TABLE t (c boolean)", "bigint"),
    ("int_to_enum", "CREATE TABLE t (c int); INSERT INTO t VALUES (1)",
     "CREATE TYPE e AS ENUM ('a'); CREATE TABLE t (c e)", "integer"),
    ("enum_to_other_enum_with_default",
     "CREATE TYPE e1 AS ENUM ('a', 'b'); CREATE TYPE e2 AS ENUM ('a', 'b');"
     " CREATE TABLE t (c e1 DEFAULT 'a'); INSERT INTO t VALUES ('b')",
     "CREATE TYPE e1 AS ENUM ('a', 'b'); CREATE TYPE e2 AS ENUM ('a', 'b'); CREATE TABLE t (c e2 DEFAULT 'b')",
     "e1"),
    ("enum_replaced_by_other_enum_under_a_view",
     "CREATE TYPE e1 AS ENUM ('a', 'b'); CREATE TABLE t (c e1 DEFAULT 'a'); INSERT INTO t VALUES ('b');"
     " CREATE VIEW v AS SELECT c FROM t",
     "CREATE TYPE e2 AS ENUM ('a', 'b'); CREATE TABLE t (c e2 DEFAULT 'a'); CREATE VIEW v AS SELECT c FROM t",
     "e1"),
    ("enum_array_to_other_enum_array",
     "CREATE TYPE e1 AS ENUM ('a'); CREATE TYPE e2 AS ENUM ('a'); CREATE TABLE t (c e1[] DEFAULT '{a}')",
     "CREATE TYPE e1 AS ENUM ('a'); CREATE TYPE e2 AS ENUM ('a'); CREATE TABLE t (c e2[])",
     "e1[]"),
]


@pytest.mark.parametrize(("old", "new", "before"), [c[1:] for c in NO_PATH], ids=[c[0] for c in NO_PATH])
def test_no_cast_path_waits_for_using_and_nothing_runs(make_db: Callable[..., str], old: str, new: str,
                                                       before: str) -> None:
    old_url, plan = plan_of(make_db, old, new)
    assert plan.waiting_for_using() == [("public", "t", "c")]
    script = plan.to_sql(allow_destructive=True)
    waiting = [s for s in plan.all_statements() if PLACEHOLDER in s.sql]
    assert len(waiting) == 1 and waiting[0].hazards[0] == Hazard.NEEDS_USING
    assert "--using public.t.c=EXPRESSION" in waiting[0].notes[0]
    # commented out, under its hazard, whatever --allow-destructive says
    assert re.search(r"-- hazard: needs_using: PostgreSQL has no cast from .*\n(-- .*\n)*-- skipped: needs a USING "
                     r"expression.*\n-- ALTER TABLE public\.t ALTER COLUMN c TYPE .* USING /\* trueup: needs a USING "
                     r"expression \*/ c::", script), script
    assert not [ln for ln in script.splitlines() if PLACEHOLDER in ln and not ln.startswith("-- ")]
    # what runs does not fail, and leaves the column (its type, its default) as it was
    default = scalar(old_url, "SELECT pg_get_expr(adbin, adrelid) FROM pg_attrdef WHERE adrelid = 't'::regclass")
    runnable = plan.preamble_statements() + plan.statements(allow_destructive=True)
    assert not any(s.needs_using for s in runnable)
    if runnable:
        out = apply_target(Target("t", "t", old_url), runnable, settings=ApplySettings(), allow_destructive=True)
        assert out.status == "applied", out.error
    assert column_type(old_url) == before
    assert scalar(old_url, "SELECT pg_get_expr(adbin, adrelid) FROM pg_attrdef WHERE adrelid = 't'::regclass") == default


def test_a_user_defined_cast_on_the_server_makes_a_path(make_db: Callable[..., str]) -> None:
    func = ("CREATE FUNCTION public.secs(bigint) RETURNS timestamptz LANGUAGE sql IMMUTABLE"
            " AS $$ SELECT to_timestamp($1) $$;")
    cast = "CREATE CAST (bigint AS timestamptz) WITH FUNCTION public.secs(bigint);"
    table_old, table_new = "CREATE TABLE t (c bigint);", "CREATE TABLE t (c timestamptz);"
    _, without = plan_of(make_db, func + table_old, func + table_new)
    assert without.waiting_for_using() == [("public", "t", "c")]
    # the server the plan runs on (the old side) has the cast: the plain statement is runnable
    _, with_cast = plan_of(make_db, func + cast + table_old, func + table_new)
    assert with_cast.waiting_for_using() == []
    assert "ALTER TABLE public.t ALTER COLUMN c TYPE timestamp with time zone USING c::timestamp with time zone" \
        in with_cast.to_sql(True)


def test_a_model_without_the_facts_is_planned_as_before(make_db: Callable[..., str]) -> None:
    """A snapshot of an earlier trueup holds no facts about casts: ``c::new``, as it was."""
    old = ENGINE.inspect(make_db("CREATE TABLE t (c bigint)"))
    new = ENGINE.inspect(make_db("CREATE TABLE t (c timestamptz)"))
    assert diff_models(old, new).waiting_for_using() == [("public", "t", "c")]
    bare = Schema(old.engine, old.objects, old.server_version, {})
    plan = diff_models(bare, new)
    assert plan.waiting_for_using() == [] and PLACEHOLDER not in plan.to_sql(True)


def test_the_user_expression_is_used_as_given(make_db: Callable[..., str]) -> None:
    old_url, plan = plan_of(make_db, "CREATE TABLE t (c bigint); INSERT INTO t VALUES (1700000000)",
                            "CREATE TABLE t (c timestamptz)", **{"public.t.c": "to_timestamp(c)"})
    assert plan.waiting_for_using() == [] and plan.retyped == {("public", "t", "c"): False}
    assert "ALTER TABLE public.t ALTER COLUMN c TYPE timestamp with time zone USING to_timestamp(c)" \
        in plan.to_sql(True)
    out = apply_target(Target("t", "t", old_url), plan.statements(True), settings=ApplySettings(),
                       allow_destructive=True)
    assert out.status == "applied", out.error
    assert scalar(old_url, "SELECT extract(epoch FROM c)::bigint FROM t") == 1700000000


def test_the_policy_never_runs_it() -> None:
    s = stmt("ALTER TABLE t ALTER COLUMN c TYPE x USING c::x", (Hazard.NEEDS_USING, "no cast"))
    assert not may_run(s, False) and not may_run(s, True)
    held = stmt("ALTER TABLE t ALTER COLUMN c SET DEFAULT 1").held_back("waits")
    assert held.needs_using and not may_run(held, True) and held.notes[0] == "waits"


def test_apply_refuses_it_whatever_it_is_given(make_db: Callable[..., str]) -> None:
    url = make_db("CREATE TABLE t (c bigint)")
    s = stmt(f"ALTER TABLE t ALTER COLUMN c TYPE timestamptz USING {PLACEHOLDER} c::timestamptz",
             (Hazard.NEEDS_USING, "no cast"))
    out = apply_target(Target("t", "t", url), [s], settings=ApplySettings(), allow_destructive=True)
    assert out.status == "failed" and "waits for a USING expression" in (out.error or "")
    assert column_type(url) == "bigint"


# -- the user's expressions: their form ------------------------------------------------------
@pytest.mark.parametrize(("text", "path", "expression"), [
    ("public.t.c=to_timestamp(c)", ("public", "t", "c"), "to_timestamp(c)"),
    ('"my.app"."T".c = c = 1', ("my.app", "T", "c"), "c = 1"),
    ('s."a ""q"" b".c=x', ("s", 'a "q" b', "c"), "x"),
])
def test_using_forms(text: str, path: tuple[str, ...], expression: str) -> None:
    assert parse_using(text) == (path, expression)
    assert parse_using(f"{format_path(path)}={expression}") == (path, expression)


@pytest.mark.parametrize("text", ["public.t.c", "t.c=x", "public.t.c=", "a.b.c.d=x", '"unclosed.t.c=x', "=x"])
def test_malformed_using_is_an_error_naming_it(text: str) -> None:
    with pytest.raises(UsingError) as err:
        parse_using(text)
    assert repr(text) in err.value.message and "SCHEMA.TABLE.COLUMN=EXPRESSION" in err.value.message


# -- trueup diff -------------------------------------------------------------------------------
OLD = "CREATE TABLE t (id int, c bigint DEFAULT 0); INSERT INTO t VALUES (1, 1700000000)"
NEW = "CREATE TABLE t (id int, c timestamptz DEFAULT now(), d text)"


def test_diff_exits_3_while_a_using_is_missing(make_db: Callable[..., str]) -> None:
    old, new = make_db(OLD), make_db(NEW)
    code, out, err = run("diff", old, new, "--allow-destructive")
    assert code == 3
    assert "-- hazard: needs_using" in out and f"USING {PLACEHOLDER} c::timestamp with time zone;" in out
    assert "\nALTER TABLE public.t ADD COLUMN d text;" in out  # the rest is there, runnable
    assert "wait for a USING expression" in err and "public.t.c" in err and "--using" in err
    # the script as printed runs, and leaves the column alone
    with psycopg.connect(old, autocommit=True) as conn:
        conn.execute(out)  # type: ignore[arg-type]
    assert column_type(old) == "bigint"
    assert scalar(old, "SELECT c FROM t") == 1700000000

    code, out, err = run("diff", old, new, "--format", "json")
    assert code == 3
    change = next(c for c in json.loads(out)["changes"] if c["name"] == "public.t.c")
    assert change["skipped"] is True and change["hazards"][0] == "needs_using"

    code, out, err = run("diff", old, new, "--using", "public.t.c=to_timestamp(c)")
    assert code == 3 and "destructive" in err and "USING expression" not in err  # converting may lose data
    code, out, err = run("diff", old, new, "--using", "public.t.c=to_timestamp(c)", "--allow-destructive")
    assert code == 1, err
    assert "ALTER TABLE public.t ALTER COLUMN c TYPE timestamp with time zone USING to_timestamp(c);" in out
    with psycopg.connect(old, autocommit=True) as conn:
        conn.execute(out)  # type: ignore[arg-type]
    assert run("diff", old, new)[0] == 0


def test_diff_using_errors(make_db: Callable[..., str]) -> None:
    old, new = make_db(OLD), make_db(NEW)
    code, out, err = run("diff", old, new, "--using", "public.t.c")
    assert code == 2 and out == ""
    assert_one_line_error(err, "'public.t.c'", "SCHEMA.TABLE.COLUMN=EXPRESSION")
    code, out, err = run("diff", old, new, "--using", "public.t.id=id::text")
    assert code == 2 and out == ""
    assert_one_line_error(err, "--using public.t.id", "does not change the type", "public.t.c")
    code, out, err = run("diff", old, new, "--using", "public.t.c=a", "--using", "public.t.c=b")
    assert code == 2
    assert_one_line_error(err, "public.t.c twice")


# -- the fleet: using = {...} per group, --using on plan and apply, audit findings -------------
DESIRED = "CREATE TABLE events (id int PRIMARY KEY, at timestamptz, note text);"


def _fleet(make_db: Callable[..., str], pg_url: str, tmp_path: Path, extra: str = "") -> tuple[Path, list[str]]:
    made: tuple[Path, list[str]] = two_target_fleet(make_db, pg_url, tmp_path, DESIRED, extra=extra)
    return made


def test_audit_and_plan_show_it_and_apply_leaves_it_out(make_db: Callable[..., str], pg_url: str,
                                                       tmp_path: Path) -> None:
    cfg, targets = _fleet(make_db, pg_url, tmp_path)
    code, out, _ = run("audit", "-c", str(cfg), "--format", "json")
    assert code == 1
    found = {f["object"]: f for f in json.loads(out)["databases"][0]["findings"]}
    fix = found["public.events.at"]["fix"]
    assert found["public.events.at"]["hazards"][0] == "needs_using"
    assert "-- skipped: needs a USING expression" in fix and f"-- ALTER TABLE public.events ALTER COLUMN at TYPE " \
        f"timestamp with time zone USING {PLACEHOLDER} at::timestamp with time zone;" in fix

    code, out, _ = run("plan", "-c", str(cfg))
    assert code == 1
    assert "2 targets: same 1 statement(s), 1 waiting for a USING expression" in out
    assert f"USING {PLACEHOLDER}" in out
    assert all(ln.startswith("-- ") for ln in out.splitlines() if PLACEHOLDER in ln)
    assert "--using SCHEMA.TABLE.COLUMN=EXPRESSION" in out

    code, out, _ = run("plan", "-c", str(cfg), "--format", "json")
    saved = json.loads(out)["plans"][0]
    assert [s["hazards"][0] for s in saved["skipped"]] == ["needs_using"]
    assert [s["sql"] for s in saved["statements"]] == ["ALTER TABLE public.events ADD COLUMN note text"]

    code, out, err = run("apply", "-c", str(cfg), "--yes", "--allow-destructive")
    assert code == 1, out + err  # the column still differs
    assert "1 statement(s) skipped (1 waiting for a USING expression)" in out
    for url in targets:
        assert column_type(url, "public.events", "at") == "bigint"
        assert column_type(url, "public.events", "note") == "text"


def test_a_saved_plan_edited_to_run_it_still_leaves_it_out(make_db: Callable[..., str], pg_url: str,
                                                           tmp_path: Path) -> None:
    cfg, targets = _fleet(make_db, pg_url, tmp_path)
    code, out, _ = run("plan", "-c", str(cfg), "--format", "json")
    data = json.loads(out)
    data["plans"][0]["statements"] += data["plans"][0].pop("skipped")
    data["plans"][0]["skipped"] = []
    (tmp_path / "plan.json").write_text(json.dumps(data))
    code, out, err = run("apply", "-c", str(cfg), "--plan", str(tmp_path / "plan.json"), "--yes",
                         "--allow-destructive")
    assert code == 1, out + err  # the policy, asked again, leaves it out: the column still differs
    assert "1 statement(s) skipped (1 waiting for a USING expression)" in out
    assert all(column_type(url, "public.events", "at") == "bigint" for url in targets)
    code, _, err = run("apply", "-c", str(cfg), "--plan", str(tmp_path / "plan.json"), "--using", "public.events.at=x")
    assert code == 2
    assert_one_line_error(err, "--using does not change a saved plan")


def test_using_on_plan_and_apply_command_lines(make_db: Callable[..., str], pg_url: str, tmp_path: Path) -> None:
    cfg, targets = _fleet(make_db, pg_url, tmp_path)
    given = "public.events.at=to_timestamp(at)"
    code, out, _ = run("plan", "-c", str(cfg), "--format", "sql", "--allow-destructive", "--using", given)
    assert code == 1
    assert "ALTER TABLE public.events ALTER COLUMN at TYPE timestamp with time zone USING to_timestamp(at);" in out
    code, out, err = run("plan", "-c", str(cfg), "--using", given, "--using", "public.events.id=id::text")
    assert code == 1
    assert "warning: --using public.events.id: no plan changes the type of that column" in err
    code, out, err = run("apply", "-c", str(cfg), "--yes", "--allow-destructive", "--using", given)
    assert code == 0, out + err
    for url in targets:
        assert scalar(url, "SELECT extract(epoch FROM at)::bigint FROM events") == 1700000000


def test_using_in_the_config(make_db: Callable[..., str], pg_url: str, tmp_path: Path) -> None:
    cfg, targets = _fleet(make_db, pg_url, tmp_path, 'using = { "public.events.at" = "to_timestamp(at)" }\n')
    code, out, _ = run("audit", "-c", str(cfg), "--format", "json")
    fix = {f["object"]: f for f in json.loads(out)["databases"][0]["findings"]}["public.events.at"]["fix"]
    assert "USING to_timestamp(at);" in fix and PLACEHOLDER not in fix
    code, out, err = run("apply", "-c", str(cfg), "--yes", "--allow-destructive")
    assert code == 0, out + err
    assert all(column_type(url, "public.events", "at") == "timestamp with time zone" for url in targets)
    # once converted, the entry stays in the config harmlessly
    assert run("audit", "-c", str(cfg))[0] == 0


@pytest.mark.parametrize(("entry", "needle"), [
    ('using = { "events.at" = "x" }', "'events.at' is not a column path"),
    ('using = { "public.events.at" = " " }', "'public.events.at' has an empty expression"),
    ('using = { "public.events.at" = 1 }', "groups.app.using.public.events.at"),
])
def test_config_using_errors_name_the_key(make_db: Callable[..., str], pg_url: str, tmp_path: Path, entry: str,
                                          needle: str) -> None:
    cfg, _ = _fleet(make_db, pg_url, tmp_path, entry + "\n")
    with pytest.raises(ConfigError) as err:
        load_config(cfg)
    assert needle in err.value.message and "groups.app.using" in err.value.message
    code, _, stderr = run("audit", "-c", str(cfg))
    assert code == 2
    assert_one_line_error(stderr, needle)


def test_schema_per_tenant_names_the_template_schemas_column(make_db: Callable[..., str], pg_url: str,
                                                             tmp_path: Path) -> None:
    (tmp_path / "desired.sql").write_text("CREATE SCHEMA tmpl; CREATE TABLE tmpl.events (at timestamptz);")
    url = make_db("".join(f"CREATE SCHEMA {s}; CREATE TABLE {s}.events (at bigint);"
                          f" INSERT INTO {s}.events VALUES (1700000000);" for s in ("tenant_a", "tenant_b")))
    cfg = tmp_path / "trueup.toml"
    cfg.write_text(f'[scratch]\nurl = "{pg_url}"\n\n[groups.tenants]\ndesired = "desired.sql"\n'
                   f'discover = {{ server = "{url}", schemas = "tenant_%", template_schema = "tmpl" }}\n'
                   'using = { "tmpl.events.at" = "to_timestamp(at)" }\n')
    code, out, err = run("plan", "-c", str(cfg), "--format", "sql", "--allow-destructive")
    assert code == 1, err
    for s in ("tenant_a", "tenant_b"):
        assert f"ALTER TABLE {s}.events ALTER COLUMN at TYPE timestamp with time zone USING to_timestamp(at);" in out
    code, out, err = run("apply", "-c", str(cfg), "--yes", "--allow-destructive")
    assert code == 0, out + err
    assert column_type(url, "tenant_b.events", "at") == "timestamp with time zone"


def test_a_user_defined_cast_changes_the_fingerprint(make_db: Callable[..., str]) -> None:
    url = make_db("CREATE FUNCTION public.secs(bigint) RETURNS timestamptz LANGUAGE sql IMMUTABLE"
                  " AS $$ SELECT to_timestamp($1) $$; CREATE TABLE t (c bigint)")
    with psycopg.connect(url, autocommit=True) as conn:
        before = fingerprint(conn)
        conn.execute("CREATE CAST (bigint AS timestamptz) WITH FUNCTION public.secs(bigint)")
        assert fingerprint(conn) != before
        conn.execute("DROP CAST (bigint AS timestamptz)")
        assert fingerprint(conn) == before


def test_the_facts_travel_with_snapshots_and_tenant_moves(make_db: Callable[..., str], tmp_path: Path) -> None:
    url = make_db("CREATE SCHEMA tmpl; CREATE TYPE tmpl.e AS ENUM ('a'); CREATE TABLE tmpl.t (c tmpl.e[], v varchar(5))")
    model = ENGINE.inspect(url)
    rows = model.meta["pg_types"]
    assert ["character varying(5)", "character varying", None, None, None, None] in rows
    assert any(r[0] == "tmpl.e[]" and r[2] == "A" and r[3] == "tmpl.e" for r in rows)
    moved = ENGINE.rename_schema(model, "tmpl", "tenant_a")
    assert any(r[0] == "tenant_a.e[]" and r[3] == "tenant_a.e" for r in moved.meta["pg_types"])
    (tmp_path / "snap.json").write_text(json.dumps(model.to_json()))
    code, _, err = run("diff", str(tmp_path / "snap.json"), url)
    assert code == 0, err
