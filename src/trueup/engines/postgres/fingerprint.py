"""A cheap server-side fingerprint of everything the inspection models.

The fingerprint hashes the rows of the same catalog queries the inspection runs, with OIDs
replaced by names, so two databases (or schemas) with equal fingerprints have equal models;
different fingerprints only mean "inspect fully". In schema-per-tenant mode one query returns a
fingerprint per schema, each schema's own name removed from the rows so tenants compare equal.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

import psycopg

from trueup.engines.postgres import catalog

#: per query: the columns holding OIDs, and which of them name a relation (kept by name)
_OID_COLUMNS: dict[str, tuple[tuple[str, ...], str | None]] = {
    "schemas": (("oid",), None),
    "extensions": (("oid",), None),
    "types": (("oid", "constraint_oids"), None),  # a domain's constraint OIDs: for dependencies only
    "relations": (("oid",), None),
    "columns": (("attrelid",), "attrelid"),
    "constraints": (("oid", "conrelid", "conindid"), "conrelid"),
    "indexes": (("oid", "indrelid"), "indrelid"),
    "functions": (("oid",), None),
    "triggers": (("oid", "tgrelid"), "tgrelid"),
    "policies": (("oid", "polrelid"), "polrelid"),
}


def _rows_sql(name: str, server_version: int | None = None) -> str:
    """Rows of one catalog query as (source, schema, text) with OIDs replaced by names.

    The schema travels in its own column and is left out of the text, so that in
    schema-per-tenant mode equal schemas give equal texts. ``server_version`` picks the same
    query variant the inspection runs on that server.
    """
    strip, rel = _OID_COLUMNS[name]
    drop = "ARRAY[" + ", ".join(f"'{c}'" for c in (*strip, "schema")) + "]::text[]"
    if rel:
        # the schema's own name, as q.schema is for the other rows (regnamespace would quote it,
        # and a tenant "Acme" would then lose these rows from its fingerprint)
        nsp = (f"(SELECT rn.nspname FROM pg_class rc JOIN pg_namespace rn ON rn.oid = rc.relnamespace"
               f" WHERE rc.oid = q.{rel})")
        relname = f"(SELECT rc.relname FROM pg_class rc WHERE rc.oid = q.{rel})"
        body = f"(to_jsonb(q) - {drop}) || jsonb_build_object('rel', {relname})"
    elif name == "schemas":
        nsp = "q.name"
        body = f"to_jsonb(q) - {drop} - 'name'"
    else:
        nsp = "q.schema"
        body = f"to_jsonb(q) - {drop}"
    return (f"SELECT '{name}' AS src, {nsp} AS nsp, ({body})::text AS row"
            f" FROM ({catalog.query(name, server_version)}) q")


@cache
def fingerprint_sql(per_schema: bool, server_version: int | None = None) -> str:
    # per schema: extensions are database-wide and the schema itself is the tenant's own
    parts = [_rows_sql(n, server_version) for n in _OID_COLUMNS
             if not (per_schema and n in ("extensions", "schemas"))]
    union = "\nUNION ALL\n".join(parts)
    # rows are ordered bytewise: the same rows hash the same whatever the database's collation
    if per_schema:
        # the rows are JSON: the schema's qualifier and name appear JSON-escaped ("A". as \"A\".)
        line = ("src || ':' || replace(replace(row,"
                " btrim(to_json(quote_ident(nsp) || '.')::text, '\"'), '$.'), to_json(nsp)::text, '\"$\"')")
        return (f"SELECT nsp, md5(string_agg({line}, E'\\n' ORDER BY {line} COLLATE \"C\")) AS fp"
                f" FROM ({union}) r GROUP BY nsp")
    line = "src || ':' || nsp || ':' || row"
    return (f"SELECT md5(coalesce(string_agg({line}, E'\\n' ORDER BY {line} COLLATE \"C\"), '')) AS fp"
            f" FROM ({union}) r")


def _fetch(conn: psycopg.Connection[Any], sql: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    """Run a fingerprint query as the inspection runs its queries: names qualified, no JIT
    (compiling costs more than it saves here), all in one round trip."""
    with conn.pipeline():
        conn.execute("SET search_path = pg_catalog")
        conn.execute("SET jit = off")
        cur = conn.execute(sql, params)  # type: ignore[arg-type]
        conn.execute("RESET search_path")
        conn.execute("RESET jit")
    return cur.fetchall()


def fingerprint(conn: psycopg.Connection[Any], schemas: Sequence[str] | None = None) -> str:
    """One hash of every modelled object in scope."""
    rows = _fetch(conn, fingerprint_sql(False, conn.info.server_version),
                  {"schemas": list(schemas) if schemas else None})
    return str(rows[0][0]) if rows else ""


def schema_fingerprints(conn: psycopg.Connection[Any], schemas: Sequence[str]) -> dict[str, str]:
    """A hash per schema, each schema's own qualifier replaced so equal tenants hash equal."""
    rows = _fetch(conn, fingerprint_sql(True, conn.info.server_version), {"schemas": list(schemas)})
    return {str(r[0]): str(r[1]) for r in rows}
