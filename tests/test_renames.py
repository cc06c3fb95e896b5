"""Declared renames: ``--rename`` on diff, plan and apply, ``renames = {...}`` per group, and the
``-- trueup:renamed-from`` marker of ``.sql`` files become ``ALTER ... RENAME`` that keep the
data; a drop and an add of one type in one table without a declared rename is a
``possible_rename`` note in plans and the audit's findings (the drop stays destructive)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
import pytest
from click.testing import CliRunner
from fleetdata import two_target_fleet
from test_cli import assert_one_line_error

from trueup.api import diff_models
from trueup.cli.main import cli
from trueup.config import ConfigError, load_config
from trueup.engines.interface.generators import DiffOptions
from trueup.engines.interface.renames import Rename, RenameError, parse_rename, parse_renames
from trueup.engines.postgres import ENGINE
from trueup.engines.postgres.rename_markers import file_renames


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def rows(url: str, sql: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(url) as conn:
        return [tuple(r) for r in conn.execute(sql).fetchall()]  # type: ignore[arg-type]


def run_sql(url: str, sql: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql)  # type: ignore[arg-type]


# -- the forms -----------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "path", "new"), [
    ("public.t=t2", ("public", "t"), "t2"),
    ("public.t.a=b", ("public", "t", "a"), "b"),
    ('"my.s"."T".a="B c"', ("my.s", "T", "a"), "B c"),
])
def test_rename_forms(text: str, path: tuple[str, ...], new: str) -> None:
    assert parse_rename(text) == Rename(path, new)


@pytest.mark.parametrize("text", ["t=t2", "public.t", "public.t.a=", "a.b.c.d=e", "public.t=s.t2", "public.t=t",
                                  "=x"])
def test_malformed_rename_is_an_error_naming_it(text: str) -> None:
    with pytest.raises(RenameError) as err:
        parse_rename(text)
    assert repr(text) in err.value.message and err.value.hint


def test_one_object_renamed_twice_is_an_error() -> None:
    with pytest.raises(RenameError, match=r"public\.t twice"):
        parse_renames(["public.t=a", "public.t=b"])


# -- diff ------------------------------------------------------------------------------------
OLD = "CREATE TABLE t (id int, a int, note text); INSERT INTO t VALUES (1, 10, 'x'), (2, 20, 'y')"
NEW = "CREATE TABLE t (id int, b int, note text)"


def test_without_a_rename_a_drop_and_add_is_a_possible_rename(make_db: Callable[..., str]) -> None:
    old, new = make_db(OLD), make_db(NEW)
    code, out, err = run("diff", old, new)
    assert code == 3  # the drop stays destructive, left out
    assert "-- ALTER TABLE public.t DROP COLUMN a;" in out
    note = ("possible_rename: column public.t.a is dropped and column public.t.b added with the same type; "
            "if it is a rename, declare it (--rename public.t.a=b) to keep its data")
    assert f"-- note: {note}" in out and note in err
    code, out, _ = run("diff", old, new, "--format", "json")
    assert json.loads(out)["possible_renames"] == [{"dropped": "public.t.a", "added": "public.t.b", "note": note}]


def test_diff_with_rename_keeps_the_data(make_db: Callable[..., str]) -> None:
    old, new = make_db(OLD), make_db(NEW)
    code, out, err = run("diff", old, new, "--rename", "public.t.a=b")
    assert code == 1, err
    assert "-- hazard: breaks_clients" in out and "ALTER TABLE public.t RENAME COLUMN a TO b;" in out
    assert "DROP" not in out and "possible_rename" not in out + err
    run_sql(old, out)
    assert rows(old, "SELECT id, b FROM t ORDER BY id") == [(1, 10), (2, 20)]
    assert run("diff", old, new)[0] == 0
    # declared again once done: nothing to do, no error
    assert run("diff", old, new, "--rename", "public.t.a=b")[:2] == (0, "")
    code, out, err = run("diff", old, new, "--format", "json", "--rename", "public.t.a=b")
    assert code == 0 and json.loads(out)["renamed"] == []


def test_diff_rename_errors(make_db: Callable[..., str]) -> None:
    old, new = make_db(OLD), make_db(NEW)
    code, out, err = run("diff", old, new, "--rename", "public.t.a")
    assert code == 2 and out == ""
    assert_one_line_error(err, "--rename 'public.t.a'", "SCHEMA.NAME=NEW_NAME", "hint: ")
    code, out, err = run("diff", old, new, "--rename", "public.t.a=b", "--rename", "public.t.a=c")
    assert code == 2 and out == ""
    assert_one_line_error(err, "public.t.a twice")


def test_a_rename_that_does_not_apply_is_a_note(make_db: Callable[..., str]) -> None:
    old, new = make_db(OLD), make_db(NEW)
    code, out, err = run("diff", old, new, "--rename", "public.nothing=here", "--rename", "public.t.a=b")
    assert code == 1, err
    assert "note: rename public.nothing=here: neither public.nothing nor public.here exists here" in err
    assert "ALTER TABLE public.t RENAME COLUMN a TO b;" in out
    old_model, new_model = ENGINE.inspect(old), ENGINE.inspect(new)
    plan = diff_models(old_model, new_model, DiffOptions(renames=(Rename(("public", "t", "note"), "b"),)))
    assert plan.notes == ["rename public.t.note=b: the desired schema still has column public.t.note: not renamed"]


# -- the marker in .sql files --------------------------------------------------------------
MARKED = """-- the shop
-- trueup:renamed-from public.orders
CREATE TABLE purchases (
    id int PRIMARY KEY,
    -- trueup:renamed-from total
    amount numeric NOT NULL,
    -- trueup:renamed-from orders_amount_check
    CONSTRAINT purchases_positive CHECK (amount > 0)
);
-- trueup:renamed-from orders_by_total
CREATE INDEX purchases_by_amount ON purchases (amount);
"""
MARKED_OLD = ("CREATE TABLE orders (id int PRIMARY KEY, total numeric NOT NULL,"
              " CONSTRAINT orders_amount_check CHECK (total > 0)); CREATE INDEX orders_by_total ON orders (total);"
              " INSERT INTO orders VALUES (1, 9.5), (2, 20)")


def test_markers_are_read_from_the_text() -> None:
    assert file_renames(MARKED) == [
        Rename(("public", "orders"), "purchases"),
        Rename(("public", "purchases", "total"), "amount"),
        Rename(("public", "purchases", "orders_amount_check"), "purchases_positive"),
        Rename(("public", "orders_by_total"), "purchases_by_amount"),
    ]
    assert file_renames("CREATE TABLE t (a int); -- trueup:renamed-from x\n") == []  # before nothing


def test_marker_in_a_sql_file(make_db: Callable[..., str], pg_url: str, tmp_path: Path) -> None:
    desired = tmp_path / "desired.sql"
    desired.write_text(MARKED)
    old = make_db(MARKED_OLD)
    code, out, err = run("diff", old, str(desired), "--dev-url", pg_url)
    assert code == 1, err
    for sql in ("ALTER TABLE public.orders RENAME TO purchases;",
                "ALTER TABLE public.purchases RENAME COLUMN total TO amount;",
                "ALTER TABLE public.purchases RENAME CONSTRAINT orders_amount_check TO purchases_positive;",
                "ALTER INDEX public.orders_by_total RENAME TO purchases_by_amount;",
                "ALTER TABLE public.purchases RENAME CONSTRAINT orders_pkey TO purchases_pkey;"):
        assert sql in out
    assert "DROP" not in out
    run_sql(old, out)
    assert rows(old, "SELECT id, amount FROM purchases ORDER BY id") == [(1, 9.5), (2, 20)]
    assert run("diff", old, str(desired), "--dev-url", pg_url)[0] == 0
    # a snapshot of the desired state keeps the declared renames
    code, out, err = run("inspect", str(desired), "--format", "json", "--dev-url", pg_url)
    assert code == 0, err
    snap = tmp_path / "desired.json"
    snap.write_text(out)
    assert json.loads(out)["meta"]["renames"][0] == {"from": ["public", "orders"], "to": "purchases"}
    again = make_db(MARKED_OLD)
    code, out, err = run("diff", again, str(snap))
    assert code == 1 and "ALTER TABLE public.orders RENAME TO purchases;" in out


# -- the fleet: renames = {...} per group, --rename on plan and apply, the audit ---------------
DESIRED = "CREATE TABLE events (id int PRIMARY KEY, happened_at bigint);"


def _fleet(make_db: Callable[..., str], pg_url: str, tmp_path: Path, extra: str = "") -> tuple[Path, list[str]]:
    made: tuple[Path, list[str]] = two_target_fleet(make_db, pg_url, tmp_path, DESIRED, extra=extra)
    return made


def test_audit_and_plan_name_a_possible_rename(make_db: Callable[..., str], pg_url: str, tmp_path: Path) -> None:
    cfg, targets = _fleet(make_db, pg_url, tmp_path)
    code, out, _ = run("audit", "-c", str(cfg), "--format", "json")
    assert code == 1
    found = {f["object"]: f for f in json.loads(out)["databases"][0]["findings"]}
    for name in ("public.events.at", "public.events.happened_at"):
        assert "possible_rename: column public.events.at is dropped and column public.events.happened_at added" \
            in found[name]["detail"]
    assert found["public.events.at"]["hazards"] == ["deletes_data"]
    code, out, _ = run("plan", "-c", str(cfg))
    assert code == 1 and "note: possible_rename: column public.events.at" in out
    code, out, _ = run("plan", "-c", str(cfg), "--format", "json")
    assert "possible_rename" in json.loads(out)["plans"][0]["notes"][0]
    code, out, err = run("apply", "-c", str(cfg), "--yes")
    assert code == 1, out + err  # the drop stays destructive: skipped
    assert all(rows(url, "SELECT at FROM events") == [(1700000000,)] for url in targets)


def test_rename_on_plan_and_apply_command_lines(make_db: Callable[..., str], pg_url: str, tmp_path: Path) -> None:
    cfg, targets = _fleet(make_db, pg_url, tmp_path)
    code, out, _ = run("plan", "-c", str(cfg), "--format", "sql", "--rename", "public.events.at=happened_at")
    assert code == 1
    assert "ALTER TABLE public.events RENAME COLUMN at TO happened_at;" in out and "DROP" not in out
    code, out, err = run("apply", "-c", str(cfg), "--yes", "--rename", "public.events.at=happened_at")
    assert code == 0, out + err
    assert all(rows(url, "SELECT happened_at FROM events") == [(1700000000,)] for url in targets)


def test_malformed_rename_on_apply_applies_nothing(make_db: Callable[..., str], pg_url: str, tmp_path: Path) -> None:
    cfg, targets = _fleet(make_db, pg_url, tmp_path)
    for bad in ("public.events.at", "events.at=x=y", "public.events.at=a.b"):
        code, out, err = run("apply", "-c", str(cfg), "--yes", "--allow-destructive", "--rename", bad)
        assert code == 2 and out == ""
        assert_one_line_error(err, f"--rename {bad!r}", "hint: ")
    code, _, err = run("plan", "-c", str(cfg), "--rename", "x")
    assert code == 2
    assert_one_line_error(err, "--rename 'x'")
    assert all(rows(url, "SELECT at FROM events") == [(1700000000,)] for url in targets)
    (tmp_path / "plan.json").write_text(run("plan", "-c", str(cfg), "--format", "json")[1])
    code, _, err = run("apply", "-c", str(cfg), "--plan", str(tmp_path / "plan.json"), "--rename", "public.a=b")
    assert code == 2
    assert_one_line_error(err, "--rename does not change a saved plan")


def test_renames_in_the_config(make_db: Callable[..., str], pg_url: str, tmp_path: Path) -> None:
    cfg, targets = _fleet(make_db, pg_url, tmp_path, 'renames = { "public.events.at" = "happened_at" }\n')
    code, out, _ = run("audit", "-c", str(cfg), "--format", "json")
    fix = {f["object"]: f for f in json.loads(out)["databases"][0]["findings"]}["public.events.happened_at"]["fix"]
    assert "ALTER TABLE public.events RENAME COLUMN at TO happened_at;" in fix
    code, out, err = run("apply", "-c", str(cfg), "--yes")
    assert code == 0, out + err
    assert all(rows(url, "SELECT happened_at FROM events") == [(1700000000,)] for url in targets)
    # once renamed, the entry stays in the config harmlessly
    assert run("audit", "-c", str(cfg))[0] == 0


@pytest.mark.parametrize("entry", ['renames = { "events" = "x" }', 'renames = { "public.events.at" = "a.b" }'])
def test_config_rename_errors_name_the_entry(make_db: Callable[..., str], pg_url: str, tmp_path: Path,
                                             entry: str) -> None:
    cfg, _ = _fleet(make_db, pg_url, tmp_path, entry + "\n")
    with pytest.raises(ConfigError) as err:
        load_config(cfg)
    assert "groups.app.renames" in err.value.message
    code, _, stderr = run("audit", "-c", str(cfg))
    assert code == 2
    assert_one_line_error(stderr, "renames")


def test_schema_per_tenant_names_the_template_schemas_objects(make_db: Callable[..., str], pg_url: str,
                                                              tmp_path: Path) -> None:
    (tmp_path / "desired.sql").write_text("CREATE SCHEMA tmpl;\n-- trueup:renamed-from tmpl.events\n"
                                          "CREATE TABLE tmpl.happenings (id int, at bigint);")
    url = make_db("".join(f"CREATE SCHEMA {s}; CREATE TABLE {s}.events (id int, stamp bigint);"
                          f" INSERT INTO {s}.events VALUES (1, 7);" for s in ("tenant_a", "tenant_b")))
    cfg = tmp_path / "trueup.toml"
    cfg.write_text(f'[scratch]\nurl = "{pg_url}"\n\n[groups.tenants]\ndesired = "desired.sql"\n'
                   f'discover = {{ server = "{url}", schemas = "tenant_%", template_schema = "tmpl" }}\n'
                   'renames = { "tmpl.events.stamp" = "at" }\n')
    code, out, err = run("plan", "-c", str(cfg), "--format", "sql")
    assert code == 1, err
    for s in ("tenant_a", "tenant_b"):
        assert f"ALTER TABLE {s}.events RENAME TO happenings;" in out
        assert f"ALTER TABLE {s}.happenings RENAME COLUMN stamp TO at;" in out
    code, out, err = run("apply", "-c", str(cfg), "--yes")
    assert code == 0, out + err
    assert rows(url, "SELECT id, at FROM tenant_b.happenings") == [(1, 7)]


def test_a_rename_with_neither_name_on_a_target_is_a_note_not_a_failure(make_db: Callable[..., str], pg_url: str,
                                                                        tmp_path: Path) -> None:
    cfg, targets = _fleet(make_db, pg_url, tmp_path, 'renames = { "public.events.at" = "happened_at" }\n')
    bare = make_db("CREATE TABLE events (id int PRIMARY KEY)")
    cfg.write_text(cfg.read_text().replace(f'"{targets[1]}"]', f'"{targets[1]}", "{bare}"]'))
    code, out, _ = run("audit", "-c", str(cfg), "--format", "json")
    assert code == 1
    details = [f["detail"] for db in json.loads(out)["databases"] for f in db["findings"]
               if f["object"] == "public.events.happened_at"]
    assert len(details) == 3
    assert sum("note: rename" in d for d in details) == 1
    assert "note: rename public.events.at=happened_at: neither public.events.at nor public.events.happened_at " \
        "exists here: nothing renamed" in "".join(details)
    code, out, _ = run("plan", "-c", str(cfg))
    assert code == 1 and "note: rename public.events.at=happened_at: neither" in out
    code, out, err = run("apply", "-c", str(cfg), "--yes")
    assert code == 0, out + err
    assert all(rows(url, "SELECT happened_at FROM events") == [(1700000000,)] for url in targets)
    assert rows(bare, "SELECT count(*) FROM events") == [(0,)]
    assert run("audit", "-c", str(cfg))[0] == 0


def test_resume_goes_on_with_the_renames_the_run_was_started_with(make_db: Callable[..., str], pg_url: str,
                                                                  tmp_path: Path) -> None:
    from trueup.errors import TrueupError
    from trueup.fleet.journal import SqliteJournal, open_journal
    from trueup.fleet.planning import resumed_renames

    cfg, _ = _fleet(make_db, pg_url, tmp_path)
    code, out, err = run("apply", "-c", str(cfg), "--yes", "--rename", "public.events.at=happened_at")
    assert code == 0, out + err
    journal = open_journal(load_config(cfg))
    try:
        assert journal.run_args(1)["renames"] == ["public.events.at=happened_at"]
    finally:
        journal.close()
    # an interrupted run resumed: its renames, whether or not the command repeats them
    journal = SqliteJournal(tmp_path / "j.sqlite")
    try:
        started = journal.start_run({"renames": ["public.events.at=happened_at"]}, [("app", "a")])
        ours = (Rename(("public", "events", "at"), "happened_at"),)
        assert resumed_renames(journal, started, ()) == ours
        assert resumed_renames(journal, started, ours) == ours
        with pytest.raises(TrueupError, match=r"started with --rename public\.events\.at=happened_at"):
            resumed_renames(journal, started, (Rename(("public", "events", "at"), "other"),))
    finally:
        journal.close()


def test_a_rename_naming_overloaded_functions_is_a_note(make_db: Callable[..., str]) -> None:
    fns = "CREATE FUNCTION {0}(a int) RETURNS int LANGUAGE sql AS 'SELECT 1'; " \
          "CREATE FUNCTION {0}(a text) RETURNS int LANGUAGE sql AS 'SELECT 2';"
    old, new = make_db(fns.format("f")), make_db(fns.format("g"))
    plan = diff_models(ENGINE.inspect(old), ENGINE.inspect(new),
                       DiffOptions(renames=(Rename(("public", "f"), "g"),)))
    assert plan.notes == ["rename public.f=g: public.f names 2 functions (public.f(a integer), public.f(a text)): "
                          "not renamed"]
    assert not plan.renamed
