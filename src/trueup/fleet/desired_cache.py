"""A cache of loaded desired states: a ``.sql`` desired state costs a scratch database per run
(create, load, inspect, fingerprint, drop), the largest fixed cost of an audit.

An entry holds the model and the fingerprint measured for one exact input: the bytes of every
source file, the scope, the scratch server's version and trueup's own code (a changed catalog
query or inspection gives a new key). Anything else is a miss, so a stale entry cannot be used.
Entries live beside the journal (``[state] path``'s folder, ``cache/``); ``[state] cache = false``
turns the cache off. A damaged entry is ignored and replaced. The folder keeps the
:data:`KEEP` entries used last; older ones are removed whenever an entry is written.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from collections.abc import Iterable, Sequence
from functools import cache
from pathlib import Path

from trueup.errors import TrueupError
from trueup.model.schema import Schema
from trueup.sources import snapshot_from_json

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


def cache_key(files: Sequence[Path], scope: Iterable[str] | None, template: str | None,
              server_version: int) -> str:
    h = hashlib.sha256(code_digest().encode())
    for path in files:
        h.update(b"\0file\0" + path.name.encode() + b"\0" + path.read_bytes())
    h.update(json.dumps([sorted(scope) if scope else None, template, server_version]).encode())
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
    """Store an entry (atomically: a concurrent reader sees the whole file or none). A folder
    that cannot be written only costs the next run a scratch load."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".json")
    except OSError:
        return
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump({"fingerprint": fingerprint, "snapshot": model.to_json()}, out)
        os.replace(tmp, folder / f"{key}.json")
    except OSError:
        Path(tmp).unlink(missing_ok=True)
        return
    prune(folder)


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
