"""Schemas and extensions."""

from __future__ import annotations

from trueup.engines.interface.generators import AlterResult, Context, GeneratorBase
from trueup.engines.interface.sql import Hazard, Statement, stmt
from trueup.engines.postgres.quoting import ident, literal
from trueup.model import DbObject


class SchemaSQL(GeneratorBase):
    kind = "schema"

    def create(self, obj: DbObject, ctx: Context) -> list[Statement]:
        return [stmt(f"CREATE SCHEMA IF NOT EXISTS {ident(obj.id.path[0])}")]

    def drop(self, obj: DbObject, ctx: Context) -> list[Statement]:
        return [stmt(f"DROP SCHEMA {ident(obj.id.path[0])}", (Hazard.DELETES_DATA, "drops the schema"))]


class ExtensionSQL(GeneratorBase):
    kind = "extension"

    def create(self, obj: DbObject, ctx: Context) -> list[Statement]:
        a = obj.attrs
        return [stmt(f"CREATE EXTENSION IF NOT EXISTS {ident(obj.id.path[0])} WITH SCHEMA {ident(a['schema'])}"
                     f" VERSION {literal(a['version'])}")]

    def drop(self, obj: DbObject, ctx: Context) -> list[Statement]:
        return [stmt(f"DROP EXTENSION {ident(obj.id.path[0])}",
                     (Hazard.DELETES_DATA, "drops the extension and everything it owns"))]

    def alter(self, old: DbObject, new: DbObject, ctx: Context) -> AlterResult | None:
        name = ident(new.id.path[0])
        out = []
        if old.attrs["schema"] != new.attrs["schema"]:
            out.append(stmt(f"ALTER EXTENSION {name} SET SCHEMA {ident(new.attrs['schema'])}"))
        if old.attrs["version"] != new.attrs["version"]:
            out.append(stmt(f"ALTER EXTENSION {name} UPDATE TO {literal(new.attrs['version'])}", Hazard.MAY_FAIL))
        return AlterResult(out)
