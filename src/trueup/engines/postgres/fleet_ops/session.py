"""A PostgreSQL session: one connection to one target, and what the fleet does there."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import psycopg

from trueup.engines.interface.session import ExecutionLimits, Rows, Session, TableName, Token
from trueup.engines.interface.sql import Statement
from trueup.engines.postgres.driver import describe
from trueup.engines.postgres.errors import translated
from trueup.engines.postgres.fleet_ops import execute, locks, rows
from trueup.engines.postgres.fleet_ops.change_token import change_token
from trueup.engines.postgres.fleet_ops.fingerprint import fingerprint, schema_fingerprints
from trueup.engines.postgres.inspect import inspect_connection
from trueup.engines.postgres.quoting import qname
from trueup.model import Schema


class PgSession:
    """:class:`~trueup.engines.interface.session.Session` on a psycopg connection."""

    def __init__(self, conn: psycopg.Connection[Any], url: str) -> None:
        self.conn, self.url = conn, url

    @property
    def where(self) -> str:
        """The database, for messages."""
        return describe(self.url)

    @property
    def server_version(self) -> int:
        return int(self.conn.info.server_version)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> PgSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def inspect(self, schemas: Sequence[str] | None = None, *, alone: bool = False) -> Schema:
        with translated(self.where):
            return inspect_connection(self.conn, schemas, second=self.url if alone else None)

    def fingerprint(self, schemas: Sequence[str] | None = None, *, again: bool = False) -> str:
        with translated(self.where):
            return fingerprint(self.conn, schemas, again=again)

    def schema_fingerprints(self, schemas: Sequence[str], more: Sequence[Session] = (), *,
                            again: bool = False) -> dict[str, str]:
        others = [s.conn for s in more if isinstance(s, PgSession)]
        with translated(self.where):
            return schema_fingerprints(self.conn, schemas, others, again=again)

    def change_token(self, tables: Sequence[TableName] = (), last: Token | None = None) -> Token | None:
        with translated(self.where):
            return change_token(self.conn, [qname(*t) for t in tables], last)

    def read_rows(self, tables: Sequence[tuple[TableName, Sequence[str]]]) -> list[Rows]:
        with translated(self.where):
            return rows.read_rows(self.conn, tables)

    def free_connections(self) -> int | None:
        try:
            row = self.conn.execute("SELECT current_setting('max_connections')::int - count(*)"
                                    " FROM pg_stat_activity").fetchone()
        except psycopg.Error:
            return None
        return int(str(row[0])) if row else None

    def try_lock(self, key: str) -> bool:
        with translated(self.where):
            self.conn.execute("SET application_name = 'trueup apply'")
            return locks.try_lock(self.conn, key)

    def lock_holder(self, key: str) -> str:
        with translated(self.where):
            return locks.holder(self.conn, key)

    def execute(self, statements: Sequence[Statement], limits: ExecutionLimits,
                landed: Callable[[Sequence[Statement]], None]) -> int:
        with translated(self.where):  # (a failed statement is a StatementFailed already)
            return execute.execute(self.conn, statements, limits, landed)
