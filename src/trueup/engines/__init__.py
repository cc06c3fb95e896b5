"""Database engines. Each engine is a sub-package with the same inner modules:
``driver`` (connect), ``inspect`` (catalog → model), ``kinds`` (SQL per object kind),
``scratch`` (load .sql into a throw-away database)."""

from __future__ import annotations

from trueup.engines.base import Engine
from trueup.errors import TrueupError


def engine_for_url(url: str) -> Engine:
    """The engine that speaks the URL's scheme."""
    scheme = url.split(":", 1)[0].lower()
    if scheme in ("postgresql", "postgres"):
        from trueup.engines.postgres import ENGINE

        return ENGINE
    raise TrueupError(
        f"unsupported database URL scheme '{scheme}:'",
        hint="use a postgresql:// URL (MySQL/MariaDB support is on the roadmap)",
    )


def engine_by_name(name: str) -> Engine:
    if name == "postgresql":
        from trueup.engines.postgres import ENGINE

        return ENGINE
    raise TrueupError(f"unknown engine '{name}'")


__all__ = ["Engine", "engine_by_name", "engine_for_url"]
