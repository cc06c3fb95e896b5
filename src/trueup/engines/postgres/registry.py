"""The tenant registry in a PostgreSQL database: schema ``trueup``, created and upgraded on first
use (see :class:`trueup.engines.interface.tenancy.Registry`).

With a mapping (an application's own registry table), the fields it maps are read from and
written to that table, by the name column; the rest of a tenant's state (status, phase, the
rotation's pending credentials, the event log) stays in ``trueup.tenants``. A row of the
application's table that trueup has no state for is listed as an unmanaged, active tenant.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import fields
from typing import Any

from trueup.engines.interface.tenancy import STATUSES, Event, RegistryMapping, Tenant
from trueup.engines.postgres.driver import connect, describe
from trueup.engines.postgres.errors import translated
from trueup.engines.postgres.quoting import ident, literal, qname
from trueup.errors import TrueupError

#: the registry's layout version; each step upgrades from the version before it
UPGRADES: tuple[str, ...] = (
    f"""
    CREATE SCHEMA IF NOT EXISTS trueup;
    CREATE TABLE IF NOT EXISTS trueup.registry_meta (key text PRIMARY KEY, value text NOT NULL);
    CREATE TABLE IF NOT EXISTS trueup.tenants (
        name text PRIMARY KEY, grp text NOT NULL,
        status text NOT NULL CHECK (status IN ({", ".join(literal(s) for s in STATUSES)})),
        phase text, server text, database text, schema text, owner text, role text, secret text,
        pending_role text, pending_secret text, retiring_role text, generation integer NOT NULL DEFAULT 1,
        error text, created timestamptz NOT NULL DEFAULT now(), updated timestamptz NOT NULL DEFAULT now());
    CREATE TABLE IF NOT EXISTS trueup.tenant_events (
        id bigserial PRIMARY KEY, tenant text NOT NULL, at timestamptz NOT NULL DEFAULT clock_timestamp(),
        step text NOT NULL, state text NOT NULL, detail text);
    CREATE INDEX IF NOT EXISTS tenant_events_tenant ON trueup.tenant_events (tenant, id);
    """,
    # 2: the last audit of each tenant (its verdict, when, and the schema version it found)
    """
    ALTER TABLE trueup.tenants ADD COLUMN IF NOT EXISTS audit text,
        ADD COLUMN IF NOT EXISTS audited timestamptz, ADD COLUMN IF NOT EXISTS schema_version text;
    """,
)
#: the advisory lock key space of the registry's own upgrade and of tenants' locks
_UPGRADE_LOCK = 0x74727565_00000001
_COLUMNS = ("name", "grp", "status", "phase", "server", "database", "schema", "owner", "role", "secret",
            "pending_role", "pending_secret", "retiring_role", "generation", "error", "created", "updated",
            "audit", "audited", "schema_version")
_FIELD = {"grp": "group"}
_COLUMN = {"group": "grp"}
_MAPPED_FIELD = {"password": "secret"}


class PostgresRegistry:
    def __init__(self, url: str, mapping: RegistryMapping | None = None) -> None:
        self._url = url
        self._where = describe(url)
        self._mapping = mapping
        self._conn = connect(url)
        self._lock = threading.Lock()
        try:
            self._upgrade()
            if mapping is not None:
                self._check_mapping(mapping)
        except BaseException:
            self._conn.close()
            raise

    def _upgrade(self) -> None:
        """Create the registry's layout, or bring it to this trueup's (one step per version)."""
        with translated(self._where), self._conn.transaction():
            self._conn.execute("SELECT pg_advisory_xact_lock(%s)", (_UPGRADE_LOCK,))
            have = self._conn.execute("SELECT to_regclass('trueup.registry_meta') IS NOT NULL").fetchone()
            version = 0
            if have and have[0]:
                row = self._conn.execute("SELECT value FROM trueup.registry_meta WHERE key = 'version'").fetchone()
                version = int(row[0]) if row else 0
            if version > len(UPGRADES):
                raise TrueupError(f"the tenant registry in {self._where} has layout {version}, written by a newer "
                                  f"trueup (this one knows layouts up to {len(UPGRADES)})",
                                  hint="upgrade trueup on this machine (pip install -U trueup)")
            for step in UPGRADES[version:]:
                self._conn.execute(step)  # type: ignore[arg-type]
            self._conn.execute("INSERT INTO trueup.registry_meta VALUES ('version', %s) ON CONFLICT (key)"
                               " DO UPDATE SET value = excluded.value", (str(len(UPGRADES)),))

    # --- the application's table ---------------------------------------------------------------
    def _check_mapping(self, m: RegistryMapping) -> None:
        cols = ", ".join(ident(c) for c in m.columns.values())
        try:
            with self._lock, translated(self._where):
                self._conn.execute(f"SELECT {cols} FROM {qname(*m.table)} LIMIT 0")  # type: ignore[arg-type]
        except TrueupError as err:
            raise TrueupError(f"the registry table {'.'.join(m.table)} does not match [registry] columns: {err}",
                              hint="name the table's real columns in [registry] columns (docs/tenants.md)") from None

    def _mapped_rows(self, name: str | None = None) -> dict[str, dict[str, Any]]:
        """The application table's rows by name (``name``: that one only)."""
        m = self._mapping
        assert m is not None
        fields_ = list(m.columns)
        cols = ", ".join(ident(m.columns[f]) for f in fields_)
        where = f" WHERE {ident(m.columns['name'])} = %s" if name is not None else ""
        with self._lock, translated(self._where):
            rows = self._conn.execute(f"SELECT {cols} FROM {qname(*m.table)}{where}",  # type: ignore[arg-type]
                                      () if name is None else (name,)).fetchall()
        out = {}
        for r in rows:
            values = dict(zip(fields_, r, strict=True))
            out[str(values["name"])] = values
        return out

    def _write_mapped(self, name: str, values: dict[str, Any]) -> None:
        """Write the mapped fields among ``values`` (trueup's field names) to the application's row
        (the caller holds the lock, in the transaction that writes trueup's row: both or neither)."""
        m = self._mapping
        if m is None:
            return
        given = {f: values[_MAPPED_FIELD.get(f, f)] for f in m.columns
                 if f != "name" and _MAPPED_FIELD.get(f, f) in values}
        if not given:
            return
        table, name_col = qname(*m.table), ident(m.columns["name"])
        sets = ", ".join(f"{ident(m.columns[f])} = %s" for f in given)
        cur = self._conn.execute(f"UPDATE {table} SET {sets} WHERE {name_col} = %s",  # type: ignore[arg-type]
                                 (*given.values(), name))
        if cur.rowcount == 0:
            cols = ", ".join([name_col, *(ident(m.columns[f]) for f in given)])
            marks = ", ".join(["%s"] * (len(given) + 1))
            self._conn.execute(f"INSERT INTO {table} ({cols}) VALUES ({marks})",  # type: ignore[arg-type]
                               (name, *given.values()))

    # --- tenants ---------------------------------------------------------------------------------
    def _tenant(self, row: tuple[Any, ...], mapped: dict[str, Any] | None = None) -> Tenant:
        values = {_FIELD.get(c, c): v for c, v in zip(_COLUMNS, row, strict=True)}
        for f, v in (mapped or {}).items():
            values[_MAPPED_FIELD.get(f, f)] = v
        return Tenant(**{f.name: values[f.name] for f in fields(Tenant) if f.name in values})

    def get(self, name: str) -> Tenant | None:
        with self._lock, translated(self._where):
            row = self._conn.execute(f"SELECT {', '.join(_COLUMNS)} FROM trueup.tenants WHERE name = %s",  # type: ignore[arg-type]
                                     (name,)).fetchone()
        mapped = self._mapped_rows(name).get(name) if self._mapping is not None else None
        if row is None:
            return None if mapped is None else self._unmanaged(mapped)
        return self._tenant(row, mapped)

    def _unmanaged(self, mapped: dict[str, Any]) -> Tenant:
        values = {_MAPPED_FIELD.get(f, f): v for f, v in mapped.items()}
        values.setdefault("group", "")
        values.setdefault("status", "active")
        values["name"] = str(values["name"])
        return Tenant(**{f.name: values[f.name] for f in fields(Tenant) if f.name in values}, managed=False)

    def tenants(self, group: str | None = None) -> list[Tenant]:
        with self._lock, translated(self._where):
            rows = self._conn.execute(f"SELECT {', '.join(_COLUMNS)} FROM trueup.tenants"  # type: ignore[arg-type]
                                      " WHERE %s::text IS NULL OR grp = %s ORDER BY name", (group, group)).fetchall()
        mapped = self._mapped_rows() if self._mapping is not None else {}
        out = {str(r[0]): self._tenant(r, mapped.get(str(r[0]))) for r in rows}
        for name, values in mapped.items():
            if name not in out:
                t = self._unmanaged(values)
                if group is None or t.group in ("", group):
                    out[name] = t
        return [out[k] for k in sorted(out)]

    def unmapped(self) -> list[str]:
        if self._mapping is None:
            return []
        with self._lock, translated(self._where):
            rows = self._conn.execute("SELECT name FROM trueup.tenants WHERE status <> 'dropped' ORDER BY 1").fetchall()
        mapped = self._mapped_rows()
        return [str(r[0]) for r in rows if str(r[0]) not in mapped]

    def insert(self, tenant: Tenant) -> None:
        values = {f.name: getattr(tenant, f.name) for f in fields(Tenant)
                  if f.name not in ("created", "updated", "managed")}
        cols = [_COLUMN.get(k, k) for k in values]
        with self._lock, translated(self._where), self._conn.transaction():
            cur = self._conn.execute(
                f"INSERT INTO trueup.tenants ({', '.join(cols)}) VALUES ({', '.join(['%s'] * len(cols))})"  # type: ignore[arg-type]
                " ON CONFLICT (name) DO NOTHING", tuple(values.values()))
            if cur.rowcount == 0:
                raise TrueupError(f"tenant '{tenant.name}' is already registered",
                                  hint=f"see `trueup tenant show {tenant.name}`")
            self._write_mapped(tenant.name, values)

    def update(self, name: str, **changes: object) -> Tenant:
        unknown = [k for k in changes if _COLUMN.get(k, k) not in _COLUMNS or k in ("name", "created", "updated")]
        if unknown:
            raise ValueError(f"not a registry field: {unknown}")
        sets = ", ".join(f"{_COLUMN.get(k, k)} = %s" for k in changes)
        with self._lock, translated(self._where), self._conn.transaction():
            row = self._conn.execute(
                f"UPDATE trueup.tenants SET {sets}{', ' if sets else ''}updated = now() WHERE name = %s"  # type: ignore[arg-type]
                f" RETURNING {', '.join(_COLUMNS)}", (*changes.values(), name)).fetchone()
            if row is not None:
                self._write_mapped(name, dict(changes))
        if row is None:
            raise TrueupError(f"tenant '{name}' is not registered", hint="see `trueup tenant list`")
        mapped = self._mapped_rows(name).get(name) if self._mapping is not None else None
        return self._tenant(row, mapped)

    def record_audits(self, verdicts: Sequence[tuple[str, str, str | None]]) -> None:
        with self._lock, translated(self._where), self._conn.cursor() as cur:
            cur.executemany("UPDATE trueup.tenants SET audit = %s, audited = now(),"
                            " schema_version = coalesce(%s, schema_version) WHERE name = %s",
                            [(verdict, version, name) for name, verdict, version in verdicts])

    def log(self, name: str, step: str, state: str, detail: str | None = None) -> None:
        with self._lock, translated(self._where):
            self._conn.execute("INSERT INTO trueup.tenant_events (tenant, step, state, detail) VALUES (%s, %s, %s, %s)",
                               (name, step, state, detail))

    def events(self, name: str) -> list[Event]:
        with self._lock, translated(self._where):
            rows = self._conn.execute("SELECT at, step, state, detail FROM trueup.tenant_events WHERE tenant = %s"
                                      " ORDER BY id", (name,)).fetchall()
        return [Event(*r) for r in rows]

    @contextmanager
    def lock(self, name: str, wait_s: float) -> Iterator[None]:
        conn = connect(self._url)
        try:
            deadline = time.monotonic() + wait_s
            delay = 0.02
            with translated(self._where):
                while True:
                    row = conn.execute("SELECT pg_try_advisory_lock(%s, hashtext(%s))",
                                       (_UPGRADE_LOCK >> 32, name)).fetchone()
                    if row and row[0]:
                        break
                    if time.monotonic() >= deadline:
                        raise TrueupError(f"tenant '{name}' is busy: another trueup command works on it",
                                          hint="wait for it to finish (trueup tenant show NAME), then run again")
                    time.sleep(delay)
                    delay = min(delay * 2, 0.5)
            yield
        finally:
            conn.close()

    def meta(self, key: str) -> str | None:
        with self._lock, translated(self._where):
            row = self._conn.execute("SELECT value FROM trueup.registry_meta WHERE key = %s", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        with self._lock, translated(self._where):
            self._conn.execute("INSERT INTO trueup.registry_meta VALUES (%s, %s) ON CONFLICT (key) DO NOTHING",
                               (key, value))

    def close(self) -> None:
        self._conn.close()
