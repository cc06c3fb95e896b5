"""Throw-away databases: load ``.sql`` sources into one, inspect it, always drop it."""

from __future__ import annotations

import atexit
import contextlib
import os
import secrets
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import psycopg

from trueup.engines.postgres.driver import connection, with_database
from trueup.engines.postgres.inspect import inspect_url
from trueup.engines.postgres.quoting import ident
from trueup.errors import SourceError
from trueup.model import Schema

SCRATCH_PREFIX = "trueup_scratch_"
_live: set[tuple[str, str]] = set()


def _drop(server_url: str, name: str) -> None:
    with connection(server_url) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {ident(name)} WITH (FORCE)")  # type: ignore[arg-type]
    _live.discard((server_url, name))


@atexit.register
def _drop_leftovers() -> None:  # pragma: no cover - safety net for abnormal exits
    for server_url, name in list(_live):
        with contextlib.suppress(Exception):
            _drop(server_url, name)


@contextmanager
def scratch_database(server_url: str) -> Iterator[str]:
    """Create an empty database on the server of ``server_url``; yield its URL; drop it."""
    name = f"{SCRATCH_PREFIX}{os.getpid()}_{secrets.token_hex(4)}"
    with connection(server_url) as conn:
        conn.execute(f"CREATE DATABASE {ident(name)} TEMPLATE template0")  # type: ignore[arg-type]
    _live.add((server_url, name))
    try:
        yield with_database(server_url, name)
    finally:
        _drop(server_url, name)


def _line_of(text: str, position: int | None) -> int:
    if not position:
        return 1
    return text.count("\n", 0, max(position - 1, 0)) + 1


def apply_files(url: str, files: Sequence[Path]) -> None:
    """Run each file whole (as psql would, minus meta-commands), failing with file and line."""
    with connection(url) as conn:
        for path in files:
            try:
                text = path.read_text(encoding="utf-8")
            except OSError as err:
                raise SourceError(f"{path}: cannot read it ({err.strerror or err})") from None
            except UnicodeDecodeError as err:
                raise SourceError(f"{path}: not UTF-8 text (byte {err.start})",
                                  hint="save the file as UTF-8") from None
            if not text.strip():
                continue
            try:
                conn.execute(text)  # type: ignore[arg-type]
            except psycopg.Error as err:
                diag = err.diag
                pos = int(diag.statement_position) if diag.statement_position else None
                line = _line_of(text, pos)
                msg = (diag.message_primary or str(err)).strip()
                raise SourceError(f"{path}:{line}: {msg}",
                                  hint="fix the statement in the file; trueup loads .sql files as PostgreSQL runs them"
                                  ) from None


#: what, besides the files, decides a scratch load's model: the server's version; the user (the
#: owner, whose own privileges a model leaves out); the extensions the server offers and their
#: default versions (``CREATE EXTENSION x`` installs that one); the settings a column default's or
#: a view's text is deparsed under, which the role or the server may set
_IDENTITY = (
    "SELECT current_setting('server_version_num'), current_user,"
    " (SELECT string_agg(name || '=' || coalesce(default_version, ''), ',' ORDER BY name)"
    "  FROM pg_catalog.pg_available_extensions),"
    " current_setting('TimeZone'), current_setting('DateStyle'), current_setting('IntervalStyle'),"
    " current_setting('extra_float_digits'), current_setting('default_table_access_method'),"
    " current_setting('default_toast_compression'), current_setting('default_tablespace')"
)


def server_identity(server_url: str) -> str:
    """See :meth:`trueup.engines.base.Engine.scratch_identity`."""
    with connection(server_url) as conn:
        row = conn.execute(_IDENTITY).fetchone()  # type: ignore[arg-type]
    return "\x1f".join(str(v) for v in row or ())


def load_sql(server_url: str, files: Sequence[Path], schemas: Sequence[str] | None = None, *,
             connections: int = 2) -> Schema:
    with scratch_database(server_url) as url:
        apply_files(url, files)
        return inspect_url(url, schemas, connections=connections)
