"""A model as it will be once one object is renamed (``ALTER ... RENAME``): its identity, what
hangs below it (a table's columns, constraints, comments, grants), and the references that the
server deparses from the object itself rather than from its name (an index's ``ON public.t``,
a foreign key's ``REFERENCES public.t(id)``, a CHECK on a renamed column), so that the diff that
follows sees only what really still differs.

Text the server keeps as written is left alone (a function's body still names the old table);
a view over a renamed object is marked so that the diff recreates it (the server's deparse of
it keeps the old name as an alias, which no rewriting could predict).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from trueup.engines.postgres.quoting import ident, qname
from trueup.model import DbObject, ObjectId, Schema

#: kinds that live in a schema's relation namespace (pg_class)
REL_KINDS = ("table", "view", "materialized_view", "sequence", "index")
#: kinds whose path starts with a relation's (schema, name)
_REL_CHILDREN = frozenset({*REL_KINDS, "column", "constraint", "trigger", "policy", "rls", "inherited_column",
                           "sequence_owner"})
_VIEWS = frozenset({"view", "materialized_view"})
#: attrs holding paths ([schema, name, ...])
_PATH_KEYS = frozenset({"partition_of", "table", "column", "owned_by", "sequence", "parent"})
#: attrs never rewritten (user data)
_LITERAL_KEYS = frozenset({"labels", "text"})
#: attrs holding expressions that may name a renamed column of their table
_EXPRESSION_KEYS = frozenset({"definition", "expression", "using", "check", "partition_key"})
_LITERAL = re.compile(r"'(?:[^']|'')*'")
#: what marks a view to recreate (its definition then differs from any real one)
FORCE_MARK = "\n-- trueup: recreated after a rename"


def function_name(oid: ObjectId) -> str:
    """A function's name, without its argument list (the path holds ``name(args)``)."""
    return oid.path[1].split("(", 1)[0]


def renamed_id(oid: ObjectId, new: str) -> ObjectId:
    """The identity ``oid`` has once renamed to ``new``."""
    if oid.kind == "function":
        return ObjectId(oid.kind, (oid.path[0], new + oid.path[1][len(function_name(oid)):]))
    return ObjectId(oid.kind, (*oid.path[:-1], new))


def _qualified(parts: tuple[str, ...], tail: str = r"(?![\w$\"])") -> re.Pattern[str]:
    return re.compile(r'(?<![\w".$])' + re.escape(qname(*parts)) + tail)


def _outside_literals(text: str, fn: Callable[[str], str]) -> str:
    out, pos = [], 0
    for m in _LITERAL.finditer(text):
        out.append(fn(text[pos:m.start()]))
        out.append(m.group(0))
        pos = m.end()
    out.append(fn(text[pos:]))
    return "".join(out)


def _column_tokens(text: str, old: str, new: str) -> str:
    """``old`` → ``new`` where it stands as a column name (not in a string, not a function's
    name, not a qualified part)."""
    pattern = re.compile(r'(?<![\w$."])' + re.escape(ident(old)) + r'(?![\w$"(])')
    return _outside_literals(text, lambda part: pattern.sub(ident(new).replace("\\", "\\\\"), part))


def _map_value(key: str, value: Any, fn: Callable[[str, Any], Any]) -> Any:
    if isinstance(value, dict) or hasattr(value, "items"):
        return {k: _map_value(k, v, fn) for k, v in value.items()}
    return fn(key, value)


class _Renamer:
    """One rename of ``target`` (in ``model``) to ``new``."""

    def __init__(self, model: Schema, target: ObjectId, new: str) -> None:
        self.model, self.target, self.new = model, target, new
        self.dest = renamed_id(target, new)
        kind = target.kind
        self.prefix = target.path
        self.kinds = _REL_CHILDREN if kind in REL_KINDS else frozenset({kind})
        # the qualified name whose every deparsed mention follows the rename
        if kind in REL_KINDS:
            self.pattern: re.Pattern[str] | None = _qualified(target.path)
            self.replacement = qname(*self.dest.path)
        elif kind == "function":
            self.pattern = _qualified((target.path[0], function_name(target)), r"(?=\()")
            self.replacement = qname(target.path[0], new)
        elif kind == "column":
            self.pattern = _qualified(target.path)
            self.replacement = qname(*self.dest.path)
        else:
            self.pattern, self.replacement = None, ""

    def map_id(self, oid: ObjectId) -> ObjectId:
        n = len(self.prefix)
        if oid.kind in self.kinds and oid.path[:n] == self.prefix:
            return ObjectId(oid.kind, (*self.dest.path, *oid.path[n:]))
        if oid.kind == "function" and oid == self.target:
            return self.dest
        if oid.kind in ("comment", "grant") and oid.path[0] in self.kinds and oid.path[1:1 + n] == self.prefix:
            return ObjectId(oid.kind, (oid.path[0], *self.dest.path, *oid.path[1 + n:]))
        return oid

    def _path(self, value: Any) -> Any:
        n = len(self.prefix)
        if (isinstance(value, tuple | list) and tuple(value[:n]) == self.prefix
                and all(isinstance(v, str) for v in value)):
            return [*self.dest.path, *value[n:]]
        return value

    def _text(self, obj: DbObject, key: str, value: str, touched: bool) -> str:
        if key in _LITERAL_KEYS:
            return value
        if self.pattern is not None and not (obj.kind == "function" and key == "definition"):
            value = self.pattern.sub(self.replacement.replace("\\", "\\\\"), value)
        elif self.pattern is not None and obj.id == self.target:  # its own header, not its body
            head, sep, body = value.partition("\n")
            value = self.pattern.sub(self.replacement.replace("\\", "\\\\"), head) + sep + body
        kind = self.target.kind
        if kind == "index" and obj.id == self.target and key == "definition":
            value = re.sub(r"(INDEX )" + re.escape(ident(self.target.path[1])) + " ON ",
                           lambda m: m.group(1) + ident(self.new) + " ON ", value, count=1)
        if kind == "constraint" and key == "on" and obj.id.path[0] == "constraint" and touched:
            value = re.sub(r"^CONSTRAINT " + re.escape(ident(self.target.path[2])) + " ON ",
                           lambda m: f"CONSTRAINT {ident(self.new)} ON ", value)
        if kind == "column" and key in _EXPRESSION_KEYS and touched:
            value = self._column_text(obj, key, value)
        return value

    def _column_text(self, obj: DbObject, key: str, value: str) -> str:
        schema, table, old = self.target.path
        own = obj.id.path[:2] == (schema, table) or tuple(obj.attrs.get("table") or ()) == (schema, table)
        if obj.kind == "index":
            head, on, rest = value.partition(" ON ")
            return head + on + _column_tokens(rest, old, self.new) if own else value
        if obj.kind == "constraint" and " REFERENCES " in value:
            mine, ref, theirs = value.partition(" REFERENCES ")
            if own:
                mine = _column_tokens(mine, old, self.new)
            target = qname(schema, table) + "("
            if theirs.startswith(target):
                inner, close, after = theirs[len(target):].partition(")")
                theirs = target + _column_tokens(inner, old, self.new) + close + after
            return mine + ref + theirs
        return _column_tokens(value, old, self.new) if own else value

    def apply(self) -> Schema:
        moved = {oid for oid in self.model.objects if self.map_id(oid) != oid}
        objects = []
        for obj in self.model:
            uses = (obj.id in moved or bool(obj.deps & moved) or (obj.parent in moved)
                    or (self.target.kind == "column" and obj.kind == "table"
                        and obj.id.path == self.target.path[:2]))
            if obj.kind in _VIEWS and obj.id not in moved and obj.deps & moved:
                attrs = {**obj.attrs, "definition": str(obj.attrs.get("definition", "")) + FORCE_MARK}
            else:
                def fn(key: str, value: Any, obj: DbObject = obj, uses: bool = uses) -> Any:
                    if isinstance(value, str):
                        if key == "column" and obj.kind == "grant" and obj.id in moved and self.target.kind == "column":
                            return self.new
                        return self._text(obj, key, value, uses)
                    if key in _PATH_KEYS:
                        return self._path(value)
                    if key == "inherits" and isinstance(value, tuple | list):
                        return [self._path(p) for p in value]
                    if isinstance(value, tuple | list):
                        return [fn(key, v) for v in value]
                    return value
                attrs = {k: _map_value(k, v, fn) for k, v in obj.attrs.items()}
            objects.append(DbObject(self.map_id(obj.id), attrs, frozenset(self.map_id(d) for d in obj.deps),
                                    self.map_id(obj.parent) if obj.parent else None, obj.position))
        return Schema.build(self.model.engine, objects, self.model.server_version, self.model.meta)


def rename_in_model(model: Schema, target: ObjectId, new: str) -> Schema:
    """``model`` once ``target`` is renamed to ``new``."""
    return _Renamer(model, target, new).apply()
