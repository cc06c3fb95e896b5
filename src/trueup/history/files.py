"""Migrations folders, read as SQL, one layout per framework (docs/history.md says how each
framework's migrations are turned into SQL files).

Every migration is read as a :class:`Migration`: the identity its framework records in its
history table (``key``), what a person reads (``label``), its SQL and its checksum as that
framework computes it. Nothing here touches a database.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from trueup.errors import SourceError
from trueup.history.checksums import flyway_crc32, sha256_hex

#: the frameworks whose history trueup reads ("auto" picks one per target: see tables.py)
FRAMEWORKS = ("trueup", "flyway", "prisma", "laravel", "alembic", "django")

#: the first line that makes a trueup migration run outside a transaction
NO_TRANSACTION = "-- trueup:no-transaction"

_VERSIONED = re.compile(r"^V(?P<version>\d+(?:[._]\d+)*)__(?P<description>.+)\.sql$")
#: an optional ordering prefix (``0001__``) before a recorded name (Alembic, Django)
_ORDERED = re.compile(r"^(?P<order>\d+)__(?P<name>.+)$")
_LARAVEL_PRETEND_NAME = re.compile(r"^\s*(?P<name>\d{4}_\d{2}_\d{2}_\d{6}_\w+)\s*\.*\s*(?:\S+\s*)?$")
_LARAVEL_PRETEND_SQL = re.compile(r"^\s*⇂\s?(?P<sql>.*?)\s*$")
_ALEMBIC_MARKER = re.compile(r"^-- Running upgrade (?P<prev>.*?)\s*-> (?P<rev>[\w]+)(?:, (?P<message>.*))?$")
_TRANSACTION_LINE = re.compile(r"^\s*(BEGIN|COMMIT|START TRANSACTION)\s*;\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Migration:
    """One migration as its framework records it."""

    key: str  # the identity in the history table: a version, a name, a revision, "app.name"
    label: str  # what a person reads: "V41", "2024_01_01_000000_create_users"
    description: str
    sql: str
    source: str  # the file it came from (and the line, for migrations split out of one file)
    checksum: str | None  # as the framework computes it (None: it records none)
    transactional: bool = True
    #: the file's bytes, for the checksum of a framework other than the folder's ("auto")
    data: bytes = field(default=b"", repr=False, compare=False)

    def checksum_as(self, framework: str) -> str | None:
        """The checksum ``framework`` records for this file (None: it records none)."""
        if not self.data:
            return self.checksum
        if framework == "flyway":
            return str(flyway_crc32(self.data))
        return sha256_hex(self.data) if framework in ("trueup", "prisma") else None


class MigrationsFolder:
    """A framework's migrations, in the order they run."""

    def __init__(self, framework: str, migrations: Iterable[Migration], where: str) -> None:
        self.framework = framework
        self.migrations = list(migrations)
        self.where = where
        self.by_key = {m.key: m for m in self.migrations}

    def __len__(self) -> int:
        return len(self.migrations)

    def index(self, key: str) -> int:
        """Position of migration ``key`` (0-based)."""
        for i, m in enumerate(self.migrations):
            if m.key == key:
                return i
        raise KeyError(key)


def read_folder(path: Path, framework: str) -> MigrationsFolder:
    """Read a migrations folder (or, for Laravel and Alembic, the one file of offline SQL their
    tools print) in ``framework``'s layout. Raises :class:`SourceError` naming the file."""
    if framework not in FRAMEWORKS:
        raise SourceError(f"unknown migration history {framework!r}",
                          "use one of: " + ", ".join(FRAMEWORKS))
    if not path.exists():
        raise SourceError(f"migrations folder {path} does not exist",
                          "check `migrations = { dir = ... }` (relative to trueup.toml)")
    readers: dict[str, Callable[[Path], list[Migration]]] = {
        "trueup": _trueup, "flyway": _flyway, "prisma": _prisma, "laravel": _laravel, "alembic": _alembic,
        "django": _django,
    }
    migrations = readers[framework](path)
    if not migrations:
        raise SourceError(f"{path} holds no {framework} migrations", _LAYOUT_HINTS[framework])
    seen: dict[str, str] = {}
    for m in migrations:
        if m.key in seen:
            raise SourceError(f"{m.source} and {seen[m.key]} are both migration {m.label}",
                              "every migration needs its own version or name")
        seen[m.key] = m.source
    return MigrationsFolder(framework, migrations, str(path))


_LAYOUT_HINTS = {
    "trueup": "name them V<number>__<description>.sql (V1__create_users.sql); `trueup migrate new NAME` makes one",
    "flyway": "Flyway's layout: V<version>__<description>.sql",
    "prisma": "Prisma's layout: <name>/migration.sql in prisma/migrations",
    "laravel": "a .sql file per migration named as the migrations table records it, or the output of "
               "`php artisan migrate --pretend` in one file",
    "alembic": "a .sql file per revision (0001__<revision>.sql), or the output of `alembic upgrade head --sql`",
    "django": "a .sql file per migration named <app>.<name>.sql (0001__auth.0001_initial.sql to order them), "
              "each the output of `python manage.py sqlmigrate <app> <name>`",
}


def _read(path: Path) -> tuple[bytes, str]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError(f"cannot read migration {path}: {exc.strerror or exc}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SourceError(f"migration {path} is not UTF-8 text (byte {exc.start})",
                          "save the file as UTF-8") from None
    return data, text.removeprefix("\ufeff")


def _sql_files(folder: Path, framework: str) -> list[Path]:
    if not folder.is_dir():
        raise SourceError(f"{folder} is not a folder", _LAYOUT_HINTS[framework])
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix == ".sql")


def _versioned(folder: Path, framework: str) -> list[tuple[tuple[int, ...], Path, re.Match[str]]]:
    out = []
    for p in _sql_files(folder, framework):
        m = _VERSIONED.match(p.name)
        if m is None:
            if framework == "flyway" and p.name[:1] in "RU" and "__" in p.name:
                continue  # repeatable and undo migrations: not versioned history (docs/history.md)
            raise SourceError(f"{p} is not named as a {framework} migration", _LAYOUT_HINTS[framework])
        version = tuple(int(part) for part in re.split(r"[._]", m["version"]))
        out.append((version, p, m))
    out.sort(key=lambda item: item[0])
    return out


def version_text(version: tuple[int, ...]) -> str:
    """A version as trueup writes it: Flyway's 1, 1.0 and 1.0.0 are one version ("1")."""
    parts = list(version)
    while len(parts) > 1 and parts[-1] == 0:
        parts.pop()
    return ".".join(str(v) for v in parts)


def _trueup(folder: Path) -> list[Migration]:
    out = []
    items = _versioned(folder, "trueup")
    for i, (version, p, m) in enumerate(items):
        if len(version) != 1:
            raise SourceError(f"{p}: trueup migrations are numbered V1, V2, ... (not {m['version']})",
                              _LAYOUT_HINTS["trueup"])
        if version[0] != i + 1:
            expected = i + 1
            raise SourceError(f"{p}: expected V{expected} here (migrations are numbered without gaps or repeats)",
                              f"rename it V{expected}__{m['description']}.sql or fill the gap")
        data, text = _read(p)
        out.append(Migration(str(version[0]), f"V{version[0]}", m["description"].replace("_", " "), text, str(p),
                             sha256_hex(data), transactional=text.lstrip().split("\n", 1)[0].strip() != NO_TRANSACTION,
                             data=data))
    return out


def _flyway(folder: Path) -> list[Migration]:
    out = []
    for version, p, m in _versioned(folder, "flyway"):
        data, text = _read(p)
        v = version_text(version)
        out.append(Migration(v, f"V{v}", m["description"].replace("_", " "), text, str(p), str(flyway_crc32(data)),
                             data=data))
    return out


def _prisma(folder: Path) -> list[Migration]:
    if not folder.is_dir():
        raise SourceError(f"{folder} is not a folder", _LAYOUT_HINTS["prisma"])
    out = []
    for d in sorted(p for p in folder.iterdir() if p.is_dir()):
        f = d / "migration.sql"
        if not f.is_file():
            raise SourceError(f"{d} holds no migration.sql", _LAYOUT_HINTS["prisma"])
        data, text = _read(f)
        out.append(Migration(d.name, d.name, d.name, text, str(f), sha256_hex(data), data=data))
    return out


def _named(folder: Path, framework: str, checksum: bool = False) -> list[Migration]:
    out = []
    for p in _sql_files(folder, framework):
        stem = p.name[:-4]
        m = _ORDERED.match(stem)
        name = m["name"] if m else stem
        data, text = _read(p)
        out.append(Migration(name, name, name, _without_transaction_lines(text), str(p),
                             sha256_hex(data) if checksum else None, data=data))
    return out


def _without_transaction_lines(text: str) -> str:
    """The tools' offline SQL wraps migrations in BEGIN/COMMIT; trueup runs each migration in a
    transaction of its own, so those lines are left out."""
    return "\n".join(line for line in text.split("\n") if not _TRANSACTION_LINE.match(line))


def _laravel(path: Path) -> list[Migration]:
    if path.is_dir():
        return _named(path, "laravel")
    _, text = _read(path)
    out: list[Migration] = []
    name: str | None = None
    start = 0
    statements: list[str] = []

    def close() -> None:
        if name is not None:
            out.append(Migration(name, name, name, ";\n".join(statements) + (";\n" if statements else ""),
                                 f"{path}:{start}", None))

    for number, line in enumerate(text.split("\n"), 1):
        sql = _LARAVEL_PRETEND_SQL.match(line)
        if sql is not None:
            if name is None:
                raise SourceError(f"{path}:{number}: SQL before any migration's name",
                                  "give the whole output of `php artisan migrate --pretend`")
            statements.append(sql["sql"])
            continue
        named = _LARAVEL_PRETEND_NAME.match(line)
        if named is not None:
            close()
            name, start, statements = named["name"], number, []
    close()
    return out


def _alembic(path: Path) -> list[Migration]:
    if path.is_dir():
        return _named(path, "alembic")
    _, text = _read(path)
    out: list[Migration] = []
    current: tuple[str, str, int] | None = None
    lines: list[str] = []

    def close() -> None:
        if current is not None:
            rev, message, start = current
            out.append(Migration(rev, rev, message, _without_transaction_lines("\n".join(lines)).strip() + "\n",
                                 f"{path}:{start}", None))

    for number, line in enumerate(text.split("\n"), 1):
        marker = _ALEMBIC_MARKER.match(line)
        if marker is not None:
            close()
            current, lines = (marker["rev"], marker["message"] or marker["rev"], number), []
        elif current is not None and "alembic_version" not in line:
            lines.append(line)
    close()
    return out


def _django(folder: Path) -> list[Migration]:
    migrations = _named(folder, "django")
    for m in migrations:
        if "." not in m.key:
            raise SourceError(f"{m.source} is not named <app>.<migration>.sql", _LAYOUT_HINTS["django"])
    return migrations


def new_migration(folder: Path, name: str) -> Path:
    """Create the next trueup migration file in ``folder`` (made if missing): ``V<n>__name.sql``."""
    slug = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")
    if not slug:
        raise SourceError(f"{name!r} makes no file name", "name it with letters or digits: create_users")
    folder.mkdir(parents=True, exist_ok=True)
    existing = _trueup(folder) if any(folder.glob("*.sql")) else []
    path = folder / f"V{len(existing) + 1}__{slug}.sql"
    path.write_text(f"-- {name}\n", encoding="utf-8")
    return path
