"""Views and materialized views (recreated when their query changes)."""

from __future__ import annotations

from trueup.engines.interface.generators import AlterResult, Context, GeneratorBase
from trueup.engines.interface.sql import Hazard, Statement, stmt
from trueup.engines.postgres.quoting import qname
from trueup.model import DbObject


def _with(options: list[str] | tuple[str, ...]) -> str:
    return f" WITH ({', '.join(options)})" if options else ""


class ViewSQL(GeneratorBase):
    kind = "view"

    def create(self, obj: DbObject, ctx: Context) -> list[Statement]:
        body = obj.attrs["definition"].strip().rstrip(";")
        return [stmt(f"CREATE VIEW {qname(*obj.id.path)}{_with(obj.attrs['options'])} AS\n{body}")]

    def drop(self, obj: DbObject, ctx: Context) -> list[Statement]:
        return [stmt(f"DROP VIEW {qname(*obj.id.path)}")]

    def alter(self, old: DbObject, new: DbObject, ctx: Context) -> AlterResult | None:
        if old.attrs["definition"] != new.attrs["definition"]:
            return None
        name = qname(*new.id.path)
        old_keys = {o.split("=", 1)[0] for o in old.attrs["options"]}
        new_keys = {o.split("=", 1)[0] for o in new.attrs["options"]}
        out = []
        if old_keys - new_keys:
            out.append(stmt(f"ALTER VIEW {name} RESET ({', '.join(sorted(old_keys - new_keys))})"))
        if new.attrs["options"]:
            out.append(stmt(f"ALTER VIEW {name} SET ({', '.join(new.attrs['options'])})", Hazard.AUTHZ))
        return AlterResult(out)


class MaterializedViewSQL(GeneratorBase):
    kind = "materialized_view"

    def create(self, obj: DbObject, ctx: Context) -> list[Statement]:
        body = obj.attrs["definition"].strip().rstrip(";")
        data = "WITH DATA" if obj.attrs.get("populated", True) else "WITH NO DATA"
        head = f"CREATE MATERIALIZED VIEW {qname(*obj.id.path)}{_with(obj.attrs['options'])}"
        return [stmt(f"{head} AS\n{body}\n{data}",
                     (Hazard.BLOCKS_WRITES, "runs the view's query to fill it"))]

    def drop(self, obj: DbObject, ctx: Context) -> list[Statement]:
        return [stmt(f"DROP MATERIALIZED VIEW {qname(*obj.id.path)}")]

    def alter(self, old: DbObject, new: DbObject, ctx: Context) -> AlterResult | None:
        if old.attrs["definition"] != new.attrs["definition"] or old.attrs["options"] != new.attrs["options"]:
            return None
        if new.attrs.get("populated") and not old.attrs.get("populated"):
            return AlterResult([stmt(f"REFRESH MATERIALIZED VIEW {qname(*new.id.path)}",
                                     Hazard.BLOCKS_WRITES)])
        if old.attrs.get("populated") and not new.attrs.get("populated"):
            return AlterResult([stmt(f"REFRESH MATERIALIZED VIEW {qname(*new.id.path)} WITH NO DATA",
                                     (Hazard.BLOCKS_WRITES, "empties it: reads fail until a refresh"))])
        return AlterResult([])
