"""The audit as a terminal report: summary table per group and category, then the findings."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from trueup.fleet.findings import CATEGORIES
from trueup.fleet.results import AuditResult

_STATUS = {"in_sync": "[green]in sync[/]", "drift": "[yellow]drift[/]", "error": "[red]error[/]"}
MAX_LISTED = 50


def render_text(result: AuditResult, console: Console, *, next_command: str | None = None,
                show_fix: bool = True) -> None:
    s = result.summary()
    console.print(f"[bold]trueup audit[/]: {s['databases']} databases in {len(result.groups)} group(s), "
                  f"{s['in_sync']} in sync, {s['drift']} drifted, {s['error']} with errors "
                  f"({s['findings']} findings, {s['seconds']:.1f}s)")
    recalled = sum(r.recalled for r in result.results)
    if recalled:
        console.print(f"[dim]{recalled} known unchanged since their last audit by their change tokens"
                      " (--rescan measures every one)[/]")
    table = Table(show_edge=False, pad_edge=False, box=None, header_style="bold")
    table.add_column("group")
    table.add_column("check")
    table.add_column("status")
    table.add_column("databases", justify="right")
    for group in result.groups:
        g = s["groups"].get(group, {"databases": 0, "error": 0, "categories": {}})
        errors = g["error"]
        table.add_row(group, "reachable", "[red]ERROR[/]" if errors else "[green]OK[/]",
                      f"{errors} of {g['databases']} failed" if errors else str(g["databases"]))
        affected: dict[str, set[str]] = {}
        for r in result.results:
            if r.group == group:
                for f in r.findings:
                    affected.setdefault(f.category, set()).add(r.name)
        for cat in CATEGORIES:
            if cat in affected:
                table.add_row("", cat, "[yellow]DRIFT[/]", f"{len(affected[cat])} drifted")
        if not affected and not errors:
            table.add_row("", "all checks", "[green]OK[/]", "")
    console.print(table)
    problems = [r for r in result.results if r.status != "in_sync"]
    for r in problems[:MAX_LISTED]:
        console.print()
        console.print(f"[bold]{escape(r.group)}/{escape(r.name)}[/] {_STATUS[r.status]}  [dim]{escape(r.location)}[/]")
        if r.error:
            console.print(f"  [red]{escape(r.error)}[/]", highlight=False, soft_wrap=True)
            if r.hint:
                console.print(f"  hint: {escape(r.hint)}", highlight=False, soft_wrap=True)
        for f in r.findings:
            hz = f"  [magenta]{', '.join(f.hazards)}[/]" if f.hazards else ""
            console.print(f"  [cyan]{f.category:14}[/] {f.problem:10} {escape(f.object)}{hz}", highlight=False,
                          soft_wrap=True)
            console.print(f"      {escape(f.detail)}", highlight=False, soft_wrap=True)
            if show_fix and f.fix:
                for line in f.fix.strip().splitlines()[:12]:
                    console.print(f"      [dim]{escape(line)}[/]", highlight=False, soft_wrap=True)
    if len(problems) > MAX_LISTED:
        console.print(f"\n... and {len(problems) - MAX_LISTED} more; use --format json or html for all of them")
    if next_command and any(r.status == "drift" for r in result.results):
        console.print(f"\nNext: {escape(next_command)}", highlight=False, soft_wrap=True)
