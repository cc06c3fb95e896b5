"""What an audit found: one result per target, and the run's."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from trueup.engines.interface.sql import Statement
from trueup.fleet.findings import Finding
from trueup.fleet.targets import Target

if TYPE_CHECKING:
    from trueup.fleet.judging import Auditor


@dataclass
class TargetResult:
    group: str
    name: str
    location: str
    status: str = "in_sync"  # in_sync | drift | error
    findings: list[Finding] = field(default_factory=list)
    error: str | None = None
    seconds: float = 0.0
    #: the schema fingerprint the probe saw (plans record it to refuse stale plans)
    fingerprint: str | None = None
    #: whether its schema was known unchanged by its change token (not measured again)
    recalled: bool = False
    #: with plans: the statements that bring this target to its desired state, and those the
    #: destructive policy left out (see trueup.plan.policy)
    statements: list[Statement] = field(default_factory=list)
    skipped: list[Statement] = field(default_factory=list)
    target: Target | None = field(default=None, repr=False)
    #: with an error: what to do about it
    hint: str | None = None
    #: with migrations: the target's history (framework, version, matches, latest)
    history: dict[str, Any] | None = None

    def fail(self, message: str, hint: str | None = None) -> None:
        self.status, self.error, self.hint = "error", message, hint

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"group": self.group, "name": self.name, "location": self.location,
                                "status": self.status}
        if self.error is not None:
            data["error"] = self.error
            if self.hint:
                data["hint"] = self.hint
        if self.history is not None:
            data["history"] = self.history
        data["findings"] = [f.to_json() for f in self.findings]
        return data


@dataclass
class AuditResult:
    results: list[TargetResult]
    groups: list[str]
    seconds: float = 0.0
    #: what judged the targets (desired states loaded), for a rollout to reuse
    auditor: Auditor | None = field(default=None, repr=False)

    @property
    def exit_code(self) -> int:
        if any(r.status == "error" for r in self.results):
            return 2
        return 1 if any(r.status == "drift" for r in self.results) else 0

    def summary(self) -> dict[str, Any]:
        by_status = {"in_sync": 0, "drift": 0, "error": 0}
        by_category: dict[str, int] = {}
        by_group: dict[str, dict[str, Any]] = {}
        for r in self.results:
            by_status[r.status] += 1
            g = by_group.setdefault(r.group, {"databases": 0, "in_sync": 0, "drift": 0, "error": 0,
                                              "categories": {}})
            g["databases"] += 1
            g[r.status] += 1
            for f in r.findings:
                by_category[f.category] = by_category.get(f.category, 0) + 1
                g["categories"][f.category] = g["categories"].get(f.category, 0) + 1
        return {"databases": len(self.results), **by_status, "findings": sum(by_category.values()),
                "categories": dict(sorted(by_category.items())), "groups": by_group,
                "seconds": round(self.seconds, 3)}

    def to_json(self) -> dict[str, Any]:
        return {"summary": self.summary(), "databases": [r.to_json() for r in self.results]}


def sort_results(results: list[TargetResult], group_names: Sequence[str]) -> list[TargetResult]:
    order = {g: i for i, g in enumerate(group_names)}
    return sorted(results, key=lambda r: (order.get(r.group, 0), r.name))
