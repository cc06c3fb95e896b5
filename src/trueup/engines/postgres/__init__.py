"""The PostgreSQL engine (see :class:`trueup.engines.interface.engine.Engine`).

Its modules, as in every engine package: ``driver`` (connecting, connection strings,
locations), ``errors`` (SQLSTATE -> trueup's errors), ``catalog`` and ``queries/`` (the catalog
queries), ``inspect`` (catalog -> model), ``kinds/`` (the SQL of each kind of object),
``fleet_ops/`` (a session on a target: fingerprint, change token, reference rows, lock, running
a plan; discovery), ``scratch`` (throw-away databases, loading ``.sql`` files), ``state`` (the
journal and stored probes in a database), ``rename`` (a model moved to another schema),
``embedded`` (the server of last resort), ``quoting``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from trueup.engines.interface.generators import KindSQL
from trueup.engines.interface.renames import Rename, RenameResult
from trueup.engines.interface.rows import RowChange
from trueup.engines.interface.sql import Change, Statement
from trueup.engines.postgres import driver, scratch
from trueup.engines.postgres.errors import translated
from trueup.engines.postgres.inspect import inspect_url
from trueup.engines.postgres.kinds import FINDING_CATEGORIES, GENERATORS, KIND_ORDER, LAYER_KINDS
from trueup.engines.postgres.rename import rename_schema
from trueup.model import DbObject, ObjectId, Schema

if TYPE_CHECKING:  # (the fleet's modules are imported when the fleet asks: inspect and diff do not)
    from trueup.engines.postgres.fleet_ops.session import PgSession
    from trueup.engines.postgres.state import PostgresJournal, PostgresProbeTable
    from trueup.engines.postgres.tenancy import PostgresTenancy

_RELATION_KINDS = frozenset({"table", "view", "materialized_view", "sequence", "index", "composite_type"})


class PostgresEngine:
    name = "postgresql"
    schemes = driver.SCHEMES
    generators: Mapping[str, KindSQL] = GENERATORS
    inline_children: Mapping[str, frozenset[str]] = {"table": frozenset({"column"})}
    # (a function breaks too when its SQL-standard body reads a column whose type changes)
    rebuild_on_break: frozenset[str] = frozenset({"view", "materialized_view", "policy", "trigger", "column",
                                                  "function", "rule"})
    kind_order: Sequence[str] = KIND_ORDER
    transactional_ddl = True
    finding_categories: Mapping[str, str] = FINDING_CATEGORIES
    layer_kinds: frozenset[str] = LAYER_KINDS

    # --- the diff -------------------------------------------------------------------------
    def namespace_key(self, obj: DbObject) -> tuple[str, ...] | None:
        if obj.kind in _RELATION_KINDS:
            return ("rel", *obj.id.path)
        if obj.kind in ("enum", "domain", "range"):
            return ("type", *obj.id.path)
        if obj.kind == "column" and obj.attrs.get("identity") and obj.attrs["identity"].get("sequence"):
            return ("rel", *obj.attrs["identity"]["sequence"])  # the identity's sequence
        if obj.kind == "constraint" and obj.attrs.get("type") in ("p", "u", "x"):
            return ("rel", obj.id.path[0], obj.id.path[2])
        return None

    def dropped_with(self, obj: DbObject) -> ObjectId | None:
        # a sequence OWNED BY a column is dropped with the column (and its table)
        if obj.kind == "sequence" and obj.attrs.get("owned_by"):
            return ObjectId("column", tuple(obj.attrs["owned_by"]))
        return None

    def preamble(self, changes: Sequence[Change]) -> list[str]:
        # function bodies may name tables created later in the script, as in pg_dump output
        if any(c.id.kind == "function" and c.action != "drop" for c in changes):
            return ["SET check_function_bodies = off"]
        return []

    def declared_renames(self, files: Sequence[str]) -> list[Rename]:
        from trueup.engines.postgres.rename_markers import files_renames

        return [Rename(tuple(r["from"]), r["to"]) for r in files_renames([Path(f) for f in files])]

    def apply_renames(self, current: Schema, desired: Schema, renames: Sequence[Rename]) -> RenameResult:
        from trueup.engines.postgres.renames import apply_renames

        return apply_renames(current, desired, renames)

    # --- the audit's vocabulary -----------------------------------------------------------
    def rename_schema(self, schema: Schema, old: str, new: str) -> Schema:
        return rename_schema(schema, old, new)

    def row_statement(self, change: RowChange) -> Statement:
        from trueup.engines.postgres.fleet_ops import rows

        return rows.row_statement(change)

    # --- locations and connecting ---------------------------------------------------------
    def connect(self, url: str, *, timeout: int | None = None) -> PgSession:
        from trueup.engines.postgres.fleet_ops.session import PgSession

        return PgSession(driver.connect(url, timeout=timeout), url)

    def location(self, url: str) -> str:
        return driver.location(url)

    def describe(self, url: str) -> str:
        return driver.describe(url)

    def database_name(self, url: str) -> str:
        return driver.database_name(url)

    def database_url(self, server_url: str, database: str, *, host: str | None = None, port: Any = None,
                     user: str | None = None, password: str | None = None) -> str:
        return driver.database_url(server_url, database, host=host, port=port, user=user, password=password)

    def default_server(self) -> str:
        from trueup.engines.postgres.embedded import embedded_url

        return embedded_url()

    # --- reading databases ----------------------------------------------------------------
    def inspect(self, url: str, schemas: Sequence[str] | None = None, *, connections: int = 2) -> Schema:
        with translated(driver.describe(url)):
            return inspect_url(url, schemas, connections=connections)

    def list_databases(self, server_url: str, pattern: str, *, timeout: int | None = None) -> list[str]:
        from trueup.engines.postgres.fleet_ops import discovery

        return discovery.list_databases(server_url, pattern, timeout)

    def list_schemas(self, url: str, pattern: str, *, timeout: int | None = None) -> list[str]:
        from trueup.engines.postgres.fleet_ops import discovery

        return discovery.list_schemas(url, pattern, timeout)

    def query(self, url: str, sql: str, *, timeout: int | None = None) -> tuple[list[str], list[dict[str, Any]]]:
        from trueup.engines.postgres.fleet_ops import discovery

        return discovery.query(url, sql, timeout)

    # --- scratch databases and scripts ------------------------------------------------------
    def scratch_database(self, server_url: str) -> AbstractContextManager[str]:
        return scratch.scratch_database(server_url)

    def apply_files(self, url: str, files: Sequence[str]) -> None:
        scratch.apply_files(url, [Path(f) for f in files])

    def load_sql(self, server_url: str, files: Sequence[str], schemas: Sequence[str] | None = None, *,
                 connections: int = 2) -> Schema:
        with translated(driver.describe(server_url)):
            return scratch.load_sql(server_url, [Path(f) for f in files], schemas, connections=connections)

    def scratch_identity(self, server_url: str) -> str:
        return scratch.server_identity(server_url)

    def create_database(self, server_url: str, name: str, *, replace: bool = False) -> str:
        return scratch.create_database(server_url, name, replace=replace)

    def drop_database(self, server_url: str, name: str) -> None:
        scratch.drop_database(server_url, name)

    def run_script(self, url: str, sql: str, *, schema: str | None = None) -> None:
        scratch.run_script(url, sql, schema=schema)

    # --- trueup's bookkeeping ---------------------------------------------------------------
    def open_journal(self, url: str) -> PostgresJournal:
        from trueup.engines.postgres.state import PostgresJournal

        return PostgresJournal(url)

    def probe_table(self, url: str) -> PostgresProbeTable:
        from trueup.engines.postgres.state import PostgresProbeTable

        return PostgresProbeTable(url)

    # --- trueup's migration history in each target ---------------------------------------------
    def history_table(self, schema: str) -> Statement:
        from trueup.engines.postgres import state

        return state.history_table(schema)

    def history_record(self, schema: str, version: int, name: str, checksum: str | None, success: bool) -> Statement:
        from trueup.engines.postgres import state

        return state.history_record(schema, version, name, checksum, success)

    def history_forget(self, schema: str, version: int) -> Statement:
        from trueup.engines.postgres import state

        return state.history_forget(schema, version)

    def use_schema(self, schema: str) -> Statement:
        from trueup.engines.postgres import state

        return state.use_schema(schema)

    # --- tenant lifecycle ------------------------------------------------------------------------
    def tenancy(self) -> PostgresTenancy:
        from trueup.engines.postgres.tenancy import PostgresTenancy

        return PostgresTenancy()


ENGINE = PostgresEngine()
