"""trueup's bookkeeping in a ``trueup`` schema of a PostgreSQL database (``[state] url``): the
apply journal and the probes of earlier audits, shared by every machine that runs trueup."""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from typing import Any

from psycopg.types.json import Jsonb

from trueup.engines.interface.sql import Hazard, Statement
from trueup.engines.postgres.driver import connect, connection, describe
from trueup.engines.postgres.errors import translated
from trueup.engines.postgres.quoting import ident, literal, qname

_JOURNAL = """
    CREATE SCHEMA IF NOT EXISTS trueup;
    CREATE TABLE IF NOT EXISTS trueup.runs (
        id bigserial PRIMARY KEY, started timestamptz NOT NULL DEFAULT now(), finished timestamptz,
        args jsonb NOT NULL);
    CREATE TABLE IF NOT EXISTS trueup.targets (
        run bigint NOT NULL REFERENCES trueup.runs (id), grp text NOT NULL, name text NOT NULL,
        state text NOT NULL, reason text, updated timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (run, grp, name));
"""
_PROBES = """
    CREATE SCHEMA IF NOT EXISTS trueup;
    CREATE TABLE IF NOT EXISTS trueup.probes (
        store text NOT NULL, key text NOT NULL, entry jsonb NOT NULL,
        seen timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (store, key));
"""


class PostgresJournal:
    """The apply journal (see :class:`trueup.engines.interface.state.Journal`)."""

    def __init__(self, url: str) -> None:
        self._where = describe(url)
        self._conn = connect(url)
        self._lock = threading.Lock()
        with translated(self._where):
            self._conn.execute(_JOURNAL)  # type: ignore[arg-type]

    def start_run(self, args: dict[str, Any], targets: Sequence[tuple[str, str]]) -> int:
        with self._lock, translated(self._where):
            row = self._conn.execute("INSERT INTO trueup.runs (args) VALUES (%s::jsonb) RETURNING id",
                                     (json.dumps(args),)).fetchone()
        run = int(str(row[0])) if row else 0
        self.add_targets(run, targets)
        return run

    def add_targets(self, run: int, targets: Sequence[tuple[str, str]]) -> None:
        with self._lock, translated(self._where), self._conn.cursor() as cur:
            cur.executemany("INSERT INTO trueup.targets (run, grp, name, state) VALUES (%s, %s, %s, 'planned')"
                            " ON CONFLICT DO NOTHING", [(run, g, n) for g, n in targets])

    def resume_run(self) -> tuple[int, dict[tuple[str, str], str]] | None:
        with self._lock, translated(self._where):
            row = self._conn.execute(
                "SELECT id FROM trueup.runs WHERE finished IS NULL ORDER BY id DESC LIMIT 1").fetchone()
        if row is None:
            return None
        run = int(str(row[0]))
        return run, {k: v[0] for k, v in self.states(run).items()}

    def run_args(self, run: int) -> dict[str, Any]:
        with self._lock, translated(self._where):
            row = self._conn.execute("SELECT args FROM trueup.runs WHERE id = %s", (run,)).fetchone()
        return dict(row[0]) if row and isinstance(row[0], dict) else {}

    def record(self, run: int, group: str, name: str, state: str, reason: str | None = None) -> None:
        with self._lock, translated(self._where):
            self._conn.execute(
                "INSERT INTO trueup.targets (run, grp, name, state, reason) VALUES (%s, %s, %s, %s, %s)"
                " ON CONFLICT (run, grp, name) DO UPDATE SET state = excluded.state, reason = excluded.reason,"
                " updated = now()", (run, group, name, state, reason))

    def finish_run(self, run: int) -> None:
        with self._lock, translated(self._where):
            self._conn.execute("UPDATE trueup.runs SET finished = now() WHERE id = %s", (run,))

    def states(self, run: int) -> dict[tuple[str, str], tuple[str, str | None]]:
        with self._lock, translated(self._where):
            rows = self._conn.execute("SELECT grp, name, state, reason FROM trueup.targets WHERE run = %s",
                                      (run,)).fetchall()
        return {(str(r[0]), str(r[1])): (str(r[2]), None if r[3] is None else str(r[3])) for r in rows}

    def close(self) -> None:
        self._conn.close()


class PostgresProbeTable:
    """Stored probes (see :class:`trueup.engines.interface.state.ProbeTable`)."""

    def __init__(self, url: str) -> None:
        self._url = url

    def read(self, store: str) -> dict[str, dict[str, Any]]:
        with connection(self._url) as conn, translated(describe(self._url)):
            conn.execute(_PROBES)  # type: ignore[arg-type]
            rows = conn.execute("SELECT key, entry FROM trueup.probes WHERE store = %s", (store,)).fetchall()
        return {str(k): e for k, e in rows if isinstance(e, dict)}

    def write(self, store: str, changed: dict[str, dict[str, Any]], forget: Sequence[str], *,
              stale_prefix: str, forget_after_s: int) -> None:
        with connection(self._url) as conn, translated(describe(self._url)), conn.transaction():
            with conn.cursor() as cur:
                cur.executemany(
                    "INSERT INTO trueup.probes (store, key, entry) VALUES (%s, %s, %s)"
                    " ON CONFLICT (store, key) DO UPDATE SET entry = excluded.entry, seen = now()",
                    [(store, k, Jsonb(e)) for k, e in changed.items()])
                cur.executemany("DELETE FROM trueup.probes WHERE store = %s AND key = %s",
                                [(store, k) for k in forget])
            conn.execute("DELETE FROM trueup.probes WHERE (starts_with(store, %s) AND store <> %s)"
                         " OR seen < now() - make_interval(secs => %s)", (stale_prefix, store, forget_after_s))


# --- trueup's migration history in each target ------------------------------------------------

HISTORY_TABLE = "trueup_schema_history"


def history_table(schema: str) -> Statement:
    return Statement(
        f"CREATE TABLE IF NOT EXISTS {qname(schema, HISTORY_TABLE)} (\n"
        "    version integer PRIMARY KEY,\n    name text NOT NULL,\n    checksum text,\n"
        "    applied_at timestamptz NOT NULL DEFAULT now(),\n    applied_by text NOT NULL DEFAULT current_user,\n"
        "    duration_ms integer NOT NULL DEFAULT 0,\n    success boolean NOT NULL\n)")


def history_record(schema: str, version: int, name: str, checksum: str | None, success: bool) -> Statement:
    # now() is the transaction's start (the migration's, which runs in the same transaction);
    # clock_timestamp() is when this row is written, at its end
    values = ", ".join([str(int(version)), literal(name), "NULL" if checksum is None else literal(checksum),
                        "now()", "current_user",
                        "(extract(epoch FROM clock_timestamp() - now()) * 1000)::integer",
                        "true" if success else "false"])
    return Statement(
        f"INSERT INTO {qname(schema, HISTORY_TABLE)} AS h "
        "(version, name, checksum, applied_at, applied_by, duration_ms, success)\n"
        f"VALUES ({values})\nON CONFLICT (version) DO UPDATE SET name = excluded.name, checksum = excluded.checksum,"
        " applied_at = excluded.applied_at, applied_by = excluded.applied_by, duration_ms = excluded.duration_ms,"
        " success = excluded.success")


def history_forget(schema: str, version: int) -> Statement:
    return Statement(f"DELETE FROM {qname(schema, HISTORY_TABLE)} WHERE version = {int(version)}",
                     (Hazard.DELETES_DATA,), ("deletes a migration's history row: its tool will run it again",))


def use_schema(schema: str) -> Statement:
    # (pg_catalog is searched first all the same; nothing else is: a name missing in the tenant's
    # schema is an error, never another schema's object of that name)
    return Statement(f"SET search_path TO {ident(schema)}")
