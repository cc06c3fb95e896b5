"""Enums, domains and composite types."""

from __future__ import annotations

from typing import Any

from trueup.engines.interface.generators import AlterResult, Context, GeneratorBase
from trueup.engines.interface.sql import Hazard, Statement, stmt
from trueup.engines.postgres.quoting import ident, literal, qname
from trueup.model import DbObject

_DROP_TYPE = (Hazard.DELETES_DATA, "drops the type; columns of this type must go first")


class EnumSQL(GeneratorBase):
    kind = "enum"

    def create(self, obj: DbObject, ctx: Context) -> list[Statement]:
        labels = ", ".join(literal(v) for v in obj.attrs["labels"])
        return [stmt(f"CREATE TYPE {qname(*obj.id.path)} AS ENUM ({labels})")]

    def drop(self, obj: DbObject, ctx: Context) -> list[Statement]:
        return [stmt(f"DROP TYPE {qname(*obj.id.path)}", _DROP_TYPE)]

    def alter(self, old: DbObject, new: DbObject, ctx: Context) -> AlterResult | None:
        name = qname(*new.id.path)
        before: list[str] = list(old.attrs["labels"])
        after: list[str] = list(new.attrs["labels"])
        if len(before) == len(after):
            renames = [(a, b) for a, b in zip(before, after, strict=True) if a != b]
            if renames and all(b not in before and a not in after for a, b in renames):
                return AlterResult([stmt(f"ALTER TYPE {name} RENAME VALUE {literal(a)} TO {literal(b)}")
                                    for a, b in renames])
        if not _is_subsequence(before, after):
            return None
        out = []
        current = list(before)
        for i, label in enumerate(after):
            if label in current:
                continue
            if i + 1 < len(after) and after[i + 1] in current:
                where = f" BEFORE {literal(after[i + 1])}"
                current.insert(current.index(after[i + 1]), label)
            else:
                where = f" AFTER {literal(after[i - 1])}" if i > 0 else ""
                current.insert(current.index(after[i - 1]) + 1 if i > 0 else 0, label)
            # a new value cannot be used before it is committed: apply commits it first
            out.append(stmt(f"ALTER TYPE {name} ADD VALUE IF NOT EXISTS {literal(label)}{where}", commit_first=True))
        return AlterResult(out)


def _is_subsequence(small: list[str], big: list[str]) -> bool:
    it = iter(big)
    return all(x in it for x in small)


class DomainSQL(GeneratorBase):
    kind = "domain"

    def create(self, obj: DbObject, ctx: Context) -> list[Statement]:
        a = obj.attrs
        parts = [f"CREATE DOMAIN {qname(*obj.id.path)} AS {a['base_type']}"]
        if a["collation"]:
            parts.append(f"COLLATE {a['collation']}")
        if a["default"] is not None:
            parts.append(f"DEFAULT {a['default']}")
        if a["notnull"]:
            parts.append("NOT NULL")
        out = [stmt(" ".join(parts))]
        for name, (definition, validated) in sorted(a["checks"].items()):
            out.append(self._add_check(obj, name, definition, validated))
        return out

    def _add_check(self, obj: DbObject, name: str, definition: str, validated: bool) -> Statement:
        suffix = "" if validated else " NOT VALID"
        return stmt(f"ALTER DOMAIN {qname(*obj.id.path)} ADD CONSTRAINT {ident(name)} {definition}{suffix}",
                    (Hazard.MAY_FAIL, "existing values may violate the check"))

    def drop(self, obj: DbObject, ctx: Context) -> list[Statement]:
        return [stmt(f"DROP DOMAIN {qname(*obj.id.path)}", _DROP_TYPE)]

    def detach(self, obj: DbObject, ctx: Context) -> tuple[list[Statement], DbObject | None]:
        """A function its checks or default use is replaced: release them, keep the domain and its columns."""
        for dep in obj.deps:
            if dep.kind in ("enum", "domain", "composite_type", "range", "collation"):
                before, after = ctx.old.get(dep), ctx.new.get(dep)
                if before is None or after is None or not before.same_definition(after):
                    return self.drop(obj, ctx), None  # the base type itself may be going
        name = qname(*obj.id.path)
        out = [stmt(f"ALTER DOMAIN {name} DROP CONSTRAINT {ident(c)}") for c in sorted(obj.attrs["checks"])]
        if obj.attrs["default"] is not None:
            out.append(stmt(f"ALTER DOMAIN {name} DROP DEFAULT"))
        rest = DbObject(obj.id, {**obj.attrs, "checks": {}, "default": None}, obj.deps, obj.parent,
                        obj.position)
        return out, rest

    def alter(self, old: DbObject, new: DbObject, ctx: Context) -> AlterResult | None:
        o, n = old.attrs, new.attrs
        if o["base_type"] != n["base_type"] or o["collation"] != n["collation"]:
            return None
        name = qname(*new.id.path)
        out = []
        if o["default"] != n["default"]:
            out.append(stmt(f"ALTER DOMAIN {name} DROP DEFAULT" if n["default"] is None
                            else f"ALTER DOMAIN {name} SET DEFAULT {n['default']}"))
        if o["notnull"] != n["notnull"]:
            out.append(stmt(f"ALTER DOMAIN {name} SET NOT NULL", (Hazard.MAY_FAIL, "existing NULLs fail"))
                       if n["notnull"] else stmt(f"ALTER DOMAIN {name} DROP NOT NULL"))
        old_checks: dict[str, Any] = dict(o["checks"])
        new_checks: dict[str, Any] = dict(n["checks"])
        for cname, od in sorted(old_checks.items()):
            nd = new_checks.get(cname)
            if nd is not None and list(nd) == list(od):
                continue
            if nd is not None and od[0] == nd[0] and not od[1] and nd[1]:
                out.append(stmt(f"ALTER DOMAIN {name} VALIDATE CONSTRAINT {ident(cname)}", Hazard.MAY_FAIL))
                continue
            out.append(stmt(f"ALTER DOMAIN {name} DROP CONSTRAINT {ident(cname)}"))
        for cname, nd in sorted(new_checks.items()):
            od = old_checks.get(cname)
            if od is None or (od[0] != nd[0]) or (bool(od[1]) and not nd[1]):
                out.append(self._add_check(new, cname, nd[0], nd[1]))
        return AlterResult(out)


def _used_by_columns(obj: DbObject, ctx: Context) -> bool:
    """True when a table column stores the type, directly or inside another composite type."""
    users = [o for o in ctx.old if obj.id in o.deps and o.kind in ("column", "composite_type")]
    return any(u.kind == "column" or _used_by_columns(u, ctx) for u in users)


class CompositeSQL(GeneratorBase):
    kind = "composite_type"

    @staticmethod
    def _attr(a: list[Any]) -> str:
        return f"{ident(a[0])} {a[1]}" + (f" COLLATE {a[2]}" if a[2] else "")

    def create(self, obj: DbObject, ctx: Context) -> list[Statement]:
        cols = ", ".join(self._attr(a) for a in obj.attrs["attributes"])
        return [stmt(f"CREATE TYPE {qname(*obj.id.path)} AS ({cols})")]

    def drop(self, obj: DbObject, ctx: Context) -> list[Statement]:
        return [stmt(f"DROP TYPE {qname(*obj.id.path)}", _DROP_TYPE)]

    def alter(self, old: DbObject, new: DbObject, ctx: Context) -> AlterResult | None:
        name = qname(*new.id.path)
        before = {a[0]: list(a) for a in old.attrs["attributes"]}
        after = {a[0]: list(a) for a in new.attrs["attributes"]}
        kept_old = [a for a in before if a in after]
        kept_new = [a for a in after if a in before]
        if kept_old != kept_new or list(after)[: len(kept_new)] != kept_new:
            return None  # reordering needs a new type
        if any(before[a] != after[a] for a in kept_new) and _used_by_columns(old, ctx):
            return None  # PostgreSQL cannot retype an attribute of a type that table columns store
        out = []
        for a in before:
            if a not in after:
                out.append(stmt(f"ALTER TYPE {name} DROP ATTRIBUTE {ident(a)}",
                                (Hazard.DELETES_DATA, "values stored in this attribute are lost")))
        for a in kept_new:
            if before[a] != after[a]:
                coll = f" COLLATE {after[a][2]}" if after[a][2] else ""
                out.append(stmt(f"ALTER TYPE {name} ALTER ATTRIBUTE {ident(a)} TYPE {after[a][1]}{coll}"))
        for a in after:
            if a not in before:
                out.append(stmt(f"ALTER TYPE {name} ADD ATTRIBUTE {self._attr(after[a])}"))
        return AlterResult(out)
