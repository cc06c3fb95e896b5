"""One open connection to one database, and everything the fleet does there.

The fleet (audit, plan, apply) opens a session per target with
:meth:`~trueup.engines.interface.engine.Engine.connect` and asks it to measure (fingerprint,
change token, reference rows), to inspect, to take the target's lock and to run a plan. Every
method raises :class:`~trueup.errors.TrueupError` subclasses only.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from trueup.engines.interface.sql import Statement
from trueup.model import Schema

#: a reference table: (schema, table)
TableName = tuple[str, str]
#: a reference table's rows as read (column -> value), or None when there is no such table
Rows = list[dict[str, Any]] | None


@dataclass(frozen=True)
class Token:
    """A change token: a reading that moves whenever the schema (or a reference table) of a
    database may have changed, so an audit can reuse what it measured there last time."""

    database: int  # the database's identity on its server (PostgreSQL: its OID)
    value: str
    #: the reference tables' identities (``None``: no such table), so the next reading can skip
    #: looking them up by name
    tables: tuple[int | None, ...] = ()


@dataclass(frozen=True)
class ExecutionLimits:
    """Bounds on what running a plan may do to live traffic."""

    lock_timeout_ms: int = 2000
    statement_timeout_ms: int = 300_000
    #: retries of a transaction that only timed out waiting for a lock (or deadlocked)
    lock_retries: int = 3


class Session(Protocol):
    @property
    def server_version(self) -> int:
        ...

    def close(self) -> None:
        ...

    def __enter__(self) -> Session:
        ...

    def __exit__(self, *exc: object) -> None:
        ...

    # --- measuring ------------------------------------------------------------------------
    def inspect(self, schemas: Sequence[str] | None = None, *, alone: bool = False) -> Schema:
        """The database's model (``schemas``: only these). ``alone``: nothing else keeps the
        server busy, so the engine may read on a second connection side by side."""
        ...

    def fingerprint(self, schemas: Sequence[str] | None = None, *, again: bool = False) -> str:
        """One hash of everything :meth:`inspect` models in scope: equal fingerprints mean
        equal models (different ones only mean "inspect fully"). ``again``: this session will
        fingerprint again (before and after applying), so preparing the query pays."""
        ...

    def schema_fingerprints(self, schemas: Sequence[str], more: Sequence[Session] = (), *,
                            again: bool = False) -> dict[str, str]:
        """A fingerprint per schema, each schema's own name left out, so tenant schemas with
        equal contents hash equal. ``more``: sessions on the same database to share the work."""
        ...

    def change_token(self, tables: Sequence[TableName] = (), last: Token | None = None) -> Token | None:
        """The database's change token (``tables``: reference tables whose rows it covers too),
        or None where the engine or the server cannot give one to trust. ``last``: the token
        read last time, whose identities spare lookups."""
        ...

    def read_rows(self, tables: Sequence[tuple[TableName, Sequence[str]]]) -> list[Rows]:
        """The rows of each reference table (its columns given), in as few round trips as the
        engine can; None for a table that does not exist."""
        ...

    def free_connections(self) -> int | None:
        """How many more connections the server accepts now, if it can tell."""
        ...

    # --- changing ---------------------------------------------------------------------------
    def try_lock(self, key: str) -> bool:
        """Take the per-target lock ``key`` for this session (released when it closes) if free."""
        ...

    def lock_holder(self, key: str) -> str:
        """Who holds lock ``key``, in a phrase (``pid 123 (trueup apply from 10.0.0.5 ...)``)."""
        ...

    def execute(self, statements: Sequence[Statement], limits: ExecutionLimits,
                landed: Callable[[Sequence[Statement]], None]) -> int:
        """Run a target's plan: in one transaction where the engine can (retried when it only
        timed out on a lock), statements that cannot run in a transaction after it, one by one.
        ``landed`` is called with each batch of statements as it commits. Returns the attempts
        the transaction took; raises :class:`~trueup.errors.StatementFailed` naming the
        statement that failed (and the attempts)."""
        ...

