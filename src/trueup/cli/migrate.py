"""``trueup migrate ...``: migration history checked against the real database (docs/history.md)."""

from __future__ import annotations

import json
import os
import sys

import click

from trueup.cli.main import EXIT_DIFF, cli, fail, friendly, with_fleet_options, write_output, write_report


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
