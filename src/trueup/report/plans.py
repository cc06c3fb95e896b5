"""Plans and apply results as text: a plan per distinct set of statements, an apply's outcome."""

from __future__ import annotations

from trueup.engines.interface.sql import Statement
from trueup.fleet.results import AuditResult
from trueup.fleet.rollout import ApplyReport
from trueup.fleet.saved_plan import SavedPlan
from trueup.plan.policy import skipped_phrase
from trueup.plan.script import render_statement


def _sql(statements: list[Statement], skipped: list[Statement]) -> str:
    out = [render_statement(s, apply_notes=True) for s in statements]
    out += [render_statement(s, run=False, apply_notes=True) for s in skipped]
    return "\n\n".join(out) + "\n"


def _who(targets: list[tuple[str, str]], limit: int = 8) -> str:
    names = [f"{g}/{n}" for g, n in targets]
    more = f" and {len(names) - limit} more" if len(names) > limit else ""
    return ", ".join(names[:limit]) + more


def render_plan_text(plan: SavedPlan, audit: AuditResult) -> str:
    lines = []
    in_sync = sum(1 for r in audit.results if r.status == "in_sync")
    lines.append(f"trueup plan: {sum(len(g.targets) for g in plan.groups)} target(s) to change in "
                 f"{len(plan.groups)} distinct plan(s); {in_sync} in sync; {len(plan.errors)} error(s)")
    for i, g in enumerate(plan.groups, 1):
        count = len(g.targets)
        head = f"{count} targets" if count > 1 else "1 target"
        skipped = f", {skipped_phrase(g.skipped)}" if g.skipped else ""
        lines.append("")
        lines.append(f"== plan {i}: {head}: same {len(g.statements)} statement(s){skipped}")
        lines.append(f"   {_who(g.targets)}")
        lines.extend(f"   note: {n}" for n in g.notes)
        lines.append("")
        lines.append(_sql(g.statements, g.skipped).rstrip())
    for (group, name), err in sorted(plan.errors.items()):
        lines.append(f"\nerror: {group}/{name}: {err}")
    if plan.groups:
        lines.append("\nApply with: trueup apply (add --allow-destructive to include skipped statements)")
    if any(s.needs_using for g in plan.groups for s in g.skipped):
        lines.append("A type change the server has no cast for waits for a USING expression: give it with "
                     "--using SCHEMA.TABLE.COLUMN=EXPRESSION, or with using = { ... } in the group's config")
    if any(s.needs_input for g in plan.groups for s in g.skipped):
        lines.append("A statement holds a placeholder for a secret trueup never reads (a user mapping's password): "
                     "run it by hand with the real value")
    return "\n".join(lines) + "\n"


def render_plan_sql(plan: SavedPlan) -> str:
    parts = []
    for i, g in enumerate(plan.groups, 1):
        header = [f"-- plan {i}: {len(g.targets)} target(s)"] + [f"--   {grp}/{name}" for grp, name in g.targets]
        parts.append("\n".join(header) + "\n" + _sql(g.statements, g.skipped))
    return "\n".join(parts)


def _count(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def render_apply_text(report: ApplyReport) -> str:
    s = report.summary()
    lines = [f"trueup apply: {s['applied']} applied, {s['unchanged']} unchanged (nothing to do), {s['failed']} failed, "
             f"{s.get('stale', 0)} stale, {s['not_started']} not started"]
    same: dict[tuple[str, ...], list[str]] = {}
    for o in report.outcomes:
        if o.status == "applied":
            same.setdefault(tuple(o.applied), []).append(f"{o.group}/{o.name}")
    for statements, who in sorted(same.items(), key=lambda kv: -len(kv[1])):
        lines.append(f"  {f'{len(who)} targets: the same' if len(who) > 1 else f'{who[0]}:'}"
                     f" {len(statements)} statement(s) applied")
    listed = set()
    for o in report.outcomes:
        if o.status in ("failed", "stale"):
            listed.add((o.group, o.name))
            lines.append(f"  {o.status}: {o.group}/{o.name}: {o.error}")
            for f in o.failed:
                lines.append(f"      statement: {f['sql']}")
            if o.hint:
                lines.append(f"      hint: {o.hint}")
        elif o.status == "not_started":
            listed.add((o.group, o.name))
            lines.append(f"  not started: {o.group}/{o.name}")
        elif o.skipped:
            waiting = f" ({o.held} waiting for a USING expression)" if o.held else ""
            lines.append(f"  {o.group}/{o.name}: {len(o.skipped)} statement(s) skipped{waiting}")
    if report.verification is not None:
        v = report.verification.summary()
        lines.append(f"verified: {v['in_sync']} in sync, {v['drift']} still drifted, {_count(v['error'], 'error')}"
                     + (" (the targets above that failed or did not start)" if v["error"] and all(
                         (r.group, r.name) in listed for r in report.verification.results if r.status == "error")
                        else ""))
        for r in report.verification.results:
            if r.status != "in_sync" and (r.group, r.name) not in listed:
                lines.append(f"  {r.status}: {r.group}/{r.name}: " +
                             (r.error or ", ".join(f"{f.category} {f.object}" for f in r.findings[:6])))
    return "\n".join(lines) + "\n"
