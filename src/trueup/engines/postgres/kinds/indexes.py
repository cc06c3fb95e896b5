"""Indexes (constraint indexes belong to their constraint)."""

from __future__ import annotations

import re

from trueup.diff.changes import Hazard, Statement, stmt
from trueup.diff.generator import Context, GeneratorBase
from trueup.engines.postgres.quoting import qname
from trueup.model import DbObject, ObjectId

_CREATE = re.compile(r"^CREATE (UNIQUE )?INDEX ", re.I)
_ON_ONLY = re.compile(r" ON ONLY ")


class IndexSQL(GeneratorBase):
    kind = "index"

    def _concurrent(self, obj: DbObject, ctx: Context) -> bool:
        table = ctx.old.get(ObjectId("table", tuple(obj.attrs["table"])))
        return bool(ctx.options.concurrently and table is not None and not table.attrs.get("partitioned"))

    def create(self, obj: DbObject, ctx: Context) -> list[Statement]:
        # pg_get_indexdef says ON ONLY for a partitioned table; that would skip the partitions
        sql = _ON_ONLY.sub(" ON ", obj.attrs["definition"], count=1)
        table_existed = ObjectId("table", tuple(obj.attrs["table"])) in ctx.old
        if self._concurrent(obj, ctx):
            sql = _CREATE.sub(lambda m: f"CREATE {m.group(1) or ''}INDEX CONCURRENTLY ", sql, count=1)
            return [stmt(sql, (Hazard.INDEX_BUILD, "builds the index without blocking writes"),
                         transactional=False)]
        if not table_existed:
            return [stmt(sql)]
        return [stmt(sql, (Hazard.INDEX_BUILD, "builds the index"),
                     (Hazard.BLOCKS_WRITES, "blocks writes to the table while it builds"))]

    def drop(self, obj: DbObject, ctx: Context) -> list[Statement]:
        if self._concurrent(obj, ctx):
            return [stmt(f"DROP INDEX CONCURRENTLY {qname(*obj.id.path)}", transactional=False)]
        return [stmt(f"DROP INDEX {qname(*obj.id.path)}")]
