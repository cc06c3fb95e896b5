"""USING expressions the user gives for column type changes (``--using``, ``using = {...}``).

A column is named by its path, ``schema.table.column``; a part holding a dot, a double quote, an
equals sign or white space is written in double quotes (a double quote in it doubled), as SQL
writes identifiers: ``"my.schema".t."Col"``. The expression is the user's SQL, put after
``USING`` as given.
"""

from __future__ import annotations

import re

from trueup.errors import TrueupError

#: how a column is named in a ``--using`` (and how trueup names it when it asks for one)
FORM = "SCHEMA.TABLE.COLUMN=EXPRESSION"

_PLAIN_PART = re.compile(r'[^."=\s]+')
_PART = re.compile(r'"((?:[^"]|"")+)"|([^."=\s]+)')


class UsingError(TrueupError):
    """A ``--using`` (or a config's ``using`` key) that cannot be read."""


def format_path(path: tuple[str, ...]) -> str:
    """``public.t.col``, each part quoted where a plain part cannot hold it."""
    return ".".join(p if _PLAIN_PART.fullmatch(p) else '"' + p.replace('"', '""') + '"' for p in path)


def parse_parts(text: str) -> tuple[str, ...] | None:
    """The parts of a dotted name (quoted parts unquoted), or None if malformed."""
    parts: list[str] = []
    pos = 0
    text = text.strip()
    while True:
        m = _PART.match(text, pos)
        if m is None:
            return None
        parts.append(m.group(1).replace('""', '"') if m.group(1) is not None else m.group(2))
        pos = m.end()
        if pos == len(text):
            return tuple(parts)
        if text[pos] != ".":
            return None
        pos += 1


def parse_path(text: str) -> tuple[str, ...] | None:
    """The column path of ``schema.table.column`` (quoted parts unquoted), or None if malformed."""
    parts = parse_parts(text)
    return parts if parts is not None and len(parts) == 3 else None


def parse_using(text: str, where: str = "--using") -> tuple[tuple[str, ...], str]:
    """``schema.table.column=expression`` as (column path, expression); a clear error naming
    ``text`` when it is malformed."""
    key, eq, expression = _split(text)
    path = parse_path(key) if eq else None
    if path is None or not expression.strip():
        raise UsingError(f"{where} {text!r}: expected {FORM}",
                         hint='name the column as schema.table.column (quote a part with a dot in "double quotes") '
                              "and give the SQL expression that converts its values, e.g. "
                              "--using public.events.at=\"to_timestamp(at)\"")
    return path, expression.strip()


def _split(text: str) -> tuple[str, str, str]:
    """``key=expression`` split at the first ``=`` outside double quotes."""
    quoted = False
    for i, ch in enumerate(text):
        if ch == '"':
            quoted = not quoted
        elif ch == "=" and not quoted:
            return text[:i], "=", text[i + 1:]
    return text, "", ""
