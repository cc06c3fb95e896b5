"""``trueup.toml``: groups of databases, each with its desired state.

Validated with pydantic; every error names the file, the key and what was expected.
``${ENV_VAR}`` is expanded in every string value before validation.
"""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from trueup.engines.interface.using import parse_path
from trueup.errors import TrueupError

DEFAULT_CONFIG = "trueup.toml"
_ENV = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


class ConfigError(TrueupError):
    """trueup.toml is missing, unreadable or invalid."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ScratchConfig(_Strict):
    url: str


class RegistryDiscovery(_Strict):
    """Tenants listed by a query on another group's database (the registry)."""

    registry: str = Field(description="group whose (first) target database holds the registry table")
    query: str
    server: str = Field(description="URL of the tenants' server; each row's database (host, ...) replace its parts")


class DatabaseDiscovery(_Strict):
    """Every database on a server whose name matches a LIKE pattern."""

    server: str
    databases: str


class SchemaDiscovery(_Strict):
    """Schema per tenant: every schema of one database whose name matches a LIKE pattern."""

    server: str
    schemas: str
    #: the schema of the desired state that stands for each tenant schema
    template_schema: str = "public"


class TargetSpec(_Strict):
    name: str | None = None
    url: str


class IgnoreRules(_Strict):
    """Glob patterns: schemas to skip entirely, and objects as ``kind:schema.name`` or ``schema.name``."""

    schemas: list[str] = []
    objects: list[str] = []
    preset: Literal["supabase"] | None = None


class MigrationsConfig(_Strict):
    """A group's migrations folder and whose history table records them (docs/history.md)."""

    dir: str
    history: Literal["trueup", "flyway", "prisma", "laravel", "alembic", "django", "auto"] = "trueup"
    #: the schema holding the history table (default: the engine's default schema, or the
    #: tenant's schema for schema-per-tenant groups)
    table_schema: str | None = Field(default=None, alias="schema")

    @property
    def layout(self) -> str:
        """The folder's layout: the framework named, trueup's own for "auto"."""
        return "trueup" if self.history == "auto" else self.history


class GroupConfig(_Strict):
    desired: str | None = None
    migrations: MigrationsConfig | None = None
    targets: list[str | TargetSpec] = []
    discover: RegistryDiscovery | DatabaseDiscovery | SchemaDiscovery | None = None
    reference_data: str | None = None
    schemas: list[str] | None = None
    ignore: IgnoreRules = IgnoreRules()
    #: USING expressions for column type changes the server has no cast for, by column
    #: (``"schema.table.column" = "expression"``; schema-per-tenant: the template schema's)
    using: dict[str, str] = {}

    @field_validator("using")
    @classmethod
    def _column_paths(cls, v: dict[str, str]) -> dict[str, str]:
        for key, expression in v.items():
            if parse_path(key) is None:
                raise ValueError(f"{key!r} is not a column path: write \"SCHEMA.TABLE.COLUMN\" = \"EXPRESSION\" "
                                 "(a part holding a dot in double quotes)")
            if not expression.strip():
                raise ValueError(f"{key!r} has an empty expression")
        return v

    def using_paths(self) -> dict[tuple[str, ...], str]:
        """``using`` by column path."""
        out = {}
        for key, expression in self.using.items():
            path = parse_path(key)
            assert path is not None  # (checked when loaded)
            out[path] = expression.strip()
        return out

    @field_validator("discover", mode="before")
    @classmethod
    def _pick_discovery(cls, v: Any) -> Any:
        if not isinstance(v, dict):
            return v
        for key, model in (("registry", RegistryDiscovery), ("databases", DatabaseDiscovery),
                           ("schemas", SchemaDiscovery)):
            if key in v:
                return model.model_validate(v)
        raise ValueError("discover needs one of 'registry', 'databases' or 'schemas'")

    @model_validator(mode="after")
    def _has_targets(self) -> GroupConfig:
        if not self.targets and self.discover is None:
            raise ValueError("a group needs 'targets' or 'discover'")
        if self.desired is None and self.migrations is None:
            raise ValueError("a group needs 'desired' or 'migrations' (or both)")
        return self

    @property
    def source_key(self) -> str:
        """What the group's desired state is built from: its ``desired`` source, else its
        migrations folder."""
        if self.desired is not None:
            return self.desired
        assert self.migrations is not None  # (checked when loaded)
        return f"migrations:{self.migrations.dir}"


class Settings(_Strict):
    concurrency: int | None = Field(default=None, ge=1, le=512)
    connect_timeout: int = Field(default=10, ge=1, le=600)


class ApplySettings(_Strict):
    """Bounds on what an apply may do to live traffic."""

    lock_timeout_ms: int = Field(default=2000, ge=1)
    statement_timeout_ms: int = Field(default=300_000, ge=1)
    #: retries of a target whose statement timed out waiting for a lock
    lock_retries: int = Field(default=3, ge=0, le=50)
    #: seconds to wait for another apply's advisory lock on the same target
    wait_for_lock_s: float = Field(default=30.0, ge=0)


class StateConfig(_Strict):
    """Where the apply journal lives: a SQLite file (default) or a PostgreSQL database; the
    cache of loaded desired states goes to ``cache/`` beside the SQLite file."""

    path: str = ".trueup/journal.sqlite"
    url: str | None = None
    cache: bool = True


class Config(_Strict):
    scratch: ScratchConfig | None = None
    settings: Settings = Settings()
    apply: ApplySettings = ApplySettings()
    state: StateConfig = StateConfig()
    groups: dict[str, GroupConfig]
    #: folder of the config file: relative paths in it are relative to this
    base_dir: Path = Path(".")

    @field_validator("groups")
    @classmethod
    def _some_groups(cls, v: dict[str, GroupConfig]) -> dict[str, GroupConfig]:
        if not v:
            raise ValueError("declare at least one [groups.NAME]")
        return v

    def path(self, value: str) -> str:
        """A path from the config, resolved against the config's folder (URLs pass through)."""
        if "://" in value or Path(value).is_absolute():
            return value
        return str(self.base_dir / value)


def _expand(value: Any, where: str, missing: list[str]) -> Any:
    if isinstance(value, str):
        def repl(m: re.Match[str]) -> str:
            got = os.environ.get(m.group(1))
            if got is None:
                if m.group(2) is not None:
                    return m.group(2)
                missing.append(f"{where}: environment variable {m.group(1)} is not set")
                return ""
            return got

        return _ENV.sub(repl, value)
    if isinstance(value, dict):
        return {k: _expand(v, f"{where}.{k}" if where else k, missing) for k, v in value.items()}
    if isinstance(value, list):
        return [_expand(v, f"{where}[{i}]", missing) for i, v in enumerate(value)]
    return value


def _describe(err: ValidationError, file: str) -> str:
    first = err.errors()[0]
    loc = ".".join(str(p) for p in first["loc"]
                   if not str(p).startswith(("function-", "str", "TargetSpec", "RegistryDiscovery",
                                             "DatabaseDiscovery", "SchemaDiscovery")))
    msg = first["msg"].removeprefix("Value error, ")
    if first["type"] == "extra_forbidden":
        msg = "unknown key"
    elif first["type"] == "missing":
        msg = "required key is missing"
    return f"{file}: {loc or '(top level)'}: {msg}"


def load_config(path: str | Path | None = None) -> Config:
    file = Path(path or DEFAULT_CONFIG)
    if not file.exists():
        raise ConfigError(f"{file}: no such config file",
                          hint="create trueup.toml (see README: Fleet audit) or pass -c PATH")
    try:
        raw = tomllib.loads(file.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{file}: invalid TOML: {err}") from None
    except OSError as err:
        raise ConfigError(f"{file}: cannot read: {err.strerror}") from None
    missing: list[str] = []
    raw = _expand(raw, "", missing)
    if missing:
        raise ConfigError(f"{file}: {missing[0]}", hint="export it, or write ${NAME:-default} in the file")
    raw["base_dir"] = file.resolve().parent
    try:
        return Config.model_validate(raw)
    except ValidationError as err:
        raise ConfigError(_describe(err, str(file))) from None
