"""Catalog rows -> model objects: foreign-data wrappers, foreign servers, user mappings (their
secret options by name only) and foreign tables (queries/foreign_*.sql, user_mappings.sql)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from trueup.engines.postgres.quoting import ident, qname
from trueup.model import ObjectId

if TYPE_CHECKING:
    from trueup.engines.postgres.inspect import _Builder

Row = dict[str, Any]


def wrapper(b: _Builder, r: Row) -> None:
    wid = b.add(ObjectId("foreign_data_wrapper", (r["name"],)),
                {"handler": r["handler"], "validator": r["validator"], "options": r["options"] or []},
                key=("pg_foreign_data_wrapper", r["oid"], 0))
    b.comment(wid, f"FOREIGN DATA WRAPPER {ident(r['name'])}", r["comment"])
    b.grants(wid, f"FOREIGN DATA WRAPPER {ident(r['name'])}", r["acl"])


def server(b: _Builder, r: Row) -> None:
    # (an extension's wrapper, postgres_fdw's say, is the extension's: the server needs the extension)
    wid = ObjectId("extension", (r["wrapper_extension"],)) if r["wrapper_extension"] else ObjectId(
        "foreign_data_wrapper", (r["wrapper"],))
    sid = b.add(ObjectId("foreign_server", (r["name"],)),
                {"wrapper": r["wrapper"], "type": r["type"], "version": r["version"], "options": r["options"] or []},
                deps=[wid], key=("pg_foreign_server", r["oid"], 0))
    b.comment(sid, f"SERVER {ident(r['name'])}", r["comment"])
    b.grants(sid, f"FOREIGN SERVER {ident(r['name'])}", r["acl"])


def user_mapping(b: _Builder, r: Row) -> None:
    sid = ObjectId("foreign_server", (r["server"],))
    attrs: dict[str, Any] = {"options": r["options"] or [], "secret_keys": r["secret_keys"] or []}
    if r["hidden"]:
        attrs["hidden"] = True  # the reader may not see its options: they are unknown
    b.add(ObjectId("user_mapping", (r["user"], r["server"])), attrs, deps=[sid],  # (DROP SERVER keeps it)
          key=("pg_user_mapping", r["oid"], 0))


def foreign_table(b: _Builder, r: Row) -> None:
    path = (r["schema"], r["name"])
    sid = ObjectId("foreign_server", (r["server"],))
    fid = b.add(ObjectId("foreign_table", path),
                {"server": r["server"], "options": r["options"] or [], "columns": r["columns"] or []},
                deps=[*b._schema_dep(r["schema"]), sid], key=("pg_class", r["oid"], 0))
    b.comment(fid, f"FOREIGN TABLE {qname(*path)}", r["comment"])
    b.grants(fid, f"TABLE {qname(*path)}", r["acl"])


#: catalog query -> its rows' handler (registered in inspect.py)
HANDLERS = {"foreign_data_wrappers": wrapper, "foreign_servers": server, "user_mappings": user_mapping,
            "foreign_tables": foreign_table}
