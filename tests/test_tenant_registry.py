"""`trueup registry check` against inconsistencies made for real on the tenant server, its
`--fix`; an application's own registry table; schema-per-tenant provisioning; and the secrets
sweep (no tenant password, admin password or secret key in any output, report, journal, registry
column, query text or server log)."""

from __future__ import annotations

import json
from typing import Any

import psycopg
from conftest import db_url
from psycopg import sql as pgsql
from tenantdata import REFERENCE, TENANT_SQL, TenantProject, write_project

from trueup.tenants.check import KINDS

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
    assert r.exit_code == 0 and r.stdout.strip().endswith("2 tenant(s) checked in " + r.stdout.split(" in ")[-1]
                                                         .strip()) and "consistent" in r.stdout, r.output


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

    old = schema_login(tenants, "acme", app)
    r = tenants.run("tenant", "rotate-credentials", "acme")
    assert r.exit_code == 0, r.output
    new = schema_login(tenants, "acme", app)
    assert team_roles(new, schema_of(tenants, "acme")) == (tenants.owner("acme"), 2) and not can_log_in(old)

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
