"""Changes to a framework's history rows, as data the engine renders (``migrate repair``'s
``--unrecord`` and ``--accept-checksums``): each framework's row is found by the columns that
identify it in that framework's table."""

from __future__ import annotations

from trueup.engines.interface.rows import RowChange
from trueup.errors import TrueupError
from trueup.history.tables import TABLES


def _key(framework: str, key: str) -> dict[str, str]:
    if framework == "trueup":
        return {"version": key}
    if framework == "flyway":
        return {"version": key}
    if framework == "prisma":
        return {"migration_name": key}
    if framework == "laravel":
        return {"migration": key}
    if framework == "django":
        app, name = key.split(".", 1)
        return {"app": app, "name": name}
    raise TrueupError(f"{framework} keeps only its head revision: trueup cannot forget one migration of it",
                      hint="use `alembic stamp <revision>` to move the head back")


def unrecord(framework: str, schema: str, key: str) -> RowChange:
    """Delete the history row(s) of migration ``key`` (its tool then runs it again)."""
    values = _key(framework, key)
    if framework == "trueup":
        return RowChange((schema, TABLES[framework].table), "delete", {"version": int(key)})
    return RowChange((schema, TABLES[framework].table), "delete", values)


def restamp(framework: str, schema: str, key: str, checksum: str) -> RowChange:
    """Record ``checksum`` as migration ``key``'s (the file's change accepted)."""
    if framework not in ("trueup", "flyway", "prisma"):
        raise TrueupError(f"{framework} records no checksums")
    ident: dict[str, object] = dict(_key(framework, key))
    if framework == "trueup":
        ident = {"version": int(key)}
    value: object = int(checksum) if framework == "flyway" else checksum
    return RowChange((schema, TABLES[framework].table), "update", ident, {"checksum": value})
