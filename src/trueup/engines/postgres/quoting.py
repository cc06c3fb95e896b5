"""Identifier and literal quoting, as PostgreSQL's quote_ident/quote_literal do it."""

from __future__ import annotations

import re

from pglast.keywords import RESERVED_KEYWORDS, TYPE_FUNC_NAME_KEYWORDS, COL_NAME_KEYWORDS

_PLAIN = re.compile(r"^[a-z_][a-z0-9_$]*$")
_NEEDS_QUOTES = frozenset(RESERVED_KEYWORDS) | frozenset(TYPE_FUNC_NAME_KEYWORDS) | frozenset(COL_NAME_KEYWORDS)


def ident(name: str) -> str:
    """Quote an identifier only when PostgreSQL needs it."""
    if _PLAIN.match(name) and name not in _NEEDS_QUOTES:
        return name
    return '"' + name.replace('"', '""') + '"'


def qname(*parts: str) -> str:
    """A qualified name: ``qname("public", "users")`` → ``public.users``."""
    return ".".join(ident(p) for p in parts)


def literal(value: str) -> str:
    """A string literal; E'' form when it holds a backslash, like quote_literal."""
    body = value.replace("'", "''")
    if "\\" in value:
        return "E'" + body.replace("\\", "\\\\") + "'"
    return "'" + body + "'"
