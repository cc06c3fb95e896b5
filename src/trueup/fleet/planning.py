"""What an apply is about to do, before it does it: from a saved plan, by auditing with plans
now, or (``--yes``) only which targets to visit, each planned under its own lock as it runs.

``--resume`` continues the journal's last unfinished run with the destructive choice that run
was started with; a different choice on the command line is an error naming both.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from fnmatch import fnmatchcase

from trueup.config import Config
from trueup.engines.interface.generators import DiffOptions
from trueup.engines.interface.renames import Rename, parse_renames
from trueup.engines.interface.sql import Statement
from trueup.engines.interface.state import Journal
from trueup.errors import TrueupError
from trueup.fleet.apply import Outcome
from trueup.fleet.audit import run_audit
from trueup.fleet.execution import ProgressFn
from trueup.fleet.journal import resumable_run
from trueup.fleet.judging import Auditor
from trueup.fleet.results import TargetResult
from trueup.fleet.saved_plan import SavedPlan
from trueup.fleet.targets import DiscoveryError, Target, discover, select_targets
from trueup.plan.policy import partition, skipped_phrase


@dataclass
class Work:
    target: Target
    #: None: planned under the target's lock, just before it runs
    statements: list[Statement] | None
    skipped: list[Statement]
    #: the schema the statements were planned from (a target whose schema changed is refused)
    fingerprint: str | None


@dataclass
class Rollout:
    """What an apply is about to do, before it does it."""

    work: list[Work]
    allow_destructive: bool = False
    #: targets that need nothing (already in sync) or cannot be reached, as audited
    untouched: list[Outcome] = field(default_factory=list)
    #: the journal's run this continues (--resume)
    run: int | None = None
    #: the planning audit's verdict on targets that need nothing: not audited a second time
    settled: dict[tuple[str, str], TargetResult] = field(default_factory=dict)
    #: the desired states the work was (or is to be) planned against
    auditor: Auditor | None = field(default=None, repr=False)
    #: what to tell the user before it runs (a resumed run's recorded choice)
    notes: list[str] = field(default_factory=list)
    #: the command line's declared renames (the journal records them: --resume goes on with them)
    renames: tuple[Rename, ...] = ()

    @property
    def statements(self) -> int:
        return sum(len(w.statements or ()) for w in self.work)

    def summary_lines(self) -> list[str]:
        groups: dict[tuple[str, ...], list[Work]] = {}
        for w in self.work:
            if w.statements is not None:
                groups.setdefault(tuple(s.sql for s in w.statements + w.skipped), []).append(w)
        lines = list(self.notes)
        for same in sorted(groups.values(), key=lambda g: -len(g)):
            w = same[0]
            who = f"{len(same)} targets" if len(same) > 1 else f"{w.target.group}/{w.target.name}"
            skipped = f", {skipped_phrase(w.skipped)}" if w.skipped else ""
            lines.append(f"{who}: same {len(w.statements or ())} statement(s){skipped}")
        return lines


def resumed_renames(journal: Journal, run: int, given: tuple[Rename, ...]) -> tuple[Rename, ...]:
    """The ``--rename``s a resumed run goes on with: those it was started with (a resume that
    left them out would plan a drop and a create)."""
    recorded = parse_renames(journal.run_args(run).get("renames") or ())
    if given and set(given) != set(recorded):
        shown = " ".join(f"--rename {r}" for r in recorded) or "no --rename"
        raise TrueupError(f"--resume continues run {run}, started with {shown}, but this command's --rename differ",
                          hint="resume with the run's renames (leave --rename out), or start a new apply without "
                               "--resume")
    return recorded


def resumed_choice(journal: Journal, run: int, given: bool | None) -> bool:
    """The destructive choice a resumed run goes on with: the one it was started with."""
    recorded = bool(journal.run_args(run).get("allow_destructive", False))
    if given is not None and given != recorded:
        def flag(value: bool) -> str:
            return "--allow-destructive" if value else "without --allow-destructive"
        raise TrueupError(f"--resume continues run {run}, started {flag(recorded)}, "
                          f"but this command says {flag(given)}",
                          hint="resume with the run's choice (leave the flag out), or start a new apply without "
                               "--resume")
    return recorded


def prepare(config: Config, *, groups: list[str] | None = None, targets: list[str] | None = None,
            plan_file: str | None = None, allow_destructive: bool | None = None, resume: bool = False,
            concurrency: int | None = None, journal: Journal | None = None,
            progress: ProgressFn | None = None, concurrently: bool = False, live: bool = False,
            using: Mapping[tuple[str, ...], str] | None = None, renames: tuple[Rename, ...] = ()) -> Rollout:
    """Work out what to apply (``allow_destructive`` None: not given on the command line;
    ``using``: the command line's USING expressions, before those of the config)."""
    names: list[tuple[str, str]] | None = None
    run: int | None = None
    notes: list[str] = []
    if resume:
        resumed = resumable_run(journal, "apply")
        assert journal is not None
        run, names = resumed.run, resumed.unfinished
        allow_destructive = resumed_choice(journal, run, allow_destructive)
        renames = resumed_renames(journal, run, renames)
        notes.append(f"resuming run {run} of the journal, " + (
            "with --allow-destructive as it was started" if allow_destructive
            else "without --allow-destructive as it was started"))
    allow = bool(allow_destructive)
    if plan_file:
        if resume:
            raise TrueupError("--plan and --resume do not go together",
                              hint="resume re-plans the unfinished targets itself")
        return _from_saved_plan(config, SavedPlan.read(plan_file), allow, groups, targets)
    options = DiffOptions(concurrently=concurrently, using=dict(using or {}), renames=renames)
    if live:
        group_names, found, failed = select_targets(config, groups, targets, names)
        auditor = Auditor(config, group_names, allow_destructive=allow, diff_options=options)
        return Rollout([Work(t, None, [], None) for t in found], allow, run=run, auditor=auditor, notes=notes,
                       renames=renames,
                       untouched=[Outcome(g, "(discovery)", status="failed", error=err.message, hint=err.hint)
                                  for g, err in failed])
    audit = run_audit(config, groups=groups, targets=targets, concurrency=concurrency, progress=progress,
                      plans=True, allow_destructive=allow, names=names, diff_options=options,
                      rescan=True)  # what apply acts on is measured, not recalled
    rollout = Rollout([], allow, run=run, auditor=audit.auditor, notes=notes, renames=renames)
    for r in audit.results:
        if r.status == "error" or r.target is None:
            rollout.untouched.append(Outcome(r.group, r.name, status="failed", error=r.error, hint=r.hint))
        elif r.statements:
            rollout.work.append(Work(r.target, r.statements, r.skipped, r.fingerprint))
        else:
            rollout.untouched.append(Outcome(r.group, r.name, status="unchanged", skipped=[s.sql for s in r.skipped],
                                             held=sum(1 for s in r.skipped if s.needs_using)))
            rollout.settled[(r.group, r.name)] = r
    return rollout


def _from_saved_plan(config: Config, plan: SavedPlan, allow_destructive: bool, groups: list[str] | None,
                     targets: list[str] | None) -> Rollout:
    wanted = {t for g in plan.groups for t in g.targets}
    found: dict[tuple[str, str], Target] = {}
    rollout = Rollout([], allow_destructive)
    for group in sorted({g for g, _ in wanted}):
        if group not in config.groups:
            raise TrueupError(f"the plan names group '{group}', which the config does not declare")
        if groups and group not in groups:
            continue
        try:
            for t in discover(config, group):
                found[t.key] = t
        except DiscoveryError as err:
            rollout.untouched.extend(Outcome(g, n, status="failed", error=err.message, hint=err.hint)
                                     for g, n in wanted if g == group)
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
            keep, skip = partition(pg.statements, allow_destructive)
            rollout.work.append(Work(target, keep, skip + list(pg.skipped), plan.fingerprints.get(key)))
    return rollout
