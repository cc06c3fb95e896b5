"""Connecting to PostgreSQL, with failures turned into one-line errors."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

import psycopg

from trueup.errors import ConnectionFailed

CONNECT_TIMEOUT = 10


def redact(url: str) -> str:
    """The URL with any password replaced by ``***``, safe to print."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<unparsable URL>"
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(":" + parts.password + "@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def describe_target(url: str) -> str:
    """``db on host:port`` for messages."""
    try:
        info = psycopg.conninfo.conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return redact(url)
    host = str(info.get("host") or "localhost")
    port = str(info.get("port") or "5432")
    db = str(info.get("dbname") or info.get("user") or "postgres")
    where = host if host.startswith("/") else f"{host}:{port}"
    return f"database '{db}' on {where}"


def _explain(url: str, err: Exception) -> ConnectionFailed:
    text = str(err).strip()
    first = next((ln for ln in text.splitlines() if ln.strip()), text)
    first = re.split(r"failed: ", first)[-1]
    first = re.sub(r"^(FATAL|ERROR):\s+", "", first).strip()
    target = describe_target(url)
    low = text.lower()
    if "password authentication failed" in low or "no password supplied" in low:
        return ConnectionFailed(f"cannot log in to {target}: {first}",
                                hint="check the user name and password in the URL")
    if "does not exist" in low and "database" in low:
        return ConnectionFailed(f"cannot connect to {target}: the database does not exist",
                                hint="create it first, or fix the database name in the URL")
    if "role" in low and "does not exist" in low:
        return ConnectionFailed(f"cannot log in to {target}: {first}", hint="check the user name in the URL")
    if "refused" in low or "no such file" in low or "timeout" in low or "could not translate" in low:
        return ConnectionFailed(f"cannot reach {target}: {first}",
                                hint="is the server running and the host/port right?")
    return ConnectionFailed(f"cannot connect to {target}: {first}")


def error_message(err: psycopg.Error) -> str:
    """The server's one-line message for a failed statement (or the driver's first line)."""
    if err.diag is not None and err.diag.message_primary:
        return err.diag.message_primary
    text = str(err).strip()
    return text.splitlines()[0] if text else type(err).__name__


def connect(url: str, *, autocommit: bool = True, dbname: str | None = None,
            timeout: int = CONNECT_TIMEOUT) -> psycopg.Connection[tuple[object, ...]]:
    """Open a connection or raise :class:`ConnectionFailed` with a readable reason."""
    kwargs: dict[str, object] = {"autocommit": autocommit, "connect_timeout": timeout}
    if dbname is not None:
        kwargs["dbname"] = dbname
    try:
        return psycopg.connect(url, **kwargs)  # type: ignore[arg-type]
    except psycopg.ProgrammingError as err:
        raise ConnectionFailed(f"invalid connection URL {redact(url)}: {err}") from None
    except psycopg.OperationalError as err:
        raise _explain(url, err) from None


@contextmanager
def connection(url: str, *, autocommit: bool = True,
               dbname: str | None = None) -> Iterator[psycopg.Connection[tuple[object, ...]]]:
    conn = connect(url, autocommit=autocommit, dbname=dbname)
    try:
        yield conn
    finally:
        conn.close()


def with_database(url: str, dbname: str) -> str:
    """The same server URL pointing at another database."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + dbname))
