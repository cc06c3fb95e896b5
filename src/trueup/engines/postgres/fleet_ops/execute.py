"""Running one target's plan: every transactional statement in ONE transaction with
``lock_timeout``/``statement_timeout`` set (retried with backoff when it only timed out on a lock
or deadlocked), after the statements whose effect must be committed first (a new enum value),
and before the statements PostgreSQL refuses in a transaction (``CREATE INDEX CONCURRENTLY``),
which run one by one, made idempotent."""

from __future__ import annotations

import random
import re
import time
from collections.abc import Callable, Sequence
from typing import Any

import psycopg

from trueup.engines.interface.session import ExecutionLimits
from trueup.engines.interface.sql import Statement
from trueup.engines.postgres.errors import explain, primary
from trueup.errors import StatementFailed

_RETRYABLE = {"55P03", "40P01"}
_DETACH_CONCURRENTLY = re.compile(r" DETACH PARTITION .+ CONCURRENTLY$", re.I | re.S)
_CONCURRENT_INDEX = re.compile(r"^CREATE (UNIQUE )?INDEX CONCURRENTLY (?!IF NOT EXISTS )", re.I)

Landed = Callable[[Sequence[Statement]], None]


def execute(conn: psycopg.Connection[Any], statements: Sequence[Statement], limits: ExecutionLimits,
            landed: Landed) -> int:
    """Run them; the attempts the main transaction took."""
    first = [s for s in statements if s.commit_first]
    in_tx = [s for s in statements if s.transactional and not s.commit_first]
    later = [s for s in statements if not s.transactional and not s.commit_first]
    if first:  # idempotent (IF NOT EXISTS), additive: committed before the rest may use them
        _transaction(conn, [*[s for s in in_tx if _is_setting(s)], *first], limits, landed)
    attempts = _transaction(conn, in_tx, limits, landed)
    for s in later:
        _alone(conn, s, limits, landed)
    return attempts


def _is_setting(s: Statement) -> bool:
    return s.sql.lstrip().upper().startswith("SET ")


def _failed(statement: str, err: psycopg.Error, extra: str = "", attempts: int = 1) -> StatementFailed:
    cause, hint = explain(err.sqlstate)
    return StatementFailed(statement, primary(err) + extra, hint, sqlstate=err.sqlstate, cause=cause,
                           attempts=attempts)


def _transaction(conn: psycopg.Connection[Any], statements: Sequence[Statement], limits: ExecutionLimits,
                 landed: Landed) -> int:
    if not statements:
        return 0
    for attempt in range(limits.lock_retries + 1):
        current = ""
        try:
            with conn.transaction():
                conn.execute(f"SET LOCAL lock_timeout = {int(limits.lock_timeout_ms)}")  # type: ignore[arg-type]
                conn.execute(f"SET LOCAL statement_timeout = {int(limits.statement_timeout_ms)}")  # type: ignore[arg-type]
                for s in statements:
                    current = s.sql
                    conn.execute(s.sql)  # type: ignore[arg-type]
            landed(statements)
            return attempt + 1
        except psycopg.Error as err:
            # the transaction block rolled back; the connection is clean again (no 25P02)
            if err.sqlstate in _RETRYABLE and attempt < limits.lock_retries:
                time.sleep(min(0.2 * 2 ** attempt, 5.0) * (0.5 + random.random()))
                continue
            extra = f" (gave up after {attempt + 1} attempts)" if err.sqlstate == "55P03" else ""
            raise _failed(current, err, extra, attempt + 1) from None
    return limits.lock_retries + 1  # (not reached: the last attempt returns or raises)


def _alone(conn: psycopg.Connection[Any], s: Statement, limits: ExecutionLimits, landed: Landed) -> None:
    """A statement PostgreSQL refuses in a transaction, made idempotent and retried once."""
    sql = _CONCURRENT_INDEX.sub(lambda m: f"CREATE {m.group(1) or ''}INDEX CONCURRENTLY IF NOT EXISTS ", s.sql)
    conn.execute(f"SET lock_timeout = {int(limits.lock_timeout_ms)}")  # type: ignore[arg-type]
    for attempt in range(2):
        try:
            conn.execute(sql)  # type: ignore[arg-type]
            landed([s])
            return
        except psycopg.Error as err:
            if attempt == 0 and _drop_invalid_index(conn, sql):
                continue
            if attempt == 0 and err.sqlstate == "55000" and _DETACH_CONCURRENTLY.search(sql):
                # an earlier run was interrupted half-way: the partition is "pending detach"
                sql = sql[: -len("CONCURRENTLY")] + "FINALIZE"
                continue
            raise _failed(s.sql, err) from None


_NAME = r'(?:"[^"]*"|[^\s."(]+)'
_INDEX_ON = re.compile(rf"INDEX CONCURRENTLY (?:IF NOT EXISTS )?(\S+) ON (?:ONLY )?({_NAME}(?:\.{_NAME})?)", re.I)


def _drop_invalid_index(conn: psycopg.Connection[Any], sql: str) -> bool:
    """A failed CREATE INDEX CONCURRENTLY leaves an INVALID index behind: remove it (on the very
    table named, as the session resolves it: never an index of that name in another schema,
    which another tenant's migration may be building right now)."""
    m = _INDEX_ON.search(sql)
    if not m:
        return False
    row = conn.execute("SELECT c.oid::regclass::text FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
                       " WHERE NOT i.indisvalid AND c.relname = %s AND i.indrelid = to_regclass(%s)",
                       (m.group(1).split(".")[-1].strip('"'), m.group(2))).fetchone()
    if row is None:
        return False
    conn.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {row[0]}")  # type: ignore[arg-type]
    return True
