"""``trueup apply`` on one target: run its plan safely, then verify it by auditing again.

Per target: one session, the target's lock (held by the session, so never left behind), then
the plan: made right there, under the lock, from the schema it will run on, or (a saved plan)
checked against the fingerprint of the schema it was made from. The destructive policy is asked
again for every statement before anything runs. The engine runs the statements (in one
transaction where it can, with lock and statement timeouts and retries); finally the target is
audited again on the same session.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from trueup.config import ApplySettings
from trueup.engines.interface.session import ExecutionLimits, Session
from trueup.engines.interface.sql import Statement
from trueup.errors import StatementFailed, TrueupError
from trueup.fleet.execution import describe_error
from trueup.fleet.judging import Auditor
from trueup.fleet.results import TargetResult
from trueup.fleet.targets import Target
from trueup.plan.policy import may_run

LOCK_NAMESPACE = "trueup:apply"
NOT_STARTED = "not started: the rollout stopped (a canary failed, or --max-failures was reached)"


@dataclass
class Outcome:
    """What happened on one target."""

    group: str
    name: str
    status: str = "not_started"  # applied | failed | unchanged (nothing to do) | not_started | stale
    applied: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    #: how many of the skipped statements wait for a USING expression (the rest are destructive)
    held: int = 0
    failed: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None
    hint: str | None = None
    attempts: int = 0
    seconds: float = 0.0
    #: the target audited again after applying, on the same session (None: not done)
    verified: TargetResult | None = field(default=None, repr=False)

    def to_json(self) -> dict[str, Any]:
        return {"applied": self.applied, "skipped": self.skipped, "failed": self.failed,
                "apply_status": self.status, "attempts": self.attempts}


class LockBusy(TrueupError):
    """Another apply holds the target's lock."""


def lock_key(target: Target) -> str:
    return f"{LOCK_NAMESPACE}:{target.schema or ''}"


def limits(settings: ApplySettings) -> ExecutionLimits:
    return ExecutionLimits(settings.lock_timeout_ms, settings.statement_timeout_ms, settings.lock_retries)


def acquire_lock(session: Session, key: str, wait_s: float) -> None:
    deadline = time.monotonic() + wait_s
    delay = 0.05
    while True:
        if session.try_lock(key):
            return
        if time.monotonic() >= deadline:
            raise LockBusy(f"another apply holds the lock on this target: {session.lock_holder(key)}",
                           hint="wait for it to finish, or raise [apply] wait_for_lock_s")
        time.sleep(min(delay, max(0.0, deadline - time.monotonic())))
        delay = min(delay * 2, 1.0)


def apply_target(target: Target, statements: Sequence[Statement] | None, *, settings: ApplySettings,
                 allow_destructive: bool = False, skipped: Sequence[Statement] = (), auditor: Auditor | None = None,
                 expected_fingerprint: str | None = None, timeout: int | None = None,
                 on_started: Callable[[], None] | None = None,
                 on_landed: Callable[[int, int], None] | None = None) -> Outcome:
    """Apply one target's statements. Never raises for database errors: they become the outcome.

    ``statements`` None: the target is judged (and planned) here, under its lock, so the plan is
    made from the very schema it runs on. With an ``auditor`` the target is verified afterwards
    on the same session (``Outcome.verified``); a saved plan's ``expected_fingerprint`` is
    checked under the lock first (it needs the auditor too). ``on_landed(done, total)``: after
    each batch of statements that commits.
    """
    out = Outcome(target.group, target.name, skipped=[s.sql for s in skipped],
                  held=sum(1 for s in skipped if s.needs_using))
    t0 = time.perf_counter()
    try:
        with target.engine.connect(target.url, timeout=timeout) as session:
            acquire_lock(session, lock_key(target), settings.wait_for_lock_s)
            todo = _under_lock(session, target, statements, auditor, expected_fingerprint, out)
            if todo is None:
                return out
            refused = [s for s in todo if not may_run(s, allow_destructive)]
            if refused:  # (the plan came from elsewhere: a saved plan edited, say)
                out.status = "failed"
                out.error = (f"refusing to run a statement that waits for a USING expression: {refused[0].sql}"
                             if refused[0].needs_using else
                             f"refusing to run a destructive statement without --allow-destructive: {refused[0].sql}")
                return out
            if on_started:
                on_started()
            _run(session, todo, settings, out, on_landed)
            if auditor is not None and (out.status == "applied" or out.applied):
                out.verified = _verify(session, target, auditor)
    except TrueupError as err:
        out.status = "failed"
        out.error, out.hint = err.message, err.hint
    except Exception as err:  # a target the planner could not handle
        out.status = "failed"
        out.error, out.hint = describe_error(err, target)
    finally:
        out.seconds = time.perf_counter() - t0
    return out


def _run(session: Session, todo: Sequence[Statement], settings: ApplySettings, out: Outcome,
         on_landed: Callable[[int, int], None] | None) -> None:
    def landed(batch: Sequence[Statement]) -> None:
        out.applied.extend(s.sql for s in batch)
        if on_landed:
            on_landed(len(out.applied), len(todo))

    try:
        out.attempts = session.execute(todo, limits(settings), landed)
        out.status = "applied"
    except StatementFailed as err:
        out.status = "failed"
        out.attempts = err.attempts
        out.failed.append({"sql": err.statement, "sqlstate": err.sqlstate, "error": err.message,
                           "cause": err.cause})
        out.error = f"{err.cause} (SQLSTATE {err.sqlstate}): {err.message}"
        out.hint = err.hint


def _under_lock(session: Session, target: Target, statements: Sequence[Statement] | None,
                auditor: Auditor | None, expected_fingerprint: str | None, out: Outcome) -> Sequence[Statement] | None:
    """The statements to run now, or None when there is nothing to run (``out`` says why)."""
    if statements is None:  # plan now
        if auditor is None:
            raise ValueError("planning under the lock needs an auditor")
        before = auditor.judge(session, target, auditor.probe(session, target, again=True), plans=True)
        out.skipped = [s.sql for s in before.skipped]
        out.held = sum(1 for s in before.skipped if s.needs_using)
        if not before.statements:
            out.status, out.verified = "unchanged", before
            return None
        return before.statements
    if expected_fingerprint is not None:
        if auditor is None:
            raise ValueError("checking a plan's fingerprint needs an auditor")
        if auditor.probe(session, target, again=True).fingerprints.get(target.schema, "") != expected_fingerprint:
            out.status = "stale"
            out.error = "the schema changed since the plan was made; plan again (trueup plan) before applying"
            return None
    return statements


def _verify(session: Session, target: Target, auditor: Auditor) -> TargetResult | None:
    """The target audited again on the session that applied (its catalog caches are warm);
    None if that fails, and the caller audits it afresh."""
    try:
        return auditor.judge(session, target, auditor.probe(session, target, again=True), plans=False)
    except Exception:
        return None
