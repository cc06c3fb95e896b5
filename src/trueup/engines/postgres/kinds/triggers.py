"""Triggers, including constraint triggers and WHEN clauses."""

from __future__ import annotations

from trueup.engines.interface.generators import AlterResult, Context, GeneratorBase
from trueup.engines.interface.sql import Statement, stmt
from trueup.engines.postgres.quoting import ident, qname
from trueup.model import DbObject, ObjectId

_ENABLE = {"O": "ENABLE TRIGGER", "D": "DISABLE TRIGGER", "R": "ENABLE REPLICA TRIGGER",
           "A": "ENABLE ALWAYS TRIGGER"}


class TriggerSQL(GeneratorBase):
    kind = "trigger"

    def _state(self, obj: DbObject, enabled: str | None = None) -> Statement:
        how = _ENABLE[enabled or obj.attrs["enabled"]]
        return stmt(f"ALTER TABLE {qname(*obj.id.path[:2])} {how} {ident(obj.id.path[2])}")

    def create(self, obj: DbObject, ctx: Context) -> list[Statement]:
        if obj.attrs.get("clone_of"):
            return [self._state(obj)]  # the clone itself comes with the parent's trigger
        out = [stmt(obj.attrs["definition"])]
        if obj.attrs["enabled"] != "O":
            out.append(self._state(obj))
        return out

    def drop(self, obj: DbObject, ctx: Context) -> list[Statement]:
        if obj.attrs.get("clone_of"):
            # the clone follows its parent again (or goes with it)
            root = ctx.new.get(ObjectId("trigger", tuple(obj.attrs["clone_of"])))
            return [self._state(obj, root.attrs["enabled"])] if root is not None else []
        return [stmt(f"DROP TRIGGER {ident(obj.id.path[2])} ON {qname(*obj.id.path[:2])}")]

    def alter(self, old: DbObject, new: DbObject, ctx: Context) -> AlterResult | None:
        if old.attrs["definition"] != new.attrs["definition"]:
            return None
        return AlterResult([self._state(new)])
