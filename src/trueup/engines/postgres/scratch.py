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

from trueup.engines.interface.renames import META_KEY
from trueup.engines.postgres.driver import connection, database_url, describe
from trueup.engines.postgres.errors import database_error, explain, translated
from trueup.engines.postgres.inspect import inspect_url
from trueup.engines.postgres.quoting import ident
from trueup.engines.postgres.rename_markers import files_renames
from trueup.errors import DatabaseError, SourceError
from trueup.model import Schema

SCRATCH_PREFIX = "trueup_scratch_"
_live: set[tuple[str, str]] = set()


def create_database(server_url: str, name: str, *, template: str = "template0", replace: bool = False,
                    what: str = "a database") -> str:
    """Create database ``name``; its connection string. A role that may not create databases
    gets one clear error naming the role and what to do."""
    with connection(server_url) as conn:
        try:
            if replace:
                conn.execute(f"DROP DATABASE IF EXISTS {ident(name)} WITH (FORCE)")  # type: ignore[arg-type]
            conn.execute(f"CREATE DATABASE {ident(name)} TEMPLATE {ident(template)}")  # type: ignore[arg-type]
        except psycopg.errors.InsufficientPrivilege:
            role = conn.info.user
            raise DatabaseError(
                f"cannot create {what} on {describe(server_url)}: role '{role}' may not create databases"
                " (SQLSTATE 42501: the role lacks the CREATEDB privilege)",
                f"grant it (ALTER ROLE {ident(role)} CREATEDB), or use a server where it may: "
                "[scratch] url in trueup.toml, --dev-url or TRUEUP_DEV_URL",
                sqlstate="42501", cause="the role lacks the CREATEDB privilege") from None
        except psycopg.Error as err:
            raise database_error(describe(server_url), err) from None
    return database_url(server_url, name)


def drop_database(server_url: str, name: str) -> None:
    with connection(server_url) as conn, translated(describe(server_url)):
        conn.execute(f"DROP DATABASE IF EXISTS {ident(name)} WITH (FORCE)")  # type: ignore[arg-type]


def run_script(url: str, sql: str, *, schema: str | None = None) -> None:
    with connection(url) as conn, translated(describe(url)):
        if schema is not None:  # (on its own: a script of one CONCURRENTLY statement stays alone)
            conn.execute(f"CREATE SCHEMA IF NOT EXISTS {ident(schema)}")  # type: ignore[arg-type]
            conn.execute(f"SET search_path TO {ident(schema)}")  # type: ignore[arg-type]
        conn.execute(sql)  # type: ignore[arg-type]


def _drop(server_url: str, name: str) -> None:
    drop_database(server_url, name)
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
    url = create_database(server_url, name, what="a scratch database")
    _live.add((server_url, name))
    try:
        yield url
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
                code = f" (SQLSTATE {err.sqlstate}: {explain(err.sqlstate)[0]})" if err.sqlstate else ""
                raise SourceError(f"{path}:{line}: {msg}{code}",
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
    """See :meth:`trueup.engines.interface.engine.Engine.scratch_identity`."""
    with connection(server_url) as conn:
        row = conn.execute(_IDENTITY).fetchone()  # type: ignore[arg-type]
    return "\x1f".join(str(v) for v in row or ())


def load_sql(server_url: str, files: Sequence[Path], schemas: Sequence[str] | None = None, *,
             connections: int = 2) -> Schema:
    with scratch_database(server_url) as url:
        apply_files(url, files)
        model = inspect_url(url, schemas, connections=connections)
    renames = files_renames(files)
    if not renames:
        return model
    return Schema(model.engine, model.objects, model.server_version, {**model.meta, META_KEY: renames})
