"""Sequences and their OWNED BY link."""

from __future__ import annotations

from typing import Any

from trueup.engines.interface.generators import AlterResult, Context, GeneratorBase
from trueup.engines.interface.sql import Hazard, Statement, stmt
from trueup.engines.postgres.quoting import literal, qname
from trueup.model import DbObject


def sequence_options(a: Any, old: Any | None = None) -> str:
    """``AS bigint INCREMENT BY 1 ...``; with ``old``, only the options that differ."""
    parts = []
    if old is None or a["type"] != old["type"]:
        parts.append(f"AS {a['type']}")
    if old is None or a["increment"] != old["increment"]:
        parts.append(f"INCREMENT BY {a['increment']}")
    if old is None or a["min"] != old["min"]:
        parts.append(f"MINVALUE {a['min']}")
    if old is None or a["max"] != old["max"]:
        parts.append(f"MAXVALUE {a['max']}")
    if old is None or a["start"] != old["start"]:
        parts.append(f"START WITH {a['start']}")
    if old is None or a["cache"] != old["cache"]:
        parts.append(f"CACHE {a['cache']}")
    if old is None or a["cycle"] != old["cycle"]:
        parts.append("CYCLE" if a["cycle"] else "NO CYCLE")
    return " ".join(parts)


class SequenceSQL(GeneratorBase):
    kind = "sequence"

    def create(self, obj: DbObject, ctx: Context) -> list[Statement]:
        return [stmt(f"CREATE SEQUENCE {qname(*obj.id.path)} {sequence_options(obj.attrs)}")]

    def drop(self, obj: DbObject, ctx: Context) -> list[Statement]:
        return [stmt(f"DROP SEQUENCE {qname(*obj.id.path)}", (Hazard.DELETES_DATA, "the sequence's position is lost"))]

    def alter(self, old: DbObject, new: DbObject, ctx: Context) -> AlterResult | None:
        o = {k: v for k, v in old.attrs.items() if k != "owned_by"}
        n = {k: v for k, v in new.attrs.items() if k != "owned_by"}
        if o == n:
            return AlterResult([])  # only ownership moved: the sequence_owner object handles it
        name = qname(*new.id.path)
        out = []
        # a bound that moves past the current value in the direction the sequence runs is safe
        # to follow: skip ahead to it, or ALTER fails (for an unused sequence, too)
        if n["increment"] > 0 and n["min"] > o["min"]:
            out.append(stmt(f"SELECT setval({literal(name)}, {n['min']}, false) FROM {name} "
                            f"WHERE last_value < {n['min']}"))
        elif n["increment"] < 0 and n["max"] < o["max"]:
            out.append(stmt(f"SELECT setval({literal(name)}, {n['max']}, false) FROM {name} "
                            f"WHERE last_value > {n['max']}"))
        out.append(stmt(f"ALTER SEQUENCE {name} {sequence_options(n, o)}",
                        (Hazard.MAY_FAIL, "the current value may fall outside the new bounds")))
        return AlterResult(out)


class SequenceOwnerSQL(GeneratorBase):
    kind = "sequence_owner"

    def create(self, obj: DbObject, ctx: Context) -> list[Statement]:
        return [stmt(f"ALTER SEQUENCE {qname(*obj.id.path)} OWNED BY {qname(*obj.attrs['column'])}")]

    def drop(self, obj: DbObject, ctx: Context) -> list[Statement]:
        return [stmt(f"ALTER SEQUENCE {qname(*obj.id.path)} OWNED BY NONE")]

    def alter(self, old: DbObject, new: DbObject, ctx: Context) -> AlterResult | None:
        return AlterResult(self.create(new, ctx))
