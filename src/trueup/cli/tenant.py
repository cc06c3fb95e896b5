"""``trueup tenant ...``, ``trueup registry check`` and ``trueup secret-key new``: tenant
lifecycle (docs/tenants.md). No password or key is ever printed: a tenant shows its role, never
its secret."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from trueup.cli.main import EXIT_DIFF, EXIT_ERROR, cli, confirm, fail, friendly, write_output

config_option = click.option("-c", "--config", "config_path", default="trueup.toml", show_default=True,
                             metavar="PATH", help="The config file.")
format_option = click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
                             show_default=True)


@cli.group()
def tenant() -> None:
    """Tenants: create, list, show, drop, rotate credentials (each a sequence of recorded,
    resumable steps in the registry)."""


@cli.group()
def registry() -> None:
    """The tenant registry checked against reality."""


@cli.group("secret-key")
def secret_key() -> None:
    """The key tenants' passwords are encrypted with."""


@secret_key.command("new")
def secret_key_new() -> None:
    """Print a new secret key (and nothing else): keep it in TRUEUP_SECRET_KEY or a key file."""
    from trueup.tenants.secrets import new_key

    click.echo(new_key())


def _load(config_path: str) -> Any:
    from trueup.config import load_config

    return load_config(config_path)


@tenant.command()
@click.argument("names", nargs=-1, required=True, metavar="NAME...")
@config_option
@click.option("--group", "-g", metavar="GROUP", help="The group (default: the only one with provision).")
@click.option("--resume", is_flag=True, help="Finish a create that failed or was interrupted, from its phase.")
@click.option("--concurrency", type=click.IntRange(1, 256), default=4, show_default=True,
              help="Tenants created at once.")
@format_option
@friendly
def create(names: tuple[str, ...], config_path: str, group: str | None, resume: bool, concurrency: int,
           fmt: str) -> None:
    """Create tenants: register → create role → create database (or schema) → apply the desired
    state → reference data → verify (logging in as the tenant) → active.

    Exit status: 0 all active, 2 one failed (it stays registered at the phase it failed in).
    """
    from trueup.cli.progress import progress_bar
    from trueup.tenants.context import check_name, open_tenancy
    from trueup.tenants.create import create_tenants

    for n in names:
        check_name(n)
    if len(set(names)) != len(names):
        fail("a tenant name is given twice")
    config = _load(config_path)
    with open_tenancy(config) as ctx:
        if group is None and not resume:
            group = ctx.group_for_new(None)
        with progress_bar("creating tenants") as tick:
            outcomes = create_tenants(ctx, list(names), group, resume=resume, concurrency=concurrency,
                                      progress=tick if len(names) > 1 else None)
    if fmt == "json":
        write_output(json.dumps({"tenants": [o.to_json() for o in outcomes]}, indent=2) + "\n", None)
    else:
        for o in outcomes:
            if o.status == "active":
                click.echo(f"{o.name}: active ({o.seconds:.2f} s" + (f", from template {o.template})"
                                                                   if o.template else ")"))
            else:
                click.echo(f"{o.name}: failed: {o.error}")
                if o.hint:
                    click.echo(f"  hint: {o.hint}")
    sys.exit(0 if all(o.status == "active" for o in outcomes) else EXIT_ERROR)


def _tenant_json(t: Any, events: list[Any] | None = None) -> dict[str, Any]:
    data = {"name": t.name, "group": t.group, "status": t.status, "phase": t.phase, "server": t.server,
            "database": t.database, "schema": t.schema, "owner": t.owner, "role": t.role,
            "rotation": t.pending_role, "error": t.error, "managed": t.managed,
            "created": t.created.isoformat() if t.created else None,
            "updated": t.updated.isoformat() if t.updated else None, "schema_version": t.schema_version,
            "last_audit": t.audit, "audited": t.audited.isoformat() if t.audited else None}
    if events is not None:
        data["events"] = [{"at": e.at.isoformat(), "step": e.step, "state": e.state, "detail": e.detail}
                          for e in events]
    return data


@tenant.command("list")
@config_option
@click.option("--group", "-g", metavar="GROUP", help="Only this group's tenants.")
@format_option
@friendly
def list_(config_path: str, group: str | None, fmt: str) -> None:
    """Every tenant of the registry: status, phase, where it lives (never its password)."""
    from trueup.tenants.context import open_tenancy

    with open_tenancy(_load(config_path), key=False) as ctx:
        tenants = ctx.registry.tenants(group)
    if fmt == "json":
        write_output(json.dumps({"tenants": [_tenant_json(t) for t in tenants]}, indent=2) + "\n", None)
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(box=None, pad_edge=False)
    for col in ("name", "group", "status", "phase", "database / schema", "role", "version", "last audit", "updated"):
        table.add_column(col)
    for t in tenants:
        status = t.status if t.managed else f"{t.status} (unmanaged)"
        audited = f"{t.audit} ({t.audited:%Y-%m-%d %H:%M})" if t.audit and t.audited else "-"
        table.add_row(t.name, t.group or "-", status, t.phase or "-", t.schema or t.database or "-", t.role or "-",
                      t.schema_version or "-", audited, t.updated.strftime("%Y-%m-%d %H:%M:%S") if t.updated else "-")
    # (outside a terminal, rows whole: names are what a script greps for, not to be cut at 80 columns)
    Console(soft_wrap=True, width=None if sys.stdout.isatty() else 500).print(table)
    counts: dict[str, int] = {}
    for t in tenants:
        counts[t.status] = counts.get(t.status, 0) + 1
    click.echo(f"{len(tenants)} tenant(s)" + (": " + ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
                                             if counts else ""))


@tenant.command()
@click.argument("name")
@config_option
@format_option
@click.option("--audit/--no-audit", default=True, show_default=True,
              help="Audit the tenant's schema now (its schema version and drift).")
@friendly
def show(name: str, config_path: str, fmt: str, audit: bool) -> None:
    """One tenant: status, phase, server, database, role, schema version, last audit, and its
    event log (never its password)."""
    from trueup.fleet.tenant_registry import verdict
    from trueup.tenants.build import Builder
    from trueup.tenants.context import open_tenancy

    config = _load(config_path)
    with open_tenancy(config, key=False) as ctx:
        t = ctx.get(name)
        events = ctx.registry.events(name)
        data = _tenant_json(t, events)
        if audit and t.status == "active" and t.group in config.groups and config.groups[t.group].provision:
            try:
                result = Builder(config).audit(ctx.admin_target(t))
                data["audit"] = {"status": result.status, "findings": len(result.findings),
                                 "first": [f"{f.problem} {f.object}" for f in result.findings[:5]]}
                if config.groups[t.group].migrations is not None:
                    from trueup.fleet.history import run_status

                    status = run_status(config, groups=[t.group], targets=[t.name])
                    mine = [r for r in status.results if r.name == t.name and r.history]
                    if mine and mine[0].history:
                        data["schema_version"] = mine[0].history.get("version") or "none"
                ctx.registry.record_audits([(t.name, verdict(result.status, len(result.findings), None),
                                             str(data["schema_version"]) if data.get("schema_version") else None)])
            except Exception as err:  # (show still shows the row)
                data["audit"] = {"status": "error", "error": str(getattr(err, "message", err))}
    if fmt == "json":
        write_output(json.dumps(data, indent=2, default=str) + "\n", None)
        return
    for key in ("name", "group", "status", "phase", "server", "database", "schema", "owner", "role", "rotation",
                "error", "created", "updated", "schema_version", "last_audit", "audited"):
        if data.get(key) not in (None, ""):
            click.echo(f"{key + ':':10} {data[key]}")
    if "audit" in data:
        a = data["audit"]
        click.echo(f"{'audit:':10} {a['status']}" + (f" ({a['findings']} finding(s): {'; '.join(a['first'])})"
                                                      if a.get("findings") else "") +
                   (f": {a['error']}" if a.get("error") else ""))
    if events:
        click.echo("events:")
        for e in events:
            click.echo(f"  {e.at:%Y-%m-%d %H:%M:%S}  {e.step:28} {e.state:8} {e.detail or ''}".rstrip())


@tenant.command()
@click.argument("name")
@config_option
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation (needed outside a terminal).")
@click.option("--backup", metavar="DIR", help="Dump the tenant to DIR first (pg_dump); refuse to drop if it fails.")
@format_option
@friendly
def drop(name: str, config_path: str, yes: bool, backup: str | None, fmt: str) -> None:
    """Drop a tenant: dropping → end its sessions → dump it (--backup) → drop its database (or
    schema) → drop its roles → dropped. Run it again to finish one that stopped."""
    from trueup.tenants.context import open_tenancy
    from trueup.tenants.drop import drop_tenant

    config = _load(config_path)
    with open_tenancy(config) as ctx:
        t = ctx.get(name)
        if t.status != "dropped":
            confirm(yes, f"Drop tenant {name} ({t.schema or t.database}, its roles and all its data)?",
                     f"trueup tenant show {name}")
        out = drop_tenant(ctx, name, backup=backup)
    if fmt == "json":
        write_output(json.dumps(out.to_json(), indent=2) + "\n", None)
    elif out.status == "dropped":
        click.echo(f"{name}: dropped" + (f" (backup: {out.backup})" if out.backup else ""))
    else:
        click.echo(f"{name}: drop stopped: {out.error}")
        if out.hint:
            click.echo(f"  hint: {out.hint}")
    sys.exit(0 if out.status == "dropped" else EXIT_ERROR)


@tenant.command("rotate-credentials")
@click.argument("name", required=False)
@config_option
@click.option("--all", "all_", is_flag=True, help="Every active tenant (of --group).")
@click.option("--group", "-g", metavar="GROUP", help="With --all: only this group's tenants.")
@click.option("--concurrency", type=click.IntRange(1, 256), default=8, show_default=True)
@click.option("--max-failures", type=click.IntRange(1), help="With --all: start no new tenant after N failures.")
@format_option
@friendly
def rotate_credentials(name: str | None, config_path: str, all_: bool, group: str | None, concurrency: int,
                       max_failures: int | None, fmt: str) -> None:
    """New login role and password → verified login → registry switched → old login retired.
    At every point the registry points at credentials that work.

    Exit status: 0 all rotated, 2 one failed (it keeps working credentials).
    """
    from trueup.cli.progress import progress_bar
    from trueup.tenants.context import open_tenancy
    from trueup.tenants.rotate import rotate_all

    if bool(name) == all_:
        fail("name one tenant, or pass --all", "trueup tenant rotate-credentials NAME | --all [--group G]")
    config = _load(config_path)
    with open_tenancy(config) as ctx:
        names = [name] if name else [t.name for t in ctx.registry.tenants(group)
                                     if t.status in ("active", "suspended") and t.managed]
        if name:
            ctx.get(name)
        with progress_bar("rotating credentials") as tick:
            outcomes = rotate_all(ctx, names, concurrency=concurrency, max_failures=max_failures,
                                  progress=tick if all_ else None)
    if fmt == "json":
        write_output(json.dumps({"tenants": [o.to_json() for o in outcomes]}, indent=2) + "\n", None)
    else:
        for o in outcomes:
            if o.status == "rotated":
                click.echo(f"{o.name}: rotated, now {o.role}")
            else:
                click.echo(f"{o.name}: {o.status.replace('_', ' ')}: {o.error}")
                if o.hint:
                    click.echo(f"  hint: {o.hint}")
        if all_:
            n = sum(1 for o in outcomes if o.status == "rotated")
            click.echo(f"{n} rotated, {len(outcomes) - n} not")
    sys.exit(0 if all(o.status == "rotated" for o in outcomes) else EXIT_ERROR)


@registry.command()
@config_option
@click.option("--group", "-g", "groups", multiple=True, metavar="GROUP", help="Only this group (repeatable).")
@click.option("--fix", is_flag=True, help="Do what is safe: register unregistered databases (after auditing "
              "them), finish stuck creates and rotations. Never drops anything.")
@click.option("--yes", "-y", is_flag=True, help="With --fix: do not ask for confirmation.")
@click.option("--concurrency", type=click.IntRange(1, 256), default=16, show_default=True,
              help="Logins tried at once.")
@format_option
@click.option("-o", "--output", metavar="FILE", help="Write the report to FILE.")
@friendly
def check(config_path: str, groups: tuple[str, ...], fix: bool, yes: bool, concurrency: int, fmt: str,
          output: str | None) -> None:
    """The registry against reality: rows whose database, schema or role is missing; databases
    or schemas of the provisioning pattern with no row; roles of no tenant; tenants stuck in a
    transitional status; stored credentials that fail to log in.

    Exit status: 0 consistent, 1 not, 2 error.
    """
    from trueup.tenants.check import check_registry, fix_problems, render_text
    from trueup.tenants.context import open_tenancy

    config = _load(config_path)
    with open_tenancy(config) as ctx:
        report = check_registry(ctx, groups=groups or None, concurrency=concurrency)
        if fix and report.problems:
            confirm(yes, f"Fix what is safe among {len(report.problems)} problem(s)?", "trueup registry check")
            fix_problems(ctx, report)
    if fmt == "json":
        write_output(json.dumps(report.to_json(), indent=2) + "\n", output)
    else:
        write_output(render_text(report), output)
    sys.exit(report.exit_code if report.exit_code != 1 else EXIT_DIFF)
