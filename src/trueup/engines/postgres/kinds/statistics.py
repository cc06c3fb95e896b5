"""Extended statistics (CREATE STATISTICS): the definition is recreated when it changes; the
statistics target is altered in place. (New statistics are empty until the next ANALYZE.)"""

from __future__ import annotations

from trueup.engines.interface.generators import AlterResult, Context, GeneratorBase
from trueup.engines.interface.sql import Statement, stmt
from trueup.engines.postgres.quoting import qname
from trueup.model import DbObject


class StatisticsSQL(GeneratorBase):
    kind = "statistics"

    def _target(self, obj: DbObject) -> Statement:
        target = obj.attrs["target"]
        return stmt(f"ALTER STATISTICS {qname(*obj.id.path)} SET STATISTICS {-1 if target is None else target}")

    def create(self, obj: DbObject, ctx: Context) -> list[Statement]:
        out = [stmt(obj.attrs["definition"])]
        if obj.attrs["target"] is not None:
            out.append(self._target(obj))
        return out

    def drop(self, obj: DbObject, ctx: Context) -> list[Statement]:
        return [stmt(f"DROP STATISTICS {qname(*obj.id.path)}")]

    def alter(self, old: DbObject, new: DbObject, ctx: Context) -> AlterResult | None:
        o, n = old.attrs, new.attrs
        if o["definition"] != n["definition"] or o["table"] != n["table"]:
            return None
        return AlterResult([self._target(new)] if o["target"] != n["target"] else [])
