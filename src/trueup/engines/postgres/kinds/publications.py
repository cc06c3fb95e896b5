"""Publications: FOR ALL TABLES, or tables (with column lists and row filters) and schemas; what
they publish and whether through the partition root."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from trueup.engines.interface.generators import AlterResult, Context, GeneratorBase
from trueup.engines.interface.sql import Statement, stmt
from trueup.engines.postgres.quoting import ident, literal, qname
from trueup.model import DbObject


def _table(t: Sequence[Any]) -> str:
    schema, name, columns, where = t
    sql = qname(schema, name)
    if columns:
        sql += f" ({', '.join(ident(c) for c in columns)})"
    if where is not None:
        sql += f" WHERE ({where})"
    return sql


def _members(tables: Sequence[Sequence[Any]], schemas: Sequence[str]) -> str:
    """``TABLE a, b, TABLES IN SCHEMA s`` (each TABLE repeated: any order is valid then)."""
    return ", ".join([f"TABLE {_table(t)}" for t in tables] + [f"TABLES IN SCHEMA {ident(s)}" for s in schemas])


def _with(a: Any, old: Any = None) -> str:
    """The publication's options; ``publish_generated_columns`` (PostgreSQL 18) only where set
    (or, given the ``old`` attrs, where it was set before)."""
    out = f"publish = {literal(', '.join(a['publish']))}, publish_via_partition_root = {str(a['via_root']).lower()}"
    if a.get("generated_columns") or (old is not None and old.get("generated_columns")):
        out += f", publish_generated_columns = {a.get('generated_columns') or 'none'}"
    return out


class PublicationSQL(GeneratorBase):
    kind = "publication"

    def create(self, obj: DbObject, ctx: Context) -> list[Statement]:
        a = obj.attrs
        sql = f"CREATE PUBLICATION {ident(obj.id.path[0])}"
        if a["all_tables"]:
            sql += " FOR ALL TABLES"
        elif a["tables"] or a["schemas"]:
            sql += f" FOR {_members(a['tables'] or (), a['schemas'] or ())}"
        return [stmt(f"{sql} WITH ({_with(a)})")]

    def drop(self, obj: DbObject, ctx: Context) -> list[Statement]:
        return [stmt(f"DROP PUBLICATION {ident(obj.id.path[0])}")]

    def alter(self, old: DbObject, new: DbObject, ctx: Context) -> AlterResult | None:
        o, n = old.attrs, new.attrs
        if o["all_tables"] != n["all_tables"]:
            return None
        name = ident(new.id.path[0])
        out = []
        if any(o.get(k) != n.get(k) for k in ("publish", "via_root", "generated_columns")):
            out.append(stmt(f"ALTER PUBLICATION {name} SET ({_with(n, o)})"))
        old_t = {tuple(t[:2]): t for t in o["tables"] or ()}
        new_t = {tuple(t[:2]): t for t in n["tables"] or ()}
        old_s, new_s = list(o["schemas"] or ()), list(n["schemas"] or ())
        # a table whose column list or row filter changes leaves and comes back
        gone = [t for k, t in old_t.items() if k not in new_t or list(new_t[k]) != list(t)]
        come = [t for k, t in new_t.items() if k not in old_t or list(old_t[k]) != list(t)]
        gone_s = [s for s in old_s if s not in new_s]
        come_s = [s for s in new_s if s not in old_s]
        if gone or gone_s:
            plain = [[*t[:2], None, None] for t in gone]  # DROP names a table without its column list
            out.append(stmt(f"ALTER PUBLICATION {name} DROP {_members(plain, gone_s)}"))
        if come or come_s:
            out.append(stmt(f"ALTER PUBLICATION {name} ADD {_members(come, come_s)}"))
        return AlterResult(out)
