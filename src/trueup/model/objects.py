"""Schema objects: an identity plus a normalised, comparable definition."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any, NamedTuple

_SCALARS = (str, int, float, bool, type(None))


def _freeze(value: Any) -> Any:
    """Turn lists into tuples and dicts into read-only mappings, recursively."""
    kind = type(value)
    if kind in _SCALARS:  # the common case first: exact type checks are cheap
        return value
    if kind is dict:  # then what the inspection builds: plain dicts and lists of scalars
        return MappingProxyType({k if type(k) is str else str(k): v if type(v) in _SCALARS else _freeze(v)
                                 for k, v in value.items()})
    if kind is list or kind is tuple:
        return tuple([v if type(v) in _SCALARS else _freeze(v) for v in value])
    if kind is MappingProxyType and all(type(v) in _SCALARS for v in value.values()):
        return value  # already frozen, flat
    if isinstance(value, Mapping):
        return MappingProxyType({str(k): _freeze(v) for k, v in value.items()})
    if isinstance(value, list | tuple):
        return tuple(_freeze(v) for v in value)
    return value


def thaw(value: Any) -> Any:
    """Inverse of :func:`_freeze`: plain dicts and lists, ready for JSON."""
    if isinstance(value, Mapping):
        return {k: thaw(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return [thaw(v) for v in value]
    return value


class ObjectId(NamedTuple):
    """Identity of an object: its kind and a path of names.

    ``ObjectId("column", ("public", "users", "email"))`` names column ``email`` of table
    ``public.users``. Paths are engine-defined but always plain strings, so identities
    compare equal across databases.

    A named tuple (immutable, ordered by kind then path): identities are hashed, compared
    and sorted hundreds of thousands of times per inspection and diff, and a tuple does that
    in C where a dataclass runs Python code for each call.
    """

    kind: str
    path: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.kind} {self.display}"

    @property
    def display(self) -> str:
        """The qualified name a person reads: ``public.users.email``.

        Comments and grants name their target: ``table public.users`` /
        ``table public.users: SELECT to reader``.
        """
        if self.kind == "comment" and len(self.path) > 1:
            return f"{self.path[0]} {'.'.join(self.path[1:])}"
        if self.kind == "grant" and len(self.path) > 3:
            target = ".".join(self.path[1:-2])
            return f"{self.path[0]} {target}: {self.path[-1]} to {self.path[-2]}"
        return ".".join(self.path)

    def to_json(self) -> list[Any]:
        return [self.kind, list(self.path)]

    @classmethod
    def from_json(cls, data: Any) -> ObjectId:
        kind, path = data
        return cls(str(kind), tuple(str(p) for p in path))


class _Fields(NamedTuple):
    id: ObjectId
    attrs: Mapping[str, Any]
    deps: frozenset[ObjectId]
    parent: ObjectId | None
    position: int


class DbObject(_Fields):
    """One schema object.

    ``attrs`` is the normalised definition compared by the diff; ``deps`` are the identities
    this object needs to exist first; ``parent`` is the object whose drop implicitly drops
    this one (a column's table, a comment's target); ``position`` is its display order among
    siblings (a column's position), never compared by the diff.

    Immutable: ``attrs`` is frozen (read-only mappings, tuples) on construction. A tuple
    underneath, which Python builds in C: an inspection makes one per object, tens of
    thousands for a large schema.
    """

    __slots__ = ()

    def __new__(cls, id: ObjectId, attrs: Mapping[str, Any] | None = None,
                deps: Iterable[ObjectId] = frozenset(), parent: ObjectId | None = None,
                position: int = 0) -> DbObject:
        # (freezing a plain dict copies it: the caller's dict is never shared)
        frozen = _freeze(attrs if type(attrs) is dict else dict(attrs or {}))
        deps = deps if type(deps) is frozenset else frozenset(deps)
        if id in deps:
            deps = deps - {id}
        return tuple.__new__(cls, (id, frozen, deps, parent, position))

    @property
    def kind(self) -> str:
        return self.id.kind

    @property
    def schema_name(self) -> str | None:
        """The schema (namespace) the object lives in: the first element of its path, the
        target's for comments and grants, the install schema for extensions."""
        if self.kind == "extension":
            return str(self.attrs.get("schema"))
        if self.kind in ("comment", "grant"):
            return self.id.path[1] if len(self.id.path) > 1 else None
        return self.id.path[0] if self.id.path else None

    def same_definition(self, other: DbObject) -> bool:
        # plain equality settles nearly every comparison; the canonical JSON form only decides
        # between values Python calls different but JSON writes alike
        return self.attrs == other.attrs or _canonical(self.attrs) == _canonical(other.attrs)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id.to_json(), "attrs": thaw(self.attrs)}
        if self.deps:
            data["deps"] = [d.to_json() for d in sorted(self.deps)]
        if self.parent is not None:
            data["parent"] = self.parent.to_json()
        if self.position:
            data["position"] = self.position
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> DbObject:
        return objects_from_json([data])[0]

    def with_deps(self, extra: Iterable[ObjectId]) -> DbObject:
        return DbObject(self.id, dict(self.attrs), self.deps | frozenset(extra), self.parent, self.position)


def objects_from_json(items: Iterable[Mapping[str, Any]]) -> list[DbObject]:
    """Objects from their JSON forms (:meth:`DbObject.to_json`), each identity made once: a
    snapshot names most identities many times over (as objects, parents, dependencies), and
    making them was most of the work of reading it."""
    made: dict[tuple[Any, tuple[Any, ...]], ObjectId] = {}

    def identity(data: Any) -> ObjectId:
        kind, path = data
        key = (kind, tuple(path))
        oid = made.get(key)
        if oid is None:
            oid = made[key] = ObjectId.from_json(data)
        return oid

    out = []
    for data in items:
        attrs = data.get("attrs", {})
        parent = data.get("parent")
        out.append(DbObject(identity(data["id"]), attrs if type(attrs) is dict else dict(attrs),
                            frozenset([identity(d) for d in data.get("deps", ())]),
                            identity(parent) if parent else None, int(data.get("position", 0))))
    return out


def _canonical(attrs: Mapping[str, Any]) -> str:
    return json.dumps(thaw(attrs), sort_keys=True, default=str)
