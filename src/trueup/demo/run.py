"""The demo: an embedded server, a control database and twenty tenants, five of the seed
stories' drifts injected, and ``trueup audit`` telling them apart."""

from __future__ import annotations

import tempfile
from importlib import resources
from pathlib import Path

from rich.console import Console

from trueup.engines import default_engine
from trueup.engines.interface.engine import Engine
from trueup.tenants.secrets import new_key

PREFIX = "trueup_demo_"
TENANTS = (
    "acme", "globex", "initech", "umbrella", "hooli", "stark", "wayne", "wonka", "tyrell", "cyberdyne",
    "soylent", "aperture", "blackmesa", "oscorp", "gringotts", "monarch", "nakatomi", "pied_piper",
    "vandelay", "dunder",
)
#: tenant -> (what happened, SQL that makes it happen)
DRIFTS = {
    "acme": ("someone dropped tenant_settings: every request 500s",
             "DROP TABLE tenant_settings"),
    "globex": ("a control-layer table was migrated into the tenant database",
               "CREATE TABLE schema_tables (id serial PRIMARY KEY, app_id integer NOT NULL, table_name text NOT NULL)"),
    "initech": ("system roles never seeded",
                "DELETE FROM team_roles WHERE name IN ('Admin', 'Viewer')"),
    "umbrella": ("'tables OK' - but a trigger, an index and a template are gone",
                 "DROP TRIGGER projects_touch ON projects; DROP INDEX projects_owner_idx;"
                 " DELETE FROM notification_templates WHERE code = 'password_reset'"),
    "hooli": ("a hotfix changed a default by hand and left a column behind",
              "ALTER TABLE team_roles ALTER COLUMN can_manage_projects SET DEFAULT true;"
              " ALTER TABLE users ADD COLUMN legacy_password text"),
}
REGISTRY_QUERY = "SELECT slug AS name, database_name AS database FROM tenant_databases WHERE status = 'active'"
#: registered, but provisioning died before the database was created
HALF_PROVISIONED = "stark"
#: the fifth seed: provisioning created the database, but not its tenant_databases row
UNREGISTERED = "nakatomi"


def _text(name: str) -> str:
    return resources.files("trueup.demo").joinpath(name).read_text()


def _create(engine: Engine, server: str, name: str, *scripts: str) -> str:
    url = engine.create_database(server, name, replace=True)
    for script in scripts:
        engine.run_script(url, script)
    return url


def _drop_all(engine: Engine, server: str) -> None:
    for name in engine.list_databases(server, "trueup\\_demo\\_%"):
        engine.drop_database(server, name)
    ops = engine.tenancy().server_ops(server)
    try:  # (the roles `registry check --fix` gave the adopted tenant; logins before their owner)
        for role in sorted(ops.roles("trueup\\_demo\\_%"), key=len, reverse=True):
            ops.drop_role(role)
    finally:
        ops.close()


def _registry_rows(registry: list[tuple[str, str]]) -> str:
    """The registry's rows as one INSERT (names are the demo's own: letters and underscores)."""
    values = ", ".join(f"('{slug}', '{db}')" for slug, db in registry)
    return f"INSERT INTO tenant_databases (slug, database_name) VALUES {values}"


def build_fleet(engine: Engine, server: str, workdir: Path) -> Path:
    """Create the demo fleet and its trueup.toml; return the config path."""
    tenant_sql = _text("tenant.sql")
    migrations = sorted(p.name for p in resources.files("trueup.demo").joinpath("migrations").iterdir()
                        if p.name.endswith(".sql"))
    ran = ", ".join(f"('{name[:-4]}', 1)" for name in migrations)  # Laravel's history: every one "Ran"
    control = _create(engine, server, f"{PREFIX}control", _text("control.sql"),
                      f"INSERT INTO migrations (migration, batch) VALUES {ran}", "DROP TABLE role_permissions")
    registry = []
    for slug in TENANTS:
        db = f"{PREFIX}tenant_{slug}"
        if slug != UNREGISTERED:
            registry.append((slug, db))
        if slug == HALF_PROVISIONED:
            continue
        drift = DRIFTS.get(slug)
        _create(engine, server, db, tenant_sql, *([drift[1]] if drift else []))
    engine.run_script(control, _registry_rows(registry))
    (workdir / "schema").mkdir(exist_ok=True)
    (workdir / "schema" / "control.sql").write_text(_text("control.sql"))
    (workdir / "schema" / "tenant.sql").write_text(tenant_sql)
    (workdir / "reference.toml").write_text(_text("reference.toml"))
    (workdir / "migrations").mkdir(exist_ok=True)
    for name in migrations:
        (workdir / "migrations" / name).write_text(_text(f"migrations/{name}"))
    key = workdir / "secret.key"
    key.write_text(new_key() + "\n")
    key.chmod(0o600)
    config = workdir / "trueup.toml"
    config.write_text(f'''# written by trueup demo
[scratch]
url = "{server}"

# trueup's tenant registry, read and written through the application's own tenant_databases
[registry]
url = "{engine.location(control)}"
key_file = "secret.key"
table = "public.tenant_databases"
columns = {{ name = "slug", database = "database_name", status = "status" }}

[groups.control]
desired = "schema/control.sql"
migrations = {{ dir = "migrations", history = "laravel" }}
targets = [{{ name = "control", url = "{engine.location(control)}" }}]

[groups.tenants]
desired = "schema/tenant.sql"
reference_data = "reference.toml"
discover = {{ registry = "control", server = "{server}", query = "{REGISTRY_QUERY}" }}
provision = {{ server = "{server}", database = "{PREFIX}tenant_{{name}}", role = "{PREFIX}{{name}}" }}
''')
    return config


def _registry_story(out: Console, config_path: Path) -> None:
    """The fifth seed: a tenant database without its registry row, found and registered."""
    from trueup.config import load_config
    from trueup.tenants.check import check_registry, fix_problems, render_text
    from trueup.tenants.context import open_tenancy

    out.print(f"\n[bold]$ trueup registry check -c {config_path}[/]   (the fifth seed: a database with no "
              "registry row)")
    with open_tenancy(load_config(config_path)) as ctx:
        report = check_registry(ctx)
        out.print(render_text(report), highlight=False, markup=False, end="")
        out.print(f"\n[bold]$ trueup registry check -c {config_path} --fix --yes[/]")
        fix_problems(ctx, report)
        out.print(render_text(report), highlight=False, markup=False, end="")


def run_demo(keep: bool = False, console: Console | None = None) -> None:
    from trueup.config import load_config
    from trueup.fleet.audit import run_audit
    from trueup.fleet.history import run_status, summary
    from trueup.fleet.migrate_repair import run_repair
    from trueup.fleet.planning import prepare
    from trueup.fleet.rollout import execute
    from trueup.report.html import render_html
    from trueup.report.plans import render_apply_text
    from trueup.report.text import render_text

    out = console or Console()
    engine = default_engine()
    out.print("[bold]trueup demo[/] - starting the embedded PostgreSQL server ...")
    server = engine.default_server()
    workdir = Path(tempfile.mkdtemp(prefix="trueup-demo-"))
    try:
        config_path = build_fleet(engine, server, workdir)
        out.print(f"Registered {len(TENANTS) - 1} tenants in a control database and created {len(TENANTS) - 1} tenant"
                  f" databases ({HALF_PROVISIONED}'s never was, {UNREGISTERED}'s row never was); injected the"
                  " incidents:")
        out.print("  control: role_permissions dropped, though its migration still says 'Ran'")
        for slug, (story, _) in DRIFTS.items():
            out.print(f"  {slug}: {story}")
        out.print(f"  {HALF_PROVISIONED}: registered in tenant_databases, but its database was never created")
        out.print(f"  {UNREGISTERED}: its database was created, but its tenant_databases row never was")
        out.print(f"\nConfig: {config_path}\n[bold]$ trueup audit -c {config_path}[/]\n")
        result = run_audit(load_config(config_path))
        render_text(result, out, next_command=None)
        html = workdir / "trueup-audit.html"
        html.write_text(render_html(result, title="trueup demo audit"), encoding="utf-8")
        out.print(f"\nHTML report: [bold]{html}[/] (open it in a browser)")
        out.print(f"\n[bold]$ trueup migrate status -c {config_path} --group control[/]   (the first seed: "
                  "Laravel says 'Ran', the table is gone)")
        history = run_status(load_config(config_path), groups=["control"])
        for line in summary(history):
            out.print(f"  {line}", highlight=False)
        for r in history.results:
            for f in r.findings:
                out.print(f"  {r.name}: {f.problem} {f.object}: {f.detail}", highlight=False)
        out.print(f"\n[bold]$ trueup migrate repair -c {config_path} --group control --yes[/]")
        out.print(run_repair(load_config(config_path), groups=["control"]).text(), highlight=False, end="")
        _registry_story(out, config_path)
        out.print(f"\n[bold]$ trueup apply -c {config_path} --yes[/]   (destructive changes stay skipped)")
        rollout = prepare(load_config(config_path))
        for line in rollout.summary_lines():
            out.print(f"  {line}", highlight=False)
        report = execute(load_config(config_path), rollout)
        out.print(render_apply_text(report), highlight=False)
    finally:
        if keep:
            out.print(f"Kept the demo databases (prefix {PREFIX}) and {workdir}.")
        else:
            _drop_all(engine, server)
