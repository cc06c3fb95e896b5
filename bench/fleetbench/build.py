"""The fleet on the server: ``trueup_bench_tpl`` (one tenant), the tenant databases
``trueup_bench_t0000`` ... cloned from it, ``trueup_bench_schemas`` with one schema per tenant,
the drift injected into some, and the manifest a ``--keep`` run leaves for a later run to reuse.
Every database here is named ``trueup_bench_*``; :meth:`Fleet.drop_all` drops them."""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
from dataclasses import asdict, dataclass, field
from typing import Any

import psycopg
from psycopg import sql

from bench.common.parallel import Progress, run_parallel
from bench.common.server import quote_ident as q
from bench.common.server import with_database
from bench.fleetbench.drift import DRIFT_KINDS, Drift, plan_drift
from bench.fleetbench.tenant import Tenant

TEMPLATE_DB = "trueup_bench_tpl"
SCHEMAS_DB = "trueup_bench_schemas"
DB_PREFIX = "trueup_bench_t"
SCHEMA_PREFIX = "tenant_"
SEED = 20240611
#: connections used to build the fleet (the server allows 100 in all)
BUILD_WORKERS = 4
DROP_WORKERS = 16


def db_names(n: int) -> list[str]:
    width = max(4, len(str(n - 1)))
    return [f"{DB_PREFIX}{i:0{width}d}" for i in range(n)]


def schema_names(n: int) -> list[str]:
    width = max(4, len(str(n - 1)))
    return [f"{SCHEMA_PREFIX}{i:0{width}d}" for i in range(n)]


def db_pattern(n: int) -> str:
    """LIKE pattern of exactly the tenant databases (not trueup_bench_tpl, whose name is shorter)."""
    return DB_PREFIX + "_" * max(4, len(str(n - 1)))


def is_ours(name: str) -> bool:
    """The databases this script creates (other trueup_bench_* databases belong to other benches)."""
    if name in (TEMPLATE_DB, SCHEMAS_DB):
        return True
    return re.fullmatch(re.escape(DB_PREFIX) + r"\d{4,}", name) is not None


@dataclass
class Manifest:
    """Stored as the comment of the template database: what a --keep run can reuse."""

    key: str
    databases: int
    schemas: int
    db_drift: dict[str, dict[str, str]] = field(default_factory=dict)
    schema_drift: dict[str, dict[str, str]] = field(default_factory=dict)

    def drifts(self, which: str) -> dict[str, Drift]:
        src = self.db_drift if which == "databases" else self.schema_drift
        return {k: Drift(**v) for k, v in src.items()}


def fleet_key(tables: int, drift: float, tenant: Tenant) -> str:
    """What a fleet kept by ``--keep`` must match to be reused."""
    text = json.dumps([tenant.sql, tables, drift, SEED, DRIFT_KINDS])
    return hashlib.sha256(text.encode()).hexdigest()[:16]



class Fleet:
    def __init__(self, url: str) -> None:
        self.url = url

    def admin(self) -> psycopg.Connection[Any]:
        return psycopg.connect(self.url, autocommit=True)

    def existing(self) -> list[str]:
        with self.admin() as conn:
            rows = conn.execute("SELECT datname FROM pg_database"
                                " WHERE datname LIKE 'trueup\\_bench\\_%'").fetchall()
        return sorted(str(r[0]) for r in rows if is_ours(str(r[0])))

    def manifest(self) -> Manifest | None:
        with self.admin() as conn:
            row = conn.execute("SELECT shobj_description(oid, 'pg_database') FROM pg_database"
                               " WHERE datname = %s", (TEMPLATE_DB,)).fetchone()
        if not row or not row[0]:
            return None
        try:
            return Manifest(**json.loads(row[0]))
        except (TypeError, ValueError):
            return None

    def reusable(self, key: str, n_db: int, n_schemas: int) -> Manifest | None:
        m = self.manifest()
        if m is None or m.key != key or m.databases != n_db or m.schemas != n_schemas:
            return None
        have = set(self.existing())
        if not set(db_names(n_db)) <= have or (n_schemas and SCHEMAS_DB not in have):
            return None
        if len([n for n in have if n.startswith(DB_PREFIX) and n != TEMPLATE_DB]) != n_db:
            return None
        if n_schemas:
            with psycopg.connect(with_database(self.url, SCHEMAS_DB)) as conn:
                row = conn.execute("SELECT count(*) FROM pg_namespace"
                                   " WHERE nspname LIKE 'tenant\\_%'").fetchone()
            if not row or int(row[0]) != n_schemas:
                return None
        return m

    def drop_all(self) -> None:
        names = self.existing()
        if not names:
            return
        print(f"dropping {len(names)} trueup_bench_* database(s) ...", flush=True)
        bar = Progress("dropped", len(names))

        def drop(name: str) -> None:
            with self.admin() as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {q(name)} WITH (FORCE)")
            bar.tick()

        # the template last: clones of it may still be copying it. DROP DATABASE waits for a
        # checkpoint (~0.5 s): concurrent drops share one
        rest = [n for n in names if n != TEMPLATE_DB]
        run_parallel(drop, rest, DROP_WORKERS)
        if TEMPLATE_DB in names:
            drop(TEMPLATE_DB)
        bar.finish()

    def create(self, tenant: Tenant, key: str, n_db: int, n_schemas: int, share: float) -> Manifest:
        self.drop_all()
        names = db_names(n_db)
        db_drift = plan_drift(names, share, tenant, SEED)
        snames = schema_names(n_schemas)
        schema_drift = plan_drift(snames, share, tenant, SEED + 1)
        manifest = Manifest(key, n_db, n_schemas, {k: asdict(v) for k, v in db_drift.items()},
                            {k: asdict(v) for k, v in schema_drift.items()})

        t0 = time.perf_counter()
        with self.admin() as conn:
            conn.execute(f"CREATE DATABASE {q(TEMPLATE_DB)} TEMPLATE template0")
        with psycopg.connect(with_database(self.url, TEMPLATE_DB), autocommit=True) as conn:
            conn.execute(tenant.sql)
            conn.execute("VACUUM ANALYZE")
        print(f"template {TEMPLATE_DB}: {len(tenant.tables)} tables in {time.perf_counter() - t0:.1f} s",
              flush=True)

        if n_db:
            bar = Progress(f"CREATE DATABASE ... TEMPLATE {TEMPLATE_DB}", n_db)

            def clone(name: str) -> None:
                with self.admin() as conn:
                    # PostgreSQL 15+ copies through the WAL (STRATEGY WAL_LOG): ~0.1 s for a small
                    # template, where FILE_COPY takes two checkpoints (~0.7 s)
                    conn.execute(f"CREATE DATABASE {q(name)} TEMPLATE {q(TEMPLATE_DB)}")
                bar.tick()

            run_parallel(clone, names, BUILD_WORKERS)
            bar.finish()
            for name, d in db_drift.items():
                with psycopg.connect(with_database(self.url, name), autocommit=True) as conn:
                    conn.execute(d.sql)
            print(f"drifted {len(db_drift)} database(s)", flush=True)

        if n_schemas:
            self._create_schemas(tenant, snames, schema_drift)

        with self.admin() as conn:  # the manifest last: a half-built fleet is never reused
            conn.execute(f"COMMENT ON DATABASE {q(TEMPLATE_DB)} IS "
                         + sql.quote(json.dumps(asdict(manifest))))
        return manifest

    def _create_schemas(self, tenant: Tenant, snames: list[str], drift: dict[str, Drift]) -> None:
        with self.admin() as conn:
            conn.execute(f"CREATE DATABASE {q(SCHEMAS_DB)} TEMPLATE template0")
        url = with_database(self.url, SCHEMAS_DB)
        bar = Progress(f"schemas in {SCHEMAS_DB}", len(snames))
        todo = list(snames)
        lock = threading.Lock()

        def worker(_: int) -> None:
            # one transaction per schema: a schema holds a few hundred locks, the lock table ~6400
            with psycopg.connect(url) as conn:
                conn.execute("SET synchronous_commit = off")
                conn.commit()
                while True:
                    with lock:
                        if not todo:
                            return
                        s = todo.pop(0)
                    script = f"CREATE SCHEMA {q(s)};\nSET LOCAL search_path = {q(s)};\n{tenant.sql}"
                    if s in drift:
                        script += drift[s].sql + ";\n"
                    conn.execute(script)
                    conn.commit()
                    bar.tick()

        run_parallel(worker, [0, 1], 2, stop=todo.clear)  # on Ctrl-C each stops after its schema
        bar.finish()
        with psycopg.connect(url, autocommit=True) as conn:
            # the catalogs as autovacuum leaves them on a live server: building 1000 schemas
            # leaves ~50,000 dead pg_attribute rows that every probe would read past
            conn.execute("VACUUM ANALYZE")
        print(f"drifted {len(drift)} schema(s)", flush=True)

