"""Reference-data repairs as data: the engine renders each as a statement."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class RowChange:
    """Insert a declared row, update some of its columns, or delete an undeclared one."""

    table: tuple[str, str]  # (schema, table)
    action: str  # insert | update | delete
    #: the key columns and their values: the row's identity
    key: Mapping[str, Any]
    #: insert: every declared column; update: the columns to set
    values: Mapping[str, Any] = field(default_factory=dict)
