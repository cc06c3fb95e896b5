"""Findings: one drifted object each, in a fixed vocabulary people and tools can rely on."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from trueup.diff.compare import diff_schemas
from trueup.model import DbObject, ObjectId, Schema
from trueup.model.objects import thaw

if TYPE_CHECKING:
    from trueup.engines.base import Engine

CATEGORIES = (
    "schema", "extension", "type", "sequence", "table", "column", "constraint", "index", "view",
    "function", "trigger", "rls", "policy", "grant", "comment", "reference_data", "layer",
)
PROBLEMS = ("missing", "unexpected", "different")

KIND_CATEGORY = {
    "schema": "schema", "extension": "extension", "enum": "type", "domain": "type", "composite_type": "type",
    "sequence": "sequence", "sequence_owner": "sequence", "table": "table", "column": "column",
    "inherited_column": "column",
    "constraint": "constraint", "index": "index", "view": "view", "materialized_view": "view",
    "function": "function", "trigger": "trigger", "rls": "rls", "policy": "policy", "grant": "grant",
    "comment": "comment",
}
#: kinds that can "belong" to a layer (group): top-level, named objects
LAYER_KINDS = frozenset({"table", "view", "materialized_view", "function", "sequence", "enum", "domain",
                         "composite_type"})


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


def layer_key(oid: ObjectId) -> tuple[str, str]:
    """Objects of two layers are matched by kind and bare name (schemas differ per tenant)."""
    return (KIND_CATEGORY.get(oid.kind, oid.kind), oid.path[-1])


def _ancestors(oid: ObjectId, engine: Engine, *schemas: Schema) -> Iterable[ObjectId]:
    """Parents, and what the object is dropped with (an owned sequence: its column), upwards."""
    seen: set[ObjectId] = {oid}
    todo = [oid]
    while todo:
        current = todo.pop()
        obj = next((s.objects[current] for s in schemas if current in s.objects), None)
        if obj is None:
            continue
        for up in (obj.parent, engine.dropped_with(obj)):
            if up is not None and up not in seen:
                seen.add(up)
                todo.append(up)
                yield up


def _below(schema: Schema, engine: Engine) -> dict[ObjectId, list[ObjectId]]:
    """The inverse of :func:`_ancestors`' single steps: for each object, the objects of
    ``schema`` whose parent it is or which are dropped with it."""
    out: dict[ObjectId, list[ObjectId]] = {}
    for obj in schema.objects.values():
        for up in (obj.parent, engine.dropped_with(obj)):
            if up is not None:
                out.setdefault(up, []).append(obj.id)
    return out


def _descendants(root: ObjectId, below: Mapping[ObjectId, list[ObjectId]]) -> set[ObjectId]:
    """Every object that has ``root`` among its :func:`_ancestors` in the schema of ``below``."""
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


def schema_findings(actual: Schema, desired: Schema, engine: Engine, *, where: str,
                    layer_owners: Mapping[tuple[str, str], str] | None = None) -> list[Finding]:
    """Findings for every object that differs; children of a finding are folded into it.

    ``where`` names the database (or schema) in sentences; ``layer_owners`` maps objects of the
    other groups' desired states to their group, to tell layer mix-ups from plain extras.
    """
    changed = {oid for oid in set(actual.objects) | set(desired.objects)
               if oid not in actual.objects or oid not in desired.objects
               or not actual.objects[oid].same_definition(desired.objects[oid])}
    roots = sorted(oid for oid in changed
                   if not any(a in changed for a in _ancestors(oid, engine, actual, desired)))
    out = []
    # what hangs below each root, walked down from the few roots (not up from every object)
    below = [_below(s, engine) for s in (actual, desired)] if roots else []
    for root in roots:
        subtree = {root}.union(*(_descendants(root, b) for b in below))
        partial = [o for o in actual if o.id not in subtree] + [o for o in desired if o.id in subtree]
        plan = diff_schemas(actual, Schema(desired.engine, {o.id: o for o in partial}, desired.server_version),
                            engine)
        fix = plan.to_sql(allow_destructive=True)
        hazards = tuple(dict.fromkeys(h.value for c in plan.changes for h in c.hazards))
        category = KIND_CATEGORY.get(root.kind, root.kind)
        name = f"{root.kind.replace('_', ' ')} {root.display}"
        if root not in actual.objects:
            problem, detail = "missing", f"{name} is missing in {where}"
        elif root not in desired.objects:
            problem, detail = "unexpected", f"{name} exists in {where} but is not in the desired schema"
            owner = (layer_owners or {}).get(layer_key(root)) if root.kind in LAYER_KINDS else None
            if owner is not None:
                category = "layer"
                detail = f"{root.display} belongs to group {owner}, found in {where}"
        else:
            problem = "different"
            detail = f"{name} differs in {where}: {_describe_difference(actual.objects[root], desired.objects[root])}"
        out.append(Finding(category, problem, root.display, detail, hazards, fix))
    return out
