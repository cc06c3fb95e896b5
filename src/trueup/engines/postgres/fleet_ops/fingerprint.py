"""A cheap server-side fingerprint of everything the inspection models.

The fingerprint hashes, per kind of object, either the rows of the catalog query the inspection
runs for that kind or (for the costly kinds) the catalog rows as stored (``queries/fp_*.sql``),
with OIDs replaced by names, so two databases (or schemas) with equal fingerprints have equal
models; different fingerprints only mean "inspect fully". In schema-per-tenant mode there is a
fingerprint per schema, each schema's own name written ``$`` so tenants compare equal.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from typing import Any

import psycopg

from trueup.engines.postgres import catalog

#: kinds hashed from the inspection's own query (few rows); per query: the columns holding OIDs
_OID_COLUMNS: dict[str, tuple[str, ...]] = {
    "schemas": ("oid",),
    "extensions": ("oid",),
    "types": ("oid", "constraint_oids"),  # a domain's constraint OIDs: for dependencies only
    "functions": ("oid",),
    "ranges": ("oid", "multirange_oid"), "collations": ("oid",),
    "statistics": ("oid", "stxrelid"), "rules": ("oid", "ev_class"),
    "foreign_tables": ("oid",),
    "default_privileges": ("oid",),  # (a schema's entries; the whole database's: _GLOBAL)
}

#: database-wide kinds (no schema: hashed only for a whole database), hashed from the
#: inspection's own query; per query: the columns holding OIDs
_GLOBAL: dict[str, tuple[str, ...]] = {
    "foreign_data_wrappers": ("oid",),
    "foreign_servers": ("oid",),
    "user_mappings": ("oid",),
    "event_triggers": ("oid",),
    "publications": ("oid", "rel_oids"),
    "default_privileges": ("oid",),
}

#: kinds whose fingerprint rows are read from the catalog as stored (``queries/fp_<kind>.sql``):
#: the costly ones, where deparsing every object (pg_get_indexdef, format_type...) or building a
#: JSON document per row would dominate
_RAW = ("relations", "columns", "indexes", "constraints", "triggers", "policies", "casts")


def _rows_sql(name: str, server_version: int | None = None) -> str:
    """Rows of one catalog query as (source, schema, text) with OIDs replaced by names and the
    row's own schema written ``$``, so that in schema-per-tenant mode equal schemas give equal
    texts. ``server_version`` picks the same query variant the inspection runs on that server.
    """
    if name in _RAW:
        return catalog.query(f"fp_{name}", server_version)
    if name.endswith("@db"):  # a database-wide kind: its rows have no schema
        name = name[:-3]
        drop = "ARRAY[" + ", ".join(f"'{c}'" for c in _GLOBAL[name]) + "]::text[]"
        return (f"SELECT '{name}@db' AS src, NULL::text AS nsp, (to_jsonb(q) - {drop})::text AS row"
                f" FROM ({catalog.query(name, server_version)}) q WHERE to_jsonb(q) ->> 'schema' IS NULL")
    drop = "ARRAY[" + ", ".join(f"'{c}'" for c in (*_OID_COLUMNS[name], "schema")) + "]::text[]"
    if name == "schemas":
        nsp = "q.name"
        body = f"to_jsonb(q) - {drop} - 'name'"
    else:
        nsp = "q.schema"
        body = f"to_jsonb(q) - {drop}"
    # the rows are JSON: the schema's qualifier and name appear JSON-escaped ("A". as \"A\".)
    row = (f"replace(replace(({body})::text, btrim(to_json(quote_ident(r.nsp) || '.')::text, '\"'), '$.'),"
           f" to_json(r.nsp)::text, '\"$\"')")
    return (f"SELECT '{name}' AS src, r.nsp, {row} AS row"
            f" FROM ({catalog.query(name, server_version)}) q CROSS JOIN LATERAL (SELECT {nsp} AS nsp) r"
            " WHERE r.nsp IS NOT NULL")


#: how the kinds are shared between two connections: the first three deparse against their
#: tables (pg_get_expr, pg_get_viewdef), so they share one connection's relation cache
_SHARES: tuple[tuple[str, ...], ...] = (
    ("indexes", "policies", "relations", "rules"),  # (rules deparse against their tables too)
    ("columns", "constraints", "types", "functions", "triggers", "schemas", "extensions", "foreign_tables",
     "default_privileges", "ranges", "collations", "statistics"))


#: kinds most databases have none of, each with where its objects live: the fingerprint reads
#: such a kind only where that catalog holds a user object (an OID of 16384 or more, PostgreSQL's
#: FirstNormalObjectId: what initdb made is below it). A kind without rows adds nothing to the
#: hash, read or not, so the fingerprint is the same; a database that has none of them saves
#: planning a dozen subqueries (a third of a small database's fingerprint)
_GATES: dict[str, str] = {
    "ranges": "pg_catalog.pg_range WHERE rngtypid >= 16384",
    "collations": "pg_catalog.pg_collation WHERE oid >= 16384",
    "statistics": "pg_catalog.pg_statistic_ext WHERE oid >= 16384",
    "rules": "pg_catalog.pg_rewrite WHERE oid >= 16384 AND rulename <> '_RETURN'",
    "foreign_tables": "pg_catalog.pg_foreign_table",
    "default_privileges": "pg_catalog.pg_default_acl",
    "foreign_data_wrappers@db": "pg_catalog.pg_foreign_data_wrapper",
    "foreign_servers@db": "pg_catalog.pg_foreign_server",
    "user_mappings@db": "pg_catalog.pg_user_mappings",
    "event_triggers@db": "pg_catalog.pg_event_trigger",
    "publications@db": "pg_catalog.pg_publication",
    "default_privileges@db": "pg_catalog.pg_default_acl",
}
_GATE_SQL = "SELECT " + ", ".join(f"EXISTS (SELECT 1 FROM {where})" for where in _GATES.values())


def _present(conn: psycopg.Connection[Any], kinds: Sequence[str]) -> tuple[str, ...]:
    """``kinds`` without the gated ones whose catalog holds no user object (see :data:`_GATES`)."""
    if not any(k in _GATES for k in kinds):
        return tuple(kinds)
    row = conn.execute(_GATE_SQL).fetchone()
    have = {k for k, found in zip(_GATES, row or (), strict=False) if found}
    return tuple(k for k in kinds if k not in _GATES or k in have)


def _kinds(per_schema: bool) -> list[str]:
    # per schema: extensions, casts and the _GLOBAL kinds are database-wide and the schema itself
    # is the tenant's own
    return [n for n in (*_OID_COLUMNS, *_RAW, *(f"{g}@db" for g in _GLOBAL))
            if not (per_schema and (n in ("extensions", "schemas", "casts") or n.endswith("@db")))]


@cache
def fingerprint_sql(per_schema: bool, server_version: int | None = None,
                    kinds: tuple[str, ...] | None = None) -> str:
    """A hash per kind (and per schema) of the multiset of its rows: the row count and the exact
    (numeric) sums of two differently seeded 64-bit hashes of each row's bytes. It is order-
    independent, so nothing is sorted (sorting the rows was 30-40% of the query) and the
    database's collation does not matter; a changed row changes both sums unless both 64-bit
    hashes collide. (Should a server hash differently, fingerprints would only differ and the
    targets be inspected in full.) The kinds' hashes are combined by :func:`_combine`, so any
    split of the kinds among queries gives the same fingerprint."""
    union = "\nUNION ALL\n".join(_rows_sql(n, server_version) for n in kinds or _kinds(per_schema))
    line = "row" if per_schema else "coalesce(nsp || ':', '') || row"
    # each fence (OFFSET 0) keeps its expressions from being inlined: the row is built once,
    # and only its hashes (not its text) reach the grouping, which may sort
    return (f"SELECT {'nsp' if per_schema else 'NULL'}, src, count(*) || ':' || sum(h1) || ':' || sum(h2)"
            f" FROM (SELECT nsp, src, hashtextextended({line} COLLATE \"C\", 1)::numeric AS h1,"
            f" hashtextextended({line} COLLATE \"C\", 2)::numeric AS h2"
            f" FROM ({union} OFFSET 0) r OFFSET 0) h GROUP BY 1, 2")


def _combine(rows: Iterable[tuple[Any, ...]]) -> dict[str | None, str]:
    """(schema, kind, hash) rows to one hash per schema (``None``: the whole database)."""
    parts: dict[str | None, list[str]] = {}
    for nsp, src, digest in rows:
        parts.setdefault(nsp, []).append(f"{src}:{digest}")
    return {nsp: hashlib.md5("\n".join(sorted(p)).encode(), usedforsecurity=False).hexdigest()
            for nsp, p in parts.items()}


def _fetch(conn: psycopg.Connection[Any], sql: str, params: dict[str, Any], again: bool = False,
           ) -> list[tuple[Any, ...]]:
    """Run a fingerprint query as the inspection runs its queries: names qualified, no JIT
    (compiling costs more than it saves here), no parallel workers (each would warm its own
    catalog caches, the bulk of the work), all in one round trip.

    ``again``: the connection will run it again (apply: before and after); it is then prepared
    with a generic plan, which the next run reuses: planning is ~40% of a warm run. (Not by
    default: a pooler in transaction mode loses prepared statements; apply's session-level
    advisory lock already needs a session of its own.)
    """
    settings = {"max_parallel_workers_per_gather": "0"}
    if again:
        settings["plan_cache_mode"] = "force_generic_plan"
    with catalog.catalog_session(conn, **settings):
        cur = conn.execute(sql, params, prepare=again or None)  # type: ignore[arg-type]
    return cur.fetchall()


def fingerprint(conn: psycopg.Connection[Any], schemas: Sequence[str] | None = None, *, again: bool = False) -> str:
    """One hash of every modelled object in scope (``again``: see :func:`_fetch`)."""
    rows = _fetch(conn, fingerprint_sql(False, conn.info.server_version, _present(conn, _kinds(False))),
                  {"schemas": list(schemas) if schemas else None}, again)
    return _combine(rows).get(None, "")


def schema_fingerprints(conn: psycopg.Connection[Any], schemas: Sequence[str],
                        more: Sequence[psycopg.Connection[Any]] = (), *, again: bool = False) -> dict[str, str]:
    """A hash per schema, each schema's own qualifier replaced so equal tenants hash equal.

    Given ``more`` connections to the same database, the kinds are shared between two of them
    and read concurrently: each kind's query reads the whole catalog once, however many schemas
    it hashes, so splitting by kind (not by schema) does no work twice.
    """
    conns = [conn, *more[:1]]  # (measured on 2 cores: a third connection gains nothing)
    kinds = list(_present(conn, _kinds(True)))
    shares = [kinds] if len(conns) == 1 else [[k for k in kinds if k in share] for share in _SHARES]
    params = {"schemas": list(schemas)}

    def run(i: int) -> list[tuple[Any, ...]]:
        c = conns[i]
        sql = fingerprint_sql(True, c.info.server_version, tuple(shares[i]))
        return _fetch(c, sql, params, again) if shares[i] else []

    if len(conns) == 1:
        rows = run(0)
    else:
        with ThreadPoolExecutor(len(conns)) as pool:
            rows = [r for part in pool.map(run, range(len(conns))) for r in part]
    got = _combine(rows)
    return {str(nsp): fp for nsp, fp in got.items() if nsp is not None}
