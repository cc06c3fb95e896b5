"""Range types, each with its multirange type (the server creates and drops the multirange
with the range: it is modelled as part of it)."""

from __future__ import annotations

from trueup.engines.interface.generators import Context, GeneratorBase
from trueup.engines.interface.sql import Hazard, Statement, stmt
from trueup.engines.postgres.quoting import qname
from trueup.model import DbObject

#: CREATE TYPE ... AS RANGE options, in the order pg_dump writes them
_OPTIONS = ("subtype", "subtype_opclass", "collation", "canonical", "subtype_diff")


class RangeSQL(GeneratorBase):
    """Nothing of a range type can be altered in place: a change recreates it (and what uses it
    waits meanwhile: columns hold their values as text)."""

    kind = "range"

    def create(self, obj: DbObject, ctx: Context) -> list[Statement]:
        a = obj.attrs
        opts = [f"{k} = {a[k]}" for k in _OPTIONS if a.get(k)]
        opts.append(f"multirange_type_name = {a['multirange']}")
        return [stmt(f"CREATE TYPE {qname(*obj.id.path)} AS RANGE ({', '.join(opts)})")]

    def drop(self, obj: DbObject, ctx: Context) -> list[Statement]:
        return [stmt(f"DROP TYPE {qname(*obj.id.path)}",
                     (Hazard.DELETES_DATA, "drops the range type and its multirange type; columns of "
                                           "these types must go first"))]
