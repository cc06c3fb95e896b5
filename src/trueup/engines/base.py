"""What the engine-neutral pipeline asks of an engine."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

from trueup.diff.changes import Change
from trueup.diff.generator import KindSQL
from trueup.model import DbObject, ObjectId, Schema


class Engine(Protocol):
    name: str
    #: generator per object kind
    generators: Mapping[str, KindSQL]
    #: child kinds that the parent's CREATE statement already contains (a table's columns)
    inline_children: Mapping[str, frozenset[str]]
    #: dependent kinds that must be detached when an object they use is altered incompatibly
    rebuild_on_break: frozenset[str]
    #: tie-break order of kinds in a plan (lower first)
    kind_order: Sequence[str]

    def namespace_key(self, obj: DbObject) -> tuple[str, ...] | None:
        """Objects sharing a key cannot coexist (a view and a table of the same name)."""
        ...

    def dropped_with(self, obj: DbObject) -> ObjectId | None:
        """Besides its parent, the object whose drop silently drops ``obj`` too (or None)."""
        ...

    def preamble(self, changes: Sequence[Change]) -> list[str]:
        """Session settings a script of these changes needs first."""
        ...

    def inspect(self, url: str, schemas: Sequence[str] | None = None, *, connections: int = 2) -> Schema:
        """The model of the database at ``url``, read on up to ``connections`` connections side
        by side (more than one pays when nothing else keeps the server busy meanwhile)."""
        ...

    def load_sql(self, server_url: str, files: Sequence[str], schemas: Sequence[str] | None = None, *,
                 connections: int = 2) -> Schema:
        """Apply ``.sql`` files to a scratch database on ``server_url``, inspect it, drop it."""
        ...

    def scratch_identity(self, server_url: str) -> str:
        """Everything besides the files that decides the model :meth:`load_sql` gives on that
        server (its version, the user, the extensions it offers, the settings deparsed text
        depends on): two loads of the same files with equal identities give equal models."""
        ...
