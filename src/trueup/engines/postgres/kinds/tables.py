"""Tables: plain, unlogged, partitioned, partitions and inheritance children."""

from __future__ import annotations

import dataclasses

from trueup.engines.interface.generators import AlterResult, Context, GeneratorBase
from trueup.engines.interface.sql import Hazard, Statement, stmt
from trueup.engines.postgres.kinds.columns import column_definition, column_settings
from trueup.engines.postgres.kinds.constraints import dropped_parents, inherited_checks
from trueup.engines.postgres.kinds.partition_constraints import detached_constraint_leftovers
from trueup.engines.postgres.kinds.partition_indexes import detached_leftovers
from trueup.engines.postgres.kinds.partitioning import (
    ancestors,
    detach_check_name,
    detach_concurrently_allowed,
    notnull_names,
    referenced_by_foreign_key,
    table_recreated,
)
from trueup.engines.postgres.quoting import ident, qname
from trueup.model import DbObject, ObjectId

_REWRITE = (Hazard.BLOCKS_WRITES, "rewrites the table under an ACCESS EXCLUSIVE lock")
_DETACH = (Hazard.BLOCKS_WRITES, "locks the partitioned table (with --concurrently, PostgreSQL 14 and later detach"
           " a partition without blocking, unless the table has a default partition)")


def _notnull_renames(new: DbObject, ctx: Context) -> list[Statement]:
    """A partition detached or attached keeps its NOT NULL constraints' names (PostgreSQL 18: a
    partition's are its parent's): give them the names of the table's new state."""
    old = ctx.old.get(new.id)
    if old is None or old.attrs["partition_of"] == new.attrs["partition_of"]:
        return []
    have, want = notnull_names(ctx.old, new.id), notnull_names(ctx.new, new.id)
    return [stmt(f"ALTER TABLE {qname(*new.id.path)} RENAME CONSTRAINT {ident(have[c])} TO {ident(want[c])}")
            for c in sorted(have) if c in want and have[c] != want[c]]


class TableSQL(GeneratorBase):
    kind = "table"

    def create(self, obj: DbObject, ctx: Context) -> list[Statement]:
        a = obj.attrs
        name = qname(*obj.id.path)
        columns = [c for c in ctx.new.children(obj.id) if c.kind == "column"]
        cols = [column_definition(c) for c in columns]
        head = f"CREATE {'UNLOGGED ' if a['unlogged'] else ''}TABLE {name}"
        if a["partition_of"]:
            sql = f"{head} PARTITION OF {qname(*a['partition_of'])}"
            if cols:
                sql += " (\n    " + ",\n    ".join(cols) + "\n)"
            sql += f" {a['partition_bound']}"
        else:
            sql = f"{head} (\n    " + ",\n    ".join(cols) + "\n)" if cols else f"{head} ()"
            if a["inherits"]:
                sql += " INHERITS (" + ", ".join(qname(*p) for p in a["inherits"]) + ")"
        if a["partitioned"]:
            sql += f" PARTITION BY {a['partition_key']}"
        if a["options"]:
            sql += " WITH (" + ", ".join(a["options"]) + ")"
        out = [stmt(sql, *self._partition_hazards(obj, ctx)), *(s for c in columns for s in column_settings(c))]
        if a.get("replica_identity") in ("FULL", "NOTHING"):
            out.append(stmt(f"ALTER TABLE {name} REPLICA IDENTITY {a['replica_identity']}"))
        return out

    @staticmethod
    def _partition_hazards(obj: DbObject, ctx: Context) -> list[tuple[Hazard, str]]:
        """A new partition of a partitioned table that exists: ``PARTITION OF`` locks it whole,
        and scans its default partition, if it has one, for rows that belong to the new one."""
        parent = ObjectId("table", tuple(obj.attrs["partition_of"] or ()))
        if not obj.attrs["partition_of"] or table_recreated(parent, ctx):
            return []
        out = [(Hazard.BLOCKS_WRITES, "takes an ACCESS EXCLUSIVE lock on the partitioned table")]
        if any(c.kind == "table" and c.attrs.get("partition_bound") == "DEFAULT" and c.id != obj.id
               for c in ctx.old.children(parent)):
            out.append((Hazard.MAY_FAIL, "rows of the default partition that belong to the new partition make it fail"))
        return out

    def drop(self, obj: DbObject, ctx: Context) -> list[Statement]:
        out = []
        if obj.attrs["partition_of"] and any(referenced_by_foreign_key(t, ctx.old) for t in ancestors(obj.id, ctx.old)):
            # a foreign key references the partitioned table: PostgreSQL drops its partitions only detached
            out.append(stmt(f"ALTER TABLE {qname(*obj.attrs['partition_of'])} DETACH PARTITION {qname(*obj.id.path)}",
                            _DETACH, (Hazard.MAY_FAIL, "fails while rows of a referencing table refer to its rows")))
        return [*out, stmt(f"DROP TABLE {qname(*obj.id.path)}", (Hazard.DELETES_DATA, "drops the table and its rows"))]

    @staticmethod
    def _concurrently(old: DbObject, rest: DbObject, new: DbObject, ctx: Context) -> bool:
        """DETACH ... CONCURRENTLY (which runs after the plan's transaction) where the server
        allows it and nothing else in the plan waits for the detach."""
        parent = ctx.old.get(ObjectId("table", tuple(old.attrs["partition_of"])))
        if not ctx.options.concurrently or not detach_concurrently_allowed(ctx) or parent is None \
                or new.attrs["partition_of"] or parent.attrs.get("partition_of"):
            return False
        if any(c.kind == "table" and c.attrs.get("partition_bound") == "DEFAULT" for c in ctx.old.children(parent.id)):
            return False  # PostgreSQL refuses it beside a default partition
        if detach_check_name(old.id, parent, ctx.old) is None:
            return False  # the check it leaves behind could not be dropped by name
        later = TableSQL().alter(rest, new, ctx)
        news = [c for c in ctx.new.children(new.id) if c.kind in ("index", "constraint") and c.id not in ctx.old]
        return later is not None and not later.statements and not news and not detached_leftovers(old, ctx) \
            and not detached_constraint_leftovers(old, ctx)

    def release(self, old: DbObject, new: DbObject, ctx: Context) -> tuple[list[Statement], DbObject] | None:
        """A partition that moves or changes bounds is detached first: new bounds may overlap old ones."""
        o, n = old.attrs, new.attrs
        if not o["partition_of"] or (o["partition_of"], o["partition_bound"]) == (n["partition_of"],
                                                                                 n["partition_bound"]):
            return None
        rest = DbObject(old.id, {**o, "partition_of": None, "partition_bound": None}, old.deps, old.parent,
                        old.position)
        detach = f"ALTER TABLE {qname(*o['partition_of'])} DETACH PARTITION {qname(*old.id.path)}"
        if self._concurrently(old, rest, new, ctx):
            # it leaves the partition constraint behind as a CHECK constraint: dropped after it
            check = detach_check_name(old.id, ctx.old.objects[ObjectId("table", tuple(o["partition_of"]))], ctx.old)
            after = [dataclasses.replace(r, transactional=False) for r in _notnull_renames(new, ctx)]
            return [stmt(detach + " CONCURRENTLY", transactional=False),
                    stmt(f"ALTER TABLE {qname(*old.id.path)} DROP CONSTRAINT IF EXISTS {ident(str(check))}",
                         transactional=False), *after], rest
        return [stmt(detach, _DETACH), *detached_leftovers(old, ctx), *detached_constraint_leftovers(old, ctx),
                *_notnull_renames(new, ctx)], rest

    def alter(self, old: DbObject, new: DbObject, ctx: Context) -> AlterResult | None:
        o, n = old.attrs, new.attrs
        if o["partitioned"] != n["partitioned"] or o["partition_key"] != n["partition_key"]:
            return None
        if "partition_key_types" in o and "partition_key_types" in n \
                and o["partition_key_types"] != n["partition_key_types"]:
            return None  # PostgreSQL cannot retype a column of the partition key (older snapshots lack it)
        name = qname(*new.id.path)
        out = []
        if o["partition_of"] != n["partition_of"] or o["partition_bound"] != n["partition_bound"]:
            if o["partition_of"]:
                out.append(stmt(f"ALTER TABLE {qname(*o['partition_of'])} DETACH PARTITION {name}", _DETACH))
                out.extend([*detached_leftovers(old, ctx), *detached_constraint_leftovers(old, ctx)])
            if n["partition_of"]:
                if not (ctx.old.get(new.id) or old).attrs["partition_of"]:  # (a detached one was renamed then)
                    out.extend(_notnull_renames(new, ctx))  # while it is its own: inherited, they cannot be
                out.append(stmt(f"ALTER TABLE {qname(*n['partition_of'])} ATTACH PARTITION {name} "
                                f"{n['partition_bound']}",
                                (Hazard.MAY_FAIL, "rows outside the partition bound make it fail"),
                                (Hazard.BLOCKS_WRITES, "scans the partition under lock")))
        if o["unlogged"] != n["unlogged"]:
            out.append(stmt(f"ALTER TABLE {name} SET {'UNLOGGED' if n['unlogged'] else 'LOGGED'}", _REWRITE))
        for p in o["inherits"]:
            if p not in n["inherits"]:
                out.append(stmt(f"ALTER TABLE {name} NO INHERIT {qname(*p)}"))
        for p in n["inherits"]:
            if p not in o["inherits"]:
                out.append(stmt(f"ALTER TABLE {name} INHERIT {qname(*p)}", Hazard.MAY_FAIL))
        # a former parent's checks stay on the table as its own: drop those it does not keep
        for p in dropped_parents(new.id, ctx):
            for c in inherited_checks(p, ctx):
                if ObjectId("constraint", (*new.id.path, c.id.path[2])) not in ctx.new:
                    out.append(stmt(f"ALTER TABLE {name} DROP CONSTRAINT {ident(c.id.path[2])}"))
        ri = n.get("replica_identity")
        if ri != o.get("replica_identity") and ri != "USING INDEX":  # (the index says USING INDEX)
            out.append(stmt(f"ALTER TABLE {name} REPLICA IDENTITY {ri or 'DEFAULT'}"))
        old_opts = dict(x.split("=", 1) for x in o["options"])
        new_opts = dict(x.split("=", 1) for x in n["options"])
        reset = sorted(k for k in old_opts if k not in new_opts)
        if reset:
            out.append(stmt(f"ALTER TABLE {name} RESET (" + ", ".join(reset) + ")"))
        changed = sorted(f"{k}={v}" for k, v in new_opts.items() if old_opts.get(k) != v)
        if changed:
            out.append(stmt(f"ALTER TABLE {name} SET (" + ", ".join(changed) + ")"))
        return AlterResult(out)
