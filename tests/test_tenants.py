"""`trueup tenant create/list/show/drop/rotate-credentials` on a server where tenant roles
need their password (tenantdata.py): the happy paths, end to end."""

from __future__ import annotations

import json

import psycopg
import pytest
from tenantdata import TenantProject


def can_log_in(url: str) -> bool:
    try:
        with psycopg.connect(url, connect_timeout=5) as conn:
            conn.execute("SELECT 1")
        return True
    except psycopg.OperationalError:
        return False


def test_create_registers_builds_verifies_and_activates(tenants: TenantProject) -> None:
    r = tenants.run("tenant", "create", "acme", "globex")
    assert r.exit_code == 0, r.output
    assert "acme: active" in r.stdout and "globex: active" in r.stdout
    for name in ("acme", "globex"):
        row = tenants.row(name)
        assert row is not None and row["status"] == "active" and row["phase"] is None
        assert row["database"] == tenants.database(name) and row["owner"] == tenants.owner(name)
        assert row["secret"].startswith("v1:")
        assert [s for s, state in tenants.events(name) if state == "done"] == [
            "create:register", "create:create_role", "create:create_database", "create:apply_schema",
            "create:reference_data", "create:verify", "create:activate"]
        # the tenant's own credentials log in (a wrong password really fails on this server)
        url = tenants.login_url(name)
        with psycopg.connect(url) as conn:
            assert conn.execute("SELECT current_user, count(*) FROM team_roles").fetchone() == (
                tenants.owner(name), 2)  # (the login works as the owner role; reference rows are there)
            owners = {r[0] for r in conn.execute(
                "SELECT DISTINCT relowner::regrole::text FROM pg_class WHERE relnamespace = 'public'::regnamespace")}
            assert owners == {tenants.owner(name)}
        assert not can_log_in(url.replace("password=", "password=x"))


def test_create_without_the_template_builds_each_database(tenants: TenantProject) -> None:
    cfg = tenants.config_path
    cfg.write_text(cfg.read_text().replace('role = "', 'template = false, role = "'))
    r = tenants.run("tenant", "create", "solo")
    assert r.exit_code == 0, r.output
    assert "from template" not in r.stdout
    with tenants.admin() as conn:
        assert not conn.execute("SELECT 1 FROM pg_database WHERE datname LIKE 'trueup\\_tpl\\_%'").fetchone()
    assert ("create:apply_schema", "done") in tenants.events("solo")
    assert can_log_in(tenants.login_url("solo"))


def test_list_and_show_name_the_tenant_but_never_its_secret(tenants: TenantProject) -> None:
    assert tenants.run("tenant", "create", "acme").exit_code == 0
    listed = json.loads(tenants.run("tenant", "list", "--format", "json").stdout)["tenants"]
    assert [(t["name"], t["status"], t["database"]) for t in listed] == [("acme", "active", tenants.database("acme"))]
    shown = tenants.run("tenant", "show", "acme")
    assert shown.exit_code == 0 and "status:    active" in shown.stdout and "audit:     in_sync" in shown.stdout
    row = tenants.row("acme")
    assert row is not None
    for out in (json.dumps(listed), shown.stdout):
        assert row["secret"] not in out and "secret" not in out


def test_rotation_switches_to_a_new_login_and_retires_the_old(tenants: TenantProject) -> None:
    assert tenants.run("tenant", "create", "acme").exit_code == 0
    old = tenants.login_url("acme")
    r = tenants.run("tenant", "rotate-credentials", "acme")
    assert r.exit_code == 0, r.output
    new = tenants.login_url("acme")
    row = tenants.row("acme")
    assert row is not None and row["role"] == tenants.owner("acme") + "_login2" and row["generation"] == 2
    assert row["pending_role"] is None and row["retiring_role"] is None
    assert can_log_in(new) and not can_log_in(old)
    assert not tenants.exists("role", tenants.owner("acme") + "_login1")


def test_drop_with_a_backup_removes_database_and_roles_and_keeps_the_row(tenants: TenantProject) -> None:
    assert tenants.run("tenant", "create", "acme").exit_code == 0
    backups = tenants.folder / "backups"
    r = tenants.run("tenant", "drop", "acme", "--yes", "--backup", str(backups))
    assert r.exit_code == 0, r.output
    dumps = list(backups.glob("acme-*.dump"))
    assert len(dumps) == 1 and dumps[0].stat().st_size > 0
    assert not tenants.exists("database", tenants.database("acme"))
    assert not tenants.exists("role", tenants.owner("acme"))
    assert not tenants.exists("role", tenants.owner("acme") + "_login1")
    row = tenants.row("acme")
    assert row is not None and row["status"] == "dropped" and row["secret"] is None


def test_drop_asks_and_refuses_without_yes_outside_a_terminal(tenants: TenantProject) -> None:
    assert tenants.run("tenant", "create", "acme").exit_code == 0
    r = tenants.run("tenant", "drop", "acme")
    assert r.exit_code == 2 and "without --yes" in r.stderr
    assert tenants.exists("database", tenants.database("acme"))


@pytest.mark.parametrize("name", ["Acme", "a-b", "", "x" * 41, "a;drop"])
def test_a_bad_tenant_name_is_one_clear_error(tenants: TenantProject, name: str) -> None:
    r = tenants.run("tenant", "create", name)
    assert r.exit_code == 2 and "is not a valid tenant name" in r.stderr
    assert "Traceback" not in r.output


def test_a_dropped_tenants_name_can_be_created_again(tenants: TenantProject) -> None:
    assert tenants.run("tenant", "create", "acme").exit_code == 0
    first = tenants.login_url("acme")
    assert tenants.run("tenant", "drop", "acme", "--yes").exit_code == 0
    r = tenants.run("tenant", "create", "acme")
    assert r.exit_code == 0, r.output
    row = tenants.row("acme")
    assert row is not None and row["status"] == "active" and row["generation"] == 1
    second = tenants.login_url("acme")
    assert second != first and can_log_in(second) and not can_log_in(first)
    steps = [s for s, state in tenants.events("acme") if state == "done"]
    assert steps.count("create:register") == 2 and "drop:mark_dropped" in steps  # (one log, both lives)


def test_secret_key_new_prints_one_new_key_and_nothing_else() -> None:
    from click.testing import CliRunner

    from trueup.cli.main import cli
    from trueup.tenants.secrets import Password, parse_key

    first, second = (CliRunner().invoke(cli, ["secret-key", "new"]) for _ in range(2))
    assert first.exit_code == 0 and first.stderr == ""
    lines = first.stdout.splitlines()
    assert len(lines) == 1 and lines[0] != second.stdout.strip()
    key = parse_key(lines[0], "test")
    assert key.decrypt(key.encrypt(Password("x"), "t", "r"), "t", "r").reveal() == "x"


def test_the_registry_upgrades_an_older_layout_and_refuses_a_newer_one(tenants: TenantProject) -> None:
    assert tenants.run("tenant", "create", "acme").exit_code == 0
    with psycopg.connect(tenants.control, autocommit=True) as conn:
        # (layout 1, before each tenant kept its last audit)
        conn.execute("ALTER TABLE trueup.tenants DROP COLUMN audit, DROP COLUMN audited, DROP COLUMN schema_version")
        conn.execute("UPDATE trueup.registry_meta SET value = '1' WHERE key = 'version'")
    listed = tenants.run("tenant", "list", "--format", "json")
    assert listed.exit_code == 0 and [(t["name"], t["last_audit"]) for t in json.loads(listed.stdout)["tenants"]] == [
        ("acme", None)]
    with psycopg.connect(tenants.control, autocommit=True) as conn:
        assert conn.execute("SELECT value FROM trueup.registry_meta WHERE key = 'version'").fetchone() == ("2",)
        conn.execute("UPDATE trueup.registry_meta SET value = '99' WHERE key = 'version'")
    r = tenants.run("tenant", "list")
    assert r.exit_code == 2 and "written by a newer trueup" in r.stderr and "Traceback" not in r.output
    with psycopg.connect(tenants.control, autocommit=True) as conn:  # (left as it was)
        assert conn.execute("SELECT value FROM trueup.registry_meta WHERE key = 'version'").fetchone() == ("99",)


def test_a_migrations_group_creates_its_tenants_with_migrate_up(tenants: TenantProject) -> None:
    folder = tenants.folder / "migrations"
    folder.mkdir()
    (folder / "V1__roles.sql").write_text("CREATE TABLE team_roles (id int PRIMARY KEY, name text NOT NULL UNIQUE);")
    (folder / "V2__settings.sql").write_text(
        "CREATE TABLE tenant_settings (key text PRIMARY KEY, value text, role_id int REFERENCES team_roles (id));")
    cfg = tenants.config_path
    cfg.write_text(cfg.read_text().replace('desired = "tenant.sql"', 'migrations = { dir = "migrations" }'))
    r = tenants.run("tenant", "create", "acme")
    assert r.exit_code == 0, r.output
    with tenants.admin(tenants.database("acme")) as conn:
        assert conn.execute("SELECT version, success FROM trueup_schema_history ORDER BY 1").fetchall() == [
            (1, True), (2, True)]
        assert conn.execute("SELECT count(*) FROM team_roles").fetchone() == (2,)  # (the reference rows)
    shown = tenants.run("tenant", "show", "acme")
    assert "schema_version: V2" in shown.stdout and "audit:     in_sync" in shown.stdout, shown.output
    listed = json.loads(tenants.run("tenant", "list", "--format", "json").stdout)["tenants"]
    assert [(t["schema_version"], t["last_audit"]) for t in listed] == [("V2", "in_sync")]


def test_a_new_desired_state_gets_a_new_template_and_the_old_one_goes(tenants: TenantProject) -> None:
    def templates() -> list[str]:
        with tenants.admin() as conn:
            return [r[0] for r in conn.execute(
                "SELECT datname FROM pg_database WHERE datname LIKE 'trueup\\_tpl\\_tenants\\_%'")]

    assert tenants.run("tenant", "create", "acme").exit_code == 0
    first = templates()
    assert len(first) == 1
    sql = tenants.folder / "tenant.sql"
    sql.write_text(sql.read_text() + "CREATE TABLE audit_log (id bigint PRIMARY KEY, at timestamptz);\n")
    assert tenants.run("tenant", "create", "globex").exit_code == 0
    second = templates()
    assert len(second) == 1 and second != first
    with tenants.admin(tenants.database("globex")) as conn:
        assert conn.execute("SELECT to_regclass('public.audit_log') IS NOT NULL").fetchone() == (True,)
    with tenants.admin(tenants.database("acme")) as conn:  # (an existing tenant is not touched)
        assert conn.execute("SELECT to_regclass('public.audit_log') IS NULL").fetchone() == (True,)


def test_list_shows_each_tenants_last_audit(tenants: TenantProject) -> None:
    assert tenants.run("tenant", "create", "acme", "globex").exit_code == 0

    def last() -> dict[str, str]:
        listed = json.loads(tenants.run("tenant", "list", "--format", "json").stdout)["tenants"]
        return {t["name"]: t["last_audit"] for t in listed}

    assert last() == {"acme": "in_sync", "globex": "in_sync"}  # (verified when created)
    with tenants.admin(tenants.database("globex")) as conn:
        conn.execute("DROP VIEW role_names")
    audit = tenants.run("audit")
    assert audit.exit_code == 1, audit.output
    assert last() == {"acme": "in_sync", "globex": "drift: 1 finding(s)"}
    assert "drift: 1 finding(s)" in tenants.run("tenant", "list").stdout
