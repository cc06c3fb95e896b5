"""What tenant lifecycle (:mod:`trueup.tenants`) asks of an engine: the tenant registry kept in a
database of that engine, and a server's roles, databases and schemas.

Passwords cross this boundary twice only: as the plain text a :class:`ServerOps` sets or tries
(it sends the server a verifier where the engine can, never the plain text), and as the
ciphertext the registry stores. Neither ever appears in an error's message.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

#: a tenant's statuses; ``failed`` carries the phase it failed in
STATUSES = ("provisioning", "active", "suspended", "dropping", "dropped", "failed")
#: statuses a tenant passes through on the way to another: held longer than a threshold, stuck
TRANSITIONAL = frozenset({"provisioning", "dropping", "failed"})
#: a mapped application table: the fields it may hold, by trueup's name for them
MAPPABLE = ("name", "group", "database", "schema", "role", "password", "status", "server")


@dataclass(frozen=True)
class Tenant:
    """One registry row. ``secret`` is the encrypted password of ``role`` (never plain text);
    ``pending_*``: the credentials a rotation is switching to; ``retiring_role``: the login a
    finished switch still has to retire. ``managed`` is False for a row of a mapped application
    table trueup has no state for (the application registered it)."""

    name: str
    group: str
    status: str
    phase: str | None = None
    server: str | None = None
    database: str | None = None
    schema: str | None = None
    owner: str | None = None
    role: str | None = None
    secret: str | None = None
    pending_role: str | None = None
    pending_secret: str | None = None
    retiring_role: str | None = None
    generation: int = 1
    error: str | None = None
    created: datetime | None = None
    updated: datetime | None = None
    managed: bool = True
    #: the last audit's verdict (``in_sync``, ``drift: N finding(s)``, ``error: ...``), when, and
    #: the schema version it found (groups with migrations)
    audit: str | None = None
    audited: datetime | None = None
    schema_version: str | None = None


@dataclass(frozen=True)
class Event:
    """One step of a tenant's life, as recorded: ``state`` started, done or failed."""

    at: datetime
    step: str
    state: str
    detail: str | None = None


@dataclass(frozen=True)
class RegistryMapping:
    """An application's own registry table (``[registry] table`` and ``columns``): trueup's
    field -> the table's column."""

    table: tuple[str, str]
    columns: Mapping[str, str] = field(default_factory=dict)


class Registry(Protocol):
    """The tenant registry in a database (schema ``trueup``, created and upgraded on first use).
    Every call is its own short transaction: a failure leaves the row as the last call did."""

    def get(self, name: str) -> Tenant | None: ...

    def tenants(self, group: str | None = None) -> list[Tenant]:
        """Every tenant (of ``group``), by name; with a mapping, the application's rows too."""
        ...

    def insert(self, tenant: Tenant) -> None:
        """Register a new tenant; a TrueupError if the name is taken."""
        ...

    def unmapped(self) -> list[str]:
        """trueup's tenants (not dropped) that the mapped application table has no row for
        (none without a mapping)."""
        ...

    def update(self, name: str, **changes: object) -> Tenant:
        """Change fields of a tenant's row (``updated`` moves with them); the row as it now is."""
        ...

    def record_audits(self, verdicts: Sequence[tuple[str, str, str | None]]) -> None:
        """Keep each tenant's last audit: (name, verdict, schema version or None)."""
        ...

    def log(self, name: str, step: str, state: str, detail: str | None = None) -> None:
        """Append to the tenant's event log."""
        ...

    def events(self, name: str) -> list[Event]: ...

    def lock(self, name: str, wait_s: float) -> AbstractContextManager[None]:
        """Hold the tenant's lock (one step machine at a time on a tenant, across machines);
        a TrueupError naming the holder if it is not free within ``wait_s``."""
        ...

    def meta(self, key: str) -> str | None:
        """A value of the registry's own (the key check)."""
        ...

    def set_meta(self, key: str, value: str) -> None: ...

    def close(self) -> None: ...


class ServerOps(Protocol):
    """A server's roles, databases and schemas, on one admin connection. Every operation is
    idempotent (creating what exists, dropping what does not, are no-ops) and commits alone."""

    def roles(self, pattern: str) -> list[str]:
        """Roles whose name matches the LIKE ``pattern``."""
        ...

    def databases(self, pattern: str) -> list[str]: ...

    def schemas(self, database: str, pattern: str) -> list[str]:
        """Schemas of ``database`` (on this server) whose name matches."""
        ...

    def ensure_owner(self, role: str) -> None:
        """A role that owns a tenant's objects and cannot log in."""
        ...

    def ensure_login(self, role: str, password: str, owner: str, schema: str | None = None) -> None:
        """A login role acting as ``owner`` (a member of it, working as it by default), with
        this password (set again if the role exists); ``schema``: a schema-per-tenant tenant's,
        where its unqualified names are looked up."""
        ...

    def drop_role(self, role: str, databases: Sequence[str] = ()) -> None:
        """Drop a role (its privileges in ``databases`` first); its sessions are ended."""
        ...

    def ensure_database(self, name: str, owner: str | None, template: str | None = None) -> bool:
        """Create a database owned by ``owner`` (None: the admin), copied from ``template`` with
        its objects given to ``owner``; False if it existed."""
        ...

    def rename_database(self, old: str, new: str) -> None:
        """Rename a database (a template once it is complete)."""
        ...

    def has_database(self, name: str) -> bool: ...

    def give_objects(self, database: str, to: str, schema: str | None = None) -> None:
        """Every object of ``database`` (of its ``schema`` only) that the admin role owns
        becomes ``to``'s: trueup builds a tenant's schema as the admin, then hands it over."""
        ...

    def drop_database(self, name: str) -> None:
        """Drop a database, ending its sessions first."""
        ...

    def ensure_schema(self, database: str, name: str, owner: str) -> bool:
        """Create schema ``name`` in ``database``, owned by ``owner``; False if it existed."""
        ...

    def drop_schema(self, database: str, name: str) -> None: ...

    def end_sessions(self, database: str, role: str | None = None) -> int:
        """End the sessions on ``database`` (of ``role`` only, if given); how many."""
        ...

    def can_log_in(self, url: str, timeout: int) -> str | None:
        """None if ``url`` (with its password) logs in, else why not (no password in it)."""
        ...

    def dump(self, url: str, file: str, schema: str | None = None) -> None:
        """Dump a database (one schema of it) to ``file`` with the engine's dump tool; the
        password goes through the environment, never the command line."""
        ...

    def close(self) -> None: ...


class Tenancy(Protocol):
    """The engine's part of tenant lifecycle (``Engine.tenancy``)."""

    def open_registry(self, url: str, mapping: RegistryMapping | None = None) -> Registry: ...

    def server_ops(self, server_url: str, *, timeout: int | None = None) -> ServerOps: ...

    def template_name(self, group: str, digest: str) -> str:
        """The name of the template database a group's tenants are copied from."""
        ...

    def dump_available(self) -> bool: ...

