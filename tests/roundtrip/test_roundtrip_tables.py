"""Round trips, part A: schemas, extensions, types, sequences, tables, columns, constraints, indexes."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.roundtrip.harness import Case, case_params, check_roundtrip

CASES = [
    Case("schema_create", "", "CREATE SCHEMA app"),
    Case("table_add_column", "CREATE TABLE t (a int)", "CREATE TABLE t (a int, b text DEFAULT 'x')"),
]


@pytest.mark.parametrize("case", case_params(CASES))
def test_roundtrip(make_db: Callable[..., str], pg_version: int, case: Case) -> None:
    check_roundtrip(make_db, case, pg_version)
