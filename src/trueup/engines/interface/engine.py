"""What the engine-neutral code asks of an engine: one object per engine (``ENGINE`` in its
package), found by URL scheme in :mod:`trueup.engines`.

An engine answers for everything that differs between database servers: the SQL of every kind
of object and how a plan is ordered among them (for :mod:`trueup.diff`), reading a database
into a model, connecting, discovering databases and schemas, scratch databases, and, through a
:class:`~trueup.engines.interface.session.Session`, everything the fleet does on one database.
Every failure leaves it as a :class:`~trueup.errors.TrueupError` (a
:class:`~trueup.errors.DatabaseError` carries the SQLSTATE): no driver exception crosses this
boundary.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from typing import Any, Protocol

from trueup.engines.interface.generators import KindSQL
from trueup.engines.interface.renames import Rename, RenameResult
from trueup.engines.interface.rows import RowChange
from trueup.engines.interface.session import Session
from trueup.engines.interface.sql import Change, Statement
from trueup.engines.interface.state import Journal, ProbeTable
from trueup.engines.interface.tenancy import Tenancy
from trueup.model import DbObject, ObjectId, Schema


class Engine(Protocol):
    #: the name models and snapshots record (``Schema.engine``)
    name: str
    #: URL schemes it answers for, lower case, without ``://``
    schemes: tuple[str, ...]

    # --- the diff: SQL per kind of object, and what orders a plan ---------------------------
    #: generator per object kind
    generators: Mapping[str, KindSQL]
    #: child kinds that the parent's CREATE statement already contains (a table's columns)
    inline_children: Mapping[str, frozenset[str]]
    #: dependent kinds that must be detached when an object they use is altered incompatibly
    rebuild_on_break: frozenset[str]
    #: tie-break order of kinds in a plan (lower first)
    kind_order: Sequence[str]
    #: whether DDL runs inside a transaction (all of a target's statements commit together);
    #: where not, a plan runs statement by statement and each one that lands is journaled
    transactional_ddl: bool

    def namespace_key(self, obj: DbObject) -> tuple[str, ...] | None:
        """Objects sharing a key cannot coexist (a view and a table of the same name)."""
        ...

    def dropped_with(self, obj: DbObject) -> ObjectId | None:
        """Besides its parent, the object whose drop silently drops ``obj`` too (or None)."""
        ...

    def preamble(self, changes: Sequence[Change]) -> list[str]:
        """Session settings a script of these changes needs first."""
        ...

    def declared_renames(self, files: Sequence[str]) -> list[Rename]:
        """The renames ``.sql`` files declare in their markers (``-- trueup:renamed-from ...``)."""
        ...

    def apply_renames(self, current: Schema, desired: Schema, renames: Sequence[Rename]) -> RenameResult:
        """The declared renames that apply to ``current`` (see
        :mod:`trueup.engines.interface.renames`): the model once renamed, the changes that rename
        (they run before every other change), and notes on those that do not apply."""
        ...

    # --- the audit's vocabulary ------------------------------------------------------------
    #: each object kind's finding category (the fixed vocabulary of :mod:`trueup.fleet.findings`)
    finding_categories: Mapping[str, str]
    #: kinds that can belong to a layer (group): top-level, named objects
    layer_kinds: frozenset[str]

    def rename_schema(self, schema: Schema, old: str, new: str) -> Schema:
        """A copy of ``schema`` whose objects in schema ``old`` live in ``new``, references
        included (schema-per-tenant: the template schema's model, moved to a tenant's)."""
        ...

    def row_statement(self, change: RowChange) -> Statement:
        """The statement that makes one reference-data repair, with its hazards."""
        ...

    # --- locations and connecting -----------------------------------------------------------
    def connect(self, url: str, *, timeout: int | None = None) -> Session:
        """An open session on the database of ``url`` (a URL or the driver's conninfo).
        ``timeout``: seconds to wait for the server, unless the URL sets its own."""
        ...

    def location(self, url: str) -> str:
        """Where ``url`` leads, safe to print (no password)."""
        ...

    def describe(self, url: str) -> str:
        """``database 'db' on host:port``, for messages."""
        ...

    def database_name(self, url: str) -> str:
        """The database ``url`` connects to."""
        ...

    def database_url(self, server_url: str, database: str, *, host: str | None = None, port: Any = None,
                     user: str | None = None, password: str | None = None) -> str:
        """A connection string for ``database`` on the server of ``server_url`` (parts given
        replace the server's), built by the driver: any name is safe in it."""
        ...

    def default_server(self) -> str:
        """The server of last resort (an embedded one), started if need be."""
        ...

    # --- reading databases --------------------------------------------------------------------
    def inspect(self, url: str, schemas: Sequence[str] | None = None, *, connections: int = 2) -> Schema:
        """The model of the database at ``url``, read on up to ``connections`` connections side
        by side (more than one pays when nothing else keeps the server busy meanwhile)."""
        ...

    def list_databases(self, server_url: str, pattern: str, *, timeout: int | None = None) -> list[str]:
        """Databases of the server whose name matches the LIKE ``pattern`` (connectable, not
        templates), by name."""
        ...

    def list_schemas(self, url: str, pattern: str, *, timeout: int | None = None) -> list[str]:
        """Schemas of the database whose name matches the LIKE ``pattern``, by name."""
        ...

    def query(self, url: str, sql: str, *, timeout: int | None = None) -> tuple[list[str], list[dict[str, Any]]]:
        """A user's query (a tenant registry's): its column names and rows."""
        ...

    # --- scratch databases and scripts ------------------------------------------------------
    def scratch_database(self, server_url: str) -> AbstractContextManager[str]:
        """An empty throw-away database on that server: yields its URL, always dropped after."""
        ...

    def apply_files(self, url: str, files: Sequence[str]) -> None:
        """Run ``.sql`` files in order, failing with the file and line of a failed statement."""
        ...

    def load_sql(self, server_url: str, files: Sequence[str], schemas: Sequence[str] | None = None, *,
                 connections: int = 2) -> Schema:
        """Apply ``.sql`` files to a scratch database on ``server_url``, inspect it, drop it."""
        ...

    def scratch_identity(self, server_url: str) -> str:
        """Everything besides the files that decides the model :meth:`load_sql` gives on that
        server (its version, the user, the extensions it offers, the settings deparsed text
        depends on): two loads of the same files with equal identities give equal models."""
        ...

    def create_database(self, server_url: str, name: str, *, replace: bool = False) -> str:
        """Create database ``name`` (``replace``: drop one of that name first); its URL."""
        ...

    def drop_database(self, server_url: str, name: str) -> None:
        """Drop database ``name`` if it exists (sessions on it are ended)."""
        ...

    def run_script(self, url: str, sql: str, *, schema: str | None = None) -> None:
        """Run a script of statements on the database of ``url`` (``schema``: with unqualified
        names looked up and created in that schema alone, made first if missing)."""
        ...

    # --- trueup's own bookkeeping in a database of this engine (``[state] url``) -----------------
    def open_journal(self, url: str) -> Journal:
        ...

    def probe_table(self, url: str) -> ProbeTable:
        ...

    # --- trueup's migration history in each target (``trueup_schema_history``) ---------------------
    def history_table(self, schema: str) -> Statement:
        """Create ``trueup_schema_history`` in ``schema`` if it is missing: version, name,
        checksum, applied at, applied by, duration, success (docs/history.md)."""
        ...

    def history_record(self, schema: str, version: int, name: str, checksum: str | None, success: bool) -> Statement:
        """Record migration ``version`` (replacing an earlier record of it, a failed attempt):
        run in the migration's own transaction, it records when, by whom and how long that
        transaction took; ``checksum`` None records a baseline (recorded without running it)."""
        ...

    def history_forget(self, schema: str, version: int) -> Statement:
        """Delete the record of migration ``version`` (``migrate repair --unrecord``)."""
        ...

    def use_schema(self, schema: str) -> Statement:
        """The statement after which, for the rest of the session, unqualified names are looked
        up and created in ``schema`` alone: migrations written for a template schema run in a
        tenant's (schema per tenant)."""
        ...

    # --- tenant lifecycle (``trueup tenant``, ``trueup registry``) -----------------------------
    def tenancy(self) -> Tenancy:
        """The tenant registry in a database of this engine, and a server's roles, databases
        and schemas (:mod:`trueup.engines.interface.tenancy`)."""
        ...
