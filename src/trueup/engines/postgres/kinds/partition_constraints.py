"""The partitions' copies of their parent's constraints, which a detached partition keeps.

``DETACH PARTITION`` leaves the partition its copies of the parent's primary key, unique,
foreign key and exclusion constraints, as its own: a plan keeps those the table is to have
(renamed if need be) and drops the others, instead of adding a second one.
"""

from __future__ import annotations

from trueup.engines.interface.generators import Context
from trueup.engines.interface.sql import Statement, stmt
from trueup.engines.postgres.kinds.partitioning import ancestors, cloned_constraints, root_constraint, table_recreated
from trueup.engines.postgres.quoting import ident, qname
from trueup.model import DbObject, ObjectId


def _same(a: DbObject | None, b: DbObject) -> bool:
    return a is not None and (a.attrs["type"], a.attrs["definition"]) == (b.attrs["type"], b.attrs["definition"])


def _kept_as(copy: ObjectId, root: DbObject, table: ObjectId, ctx: Context) -> DbObject | None:
    """The new constraint of a detached partition that its copy of ``root`` becomes."""
    candidates = [c for c in ctx.new.children(table) if c.kind == "constraint" and _same(root, c)]
    same = [c for c in candidates if c.id == copy]
    found = same or candidates
    return found[0] if found else None


def detached_constraint_leftovers(old_table: DbObject, ctx: Context) -> list[Statement]:
    """After a partition is detached: drop the copies it kept that nothing wants (neither the
    table as it will be, nor the partitioned table it is attached to next, which adopts them)."""
    if old_table.id not in ctx.new:
        return []
    out = []
    for copy in cloned_constraints(ctx.old, old_table.id):
        root = root_constraint(copy, ctx.old)
        if root is None or _kept_as(copy, root, old_table.id, ctx) is not None:
            continue
        if any(_same(root, c) for up in ancestors(old_table.id, ctx.new) for c in ctx.new.children(up)):
            continue
        out.append(stmt(f"ALTER TABLE {qname(*old_table.id.path)} DROP CONSTRAINT {ident(copy.path[2])}"))
    return out


def adopted_constraint(obj: DbObject, ctx: Context) -> list[Statement] | None:
    """A detached partition's constraint that it kept from its parent: nothing to add, at most a
    new name. None when it must be added."""
    table = ObjectId("table", obj.id.path[:2])
    old_t, new_t = ctx.old.get(table), ctx.new.get(table)
    if old_t is None or new_t is None or table_recreated(table, ctx) or not old_t.attrs.get("partition_of") \
            or old_t.attrs["partition_of"] == new_t.attrs.get("partition_of"):
        return None
    for copy in cloned_constraints(ctx.old, table):
        root = root_constraint(copy, ctx.old)
        kept = _kept_as(copy, root, table, ctx) if root is not None else None
        if kept is not None and kept.id == obj.id:
            if copy == obj.id:
                return []
            return [stmt(f"ALTER TABLE {qname(*table.path)} RENAME CONSTRAINT {ident(copy.path[2])}"
                         f" TO {ident(obj.id.path[2])}")]
    return None


def adopted_by_parent(obj: DbObject, ctx: Context) -> bool:
    """True when a partition's own primary key, unique, foreign key or exclusion constraint is
    to become its copy of an equivalent constraint of its parent (added by the plan, or the
    parent's already when the plan attaches the table): PostgreSQL adopts it, so it stays."""
    table = ObjectId("table", obj.id.path[:2])
    if obj.attrs["type"] not in ("p", "u", "f", "x") or table not in ctx.new or table_recreated(table, ctx):
        return False
    old_t, new_t = ctx.old.get(table), ctx.new.get(table)
    attached = old_t is not None and new_t is not None and bool(new_t.attrs.get("partition_of")) \
        and old_t.attrs.get("partition_of") != new_t.attrs["partition_of"]
    for copy in cloned_constraints(ctx.new, table):
        root = root_constraint(copy, ctx.new)
        if copy == obj.id and root is not None and _same(root, obj) and (attached or root.id not in ctx.old):
            return True
    return False
