"""Running a tenant's steps: each recorded in the registry before and after it runs, so that a
failure, or a killed process, leaves the tenant at a named phase.

Every step is idempotent (it checks what exists and does only what is missing), so resuming a
sequence runs again the step it stopped in and goes on from there.

For tests, ``TRUEUP_TEST_FAIL_STEP=<command>:<step>`` makes that step fail once it is recorded as
started, and ``TRUEUP_TEST_HANG_STEP`` makes it wait there (to be killed); ``template:build`` is
the point inside a template's build where it is built but not yet verified and renamed.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from trueup.engines.interface.tenancy import Registry
from trueup.errors import TrueupError

Step = tuple[str, Callable[[], str | None]]


class StepFailed(TrueupError):
    """A step of a tenant's sequence failed; the registry records where."""

    def __init__(self, message: str, hint: str | None, step: str) -> None:
        super().__init__(message, hint)
        self.step = step


@dataclass(frozen=True)
class Sequence_:
    """A command's steps: ``command`` names it in phases (``create``, ``drop``, ``rotate``);
    ``running``: the status while it runs (None: unchanged); ``on_failure``: the status a
    failure leaves (None: unchanged); ``resume``: the command line that resumes it."""

    command: str
    running: str | None
    on_failure: str | None
    resume: str


def injected(command: str, step: str) -> None:
    if os.environ.get("TRUEUP_TEST_FAIL_STEP") == f"{command}:{step}":
        raise TrueupError(f"injected failure at {command}:{step} (TRUEUP_TEST_FAIL_STEP)")
    if os.environ.get("TRUEUP_TEST_HANG_STEP") == f"{command}:{step}":
        while True:  # pragma: no cover - the test kills the process here
            time.sleep(0.05)


def phase(command: str, step: str) -> str:
    return f"{command}:{step}"


def resume_from(steps: Sequence[Step], command: str, recorded_phase: str | None) -> int:
    """Index of the step a recorded phase stands for (0 when it is not one of these steps)."""
    names = [phase(command, s) for s, _ in steps]
    return names.index(recorded_phase) if recorded_phase in names else 0


def run_steps(registry: Registry, tenant: str, seq: Sequence_, steps: Sequence[Step], start: int = 0) -> None:
    """Run ``steps[start:]``, recording each; raises :class:`StepFailed` with the resume hint."""
    for name, fn in steps[start:]:
        where = phase(seq.command, name)
        changes: dict[str, object] = {"phase": where}
        if seq.running:
            changes["status"] = seq.running
        registry.update(tenant, **changes)
        registry.log(tenant, where, "started")
        try:
            injected(seq.command, name)
            detail = fn()
        except TrueupError as err:
            _failed(registry, tenant, seq, where, err.message)
            raise StepFailed(f"tenant '{tenant}': {seq.command} failed at step {name}: {err.message}",
                             err.hint or f"fix the cause, then resume: {seq.resume}", name) from None
        except Exception as err:  # a bug, or a driver error that escaped: still recorded
            _failed(registry, tenant, seq, where, f"{type(err).__name__}: {err}")
            raise
        registry.log(tenant, where, "done", detail)


def _failed(registry: Registry, tenant: str, seq: Sequence_, where: str, message: str) -> None:
    changes: dict[str, object] = {"phase": where, "error": message}
    if seq.on_failure:
        changes["status"] = seq.on_failure
    registry.update(tenant, **changes)
    registry.log(tenant, where, "failed", message)
