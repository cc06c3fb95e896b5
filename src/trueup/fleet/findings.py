"""Findings: one drifted object each, in a fixed vocabulary people and tools can rely on.

The findings of a target come from the one diff its audit makes (actual -> desired): every
object that differs and whose parent does not is a root finding; the objects below it fold into
it, and its ``fix`` is the statements of that diff that repair them, including what a repair
must drop and restore around them (a view around a column whose type changes).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from trueup.engines.interface.engine import Engine
from trueup.engines.interface.sql import Change
from trueup.history.status import PROBLEMS as HISTORY_PROBLEM_NAMES
from trueup.model import DbObject, ObjectId, Schema
from trueup.model.objects import thaw
from trueup.plan.script import Plan, possible_rename_note

CATEGORIES = (
    "schema", "extension", "type", "sequence", "table", "column", "constraint", "index", "view",
    "function", "trigger", "rls", "policy", "grant", "comment", "reference_data", "layer",
    "migration_history",
    "foreign_data", "event_trigger", "publication", "default_privilege",
    "collation", "statistics", "rule",
)
PROBLEMS = ("missing", "unexpected", "different")
#: the problems of category "migration_history" (trueup.history.status)
HISTORY_PROBLEMS = HISTORY_PROBLEM_NAMES


@dataclass(frozen=True)
class Finding:
    category: str
    problem: str
    object: str
    detail: str
    hazards: tuple[str, ...] = ()
    fix: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"category": self.category, "problem": self.problem, "object": self.object,
                "detail": self.detail, "hazards": list(self.hazards), "fix": self.fix}


def layer_key(oid: ObjectId, engine: Engine) -> tuple[str, str]:
    """Objects of two layers are matched by category and bare name (schemas differ per tenant)."""
    return (engine.finding_categories.get(oid.kind, oid.kind), oid.path[-1])


def _ups(obj: DbObject, engine: Engine) -> Iterable[ObjectId]:
    """What an object hangs below: its parent, and what it is dropped with (an owned sequence:
    its column)."""
    for up in (obj.parent, engine.dropped_with(obj)):
        if up is not None:
            yield up


def _ancestors(oid: ObjectId, engine: Engine, *schemas: Schema) -> Iterable[ObjectId]:
    seen: set[ObjectId] = {oid}
    todo = [oid]
    while todo:
        current = todo.pop()
        obj = next((s.objects[current] for s in schemas if current in s.objects), None)
        if obj is None:
            continue
        for up in _ups(obj, engine):
            if up not in seen:
                seen.add(up)
                todo.append(up)
                yield up


def _below(schema: Schema, engine: Engine) -> dict[ObjectId, list[ObjectId]]:
    """For each object, the objects of ``schema`` that hang directly below it."""
    out: dict[ObjectId, list[ObjectId]] = {}
    for obj in schema.objects.values():
        for up in _ups(obj, engine):
            out.setdefault(up, []).append(obj.id)
    return out


def _descendants(root: ObjectId, below: Mapping[ObjectId, list[ObjectId]]) -> set[ObjectId]:
    found: set[ObjectId] = set()
    todo = [root]
    while todo:
        for child in below.get(todo.pop(), ()):
            if child not in found and child != root:
                found.add(child)
                todo.append(child)
    return found


def _fmt(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, str):
        return value if len(value) <= 120 else value[:117] + "..."
    text = json.dumps(thaw(value), sort_keys=True, default=str)
    return text if len(text) <= 120 else text[:117] + "..."


def _describe_difference(found: DbObject, expected: DbObject) -> str:
    parts = []
    for key in sorted(set(found.attrs) | set(expected.attrs)):
        a, b = found.attrs.get(key), expected.attrs.get(key)
        if thaw(a) != thaw(b):
            parts.append(f"{key}: expected {_fmt(b)}, found {_fmt(a)}")
    return "; ".join(parts) or "definition differs"


def _owner_by_dependency(oid: ObjectId, owner: Mapping[ObjectId, ObjectId], *schemas: Schema) -> ObjectId | None:
    """The root finding a change of an object no finding covers belongs to: that of the nearest
    changed object it uses (a view dropped and restored around its column's new type)."""
    seen = {oid}
    todo = [oid]
    while todo:
        nxt: list[ObjectId] = []
        for current in todo:
            for s in schemas:
                obj = s.objects.get(current)
                if obj is None:
                    continue
                for dep in sorted({*obj.deps, *([obj.parent] if obj.parent else [])}):
                    if dep in owner:
                        return owner[dep]
                    if dep not in seen:
                        seen.add(dep)
                        nxt.append(dep)
        todo = nxt
    return None


def schema_findings(actual: Schema, desired: Schema, plan: Plan, engine: Engine, *, where: str,
                    layer_owners: Mapping[tuple[str, str], str] | None = None) -> list[Finding]:
    """Findings for every object that differs, each with the part of ``plan`` (the diff of
    ``actual`` to ``desired``) that fixes it; children of a finding are folded into it.

    ``where`` names the database (or schema) in sentences; ``layer_owners`` maps objects of the
    other groups' desired states to their group, to tell layer mix-ups from plain extras.
    """
    changed = {oid for oid in set(actual.objects) | set(desired.objects)
               if oid not in actual.objects or oid not in desired.objects
               or not actual.objects[oid].same_definition(desired.objects[oid])}
    roots = sorted(oid for oid in changed
                   if not any(a in changed for a in _ancestors(oid, engine, actual, desired)))
    if not roots:
        return []
    # what hangs below each root, walked down from the few roots (not up from every object)
    below = [_below(s, engine) for s in (actual, desired)]
    owner: dict[ObjectId, ObjectId] = {}
    for root in roots:
        for oid in sorted({root}.union(*(_descendants(root, b) for b in below))):
            owner.setdefault(oid, root)
    fixes: dict[ObjectId, list[Change]] = {root: [] for root in roots}
    for change in plan.changes:
        to = owner.get(change.id) or _owner_by_dependency(change.id, owner, actual, desired)
        if to is not None:
            fixes[to].append(change)
    maybe: dict[ObjectId, str] = {}
    for dropped, added in plan.possible_renames:
        maybe[dropped] = maybe[added] = possible_rename_note(dropped, added)
    about: dict[tuple[str, ...], list[str]] = {}
    for paths, text in plan.noted:  # (declared renames that do not apply here)
        for path in paths:
            about.setdefault(path, []).append(text)
    out = []
    for root in roots:
        part = Plan(fixes[root], preamble=engine.preamble(fixes[root]))
        hazards = tuple(dict.fromkeys(h.value for c in part.changes for h in c.hazards))
        category = engine.finding_categories.get(root.kind, root.kind)
        name = f"{root.kind.replace('_', ' ')} {root.display}"
        if root not in actual.objects:
            problem, detail = "missing", f"{name} is missing in {where}"
        elif root not in desired.objects:
            problem, detail = "unexpected", f"{name} exists in {where} but is not in the desired schema"
            owner_group = (layer_owners or {}).get(layer_key(root, engine)) if root.kind in engine.layer_kinds else None
            if owner_group is not None:
                category = "layer"
                detail = f"{root.display} belongs to group {owner_group}, found in {where}"
        else:
            problem = "different"
            detail = f"{name} differs in {where}: {_describe_difference(actual.objects[root], desired.objects[root])}"
        if root in maybe:
            detail = f"{detail}; {maybe[root]}"
        for text in about.get(root.path, ()) if root.kind not in ("comment", "grant") else ():
            detail = f"{detail}; note: {text}"
        out.append(Finding(category, problem, root.display, detail, hazards, part.to_sql(allow_destructive=True)))
    return out
