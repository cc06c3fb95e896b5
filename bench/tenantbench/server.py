"""The server side of the tenant benchmark: the name of everything it creates, the floors (what
the server alone costs for what a figure measures) and the cleanup that drops it all.

Every database and role made here, by trueup or by the bench, matches one of
:data:`DATABASES_LIKE` or :data:`ROLES_LIKE`; :meth:`Server.drop_all` drops exactly those. Other
benchmarks' ``trueup_bench_*`` databases (``trueup_bench_t0000``, ``trueup_bench_tpl``, ...) and
trueup's other templates are left alone."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import psycopg

from bench.common.parallel import run_parallel
from bench.common.server import quote_ident as q
from bench.common.server import with_database

#: the control databases (trueup's tenant registries): one per way of creating tenants
CONTROL_DB = "trueup_bench_tenants_ctl"
BUILD_CONTROL_DB = "trueup_bench_tenants_ctl_build"
#: the groups, with a template database (trueup's default) and without one; trueup names a
#: group's template ``trueup_tpl_<group>_<digest>``
GROUP_CLONE = "trueup_bench_clone"
GROUP_BUILD = "trueup_bench_build"
#: trueup's provision patterns: a tenant's database, and its owner role (its logins are
#: ``<owner>_login<N>``)
DATABASE_PATTERN = "trueup_bench_t_{name}"
ROLE_PATTERN = "trueup_bench_r_{name}"
#: the floors' databases and roles
FLOOR_DB = "trueup_bench_f_{}"
FLOOR_ROLE = "trueup_bench_fr_{}"
DATABASES_LIKE = ("trueup\\_bench\\_t\\_%", "trueup\\_bench\\_f\\_%", "trueup\\_bench\\_tenants\\_ctl%",
                  "trueup\\_tpl\\_trueup\\_bench\\_%")
ROLES_LIKE = ("trueup\\_bench\\_r\\_%", "trueup\\_bench\\_fr\\_%")
#: connections that drop databases at once (each DROP DATABASE waits for a checkpoint, which writes
#: what the phase before it left dirty; concurrent drops share one)
DROP_WORKERS = 16


class Server:
    def __init__(self, url: str) -> None:
        self.url = url

    def admin(self) -> psycopg.Connection[Any]:
        return psycopg.connect(self.url, autocommit=True, connect_timeout=10)

    def version(self) -> str:
        with self.admin() as conn:
            row = conn.execute("SELECT current_setting('server_version')").fetchone()
        return str(row[0]) if row else "?"

    def _names(self, sql: str, patterns: Sequence[str]) -> list[str]:
        with self.admin() as conn:
            rows = conn.execute(sql, (list(patterns),)).fetchall()
        return sorted(str(r[0]) for r in rows)

    def databases(self) -> list[str]:
        """This bench's databases on the server."""
        return self._names("SELECT datname FROM pg_database WHERE datname LIKE ANY (%s)", DATABASES_LIKE)

    def roles(self) -> list[str]:
        """This bench's roles on the server."""
        return self._names("SELECT rolname FROM pg_roles WHERE rolname LIKE ANY (%s)", ROLES_LIKE)

    def checkpoint(self) -> float:
        """A checkpoint (seconds): the pages a phase dirtied are written before the next one is
        timed, so that no phase pays for another's (``CREATE DATABASE`` copies through shared
        buffers and the WAL, and leaves the copy for the checkpointer to write)."""
        t0 = time.perf_counter()
        with self.admin() as conn:
            conn.execute("CHECKPOINT")
        return time.perf_counter() - t0

    def create_database(self, name: str) -> None:
        with self.admin() as conn:
            conn.execute(f"CREATE DATABASE {q(name)} TEMPLATE template0")

    def drop_databases(self, names: Sequence[str]) -> None:
        """Drop ``names`` (sessions ended), templates last: a clone may still be copying one."""
        if not names:
            return

        def drop(name: str) -> None:
            with self.admin() as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {q(name)} WITH (FORCE)")

        templates = [n for n in names if n.startswith("trueup_tpl_")]
        run_parallel(drop, [n for n in names if n not in templates], DROP_WORKERS)
        for n in templates:
            drop(n)

    def drop_roles(self, names: Sequence[str]) -> None:
        """Drop ``names``: logins first, then the owners (whose databases must be gone)."""
        with self.admin() as conn:
            for name in sorted(names, key=lambda n: ("_login" not in n, n)):
                conn.execute(f"DROP ROLE IF EXISTS {q(name)}")

    def drop_all(self) -> tuple[int, int]:
        """Drop every database and role of this bench; how many of each."""
        dbs = self.databases()
        if dbs:
            print(f"dropping {len(dbs)} database(s) of this bench ...", flush=True)
            self.drop_databases(dbs)
        roles = self.roles()
        self.drop_roles(roles)
        return len(dbs), len(roles)

    def drop_tenants(self, pattern_names: Sequence[str], roles_of: Sequence[str]) -> None:
        """Drop the tenant databases ``pattern_names`` and every role of the owners ``roles_of``
        (their logins too), outside trueup: to clear the server between two measured phases."""
        self.drop_databases(pattern_names)
        with self.admin() as conn:
            rows = conn.execute("SELECT rolname FROM pg_roles WHERE rolname = ANY (%s)"
                                " OR split_part(rolname, '_login', 1) = ANY (%s)",
                                (list(roles_of), list(roles_of))).fetchall()
        self.drop_roles([str(r[0]) for r in rows])

    # --- floors: the server alone, with the same concurrency, one connection per item ------------
    # (each leaves its databases or roles for :meth:`drop_floors`, so that the caller times the
    # work alone)

    def clone_floor(self, template: str, n: int, workers: int) -> None:
        """``CREATE DATABASE ... TEMPLATE template`` ``n`` times, ``workers`` at a time."""
        def clone(name: str) -> None:
            with self.admin() as conn:
                conn.execute(f"CREATE DATABASE {q(name)} TEMPLATE {q(template)}")

        run_parallel(clone, [FLOOR_DB.format(i) for i in range(n)], workers)

    def build_floor(self, sql: str, n: int, workers: int) -> None:
        """``CREATE DATABASE ... TEMPLATE template0`` and the tenant's DDL and reference rows in
        one script, ``n`` times, ``workers`` at a time."""
        def build(name: str) -> None:
            self.create_database(name)
            with psycopg.connect(with_database(self.url, name), autocommit=True, connect_timeout=10) as conn:
                conn.execute(sql)  # type: ignore[arg-type]

        run_parallel(build, [FLOOR_DB.format(i) for i in range(n)], workers)

    def rotate_floor(self, tenants: Sequence[tuple[str, str]], workers: int) -> None:
        """Per ``(owner role, database)``: a new login role, made a member of the owner, logs in
        to the database, and is dropped; ``workers`` at a time. What a rotation asks of the server
        at least: a role made, a login verified, a role retired."""
        def one(item: tuple[int, tuple[str, str]]) -> None:
            i, (owner, database) = item
            role = FLOOR_ROLE.format(i)
            with self.admin() as conn:
                conn.execute(f"CREATE ROLE {q(role)} LOGIN IN ROLE {q(owner)}")
                with psycopg.connect(with_database(self.url, database), user=role, autocommit=True,
                                     connect_timeout=10) as login:
                    login.execute("SELECT 1")
                conn.execute(f"DROP ROLE {q(role)}")

        run_parallel(one, list(enumerate(tenants)), workers)

    def drop_floors(self) -> None:
        """What the floors left: their databases and roles."""
        self.drop_databases(self._names("SELECT datname FROM pg_database WHERE datname LIKE ANY (%s)",
                                        [DATABASES_LIKE[1]]))
        self.drop_roles(self._names("SELECT rolname FROM pg_roles WHERE rolname LIKE ANY (%s)", [ROLES_LIKE[1]]))
