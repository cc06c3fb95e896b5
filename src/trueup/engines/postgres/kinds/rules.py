"""Rules (CREATE RULE) on tables and views, never a view's own ``_RETURN`` rule: a changed
definition is replaced in place (CREATE OR REPLACE RULE), the enabled state altered."""

from __future__ import annotations

import re

from trueup.engines.interface.generators import AlterResult, Context, GeneratorBase
from trueup.engines.interface.sql import Statement, stmt
from trueup.engines.postgres.quoting import ident, qname
from trueup.model import DbObject

_STATE = {"O": "ENABLE RULE", "D": "DISABLE RULE", "R": "ENABLE REPLICA RULE", "A": "ENABLE ALWAYS RULE"}
_CREATE = re.compile(r"^CREATE RULE ")


def _definition(obj: DbObject) -> str:
    return str(obj.attrs["definition"]).rstrip().rstrip(";")


class RuleSQL(GeneratorBase):
    kind = "rule"

    def _state(self, obj: DbObject) -> Statement:
        return stmt(f"ALTER TABLE {qname(*obj.id.path[:2])} {_STATE[obj.attrs['enabled']]} {ident(obj.id.path[2])}")

    def create(self, obj: DbObject, ctx: Context) -> list[Statement]:
        out = [stmt(_definition(obj))]
        if obj.attrs["enabled"] != "O":
            out.append(self._state(obj))
        return out

    def drop(self, obj: DbObject, ctx: Context) -> list[Statement]:
        return [stmt(f"DROP RULE {ident(obj.id.path[2])} ON {qname(*obj.id.path[:2])}")]

    def alter(self, old: DbObject, new: DbObject, ctx: Context) -> AlterResult | None:
        out = []
        if old.attrs["definition"] != new.attrs["definition"]:
            out.append(stmt(_CREATE.sub("CREATE OR REPLACE RULE ", _definition(new), count=1)))
        if old.attrs["enabled"] != new.attrs["enabled"]:
            out.append(self._state(new))
        return AlterResult(out)
