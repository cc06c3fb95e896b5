"""Apply → verify for a whole fleet, journaled so it can resume: canaries first, then the rest
concurrently, each target on its own session under its lock (:mod:`trueup.fleet.apply`)."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from trueup.config import ApplySettings, Config
from trueup.engines.interface.state import Journal
from trueup.fleet.apply import NOT_STARTED, Outcome, apply_target
from trueup.fleet.audit import run_audit
from trueup.fleet.execution import ProgressFn, default_concurrency
from trueup.fleet.judging import Auditor
from trueup.fleet.planning import Rollout, Work
from trueup.fleet.results import AuditResult, TargetResult, sort_results
from trueup.fleet.scheduling import schedule

#: outcomes that mean the target was not brought to its desired state
FAILED = ("failed", "stale", "not_started")


@dataclass
class ApplyReport:
    outcomes: list[Outcome]
    verification: AuditResult | None
    run: int | None

    @property
    def exit_code(self) -> int:
        if any(o.status in FAILED for o in self.outcomes):
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


def run_rollout(items: Sequence[Work], settings: ApplySettings, *, concurrency: int, allow_destructive: bool,
                auditor: Auditor | None = None, canary: int = 0, max_failures: int | None = None,
                timeout: int | None = None, record: Callable[[Work, str, str | None], None] | None = None,
                progress: ProgressFn | None = None) -> list[Outcome]:
    """Apply every item: canaries first (targets that had something to run; stop if one
    fails), then the rest concurrently, launching no new target after ``max_failures`` failures."""
    done = 0

    def note(w: Work, state: str, reason: str | None = None) -> None:
        if record:
            record(w, state, reason)

    def one(i: int) -> Outcome:
        w = items[i]
        # a plan that lands in steps (statements that cannot run in a transaction, an engine whose
        # DDL is not transactional) is journaled step by step: a crash leaves the count landed
        def landed(k: int, n: int) -> None:
            if k < n:
                note(w, "started", f"{k} of {n} statement(s) applied")

        o = apply_target(w.target, w.statements, skipped=w.skipped, expected_fingerprint=w.fingerprint,
                         settings=settings, allow_destructive=allow_destructive, auditor=auditor, timeout=timeout,
                         on_started=lambda: note(w, "started"), on_landed=landed)
        if o.status in ("applied", "failed", "stale"):
            note(w, "applied" if o.status == "applied" else "failed", o.error)
        if o.verified is not None:
            note(w, "verified" if o.verified.status == "in_sync" else "drift", o.verified.error)
        return o

    def finished(i: int, o: Outcome) -> None:
        nonlocal done
        done += 1
        if progress:
            progress(done, len(items), items[i].target.name)

    outcomes = schedule(len(items), one, concurrency=concurrency, canary=canary, max_failures=max_failures,
                        failed=lambda o: o.status in ("failed", "stale"), tried=lambda o: o.status != "unchanged",
                        finished=finished)
    return [outcomes.get(i) or Outcome(items[i].target.group, items[i].target.name,
                                       skipped=[s.sql for s in items[i].skipped],
                                       held=sum(1 for s in items[i].skipped if s.needs_using), error=NOT_STARTED)
            for i in range(len(items))]


def execute(config: Config, rollout: Rollout, *, concurrency: int | None = None, canary: int = 0,
            max_failures: int | None = None, journal: Journal | None = None, args: dict[str, Any] | None = None,
            progress: ProgressFn | None = None) -> ApplyReport:
    """Apply the rollout; every target is audited again on its own session right after (or,
    if that failed, afresh at the end): the result is that audit, where a target that failed or
    was never reached counts as an error."""
    started = time.perf_counter()
    run = rollout.run
    keys = [w.target.key for w in rollout.work]
    if journal is not None:
        if run is None:
            run = journal.start_run({**(args or {}), "command": "apply", "allow_destructive": rollout.allow_destructive,
                                     "renames": [str(r) for r in rollout.renames]},
                                    keys + [(o.group, o.name) for o in rollout.untouched])
        else:
            journal.add_targets(run, keys)

    def record(w: Work, state: str, reason: str | None) -> None:
        if journal is not None and run is not None:
            journal.record(run, w.target.group, w.target.name, state, reason)

    auditor = rollout.auditor
    if auditor is None and rollout.work:
        auditor = Auditor(config, list(dict.fromkeys(w.target.group for w in rollout.work)),
                          allow_destructive=rollout.allow_destructive)
    timeout = config.settings.connect_timeout
    first = rollout.work[0].target if rollout.work else None
    conc = concurrency or config.settings.concurrency or (
        default_concurrency(first.engine, first.url, timeout) if first else 4)
    outcomes = run_rollout(rollout.work, config.apply, concurrency=conc, allow_destructive=rollout.allow_destructive,
                           auditor=auditor, canary=canary, max_failures=max_failures, timeout=timeout,
                           record=record, progress=progress)
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
    judged = {(r.group, r.name) for r in results}
    results += [_unverified(o) for o in outcomes if o.status in FAILED and (o.group, o.name) not in judged]
    verification = None
    if results:
        present = {r.group for r in results}
        groups = [g for g in config.groups if g in present]
        verification = AuditResult(sort_results(results, groups), groups, time.perf_counter() - started)
    return ApplyReport(outcomes, verification, run)


def _unverified(o: Outcome) -> TargetResult:
    """A target that failed (or never started) as the verification reports it: an error."""
    return TargetResult(o.group, o.name, "", "error", error=o.error or o.status.replace("_", " "), hint=o.hint)
