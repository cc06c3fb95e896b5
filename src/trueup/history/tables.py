"""The history tables frameworks keep, read exactly as each framework writes them."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from trueup.engines.interface.session import Rows, Session, TableName
from trueup.errors import DatabaseError, TrueupError
from trueup.history.files import MigrationsFolder, version_text

#: SQLSTATE of a column that does not exist (the same code on PostgreSQL and MySQL's ANSI mode)
_UNDEFINED_COLUMN = "42703"


@dataclass(frozen=True)
class Applied:
    """One migration a history table records as applied (or as attempted)."""

    key: str
    checksum: str | None = None
    ok: bool = True  # False: recorded as failed, or started and never finished
    at: str | None = None  # when, as the table says
    baseline: bool = False  # recorded without running it (Flyway's baseline, trueup's `migrate baseline`)


@dataclass(frozen=True)
class HistoryTable:
    """A framework's history table: where it is, the columns read, and how its rows read."""

    framework: str
    table: str
    columns: tuple[str, ...]
    parse: Callable[[list[dict[str, Any]], MigrationsFolder], list[Applied]]
    #: what `--format json` and the docs call the layout, for messages
    layout: str


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _trueup(rows: list[dict[str, Any]], _folder: MigrationsFolder) -> list[Applied]:
    rows = sorted(rows, key=lambda r: int(r["version"]))
    return [Applied(str(r["version"]), _text(r["checksum"]), bool(r["success"]), _text(r["applied_at"]),
                    baseline=r["checksum"] is None) for r in rows]


def _flyway(rows: list[dict[str, Any]], folder: MigrationsFolder) -> list[Applied]:
    out: dict[str, Applied] = {}
    for r in sorted(rows, key=lambda r: int(r["installed_rank"])):
        if r["version"] is None or r["type"] == "SCHEMA":
            continue  # repeatable migrations and the schema-creation marker: not versioned history
        try:
            version = version_text(tuple(int(p) for p in str(r["version"]).replace("_", ".").split(".")))
        except ValueError:
            version = str(r["version"])
        if r["type"] == "DELETE":  # `flyway repair` marked an earlier row deleted
            out.pop(version, None)
            continue
        if r["type"] == "BASELINE":
            for m in folder.migrations:
                if _version_key(m.key) <= _version_key(version):
                    out.setdefault(m.key, Applied(m.key, None, True, _text(r["installed_on"]), baseline=True))
            continue
        out[version] = Applied(version, _text(r["checksum"]), bool(r["success"]), _text(r["installed_on"]))
    return list(out.values())


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in version.split("."))


def _prisma(rows: list[dict[str, Any]], _folder: MigrationsFolder) -> list[Applied]:
    out: dict[str, Applied] = {}
    for r in sorted(rows, key=lambda r: str(r["started_at"])):
        if r["rolled_back_at"] is not None:
            continue  # an attempt `prisma migrate resolve --rolled-back` set aside
        out[str(r["migration_name"])] = Applied(str(r["migration_name"]), _text(r["checksum"]),
                                                r["finished_at"] is not None, _text(r["finished_at"]))
    return list(out.values())


def _laravel(rows: list[dict[str, Any]], _folder: MigrationsFolder) -> list[Applied]:
    return [Applied(str(r["migration"]), at=f"batch {r['batch']}") for r in sorted(rows, key=lambda r: int(r["id"]))]


def _alembic(rows: list[dict[str, Any]], folder: MigrationsFolder) -> list[Applied]:
    """``alembic_version`` holds only the head revision(s): every revision up to a head, in the
    folder's order, counts as applied; a head the folder does not hold is recorded as is."""
    heads = {str(r["version_num"]) for r in rows}
    out: list[Applied] = []
    last = max((i for i, m in enumerate(folder.migrations) if m.key in heads), default=-1)
    out.extend(Applied(m.key) for m in folder.migrations[: last + 1])
    out.extend(Applied(h) for h in sorted(heads - folder.by_key.keys()))
    return out


def _django(rows: list[dict[str, Any]], _folder: MigrationsFolder) -> list[Applied]:
    return [Applied(f"{r['app']}.{r['name']}", at=_text(r["applied"]))
            for r in sorted(rows, key=lambda r: int(r["id"]))]


TABLES: Mapping[str, HistoryTable] = {
    t.framework: t for t in (
        HistoryTable("trueup", "trueup_schema_history",
                     ("version", "name", "checksum", "applied_at", "applied_by", "duration_ms", "success"), _trueup,
                     "trueup_schema_history(version, name, checksum, applied_at, applied_by, duration_ms, success)"),
        HistoryTable("flyway", "flyway_schema_history",
                     ("installed_rank", "version", "description", "type", "script", "checksum", "installed_on",
                      "success"), _flyway,
                     "flyway_schema_history(installed_rank, version, ..., checksum, installed_on, success)"),
        HistoryTable("prisma", "_prisma_migrations",
                     ("migration_name", "checksum", "started_at", "finished_at", "rolled_back_at"), _prisma,
                     "_prisma_migrations(id, checksum, finished_at, migration_name, logs, rolled_back_at, ...)"),
        HistoryTable("laravel", "migrations", ("id", "migration", "batch"), _laravel,
                     "migrations(id, migration, batch)"),
        HistoryTable("alembic", "alembic_version", ("version_num",), _alembic, "alembic_version(version_num)"),
        HistoryTable("django", "django_migrations", ("id", "app", "name", "applied"), _django,
                     "django_migrations(id, app, name, applied)"),
    )
}


@dataclass(frozen=True)
class History:
    """A target's history as its table records it (``table`` None: the target has none)."""

    framework: str
    table: TableName | None
    applied: tuple[Applied, ...] = ()


def read_history(session: Session, framework: str, schema: str, folder: MigrationsFolder,
                 where: str) -> History:
    """Read the target's history table (``framework`` "auto": whichever of the frameworks'
    tables it has, the folder's own framework first). One round trip for the rows."""
    candidates = [framework] if framework != "auto" else \
        [folder.framework, *(f for f in TABLES if f != folder.framework)]
    wanted = [((schema, TABLES[f].table), TABLES[f].columns) for f in candidates]
    try:
        found: list[Rows] = session.read_rows(wanted)
    except DatabaseError as exc:
        if exc.sqlstate != _UNDEFINED_COLUMN:
            raise
        found = _one_by_one(session, candidates, schema, where)
    for f, rows in zip(candidates, found, strict=True):
        if rows is not None:
            return History(f, (schema, TABLES[f].table), tuple(TABLES[f].parse(rows, folder)))
    return History(candidates[0], None)


def _one_by_one(session: Session, frameworks: Sequence[str], schema: str, where: str) -> list[Rows]:
    out: list[Rows] = []
    for f in frameworks:
        t = TABLES[f]
        try:
            out.extend(session.read_rows([((schema, t.table), t.columns)]))
        except DatabaseError as exc:
            if exc.sqlstate != _UNDEFINED_COLUMN:
                raise
            raise TrueupError(f"{where}: {schema}.{t.table} is not {f}'s history table: it lacks a column of "
                              f"{t.layout}", "name the framework that wrote it with migrations = { history = ... }"
                              ) from None
    return out


def bookkeeping(framework: str, schema: str) -> list[str]:
    """Ignore patterns (``trueup.toml``'s ``ignore.objects``) for the history tables of
    ``framework`` ("auto": every framework's) and the sequences their ids draw from: an audit
    compares schema, not the tools' bookkeeping."""
    tables = [t.table for f, t in TABLES.items() if framework in (f, "auto")]
    return [p for t in tables for p in (f"{schema}.{t}", f"sequence:{schema}.{t}_id_seq")]
