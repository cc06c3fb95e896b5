"""Triggers, including constraint triggers and WHEN clauses."""

from __future__ import annotations

from trueup.diff.changes import Statement, stmt
from trueup.diff.generator import AlterResult, Context, GeneratorBase
from trueup.engines.postgres.quoting import ident, qname
from trueup.model import DbObject

_ENABLE = {"O": "ENABLE TRIGGER", "D": "DISABLE TRIGGER", "R": "ENABLE REPLICA TRIGGER", "A": "ENABLE ALWAYS TRIGGER"}


class TriggerSQL(GeneratorBase):
    kind = "trigger"

    def _state(self, obj: DbObject) -> Statement:
        return stmt(f"ALTER TABLE {qname(*obj.id.path[:2])} {_ENABLE[obj.attrs['enabled']]} {ident(obj.id.path[2])}")

    def create(self, obj: DbObject, ctx: Context) -> list[Statement]:
        out = [stmt(obj.attrs["definition"])]
        if obj.attrs["enabled"] != "O":
            out.append(self._state(obj))
        return out

    def drop(self, obj: DbObject, ctx: Context) -> list[Statement]:
        return [stmt(f"DROP TRIGGER {ident(obj.id.path[2])} ON {qname(*obj.id.path[:2])}")]

    def alter(self, old: DbObject, new: DbObject, ctx: Context) -> AlterResult | None:
        if old.attrs["definition"] != new.attrs["definition"]:
            return None
        return AlterResult([self._state(new)])
