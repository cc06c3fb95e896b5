"""Finding a fleet's targets: databases and schemas by LIKE pattern, a registry's rows."""

from __future__ import annotations

from typing import Any

from trueup.engines.postgres.driver import connection, describe
from trueup.engines.postgres.errors import translated


def list_databases(server_url: str, pattern: str, timeout: int | None = None) -> list[str]:
    with connection(server_url, timeout=timeout) as conn, translated(describe(server_url)):
        rows = conn.execute("SELECT datname FROM pg_database WHERE datname LIKE %s AND datallowconn"
                            " AND NOT datistemplate ORDER BY 1", (pattern,)).fetchall()
    return [str(r[0]) for r in rows]


def list_schemas(url: str, pattern: str, timeout: int | None = None) -> list[str]:
    with connection(url, timeout=timeout) as conn, translated(describe(url)):
        rows = conn.execute("SELECT nspname FROM pg_namespace WHERE nspname LIKE %s ORDER BY 1",
                            (pattern,)).fetchall()
    return [str(r[0]) for r in rows]


def query(url: str, sql: str, timeout: int | None = None) -> tuple[list[str], list[dict[str, Any]]]:
    with connection(url, timeout=timeout) as conn, translated(describe(url)):
        cur = conn.execute(sql)  # type: ignore[arg-type]
        cols = [c.name for c in cur.description or ()]
        return cols, [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]
