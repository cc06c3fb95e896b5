"""Connecting to PostgreSQL: connection strings built by the driver, timeouts, and locations
safe to print.

A location is a URL (``postgresql://...``) or libpq's ``key=value`` conninfo; every connection
string trueup derives (another database on a server, a registry row's host and user) is built
with psycopg's :func:`~psycopg.conninfo.make_conninfo`, so any database name, however quoted,
spaced or accented, reaches the server as it is.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any
from urllib.parse import quote, unquote, urlsplit, urlunsplit

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from trueup.engines.postgres.errors import login_error
from trueup.errors import ConnectionFailed

CONNECT_TIMEOUT = 10
SCHEMES = ("postgresql", "postgres")


def _params(url: str) -> dict[str, Any]:
    try:
        return conninfo_to_dict(url)
    except psycopg.ProgrammingError as err:
        raise invalid(url, err, hint="use postgresql://user@host:port/database") from None


#: a password in a URL's user part, or a conninfo's password=..., found without parsing it
#: (libpq's message about a malformed one quotes the part it stumbled on, the password included)
_URL_PASSWORD = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://[^/?#@:]*:([^/?#]*)@")
_CONNINFO_PASSWORD = re.compile(r"(?:^|\s)password\s*=\s*('(?:[^'\\]|\\.)*'|\S+)")


def invalid(url: str, err: Exception, hint: str | None = None) -> ConnectionFailed:
    """A malformed connection string: the driver's reason, with any password in it masked."""
    text = str(err)
    found = [m.group(1) for m in (_URL_PASSWORD.match(url.strip()), *_CONNINFO_PASSWORD.finditer(url)) if m]
    for secret in sorted({p for f in found for p in (f, f.strip("'"), unquote(f)) if p}, key=len, reverse=True):
        text = text.replace(secret, "***")
    return ConnectionFailed(f"invalid connection string {location(url)}: {text}", hint=hint)


def _is_url(url: str) -> bool:
    return url.split("://", 1)[0].lower() in SCHEMES and "://" in url


@lru_cache(maxsize=4096)
def location(url: str) -> str:
    """Where ``url`` leads, without its password: a URL as given (password as ``***``), a
    conninfo as the URL it stands for."""
    if _is_url(url):
        try:
            parts = urlsplit(url)
            if parts.password is None:
                return url
        except ValueError:
            return "<unparsable URL>"
        netloc = parts.netloc.replace(":" + parts.password + "@", ":***@", 1)
        return urlunsplit(parts._replace(netloc=netloc))
    try:
        params = conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return "<unparsable connection string>"
    return as_url(params)


def as_url(params: dict[str, Any]) -> str:
    """A conninfo's parameters as a ``postgresql://`` URL, without the password, each part
    percent-encoded (a single TCP host and port in the URL's authority, anything else as
    query parameters, as libpq reads them)."""
    params = {k: str(v) for k, v in params.items() if v is not None and k != "password"}
    user = params.pop("user", "")
    dbname = params.pop("dbname", "")
    host, port = params.get("host", ""), params.get("port", "")
    netloc = quote(user, safe="") + "@" if user else ""
    if host and "," not in host and not host.startswith("/") and "," not in port:
        params.pop("host")
        netloc += f"[{host}]" if ":" in host else quote(host, safe="")
        if port:
            netloc += ":" + params.pop("port")
    query = "&".join(f"{quote(k, safe='')}={quote(v, safe='/')}" for k, v in params.items())
    return f"postgresql://{netloc}/{quote(dbname, safe='')}" + (f"?{query}" if query else "")


@lru_cache(maxsize=4096)
def describe(url: str) -> str:
    """``database 'db' on host:port`` for messages."""
    try:
        info = conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return location(url)
    host = str(info.get("host") or "localhost")
    port = str(info.get("port") or "5432")
    db = str(info.get("dbname") or info.get("user") or "postgres")
    where = host if host.startswith("/") else f"{host}:{port}"
    return f"database '{db}' on {where}"


def database_name(url: str) -> str:
    params = _params(url)
    return str(params.get("dbname") or params.get("user") or "postgres")


def database_url(server_url: str, database: str, *, host: str | None = None, port: Any = None,
                 user: str | None = None, password: str | None = None) -> str:
    """A connection string for ``database`` on the server of ``server_url``, the parts given
    replacing the server's (a registry row's host, port, user, password)."""
    given = {"host": host, "port": None if port is None else str(port), "user": user, "password": password}
    try:
        return make_conninfo(server_url, dbname=database, **{k: v for k, v in given.items() if v is not None})
    except psycopg.ProgrammingError as err:
        raise invalid(server_url, err) from None


@lru_cache(maxsize=4096)
def _sets_timeout(url: str) -> bool:
    """Whether the connection string sets its own ``connect_timeout`` (a fleet connects to the
    same targets again and again: parsed once each)."""
    return "connect_timeout" in _params(url)


def connect(url: str, *, timeout: int | None = None, autocommit: bool = True,
            dbname: str | None = None) -> psycopg.Connection[tuple[Any, ...]]:
    """Open a connection or raise :class:`ConnectionFailed` with the reason, its SQLSTATE and a
    hint. ``timeout``: seconds to wait for the server (default 10), unless the URL sets its own
    ``connect_timeout``."""
    kwargs: dict[str, Any] = {"autocommit": autocommit}
    if not _sets_timeout(url):
        kwargs["connect_timeout"] = timeout or CONNECT_TIMEOUT
    if dbname is not None:
        kwargs["dbname"] = dbname
    try:
        return psycopg.connect(url, **kwargs)
    except psycopg.ProgrammingError as err:
        raise invalid(url, err) from None
    except psycopg.OperationalError as err:
        raise login_error(describe(url if dbname is None else database_url(url, dbname)), err) from None


@contextmanager
def connection(url: str, *, timeout: int | None = None, autocommit: bool = True,
               dbname: str | None = None) -> Iterator[psycopg.Connection[tuple[Any, ...]]]:
    conn = connect(url, timeout=timeout, autocommit=autocommit, dbname=dbname)
    try:
        yield conn
    finally:
        conn.close()
