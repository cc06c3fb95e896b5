"""What each migration builds: the migrations replayed one at a time in a scratch database, the
model read after each, and every object attributed to the migration that made it (and each
later change to the migration that made that change).

Replays are cached like other ``.sql`` sources (:mod:`trueup.sources.cache`), one entry per
prefix of the folder, keyed by the migrations' SQL, the scope and the scratch server.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from trueup.engines import engine_for_url
from trueup.errors import SourceError, TrueupError
from trueup.history.files import Migration, MigrationsFolder
from trueup.model import ObjectId, Schema
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


def _digests(migrations: Sequence[Migration]) -> list[str]:
    """One digest per prefix of the folder: each migration's identity and SQL, chained."""
    h = hashlib.sha256()
    out = []
    for m in migrations:
        h.update(b"\0migration\0" + m.key.encode() + b"\0" + m.sql.encode())
        out.append(h.hexdigest())
    return out


def replay(folder: MigrationsFolder, server: str, scope: Sequence[str] | None, cache: Path | None) -> Replay:
    """Replay ``folder`` on ``server`` (a scratch database), or take the models from ``cache``."""
    engine = engine_for_url(server)
    identity = f"replay\x1f{folder.framework}\x1f" + engine.scratch_identity(server)
    keys = [source_cache.cache_key(d, scope, None, identity) for d in _digests(folder.migrations)]
    if cache is not None:
        hits = [source_cache.get(cache, k) for k in keys]
        if all(h is not None for h in hits):
            return Replay(folder, tuple(h[0] for h in hits if h is not None))
    states = []
    with engine.scratch_database(server) as url:
        for m in folder.migrations:
            try:
                engine.run_script(url, m.sql)
            except TrueupError as exc:
                raise SourceError(f"replaying migration {m.label} ({m.source}) failed: {exc.message}",
                                  "the migrations must build a database from nothing, in order") from None
            states.append(engine.inspect(url, scope, connections=1))
    if cache is not None:
        for k, state in zip(keys, states, strict=True):
            source_cache.put(cache, k, state, "")
    return Replay(folder, tuple(states))
