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

from trueup.engines.interface.renames import Rename, config_renames
from trueup.engines.interface.tenancy import MAPPABLE
from trueup.engines.interface.using import parse_parts, parse_path
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


class TenantRegistryDiscovery(_Strict):
    """The tenants trueup's own registry (``[registry]``) lists as active in this group."""

    registry: Literal["trueup"]


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


_PLACEHOLDER = re.compile(r"\{(\w+)\}")


class ProvisionConfig(_Strict):
    """Where a group's new tenants are made (``trueup tenant create``): a database each on
    ``server``, or a schema each in the database of ``server``; names are patterns of
    ``{name}`` (the tenant's name)."""

    server: str
    database: str | None = None
    schema_: str | None = Field(default=None, alias="schema")
    #: the owner role of a tenant's objects; its login roles are ``<role>_login<N>``
    role: str = "tenant_{name}"
    #: copy new tenant databases from a template database holding the desired state (built
    #: once per desired state) instead of building each one
    template: bool = True
    #: schema per tenant: the schema of the desired state that stands for each tenant's schema
    template_schema: str = "public"

    @model_validator(mode="after")
    def _one_place(self) -> ProvisionConfig:
        if (self.database is None) == (self.schema_ is None):
            raise ValueError("provision needs 'database' (a database per tenant) or 'schema' (a schema per tenant)")
        for key, value in (("database", self.database), ("schema", self.schema_), ("role", self.role)):
            if value is None:
                continue
            if "{name}" not in value:
                raise ValueError(f"provision.{key} must hold {{name}} (the tenant's name), e.g. \"tenant_{{name}}\"")
            bad = [p for p in _PLACEHOLDER.findall(value) if p != "name"]
            if bad:
                raise ValueError(f"provision.{key}: unknown placeholder {{{bad[0]}}} (only {{name}})")
        return self

    def name_of(self, key: str, tenant: str) -> str:
        pattern = {"database": self.database, "schema": self.schema_, "role": self.role}[key]
        assert pattern is not None
        return pattern.replace("{name}", tenant)


class RegistryConfig(_Strict):
    """Where trueup keeps its tenant registry (schema ``trueup`` of that database), the key its
    passwords are encrypted with, and, optionally, an application's own registry table to read
    and write through."""

    url: str
    #: a file holding the secret key (else the environment variable TRUEUP_SECRET_KEY)
    key_file: str | None = None
    #: an application's registry table (``schema.table``), and its columns by trueup's names
    table: str | None = None
    columns: dict[str, str] = {}
    #: seconds a tenant may stay provisioning, dropping or failed before `registry check` calls it stuck
    stuck_after_s: int = Field(default=900, ge=1)
    #: seconds to wait for another command working on the same tenant
    wait_for_lock_s: float = Field(default=30.0, ge=0)

    @model_validator(mode="after")
    def _mapping(self) -> RegistryConfig:
        if self.columns and not self.table:
            raise ValueError("columns needs table (the application's registry table)")
        if self.table:
            if len(parse_parts(self.table) or ()) != 2:
                raise ValueError(f"table {self.table!r} is not schema.table")
            unknown = [k for k in self.columns if k not in MAPPABLE]
            if unknown:
                raise ValueError(f"columns: unknown field '{unknown[0]}' (fields: {', '.join(MAPPABLE)})")
            if "name" not in self.columns:
                raise ValueError("columns needs name (the column holding the tenant's name)")
        return self


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
    discover: RegistryDiscovery | TenantRegistryDiscovery | DatabaseDiscovery | SchemaDiscovery | None = None
    #: where `trueup tenant create` makes this group's tenants
    provision: ProvisionConfig | None = None
    reference_data: str | None = None
    schemas: list[str] | None = None
    ignore: IgnoreRules = IgnoreRules()
    #: USING expressions for column type changes the server has no cast for, by column
    #: (``"schema.table.column" = "expression"``; schema-per-tenant: the template schema's)
    using: dict[str, str] = {}
    #: declared renames, ``"schema.old" = "new"`` or ``"schema.table.old" = "new"``
    #: (schema-per-tenant: the template schema's objects)
    renames: dict[str, str] = {}

    @field_validator("renames")
    @classmethod
    def _rename_paths(cls, v: dict[str, str]) -> dict[str, str]:
        try:
            config_renames(v)
        except TrueupError as err:
            raise ValueError(f"{err} ({err.hint})" if getattr(err, "hint", None) else str(err)) from None
        return v

    def rename_list(self) -> tuple[Rename, ...]:
        """``renames`` as renames."""
        return config_renames(self.renames)

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
        if v.get("registry") == "trueup" and "query" not in v:
            return TenantRegistryDiscovery.model_validate(v)
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
    def template_schema(self) -> str | None:
        """Schema per tenant: the desired state's schema that stands for each tenant's."""
        if isinstance(self.discover, SchemaDiscovery):
            return self.discover.template_schema
        if self.provision is not None and self.provision.schema_ is not None:
            return self.provision.template_schema
        return None

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
    registry: RegistryConfig | None = None
    settings: Settings = Settings()
    apply: ApplySettings = ApplySettings()
    state: StateConfig = StateConfig()
    groups: dict[str, GroupConfig]
    #: folder of the config file: relative paths in it are relative to this
    base_dir: Path = Path(".")

    @model_validator(mode="after")
    def _registry_declared(self) -> Config:
        for name, g in self.groups.items():
            if isinstance(g.discover, TenantRegistryDiscovery) and self.registry is None:
                raise ValueError(f"groups.{name}.discover names the trueup registry, but there is no [registry]"
                                 " (url = ...)")
        return self

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
                                             "TenantRegistryDiscovery", "DatabaseDiscovery", "SchemaDiscovery")))
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
