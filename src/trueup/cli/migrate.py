"""``trueup migrate ...``: migration history checked against the real database (docs/history.md)."""

from __future__ import annotations

import sys

import click

from trueup.cli.main import cli, friendly, with_fleet_options, write_report


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
