"""The floors of an inspection that need trueup's catalog queries or model: the server's time
for those queries (f), psycopg's fetching of their rows (g), the server's deparse functions
alone (j) and the bare model objects (k)."""

from __future__ import annotations

import re
import time
from typing import Any

import psycopg


def server_seconds(conn: psycopg.Connection[Any]) -> float:
    """(f): the server's own planning and execution time for trueup's catalog queries, with the
    inspection's settings, on an already used connection."""
    from trueup.engines.postgres import catalog

    total = 0.0
    for name in catalog.QUERY_NAMES:
        sql = catalog.query(name, conn.info.server_version)
        with conn.transaction():
            conn.execute("SET LOCAL search_path = pg_catalog")
            conn.execute("SET LOCAL jit = off")
            plan = "\n".join(str(r[0]) for r in conn.execute(  # type: ignore[arg-type]
                f"EXPLAIN (ANALYZE, TIMING OFF, SUMMARY ON) {sql}", {"schemas": None}).fetchall())
        for label in ("Planning Time", "Execution Time"):
            m = re.search(label + r": ([0-9.]+) ms", plan)
            total += float(m.group(1)) / 1000 if m else 0.0
    return total


def fetch_rows(url: str) -> int:
    """(g): connect, run the catalog queries in one pipeline as the inspection does, and fetch
    their rows as tuples, building nothing."""
    from trueup.engines.postgres import catalog

    with psycopg.connect(url, autocommit=True) as conn:
        with catalog.catalog_session(conn):
            cursors = []
            for name in catalog.QUERY_NAMES:
                cur = conn.cursor()
                cur.execute(catalog.query(name, conn.info.server_version), {"schemas": None})  # type: ignore[arg-type]
                cursors.append(cur)
        return sum(len(cur.fetchall()) for cur in cursors)


#: (j): one call of each deparse function per object that has a definition
DEPARSE_SQL = """
SELECT count(pg_get_indexdef(i.indexrelid)) FROM pg_index i
 WHERE i.indexrelid >= 16384
   AND NOT EXISTS (SELECT 1 FROM pg_constraint co WHERE co.conindid = i.indexrelid AND co.contype IN ('p', 'u', 'x'))
UNION ALL SELECT count(pg_get_constraintdef(oid)) FROM pg_constraint WHERE oid >= 16384
UNION ALL SELECT count(pg_get_viewdef(oid)) FROM pg_class WHERE relkind IN ('v', 'm') AND oid >= 16384
UNION ALL SELECT count(pg_get_functiondef(oid)) FROM pg_proc WHERE oid >= 16384 AND prokind IN ('f', 'p')
UNION ALL SELECT count(pg_get_triggerdef(oid)) FROM pg_trigger WHERE oid >= 16384 AND NOT tgisinternal
UNION ALL SELECT count(pg_get_expr(adbin, adrelid)) FROM pg_attrdef WHERE oid >= 16384
UNION ALL SELECT count(format_type(a.atttypid, a.atttypmod)) FROM pg_attribute a
  JOIN pg_class c ON c.oid = a.attrelid
 WHERE c.oid >= 16384 AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'c') AND a.attnum > 0 AND NOT a.attisdropped
UNION ALL SELECT count(pg_get_expr(polqual, polrelid)) + count(pg_get_expr(polwithcheck, polrelid)) FROM pg_policy
"""


def deparse_only(url: str) -> None:
    """(j): a new connection that calls the deparse functions only."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(DEPARSE_SQL).fetchall()  # type: ignore[arg-type]


def bare_model_seconds(model: Any) -> float:
    """(k): the CPU to make again, from plain parts, every object of ``model`` (best of 5)."""
    from trueup.model import DbObject, ObjectId
    from trueup.model.gcpause import collector_paused

    parts = [((o.id.kind, tuple(o.id.path)), {k: list(v) if isinstance(v, tuple) else v for k, v in o.attrs.items()},
              [(d.kind, d.path) for d in o.deps]) for o in model]
    best = float("inf")
    for _ in range(5):
        with collector_paused():
            start = time.process_time()
            made = [DbObject(ObjectId(kind, path), attrs, frozenset([ObjectId(*d) for d in deps]))
                    for (kind, path), attrs, deps in parts]
            best = min(best, time.process_time() - start)
        del made
    return best
