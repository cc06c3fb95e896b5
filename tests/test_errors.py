"""Database errors as the user sees them: the SQLSTATE, a plain-language cause and a hint, chosen
by SQLSTATE; a role that may not create databases; connect_timeout honoured everywhere."""

from __future__ import annotations

import os
import secrets
import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
from click.testing import CliRunner
from conftest import db_url
from fleetdata import SEED_ROLES, TENANT, audit
from test_cli import assert_one_line_error

from trueup.cli.main import cli
from trueup.engines.postgres import ENGINE
from trueup.engines.postgres.errors import KNOWN, database_error, explain
from trueup.errors import DatabaseError


@pytest.mark.parametrize("code", ["42501", "42P04", "3D000", "28P01", "53300", "57014", "55P03", "25P02",
                                  "28000", "57P03", "08001", "40P01"])
def test_each_sqlstate_has_a_cause_and_a_hint(code: str) -> None:
    cause, hint = explain(code)
    assert cause == KNOWN[code][0] and cause != "the statement failed"
    assert hint


def test_an_unknown_code_is_explained_by_its_class() -> None:
    assert explain("42999")[0] == "the statement is invalid or not allowed"
    assert explain("ZZ999") == ("the statement failed", None)


def test_an_aborted_transaction_names_25p02(make_db: Callable[..., str]) -> None:
    url = make_db()
    with psycopg.connect(url) as conn:
        with pytest.raises(psycopg.Error):
            conn.execute("SELECT 1/0")
        try:
            conn.execute("SELECT 1")
        except psycopg.Error as err:
            got = database_error("database 'x'", err)
    assert isinstance(got, DatabaseError) and got.sqlstate == "25P02"
    assert "(SQLSTATE 25P02: the transaction was already aborted by an earlier error" in got.message and got.hint


def test_a_database_that_exists_names_42p04(make_db: Callable[..., str], pg_url: str) -> None:
    url = make_db()
    with pytest.raises(DatabaseError) as caught:
        ENGINE.create_database(pg_url, ENGINE.database_name(url))
    assert caught.value.sqlstate == "42P04" and "already exists" in caught.value.message


def test_a_missing_database_names_3d000(pg_url: str) -> None:
    result = CliRunner().invoke(cli, ["inspect", db_url(pg_url, "trueup_test_no_such_db")])
    assert result.exit_code == 2
    assert_one_line_error(result.stderr, "SQLSTATE 3D000: the database does not exist")
    assert "hint: create it first" in result.stderr


@pytest.fixture
def role_without_createdb(pg_url: str) -> Iterator[str]:
    """A login role that may not create databases; its URL."""
    role = f"trueup_test_nocreate_{os.getpid()}_{secrets.token_hex(3)}"
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(f'CREATE ROLE "{role}" LOGIN NOCREATEDB')  # type: ignore[arg-type]
    try:
        yield pg_url.replace("postgres@", f"{role}@", 1)
    finally:
        with psycopg.connect(pg_url, autocommit=True) as conn:
            conn.execute(f'DROP ROLE IF EXISTS "{role}"')  # type: ignore[arg-type]


def test_a_role_without_createdb_for_scratch_databases(role_without_createdb: str, tmp_path: Path,
                                                       pg_url: str) -> None:
    (tmp_path / "a.sql").write_text("CREATE TABLE a (id int);")
    (tmp_path / "b.sql").write_text("CREATE TABLE b (id int);")
    role = role_without_createdb.split("//", 1)[1].split("@", 1)[0]
    result = CliRunner().invoke(cli, ["diff", str(tmp_path / "a.sql"), str(tmp_path / "b.sql"),
                                      "--dev-url", role_without_createdb, "--no-cache"])
    assert result.exit_code == 2
    assert_one_line_error(result.stderr, "cannot create a scratch database on database 'postgres' on")
    assert f"role '{role}' may not create databases (SQLSTATE 42501" in result.stderr
    assert "internal error" not in result.stderr
    assert f"hint: grant it (ALTER ROLE {role} CREATEDB)" in result.stderr
    # the audit's desired state: the same clear error
    cfg = tmp_path / "trueup.toml"
    cfg.write_text(f'[scratch]\nurl = "{role_without_createdb}"\n[groups.g]\ndesired = "a.sql"\n'
                   f'targets = ["{pg_url}"]\n[state]\ncache = false\n')
    result = CliRunner().invoke(cli, ["audit", "-c", str(cfg)])
    assert result.exit_code == 2
    assert_one_line_error(result.stderr, "may not create databases (SQLSTATE 42501")


@pytest.fixture
def silent_server() -> Iterator[str]:
    """A URL whose server accepts TCP connections and never answers."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    try:
        yield f"postgresql://postgres@127.0.0.1:{sock.getsockname()[1]}/trueup_test_silent"
    finally:
        sock.close()


def test_connect_timeout_is_honoured_by_audit_discovery_and_apply(silent_server: str, make_db: Callable[..., str],
                                                                   pg_url: str, tmp_path: Path) -> None:
    (tmp_path / "tenant.sql").write_text(TENANT)
    fine = make_db(TENANT + SEED_ROLES)
    cfg = tmp_path / "trueup.toml"
    cfg.write_text(f"""
[scratch]
url = "{pg_url}"
[settings]
connect_timeout = 2
[groups.listed]
desired = "tenant.sql"
targets = ["{fine}", "{silent_server}"]
[groups.found]
desired = "tenant.sql"
discover = {{ server = "{silent_server}", databases = "x%" }}
""")
    for command in (["audit"], ["apply", "--yes"]):
        started = time.monotonic()
        result = CliRunner().invoke(cli, [*command, "-c", str(cfg), "--format", "json"])
        took = time.monotonic() - started
        assert result.exit_code == 2, result.stderr
        assert took < 8, f"{command[0]} took {took:.1f} s: connect_timeout = 2 was not honoured"
        assert result.stdout.count("timeout expired") >= 2, result.stdout  # the target and the discovery
    _code, data, _ = audit(cfg, "--group", "listed")
    assert sorted(d["status"] for d in data["databases"]) == ["error", "in_sync"]
