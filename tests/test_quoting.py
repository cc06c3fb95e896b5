"""Identifier quoting agrees with PostgreSQL's own quote_ident."""

from __future__ import annotations

import psycopg
import pytest

from trueup.engines.postgres.quoting import _NEEDS_QUOTES, ident, literal


def test_keyword_list_matches_pglast() -> None:
    keywords = pytest.importorskip("pglast.keywords")
    expected = set(keywords.RESERVED_KEYWORDS) | set(keywords.TYPE_FUNC_NAME_KEYWORDS) | set(keywords.COL_NAME_KEYWORDS)
    assert expected <= _NEEDS_QUOTES


@pytest.mark.parametrize("name", ["users", "User", "user", "select", "a b", 'we"ird', "_x1$", "1abc", "été",
                                  "order", "name", "json_table", "xmin"])
def test_ident_matches_quote_ident(pg_url: str, name: str) -> None:
    with psycopg.connect(pg_url) as conn:
        expected = conn.execute("SELECT quote_ident(%s)", (name,)).fetchone()
        lit = conn.execute("SELECT quote_literal(%s)", (name + "\\'",)).fetchone()
    assert expected is not None and lit is not None
    # a keyword of a newer PostgreSQL than the server's may be quoted anyway: harmless
    assert ident(name) == expected[0] or (name in _NEEDS_QUOTES and ident(name) == f'"{name}"')
    assert literal(name + "\\'") == lit[0]
