"""A migration plan: ordered changes, rendered as a reviewable SQL script or JSON."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from trueup.diff.changes import Change, Statement
from trueup.model import Schema


@dataclass
class Plan:
    changes: list[Change]
    old: Schema | None = field(default=None, repr=False)
    new: Schema | None = field(default=None, repr=False)
    #: session settings the script needs before its first statement
    preamble: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.changes)

    @property
    def destructive(self) -> bool:
        return any(c.destructive for c in self.changes)

    def statements(self, allow_destructive: bool = False) -> list[Statement]:
        """The statements that would run (destructive ones only when allowed)."""
        return [s for c in self.changes for s in c.statements if allow_destructive or not s.destructive]

    def preamble_statements(self) -> list[Statement]:
        """The preamble (session settings) as statements, for executing the plan."""
        return [Statement(p) for p in self.preamble] if self.changes else []

    def skipped(self, allow_destructive: bool = False) -> list[Statement]:
        if allow_destructive:
            return []
        return [s for c in self.changes for s in c.statements if s.destructive]

    def to_sql(self, allow_destructive: bool = False) -> str:
        """The script: every statement terminated, hazards as comments above it.

        Without ``allow_destructive`` a destructive statement is written commented out under
        its ``-- hazard: deletes_data`` line, so the script is safe to run as it is.
        """
        out: list[str] = [p.rstrip(";") + ";" for p in self.preamble] if self.changes else []
        for change in self.changes:
            for s in change.statements:
                lines: list[str] = []
                for h, note in _hazard_lines(s):
                    lines.append(f"-- hazard: {h}{': ' + note if note else ''}")
                body = s.sql.rstrip().rstrip(";") + ";"
                if s.destructive and not allow_destructive:
                    lines.append("-- skipped: destructive, rerun with --allow-destructive to include")
                    lines.extend("-- " + ln for ln in body.splitlines())
                else:
                    lines.append(body)
                out.append("\n".join(lines))
        return "\n\n".join(out) + ("\n" if out else "")

    def to_json(self, allow_destructive: bool = False) -> dict[str, Any]:
        return {
            "changes": [c.to_json(allow_destructive) for c in self.changes],
            "destructive": self.destructive,
            "statements": len(self.statements(allow_destructive)),
            "skipped": len(self.skipped(allow_destructive)),
        }


def _hazard_lines(s: Statement) -> list[tuple[str, str]]:
    notes = list(s.notes)
    out = []
    for i, h in enumerate(s.hazards):
        out.append((h.value, notes[i] if i < len(notes) else ""))
    return out
