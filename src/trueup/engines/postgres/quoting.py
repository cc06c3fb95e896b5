"""Identifier and literal quoting, as PostgreSQL's quote_ident/quote_literal do it."""

from __future__ import annotations

import re

_PLAIN = re.compile(r"^[a-z_][a-z0-9_]*$")
#: PostgreSQL's reserved, type/function-name and column-name keywords (all but the unreserved
#: ones), which quote_ident quotes. Kept here rather than imported from pglast: importing the
#: parser costs every command ~20 ms; tests/test_quoting.py checks the list against pglast's.
_NEEDS_QUOTES = frozenset({
    "all", "analyse", "analyze", "and", "any", "array", "as", "asc", "asymmetric", "authorization", "between",
    "bigint", "binary", "bit", "boolean", "both", "case", "cast", "char", "character", "check", "coalesce",
    "collate", "collation", "column", "concurrently", "constraint", "create", "cross", "current_catalog",
    "current_date", "current_role", "current_schema", "current_time", "current_timestamp", "current_user", "dec",
    "decimal", "default", "deferrable", "desc", "distinct", "do", "else", "end", "except", "exists", "extract",
    "false", "fetch", "float", "for", "foreign", "freeze", "from", "full", "grant", "greatest", "group",
    "grouping", "having", "ilike", "in", "initially", "inner", "inout", "int", "integer", "intersect", "interval",
    "into", "is", "isnull", "join", "json", "json_array", "json_arrayagg", "json_exists", "json_object",
    "json_objectagg", "json_query", "json_scalar", "json_serialize", "json_table", "json_value", "lateral",
    "leading", "least", "left", "like", "limit", "localtime", "localtimestamp", "merge_action", "national",
    "natural", "nchar", "none", "normalize", "not", "notnull", "null", "nullif", "numeric", "offset", "on",
    "only", "or", "order", "out", "outer", "overlaps", "overlay", "placing", "position", "precision", "primary",
    "real", "references", "returning", "right", "row", "select", "session_user", "setof", "similar", "smallint",
    "some", "substring", "symmetric", "system_user", "table", "tablesample", "then", "time", "timestamp", "to",
    "trailing", "treat", "trim", "true", "union", "unique", "user", "using", "values", "varchar", "variadic",
    "verbose", "when", "where", "window", "with", "xmlattributes", "xmlconcat", "xmlelement", "xmlexists",
    "xmlforest", "xmlnamespaces", "xmlparse", "xmlpi", "xmlroot", "xmlserialize", "xmltable"
})


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
