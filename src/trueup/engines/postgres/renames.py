"""Declared renames turned into ``ALTER ... RENAME`` (see :mod:`trueup.engines.interface.renames`).

A rename applies where the old object exists on the target and not in the desired schema, and
the new name exists in the desired schema and is free on the target (or freed by another rename
of the same run: a swap goes through temporary names). Where it does not apply nothing fails:
the object already renamed is left alone, and a rename with neither name on the target, or whose
new name is taken, is a note. A table renamed takes along the names the server derived from its
old name (``t_pkey``, ``t_id_seq``, ``t_c_idx``) where the desired schema has them derived from
the new one; a column renamed, those of its table's constraints, indexes and sequence.
"""

from __future__ import annotations

from collections.abc import Sequence

from trueup.engines.interface.renames import Rename, RenameResult
from trueup.engines.interface.sql import Change, Hazard, Statement, stmt
from trueup.engines.interface.using import format_path
from trueup.engines.postgres.quoting import ident, literal, qname
from trueup.engines.postgres.renames_model import REL_KINDS, function_name, rename_in_model, renamed_id
from trueup.model import ObjectId, Schema

_ALTER = {"table": "TABLE", "view": "VIEW", "materialized_view": "MATERIALIZED VIEW", "sequence": "SEQUENCE",
          "index": "INDEX"}
_TEMP = "trueup_renaming_{}"


def resolve(model: Schema, path: tuple[str, ...]) -> ObjectId | None:
    """The object a rename's path names in ``model``: a relation or function (schema, name),
    a column or constraint (schema, table, name)."""
    if len(path) == 2:
        for kind in REL_KINDS:
            if ObjectId(kind, path) in model:
                return ObjectId(kind, path)
        fns = [o.id for o in model.of_kind("function")
               if o.id.path[0] == path[0] and function_name(o.id) == path[1]]
        return fns[0] if len(fns) == 1 else None
    if len(path) == 3:
        for kind in ("column", "constraint"):
            if ObjectId(kind, path) in model:
                return ObjectId(kind, path)
    return None


def rename_statement(oid: ObjectId, new: str, model: Schema) -> Statement:
    """``ALTER ... RENAME`` of ``oid`` (of ``model``) to ``new``."""
    why = (Hazard.BREAKS_CLIENTS, f"clients still naming {oid.kind} {oid.display} fail once it is renamed")
    if oid.kind in _ALTER:
        return stmt(f"ALTER {_ALTER[oid.kind]} {qname(*oid.path)} RENAME TO {ident(new)}", why)
    if oid.kind == "function":
        obj = model.objects[oid]
        word = "PROCEDURE" if obj.attrs.get("kind") == "PROCEDURE" else "FUNCTION"
        args = oid.path[1][len(function_name(oid)):]
        return stmt(f"ALTER {word} {qname(oid.path[0], function_name(oid))}{args} RENAME TO {ident(new)}", why)
    what = "COLUMN" if oid.kind == "column" else "CONSTRAINT"
    return stmt(f"ALTER TABLE {qname(*oid.path[:2])} RENAME {what} {ident(oid.path[2])} TO {ident(new)}", why)


def _name(oid: ObjectId) -> str:
    return function_name(oid) if oid.kind == "function" else oid.path[-1]


def _derived(model: Schema, desired: Schema, renamed: ObjectId, old: str) -> list[tuple[ObjectId, str]]:
    """Names the server derived from a renamed table's or column's old name, to follow it."""
    new = _name(renamed)
    if renamed.kind == "table":
        schema, table = renamed.path
        pairs = [(f"{old}_", f"{new}_")]
    elif renamed.kind == "column":
        schema, table = renamed.path[:2]
        pairs = [(f"{table}_{old}_", f"{table}_{new}_")]
    else:
        return []
    candidates = [o.id for o in model.of_kind("constraint") if o.id.path[:2] == (schema, table)]
    candidates += [o.id for o in model.of_kind("index") if tuple(o.attrs.get("table") or ()) == (schema, table)]
    candidates += [o.id for o in model.of_kind("sequence")
                   if tuple(o.attrs.get("owned_by") or ())[:2] == (schema, table)]
    out = []
    for oid in candidates:
        for before, after in pairs:
            if oid.path[-1].startswith(before):
                name = after + oid.path[-1][len(before):]
                dest = renamed_id(oid, name)
                if dest in desired and dest not in model and oid not in desired:
                    out.append((oid, name))
    return out


def apply_renames(current: Schema, desired: Schema, renames: Sequence[Rename]) -> RenameResult:
    """See :meth:`trueup.engines.interface.engine.Engine.apply_renames`."""
    result = RenameResult(current)
    fwd: dict[tuple[str, ...], tuple[str, ...]] = {}  # relation paths: current -> desired
    found: list[tuple[ObjectId, str, Rename, tuple[str, ...]]] = []  # (object here, new name, rename, prefix)
    for r in sorted(renames, key=lambda r: (len(r.path), r.path)):
        here = r.path
        prefix = r.path[:-1]
        if len(r.path) == 3:  # a column or constraint: its table may be renamed too (named either way)
            rev = {v: k for k, v in fwd.items()}
            here = (*rev.get(r.path[:2], r.path[:2]), r.path[2])
            prefix = fwd.get(here[:2], here[:2])
        src = resolve(current, here)
        overloads = [o.id.display for o in current.of_kind("function")
                     if len(here) == 2 and o.id.path[0] == here[0] and function_name(o.id) == here[1]]
        if src is None and len(overloads) > 1:
            result.note(r, f"rename {r}: {format_path(here)} names {len(overloads)} functions "
                           f"({', '.join(overloads)}): not renamed")
            continue
        if src is None:
            if resolve(current, (*here[:-1], r.new)) is None:
                result.note(r, f"rename {r}: neither {format_path(r.path)} nor {format_path(r.new_path)} "
                                    "exists here: nothing renamed")
            continue  # (already renamed: nothing to do)
        found.append((src, r.new, r, prefix))
        if src.kind in REL_KINDS:
            fwd[src.path] = renamed_id(src, r.new).path
    dests = {(*prefix, new) for _, new, _, prefix in found}
    kept: list[tuple[ObjectId, str, Rename, bool]] = []
    sources = {src for src, _, _, _ in found}
    for src, new, r, prefix in found:
        as_desired = ObjectId(src.kind, (*prefix, src.path[-1])) if len(src.path) == 3 else src
        dest = renamed_id(as_desired, new)
        if as_desired in desired and as_desired.path not in dests:
            result.note(r, f"rename {r}: the desired schema still has {src.kind} {as_desired.display}: "
                                "not renamed")
            continue
        if dest not in desired:
            result.note(r, f"rename {r}: the desired schema has no {dest.kind} {dest.display}: not renamed")
            continue
        mine = renamed_id(src, new)
        occupied = (next((ObjectId(k, mine.path) for k in REL_KINDS if ObjectId(k, mine.path) in current), None)
                    if src.kind in REL_KINDS else (mine if mine in current else None))
        if occupied is not None and occupied not in sources:
            result.note(r, f"rename {r}: {format_path(mine.path)} is taken here by {occupied.kind} "
                                f"{occupied.display}: not renamed")
            continue
        kept.append((src, new, r, occupied is not None or any(renamed_id(s, n) == src for s, n, _, _ in found)))
    model, changes = current, []
    moved: dict[tuple[str, ...], tuple[str, ...]] = {}  # relation paths renamed so far

    def now(oid: ObjectId) -> ObjectId:
        if len(oid.path) == 3 and oid.path[:2] in moved:
            return ObjectId(oid.kind, (*moved[oid.path[:2]], oid.path[2]))
        return oid

    for level in (2, 3):  # relations and functions first, then what is named within a table
        batch = [k for k in kept if len(k[0].path) == level]
        temps: list[tuple[ObjectId, ObjectId, str]] = []
        for i, (src, new, _r, via_temp) in enumerate(batch):
            if via_temp:
                tmp = _TEMP.format(i)
                at = now(src)
                changes.append(Change(at, "rename", [rename_statement(at, tmp, model)]))
                model = rename_in_model(model, at, tmp)
                temps.append((src, renamed_id(at, tmp), new))
        for src, new, _r, via_temp in batch:
            if not via_temp:
                model = _rename(model, desired, now(src), new, changes)
        for src, tmp_id, new in temps:
            model = _rename(model, desired, tmp_id, new, changes, old_name=_name(src))
        for src, new, r, _ in batch:
            result.applied.append(r)
            if src.kind in REL_KINDS:
                moved[src.path] = renamed_id(src, new).path
    result.schema, result.changes = model, changes
    return result


def _rename(model: Schema, desired: Schema, src: ObjectId, new: str, changes: list[Change], *,
            old_name: str | None = None) -> Schema:
    """Rename ``src`` (and the names derived from its old name) in ``model``; record the changes."""
    dest = renamed_id(src, new)
    changes.append(Change(dest, "rename", [rename_statement(src, new, model)]))
    model = rename_in_model(model, src, new)
    for oid, name in _derived(model, desired, dest, old_name or _name(src)):
        changes.append(Change(renamed_id(oid, name), "rename", [rename_statement(oid, name, model)]))
        model = rename_in_model(model, oid, name)
    changes.extend(_not_null_names(model, dest, old_name or _name(src)))
    return model


def _not_null_names(model: Schema, renamed: ObjectId, old: str) -> list[Change]:
    """PostgreSQL 18 names NOT NULL constraints (``t_c_not_null``), which the model keeps as a
    column's ``notnull``: those named after a renamed table or column follow it, where they
    exist (a statement that checks first: another name is left alone)."""
    if model.server_version < 180000 or renamed.kind not in ("table", "column"):
        return []
    table = renamed.path[:2]
    columns = [o for o in model.of_kind("column") if o.id.path[:2] == table and o.attrs.get("notnull")]
    if renamed.kind == "column":
        columns = [o for o in columns if o.id == renamed]
    out = []
    for col in columns:
        t_old, t_new = (old, table[1]) if renamed.kind == "table" else (table[1], table[1])
        c_old = old if renamed.kind == "column" else col.id.path[2]
        before, after = f"{t_old}_{c_old}_not_null", f"{t_new}_{col.id.path[2]}_not_null"
        if len(before.encode()) > 63 or len(after.encode()) > 63:
            continue
        rel = qname(*table)
        sql = (f"DO $trueup$ BEGIN IF EXISTS (SELECT FROM pg_catalog.pg_constraint WHERE conrelid = "
               f"{literal(rel)}::regclass AND conname = {literal(before)} AND contype = 'n') THEN "
               f"ALTER TABLE {rel} RENAME CONSTRAINT {ident(before)} TO {ident(after)}; END IF; END $trueup$")
        out.append(Change(col.id, "rename", [stmt(sql)]))
    return out
