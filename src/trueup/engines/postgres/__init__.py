"""The PostgreSQL engine."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from trueup.diff.changes import Change
from trueup.diff.generator import KindSQL
from trueup.engines.postgres import scratch
from trueup.engines.postgres.inspect import inspect_url
from trueup.engines.postgres.kinds import GENERATORS, KIND_ORDER
from trueup.model import DbObject, ObjectId, Schema

_RELATION_KINDS = frozenset({"table", "view", "materialized_view", "sequence", "index", "composite_type"})


class PostgresEngine:
    name = "postgresql"
    generators: Mapping[str, KindSQL] = GENERATORS
    inline_children: Mapping[str, frozenset[str]] = {"table": frozenset({"column"})}
    # (a function breaks too when its SQL-standard body reads a column whose type changes)
    rebuild_on_break: frozenset[str] = frozenset({"view", "materialized_view", "policy", "trigger", "column",
                                                  "function"})
    kind_order: Sequence[str] = KIND_ORDER

    def namespace_key(self, obj: DbObject) -> tuple[str, ...] | None:
        if obj.kind in _RELATION_KINDS:
            return ("rel", *obj.id.path)
        if obj.kind in ("enum", "domain"):
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

    def inspect(self, url: str, schemas: Sequence[str] | None = None, *, connections: int = 2) -> Schema:
        return inspect_url(url, schemas, connections=connections)

    def load_sql(self, server_url: str, files: Sequence[str], schemas: Sequence[str] | None = None, *,
                 connections: int = 2) -> Schema:
        return scratch.load_sql(server_url, [Path(f) for f in files], schemas, connections=connections)

    def scratch_identity(self, server_url: str) -> str:
        return scratch.server_identity(server_url)


ENGINE = PostgresEngine()
