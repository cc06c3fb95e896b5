"""Catalog rows -> model objects: event triggers, publications and default privileges
(queries/event_triggers.sql, publications.sql, default_privileges.sql)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from trueup.engines.postgres.kinds.default_privileges import OBJTYPES
from trueup.engines.postgres.quoting import ident
from trueup.model import ObjectId

if TYPE_CHECKING:
    from trueup.engines.postgres.inspect import _Builder

Row = dict[str, Any]


def event_trigger(b: _Builder, r: Row) -> None:
    eid = b.add(ObjectId("event_trigger", (r["name"],)),
                {"event": r["event"], "tags": r["tags"], "function": r["function"], "enabled": r["enabled"]},
                key=("pg_event_trigger", r["oid"], 0))  # (its function: from pg_depend)
    b.comment(eid, f"EVENT TRIGGER {ident(r['name'])}", r["comment"])


def publication(b: _Builder, r: Row) -> None:
    tables = r["tables"] or []
    schemas = r["schemas"] or []
    deps = [ObjectId("table", (t[0], t[1])) for t in tables]
    deps += [ObjectId("column", (t[0], t[1], c)) for t in tables for c in t[2] or ()]
    deps += [ObjectId("schema", (s,)) for s in schemas]
    attrs = {"all_tables": r["all_tables"], "publish": r["publish"] or [], "via_root": r["via_root"],
             "tables": tables, "schemas": schemas}
    if r["generated_columns"] in ("s", "true"):  # (PostgreSQL 18; kept only when set)
        attrs["generated_columns"] = "stored"
    pid = b.add(ObjectId("publication", (r["name"],)), attrs, deps=deps, key=("pg_publication", r["oid"], 0))
    for oid in r["rel_oids"] or ():  # what a row filter uses, the publication uses
        b.keys[("pg_publication_rel", oid, 0)] = pid
    b.comment(pid, f"PUBLICATION {ident(r['name'])}", r["comment"])


def default_privileges(b: _Builder, r: Row) -> None:
    schema = r["schema"] or ""
    on = OBJTYPES.get(r["objtype"])
    if on is None:
        return
    given = {(g, p): bool(o) for g, p, o in r["acl"] or ()}
    builtin = {(g, p): bool(o) for g, p, o in r["builtin"] or ()}
    sid = ObjectId("schema", (schema,)) if schema else None
    parent = sid if sid is not None and sid in b.objects else None
    for (grantee, privilege), grantable in given.items():
        if builtin.get((grantee, privilege)) == grantable:
            continue
        b.add(ObjectId("default_privilege", (schema, r["role"], on, grantee, privilege)),
              {"action": "GRANT", "grantable": grantable}, deps=[parent] if parent else [], parent=parent)
    for grantee, privilege in builtin.keys() - given.keys():
        b.add(ObjectId("default_privilege", (schema, r["role"], on, grantee, privilege)),
              {"action": "REVOKE", "grantable": False})


#: catalog query -> its rows' handler (registered in inspect.py)
HANDLERS = {"event_triggers": event_trigger, "publications": publication, "default_privileges": default_privileges}
