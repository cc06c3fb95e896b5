"""A migration plan: ordered changes, rendered as a reviewable SQL script or JSON."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from trueup.engines.interface.renames import Rename
from trueup.engines.interface.sql import Change, Statement
from trueup.engines.interface.using import format_path
from trueup.model import ObjectId, Schema
from trueup.plan.policy import may_run, partition, why_not


@dataclass
class Plan:
    changes: list[Change]
    old: Schema | None = field(default=None, repr=False)
    new: Schema | None = field(default=None, repr=False)
    #: session settings the script needs before its first statement
    preamble: list[str] = field(default_factory=list)
    #: the columns (paths) whose type the plan changes, those a ``--using`` may name, each with
    #: whether its change waits for a USING expression (and never runs until one is given)
    retyped: Mapping[tuple[str, ...], bool] = field(default_factory=dict)
    #: the declared renames the plan carries out (``ALTER ... RENAME``, first)
    renamed: list[Rename] = field(default_factory=list)
    #: declared renames that did not apply here, each a sentence
    notes: list[str] = field(default_factory=list)
    #: the same notes with the paths each is about (a rename's old and new path)
    noted: list[tuple[tuple[tuple[str, ...], ...], str]] = field(default_factory=list)
    #: (dropped, added) columns of one table with the same type: perhaps an undeclared rename
    possible_renames: list[tuple[ObjectId, ObjectId]] = field(default_factory=list)

    def rename_notes(self) -> list[str]:
        """The notes on renames: those that did not apply, and the possible ones."""
        return self.notes + [possible_rename_note(d, a) for d, a in self.possible_renames]

    def __bool__(self) -> bool:
        return bool(self.changes)

    @property
    def destructive(self) -> bool:
        return any(c.destructive for c in self.changes)

    def needing_using(self) -> list[Statement]:
        """The statements that wait for a USING expression (they never run)."""
        return [s for s in self.all_statements() if s.needs_using]

    def waiting_for_using(self) -> list[tuple[str, ...]]:
        """The columns whose type change waits for a USING expression, by path."""
        return sorted(p for p, waits in self.retyped.items() if waits)

    def all_statements(self) -> list[Statement]:
        return [s for c in self.changes for s in c.statements]

    def statements(self, allow_destructive: bool = False) -> list[Statement]:
        """The statements that would run (see :mod:`trueup.plan.policy`)."""
        return partition(self.all_statements(), allow_destructive)[0]

    def preamble_statements(self) -> list[Statement]:
        """The preamble (session settings) as statements, for executing the plan."""
        return [Statement(p) for p in self.preamble] if self.changes else []

    def skipped(self, allow_destructive: bool = False) -> list[Statement]:
        """The statements the policy leaves out."""
        return partition(self.all_statements(), allow_destructive)[1]

    def to_sql(self, allow_destructive: bool = False) -> str:
        """The script: every statement terminated, hazards as comments above it.

        Without ``allow_destructive`` a destructive statement is written commented out under
        its ``-- hazard: deletes_data`` line, so the script is safe to run as it is; so is,
        always, a statement that needs a USING expression (``-- hazard: needs_using``).
        """
        out: list[str] = [f"-- note: {n}" for n in self.rename_notes()] if self.changes else []
        out += [p.rstrip(";") + ";" for p in self.preamble] if self.changes else []
        out += [render_statement(s, run=may_run(s, allow_destructive))
                for change in self.changes for s in change.statements]
        return "\n\n".join(out) + ("\n" if out else "")

    def to_json(self, allow_destructive: bool = False) -> dict[str, Any]:
        return {
            "changes": [{**c.to_json(), "skipped": not all(may_run(s, allow_destructive) for s in c.statements)}
                        for c in self.changes],
            "destructive": self.destructive,
            "statements": len(self.statements(allow_destructive)),
            "skipped": len(self.skipped(allow_destructive)),
            "renamed": [str(r) for r in self.renamed],
            "notes": list(self.notes),
            "possible_renames": [{"dropped": d.display, "added": a.display, "note": possible_rename_note(d, a)}
                                 for d, a in self.possible_renames],
        }


def possible_rename_note(dropped: ObjectId, added: ObjectId) -> str:
    """``possible_rename: ...``: a dropped and an added column of one table of the same type."""
    return (f"possible_rename: column {dropped.display} is dropped and column {added.display} added with the "
            f"same type; if it is a rename, declare it (--rename {format_path(dropped.path)}="
            f"{format_path((added.path[-1],))}) to keep its data")


def render_statement(s: Statement, *, run: bool = True, apply_notes: bool = False) -> str:
    """One statement as a script shows it: its hazards as comments above it, then the SQL,
    or, when it is not to run (destructive and not allowed, or waiting for a USING
    expression), the SQL commented out under the reason.
    ``apply_notes`` adds where `trueup apply` runs it relative to its transaction."""
    lines = [f"-- hazard: {h.value}" + (f": {n}" if n else "") for h, n in zip(s.hazards, s.notes, strict=False)]
    if apply_notes and not s.transactional:
        lines.insert(0, "-- runs outside the transaction")
    if apply_notes and s.commit_first:
        lines.insert(0, "-- committed before the transaction (later statements use it)")
    body = s.sql.rstrip().rstrip(";") + ";"
    if run:
        lines.append(body)
    else:
        lines.append(f"-- skipped: {why_not(s, False) or 'left out'}")
        lines.extend("-- " + ln for ln in body.splitlines())
    return "\n".join(lines)
