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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

from psycopg import sql
from psycopg.types.json import Jsonb

from trueup.config import ConfigError
from trueup.engines.postgres.quoting import ident, qname
from trueup.fleet.findings import Finding


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
    def regclass(self) -> str:
        """The qualified name as ``to_regclass`` reads it (quoted where needed)."""
        return qname(self.schema, self.table)

    @property
    def columns(self) -> list[str]:
        cols = list(self.key)
        for row in self.rows:
            cols.extend(c for c in row if c not in cols)
        return cols

    def in_schema(self, schema: str) -> RefTable:
        return RefTable(schema, self.table, self.key, self.exact, self.rows)

    def select_sql(self) -> str:
        cols = ", ".join(ident(c) for c in self.columns)
        return f"SELECT {cols} FROM {qname(self.schema, self.table)}"


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


def _literal(value: Any) -> str:
    if isinstance(value, list):  # element by element: a TOML array may mix 1 and 1.5
        return "ARRAY[" + ", ".join(_literal(v) for v in value) + "]" if value else "'{}'"
    if isinstance(value, dict):
        value = Jsonb(value)
    return sql.Literal(value).as_string(None)


def _key_text(table: RefTable, row: Mapping[str, Any]) -> str:
    return f"{table.name}[" + ", ".join(f"{k}={row[k]}" for k in table.key) + "]"


def _where(table: RefTable, row: Mapping[str, Any]) -> str:
    return " AND ".join(f"{ident(k)} = {_literal(row[k])}" for k in table.key)


def refdata_findings(table: RefTable, found_rows: Sequence[Mapping[str, Any]] | None, where: str) -> list[Finding]:
    """Compare declared rows with the rows found (``None``: the table itself is missing)."""
    target = qname(table.schema, table.table)
    found_by_key = {tuple(str(r[k]) for k in table.key): r for r in found_rows or ()}
    declared_keys = set()
    out = []
    for row in table.rows:
        key = tuple(str(row[k]) for k in table.key)
        declared_keys.add(key)
        found = found_by_key.get(key)
        if found is None:
            cols = list(row)
            fix = (f"INSERT INTO {target} ({', '.join(ident(c) for c in cols)}) "
                   f"VALUES ({', '.join(_literal(row[c]) for c in cols)});")
            why = "the table is missing" if found_rows is None else "no such row"
            out.append(Finding("reference_data", "missing", _key_text(table, row),
                               f"row {_key_text(table, row)} is missing in {where} ({why})", (), fix))
            continue
        diffs = [c for c in row if c not in table.key and not _same(found.get(c), row[c])]
        if diffs:
            sets = ", ".join(f"{ident(c)} = {_literal(row[c])}" for c in diffs)
            detail = "; ".join(f"{c}: expected {row[c]!r}, found {found.get(c)!r}" for c in diffs)
            out.append(Finding("reference_data", "different", _key_text(table, row),
                               f"row {_key_text(table, row)} differs in {where}: {detail}", (),
                               f"UPDATE {target} SET {sets} WHERE {_where(table, row)};"))
    if table.exact and found_rows is not None:
        for key, found in sorted(found_by_key.items()):
            if key not in declared_keys:
                out.append(Finding("reference_data", "unexpected", _key_text(table, found),
                                   f"row {_key_text(table, found)} in {where} is not declared (exact table)",
                                   ("deletes_data",), f"-- hazard: deletes_data\nDELETE FROM {target} WHERE "
                                   f"{_where(table, found)};"))
    return out
