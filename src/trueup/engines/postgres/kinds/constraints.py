"""Table constraints: primary key, unique, check, foreign key, exclusion."""

from __future__ import annotations

from trueup.diff.changes import Hazard, Statement, stmt
from trueup.diff.generator import AlterResult, Context, GeneratorBase
from trueup.engines.postgres.quoting import ident, qname
from trueup.model import DbObject, ObjectId

_VIOLATE = (Hazard.MAY_FAIL, "existing rows may violate the constraint")


class ConstraintSQL(GeneratorBase):
    kind = "constraint"

    @staticmethod
    def _table(obj: DbObject) -> str:
        return qname(*obj.id.path[:2])

    def create(self, obj: DbObject, ctx: Context) -> list[Statement]:
        a = obj.attrs
        table, name = self._table(obj), ident(obj.id.path[2])
        add = f"ALTER TABLE {table} ADD CONSTRAINT {name} {a['definition']}"
        table_is_new = ObjectId("table", obj.id.path[:2]) not in ctx.old
        if a["type"] in ("c", "f"):
            if not a["validated"]:
                return [stmt(add + " NOT VALID")]
            if table_is_new:
                return [stmt(add)]
            # add without scanning (brief lock), then validate under a weaker lock
            return [stmt(add + " NOT VALID"),
                    stmt(f"ALTER TABLE {table} VALIDATE CONSTRAINT {name}", _VIOLATE)]
        if table_is_new:
            return [stmt(add)]
        return [stmt(add, _VIOLATE, (Hazard.INDEX_BUILD, "builds an index"),
                     (Hazard.BLOCKS_WRITES, "builds the index under an ACCESS EXCLUSIVE lock"))]

    def drop(self, obj: DbObject, ctx: Context) -> list[Statement]:
        return [stmt(f"ALTER TABLE {self._table(obj)} DROP CONSTRAINT {ident(obj.id.path[2])}")]

    def alter(self, old: DbObject, new: DbObject, ctx: Context) -> AlterResult | None:
        o, n = old.attrs, new.attrs
        if o["definition"] == n["definition"] and o["type"] == n["type"] and n["validated"] and not o["validated"]:
            return AlterResult([stmt(f"ALTER TABLE {self._table(new)} VALIDATE CONSTRAINT {ident(new.id.path[2])}",
                                     _VIOLATE)])
        return None
