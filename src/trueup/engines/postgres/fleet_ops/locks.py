"""The per-target lock of ``trueup apply``: a session-level advisory lock, released by the
server when the session ends, so a killed apply never leaves one behind."""

from __future__ import annotations

from typing import Any

import psycopg


def try_lock(conn: psycopg.Connection[Any], key: str) -> bool:
    row = conn.execute("SELECT pg_try_advisory_lock(hashtext(%s))", (key,)).fetchone()
    return bool(row and row[0])


def holder(conn: psycopg.Connection[Any], key: str) -> str:
    """The session that holds the lock, in a phrase."""
    row = conn.execute(
        "SELECT a.pid, coalesce(nullif(a.application_name, ''), '?'), coalesce(a.client_addr::text, 'local'),"
        " a.backend_start FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
        " WHERE l.locktype = 'advisory' AND l.granted AND l.objid = (hashtext(%s)::bigint & 4294967295)::oid"
        " AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) LIMIT 1",
        (key,)).fetchone()
    if row is None:
        return "another session"
    return f"pid {row[0]} ({row[1]} from {row[2]}, connected since {row[3]:%Y-%m-%d %H:%M:%S})"
