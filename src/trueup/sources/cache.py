"""A cache of loaded ``.sql`` sources: each costs a scratch database (create, load, inspect,
drop), seconds for a few hundred tables, mostly the server creating files; an audit also
fingerprints its desired state there.

An entry holds the model (and, for an audit, the fingerprint) measured for one exact input: the
bytes of every source file, the scope, the scratch server's identity (its version, the user, the
extensions it offers, the settings deparsed text depends on: see
:meth:`trueup.engines.interface.engine.Engine.scratch_identity`) and trueup's own code (a changed catalog
query or inspection gives a new key). Anything else is a miss, so a stale entry cannot be used;
an entry is written only when the files read the same after the load as before. A damaged entry
is ignored and replaced. The folder keeps the :data:`KEEP` entries used last; older ones are
removed whenever an entry is written.

The audit keeps its entries beside the journal (``[state] path``'s folder, ``cache/``; ``[state]
cache = false`` turns it off); ``trueup diff`` and ``inspect`` in :func:`user_folder`
(``--no-cache`` turns it off).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Iterable, Sequence
from functools import cache
from pathlib import Path

from trueup.engines import engine_for_url
from trueup.errors import SourceError, TrueupError
from trueup.model.schema import Schema
from trueup.sources.snapshot import snapshot_from_json

#: the packages whose code decides the model and the fingerprint
_CODE = ("engines", "model", "sources")
#: entries kept: every group's desired state of a few recent versions of the schema files
KEEP = 32


@cache
def code_digest() -> str:
    root = Path(__file__).resolve().parent.parent
    h = hashlib.sha256()
    for package in _CODE:
        for path in sorted((root / package).rglob("*")):
            if path.suffix in (".py", ".sql"):
                h.update(path.relative_to(root).as_posix().encode())
                h.update(path.read_bytes())
    return h.hexdigest()


def user_folder() -> Path:
    """The cache of ``trueup diff`` and ``inspect``: ``$TRUEUP_CACHE_DIR``, else
    ``$XDG_CACHE_HOME/trueup/sources`` or ``~/.cache/trueup/sources``."""
    env = os.environ.get("TRUEUP_CACHE_DIR")
    if env:
        return Path(env).expanduser()
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "trueup" / "sources"


def files_digest(files: Sequence[Path]) -> str:
    """The names and bytes of the source files, in load order."""
    h = hashlib.sha256()
    for path in files:
        try:
            data = path.read_bytes()
        except OSError as err:
            raise SourceError(f"{path}: cannot read it ({err.strerror or err})") from None
        h.update(b"\0file\0" + path.name.encode() + b"\0" + data)
    return h.hexdigest()


def cache_key(files: str, scope: Iterable[str] | None, template: str | None, server: str) -> str:
    """``files``: :func:`files_digest`; ``server``: the scratch server's identity."""
    h = hashlib.sha256(code_digest().encode())
    h.update(files.encode())
    h.update(json.dumps([sorted(scope) if scope else None, template, server]).encode())
    return h.hexdigest()[:40]


def get(folder: Path, key: str) -> tuple[Schema, str] | None:
    path = folder / f"{key}.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        hit = snapshot_from_json(data["snapshot"], path), str(data["fingerprint"])
    except (OSError, ValueError, KeyError, TypeError, TrueupError):
        return None
    with contextlib.suppress(OSError):
        os.utime(path)  # recently used: kept by prune
    return hit


def put(folder: Path, key: str, model: Schema, fingerprint: str) -> None:
    """Store an entry. A folder that cannot be written only costs the next run a scratch load."""
    write_entry(folder, f"{key}.json", {"fingerprint": fingerprint, "snapshot": model.to_json()})


def write_entry(folder: Path, name: str, data: object) -> None:
    """Write ``data`` as JSON to ``folder/name`` atomically (a concurrent reader sees the whole
    file or none), then prune the folder; a failure only means no entry."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".json")
    except OSError:
        return
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(data, out, separators=(",", ":"))
        os.replace(tmp, folder / name)
    except (OSError, TypeError, ValueError):  # (a value JSON cannot hold: no entry, no failure)
        Path(tmp).unlink(missing_ok=True)
        return
    prune(folder)


def cached_load(folder: Path, files: Sequence[Path], scope: Iterable[str] | None, template: str | None,
                server: str, make: Callable[[], tuple[Schema, str]]) -> tuple[Schema, str]:
    """The model and fingerprint ``make`` measures for this input (``server``: the scratch
    server's identity), from the cache in ``folder`` when it holds them; stored there unless a
    file was written while ``make`` ran (the model may not match the files read for the key)."""
    before = files_digest(files)
    key = cache_key(before, scope, template, server)
    hit = get(folder, key)
    if hit is not None:
        return hit
    model, fingerprint = make()
    if files_digest(files) == before:
        put(folder, key, model, fingerprint)
    return model, fingerprint


def load_sql(folder: Path, files: Sequence[Path], scope: Sequence[str] | None, server: str,
             connections: int = 2) -> Schema:
    """The model of ``.sql`` files loaded on ``server`` (a scratch database), from the cache
    in ``folder`` when it holds one for the same input."""
    engine = engine_for_url(server)

    def make() -> tuple[Schema, str]:
        return engine.load_sql(server, [str(f) for f in files], scope, connections=connections), ""

    identity = "model only\x1f" + engine.scratch_identity(server)  # (never an audit's entry)
    return cached_load(folder, files, scope, None, identity, make)[0]


def prune(folder: Path, keep: int = KEEP) -> None:
    """Remove all but the ``keep`` entries used last (a file another run removes first is fine)."""
    entries = []
    for path in folder.glob("*.json"):
        try:
            entries.append((path.stat().st_mtime, path))
        except OSError:
            continue
    for _, path in sorted(entries, reverse=True)[keep:]:
        path.unlink(missing_ok=True)
