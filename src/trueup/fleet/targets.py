"""Targets of a group: listed explicitly or discovered at run time, each with a name unique in
its group.

A target's name is given (``{ name = "...", url = "..." }``), or is its database's name
(listed URLs, discovered databases), its schema's (schema per tenant) or its registry row's
``name``. Two targets of a group that would share a name are an error naming both: a report,
a plan and the stored probes of earlier audits all tell targets apart by name. (The same
database listed twice is one target.)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase

from trueup.config import (
    Config,
    DatabaseDiscovery,
    GroupConfig,
    RegistryDiscovery,
    SchemaDiscovery,
    TargetSpec,
    TenantRegistryDiscovery,
)
from trueup.engines import engine_by_name, engine_for_url
from trueup.engines.interface.engine import Engine
from trueup.errors import TrueupError


@dataclass(frozen=True)
class Target:
    group: str
    name: str
    #: a URL or, for discovered targets, the driver's connection string
    url: str
    #: schema-per-tenant: the tenant's schema in the database at ``url``
    schema: str | None = None
    #: the engine that speaks to it
    engine_name: str = "postgresql"

    @property
    def engine(self) -> Engine:
        return engine_by_name(self.engine_name)

    @property
    def key(self) -> tuple[str, str]:
        return (self.group, self.name)

    @property
    def location(self) -> str:
        """Where it is, safe to print (no password)."""
        return self.engine.location(self.url) + (f" schema {self.schema}" if self.schema else "")


class DiscoveryError(TrueupError):
    """Targets of a group could not be listed."""


def _explicit(group_name: str, group: GroupConfig) -> list[Target]:
    out = []
    for t in group.targets:
        url = t.url if isinstance(t, TargetSpec) else t
        engine = engine_for_url(url)
        name = t.name if isinstance(t, TargetSpec) and t.name else engine.database_name(url)
        out.append(Target(group_name, name, url, engine_name=engine.name))
    return out


def discover(config: Config, group_name: str, keep: Callable[[str], bool] | None = None) -> list[Target]:
    """Every target of a group (``keep``: only those whose name it accepts, known before their
    connection strings are built); raises :class:`DiscoveryError` with the reason when listing
    fails or two targets would share a name."""
    group = config.groups[group_name]
    timeout = config.settings.connect_timeout
    wanted = keep or (lambda name: True)
    try:
        targets = [t for t in _explicit(group_name, group) if wanted(t.name)]
        d = group.discover
        if isinstance(d, DatabaseDiscovery):
            engine = engine_for_url(d.server)
            targets += [Target(group_name, name, engine.database_url(d.server, name), engine_name=engine.name)
                        for name in engine.list_databases(d.server, d.databases, timeout=timeout) if wanted(name)]
        elif isinstance(d, SchemaDiscovery):
            engine = engine_for_url(d.server)
            targets += [Target(group_name, name, d.server, schema=name, engine_name=engine.name)
                        for name in engine.list_schemas(d.server, d.schemas, timeout=timeout) if wanted(name)]
        elif isinstance(d, RegistryDiscovery):
            targets += _from_registry(config, group_name, d, wanted)
        elif isinstance(d, TenantRegistryDiscovery):
            targets += _from_tenant_registry(config, group_name, wanted)
    except DiscoveryError:
        raise
    except TrueupError as err:
        raise DiscoveryError(f"group {group_name}: discovery failed: {err.message}", err.hint) from None
    return unique(group_name, targets)


def unique(group_name: str, targets: Sequence[Target]) -> list[Target]:
    """``targets`` with each name once: the same database twice is one target; two others of
    one name are an error naming both."""
    seen: dict[str, Target] = {}
    out = []
    for t in targets:
        first = seen.get(t.name)
        if first is None:
            seen[t.name] = t
            out.append(t)
        elif first.location != t.location:
            raise DiscoveryError(
                f"group {group_name}: two targets would both be named '{t.name}': {first.location} and {t.location}",
                hint='name them in trueup.toml: targets = [{ name = "...", url = "..." }], or narrow the discovery')
    return out


def _from_registry(config: Config, group_name: str, d: RegistryDiscovery,
                   wanted: Callable[[str], bool]) -> list[Target]:
    registry = config.groups.get(d.registry)
    if registry is None:
        raise DiscoveryError(f"group {group_name}: discover.registry names unknown group '{d.registry}'")
    holders = _explicit(d.registry, registry)
    if not holders:
        raise DiscoveryError(f"group {group_name}: registry group '{d.registry}' has no explicit targets")
    cols, rows = holders[0].engine.query(holders[0].url, d.query, timeout=config.settings.connect_timeout)
    if rows and ("name" not in cols or "database" not in cols):
        raise DiscoveryError(f"group {group_name}: the registry query must return columns 'name' and 'database'"
                             f" (got: {', '.join(cols)})")
    engine = engine_for_url(d.server)
    out = []
    for r in rows:
        if not wanted(str(r["name"])):
            continue
        url = engine.database_url(d.server, str(r["database"]), host=_opt(r.get("host")), port=r.get("port"),
                                  user=_opt(r.get("user") or r.get("username")), password=_opt(r.get("password")))
        out.append(Target(group_name, str(r["name"]), url, engine_name=engine.name))
    return out


def _from_tenant_registry(config: Config, group_name: str, wanted: Callable[[str], bool]) -> list[Target]:
    """The group's active tenants in trueup's registry, reached with the admin credentials of
    the group's ``provision.server``."""
    from trueup.fleet.tenant_registry import open_registry

    group = config.groups[group_name]
    if group.provision is None:
        raise DiscoveryError(f"group {group_name}: discover = {{ registry = \"trueup\" }} needs provision "
                             "(the server the tenants are on)", hint="add provision = { server = ..., database = ... }")
    registry = open_registry(config)
    try:
        tenants = [t for t in registry.tenants(group_name) if t.status == "active" and wanted(t.name)]
    finally:
        registry.close()
    server = group.provision.server
    engine = engine_for_url(server)
    out = []
    for t in tenants:
        if t.schema:
            out.append(Target(group_name, t.name, server, schema=t.schema, engine_name=engine.name))
        elif t.database:
            out.append(Target(group_name, t.name, engine.database_url(server, t.database), engine_name=engine.name))
    return out


def tenant_target(config: Config, group_name: str, name: str, database: str | None, schema: str | None,
                  *, user: str | None = None, password: str | None = None) -> Target:
    """A tenant as a target of its group: its database (or its schema of the provisioning
    server's database), as the admin or with the credentials given."""
    group = config.groups[group_name]
    assert group.provision is not None
    server = group.provision.server
    engine = engine_for_url(server)
    dbname = database if database else engine.database_name(server)
    url = engine.database_url(server, dbname, user=user, password=password)
    return Target(group_name, name, url, schema=schema, engine_name=engine.name)


def _opt(value: object) -> str | None:
    return None if value is None else str(value)


def select_targets(config: Config, groups: Sequence[str] | None = None, targets: Sequence[str] | None = None,
                   names: Sequence[tuple[str, str]] | None = None,
                   ) -> tuple[list[str], list[Target], list[tuple[str, DiscoveryError]]]:
    """The groups to work on, their targets (discovered, then filtered by name patterns and by
    exact ``names``), and each group whose discovery failed, with the reason."""
    group_names = list(groups or config.groups)
    if names is not None:
        group_names = [g for g in group_names if any(g == n[0] for n in names)]
    for g in group_names:
        if g not in config.groups:
            raise TrueupError(f"unknown group '{g}'", hint=f"groups in the config: {', '.join(config.groups)}")
    failed: list[tuple[str, DiscoveryError]] = []
    work: list[Target] = []
    wanted = set(names) if names is not None else None
    for g in group_names:
        def keep(name: str, group: str = g) -> bool:
            return (not targets or any(fnmatchcase(name, p) for p in targets)) and \
                (wanted is None or (group, name) in wanted)

        try:
            work.extend(discover(config, g, keep))
        except DiscoveryError as err:
            failed.append((g, err))
    return group_names, work, failed
