"""Saved plans (``trueup plan --format json``): the statements per target, and the schema
fingerprint each target had when the plan was made, so stale plans are refused."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from trueup.engines.interface.sql import Hazard, Statement
from trueup.errors import TrueupError
from trueup.fleet.results import AuditResult

PLAN_FORMAT = "trueup-plan"
PLAN_VERSION = 1


@dataclass
class PlanGroup:
    """Targets that share exactly the same statements."""

    statements: list[Statement]
    skipped: list[Statement]
    targets: list[tuple[str, str]] = field(default_factory=list)
    #: notes on renames (declared ones that did not apply, possible ones) of its targets
    notes: list[str] = field(default_factory=list)


@dataclass
class SavedPlan:
    allow_destructive: bool
    groups: list[PlanGroup]
    fingerprints: dict[tuple[str, str], str]
    created: str = ""
    #: targets that could not be planned (unreachable ...), with the reason
    errors: dict[tuple[str, str], str] = field(default_factory=dict)

    @classmethod
    def from_audit(cls, result: AuditResult, allow_destructive: bool) -> SavedPlan:
        groups: dict[tuple[tuple[str, tuple[str, ...], bool], ...], PlanGroup] = {}
        fps: dict[tuple[str, str], str] = {}
        errors: dict[tuple[str, str], str] = {}
        for r in result.results:
            if r.status == "error":
                errors[(r.group, r.name)] = r.error or "error"
                continue
            if not r.statements and not r.skipped:
                continue
            key = tuple((s.sql, tuple(h.value for h in s.hazards), s.transactional) for s in r.statements + r.skipped)
            g = groups.setdefault(key, PlanGroup(list(r.statements), list(r.skipped)))
            g.targets.append((r.group, r.name))
            g.notes.extend(n for n in r.notes if n not in g.notes)
            fps[(r.group, r.name)] = r.fingerprint or ""
        created = datetime.now(UTC).isoformat(timespec="seconds")
        ordered = sorted(groups.values(), key=lambda g: (-len(g.targets), g.targets[0]))
        return cls(allow_destructive, ordered, fps, created, errors)

    def to_json(self) -> dict[str, Any]:
        return {
            "format": PLAN_FORMAT, "version": PLAN_VERSION, "created": self.created,
            "allow_destructive": self.allow_destructive,
            "plans": [{"id": i, "targets": len(g.targets), "statements": [_stmt_json(s) for s in g.statements],
                       "skipped": [_stmt_json(s) for s in g.skipped], "notes": list(g.notes)}
                      for i, g in enumerate(self.groups)],
            "targets": [{"group": t[0], "name": t[1], "fingerprint": self.fingerprints.get(t, ""), "plan": i}
                        for i, g in enumerate(self.groups) for t in g.targets],
            "errors": [{"group": k[0], "name": k[1], "error": v} for k, v in sorted(self.errors.items())],
        }

    @classmethod
    def read(cls, path: str | Path) -> SavedPlan:
        file = Path(path)
        try:
            data = json.loads(file.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise TrueupError(f"{file}: no such plan file") from None
        except (OSError, ValueError) as err:
            raise TrueupError(f"{file}: not a readable plan ({err})") from None
        if not isinstance(data, dict) or data.get("format") != PLAN_FORMAT:
            raise TrueupError(f"{file}: not a trueup plan", hint="save one with: trueup plan --format json -o FILE")
        if not isinstance(data.get("version"), int) or data["version"] > PLAN_VERSION:
            raise TrueupError(f"{file}: plan format version {data.get('version')} is newer than this trueup reads")
        try:
            groups = [PlanGroup([_stmt(s) for s in p["statements"]], [_stmt(s) for s in p.get("skipped", [])])
                      for p in data["plans"]]
            fps = {}
            for t in data["targets"]:
                groups[int(t["plan"])].targets.append((str(t["group"]), str(t["name"])))
                fps[(str(t["group"]), str(t["name"]))] = str(t["fingerprint"])
        except (KeyError, TypeError, ValueError, IndexError) as err:
            raise TrueupError(f"{file}: malformed plan ({err!r})") from None
        return cls(bool(data.get("allow_destructive")), groups, fps, str(data.get("created", "")))


def _stmt_json(s: Statement) -> dict[str, Any]:
    return {"sql": s.sql, "hazards": [h.value for h in s.hazards], "notes": list(s.notes),
            "transactional": s.transactional, "commit_first": s.commit_first}


def _stmt(d: dict[str, Any]) -> Statement:
    hazards = tuple(Hazard(h) for h in d.get("hazards", []))
    notes = tuple(d.get("notes") or ["" for _ in hazards])
    return Statement(str(d["sql"]), hazards, notes, bool(d.get("transactional", True)),
                     bool(d.get("commit_first", False)))
