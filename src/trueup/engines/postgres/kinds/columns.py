"""Columns: added, dropped and altered in place (never dropped to change a type)."""

from __future__ import annotations

import re
from typing import Any

from trueup.engines.interface.generators import AlterResult, Context, GeneratorBase
from trueup.engines.interface.sql import Hazard, Statement, stmt
from trueup.engines.interface.using import format_path
from trueup.engines.postgres.casts import can_cast
from trueup.engines.postgres.kinds.collations import CollationSQL
from trueup.engines.postgres.kinds.constraints import adopting_parent, dropped_parents
from trueup.engines.postgres.kinds.functions import FunctionSQL
from trueup.engines.postgres.kinds.identity import identity_changes
from trueup.engines.postgres.kinds.partitioning import ancestors
from trueup.engines.postgres.kinds.ranges import RangeSQL
from trueup.engines.postgres.kinds.types import CompositeSQL, DomainSQL, EnumSQL
from trueup.engines.postgres.quoting import ident, qname
from trueup.model import DbObject, ObjectId

_VOLATILE = re.compile(r"\b(nextval|random|gen_random_uuid|uuid_generate_v\w+|clock_timestamp|timeofday)\(", re.I)


def _identity_options(i: Any) -> str:
    name = f"SEQUENCE NAME {qname(*i['sequence'])} " if i.get("sequence") else ""
    return (f"{name}INCREMENT BY {i['increment']} MINVALUE {i['min']} MAXVALUE {i['max']}"
            f" START WITH {i['start']} CACHE {i['cache']}{' CYCLE' if i['cycle'] else ''}")


def column_definition(col: DbObject) -> str:
    """``name type [COLLATE] [GENERATED ...] [DEFAULT ...] [NOT NULL]`` as in CREATE TABLE."""
    a = col.attrs
    parts = [ident(col.id.path[-1]), a["type"]]
    if a.get("compression"):
        parts.append(f"COMPRESSION {a['compression']}")
    if a["collation"]:
        parts.append(f"COLLATE {a['collation']}")
    if a["generated"]:
        g = a["generated"]
        parts.append(f"GENERATED ALWAYS AS ({g['expression']}) {'STORED' if g['stored'] else 'VIRTUAL'}")
    if a["identity"]:
        parts.append(f"GENERATED {a['identity']['generation']} AS IDENTITY ({_identity_options(a['identity'])})")
    if a["default"] is not None:
        parts.append(f"DEFAULT {a['default']}")
    if a["notnull"]:
        parts.append("NOT NULL")
    return " ".join(parts)


def column_settings(col: DbObject, old: DbObject | None = None) -> list[Statement]:
    """SET STORAGE / STATISTICS / COMPRESSION where they differ from ``old`` (or the defaults)."""
    a, o = col.attrs, old.attrs if old is not None else {}
    out = []
    retyped = bool(o) and o["type"] != a["type"]  # a new type resets storage and compression

    def changes(key: str) -> bool:
        return (a.get(key) != o.get(key) or retyped) and bool(a.get(key) or (o.get(key) and not retyped))

    if changes("storage"):
        out.append(f"SET STORAGE {a['storage']['value'] if a.get('storage') else o['storage']['default']}")
    if a.get("statistics") != o.get("statistics"):
        out.append(f"SET STATISTICS {a.get('statistics', -1)}")
    if old is not None and changes("compression"):
        out.append(f"SET COMPRESSION {a.get('compression') or 'default'}")
    table, name = qname(*col.id.path[:-1]), ident(col.id.path[-1])
    return [stmt(f"ALTER TABLE {table} ALTER COLUMN {name} {action}") for action in out]


_INTS = ["smallint", "integer", "bigint"]
_VARCHAR = re.compile(r"^character varying(?:\((\d+)\))?$")
_NUMERIC = re.compile(r"^numeric(?:\((\d+),(\d+)\))?$")


def type_change_hazards(old: str, new: str) -> list[tuple[Hazard, str]]:
    """Hazards of ``ALTER COLUMN TYPE old → new``: rewrite and/or possible loss of data."""
    rewrite = (Hazard.BLOCKS_WRITES, "rewrites the table under an ACCESS EXCLUSIVE lock")
    lossy = (Hazard.DELETES_DATA, f"converting {old} to {new} may lose or reject data")
    vo, vn = _VARCHAR.match(old), _VARCHAR.match(new)
    old_len = vo.group(1) if vo is not None else None
    wider = vn is not None and (vn.group(1) is None or (old_len is not None and int(vn.group(1)) >= int(old_len)))
    if vo and (new == "text" or wider):
        return []  # binary compatible widening: no rewrite, no loss
    if old == "text" and vn and vn.group(1) is None:
        return []
    no, nn = _NUMERIC.match(old), _NUMERIC.match(new)
    if no and nn and (nn.group(1) is None or (no.group(1) and no.group(2) == nn.group(2)
                                                and int(nn.group(1)) >= int(no.group(1)))):
        return []
    if old in _INTS and new in _INTS and _INTS.index(new) > _INTS.index(old):
        return [rewrite]
    if (old, new) in {("real", "double precision"), ("timestamp without time zone", "timestamp with time zone")}:
        return [rewrite]
    return [rewrite, lossy]


def collation_change_hazards(collation: str | None, ctx: Context) -> list[tuple[Hazard, str]]:
    """Hazards of ``ALTER COLUMN TYPE`` that changes only the collation: the values stay, the
    column's indexes are rebuilt, and under a nondeterministic collation a unique one may fail."""
    out = [(Hazard.BLOCKS_WRITES, "changes the collation: rebuilds the column's indexes under an ACCESS "
                                  "EXCLUSIVE lock")]
    coll = next((c for c in ctx.new.of_kind("collation") if collation and qname(*c.id.path) == collation), None)
    if coll is not None and not coll.attrs["deterministic"]:
        out.append((Hazard.MAY_FAIL, "values a unique index keeps apart may be equal under the new collation"))
    return out


def _kept_from_parent(col: DbObject, ctx: Context) -> DbObject | None:
    """The column as ``NO INHERIT`` leaves it, when the table stops inheriting it from a parent."""
    table_id = ObjectId("table", col.id.path[:-1])
    for parent in dropped_parents(table_id, ctx):
        # (a partition of a partition: the column is the topmost table's)
        tops = [ObjectId("table", parent), *ancestors(ObjectId("table", parent), ctx.old)]
        inherited = next((c for c in (ctx.old.get(ObjectId("column", (*t.path, col.id.path[-1]))) for t in tops)
                          if c is not None), None)
        if inherited is not None:
            attrs = dict(inherited.attrs)
            own = ctx.old.get(ObjectId("inherited_column", col.id.path))
            if own is not None:  # its own default and NOT NULL stay with it
                attrs.update(default=own.attrs["default"], notnull=own.attrs["notnull"])
            return DbObject(col.id, attrs, inherited.deps, table_id, col.position)
    return None


def _move_sequence(old: Any, new: Any) -> list[Statement]:
    """Rename (and move) an identity column's sequence."""
    out = []
    if old[1] != new[1]:
        out.append(stmt(f"ALTER SEQUENCE {qname(*old)} RENAME TO {ident(new[1])}"))
    if old[0] != new[0]:
        out.append(stmt(f"ALTER SEQUENCE {qname(old[0], new[1])} SET SCHEMA {ident(new[0])}"))
    return out


_TYPES: dict[str, GeneratorBase] = {"enum": EnumSQL(), "domain": DomainSQL(), "composite_type": CompositeSQL(),
                                    "range": RangeSQL(), "collation": CollationSQL()}
#: what a range type uses that recreates it when recreated itself
_RANGE_USES: dict[str, GeneratorBase] = {**_TYPES, "function": FunctionSQL()}


def _recreated(d: ObjectId, ctx: Context, depth: int = 0) -> bool:
    """True when the type or collation ``d`` is dropped or recreated: its definition changes in a
    way it cannot be altered, or (a range, domain or composite type) a type, collation or
    function it uses is recreated."""
    old, new = ctx.old.objects[d], ctx.new.get(d)
    if new is None or (not new.same_definition(old) and _RANGE_USES[d.kind].alter(old, new, ctx) is None):
        return True
    if d.kind not in ("range", "domain", "composite_type") or depth > 3:
        return False
    return any(u.kind in _RANGE_USES and _recreated(u, ctx, depth + 1) for u in old.deps if u in ctx.old)


def _user_type_changes(col: DbObject, ctx: Context) -> bool:
    """True when the column's enum, domain, composite or range type is dropped or recreated."""
    return any(d.kind in _TYPES and d.kind != "collation" and _recreated(d, ctx) for d in col.deps)


def _collation_changes(col: DbObject, ctx: Context) -> bool:
    """True when the column's own collation is dropped or recreated."""
    return any(d.kind == "collation" and _recreated(d, ctx) for d in col.deps) and bool(col.attrs["collation"])


class ColumnSQL(GeneratorBase):
    kind = "column"

    def _table(self, col: DbObject) -> str:
        return qname(*col.id.path[:-1])

    def create(self, obj: DbObject, ctx: Context) -> list[Statement]:
        kept = _kept_from_parent(obj, ctx)
        if kept is not None:  # the table's NO INHERIT leaves it as a local column: alter it
            res = self.alter(kept, obj, ctx)
            if res is not None:
                return res.statements
            return self.drop(kept, ctx) + self._add(obj)
        return self._add(obj)

    def _add(self, obj: DbObject) -> list[Statement]:
        a = obj.attrs
        hazards: list[tuple[Hazard, str]] = []
        if a["notnull"] and a["default"] is None and not a["identity"] and not a["generated"]:
            hazards.append((Hazard.MAY_FAIL, "NOT NULL without a default fails if the table has rows"))
        stored = a["generated"] and a["generated"]["stored"]
        if stored or a["identity"] or (a["default"] and _VOLATILE.search(a["default"])):
            hazards.append((Hazard.BLOCKS_WRITES, "fills every row: rewrites the table under lock"))
        return [stmt(f"ALTER TABLE {self._table(obj)} ADD COLUMN {column_definition(obj)}", *hazards),
                *column_settings(obj)]

    def drop(self, obj: DbObject, ctx: Context) -> list[Statement]:
        parent = adopting_parent(ObjectId("table", obj.id.path[:-1]), ctx)
        if parent is not None and ObjectId("column", (*parent, obj.id.path[-1])) in ctx.new:
            return []  # ATTACH PARTITION needs it, and makes it the parent's
        sql = f"ALTER TABLE {self._table(obj)} DROP COLUMN {ident(obj.id.path[-1])}"
        if obj.attrs["generated"]:
            return [stmt(sql)]
        return [stmt(sql, (Hazard.DELETES_DATA, "the column's values are lost"))]

    def detach(self, obj: DbObject, ctx: Context) -> tuple[list[Statement], DbObject | None]:
        """Release the default, and a user type that is recreated (the values wait as text)."""
        a = obj.attrs
        if a["generated"]:
            return self.drop(obj, ctx), None
        out, rest = [], dict(a)
        if a["default"] is not None:
            out.append(self._alter(obj, "DROP DEFAULT"))
            rest["default"] = None
        if _user_type_changes(obj, ctx) and not a["identity"]:
            text = "text[]" if a["type"].endswith("[]") else "text"
            out.append(self._alter(obj, f"TYPE {text} USING {ident(obj.id.path[-1])}::{text}",
                                   (Hazard.BLOCKS_WRITES, "rewrites the table under lock")))
            rest.update(type=text, collation=None)
        elif _collation_changes(obj, ctx):  # the type's own collation meanwhile
            out.append(self._alter(obj, f"TYPE {a['type']}",
                                   (Hazard.BLOCKS_WRITES, "rebuilds the column's indexes under lock")))
            rest.update(collation=None)
        if not out:
            return self.drop(obj, ctx), None
        return out, DbObject(obj.id, rest, obj.deps, obj.parent, obj.position)

    def _alter(self, col: DbObject, action: str, *hazards: tuple[Hazard, str] | Hazard) -> Statement:
        return stmt(f"ALTER TABLE {self._table(col)} ALTER COLUMN {ident(col.id.path[-1])} {action}", *hazards)

    def alter(self, old: DbObject, new: DbObject, ctx: Context) -> AlterResult | None:
        o, n = old.attrs, new.attrs
        if o["generated"] != n["generated"]:
            return None
        out: list[Statement] = []
        retype = o["type"] != n["type"] or o["collation"] != n["collation"]
        default_changes = o["default"] != n["default"]
        if o["default"] is not None and (retype or (default_changes and n["default"] is None)):
            out.append(self._alter(new, "DROP DEFAULT"))
        if o["identity"] and not n["identity"]:
            out.append(self._alter(new, "DROP IDENTITY"))
        if retype:
            out.append(self._retype(old, new, ctx))
        if n["default"] is not None and (default_changes or retype):
            out.append(self._alter(new, f"SET DEFAULT {n['default']}"))
        if o["notnull"] != n["notnull"]:  # before ADD IDENTITY, which needs NOT NULL
            if n["notnull"]:
                out.append(self._alter(new, "SET NOT NULL", (Hazard.MAY_FAIL, "existing NULLs make it fail"),
                                       (Hazard.BLOCKS_WRITES, "scans the table under an ACCESS EXCLUSIVE lock")))
            else:
                out.append(self._alter(new, "DROP NOT NULL"))
        if n["identity"] and not o["identity"]:
            out.append(self._alter(new, f"ADD GENERATED {n['identity']['generation']} AS IDENTITY "
                                        f"({_identity_options(n['identity'])})", Hazard.MAY_FAIL))
        elif n["identity"] and o["identity"] and n["identity"] != o["identity"]:
            ni, oi = n["identity"], o["identity"]
            out.extend(identity_changes(oi, ni, lambda action, *hz: self._alter(new, action, *hz)))
            if ni.get("sequence") and oi.get("sequence") and ni["sequence"] != oi["sequence"]:
                out.extend(_move_sequence(oi["sequence"], ni["sequence"]))
        out.extend(column_settings(new, old))
        return AlterResult(out, breaks_dependents=retype)

    def _retype(self, old: DbObject, new: DbObject, ctx: Context) -> Statement:
        """``ALTER COLUMN c TYPE new USING ...``: the user's expression (``--using``), else
        ``c::new`` where the server has a cast path, else (it would fail half-way) a statement
        that never runs until the user gives one: commented out under ``needs_using``, its USING
        a placeholder that cannot pass for a whole statement.

        The path is judged from the column's type in the old schema: a column whose type is
        dropped in the plan (an enum replaced by another) waits as text meanwhile (``detach``),
        yet text's path to the new type is not the user's data's."""
        o, n = old.attrs, new.attrs
        before = ctx.old.get(new.id)
        source = before.attrs["type"] if before is not None and before.kind == "column" else o["type"]
        hazards: list[tuple[Hazard, str]] = (type_change_hazards(source, n["type"]) if o["type"] != n["type"]
                                             else collation_change_hazards(n["collation"], ctx))
        coll = f" COLLATE {n['collation']}" if n["collation"] else ""
        column = ident(new.id.path[-1])
        given = ctx.options.using.get(new.id.path)
        waits = False
        if given is not None and o["type"] != n["type"]:
            using = given
        elif o["type"] == n["type"] or can_cast(source, n["type"], ctx.old, ctx.new):
            using = f"{column}::{n['type']}"
        else:
            waits = True
            using = f"/* trueup: needs a USING expression */ {column}::{n['type']}"
            hazards.insert(0, (Hazard.NEEDS_USING, f"PostgreSQL has no cast from {source} to {n['type']}: "
                                                   f"give the conversion with --using {format_path(new.id.path)}"
                                                   "=EXPRESSION"))
        if o["type"] != n["type"]:
            ctx.retyped[new.id.path] = waits
        return self._alter(new, f"TYPE {n['type']}{coll} USING {using}", *hazards)

    def release(self, old: DbObject, new: DbObject, ctx: Context) -> tuple[list[Statement], DbObject] | None:
        """An identity that goes is dropped early: its sequence's name may be taken by a new one."""
        if old.attrs["identity"] and not new.attrs["identity"]:
            rest = DbObject(old.id, {**old.attrs, "identity": None}, old.deps, old.parent, old.position)
            return [self._alter(old, "DROP IDENTITY")], rest
        return None
