"""Database engines, found by URL scheme or by name.

Each engine is a sub-package with the same inner modules (see ``docs/architecture.md``) and an
``ENGINE`` object implementing :class:`trueup.engines.interface.engine.Engine`. The registry
names engine packages, not their code: an engine is imported the first time it is asked for,
so nothing outside ``engines/`` depends on any engine (or driver) to be importable.
"""

from __future__ import annotations

import importlib
from functools import cache
from typing import TYPE_CHECKING

from trueup.errors import TrueupError

if TYPE_CHECKING:
    from trueup.engines.interface.engine import Engine

#: engine name -> its package
ENGINES: dict[str, str] = {"postgresql": "trueup.engines.postgres"}
#: URL scheme -> engine name
SCHEMES: dict[str, str] = {"postgresql": "postgresql", "postgres": "postgresql"}
#: the engine of the embedded server, the server of last resort
DEFAULT_ENGINE = "postgresql"
#: schemes on the roadmap, for a better message than "unknown"
PLANNED: dict[str, str] = {"mysql": "MySQL", "mariadb": "MariaDB"}


@cache
def engine_by_name(name: str) -> Engine:
    package = ENGINES.get(name)
    if package is None:
        raise TrueupError(f"unknown engine '{name}'", hint=f"engines: {', '.join(ENGINES)}")
    engine: Engine = importlib.import_module(package).ENGINE
    return engine


def default_engine() -> Engine:
    return engine_by_name(DEFAULT_ENGINE)


def scheme_of(url: str) -> str | None:
    """The URL's scheme, lower case (None for a conninfo string, which has none)."""
    head, sep, _ = url.partition("://")
    return head.lower() if sep else None


def engine_for_url(url: str) -> Engine:
    """The engine that speaks the URL's scheme."""
    scheme = scheme_of(url) or ""
    name = SCHEMES.get(scheme)
    if name is None:
        if scheme in PLANNED:
            raise TrueupError(f"{PLANNED[scheme]} is not supported yet ('{scheme}://' URL)",
                              hint="MySQL/MariaDB support is on the roadmap; use a postgresql:// URL")
        shown = f"'{scheme}:'" if scheme else "without a scheme"
        raise TrueupError(f"unsupported database URL {shown}",
                          hint="use a postgresql://user@host:port/database URL")
    return engine_by_name(name)


__all__ = ["DEFAULT_ENGINE", "ENGINES", "PLANNED", "SCHEMES", "default_engine", "engine_by_name", "engine_for_url",
           "scheme_of"]
