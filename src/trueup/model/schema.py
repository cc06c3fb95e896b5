"""A whole schema: a set of objects keyed by identity."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType
from typing import Any

from trueup.model.objects import DbObject, ObjectId

SNAPSHOT_FORMAT = "trueup-snapshot"
SNAPSHOT_VERSION = 1


@dataclass(frozen=True)
class Schema:
    """An immutable schema model as read from one database (or source)."""

    engine: str
    objects: Mapping[ObjectId, DbObject] = field(default_factory=dict)
    server_version: int = 0
    meta: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "objects", MappingProxyType(dict(self.objects)))
        object.__setattr__(self, "meta", MappingProxyType(dict(self.meta)))

    @classmethod
    def build(cls, engine: str, objects: Iterable[DbObject], server_version: int = 0,
              meta: Mapping[str, Any] | None = None) -> Schema:
        return cls(engine, {o.id: o for o in objects}, server_version, meta or {})

    def __iter__(self) -> Iterator[DbObject]:
        return iter(self.objects.values())

    def __len__(self) -> int:
        return len(self.objects)

    def __contains__(self, oid: object) -> bool:
        return oid in self.objects

    def get(self, oid: ObjectId) -> DbObject | None:
        return self.objects.get(oid)

    def of_kind(self, *kinds: str) -> list[DbObject]:
        return sorted((o for o in self.objects.values() if o.kind in kinds), key=lambda o: o.id)

    def children(self, parent: ObjectId) -> list[DbObject]:
        return sorted((o for o in self.objects.values() if o.parent == parent), key=lambda o: (o.position, o.id))

    def dependents(self) -> Mapping[ObjectId, AbstractSet[ObjectId]]:
        """Reverse dependency index: for each object, who depends on it (directly).
        Built once per schema (the model never changes); read-only."""
        return self._dependents

    @cached_property
    def _dependents(self) -> Mapping[ObjectId, AbstractSet[ObjectId]]:
        rev: dict[ObjectId, set[ObjectId]] = {}
        for obj in self.objects.values():
            for dep in obj.deps:
                rev.setdefault(dep, set()).add(obj.id)
        return MappingProxyType(rev)

    def filtered(self, keep: Any) -> Schema:
        """A copy holding only objects for which ``keep(obj)`` is true."""
        return Schema(self.engine, {k: v for k, v in self.objects.items() if keep(v)},
                      self.server_version, self.meta)

    def to_json(self) -> dict[str, Any]:
        return {
            "format": SNAPSHOT_FORMAT,
            "version": SNAPSHOT_VERSION,
            "engine": self.engine,
            "server_version": self.server_version,
            "meta": dict(self.meta),
            "objects": [self.objects[k].to_json() for k in sorted(self.objects)],
        }
