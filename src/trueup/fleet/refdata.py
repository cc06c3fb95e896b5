"""Reference data: rows that must exist (system roles, notification templates ...).

Declared per group in a TOML file::

    [tables."public.team_roles"]
    key = ["name"]
    exact = false            # true: rows not listed are findings too
    rows = [ { name = "Owner", can_manage_projects = true } ]
"""

from __future__ import annotations

import tomllib
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

from trueup.config import ConfigError
from trueup.engines.interface.engine import Engine
from trueup.engines.interface.rows import RowChange
from trueup.engines.interface.session import Rows, TableName
from trueup.engines.interface.sql import Statement
from trueup.fleet.findings import Finding
from trueup.plan.script import render_statement


@dataclass(frozen=True)
class RefTable:
    schema: str
    table: str
    key: tuple[str, ...]
    exact: bool
    rows: tuple[Mapping[str, Any], ...]

    @property
    def name(self) -> str:
        return f"{self.schema}.{self.table}"

    @property
    def qualified(self) -> TableName:
        return (self.schema, self.table)

    @property
    def columns(self) -> list[str]:
        cols = list(self.key)
        for row in self.rows:
            cols.extend(c for c in row if c not in cols)
        return cols

    def in_schema(self, schema: str) -> RefTable:
        return RefTable(schema, self.table, self.key, self.exact, self.rows)


def load_reference_data(path: str | Path) -> list[RefTable]:
    file = Path(path)
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{file}: reference data file not found") from None
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{file}: invalid TOML: {err}") from None
    tables = data.get("tables")
    if not isinstance(tables, dict) or not tables:
        raise ConfigError(f"{file}: expected [tables.\"schema.table\"] sections")
    out = []
    for name, spec in tables.items():
        where = f"{file}: tables.\"{name}\""
        schema, _, table = name.rpartition(".")
        if not isinstance(spec, dict):
            raise ConfigError(f"{where}: expected a table")
        unknown = set(spec) - {"key", "exact", "rows"}
        if unknown:
            raise ConfigError(f"{where}.{sorted(unknown)[0]}: unknown key")
        key = spec.get("key")
        if not isinstance(key, list) or not key or not all(isinstance(k, str) for k in key):
            raise ConfigError(f"{where}.key: expected a list of column names")
        rows = spec.get("rows", [])
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise ConfigError(f"{where}.rows: expected a list of inline tables")
        for i, row in enumerate(rows):
            missing = [k for k in key if k not in row]
            if missing:
                raise ConfigError(f"{where}.rows[{i}]: key column '{missing[0]}' is missing")
        exact = spec.get("exact", False)
        if not isinstance(exact, bool):
            raise ConfigError(f"{where}.exact: expected true or false")
        out.append(RefTable(schema or "public", table, tuple(key), exact, tuple(rows)))
    return out


def _same(found: Any, declared: Any) -> bool:
    if found == declared:
        return True
    if isinstance(found, Decimal) and isinstance(declared, int | float):
        return found == Decimal(str(declared))
    if isinstance(found, uuid.UUID | date | datetime | time) and isinstance(declared, str):
        return str(found) == declared
    return False


def _key_text(table: RefTable, row: Mapping[str, Any]) -> str:
    return f"{table.name}[" + ", ".join(f"{k}={row[k]}" for k in table.key) + "]"


@dataclass(frozen=True)
class RowDrift:
    """One row that differs from the declaration, and the repair that fixes it."""

    problem: str  # missing | different | unexpected
    object: str
    detail: str
    change: RowChange


def row_drifts(table: RefTable, found_rows: Rows, where: str) -> list[RowDrift]:
    """Compare declared rows with the rows found (``None``: the table itself is missing)."""
    found_by_key = {tuple(str(r[k]) for k in table.key): r for r in found_rows or ()}
    declared_keys = set()
    out = []
    for row in table.rows:
        key = tuple(str(row[k]) for k in table.key)
        declared_keys.add(key)
        found = found_by_key.get(key)
        ident = {k: row[k] for k in table.key}
        if found is None:
            why = "the table is missing" if found_rows is None else "no such row"
            out.append(RowDrift("missing", _key_text(table, row),
                                f"row {_key_text(table, row)} is missing in {where} ({why})",
                                RowChange(table.qualified, "insert", ident, dict(row))))
            continue
        diffs = [c for c in row if c not in table.key and not _same(found.get(c), row[c])]
        if diffs:
            detail = "; ".join(f"{c}: expected {row[c]!r}, found {found.get(c)!r}" for c in diffs)
            out.append(RowDrift("different", _key_text(table, row),
                                f"row {_key_text(table, row)} differs in {where}: {detail}",
                                RowChange(table.qualified, "update", ident, {c: row[c] for c in diffs})))
    if table.exact and found_rows is not None:
        for key, found in sorted(found_by_key.items()):
            if key not in declared_keys:
                out.append(RowDrift("unexpected", _key_text(table, found),
                                    f"row {_key_text(table, found)} in {where} is not declared (exact table)",
                                    RowChange(table.qualified, "delete", {k: found[k] for k in table.key})))
    return out


def refdata_findings(table: RefTable, found_rows: Rows, where: str,
                     engine: Engine) -> list[tuple[Finding, Statement]]:
    """The findings of one reference table, each with the statement (from the engine) that
    repairs it; the finding's ``fix`` shows that statement as a plan shows it."""
    out = []
    for d in row_drifts(table, found_rows, where):
        statement = engine.row_statement(d.change)
        hazards = tuple(h.value for h in statement.hazards)
        out.append((Finding("reference_data", d.problem, d.object, d.detail, hazards, render_statement(statement)),
                    statement))
    return out
