"""What a partition or inheritance child sets on an inherited column for itself.

Such a column follows its parent's, except for a default or a NOT NULL of its own. Changing
the parent's column resets the children's (ALTER COLUMN recurses), so the object carries the
parent's values too: when they change, the child's own settings are applied again after them.
"""

from __future__ import annotations

from trueup.engines.interface.generators import AlterResult, Context, GeneratorBase
from trueup.engines.interface.sql import Statement, stmt
from trueup.engines.postgres.quoting import ident, qname
from trueup.model import DbObject, ObjectId


def _alter(obj: DbObject, action: str) -> Statement:
    return stmt(f"ALTER TABLE {qname(*obj.id.path[:2])} ALTER COLUMN {ident(obj.id.path[2])} {action}")


def _still_inherited(obj: DbObject, ctx: Context) -> DbObject | None:
    """The parent's column in the new schema, when the table still inherits it."""
    table = ctx.new.get(ObjectId("table", obj.id.path[:2]))
    parent = tuple(obj.attrs["parent"])
    if table is None or (tuple(table.attrs.get("partition_of") or ()) != parent
                         and parent not in (tuple(p) for p in table.attrs.get("inherits", ()))):
        return None
    return ctx.new.get(ObjectId("column", (*parent, obj.id.path[2])))


class InheritedColumnSQL(GeneratorBase):
    kind = "inherited_column"

    def create(self, obj: DbObject, ctx: Context) -> list[Statement]:
        return self._apply(obj, was_notnull=obj.attrs["parent_notnull"])

    def _apply(self, obj: DbObject, was_notnull: bool) -> list[Statement]:
        a = obj.attrs
        default = "DROP DEFAULT" if a["default"] is None else f"SET DEFAULT {a['default']}"
        out = [_alter(obj, default)]
        if a["notnull"] and not a["parent_notnull"]:
            out.append(_alter(obj, "SET NOT NULL"))
        elif was_notnull and not a["notnull"]:
            out.append(_alter(obj, "DROP NOT NULL"))
        return out

    def drop(self, obj: DbObject, ctx: Context) -> list[Statement]:
        """Follow the parent's column again (nothing to do when the column goes or stops being inherited)."""
        parent_col = _still_inherited(obj, ctx)
        old_parent = ctx.old.get(ObjectId("column", (*obj.attrs["parent"], obj.id.path[2])))
        if parent_col is None or old_parent is None:
            return []
        out = []
        pa = parent_col.attrs
        if obj.attrs["default"] != pa["default"] and pa["default"] == old_parent.attrs["default"]:
            # (a parent default that changes reaches the child by recursion, after its objects exist)
            out.append(_alter(obj, "DROP DEFAULT") if pa["default"] is None
                       else _alter(obj, f"SET DEFAULT {pa['default']}"))
        if obj.attrs["notnull"] and not pa["notnull"]:
            out.append(_alter(obj, "DROP NOT NULL"))
        return out

    def alter(self, old: DbObject, new: DbObject, ctx: Context) -> AlterResult | None:
        return AlterResult(self._apply(new, was_notnull=old.attrs["notnull"]))
