"""`trueup registry check` against inconsistencies made for real on the tenant server, its
`--fix`; an application's own registry table; schema-per-tenant provisioning; and the secrets
sweep (no tenant password, admin password or secret key in any output, report, journal, registry
column, query text or server log)."""

from __future__ import annotations

import json
import logging
import os
import re
import secrets
import subprocess
import threading
from pathlib import Path
from typing import Any

import psycopg
import pytest
from click.testing import CliRunner, Result
from conftest import db_url
from psycopg import sql as pgsql
from tenantdata import REFERENCE, TENANT_SQL, TenantProject, write_project

from trueup.cli.main import cli
from trueup.tenants.check import KINDS
from trueup.tenants.secrets import Password, new_key, parse_key

# --- helpers ---------------------------------------------------------------------------------


def can_log_in(url: str) -> bool:
    try:
        with psycopg.connect(url, connect_timeout=5) as conn:
            conn.execute("SELECT 1")
        return True
    except psycopg.OperationalError:
        return False


def reconfigure(tenants: TenantProject, *, provision: str | None = None, registry_extra: str = "",
                group_extra: str = "") -> None:
    write_project(tenants.folder, tenants.server, tenants.prefix, tenants.control, provision=provision,
                  registry_extra=registry_extra, group_extra=group_extra)


def admin_sql(tenants: TenantProject, statement: str, *args: Any, database: str = "postgres") -> None:
    with tenants.admin(database) as conn:
        conn.execute(pgsql.SQL(statement).format(*(pgsql.Identifier(a) for a in args)))


def control_sql(tenants: TenantProject, statement: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    with psycopg.connect(tenants.control, autocommit=True) as conn:
        cur = conn.execute(statement, params)  # type: ignore[arg-type]
        return cur.fetchall() if cur.description else []


def age(tenants: TenantProject, *names: str) -> None:
    """Make tenants look as if their last step was an hour ago (no sleeping for `stuck`)."""
    control_sql(tenants, "UPDATE trueup.tenants SET updated = now() - interval '1 hour' WHERE name = ANY(%s)",
                (list(names),))


def check(tenants: TenantProject, *args: str) -> tuple[int, dict[str, Any]]:
    r = tenants.run("registry", "check", "--format", "json", *args)
    assert r.exit_code in (0, 1, 2), r.output
    return r.exit_code, json.loads(r.stdout)


def found(report: dict[str, Any], *, open_only: bool = False) -> set[tuple[str, str, str]]:
    return {(p["kind"], p["tenant"], p["object"]) for p in report["problems"] if not (open_only and p["fixed"])}


def objects(tenants: TenantProject, database: str = "postgres") -> tuple[set[str], set[str], set[str]]:
    """The prefix's databases, roles, and schemas (of ``database``) on the tenant server."""
    like = tenants.prefix.replace("_", "\\_") + "%"
    with tenants.admin(database) as conn:
        dbs = {r[0] for r in conn.execute("SELECT datname FROM pg_database WHERE datname LIKE %s", (like,))}
        roles = {r[0] for r in conn.execute("SELECT rolname FROM pg_roles WHERE rolname LIKE %s", (like,))}
        schemas = {r[0] for r in conn.execute("SELECT nspname FROM pg_namespace WHERE nspname LIKE %s", (like,))}
    return dbs, roles, schemas


def build_by_hand(tenants: TenantProject, database: str, schema: str | None = None) -> None:
    """What an application's own provisioning makes: the tenant's tables and reference rows,
    owned by the admin (in ``schema`` of ``database``, or in its public schema)."""
    with tenants.admin(database) as conn:
        if schema:
            conn.execute(pgsql.SQL("CREATE SCHEMA {}").format(pgsql.Identifier(schema)))
            conn.execute(pgsql.SQL("SET search_path = {}").format(pgsql.Identifier(schema)))
        conn.execute(TENANT_SQL)  # type: ignore[arg-type]
        conn.execute("INSERT INTO team_roles VALUES (1, 'Owner'), (2, 'Viewer')")
    assert "Viewer" in REFERENCE


def table_owners(url: str, schema: str = "public") -> set[str]:
    with psycopg.connect(url, autocommit=True) as conn:
        return {r[0] for r in conn.execute(
            "SELECT DISTINCT relowner::regrole::text FROM pg_class WHERE relnamespace = %s::regnamespace", (schema,))}


# --- registry check: each kind of inconsistency -----------------------------------------------


def test_a_consistent_registry_exits_0(tenants: TenantProject) -> None:
    assert tenants.run("tenant", "create", "acme", "bravo").exit_code == 0
    code, report = check(tenants)
    assert (code, report["consistent"], report["problems"], report["tenants"]) == (0, True, [], 2)
    r = tenants.run("registry", "check")
    assert r.exit_code == 0 and re.fullmatch(r"2 tenant\(s\) checked in [\d.]+ s: consistent\n", r.stdout), r.output


def test_check_finds_each_kind_of_inconsistency_made_behind_trueups_back(tenants: TenantProject) -> None:
    reconfigure(tenants, registry_extra="stuck_after_s = 60")
    assert tenants.run("tenant", "create", "acme", "bravo", "carol", "delta", "eve").exit_code == 0
    p, owner = tenants.prefix, tenants.owner
    # missing_database: acme's database dropped by hand
    admin_sql(tenants, "DROP DATABASE {} WITH (FORCE)", tenants.database("acme"))
    # missing_role: bravo's login role dropped by hand
    admin_sql(tenants, "DROP ROLE {}", owner("bravo") + "_login1")
    # login_failed: carol's password changed by hand (the stored one no longer logs in)
    admin_sql(tenants, "ALTER ROLE {} PASSWORD 'changed-by-hand'", owner("carol") + "_login1")
    # leftover: delta dropped, then its database restored by someone
    assert tenants.run("tenant", "drop", "delta", "--yes").exit_code == 0
    admin_sql(tenants, "CREATE DATABASE {}", tenants.database("delta"))
    # unregistered: the fifth seed's database without its registry row
    admin_sql(tenants, "CREATE DATABASE {}", tenants.database("ghost"))
    # orphan_role: a role of the pattern that no tenant uses
    admin_sql(tenants, "CREATE ROLE {} NOLOGIN", owner("lonely"))
    # stuck: a create failed at verify, a rotation stopped before its switch, an hour ago
    r = tenants.run("tenant", "create", "halted", env={"TRUEUP_TEST_FAIL_STEP": "create:verify"})
    assert r.exit_code == 2 and "injected failure" in r.stdout, r.output
    r = tenants.run("tenant", "rotate-credentials", "eve", env={"TRUEUP_TEST_FAIL_STEP": "rotate:switch"})
    assert r.exit_code == 2, r.output
    age(tenants, "halted", "eve")

    code, report = check(tenants)
    assert code == 1 and report["consistent"] is False and report["errors"] == []
    expected = {
        ("missing_database", "acme", tenants.database("acme")),
        ("missing_role", "bravo", owner("bravo") + "_login1"),
        ("login_failed", "carol", owner("carol") + "_login1"),
        ("leftover", "delta", tenants.database("delta")),
        ("unregistered", "ghost", tenants.database("ghost")),
        ("orphan_role", "lonely", owner("lonely")),
        ("stuck", "halted", tenants.database("halted")),
        ("stuck", "eve", tenants.database("eve")),
    }
    assert found(report) == expected
    assert {k for k, _, _ in expected} == set(KINDS) - {"missing_schema"}  # (schema per tenant: below)
    by = {(x["kind"], x["tenant"]): x for x in report["problems"]}
    assert "failed at create:verify" in by["stuck", "halted"]["detail"]
    assert "rotation at rotate:switch" in by["stuck", "eve"]["detail"]
    assert "password authentication failed" in by["login_failed", "carol"]["detail"]
    # (`tenant create` refuses a dropped tenant's name: the hint does not propose it)
    assert "re-create" not in by["leftover", "delta"]["hint"] and "by hand" in by["leftover", "delta"]["hint"]
    assert all(x["group"] == "tenants" and x["fixed"] is None for x in report["problems"])
    assert report["tenants"] == 5  # (acme, bravo, carol, eve, halted: delta is dropped)

    r = tenants.run("registry", "check")
    assert r.exit_code == 1, r.output
    for kind, name, obj in expected:
        line = next((ln for ln in r.stdout.splitlines() if ln.startswith(f"tenants/{name}: {kind}: ")), None)
        assert line is not None and (obj in line or kind == "stuck"), (kind, name, r.stdout)
    assert r.stdout.strip().splitlines()[-1].endswith(f"{len(expected)} problem(s)")
    assert p in r.stdout


def test_an_unreachable_registry_or_server_is_one_clear_error(tenants: TenantProject) -> None:
    closed = "postgresql://postgres@127.0.0.1:1/postgres"
    cfg = tenants.config_path
    text = cfg.read_text()
    cfg.write_text(text.replace(f'url = "{tenants.control}"', f'url = "{closed}"'))
    for fmt in ("text", "json"):
        r = tenants.run("registry", "check", "--format", fmt)
        assert r.exit_code == 2 and r.stdout == "", r.output
        errors = [ln for ln in r.stderr.splitlines() if ln.startswith("error:")]
        assert len(errors) == 1 and "127.0.0.1:1" in errors[0] and "Traceback" not in r.output, r.stderr
    # the registry answers, the provisioning server does not
    cfg.write_text(text.replace(db_url(tenants.server, "postgres"), closed))
    r = tenants.run("registry", "check")
    assert r.exit_code == 2 and "Traceback" not in r.output, r.output
    errors = [ln for ln in r.output.splitlines() if ln.startswith("error:")]
    assert len(errors) == 1 and "127.0.0.1:1" in errors[0], r.output
    # (the verdict says the check could not be made, not that there are 0 problems)
    assert r.stdout.strip().splitlines()[-1].endswith(": 1 error(s)"), r.stdout
    code, report = check(tenants)
    assert code == 2 and report["consistent"] is False and len(report["errors"]) == 1
    assert "127.0.0.1:1" in report["errors"][0]


# --- registry check --fix -----------------------------------------------------------------------


def test_fix_without_yes_outside_a_terminal_refuses_and_changes_nothing(tenants: TenantProject) -> None:
    admin_sql(tenants, "CREATE DATABASE {}", tenants.database("ghost"))
    before = objects(tenants)
    r = tenants.run("registry", "check", "--fix")
    assert r.exit_code == 2 and "without --yes" in r.stderr, r.output
    assert tenants.row("ghost") is None and objects(tenants) == before
    code, report = check(tenants)
    assert code == 1 and found(report) == {("unregistered", "ghost", tenants.database("ghost"))}


def test_fix_registers_an_unregistered_database_after_auditing_it(tenants: TenantProject) -> None:
    assert tenants.run("tenant", "create", "acme").exit_code == 0  # (a tenant that is fine stays so)
    ghost = tenants.database("ghost")
    admin_sql(tenants, "CREATE DATABASE {}", ghost)
    build_by_hand(tenants, ghost)
    r = tenants.run("registry", "check", "--fix", "--yes")
    assert r.exit_code == 0, r.output
    assert "tenants/ghost: unregistered:" in r.stdout and "[fixed: registered as tenant 'ghost' (audit: in sync)]" \
        in r.stdout, r.stdout
    row = tenants.row("ghost")
    assert row is not None and (row["status"], row["phase"], row["database"]) == ("active", None, ghost)
    assert row["owner"] == tenants.owner("ghost") and row["secret"].startswith("v1:")
    assert tenants.exists("role", tenants.owner("ghost")) and tenants.exists("role", row["role"])
    assert [e for e in tenants.events("ghost") if e[1] == "done"] == [
        ("adopt:register", "done"), ("adopt:audit", "done"), ("adopt:create_role", "done"),
        ("adopt:hand_over", "done"), ("adopt:verify_login", "done"), ("adopt:activate", "done")]
    # its stored credentials log in, work as its owner, and its objects are the owner's
    url = tenants.login_url("ghost")
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT current_user, count(*) FROM team_roles").fetchone() == (
            tenants.owner("ghost"), 2)
        conn.execute("INSERT INTO tenant_settings VALUES ('theme', 'dark', 1)")
    assert table_owners(url) == {tenants.owner("ghost")}
    code, report = check(tenants)
    assert (code, report["consistent"], report["problems"], report["tenants"]) == (0, True, [], 2)
    listed = json.loads(tenants.run("tenant", "list", "--format", "json").stdout)["tenants"]
    assert [(t["name"], t["status"]) for t in listed] == [("acme", "active"), ("ghost", "active")]


def test_fix_resumes_a_stuck_create_and_finishes_a_stuck_rotation(tenants: TenantProject) -> None:
    reconfigure(tenants, registry_extra="stuck_after_s = 60")
    assert tenants.run("tenant", "create", "eve", "fred").exit_code == 0
    r = tenants.run("tenant", "create", "halted", env={"TRUEUP_TEST_FAIL_STEP": "create:verify"})
    assert r.exit_code == 2
    old_eve, old_fred = tenants.login_url("eve"), tenants.login_url("fred")
    # eve stops before the switch (a new login made and verified), fred before retiring the old one
    assert tenants.run("tenant", "rotate-credentials", "eve", env={"TRUEUP_TEST_FAIL_STEP": "rotate:switch"}
                       ).exit_code == 2
    assert tenants.run("tenant", "rotate-credentials", "fred", env={"TRUEUP_TEST_FAIL_STEP": "rotate:retire"}
                       ).exit_code == 2
    eve, fred = tenants.row("eve"), tenants.row("fred")
    assert eve is not None and eve["pending_role"] == tenants.owner("eve") + "_login2"
    assert fred is not None and fred["retiring_role"] == tenants.owner("fred") + "_login1"
    # not stuck yet: --fix has nothing to do (and does not touch a rotation in progress)
    code, report = check(tenants, "--fix", "--yes")
    assert code == 0 and report["problems"] == []
    assert tenants.row("eve")["pending_role"] is not None  # type: ignore[index]
    age(tenants, "halted", "eve", "fred")
    code, report = check(tenants, "--fix", "--yes")
    assert code == 0, report
    assert {(x["kind"], x["tenant"], x["fixed"]) for x in report["problems"]} == {
        ("stuck", "halted", "create finished: active"), ("stuck", "eve", "rotation finished"),
        ("stuck", "fred", "rotation finished")}
    halted = tenants.row("halted")
    assert halted is not None and (halted["status"], halted["phase"], halted["error"]) == ("active", None, None)
    assert can_log_in(tenants.login_url("halted"))
    for name, old in (("eve", old_eve), ("fred", old_fred)):
        row = tenants.row(name)
        assert row is not None and row["role"] == tenants.owner(name) + "_login2" and row["generation"] == 2
        assert (row["pending_role"], row["pending_secret"], row["retiring_role"], row["phase"]) == (None,) * 4
        assert can_log_in(tenants.login_url(name)) and not can_log_in(old)
        assert not tenants.exists("role", tenants.owner(name) + "_login1")
    assert check(tenants)[0] == 0


def test_fix_never_drops_anything(tenants: TenantProject) -> None:
    reconfigure(tenants, registry_extra="stuck_after_s = 60")
    assert tenants.run("tenant", "create", "acme", "carol", "delta", "gone").exit_code == 0
    # a drop that stopped before dropping the database: --fix must not finish it
    r = tenants.run("tenant", "drop", "gone", "--yes", env={"TRUEUP_TEST_FAIL_STEP": "drop:drop_storage"})
    assert r.exit_code == 2, r.output
    age(tenants, "gone")
    admin_sql(tenants, "DROP DATABASE {} WITH (FORCE)", tenants.database("acme"))
    admin_sql(tenants, "CREATE ROLE {} NOLOGIN", tenants.owner("lonely"))
    admin_sql(tenants, "ALTER ROLE {} PASSWORD 'changed-by-hand'", tenants.owner("carol") + "_login1")
    assert tenants.run("tenant", "drop", "delta", "--yes").exit_code == 0
    admin_sql(tenants, "CREATE DATABASE {}", tenants.database("delta"))
    before = objects(tenants)
    rows_before = control_sql(tenants, "SELECT name, status, database, role, secret FROM trueup.tenants ORDER BY 1")
    expected = {("missing_database", "acme", tenants.database("acme")),
                ("orphan_role", "lonely", tenants.owner("lonely")),
                ("login_failed", "carol", tenants.owner("carol") + "_login1"),
                ("leftover", "delta", tenants.database("delta")),
                ("stuck", "gone", tenants.database("gone"))}
    code, report = check(tenants, "--fix", "--yes")
    assert code == 1 and found(report, open_only=True) == expected and found(report) == expected
    assert objects(tenants) == before  # nothing dropped (nor made)
    assert control_sql(tenants, "SELECT name, status, database, role, secret FROM trueup.tenants ORDER BY 1") \
        == rows_before
    r = tenants.run("registry", "check", "--fix", "--yes")
    assert r.exit_code == 1 and "fixed" not in r.stdout and r.stdout.strip().endswith("5 problem(s)"), r.stdout
    assert objects(tenants) == before


# --- an application's own registry table --------------------------------------------------------

APP_TABLE = """
CREATE TABLE public.tenant_databases (
    id serial PRIMARY KEY, slug text NOT NULL UNIQUE, database_name text, db_password text,
    created_at timestamptz NOT NULL DEFAULT now())
"""
MAPPING = """table = "public.tenant_databases"
columns = { name = "slug", database = "database_name", password = "db_password" }"""


def app_rows(tenants: TenantProject) -> dict[str, tuple[Any, ...]]:
    return {r[0]: r[1:] for r in control_sql(tenants, "SELECT slug, database_name, db_password"
                                                      " FROM public.tenant_databases")}


def test_a_mapped_application_table_is_written_listed_checked_and_discovered(tenants: TenantProject) -> None:
    control_sql(tenants, APP_TABLE)
    # rows the application made itself: one whose database exists (built by the application,
    # outside the provisioning pattern), one whose database is gone
    legacy = f"{tenants.prefix}_legacy"
    admin_sql(tenants, "CREATE DATABASE {}", legacy)
    build_by_hand(tenants, legacy)
    control_sql(tenants, "INSERT INTO public.tenant_databases (slug, database_name) VALUES (%s, %s), (%s, %s)",
                ("legacy", legacy, "vanished", tenants.database("vanished")))
    reconfigure(tenants, registry_extra=MAPPING)

    r = tenants.run("tenant", "create", "acme")
    assert r.exit_code == 0, r.output
    rows = app_rows(tenants)
    row = tenants.row("acme")
    assert row is not None
    database, stored = rows["acme"][0], rows["acme"][1]
    assert database == tenants.database("acme") and stored == row["secret"] and stored.startswith("v1:")
    password = tenants.login_url("acme").split("password=")[1].split()[0]
    assert password not in json.dumps({k: [str(x) for x in v] for k, v in rows.items()})
    assert can_log_in(tenants.login_url("acme"))
    # a rotation writes the new ciphertext to the application's column too
    assert tenants.run("tenant", "rotate-credentials", "acme").exit_code == 0
    row = tenants.row("acme")
    assert row is not None and app_rows(tenants)["acme"][1] == row["secret"] and stored != row["secret"]

    listed = {t["name"]: t for t in json.loads(tenants.run("tenant", "list", "--format", "json").stdout)["tenants"]}
    assert set(listed) == {"acme", "legacy", "vanished"}
    assert (listed["acme"]["managed"], listed["legacy"]["managed"], listed["vanished"]["managed"]) == (
        True, False, False)
    assert listed["legacy"]["database"] == legacy
    text = tenants.run("tenant", "list").stdout
    for name in ("legacy", "vanished"):
        line = next(ln for ln in text.splitlines() if ln.startswith(name + " "))
        assert "unmanaged" in line, text
    assert "unmanaged" not in next(ln for ln in text.splitlines() if ln.startswith("acme "))

    # the application's row whose database is missing is found; the one outside the pattern that
    # exists is not reported missing
    code, report = check(tenants)
    assert code == 1 and found(report) == {("missing_database", "vanished", tenants.database("vanished"))}, report

    # discovery lists the registry's tenants, the application's included, reached as the admin
    r = tenants.run("audit", "--format", "json", env={"TRUEUP_SECRET_KEY": ""})
    audited = {t["name"]: t["status"] for t in json.loads(r.stdout)["databases"]}
    assert audited["acme"] == "in_sync" and audited["legacy"] == "in_sync", r.output
    assert audited["vanished"] == "error" and r.exit_code == 2


def test_a_mapping_naming_a_missing_column_is_one_clear_error(tenants: TenantProject) -> None:
    control_sql(tenants, APP_TABLE)
    reconfigure(tenants, registry_extra=MAPPING.replace('database = "database_name"', 'database = "db_name"'))
    for args in (("tenant", "list"), ("tenant", "create", "acme"), ("registry", "check")):
        r = tenants.run(*args)
        assert r.exit_code == 2 and "Traceback" not in r.output, r.output
        errors = [ln for ln in r.stderr.splitlines() if ln.startswith("error:")]
        assert len(errors) == 1 and "public.tenant_databases" in errors[0] and "db_name" in errors[0], r.stderr
    assert tenants.row("acme") is None and not tenants.exists("role", tenants.owner("acme"))
    reconfigure(tenants, registry_extra=MAPPING.replace("tenant_databases", "tenant_dbs"))
    r = tenants.run("tenant", "list")
    assert r.exit_code == 2 and "public.tenant_dbs" in r.stderr and "Traceback" not in r.output, r.output


def test_an_application_table_refusing_the_row_leaves_nothing_registered_or_made(tenants: TenantProject) -> None:
    """The fifth seed's story must not happen through the mapping: a tenant database without its
    ``tenant_databases`` row. trueup's row and the application's are written together."""
    control_sql(tenants, APP_TABLE + "; ALTER TABLE public.tenant_databases ADD COLUMN plan text NOT NULL")
    reconfigure(tenants, registry_extra=MAPPING)
    r = tenants.run("tenant", "create", "acme")
    assert r.exit_code == 2 and "plan" in r.stdout and "23502" in r.stdout, r.output
    assert tenants.row("acme") is None and app_rows(tenants) == {}
    assert not tenants.exists("database", tenants.database("acme")) and not tenants.exists("role", tenants.owner("acme"))
    # the application's table fixed, the same command creates the tenant and its row
    control_sql(tenants, "ALTER TABLE public.tenant_databases ALTER plan SET DEFAULT 'free'")
    assert tenants.run("tenant", "create", "acme").exit_code == 0
    row = tenants.row("acme")
    assert row is not None and row["status"] == "active"
    assert app_rows(tenants) == {"acme": (tenants.database("acme"), row["secret"])}
    # a write the application's table refuses later (a rotation's switch) leaves trueup's row as
    # it was too: the registry keeps pointing at credentials that work
    control_sql(tenants, "ALTER TABLE public.tenant_databases ADD CONSTRAINT short CHECK (length(db_password) < 5)"
                         " NOT VALID")
    r = tenants.run("tenant", "rotate-credentials", "acme")
    assert r.exit_code == 2 and "short" in r.stdout, r.output
    after = tenants.row("acme")
    assert after is not None and (after["role"], after["secret"]) == (row["role"], row["secret"])
    assert app_rows(tenants)["acme"][1] == row["secret"] and can_log_in(tenants.login_url("acme"))


def test_a_tenant_whose_application_row_is_gone_is_unregistered_and_fix_writes_the_row(
        tenants: TenantProject) -> None:
    control_sql(tenants, APP_TABLE)
    reconfigure(tenants, registry_extra=MAPPING)
    assert tenants.run("tenant", "create", "acme", "bravo").exit_code == 0
    control_sql(tenants, "DELETE FROM public.tenant_databases WHERE slug = 'acme'")  # (the seed's lost row)
    code, report = check(tenants)
    assert code == 1 and found(report) == {("unregistered", "acme", tenants.database("acme"))}, report
    assert "public.tenant_databases" in report["problems"][0]["detail"]
    code, report = check(tenants, "--fix", "--yes")
    assert code == 0 and report["problems"][0]["fixed"], report
    row = tenants.row("acme")
    assert row is not None and app_rows(tenants)["acme"] == (tenants.database("acme"), row["secret"])
    assert row["status"] == "active" and can_log_in(tenants.login_url("acme"))
    assert check(tenants)[0] == 0


# --- schema per tenant --------------------------------------------------------------------------


def per_schema(tenants: TenantProject) -> str:
    """Provision the project's tenants as schemas of an application database of the test's
    (made here; the fixture drops the prefix's databases); its name."""
    app = f"{tenants.prefix}_app"
    admin_sql(tenants, "CREATE DATABASE {}", app)
    reconfigure(tenants, provision=f'{{ server = "{db_url(tenants.server, app)}", schema = "{tenants.prefix}_s_{{name}}",'
                                   f' role = "{tenants.prefix}_r_{{name}}" }}')
    return app


def schema_of(tenants: TenantProject, name: str) -> str:
    return f"{tenants.prefix}_s_{name}"


def schema_login(tenants: TenantProject, name: str, app: str) -> str:
    """The tenant's stored credentials, on the application database."""
    url = tenants.login_url(name)
    return psycopg.conninfo.make_conninfo(url, dbname=app)


def team_roles(url: str, schema: str) -> tuple[Any, ...] | None:
    with psycopg.connect(url, autocommit=True) as conn:
        return conn.execute(pgsql.SQL("SELECT current_user, count(*) FROM {}.team_roles").format(
            pgsql.Identifier(schema))).fetchone()


def test_schema_per_tenant_create_audit_rotate_and_drop(tenants: TenantProject) -> None:
    app = per_schema(tenants)
    r = tenants.run("tenant", "create", "acme", "globex")
    assert r.exit_code == 0, r.output
    admin_app = db_url(tenants.server, app)
    for name in ("acme", "globex"):
        row = tenants.row(name)
        assert row is not None and (row["status"], row["database"], row["schema"]) == (
            "active", None, schema_of(tenants, name))
        with tenants.admin(app) as conn:
            assert conn.execute("SELECT nspowner::regrole::text FROM pg_namespace WHERE nspname = %s",
                                (schema_of(tenants, name),)).fetchone() == (tenants.owner(name),)
        assert table_owners(admin_app, schema_of(tenants, name)) == {tenants.owner(name)}
        # logged in as the tenant: its tables, with the reference rows
        assert team_roles(schema_login(tenants, name, app), schema_of(tenants, name)) == (tenants.owner(name), 2)
    assert not tenants.exists("database", tenants.database("acme"))  # (no database per tenant)
    assert table_owners(admin_app) == set()  # (nothing landed in the application's public schema)
    # one tenant cannot read another's schema
    try:
        team_roles(schema_login(tenants, "acme", app), schema_of(tenants, "globex"))
        raise AssertionError("acme read globex's schema")
    except psycopg.errors.InsufficientPrivilege:
        pass

    r = tenants.run("audit", "--format", "json")
    assert r.exit_code == 0, r.output
    audited = {t["name"]: (t["status"], t["location"]) for t in json.loads(r.stdout)["databases"]}
    assert audited.keys() == {"acme", "globex"} and all(st == "in_sync" for st, _ in audited.values()), audited
    assert audited["acme"][1].endswith(f"schema {schema_of(tenants, 'acme')}")
    shown = tenants.run("tenant", "show", "acme")
    assert f"schema:    {schema_of(tenants, 'acme')}" in shown.stdout and "audit:     in_sync" in shown.stdout, shown.output

    old = schema_login(tenants, "acme", app)
    r = tenants.run("tenant", "rotate-credentials", "acme")
    assert r.exit_code == 0, r.output
    new = schema_login(tenants, "acme", app)
    assert team_roles(new, schema_of(tenants, "acme")) == (tenants.owner("acme"), 2) and not can_log_in(old)
    with psycopg.connect(new, autocommit=True) as conn:  # (each login finds its own tables unqualified)
        assert conn.execute("SELECT count(*) FROM team_roles").fetchone() == (2,)

    r = tenants.run("tenant", "drop", "acme", "--yes")
    assert r.exit_code == 0, r.output
    assert not tenants.exists("schema", schema_of(tenants, "acme"), app)
    assert not any(tenants.exists("role", tenants.owner("acme") + suffix) for suffix in ("", "_login1", "_login2"))
    # the other tenant, and the application database, are untouched
    assert tenants.exists("database", app) and tenants.exists("schema", schema_of(tenants, "globex"), app)
    assert team_roles(schema_login(tenants, "globex", app), schema_of(tenants, "globex")) == (
        tenants.owner("globex"), 2)
    code, report = check(tenants)
    assert code == 0 and report["problems"] == [], report


def test_schema_per_tenant_check_finds_a_missing_and_an_unregistered_schema_and_fix_adopts(
        tenants: TenantProject) -> None:
    app = per_schema(tenants)
    assert tenants.run("tenant", "create", "acme", "globex").exit_code == 0
    admin_sql(tenants, "DROP SCHEMA {} CASCADE", schema_of(tenants, "globex"), database=app)
    build_by_hand(tenants, app, schema_of(tenants, "ghost"))
    code, report = check(tenants)
    assert code == 1 and found(report) == {("missing_schema", "globex", schema_of(tenants, "globex")),
                                           ("unregistered", "ghost", schema_of(tenants, "ghost"))}, report
    r = tenants.run("registry", "check")
    assert r.exit_code == 1 and f"tenants/ghost: unregistered: schema {schema_of(tenants, 'ghost')}" in r.stdout

    code, report = check(tenants, "--fix", "--yes")
    assert code == 1 and found(report, open_only=True) == {("missing_schema", "globex", schema_of(tenants, "globex"))}
    row = tenants.row("ghost")
    assert row is not None and (row["status"], row["schema"], row["database"]) == (
        "active", schema_of(tenants, "ghost"), None)
    assert team_roles(schema_login(tenants, "ghost", app), schema_of(tenants, "ghost")) == (tenants.owner("ghost"), 2)
    assert table_owners(db_url(tenants.server, app), schema_of(tenants, "ghost")) == {tenants.owner("ghost")}
    with tenants.admin(app) as conn:
        assert conn.execute("SELECT nspowner::regrole::text FROM pg_namespace WHERE nspname = %s",
                            (schema_of(tenants, "ghost"),)).fetchone() == (tenants.owner("ghost"),)
    # the adopted tenant is a target like the others
    r = tenants.run("audit", "--format", "json")
    audited = {t["name"]: t["status"] for t in json.loads(r.stdout)["databases"]}
    assert audited["ghost"] == "in_sync" and audited["acme"] == "in_sync", r.output


# --- the secrets sweep --------------------------------------------------------------------------


def test_password_and_key_show_themselves_masked() -> None:
    password = Password("hunter2-" + secrets.token_urlsafe(8))
    key_text = new_key()
    key = parse_key(key_text, "the test")
    for shown in (repr(password), str(password), f"{password}", repr([password]), repr(key), str(key), f"{key}",
                  repr({"k": key})):
        assert password.reveal() not in shown and key_text not in shown and key_text.split(":")[1] not in shown
    assert repr(password) == "Password(***)" and repr(key) == "SecretKey(from the test)"
    assert repr(key.raw) not in repr(key)
    # an error about a ciphertext names neither the key nor the password
    sealed = key.encrypt(password, "acme", "acme_login1")
    with pytest.raises(Exception) as caught:
        parse_key(new_key(), "another").decrypt(sealed, "acme", "acme_login1")
    assert password.reveal() not in str(caught.value) and key_text not in str(caught.value)


class ActivitySampler:
    """Every query text pg_stat_activity shows on the server, sampled while commands run."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.queries: set[str] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        with psycopg.connect(self.url, autocommit=True) as conn:
            while not self._stop.is_set():
                self.queries.update(r[0] for r in conn.execute(
                    "SELECT query FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND query <> ''"))
                self._stop.wait(0.02)

    def __enter__(self) -> ActivitySampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(10)


def server_log(tenants: TenantProject) -> Path | None:
    """The tenant server's log file: pgcluster.Cluster starts it with ``pg_ctl -l <folder>/log``,
    its data directory being ``<folder>/data`` (the embedded fallback logs elsewhere: None)."""
    with tenants.admin() as conn:
        row = conn.execute("SHOW data_directory").fetchone()
    log = Path(str(row[0])).parent / "log" if row else None
    return log if log is not None and log.is_file() else None


def test_secrets_sweep_no_password_or_key_in_any_output_report_journal_registry_or_log(
        tenants: TenantProject, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch) -> None:
    caplog.set_level(logging.DEBUG)
    command_lines: list[str] = []  # (what `ps` shows of the processes trueup starts: pg_dump)
    real_run = subprocess.run

    def recording_run(cmd: Any, *args: Any, **kwargs: Any) -> Any:
        command_lines.append(" ".join(map(str, cmd)) if isinstance(cmd, list | tuple) else str(cmd))
        return real_run(cmd, *args, **kwargs)

    monkeypatch.setattr(subprocess, "run", recording_run)
    admin_password = "Adm1nPw-" + secrets.token_hex(8)
    wrong_key = new_key()
    # the admin's password in every URL of the config (the server trusts the admin: it is not
    # checked, but trueup has it in hand and must mask it wherever it shows a URL)
    server = tenants.server
    with_password = server.replace("postgres@", f"postgres:{admin_password}@", 1)
    assert with_password != server
    reconfigure(tenants, registry_extra="stuck_after_s = 60")
    cfg = tenants.config_path
    cfg.write_text(cfg.read_text().replace(server.rsplit("/", 1)[0] + "/", with_password.rsplit("/", 1)[0] + "/"))
    assert cfg.read_text().count(admin_password) == 2  # (the registry's URL and the provisioning server's)
    key = parse_key(tenants.key, "the test")
    passwords: set[str] = set()

    def harvest() -> None:
        """Every password the registry holds (current and a rotation's pending one), decrypted."""
        if control_sql(tenants, "SELECT to_regclass('trueup.tenants')") == [(None,)]:
            return
        for name, role, secret, pending_role, pending in control_sql(
                tenants, "SELECT name, role, secret, pending_role, pending_secret FROM trueup.tenants"):
            for r, s in ((role, secret), (pending_role, pending)):
                if s:
                    passwords.add(key.decrypt(s, name, r).reveal())

    results: list[tuple[str, Result]] = []

    def run(*args: str, code: int | None = 0, env: dict[str, str] | None = None) -> Result:
        if args[0] == "secret-key":  # (it reads no config)
            r = CliRunner(env={"TRUEUP_SECRET_KEY": tenants.key}).invoke(cli, list(args), catch_exceptions=False)
        else:
            r = tenants.run(*args, env=env)
        results.append((" ".join(args), r))
        if code is not None:
            assert r.exit_code == code, (args, r.output)
        harvest()
        return r

    reports = tenants.folder / "reports"
    reports.mkdir()
    log = server_log(tenants)
    log_start = log.stat().st_size if log else 0
    with tenants.admin() as conn:  # every statement of every session into the server's log
        conn.execute("ALTER ROLE ALL SET log_statement = 'all'")
        conn.execute("ALTER ROLE ALL SET log_min_messages = 'info'")
    try:
        with ActivitySampler(db_url(server, "postgres")) as activity:
            new = run("secret-key", "new")
            assert new.stdout.startswith("trueup-key-1:") and new.stdout.strip() != tenants.key
            run("tenant", "create", "acme", "globex")
            run("tenant", "create", "initech", "--format", "json")
            # failure paths: an injected failure and its resume, a wrong key, no key
            r = run("tenant", "create", "flaky", code=2, env={"TRUEUP_TEST_FAIL_STEP": "create:verify"})
            assert "injected failure" in r.stdout
            run("tenant", "create", "flaky", "--resume")
            for args in (("tenant", "create", "wrongkey"), ("tenant", "rotate-credentials", "acme"),
                         ("registry", "check"), ("tenant", "drop", "acme", "--yes")):
                r = run(*args, code=2, env={"TRUEUP_SECRET_KEY": wrong_key})
                assert "not the key this registry's passwords are encrypted with" in r.stderr
            run("tenant", "create", "wrongkey", code=2, env={"TRUEUP_SECRET_KEY": ""})
            run("tenant", "list")
            run("tenant", "list", "--format", "json")
            shown = run("tenant", "show", "acme")
            assert "postgres:***@" in shown.stdout  # (the server's URL, its password masked)
            run("tenant", "show", "acme", "--format", "json")
            # rotations: one stopped after its new login was made (its pending password is in
            # the registry, harvested), then finished; every tenant's
            run("tenant", "rotate-credentials", "acme", code=2, env={"TRUEUP_TEST_FAIL_STEP": "rotate:switch"})
            run("tenant", "rotate-credentials", "acme")
            run("tenant", "rotate-credentials", "--all")
            run("tenant", "rotate-credentials", "--all", "--format", "json")
            # registry check: a login that fails, an unregistered database, a stuck rotation
            globex = tenants.row("globex")
            assert globex is not None
            admin_sql(tenants, "ALTER ROLE {} PASSWORD 'broken-by-hand'", globex["role"])
            admin_sql(tenants, "CREATE DATABASE {}", tenants.database("ghost"))
            build_by_hand(tenants, tenants.database("ghost"))
            run("tenant", "rotate-credentials", "initech", code=2, env={"TRUEUP_TEST_FAIL_STEP": "rotate:retire"})
            age(tenants, "initech")
            r = run("registry", "check", code=1)
            assert "login_failed" in r.stdout and "unregistered" in r.stdout and "stuck" in r.stdout
            run("registry", "check", "--format", "json", code=1)
            run("registry", "check", "--fix", code=2)
            r = run("registry", "check", "--fix", "--yes", code=1)
            assert "registered as tenant 'ghost'" in r.stdout and "rotation finished" in r.stdout
            run("registry", "check", "--fix", "--yes", "--format", "json", code=1)
            run("tenant", "rotate-credentials", "globex")
            run("registry", "check", "--format", "json", "-o", str(reports / "check.json"))
            # the fleet commands over the registry's tenants, every report format
            run("audit")
            for fmt, ext in (("json", "json"), ("html", "html"), ("junit", "xml")):
                run("audit", "--format", fmt, "-o", str(reports / f"audit.{ext}"))
            assert "acme" in (reports / "audit.json").read_text()
            # an apply over them too (its journal is swept below): a reference row put back
            with tenants.admin(tenants.database("acme")) as conn:
                conn.execute("DELETE FROM team_roles WHERE id = 2")
            r = run("apply", "--yes")
            assert "acme" in r.stdout
            run("audit")
            # drop, with a backup, and a failed drop resumed
            run("tenant", "drop", "initech", "--yes", "--backup", str(tenants.folder / "backups"))
            run("tenant", "drop", "flaky", "--yes", "--format", "json", code=2,
                env={"TRUEUP_TEST_FAIL_STEP": "drop:drop_roles"})
            run("tenant", "drop", "flaky", "--yes")
            run("tenant", "show", "flaky")
    finally:
        with tenants.admin() as conn:
            conn.execute("ALTER ROLE ALL RESET log_statement")
            conn.execute("ALTER ROLE ALL RESET log_min_messages")

    assert len(passwords) >= 12, len(passwords)  # 6 tenants' first passwords, and their rotations'
    needles = {f"tenant password {i}": p for i, p in enumerate(sorted(passwords))}
    for label, k in (("secret key", tenants.key), ("wrong key", wrong_key)):
        needles[label] = k
        needles[label + " (its base64)"] = k.split(":", 1)[1]
    needles["admin password"] = admin_password

    def leaks(where: str, text: str) -> list[str]:
        return [f"{label} in {where}" for label, needle in needles.items() if needle in text]

    found_leaks: list[str] = []
    for command, r in results:
        found_leaks += leaks(f"`{command}` stdout", r.stdout) + leaks(f"`{command}` stderr", r.stderr)
        # every URL shown has its password masked
        for url in re.findall(r"postgres(?:ql)?://[^\s\"'<>]+", r.output):
            assert "@" not in url or re.match(r"postgres(?:ql)?://[^:/@]*(:\*\*\*)?@", url), (command, url)
    found_leaks += leaks("the log records", caplog.text)
    assert any("pg_dump" in c for c in command_lines)
    found_leaks += leaks("a command line", "\n".join(command_lines))
    # reports, the journal (.trueup: SQLite and its cache), backups: every file but the config
    # itself (which holds the admin's URL by the user's choice)
    files = [f for f in tenants.folder.rglob("*") if f.is_file() and f != cfg]
    files += [f for f in Path(os.environ["TRUEUP_CACHE_DIR"]).rglob("*") if f.is_file()]
    assert any(".trueup" in f.parts for f in files) and (reports / "audit.html").is_file()
    for f in files:
        found_leaks += leaks(str(f.relative_to(tenants.folder) if tenants.folder in f.parents else f),
                             f.read_bytes().decode("utf-8", "replace"))
    # the registry's plain columns and its event log (the secret columns hold ciphertext)
    plain = control_sql(tenants, "SELECT (to_jsonb(t) - 'secret' - 'pending_secret')::text FROM trueup.tenants t")
    events = control_sql(tenants, "SELECT to_jsonb(e)::text FROM trueup.tenant_events e")
    meta = control_sql(tenants, "SELECT to_jsonb(m)::text FROM trueup.registry_meta m")
    assert len(plain) == 5 and len(events) > 50
    found_leaks += leaks("trueup.tenants", "\n".join(r[0] for r in plain))
    found_leaks += leaks("trueup.tenant_events", "\n".join(r[0] for r in events))
    found_leaks += leaks("trueup.registry_meta", "\n".join(r[0] for r in meta))
    # what the server saw: query texts, and every statement in its log
    assert any("trueup.tenants" in q for q in activity.queries)
    found_leaks += leaks("pg_stat_activity", "\n".join(activity.queries))
    if log is not None:
        with log.open("rb") as fh:
            fh.seek(log_start)
            logged = fh.read().decode("utf-8", "replace")
        # (every statement was logged, those setting tenants' passwords included)
        assert re.search(r"statement: (CREATE|ALTER) ROLE \S+ LOGIN PASSWORD", logged), logged[-2000:]
        found_leaks += leaks("the server log", logged)
    else:
        pytest.fail("the tenant server's log file was not found (the embedded fallback): not swept")
    assert found_leaks == [], found_leaks


@pytest.mark.parametrize("bad", ["postgresql://postgres:{pw} x@127.0.0.1:1/postgres",
                                 "postgresql://postgres:{pw}@[::1/postgres",
                                 "postgresql://postgres:{pw}%zz@127.0.0.1:1/postgres"])
def test_a_malformed_url_is_one_error_that_does_not_quote_its_password(tenants: TenantProject, bad: str) -> None:
    pw = "Pw-" + secrets.token_hex(6)
    cfg = tenants.config_path
    text = cfg.read_text()
    server = db_url(tenants.server, "postgres")
    registry = text.replace(f'url = "{tenants.control}"', f'url = "{bad.format(pw=pw)}"')
    provision = text.replace(server, bad.format(pw=pw))
    for config, commands in ((registry, (("tenant", "list"), ("registry", "check"), ("audit",))),
                             (provision, (("registry", "check"), ("tenant", "create", "acme")))):
        cfg.write_text(config)
        for args in commands:
            r = tenants.run(*args)
            assert r.exit_code == 2 and "invalid connection string" in r.output, (args, r.output)
            assert pw not in r.output and "Traceback" not in r.output, (args, r.output)


@pytest.mark.parametrize("bad", ["host=127.0.0.1 password={pw} dbname", "host=127.0.0.1 password='{pw} x' port=x",
                                 "postgresql://u:{pw}@[::1/x", "postgresql://u:{pw} x@h/x"])
def test_the_driver_masks_the_password_of_a_malformed_connection_string(bad: str) -> None:
    from trueup.engines.postgres.driver import connect, database_url
    from trueup.errors import ConnectionFailed

    pw = "Pw-" + secrets.token_hex(6)
    with pytest.raises(ConnectionFailed) as caught:
        connect(bad.format(pw=pw), timeout=1)
    assert pw not in caught.value.message
    try:
        database_url(bad.format(pw=pw), "d")
    except ConnectionFailed as err:
        assert pw not in err.message
