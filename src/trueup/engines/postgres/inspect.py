"""Read a live PostgreSQL database into a :class:`~trueup.model.Schema`.

All catalog queries are sent in one pipeline: one network round trip per database.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import psycopg
from psycopg.rows import dict_row, tuple_row

from trueup.engines.postgres import catalog, inspect_database, inspect_foreign
from trueup.engines.postgres.casts import add_type_facts
from trueup.engines.postgres.driver import connect, connection
from trueup.engines.postgres.inspect_kinds import add_collation, add_range, add_rule, add_statistics
from trueup.engines.postgres.inspect_partitions import (
    index_validity,
    note_attached_index,
    note_notnull_name,
    note_partition_constraint,
)
from trueup.engines.postgres.quoting import ident, qname
from trueup.errors import ConnectionFailed
from trueup.model import DbObject, ObjectId, Schema
from trueup.model.gcpause import collector_paused

Row = dict[str, Any]
Key = tuple[str, int, int]

RELKINDS = {"r": "table", "p": "table", "v": "view", "m": "materialized_view", "S": "sequence"}
TYPEKINDS = {"e": "enum", "d": "domain", "c": "composite_type"}
REPLICA_IDENTITY = {"n": "NOTHING", "f": "FULL", "i": "USING INDEX"}  # "d" (DEFAULT) is not kept
STORAGE = {"p": "PLAIN", "e": "EXTERNAL", "x": "EXTENDED", "m": "MAIN"}
POLCMD = {"*": "ALL", "r": "SELECT", "a": "INSERT", "w": "UPDATE", "d": "DELETE"}


def inspect_url(url: str, schemas: Sequence[str] | None = None, *, connections: int = 2) -> Schema:
    """Inspect one database. With two ``connections`` the server runs the catalog queries side
    by side: that pays when nothing else keeps it busy (not in ``diff``, which reads both sides
    at once, nor in the fleet audit, which works on many databases at once)."""
    with connection(url) as conn:
        return inspect_connection(conn, schemas, second=url if connections > 1 else None)


#: the catalog queries a second connection runs (``second``): their server time about equals
#: the others' (pg_get_indexdef alone is a third of the whole)
_SECOND = ("indexes", "functions", "triggers", "policies", "depend")


def _run_queries(conn: psycopg.Connection[Any], names: Sequence[str], schemas: Sequence[str] | None,
                 ) -> dict[str, list[Any]]:
    """Run catalog queries in one pipeline (one round trip) and return their rows by name: dicts,
    but plain tuples for ``depend``, whose rows are the most numerous."""
    params = {"schemas": list(schemas) if schemas else None}
    with catalog.catalog_session(conn):
        cursors: dict[str, psycopg.Cursor[Any]] = {}
        for name in names:
            cur = conn.cursor(row_factory=tuple_row if name == "depend" else dict_row)
            cur.execute(catalog.query(name, conn.info.server_version), params)  # type: ignore[arg-type]
            cursors[name] = cur
    return {name: cur.fetchall() for name, cur in cursors.items()}


def _fetch_parts(conn: psycopg.Connection[Any], schemas: Sequence[str] | None, second: str | None,
                 ) -> Iterator[dict[str, list[Any]]]:
    """The rows of every catalog query, by name, in one part or (``second``) in two: the
    first queries' rows from ``conn`` while a second connection, opened meanwhile, runs the
    others (:data:`_SECOND`); if it cannot be opened, ``conn`` runs them after. The caller can
    work on the first part while the server still works on the second."""
    if second is None:
        yield _run_queries(conn, catalog.QUERY_NAMES, schemas)
        return

    server = (conn.info.host, conn.info.port)

    def other() -> dict[str, list[Any]] | None:
        # any failure here (too many connections, a pooler's wait timeout...) leaves the
        # queries to ``conn``, which reports what fails there too
        try:
            with connect(second) as other_conn:
                if (other_conn.info.host, other_conn.info.port) != server:
                    return None  # a URL of several hosts led elsewhere (a replica, say)
                return _run_queries(other_conn, _SECOND, schemas)
        except (ConnectionFailed, psycopg.Error):
            return None

    with ThreadPoolExecutor(1) as pool:
        pending = pool.submit(other)
        yield _run_queries(conn, [n for n in catalog.QUERY_NAMES if n not in _SECOND], schemas)
        more = pending.result()
    yield more if more is not None else _run_queries(conn, _SECOND, schemas)


def inspect_connection(conn: psycopg.Connection[Any], schemas: Sequence[str] | None = None, *,
                       second: str | None = None) -> Schema:
    """The model of the database ``conn`` is connected to. With ``second`` (the URL ``conn``
    was opened with), a second connection runs part of the catalog queries at the same time,
    and the objects of the first part are built while the server works on the rest."""
    with collector_paused():
        builder = _Builder()
        depend: list[Any] = []
        for part in _fetch_parts(conn, schemas, second):
            builder.build(part)
            depend = part.get("depend", depend)
        return Schema.build("postgresql", builder.finish(depend), server_version=conn.info.server_version,
                            meta=builder.meta)


@dataclass(slots=True)
class _Pending:
    """An object being built: turned into a (frozen, so costly to make) DbObject once, in ``finish``."""

    id: ObjectId
    attrs: dict[str, Any]
    deps: frozenset[ObjectId]
    parent: ObjectId | None
    position: int

    @property
    def kind(self) -> str:
        return self.id.kind


@dataclass
class _Builder:
    objects: dict[ObjectId, _Pending] = field(default_factory=dict)
    keys: dict[Key, ObjectId] = field(default_factory=dict)
    rels: dict[int, tuple[str, str, str]] = field(default_factory=dict)  # oid -> (kind, schema, name)
    seq_owner: dict[ObjectId, ObjectId] = field(default_factory=dict)  # sequence -> its owner object
    meta: dict[str, Any] = field(default_factory=dict)  # facts about the server, not objects (Schema.meta)

    def add(self, oid: ObjectId, attrs: dict[str, Any], *, deps: Iterable[ObjectId] = (),
            parent: ObjectId | None = None, key: Key | None = None, position: int = 0) -> ObjectId:
        self.objects[oid] = _Pending(oid, attrs, frozenset(deps), parent, position)
        if key is not None:
            self.keys[key] = oid
        return oid

    def comment(self, target: ObjectId, ref: str, text: str | None) -> None:
        if text is None:
            return
        cid = ObjectId("comment", (target.kind, *target.path))
        self.add(cid, {"on": ref, "text": text}, deps=[target], parent=target)

    def grants(self, target: ObjectId, ref: str, acl: list[list[Any]] | None, column: str | None = None,
               holder: ObjectId | None = None) -> None:
        """Privileges on ``target``; they hang on ``holder`` when the target is not modelled itself."""
        holder = holder or target
        for grantee, privilege, grantable in acl or ():
            gid = ObjectId("grant", (target.kind, *target.path, grantee, privilege))
            attrs = {"on": ref, "grantee": grantee, "privilege": privilege, "grantable": bool(grantable)}
            if column is not None:
                attrs["column"] = column
            self.add(gid, attrs, deps=[holder], parent=holder)

    # -- per catalog ------------------------------------------------------------------------
    def build(self, rows: dict[str, list[Any]]) -> None:
        """Objects from the rows of catalog queries (of all of them, or of the first ones in
        :data:`catalog.QUERY_NAMES` order, the others to follow in a later call)."""
        handlers: dict[str, Callable[[Row], None]] = {
            "schemas": self._schema, "extensions": self._extension, "types": self._type,
            "relations": self._relation, "columns": self._column, "constraints": self._constraint,
            "indexes": self._index, "functions": self._function, "triggers": self._trigger,
            "policies": self._policy,
            "column_types": partial(add_type_facts, self),
            **{n: partial(h, self) for n, h in (*inspect_foreign.HANDLERS.items(),
                                                 *inspect_database.HANDLERS.items())},
            "partition_constraints": partial(note_partition_constraint, self.meta),
            "notnull_names": partial(note_notnull_name, self.meta),
            "ranges": partial(add_range, self), "collations": partial(add_collation, self),
            "statistics": partial(add_statistics, self), "rules": partial(add_rule, self),
        }
        for name in catalog.QUERY_NAMES:
            handler = handlers.get(name)
            if handler is not None and name in rows:
                for r in rows[name]:
                    handler(r)

    def _schema(self, r: Row) -> None:
        sid = self.add(ObjectId("schema", (r["name"],)), {}, key=("pg_namespace", r["oid"], 0))
        self.comment(sid, f"SCHEMA {ident(r['name'])}", r["comment"])
        self.grants(sid, f"SCHEMA {ident(r['name'])}", r["acl"])

    def _extension(self, r: Row) -> None:
        eid = self.add(ObjectId("extension", (r["name"],)), {"schema": r["schema"], "version": r["version"]},
                       deps=self._schema_dep(r["schema"]), key=("pg_extension", r["oid"], 0))
        self.comment(eid, f"EXTENSION {ident(r['name'])}", r["comment"])

    def _schema_dep(self, schema: str) -> list[ObjectId]:
        sid = ObjectId("schema", (schema,))
        return [sid] if sid in self.objects else []

    def _type(self, r: Row) -> None:
        kind = TYPEKINDS[r["typtype"]]
        tid = ObjectId(kind, (r["schema"], r["name"]))
        if kind == "enum":
            attrs: dict[str, Any] = {"labels": r["labels"] or []}
        elif kind == "domain":
            attrs = {"base_type": r["base_type"], "notnull": r["notnull"], "default": r["default_expr"],
                     "collation": r["collation"],
                     "checks": {name: [_strip_not_valid(d), bool(v)] for name, d, v in r["checks"] or ()}}
        else:
            attrs = {"attributes": r["attributes"] or []}
        self.add(tid, attrs, deps=self._schema_dep(r["schema"]), key=("pg_type", r["oid"], 0))
        for coid in r["constraint_oids"] or ():  # what a domain's checks use, the domain uses
            self.keys[("pg_constraint", coid, 0)] = tid
        if kind == "composite_type":  # and what a composite type's attributes use
            self.keys[("pg_class", r["typrelid"], 0)] = tid
        word = "DOMAIN" if kind == "domain" else "TYPE"
        self.comment(tid, f"{word} {qname(r['schema'], r['name'])}", r["comment"])
        for part, text in (r["part_comments"] or {}).items():
            # comments on a domain's check or a composite type's attribute hang on the type
            if kind == "domain":
                cid = ObjectId("comment", ("domain_constraint", *tid.path, part))
                # the check's definition is kept so that a recreated check gets its comment back
                check = attrs["checks"].get(part)
                part_attrs = {"on": f"CONSTRAINT {ident(part)} ON DOMAIN {qname(*tid.path)}", "text": text,
                              "constraint": check[0] if check else None}
            else:
                cid = ObjectId("comment", ("column", *tid.path, part))
                part_attrs = {"on": f"COLUMN {qname(*tid.path, part)}", "text": text}
            self.add(cid, part_attrs, deps=[tid], parent=tid)

    def _relation(self, r: Row) -> None:
        kind = RELKINDS[r["relkind"]]
        path = (r["schema"], r["name"])
        ref = qname(*path)
        deps = self._schema_dep(r["schema"])
        self.rels[r["oid"]] = (kind, *path)
        key: Key = ("pg_class", r["oid"], 0)
        if kind == "sequence":
            owned = r["owned_by"]
            if owned and owned[0] == "i":
                return  # an identity column's sequence belongs to the column
            sid = self.add(ObjectId("sequence", path), {
                "type": r["seq_type"], "start": r["seqstart"], "increment": r["seqincrement"],
                "min": r["seqmin"], "max": r["seqmax"], "cycle": r["seqcycle"], "cache": r["seqcache"],
                "owned_by": owned[1:] if owned else None,
            }, deps=deps, key=key)
            if owned:
                owner = ObjectId("sequence_owner", path)
                col = ObjectId("column", tuple(owned[1:]))
                self.add(owner, {"column": owned[1:]}, deps=[sid, col], parent=sid)
                self.seq_owner[sid] = owner
            self.comment(sid, f"SEQUENCE {ref}", r["comment"])
            self.grants(sid, f"SEQUENCE {ref}", r["acl"])
            return
        parents = [tuple(p) for p in r["parents"] or ()]
        if kind == "table":
            attrs: dict[str, Any] = {
                "partitioned": r["relkind"] == "p",
                "partition_key": r["partition_key"],
                "unlogged": r["relpersistence"] == "u",
                "options": sorted((r["reloptions"] or []) + (r["toast_options"] or [])),
                "partition_of": list(parents[0]) if r["relispartition"] else None,
                "partition_bound": r["partition_bound"],
                "inherits": [] if r["relispartition"] else [list(p) for p in parents],
            }
            if r["relkind"] == "p":
                attrs["partition_key_types"] = r["partition_key_types"]
            if r["relreplident"] in REPLICA_IDENTITY:
                attrs["replica_identity"] = REPLICA_IDENTITY[r["relreplident"]]
            parent_ids = [ObjectId("table", p) for p in parents]
            parent = parent_ids[0] if r["relispartition"] else None
            tid = self.add(ObjectId("table", path), attrs, deps=deps + parent_ids, parent=parent, key=key)
            if r["relrowsecurity"] or r["relforcerowsecurity"]:
                self.add(ObjectId("rls", path),
                         {"enabled": r["relrowsecurity"], "forced": r["relforcerowsecurity"]},
                         deps=[tid], parent=tid)
            word = "TABLE"
        else:
            attrs = {"definition": r["view_def"], "options": sorted(r["reloptions"] or [])}
            if kind == "materialized_view":
                attrs["populated"] = r["relispopulated"]
            tid = self.add(ObjectId(kind, path), attrs, deps=deps, key=key)
            word = "VIEW" if kind == "view" else "MATERIALIZED VIEW"
        self.comment(tid, f"{word} {ref}", r["comment"])
        self.grants(tid, f"TABLE {ref}", r["acl"])

    def _column(self, r: Row) -> None:
        rel = self.rels.get(r["attrelid"])
        if rel is None:
            return
        kind, schema, table = rel
        target = ObjectId(kind, (schema, table))
        if kind != "table":
            # view columns are not modelled; their comments and grants hang on the view
            self.keys[("pg_class", r["attrelid"], r["attnum"])] = target
            cid = ObjectId("column", (schema, table, r["name"]))
            if r["comment"] is not None:  # (the checks here and below spare building unused names)
                self.comment(cid, f"COLUMN {qname(schema, table, r['name'])}", r["comment"])
            self._reparent_comment(cid, target)
            if r["acl"]:
                self.grants(cid, f"TABLE {qname(schema, table)}", r["acl"], column=r["name"], holder=target)
            return
        if not r["islocal"]:
            self.keys[("pg_class", r["attrelid"], r["attnum"])] = target
            self._inherited_column(target, r)
            return
        identity = None
        if r["identity"]:
            seq = r["identity_seq"] or [None] * 9
            identity = {"generation": "ALWAYS" if r["identity"] == "a" else "BY DEFAULT",
                        "type": seq[0], "start": seq[1], "increment": seq[2], "min": seq[3],
                        "max": seq[4], "cycle": seq[5], "cache": seq[6], "sequence": seq[7:9]}
        generated = None
        if r["generated"] in ("s", "v"):
            generated = {"expression": r["default_expr"], "stored": r["generated"] == "s"}
        attrs = {
            "type": r["type"], "notnull": r["notnull"],
            "default": None if generated else r["default_expr"],
            "identity": identity, "generated": generated, "collation": r["collation"],
        }
        # settings kept only where they differ from the default (so older snapshots still compare)
        if r["storage"]:
            attrs["storage"] = {"value": STORAGE[r["storage"][0]], "default": STORAGE[r["storage"][1]]}
        if r["statistics"] is not None:
            attrs["statistics"] = r["statistics"]
        if r["compression"]:
            attrs["compression"] = {"p": "pglz", "l": "lz4"}.get(r["compression"], r["compression"])
        cid = self.add(ObjectId("column", (schema, table, r["name"])), attrs, deps=[target], parent=target,
                       key=("pg_class", r["attrelid"], r["attnum"]), position=r["attnum"])
        if r["comment"] is not None:
            self.comment(cid, f"COLUMN {qname(schema, table, r['name'])}", r["comment"])
        if r["acl"]:
            self.grants(cid, f"TABLE {qname(schema, table)}", r["acl"], column=r["name"])

    def _inherited_column(self, table: ObjectId, r: Row) -> None:
        """An inherited column is modelled only where its default or NOT NULL is its own."""
        if not r["parent_column"]:
            return
        p_schema, p_table, p_default, p_notnull = r["parent_column"]
        if r["default_expr"] == p_default and (p_notnull or not r["notnull"]):
            return
        attrs = {"default": r["default_expr"], "notnull": r["notnull"],
                 "parent": [p_schema, p_table], "parent_default": p_default, "parent_notnull": p_notnull}
        self.add(ObjectId("inherited_column", (*table.path, r["name"])), attrs,
                 deps=[table, ObjectId("column", (p_schema, p_table, r["name"]))], parent=table)

    def _reparent_comment(self, cid: ObjectId, view: ObjectId) -> None:
        key = ObjectId("comment", (cid.kind, *cid.path))
        obj = self.objects.get(key)
        if obj is not None:
            self.objects[key] = _Pending(key, dict(obj.attrs), frozenset([view]), view, 0)

    def _table_of(self, relid: int) -> tuple[ObjectId, str, str] | None:
        rel = self.rels.get(relid)
        if rel is None:
            return None
        kind, schema, table = rel
        return ObjectId(kind, (schema, table)), schema, table

    def _constraint(self, r: Row) -> None:
        t = self._table_of(r["conrelid"])
        if t is None:
            return
        tid, schema, table = t
        cid = self.add(ObjectId("constraint", (schema, table, r["name"])), {
            "type": r["contype"], "definition": _strip_not_valid(r["def"]), "validated": r["convalidated"],
            **_index_flags(r),
        }, deps=[tid], parent=tid, key=("pg_constraint", r["oid"], 0))
        if r["contype"] in ("p", "u", "x") and r["conindid"]:
            self.keys[("pg_class", r["conindid"], 0)] = cid
        if r["comment"] is not None:
            self.comment(cid, f"CONSTRAINT {ident(r['name'])} ON {qname(schema, table)}", r["comment"])

    def _index(self, r: Row) -> None:
        if r["constraint_backed"] or r["attached"]:
            note_attached_index(self.meta, r)
            return
        t = self._table_of(r["indrelid"])
        if t is None:
            return
        tid = t[0]
        iid = self.add(ObjectId("index", (r["schema"], r["name"])),
                       {"definition": r["def"], "table": list(tid.path), **_index_flags(r), **index_validity(r)},
                       deps=[tid], parent=tid, key=("pg_class", r["oid"], 0))
        if r["comment"] is not None:
            self.comment(iid, f"INDEX {qname(r['schema'], r['name'])}", r["comment"])

    def _function(self, r: Row) -> None:
        kind = {"f": "FUNCTION", "p": "PROCEDURE", "a": "AGGREGATE", "w": "FUNCTION"}[r["prokind"]]
        fid = ObjectId("function", (r["schema"], f"{r['name']}({r['args']})"))
        sig = f"{qname(r['schema'], r['name'])}({r['args']})"
        attrs: dict[str, Any] = {
            "kind": kind, "signature": sig, "arguments": r["signature"], "result": r["result"],
        }
        if r["prokind"] == "a":
            attrs["aggregate"] = r["aggregate"]
        else:
            attrs["definition"] = r["def"]
        self.add(fid, attrs, deps=self._schema_dep(r["schema"]), key=("pg_proc", r["oid"], 0))
        self.comment(fid, f"{kind} {sig}", r["comment"])
        # GRANT names an ordered-set aggregate by its plain argument list
        plain_sig = sig.replace(" ORDER BY ", ", ")
        self.grants(fid, f"{'PROCEDURE' if kind == 'PROCEDURE' else 'FUNCTION'} {plain_sig}", r["acl"])

    def _trigger(self, r: Row) -> None:
        t = self._table_of(r["tgrelid"])
        if t is None:
            return
        tid, schema, table = t
        if r["root_table"] is not None:
            # a partition's clone of its parent's trigger, in another enabled state than the parent's
            root = ObjectId("trigger", (*r["root_table"], r["name"]))
            self.add(ObjectId("trigger", (schema, table, r["name"])),
                     {"definition": None, "clone_of": list(root.path), "enabled": r["enabled"],
                      "parent_enabled": r["parent_enabled"]}, deps=[tid, root], parent=tid)
            return
        trid = self.add(ObjectId("trigger", (schema, table, r["name"])),
                        {"definition": r["def"], "enabled": r["enabled"]},
                        deps=[tid], parent=tid, key=("pg_trigger", r["oid"], 0))
        if r["comment"] is not None:
            self.comment(trid, f"TRIGGER {ident(r['name'])} ON {qname(schema, table)}", r["comment"])

    def _policy(self, r: Row) -> None:
        t = self._table_of(r["polrelid"])
        if t is None:
            return
        tid, schema, table = t
        pid = self.add(ObjectId("policy", (schema, table, r["name"])), {
            "permissive": r["permissive"], "command": POLCMD[r["cmd"]],
            "roles": sorted(r["roles"] or ["PUBLIC"]),
            "using": r["using_expr"], "check": r["check_expr"],
        }, deps=[tid], parent=tid, key=("pg_policy", r["oid"], 0))
        if r["comment"] is not None:
            self.comment(pid, f"POLICY {ident(r['name'])} ON {qname(schema, table)}", r["comment"])

    # -- dependencies -------------------------------------------------------------------------
    def finish(self, depend: list[tuple[Any, ...]]) -> list[DbObject]:
        """The objects, with the dependencies of ``depend``'s rows (queries/depend.sql, as
        tuples) added."""
        extra: dict[ObjectId, set[ObjectId]] = {}
        # each end: the catalog row's object, else (a column, say) the whole row's object
        get = self.keys.get
        for cls, oid, sub, rcls, roid, rsub, deptype in depend:
            src = (get((cls, oid, sub)) or get((cls, oid, 0))) if sub else get((cls, oid, 0))
            if src is None:
                continue
            dst = (get((rcls, roid, rsub)) or get((rcls, roid, 0))) if rsub else get((rcls, roid, 0))
            if dst is None or src == dst:
                continue
            if src.kind == "sequence" and deptype == "a":
                src = self.seq_owner.get(src, src)  # OWNED BY is the owner object's business
                if src.kind == "sequence":
                    continue
            if src.kind == "table" and dst.kind == "column" and deptype == "a":
                continue
            known = extra.get(src)
            if known is None:
                extra[src] = {dst}
            else:
                known.add(dst)
        out = []
        objects = self.objects
        modelled = frozenset(objects)  # dependencies on objects not modelled (out of scope) are left out
        for oid, obj in objects.items():
            more = extra.get(oid)
            if oid.kind == "comment" and oid.path[0] == "domain_constraint" and obj.parent is not None:
                # a domain's check is re-added when a function it uses is replaced: so is its comment
                more = {d for d in extra.get(obj.parent, ()) if d.kind == "function"}
            deps = (obj.deps | more if more else obj.deps) & modelled
            out.append(DbObject(oid, obj.attrs, deps, obj.parent, obj.position))  # (which drops oid itself)
        return out


def _index_flags(r: Row) -> dict[str, bool]:
    """CLUSTER ON and REPLICA IDENTITY USING INDEX, kept only when set."""
    return {k: True for k in ("clustered", "replica_identity") if r[k]}


_NOT_VALID = re.compile(r"\s+NOT VALID$")


def _strip_not_valid(definition: str) -> str:
    return _NOT_VALID.sub("", definition)
