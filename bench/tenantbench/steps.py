"""Where a command's time goes, per step: each step's wall time read from the event log trueup
keeps in its registry (a step is recorded ``started``, then ``done`` or ``failed``)."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from itertools import pairwise

from trueup.engines.interface.tenancy import Registry


def step_times(registry: Registry, names: Sequence[str], command: str) -> dict[str, list[float]]:
    """Seconds of each step of ``command`` (``create``, ``rotate``, ...) for each tenant, by step,
    in the order the steps ran (the last run of a step, if a tenant ran it more than once)."""
    out: dict[str, list[float]] = {}
    prefix = command + ":"
    for name in names:
        events = registry.events(name)
        last: dict[str, float] = {}
        for started, after in pairwise(events):
            if started.state == "started" and started.step.startswith(prefix):
                last[started.step[len(prefix):]] = (after.at - started.at).total_seconds()
        for step, seconds in last.items():
            out.setdefault(step, []).append(seconds)
    return out


def median_ms(times: dict[str, list[float]], step: str) -> str:
    values = times.get(step)
    return f"{statistics.median(values) * 1000:.0f}" if values else "-"


def total_ms(times: dict[str, list[float]]) -> str:
    """The median tenant's steps, added up."""
    if not times:
        return "-"
    return f"{sum(statistics.median(v) for v in times.values()) * 1000:.0f}"
