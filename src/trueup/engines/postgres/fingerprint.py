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


def _rows_sql(name: str) -> str:
    """Rows of one catalog query as (source, schema, text) with OIDs replaced by names.

    The schema travels in its own column and is left out of the text, so that in
    schema-per-tenant mode equal schemas give equal texts.
    """
    strip, rel = _OID_COLUMNS[name]
    drop = "ARRAY[" + ", ".join(f"'{c}'" for c in (*strip, "schema")) + "]::text[]"
    if rel:
        nsp = f"(SELECT rc.relnamespace::regnamespace::text FROM pg_class rc WHERE rc.oid = q.{rel})"
        relname = f"(SELECT rc.relname FROM pg_class rc WHERE rc.oid = q.{rel})"
        body = f"(to_jsonb(q) - {drop}) || jsonb_build_object('rel', {relname})"
    elif name == "schemas":
        nsp = "q.name"
        body = f"to_jsonb(q) - {drop} - 'name'"
    else:
        nsp = "q.schema"
        body = f"to_jsonb(q) - {drop}"
    return f"SELECT '{name}' AS src, {nsp} AS nsp, ({body})::text AS row FROM ({catalog.query(name)}) q"


@cache
def fingerprint_sql(per_schema: bool) -> str:
    # per schema: extensions are database-wide and the schema itself is the tenant's own
    parts = [_rows_sql(n) for n in _OID_COLUMNS if not (per_schema and n in ("extensions", "schemas"))]
    union = "\nUNION ALL\n".join(parts)
    if per_schema:
        line = "src || ':' || replace(replace(row, quote_ident(nsp) || '.', '$.'), '\"' || nsp || '\"', '\"$\"')"
        return f"SELECT nsp, md5(string_agg({line}, E'\\n' ORDER BY {line})) AS fp FROM ({union}) r GROUP BY nsp"
    line = "src || ':' || nsp || ':' || row"
    return f"SELECT md5(coalesce(string_agg({line}, E'\\n' ORDER BY {line}), '')) AS fp FROM ({union}) r"


def fingerprint(conn: psycopg.Connection[Any], schemas: Sequence[str] | None = None) -> str:
    """One hash of every modelled object in scope."""
    conn.execute("SET search_path = pg_catalog")
    row = conn.execute(fingerprint_sql(False),  # type: ignore[arg-type]
                       {"schemas": list(schemas) if schemas else None}).fetchone()
    conn.execute("RESET search_path")
    return str(row[0]) if row else ""


def schema_fingerprints(conn: psycopg.Connection[Any], schemas: Sequence[str]) -> dict[str, str]:
    """A hash per schema, each schema's own qualifier replaced so equal tenants hash equal."""
    conn.execute("SET search_path = pg_catalog")
    rows = conn.execute(fingerprint_sql(True), {"schemas": list(schemas)}).fetchall()  # type: ignore[arg-type]
    conn.execute("RESET search_path")
    return {str(r[0]): str(r[1]) for r in rows}
