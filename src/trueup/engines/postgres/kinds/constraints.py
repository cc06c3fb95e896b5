"""Table constraints: primary key, unique, check, foreign key, exclusion."""

from __future__ import annotations

from trueup.engines.interface.generators import AlterResult, Context, GeneratorBase
from trueup.engines.interface.sql import Hazard, Statement, stmt
from trueup.engines.postgres.kinds.indexes import index_flags
from trueup.engines.postgres.kinds.partition_constraints import adopted_by_parent, adopted_constraint
from trueup.engines.postgres.kinds.partitioning import is_partitioned, not_valid_fk_on_partitioned, table_recreated
from trueup.engines.postgres.quoting import ident, qname
from trueup.model import DbObject, ObjectId

_VIOLATE = (Hazard.MAY_FAIL, "existing rows may violate the constraint")
_FK_PARTITIONED = (Hazard.BLOCKS_WRITES, "PostgreSQL before 18 cannot add a NOT VALID foreign key to a partitioned"
                   " table: every partition is checked while writes to both tables wait")


def dropped_parents(table: ObjectId, ctx: Context) -> list[tuple[str, ...]]:
    """Parents the table stops inheriting from (``NO INHERIT``, ``DETACH PARTITION``)."""
    old, new = ctx.old.get(table), ctx.new.get(table)
    if old is None or new is None:
        return []
    out = [tuple(p) for p in old.attrs.get("inherits", ()) if p not in new.attrs.get("inherits", ())]
    if old.attrs.get("partition_of") and old.attrs["partition_of"] != new.attrs.get("partition_of"):
        out.append(tuple(old.attrs["partition_of"]))
    return out


def adopting_parent(table: ObjectId, ctx: Context) -> tuple[str, ...] | None:
    """The partitioned table an existing table is attached to, whose columns and checks it merges."""
    old, new = ctx.old.get(table), ctx.new.get(table)
    if old is None or new is None or not new.attrs.get("partition_of"):
        return None
    if old.attrs.get("partition_of") == new.attrs["partition_of"]:
        return None
    return tuple(new.attrs["partition_of"])


def inherited_checks(parent: tuple[str, ...], ctx: Context) -> list[DbObject]:
    """The check constraints of an old parent that its children inherit."""
    return [c for c in ctx.old.children(ObjectId("table", parent))
            if c.kind == "constraint" and c.attrs["type"] == "c"
            and "NO INHERIT" not in c.attrs["definition"]]


def _kept_from_parent(obj: DbObject, ctx: Context) -> DbObject | None:
    """The check constraint as ``NO INHERIT`` leaves it on the table, if it is one."""
    for parent in dropped_parents(ObjectId("table", obj.id.path[:2]), ctx):
        for c in inherited_checks(parent, ctx):
            if c.id.path[2] == obj.id.path[2]:
                return c
    return None


class ConstraintSQL(GeneratorBase):
    kind = "constraint"

    @staticmethod
    def _table(obj: DbObject) -> str:
        return qname(*obj.id.path[:2])

    def create(self, obj: DbObject, ctx: Context) -> list[Statement]:
        copy = adopted_constraint(obj, ctx)  # a detached partition's copy of its parent's
        if copy is not None:
            return copy
        kept = _kept_from_parent(obj, ctx)
        if kept is not None:  # left on the table by NO INHERIT
            if kept.same_definition(obj):
                return []
            return self.drop(obj, ctx) + self._add(obj, ctx)
        flags = index_flags(ObjectId("table", obj.id.path[:2]), obj.id.path[2], {}, obj.attrs, ctx)
        return self._add(obj, ctx) + flags

    def _add(self, obj: DbObject, ctx: Context) -> list[Statement]:
        a = obj.attrs
        table, name = self._table(obj), ident(obj.id.path[2])
        add = f"ALTER TABLE {table} ADD CONSTRAINT {name} {a['definition']}"
        table_id = ObjectId("table", obj.id.path[:2])
        table_is_new = table_recreated(table_id, ctx)
        if a["type"] == "f" and is_partitioned(table_id, ctx.new) and not not_valid_fk_on_partitioned(ctx):
            # PostgreSQL before 18 refuses NOT VALID on a partitioned table: one statement checks it all
            return [stmt(add)] if table_is_new else [stmt(add, _VIOLATE, _FK_PARTITIONED)]
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
        if adopted_by_parent(obj, ctx):
            return []  # the parent's constraint adopts it
        parent = adopting_parent(ObjectId("table", obj.id.path[:2]), ctx)
        if obj.attrs["type"] == "c" and parent is not None \
                and ObjectId("constraint", (*parent, obj.id.path[2])) in ctx.new:
            return []  # ATTACH PARTITION needs it, and merges it into the parent's
        return [stmt(f"ALTER TABLE {self._table(obj)} DROP CONSTRAINT {ident(obj.id.path[2])}")]

    def alter(self, old: DbObject, new: DbObject, ctx: Context) -> AlterResult | None:
        o, n = old.attrs, new.attrs
        if o["definition"] != n["definition"] or o["type"] != n["type"]:
            return None
        if o["validated"] and not n["validated"]:
            return None
        out = []
        if n["validated"] and not o["validated"]:
            name = ident(new.id.path[2])
            out.append(stmt(f"ALTER TABLE {self._table(new)} VALIDATE CONSTRAINT {name}", _VIOLATE))
        out.extend(index_flags(ObjectId("table", new.id.path[:2]), new.id.path[2], o, n, ctx))
        return AlterResult(out)
