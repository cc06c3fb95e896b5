"""The vocabulary of a migration, shared by every engine and the pipeline: statements, the
hazards they carry, and the change of one object (its action and statements)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from trueup.model import ObjectId


class Hazard(StrEnum):
    """Why a statement deserves a second look before it runs."""

    DELETES_DATA = "deletes_data"
    BLOCKS_WRITES = "blocks_writes"
    INDEX_BUILD = "index_build"
    MAY_FAIL = "may_fail"
    AUTHZ = "authz"
    #: the server has no cast from the old type to the new: the statement needs a USING
    #: expression the user did not give (it never runs; see :mod:`trueup.plan.policy`)
    NEEDS_USING = "needs_using"
    #: the statement holds a placeholder for a value trueup never reads nor prints (a user
    #: mapping's password): it never runs; a person runs it by hand with the real value
    NEEDS_INPUT = "needs_input"
    #: a rename: clients (code, queries) still using the old name fail
    BREAKS_CLIENTS = "breaks_clients"


DESTRUCTIVE = frozenset({Hazard.DELETES_DATA})


@dataclass(frozen=True)
class Statement:
    """One SQL statement with the hazards it carries.

    ``transactional`` is false for statements PostgreSQL refuses inside a transaction block
    (``CREATE INDEX CONCURRENTLY``): they run after the transaction. ``commit_first`` marks
    statements whose effect must be committed before later statements may use it (a new enum
    value): they run, idempotently, in their own transaction before the main one.
    ``notes`` explain each hazard in a phrase.
    """

    sql: str
    hazards: tuple[Hazard, ...] = ()
    notes: tuple[str, ...] = ()
    transactional: bool = True
    commit_first: bool = False

    @property
    def destructive(self) -> bool:
        return any(h in DESTRUCTIVE for h in self.hazards)

    @property
    def needs_using(self) -> bool:
        """Incomplete: it waits for a USING expression the user did not give."""
        return Hazard.NEEDS_USING in self.hazards

    @property
    def needs_input(self) -> bool:
        """Incomplete: it holds a placeholder for a secret trueup never reads (``needs_input``)."""
        return Hazard.NEEDS_INPUT in self.hazards

    @property
    def held(self) -> bool:
        """It never runs: it waits for a USING expression or for a secret."""
        return self.needs_using or self.needs_input

    def held_back(self, note: str, hazard: Hazard = Hazard.NEEDS_USING) -> Statement:
        """This statement marked as one that never runs (``hazard``: ``needs_using`` or
        ``needs_input``), ``note`` saying why."""
        if self.held:
            return self
        return Statement(self.sql, (hazard, *self.hazards), (note, *self.notes), self.transactional,
                         self.commit_first)


def stmt(sql: str, *hazards: tuple[Hazard, str] | Hazard, transactional: bool = True,
         commit_first: bool = False) -> Statement:
    """Build a statement; hazards may be given bare or as ``(hazard, note)`` pairs."""
    found: dict[Hazard, str] = {}
    for h in hazards:
        hz, note = h if isinstance(h, tuple) else (h, "")
        found[hz] = found.get(hz) or note
    return Statement(sql, tuple(found), tuple(found.values()), transactional, commit_first)


@dataclass
class Change:
    """What happens to one object: its action and the statements, in order."""

    id: ObjectId
    action: str  # create | drop | alter | replace
    statements: list[Statement] = field(default_factory=list)

    @property
    def hazards(self) -> tuple[Hazard, ...]:
        return tuple(dict.fromkeys(h for s in self.statements for h in s.hazards))

    @property
    def destructive(self) -> bool:
        return any(s.destructive for s in self.statements)

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.id.kind,
            "name": self.id.display,
            "action": self.action,
            "sql": [s.sql for s in self.statements],
            "hazards": [h.value for h in self.hazards],
            "notes": [n for s in self.statements for n in s.notes],
        }
