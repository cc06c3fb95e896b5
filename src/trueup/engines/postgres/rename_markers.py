"""Renames declared in ``.sql`` files: ``-- trueup:renamed-from public.old_name`` on the line
before an object's ``CREATE`` (a table, view, materialized view, index, sequence or function),
or before a column's (or a ``CONSTRAINT``'s) line in a ``CREATE TABLE``, where the old name may
be the bare column name. Comments are not in the parse tree: the text around each statement's
location (from pglast) is scanned."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pglast import parse_sql
from pglast.enums import ObjectType
from pglast.parser import ParseError

from trueup.engines.interface.renames import Rename

MARKER = re.compile(r"^\s*--\s*trueup:renamed-from\s+(\S+)\s*$")
_PART = re.compile(r'"((?:[^"]|"")+)"|([^."\s]+)')
_WORD = re.compile(r'\s*(?:"((?:[^"]|"")+)"|([A-Za-z_][\w$]*))')


def _parts(text: str) -> tuple[str, ...] | None:
    parts, pos = [], 0
    while True:
        m = _PART.match(text, pos)
        if m is None:
            return None
        parts.append(m.group(1).replace('""', '"') if m.group(1) is not None else m.group(2).lower())
        pos = m.end()
        if pos == len(text):
            return tuple(parts)
        if text[pos] != ".":
            return None
        pos += 1


def _word(line: str, pos: int = 0) -> tuple[str, int] | None:
    m = _WORD.match(line, pos)
    if m is None:
        return None
    return (m.group(1).replace('""', '"') if m.group(1) is not None else m.group(2).lower()), m.end()


def _object_path(stmt: Any) -> tuple[str, ...] | None:
    """(schema, name) of what a CREATE statement makes (schema None where not written)."""
    name = type(stmt).__name__
    rel = None
    if name in ("CreateStmt", "CreateSeqStmt"):
        rel = stmt.relation if name == "CreateStmt" else stmt.sequence
    elif name == "ViewStmt":
        rel = stmt.view
    elif name == "CreateTableAsStmt" and stmt.objtype == ObjectType.OBJECT_MATVIEW:
        rel = stmt.into.rel
    elif name == "IndexStmt" and stmt.idxname:
        return (stmt.relation.schemaname or "", stmt.idxname)
    elif name == "CreateFunctionStmt":
        names = [n.sval for n in stmt.funcname]
        return (names[-2] if len(names) > 1 else "", names[-1])
    if rel is None:
        return None
    return (rel.schemaname or "", rel.relname)


def _marker_before(region: str) -> str | None:
    """The marker among the comment lines right before a statement."""
    for line in reversed(region.splitlines()):
        m = MARKER.match(line)
        if m:
            return m.group(1)
        if line.strip() and not line.strip().startswith("--"):
            return None
    return None


def _inner_markers(text: str) -> list[tuple[str, str, bool]]:
    """(old name as written, new name, whether a constraint) of the markers inside a CREATE TABLE."""
    out = []
    lines = text.splitlines()
    for i, line in enumerate(lines):
        m = MARKER.match(line)
        if not m:
            continue
        nxt = next((ln for ln in lines[i + 1:] if ln.strip() and not ln.strip().startswith("--")), None)
        if nxt is None:
            continue
        first = _word(nxt)
        if first is None:
            continue
        if first[0] == "constraint":
            second = _word(nxt, first[1])
            if second is not None:
                out.append((m.group(1), second[0], True))
        else:
            out.append((m.group(1), first[0], False))
    return out


def file_renames(text: str, default_schema: str = "public") -> list[Rename]:
    """The renames a file's markers declare (none when it does not parse: loading it reports that)."""
    if "trueup:renamed-from" not in text:
        return []
    data = text.encode("utf-8")
    try:
        raws = parse_sql(text)
    except ParseError:
        return []
    out: list[Rename] = []
    end = 0
    for raw in raws:
        loc = int(raw.stmt_location or 0)
        length = int(raw.stmt_len or 0) or len(data) - loc
        before = data[end:loc].decode("utf-8", "replace")
        body = data[loc:loc + length].decode("utf-8", "replace")
        end = loc + length
        path = _object_path(raw.stmt)
        if path is None:
            continue
        schema, name = path[0] or default_schema, path[1]
        old = _marker_before(before)
        if old is not None and (parts := _parts(old)) is not None and len(parts) <= 2:
            out.append(Rename((schema, parts[-1]) if len(parts) == 1 else parts, name))
        if type(raw.stmt).__name__ == "CreateStmt":
            for written, new, _constraint in _inner_markers(body):
                parts = _parts(written)
                if parts is None or len(parts) > 3:
                    continue
                full = {1: (schema, name, *parts), 2: (schema, *parts), 3: parts}[len(parts)]
                out.append(Rename(full, new))
    return out


def files_renames(files: Sequence[Path]) -> list[dict[str, Any]]:
    """The renames all files declare, as a model's meta keeps them."""
    out: list[dict[str, Any]] = []
    for path in files:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        out.extend(r.to_json() for r in file_renames(text))
    return out
