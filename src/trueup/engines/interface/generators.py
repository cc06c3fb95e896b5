"""The interface every engine implements, one generator per kind of object.

Modelled on stripe/pg-schema-diff: each kind knows how to create, drop and alter itself;
ordering is not its business (the plan's dependency graph does that).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from trueup.engines.interface.renames import Rename
from trueup.engines.interface.sql import Statement
from trueup.model import DbObject, Schema


@dataclass(frozen=True)
class DiffOptions:
    """Knobs that change the SQL a diff produces."""

    concurrently: bool = False  # CREATE/DROP INDEX CONCURRENTLY on existing tables
    #: the user's expressions that convert a column's values to its new type (``--using``), by
    #: the column's path: put after ``USING`` as given
    using: Mapping[tuple[str, ...], str] = field(default_factory=dict)
    #: declared renames (``--rename``, a group's ``renames``), before those the desired model's
    #: source declares: an ``ALTER ... RENAME`` instead of a drop and a create
    renames: tuple[Rename, ...] = ()


@dataclass(frozen=True)
class Context:
    """What a generator may look at: both whole schemas and the options.

    ``retyped``: generators record here the paths of the columns whose type they change, each
    with whether its change waits for a USING expression the user did not give (so that a
    ``--using`` naming any other column can be reported, and the columns that need one named)."""

    old: Schema
    new: Schema
    options: DiffOptions = field(default_factory=DiffOptions)
    retyped: dict[tuple[str, ...], bool] = field(default_factory=dict)

    def is_new(self, obj: DbObject) -> bool:
        """True when ``obj`` (of the new schema) does not exist in the old one."""
        return obj.id not in self.old


@dataclass
class AlterResult:
    """Statements that alter an object in place.

    ``breaks_dependents``: PostgreSQL refuses the alteration while certain dependents exist
    (a view reading a column whose type changes), so those are detached first and restored after.
    """

    statements: list[Statement]
    breaks_dependents: bool = False


class KindSQL(Protocol):
    """SQL generator for one kind of object."""

    kind: str

    def create(self, obj: DbObject, ctx: Context) -> list[Statement]: ...

    def drop(self, obj: DbObject, ctx: Context) -> list[Statement]: ...

    def alter(self, old: DbObject, new: DbObject, ctx: Context) -> AlterResult | None:
        """Statements turning ``old`` into ``new`` in place, or None when it must be recreated."""
        ...

    def release(self, old: DbObject, new: DbObject, ctx: Context) -> tuple[list[Statement], DbObject] | None:
        """The part of an in-place alteration that must run among the drops, before any create.

        Returns those statements and the state they leave, or None when nothing must go first.
        """
        ...

    def detach(self, obj: DbObject, ctx: Context) -> tuple[list[Statement], DbObject | None]:
        """Release what ``obj`` holds on its dependencies so they can be replaced.

        Returns the statements and the state left behind; ``None`` means the object is gone
        (detaching it meant dropping it) and will be created again.
        """
        ...


class GeneratorBase:
    """Defaults shared by generators: detaching means dropping."""

    kind = ""

    def detach(self, obj: DbObject, ctx: Context) -> tuple[list[Statement], DbObject | None]:
        return self.drop(obj, ctx), None

    def drop(self, obj: DbObject, ctx: Context) -> list[Statement]:
        raise NotImplementedError

    def alter(self, old: DbObject, new: DbObject, ctx: Context) -> AlterResult | None:
        return None

    def release(self, old: DbObject, new: DbObject, ctx: Context) -> tuple[list[Statement], DbObject] | None:
        return None
