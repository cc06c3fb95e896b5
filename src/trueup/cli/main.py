"""Entry point of the ``trueup`` command."""

from __future__ import annotations

import json
import os
import sys
import warnings
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from trueup import __version__
from trueup.errors import TrueupError, TrueupWarning

F = TypeVar("F", bound=Callable[..., Any])

EXIT_OK, EXIT_DIFF, EXIT_ERROR, EXIT_DESTRUCTIVE = 0, 1, 2, 3


def fail(message: str, hint: str | None = None) -> None:
    click.secho(f"error: {message}", fg="red", err=True)
    if hint:
        click.echo(f"hint: {hint}", err=True)
    sys.exit(EXIT_ERROR)


def confirm(yes: bool, question: str, review: str) -> None:
    """Ask on a terminal; refuse without --yes in a non-interactive session (CI)."""
    if yes:
        return
    if not (sys.stdin.isatty() and sys.stderr.isatty()) or os.environ.get("CI"):
        fail(f"refusing to {question.split()[0].lower()} without --yes in a non-interactive session",
             f"review with `{review}`, then rerun with --yes")
    if not click.confirm(question, err=True):
        fail("aborted: nothing changed")


def _show_warning(message: Warning | str, category: type[Warning], filename: str, lineno: int,
                  file: Any = None, line: str | None = None) -> None:
    """trueup's warnings as one ``warning:`` line on stderr (others as Python shows them)."""
    if issubclass(category, TrueupWarning):
        click.secho(f"warning: {message}", fg="yellow", err=True)
    else:
        _python_show(message, category, filename, lineno, file, line)


_python_show = warnings.showwarning


def friendly(func: F) -> F:
    """Turn every failure into one line on stderr and exit 2 (TRUEUP_DEBUG=1 shows tracebacks);
    trueup's warnings into ``warning:`` lines."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("always", TrueupWarning)
                warnings.showwarning = _show_warning
                return func(*args, **kwargs)
        except TrueupError as err:
            if os.environ.get("TRUEUP_DEBUG"):
                raise
            fail(err.message, err.hint)
        except KeyboardInterrupt:
            fail("interrupted")
        except BrokenPipeError:  # (the reader went away: `trueup ... | head`)
            sys.stderr.close()
            sys.exit(EXIT_OK)
        except (click.exceptions.Exit, click.ClickException, SystemExit):
            raise
        except Exception as err:  # an internal bug: still one line, with a way to see more
            if os.environ.get("TRUEUP_DEBUG"):
                raise
            first = str(err).strip().splitlines()[0] if str(err).strip() else ""
            fail(f"internal error: {type(err).__name__}: {first}",
                 "rerun with TRUEUP_DEBUG=1 for the traceback and report it")
        return None

    return wrapper  # type: ignore[return-value]


def parse_using_options(values: tuple[str, ...]) -> dict[tuple[str, ...], str]:
    """``--using`` values by column path (a column named twice is an error naming it)."""
    from trueup.engines.interface.using import format_path, parse_using

    out: dict[tuple[str, ...], str] = {}
    for value in values:
        path, expression = parse_using(value)
        if path in out:
            raise TrueupError(f"--using names column {format_path(path)} twice",
                              hint="give one USING expression per column")
        out[path] = expression
    return out


def note_skipped(skipped: list[Any], waiting: list[tuple[str, ...]]) -> None:
    """What a script left commented out, and how to include it, on stderr."""
    from trueup.engines.interface.using import format_path

    held = sum(1 for s in skipped if s.needs_using)
    if held:
        columns = ", ".join(format_path(p) for p in waiting)
        click.echo(f"note: {held} statement(s) wait for a USING expression and are left commented out: the server "
                   f"has no cast for the new type of {columns or 'a column'}; give the conversion with "
                   "--using SCHEMA.TABLE.COLUMN=EXPRESSION", err=True)
    secret = sum(1 for s in skipped if s.needs_input and not s.needs_using)
    if secret:
        click.echo(f"note: {secret} statement(s) hold a placeholder for a secret trueup never reads (a user "
                   "mapping's password) and are left commented out; run them by hand with the real value", err=True)
    held += secret
    if len(skipped) > held:
        click.echo(f"note: {len(skipped) - held} destructive statement(s) left commented out; "
                   "review them and rerun with --allow-destructive", err=True)


def write_output(text: str, output: str | None) -> None:
    if output:
        try:
            Path(output).write_text(text, encoding="utf-8")
        except OSError as err:
            raise TrueupError(f"cannot write {output}: {err.strerror}") from None
    else:
        click.echo(text, nl=False)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="trueup")
def cli() -> None:
    """trueup keeps databases true to their declared schema.

    SOURCE is a postgresql:// URL, a .sql file or folder of .sql files (loaded into a
    throw-away database), or a .json snapshot written by `trueup inspect --format json`.
    """


schema_option = click.option("--schema", "schemas", multiple=True, metavar="NAME",
                             help="Only these schemas (repeatable). Default: all user schemas.")
dev_url_option = click.option("--dev-url", metavar="URL", envvar="TRUEUP_DEV_URL",
                              help="Server where .sql sources are loaded into a scratch database.")
using_option = click.option(
    "--using", "using", multiple=True, metavar="SCHEMA.TABLE.COLUMN=EXPR",
    help="The SQL that converts a column's values to its new type where the server has no cast "
         "(repeatable): put after USING in ALTER COLUMN ... TYPE.")
rename_option = click.option(
    "--rename", "rename", multiple=True, metavar="SCHEMA.OLD=NEW",
    help="A declared rename (repeatable): SCHEMA.NAME=NEW for a table, view, index, sequence or function, "
         "SCHEMA.TABLE.NAME=NEW for a column or constraint; planned as ALTER ... RENAME, keeping the data.")
no_cache_option = click.option("--no-cache", is_flag=True,
                               help="Load .sql sources afresh, not from the cache of earlier loads "
                                    "(kept per file contents and server in ~/.cache/trueup/sources).")


@cli.command()
@click.argument("source")
@click.option("--format", "fmt", type=click.Choice(["sql", "json"]), default="sql", show_default=True)
@click.option("-o", "--output", metavar="FILE", help="Write to FILE instead of stdout.")
@schema_option
@dev_url_option
@no_cache_option
@friendly
def inspect(source: str, fmt: str, output: str | None, schemas: tuple[str, ...], dev_url: str | None,
            no_cache: bool) -> None:
    """Print the schema of SOURCE as DDL or as a JSON snapshot."""
    from trueup.api import inspect_source, render_schema
    from trueup.model.gcpause import collector_paused

    # No cyclic garbage collection while a one-shot command builds its models (acyclic objects,
    # freed by reference counting: the collector would only walk them, 3-8% of a diff's CPU on
    # 400 tables in two A/B runs); the collector is given back as it was. Fleet commands, which
    # build model after model, keep it running between them.
    with collector_paused():
        schema = inspect_source(source, schemas=schemas or None, dev_url=dev_url, cache=not no_cache)
        if fmt == "json":
            write_output(json.dumps(schema.to_json(), indent=2, sort_keys=False) + "\n", output)
        else:
            write_output(render_schema(schema), output)


@cli.command()
@click.argument("from_source", metavar="FROM")
@click.argument("to_source", metavar="TO")
@click.option("--format", "fmt", type=click.Choice(["sql", "json"]), default="sql", show_default=True)
@click.option("--allow-destructive", is_flag=True, help="Emit statements that delete data as runnable SQL.")
@click.option("--concurrently", is_flag=True, help="Build and drop indexes CONCURRENTLY on existing tables.")
@using_option
@rename_option
@click.option("-o", "--output", metavar="FILE", help="Write to FILE instead of stdout.")
@schema_option
@dev_url_option
@no_cache_option
@friendly
def diff(from_source: str, to_source: str, fmt: str, allow_destructive: bool, concurrently: bool,
         using: tuple[str, ...], rename: tuple[str, ...], output: str | None, schemas: tuple[str, ...],
         dev_url: str | None, no_cache: bool) -> None:
    """Print the SQL that turns FROM into TO.

    Exit status: 0 no differences, 1 differences, 3 differences with statements left commented
    out: destructive ones (no --allow-destructive), or type changes the server has no cast for
    (no --using for the column), 2 error.
    """
    from trueup.api import diff_sources
    from trueup.engines.interface.generators import DiffOptions
    from trueup.engines.interface.renames import parse_renames
    from trueup.engines.interface.using import format_path
    from trueup.model.gcpause import collector_paused

    expressions = parse_using_options(using)
    renames = parse_renames(rename)
    with collector_paused():  # (as in inspect)
        plan = diff_sources(from_source, to_source, schemas=schemas or None, dev_url=dev_url,
                            options=DiffOptions(concurrently=concurrently, using=expressions, renames=renames),
                            cache=not no_cache)
        for note in plan.rename_notes():
            click.echo(f"note: {note}", err=True)
        unknown = [p for p in expressions if p not in plan.retyped]
        if unknown:
            retyped = ", ".join(format_path(p) for p in sorted(plan.retyped))
            raise TrueupError(f"--using {format_path(unknown[0])}: the plan does not change the type of that column",
                              hint=f"the columns whose type it changes: {retyped}" if retyped
                              else "the plan changes no column's type: leave --using out")
        if fmt == "json":
            write_output(json.dumps(plan.to_json(allow_destructive), indent=2) + "\n", output)
        elif plan:
            write_output(plan.to_sql(allow_destructive), output)
    if not plan:
        sys.exit(EXIT_OK)
    skipped = plan.skipped(allow_destructive)
    if skipped:
        note_skipped(skipped, plan.waiting_for_using())
        sys.exit(EXIT_DESTRUCTIVE)
    sys.exit(EXIT_DIFF)


rescan_option = click.option(
    "--rescan", is_flag=True,
    help="Measure every target afresh, even those whose change token says they are unchanged.")


@cli.command()
@click.option("-c", "--config", "config_path", default="trueup.toml", show_default=True, metavar="FILE")
@click.option("--group", "groups", multiple=True, metavar="NAME", help="Only these groups (repeatable).")
@click.option("--target", "targets", multiple=True, metavar="NAME",
              help="Only targets whose name matches this glob (repeatable).")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "html", "junit"]), default="text",
              show_default=True)
@click.option("-o", "--output", metavar="FILE", help="Write the report to FILE instead of stdout.")
@click.option("--concurrency", type=click.IntRange(1, 512), help="Databases audited at once.")
@rescan_option
@friendly
def audit(config_path: str, groups: tuple[str, ...], targets: tuple[str, ...], fmt: str, output: str | None,
          concurrency: int | None, rescan: bool) -> None:
    """Audit every database of the fleet against its group's desired state.

    Exit status: 0 all in sync, 1 drift found, 2 errors (config, or a database that
    could not be audited).
    """
    from trueup.cli.progress import progress_bar
    from trueup.config import load_config
    from trueup.fleet.audit import run_audit

    config = load_config(config_path)
    with progress_bar("auditing") as tick:
        result = run_audit(config, groups=groups or None, targets=targets or None, concurrency=concurrency,
                           progress=tick, rescan=rescan)
    write_report(result, fmt, output, config_path)
    keep_verdicts(config, result)
    sys.exit(result.exit_code)


def keep_verdicts(config: Any, result: Any) -> None:
    """Tenants of trueup's registry keep this audit's verdict there (`trueup tenant list`); a
    registry that cannot be written is a warning, not a failed audit."""
    from trueup.fleet.tenant_registry import record_audits

    try:
        record_audits(config, result)
    except TrueupError as err:
        click.secho(f"warning: the tenant registry did not record this audit: {err.message}", fg="yellow", err=True)


def write_report(result: Any, fmt: str, output: str | None, config_path: str) -> None:
    """Render an audit result in the chosen format to stdout or a file."""
    if fmt == "json":
        from trueup.report.as_json import render_json

        write_output(render_json(result), output)
    elif fmt == "junit":
        from trueup.report.junit import render_junit

        write_output(render_junit(result), output)
    elif fmt == "html":
        from trueup.report.html import render_html

        if not output:
            raise TrueupError("--format html needs --output FILE")
        write_output(render_html(result), output)
        click.echo(f"wrote {output}", err=True)
    else:
        from rich.console import Console

        from trueup.report.text import render_text

        hint = (f"review the SQL with `trueup plan -c {config_path}`, "
                f"then apply it with `trueup apply -c {config_path}`")
        if output:
            with open(output, "w", encoding="utf-8") as fh:
                render_text(result, Console(file=fh, width=120, no_color=True), next_command=hint)
        else:
            render_text(result, Console(), next_command=hint)


fleet_options = [
    click.option("-c", "--config", "config_path", default="trueup.toml", show_default=True, metavar="FILE"),
    click.option("--group", "groups", multiple=True, metavar="NAME", help="Only these groups (repeatable)."),
    click.option("--target", "targets", multiple=True, metavar="NAME",
                 help="Only targets whose name matches this glob (repeatable)."),
]


def with_fleet_options(func: F) -> F:
    for option in reversed(fleet_options):
        func = option(func)
    return func


@cli.command()
@with_fleet_options
@click.option("--allow-destructive", is_flag=True, help="Include statements that delete data.")
@click.option("--format", "fmt", type=click.Choice(["text", "sql", "json"]), default="text", show_default=True,
              help="json is a saved plan for `trueup apply --plan`.")
@click.option("-o", "--output", metavar="FILE", help="Write to FILE instead of stdout.")
@click.option("--concurrency", type=click.IntRange(1, 512))
@click.option("--concurrently", is_flag=True, help="Build indexes CONCURRENTLY (outside the transaction).")
@using_option
@rename_option
@rescan_option
@friendly
def plan(config_path: str, groups: tuple[str, ...], targets: tuple[str, ...], allow_destructive: bool, fmt: str,
         output: str | None, concurrency: int | None, concurrently: bool, using: tuple[str, ...],
         rename: tuple[str, ...], rescan: bool) -> None:
    """Show the exact SQL that would bring every drifted target back in line.

    Identical plans are shown once ("412 targets: same 3 statements"). Exit status: 0 nothing
    to do, 1 something to apply, 2 errors.
    """
    from trueup.cli.progress import progress_bar
    from trueup.config import load_config
    from trueup.engines.interface.generators import DiffOptions
    from trueup.engines.interface.renames import parse_renames
    from trueup.fleet.audit import run_audit
    from trueup.fleet.saved_plan import SavedPlan
    from trueup.report.plans import render_plan_sql, render_plan_text

    expressions = parse_using_options(using)
    renames = parse_renames(rename)
    config = load_config(config_path)
    with progress_bar("planning") as tick:
        audit_result = run_audit(config, groups=groups or None, targets=targets or None, concurrency=concurrency,
                                 progress=tick, plans=True, allow_destructive=allow_destructive,
                                 diff_options=DiffOptions(concurrently=concurrently, using=expressions,
                                                          renames=renames),
                                 rescan=rescan)
    warn_unused_using(expressions, audit_result.auditor)
    saved = SavedPlan.from_audit(audit_result, allow_destructive)
    if fmt == "json":
        write_output(json.dumps(saved.to_json(), indent=2) + "\n", output)
    elif fmt == "sql":
        write_output(render_plan_sql(saved), output)
    else:
        write_output(render_plan_text(saved, audit_result), output)
    if saved.errors:
        sys.exit(EXIT_ERROR)
    sys.exit(EXIT_DIFF if saved.groups else EXIT_OK)


def warn_unused_using(expressions: dict[tuple[str, ...], str], auditor: Any) -> None:
    """A ``--using`` no plan of the fleet needed: a warning, not an error (a column may be
    converted on some targets already, and not be on the others)."""
    from trueup.engines.interface.using import format_path
    from trueup.errors import TrueupWarning

    seen = auditor.retyped if auditor is not None else set()
    for path in expressions:
        if path not in seen:
            warnings.warn(TrueupWarning(f"--using {format_path(path)}: no plan changes the type of that column"),
                          stacklevel=2)


@cli.command()
@with_fleet_options
@click.option("--plan", "plan_file", metavar="FILE", help="Apply a plan saved by `trueup plan --format json`.")
@click.option("--allow-destructive/--no-allow-destructive", default=None,
              help="Also run statements that delete data (default: no; --resume goes on with the interrupted "
                   "run's choice).")
@click.option("--concurrency", type=click.IntRange(1, 512))
@click.option("--canary", type=click.IntRange(0), default=0, help="Apply to N targets first; stop if one fails.")
@click.option("--max-failures", type=click.IntRange(1), help="Launch no new target after N failures.")
@click.option("--yes", "-y", is_flag=True,
              help="Do not ask for confirmation; each target is then planned under its lock as it is applied.")
@click.option("--dry-run", is_flag=True, help="Show what would run and stop.")
@click.option("--resume", is_flag=True, help="Continue the last interrupted apply.")
@click.option("--concurrently", is_flag=True, help="Build indexes CONCURRENTLY (outside the transaction).")
@using_option
@rename_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("-o", "--output", metavar="FILE", help="Write the result to FILE.")
@friendly
def apply(config_path: str, groups: tuple[str, ...], targets: tuple[str, ...], plan_file: str | None,
          allow_destructive: bool | None, concurrency: int | None, canary: int, max_failures: int | None, yes: bool,
          dry_run: bool, resume: bool, concurrently: bool, using: tuple[str, ...], rename: tuple[str, ...], fmt: str,
          output: str | None) -> None:
    """Apply the plan to every drifted target, safely, then audit them again.

    Exit status (from the audit after applying): 0 every target verified in sync, 1 some
    drift remains (e.g. destructive changes skipped), 2 a target failed or was unreachable.
    """
    from trueup.cli.progress import progress_bar
    from trueup.config import load_config
    from trueup.engines.interface.renames import parse_renames
    from trueup.fleet.journal import open_journal
    from trueup.fleet.planning import prepare
    from trueup.fleet.rollout import execute
    from trueup.report.plans import render_apply_text

    expressions = parse_using_options(using)
    renames = parse_renames(rename)
    if expressions and plan_file:
        raise TrueupError("--using does not change a saved plan",
                          hint="plan again with the --using (trueup plan --using ... --format json), then apply that")
    if renames and plan_file:
        raise TrueupError("--rename does not change a saved plan",
                          hint="plan again with the --rename (trueup plan --rename ... --format json), then apply that")
    config = load_config(config_path)
    journal = open_journal(config)
    try:
        # with --yes nothing waits for a person to read the plan: each target is planned under
        # its own lock as it is applied (one connection per target, no planning pass)
        live = yes and not dry_run and not plan_file
        with progress_bar("planning") as tick:
            rollout = prepare(config, groups=list(groups) or None, targets=list(targets) or None,
                              plan_file=plan_file, allow_destructive=allow_destructive, resume=resume,
                              concurrency=concurrency, journal=journal, progress=tick, concurrently=concurrently,
                              live=live, using=expressions, renames=renames)
        if not live:
            warn_unused_using(expressions, rollout.auditor)
        for line in rollout.summary_lines():
            click.echo(line, err=True)
        if not rollout.work:
            click.echo("nothing to apply", err=True)
        elif dry_run:
            click.echo(f"dry run: {len(rollout.work)} target(s), {rollout.statements} statement(s); nothing applied",
                       err=True)
            sys.exit(EXIT_DIFF)
        elif not yes:
            if not (sys.stdin.isatty() and sys.stderr.isatty()) or os.environ.get("CI"):
                fail("refusing to apply without --yes in a non-interactive session",
                     "review with `trueup plan`, then rerun with --yes")
            if not click.confirm(f"Apply {rollout.statements} statement(s) to {len(rollout.work)} target(s)?",
                                 err=True):
                fail("aborted: nothing applied")
        args = {"groups": list(groups), "targets": list(targets), "plan": plan_file}
        with progress_bar("applying") as tick:
            report = execute(config, rollout, concurrency=concurrency, canary=canary, max_failures=max_failures,
                             journal=journal, args=args, progress=tick)
    finally:
        journal.close()
    if fmt == "json":
        write_output(json.dumps(report.to_json(), indent=2, default=str) + "\n", output)
    else:
        write_output(render_apply_text(report), output)
    sys.exit(report.exit_code)


@cli.command()
@click.option("--keep", is_flag=True, help="Leave the demo databases in place afterwards.")
@friendly
def demo(keep: bool) -> None:
    """Show trueup at work on an embedded PostgreSQL server with a drifted multi-tenant schema."""
    from trueup.demo.run import run_demo

    run_demo(keep=keep)


# the command groups that live in modules of their own register themselves on import
from trueup.cli import migrate as _migrate  # noqa: E402, F401
from trueup.cli import tenant as _tenant  # noqa: E402, F401


def main() -> None:
    warnings.filterwarnings("ignore", module="platformdirs")
    warnings.filterwarnings("ignore", category=RuntimeWarning, message=".*XDG_RUNTIME_DIR.*")
    cli(prog_name="trueup")


if __name__ == "__main__":  # python -m trueup.cli.main: the package's module, where every command registered
    from trueup.cli.main import main as package_main

    package_main()
