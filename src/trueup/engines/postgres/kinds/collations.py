"""Collations (CREATE COLLATION). None of their properties can be altered in place: a change
recreates the collation, and the columns, domains and types that use it let go of it meanwhile."""

from __future__ import annotations

from trueup.engines.interface.generators import Context, GeneratorBase
from trueup.engines.interface.sql import Statement, stmt
from trueup.engines.postgres.quoting import literal, qname
from trueup.model import DbObject


class CollationSQL(GeneratorBase):
    kind = "collation"

    def create(self, obj: DbObject, ctx: Context) -> list[Statement]:
        a = obj.attrs
        opts = [f"provider = {a['provider']}"]
        if a["provider"] == "libc":
            opts += [f"lc_collate = {literal(a['lc_collate'] or '')}", f"lc_ctype = {literal(a['lc_ctype'] or '')}"]
        else:
            opts.append(f"locale = {literal(a['locale'] or '')}")
        if not a["deterministic"]:
            opts.append("deterministic = false")
        if a.get("rules"):
            opts.append(f"rules = {literal(a['rules'])}")
        return [stmt(f"CREATE COLLATION {qname(*obj.id.path)} ({', '.join(opts)})")]

    def drop(self, obj: DbObject, ctx: Context) -> list[Statement]:
        return [stmt(f"DROP COLLATION {qname(*obj.id.path)}")]
