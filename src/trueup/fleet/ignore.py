"""Ignore rules: schemas and objects an audit never reports."""

from __future__ import annotations

from fnmatch import fnmatchcase

from trueup.config import IgnoreRules
from trueup.model import DbObject, ObjectId, Schema

#: schemas a stock Supabase project owns (the platform manages them, not your schema files)
SUPABASE_SCHEMAS = (
    "auth", "storage", "graphql", "graphql_public", "realtime", "_realtime", "supabase_functions",
    "supabase_migrations", "extensions", "pgsodium", "pgsodium_masks", "vault", "net", "cron",
    "_analytics", "pgbouncer", "pgtle", "topology",
)
#: always ignored: trueup's own bookkeeping
BUILTIN_SCHEMAS = ("trueup",)


def _root(oid: ObjectId, schema: Schema) -> ObjectId:
    obj = schema.get(oid)
    while obj is not None and obj.parent is not None and obj.parent in schema.objects:
        obj = schema.objects[obj.parent]
    return obj.id if obj is not None else oid


def apply_ignore(schema: Schema, rules: IgnoreRules) -> Schema:
    schemas = list(rules.schemas) + list(BUILTIN_SCHEMAS)
    if rules.preset == "supabase":
        schemas += SUPABASE_SCHEMAS

    def ignored(obj: DbObject) -> bool:
        nsp = obj.schema_name
        if nsp is not None and any(fnmatchcase(nsp, p) for p in schemas):
            return True
        if not rules.objects:
            return False
        root = schema.objects.get(_root(obj.id, schema), obj)
        for o in (obj, root):
            names = (o.id.display, f"{o.kind}:{o.id.display}")
            if any(fnmatchcase(n, p) for n in names for p in rules.objects):
                return True
        return False

    return schema.filtered(lambda o: not ignored(o))
