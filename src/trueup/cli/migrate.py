"""``trueup migrate ...``: migration history checked against the real database (docs/history.md)."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path

import click

from trueup.cli.main import (
    EXIT_DIFF,
    cli,
    confirm,
    fail,
    friendly,
    keep_verdicts,
    with_fleet_options,
    write_output,
    write_report,
)
from trueup.config import Config, GroupConfig


@cli.group()
def migrate() -> None:
    """Migration history: trueup's own migrations, and every framework's history checked
    against what each database really contains."""


@migrate.command()
@with_fleet_options
@click.option("--format", "fmt", type=click.Choice(["text", "json", "html", "junit"]), default="text",
              show_default=True)
@click.option("-o", "--output", metavar="FILE", help="Write the report to FILE instead of stdout.")
@click.option("--concurrency", type=click.IntRange(1, 512), help="Databases checked at once.")
@friendly
def status(config_path: str, groups: tuple[str, ...], targets: tuple[str, ...], fmt: str, output: str | None,
           concurrency: int | None) -> None:
    """Each target's migration history: ghost, pending, checksum_mismatch, unknown, failed and
    drift_at_version findings, and the fleet summed by version.

    Exit status: 0 every target consistent and up to date, 1 otherwise, 2 errors.
    """
    from trueup.cli.progress import progress_bar
    from trueup.config import load_config
    from trueup.fleet.history import run_status, summary

    config = load_config(config_path)
    with progress_bar("checking history") as tick:
        result = run_status(config, groups=groups or None, targets=targets or None, concurrency=concurrency,
                            progress=tick)
    if fmt == "text" and not output:
        for line in summary(result):
            click.echo(line)
    write_report(result, fmt, output, config_path)
    keep_verdicts(config, result)
    sys.exit(result.exit_code)


@migrate.command()
@with_fleet_options
@click.option("--to", "to", metavar="VERSION", help="Apply migrations up to this one (V7 or 7), not the last.")
@click.option("--concurrency", type=click.IntRange(1, 512))
@click.option("--canary", type=click.IntRange(0), default=0, help="Migrate N targets first; stop if one fails.")
@click.option("--max-failures", type=click.IntRange(1), help="Launch no new target after N failures.")
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
@click.option("--dry-run", is_flag=True, help="Show what would run where and stop.")
@click.option("--resume", is_flag=True, help="Continue the last interrupted `migrate up`.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("-o", "--output", metavar="FILE", help="Write the result to FILE.")
@friendly
def up(config_path: str, groups: tuple[str, ...], targets: tuple[str, ...], to: str | None,
       concurrency: int | None, canary: int, max_failures: int | None, yes: bool, dry_run: bool, resume: bool,
       fmt: str, output: str | None) -> None:
    """Apply trueup's own migrations to every target of the groups that declare them, each in a
    transaction of its own with its history row, safely (the target's lock, timeouts, journal,
    canaries, failure budget).

    Exit status: 0 every target up to date, 2 a target failed or was not reached; a dry run
    exits 1 when something would run.
    """
    from trueup.cli.progress import progress_bar
    from trueup.config import load_config
    from trueup.fleet.journal import open_journal
    from trueup.fleet.migrate_up import render_text, run_up

    config = load_config(config_path)
    if not dry_run and not yes:
        preview = run_up(config, groups=groups or None, targets=targets or None, to=to, dry_run=True,
                         concurrency=concurrency)
        todo = [o for o in preview.outcomes if o.pending]
        if not todo:
            click.echo(render_text(preview), err=True, nl=False)
            click.echo("nothing to migrate", err=True)
            sys.exit(preview.exit_code)
        if not (sys.stdin.isatty() and sys.stderr.isatty()) or os.environ.get("CI"):
            fail("refusing to migrate without --yes in a non-interactive session",
                 "review with `trueup migrate up --dry-run`, then rerun with --yes")
        click.echo(render_text(preview), err=True, nl=False)
        if not click.confirm(f"Apply {sum(len(o.pending) for o in todo)} migration(s) to {len(todo)} target(s)?",
                             err=True):
            fail("aborted: nothing applied")
    journal = open_journal(config)
    try:
        with progress_bar("migrating") as tick:
            report = run_up(config, groups=groups or None, targets=targets or None, to=to, dry_run=dry_run,
                            concurrency=concurrency, canary=canary, max_failures=max_failures, journal=journal,
                            resume=resume, progress=tick)
    finally:
        journal.close()
    if fmt == "json":
        write_output(json.dumps(report.to_json(), indent=2, default=str) + "\n", output)
    else:
        write_output(render_text(report), output)
    if dry_run and any(o.pending for o in report.outcomes) and report.exit_code == 0:
        sys.exit(EXIT_DIFF)
    sys.exit(report.exit_code)


def _one_group(config: Config, group: str | None, fits: Callable[[GroupConfig], bool], what: str,
               declare: str) -> str:
    """The group a command that works on one group means: ``--group``, else the only one that
    has ``what``."""
    candidates = [g for g, c in config.groups.items() if fits(c)]
    if group is not None:
        if group not in candidates:
            fail(f"group '{group}' does not have {what}", declare)
        return group
    if len(candidates) != 1:
        fail(f"no group has {what}" if not candidates else f"several groups have {what} ({', '.join(candidates)})",
             "name one with --group" if candidates else declare)
    return candidates[0]


@migrate.command()
@with_fleet_options
@click.option("--unrecord", is_flag=True,
              help="Delete each ghost's history row instead, so the application's own tool runs it again.")
@click.option("--accept-checksums", is_flag=True, help="Record the current checksums of migrations whose file changed.")
@click.option("--concurrency", type=click.IntRange(1, 512))
@click.option("--canary", type=click.IntRange(0), default=0, help="Repair N targets first; stop if one fails.")
@click.option("--max-failures", type=click.IntRange(1), help="Launch no new target after N failures.")
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("-o", "--output", metavar="FILE", help="Write the result to FILE.")
@friendly
def repair(config_path: str, groups: tuple[str, ...], targets: tuple[str, ...], unrecord: bool,
           accept_checksums: bool, concurrency: int | None, canary: int, max_failures: int | None, yes: bool,
           fmt: str, output: str | None) -> None:
    """Make history true again: re-create each ghost migration's missing objects (never dropping
    anything), or with --unrecord forget its history row, or with --accept-checksums re-stamp
    changed files' checksums.

    Exit status: 0 every target repaired or needing nothing, 2 a target failed or was not reached.
    """
    from trueup.cli.progress import progress_bar
    from trueup.config import load_config
    from trueup.fleet.journal import open_journal
    from trueup.fleet.migrate_repair import run_repair

    if unrecord and accept_checksums:
        fail("--unrecord and --accept-checksums do not go together", "run them one after the other")
    mode = "unrecord" if unrecord else "accept-checksums" if accept_checksums else "recreate"
    config = load_config(config_path)
    confirm(yes, "Repair the migration history of the targets?", f"trueup migrate status -c {config_path}")
    journal = open_journal(config)
    try:
        with progress_bar("repairing") as tick:
            report = run_repair(config, groups=groups or None, targets=targets or None, mode=mode,
                                concurrency=concurrency, canary=canary, max_failures=max_failures, journal=journal,
                                progress=tick)
    finally:
        journal.close()
    if fmt == "json":
        write_output(json.dumps(report.to_json(), indent=2, default=str) + "\n", output)
    else:
        write_output(report.text(), output)
    sys.exit(report.exit_code)


@migrate.command()
@click.argument("version")
@with_fleet_options
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@friendly
def baseline(version: str, config_path: str, groups: tuple[str, ...], targets: tuple[str, ...], yes: bool,
             fmt: str) -> None:
    """Record trueup migrations up to VERSION as applied without running them, on targets whose
    schema matches what they build (refused otherwise, naming the differences)."""
    from trueup.config import load_config
    from trueup.fleet.migrate_repair import run_baseline

    config = load_config(config_path)
    confirm(yes, f"Record migrations up to {version} as applied?", f"trueup migrate status -c {config_path}")
    report = run_baseline(config, version, groups=groups or None, targets=targets or None)
    if fmt == "json":
        click.echo(json.dumps(report.to_json(), indent=2, default=str))
    else:
        click.echo(report.text(), nl=False)
    sys.exit(report.exit_code)


@migrate.command()
@click.argument("name")
@click.option("-c", "--config", "config_path", default="trueup.toml", show_default=True, metavar="FILE")
@click.option("--group", metavar="NAME", help="The group whose migrations folder gets the file.")
@friendly
def new(name: str, config_path: str, group: str | None) -> None:
    """Create the next numbered migration file (V<n>__NAME.sql) and print its path."""
    from trueup.config import load_config
    from trueup.history.files import new_migration

    config = load_config(config_path)
    chosen = _one_group(config, group, lambda c: c.migrations is not None and c.migrations.history == "trueup",
                        "a trueup migrations folder", 'add migrations = { dir = "migrations" } to a group')
    migrations = config.groups[chosen].migrations
    assert migrations is not None
    click.echo(new_migration(Path(config.path(migrations.dir)), name))


@migrate.command(name="diff")
@click.argument("name")
@click.option("-c", "--config", "config_path", default="trueup.toml", show_default=True, metavar="FILE")
@click.option("--group", metavar="NAME", help="The group (one with both desired and trueup migrations).")
@click.option("--allow-destructive", is_flag=True, help="Write statements that delete data as runnable SQL.")
@friendly
def diff_command(name: str, config_path: str, group: str | None, allow_destructive: bool) -> None:
    """Write the next migration from the difference between the group's `desired` and what its
    migrations folder builds (declarative work, reviewed as a file); write nothing when they match.

    Exit status: 0 nothing to write, 1 a migration was written (its path on stdout), 2 errors.
    """
    from trueup.config import load_config
    from trueup.fleet.migrate_repair import next_migration

    config = load_config(config_path)
    chosen = _one_group(config, group, lambda c: c.migrations is not None and c.migrations.history == "trueup"
                        and c.desired is not None, "both `desired` and a trueup migrations folder",
                        'declare desired = "..." and migrations = { dir = "..." }')
    path = next_migration(config, chosen, name, allow_destructive=allow_destructive)
    if path is None:
        click.echo("the migrations already build the desired state: nothing written", err=True)
        sys.exit(0)
    click.echo(path)
    sys.exit(EXIT_DIFF)
