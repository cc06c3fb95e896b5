"""Targets of a group: listed explicitly or discovered at run time."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote, urlsplit, urlunsplit

import psycopg

from trueup.config import (
    Config,
    DatabaseDiscovery,
    GroupConfig,
    RegistryDiscovery,
    SchemaDiscovery,
    TargetSpec,
)
from trueup.engines.postgres.driver import connection, error_message, redact, with_database
from trueup.errors import TrueupError


@dataclass(frozen=True)
class Target:
    group: str
    name: str
    url: str
    #: schema-per-tenant: the tenant's schema in the database at ``url``
    schema: str | None = None

    @property
    def location(self) -> str:
        """Where it is, safe to print (no password)."""
        return redact(self.url) + (f" schema {self.schema}" if self.schema else "")


class DiscoveryError(TrueupError):
    """Targets of a group could not be listed."""


def database_name(url: str) -> str:
    path = urlsplit(url).path.lstrip("/")
    return unquote(path) or "postgres"


def replace_url(url: str, *, database: str | None = None, host: str | None = None, port: Any = None,
                user: str | None = None, password: str | None = None) -> str:
    """The URL with some of its parts replaced (registry rows carry them)."""
    parts = urlsplit(url)
    netloc = parts.netloc.rsplit("@", 1)[-1]
    old_user = parts.username
    old_password = parts.password
    h = host or parts.hostname or ""
    if ":" in h and not h.startswith("["):
        h = f"[{h}]"
    p = port or parts.port
    u = user or (unquote(old_user) if old_user else None)
    pw = password if password is not None else (unquote(old_password) if old_password else None)
    auth = ""
    if u:
        auth = quote(u, safe="")
        if pw is not None:
            auth += ":" + quote(str(pw), safe="")
        auth += "@"
    hostport = h + (f":{p}" if p else "") if (host or port) else netloc
    url2 = urlunsplit(parts._replace(netloc=auth + hostport))
    return with_database(url2, database) if database else url2


def _explicit(group_name: str, group: GroupConfig) -> list[Target]:
    out = []
    for t in group.targets:
        if isinstance(t, TargetSpec):
            out.append(Target(group_name, t.name or database_name(t.url), t.url))
        else:
            out.append(Target(group_name, database_name(t), t))
    return out


def discover(config: Config, group_name: str) -> list[Target]:
    """Every target of a group; raises :class:`DiscoveryError` with the reason when listing fails."""
    group = config.groups[group_name]
    targets = _explicit(group_name, group)
    d = group.discover
    if d is None:
        return targets
    try:
        if isinstance(d, DatabaseDiscovery):
            with connection(d.server) as conn:
                rows = conn.execute(
                    "SELECT datname FROM pg_database WHERE datname LIKE %s AND datallowconn"
                    " AND NOT datistemplate ORDER BY 1", (d.databases,)).fetchall()
            targets += [Target(group_name, str(r[0]), with_database(d.server, str(r[0]))) for r in rows]
        elif isinstance(d, SchemaDiscovery):
            with connection(d.server) as conn:
                rows = conn.execute(
                    "SELECT nspname FROM pg_namespace WHERE nspname LIKE %s ORDER BY 1", (d.schemas,)).fetchall()
            targets += [Target(group_name, str(r[0]), d.server, schema=str(r[0])) for r in rows]
        elif isinstance(d, RegistryDiscovery):
            targets += _from_registry(config, group_name, d)
    except psycopg.Error as err:
        raise DiscoveryError(f"group {group_name}: discovery failed: {error_message(err)}") from None
    except TrueupError as err:
        raise DiscoveryError(f"group {group_name}: discovery failed: {err.message}", err.hint) from None
    return targets


def _from_registry(config: Config, group_name: str, d: RegistryDiscovery) -> list[Target]:
    registry = config.groups.get(d.registry)
    if registry is None:
        raise DiscoveryError(f"group {group_name}: discover.registry names unknown group '{d.registry}'")
    holders = _explicit(d.registry, registry)
    if not holders:
        raise DiscoveryError(f"group {group_name}: registry group '{d.registry}' has no explicit targets")
    with connection(holders[0].url) as conn:
        cur = conn.execute(d.query)  # type: ignore[arg-type]
        cols = [c.name for c in cur.description or ()]
        rows = [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]
    if rows and ("name" not in cols or "database" not in cols):
        raise DiscoveryError(f"group {group_name}: the registry query must return columns 'name' and 'database'"
                             f" (got: {', '.join(cols)})")
    out = []
    for r in rows:
        url = replace_url(d.server, database=str(r["database"]), host=_opt(r.get("host")), port=r.get("port"),
                          user=_opt(r.get("user") or r.get("username")), password=_opt(r.get("password")))
        out.append(Target(group_name, str(r["name"]), url))
    return out


def _opt(value: object) -> str | None:
    return None if value is None else str(value)
