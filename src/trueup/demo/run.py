"""The demo: an embedded server, a declared tenant schema, a drifted tenant, and the diff."""

from __future__ import annotations

from importlib import resources

import psycopg
from rich.console import Console
from rich.panel import Panel
from rich.syntax import Syntax

from trueup.api import diff_models
from trueup.engines.postgres import ENGINE
from trueup.engines.postgres.driver import connection, with_database
from trueup.engines.postgres.embedded import EMBEDDED_PG_VERSION, embedded_url

DESIRED_DB = "trueup_demo_desired"
TENANT_DB = "trueup_demo_tenant_acme"


def _sql(name: str) -> str:
    return resources.files("trueup.demo").joinpath(name).read_text()


def _recreate(server: str, name: str, *scripts: str) -> str:
    with connection(server) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")  # type: ignore[arg-type]
        conn.execute(f"CREATE DATABASE {name}")  # type: ignore[arg-type]
    url = with_database(server, name)
    with psycopg.connect(url, autocommit=True) as conn:
        for script in scripts:
            conn.execute(script)  # type: ignore[arg-type]
    return url


def run_demo(keep: bool = False, console: Console | None = None) -> None:
    out = console or Console()
    out.print(f"[bold]trueup demo[/] - starting an embedded PostgreSQL {EMBEDDED_PG_VERSION} server ...")
    server = embedded_url()
    try:
        desired = _recreate(server, DESIRED_DB, _sql("tenant.sql"))
        tenant = _recreate(server, TENANT_DB, _sql("tenant.sql"), _sql("drift.sql"))
        out.print(f"Created [cyan]{DESIRED_DB}[/] (the declared tenant schema) and "
                  f"[cyan]{TENANT_DB}[/] (a tenant that drifted in production).\n")
        plan = diff_models(ENGINE.inspect(tenant), ENGINE.inspect(desired))
        out.print(Panel.fit("trueup diff tenant_acme desired", style="bold"))
        for change in plan.changes:
            hz = ", ".join(h.value for h in change.hazards) or "no hazards"
            out.print(f"  [bold]{change.action:8}[/] {change.id.kind:10} {change.id.display}  [yellow]{hz}[/]")
        out.print()
        out.print(Syntax(plan.to_sql(allow_destructive=False), "sql", theme="ansi_dark"), soft_wrap=True)
        skipped = len(plan.skipped())
        out.print(f"[bold]{len(plan.changes)} changes[/]; {skipped} destructive statement(s) left commented out "
                  "(rerun with --allow-destructive once reviewed).")
        out.print("\nTry it yourself: [bold]trueup diff postgresql://... schema/tenant.sql[/]")
    finally:
        if not keep:
            with connection(server) as conn:
                for name in (DESIRED_DB, TENANT_DB):
                    conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")  # type: ignore[arg-type]
        else:
            out.print(f"Kept the databases: {with_database(server, DESIRED_DB)} and {with_database(server, TENANT_DB)}"
                      " (the embedded server stops when this command exits; it keeps its data)")
