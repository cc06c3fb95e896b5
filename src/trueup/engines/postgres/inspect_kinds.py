"""Catalog rows → model objects for range types, collations, extended statistics and rules
(``queries/ranges.sql``, ``collations.sql``, ``statistics.sql``, ``rules.sql``): handlers the
inspection's builder calls per row, as it calls its own."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from trueup.engines.postgres.quoting import ident, qname
from trueup.model import ObjectId

if TYPE_CHECKING:
    from trueup.engines.postgres.inspect import _Builder

Row = dict[str, Any]

PROVIDERS = {"c": "libc", "i": "icu", "b": "builtin", "d": "default"}


def add_range(b: _Builder, r: Row) -> None:
    """A range type; its multirange type is part of it (what uses the multirange uses the range)."""
    rid = b.add(ObjectId("range", (r["schema"], r["name"])), {
        "subtype": r["subtype"], "subtype_opclass": r["subtype_opclass"], "collation": r["collation"],
        "canonical": r["canonical"], "subtype_diff": r["subtype_diff"], "multirange": r["multirange"],
    }, deps=b._schema_dep(r["schema"]), key=("pg_type", r["oid"], 0))
    b.keys[("pg_type", r["multirange_oid"], 0)] = rid
    b.comment(rid, f"TYPE {qname(r['schema'], r['name'])}", r["comment"])


def add_collation(b: _Builder, r: Row) -> None:
    """A collation: libc's by its LC_COLLATE and LC_CTYPE, the others' (ICU, builtin) by their locale."""
    libc = r["provider"] == "c"
    cid = b.add(ObjectId("collation", (r["schema"], r["name"])), {
        "provider": PROVIDERS.get(r["provider"], r["provider"]), "deterministic": r["deterministic"],
        "lc_collate": r["lc_collate"] if libc else None, "lc_ctype": r["lc_ctype"] if libc else None,
        "locale": None if libc else r["locale"], "rules": r["rules"],
    }, deps=b._schema_dep(r["schema"]), key=("pg_collation", r["oid"], 0))
    b.comment(cid, f"COLLATION {qname(r['schema'], r['name'])}", r["comment"])


def add_statistics(b: _Builder, r: Row) -> None:
    t = b._table_of(r["stxrelid"])
    if t is None:
        return
    tid, schema, table = t
    columns = [ObjectId("column", (schema, table, c)) for c in r["columns"] or ()]
    attrs: dict[str, Any] = {"definition": r["def"], "table": list(tid.path), "target": r["target"]}
    sid = b.add(ObjectId("statistics", (r["schema"], r["name"])), attrs,
                deps=[tid, *columns, *b._schema_dep(r["schema"])], parent=tid, key=("pg_statistic_ext", r["oid"], 0))
    b.comment(sid, f"STATISTICS {qname(r['schema'], r['name'])}", r["comment"])


def add_rule(b: _Builder, r: Row) -> None:
    t = b._table_of(r["ev_class"])
    if t is None:
        return
    tid, schema, table = t
    rid = b.add(ObjectId("rule", (schema, table, r["name"])),
                {"definition": r["def"], "table": list(tid.path), "enabled": r["enabled"]},
                deps=[tid], parent=tid, key=("pg_rewrite", r["oid"], 0))
    if r["comment"] is not None:
        b.comment(rid, f"RULE {ident(r['name'])} ON {qname(schema, table)}", r["comment"])
