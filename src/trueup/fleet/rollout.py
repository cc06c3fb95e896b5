"""Plan → confirm → apply → verify, for a whole fleet, journaled so it can resume."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from trueup.config import Config
from trueup.diff.changes import Statement
from trueup.diff.generator import DiffOptions
from trueup.errors import TrueupError
from trueup.fleet.apply import Outcome, Work, run_rollout
from trueup.fleet.audit import AuditResult, ProgressFn, TargetResult, default_concurrency, run_audit
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
    plan: SavedPlan | None = None
    run: int | None = None
    #: the planning audit's verdict on targets that need nothing: not audited a second time
    settled: dict[tuple[str, str], TargetResult] = field(default_factory=dict)

    @property
    def statements(self) -> int:
        return sum(len(w.statements) for w in self.work)

    def summary_lines(self) -> list[str]:
        groups: dict[tuple[str, ...], list[Work]] = {}
        for w in self.work:
            groups.setdefault(tuple(s.sql for s in w.statements + w.skipped), []).append(w)
        lines = []
        for same in sorted(groups.values(), key=lambda g: -len(g)):
            w = same[0]
            who = f"{len(same)} targets" if len(same) > 1 else f"{w.target.group}/{w.target.name}"
            skipped = f", {len(w.skipped)} destructive skipped" if w.skipped else ""
            lines.append(f"{who}: same {len(w.statements)} statement(s){skipped}")
        return lines


def prepare(config: Config, *, groups: list[str] | None = None, targets: list[str] | None = None,
            plan_file: str | None = None, allow_destructive: bool = False, resume: bool = False,
            concurrency: int | None = None, journal: Journal | None = None,
            progress: ProgressFn | None = None, concurrently: bool = False) -> Rollout:
    """Work out what to apply: from a saved plan, or by auditing with plans now."""
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
    audit = run_audit(config, groups=groups, targets=targets, concurrency=concurrency, progress=progress,
                      plans=True, allow_destructive=allow_destructive, names=names,
                      diff_options=DiffOptions(concurrently=concurrently))
    rollout = Rollout([], plan=SavedPlan.from_audit(audit, allow_destructive), run=run)
    for r in audit.results:
        if r.status == "error" or r.target is None:
            rollout.untouched.append(Outcome(r.group, r.name, status="failed", error=r.error))
        elif r.statements:
            schemas = None if r.target.schema else load_scope(config, r.group)
            rollout.work.append(Work(r.target, r.statements, r.skipped, r.fingerprint, schemas))
        else:
            rollout.untouched.append(Outcome(r.group, r.name, status="unchanged", skipped=[s.sql for s in r.skipped]))
            rollout.settled[(r.group, r.name)] = r
    return rollout


def load_scope(config: Config, group: str) -> list[str] | None:
    return config.groups[group].schemas


def _from_saved_plan(config: Config, plan: SavedPlan, allow_destructive: bool, groups: list[str] | None,
                     targets: list[str] | None) -> Rollout:
    from fnmatch import fnmatchcase

    wanted = {t for g in plan.groups for t in g.targets}
    found: dict[tuple[str, str], Target] = {}
    rollout = Rollout([], plan=plan)
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
            schemas = None if target.schema else load_scope(config, key[0])
            rollout.work.append(Work(target, keep, skip, plan.fingerprints.get(key), schemas))
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
    """Apply the rollout, then audit every touched target again: the result is that audit."""
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

    first = rollout.work[0].target.url if rollout.work else None
    conc = concurrency or config.settings.concurrency or default_concurrency(first)
    outcomes = run_rollout(rollout.work, config.apply, concurrency=conc, canary=canary,
                           max_failures=max_failures, record=record, progress=progress)
    outcomes += rollout.untouched
    # every target something ran on (or was meant to) is audited again; targets the planning
    # audit just found needing nothing keep that verdict
    verify = sorted({(o.group, o.name) for o in outcomes
                     if (o.status != "failed" or o.applied) and (o.group, o.name) not in rollout.settled})
    verification = run_audit(config, names=verify, concurrency=conc) if verify else None
    if rollout.settled:
        kept = list(rollout.settled.values())
        groups = list(dict.fromkeys([*(verification.groups if verification else []), *(r.group for r in kept)]))
        verification = AuditResult([*(verification.results if verification else []), *kept], groups,
                                   verification.seconds if verification else 0.0)
    if journal is not None and run is not None:
        if verification is not None:
            for r in verification.results:
                journal.record(run, r.group, r.name, "verified" if r.status == "in_sync" else "drift", r.error)
        for o in outcomes:
            if o.status in ("failed", "stale"):
                journal.record(run, o.group, o.name, "failed", o.error)
        if not any(o.status == "not_started" for o in outcomes):
            journal.finish_run(run)
    return ApplyReport(outcomes, verification, run)

