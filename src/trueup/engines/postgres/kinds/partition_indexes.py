"""Partitioned indexes and the partitions' own indexes they adopt.

An index of a partitioned table stands for one index per partition, attached to it. PostgreSQL
attaches a partition's existing equivalent index instead of building another: ``CREATE INDEX``
on the parent and ``ATTACH PARTITION`` do it by themselves, ``ALTER INDEX ... ATTACH PARTITION``
by name; a detached partition keeps its indexes as its own. So a plan never drops and builds
again an index that can be attached, nor creates one that detaching leaves behind.
"""

from __future__ import annotations

from trueup.engines.interface.generators import Context
from trueup.engines.interface.sql import Hazard, Statement, stmt
from trueup.engines.postgres.kinds.partitioning import (
    ATTACHED_META,
    ancestors,
    attached_indexes,
    index_shape,
    root_index,
    table_recreated,
)
from trueup.engines.postgres.quoting import ident, qname
from trueup.model import DbObject, ObjectId, Schema

Shape = tuple[bool, str]


def _shape(index: DbObject | None) -> Shape | None:
    return index_shape(index.attrs["definition"]) if index is not None else None


def _modelled_on(table: ObjectId, schema: Schema, shape: Shape | None) -> list[DbObject]:
    """The modelled indexes of ``table`` of that shape, by name."""
    return [c for c in schema.children(table) if c.kind == "index" and _shape(c) == shape]


def _kept_as(index: ObjectId, shape: Shape | None, table: ObjectId, ctx: Context) -> DbObject | None:
    """The new index of a detached partition that its formerly attached ``index`` becomes."""
    candidates = _modelled_on(table, ctx.new, shape)
    same = [c for c in candidates if c.id == index]
    found = same or candidates
    return found[0] if found else None


def detached_leftovers(old_table: DbObject, ctx: Context) -> list[Statement]:
    """After a partition is detached: drop the indexes it kept that nothing wants (neither the
    table as it will be, nor the partitioned table it is attached to next)."""
    new_table = ctx.new.get(old_table.id)
    if new_table is None:
        return []
    out = []
    for index, _ in attached_indexes(ctx.old, old_table.id):
        shape = _shape(root_index(index, ctx.old))
        if shape is None or _kept_as(index, shape, old_table.id, ctx) is not None:
            continue
        if any(_modelled_on(up, ctx.new, shape) for up in ancestors(old_table.id, ctx.new)):
            continue  # attaching it to its next parent adopts it
        out.append(stmt(f"DROP INDEX {qname(*index.path)}"))
    return out


def adopted_create(obj: DbObject, ctx: Context) -> list[Statement] | None:
    """The index of a detached partition that it kept from its parent: nothing to build, at most
    a new name. None when the index must be built."""
    table = ObjectId("table", tuple(obj.attrs["table"]))
    old_t, new_t = ctx.old.get(table), ctx.new.get(table)
    if old_t is None or new_t is None or table_recreated(table, ctx) or not old_t.attrs.get("partition_of") \
            or old_t.attrs["partition_of"] == new_t.attrs.get("partition_of"):
        return None
    shape = _shape(obj)
    for index, _ in attached_indexes(ctx.old, table):
        if _shape(root_index(index, ctx.old)) == shape:
            kept = _kept_as(index, shape, table, ctx)
            if kept is not None and kept.id == obj.id:
                if index == obj.id:
                    return []
                return [stmt(f"ALTER INDEX {qname(*index.path)} RENAME TO {ident(obj.id.path[1])}")]
    return None


def adopted_drop(obj: DbObject, ctx: Context) -> bool:
    """True when a partition's own index is to be attached to a parent index (by the parent's
    ``CREATE INDEX``, the partition's ``ATTACH PARTITION`` or :func:`attach_children`) rather
    than dropped."""
    table = ObjectId("table", tuple(obj.attrs["table"]))
    if table not in ctx.new or table_recreated(table, ctx):
        return False
    return any(index == obj.id and _shape(root_index(index, ctx.new)) == _shape(obj)
               for index, _ in attached_indexes(ctx.new, table))


def attach_children(parent: DbObject, ctx: Context) -> list[Statement]:
    """``ALTER INDEX parent ATTACH PARTITION`` for each partition index the new model attaches
    to ``parent`` that is not attached yet: the partition's own index, else one built for it."""
    done = {(s, n) for s, n, *_, ps, pn in ctx.old.meta.get(ATTACHED_META, ()) if (ps, pn) == parent.id.path}
    shape = _shape(parent)
    out = []
    for s, n, ts, tn, ps, pn in ctx.new.meta.get(ATTACHED_META, ()):
        table = ObjectId("table", (ts, tn))
        if (ps, pn) != parent.id.path or (s, n) in done or table_recreated(table, ctx) or shape is None:
            continue
        index = ObjectId("index", (s, n))
        if _shape(ctx.old.get(index)) != shape:
            unique, rest = shape
            out.append(stmt(f"CREATE {'UNIQUE ' if unique else ''}INDEX {ident(n)} ON {qname(ts, tn)} {rest}",
                            (Hazard.INDEX_BUILD, "builds the partition's index"),
                            (Hazard.BLOCKS_WRITES, "blocks writes to the partition while it builds")))
        out.append(stmt(f"ALTER INDEX {qname(*parent.id.path)} ATTACH PARTITION {qname(s, n)}"))
    return out
