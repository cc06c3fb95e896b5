"""The command line: outputs, exit codes, and one-line errors for every bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest
from click.testing import CliRunner
from conftest import db_url, scratch_databases

from trueup.cli.main import cli

OLD = """
CREATE TABLE accounts (id int PRIMARY KEY, name text NOT NULL, legacy text);
CREATE TABLE notes (id int PRIMARY KEY, body text);
"""
NEW = """
CREATE TABLE accounts (id int PRIMARY KEY, name text NOT NULL, email text);
CREATE TABLE notes (id int PRIMARY KEY, body text);
CREATE INDEX notes_body_idx ON notes (body);
"""


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def run_process(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "trueup.cli.main", *args], capture_output=True, text=True,
                          timeout=120)


def assert_one_line_error(stderr: str, *needles: str) -> None:
    lines = [ln for ln in stderr.splitlines() if ln.strip()]
    assert lines and lines[0].startswith("error: "), stderr
    assert len(lines) <= 2 and all(ln.startswith(("error: ", "hint: ")) for ln in lines), stderr
    assert "Traceback" not in stderr
    for needle in needles:
        assert needle in stderr, stderr


def test_diff_exit_codes_and_destructive_gate(make_db: Callable[..., str]) -> None:
    old, new = make_db(OLD), make_db(NEW)
    code, out, err = run("diff", old, old)
    assert (code, out) == (0, "")
    code, out, err = run("diff", old, new)
    assert code == 3
    assert "-- hazard: deletes_data" in out
    assert "-- ALTER TABLE public.accounts DROP COLUMN legacy;" in out
    assert "ALTER TABLE public.accounts ADD COLUMN email text;" in out
    assert "--allow-destructive" in err
    # the script as printed is safe to run and leaves the data in place
    with psycopg.connect(old, autocommit=True) as conn:
        conn.execute("INSERT INTO accounts VALUES (1, 'a', 'keep me')")
        conn.execute(out)
        assert conn.execute("SELECT legacy FROM accounts").fetchone() == ("keep me",)
    code, out, _ = run("diff", old, new, "--allow-destructive")
    assert code == 1
    assert "\nALTER TABLE public.accounts DROP COLUMN legacy;" in out
    with psycopg.connect(old, autocommit=True) as conn:
        conn.execute(out)
    assert run("diff", old, new)[0] == 0


def test_one_shot_commands_leave_the_collector_as_they_found_it(make_db: Callable[..., str]) -> None:
    """``inspect`` and ``diff`` pause the cyclic garbage collector while they run; a program that
    calls them (this test process, say) gets it back, also when the command exits non-zero."""
    import gc

    old, new = make_db(OLD), make_db(NEW)
    assert gc.isenabled()
    assert run("diff", old, new)[0] == 3
    assert gc.isenabled()
    assert run("inspect", old)[0] == 0
    assert gc.isenabled()
    assert run("diff", old, "no-such-file.sql")[0] == 2
    assert gc.isenabled()
    gc.disable()
    try:
        assert run("inspect", old)[0] == 0
        assert not gc.isenabled()  # nor turned on when the caller had it off
    finally:
        gc.enable()


def test_diff_json_lists_changes_with_hazards(make_db: Callable[..., str]) -> None:
    code, out, _ = run("diff", make_db(OLD), make_db(NEW), "--format", "json")
    assert code == 3
    data = json.loads(out)
    by_name = {(c["kind"], c["name"]): c for c in data["changes"]}
    drop = by_name[("column", "public.accounts.legacy")]
    assert drop["action"] == "drop" and drop["hazards"] == ["deletes_data"] and drop["skipped"] is True
    index = by_name[("index", "public.notes_body_idx")]
    assert index["action"] == "create" and "index_build" in index["hazards"]
    assert index["sql"] == ["CREATE INDEX notes_body_idx ON public.notes USING btree (body)"]
    assert set(drop) >= {"kind", "name", "action", "sql", "hazards"}


def test_concurrently_option(make_db: Callable[..., str]) -> None:
    _code, out, _ = run("diff", make_db(OLD), make_db(NEW), "--concurrently")
    assert "CREATE INDEX CONCURRENTLY notes_body_idx ON public.notes" in out


def test_inspect_json_snapshot_reads_back(make_db: Callable[..., str], tmp_path: Path) -> None:
    url = make_db(NEW)
    snap = tmp_path / "snap.json"
    code, _, _ = run("inspect", url, "--format", "json", "-o", str(snap))
    assert code == 0
    data = json.loads(snap.read_text())
    assert data["format"] == "trueup-snapshot" and data["version"] == 1
    assert run("diff", str(snap), url)[0] == 0
    assert run("diff", url, str(snap))[0] == 0
    assert run("diff", make_db(OLD), str(snap))[0] == 3


def test_inspect_sql_is_rerunnable_ddl(make_db: Callable[..., str]) -> None:
    src = make_db(NEW)
    code, ddl, _ = run("inspect", src)
    assert code == 0 and "CREATE TABLE public.notes" in ddl
    target = make_db(ddl)
    assert run("diff", target, src)[0] == 0


def test_sql_folder_source_applied_in_name_order(make_db: Callable[..., str], pg_url: str, tmp_path: Path) -> None:
    (tmp_path / "002_index.sql").write_text("CREATE INDEX notes_body_idx ON notes (body);")
    (tmp_path / "001_tables.sql").write_text(NEW.replace("CREATE INDEX notes_body_idx ON notes (body);", ""))
    target = make_db(NEW)
    code, out, err = run("diff", str(tmp_path), target, "--dev-url", pg_url)
    assert (code, out) == (0, ""), err
    assert scratch_databases(pg_url) == []


def test_schema_filter(make_db: Callable[..., str]) -> None:
    a = make_db("CREATE SCHEMA app; CREATE TABLE app.t (id int); CREATE TABLE public.x (id int);")
    b = make_db("CREATE SCHEMA app; CREATE TABLE app.t (id int);")
    assert run("diff", a, b, "--schema", "app")[0] == 0
    assert run("diff", a, b)[0] == 3


# -- bad input: one line, exit 2, nothing left behind -----------------------------------------

def test_unreachable_server() -> None:
    proc = run_process("inspect", "postgresql://postgres@127.0.0.1:1/postgres")
    assert proc.returncode == 2
    assert_one_line_error(proc.stderr, "cannot reach", "127.0.0.1:1")


def test_missing_database(pg_url: str) -> None:

    code, _, err = run("inspect", db_url(pg_url, "trueup_test_does_not_exist"))
    assert code == 2
    assert_one_line_error(err, "does not exist", "trueup_test_does_not_exist")


def test_sql_syntax_error_names_file_and_line(pg_url: str, tmp_path: Path, make_db: Callable[..., str]) -> None:
    bad = tmp_path / "schema.sql"
    bad.write_text("CREATE TABLE ok (id int);\n\nCREATE TABLE broken (id int,, name text);\n")
    code, out, err = run("diff", str(bad), make_db(""), "--dev-url", pg_url)
    assert code == 2 and out == ""
    assert_one_line_error(err, f"{bad}:3:", "syntax error")
    assert scratch_databases(pg_url) == []


def test_sql_file_that_is_not_utf8_is_one_clear_error(pg_url: str, tmp_path: Path,
                                                       make_db: Callable[..., str]) -> None:
    bad = tmp_path / "latin1.sql"
    bad.write_bytes("CREATE TABLE caf\u00e9 (id int);\n".encode("latin-1"))
    for extra in ((), ("--no-cache",)):
        code, out, err = run("diff", make_db(""), str(bad), "--dev-url", pg_url, *extra)
        assert code == 2 and out == ""
        assert_one_line_error(err, str(bad), "not UTF-8")
    assert scratch_databases(pg_url) == []


def test_psql_meta_command_is_reported(pg_url: str, tmp_path: Path) -> None:
    bad = tmp_path / "dump.sql"
    bad.write_text("CREATE TABLE a (id int);\n\\connect other\nCREATE TABLE b (id int);\n")
    code, _, err = run("inspect", str(bad), "--dev-url", pg_url)
    assert code == 2
    assert_one_line_error(err, f"{bad}:2:")
    assert scratch_databases(pg_url) == []


def test_unknown_file_type(tmp_path: Path) -> None:
    f = tmp_path / "schema.yaml"
    f.write_text("tables: []")
    code, _, err = run("inspect", str(f))
    assert code == 2
    assert_one_line_error(err, "unknown source type", ".yaml")


def test_missing_file() -> None:
    code, _, err = run("diff", "no/such/file.sql", "other.sql")
    assert code == 2
    assert_one_line_error(err, "no/such/file.sql: no such file or directory")


def test_snapshot_from_newer_version(tmp_path: Path) -> None:
    f = tmp_path / "snap.json"
    f.write_text(json.dumps({"format": "trueup-snapshot", "version": 99, "engine": "postgresql", "objects": []}))
    code, _, err = run("inspect", str(f))
    assert code == 2
    assert_one_line_error(err, "version 99", "newer")


@pytest.mark.parametrize("content", ["{not json", "[]", json.dumps({"format": "trueup-snapshot", "version": 1,
                                                                    "engine": "postgresql", "objects": [{"x": 1}]})])
def test_malformed_snapshot(tmp_path: Path, content: str) -> None:
    f = tmp_path / "snap.json"
    f.write_text(content)
    code, _, err = run("inspect", str(f))
    assert code == 2
    assert_one_line_error(err, str(f))


def test_unsupported_url_scheme() -> None:
    code, _, err = run("inspect", "oracle://db/x")
    assert code == 2
    assert_one_line_error(err, "unsupported URL")


def test_password_never_printed() -> None:
    proc = run_process("inspect", "postgresql://app:s3cr3t-pw@127.0.0.1:1/db")
    assert proc.returncode == 2
    assert "s3cr3t-pw" not in proc.stderr + proc.stdout


def test_mysql_urls_are_on_the_roadmap() -> None:
    code, _, err = run("inspect", "mysql://root@127.0.0.1:3306/app")
    assert code == 2
    assert_one_line_error(err, "MySQL is not supported yet", "hint: MySQL/MariaDB support is on the roadmap")


@pytest.mark.parametrize("content", ["", "   \n\n", "-- only a comment\n", "/* a block\n comment */ ;\n"])
def test_an_empty_sql_source_is_a_warning(tmp_path: Path, pg_url: str, content: str) -> None:
    empty = tmp_path / "empty.sql"
    empty.write_text(content)
    code, out, err = run("inspect", str(empty), "--dev-url", pg_url)
    assert code == 0 and "CREATE TABLE" not in out  # (the server's own public schema, at most)
    assert f"warning: {empty} holds no SQL statements: it is taken as an empty schema" in err
    # a folder whose files hold nothing either
    (tmp_path / "more.sql").write_text("-- nothing\n")
    code, out, err = run("diff", str(tmp_path), str(empty), "--dev-url", pg_url)
    assert code == 0
    assert f"warning: {tmp_path} holds only files with no SQL statements" in err


def test_a_file_with_statements_gives_no_warning(tmp_path: Path, pg_url: str) -> None:
    f = tmp_path / "one.sql"
    f.write_text("-- a table\nCREATE TABLE t (id int);\n")
    code, out, err = run("inspect", str(f), "--dev-url", pg_url)
    assert code == 0 and "CREATE TABLE public.t" in out and "warning" not in err
