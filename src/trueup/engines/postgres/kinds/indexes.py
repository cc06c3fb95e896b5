"""Indexes (constraint indexes belong to their constraint)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from trueup.engines.interface.generators import AlterResult, Context, GeneratorBase
from trueup.engines.interface.sql import Hazard, Statement, stmt
from trueup.engines.postgres.kinds.partition_indexes import adopted_create, adopted_drop, attach_children
from trueup.engines.postgres.quoting import ident, qname
from trueup.model import DbObject, ObjectId

_CREATE = re.compile(r"^CREATE (UNIQUE )?INDEX ", re.I)
_ON_ONLY = re.compile(r" ON ONLY ")


def index_flags(table: ObjectId, index: str, old: Mapping[str, Any], new: Mapping[str, Any],
                ctx: Context) -> list[Statement]:
    """CLUSTER ON and REPLICA IDENTITY USING INDEX of an index or a constraint's index.

    Unsetting the replica identity is the table's business (it says what replaces it).
    """
    name = qname(*table.path)
    out = []
    if new.get("clustered") and not old.get("clustered"):
        out.append(stmt(f"ALTER TABLE {name} CLUSTER ON {ident(index)}"))
    elif old.get("clustered") and not new.get("clustered") and not any(
            c.attrs.get("clustered") for c in ctx.new.children(table) if c.kind in ("index", "constraint")):
        out.append(stmt(f"ALTER TABLE {name} SET WITHOUT CLUSTER"))
    if new.get("replica_identity") and not old.get("replica_identity"):
        out.append(stmt(f"ALTER TABLE {name} REPLICA IDENTITY USING INDEX {ident(index)}", Hazard.MAY_FAIL))
    return out


class IndexSQL(GeneratorBase):
    kind = "index"

    def _concurrent(self, obj: DbObject, ctx: Context) -> bool:
        table = ctx.old.get(ObjectId("table", tuple(obj.attrs["table"])))
        return bool(ctx.options.concurrently and table is not None and not table.attrs.get("partitioned"))

    def create(self, obj: DbObject, ctx: Context) -> list[Statement]:
        kept = adopted_create(obj, ctx)  # a detached partition's index, kept
        if kept is not None:
            return kept + index_flags(ObjectId("table", tuple(obj.attrs["table"])), obj.id.path[-1], {},
                                      obj.attrs, ctx)
        if obj.attrs.get("valid") is False:  # the partitioned table's index alone, and what is attached
            return [stmt(obj.attrs["definition"]), *attach_children(obj, ctx)]
        # pg_get_indexdef says ON ONLY for a partitioned table; that would skip the partitions
        # (the partitions' own equivalent indexes are attached, not built again)
        sql = _ON_ONLY.sub(" ON ", obj.attrs["definition"], count=1)
        table_existed = ObjectId("table", tuple(obj.attrs["table"])) in ctx.old
        if self._concurrent(obj, ctx):
            sql = _CREATE.sub(lambda m: f"CREATE {m.group(1) or ''}INDEX CONCURRENTLY ", sql, count=1)
            return [stmt(sql, (Hazard.INDEX_BUILD, "builds the index without blocking writes"),
                         transactional=False)]
        flags = index_flags(ObjectId("table", tuple(obj.attrs["table"])), obj.id.path[-1], {}, obj.attrs, ctx)
        if not table_existed:
            return [stmt(sql), *flags]
        return [stmt(sql, (Hazard.INDEX_BUILD, "builds the index"),
                     (Hazard.BLOCKS_WRITES, "blocks writes to the table while it builds")), *flags]

    def drop(self, obj: DbObject, ctx: Context) -> list[Statement]:
        if adopted_drop(obj, ctx):
            return []  # a parent index adopts it
        if self._concurrent(obj, ctx):
            return [stmt(f"DROP INDEX CONCURRENTLY {qname(*obj.id.path)}", transactional=False)]
        return [stmt(f"DROP INDEX {qname(*obj.id.path)}")]

    def alter(self, old: DbObject, new: DbObject, ctx: Context) -> AlterResult | None:
        o, n = old.attrs, new.attrs
        if o["definition"] != n["definition"] or o["table"] != n["table"] or n.get("valid", True) is False:
            return None
        out = attach_children(new, ctx) if o.get("valid", True) is False else []
        return AlterResult(out + index_flags(ObjectId("table", tuple(n["table"])), new.id.path[-1], o, n, ctx))
