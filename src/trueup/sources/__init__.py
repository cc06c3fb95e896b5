"""Where a schema comes from: a live URL, a ``.sql`` file or folder, or a JSON snapshot."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from trueup.engines import engine_by_name, engine_for_url
from trueup.errors import SnapshotError, SourceError, TrueupError
from trueup.model import Schema
from trueup.model.gcpause import collector_paused
from trueup.model.objects import objects_from_json
from trueup.model.schema import SNAPSHOT_FORMAT, SNAPSHOT_VERSION

URL_SCHEMES = ("postgresql://", "postgres://", "mysql://", "mariadb://")


def is_url(spec: str) -> bool:
    return spec.lower().startswith(URL_SCHEMES)


@dataclass(frozen=True)
class Source:
    """A parsed source spec; ``kind`` is ``url``, ``sql`` or ``snapshot``."""

    spec: str
    kind: str
    files: tuple[Path, ...] = ()

    @property
    def url(self) -> str | None:
        return self.spec if self.kind == "url" else None


def parse_source(spec: str) -> Source:
    """Classify ``spec`` without touching any server; raise a clear error for bad input."""
    if is_url(spec):
        return Source(spec, "url")
    if "://" in spec:
        raise SourceError(f"unsupported URL '{spec.split('://', 1)[0]}://...'",
                          hint="sources are postgresql:// URLs, .sql files or folders, or .json snapshots")
    path = Path(spec)
    if not path.exists():
        raise SourceError(f"{spec}: no such file or directory")
    if path.is_dir():
        found = (p for p in path.rglob("*.sql") if p.is_file())
        files = tuple(sorted(found, key=lambda p: p.relative_to(path).as_posix()))
        if not files:
            raise SourceError(f"{spec}: the folder holds no .sql files")
        return Source(spec, "sql", files)
    suffix = path.suffix.lower()
    if suffix == ".sql":
        return Source(spec, "sql", (path,))
    if suffix == ".json":
        return Source(spec, "snapshot", (path,))
    raise SourceError(f"{spec}: unknown source type '{suffix or path.name}'",
                      hint="use a .sql file or folder, a .json snapshot, or a postgresql:// URL")


def read_snapshot(path: Path) -> Schema:
    with collector_paused():  # parsing makes hundreds of thousands of objects, no cycles
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
            raise SnapshotError(f"{path}: not a readable JSON snapshot ({err})") from None
        return snapshot_from_json(data, path)


def snapshot_from_json(data: object, path: Path) -> Schema:
    """A snapshot's model from its parsed JSON (``path`` names it in errors)."""
    if not isinstance(data, dict) or data.get("format") != SNAPSHOT_FORMAT:
        raise SnapshotError(f"{path}: not a trueup snapshot (no \"format\": \"{SNAPSHOT_FORMAT}\")",
                            hint="create snapshots with: trueup inspect SOURCE --format json")
    version = data.get("version")
    if not isinstance(version, int) or version > SNAPSHOT_VERSION:
        raise SnapshotError(f"{path}: snapshot format version {version} is newer than this trueup reads "
                            f"(up to {SNAPSHOT_VERSION})", hint="upgrade trueup: pip install -U trueup")
    try:
        engine_by_name(str(data.get("engine")))
        with collector_paused():
            objects = objects_from_json(data["objects"])
    except TrueupError:
        raise
    except (KeyError, TypeError, ValueError) as err:
        raise SnapshotError(f"{path}: malformed snapshot ({err!r})") from None
    return Schema.build(str(data["engine"]), objects, int(data.get("server_version", 0)), data.get("meta") or {})


def load(source: Source, *, schemas: Sequence[str] | None = None,
         scratch_server: Callable[[], str] | None = None, connections: int = 2) -> Schema:
    """Read a source into a model. ``scratch_server`` supplies the server for ``.sql`` sources;
    ``connections``: how many a live or scratch database may be read on side by side."""
    if source.kind == "url":
        return engine_for_url(source.spec).inspect(source.spec, schemas, connections=connections)
    if source.kind == "snapshot":
        schema = read_snapshot(source.files[0])
        if schemas:
            keep = set(schemas)
            schema = schema.filtered(lambda o: o.schema_name in keep)
        return schema
    if scratch_server is None:
        raise SourceError(f"{source.spec}: a .sql source needs a server to load it into",
                          hint="pass --dev-url postgresql://... (any server where trueup may create a database)")
    server = scratch_server()
    return engine_for_url(server).load_sql(server, [str(f) for f in source.files], schemas, connections=connections)

