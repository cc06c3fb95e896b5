"""What the generators of tables, constraints and indexes need to know about partitioning.

The server version: a plan is written for the server it runs on, the old side's (the target as
inspected); a model that does not say (a snapshot of an earlier trueup, an empty model) is taken
for the oldest server, whose DDL every later one accepts.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from trueup.engines.interface.generators import Context
from trueup.model import DbObject, ObjectId, Schema

#: the inspection's record of the partitions' indexes attached to a parent index (not modelled
#: as objects): ``[schema, name, table schema, table name, parent index schema, parent index name]``
ATTACHED_META = "pg_attached_indexes"

#: the partitions' copies of their parent's constraints (not modelled as objects either):
#: ``[schema, table, name, parent table schema, parent table, parent constraint name]``
CLONED_META = "pg_partition_constraints"

#: the names of NOT NULL constraints (PostgreSQL 18): ``[schema, table, column, name]``
NOTNULL_META = "pg_notnull_names"

_INDEX_HEAD = re.compile(r"^CREATE (UNIQUE )?INDEX \S+ ON (?:ONLY )?\S+ (USING .*)$", re.S)


def server_major(ctx: Context) -> int:
    """The major version of the server the plan runs on (0 when no model says)."""
    version = ctx.old.server_version or ctx.new.server_version
    return version // 10000


def not_valid_fk_on_partitioned(ctx: Context) -> bool:
    """PostgreSQL 18 adds a ``NOT VALID`` foreign key to a partitioned table; earlier ones refuse."""
    return server_major(ctx) >= 18


def detach_concurrently_allowed(ctx: Context) -> bool:
    """``DETACH PARTITION ... CONCURRENTLY`` came with PostgreSQL 14."""
    return server_major(ctx) >= 14


def table_recreated(table: ObjectId, ctx: Context) -> bool:
    """True when the table is created by the plan: new, or dropped and created again because
    its partitioning changes (what :class:`TableSQL` cannot alter in place)."""
    old, new = ctx.old.get(table), ctx.new.get(table)
    if old is None:
        return True
    if new is None:
        return False
    o, n = old.attrs, new.attrs
    if o["partitioned"] != n["partitioned"] or o["partition_key"] != n["partition_key"]:
        return True
    return ("partition_key_types" in o and "partition_key_types" in n
            and o["partition_key_types"] != n["partition_key_types"])


def is_partitioned(table: ObjectId, schema: Schema) -> bool:
    obj = schema.get(table)
    return bool(obj is not None and obj.attrs.get("partitioned"))


def ancestors(table: ObjectId, schema: Schema) -> Iterator[ObjectId]:
    """The partitioned tables above a partition, nearest first."""
    obj = schema.get(table)
    seen = {table}
    while obj is not None and obj.attrs.get("partition_of"):
        up = ObjectId("table", tuple(obj.attrs["partition_of"]))
        if up in seen:
            return
        seen.add(up)
        yield up
        obj = schema.get(up)


def referenced_by_foreign_key(table: ObjectId, schema: Schema) -> bool:
    """True when a foreign key of another table references ``table``."""
    dependents = schema.dependents()
    # (a foreign key depends on the referenced columns and the key it references)
    for used in (table, *(c.id for c in schema.children(table))):
        for oid in dependents.get(used, ()):
            obj = schema.objects[oid]
            if obj.kind == "constraint" and obj.attrs.get("type") == "f" and obj.parent != table:
                return True
    return False


_PLAIN = re.compile(r"^[a-z_][a-z0-9_$]*$")


def detach_check_name(table: ObjectId, parent: DbObject, schema: Schema) -> str | None:
    """The name of the CHECK constraint ``DETACH PARTITION ... CONCURRENTLY`` adds to the table
    (its partition constraint, as PostgreSQL names it), or None when it cannot be told for sure:
    a key of expressions or quoted names, a long name, or a name the table already uses."""
    m = re.match(r"^\w+ \((.*)\)$", parent.attrs.get("partition_key") or "")
    columns = list(dict.fromkeys(m.group(1).split(", "))) if m else []
    if not columns or not all(_PLAIN.match(c) for c in columns):
        return None
    name = f"{table.path[1]}_{columns[0]}_check" if len(columns) == 1 else f"{table.path[1]}_check"
    taken = {c.id.path[-1] for c in schema.children(table) if c.kind == "constraint"}
    return name if len(name.encode()) <= 63 and name not in taken else None


def index_shape(definition: str) -> tuple[bool, str] | None:
    """What makes two indexes equivalent for PostgreSQL's partitioned indexes: uniqueness and
    everything after ``USING`` (method, columns, operator classes, INCLUDE, WITH, predicate)."""
    m = _INDEX_HEAD.match(definition)
    return (bool(m.group(1)), m.group(2)) if m else None


def attached_indexes(schema: Schema, table: ObjectId) -> list[tuple[ObjectId, ObjectId]]:
    """The indexes of a partition ``table`` attached to a parent index: (index, parent index)."""
    out = []
    for s, name, ts, tn, ps, pn in schema.meta.get(ATTACHED_META, ()):
        if (ts, tn) == table.path:
            out.append((ObjectId("index", (s, name)), ObjectId("index", (ps, pn))))
    return out


def root_index(index: ObjectId, schema: Schema) -> DbObject | None:
    """The modelled (top-level) index an attached index hangs from, through every level."""
    parents = {ObjectId("index", (s, n)): ObjectId("index", (ps, pn))
               for s, n, _, _, ps, pn in schema.meta.get(ATTACHED_META, ())}
    return _root(index, parents, schema)


def cloned_constraints(schema: Schema, table: ObjectId) -> list[ObjectId]:
    """A partition's copies of its parent's constraints."""
    return [ObjectId("constraint", (s, t, n)) for s, t, n, *_ in schema.meta.get(CLONED_META, ())
            if (s, t) == table.path]


def root_constraint(constraint: ObjectId, schema: Schema) -> DbObject | None:
    """The modelled constraint a partition's copy stands for, through every level."""
    parents = {ObjectId("constraint", (s, t, n)): ObjectId("constraint", (ps, pt, pn))
               for s, t, n, ps, pt, pn in schema.meta.get(CLONED_META, ())}
    return _root(constraint, parents, schema)


def _root(oid: ObjectId, parents: dict[ObjectId, ObjectId], schema: Schema) -> DbObject | None:
    """The modelled object at the top of ``oid``'s chain of parents (a cycle stops it)."""
    seen = set()
    while oid in parents and oid not in seen:
        seen.add(oid)
        oid = parents[oid]
    return schema.get(oid)


def notnull_names(schema: Schema, table: ObjectId) -> dict[str, str]:
    """The names of a table's NOT NULL constraints by column (PostgreSQL 18; empty before)."""
    return {c: n for s, t, c, n in schema.meta.get(NOTNULL_META, ()) if (s, t) == table.path}
