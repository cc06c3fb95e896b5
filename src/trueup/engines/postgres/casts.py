"""Whether the server a plan runs on can convert a column's values to its new type.

``ALTER COLUMN c TYPE new USING c::new`` works only where PostgreSQL has a cast path from the
old type to the new one (``find_coercion_pathway``): the same type once domains are reduced to
their base types, a ``pg_cast`` entry (built in, an extension's, or the user's ``CREATE CAST``),
an array whose elements have a path, or the I/O conversion to a string type (any type) or from
one (explicit). Without one the statement fails half-way through a migration.

The inspection reads what decides it (``queries/column_types.sql``) for the types the columns
store, into the model's ``meta`` under :data:`META_KEY` (so a snapshot or a cached model keeps
it): one row ``[spelling, name, category, element, base, casts]`` per type, and
``[spelling, name, None, None, None, None]`` per spelling of a type with a modifier. A plan is
judged with the facts of the server it runs on (the old side's); the new side tells what the
new type is (a new enum, a domain and its base). A model without the facts (a snapshot of an
earlier trueup) answers "there is a path", as trueup did before it read them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from trueup.model import Schema

META_KEY = "pg_types"

#: types the engine itself converts columns through (a user type's values wait as text while
#: the type is recreated): known whether or not a column stores them
_BUILT_IN: dict[str, tuple[str, str | None, str | None, frozenset[str]]] = {
    "text": ("S", None, None, frozenset()),
    "text[]": ("A", "text", None, frozenset()),
}
#: PostgreSQL's vector types have elements but are not coerced element by element
_VECTORS = frozenset({"int2vector", "oidvector"})


def add_type_facts(builder: Any, row: dict[str, Any]) -> None:
    """The inspection's handler of ``column_types`` rows: kept in the builder's ``meta``."""
    builder.meta.setdefault(META_KEY, []).append(
        [row["spelling"], row["name"], row["category"], row["elem"], row["base"], row["casts"]])


@dataclass(frozen=True)
class _Type:
    category: str
    elem: str | None
    base: str | None
    casts: frozenset[str]


@dataclass(frozen=True)
class TypeFacts:
    """One server's facts about the types its columns store."""

    names: dict[str, str]
    types: dict[str, _Type]

    @classmethod
    def of(cls, schema: Schema) -> TypeFacts | None:
        rows = schema.meta.get(META_KEY)
        if rows is None:
            return None
        names: dict[str, str] = {}
        types: dict[str, _Type] = {}
        for spelling, name, category, elem, base, casts in rows:
            if category is None:
                names[spelling] = name
            else:
                types[name] = _Type(category, elem, base, frozenset(casts or ()))
        return cls(names, types)

    def name(self, spelling: str) -> str:
        return self.names.get(spelling, spelling)

    def get(self, name: str) -> _Type | None:
        found = self.types.get(name)
        if found is None and name in _BUILT_IN:
            return _Type(*_BUILT_IN[name])
        return found

    def reduced(self, name: str) -> str:
        """A domain's base type (a domain over a domain: the last one's)."""
        seen = {name}
        t = self.get(name)
        while t is not None and t.base is not None and t.base not in seen:
            name = t.base
            seen.add(name)
            t = self.get(name)
        return name


def can_cast(old_type: str, new_type: str, old: Schema, new: Schema) -> bool:
    """False when the server of ``old`` is known to have no cast path from ``old_type`` (as a
    column of ``old`` spells it) to ``new_type`` (as ``new`` spells it); True otherwise."""
    before = TypeFacts.of(old)
    if before is None:
        return True
    after = TypeFacts.of(new) or before
    return _path(before.name(old_type), after.name(new_type), before, after) is not False


def _path(src: str, tgt: str, before: TypeFacts, after: TypeFacts) -> bool | None:
    """Whether there is a path (None: not known), as PostgreSQL's find_coercion_pathway."""
    src = before.reduced(src)
    tgt = after.reduced(tgt) if after.get(tgt) is not None else before.reduced(tgt)
    if src == tgt:
        return True
    s = before.get(src)
    if s is None:
        return None
    if tgt in s.casts:
        return True
    t = after.get(tgt) or before.get(tgt)
    if t is None:
        return None
    if (s.elem is not None and t.elem is not None and tgt not in _VECTORS
            and _path(s.elem, t.elem, before, after) is not False):
        return True
    return t.category == "S" or s.category == "S"
