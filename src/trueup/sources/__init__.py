"""Where a schema comes from: a live URL, a ``.sql`` file or folder, or a JSON snapshot."""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from trueup.engines import PLANNED, SCHEMES, engine_for_url, scheme_of
from trueup.errors import SourceError, TrueupWarning
from trueup.model import Schema
from trueup.sources.snapshot import read_snapshot, snapshot_from_json

__all__ = ["Source", "is_url", "load", "parse_source", "read_snapshot", "snapshot_from_json"]

def is_url(spec: str) -> bool:
    """A database URL of an engine trueup has or plans (others are an error here)."""
    return scheme_of(spec) in {**SCHEMES, **PLANNED}


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
        _warn_if_empty(spec, files)
        return Source(spec, "sql", files)
    suffix = path.suffix.lower()
    if suffix == ".sql":
        _warn_if_empty(spec, (path,))
        return Source(spec, "sql", (path,))
    if suffix == ".json":
        return Source(spec, "snapshot", (path,))
    raise SourceError(f"{spec}: unknown source type '{suffix or path.name}'",
                      hint="use a .sql file or folder, a .json snapshot, or a postgresql:// URL")


_COMMENTS = re.compile(r"--[^\n]*|/\*.*?\*/", re.S)


def _holds_sql(path: Path) -> bool:
    """Whether a file holds anything but comments, blanks and semicolons (an unreadable one is
    reported when it is loaded)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return True
    return bool(_COMMENTS.sub("", text).replace(";", "").strip())


def _warn_if_empty(spec: str, files: Sequence[Path]) -> None:
    if not any(_holds_sql(f) for f in files):
        what = "holds" if len(files) == 1 and str(files[0]) == spec else "holds only files with"
        warnings.warn(f"{spec} {what} no SQL statements: it is taken as an empty schema", TrueupWarning,
                      stacklevel=3)


def load(source: Source, *, schemas: Sequence[str] | None = None,
         scratch_server: Callable[[], str] | None = None, connections: int = 2,
         cache: Path | None = None) -> Schema:
    """Read a source into a model. ``scratch_server`` supplies the server for ``.sql`` sources;
    ``connections``: how many a live or scratch database may be read on side by side;
    ``cache``: a folder where the models of ``.sql`` sources are kept (see
    :mod:`trueup.sources.cache`)."""
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
    if cache is not None:
        from trueup.sources import cache as source_cache

        return source_cache.load_sql(cache, source.files, schemas, server, connections)
    return engine_for_url(server).load_sql(server, [str(f) for f in source.files], schemas, connections=connections)

