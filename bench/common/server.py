"""Which server a benchmark measures on, URLs of its databases, and Ctrl-C for SIGTERM."""

from __future__ import annotations

import contextlib
import os
import signal
from collections.abc import Iterator
from types import FrameType
from urllib.parse import urlsplit, urlunsplit

import psycopg

#: the local server; when nothing answers there, the embedded one (see :func:`pick_server`)
DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
#: every database a benchmark creates is named ``trueup_bench_*``
PREFIX = "trueup_bench_"


def default_url() -> str:
    """``$TRUEUP_BENCH_PG_URL``, else the local server."""
    return os.environ.get("TRUEUP_BENCH_PG_URL", DEFAULT_URL)


def answers(url: str) -> bool:
    try:
        with psycopg.connect(url, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
        return True
    except psycopg.Error:
        return False


def pick_server(url: str) -> str:
    """``url`` if a server answers there, else the embedded PostgreSQL server (started here)."""
    if answers(url):
        return url
    print(f"note: nothing answers at {url}; starting the embedded PostgreSQL server", flush=True)
    from trueup.engines.postgres.embedded import embedded_url

    return str(embedded_url())


def with_database(url: str, dbname: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path="/" + dbname))


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sigterm(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


@contextlib.contextmanager
def interrupt_on_sigterm() -> Iterator[None]:
    """SIGTERM raises KeyboardInterrupt, so that the cleanup of Ctrl-C runs for it too."""
    old = signal.signal(signal.SIGTERM, _sigterm)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, old)
