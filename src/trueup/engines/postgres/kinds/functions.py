"""Functions, procedures and aggregates."""

from __future__ import annotations

from trueup.engines.interface.generators import AlterResult, Context, GeneratorBase
from trueup.engines.interface.sql import Statement, stmt
from trueup.engines.postgres.quoting import literal
from trueup.model import DbObject, ObjectId


class FunctionSQL(GeneratorBase):
    kind = "function"

    def create(self, obj: DbObject, ctx: Context) -> list[Statement]:
        out = self._define(obj)
        # a new routine is executable by PUBLIC; keep it so only when the target says so
        if ObjectId("grant", (obj.id.kind, *obj.id.path, "PUBLIC", "EXECUTE")) not in ctx.new:
            word = "PROCEDURE" if obj.attrs["kind"] == "PROCEDURE" else "FUNCTION"
            plain_sig = obj.attrs["signature"].replace(" ORDER BY ", ", ")  # an ordered-set aggregate's
            out.append(stmt(f"REVOKE ALL ON {word} {plain_sig} FROM PUBLIC"))
        return out

    def _define(self, obj: DbObject) -> list[Statement]:
        a = obj.attrs
        if a["kind"] == "AGGREGATE":
            ag = a["aggregate"]
            opts = [f"SFUNC = {ag['sfunc']}", f"STYPE = {ag['stype']}"]
            if ag.get("finalfunc"):
                opts.append(f"FINALFUNC = {ag['finalfunc']}")
            if ag.get("combinefunc"):
                opts.append(f"COMBINEFUNC = {ag['combinefunc']}")
            if ag.get("initcond") is not None:
                opts.append(f"INITCOND = {literal(ag['initcond'])}")
            if ag.get("sortop"):
                opts.append(f"SORTOP = {ag['sortop'].split('(')[0]}")
            for key in ("serialfunc", "deserialfunc", "msfunc", "minvfunc", "mstype", "mfinalfunc",
                        "parallel"):
                if ag.get(key):
                    opts.append(f"{key.upper()} = {ag[key]}")
            if ag.get("minitcond") is not None:
                opts.append(f"MINITCOND = {literal(ag['minitcond'])}")
            if ag.get("finalfunc_extra"):
                opts.append("FINALFUNC_EXTRA")
            return [stmt(f"CREATE AGGREGATE {a['signature']} (\n    " + ",\n    ".join(opts) + "\n)")]
        return [stmt(a["definition"].strip().rstrip(";"))]

    def drop(self, obj: DbObject, ctx: Context) -> list[Statement]:
        return [stmt(f"DROP {obj.attrs['kind']} {obj.attrs['signature']}")]

    def alter(self, old: DbObject, new: DbObject, ctx: Context) -> AlterResult | None:
        o, n = old.attrs, new.attrs
        if o["kind"] != n["kind"] or n["kind"] == "AGGREGATE":
            return None
        if o["result"] != n["result"] or o["arguments"] != n["arguments"]:
            return None  # CREATE OR REPLACE cannot change the result type or parameter names/defaults
        return AlterResult(self._define(new))
