"""Move a model from one schema to another (schema-per-tenant audits compare a template
schema with each tenant schema)."""

from __future__ import annotations

import re
from typing import Any

from trueup.engines.postgres.kinds.partitioning import ATTACHED_META, CLONED_META, NOTNULL_META
from trueup.engines.postgres.quoting import ident
from trueup.model import DbObject, ObjectId, Schema

#: attrs holding [schema, name, ...] lists
_PATH_KEYS = frozenset({"partition_of", "table", "column", "owned_by", "sequence", "parent",
                        "from"})  # ("from": a declared rename's old path, in the model's meta)
_PATH_LIST_KEYS = frozenset({"inherits"})
#: attrs never rewritten (user data)
_LITERAL_KEYS = frozenset({"labels", "text"})


def _qualifier(schema: str) -> re.Pattern[str]:
    return re.compile(r'(?<![\w".$])' + re.escape(ident(schema)) + r"\.")


def _rename_value(key: str, value: Any, old: str, new: str, pattern: re.Pattern[str]) -> Any:
    if key in _LITERAL_KEYS:
        return value
    if isinstance(value, str):
        return pattern.sub(ident(new).replace("\\", "\\\\") + ".", value)
    if key in _PATH_KEYS and isinstance(value, tuple | list) and value and value[0] == old:
        return [new, *value[1:]]
    if key in _PATH_LIST_KEYS and isinstance(value, tuple | list):
        return [[new, *p[1:]] if p and p[0] == old else list(p) for p in value]
    if isinstance(value, dict) or hasattr(value, "items"):
        return {k: _rename_value(k, v, old, new, pattern) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [_rename_value(key, v, old, new, pattern) for v in value]
    return value


def _rename_id(oid: ObjectId, old: str, new: str) -> ObjectId:
    if oid.kind in ("comment", "grant"):
        if len(oid.path) > 1 and oid.path[1] == old and oid.path[0] != "schema":
            return ObjectId(oid.kind, (oid.path[0], new, *oid.path[2:]))
        return oid
    if oid.kind in ("schema", "extension") or not oid.path or oid.path[0] != old:
        return oid
    return ObjectId(oid.kind, (new, *oid.path[1:]))


def rename_schema(schema: Schema, old: str, new: str) -> Schema:
    """A copy of ``schema`` whose objects in ``old`` live in ``new``, references included."""
    pattern = _qualifier(old)
    objects = []
    for obj in schema:
        attrs = {k: _rename_value(k, v, old, new, pattern) for k, v in obj.attrs.items()}
        objects.append(DbObject(
            _rename_id(obj.id, old, new), attrs, frozenset(_rename_id(d, old, new) for d in obj.deps),
            _rename_id(obj.parent, old, new) if obj.parent else None, obj.position))
    # (the facts about the server name the types columns store: those of ``old`` move too)
    meta = {k: _rename_value(k, v, old, new, pattern) for k, v in schema.meta.items()}
    if ATTACHED_META in meta:  # [schema, name, table schema, table, parent schema, parent]
        meta[ATTACHED_META] = [[new if i % 2 == 0 and x == old else x for i, x in enumerate(row)]
                               for row in schema.meta[ATTACHED_META]]
    if NOTNULL_META in meta:  # [schema, table, column, name]
        meta[NOTNULL_META] = [[new if i == 0 and x == old else x for i, x in enumerate(row)]
                              for row in schema.meta[NOTNULL_META]]
    if CLONED_META in meta:  # [schema, table, name, parent schema, parent table, parent name]
        meta[CLONED_META] = [[new if i in (0, 3) and x == old else x for i, x in enumerate(row)]
                             for row in schema.meta[CLONED_META]]
    return Schema.build(schema.engine, objects, schema.server_version, meta)
