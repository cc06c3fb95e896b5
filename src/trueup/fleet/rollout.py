"""Plan → confirm → apply → verify, for a whole fleet, journaled so it can resume."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from trueup.config import Config
from trueup.diff.changes import Statement
from trueup.diff.generator import DiffOptions
from trueup.errors import TrueupError
from trueup.fleet.apply import Outcome, Work, run_rollout
from trueup.fleet.audit import (
    Auditor,
    AuditResult,
    ProgressFn,
    TargetResult,
    default_concurrency,
    run_audit,
    select_targets,
    sort_results,
)
from trueup.fleet.journal import DONE, Journal, PostgresJournal, SqliteJournal
from trueup.fleet.saved_plan import SavedPlan
from trueup.fleet.targets import DiscoveryError, Target, discover


def open_journal(config: Config) -> Journal:
    if config.state.url:
        return PostgresJournal(config.state.url)
    return SqliteJournal(config.path(config.state.path))


@dataclass
class Rollout:
    """What an apply is about to do, before it does it."""

    work: list[Work]
    #: targets that need nothing (already in sync) or cannot be reached, as audited
    untouched: list[Outcome] = field(default_factory=list)
    run: int | None = None
    #: the planning audit's verdict on targets that need nothing: not audited a second time
    settled: dict[tuple[str, str], TargetResult] = field(default_factory=dict)
    #: the desired states the work was (or is to be) planned against
    auditor: Auditor | None = field(default=None, repr=False)

    @property
    def statements(self) -> int:
        return sum(len(w.statements or ()) for w in self.work)

    def summary_lines(self) -> list[str]:
        groups: dict[tuple[str, ...], list[Work]] = {}
        for w in self.work:
            if w.statements is not None:
                groups.setdefault(tuple(s.sql for s in w.statements + w.skipped), []).append(w)
        lines = []
        for same in sorted(groups.values(), key=lambda g: -len(g)):
            w = same[0]
            who = f"{len(same)} targets" if len(same) > 1 else f"{w.target.group}/{w.target.name}"
            skipped = f", {len(w.skipped)} destructive skipped" if w.skipped else ""
            lines.append(f"{who}: same {len(w.statements or ())} statement(s){skipped}")
        return lines


def prepare(config: Config, *, groups: list[str] | None = None, targets: list[str] | None = None,
            plan_file: str | None = None, allow_destructive: bool = False, resume: bool = False,
            concurrency: int | None = None, journal: Journal | None = None,
            progress: ProgressFn | None = None, concurrently: bool = False, live: bool = False) -> Rollout:
    """Work out what to apply: from a saved plan, by auditing with plans now, or (``live``)
    only which targets to visit, each to be planned under its own lock as it runs."""
    names: list[tuple[str, str]] | None = None
    run: int | None = None
    if resume:
        if journal is None:
            raise TrueupError("--resume needs the journal")
        last = journal.resume_run()
        if last is None:
            raise TrueupError("nothing to resume: the last apply finished", hint="run trueup apply without --resume")
        run, states = last
        names = [k for k, v in states.items() if v not in DONE]
    if plan_file:
        if resume:
            raise TrueupError("--plan and --resume do not go together",
                              hint="resume re-plans the unfinished targets itself")
        return _from_saved_plan(config, SavedPlan.read(plan_file), allow_destructive, groups, targets)
    options = DiffOptions(concurrently=concurrently)
    if live:
        group_names, found, errors = select_targets(config, groups, targets, names)
        auditor = Auditor(config, group_names, allow_destructive=allow_destructive, diff_options=options)
        return Rollout([Work(t, None, [], None) for t in found], run=run, auditor=auditor,
                       untouched=[Outcome(r.group, r.name, status="failed", error=r.error) for r in errors])
    audit = run_audit(config, groups=groups, targets=targets, concurrency=concurrency, progress=progress,
                      plans=True, allow_destructive=allow_destructive, names=names, diff_options=options,
                      rescan=True)  # what apply acts on is measured, not recalled
    rollout = Rollout([], run=run, auditor=audit.auditor)
    for r in audit.results:
        if r.status == "error" or r.target is None:
            rollout.untouched.append(Outcome(r.group, r.name, status="failed", error=r.error))
        elif r.statements:
            rollout.work.append(Work(r.target, r.statements, r.skipped, r.fingerprint))
        else:
            rollout.untouched.append(Outcome(r.group, r.name, status="unchanged", skipped=[s.sql for s in r.skipped]))
            rollout.settled[(r.group, r.name)] = r
    return rollout


def _from_saved_plan(config: Config, plan: SavedPlan, allow_destructive: bool, groups: list[str] | None,
                     targets: list[str] | None) -> Rollout:
    from fnmatch import fnmatchcase

    wanted = {t for g in plan.groups for t in g.targets}
    found: dict[tuple[str, str], Target] = {}
    rollout = Rollout([])
    for group in sorted({g for g, _ in wanted}):
        if group not in config.groups:
            raise TrueupError(f"the plan names group '{group}', which the config does not declare")
        if groups and group not in groups:
            continue
        try:
            for t in discover(config, group):
                found[(t.group, t.name)] = t
        except DiscoveryError as err:
            rollout.untouched.extend(Outcome(g, n, status="failed", error=err.message) for g, n in wanted if g == group)
    for pg in plan.groups:
        for key in pg.targets:
            if groups and key[0] not in groups:
                continue
            if targets and not any(fnmatchcase(key[1], p) for p in targets):
                continue
            target = found.get(key)
            if target is None:
                if not any(o.group == key[0] and o.name == key[1] for o in rollout.untouched):
                    rollout.untouched.append(Outcome(*key, status="failed", error="target not found any more"))
                continue
            keep: list[Statement] = [s for s in pg.statements if allow_destructive or not s.destructive]
            skip = [s for s in pg.statements if s not in keep] + list(pg.skipped)
            rollout.work.append(Work(target, keep, skip, plan.fingerprints.get(key)))
    return rollout


@dataclass
class ApplyReport:
    outcomes: list[Outcome]
    verification: AuditResult | None
    run: int | None

    @property
    def exit_code(self) -> int:
        if any(o.status in ("failed", "stale", "not_started") for o in self.outcomes):
            return 2
        if self.verification is None:
            return 0
        return self.verification.exit_code

    def summary(self) -> dict[str, int]:
        counts = {"applied": 0, "unchanged": 0, "failed": 0, "not_started": 0, "stale": 0}
        for o in self.outcomes:
            counts[o.status] = counts.get(o.status, 0) + 1
        return counts

    def to_json(self) -> dict[str, Any]:
        audit = self.verification.to_json() if self.verification else {"summary": {}, "databases": []}
        by_name = {(o.group, o.name): o for o in self.outcomes}
        for db in audit["databases"]:
            o = by_name.get((db["group"], db["name"]))
            db.update(o.to_json() if o else {"applied": [], "skipped": [], "failed": [], "apply_status": "unchanged"})
            if o is not None and o.error and "error" not in db:
                db["error"] = o.error
        seen = {(d["group"], d["name"]) for d in audit["databases"]}
        for o in self.outcomes:
            if (o.group, o.name) not in seen:
                audit["databases"].append({"group": o.group, "name": o.name, "status": "error",
                                           "error": o.error or o.status, "findings": [], **o.to_json()})
        audit["summary"]["apply"] = self.summary()
        return audit


def execute(config: Config, rollout: Rollout, *, concurrency: int | None = None, canary: int = 0,
            max_failures: int | None = None, journal: Journal | None = None, args: dict[str, Any] | None = None,
            progress: ProgressFn | None = None) -> ApplyReport:
    """Apply the rollout; every target is audited again on its own connection right after (or,
    if that failed, afresh at the end): the result is that audit."""
    started = time.perf_counter()
    run = rollout.run
    keys = [(w.target.group, w.target.name) for w in rollout.work]
    if journal is not None:
        if run is None:
            run = journal.start_run(args or {}, keys + [(o.group, o.name) for o in rollout.untouched])
        else:
            journal.add_targets(run, keys)

    def record(w: Work, state: str, reason: str | None) -> None:
        if journal is not None and run is not None:
            journal.record(run, w.target.group, w.target.name, state, reason)

    auditor = rollout.auditor
    if auditor is None and rollout.work:
        auditor = Auditor(config, list(dict.fromkeys(w.target.group for w in rollout.work)))
    first = rollout.work[0].target.url if rollout.work else None
    conc = concurrency or config.settings.concurrency or default_concurrency(first)
    outcomes = run_rollout(rollout.work, config.apply, concurrency=conc, auditor=auditor, canary=canary,
                           max_failures=max_failures, record=record, progress=progress)
    outcomes += rollout.untouched
    results = [o.verified for o in outcomes if o.verified is not None]
    # a target something ran on whose verification failed is audited afresh; targets the
    # planning audit just found needing nothing keep that verdict
    again = sorted({(o.group, o.name) for o in outcomes if o.verified is None and (o.status == "applied" or o.applied)
                    and (o.group, o.name) not in rollout.settled})
    later = run_audit(config, names=again, concurrency=conc, rescan=True).results if again else []
    kept = list(rollout.settled.values())
    if journal is not None and run is not None:
        for r in [*later, *kept]:
            journal.record(run, r.group, r.name, "verified" if r.status == "in_sync" else "drift", r.error)
        for o in outcomes:
            if o.status in ("failed", "stale"):
                journal.record(run, o.group, o.name, "failed", o.error)
        if not any(o.status == "not_started" for o in outcomes):
            journal.finish_run(run)
    results += later + kept
    verification = None
    if results:
        present = {r.group for r in results}
        groups = [g for g in config.groups if g in present]
        verification = AuditResult(sort_results(results, groups), groups, time.perf_counter() - started)
    return ApplyReport(outcomes, verification, run)
