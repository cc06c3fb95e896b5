"""Reference rows: read in two round trips, repaired by one statement each."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb

from trueup.engines.interface.rows import RowChange
from trueup.engines.interface.session import Rows, TableName
from trueup.engines.interface.sql import Hazard, Statement, stmt
from trueup.engines.postgres.quoting import ident, qname


def read_rows(conn: psycopg.Connection[Any], tables: Sequence[tuple[TableName, Sequence[str]]]) -> list[Rows]:
    """Every table's rows (``None``: no such table): which exist in one round trip, then the
    rows of all those that do in one pipeline."""
    if not tables:
        return []
    names = [qname(*t) for t, _ in tables]
    exists = conn.execute("SELECT to_regclass(n) IS NOT NULL FROM unnest(%s::text[]) WITH ORDINALITY AS u(n, i)"
                          " ORDER BY i", (names,)).fetchall()
    out: list[Rows] = [None] * len(tables)
    present = [i for i, (ok,) in enumerate(exists) if ok]
    with conn.pipeline():  # every table's rows in one round trip
        curs = [conn.execute(_select(*tables[i])) for i in present]  # type: ignore[arg-type]
    for i, cur in zip(present, curs, strict=True):
        cols = [c.name for c in cur.description or ()]
        out[i] = [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]
    return out


def _select(table: TableName, columns: Sequence[str]) -> str:
    return f"SELECT {', '.join(ident(c) for c in columns)} FROM {qname(*table)}"


def literal(value: Any) -> str:
    """A TOML value as a SQL literal."""
    if isinstance(value, list):  # element by element: a TOML array may mix 1 and 1.5
        return "ARRAY[" + ", ".join(literal(v) for v in value) + "]" if value else "'{}'"
    if isinstance(value, dict):
        value = Jsonb(value)
    return sql.Literal(value).as_string(None)


def _where(change: RowChange) -> str:
    return " AND ".join(f"{ident(k)} = {literal(v)}" for k, v in change.key.items())


def row_statement(change: RowChange) -> Statement:
    target = qname(*change.table)
    if change.action == "insert":
        cols = list(change.values)
        return stmt(f"INSERT INTO {target} ({', '.join(ident(c) for c in cols)}) "
                    f"VALUES ({', '.join(literal(change.values[c]) for c in cols)})")
    if change.action == "update":
        sets = ", ".join(f"{ident(c)} = {literal(v)}" for c, v in change.values.items())
        return stmt(f"UPDATE {target} SET {sets} WHERE {_where(change)}")
    if change.action == "delete":
        return stmt(f"DELETE FROM {target} WHERE {_where(change)}",
                    (Hazard.DELETES_DATA, "deletes a row the reference data does not declare"))
    raise ValueError(f"unknown row change {change.action!r}")
