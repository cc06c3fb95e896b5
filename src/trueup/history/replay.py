"""What each migration builds: the migrations replayed one at a time in a scratch database, the
model read after each, and every object attributed to the migration that made it (and each
later change to the migration that made that change).

Replays are cached beside the ``.sql`` sources' models (:mod:`trueup.sources.cache`), one entry
per folder (the first state whole, then what each migration changed), keyed by the migrations'
SQL, the scope, the scratch server and trueup's code.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trueup.engines import engine_for_url
from trueup.errors import SourceError, TrueupError
from trueup.history.files import Migration, MigrationsFolder
from trueup.model import DbObject, ObjectId, Schema
from trueup.model.gcpause import collector_paused
from trueup.model.objects import objects_from_json, thaw
from trueup.sources import cache as source_cache


@dataclass(frozen=True)
class Replay:
    """The model after each migration of ``folder`` (``states[i]``: after ``migrations[0..i]``)."""

    folder: MigrationsFolder
    states: tuple[Schema, ...]
    #: per state, for each object: the index of the migration that created it
    created: tuple[Mapping[ObjectId, int], ...] = field(init=False)
    #: per state, for each object: the index of the migration that last changed it (or created it)
    changed: tuple[Mapping[ObjectId, int], ...] = field(init=False)

    def __post_init__(self) -> None:
        created: list[dict[ObjectId, int]] = []
        changed: list[dict[ObjectId, int]] = []
        before: Schema | None = None
        for i, state in enumerate(self.states):
            made = dict(created[-1]) if created else {}
            touched = dict(changed[-1]) if changed else {}
            for oid, obj in state.objects.items():
                old = before.objects.get(oid) if before is not None else None
                if old is None:
                    made[oid] = touched[oid] = i
                elif old.attrs != obj.attrs:
                    touched[oid] = i
            for oid in [o for o in made if o not in state.objects]:
                del made[oid], touched[oid]
            created.append(made)
            changed.append(touched)
            before = state
        object.__setattr__(self, "created", tuple(created))
        object.__setattr__(self, "changed", tuple(changed))

    def at(self, index: int) -> Schema:
        """The model after the migration at ``index`` (-1: before any)."""
        return self.states[index] if index >= 0 else Schema(self.states[0].engine if self.states else "postgres")

    def made_by(self, index: int, oid: ObjectId) -> Migration:
        """The migration that created ``oid`` as it is after migration ``index``."""
        return self.folder.migrations[self.created[index][oid]]

    def changed_by(self, index: int, oid: ObjectId) -> Migration:
        return self.folder.migrations[self.changed[index][oid]]


def _digest(migrations: Sequence[Migration]) -> str:
    """The folder's identity: each migration's identity and SQL, in order."""
    h = hashlib.sha256()
    for m in migrations:
        h.update(b"\0migration\0" + m.key.encode() + b"\0" + m.sql.encode())
    return h.hexdigest()


def _encode(states: Sequence[Schema]) -> dict[str, Any]:
    """The states as one entry: the first whole, each later one as what changed (a folder of
    forty migrations costs about one model, not forty)."""
    steps: list[dict[str, Any]] = []
    before: Schema | None = None
    for state in states:
        old = before.objects if before is not None else {}
        steps.append({
            "set": [o.to_json() for k, o in state.objects.items() if old.get(k) != o],
            "drop": [k.to_json() for k in old if k not in state.objects],
            "server_version": state.server_version,
            "meta": thaw(state.meta),
        })
        before = state
    return {"format": "trueup-replay", "engine": states[0].engine if states else "", "steps": steps}


def _decode(data: dict[str, Any]) -> list[Schema]:
    if data.get("format") != "trueup-replay":
        raise ValueError("not a replay")
    out: list[Schema] = []
    objects: dict[ObjectId, DbObject] = {}
    with collector_paused():
        for step in data["steps"]:
            objects = dict(objects)
            for k in step["drop"]:
                objects.pop(ObjectId.from_json(k), None)
            for o in objects_from_json(step["set"]):
                objects[o.id] = o
            out.append(Schema(str(data["engine"]), objects, int(step["server_version"]), step["meta"]))
    return out


def _cached(folder: Path, key: str) -> list[Schema] | None:
    path = folder / f"replay-{key}.json"
    try:
        states = _decode(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    with contextlib.suppress(OSError):
        os.utime(path)  # recently used: kept by the cache's pruning
    return states


def _store(folder: Path, key: str, states: Sequence[Schema]) -> None:
    """A folder that cannot be written only costs the next run a replay."""
    source_cache.write_entry(folder, f"replay-{key}.json", _encode(states))


def replay(folder: MigrationsFolder, server: str, scope: Sequence[str] | None, cache: Path | None, *,
           schema: str | None = None) -> Replay:
    """Replay ``folder`` on ``server`` (a scratch database), or take the models from ``cache``.
    ``schema``: each migration runs with unqualified names looked up and created in that schema
    alone (schema per tenant: the template schema)."""
    engine = engine_for_url(server)
    identity = f"replay\x1f{folder.framework}\x1f" + (f"schema {schema}\x1f" if schema else "") \
        + engine.scratch_identity(server)
    key = source_cache.cache_key(_digest(folder.migrations), scope, None, identity)
    if cache is not None:
        hit = _cached(cache, key)
        if hit is not None and len(hit) == len(folder.migrations):
            return Replay(folder, tuple(hit))
    states = []
    with engine.scratch_database(server) as url:
        for m in folder.migrations:
            try:
                engine.run_script(url, m.sql, schema=schema)
            except TrueupError as exc:
                raise SourceError(f"replaying migration {m.label} ({m.source}) failed: {exc.message}",
                                  "the migrations must build a database from nothing, in order") from None
            states.append(engine.inspect(url, scope, connections=1))
    if cache is not None:
        _store(cache, key, states)
    return Replay(folder, tuple(states))
